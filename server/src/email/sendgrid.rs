//! SendGrid's v3 mail API: one POST per message.

use std::time::Duration;

use serde_json::json;

use crate::config::EmailConfig;
use crate::delivery::http::Refusal;

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
        if response.status().is_success() {
            return Ok(());
        }
        let refusal = Refusal::read(response).await;
        if refusal.is_transient() {
            Err(SendError::Retry {
                reason: refusal.reason(),
                retry_after: refusal.retry_after,
            })
        } else {
            Err(SendError::Refused(refusal.reason()))
        }
    }
}
