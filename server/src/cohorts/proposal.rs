//! Proposing a cohort's groups: sign-ups to a matching problem (availability
//! in UTC for the cohort's real weeks), the solver off the async threads,
//! and the result stored as preview groups. Shared by
//! `CohortService.ProposeGroups` and `lens-server cohort propose`.

use std::collections::HashMap;

use crate::domain::{CohortId, CohortRole, UserId};
use crate::matching::availability::{LocalAvailability, meeting_weeks, utc_for_weeks};
use crate::matching::names::group_name;
use crate::matching::slots::SlotSet;
use crate::matching::{Facilitator, Params, Person, Problem, Reason, Solution, solve};
use crate::store::{CohortRecord, MatchingSignup, NewGroup, Store, StoreResult};

/// A computed proposal, with the ids behind the solver's indexes.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// What was solved.
    pub problem: Problem,
    /// The solver's answer.
    pub solution: Solution,
    /// User id of each learner index.
    pub learner_ids: Vec<UserId>,
    /// User id of each facilitator index.
    pub facilitator_ids: Vec<UserId>,
    /// Display names by user id.
    pub names: HashMap<UserId, String>,
}

/// Local availability as UTC slots that hold in every one of `weeks`.
pub fn utc_availability(
    user_id: UserId,
    timezone: &str,
    available: &[u16],
    if_needed: &[u16],
    weeks: &[chrono::NaiveDate],
) -> Person {
    let set = |slots: &[u16]| {
        let mut set = SlotSet::EMPTY;
        for s in slots {
            set.insert(usize::from(*s));
        }
        set
    };
    let Ok(tz) = timezone.parse::<chrono_tz::Tz>() else {
        return Person {
            id: user_id.to_string(),
            available: SlotSet::EMPTY,
            if_needed: SlotSet::EMPTY,
        };
    };
    let local = LocalAvailability {
        available: set(available),
        if_needed: set(if_needed),
    };
    let utc = utc_for_weeks(tz, weeks, &local);
    Person {
        id: user_id.to_string(),
        available: utc.available,
        if_needed: utc.if_needed,
    }
}

fn person(signup: &MatchingSignup, weeks: &[chrono::NaiveDate]) -> Person {
    match signup.availability() {
        Some((timezone, available, if_needed)) => {
            utc_availability(signup.user_id, &timezone, &available, &if_needed, weeks)
        }
        None => utc_availability(signup.user_id, "UTC", &[], &[], weeks),
    }
}

/// Computes groups for a cohort's sign-ups. `progress` hears the number
/// placed after each solver round.
pub async fn propose(
    store: &Store,
    cohort: &CohortRecord,
    params: Params,
    progress: impl FnMut(usize) + Send + 'static,
) -> StoreResult<Proposal> {
    let signups = store.signups_for_matching(cohort.id).await?;
    let weeks = meeting_weeks(cohort.start_date, cohort.meeting_count as u32);
    let mut problem = Problem {
        params,
        ..Default::default()
    };
    let (mut learner_ids, mut facilitator_ids) = (Vec::new(), Vec::new());
    let mut names = HashMap::new();
    for signup in &signups {
        names.insert(signup.user_id, signup.name.clone());
        let p = person(signup, &weeks);
        match (signup.role, signup.max_active_groups) {
            (CohortRole::Facilitator, Some(max)) => {
                // The limit is on groups led at once, across cohorts.
                let busy = store
                    .groups_led_elsewhere(cohort.id, signup.user_id)
                    .await?;
                problem.facilitators.push(Facilitator {
                    person: p,
                    max_groups: (max - busy).max(0) as usize,
                });
                facilitator_ids.push(signup.user_id);
            }
            _ => {
                problem.learners.push(p);
                learner_ids.push(signup.user_id);
            }
        }
    }
    // The solver is CPU work: keep it off the async threads.
    let (solution, problem) =
        tokio::task::spawn_blocking(move || (solve(&problem, progress), problem))
            .await
            .expect("the solver does not panic");
    Ok(Proposal {
        problem,
        solution,
        learner_ids,
        facilitator_ids,
        names,
    })
}

/// Stores a proposal as the cohort's preview groups (replacing earlier ones).
pub async fn save(store: &Store, cohort_id: CohortId, proposal: &Proposal) -> StoreResult<()> {
    let groups: Vec<NewGroup> = proposal
        .solution
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| NewGroup {
            name: group_name(i),
            start_slot: g.start as i64,
            facilitator: proposal.facilitator_ids[g.facilitator],
            learners: g
                .learners
                .iter()
                .map(|l| proposal.learner_ids[*l])
                .collect(),
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
