//! The matching solver: every rule holds, it is deterministic, it never
//! places fewer than the baselines nor more than the upper bound, and it
//! explains every learner it leaves out.

use std::time::Duration;

use lens_server::matching::baseline::{greedy, stochastic_greedy};
use lens_server::matching::exact::solve_exactly;
use lens_server::matching::file::{FilePerson, PopulationFile};
use lens_server::matching::slots::SlotSet;
use lens_server::matching::{
    Facilitator, Params, Person, Problem, Reason, Solution, TimeModel, solve,
};
use lens_tests::population::{generate, upper_bound};

#[test]
fn generated_cohorts_obey_every_rule_and_beat_both_baselines() {
    for (n, seed) in [(60, 1), (60, 2), (150, 3), (300, 4), (300, 5)] {
        let problem = generate(n, seed);
        let solution = solve(&problem, |_| {});
        let quality = solution
            .evaluate(&problem)
            .unwrap_or_else(|rule| panic!("n={n} seed={seed}: {rule}"));
        assert_eq!(
            quality.placed + solution.unplaced.len(),
            n,
            "everyone is placed or explained"
        );
        assert_eq!(solution, solve(&problem, |_| {}), "deterministic");

        let order: Vec<usize> = (0..n).collect();
        let plain = greedy(&problem, &order).evaluate(&problem).unwrap().placed;
        let stochastic = stochastic_greedy(&problem, 200, seed)
            .evaluate(&problem)
            .unwrap()
            .placed;
        assert!(
            quality.placed >= plain,
            "n={n} seed={seed}: {} < greedy {plain}",
            quality.placed
        );
        assert!(
            quality.placed >= stochastic,
            "n={n} seed={seed}: {} < stochastic {stochastic}",
            quality.placed
        );
        assert!(quality.placed <= upper_bound(&problem));
    }
}

/// Someone free at the given UTC slots, of a problem with UTC times only.
fn person(id: &str, slots: &[usize]) -> Person {
    let mut available = SlotSet::EMPTY;
    for &s in slots {
        available.insert(s);
    }
    Person::utc(
        id,
        available,
        SlotSet::EMPTY,
        Params::default().meeting_slots,
    )
}

/// A problem with UTC times only and the default settings.
fn utc_problem(learners: Vec<Person>, facilitators: Vec<Facilitator>) -> Problem {
    Problem {
        learners,
        facilitators,
        ..Problem::utc(Params::default())
    }
}

/// Monday 18:00–19:00 UTC as two half-hour slots.
const MON_18: [usize; 2] = [36, 37];
/// Tuesday 18:00–19:00 UTC.
const TUE_18: [usize; 2] = [84, 85];
/// Wednesday 18:00–19:00 UTC.
const WED_18: [usize; 2] = [132, 133];

#[test]
fn every_unplaced_learner_gets_the_right_reason() {
    let mut learners: Vec<Person> = (0..8)
        .map(|i| person(&format!("mon{i}"), &MON_18))
        .collect();
    learners.push(person("silent", &[]));
    learners.push(person("half-hour only", &[36]));
    learners.push(person("nobody leads tuesday", &TUE_18));
    learners.extend((0..2).map(|i| person(&format!("wed{i}"), &WED_18)));
    let problem = utc_problem(
        learners,
        vec![
            Facilitator {
                person: person("f-mon", &MON_18),
                max_groups: 1,
            },
            Facilitator {
                person: person("f-wed", &WED_18),
                max_groups: 1,
            },
        ],
    );
    let solution = solve(&problem, |_| {});
    let quality = solution.evaluate(&problem).unwrap();
    assert_eq!(
        quality.placed, 7,
        "one Monday group of 7 learners + facilitator"
    );
    let reasons: Vec<(&str, Reason)> = solution
        .unplaced
        .iter()
        .map(|&(l, reason)| (problem.learners[l].id.as_str(), reason))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("mon7", Reason::FacilitatorCapacity),
            ("silent", Reason::NoAvailability),
            ("half-hour only", Reason::NoAvailability),
            ("nobody leads tuesday", Reason::NoFacilitatorOverlap),
            ("wed0", Reason::NoOverlapWithOthers),
            ("wed1", Reason::NoOverlapWithOthers),
        ]
    );
}

#[test]
fn a_flexible_learner_moves_so_that_a_second_group_can_form() {
    // Six Monday-only learners, one who can do Monday or Wednesday, and two
    // Wednesday-only learners: the flexible one must go to Wednesday.
    let mut learners: Vec<Person> = (0..6)
        .map(|i| person(&format!("mon{i}"), &MON_18))
        .collect();
    let both: Vec<usize> = MON_18.iter().chain(&WED_18).copied().collect();
    learners.push(person("flexible", &both));
    learners.extend((0..2).map(|i| person(&format!("wed{i}"), &WED_18)));
    let problem = utc_problem(
        learners,
        vec![
            Facilitator {
                person: person("f-mon", &MON_18),
                max_groups: 1,
            },
            Facilitator {
                person: person("f-wed", &WED_18),
                max_groups: 1,
            },
        ],
    );
    let solution = solve(&problem, |_| {});
    assert_eq!(solution.evaluate(&problem).unwrap().placed, 9);
    assert!(solution.unplaced.is_empty());
}

/// The best (placed, −if-needed uses) of every assignment, by trying them
/// all: each facilitator leads at one of their times or none, and each
/// learner joins one of the opened times or none, within the size bounds.
fn brute_force(problem: &Problem) -> (usize, isize) {
    let (min_l, max_l) = (problem.params.min_learners(), problem.params.max_learners());
    let times = problem.times.len();
    let mut best = (0usize, 0isize);
    let fac_choices: Vec<Vec<Option<usize>>> = problem
        .facilitators
        .iter()
        .map(|f| {
            std::iter::once(None)
                .chain(f.person.usable.iter().map(Some))
                .collect()
        })
        .collect();
    let mut fac_pick = vec![0usize; fac_choices.len()];
    loop {
        let mut groups = vec![0usize; times];
        let mut fac_uses = 0isize;
        for (f, &pick) in fac_pick.iter().enumerate() {
            if let Some(t) = fac_choices[f][pick] {
                groups[t] += 1;
                fac_uses += isize::from(!problem.facilitators[f].person.preferred.contains(t));
            }
        }
        let options: Vec<Vec<Option<usize>>> = problem
            .learners
            .iter()
            .map(|l| {
                std::iter::once(None)
                    .chain(l.usable.iter().filter(|&t| groups[t] > 0).map(Some))
                    .collect()
            })
            .collect();
        let mut pick = vec![0usize; options.len()];
        loop {
            let mut pool = vec![0usize; times];
            let mut uses = fac_uses;
            for (l, &p) in pick.iter().enumerate() {
                if let Some(t) = options[l][p] {
                    pool[t] += 1;
                    uses += isize::from(!problem.learners[l].preferred.contains(t));
                }
            }
            let fits =
                (0..times).all(|t| pool[t] >= groups[t] * min_l && pool[t] <= groups[t] * max_l);
            if fits {
                best = best.max((pool.iter().sum(), -uses));
            }
            if !advance(&mut pick, &options) {
                break;
            }
        }
        if !advance(&mut fac_pick, &fac_choices) {
            return best;
        }
    }
}

/// The next combination of picks, like an odometer; false after the last.
fn advance<T>(pick: &mut [usize], choices: &[Vec<T>]) -> bool {
    for (digit, options) in pick.iter_mut().zip(choices) {
        *digit += 1;
        if *digit < options.len() {
            return true;
        }
        *digit = 0;
    }
    false
}

/// A small random cohort over three evening hours, with "if needed" time.
fn small_cohort(seed: u64) -> Problem {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let hours = [MON_18, TUE_18, WED_18];
    let mut someone = |id: String| {
        let mut available = SlotSet::EMPTY;
        let mut if_needed = SlotSet::EMPTY;
        for hour in hours {
            match rng.random_range(0..4) {
                0 | 1 => hour.iter().for_each(|&s| available.insert(s)),
                2 => hour.iter().for_each(|&s| if_needed.insert(s)),
                _ => {}
            }
        }
        Person::utc(&id, available, if_needed, 2)
    };
    let learners = (0..7).map(|i| someone(format!("l{i}"))).collect();
    let facilitators = (0..2)
        .map(|i| Facilitator {
            person: someone(format!("f{i}")),
            max_groups: 1,
        })
        .collect();
    Problem {
        learners,
        facilitators,
        ..Problem::utc(Params {
            min_size: 3,
            max_size: 4,
            meeting_slots: 2,
        })
    }
}

#[test]
fn the_exact_search_finds_what_trying_every_assignment_finds() {
    for seed in 0..40 {
        let problem = small_cohort(seed);
        let (solution, report) = solve_exactly(&problem, Duration::from_secs(30), |_| {});
        let quality = solution.evaluate(&problem).unwrap();
        let best = brute_force(&problem);
        assert_eq!(
            (quality.placed, -(quality.if_needed_uses as isize)),
            best,
            "seed {seed}"
        );
        assert!(report.proven_optimal, "seed {seed}");
        assert_eq!(report.placed_bound, quality.placed, "seed {seed}");
    }
}

#[test]
fn the_exact_search_proves_the_generated_cohorts_optimal() {
    for (n, seed) in [(60, 1), (150, 3)] {
        let problem = generate(n, seed);
        let fast = solve(&problem, |_| {}).evaluate(&problem).unwrap().placed;
        let (solution, report) = solve_exactly(&problem, Duration::from_secs(120), |_| {});
        let placed = solution.evaluate(&problem).unwrap().placed;
        assert!(report.proven_optimal, "n={n}: {report:?}");
        assert_eq!(report.placed_bound, placed);
        assert!(placed >= fast, "n={n}: exact {placed} < fast {fast}");
    }
}

#[test]
fn a_search_stopped_by_its_time_limit_says_best_found_not_optimal() {
    let problem = generate(1000, 2027);
    let (solution, report) = solve_exactly(&problem, Duration::from_millis(1), |_| {});
    let placed = solution.evaluate(&problem).unwrap().placed;
    assert!(!report.proven_optimal, "{report:?}");
    assert!(report.placed_bound >= placed);
}

/// Someone of a population file, free `ranges` in local time in `zone`.
fn signed_up(id: &str, role: &str, zone: &str, ranges: &[&str]) -> FilePerson {
    FilePerson {
        id: id.into(),
        role: role.into(),
        max_groups: None,
        timezone: zone.into(),
        available: ranges.iter().map(|r| (*r).to_owned()).collect(),
        if_needed: Vec::new(),
    }
}

/// A cohort of `meetings` weeks from `start`, matched both ways: fixed UTC
/// times only, and with anchored times.
fn matched_both_ways(
    start: (i32, u32, u32),
    meetings: u32,
    people: Vec<FilePerson>,
) -> [(Problem, Solution); 2] {
    let file = PopulationFile {
        start_date: chrono::NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap(),
        meetings,
        params: Params::default(),
        people,
    };
    [TimeModel::UtcOnly, TimeModel::Anchored].map(|model| {
        let problem = file.to_problem_with(model).unwrap();
        let (solution, _) = solve_exactly(&problem, Duration::from_secs(30), |_| {});
        solution.evaluate(&problem).expect("every rule holds");
        (problem, solution)
    })
}

#[test]
fn an_all_europe_group_keeps_seven_pm_local_across_the_clock_change() {
    // Free only Monday 19:00–20:00 in London (20:00–21:00 in Berlin), in a
    // cohort from 15 March 2027 across Europe's change on 28 March.
    let mut people = vec![signed_up(
        "fac",
        "facilitator",
        "Europe/London",
        &["Mon 19:00-20:00"],
    )];
    for i in 0..3 {
        people.push(signed_up(
            &format!("london{i}"),
            "learner",
            "Europe/London",
            &["Mon 19:00-20:00"],
        ));
        people.push(signed_up(
            &format!("berlin{i}"),
            "learner",
            "Europe/Berlin",
            &["Mon 20:00-21:00"],
        ));
    }
    let [(_, utc), (problem, anchored)] = matched_both_ways((2027, 3, 15), 4, people);
    assert_eq!(
        utc.placed(),
        0,
        "no fixed UTC hour is 19:00 in London every week"
    );
    assert_eq!(anchored.placed(), 6);
    let time = problem.times.get(anchored.groups[0].time);
    assert_eq!(time.describe(), "Mon 19:00 Europe/London");
    assert_eq!(
        time.weekly,
        vec![38, 38, 36, 36],
        "19:00 UTC, then 18:00 UTC from 28 March"
    );
}

#[test]
fn london_and_new_york_meet_across_both_clock_changes_only_with_an_anchored_time() {
    // London free 18:00–19:00 local, New York 13:00–15:00 local, from
    // 1 March 2027: New York moves its clocks on 14 March, London on 28 March.
    let mut people = vec![signed_up(
        "fac",
        "facilitator",
        "Europe/London",
        &["Mon 18:00-19:00"],
    )];
    for i in 0..3 {
        people.push(signed_up(
            &format!("london{i}"),
            "learner",
            "Europe/London",
            &["Mon 18:00-19:00"],
        ));
        people.push(signed_up(
            &format!("new-york{i}"),
            "learner",
            "America/New_York",
            &["Mon 13:00-15:00"],
        ));
    }
    let [(_, utc), (problem, anchored)] = matched_both_ways((2027, 3, 1), 6, people);
    assert_eq!(utc.placed(), 0);
    assert_eq!(anchored.placed(), 6);
    assert_eq!(
        problem.times.get(anchored.groups[0].time).describe(),
        "Mon 18:00 Europe/London"
    );
}

#[test]
fn without_a_clock_change_groups_meet_at_utc_times() {
    let mut people = vec![signed_up(
        "fac",
        "facilitator",
        "Europe/London",
        &["Mon 19:00-21:00"],
    )];
    for i in 0..4 {
        people.push(signed_up(
            &format!("l{i}"),
            "learner",
            "Europe/Berlin",
            &["Mon 20:00-22:00"],
        ));
    }
    let [(_, utc), (problem, anchored)] = matched_both_ways((2027, 1, 4), 6, people);
    assert_eq!((utc.placed(), anchored.placed()), (4, 4));
    assert!(
        problem
            .times
            .get(anchored.groups[0].time)
            .describe()
            .ends_with("UTC")
    );
}
