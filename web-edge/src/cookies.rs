//! The cookies the web edge sets: the session, the guest, and the sign-in
//! nonce.

use cookie::time::Duration;
use cookie::{Cookie, SameSite};
use http::HeaderMap;

use crate::config::WebConfig;

/// Holds the session token. HttpOnly: page scripts never see it.
pub const SESSION_COOKIE: &str = "lens_session";
/// Holds a guest's token while the browser has no session. HttpOnly too.
pub const GUEST_COOKIE: &str = "lens_guest";
/// Holds the nonce of a sign-in in progress, for the callback only.
pub const NONCE_COOKIE: &str = "lens_oauth_nonce";

/// The value of cookie `name` in the request, if present.
pub fn read<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` for a new session lasting `max_age_seconds`.
pub fn session(config: &WebConfig, token: &str, max_age_seconds: i64) -> String {
    credential(config, SESSION_COOKIE, token, max_age_seconds)
}

/// `Set-Cookie` for a guest token lasting `max_age_seconds`.
pub fn guest(config: &WebConfig, token: &str, max_age_seconds: i64) -> String {
    credential(config, GUEST_COOKIE, token, max_age_seconds)
}

/// `Set-Cookie` that removes the guest (claimed at sign-in).
pub fn clear_guest(config: &WebConfig) -> String {
    guest(config, "", 0)
}

/// A cookie holding a credential: on the whole site, never seen by scripts.
fn credential(config: &WebConfig, name: &'static str, token: &str, max_age_seconds: i64) -> String {
    let mut cookie = Cookie::build((name, token.to_owned()))
        .path("/")
        .http_only(true)
        .secure(config.cookie_secure)
        .same_site(config.cookie_same_site)
        .max_age(Duration::seconds(max_age_seconds.max(0)));
    if let Some(domain) = &config.cookie_domain {
        cookie = cookie.domain(domain.clone());
    }
    cookie.build().to_string()
}

/// `Set-Cookie` that removes the session.
pub fn clear_session(config: &WebConfig) -> String {
    session(config, "", 0)
}

/// `Set-Cookie` for a sign-in nonce. SameSite=Lax so that it comes back on
/// Discord's top-level redirect to the callback.
pub fn nonce(config: &WebConfig, nonce: &str, max_age_seconds: i64) -> String {
    Cookie::build((NONCE_COOKIE, nonce.to_owned()))
        .path("/auth/discord")
        .http_only(true)
        .secure(config.cookie_secure)
        .same_site(SameSite::Lax)
        .max_age(Duration::seconds(max_age_seconds))
        .build()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; lens_session=tok; b=2".parse().unwrap(),
        );
        assert_eq!(read(&headers, SESSION_COOKIE), Some("tok"));
        assert_eq!(read(&headers, NONCE_COOKIE), None);
    }
}
