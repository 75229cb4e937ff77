//! Guests: a browser without a session may ask to be kept as a guest, so
//! its reading and tutor chats are stored until it signs in. The core makes
//! the guest and decides the limits; the edge keeps the token in an
//! HttpOnly cookie and says which network the browser is on.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use http::header::{RETRY_AFTER, SET_COOKIE};
use http::{HeaderMap, HeaderName, StatusCode};
use lens_proto::v1;

use crate::app::{WebState, same_origin};
use crate::cookies::{self, GUEST_COOKIE, SESSION_COOKIE};
use crate::pages::http_status;

/// `POST /auth/guest`: starts a guest for this browser, or renews the one
/// it has. 204 with the cookie set; 409 when signed in; 429 when the
/// browser's network started too many guests this hour.
pub async fn start(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "guests start from this site's pages").into_response();
    }
    if cookies::read(&headers, SESSION_COOKIE).is_some() {
        return (StatusCode::CONFLICT, "this browser is signed in").into_response();
    }
    let Some(client_ip) = client_ip(&headers, peer, state.config.client_ip_header.as_ref()) else {
        return (
            StatusCode::BAD_REQUEST,
            "the proxy in front of Lens did not say who is asking (CLIENT_IP_HEADER)",
        )
            .into_response();
    };
    let request = v1::StartGuestRequest {
        client_ip: client_ip.to_string(),
        guest_token: cookies::read(&headers, GUEST_COOKIE)
            .unwrap_or_default()
            .to_owned(),
    };
    match state.core.auth_as_edge().start_guest(request).await {
        Ok(response) => {
            let response = response.into_inner();
            let max_age = response
                .expires_at
                .map(|t| t.seconds - unix_now())
                .unwrap_or(0);
            (
                StatusCode::NO_CONTENT,
                [(
                    SET_COOKIE,
                    cookies::guest(&state.config, &response.token, max_age),
                )],
            )
                .into_response()
        }
        Err(status) if status.code() == tonic::Code::ResourceExhausted => {
            let retry = status
                .metadata()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("3600")
                .to_owned();
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, retry)],
                status.message().to_owned(),
            )
                .into_response()
        }
        Err(status) => (http_status(status.code()), status.message().to_owned()).into_response(),
    }
}

/// The browser's address: from the trusted proxy's header when one is
/// configured (for `X-Forwarded-For`, the last entry, which that proxy
/// added; earlier ones are the browser's to invent), else the TCP peer.
pub fn client_ip(
    headers: &HeaderMap,
    peer: SocketAddr,
    header: Option<&HeaderName>,
) -> Option<IpAddr> {
    let Some(header) = header else {
        return Some(peer.ip());
    };
    let value = headers.get_all(header).iter().next_back()?.to_str().ok()?;
    value.rsplit(',').next()?.trim().parse().ok()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> SocketAddr {
        "203.0.113.9:5000".parse().unwrap()
    }

    #[test]
    fn without_a_proxy_the_peer_is_the_browser() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "198.51.100.1".parse().unwrap());
        assert_eq!(
            client_ip(&headers, peer(), None),
            Some("203.0.113.9".parse().unwrap())
        );
    }

    #[test]
    fn behind_a_proxy_its_own_entry_counts_not_the_browsers() {
        let name = HeaderName::from_static("x-forwarded-for");
        let mut headers = HeaderMap::new();
        headers.insert(&name, "10.9.9.9, 198.51.100.1".parse().unwrap());
        assert_eq!(
            client_ip(&headers, peer(), Some(&name)),
            Some("198.51.100.1".parse().unwrap())
        );
        assert_eq!(client_ip(&HeaderMap::new(), peer(), Some(&name)), None);
    }
}
