//! The OAuth `state` parameter: signed by the core, so no replica needs to
//! remember it, and bound to a nonce the browser holds in a cookie, so a
//! code cannot be replayed into someone else's browser.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Secret;
use crate::domain::Invalid;

type HmacSha256 = Hmac<Sha256>;

/// How long a sign-in may take between leaving for Discord and returning.
pub const STATE_TTL_SECONDS: i64 = 600;

#[derive(Serialize, Deserialize)]
struct Payload {
    /// SHA-256 of the nonce (the nonce itself stays in the cookie).
    n: String,
    /// Where to return after sign-in.
    r: String,
    /// Expiry, Unix seconds.
    e: i64,
}

/// Issues and checks signed states.
#[derive(Clone)]
pub struct StateSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for StateSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateSigner([redacted])")
    }
}

/// Why a returning state was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// Not a state this platform issued, or altered.
    #[error("the sign-in state is not one Lens issued: start signing in again")]
    Forged,
    /// Older than [`STATE_TTL_SECONDS`].
    #[error("the sign-in took longer than 10 minutes: start signing in again")]
    Expired,
    /// Issued to another browser (or the cookie is gone).
    #[error(
        "the sign-in was started in another browser or its cookie was lost: start signing in again here"
    )]
    NonceMismatch,
}

impl StateSigner {
    /// A signer whose key is derived from `JWT_SECRET` for this purpose
    /// only, so a state can never pass as a token or the other way round.
    pub fn new(secret: &Secret) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(b"lens oauth state v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    /// A state for a sign-in started with `nonce`, returning to `return_to`.
    pub fn issue(&self, nonce: &str, return_to: &str, now: DateTime<Utc>) -> String {
        let payload = Payload {
            n: digest(nonce),
            r: return_to.to_owned(),
            e: now.timestamp() + STATE_TTL_SECONDS,
        };
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).expect("serialisable"));
        let signature = URL_SAFE_NO_PAD.encode(self.mac(body.as_bytes()).finalize().into_bytes());
        format!("{body}.{signature}")
    }

    /// Checks a returning state against the browser's nonce; returns where
    /// to go after sign-in.
    pub fn verify(
        &self,
        state: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StateError> {
        let (body, signature) = state.split_once('.').ok_or(StateError::Forged)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| StateError::Forged)?;
        // Constant-time comparison.
        self.mac(body.as_bytes())
            .verify_slice(&signature)
            .map_err(|_| StateError::Forged)?;
        let payload: Payload = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(StateError::Forged)?;
        if now.timestamp() > payload.e {
            return Err(StateError::Expired);
        }
        let expected = digest(nonce);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            payload.n.as_bytes(),
        )) {
            return Err(StateError::NonceMismatch);
        }
        Ok(payload.r)
    }

    fn mac(&self, data: &[u8]) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(data);
        mac
    }
}

fn digest(nonce: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(nonce.as_bytes()))
}

/// Checks a nonce sent by the web edge: 16 to 128 URL-safe characters.
pub fn parse_nonce(raw: &str) -> Result<&str, Invalid> {
    let ok = (16..=128).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw)
    } else {
        Err(Invalid::new(
            "nonce",
            "must be 16 to 128 URL-safe characters (A-Z a-z 0-9 - _)",
        ))
    }
}

/// A safe place to return to: a site-relative path. Anything else (another
/// site, `//host`, backslashes) would make sign-in an open redirect.
pub fn parse_return_to(raw: &str) -> Result<String, Invalid> {
    if raw.is_empty() {
        return Ok("/".to_owned());
    }
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && raw.len() <= 2048
        && !raw.chars().any(char::is_control);
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(Invalid::new(
            "return_to",
            "must be a path on this site, starting with a single /",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "abcdefghijklmnop0123";

    fn signer() -> StateSigner {
        StateSigner::new(&Secret::new("0123456789abcdef0123456789abcdef"))
    }

    #[test]
    fn round_trips_with_the_same_nonce() {
        let now = Utc::now();
        let state = signer().issue(NONCE, "/course/default", now);
        assert_eq!(
            signer().verify(&state, NONCE, now).unwrap(),
            "/course/default"
        );
    }

    #[test]
    fn refuses_another_nonce_tampering_and_age() {
        let now = Utc::now();
        let state = signer().issue(NONCE, "/", now);
        assert_eq!(
            signer().verify(&state, "zzzzzzzzzzzzzzzzzzzz", now),
            Err(StateError::NonceMismatch)
        );
        let later = now + chrono::Duration::seconds(STATE_TTL_SECONDS + 1);
        assert_eq!(
            signer().verify(&state, NONCE, later),
            Err(StateError::Expired)
        );
        let other = signer().issue(NONCE, "/admin", now);
        let forged = format!(
            "{}.{}",
            other.split('.').next().unwrap(),
            state.split('.').nth(1).unwrap()
        );
        assert_eq!(
            signer().verify(&forged, NONCE, now),
            Err(StateError::Forged)
        );
        assert_eq!(
            signer().verify("garbage", NONCE, now),
            Err(StateError::Forged)
        );
    }

    #[test]
    fn return_to_stays_on_site() {
        assert_eq!(parse_return_to("").unwrap(), "/");
        assert_eq!(parse_return_to("/modules/x?y=1").unwrap(), "/modules/x?y=1");
        for bad in ["https://evil.example", "//evil.example", "/\\evil", "evil"] {
            assert!(parse_return_to(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nonces_are_checked() {
        assert!(parse_nonce(NONCE).is_ok());
        assert!(parse_nonce("short").is_err());
        assert!(parse_nonce("has spaces in it, sixteen+").is_err());
    }
}
