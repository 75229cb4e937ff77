//! When a group meets: its weekly time, from the first occurrence on or
//! after the cohort's start, one meeting a week.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::matching::availability::meeting_weeks;
use crate::matching::times::MeetingTime;

/// How long a meeting lasts, in minutes (the matching default).
pub const MEETING_MINUTES: i64 = 60;

/// The starts of `count` weekly meetings at a group's stored time (UTC
/// start slot in the first week, anchor, local slot), the first on or after
/// `start` (midnight UTC). An anchored time keeps its local clock time
/// week by week.
pub fn meeting_starts(
    start: NaiveDate,
    count: u32,
    start_slot: i64,
    anchor: &str,
    local_slot: Option<i64>,
) -> Vec<DateTime<Utc>> {
    // One week more than needed: a time early in the week falls before a
    // mid-week start, and the first meeting is then the next week's.
    let weeks = meeting_weeks(start, count + 1);
    let time = MeetingTime::stored(
        start_slot.max(0) as usize,
        anchor,
        local_slot.map(|s| s.max(0) as usize),
        &weeks,
    );
    let from = start.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    time.starts(&weeks)
        .into_iter()
        .filter(|at| from.is_none_or(|from| *at >= from))
        .take(count as usize)
        .collect()
}

/// A week after `at`: where a postponement appends the last meeting.
pub fn week_after(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::weeks(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn meetings_start_on_or_after_the_cohort_start_weekly() {
        // Monday 18:00 UTC is slot 36; the cohort starts on a Wednesday.
        let starts = meeting_starts(date(2027, 3, 3), 3, 36, "UTC", None);
        let days: Vec<String> = starts
            .iter()
            .map(|s| s.format("%a %d %b %H:%M").to_string())
            .collect();
        assert_eq!(
            days,
            ["Mon 08 Mar 18:00", "Mon 15 Mar 18:00", "Mon 22 Mar 18:00"]
        );
    }

    #[test]
    fn an_anchored_time_keeps_its_local_hour_across_a_clock_change() {
        // Monday 19:00 in London (local slot 38) across 28 March 2027.
        let starts = meeting_starts(date(2027, 3, 22), 2, 38, "Europe/London", Some(38));
        let hours: Vec<u32> = starts.iter().map(chrono::Timelike::hour).collect();
        assert_eq!(hours, [19, 18], "19:00 GMT, then 19:00 BST");
    }
}
