//! Whether a learner's message may go to the tutor now: one answer at a
//! time, a number of messages a minute, and a daily allowance of tokens.
//! A guest has a smaller allowance, and all guests of one network share a
//! rate and an allowance too, so fresh guests do not mint fresh allowances.
//! The store applies this inside the same step that stores the message, so
//! concurrent sends cannot all pass a check that only one of them should.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::{ChatLimits, GuestLimits};
use crate::store::ChatUsage;

/// Why a message is not let through, and when to try again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The previous answer is still coming.
    #[error(
        "the tutor is still answering your previous message; send this one when it has finished"
    )]
    Answering {
        /// When the running answer's lease ends at the latest.
        retry_after: Duration,
    },
    /// Too many messages this minute.
    #[error("you can send {per_minute} messages a minute to the tutor; try again in {} s", retry_after.as_secs())]
    RateLimited {
        /// The limit.
        per_minute: u32,
        /// When a message leaves the window.
        retry_after: Duration,
    },
    /// Today's tokens are used up.
    #[error("you have used today's tutor allowance ({daily} tokens); it renews at 00:00 UTC, in {} h {} min", retry_after.as_secs() / 3600, (retry_after.as_secs() % 3600) / 60)]
    AllowanceUsed {
        /// The allowance.
        daily: u64,
        /// Until midnight UTC.
        retry_after: Duration,
    },
    /// Guests on this network sent too many messages this minute.
    #[error("guests on your network are sending the tutor many messages; sign in, or try again in {} s", retry_after.as_secs())]
    NetworkBusy {
        /// When a message leaves the window.
        retry_after: Duration,
    },
    /// Guests on this network used today's shared allowance.
    #[error(
        "guests on your network have used today's tutor allowance; sign in to carry on, or come back after 00:00 UTC"
    )]
    NetworkAllowanceUsed {
        /// Until midnight UTC.
        retry_after: Duration,
    },
}

impl Refusal {
    /// When the learner can try again.
    pub fn retry_after(&self) -> Duration {
        match self {
            Self::Answering { retry_after }
            | Self::RateLimited { retry_after, .. }
            | Self::AllowanceUsed { retry_after, .. }
            | Self::NetworkBusy { retry_after }
            | Self::NetworkAllowanceUsed { retry_after } => *retry_after,
        }
    }
}

/// The start of the rate window and of the UTC day at `now`.
pub fn windows(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day_start = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    (now - chrono::Duration::minutes(1), day_start)
}

/// Lets a message through, or says why not.
pub fn admit(usage: &ChatUsage, limits: ChatLimits, now: DateTime<Utc>) -> Result<(), Refusal> {
    let wait =
        |until: DateTime<Utc>| Duration::from_secs((until - now).num_seconds().max(1) as u64);
    if let Some(until) = usage.answering_until {
        return Err(Refusal::Answering {
            retry_after: wait(until),
        });
    }
    if usage.recent_messages >= i64::from(limits.messages_per_minute) {
        let free_at = usage.oldest_recent.unwrap_or(now) + chrono::Duration::minutes(1);
        return Err(Refusal::RateLimited {
            per_minute: limits.messages_per_minute,
            retry_after: wait(free_at),
        });
    }
    if usage.tokens_today >= limits.daily_tokens as i64 {
        let (_, day_start) = windows(now);
        return Err(Refusal::AllowanceUsed {
            daily: limits.daily_tokens,
            retry_after: wait(day_start + chrono::Duration::days(1)),
        });
    }
    Ok(())
}

/// Lets a guest's message through, or says why not: the learner's limits
/// with the guest's smaller allowance, then those its network shares.
pub fn admit_guest(
    own: &ChatUsage,
    network: &ChatUsage,
    limits: ChatLimits,
    guest: GuestLimits,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let own_limits = ChatLimits {
        daily_tokens: limits.daily_tokens.min(guest.daily_tokens),
        ..limits
    };
    admit(own, own_limits, now)?;
    let wait =
        |until: DateTime<Utc>| Duration::from_secs((until - now).num_seconds().max(1) as u64);
    if network.recent_messages >= i64::from(guest.network_messages_per_minute) {
        let free_at = network.oldest_recent.unwrap_or(now) + chrono::Duration::minutes(1);
        return Err(Refusal::NetworkBusy {
            retry_after: wait(free_at),
        });
    }
    if network.tokens_today >= guest.network_daily_tokens as i64 {
        let (_, day_start) = windows(now);
        return Err(Refusal::NetworkAllowanceUsed {
            retry_after: wait(day_start + chrono::Duration::days(1)),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUEST: GuestLimits = GuestLimits {
        ttl: Duration::from_secs(86_400),
        starts_per_hour: 5,
        daily_tokens: 40,
        network_messages_per_minute: 3,
        network_daily_tokens: 90,
    };

    #[test]
    fn a_guest_has_the_smaller_allowance() {
        let now = at("2026-11-26T22:30:00Z");
        let usage = ChatUsage {
            tokens_today: 40,
            ..Default::default()
        };
        let refusal = admit_guest(&usage, &usage, LIMITS, GUEST, now).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::AllowanceUsed {
                daily: 40,
                retry_after: Duration::from_secs(5400)
            }
        );
    }

    #[test]
    fn guests_of_one_network_share_a_rate_and_an_allowance() {
        let now = at("2026-11-26T22:30:00Z");
        let fresh = ChatUsage::default();
        let busy = ChatUsage {
            recent_messages: 3,
            oldest_recent: Some(at("2026-11-26T22:29:30Z")),
            ..Default::default()
        };
        assert_eq!(
            admit_guest(&fresh, &busy, LIMITS, GUEST, now),
            Err(Refusal::NetworkBusy {
                retry_after: Duration::from_secs(30)
            })
        );
        let spent = ChatUsage {
            tokens_today: 90,
            ..Default::default()
        };
        let refusal = admit_guest(&fresh, &spent, LIMITS, GUEST, now).unwrap_err();
        assert!(refusal.to_string().contains("sign in to carry on"));
        assert_eq!(admit_guest(&fresh, &fresh, LIMITS, GUEST, now), Ok(()));
    }

    const LIMITS: ChatLimits = ChatLimits {
        messages_per_minute: 2,
        daily_tokens: 100,
        answer_lease: Duration::from_secs(15),
    };

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn one_answer_at_a_time() {
        let now = at("2026-11-26T10:00:00Z");
        let usage = ChatUsage {
            answering_until: Some(at("2026-11-26T10:00:30Z")),
            ..Default::default()
        };
        assert_eq!(
            admit(&usage, LIMITS, now),
            Err(Refusal::Answering {
                retry_after: Duration::from_secs(30)
            })
        );
    }

    #[test]
    fn the_rate_frees_up_a_minute_after_the_oldest_message() {
        let now = at("2026-11-26T10:00:00Z");
        let usage = ChatUsage {
            recent_messages: 2,
            oldest_recent: Some(at("2026-11-26T09:59:20Z")),
            ..Default::default()
        };
        let refusal = admit(&usage, LIMITS, now).unwrap_err();
        assert_eq!(refusal.retry_after(), Duration::from_secs(20));
        assert_eq!(
            refusal.to_string(),
            "you can send 2 messages a minute to the tutor; try again in 20 s"
        );
    }

    #[test]
    fn the_allowance_renews_at_midnight_utc() {
        let now = at("2026-11-26T22:30:00Z");
        let usage = ChatUsage {
            tokens_today: 100,
            ..Default::default()
        };
        let refusal = admit(&usage, LIMITS, now).unwrap_err();
        assert_eq!(refusal.retry_after(), Duration::from_secs(5400));
        assert!(refusal.to_string().ends_with("in 1 h 30 min"));
        assert_eq!(admit(&ChatUsage::default(), LIMITS, now), Ok(()));
    }
}
