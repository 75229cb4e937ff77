//! Realistic sign-up populations for matching tests and benchmarks.
//!
//! Timezones are clustered like an international online course (Europe
//! ~40%, the Americas ~40%, Asia-Pacific ~18%, Africa ~2–4%); availability
//! favours weekday evenings and weekend days in local time; one in ten
//! people gives a single short window; half add "if needed" time next to
//! their windows. The cohort spans both daylight-saving changes of March,
//! so DST handling is exercised. Deterministic for a seed.

use chrono::NaiveDate;
use chrono_tz::Tz;
use lens_server::matching::availability::LocalAvailability;
use lens_server::matching::file::{FilePerson, PopulationFile, format_ranges};
use lens_server::matching::slots::SlotSet;
use lens_server::matching::{Params, Problem};
use rand::{Rng, SeedableRng};

const ZONES: &[(&str, f64)] = &[
    ("Europe/London", 0.12),
    ("Europe/Berlin", 0.12),
    ("Europe/Amsterdam", 0.06),
    ("Europe/Paris", 0.06),
    ("Europe/Stockholm", 0.04),
    ("America/New_York", 0.15),
    ("America/Chicago", 0.07),
    ("America/Los_Angeles", 0.10),
    ("America/Toronto", 0.03),
    ("America/Sao_Paulo", 0.03),
    ("Asia/Kolkata", 0.05),
    ("Asia/Singapore", 0.04),
    ("Australia/Sydney", 0.04),
    ("Asia/Tokyo", 0.03),
    ("Asia/Manila", 0.02),
    ("Africa/Lagos", 0.02),
    ("Africa/Nairobi", 0.02),
];

/// The first meeting week of generated cohorts (spans US and EU DST starts).
pub fn cohort_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 2, 22).expect("valid date")
}

/// Meetings of generated cohorts.
pub const MEETINGS: u32 = 8;

fn zone(rng: &mut impl Rng) -> Tz {
    let mut pick = rng.random_range(0.0..ZONES.iter().map(|z| z.1).sum::<f64>());
    for (name, weight) in ZONES {
        if pick < *weight {
            return name.parse().expect("known zone");
        }
        pick -= weight;
    }
    "UTC".parse().expect("UTC")
}

fn block(set: &mut SlotSet, day: usize, from_half_hour: usize, length: usize) {
    for slot in from_half_hour..(from_half_hour + length).min(48) {
        set.insert(day * 48 + slot);
    }
}

/// Local availability of one generated person.
fn local_availability(rng: &mut impl Rng, generous: bool) -> LocalAvailability {
    let mut available = SlotSet::EMPTY;
    let mut blocks: Vec<(usize, usize, usize)> = Vec::new();
    let extra = usize::from(generous);
    match rng.random_range(0..100) {
        // Weekday evenings.
        0..55 => {
            for _ in 0..rng.random_range(2..=4) + extra {
                blocks.push((
                    rng.random_range(0..5),
                    rng.random_range(36..=40),
                    rng.random_range(4..=6),
                ));
            }
        }
        // Weekend days.
        55..75 => {
            for _ in 0..rng.random_range(1..=2) + extra {
                blocks.push((
                    rng.random_range(5..7),
                    rng.random_range(20..=32),
                    rng.random_range(4..=8),
                ));
            }
        }
        // Both.
        75..90 => {
            blocks.push((
                rng.random_range(0..5),
                rng.random_range(36..=40),
                rng.random_range(4..=6),
            ));
            blocks.push((
                rng.random_range(5..7),
                rng.random_range(20..=32),
                rng.random_range(4..=8),
            ));
            if generous {
                blocks.push((rng.random_range(0..5), rng.random_range(36..=40), 4));
            }
        }
        // Sparse: one short window anywhere in the day.
        _ => blocks.push((
            rng.random_range(0..7),
            rng.random_range(14..=42),
            rng.random_range(2..=3),
        )),
    }
    for &(day, from, length) in &blocks {
        block(&mut available, day, from, length);
    }
    let mut if_needed = SlotSet::EMPTY;
    if rng.random_bool(0.5) {
        let (day, from, length) = blocks[rng.random_range(0..blocks.len())];
        // An hour before or after a window.
        if rng.random_bool(0.5) {
            block(&mut if_needed, day, from.saturating_sub(2), 2);
        } else {
            block(&mut if_needed, day, from + length, 2);
        }
    }
    LocalAvailability {
        if_needed: if_needed.minus(&available),
        available,
    }
}

/// A generated cohort as a population file: `learners` learners and one
/// facilitator per six, availability in local time ranges.
pub fn generate_file(learners: usize, seed: u64) -> PopulationFile {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut people = Vec::with_capacity(learners + learners / 6 + 1);
    let mut person = |id: String, role: &str, generous: bool, rng: &mut rand::rngs::StdRng| {
        let tz = zone(rng);
        let local = local_availability(rng, generous);
        let max_groups = (role == "facilitator").then(|| if rng.random_bool(0.4) { 2 } else { 1 });
        people.push(FilePerson {
            id,
            role: role.to_owned(),
            max_groups,
            timezone: tz.name().to_owned(),
            available: format_ranges(&local.available),
            if_needed: format_ranges(&local.if_needed),
        });
    };
    for i in 0..learners {
        person(format!("learner-{i}"), "learner", false, &mut rng);
    }
    for i in 0..learners.div_ceil(6) {
        person(format!("facilitator-{i}"), "facilitator", true, &mut rng);
    }
    PopulationFile {
        start_date: cohort_start(),
        meetings: MEETINGS,
        params: Params::default(),
        people,
    }
}

/// A generated cohort as a matching problem (see [`generate_file`]).
pub fn generate(learners: usize, seed: u64) -> Problem {
    generate_file(learners, seed)
        .to_problem()
        .expect("generated files are valid")
}

/// Learners who share at least one meeting time with a facilitator and
/// enough other learners for a group: no solver can place anyone else.
pub fn upper_bound(problem: &Problem) -> usize {
    use lens_server::matching::times::TimeSet;
    let params = &problem.params;
    let facilitated = problem
        .facilitators
        .iter()
        .fold(TimeSet::empty(problem.times.len()), |all, f| {
            all.or(&f.person.usable)
        });
    let mut count_at = vec![0usize; problem.times.len()];
    for learner in &problem.learners {
        for t in learner.usable.iter() {
            count_at[t] += 1;
        }
    }
    problem
        .learners
        .iter()
        .filter(|l| {
            l.usable
                .and(&facilitated)
                .iter()
                .any(|t| count_at[t] >= params.min_learners())
        })
        .count()
}
