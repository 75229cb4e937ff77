//! The matching solver.
//!
//! Learners only care *when* a group meets, so the solver works on the
//! cohort's meeting times ("starts" below: indexes into `Problem::times`)
//! with a pooled capacity per time (learners per group × groups opened
//! there), and splits each pool into groups at the end.
//!
//! 1. **Open groups greedily by demand.** Repeatedly open a group at the
//!    start with the most unplaced learners who can make it (capped at a full
//!    group), ties going to the start whose waiting learners have the fewest
//!    other options, with a free facilitator (least flexible first; one
//!    swap with another facilitator's group is tried when none is free). The
//!    new group is filled with the least flexible learners who can make it.
//!    A group is only opened when it can be filled to the minimum size.
//! 2. **Augment.** For each unplaced learner (least flexible first), search
//!    the starts breadth-first for a chain of moves — this learner into a
//!    full start, one of its members to another start they can make, … —
//!    that ends at a start with room. Given the groups, this places the most
//!    learners possible (it is the augmenting-path step of a max flow), and
//!    it never empties a group, so every group keeps its minimum size.
//!    Steps 1 and 2 repeat while either places someone.
//! 3. **Prefer real availability.** Learners meeting at an "if needed" time
//!    move to a start where they are fully available and there is room.
//! 4. **Split pools into groups** of balanced sizes (sizes at one start differ
//!    by at most one).
//!
//! Everything is deterministic: ties break by index.

use std::collections::VecDeque;

use super::problem::{Group, Problem, Reason, Solution};
use super::times::TimeSet;

struct State<'p> {
    problem: &'p Problem,
    min_l: usize,
    max_l: usize,
    times: usize,
    l_usable: Vec<TimeSet>,
    l_pref: Vec<TimeSet>,
    l_flex: Vec<usize>,
    f_usable: Vec<TimeSet>,
    /// Learners who can make each start, best candidates first.
    at: Vec<Vec<usize>>,
    /// Facilitators who can make each start.
    fac_at: Vec<Vec<usize>>,
    assigned: Vec<Option<usize>>,
    members: Vec<Vec<usize>>,
    cap: Vec<usize>,
    /// (facilitator, start) of every group.
    groups: Vec<(usize, usize)>,
    led: Vec<Vec<usize>>,
    unassigned_at: Vec<usize>,
    /// Sum over unplaced learners who can make the start of 1 / their options.
    pressure_at: Vec<f64>,
}

/// Proposes groups for `problem`. `progress` is called with the number of
/// learners placed so far after each round.
pub fn solve(problem: &Problem, mut progress: impl FnMut(usize)) -> Solution {
    let mut state = State::new(problem);
    for _round in 0..8 {
        let opened = state.open_groups() + state.open_by_borrowing();
        let augmented = state.augment();
        progress(state.assigned.iter().filter(|a| a.is_some()).count());
        if opened == 0 && augmented == 0 {
            break;
        }
    }
    state.prefer_available();
    state.balance();
    state.into_solution()
}

/// Finishes groups found elsewhere (the exact search) the way [`solve`]
/// finishes its own: learners at an "if needed" time move where they are
/// fully available if there is room, sizes are evened out across times,
/// pools are split into balanced groups and the unplaced get their reasons.
/// `groups` are (facilitator, time, learners); none is dropped if it holds
/// at least the minimum.
pub fn finish(problem: &Problem, groups: &[(usize, usize, Vec<usize>)]) -> Solution {
    let mut state = State::new(problem);
    for (facilitator, time, learners) in groups {
        state.groups.push((*facilitator, *time));
        state.led[*facilitator].push(*time);
        state.cap[*time] += state.max_l;
        for &learner in learners {
            state.assign(learner, *time);
        }
    }
    state.prefer_available();
    state.balance();
    state.into_solution()
}

impl<'p> State<'p> {
    fn new(problem: &'p Problem) -> Self {
        let params = &problem.params;
        let times = problem.times.len();
        let (l_usable, l_pref): (Vec<_>, Vec<_>) = problem
            .learners
            .iter()
            .map(|l| (l.usable.clone(), l.preferred.clone()))
            .unzip();
        let (f_usable, f_pref): (Vec<_>, Vec<_>) = problem
            .facilitators
            .iter()
            .map(|f| (f.person.usable.clone(), f.person.preferred.clone()))
            .unzip();
        let l_flex: Vec<usize> = l_usable.iter().map(TimeSet::len).collect();
        let f_flex: Vec<usize> = f_usable.iter().map(TimeSet::len).collect();
        let mut at = vec![Vec::new(); times];
        let mut unassigned_at = vec![0; times];
        let mut pressure_at = vec![0.0; times];
        for (learner, usable) in l_usable.iter().enumerate() {
            for start in usable.iter() {
                at[start].push(learner);
                unassigned_at[start] += 1;
                pressure_at[start] += 1.0 / l_flex[learner] as f64;
            }
        }
        for (start, list) in at.iter_mut().enumerate() {
            list.sort_by_key(|&l| (!l_pref[l].contains(start), l_flex[l], l));
        }
        let mut fac_at = vec![Vec::new(); times];
        for (facilitator, usable) in f_usable.iter().enumerate() {
            for start in usable.iter() {
                fac_at[start].push(facilitator);
            }
        }
        for (start, list) in fac_at.iter_mut().enumerate() {
            list.sort_by_key(|&f| (!f_pref[f].contains(start), f_flex[f], f));
        }
        Self {
            problem,
            times,
            min_l: params.min_learners(),
            max_l: params.max_learners(),
            assigned: vec![None; l_usable.len()],
            members: vec![Vec::new(); times],
            cap: vec![0; times],
            groups: Vec::new(),
            led: vec![Vec::new(); f_usable.len()],
            l_usable,
            l_pref,
            l_flex,
            f_usable,
            at,
            fac_at,
            unassigned_at,
            pressure_at,
        }
    }

    fn overlap(&self, a: usize, b: usize) -> bool {
        self.problem.times.overlap(a, b)
    }

    fn can_lead(&self, facilitator: usize, start: usize) -> bool {
        self.led[facilitator].len() < self.problem.facilitators[facilitator].max_groups
            && self.f_usable[facilitator].contains(start)
            && self.led[facilitator]
                .iter()
                .all(|&s| !self.overlap(s, start))
    }

    /// A facilitator for a new group at `start`: a free one, or one freed
    /// by handing one of their groups to a free colleague. Returns the
    /// facilitator and, for a swap, (group index, new facilitator).
    fn facilitator_for(&self, start: usize) -> Option<(usize, Option<(usize, usize)>)> {
        if let Some(&f) = self.fac_at[start]
            .iter()
            .find(|&&f| self.can_lead(f, start))
        {
            return Some((f, None));
        }
        for &f in &self.fac_at[start] {
            for (index, &(leader, group_start)) in self.groups.iter().enumerate() {
                if leader != f {
                    continue;
                }
                // f hands the group at group_start to g, then leads at start.
                let others_ok = self.led[f]
                    .iter()
                    .filter(|&&s| s != group_start)
                    .all(|&s| !self.overlap(s, start));
                if !others_ok {
                    continue;
                }
                if let Some(&g) = self.fac_at[group_start]
                    .iter()
                    .find(|&&g| g != f && self.can_lead(g, group_start))
                {
                    return Some((f, Some((index, g))));
                }
            }
        }
        None
    }

    fn assign(&mut self, learner: usize, start: usize) {
        if self.assigned[learner].is_none() {
            let weight = 1.0 / self.l_flex[learner] as f64;
            for s in self.l_usable[learner].iter() {
                self.unassigned_at[s] -= 1;
                self.pressure_at[s] -= weight;
            }
        } else if let Some(previous) = self.assigned[learner] {
            self.members[previous].retain(|&m| m != learner);
        }
        self.assigned[learner] = Some(start);
        self.members[start].push(learner);
    }

    /// Step 1. Returns how many groups were opened.
    fn open_groups(&mut self) -> usize {
        let mut opened = 0;
        loop {
            let mut best: Option<(usize, f64, usize)> = None;
            for start in 0..self.times {
                let gain = self.unassigned_at[start].min(self.max_l);
                if gain < self.min_l || self.fac_at[start].is_empty() {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((g, pressure, _)) => {
                        gain > g || (gain == g && self.pressure_at[start] > pressure + 1e-9)
                    }
                };
                if better && self.facilitator_for(start).is_some() {
                    best = Some((gain, self.pressure_at[start], start));
                }
            }
            let Some((_, _, start)) = best else {
                return opened;
            };
            let Some((facilitator, swap)) = self.facilitator_for(start) else {
                return opened;
            };
            self.open_at(start, facilitator, swap);
            opened += 1;
        }
    }

    /// Learners at other starts who could move to `start` without taking
    /// their own pool below its groups' minimum, most slack first.
    fn movable_to(&self, start: usize) -> Vec<usize> {
        let mut movable: Vec<(usize, usize)> = self.at[start]
            .iter()
            .copied()
            .filter_map(|l| {
                let from = self.assigned[l]?;
                let slack = self.members[from]
                    .len()
                    .checked_sub(self.groups_at(from) * self.min_l)?;
                (from != start && slack > 0).then_some((slack, l))
            })
            .collect();
        movable.sort_by_key(|&(slack, l)| (std::cmp::Reverse(slack), self.l_flex[l], l));
        movable.into_iter().map(|(_, l)| l).collect()
    }

    fn groups_at(&self, start: usize) -> usize {
        self.cap[start] / self.max_l
    }

    /// Step 1b: opens a group where too few learners wait for step 1 but
    /// learners placed elsewhere, whose groups can spare them, make up the
    /// minimum. Each such group places at least one more learner.
    fn open_by_borrowing(&mut self) -> usize {
        let mut opened = 0;
        let mut candidates: Vec<usize> = (0..self.times)
            .filter(|&s| self.unassigned_at[s] > 0)
            .collect();
        candidates.sort_by_key(|&s| (std::cmp::Reverse(self.unassigned_at[s]), s));
        for start in candidates {
            let waiting = self.unassigned_at[start];
            if waiting == 0 || waiting >= self.min_l {
                continue;
            }
            // Plan the moves against each pool's slack, so borrowing never
            // takes a pool below its minimum.
            let need = self.min_l - waiting;
            let mut slack: std::collections::HashMap<usize, usize> =
                std::collections::HashMap::new();
            let mut moves = Vec::new();
            for learner in self.movable_to(start) {
                if moves.len() == need {
                    break;
                }
                let Some(from) = self.assigned[learner] else {
                    continue;
                };
                let left = slack.entry(from).or_insert_with(|| {
                    self.members[from].len() - self.groups_at(from) * self.min_l
                });
                if *left > 0 {
                    *left -= 1;
                    moves.push(learner);
                }
            }
            if moves.len() < need {
                continue;
            }
            let Some((facilitator, swap)) = self.facilitator_for(start) else {
                continue;
            };
            self.open_at(start, facilitator, swap);
            for learner in moves {
                self.assign(learner, start);
            }
            opened += 1;
        }
        opened
    }

    /// Opens a group at `start` led by `facilitator` (after the swap, if
    /// any) and fills it with waiting learners.
    fn open_at(&mut self, start: usize, facilitator: usize, swap: Option<(usize, usize)>) {
        if let Some((index, replacement)) = swap {
            let group_start = self.groups[index].1;
            self.led[facilitator].retain(|&s| s != group_start);
            self.led[replacement].push(group_start);
            self.groups[index].0 = replacement;
        }
        self.groups.push((facilitator, start));
        self.led[facilitator].push(start);
        self.cap[start] += self.max_l;
        let candidates: Vec<usize> = self.at[start]
            .iter()
            .copied()
            .filter(|&l| self.assigned[l].is_none())
            .take(self.max_l)
            .collect();
        for learner in candidates {
            self.assign(learner, start);
        }
    }

    /// Step 2. Returns how many learners were placed.
    fn augment(&mut self) -> usize {
        let mut waiting: Vec<usize> = (0..self.assigned.len())
            .filter(|&l| self.assigned[l].is_none())
            .collect();
        waiting.sort_by_key(|&l| (self.l_flex[l], l));
        let mut placed = 0;
        for learner in waiting {
            if self.place_by_path(learner) {
                placed += 1;
            }
        }
        placed
    }

    fn place_by_path(&mut self, learner: usize) -> bool {
        // parent[start] = (previous start, learner who moves from previous to start)
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; self.times];
        let mut seen = vec![false; self.times];
        let mut queue = VecDeque::new();
        for start in self.l_usable[learner].iter() {
            if self.cap[start] > 0 {
                seen[start] = true;
                queue.push_back(start);
            }
        }
        let mut found = None;
        while let Some(start) = queue.pop_front() {
            if self.members[start].len() < self.cap[start] {
                found = Some(start);
                break;
            }
            for &member in &self.members[start] {
                for next in self.l_usable[member].iter() {
                    if self.cap[next] > 0 && !seen[next] {
                        seen[next] = true;
                        parent[next] = Some((start, member));
                        queue.push_back(next);
                    }
                }
            }
        }
        let Some(mut end) = found else { return false };
        // Walk back: each mover goes one start further along the chain.
        while let Some((previous, mover)) = parent[end] {
            self.assign(mover, end);
            end = previous;
        }
        self.assign(learner, end);
        true
    }

    /// Step 3.
    fn prefer_available(&mut self) {
        for learner in 0..self.assigned.len() {
            let Some(start) = self.assigned[learner] else {
                continue;
            };
            if self.l_pref[learner].contains(start) {
                continue;
            }
            let better = self.l_pref[learner]
                .iter()
                .find(|&s| self.cap[s] > 0 && self.members[s].len() < self.cap[s]);
            if let Some(better) = better {
                // Only if the group left behind keeps its minimum.
                if self.members[start].len() > self.groups_at(start) * self.min_l {
                    self.assign(learner, better);
                }
            }
        }
    }

    /// Step 5a: evens out group sizes across meeting times. Moves a learner
    /// from the pool with the fullest groups to one with emptier groups
    /// while that narrows the gap, never to an "if needed" time from a time
    /// the learner fully prefers.
    fn balance(&mut self) {
        let open: Vec<usize> = (0..self.times).filter(|&s| self.cap[s] > 0).collect();
        // Per-group load in learners × groups elsewhere, compared without division.
        let fuller = |state: &Self, a: usize, b: usize| {
            state.members[a].len() * state.groups_at(b)
                > (state.members[b].len() + 1) * state.groups_at(a)
        };
        for _ in 0..self.assigned.len() {
            let mut moved = false;
            let mut by_load = open.clone();
            by_load.sort_by(|&a, &b| {
                (self.members[b].len() * self.groups_at(a))
                    .cmp(&(self.members[a].len() * self.groups_at(b)))
                    .then(a.cmp(&b))
            });
            'outer: for &from in &by_load {
                for &to in by_load.iter().rev() {
                    if from == to
                        || !fuller(self, from, to)
                        || self.members[to].len() >= self.cap[to]
                    {
                        continue;
                    }
                    let candidate = self.members[from].iter().copied().find(|&l| {
                        self.l_usable[l].contains(to)
                            && (self.l_pref[l].contains(to) || !self.l_pref[l].contains(from))
                    });
                    if let Some(learner) = candidate {
                        self.assign(learner, to);
                        moved = true;
                        break 'outer;
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Step 4, and reasons for the unplaced.
    fn into_solution(self) -> Solution {
        let mut groups = Vec::new();
        let mut by_start: Vec<Vec<usize>> = vec![Vec::new(); self.times];
        for &(facilitator, start) in &self.groups {
            by_start[start].push(facilitator);
        }
        for (start, mut facilitators) in by_start.into_iter().enumerate() {
            if facilitators.is_empty() {
                continue;
            }
            facilitators.sort_unstable();
            // Close groups the pool cannot fill to the minimum.
            let mut pool = self.members[start].clone();
            pool.sort_unstable();
            let fillable = pool.len() / self.min_l;
            facilitators.truncate(fillable.min(facilitators.len()));
            let count = facilitators.len();
            if count == 0 {
                continue;
            }
            let mut split: Vec<Vec<usize>> = vec![Vec::new(); count];
            for (i, learner) in pool.into_iter().enumerate() {
                split[i % count].push(learner);
            }
            for (facilitator, learners) in facilitators.into_iter().zip(split) {
                groups.push(Group {
                    facilitator,
                    time: start,
                    learners,
                });
            }
        }
        let placed: std::collections::HashSet<usize> = groups
            .iter()
            .flat_map(|g| g.learners.iter().copied())
            .collect();
        let unplaced = (0..self.assigned.len())
            .filter(|l| !placed.contains(l))
            .map(|l| (l, self.reason(l)))
            .collect();
        Solution { groups, unplaced }
    }

    fn reason(&self, learner: usize) -> Reason {
        let usable = &self.l_usable[learner];
        if usable.is_empty() {
            return Reason::NoAvailability;
        }
        let with_facilitator: Vec<usize> = usable
            .iter()
            .filter(|&s| !self.fac_at[s].is_empty())
            .collect();
        if with_facilitator.is_empty() {
            return Reason::NoFacilitatorOverlap;
        }
        if with_facilitator
            .iter()
            .all(|&s| self.at[s].len() < self.min_l)
        {
            return Reason::NoOverlapWithOthers;
        }
        Reason::FacilitatorCapacity
    }
}
