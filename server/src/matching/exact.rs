//! The exact search: the matching problem as an integer program, solved by
//! branch and bound (microlp), seeded with the fast solver's answer.
//!
//! Learners only care when a group meets, so the program does not name
//! groups: it opens groups at times and sends learners to times.
//!
//! - `z[t]` (whole number): groups meeting at time `t`. These are the only
//!   variables branched on.
//! - `y[f, t]`: facilitator `f` leads a group at `t`, with `Σ_f y[f, t] =
//!   z[t]`. For a facilitator of one group this is a flow, whole at every
//!   vertex once `z` is whole; a facilitator of several groups gets 0/1
//!   variables (their overlap rule is not a flow).
//! - `x[c, t]`: learners of class `c` meeting at `t`, also a flow. A class
//!   is every learner with the same usable and preferred times; they are
//!   interchangeable, which keeps the program small and free of symmetry.
//! - `x[c, t] ≤ min(|c|, max)·z[t]`: nobody meets at a time without a
//!   group. Implied for whole `z`, it is what makes the relaxation's bound
//!   close to the truth.
//! - Each class meets at most once in total: `Σ_t x[c, t] ≤ |c|`.
//! - A time's learners fill its groups: `min·z[t] ≤ Σ_c x[c, t] ≤
//!   max·z[t]`; such a pool always splits into groups within bounds.
//! - A facilitator leads at most `max_groups` groups, and (when that is
//!   more than one) never two that overlap in any week: for every week and
//!   UTC half-hour, at most one of their groups meets then.
//! - Maximise `W·placed − if-needed uses`, with `W` larger than any count of
//!   if-needed uses: the most learners placed, then the fewest members at
//!   an "if needed" time. Balance is then evened out by [`finish`], which
//!   never changes either figure.
//!
//! The search stops at a time limit with the best assignment found and the
//! best bound proven, so the report says how far from optimal it may be.

use std::collections::HashMap;
use std::time::Duration;

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, SolveOptions, Variable};

use super::problem::{Problem, Solution};
use super::settle::settle_times;
use super::solver::{finish, solve};
use super::times::TimeSet;

/// How a proposal was found, and how good it is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// How the groups were found.
    pub method: Method,
    /// Whether no assignment places more learners, nor (placing as many)
    /// uses "if needed" time less.
    pub proven_optimal: bool,
    /// The most learners any assignment could place, as proven.
    pub placed_bound: usize,
}

/// Which search produced a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The exact search (seeded by the fast solver).
    Exact,
    /// The fast solver alone: the exact search was not run, or found
    /// nothing better in time.
    Fast,
}

impl Method {
    /// As reported: `exact` or `fast`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Fast => "fast",
        }
    }
}

/// Where a proposal's computation is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A round of the fast solver ended with this many learners placed.
    Round(usize),
    /// The exact search started, for at most this long.
    Searching(Duration),
    /// Done, with this many placed.
    Done(usize),
}

/// The fast solver, then the exact search seeded with its answer, then
/// every group's time settled (see [`settle_times`]).
pub fn solve_exactly(
    problem: &Problem,
    exact_time: Duration,
    mut progress: impl FnMut(Progress),
) -> (Solution, Report) {
    let fast = solve(problem, |placed| progress(Progress::Round(placed)));
    let (solution, report) = if exact_time.is_zero() {
        let placed = fast.placed();
        let report = Report {
            method: Method::Fast,
            proven_optimal: false,
            placed_bound: problem.learners.len().max(placed),
        };
        (fast, report)
    } else {
        progress(Progress::Searching(exact_time));
        improve(problem, fast, exact_time)
    };
    progress(Progress::Done(solution.placed()));
    (settle_times(problem, solution), report)
}

/// The program's variables, with what each stands for.
struct Program {
    problem: microlp::Problem,
    /// `(time, variable)`: groups meeting at each time.
    z: Vec<(usize, Variable)>,
    /// `(facilitator, time, variable)`.
    y: Vec<(usize, usize, Variable)>,
    /// `(class, time, variable)`.
    x: Vec<(usize, usize, Variable)>,
    /// Learner indexes of each class.
    classes: Vec<Vec<usize>>,
    /// The weight of one placed learner.
    weight: f64,
}

/// Improves `seed` (the fast solver's answer to `problem`) by the exact
/// search, for at most `time_limit`. Returns the better of the two and how
/// good it is known to be.
pub fn improve(problem: &Problem, seed: Solution, time_limit: Duration) -> (Solution, Report) {
    let seed_quality = seed
        .evaluate(problem)
        .expect("the fast solver keeps every rule");
    let fast = |bound: usize| Report {
        method: Method::Fast,
        proven_optimal: seed_quality.placed == bound && bound == 0,
        placed_bound: bound.max(seed_quality.placed),
    };
    let program = Program::build(problem);
    if program.y.is_empty() {
        // No facilitator shares a time with enough learners: nobody can be
        // placed, which the fast solver's empty answer already says.
        let report = Report {
            proven_optimal: true,
            ..fast(0)
        };
        return (seed, report);
    }
    let mut options = SolveOptions::default();
    options.time_limit = Some(time_limit);
    options.warm_start = Some(program.warm_start(problem, &seed));
    let outcome = match program.problem.solve_with(options) {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(%error, "the exact matching search failed; keeping the fast solver's groups");
            return (seed, fast(program.reachable()));
        }
    };
    let Some(found) = outcome.solution() else {
        return (seed, fast(program.reachable()));
    };
    let bound = found
        .stats()
        .best_bound
        .map_or(program.reachable(), |b| program.placed_bound(b));
    let proven_optimal = found.status() == microlp::SolutionStatus::Optimal;
    let candidate = finish(problem, &program.groups(problem, found));
    let (better, proven_optimal) = match candidate.evaluate(problem) {
        Ok(quality) => (
            (quality.placed, std::cmp::Reverse(quality.if_needed_uses))
                > (
                    seed_quality.placed,
                    std::cmp::Reverse(seed_quality.if_needed_uses),
                ),
            proven_optimal,
        ),
        Err(rule) => {
            // Nothing is proven about an answer that could not be read back.
            tracing::warn!(%rule, "the exact matching search broke a rule; keeping the fast solver's groups");
            (false, false)
        }
    };
    let bound = bound.min(program.reachable());
    if better {
        let report = Report {
            method: Method::Exact,
            proven_optimal,
            placed_bound: if proven_optimal {
                candidate.placed()
            } else {
                bound
            },
        };
        (candidate, report)
    } else {
        let report = Report {
            method: Method::Fast,
            proven_optimal,
            placed_bound: if proven_optimal {
                seed_quality.placed
            } else {
                bound.max(seed_quality.placed)
            },
        };
        (seed, report)
    }
}

impl Program {
    fn build(problem: &Problem) -> Self {
        let params = &problem.params;
        let times = problem.times.len();
        let (min_l, max_l) = (params.min_learners() as f64, params.max_learners() as f64);
        let facilitated = problem
            .facilitators
            .iter()
            .filter(|f| f.max_groups > 0)
            .fold(TimeSet::empty(times), |all, f| all.or(&f.person.usable));
        // Learners who share nothing with a facilitator cannot be placed.
        let mut by_class: HashMap<(TimeSet, TimeSet), Vec<usize>> = HashMap::new();
        for (index, learner) in problem.learners.iter().enumerate() {
            let usable = learner.usable.and(&facilitated);
            if !usable.is_empty() {
                let preferred = learner.preferred.and(&usable);
                by_class.entry((usable, preferred)).or_default().push(index);
            }
        }
        let mut classes: Vec<((TimeSet, TimeSet), Vec<usize>)> = by_class.into_iter().collect();
        classes.sort_by_key(|(_, members)| members[0]);
        // A time is worth a group only if enough learners can make it.
        let mut reach = vec![0usize; times];
        for ((usable, _), members) in &classes {
            for t in usable.iter() {
                reach[t] += members.len();
            }
        }
        let open = |t: usize| reach[t] as f64 >= min_l;
        let weight = (problem.learners.len()
            + problem
                .facilitators
                .iter()
                .map(|f| f.max_groups)
                .sum::<usize>()
            + 1) as f64;
        let mut lp = microlp::Problem::new(OptimizationDirection::Maximize);
        // z[t]: how many groups meet at t. The only variables searched
        // over: once they are whole, who leads which group and who joins
        // which time are flows, whole at every vertex.
        let mut z: Vec<Option<Variable>> = vec![None; times];
        let leaders_possible = |t: usize| {
            problem
                .facilitators
                .iter()
                .filter(|f| f.max_groups > 0 && f.person.usable.contains(t))
                .count()
        };
        for (t, slot) in z.iter_mut().enumerate() {
            let most = leaders_possible(t).min((reach[t] as f64 / min_l) as usize);
            if open(t) && most > 0 {
                *slot = Some(lp.add_integer_var(0.0, (0, most as i32)));
            }
        }
        let mut y = Vec::new();
        let mut groups_at: Vec<Vec<Variable>> = vec![Vec::new(); times];
        for (f, facilitator) in problem.facilitators.iter().enumerate() {
            if facilitator.max_groups == 0 {
                continue;
            }
            let many = facilitator.max_groups > 1;
            let mine: Vec<(usize, Variable)> = facilitator
                .person
                .usable
                .iter()
                .filter(|&t| z[t].is_some())
                .map(|t| {
                    let cost = if facilitator.person.preferred.contains(t) {
                        0.0
                    } else {
                        -1.0
                    };
                    // One group at most: a whole flow once z is whole.
                    // Several: whole by branching, for the overlap rule.
                    let var = if many {
                        lp.add_binary_var(cost)
                    } else {
                        lp.add_var(cost, (0.0, 1.0))
                    };
                    (t, var)
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let mut led = LinearExpr::empty();
            for &(t, var) in &mine {
                led.add(var, 1.0);
                groups_at[t].push(var);
                y.push((f, t, var));
            }
            lp.add_constraint(led, ComparisonOp::Le, facilitator.max_groups as f64);
            if many {
                add_no_overlap(&mut lp, problem, &mine);
            }
        }
        let mut x = Vec::new();
        let mut pool_at: Vec<Vec<Variable>> = vec![Vec::new(); times];
        for (c, ((usable, preferred), members)) in classes.iter().enumerate() {
            let mut meets = LinearExpr::empty();
            for t in usable.iter() {
                let Some(groups) = z[t] else { continue };
                let gain = weight - if preferred.contains(t) { 0.0 } else { 1.0 };
                let var = lp.add_var(gain, (0.0, members.len() as f64));
                meets.add(var, 1.0);
                pool_at[t].push(var);
                x.push((c, t, var));
                // Nobody meets at a time with no group: without this, a
                // fraction of a group would hold a few learners below the
                // minimum, and the bound would be far from the truth.
                let mut needs_group = LinearExpr::empty();
                needs_group.add(var, 1.0);
                needs_group.add(groups, -(members.len().min(params.max_learners()) as f64));
                lp.add_constraint(needs_group, ComparisonOp::Le, 0.0);
            }
            lp.add_constraint(meets, ComparisonOp::Le, members.len() as f64);
        }
        for t in 0..times {
            let Some(groups) = z[t] else { continue };
            let mut led = LinearExpr::empty();
            for &var in &groups_at[t] {
                led.add(var, 1.0);
            }
            led.add(groups, -1.0);
            lp.add_constraint(led, ComparisonOp::Eq, 0.0);
            let mut upper = LinearExpr::empty();
            let mut lower = LinearExpr::empty();
            for &var in &pool_at[t] {
                upper.add(var, 1.0);
                lower.add(var, 1.0);
            }
            upper.add(groups, -max_l);
            lower.add(groups, -min_l);
            lp.add_constraint(upper, ComparisonOp::Le, 0.0);
            lp.add_constraint(lower, ComparisonOp::Ge, 0.0);
        }
        Self {
            problem: lp,
            z: z.into_iter()
                .enumerate()
                .filter_map(|(t, var)| var.map(|v| (t, v)))
                .collect(),
            y,
            x,
            classes: classes.into_iter().map(|(_, members)| members).collect(),
            weight,
        }
    }

    /// The seed as values of the program's variables.
    fn warm_start(&self, problem: &Problem, seed: &Solution) -> Vec<(Variable, f64)> {
        let led: std::collections::HashSet<(usize, usize)> = seed
            .groups
            .iter()
            .map(|g| (g.facilitator, g.time))
            .collect();
        let mut class_of = vec![usize::MAX; problem.learners.len()];
        for (c, members) in self.classes.iter().enumerate() {
            for &l in members {
                class_of[l] = c;
            }
        }
        let mut count: HashMap<(usize, usize), usize> = HashMap::new();
        for group in &seed.groups {
            for &l in &group.learners {
                *count.entry((class_of[l], group.time)).or_default() += 1;
            }
        }
        let mut groups_at: HashMap<usize, usize> = HashMap::new();
        for group in &seed.groups {
            *groups_at.entry(group.time).or_default() += 1;
        }
        let zs = self
            .z
            .iter()
            .map(|&(t, var)| (var, groups_at.get(&t).copied().unwrap_or(0) as f64));
        let ys = self
            .y
            .iter()
            .map(|&(f, t, var)| (var, f64::from(u8::from(led.contains(&(f, t))))));
        let xs = self
            .x
            .iter()
            .map(|&(c, t, var)| (var, count.get(&(c, t)).copied().unwrap_or(0) as f64));
        zs.chain(ys).chain(xs).collect()
    }

    /// Groups of the found assignment, as (facilitator, time, learners).
    fn groups(
        &self,
        problem: &Problem,
        found: &microlp::Solution,
    ) -> Vec<(usize, usize, Vec<usize>)> {
        let mut leaders: Vec<Vec<usize>> = vec![Vec::new(); problem.times.len()];
        for &(f, t, var) in &self.y {
            if found.var_value(var) > 0.5 {
                leaders[t].push(f);
            }
        }
        let mut pools: Vec<Vec<usize>> = vec![Vec::new(); problem.times.len()];
        let mut next = vec![0usize; self.classes.len()];
        for &(c, t, var) in &self.x {
            let take = found.var_value(var).round() as usize;
            let members = &self.classes[c];
            let end = (next[c] + take).min(members.len());
            pools[t].extend_from_slice(&members[next[c]..end]);
            next[c] = end;
        }
        let mut groups = Vec::new();
        for (t, facilitators) in leaders.into_iter().enumerate() {
            let count = facilitators.len();
            if count == 0 {
                continue;
            }
            let mut split: Vec<Vec<usize>> = vec![Vec::new(); count];
            for (i, learner) in pools[t].iter().enumerate() {
                split[i % count].push(*learner);
            }
            groups.extend(
                facilitators
                    .into_iter()
                    .zip(split)
                    .map(|(f, learners)| (f, t, learners)),
            );
        }
        groups
    }

    /// Learners who share a time with a facilitator and enough others for
    /// a group: nobody else can be placed, whatever the search proves.
    fn reachable(&self) -> usize {
        let mut with_a_time = vec![false; self.classes.len()];
        for &(c, _, _) in &self.x {
            with_a_time[c] = true;
        }
        self.classes
            .iter()
            .zip(with_a_time)
            .filter(|(_, any)| *any)
            .map(|(members, _)| members.len())
            .sum()
    }

    /// The most learners placed by any assignment whose objective is at
    /// most `bound`: `W·placed − uses ≤ bound` with `0 ≤ uses < W`.
    fn placed_bound(&self, bound: f64) -> usize {
        (bound / self.weight - 1e-9).ceil().max(0.0) as usize
    }
}

/// At most one of a facilitator's groups meets in any half-hour of any week.
fn add_no_overlap(lp: &mut microlp::Problem, problem: &Problem, mine: &[(usize, Variable)]) {
    let length = problem.times.meeting_slots();
    let mut cells: HashMap<(usize, usize), Vec<Variable>> = HashMap::new();
    for &(t, var) in mine {
        for (week, start) in problem.times.get(t).weekly.iter().enumerate() {
            for offset in 0..length {
                let slot = (start + offset) % super::slots::SLOTS_PER_WEEK;
                cells.entry((week, slot)).or_default().push(var);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for vars in cells.into_values() {
        if vars.len() < 2 {
            continue;
        }
        let mut key: Vec<usize> = vars.iter().map(|v| v.idx()).collect();
        key.sort_unstable();
        if !seen.insert(key) {
            continue;
        }
        let mut once = LinearExpr::empty();
        for var in vars {
            once.add(var, 1.0);
        }
        lp.add_constraint(once, ComparisonOp::Le, 1.0);
    }
}
