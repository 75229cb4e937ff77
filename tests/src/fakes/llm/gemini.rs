//! Gemini `streamGenerateContent?alt=sse`: one `data:` chunk per delta, each
//! a GenerateContentResponse with usage so far; the last carries
//! `finishReason: STOP`. There is no end sentinel.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

use super::play::{Format, answer, unauthorized};
use super::{FAKE_LLM_KEY, Shared};

/// Prompt tokens the fake reports.
pub const INPUT_TOKENS: u64 = 222;

struct Gemini {
    model: String,
}

impl Gemini {
    fn chunk(&self, text: &str, finish: Option<&str>, answer_tokens: usize) -> String {
        let mut candidate =
            json!({"content": {"parts": [{"text": text}], "role": "model"}, "index": 0});
        if let Some(finish) = finish {
            candidate["finishReason"] = json!(finish);
        }
        format!(
            "data: {}\n\n",
            json!({"candidates": [candidate],
                   "usageMetadata": {"promptTokenCount": INPUT_TOKENS, "candidatesTokenCount": answer_tokens, "totalTokenCount": INPUT_TOKENS as usize + answer_tokens},
                   "modelVersion": self.model, "responseId": "fake-response"})
        )
    }
}

impl Format for Gemini {
    fn opening(&self) -> Vec<String> {
        Vec::new()
    }

    fn delta(&self, text: &str) -> String {
        self.chunk(text, None, 1)
    }

    fn failure(&self, message: &str) -> String {
        format!(
            "data: {}\n\n",
            json!({"error": {"code": 503, "message": message, "status": "UNAVAILABLE"}})
        )
    }

    fn tool_call(&self, _n: usize, _id: &str, name: &str, arguments: &str) -> Vec<String> {
        // Gemini names no call ids; its function calls are parts.
        let args: Value = serde_json::from_str(arguments).unwrap_or(Value::Null);
        vec![format!(
            "data: {}\n\n",
            json!({"candidates": [{"content": {"parts": [{"functionCall": {"name": name, "args": args}}], "role": "model"}, "index": 0}],
                   "modelVersion": self.model, "responseId": "fake-response"})
        )]
    }

    fn closing(&self, deltas: usize, _tools: usize) -> Vec<String> {
        vec![self.chunk("", Some("STOP"), 10 + deltas)]
    }

    fn refusal(&self, status: StatusCode) -> Value {
        let name = match status.as_u16() {
            429 => "RESOURCE_EXHAUSTED",
            400 => "INVALID_ARGUMENT",
            401 | 403 => "PERMISSION_DENIED",
            _ => "UNAVAILABLE",
        };
        json!({"error": {"code": status.as_u16(), "message": format!("fake {name}"), "status": name}})
    }
}

/// `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`.
pub async fn generate(
    State(shared): State<Shared>,
    Path(model_action): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()) != Some(FAKE_LLM_KEY) {
        return unauthorized(
            json!({"error": {"code": 401, "message": "API key not valid.", "status": "UNAUTHENTICATED"}}),
        );
    }
    let Some((model, "streamGenerateContent")) = model_action.split_once(':') else {
        return (StatusCode::NOT_FOUND, "only streamGenerateContent is faked").into_response();
    };
    assert_eq!(query.get("alt").map(String::as_str), Some("sse"));
    let mut request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    // The model is in the path; keep it with the body for tests to check.
    request["model"] = json!(model);
    let model = model.to_owned();
    answer(shared, request, Gemini { model }).await
}
