//! A fake Anthropic Messages API (`POST /v1/messages` with `stream: true`),
//! answering with the real server-sent event sequence: message_start,
//! content_block_start, ping, content_block_delta…, content_block_stop,
//! message_delta (usage), message_stop — or an `error` event mid-stream.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_stream_free::ReceiverBody;

/// The key the fake accepts.
pub const FAKE_ANTHROPIC_KEY: &str = "sk-ant-fake-key";

/// One step of a scripted answer.
#[derive(Debug, Clone)]
pub enum Step {
    /// A text delta.
    Text(&'static str),
    /// A pause.
    Wait(Duration),
    /// An `error` event (the stream then ends).
    Fail(&'static str),
}

#[derive(Default)]
struct Inner {
    script: Vec<Step>,
    requests: Vec<Value>,
    disconnected_at: Option<Instant>,
}

/// A running fake.
pub struct FakeAnthropic {
    /// Base URL, to use as `LLM_BASE_URL` (`http://127.0.0.1:PORT/v1`).
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeAnthropic {
    /// Starts the fake on a loopback port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v1/messages", post(messages))
            .route("/v1/chat/completions", post(completions))
            .with_state(inner.clone());
        // Streaming servers write small events: without TCP_NODELAY the
        // second one waits ~40 ms for the client's delayed ACK.
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://{addr}/v1"),
            inner,
        }
    }

    /// The answer to give next.
    pub fn script(&self, steps: Vec<Step>) {
        let mut inner = self.inner.lock().unwrap();
        inner.script = steps;
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

fn sse(kind: &str, data: Value) -> String {
    format!("event: {kind}\ndata: {data}\n\n")
}

async fn messages(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(FAKE_ANTHROPIC_KEY) {
        let error = json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}});
        return (StatusCode::UNAUTHORIZED, error.to_string()).into_response();
    }
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let model = request["model"].as_str().unwrap_or("unknown").to_owned();
    let script = {
        let mut inner = inner.lock().unwrap();
        inner.requests.push(request);
        inner.script.clone()
    };
    let (tx, rx) = mpsc::channel::<String>(4);
    tokio::spawn(async move {
        let mut events = vec![
            sse(
                "message_start",
                json!({"type": "message_start", "message": {"id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [], "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 321, "output_tokens": 1}}}),
            ),
            sse(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ),
            sse("ping", json!({"type": "ping"})),
        ];
        for chunk in events.drain(..) {
            if tx.send(chunk).await.is_err() {
                inner.lock().unwrap().disconnected_at = Some(Instant::now());
                return;
            }
        }
        let mut words = 0;
        for step in script {
            let chunk = match step {
                Step::Text(text) => {
                    words += 1;
                    sse(
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
                    )
                }
                Step::Wait(pause) => {
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = tx.closed() => {
                            inner.lock().unwrap().disconnected_at = Some(Instant::now());
                            return;
                        }
                    }
                    continue;
                }
                Step::Fail(message) => {
                    let _ = tx.send(sse("error", json!({"type": "error", "error": {"type": "overloaded_error", "message": message}}))).await;
                    return;
                }
            };
            if tx.send(chunk).await.is_err() {
                inner.lock().unwrap().disconnected_at = Some(Instant::now());
                return;
            }
        }
        for chunk in [
            sse(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ),
            sse(
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 10 + words}}),
            ),
            sse("message_stop", json!({"type": "message_stop"})),
        ] {
            if tx.send(chunk).await.is_err() {
                return;
            }
        }
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(ReceiverBody(rx)))
        .expect("valid response")
}

/// The OpenAI chat.completions streaming format (also what Ollama, vLLM and
/// LM Studio speak): `data:` chunks with deltas, a usage chunk, `[DONE]`.
async fn completions(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {FAKE_ANTHROPIC_KEY}"));
    if !authorized {
        let error = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}});
        return (StatusCode::UNAUTHORIZED, error.to_string()).into_response();
    }
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let model = request["model"].as_str().unwrap_or("unknown").to_owned();
    let script = {
        let mut inner = inner.lock().unwrap();
        inner.requests.push(request);
        inner.script.clone()
    };
    let (tx, rx) = mpsc::channel::<String>(4);
    tokio::spawn(async move {
        let chunk = |delta: Value, finish: Value| {
            format!(
                "data: {}\n\n",
                json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model,
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
            )
        };
        let mut words = 0;
        let mut out = vec![chunk(
            json!({"role": "assistant", "content": ""}),
            Value::Null,
        )];
        for step in script {
            match step {
                Step::Text(text) => {
                    words += 1;
                    out.push(chunk(json!({"content": text}), Value::Null));
                }
                Step::Wait(pause) => {
                    for piece in out.drain(..) {
                        if tx.send(piece).await.is_err() {
                            return;
                        }
                    }
                    tokio::time::sleep(pause).await;
                }
                Step::Fail(message) => {
                    out.push(format!(
                        "data: {}\n\n",
                        json!({"error": {"message": message, "type": "server_error"}})
                    ));
                    break;
                }
            }
        }
        out.push(chunk(json!({}), json!("stop")));
        out.push(format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model, "choices": [],
                   "usage": {"prompt_tokens": 123, "completion_tokens": 10 + words, "total_tokens": 133 + words}})
        ));
        out.push("data: [DONE]\n\n".to_owned());
        for piece in out {
            if tx.send(piece).await.is_err() {
                return;
            }
        }
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(ReceiverBody(rx)))
        .expect("valid response")
}

/// A minimal stream over an mpsc receiver, for response bodies.
mod tokio_stream_free {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub struct ReceiverBody(pub tokio::sync::mpsc::Receiver<String>);

    impl futures::Stream for ReceiverBody {
        type Item = Result<String, std::convert::Infallible>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.0.poll_recv(cx).map(|item| item.map(Ok))
        }
    }
}
