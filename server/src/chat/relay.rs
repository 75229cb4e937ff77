//! Streams the tutor's answer to the learner and keeps it. The answer's row
//! exists from the moment the learner's message is admitted; what arrives
//! is flushed to it every [`FLUSH_EVERY`], with a running estimate of its
//! tokens, so a core killed mid-answer leaves what the learner saw (up to
//! the last flush) in the transcript, marked partial, and stopping never
//! saves allowance. It is finished complete when the model ends, or partial
//! with the reason when the model fails, a time limit runs out, or the
//! learner goes away (which drops the provider request at once).
//!
//! A transient failure before the first word (rate limit, overload, the
//! provider unreachable) is retried, as the providers' own SDKs do: up to
//! [`ATTEMPTS`] in all, waiting what the provider asked for, or 0.5 s then
//! 1 s, when that is at most [`LONGEST_WAIT`]. A longer wait goes to the
//! learner with the time to try again. Once words have been shown nothing is
//! retried: a second answer would not continue the first.

use std::time::Duration;

use tokio::time::Instant;

use std::sync::Arc;

use futures::StreamExt;
use genai::chat::{ChatMessage, ChatStreamEvent, StopReason, StreamEnd, ToolCall, ToolResponse};
use lens_proto::v1::{self, send_message_response::Event};
use tokio::sync::mpsc;
use tonic::Status;

use super::prompt::{Turn, estimate_tokens};
use super::tools::{self, TOOL_ROUNDS};
use super::{LlmFailure, Tutor};
use crate::clock;
use crate::content::catalogue::Loaded;
use crate::domain::{ChatRole, MessageId};
use crate::store::{Admitted, INTERRUPTED, NewMessage, NewToolUse, Store};

/// Tries at the model per answer, the first included.
pub const ATTEMPTS: u32 = 3;
/// The longest wait for a retry that a learner is kept waiting for.
pub const LONGEST_WAIT: Duration = Duration::from_secs(5);
/// How often what arrived is saved while an answer streams.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Waits between tries at the answer's final write, when the database is
/// briefly away: about half a minute in all.
const FINAL_WRITE_WAITS: [Duration; 5] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(15),
];

/// Where the answer's events go.
pub type Events = mpsc::Sender<Result<v1::SendMessageResponse, Status>>;

/// One answer to produce.
pub struct Answer {
    /// The transcript store.
    pub store: Store,
    /// The model.
    pub tutor: Tutor,
    /// The learner's stored message and the answer's row.
    pub admitted: Admitted,
    /// The prompt's tokens as estimated, until the provider says.
    pub input_estimate: i64,
    /// How long the answer's row is held for this core; renewed while it
    /// streams.
    pub lease: Duration,
    /// Cancelled when the core's shutdown grace period is over.
    pub cut_off: tokio_util::sync::CancellationToken,
    /// The system prompt.
    pub system: String,
    /// The conversation, oldest first, ending with the learner's message.
    pub history: Vec<Turn>,
    /// The content the prompt was built from, which the tools look in.
    pub content: Arc<Loaded>,
    /// Whether the model is offered the course tools (the tutor is; a
    /// roleplay's character is not).
    pub offer_tools: bool,
}

/// What an answer has built up over its rounds.
#[derive(Default)]
struct Progress {
    /// The answer's words so far, all rounds together.
    text: String,
    /// What the model thought, all rounds together.
    thinking: String,
    /// The model's tool calls and their results, to send with the next round.
    rounds: Vec<ChatMessage>,
    /// Tool rounds made.
    round: usize,
    /// Tokens of the rounds already ended.
    spent: Usage,
}

/// How one try at the model ended.
enum Outcome {
    Finished(StreamEnd),
    Failed(LlmFailure),
    LearnerLeft,
    /// The core is going away: what arrived is stored now.
    CutOff,
}

/// Tokens (prompt, answer) as the provider counted them.
type Usage = (Option<i64>, Option<i64>);

fn send(event: Event) -> Result<v1::SendMessageResponse, Status> {
    Ok(v1::SendMessageResponse { event: Some(event) })
}

impl Answer {
    /// Produces the answer into `events`; returns once it is stored.
    pub async fn relay(self, events: Events) {
        let _open = crate::metrics::OpenStream::open();
        // The lease is renewed while this core works on the answer, words
        // or not (a model may think for a minute before its first word).
        let keeper = tokio::spawn(keep_lease(
            self.store.clone(),
            self.admitted.answer_id,
            self.lease,
        ));
        self.answer(events).await;
        keeper.abort();
    }

    async fn answer(self, events: Events) {
        let mut progress = Progress::default();
        let mut attempt = 0;
        let deadline = Instant::now() + self.tutor.timeouts().total;
        let failure = loop {
            let tools = self.offer_tools && progress.round < TOOL_ROUNDS;
            match self.attempt(&mut progress, &events, deadline, tools).await {
                Outcome::Finished(end) => {
                    let calls: Vec<ToolCall> = end
                        .captured_tool_calls()
                        .map(|calls| calls.into_iter().cloned().collect())
                        .unwrap_or_default();
                    if tools && !calls.is_empty() {
                        self.use_tools(&mut progress, end, calls, &events).await;
                        attempt = 0;
                        continue;
                    }
                    self.keep_thinking(&progress.thinking).await;
                    return self
                        .finish(progress.text, end, progress.spent, &events)
                        .await;
                }
                Outcome::LearnerLeft => {
                    self.keep_thinking(&progress.thinking).await;
                    return self.learner_left(progress.text).await;
                }
                Outcome::CutOff => {
                    self.keep_thinking(&progress.thinking).await;
                    let _ = self
                        .keep(progress.text, Some(INTERRUPTED), progress.spent)
                        .await;
                    let _ = events
                        .send(send(Event::Error(v1::ChatError {
                            message: "The platform is restarting; what arrived is kept. Try again in a moment.".into(),
                            retry_after_seconds: 5,
                        })))
                        .await;
                    return;
                }
                Outcome::Failed(failure) => {
                    crate::metrics::provider_failure(&failure);
                    attempt += 1;
                    let wait = failure
                        .retry_after()
                        .unwrap_or(Duration::from_millis(500) * 2u32.pow(attempt - 1));
                    let retry = progress.text.is_empty()
                        && failure.is_transient()
                        && attempt < ATTEMPTS
                        && wait <= LONGEST_WAIT;
                    if !retry {
                        break failure;
                    }
                    tracing::info!(%failure, attempt, ?wait, "the model failed before answering; trying again");
                    if Instant::now() + wait >= deadline {
                        break failure;
                    }
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = events.closed() => return self.learner_left(progress.text).await,
                    }
                }
            }
        };
        self.keep_thinking(&progress.thinking).await;
        let text = progress.text;
        match &failure {
            LlmFailure::Refused(_) => {
                tracing::error!(%failure, model = self.tutor.label(), "the model provider refused the tutor's request: check the key and model")
            }
            _ => tracing::warn!(%failure, "the tutor's answer failed"),
        }
        let kept = !text.is_empty();
        let _ = self.keep(text, Some(failure.marker()), (None, None)).await;
        let _ = events
            .send(send(Event::Error(learner_error(&failure, kept))))
            .await;
    }

    /// Runs the tools the model called, tells the learner what was looked
    /// up, keeps each lookup with the answer, and sets up the next round.
    async fn use_tools(
        &self,
        progress: &mut Progress,
        end: StreamEnd,
        calls: Vec<ToolCall>,
        events: &Events,
    ) {
        progress.round += 1;
        progress.spent = add(progress.spent, usage_of(&end));
        // What the model said this round, its calls (and any thinking
        // signatures the provider needs back) as one assistant message.
        let said = end
            .captured_content
            .map(ChatMessage::assistant)
            .unwrap_or_else(|| ChatMessage::from(calls.clone()));
        progress.rounds.push(said);
        let mut results = Vec::new();
        for call in &calls {
            let used = tools::run(self.content.clone(), call).await;
            crate::metrics::tutor_tool(&used.name, used.failed);
            let arguments = used.arguments.to_string();
            if let Err(error) = self
                .store
                .add_tool_use(
                    self.admitted.answer_id,
                    NewToolUse {
                        name: &used.name,
                        arguments: &arguments,
                        summary: &used.summary,
                        result: &used.result,
                        failed: used.failed,
                    },
                )
                .await
            {
                tracing::warn!(%error, "keeping a tool use failed");
            }
            let _ = events
                .send(send(Event::ToolUse(v1::ToolUse {
                    name: used.name.clone(),
                    summary: used.summary.clone(),
                    failed: used.failed,
                })))
                .await;
            results.push(ToolResponse::new(used.call_id, used.result));
        }
        progress.rounds.push(ChatMessage::from(results));
    }

    /// Keeps what the model thought, if it said.
    async fn keep_thinking(&self, thinking: &str) {
        if thinking.is_empty() {
            return;
        }
        if let Err(error) = self
            .store
            .save_thinking(self.admitted.answer_id, thinking)
            .await
        {
            tracing::warn!(%error, "keeping the model's thinking failed");
        }
    }

    /// One try at a round: streams deltas into `events` (and the answer's
    /// text, flushed to its row) until the model ends, fails, a time limit
    /// runs out, or the learner goes away.
    async fn attempt(
        &self,
        progress: &mut Progress,
        events: &Events,
        deadline: Instant,
        tools: bool,
    ) -> Outcome {
        let limits = self.tutor.timeouts();
        let started = Instant::now();
        let first_byte = (started + limits.first_byte).min(deadline);
        let round = self
            .tutor
            .stream_round(&self.system, &self.history, &progress.rounds, tools);
        let stream = tokio::select! {
            stream = tokio::time::timeout_at(first_byte, round) => stream,
            () = events.closed() => return Outcome::LearnerLeft,
            () = self.cut_off.cancelled() => return Outcome::CutOff,
        };
        let mut stream = match stream {
            Ok(Ok(stream)) => stream,
            Ok(Err(failure)) => return Outcome::Failed(failure),
            Err(_) => return Outcome::Failed(timed_out("before answering", limits.first_byte)),
        };
        let mut words = false;
        let mut flushed = Instant::now();
        loop {
            let (until, waiting) = if words {
                ((Instant::now() + limits.idle).min(deadline), limits.idle)
            } else {
                (first_byte, limits.first_byte)
            };
            // Dropping the stream (on return) cancels the provider request.
            let next = tokio::select! {
                next = tokio::time::timeout_at(until, stream.next()) => next,
                () = events.closed() => return Outcome::LearnerLeft,
                () = self.cut_off.cancelled() => return Outcome::CutOff,
            };
            let Ok(next) = next else {
                let when = if words {
                    "mid-answer"
                } else {
                    "before answering"
                };
                let limit = if Instant::now() >= deadline {
                    limits.total
                } else {
                    waiting
                };
                return Outcome::Failed(timed_out(when, limit));
            };
            match next {
                Some(Ok(ChatStreamEvent::Chunk(chunk))) => {
                    words = true;
                    progress.text.push_str(&chunk.content);
                    if events
                        .send(send(Event::Delta(chunk.content)))
                        .await
                        .is_err()
                    {
                        return Outcome::LearnerLeft;
                    }
                    if flushed.elapsed() >= FLUSH_EVERY {
                        self.flush(&progress.text).await;
                        flushed = Instant::now();
                    }
                }
                Some(Ok(ChatStreamEvent::ReasoningChunk(chunk))) => {
                    // Thinking is a sign of life too, but never the answer.
                    words = true;
                    progress.thinking.push_str(&chunk.content);
                    if events
                        .send(send(Event::Thinking(chunk.content)))
                        .await
                        .is_err()
                    {
                        return Outcome::LearnerLeft;
                    }
                }
                Some(Ok(ChatStreamEvent::ToolCallChunk(_))) => words = true,
                Some(Ok(ChatStreamEvent::End(end))) => return Outcome::Finished(end),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Outcome::Failed(LlmFailure::from_genai(&error)),
                None => {
                    return Outcome::Failed(LlmFailure::Broken(
                        "the stream ended without an end event".into(),
                    ));
                }
            }
        }
    }

    /// Saves what arrived so far; a failure only costs this flush.
    async fn flush(&self, text: &str) {
        let lease = clock::now() + self.lease;
        let tokens = estimate_tokens(text) as i64;
        if let Err(error) = self
            .store
            .flush_answer(self.admitted.answer_id, text, tokens, lease)
            .await
        {
            tracing::warn!(%error, "saving a streaming answer failed; the next flush tries again");
        }
    }

    /// The model ended: stored complete, or partial when it stopped short.
    /// `spent` is what the tool rounds before this one cost.
    async fn finish(&self, text: String, end: StreamEnd, spent: Usage, events: &Events) {
        let usage = add(spent, usage_of(&end));
        // Why an ended answer is still not whole, in the marker's words and
        // the learner's.
        let short = match &end.captured_stop_reason {
            Some(StopReason::Completed(_) | StopReason::StopSequence(_)) => None,
            Some(StopReason::MaxTokens(_)) => Some((
                "the answer reached the length limit",
                "The answer reached the tutor's length limit and stops there; ask it to go on.",
            )),
            Some(StopReason::ContentFilter(_)) => Some((
                "the provider's content filter stopped the answer",
                "The model's provider stopped this answer with its content filter.",
            )),
            Some(StopReason::ToolCall(_) | StopReason::Other(_)) | None => Some((
                "the model ended without finishing",
                "The tutor's answer ended early; try again.",
            )),
        };
        let stored = self.keep(text, short.map(|s| s.0), usage).await;
        let event = match (stored, short) {
            (Ok(()), None) => Event::Complete(v1::MessageComplete {
                user_message_id: self.admitted.user_message_id.0,
                assistant_message_id: self.admitted.answer_id.0,
                model: self.tutor.label().to_owned(),
                input_tokens: usage.0.unwrap_or(0).max(0) as u32,
                output_tokens: usage.1.unwrap_or(0).max(0) as u32,
            }),
            (Ok(()), Some((_, words))) => Event::Error(v1::ChatError {
                message: words.into(),
                retry_after_seconds: 0,
            }),
            (Err(error), _) => {
                tracing::error!(%error, "storing an answer failed");
                Event::Error(v1::ChatError {
                    message: "The answer could not be saved; try again.".into(),
                    retry_after_seconds: 0,
                })
            }
        };
        let _ = events.send(send(event)).await;
    }

    /// Keeps what was said before the learner went away.
    async fn learner_left(&self, text: String) {
        let reason = "stopped before the end: the learner pressed Stop or left";
        let _ = self.keep(text, Some(reason), (None, None)).await;
    }

    /// Finishes the answer's row (partial when `error` says why). Tokens
    /// the provider did not report are estimated, so an answer cut short
    /// is charged for what it cost. The write is tried again while the
    /// database is briefly away.
    async fn keep(
        &self,
        text: String,
        error: Option<&str>,
        usage: Usage,
    ) -> Result<(), crate::store::StoreError> {
        let message = NewMessage {
            role: ChatRole::Assistant,
            content: &text,
            error,
            model: Some(self.tutor.label()),
            input_tokens: Some(usage.0.unwrap_or(self.input_estimate)),
            output_tokens: Some(usage.1.unwrap_or(estimate_tokens(&text) as i64)),
        };
        crate::metrics::tutor_tokens(
            message.input_tokens.unwrap_or(0),
            message.output_tokens.unwrap_or(0),
        );
        let mut waits = FINAL_WRITE_WAITS.iter();
        loop {
            match self
                .store
                .finish_answer(self.admitted.answer_id, &message)
                .await
            {
                Err(crate::store::StoreError::Unavailable(cause)) => match waits.next() {
                    Some(wait) => {
                        tracing::warn!(error = %cause, ?wait, "the database is away; trying the answer's final write again");
                        tokio::time::sleep(*wait).await;
                    }
                    None => return Err(crate::store::StoreError::Unavailable(cause)),
                },
                other => return other,
            }
        }
    }
}

/// Renews an answer's lease a few times in each lease, until aborted or
/// the answer is finished (a finished row is never leased again).
async fn keep_lease(store: Store, answer_id: MessageId, lease: Duration) {
    let mut ticks = tokio::time::interval(lease / 3);
    loop {
        ticks.tick().await;
        match store
            .renew_answer_lease(answer_id, clock::now() + lease)
            .await
        {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => tracing::warn!(%error, "renewing an answer's lease failed"),
        }
    }
}

/// The tokens the provider reported for one round.
fn usage_of(end: &StreamEnd) -> Usage {
    let usage = end.captured_usage.clone().unwrap_or_default();
    (
        usage.prompt_tokens.map(i64::from),
        usage.completion_tokens.map(i64::from),
    )
}

/// Two rounds' tokens together (unknown stays unknown only if both are).
fn add(a: Usage, b: Usage) -> Usage {
    let sum = |x: Option<i64>, y: Option<i64>| match (x, y) {
        (None, None) => None,
        (x, y) => Some(x.unwrap_or(0) + y.unwrap_or(0)),
    };
    (sum(a.0, b.0), sum(a.1, b.1))
}

/// A time limit toward the provider ran out.
fn timed_out(when: &str, limit: Duration) -> LlmFailure {
    LlmFailure::Unreachable(format!("no answer {when} within {} s", limit.as_secs()))
}

/// What the learner is told, and when to retry.
fn learner_error(failure: &LlmFailure, kept: bool) -> v1::ChatError {
    let wait = failure.retry_after().map(|d| d.as_secs_f64().ceil() as u32);
    let when = match wait {
        Some(seconds) if seconds > 90 => format!("in {} minutes", seconds.div_ceil(60)),
        Some(seconds) => format!("in {} seconds", seconds.max(1)),
        None => "in a minute".to_owned(),
    };
    let mut message = match failure {
        LlmFailure::RateLimited { .. } => {
            format!("The tutor is answering a lot of learners right now; try again {when}.")
        }
        LlmFailure::Overloaded { .. } => {
            format!("The tutor's model is overloaded right now; try again {when}.")
        }
        LlmFailure::Unreachable(_) => {
            "The tutor could not reach its model; try again in a minute.".to_owned()
        }
        LlmFailure::Refused(_) => {
            "The tutor cannot answer because of a problem with the platform's setup; the course team can see it in the logs.".to_owned()
        }
        LlmFailure::Broken(_) => "The tutor's answer broke off; try again.".to_owned(),
    };
    if kept {
        message.push_str(" What arrived is kept.");
    }
    v1::ChatError {
        message,
        retry_after_seconds: wait.unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learners_are_told_what_happened_and_when_to_retry() {
        let limited = LlmFailure::RateLimited {
            retry_after: Some(Duration::from_secs(120)),
        };
        assert_eq!(
            learner_error(&limited, false),
            v1::ChatError {
                message:
                    "The tutor is answering a lot of learners right now; try again in 2 minutes."
                        .into(),
                retry_after_seconds: 120
            }
        );
        let overloaded = LlmFailure::Overloaded { retry_after: None };
        let error = learner_error(&overloaded, true);
        assert_eq!(
            error.message,
            "The tutor's model is overloaded right now; try again in a minute. What arrived is kept."
        );
        assert_eq!(error.retry_after_seconds, 0);
        let refused = learner_error(&LlmFailure::Refused("HTTP 401: bad key".into()), false);
        assert!(!refused.message.contains("401"), "details stay in the log");
    }
}
