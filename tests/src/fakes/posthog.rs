//! A fake PostHog: the ingestion endpoints `posthog-js` posts to (`/e/`,
//! `/i/v0/e/`, `/batch/`, `/capture/`), in each body encoding it uses
//! (JSON, gzip, base64 in a `data=` form field), keeping
//! every event whose project key is right. `GET /received` lists the
//! events as JSON, for the browser tests.

use std::io::Read;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::Value;

/// The project key the fake accepts.
pub const POSTHOG_KEY: &str = "phc_fakeprojectkey";

/// What arrived: the events, and how many requests carried a cookie (a
/// relay must never pass the visitor's on).
#[derive(Default)]
struct Received {
    events: Vec<Value>,
    with_cookies: usize,
}

type Events = Arc<Mutex<Received>>;

/// A running fake PostHog.
pub struct FakePostHog {
    /// Its base URL (what `VITE_POSTHOG_HOST` would be).
    pub url: String,
    events: Events,
}

impl FakePostHog {
    /// Starts the fake on a loopback port.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let events: Events = Arc::default();
        let app = axum::Router::new()
            .route("/e/", post(ingest))
            .route("/i/v0/e/", post(ingest))
            .route("/batch/", post(ingest))
            .route("/capture/", post(ingest))
            .route("/received", get(received))
            .with_state(events.clone());
        super::serve(listener, app);
        Self {
            url: format!("http://{addr}"),
            events,
        }
    }

    /// The events received so far.
    pub fn events(&self) -> Vec<Value> {
        self.events.lock().unwrap().events.clone()
    }

    /// How many requests arrived with a `Cookie` header.
    pub fn requests_with_cookies(&self) -> usize {
        self.events.lock().unwrap().with_cookies
    }
}

async fn received(State(events): State<Events>) -> axum::Json<Vec<Value>> {
    axum::Json(events.lock().unwrap().events.clone())
}

async fn ingest(
    State(events): State<Events>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    if headers.contains_key("cookie") {
        events.lock().unwrap().with_cookies += 1;
    }
    // As PostHog's capture does: by the query, or by gzip's magic bytes
    // (the browser's CompressionStream output, sent as text/plain).
    let gzipped = query
        .as_deref()
        .unwrap_or_default()
        .contains("compression=gzip")
        || body.starts_with(&[0x1f, 0x8b]);
    let Some(batch) = decode(&body, gzipped) else {
        return (StatusCode::BAD_REQUEST, r#"{"error":"unreadable body"}"#);
    };
    let (key, list) = match batch {
        Value::Array(list) => (None, list),
        Value::Object(mut object) if object.contains_key("batch") => {
            let key = object
                .get("api_key")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match object.remove("batch") {
                Some(Value::Array(list)) => (key, list),
                _ => {
                    return (
                        StatusCode::BAD_REQUEST,
                        r#"{"error":"batch is not a list"}"#,
                    );
                }
            }
        }
        single => (None, vec![single]),
    };
    let authorised = |event: &Value| {
        let token = event
            .pointer("/properties/token")
            .or_else(|| event.get("api_key"))
            .and_then(Value::as_str);
        token.or(key.as_deref()) == Some(POSTHOG_KEY)
    };
    if !list.iter().all(authorised) {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"error":"invalid project key"}"#,
        );
    }
    events.lock().unwrap().events.extend(list);
    (StatusCode::OK, r#"{"status":1}"#)
}

/// The body as JSON: gzipped, form-encoded base64 (`data=`), or plain.
fn decode(body: &[u8], gzipped: bool) -> Option<Value> {
    if gzipped {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut plain)
            .ok()?;
        return serde_json::from_slice(&plain).ok();
    }
    if let Ok(value) = serde_json::from_slice(body) {
        return Some(value);
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let data = form.iter().find(|(name, _)| name == "data")?;
    let json = base64::engine::general_purpose::STANDARD
        .decode(&data.1)
        .ok()?;
    serde_json::from_slice(&json).ok()
}
