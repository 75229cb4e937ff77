//! The matching problem — people as the cohort's times they can make — and
//! its solution.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::availability::{LocalAvailability, weekly_starts};
use super::slots::{SLOTS_PER_WEEK, SlotSet};
use super::times::{TimeSet, Times};

/// Group-size and meeting settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    /// Smallest group, facilitator included (default 4).
    pub min_size: usize,
    /// Largest group, facilitator included (default 8).
    pub max_size: usize,
    /// Meeting length in half-hour slots (default 2 = 60 minutes).
    pub meeting_slots: usize,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            min_size: 4,
            max_size: 8,
            meeting_slots: 2,
        }
    }
}

impl Params {
    /// Fewest learners in a group.
    pub fn min_learners(&self) -> usize {
        self.min_size.saturating_sub(1).max(1)
    }
    /// Most learners in a group.
    pub fn max_learners(&self) -> usize {
        self.max_size.saturating_sub(1).max(1)
    }
}

/// A person, as the times of the cohort they can make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Caller's id for the person.
    pub id: String,
    /// Times the person can make, "if needed" time included.
    pub usable: TimeSet,
    /// Times the person can make without "if needed" time.
    pub preferred: TimeSet,
    /// Their timezone, if known: whether a time keeps their local clock.
    pub zone: Option<Tz>,
}

impl Person {
    /// A person of a problem with UTC times only ([`Times::utc_only`]),
    /// free at the UTC week slots `available`, and `if_needed` besides.
    pub fn utc(id: &str, available: SlotSet, if_needed: SlotSet, meeting_slots: usize) -> Self {
        let set = |slots: SlotSet| {
            let mut set = TimeSet::empty(SLOTS_PER_WEEK);
            for start in slots.starts(meeting_slots).iter() {
                set.insert(start);
            }
            set
        };
        Self {
            id: id.to_owned(),
            usable: set(available.or(&if_needed)),
            preferred: set(available),
            zone: None,
        }
    }

    /// A person of a cohort with `times`, in zone `tz` with local weekly
    /// availability `local` (`None` when they gave none), for the meeting
    /// weeks starting on the Mondays `weeks`.
    pub fn local(
        id: &str,
        tz: Tz,
        local: &LocalAvailability,
        weeks: &[NaiveDate],
        times: &Times,
    ) -> Self {
        let (usable, preferred) = weekly_starts(tz, weeks, local, times.meeting_slots());
        Self {
            id: id.to_owned(),
            usable: times.makeable(&usable),
            preferred: times.makeable(&preferred),
            zone: Some(tz),
        }
    }
}

/// A facilitator: a person who leads up to `max_groups` groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facilitator {
    /// Availability.
    pub person: Person,
    /// How many groups they may lead.
    pub max_groups: usize,
}

/// Everything the solver needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The times groups can meet at.
    pub times: Times,
    /// Learners to place.
    pub learners: Vec<Person>,
    /// Facilitators.
    pub facilitators: Vec<Facilitator>,
    /// Settings.
    pub params: Params,
}

impl Problem {
    /// A problem with UTC times only, no one in it yet.
    pub fn utc(params: Params) -> Self {
        Self {
            times: Times::utc_only(1, params.meeting_slots),
            learners: Vec::new(),
            facilitators: Vec::new(),
            params,
        }
    }
}

/// Which times a cohort's groups may meet at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeModel {
    /// Fixed UTC times, and times anchored in the zones of the people
    /// signed up (the same local time all term).
    #[default]
    Anchored,
    /// Fixed UTC times only.
    UtcOnly,
}

/// Someone signed up, as given: a timezone and a local week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUp {
    /// Caller's id for the person.
    pub id: String,
    /// Their timezone; `None` when they gave no (valid) one.
    pub zone: Option<Tz>,
    /// Their weekly availability in local time.
    pub local: LocalAvailability,
    /// For a facilitator, how many groups they may lead; `None` for a learner.
    pub max_groups: Option<usize>,
}

impl Problem {
    /// The problem of a cohort whose meetings are in the weeks starting on
    /// the Mondays `weeks`: candidate times from the zones of the people
    /// signed up (most common first, see [`Times::for_cohort`]), each
    /// person's times converted week by week.
    pub fn for_cohort(
        weeks: &[NaiveDate],
        params: Params,
        model: TimeModel,
        people: &[SignedUp],
    ) -> Self {
        let zones = match model {
            TimeModel::UtcOnly => Vec::new(),
            TimeModel::Anchored => zones_by_use(people),
        };
        let times = Times::for_cohort(weeks, params.meeting_slots, &zones);
        let mut problem = Self {
            learners: Vec::new(),
            facilitators: Vec::new(),
            params,
            times,
        };
        for person in people {
            let p = match person.zone {
                Some(tz) => Person::local(&person.id, tz, &person.local, weeks, &problem.times),
                None => Person {
                    id: person.id.clone(),
                    usable: TimeSet::empty(problem.times.len()),
                    preferred: TimeSet::empty(problem.times.len()),
                    zone: None,
                },
            };
            match person.max_groups {
                Some(max_groups) => problem.facilitators.push(Facilitator {
                    person: p,
                    max_groups,
                }),
                None => problem.learners.push(p),
            }
        }
        problem
    }
}

fn zones_by_use(people: &[SignedUp]) -> Vec<Tz> {
    let mut counts: std::collections::HashMap<Tz, usize> = std::collections::HashMap::new();
    for zone in people.iter().filter_map(|p| p.zone) {
        *counts.entry(zone).or_default() += 1;
    }
    let mut zones: Vec<(Tz, usize)> = counts.into_iter().collect();
    zones.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name().cmp(b.0.name())));
    zones.into_iter().map(|(zone, _)| zone).collect()
}

/// Why a learner was not placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// They gave no availability (or none long enough for a meeting).
    NoAvailability,
    /// No facilitator can meet at any of their times.
    NoFacilitatorOverlap,
    /// Too few other learners share a time with them and a facilitator.
    NoOverlapWithOthers,
    /// Facilitators at their times already lead as many groups as they may.
    FacilitatorCapacity,
}

impl Reason {
    /// A sentence for admins.
    pub fn explain(self) -> &'static str {
        match self {
            Self::NoAvailability => "gave no availability long enough for a meeting",
            Self::NoFacilitatorOverlap => "no facilitator is available at any of their times",
            Self::NoOverlapWithOthers => {
                "too few other learners share a time with them and a facilitator"
            }
            Self::FacilitatorCapacity => {
                "the facilitators at their times already lead their maximum number of groups, and those groups are full"
            }
        }
    }
}

/// A proposed group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Index into `Problem::facilitators`.
    pub facilitator: usize,
    /// Its weekly time: an index into `Problem::times`.
    pub time: usize,
    /// Indexes into `Problem::learners`.
    pub learners: Vec<usize>,
}

/// A proposal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Solution {
    /// Groups, ordered by time then facilitator.
    pub groups: Vec<Group>,
    /// Learners not placed, with the reason.
    pub unplaced: Vec<(usize, Reason)>,
}

/// Quality figures of a solution.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quality {
    /// Learners placed.
    pub placed: usize,
    /// Learners in total.
    pub learners: usize,
    /// Members (learners and facilitators) meeting at an "if needed" time.
    pub if_needed_uses: usize,
    /// Largest minus smallest group size.
    pub size_spread: usize,
    /// Groups.
    pub groups: usize,
}

impl Solution {
    /// Learners placed.
    pub fn placed(&self) -> usize {
        self.groups.iter().map(|g| g.learners.len()).sum()
    }

    /// Checks every rule and measures the solution. Returns the broken rule
    /// as text if any.
    pub fn evaluate(&self, problem: &Problem) -> Result<Quality, String> {
        let params = &problem.params;
        let mut seen = vec![false; problem.learners.len()];
        let mut led: Vec<Vec<usize>> = vec![Vec::new(); problem.facilitators.len()];
        let mut quality = Quality {
            learners: problem.learners.len(),
            groups: self.groups.len(),
            ..Default::default()
        };
        let (mut smallest, mut largest) = (usize::MAX, 0);
        for group in &self.groups {
            let size = group.learners.len() + 1;
            if size < params.min_size || size > params.max_size {
                return Err(format!(
                    "a group at {} has {size} members",
                    problem.times.get(group.time).describe()
                ));
            }
            smallest = smallest.min(size);
            largest = largest.max(size);
            let facilitator = &problem.facilitators[group.facilitator];
            let (usable, preferred) = (&facilitator.person.usable, &facilitator.person.preferred);
            if !usable.contains(group.time) {
                return Err(format!(
                    "facilitator {} cannot make time {}",
                    facilitator.person.id, group.time
                ));
            }
            quality.if_needed_uses += usize::from(!preferred.contains(group.time));
            led[group.facilitator].push(group.time);
            for &learner in &group.learners {
                if std::mem::replace(&mut seen[learner], true) {
                    return Err(format!(
                        "learner {} is in two groups",
                        problem.learners[learner].id
                    ));
                }
                let learner_at = &problem.learners[learner];
                let (usable, preferred) = (&learner_at.usable, &learner_at.preferred);
                if !usable.contains(group.time) {
                    return Err(format!(
                        "learner {} cannot make time {}",
                        problem.learners[learner].id, group.time
                    ));
                }
                quality.if_needed_uses += usize::from(!preferred.contains(group.time));
                quality.placed += 1;
            }
        }
        for (index, starts) in led.iter().enumerate() {
            if starts.len() > problem.facilitators[index].max_groups {
                return Err(format!(
                    "facilitator {} leads too many groups",
                    problem.facilitators[index].person.id
                ));
            }
            for (i, a) in starts.iter().enumerate() {
                for b in &starts[i + 1..] {
                    if problem.times.overlap(*a, *b) {
                        return Err(format!(
                            "facilitator {} has overlapping groups",
                            problem.facilitators[index].person.id
                        ));
                    }
                }
            }
        }
        quality.size_spread = if self.groups.is_empty() {
            0
        } else {
            largest - smallest
        };
        Ok(quality)
    }
}

/// Whether meetings starting at `a` and `b` overlap (on the week's circle).
pub fn overlaps(a: usize, b: usize, length: usize) -> bool {
    let week = super::slots::SLOTS_PER_WEEK;
    let distance = (a + week - b) % week;
    distance.min(week - distance) < length
}
