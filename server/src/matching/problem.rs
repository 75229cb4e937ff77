//! The matching problem in UTC week slots, and its solution.

use super::slots::SlotSet;

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

/// A person's availability in UTC slots (already valid for every week).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Caller's id for the person.
    pub id: String,
    /// Slots the person can make.
    pub available: SlotSet,
    /// Further slots the person can make if needed.
    pub if_needed: SlotSet,
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    /// Learners to place.
    pub learners: Vec<Person>,
    /// Facilitators.
    pub facilitators: Vec<Facilitator>,
    /// Settings.
    pub params: Params,
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
    /// Meeting start, a UTC week slot.
    pub start: usize,
    /// Indexes into `Problem::learners`.
    pub learners: Vec<usize>,
}

/// A proposal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Solution {
    /// Groups, ordered by start then facilitator.
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

/// The meeting starts a person can make, and those they can make without
/// "if needed".
pub fn starts(person: &Person, params: &Params) -> (SlotSet, SlotSet) {
    let usable = person
        .available
        .or(&person.if_needed)
        .starts(params.meeting_slots);
    let preferred = person.available.starts(params.meeting_slots);
    (usable, preferred)
}

impl Solution {
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
                    "a group at slot {} has {size} members",
                    group.start
                ));
            }
            smallest = smallest.min(size);
            largest = largest.max(size);
            let facilitator = &problem.facilitators[group.facilitator];
            let (usable, preferred) = starts(&facilitator.person, params);
            if !usable.contains(group.start) {
                return Err(format!(
                    "facilitator {} cannot make slot {}",
                    facilitator.person.id, group.start
                ));
            }
            quality.if_needed_uses += usize::from(!preferred.contains(group.start));
            led[group.facilitator].push(group.start);
            for &learner in &group.learners {
                if std::mem::replace(&mut seen[learner], true) {
                    return Err(format!(
                        "learner {} is in two groups",
                        problem.learners[learner].id
                    ));
                }
                let (usable, preferred) = starts(&problem.learners[learner], params);
                if !usable.contains(group.start) {
                    return Err(format!(
                        "learner {} cannot make slot {}",
                        problem.learners[learner].id, group.start
                    ));
                }
                quality.if_needed_uses += usize::from(!preferred.contains(group.start));
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
                    if overlaps(*a, *b, params.meeting_slots) {
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
