//! Session and service tokens: HS256 JWTs signed with `JWT_SECRET`.

use chrono::{DateTime, TimeZone, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::EdgeKind;
use crate::config::Secret;
use crate::domain::UserId;

/// The claims of every Lens token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id as decimal text, `guest:ID` for a guest, or `edge:web` /
    /// `edge:discord`.
    pub sub: String,
    /// Roles: `admin` for administrators, `edge:…` for service tokens.
    pub roles: Vec<String>,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// Unique token id, for revocation.
    pub jti: String,
}

impl Claims {
    /// When the token expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.exp, 0).single().unwrap_or_default()
    }

    /// When the token was issued (to the second, as JWTs say it).
    pub fn issued_at(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.iat, 0).single().unwrap_or_default()
    }
}

/// The role that makes a user an administrator.
pub const ADMIN_ROLE: &str = "admin";
/// The role of a guest token, whose subject is `guest:ID`.
pub const GUEST_ROLE: &str = "guest";
/// The subject prefix of guest tokens.
pub const GUEST_SUBJECT_PREFIX: &str = "guest:";

/// Why a presented token was refused. Each becomes UNAUTHENTICATED with
/// this message, which tells the caller what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Past its `exp`.
    #[error("the session token has expired: sign in again")]
    Expired,
    /// Signed with another key, or altered.
    #[error("the session token's signature is invalid: sign in again")]
    BadSignature,
    /// Not HS256 (including `alg: none`).
    #[error("the session token uses an algorithm Lens does not accept (only HS256): sign in again")]
    WrongAlgorithm,
    /// Not a JWT, or missing required claims.
    #[error(
        "the session token is malformed: send `authorization: Bearer <token>` with a token from sign-in or `lens-server token`"
    )]
    Malformed,
}

/// Mints and verifies tokens with one key.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys([redacted])")
    }
}

impl TokenKeys {
    /// Keys derived from `JWT_SECRET`.
    pub fn new(secret: &Secret) -> Self {
        let bytes = secret.expose().as_bytes();
        // Only HS256: a token naming any other algorithm, `none` included,
        // fails before its signature is looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
        }
    }

    /// Signs `claims`.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing of serialisable claims cannot fail")
    }

    /// A token for `sub` with `roles`, valid from `now` for `ttl`.
    pub fn mint(
        &self,
        sub: String,
        roles: Vec<String>,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> (String, Claims) {
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(1));
        let claims = Claims {
            sub,
            roles,
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        (self.sign(&claims), claims)
    }

    /// A session token for user `user_id`.
    pub fn mint_session(
        &self,
        user_id: UserId,
        admin: bool,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> (String, Claims) {
        let roles = if admin {
            vec![ADMIN_ROLE.to_owned()]
        } else {
            Vec::new()
        };
        self.mint(user_id.to_string(), roles, now, ttl)
    }

    /// A guest token for guest `user_id`.
    pub fn mint_guest(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> (String, Claims) {
        self.mint(
            format!("{GUEST_SUBJECT_PREFIX}{user_id}"),
            vec![GUEST_ROLE.to_owned()],
            now,
            ttl,
        )
    }

    /// A service token for an edge.
    pub fn mint_edge(
        &self,
        edge: EdgeKind,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> (String, Claims) {
        self.mint(
            edge.subject().to_owned(),
            vec![edge.subject().to_owned()],
            now,
            ttl,
        )
    }

    /// Checks signature, algorithm and expiry, and returns the claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        check_algorithm(token)?;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    TokenError::WrongAlgorithm
                }
                _ => TokenError::Malformed,
            })
    }
}

/// Reads the header's `alg` before anything else, so that `none` and other
/// algorithms (which the JWT library may not even parse) are reported as
/// what they are.
fn check_algorithm(token: &str) -> Result<(), TokenError> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[derive(Deserialize)]
    struct JwtHeader {
        alg: String,
    }
    let header = token.split('.').next().ok_or(TokenError::Malformed)?;
    let header: JwtHeader = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(TokenError::Malformed)?;
    if header.alg == "HS256" {
        Ok(())
    } else {
        Err(TokenError::WrongAlgorithm)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&Secret::new("0123456789abcdef0123456789abcdef"))
    }

    #[test]
    fn round_trips_a_session() {
        let (token, claims) =
            keys().mint_session(UserId(7), true, Utc::now(), Duration::from_secs(60));
        let verified = keys().verify(&token).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.sub, "7");
        assert_eq!(verified.roles, vec!["admin"]);
        assert_eq!(verified.exp - verified.iat, 60);
    }

    #[test]
    fn refuses_another_key() {
        let other = TokenKeys::new(&Secret::new("another-secret-another-secret-xx"));
        let (token, _) = other.mint_session(UserId(7), false, Utc::now(), Duration::from_secs(60));
        assert_eq!(keys().verify(&token), Err(TokenError::BadSignature));
    }

    #[test]
    fn refuses_expired() {
        let then = Utc::now() - chrono::Duration::hours(2);
        let (token, _) = keys().mint_session(UserId(7), false, then, Duration::from_secs(3600));
        assert_eq!(keys().verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn refuses_alg_none_and_other_algorithms() {
        let (token, _) = keys().mint_session(UserId(7), false, Utc::now(), Duration::from_secs(60));
        let payload = token.split('.').nth(1).unwrap();
        let none = format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
        );
        assert_eq!(keys().verify(&none), Err(TokenError::WrongAlgorithm));

        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &keys().verify(&token).unwrap(),
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert_eq!(keys().verify(&hs512), Err(TokenError::WrongAlgorithm));
    }

    #[test]
    fn refuses_garbage() {
        for bad in ["", "abc", "a.b.c"] {
            assert_eq!(keys().verify(bad), Err(TokenError::Malformed), "{bad}");
        }
        // A well-formed HS256 header with a made-up signature.
        assert_eq!(
            keys().verify("eyJhbGciOiJIUzI1NiJ9.e30.sig"),
            Err(TokenError::BadSignature)
        );
    }
}
