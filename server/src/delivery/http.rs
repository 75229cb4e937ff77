//! Reading a third party's refusal: its status, its wait if it named one,
//! and the start of its words (enough for an admin, bounded for the log).

use std::time::Duration;

/// A non-success answer from a third-party API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: reqwest::StatusCode,
    /// `Retry-After`, in seconds, when given.
    pub retry_after: Option<Duration>,
    /// The body's first 300 characters.
    pub text: String,
}

impl Refusal {
    /// Reads `response` (which did not succeed).
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        Self {
            status,
            retry_after,
            text,
        }
    }

    /// "status: words", for errors.
    pub fn reason(&self) -> String {
        format!("{}: {}", self.status, self.text)
    }

    /// Whether trying again may help: a rate limit or a server error.
    pub fn is_transient(&self) -> bool {
        self.status.as_u16() == 429 || self.status.is_server_error()
    }
}
