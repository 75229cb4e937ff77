//! SendGrid's v3 mail API: one POST per message.

use std::time::Duration;

use serde_json::json;

use crate::config::EmailConfig;

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again (rate limit, 5xx, unreachable).
    #[error("SendGrid could not take the message now: {reason}")]
    Retry {
        /// What happened.
        reason: String,
        /// SendGrid's wait, if it named one.
        retry_after: Option<Duration>,
    },
    /// Refused (a bad address, a bad key): trying again will not help.
    #[error("SendGrid refused the message: {0}")]
    Refused(String),
}

/// One message.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// Recipient address.
    pub to: &'a str,
    /// Recipient name.
    pub to_name: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Plain text.
    pub text: &'a str,
    /// HTML.
    pub html: &'a str,
    /// The unsubscribe link (also sent as the List-Unsubscribe header).
    pub unsubscribe_url: &'a str,
}

/// A SendGrid client.
#[derive(Debug, Clone)]
pub struct SendGrid {
    http: reqwest::Client,
    config: EmailConfig,
}

impl SendGrid {
    /// A client for `config`.
    pub fn new(http: reqwest::Client, config: EmailConfig) -> Self {
        Self { http, config }
    }

    /// Sends `message`.
    pub async fn send(&self, message: &Message<'_>) -> Result<(), SendError> {
        let body = json!({
            "personalizations": [{"to": [{"email": message.to, "name": message.to_name}]}],
            "from": {"email": self.config.from_email.as_str(), "name": self.config.from_name},
            "subject": message.subject,
            "content": [
                {"type": "text/plain", "value": message.text},
                {"type": "text/html", "value": message.html}
            ],
            // One-click unsubscribe (RFC 8058): mail clients POST to it.
            "headers": {
                "List-Unsubscribe": format!("<{}>", message.unsubscribe_url),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"
            },
        });
        let response = self
            .http
            .post(format!("{}/v3/mail/send", self.config.api_base_url))
            .bearer_auth(self.config.api_key.expose())
            .timeout(Duration::from_secs(30))
            .json(&body)
            .send()
            .await
            .map_err(|e| SendError::Retry {
                reason: e.without_url().to_string(),
                retry_after: None,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs);
        let text: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        let reason = format!("{status}: {text}");
        if status.as_u16() == 429 || status.is_server_error() {
            Err(SendError::Retry {
                reason,
                retry_after,
            })
        } else {
            Err(SendError::Refused(reason))
        }
    }
}
