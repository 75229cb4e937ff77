//! OpenAI chat.completions streaming (also Ollama, vLLM, LM Studio): `data:`
//! chunks with deltas, a finish chunk, a usage chunk, then `[DONE]`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::play::{Format, answer, unauthorized};
use super::{FAKE_LLM_KEY, Shared};

/// Prompt tokens the fake reports.
pub const INPUT_TOKENS: u64 = 123;

struct OpenAi {
    model: String,
}

impl OpenAi {
    fn chunk(&self, delta: Value, finish: Value) -> String {
        format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": self.model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    }
}

impl Format for OpenAi {
    fn opening(&self) -> Vec<String> {
        vec![self.chunk(json!({"role": "assistant", "content": ""}), Value::Null)]
    }

    fn delta(&self, text: &str) -> String {
        self.chunk(json!({"content": text}), Value::Null)
    }

    fn failure(&self, message: &str) -> String {
        format!(
            "data: {}\n\n",
            json!({"error": {"message": message, "type": "server_error"}})
        )
    }

    fn tool_call(&self, n: usize, id: &str, name: &str, arguments: &str) -> Vec<String> {
        vec![self.chunk(
            json!({"tool_calls": [{"index": n, "id": id, "type": "function", "function": {"name": name, "arguments": arguments}}]}),
            Value::Null,
        )]
    }

    fn closing(&self, deltas: usize, tools: usize) -> Vec<String> {
        let finish = if tools > 0 { "tool_calls" } else { "stop" };
        vec![
            self.chunk(json!({}), json!(finish)),
            format!(
                "data: {}\n\n",
                json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": self.model, "choices": [],
                       "usage": {"prompt_tokens": INPUT_TOKENS, "completion_tokens": 10 + deltas, "total_tokens": INPUT_TOKENS as usize + 10 + deltas}})
            ),
            "data: [DONE]\n\n".to_owned(),
        ]
    }

    fn refusal(&self, status: StatusCode) -> Value {
        let (kind, code) = match status.as_u16() {
            429 => ("requests", "rate_limit_exceeded"),
            401 => ("invalid_request_error", "invalid_api_key"),
            _ => ("server_error", "server_error"),
        };
        json!({"error": {"message": format!("fake {code}"), "type": kind, "code": code}})
    }
}

/// `POST /v1/chat/completions`.
pub async fn completions(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {FAKE_LLM_KEY}"));
    if !authorized {
        return unauthorized(
            json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
        );
    }
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let model = request["model"].as_str().unwrap_or("unknown").to_owned();
    answer(shared, request, OpenAi { model }).await
}
