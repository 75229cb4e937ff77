//! Discord's side of sign-in: the authorize URL, the code exchange and the
//! profile read. Base URLs are configurable so tests talk to a local fake.

use std::time::Duration;

use serde::Deserialize;

use crate::config::DiscordOAuthConfig;
use crate::config::HttpUrl;
use crate::error::{AppError, AppResult};
use crate::store::DiscordProfile;

/// Scopes requested: the account, and the email for course mail.
pub const SCOPES: &str = "identify email";

/// A client for Discord's OAuth2 and user endpoints.
#[derive(Debug, Clone)]
pub struct DiscordOAuthClient {
    http: reqwest::Client,
    api_base_url: HttpUrl,
    config: DiscordOAuthConfig,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
}

#[derive(Deserialize)]
struct DiscordUser {
    id: String,
    username: String,
    global_name: Option<String>,
    avatar: Option<String>,
    email: Option<String>,
    verified: Option<bool>,
}

impl DiscordOAuthClient {
    /// A client for the application in `config`, talking to `api_base_url`.
    pub fn new(config: DiscordOAuthConfig, api_base_url: HttpUrl) -> Self {
        lens_runtime::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("Lens/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a TLS provider is installed");
        Self {
            http,
            api_base_url,
            config,
        }
    }

    /// Discord's authorize page for a sign-in carrying `state`.
    pub fn authorize_url(&self, state: &str) -> String {
        let mut url = self.config.authorize_url.url().clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("scope", SCOPES)
            .append_pair("redirect_uri", self.config.redirect_uri.as_str())
            .append_pair("state", state)
            // Returning users are not asked to approve again.
            .append_pair("prompt", "none");
        url.into()
    }

    /// Exchanges an authorization code for the user's Discord profile.
    pub async fn exchange(&self, code: &str) -> AppResult<DiscordProfile> {
        let form = [
            ("client_id", self.config.client_id.as_str()),
            ("client_secret", self.config.client_secret.expose()),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_uri.as_str()),
        ];
        let response = self
            .http
            .post(format!("{}/oauth2/token", self.api_base_url))
            .form(&form)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if !status.is_success() {
            let retry = retry_after(&response);
            let body: Option<OAuthError> = response.json().await.ok();
            return Err(match (status.as_u16(), body.as_ref().map(|b| b.error.as_str())) {
                (_, Some("invalid_grant")) => AppError::InvalidArgument(
                    "Discord did not accept the sign-in code (codes work once and expire after minutes): start signing in again".into(),
                ),
                (_, Some("invalid_client")) | (401, _) => {
                    tracing::error!("Discord rejected the OAuth client credentials");
                    AppError::FailedPrecondition(
                        "Discord rejected this platform's OAuth credentials: an operator must check DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET".into(),
                    )
                }
                (429, _) => busy(retry),
                (400..=499, _) => AppError::InvalidArgument(format!(
                    "Discord refused the sign-in ({status}): start signing in again"
                )),
                _ => AppError::Unavailable(format!("Discord answered {status}: try again in a minute")),
            });
        }
        let token: TokenResponse = response.json().await.map_err(unexpected)?;

        let response = self
            .http
            .get(format!("{}/users/@me", self.api_base_url))
            .bearer_auth(&token.access_token)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if status.as_u16() == 429 {
            return Err(busy(retry_after(&response)));
        }
        if !status.is_success() {
            return Err(AppError::Unavailable(format!(
                "Discord answered {status} when asked who signed in: try again in a minute"
            )));
        }
        let user: DiscordUser = response.json().await.map_err(unexpected)?;
        if user.id.is_empty() || !user.id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unexpected("user id is not a snowflake"));
        }
        Ok(DiscordProfile {
            discord_id: user.id,
            username: user.username,
            global_name: user.global_name.filter(|n| !n.trim().is_empty()),
            avatar_hash: user.avatar,
            email: user.email.filter(|e| !e.is_empty()),
            email_verified: user.verified.unwrap_or(false),
        })
    }
}

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|s| s.ceil() as u64)
}

fn busy(retry: Option<u64>) -> AppError {
    AppError::Unavailable(format!(
        "Discord is rate-limiting sign-ins: try again in {} seconds",
        retry.unwrap_or(5)
    ))
}

fn unreachable(error: reqwest::Error) -> AppError {
    tracing::warn!(error = %error.without_url(), "Discord unreachable");
    AppError::Unavailable("Discord did not answer: try again in a minute".into())
}

fn unexpected(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("unexpected answer from Discord: {error}"))
}
