//! Unsubscribe links: each email carries a link that turns that person's
//! email off without signing in. The link names the user and an HMAC of
//! their id under a key derived from `JWT_SECRET` for this purpose only, so
//! it cannot be forged or passed off as anything else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Secret;
use crate::domain::UserId;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks unsubscribe links.
#[derive(Clone)]
pub struct UnsubscribeSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for UnsubscribeSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeSigner([redacted])")
    }
}

impl UnsubscribeSigner {
    /// A signer keyed from `secret`.
    pub fn new(secret: &Secret) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(b"lens unsubscribe v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    fn mac(&self, user: UserId) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(user.to_string().as_bytes());
        mac
    }

    /// The signature for `user`'s link.
    pub fn sign(&self, user: UserId) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(user).finalize().into_bytes())
    }

    /// Whether `signature` is `user`'s (compared in constant time).
    pub fn verify(&self, user: UserId, signature: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(signature)
            .is_ok_and(|raw| self.mac(user).verify_slice(&raw).is_ok())
    }

    /// The link for `user` on the site at `public_url`.
    pub fn link(&self, public_url: &str, user: UserId) -> String {
        format!(
            "{public_url}/unsubscribe?user={user}&sig={}",
            self.sign(user)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_works_for_its_user_only() {
        let signer = UnsubscribeSigner::new(&Secret::new("a-secret-a-secret-a-secret-a-secret!"));
        let signature = signer.sign(UserId(3));
        assert!(signer.verify(UserId(3), &signature));
        assert!(!signer.verify(UserId(4), &signature));
        assert!(!signer.verify(UserId(3), "forged"));
        let other = UnsubscribeSigner::new(&Secret::new("another-secret-another-secret-12345"));
        assert!(!other.verify(UserId(3), &signature));
    }
}
