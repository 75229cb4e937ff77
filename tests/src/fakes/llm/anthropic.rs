//! Anthropic Messages streaming: message_start, content_block_start, ping,
//! content_block_delta…, content_block_stop, message_delta (usage),
//! message_stop — or an `error` event mid-stream.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::play::{Format, answer, unauthorized};
use super::{FAKE_LLM_KEY, Shared};

/// Prompt tokens the fake reports.
pub const INPUT_TOKENS: u64 = 321;

struct Anthropic {
    model: String,
}

fn sse(kind: &str, data: Value) -> String {
    format!("event: {kind}\ndata: {data}\n\n")
}

impl Format for Anthropic {
    fn opening(&self) -> Vec<String> {
        vec![
            sse(
                "message_start",
                json!({"type": "message_start", "message": {"id": "msg_fake", "type": "message", "role": "assistant", "model": self.model, "content": [], "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": INPUT_TOKENS, "output_tokens": 1}}}),
            ),
            sse(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ),
            sse("ping", json!({"type": "ping"})),
        ]
    }

    fn delta(&self, text: &str) -> String {
        sse(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
        )
    }

    fn failure(&self, message: &str) -> String {
        sse(
            "error",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": message}}),
        )
    }

    fn thinking(&self, text: &str) -> Vec<String> {
        // A whole thinking block: its words, then the signature the API
        // wants back with a later turn.
        vec![
            sse(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
            ),
            sse(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": text}}),
            ),
            sse(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "fake-signature"}}),
            ),
            sse(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ),
        ]
    }

    fn tool_call(&self, n: usize, id: &str, name: &str, arguments: &str) -> Vec<String> {
        let mut events = Vec::new();
        if n == 0 {
            // The text block (opened first) ends before the first tool block.
            events.push(sse(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ));
        }
        let index = n + 1;
        events.push(sse(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}}),
        ));
        events.push(sse(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": arguments}}),
        ));
        events.push(sse(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        events
    }

    fn closing(&self, deltas: usize, tools: usize) -> Vec<String> {
        let mut events = Vec::new();
        if tools == 0 {
            events.push(sse(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ));
        }
        let stop = if tools > 0 { "tool_use" } else { "end_turn" };
        events.push(sse(
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 10 + deltas}}),
        ));
        events.push(sse("message_stop", json!({"type": "message_stop"})));
        events
    }

    fn refusal(&self, status: StatusCode) -> Value {
        let kind = match status.as_u16() {
            429 => "rate_limit_error",
            529 => "overloaded_error",
            401 => "authentication_error",
            403 => "permission_error",
            400 => "invalid_request_error",
            _ => "api_error",
        };
        json!({"type": "error", "error": {"type": kind, "message": format!("fake {kind}")}})
    }
}

/// `POST /v1/messages`.
pub async fn messages(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(FAKE_LLM_KEY) {
        return unauthorized(
            json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
        );
    }
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let model = request["model"].as_str().unwrap_or("unknown").to_owned();
    answer(shared, request, Anthropic { model }).await
}
