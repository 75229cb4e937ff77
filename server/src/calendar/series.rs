//! A group's meetings as one recurring calendar event: a weekly series from
//! the first meeting to the last, with the weeks of postponed meetings
//! cancelled. Meetings keep their UTC time every week, so the series is
//! kept in UTC too and never drifts from them across daylight-saving
//! changes.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::domain::{GroupId, MeetingId, MeetingStatus};
use crate::store::MeetingRecord;

/// The weekly series of one group's meetings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The first meeting's start.
    pub first: DateTime<Utc>,
    /// Weeks from the first meeting to the last, both counted (the
    /// `COUNT` of the rule).
    pub weeks: i64,
    /// Length of each meeting.
    pub minutes: i64,
    /// The postponed meetings, whose instances are cancelled.
    pub postponed: Vec<(MeetingId, DateTime<Utc>)>,
}

impl Series {
    /// The series of a group's meetings (postponed ones included); `None`
    /// for a group without meetings.
    pub fn of(meetings: &[MeetingRecord]) -> Option<Self> {
        let first = meetings.iter().map(|m| m.starts_at).min()?;
        let last = meetings.iter().map(|m| m.starts_at).max()?;
        let minutes = meetings
            .iter()
            .find(|m| m.status == MeetingStatus::Scheduled)
            .map_or(60, |m| m.minutes);
        Some(Self {
            first,
            weeks: (last - first).num_days() / 7 + 1,
            minutes,
            postponed: meetings
                .iter()
                .filter(|m| m.status == MeetingStatus::Postponed)
                .map(|m| (m.id, m.starts_at))
                .collect(),
        })
    }

    /// The recurrence rule, as the event's `recurrence` holds it.
    pub fn rule(&self) -> String {
        format!("RRULE:FREQ=WEEKLY;COUNT={}", self.weeks)
    }

    /// The first meeting's end.
    pub fn first_end(&self) -> DateTime<Utc> {
        self.first + chrono::Duration::minutes(self.minutes)
    }
}

/// The id Lens gives a group's event: Google accepts ids of 5–1024
/// characters from `a`–`v` and `0`–`9`. `deployment` keeps the events of
/// two Lens sites sharing one calendar (staging and production) apart;
/// `generation` counts remakes after a deletion (a deleted event's id
/// cannot be used again).
pub fn event_id(deployment: &str, group: GroupId, generation: i64) -> String {
    format!("lens{deployment}g{group}r{generation}")
}

/// Six hexadecimal digits naming a deployment by its public URL.
pub fn deployment_tag(public_url: &str) -> String {
    Sha256::digest(public_url.as_bytes())
        .iter()
        .take(3)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The id Google gives the instance of recurring event `event` that
/// starts (originally) at `start`.
pub fn instance_id(event: &str, start: DateTime<Utc>) -> String {
    format!("{event}_{}", start.format("%Y%m%dT%H%M%SZ"))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn meeting(id: i64, week: i64, status: MeetingStatus) -> MeetingRecord {
        let first = Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap();
        MeetingRecord {
            id: MeetingId(id),
            group_id: GroupId(1),
            number: (status == MeetingStatus::Scheduled).then_some(id),
            starts_at: first + chrono::Duration::weeks(week),
            minutes: 90,
            status,
        }
    }

    #[test]
    fn a_postponed_meeting_lengthens_the_series_by_a_week_and_is_cancelled_in_it() {
        let plain: Vec<_> = (0..4)
            .map(|w| meeting(w + 1, w, MeetingStatus::Scheduled))
            .collect();
        let series = Series::of(&plain).unwrap();
        assert_eq!(series.rule(), "RRULE:FREQ=WEEKLY;COUNT=4");
        assert_eq!(series.minutes, 90);
        assert!(series.postponed.is_empty());

        let mut postponed = plain.clone();
        postponed[1].status = MeetingStatus::Postponed;
        postponed.push(meeting(5, 4, MeetingStatus::Scheduled));
        let series = Series::of(&postponed).unwrap();
        assert_eq!(series.rule(), "RRULE:FREQ=WEEKLY;COUNT=5");
        assert_eq!(
            series.postponed,
            vec![(MeetingId(2), postponed[1].starts_at)]
        );
    }

    #[test]
    fn ids_use_only_the_characters_google_accepts() {
        let id = event_id(&deployment_tag("https://lens.example"), GroupId(42), 3);
        assert!(id.len() >= 5);
        assert!(
            id.chars().all(|c| matches!(c, 'a'..='v' | '0'..='9')),
            "{id}"
        );
        assert_ne!(
            deployment_tag("https://lens.example"),
            deployment_tag("https://staging.lens.example")
        );
        let start = Utc.with_ymd_and_hms(2026, 12, 10, 17, 0, 0).unwrap();
        assert_eq!(instance_id("abc", start), "abc_20261210T170000Z");
    }

    #[test]
    fn a_group_without_meetings_has_no_series() {
        assert_eq!(Series::of(&[]), None);
    }
}
