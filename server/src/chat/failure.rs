//! What went wrong with a model call, sorted by what to do about it: wait
//! and retry (rate limit, overload, unreachable), tell an operator (refused
//! request: bad key, bad model), or give up on this answer (broken stream).
//! genai reports failures in several shapes; they are read here only.

use std::time::Duration;

use http::HeaderMap;

/// Why the model did not (fully) answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmFailure {
    /// The provider is rate-limiting us (HTTP 429 or a rate-limit event).
    #[error("the model provider is rate-limiting requests")]
    RateLimited {
        /// When the provider said to retry, if it did.
        retry_after: Option<Duration>,
    },
    /// The provider is overloaded or briefly down (529, 503, an overload event).
    #[error("the model provider is overloaded")]
    Overloaded {
        /// When the provider said to retry, if it did.
        retry_after: Option<Duration>,
    },
    /// The provider could not be reached, or failed on its side (5xx).
    #[error("the model provider could not be reached: {0}")]
    Unreachable(String),
    /// The provider refused the request itself (bad key, unknown model):
    /// retrying will not help; an operator must act.
    #[error("the model provider refused the request: {0}")]
    Refused(String),
    /// The stream broke in a way none of the above explains.
    #[error("the answer broke off: {0}")]
    Broken(String),
}

impl LlmFailure {
    /// A short name for the kind, for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::Overloaded { .. } => "overloaded",
            Self::Unreachable(_) => "unreachable",
            Self::Refused(_) => "refused",
            Self::Broken(_) => "broken",
        }
    }

    /// Whether trying again later can succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Overloaded { .. } | Self::Unreachable(_)
        )
    }

    /// What is stored with a partial answer, and shown beside it: the kind
    /// of failure, without the provider's details (those go to the log).
    pub fn marker(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "the model provider was rate-limiting requests",
            Self::Overloaded { .. } => "the model provider was overloaded",
            Self::Unreachable(_) => "the model provider could not be reached",
            Self::Refused(_) => "the model provider refused the request",
            Self::Broken(_) => "the answer broke off",
        }
    }

    /// The wait the provider asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::Overloaded { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// Sorts a genai error.
    pub fn from_genai(error: &genai::Error) -> Self {
        // A refused streaming request arrives boxed inside the stream's error.
        if let genai::Error::WebStream {
            error: inner,
            cause,
            ..
        } = error
        {
            return match inner.downcast_ref::<genai::Error>() {
                Some(inner) => Self::from_genai(inner),
                None => Self::Unreachable(cause.clone()),
            };
        }
        if let Some(status) = error.status() {
            let retry_after = error.headers().and_then(retry_after);
            return match status.as_u16() {
                429 => Self::RateLimited { retry_after },
                503 | 529 => Self::Overloaded { retry_after },
                500..=599 => Self::Unreachable(format!("HTTP {status}")),
                _ => Self::Refused(format!("HTTP {status}: {}", body_summary(error))),
            };
        }
        match error {
            // An error event in the stream (Anthropic sends these mid-answer).
            genai::Error::ChatResponse { body, .. } => {
                let kind = body
                    .pointer("/error/type")
                    .or_else(|| body.pointer("/error/status"))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                match kind {
                    "rate_limit_error" | "RESOURCE_EXHAUSTED" => {
                        Self::RateLimited { retry_after: None }
                    }
                    "overloaded_error" | "UNAVAILABLE" => Self::Overloaded { retry_after: None },
                    _ => Self::Broken(loggable(&body.to_string())),
                }
            }
            genai::Error::WebModelCall { .. } | genai::Error::WebAdapterCall { .. } => {
                Self::Unreachable(loggable(&error.to_string()))
            }
            genai::Error::RequiresApiKey { .. }
            | genai::Error::NoAuthData { .. }
            | genai::Error::NoAuthResolver { .. } => Self::Refused(loggable(&error.to_string())),
            // Only the first line: some of genai's errors go on with the
            // whole request, learners' words included.
            other => Self::Broken(loggable(&other.to_string())),
        }
    }
}

/// The line of a refused call's error that holds the provider's reply.
fn body_summary(error: &genai::Error) -> String {
    let text = error.to_string();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with('{') || l.starts_with("Body:"))
        .unwrap_or_default();
    loggable(line)
}

/// What of an error's text may go to the log: its first line, at most 300
/// characters, without anything shaped like a key (OpenAI echoes part of a
/// wrong one).
fn loggable(text: &str) -> String {
    redact_keys(text.lines().next().unwrap_or_default())
        .chars()
        .take(300)
        .collect()
}

/// `text` with every word that holds an API key's prefix replaced.
fn redact_keys(text: &str) -> String {
    const PREFIXES: [&str; 3] = ["sk-", "AIza", "key-"];
    text.split(' ')
        .map(|word| {
            if PREFIXES.iter().any(|p| word.contains(p)) {
                "[redacted]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A provider's retry guidance: `retry-after-ms` (OpenAI), else
/// `retry-after` as seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return seconds(ms / 1000.0);
    }
    let value = header("retry-after")?;
    if let Ok(wait) = value.parse::<f64>() {
        return seconds(wait);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - crate::clock::now();
    Some(
        wait.to_std()
            .unwrap_or(Duration::ZERO)
            .min(LONGEST_RETRY_AFTER),
    )
}

/// The longest wait a provider may ask for that is taken as given; a third
/// party's number is clamped before it becomes a `Duration` (which panics
/// on a value like `1e30`).
pub const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

fn seconds(wait: f64) -> Option<Duration> {
    (wait.is_finite() && wait >= 0.0)
        .then(|| Duration::from_secs_f64(wait.min(LONGEST_RETRY_AFTER.as_secs_f64())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn retry_guidance_in_every_form_providers_send() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "12")])),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            retry_after(&headers(&[
                ("retry-after-ms", "1500"),
                ("retry-after", "2")
            ])),
            Some(Duration::from_millis(1500)),
            "the finer one wins"
        );
        let soon = (crate::clock::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let wait = retry_after(&headers(&[("retry-after", &soon)])).unwrap();
        assert!((88..=90).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Thu, 01 Jan 1970 00:00:00 GMT"
            )])),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "1e30")])),
            Some(LONGEST_RETRY_AFTER),
            "clamped, not a panic"
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "1e300")])),
            Some(LONGEST_RETRY_AFTER)
        );
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn keys_a_provider_echoes_stay_out_of_the_log() {
        let body = r#"Body: {"error": {"message": "Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com"}}"#;
        let redacted = redact_keys(body);
        assert!(!redacted.contains("sk-proj"), "{redacted}");
        assert!(redacted.contains("Incorrect API key provided: [redacted] You can find"));
    }

    #[test]
    fn stream_error_events_are_sorted_by_their_type() {
        let model_iden = genai::ModelIden::new(genai::adapter::AdapterKind::Anthropic, "m");
        let event = |kind: &str| genai::Error::ChatResponse {
            model_iden: model_iden.clone(),
            body: serde_json::json!({"type": "error", "error": {"type": kind, "message": "x"}}),
        };
        assert_eq!(
            LlmFailure::from_genai(&event("overloaded_error")),
            LlmFailure::Overloaded { retry_after: None }
        );
        assert_eq!(
            LlmFailure::from_genai(&event("rate_limit_error")),
            LlmFailure::RateLimited { retry_after: None }
        );
        assert!(matches!(
            LlmFailure::from_genai(&event("api_error")),
            LlmFailure::Broken(_)
        ));
    }
}
