//! A fake Sentry: `POST /api/{project}/envelope/` as Sentry's ingestion
//! takes it (checking the DSN's public key in `X-Sentry-Auth`), keeping
//! every envelope received, decompressed, as text.

use std::io::Read;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

/// The DSN's public key the fake accepts.
pub const SENTRY_KEY: &str = "fakepublickey";

/// A running fake Sentry.
pub struct FakeSentry {
    /// The DSN to give a process.
    pub dsn: String,
    envelopes: Arc<Mutex<Vec<String>>>,
}

impl FakeSentry {
    /// Starts the fake on a loopback port, as project 42.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let envelopes = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/api/{project}/envelope/", post(envelope))
            .with_state(envelopes.clone());
        super::serve(listener, app);
        Self {
            dsn: format!("http://{SENTRY_KEY}@{addr}/42"),
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
    let text = if gzipped {
        let mut text = String::new();
        if flate2::read::GzDecoder::new(&body[..])
            .read_to_string(&mut text)
            .is_err()
        {
            return StatusCode::BAD_REQUEST;
        }
        text
    } else {
        String::from_utf8_lossy(&body).into_owned()
    };
    envelopes.lock().unwrap().push(text);
    StatusCode::OK
}
