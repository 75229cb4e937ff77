//! Reminders of a meeting: scheduled jobs, one per meeting and kind, with
//! deterministic keys so deriving them again changes only what moved. When
//! one fires it reads the meeting afresh and decides whether it still
//! makes sense to send.

use chrono::{DateTime, Duration, Utc};

use crate::domain::{MeetingId, MeetingStatus};

/// Prefix of every reminder job's kind.
pub const REMINDER_PREFIX: &str = "reminder.";

/// A reminder firing more than this late (the core was down) is dropped:
/// a day-before reminder an hour into the meeting helps nobody.
pub const LATEST: Duration = Duration::hours(1);

/// The reminders each meeting gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// The day before: in the group's channel and by email.
    DayBefore,
    /// An hour before: in the group's channel and by email.
    HourBefore,
    /// Three days before, to members with required reading still due.
    Nudge,
}

impl Reminder {
    /// Every kind, in firing order.
    pub const ALL: [Self; 3] = [Self::Nudge, Self::DayBefore, Self::HourBefore];

    /// The job kind.
    pub fn kind(self) -> &'static str {
        match self {
            Self::DayBefore => "reminder.24h",
            Self::HourBefore => "reminder.1h",
            Self::Nudge => "reminder.nudge",
        }
    }

    /// The kind a stored job names.
    pub fn from_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.kind() == kind)
    }

    /// How long before the meeting it fires.
    pub fn before(self) -> Duration {
        match self {
            Self::DayBefore => Duration::hours(24),
            Self::HourBefore => Duration::hours(1),
            Self::Nudge => Duration::days(3),
        }
    }

    /// When it fires for a meeting at `starts_at`.
    pub fn due(self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        starts_at - self.before()
    }

    /// The job's key: one per meeting and kind.
    pub fn key(self, meeting: MeetingId) -> String {
        format!("meeting:{meeting}:{}", self.kind())
    }

    /// The job's input.
    pub fn payload(meeting: MeetingId) -> String {
        serde_json::json!({ "meeting_id": meeting }).to_string()
    }
}

/// Why a reminder that came due is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The meeting was postponed (its reminders were re-derived).
    Postponed,
    /// The meeting has begun or is over.
    Past,
    /// The core was down past the reminder's time by more than [`LATEST`].
    Late,
    /// Nobody is in the group.
    Empty,
}

/// Whether a reminder due at `due` for a meeting (`status`, `starts_at`,
/// `members`) is still worth sending at `now`.
pub fn decide(
    due: DateTime<Utc>,
    status: MeetingStatus,
    starts_at: DateTime<Utc>,
    members: usize,
    now: DateTime<Utc>,
) -> Result<(), Skip> {
    if status == MeetingStatus::Postponed {
        Err(Skip::Postponed)
    } else if now >= starts_at {
        Err(Skip::Past)
    } else if now - due > LATEST {
        Err(Skip::Late)
    } else if members == 0 {
        Err(Skip::Empty)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_is_sent_on_time_or_a_little_late_but_not_for_nothing() {
        let start = Utc::now() + Duration::days(2);
        let due = Reminder::DayBefore.due(start);
        let fine = |now, status, members| decide(due, status, start, members, now);
        assert_eq!(fine(due, MeetingStatus::Scheduled, 5), Ok(()));
        assert_eq!(
            fine(due + Duration::minutes(59), MeetingStatus::Scheduled, 5),
            Ok(())
        );
        assert_eq!(
            fine(due + Duration::minutes(61), MeetingStatus::Scheduled, 5),
            Err(Skip::Late)
        );
        assert_eq!(fine(start, MeetingStatus::Scheduled, 5), Err(Skip::Past));
        assert_eq!(fine(due, MeetingStatus::Postponed, 5), Err(Skip::Postponed));
        assert_eq!(fine(due, MeetingStatus::Scheduled, 0), Err(Skip::Empty));
        assert_eq!(
            Reminder::from_kind("reminder.1h"),
            Some(Reminder::HourBefore)
        );
    }
}
