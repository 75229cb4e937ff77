//! `POST /api/content/webhook`: GitHub push notifications for the content
//! repository. The signature is checked here, in constant time; whether the
//! push matters (which branch) is the core's decision.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode};
use lens_proto::v1;
use serde::Deserialize;
use sha2::Sha256;

use crate::app::WebState;

/// GitHub's push payload, the part that matters.
#[derive(Debug, Deserialize)]
struct Push {
    #[serde(rename = "ref")]
    git_ref: String,
    #[serde(default)]
    after: String,
}

/// Checks `X-Hub-Signature-256: sha256=<hex>` against the body.
pub fn signature_valid(secret: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(hex) = header.and_then(|h| h.strip_prefix("sha256=")) else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The webhook handler.
pub async fn content_webhook(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = &state.config.github_webhook_secret else {
        return (
            StatusCode::NOT_FOUND,
            "the content webhook is off: set GITHUB_WEBHOOK_SECRET on the web edge",
        )
            .into_response();
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if !signature_valid(secret.expose().as_bytes(), &body, signature) {
        return (
            StatusCode::UNAUTHORIZED,
            "X-Hub-Signature-256 does not match the payload",
        )
            .into_response();
    }
    let event = headers
        .get("x-github-event")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match event {
        "ping" => return (StatusCode::OK, "pong").into_response(),
        "push" => {}
        other => return (StatusCode::ACCEPTED, format!("ignored event {other:?}")).into_response(),
    }
    let push: Push = match serde_json::from_slice(&body) {
        Ok(push) => push,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not a push payload: {error}"),
            )
                .into_response();
        }
    };
    let request = v1::NotifyContentPushRequest {
        r#ref: push.git_ref,
        after: push.after,
    };
    match state
        .core
        .content_as_edge()
        .notify_content_push(request)
        .await
    {
        Ok(response) => {
            let started = response.into_inner().refresh_started;
            (
                StatusCode::ACCEPTED,
                if started {
                    "refresh started"
                } else {
                    "ignored: not the content branch"
                },
            )
                .into_response()
        }
        Err(status) => {
            tracing::warn!(code = ?status.code(), message = status.message(), "relaying a push failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the core did not accept the push; GitHub will show it as failed",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_signature_example() {
        // The example from GitHub's documentation on validating deliveries.
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(signature_valid(
            b"It's a Secret to Everybody",
            b"Hello, World!",
            Some(header)
        ));
        assert!(!signature_valid(
            b"another secret",
            b"Hello, World!",
            Some(header)
        ));
        assert!(!signature_valid(
            b"It's a Secret to Everybody",
            b"Hello, World?",
            Some(header)
        ));
        assert!(!signature_valid(
            b"It's a Secret to Everybody",
            b"Hello, World!",
            Some("sha1=abc")
        ));
        assert!(!signature_valid(
            b"It's a Secret to Everybody",
            b"Hello, World!",
            None
        ));
    }
}
