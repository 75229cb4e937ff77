//! Proposing a cohort's groups: sign-ups to a matching problem (availability
//! in UTC for the cohort's real weeks), the solver off the async threads,
//! and the result stored as preview groups. Shared by
//! `CohortService.ProposeGroups` and `lens-server cohort propose`.

use std::collections::HashMap;
use std::time::Duration;

use crate::domain::{CohortId, CohortRole, UserId};
use crate::matching::availability::{LocalAvailability, meeting_weeks};
use crate::matching::exact::{Progress, Report, solve_exactly};
use crate::matching::names::group_name;
use crate::matching::slots::SlotSet;
use crate::matching::{Params, Problem, Reason, SignedUp, Solution, TimeModel};
use crate::store::{CohortRecord, NewGroup, Store, StoreResult};

/// How to match a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchingSettings {
    /// Group sizes and meeting length.
    pub params: Params,
    /// Which times groups may meet at.
    pub model: TimeModel,
    /// How long the exact search may take after the fast solver.
    pub exact_time: Duration,
}

impl Default for MatchingSettings {
    fn default() -> Self {
        Self {
            params: Params::default(),
            model: TimeModel::Anchored,
            exact_time: Duration::from_secs(10),
        }
    }
}

/// A computed proposal, with the ids behind the solver's indexes.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// What was solved.
    pub problem: Problem,
    /// The answer.
    pub solution: Solution,
    /// How it was found, and how good it is known to be.
    pub report: Report,
    /// User id of each learner index.
    pub learner_ids: Vec<UserId>,
    /// User id of each facilitator index.
    pub facilitator_ids: Vec<UserId>,
    /// Display names by user id.
    pub names: HashMap<UserId, String>,
}

/// A stored weekly availability as the matching problem takes it; `None`
/// zone when the timezone is not one we know.
pub fn signed_up(
    user_id: UserId,
    timezone: &str,
    available: &[u16],
    if_needed: &[u16],
    max_groups: Option<usize>,
) -> SignedUp {
    let set = |slots: &[u16]| {
        let mut set = SlotSet::EMPTY;
        for s in slots {
            set.insert(usize::from(*s));
        }
        set
    };
    SignedUp {
        id: user_id.to_string(),
        zone: timezone.parse::<chrono_tz::Tz>().ok(),
        local: LocalAvailability {
            available: set(available),
            if_needed: set(if_needed),
        },
        max_groups,
    }
}

/// Computes groups for a cohort's sign-ups: the fast solver, then the exact
/// search seeded with its answer. `progress` hears each round of the fast
/// solver, the start of the exact search, and the end.
pub async fn propose(
    store: &Store,
    cohort: &CohortRecord,
    settings: MatchingSettings,
    progress: impl FnMut(Progress) + Send + 'static,
) -> StoreResult<Proposal> {
    let signups = store.signups_for_matching(cohort.id).await?;
    let weeks = meeting_weeks(cohort.start_date, cohort.meeting_count as u32);
    let (mut learner_ids, mut facilitator_ids) = (Vec::new(), Vec::new());
    let mut names = HashMap::new();
    let mut people = Vec::with_capacity(signups.len());
    for signup in &signups {
        names.insert(signup.user_id, signup.name.clone());
        let max_groups = match (signup.role, signup.max_active_groups) {
            (CohortRole::Facilitator, Some(max)) => {
                // The limit is on groups led at once, across cohorts.
                let busy = store
                    .groups_led_elsewhere(cohort.id, signup.user_id)
                    .await?;
                facilitator_ids.push(signup.user_id);
                Some((max - busy).max(0) as usize)
            }
            _ => {
                learner_ids.push(signup.user_id);
                None
            }
        };
        let (timezone, available, if_needed) = signup
            .availability()
            .unwrap_or_else(|| ("UTC".into(), Vec::new(), Vec::new()));
        people.push(signed_up(
            signup.user_id,
            &timezone,
            &available,
            &if_needed,
            max_groups,
        ));
    }
    let problem = Problem::for_cohort(&weeks, settings.params, settings.model, &people);
    // The solvers are CPU work: keep them off the async threads.
    let (solution, report, problem) = tokio::task::spawn_blocking(move || {
        let (solution, report) = solve_exactly(&problem, settings.exact_time, progress);
        (solution, report, problem)
    })
    .await
    .expect("the solvers do not panic");
    Ok(Proposal {
        problem,
        solution,
        report,
        learner_ids,
        facilitator_ids,
        names,
    })
}

impl Proposal {
    /// Clock changes admins should know of: for each group, the zones of
    /// its members in which its weekly time does not stay at one local
    /// time all term, in words (group names as [`save`] gives them).
    pub fn clock_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for (i, group) in self.solution.groups.iter().enumerate() {
            let people = std::iter::once(&self.problem.facilitators[group.facilitator].person)
                .chain(group.learners.iter().map(|l| &self.problem.learners[*l]));
            let mut zones: Vec<_> = people
                .filter_map(|p| p.zone)
                .filter(|zone| !self.problem.times.steady_in(group.time, *zone))
                .map(|zone| zone.name().to_owned())
                .collect();
            zones.sort();
            zones.dedup();
            if !zones.is_empty() {
                warnings.push(format!(
                    "{} meets at {}, which moves by the clock change during the cohort for members in {}",
                    group_name(i),
                    self.problem.times.get(group.time).describe(),
                    zones.join(", ")
                ));
            }
        }
        warnings
    }
}

/// Stores a proposal as the cohort's preview groups (replacing earlier ones).
pub async fn save(store: &Store, cohort_id: CohortId, proposal: &Proposal) -> StoreResult<()> {
    let groups: Vec<NewGroup> = proposal
        .solution
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let time = proposal.problem.times.get(g.time);
            NewGroup {
                name: group_name(i),
                start_slot: time.first_utc_start() as i64,
                anchor: time.anchor.name().to_owned(),
                local_slot: time.local_start as i64,
                facilitator: proposal.facilitator_ids[g.facilitator],
                learners: g
                    .learners
                    .iter()
                    .map(|l| proposal.learner_ids[*l])
                    .collect(),
            }
        })
        .collect();
    let unplaced: Vec<(UserId, &str)> = proposal
        .solution
        .unplaced
        .iter()
        .map(|(l, reason)| (proposal.learner_ids[*l], reason_code(*reason)))
        .collect();
    store
        .replace_preview_groups(cohort_id, &groups, &unplaced)
        .await?;
    Ok(())
}

/// The stored, machine-readable name of a reason.
pub fn reason_code(reason: Reason) -> &'static str {
    match reason {
        Reason::NoAvailability => "no_availability",
        Reason::NoFacilitatorOverlap => "no_facilitator_overlap",
        Reason::NoOverlapWithOthers => "no_overlap_with_others",
        Reason::FacilitatorCapacity => "facilitator_capacity",
    }
}
