//! Google Calendar API v3 over HTTPS: a service-account JWT exchanged for
//! an access token (RFC 7523, kept until a minute before it ends), and the
//! five calls a group's event needs. Every call names `sendUpdates=all`
//! where Google would otherwise not tell the guests.
//!
//! Why not `google-calendar3`: see docs/architecture.md ("Calendar").

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::config::CalendarConfig;
use crate::delivery::http::Refusal;

/// What the calendar may do for the account: read and write events.
pub const SCOPE: &str = "https://www.googleapis.com/auth/calendar";

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a call did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Worth trying again (rate limit, 5xx, unreachable).
    #[error("Google Calendar could not take the request now: {reason}")]
    Retry {
        /// What happened.
        reason: String,
        /// Google's wait, if it named one.
        retry_after: Option<Duration>,
    },
    /// Refused (no permission, a bad request): trying again will not help.
    #[error("Google Calendar refused the request: {0}")]
    Refused(String),
    /// The event (or instance) does not exist, or was deleted.
    #[error("the event is not in the calendar")]
    Gone,
    /// An event with the id asked for exists already.
    #[error("an event with this id exists")]
    Conflict,
}

/// A calendar event, as far as Lens reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Its id (for an instance, `{event}_{start}`).
    pub id: String,
    /// `confirmed`, `tentative` or `cancelled` (a deleted event).
    #[serde(default)]
    pub status: Option<String>,
    /// Guests, each as Google holds them (email, responseStatus, …).
    #[serde(default)]
    pub attendees: Vec<Value>,
    /// RRULE / EXDATE lines.
    #[serde(default)]
    pub recurrence: Vec<String>,
    /// Start.
    #[serde(default)]
    pub start: Option<EventTime>,
    /// For an instance: when the series had it start.
    #[serde(default)]
    pub original_start_time: Option<EventTime>,
}

impl Event {
    /// Whether the event was deleted (Google keeps deleted events for a
    /// while, `cancelled`).
    pub fn is_cancelled(&self) -> bool {
        self.status.as_deref() == Some("cancelled")
    }
}

/// A start or end.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventTime {
    /// RFC 3339.
    #[serde(default)]
    pub date_time: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

struct CachedToken {
    value: String,
    until: Instant,
}

/// A Calendar API client acting as the configured calendar user.
#[derive(Clone)]
pub struct GoogleCalendar {
    http: reqwest::Client,
    config: CalendarConfig,
    key: Arc<EncodingKey>,
    token: Arc<Mutex<Option<CachedToken>>>,
}

impl std::fmt::Debug for GoogleCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleCalendar")
            .field("calendar", &self.config.calendar_email.as_str())
            .finish_non_exhaustive()
    }
}

impl GoogleCalendar {
    /// A client for `config`; refused when the key is not an RSA key.
    pub fn new(http: reqwest::Client, config: CalendarConfig) -> Result<Self, CalendarError> {
        let key = EncodingKey::from_rsa_pem(config.account.private_key.expose().as_bytes())
            .map_err(|_| {
                CalendarError::Refused("the service account's private_key is not an RSA key".into())
            })?;
        Ok(Self {
            http,
            config,
            key: Arc::new(key),
            token: Arc::new(Mutex::new(None)),
        })
    }

    /// The calendar (and the organizer of every event).
    pub fn calendar_email(&self) -> &str {
        self.config.calendar_email.as_str()
    }

    /// Creates `event` (its `id` chosen by the caller); `Conflict` if an
    /// event with that id exists.
    pub async fn insert(&self, event: &Value) -> Result<Event, CalendarError> {
        let url = self.events_url(&[]);
        self.call(
            self.http
                .post(url)
                .query(&[("sendUpdates", "all")])
                .json(event),
        )
        .await
    }

    /// The event `id`; `Gone` when there is none.
    pub async fn get(&self, id: &str) -> Result<Event, CalendarError> {
        self.call(self.http.get(self.events_url(&[id]))).await
    }

    /// Changes the fields of event `id` that `changes` names.
    pub async fn patch(&self, id: &str, changes: &Value) -> Result<Event, CalendarError> {
        let url = self.events_url(&[id]);
        self.call(
            self.http
                .patch(url)
                .query(&[("sendUpdates", "all")])
                .json(changes),
        )
        .await
    }

    /// Deletes event or instance `id` (the guests are told); `Gone` when
    /// it is already gone.
    pub async fn delete(&self, id: &str) -> Result<(), CalendarError> {
        let url = self.events_url(&[id]);
        let request = self.http.delete(url).query(&[("sendUpdates", "all")]);
        self.send(request).await.map(|_| ())
    }

    /// The instances of recurring event `id`, cancelled ones left out.
    pub async fn instances(&self, id: &str) -> Result<Vec<Event>, CalendarError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default)]
            items: Vec<Event>,
            next_page_token: Option<String>,
        }
        let mut all = Vec::new();
        let mut page_token: Option<String> = None;
        loop {
            let mut request = self
                .http
                .get(self.events_url(&[id, "instances"]))
                .query(&[("maxResults", "250")]);
            if let Some(token) = &page_token {
                request = request.query(&[("pageToken", token)]);
            }
            let page: Page = self.call(request).await?;
            all.extend(page.items.into_iter().filter(|e| !e.is_cancelled()));
            match page.next_page_token {
                Some(next) => page_token = Some(next),
                None => return Ok(all),
            }
        }
    }

    fn events_url(&self, tail: &[&str]) -> reqwest::Url {
        let mut url = self.config.api_base_url.url().clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend([
                    "calendar",
                    "v3",
                    "calendars",
                    self.calendar_email(),
                    "events",
                ])
                .extend(tail);
        }
        url
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, CalendarError> {
        let response = self.send(request).await?;
        response
            .json::<T>()
            .await
            .map_err(|e| CalendarError::Retry {
                reason: format!("unreadable answer: {}", e.without_url()),
                retry_after: None,
            })
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, CalendarError> {
        let token = self.access_token().await?;
        let response = request
            .bearer_auth(token)
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status.as_u16() == 401 {
            // The token may have been revoked early: the next attempt asks
            // for a new one.
            *self.token.lock().await = None;
        }
        Err(failure(response).await)
    }

    /// A token for the calendar user, asked for when none is held or the
    /// one held ends within a minute.
    async fn access_token(&self) -> Result<String, CalendarError> {
        #[derive(Deserialize)]
        struct Granted {
            access_token: String,
            #[serde(default = "an_hour")]
            expires_in: u64,
        }
        fn an_hour() -> u64 {
            3600
        }
        let mut held = self.token.lock().await;
        if let Some(token) = held.as_ref().filter(|t| t.until > Instant::now()) {
            return Ok(token.value.clone());
        }
        let now = chrono::Utc::now().timestamp();
        let account = &self.config.account;
        let claims = Claims {
            iss: &account.client_email,
            sub: self.calendar_email(),
            scope: SCOPE,
            aud: account.token_uri.as_str(),
            iat: now,
            exp: now + 3600,
        };
        let assertion = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|e| CalendarError::Refused(format!("signing the token request: {e}")))?;
        let response = self
            .http
            .post(account.token_uri.as_str())
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(match failure(response).await {
                CalendarError::Refused(reason) => CalendarError::Refused(format!(
                    "no token for {}: {reason} (does the service account have domain-wide delegation for {SCOPE}?)",
                    self.calendar_email()
                )),
                other => other,
            });
        }
        let granted: Granted = response.json().await.map_err(|e| CalendarError::Retry {
            reason: format!("unreadable token answer: {}", e.without_url()),
            retry_after: None,
        })?;
        let lifetime = Duration::from_secs(granted.expires_in.saturating_sub(60));
        *held = Some(CachedToken {
            value: granted.access_token.clone(),
            until: Instant::now() + lifetime,
        });
        Ok(granted.access_token)
    }
}

fn unreachable(error: reqwest::Error) -> CalendarError {
    CalendarError::Retry {
        reason: error.without_url().to_string(),
        retry_after: None,
    }
}

/// What a non-success answer means.
async fn failure(response: reqwest::Response) -> CalendarError {
    let refusal = Refusal::read(response).await;
    // Google answers a rate limit with 403 rateLimitExceeded too.
    let rate_limited = refusal.status.as_u16() == 403
        && ["rateLimitExceeded", "userRateLimitExceeded"]
            .iter()
            .any(|reason| refusal.text.contains(reason));
    match refusal.status.as_u16() {
        404 | 410 => CalendarError::Gone,
        409 => CalendarError::Conflict,
        _ if refusal.is_transient() || rate_limited => CalendarError::Retry {
            reason: refusal.reason(),
            retry_after: refusal.retry_after,
        },
        _ => CalendarError::Refused(refusal.reason()),
    }
}
