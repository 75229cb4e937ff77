//! Sign-in and sign-out over plain HTTP: the Discord redirect and callback,
//! logout, and (in development mode) sign-in without Discord. Every
//! decision is the core's; these handlers carry messages and set cookies.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::SET_COOKIE;
use http::{HeaderMap, StatusCode};
use lens_proto::v1;
use serde::Deserialize;

use crate::app::WebState;
use crate::cookies::{self, GUEST_COOKIE, NONCE_COOKIE, SESSION_COOKIE};
use crate::pages::{http_status, sign_in_failed};

/// How long a sign-in may take (matches the core's state lifetime).
const NONCE_MAX_AGE: i64 = 600;

/// Query of `/auth/discord/login`.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    /// Path to come back to after sign-in.
    #[serde(default)]
    return_to: String,
}

/// `GET /auth/discord/login`: off to Discord with a fresh nonce.
pub async fn discord_login(
    State(state): State<WebState>,
    Query(query): Query<LoginQuery>,
) -> Response {
    let nonce = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let request = v1::BeginDiscordLoginRequest {
        nonce: nonce.clone(),
        return_to: query.return_to,
    };
    match state.core.auth_as_edge().begin_discord_login(request).await {
        Ok(response) => (
            [(
                SET_COOKIE,
                cookies::nonce(&state.config, &nonce, NONCE_MAX_AGE),
            )],
            Redirect::to(&response.into_inner().authorize_url),
        )
            .into_response(),
        Err(status) => sign_in_failed(http_status(status.code()), status.message()),
    }
}

/// Query of `/auth/discord/callback`, as Discord sends it.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /auth/discord/callback`: relays the code to the core and sets the
/// session cookie.
pub async fn discord_callback(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    if let Some(error) = query.error {
        let message = match error.as_str() {
            "access_denied" => "You cancelled the sign-in on Discord.".to_owned(),
            _ => format!(
                "Discord reported: {}",
                query.error_description.unwrap_or(error)
            ),
        };
        return sign_in_failed(StatusCode::BAD_REQUEST, &message);
    }
    let (Some(code), Some(oauth_state)) = (query.code, query.state) else {
        return sign_in_failed(
            StatusCode::BAD_REQUEST,
            "The link from Discord is incomplete (no code or state).",
        );
    };
    let Some(nonce) = cookies::read(&headers, NONCE_COOKIE) else {
        return sign_in_failed(
            StatusCode::BAD_REQUEST,
            "This browser did not start this sign-in, or its cookie expired after 10 minutes.",
        );
    };
    let request = v1::ExchangeDiscordCodeRequest {
        code,
        state: oauth_state,
        nonce: nonce.to_owned(),
        guest_token: guest_token(&headers),
    };
    match state
        .core
        .auth_as_edge()
        .exchange_discord_code(request)
        .await
    {
        Ok(response) => {
            let response = response.into_inner();
            signed_in(&state, response.session, &response.return_to)
        }
        Err(status) => sign_in_failed(http_status(status.code()), status.message()),
    }
}

/// The guest token the browser holds, for the account to claim.
fn guest_token(headers: &HeaderMap) -> String {
    cookies::read(headers, GUEST_COOKIE)
        .unwrap_or_default()
        .to_owned()
}

/// Sets the session cookie, drops the nonce and the guest (the account
/// has claimed it) and redirects.
fn signed_in(state: &WebState, session: Option<v1::Session>, return_to: &str) -> Response {
    let Some(session) = session else {
        return sign_in_failed(
            StatusCode::BAD_GATEWAY,
            "The core answered without a session.",
        );
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let max_age = session.expires_at.map(|t| t.seconds - now).unwrap_or(0);
    let mut response =
        Redirect::to(if return_to.is_empty() { "/" } else { return_to }).into_response();
    let headers = response.headers_mut();
    for cookie in [
        cookies::session(&state.config, &session.token, max_age),
        cookies::nonce(&state.config, "", 0),
        cookies::clear_guest(&state.config),
    ] {
        if let Ok(value) = cookie.parse() {
            headers.append(SET_COOKIE, value);
        }
    }
    response
}

/// `POST /auth/logout`: revokes the session at the core and clears it.
pub async fn logout(State(state): State<WebState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookies::read(&headers, SESSION_COOKIE) {
        // Best effort: an expired or revoked token still gets its cookie cleared.
        if let Err(status) = state
            .core
            .auth_as(Some(token))
            .sign_out(v1::SignOutRequest {})
            .await
        {
            tracing::debug!(code = ?status.code(), "sign-out at the core failed");
        }
    }
    (
        [(SET_COOKIE, cookies::clear_session(&state.config))],
        Redirect::to("/"),
    )
        .into_response()
}

/// Query of `/auth/dev/login`.
#[derive(Debug, Deserialize)]
pub struct DevLoginQuery {
    /// Development user name.
    username: String,
    /// Make the user an admin.
    #[serde(default)]
    admin: bool,
    /// Where to go afterwards.
    #[serde(default)]
    return_to: String,
}

/// Headers a proxy adds to requests it forwards.
const FORWARDED: &[&str] = &[
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
];

/// `GET /auth/dev/login`: development sign-in (only with `DEV_MODE=1` on
/// both the edge and the core).
pub async fn dev_login(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<DevLoginQuery>,
) -> Response {
    if !state.config.dev_mode {
        return sign_in_failed(
            StatusCode::NOT_FOUND,
            "Development sign-in is off (DEV_MODE is not set).",
        );
    }
    // Behind a proxy the site is served to others: a loopback address no
    // longer means "only me".
    if FORWARDED.iter().any(|name| headers.contains_key(*name)) {
        return sign_in_failed(
            StatusCode::FORBIDDEN,
            "Development sign-in is refused behind a proxy: it needs no password.",
        );
    }
    let request = v1::DevSignInRequest {
        username: query.username,
        admin: query.admin,
        return_to: query.return_to,
        guest_token: guest_token(&headers),
    };
    match state.core.auth_as_edge().dev_sign_in(request).await {
        Ok(response) => {
            let response = response.into_inner();
            signed_in(&state, response.session, &response.return_to)
        }
        Err(status) => sign_in_failed(http_status(status.code()), status.message()),
    }
}
