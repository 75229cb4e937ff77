//! The network a guest started from, kept only as a keyed hash: the guest
//! limits count by it, and no one's address is ever stored.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Invalid;

/// A keyed hash of an IPv4 address or an IPv6 /64 (one IPv6 host usually
/// holds a whole /64, so counting single addresses would count nothing).
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct NetworkKey(String);

impl NetworkKey {
    /// The key of the network `client_ip` belongs to, hashed with `secret`
    /// so the stored value cannot be turned back into an address.
    pub fn parse(client_ip: &str, secret: &[u8]) -> Result<Self, Invalid> {
        let ip: IpAddr = client_ip
            .trim()
            .parse()
            .map_err(|_| Invalid::new("client_ip", "must be the browser's IPv4 or IPv6 address"))?;
        let network = match ip.to_canonical() {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets()[..8].to_vec(),
        };
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
        mac.update(b"lens guest network\0");
        mac.update(&network);
        let digest = mac.finalize().into_bytes();
        Ok(Self(
            digest[..16].iter().map(|b| format!("{b:02x}")).collect(),
        ))
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number naming this network, for PostgreSQL's advisory locks.
    pub fn lock_number(&self) -> i64 {
        i64::from_str_radix(&self.0[..15], 16).expect("the key is hex")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn key(ip: &str) -> NetworkKey {
        NetworkKey::parse(ip, SECRET).unwrap()
    }

    #[test]
    fn an_ipv6_host_is_its_64_bit_network() {
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }

    #[test]
    fn an_ipv4_address_is_its_own_network_however_it_is_written() {
        assert_eq!(key("192.0.2.7"), key("::ffff:192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
    }

    #[test]
    fn the_address_is_not_stored_and_needs_the_secret() {
        let stored = key("192.0.2.7");
        assert!(!stored.as_str().contains("192"));
        assert_ne!(
            stored,
            NetworkKey::parse("192.0.2.7", b"another secret").unwrap()
        );
    }

    #[test]
    fn text_that_is_no_address_names_the_field() {
        let error = NetworkKey::parse("localhost", SECRET).unwrap_err();
        assert_eq!(error.field, "client_ip");
    }
}
