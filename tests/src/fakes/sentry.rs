//! A fake Sentry: `POST /api/{project}/envelope/` as Sentry's ingestion
//! takes it (checking the DSN's public key in `X-Sentry-Auth`), keeping
//! every envelope received, decompressed, as text. Session-replay
//! recordings inside an envelope are inflated too, so a test can read what
//! a replay would show. `GET /received` lists the envelopes as JSON, for the
//! browser tests.

use std::io::Read;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};

/// The DSN's public key the fake accepts.
pub const SENTRY_KEY: &str = "fakepublickey";

/// A running fake Sentry.
pub struct FakeSentry {
    /// The DSN to give a process.
    pub dsn: String,
    /// The fake's base URL (where a DSN's host would point).
    pub url: String,
    envelopes: Arc<Mutex<Vec<String>>>,
}

impl FakeSentry {
    /// Starts the fake on a loopback port, as project 42.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let envelopes = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/api/{project}/envelope/", post(envelope))
            .route("/received", get(received))
            .with_state(envelopes.clone());
        super::serve(listener, app);
        Self {
            dsn: format!("http://{SENTRY_KEY}@{addr}/42"),
            url: format!("http://{addr}"),
            envelopes,
        }
    }

    /// The envelopes received so far, as text.
    pub fn envelopes(&self) -> Vec<String> {
        self.envelopes.lock().unwrap().clone()
    }
}

async fn envelope(
    State(envelopes): State<Arc<Mutex<Vec<String>>>>,
    Path(project): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let auth = headers
        .get("x-sentry-auth")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if project != "42" || !auth.contains(&format!("sentry_key={SENTRY_KEY}")) {
        return StatusCode::UNAUTHORIZED;
    }
    let gzipped = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    let body = if gzipped {
        let mut plain = Vec::new();
        if flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .is_err()
        {
            return StatusCode::BAD_REQUEST;
        }
        plain
    } else {
        body.to_vec()
    };
    envelopes.lock().unwrap().push(readable(&body));
    StatusCode::OK
}

async fn received(State(envelopes): State<Arc<Mutex<Vec<String>>>>) -> axum::Json<Vec<String>> {
    axum::Json(envelopes.lock().unwrap().clone())
}

/// The envelope as text: its items in order, each `replay_recording`
/// payload inflated (the browser SDK deflates them).
fn readable(body: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = body;
    let line = |rest: &mut &[u8]| -> Vec<u8> {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let taken = rest[..end].to_vec();
        *rest = rest.get(end + 1..).unwrap_or_default();
        taken
    };
    out.push_str(&String::from_utf8_lossy(&line(&mut rest)));
    while !rest.is_empty() {
        let header = line(&mut rest);
        let item: serde_json::Value = serde_json::from_slice(&header).unwrap_or_default();
        let payload = match item.get("length").and_then(serde_json::Value::as_u64) {
            Some(length) => {
                let length = (length as usize).min(rest.len());
                let taken = rest[..length].to_vec();
                rest = &rest[length..];
                if rest.first() == Some(&b'\n') {
                    rest = &rest[1..];
                }
                taken
            }
            None => line(&mut rest),
        };
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&header));
        out.push('\n');
        if item.get("type").and_then(serde_json::Value::as_str) == Some("replay_recording") {
            out.push_str(&recording(&payload));
        } else {
            out.push_str(&String::from_utf8_lossy(&payload));
        }
    }
    out
}

/// A replay segment: a JSON header line, then the recording, deflated or
/// plain.
fn recording(payload: &[u8]) -> String {
    let split = payload
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(payload.len());
    let (header, data) = (
        &payload[..split],
        payload.get(split + 1..).unwrap_or_default(),
    );
    let mut inflated = String::new();
    let data = match flate2::read::ZlibDecoder::new(data).read_to_string(&mut inflated) {
        Ok(_) => inflated,
        Err(_) => String::from_utf8_lossy(data).into_owned(),
    };
    format!("{}\n{data}", String::from_utf8_lossy(header))
}
