//! Plays a script in any provider's streaming format: the format says how
//! each piece looks on the wire, this says when it is sent.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::mpsc;

use super::{Shared, Step};

/// How one provider writes its stream.
pub trait Format: Send + 'static {
    /// Events before the first delta.
    fn opening(&self) -> Vec<String>;
    /// One text delta.
    fn delta(&self, text: &str) -> String;
    /// The provider's error event mid-stream.
    fn failure(&self, message: &str) -> String;
    /// Events of a stretch of thinking (none where the format has none).
    fn thinking(&self, _text: &str) -> Vec<String> {
        Vec::new()
    }
    /// Events of the `n`th tool call (0 for the first) of this answer.
    fn tool_call(&self, n: usize, id: &str, name: &str, arguments: &str) -> Vec<String>;
    /// Events after the last delta, with usage for `deltas` deltas; `tools`
    /// calls were made, so the answer stops for their results.
    fn closing(&self, deltas: usize, tools: usize) -> Vec<String>;
    /// The body of an HTTP error response.
    fn refusal(&self, status: StatusCode) -> Value;
}

/// Records the request and answers it with the next script in `format`.
pub async fn answer(shared: Shared, request: Value, format: impl Format) -> Response {
    let mut script = {
        let mut inner = shared.lock().unwrap();
        let script = inner.script_for(&request);
        inner.requests.push(request);
        script
    };
    if let Some(Step::HangBeforeHeaders(pause)) = script.first() {
        // Not even the status line: a provider stuck before answering.
        tokio::time::sleep(*pause).await;
        script.remove(0);
    }
    if let Some(Step::Refuse {
        status,
        retry_after,
    }) = script.first()
    {
        let status = StatusCode::from_u16(*status).expect("a valid status");
        let mut response = (status, format.refusal(status).to_string()).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", seconds.to_string().parse().unwrap());
        }
        return response;
    }
    let (tx, rx) = mpsc::channel::<String>(4);
    tokio::spawn(async move {
        // A closed channel means the client went away.
        let gone = || shared.lock().unwrap().disconnected_at = Some(std::time::Instant::now());
        for event in format.opening() {
            if tx.send(event).await.is_err() {
                return gone();
            }
        }
        let mut deltas = 0;
        let mut tools = 0;
        for step in script {
            let event = match step {
                Step::Text(text) => {
                    deltas += 1;
                    format.delta(text)
                }
                Step::Thinking(text) => {
                    for event in format.thinking(text) {
                        if tx.send(event).await.is_err() {
                            return gone();
                        }
                    }
                    continue;
                }
                Step::ToolCall { name, arguments } => {
                    let id = format!("call_fake_{tools}");
                    let events = format.tool_call(tools, &id, name, arguments);
                    tools += 1;
                    for event in events {
                        if tx.send(event).await.is_err() {
                            return gone();
                        }
                    }
                    continue;
                }
                Step::Wait(pause) => {
                    tokio::select! {
                        () = tokio::time::sleep(pause) => continue,
                        () = tx.closed() => return gone(),
                    }
                }
                Step::Fail(message) => {
                    let _ = tx.send(format.failure(message)).await;
                    return;
                }
                Step::Refuse { .. } => panic!("Refuse is only a first step"),
                Step::HangBeforeHeaders(_) => panic!("HangBeforeHeaders is only a first step"),
            };
            if tx.send(event).await.is_err() {
                return gone();
            }
        }
        for event in format.closing(deltas, tools) {
            if tx.send(event).await.is_err() {
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

/// The error body when a request lacks the fake's key.
pub fn unauthorized(body: Value) -> Response {
    (StatusCode::UNAUTHORIZED, body.to_string()).into_response()
}

/// A stream over an mpsc receiver, for response bodies.
struct ReceiverBody(mpsc::Receiver<String>);

impl futures::Stream for ReceiverBody {
    type Item = Result<String, std::convert::Infallible>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|item| item.map(Ok))
    }
}
