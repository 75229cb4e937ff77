//! The population file format of `lens-server cohort propose --from-file`
//! (and of the benchmark's generator): people with their role, timezone and
//! weekly availability as local time ranges. See `docs/matching.md`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::availability::{LocalAvailability, meeting_weeks};
use super::slots::SlotSet;
use super::{Params, Problem, SignedUp, TimeModel};

/// A whole population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationFile {
    /// First meeting week (YYYY-MM-DD).
    pub start_date: NaiveDate,
    /// Weekly meetings.
    pub meetings: u32,
    /// Group settings; defaults when absent.
    #[serde(default)]
    pub params: Params,
    /// Everyone signed up.
    pub people: Vec<FilePerson>,
}

/// One person of a population file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePerson {
    /// Any unique id.
    pub id: String,
    /// `learner` or `facilitator`.
    pub role: String,
    /// Facilitators: most groups they may lead (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_groups: Option<usize>,
    /// IANA timezone of the ranges.
    pub timezone: String,
    /// Local ranges like `Mon 18:00-20:00` (end exclusive, 30-minute grid).
    #[serde(default)]
    pub available: Vec<String>,
    /// Local ranges available if needed.
    #[serde(default)]
    pub if_needed: Vec<String>,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn half_hour(text: &str) -> Option<usize> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (usize, usize) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && (m == 0 || m == 30) && (h < 24 || m == 0)).then_some(h * 2 + m / 30)
}

/// Parses `Mon 18:00-20:00` into local week slots.
pub fn parse_range(range: &str) -> Result<Vec<usize>, String> {
    let bad = || format!("{range:?} is not a range like \"Mon 18:00-20:00\" on the half-hour grid");
    let (day, times) = range.trim().split_once(' ').ok_or_else(bad)?;
    let day = DAYS
        .iter()
        .position(|d| day.to_ascii_lowercase().starts_with(d))
        .ok_or_else(bad)?;
    let (from, to) = times.split_once('-').ok_or_else(bad)?;
    let (from, to) = (
        half_hour(from).ok_or_else(bad)?,
        half_hour(to).ok_or_else(bad)?,
    );
    if to <= from {
        return Err(bad());
    }
    Ok((from..to).map(|s| day * 48 + s).collect())
}

/// Formats local slots back into ranges (for writing files).
pub fn format_ranges(slots: &SlotSet) -> Vec<String> {
    let mut ranges = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    let flush = |run: (usize, usize), ranges: &mut Vec<String>| {
        let (start, end) = run;
        let day = start / 48;
        let time = |s: usize| format!("{:02}:{:02}", (s % 48) / 2, (s % 2) * 30);
        // A run that reaches midnight ends at 24:00 of its own day.
        let end_text = if end.is_multiple_of(48) {
            "24:00".to_owned()
        } else {
            time(end)
        };
        ranges.push(format!(
            "{} {}-{}",
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day],
            time(start),
            end_text
        ));
    };
    for slot in slots.iter() {
        run = match run {
            Some((start, end)) if end == slot && !slot.is_multiple_of(48) => {
                Some((start, slot + 1))
            }
            Some(done) => {
                flush(done, &mut ranges);
                Some((slot, slot + 1))
            }
            None => Some((slot, slot + 1)),
        };
    }
    if let Some(done) = run {
        flush(done, &mut ranges);
    }
    ranges
}

impl PopulationFile {
    /// The matching problem, with anchored times.
    pub fn to_problem(&self) -> Result<Problem, String> {
        self.to_problem_with(TimeModel::Anchored)
    }

    /// The matching problem under `model`: availability converted to UTC
    /// week by week.
    pub fn to_problem_with(&self, model: TimeModel) -> Result<Problem, String> {
        crate::domain::CohortStart::parse("start_date", &self.start_date.to_string())
            .map_err(|e| e.to_string())?;
        if !(1..=52).contains(&self.meetings) {
            return Err(format!(
                "meetings: {} is not between 1 and 52",
                self.meetings
            ));
        }
        let weeks = meeting_weeks(self.start_date, self.meetings);
        let people = self
            .people
            .iter()
            .map(|person| person.signed_up())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Problem::for_cohort(&weeks, self.params, model, &people))
    }
}

impl FilePerson {
    fn signed_up(&self) -> Result<SignedUp, String> {
        let zone: chrono_tz::Tz = self
            .timezone
            .parse()
            .map_err(|_| format!("{}: {:?} is not an IANA timezone", self.id, self.timezone))?;
        let slots = |ranges: &[String]| -> Result<SlotSet, String> {
            let mut set = SlotSet::EMPTY;
            for range in ranges {
                for slot in parse_range(range).map_err(|e| format!("{}: {e}", self.id))? {
                    set.insert(slot);
                }
            }
            Ok(set)
        };
        let available = slots(&self.available)?;
        let max_groups = match self.role.as_str() {
            "learner" => None,
            "facilitator" => Some(self.max_groups.unwrap_or(1)),
            other => {
                return Err(format!(
                    "{}: role {other:?} is neither learner nor facilitator",
                    self.id
                ));
            }
        };
        Ok(SignedUp {
            id: self.id.clone(),
            zone: Some(zone),
            local: LocalAvailability {
                if_needed: slots(&self.if_needed)?.minus(&available),
                available,
            },
            max_groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip() {
        assert_eq!(parse_range("Mon 18:00-19:00").unwrap(), vec![36, 37]);
        assert_eq!(parse_range("sun 23:30-24:00").unwrap(), vec![335]);
        assert!(parse_range("Mon 18:15-19:00").is_err());
        assert!(parse_range("Funday 1:00-2:00").is_err());
        let mut set = SlotSet::EMPTY;
        for s in parse_range("Tue 09:00-10:30")
            .unwrap()
            .into_iter()
            .chain(parse_range("Sun 23:00-24:00").unwrap())
        {
            set.insert(s);
        }
        assert_eq!(
            format_ranges(&set),
            vec!["Tue 09:00-10:30", "Sun 23:00-24:00"]
        );
    }
}
