//! Matching quality and speed on generated populations (100, 1 000 and
//! 5 000 sign-ups): the solver beside a plain greedy pass, the stochastic
//! greedy courses run today (1 000 randomised passes, best kept), and an
//! upper bound. Prints a markdown table.
//!
//! `cargo bench -p lens-tests --bench matching`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use lens_server::matching::baseline::{greedy, stochastic_greedy};
use lens_server::matching::{Problem, Solution, solve};
use lens_tests::population::{generate, upper_bound};

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
