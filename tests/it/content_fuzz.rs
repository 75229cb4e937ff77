//! The content parser never panics and always says where a problem is, on
//! arbitrary edits of real files: lines deleted, duplicated, swapped and
//! cut, and fragments of the format's own syntax dropped in at random
//! places. Bounded in time, seeded, so a failure can be replayed with the
//! seed it prints.

use std::time::{Duration, Instant};

use lens_server::content::{ContentFiles, build, build_after};
use lens_tests::{content_fixture, relay_fixture};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Pieces of the format, and of what breaks it, to drop into files.
const FRAGMENTS: &[&str] = &[
    "---",
    "# Lens:",
    "# Module: [[../modules/",
    "#### Article",
    "#### Video",
    "#### Question",
    "#### Roleplay",
    "# Submodule:",
    "## Test:",
    "source:: ![[../Lenses/",
    "from:: \"",
    "to:: 99:99",
    "to:: 0:01",
    "optional:: maybe",
    "id:: ",
    "content::",
    "::card[[../Lenses/Nope]]",
    ":::note",
    ":::",
    ":tip[x]",
    "{++ added",
    "++}",
    "{~~old~>new~~}",
    "%%",
    "\\## escaped",
    "author: [unclosed",
    "tags:\n  - wip",
    "\u{202E}\u{0}\u{FEFF}",
    "é日本語🙂",
    "[[",
    "]]",
];

fn mutate(text: &str, rng: &mut StdRng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..rng.random_range(1..6) {
        let at = if lines.is_empty() {
            0
        } else {
            rng.random_range(0..lines.len())
        };
        match rng.random_range(0..6) {
            0 if !lines.is_empty() => {
                lines.remove(at);
            }
            1 if !lines.is_empty() => {
                let copy = lines[at].clone();
                lines.insert(at, copy);
            }
            2 if lines.len() > 1 => {
                let other = rng.random_range(0..lines.len());
                lines.swap(at, other);
            }
            3 if !lines.is_empty() => {
                let line = &lines[at];
                let cut = line
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(
                        rng.random_range(0..=line.chars().count().max(1))
                            % line.chars().count().max(1),
                    )
                    .unwrap_or(0);
                lines[at] = line[..cut].to_owned();
            }
            _ => {
                let fragment = FRAGMENTS[rng.random_range(0..FRAGMENTS.len())];
                lines.insert(at.min(lines.len()), fragment.to_owned());
            }
        }
    }
    lines.join("\n")
}

fn every_problem_has_a_place(files: &ContentFiles, seed: u64, round: usize) {
    let outcome = build(files);
    // Built again on top of itself: the last-good path runs too.
    let again = build_after(files, Some(&outcome.snapshot));
    for diagnostic in outcome.diagnostics.iter().chain(&again.diagnostics) {
        let text = files
            .get(&diagnostic.path)
            .unwrap_or_else(|| panic!("seed {seed} round {round}: {diagnostic} names no file"));
        let lines = text.lines().count().max(1);
        let whole_file = diagnostic.line == 0 && diagnostic.path.ends_with(".json");
        assert!(
            whole_file || (1..=lines + 1).contains(&diagnostic.line),
            "seed {seed} round {round}: {diagnostic} is outside the file's {lines} lines"
        );
    }
}

#[test]
fn mutated_real_files_never_panic_and_every_problem_has_a_file_and_line() {
    let seed: u64 = std::env::var("LENS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    let budget = Duration::from_secs(
        std::env::var("LENS_FUZZ_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(6),
    );
    eprintln!("content fuzz seed {seed} (replay with LENS_FUZZ_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    // The January content is small enough to rebuild whole each round; of
    // today's, a slice of files keeps rounds quick.
    let january = ContentFiles::read_dir(&content_fixture()).unwrap();
    let today = ContentFiles::read_dir(&relay_fixture()).unwrap();
    let mut today_slice = ContentFiles::new();
    for (path, text) in today
        .iter()
        .filter(|(p, _)| p.contains("IABIED") || p.starts_with("courses/"))
    {
        today_slice.insert(path, text.to_owned());
    }
    let bases = [january, today_slice];
    let started = Instant::now();
    let mut rounds = 0;
    while started.elapsed() < budget {
        let base = &bases[rounds % bases.len()];
        let paths: Vec<&str> = base
            .iter()
            .map(|(p, _)| p)
            .filter(|p| p.ends_with(".md"))
            .collect();
        let mut files = base.clone();
        for _ in 0..rng.random_range(1..8) {
            let path = paths[rng.random_range(0..paths.len())];
            let mutated = mutate(files.get(path).unwrap(), &mut rng);
            files.insert(path, mutated);
        }
        every_problem_has_a_place(&files, seed, rounds);
        rounds += 1;
    }
    eprintln!("content fuzz: {rounds} rounds in {:?}", started.elapsed());
    assert!(rounds >= 3, "the fuzz ran {rounds} rounds");
}
