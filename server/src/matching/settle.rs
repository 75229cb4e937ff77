//! Settling each group's time once its members are known: a group whose
//! members share clock rules should meet at the same local time all term,
//! not at a UTC time that moves for them when their clocks change.
//!
//! Among the times every member and the facilitator can make (no member
//! moved to "if needed" time, no clash with the facilitator's other groups),
//! a group takes the one that keeps the local clock time of the most
//! members steady. Nobody is placed or unplaced by this, and no one's
//! "if needed" use grows.

use super::problem::{Problem, Solution};

/// `solution` with each group at the time that keeps most of its members'
/// local time steady (see the module comment).
pub fn settle_times(problem: &Problem, mut solution: Solution) -> Solution {
    let times = &problem.times;
    for index in 0..solution.groups.len() {
        let group = &solution.groups[index];
        let facilitator = &problem.facilitators[group.facilitator].person;
        let members: Vec<&super::Person> = std::iter::once(facilitator)
            .chain(group.learners.iter().map(|&l| &problem.learners[l]))
            .collect();
        let preferred_at = |t: usize| members.iter().filter(|m| m.preferred.contains(t)).count();
        let steady_at = |t: usize| {
            members
                .iter()
                .filter(|m| m.zone.is_some_and(|zone| times.steady_in(t, zone)))
                .count()
        };
        let others: Vec<usize> = solution
            .groups
            .iter()
            .enumerate()
            .filter(|(i, g)| *i != index && g.facilitator == group.facilitator)
            .map(|(_, g)| g.time)
            .collect();
        let current = group.time;
        let (mut best, mut best_steady) = (current, steady_at(current));
        let floor = preferred_at(current);
        let shared = members
            .iter()
            .fold(facilitator.usable.clone(), |all, m| all.and(&m.usable));
        for t in shared.iter() {
            if t == current || others.iter().any(|&o| times.overlap(o, t)) {
                continue;
            }
            let steady = steady_at(t);
            if steady > best_steady && preferred_at(t) >= floor {
                (best, best_steady) = (t, steady);
            }
        }
        solution.groups[index].time = best;
    }
    solution
        .groups
        .sort_by_key(|g| (times.get(g.time).first_utc_start(), g.time, g.facilitator));
    solution
}
