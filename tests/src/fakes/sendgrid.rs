//! A fake SendGrid: `POST /v3/mail/send` as SendGrid's v3 API takes it,
//! checking the API key, keeping every message accepted, and answering
//! with a server error as many times as a test asks first.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};

/// The API key the fake accepts.
pub const SENDGRID_KEY: &str = "SG.fake-key";

#[derive(Default)]
struct Inner {
    accepted: Vec<Value>,
    failures: usize,
}

/// A running fake SendGrid.
pub struct FakeSendGrid {
    /// Base URL.
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeSendGrid {
    /// Starts the fake on a loopback port.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .route("/v3/mail/send", post(send))
            .with_state(inner.clone());
        super::serve(listener, app);
        Self {
            url: format!("http://{addr}"),
            inner,
        }
    }

    /// The messages accepted so far.
    pub fn accepted(&self) -> Vec<Value> {
        self.inner.lock().unwrap().accepted.clone()
    }

    /// Answers the next `count` messages with 503.
    pub fn fail_next(&self, count: usize) {
        self.inner.lock().unwrap().failures = count;
    }
}

async fn send(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {SENDGRID_KEY}"));
    if !authorized {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked"}]}),
            ),
        );
    }
    let mut inner = inner.lock().unwrap();
    if inner.failures > 0 {
        inner.failures -= 1;
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"errors": [{"message": "Service Unavailable"}]})),
        );
    }
    let complete = body["personalizations"][0]["to"][0]["email"].is_string()
        && body["from"]["email"].is_string()
        && body["subject"].is_string()
        && body["content"].as_array().is_some_and(|c| c.len() == 2);
    if !complete {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"errors": [{"message": "a required field is missing"}]})),
        );
    }
    inner.accepted.push(body);
    (StatusCode::ACCEPTED, Json(Value::Null))
}
