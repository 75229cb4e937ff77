//! The weekly times a group can meet at, for one cohort.
//!
//! A time is either fixed in UTC, or anchored in a timezone: the same local
//! clock time every week, so its UTC time moves when that zone's clocks
//! change during the cohort. Each time carries its UTC start in every
//! meeting week, converted on that week's own date; a person can make it
//! when every one of those starts is in their availability for that week.
//!
//! Anchored times are only listed where they differ from every other time:
//! in a cohort without clock changes every anchored time is some UTC time,
//! and Berlin 20:00 is London 19:00.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::problem::overlaps;
use super::slots::{SLOTS_PER_WEEK, SlotSet, describe};

/// Where a weekly time is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The same UTC time every week.
    Utc,
    /// The same local time every week in this zone.
    Zone(Tz),
}

impl Anchor {
    /// The IANA name ("UTC" for UTC).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Utc => "UTC",
            Self::Zone(tz) => tz.name(),
        }
    }
}

/// One weekly meeting time of a cohort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingTime {
    /// Where it is fixed.
    pub anchor: Anchor,
    /// Its start in the anchor's local week (slot 0 = Monday 00:00).
    pub local_start: usize,
    /// Its UTC start (a UTC week slot) in each meeting week.
    pub weekly: Vec<usize>,
}

impl MeetingTime {
    /// A UTC time, the same in each of `weeks` weeks.
    pub fn utc(start: usize, weeks: usize) -> Self {
        Self {
            anchor: Anchor::Utc,
            local_start: start % SLOTS_PER_WEEK,
            weekly: vec![start % SLOTS_PER_WEEK; weeks.max(1)],
        }
    }

    /// `local_start` in `anchor`, in each week starting on the Mondays
    /// `weeks`; `None` when that local time does not exist in some week
    /// (skipped by a spring-forward).
    pub fn anchored(anchor: Anchor, local_start: usize, weeks: &[NaiveDate]) -> Option<Self> {
        let tz = match anchor {
            Anchor::Utc => return Some(Self::utc(local_start, weeks.len())),
            Anchor::Zone(tz) => tz,
        };
        let weekly = weeks
            .iter()
            .map(|week| utc_slot(tz, *week, local_start))
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            anchor,
            local_start: local_start % SLOTS_PER_WEEK,
            weekly,
        })
    }

    /// A group's stored time: its UTC start in the first week, its anchor
    /// ("UTC" or an IANA zone) and its start in the anchor's local week.
    /// A time that cannot be read back as anchored is read as the UTC time
    /// it was stored with.
    pub fn stored(
        first_utc_start: usize,
        anchor: &str,
        local_start: Option<usize>,
        weeks: &[NaiveDate],
    ) -> Self {
        let anchored = anchor
            .parse::<Tz>()
            .ok()
            .filter(|_| anchor != "UTC")
            .zip(local_start)
            .and_then(|(tz, local)| Self::anchored(Anchor::Zone(tz), local, weeks));
        anchored.unwrap_or_else(|| Self::utc(first_utc_start, weeks.len()))
    }

    /// Whether a person with `weekly[w]` open meeting starts in week `w`
    /// can make this time every week.
    pub fn makeable_with(&self, weekly: &[SlotSet]) -> bool {
        !weekly.is_empty()
            && self
                .weekly
                .iter()
                .zip(weekly)
                .all(|(start, open)| open.contains(*start))
    }

    /// When each meeting starts, given the Mondays `weeks` of the meeting
    /// weeks this time was made for (one meeting a week).
    pub fn starts(&self, weeks: &[NaiveDate]) -> Vec<DateTime<Utc>> {
        weeks
            .iter()
            .zip(&self.weekly)
            .filter_map(|(monday, slot)| {
                let midnight = monday.and_hms_opt(0, 0, 0)?.and_utc();
                Some(midnight + Duration::minutes(30 * *slot as i64))
            })
            .collect()
    }

    /// Its UTC start in the first meeting week.
    pub fn first_utc_start(&self) -> usize {
        self.weekly[0]
    }

    /// Whether its UTC start is the same every week.
    pub fn is_steady_in_utc(&self) -> bool {
        self.weekly.iter().all(|s| *s == self.weekly[0])
    }

    /// "Mon 18:00 UTC", or "Mon 19:00 Europe/London".
    pub fn describe(&self) -> String {
        format!("{} {}", describe(self.local_start), self.anchor.name())
    }
}

/// How a stored weekly time reads (see [`MeetingTime::stored`]):
/// "Mon 18:00 UTC", or "Mon 19:00 Europe/London".
pub fn describe_stored(first_utc_start: usize, anchor: &str, local_start: Option<usize>) -> String {
    match local_start {
        Some(local) if anchor != "UTC" => format!("{} {anchor}", describe(local)),
        _ => format!("{} UTC", describe(first_utc_start)),
    }
}

/// The UTC week slot at which local slot `local` falls in the week that
/// starts on UTC Monday `week`; `None` for a local time that does not exist.
pub fn utc_slot(tz: Tz, week: NaiveDate, local: usize) -> Option<usize> {
    let local = local % SLOTS_PER_WEEK;
    let day = week + Duration::days((local / 48) as i64);
    let time = NaiveTime::from_hms_opt(((local % 48) / 2) as u32, ((local % 2) * 30) as u32, 0)?;
    let at = tz.from_local_datetime(&day.and_time(time)).earliest()?;
    let week_start = Utc.from_utc_datetime(&week.and_hms_opt(0, 0, 0)?);
    let minutes = (at.with_timezone(&Utc) - week_start).num_minutes();
    Some(minutes.div_euclid(30).rem_euclid(SLOTS_PER_WEEK as i64) as usize)
}

/// The local week slot in `zone` of UTC week slot `utc` in the week starting
/// on UTC Monday `week`.
fn local_slot(zone: Tz, week: NaiveDate, utc: usize) -> Option<usize> {
    use chrono::{Datelike, Timelike};
    let at =
        Utc.from_utc_datetime(&week.and_hms_opt(0, 0, 0)?) + Duration::minutes(30 * utc as i64);
    let local = at.with_timezone(&zone);
    Some(
        local.weekday().num_days_from_monday() as usize * 48
            + local.hour() as usize * 2
            + local.minute() as usize / 30,
    )
}

/// The candidate times of a cohort: every UTC time, then the anchored
/// times that differ from all others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Times {
    list: Vec<MeetingTime>,
    meeting_slots: usize,
    /// The Mondays of the meeting weeks (empty for [`Times::utc_only`]).
    weeks: Vec<NaiveDate>,
}

impl Times {
    /// Only UTC times, for `weeks` meeting weeks: time `i` starts at UTC
    /// week slot `i`.
    pub fn utc_only(weeks: usize, meeting_slots: usize) -> Self {
        Self {
            list: (0..SLOTS_PER_WEEK)
                .map(|s| MeetingTime::utc(s, weeks))
                .collect(),
            meeting_slots,
            weeks: Vec::new(),
        }
    }

    /// UTC times and the distinct times anchored in `zones` (most used
    /// first: a time shared by several zones is named after the first),
    /// for the meeting weeks starting on the Mondays `weeks`.
    pub fn for_cohort(weeks: &[NaiveDate], meeting_slots: usize, zones: &[Tz]) -> Self {
        let mut times = Self::utc_only(weeks.len(), meeting_slots);
        times.weeks = weeks.to_vec();
        let mut seen: HashMap<Vec<usize>, usize> = HashMap::new();
        for zone in zones {
            for local in 0..SLOTS_PER_WEEK {
                let Some(time) = MeetingTime::anchored(Anchor::Zone(*zone), local, weeks) else {
                    continue;
                };
                if time.is_steady_in_utc() || seen.contains_key(&time.weekly) {
                    continue;
                }
                seen.insert(time.weekly.clone(), times.list.len());
                times.list.push(time);
            }
        }
        times
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Time `index`.
    pub fn get(&self, index: usize) -> &MeetingTime {
        &self.list[index]
    }

    /// Meeting length in half-hour slots.
    pub fn meeting_slots(&self) -> usize {
        self.meeting_slots
    }

    /// Whether time `index` keeps the same local clock time in `zone` every
    /// week (always false without the cohort's dates).
    pub fn steady_in(&self, index: usize, zone: Tz) -> bool {
        let time = &self.list[index];
        let mut locals = self
            .weeks
            .iter()
            .zip(&time.weekly)
            .filter_map(|(week, utc)| local_slot(zone, *week, *utc));
        match locals.next() {
            Some(first) => locals.all(|l| l == first),
            None => false,
        }
    }

    /// Whether meetings at `a` and `b` overlap in some week.
    pub fn overlap(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.list[a], &self.list[b]);
        a.weekly
            .iter()
            .zip(&b.weekly)
            .any(|(x, y)| overlaps(*x, *y, self.meeting_slots))
    }

    /// The times a person can make, given the meeting starts open to them
    /// in each week (`weekly[w]`, UTC week slots).
    pub fn makeable(&self, weekly: &[SlotSet]) -> TimeSet {
        let mut set = TimeSet::empty(self.len());
        for (index, time) in self.list.iter().enumerate() {
            if time.makeable_with(weekly) {
                set.insert(index);
            }
        }
        set
    }

    /// The index of the time anchored at `local_start` in `anchor`, or the
    /// UTC time it equals, if the cohort has it.
    pub fn find(&self, time: &MeetingTime) -> Option<usize> {
        if time.is_steady_in_utc() {
            return Some(time.weekly[0]);
        }
        self.list.iter().position(|t| t.weekly == time.weekly)
    }
}

/// A set of indexes into [`Times`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TimeSet(Vec<u64>);

impl TimeSet {
    /// No times, out of `len`.
    pub fn empty(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)])
    }

    /// Adds `index`.
    pub fn insert(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    /// Whether `index` is in the set.
    pub fn contains(&self, index: usize) -> bool {
        self.0
            .get(index / 64)
            .is_some_and(|w| w & (1 << (index % 64)) != 0)
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// Times in both.
    pub fn and(&self, other: &Self) -> Self {
        Self(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    /// Times in either.
    pub fn or(&self, other: &Self) -> Self {
        Self(self.0.iter().zip(&other.0).map(|(a, b)| a | b).collect())
    }

    /// The indexes, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(i, word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| i * 64 + bit)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weeks(from: (i32, u32, u32), count: usize) -> Vec<NaiveDate> {
        let monday = NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap();
        (0..count)
            .map(|w| monday + Duration::weeks(w as i64))
            .collect()
    }

    #[test]
    fn an_anchored_time_moves_in_utc_with_the_clocks() {
        let london: Tz = "Europe/London".parse().unwrap();
        // Monday 19:00 in London, 15 March to 5 April 2027: the clocks go
        // forward on 28 March, and 19:00 is then 18:00 UTC.
        let time =
            MeetingTime::anchored(Anchor::Zone(london), 38, &weeks((2027, 3, 15), 4)).unwrap();
        assert_eq!(time.weekly, vec![38, 38, 36, 36]);
        assert_eq!(time.describe(), "Mon 19:00 Europe/London");
    }

    #[test]
    fn zones_that_change_clocks_together_share_their_anchored_times() {
        let london: Tz = "Europe/London".parse().unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let new_york: Tz = "America/New_York".parse().unwrap();
        let march = weeks((2027, 3, 1), 6);
        let europe = Times::for_cohort(&march, 2, &[london, berlin]);
        assert!(europe.len() > SLOTS_PER_WEEK);
        let at = |zone: Tz, local: usize| {
            europe
                .find(&MeetingTime::anchored(Anchor::Zone(zone), local, &march).unwrap())
                .unwrap()
        };
        let monday_evening = at(london, 38);
        assert_eq!(
            monday_evening,
            at(berlin, 40),
            "Berlin 20:00 is London 19:00"
        );
        assert!(
            monday_evening >= SLOTS_PER_WEEK,
            "an anchored time, not a UTC one"
        );
        assert_eq!(
            europe.get(monday_evening).describe(),
            "Mon 19:00 Europe/London"
        );
        // New York moves its clocks two weeks earlier: times of its own.
        assert!(Times::for_cohort(&march, 2, &[london, berlin, new_york]).len() > europe.len());
    }

    #[test]
    fn without_a_clock_change_every_time_is_a_utc_time() {
        let london: Tz = "Europe/London".parse().unwrap();
        let times = Times::for_cohort(&weeks((2027, 1, 4), 8), 2, &[london]);
        assert_eq!(times.len(), SLOTS_PER_WEEK);
    }

    #[test]
    fn a_time_is_makeable_when_every_weeks_start_is_open() {
        let london: Tz = "Europe/London".parse().unwrap();
        let march = weeks((2027, 3, 15), 4);
        let times = Times::for_cohort(&march, 2, &[london]);
        let anchored = times
            .find(&MeetingTime::anchored(Anchor::Zone(london), 38, &march).unwrap())
            .unwrap();
        let mut before = SlotSet::EMPTY;
        before.insert(38);
        let mut after = SlotSet::EMPTY;
        after.insert(36);
        let open = times.makeable(&[before, before, after, after]);
        assert_eq!(open.iter().collect::<Vec<_>>(), vec![anchored]);
        assert!(
            times.overlap(anchored, 37),
            "18:30 UTC overlaps the first weeks"
        );
        assert!(!times.overlap(anchored, 40));
    }
}
