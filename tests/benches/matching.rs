//! Matching quality and speed on generated populations (100, 1 000 and
//! 5 000 sign-ups): the solver beside a plain greedy pass, the stochastic
//! greedy courses run today (1 000 randomised passes, best kept), and an
//! upper bound. Prints a markdown table.
//!
//! `cargo bench -p lens-tests --bench matching`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lens_server::matching::baseline::{greedy, stochastic_greedy};
use lens_server::matching::exact::{improve, solve_exactly};
use lens_server::matching::{Problem, Solution, TimeModel, solve};
use lens_tests::population::{generate, generate_file, upper_bound};

/// Counts live and peak heap bytes, to report the solver's memory.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn measure(problem: &Problem, run: impl FnOnce() -> Solution) -> (Solution, f64, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = Instant::now();
    let solution = run();
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    solution.evaluate(problem).expect("every rule holds");
    (solution, elapsed, peak)
}

fn row(
    name: &str,
    n: usize,
    problem: &Problem,
    (solution, ms, peak): &(Solution, f64, usize),
) -> usize {
    let q = solution.evaluate(problem).unwrap();
    println!(
        "| {n} | {name} | {} ({:.1}%) | {} | {} | {} | {:.1} ms | {:.1} MiB |",
        q.placed,
        100.0 * q.placed as f64 / n as f64,
        q.groups,
        q.if_needed_uses,
        q.size_spread,
        ms,
        *peak as f64 / (1024.0 * 1024.0)
    );
    q.placed
}

fn main() {
    // `cargo bench --bench matching -- exact` runs one section.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |section: &str| only.is_empty() || only.iter().any(|o| o == section);
    if wanted("baselines") {
        baselines();
    }
    if wanted("exact") {
        exact_against_fast();
    }
    if wanted("anchored") {
        anchored_against_utc();
    }
}

/// The fast solver beside the baselines and the upper bound.
fn baselines() {
    println!(
        "| sign-ups | method | learners placed | groups | if-needed uses | size spread | runtime | peak memory |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for n in [100usize, 1000, 5000] {
        let problem = generate(n, 2027);
        let order: Vec<usize> = (0..n).collect();
        let solver = row(
            "**Lens solver**",
            n,
            &problem,
            &measure(&problem, || solve(&problem, |_| {})),
        );
        let plain = row(
            "greedy (one pass)",
            n,
            &problem,
            &measure(&problem, || greedy(&problem, &order)),
        );
        let stochastic = row(
            "stochastic greedy (1 000 passes)",
            n,
            &problem,
            &measure(&problem, || stochastic_greedy(&problem, 1000, 7)),
        );
        let bound = upper_bound(&problem);
        println!(
            "| {n} | upper bound (share a start with a facilitator and ≥ 2 others) | {bound} ({:.1}%) | | | | | |",
            100.0 * bound as f64 / n as f64
        );
        assert!(
            solver >= plain && solver >= stochastic,
            "the solver placed fewer than a baseline at {n}"
        );
    }
}

/// The exact search (10 s limit) beside the fast solver it starts from, on
/// the sizes real cohorts have and beyond.
fn exact_against_fast() {
    println!(
        "\n| sign-ups | seed | fast: placed | exact: placed | proven bound | proven optimal | fast | exact | variables |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (n, seed) in [
        (60, 1),
        (100, 2),
        (150, 3),
        (200, 4),
        (300, 5),
        (400, 6),
        (1000, 2027),
        (2000, 2027),
        (5000, 2027),
    ] {
        let problem = generate(n, seed);
        let started = Instant::now();
        let fast = solve(&problem, |_| {});
        let fast_ms = started.elapsed().as_secs_f64() * 1000.0;
        let fast_placed = fast.evaluate(&problem).unwrap().placed;
        let started = Instant::now();
        let (exact, report) = improve(&problem, fast, Duration::from_secs(10));
        let exact_ms = started.elapsed().as_secs_f64() * 1000.0;
        let exact_placed = exact.evaluate(&problem).expect("every rule holds").placed;
        println!(
            "| {n} | {seed} | {fast_placed} | {exact_placed} | {} | {} | {fast_ms:.0} ms | {exact_ms:.0} ms | {} |",
            report.placed_bound,
            if report.proven_optimal { "yes" } else { "no" },
            exact_variables(&problem),
        );
        assert!(
            exact_placed >= fast_placed,
            "the exact search lost learners at {n}"
        );
    }
}

/// Rough size of the exact program: facilitator-time pairs plus
/// learner-time pairs.
fn exact_variables(problem: &Problem) -> usize {
    problem
        .facilitators
        .iter()
        .map(|f| f.person.usable.len())
        .sum::<usize>()
        + problem
            .learners
            .iter()
            .map(|l| l.usable.len())
            .sum::<usize>()
}

/// A cohort crossing March's clock changes, with fixed UTC times only and
/// with anchored times.
fn anchored_against_utc() {
    println!("\n| sign-ups | time model | times | placed | proven optimal | runtime |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for n in [100usize, 300, 1000] {
        let file = generate_file(n, 11);
        for model in [TimeModel::UtcOnly, TimeModel::Anchored] {
            let problem = file.to_problem_with(model).unwrap();
            let started = Instant::now();
            let (solution, report) = solve_exactly(&problem, Duration::from_secs(10), |_| {});
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let placed = solution
                .evaluate(&problem)
                .expect("every rule holds")
                .placed;
            println!(
                "| {n} | {model:?} | {} | {placed} ({:.1}%) | {} | {ms:.0} ms |",
                problem.times.len(),
                100.0 * placed as f64 / n as f64,
                if report.proven_optimal { "yes" } else { "no" },
            );
        }
    }
}
