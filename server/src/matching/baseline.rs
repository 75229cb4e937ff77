//! The baselines the solver is measured against: the greedy pass courses
//! run today, once in input order, and the stochastic version (many
//! randomised passes, least available first, best kept).

use rand::{Rng, SeedableRng};

use super::problem::{Group, Problem, Reason, Solution};
use super::times::TimeSet;

struct Forming {
    facilitator: usize,
    common: TimeSet,
    learners: Vec<usize>,
}

/// One greedy pass in `order`: each learner joins the first group whose
/// members still share a start with them, or opens a group with the first
/// free facilitator who shares one; groups under the minimum are dropped.
pub fn greedy(problem: &Problem, order: &[usize]) -> Solution {
    let params = &problem.params;
    let usable: Vec<&TimeSet> = problem.learners.iter().map(|l| &l.usable).collect();
    let f_usable: Vec<&TimeSet> = problem
        .facilitators
        .iter()
        .map(|f| &f.person.usable)
        .collect();
    let f_pref: Vec<&TimeSet> = problem
        .facilitators
        .iter()
        .map(|f| &f.person.preferred)
        .collect();
    let mut used = vec![0usize; problem.facilitators.len()];
    let mut forming: Vec<Forming> = Vec::new();
    for &learner in order {
        if usable[learner].is_empty() {
            continue;
        }
        if let Some(group) = forming.iter_mut().find(|g| {
            g.learners.len() < params.max_learners() && !g.common.and(usable[learner]).is_empty()
        }) {
            group.common = group.common.and(usable[learner]);
            group.learners.push(learner);
            continue;
        }
        let free = (0..problem.facilitators.len()).find(|&f| {
            used[f] < problem.facilitators[f].max_groups
                && !f_usable[f].and(usable[learner]).is_empty()
        });
        if let Some(facilitator) = free {
            used[facilitator] += 1;
            forming.push(Forming {
                facilitator,
                common: f_usable[facilitator].and(usable[learner]),
                learners: vec![learner],
            });
        }
    }
    // Times: each group takes the first common start its facilitator prefers
    // (else any), avoiding overlaps with that facilitator's other groups.
    let mut led: Vec<Vec<usize>> = vec![Vec::new(); problem.facilitators.len()];
    let mut groups = Vec::new();
    for group in forming
        .into_iter()
        .filter(|g| g.learners.len() >= params.min_learners())
    {
        let free_start = |set: &TimeSet| {
            set.iter().find(|&s| {
                led[group.facilitator]
                    .iter()
                    .all(|&o| !problem.times.overlap(o, s))
            })
        };
        let start = free_start(&group.common.and(f_pref[group.facilitator]))
            .or_else(|| free_start(&group.common));
        if let Some(start) = start {
            led[group.facilitator].push(start);
            groups.push(Group {
                facilitator: group.facilitator,
                time: start,
                learners: group.learners,
            });
        }
    }
    let placed: std::collections::HashSet<usize> = groups
        .iter()
        .flat_map(|g| g.learners.iter().copied())
        .collect();
    let unplaced = (0..problem.learners.len())
        .filter(|l| !placed.contains(l))
        .map(|l| {
            (
                l,
                if usable[l].is_empty() {
                    Reason::NoAvailability
                } else {
                    Reason::NoOverlapWithOthers
                },
            )
        })
        .collect();
    Solution { groups, unplaced }
}

/// `passes` greedy passes, learners sorted by how many starts they can make
/// (fewest first) with random jitter, keeping the pass that places most
/// (then uses "if needed" least).
pub fn stochastic_greedy(problem: &Problem, passes: usize, seed: u64) -> Solution {
    let flex: Vec<f64> = problem
        .learners
        .iter()
        .map(|l| l.usable.len() as f64)
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut best: Option<(usize, usize, Solution)> = None;
    for _ in 0..passes {
        let mut keyed: Vec<(f64, usize)> = flex
            .iter()
            .enumerate()
            .map(|(i, f)| (f + rng.random_range(0.0..4.0), i))
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
        let solution = greedy(problem, &order);
        let quality = solution.evaluate(problem).unwrap_or_default();
        let better = match &best {
            None => true,
            Some((placed, if_needed, _)) => {
                quality.placed > *placed
                    || (quality.placed == *placed && quality.if_needed_uses < *if_needed)
            }
        };
        if better {
            best = Some((quality.placed, quality.if_needed_uses, solution));
        }
    }
    best.map(|(_, _, s)| s).unwrap_or_default()
}
