//! Limits on guests: anonymous learners whose reading and tutor chats are
//! kept until they sign in. A guest costs nothing to make, so each limit
//! also counts by the network the guest started from; signing in lifts them.

use std::time::Duration;

use super::{ConfigError, Env};

/// How long guests last and how much of the tutor they may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestLimits {
    /// How long a guest token lives (`GUEST_TTL_DAYS`, default 30); the web
    /// app renews it on each visit, so only a guest gone that long is lost.
    pub ttl: Duration,
    /// New guests one network may start per hour (`GUEST_STARTS_PER_HOUR`,
    /// default 20): enough for a classroom behind one address, too few to
    /// mint fresh allowances in a loop.
    pub starts_per_hour: u32,
    /// Tutor tokens one guest may use per UTC day
    /// (`CHAT_GUEST_DAILY_TOKEN_QUOTA`, default 50 000).
    pub daily_tokens: u64,
    /// Messages all guests of one network may send per minute
    /// (`CHAT_GUEST_NETWORK_MESSAGES_PER_MINUTE`, default 30).
    pub network_messages_per_minute: u32,
    /// Tutor tokens all guests of one network may use per UTC day
    /// (`CHAT_GUEST_NETWORK_DAILY_TOKEN_QUOTA`, default 500 000).
    pub network_daily_tokens: u64,
}

impl GuestLimits {
    /// Reads the limits.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let number = |name, default| env.number(name, default, 1..=u64::from(u32::MAX));
        Ok(Self {
            ttl: Duration::from_secs(env.number("GUEST_TTL_DAYS", 30, 1..=400)? * 86_400),
            starts_per_hour: number("GUEST_STARTS_PER_HOUR", 20)? as u32,
            daily_tokens: number("CHAT_GUEST_DAILY_TOKEN_QUOTA", 50_000)?,
            network_messages_per_minute: number("CHAT_GUEST_NETWORK_MESSAGES_PER_MINUTE", 30)?
                as u32,
            network_daily_tokens: number("CHAT_GUEST_NETWORK_DAILY_TOKEN_QUOTA", 500_000)?,
        })
    }
}
