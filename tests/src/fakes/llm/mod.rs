//! A fake LLM provider speaking three real streaming formats on one port:
//! Anthropic Messages (`POST /v1/messages`), OpenAI chat.completions
//! (`POST /v1/chat/completions`, also what Ollama, vLLM and LM Studio speak)
//! and Gemini (`POST /v1beta/models/{model}:streamGenerateContent?alt=sse`).
//! Each request plays the next scripted answer: text deltas, tool calls,
//! pauses, an error mid-stream, or an HTTP refusal (429 with `retry-after`,
//! 529 overloaded).

mod anthropic;
mod gemini;
mod openai;
mod play;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use serde_json::Value;

/// The key the fake accepts, whatever the provider.
pub const FAKE_LLM_KEY: &str = "sk-fake-llm-key";

/// One step of a scripted answer.
#[derive(Debug, Clone)]
pub enum Step {
    /// A text delta.
    Text(&'static str),
    /// A pause.
    Wait(Duration),
    /// The model thinks aloud before answering, where the format streams
    /// thinking (Anthropic's thinking blocks; the other formats send
    /// nothing for it).
    Thinking(&'static str),
    /// The model calls a tool with these arguments (JSON text); the answer
    /// then ends for the tool's result, as the format says it.
    ToolCall {
        /// The tool.
        name: &'static str,
        /// Its arguments, a JSON object as text.
        arguments: &'static str,
    },
    /// A pause before even the response headers (only as the first step).
    HangBeforeHeaders(Duration),
    /// The provider's error event mid-stream (the stream then ends).
    Fail(&'static str),
    /// An HTTP error instead of a stream (only as the first step), with a
    /// `retry-after` header in seconds if given: 429 rate limit, 529
    /// overloaded, 401 bad key, …
    Refuse {
        /// HTTP status.
        status: u16,
        /// `retry-after`, seconds.
        retry_after: Option<u64>,
    },
}

#[derive(Default)]
struct Inner {
    /// Answers for the coming requests; the last one repeats.
    scripts: VecDeque<Vec<Step>>,
    /// The answer to requests for structured output, when set apart.
    structured: Option<Vec<Step>>,
    requests: Vec<Value>,
    disconnected_at: Option<Instant>,
}

impl Inner {
    /// The script for `request`: the structured one for a request that
    /// asks for a JSON schema in its format's way (Anthropic's
    /// `output_config.format`, OpenAI's `response_format`, Gemini's
    /// `generationConfig.responseSchema` or `responseJsonSchema`), when one
    /// is set; else the next of the scripts.
    fn script_for(&mut self, request: &Value) -> Vec<Step> {
        let asks_for_schema = !request["output_config"]["format"].is_null()
            || !request["response_format"].is_null()
            || !request["generationConfig"]["responseSchema"].is_null()
            || !request["generationConfig"]["responseJsonSchema"].is_null();
        match &self.structured {
            Some(script) if asks_for_schema => script.clone(),
            _ => self.next_script(),
        }
    }

    fn next_script(&mut self) -> Vec<Step> {
        if self.scripts.len() > 1 {
            self.scripts.pop_front().unwrap_or_default()
        } else {
            self.scripts.front().cloned().unwrap_or_default()
        }
    }
}

type Shared = Arc<Mutex<Inner>>;

/// A running fake.
pub struct FakeLlm {
    /// Base URL for Anthropic and OpenAI, to use as `LLM_BASE_URL`
    /// (`http://127.0.0.1:PORT/v1`).
    pub url: String,
    /// Base URL for Gemini (`http://127.0.0.1:PORT/v1beta`).
    pub gemini_url: String,
    inner: Shared,
}

impl FakeLlm {
    /// Starts the fake on a loopback port.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let inner = Shared::default();
        let app = Router::new()
            .route("/v1/messages", post(anthropic::messages))
            .route("/v1/chat/completions", post(openai::completions))
            .route("/v1beta/models/{model_action}", post(gemini::generate))
            .with_state(inner.clone());
        super::serve(listener, app);
        Self {
            url: format!("http://{addr}/v1"),
            gemini_url: format!("http://{addr}/v1beta"),
            inner,
        }
    }

    /// The answer to every request from now on.
    pub fn script(&self, steps: Vec<Step>) {
        self.script_each(vec![steps]);
    }

    /// The answer to every request for structured output from now on,
    /// apart from the scripts for the tutor's answers.
    pub fn script_structured(&self, steps: Vec<Step>) {
        self.inner.lock().unwrap().structured = Some(steps);
    }

    /// One answer per coming request, in order; the last one repeats.
    pub fn script_each(&self, scripts: Vec<Vec<Step>>) {
        let mut inner = self.inner.lock().unwrap();
        inner.scripts = scripts.into();
        inner.disconnected_at = None;
    }

    /// Request bodies received.
    pub fn requests(&self) -> Vec<Value> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// When the client went away in the middle of an answer.
    pub fn disconnected_at(&self) -> Option<Instant> {
        self.inner.lock().unwrap().disconnected_at
    }
}
