//! Weekly availability in a person's own timezone, turned into UTC slots
//! that hold for every week of a cohort.
//!
//! A group meets at one fixed UTC time each week. When a member's clocks
//! change during the cohort (daylight saving time starts or ends), the same
//! local evening maps to a different UTC time; a UTC time suits the member
//! only if it falls in their local availability in every meeting week.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;

use super::slots::{SLOTS_PER_WEEK, SlotSet};
use super::times::utc_slot;

/// Availability in local time: slots of a local week (0 = Monday 00:00).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalAvailability {
    /// Slots the person can make.
    pub available: SlotSet,
    /// Slots the person can make if needed.
    pub if_needed: SlotSet,
}

/// The Mondays (UTC dates) of the weeks in which meetings happen.
pub fn meeting_weeks(start: NaiveDate, meetings: u32) -> Vec<NaiveDate> {
    let monday = start - Duration::days(i64::from(start.weekday().num_days_from_monday()));
    (0..meetings)
        .map(|w| monday + Duration::weeks(i64::from(w)))
        .collect()
}

/// A set of local slots as UTC slots for one week.
fn week_utc(tz: Tz, week: NaiveDate, local: &SlotSet) -> SlotSet {
    let mut out = SlotSet::EMPTY;
    for slot in local.iter() {
        if let Some(utc) = utc_slot(tz, week, slot) {
            out.insert(utc);
        }
    }
    out
}

/// Availability in UTC slots that holds in every one of `weeks`: a slot is
/// available if it is available every week, and usable if needed if it is
/// usable (available or if needed) every week but not available every week.
pub fn utc_for_weeks(tz: Tz, weeks: &[NaiveDate], local: &LocalAvailability) -> LocalAvailability {
    let usable_local = local.available.or(&local.if_needed);
    let mut available = SlotSet::full();
    let mut usable = SlotSet::full();
    for week in weeks {
        available = available.and(&week_utc(tz, *week, &local.available));
        usable = usable.and(&week_utc(tz, *week, &usable_local));
    }
    if weeks.is_empty() {
        available = SlotSet::EMPTY;
        usable = SlotSet::EMPTY;
    }
    LocalAvailability {
        if_needed: usable.minus(&available),
        available,
    }
}

/// The meeting starts open to a person in each of `weeks`, as UTC week
/// slots: `(usable, preferred)`, where usable counts "if needed" time and
/// preferred does not. Each week is converted on its own date.
pub fn weekly_starts(
    tz: Tz,
    weeks: &[NaiveDate],
    local: &LocalAvailability,
    meeting_slots: usize,
) -> (Vec<SlotSet>, Vec<SlotSet>) {
    let usable_local = local.available.or(&local.if_needed);
    weeks
        .iter()
        .map(|week| {
            (
                week_utc(tz, *week, &usable_local).starts(meeting_slots),
                week_utc(tz, *week, &local.available).starts(meeting_slots),
            )
        })
        .unzip()
}

/// The weekday of a week slot.
pub fn weekday(slot: usize) -> Weekday {
    Weekday::try_from(((slot % SLOTS_PER_WEEK) / 48) as u8).unwrap_or(Weekday::Mon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(slots: std::ops::Range<usize>) -> LocalAvailability {
        let mut available = SlotSet::EMPTY;
        for s in slots {
            available.insert(s);
        }
        LocalAvailability {
            available,
            if_needed: SlotSet::EMPTY,
        }
    }

    /// Monday at HH:00 local, as a slot.
    fn monday(hour: usize) -> usize {
        hour * 2
    }

    #[test]
    fn london_and_new_york_lose_their_shared_hour_when_clocks_change_apart() {
        let london: Tz = "Europe/London".parse().unwrap();
        let new_york: Tz = "America/New_York".parse().unwrap();
        // London: Monday 18:00–19:00 local; New York: Monday 13:00–15:00 local.
        let ada = local(monday(18)..monday(19));
        let bob = local(monday(13)..monday(15));

        // Early March 2027, before either clock change: both cover 18:00 UTC.
        let early = meeting_weeks(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(), 1);
        let shared = utc_for_weeks(london, &early, &ada)
            .available
            .and(&utc_for_weeks(new_york, &early, &bob).available);
        assert_eq!(
            shared.iter().collect::<Vec<_>>(),
            vec![monday(18), monday(18) + 1]
        );

        // After Europe moves its clocks (28 March), London's 18:00 is 17:00 UTC,
        // and New York (already moved on 14 March) covers 17:00–19:00 UTC.
        let late = meeting_weeks(NaiveDate::from_ymd_opt(2027, 3, 29).unwrap(), 1);
        let shared = utc_for_weeks(london, &late, &ada)
            .available
            .and(&utc_for_weeks(new_york, &late, &bob).available);
        assert_eq!(
            shared.iter().collect::<Vec<_>>(),
            vec![monday(17), monday(17) + 1]
        );

        // A cohort spanning the change has no UTC hour that works every week.
        let cohort = meeting_weeks(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(), 6);
        let shared = utc_for_weeks(london, &cohort, &ada)
            .available
            .and(&utc_for_weeks(new_york, &cohort, &bob).available);
        assert!(shared.is_empty(), "{:?}", shared.iter().collect::<Vec<_>>());
    }

    #[test]
    fn if_needed_is_what_is_usable_every_week_but_not_always_available() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let mut person = local(monday(19)..monday(20));
        person.if_needed.insert(monday(20));
        person.if_needed.insert(monday(20) + 1);
        let weeks = meeting_weeks(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(), 2);
        let utc = utc_for_weeks(berlin, &weeks, &person);
        // Berlin is UTC+1 in January.
        assert_eq!(
            utc.available.iter().collect::<Vec<_>>(),
            vec![monday(18), monday(18) + 1]
        );
        assert_eq!(
            utc.if_needed.iter().collect::<Vec<_>>(),
            vec![monday(19), monday(19) + 1]
        );
    }
}
