//! The matching solver: every rule holds, it is deterministic, it never
//! places fewer than the baselines nor more than the upper bound, and it
//! explains every learner it leaves out.

use lens_server::matching::baseline::{greedy, stochastic_greedy};
use lens_server::matching::slots::SlotSet;
use lens_server::matching::{Facilitator, Params, Person, Problem, Reason, solve};
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

fn person(id: &str, slots: &[usize]) -> Person {
    let mut available = SlotSet::EMPTY;
    for &s in slots {
        available.insert(s);
    }
    Person {
        id: id.into(),
        available,
        if_needed: SlotSet::EMPTY,
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
    let problem = Problem {
        learners,
        facilitators: vec![
            Facilitator {
                person: person("f-mon", &MON_18),
                max_groups: 1,
            },
            Facilitator {
                person: person("f-wed", &WED_18),
                max_groups: 1,
            },
        ],
        params: Params::default(),
    };
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
    let mut both = person("flexible", &MON_18);
    both.available = both.available.or(&person("", &WED_18).available);
    learners.push(both);
    learners.extend((0..2).map(|i| person(&format!("wed{i}"), &WED_18)));
    let problem = Problem {
        learners,
        facilitators: vec![
            Facilitator {
                person: person("f-mon", &MON_18),
                max_groups: 1,
            },
            Facilitator {
                person: person("f-wed", &WED_18),
                max_groups: 1,
            },
        ],
        params: Params::default(),
    };
    let solution = solve(&problem, |_| {});
    assert_eq!(solution.evaluate(&problem).unwrap().placed, 9);
    assert!(solution.unplaced.is_empty());
}
