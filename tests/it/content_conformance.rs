//! The original platform's content processor fixtures, with the output it
//! produced for them: Lens builds the same modules, sections and segments
//! from them, and reports the same problems at the same places. Compared by
//! meaning, not JSON: Lens's contract is shaped differently.
//!
//! Where Lens reads more than the original did, the difference is named in a
//! test below and in docs/content.md.

use std::path::Path;

use lens_server::content::model::{ModuleItem, Segment, SegmentKind, Snapshot};
use lens_server::content::{BuildOutcome, ContentFiles, Severity, build};
use lens_tests::fixtures::original_processor;
use serde_json::Value;

fn case(name: &str) -> (BuildOutcome, Value) {
    let dir = original_processor().join(name);
    let outcome = build(&ContentFiles::read_dir(&dir.join("input")).unwrap());
    let expected = ["expected.json", "expected-errors.json"]
        .iter()
        .map(|file| dir.join(file))
        .find(|path| path.exists())
        .expect("an expected output");
    let expected = serde_json::from_str(&std::fs::read_to_string(expected).unwrap()).unwrap();
    (outcome, expected)
}

/// The kinds of a run of segments, empty texts left out (the original kept
/// them, Lens drops them: they show nothing).
fn kinds(segments: &[Segment]) -> Vec<&'static str> {
    segments
        .iter()
        .filter_map(|s| match &s.kind {
            SegmentKind::Text { content, .. } if content.trim().is_empty() => None,
            SegmentKind::Text { .. } => Some("text"),
            SegmentKind::ArticleExcerpt { .. } => Some("article"),
            SegmentKind::VideoExcerpt { .. } => Some("video"),
            SegmentKind::Chat { .. } => Some("chat"),
            SegmentKind::Question(_) => Some("question"),
            SegmentKind::Roleplay(_) => Some("roleplay"),
        })
        .collect()
}

fn expected_kinds(section: &Value) -> Vec<String> {
    section["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            !(s["type"] == "text" && s["content"].as_str().is_some_and(|c| c.trim().is_empty()))
        })
        .map(|s| s["type"].as_str().unwrap().to_owned())
        .collect()
}

/// A module as the original listed it: one section per lens (or page).
fn sections(snapshot: &Snapshot, slug: &str) -> Vec<Vec<&'static str>> {
    let module = snapshot
        .modules
        .get(slug)
        .unwrap_or_else(|| panic!("module {slug} is built"));
    module
        .items
        .iter()
        .flat_map(|item| match item {
            ModuleItem::Page(page) => vec![kinds(&page.segments)],
            ModuleItem::LearningOutcome { outcome, .. } => outcome
                .lenses
                .iter()
                .map(|l| kinds(&l.lens.segments))
                .collect(),
            ModuleItem::Lens { lens, .. } => vec![kinds(&lens.segments)],
        })
        .collect()
}

/// Every module the original built is built alike: the same slug and title,
/// and its sections, in order, among Lens's with the same segment kinds.
fn same_modules(outcome: &BuildOutcome, expected: &Value) {
    same_modules_but(outcome, expected, |_, _| false);
}

/// [`same_modules`], where `also(ours, wanted)` accepts a known difference.
fn same_modules_but(
    outcome: &BuildOutcome,
    expected: &Value,
    also: impl Fn(&[&str], &[String]) -> bool,
) {
    for module in expected["modules"].as_array().unwrap() {
        let slug = module["slug"].as_str().unwrap();
        let ours = &outcome.snapshot.modules[slug];
        assert_eq!(
            ours.title,
            module["title"].as_str().unwrap(),
            "title of {slug}"
        );
        let mut ours = sections(&outcome.snapshot, slug).into_iter();
        for section in module["sections"].as_array().unwrap() {
            let wanted = expected_kinds(section);
            assert!(
                ours.any(|kinds| kinds == wanted || also(&kinds, &wanted)),
                "{slug}: a section with segments {wanted:?}, in order"
            );
        }
    }
}

fn published_errors(outcome: &BuildOutcome) -> Vec<(String, usize)> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.path.clone(), d.line))
        .collect()
}

#[test]
fn valid_cases_build_the_same_modules_without_errors() {
    for name in [
        "valid/minimal-module",
        "valid/uncategorized-multiple-lenses",
        "valid/video-no-timestamps",
    ] {
        let (outcome, expected) = case(name);
        assert_eq!(published_errors(&outcome), [], "{name}");
        same_modules(&outcome, &expected);
    }
}

#[test]
fn the_golden_content_builds_the_same_modules_without_errors() {
    let (outcome, expected) = case("golden/actual-content");
    assert_eq!(published_errors(&outcome), []);
    same_modules(&outcome, &expected);
}

#[test]
fn the_software_demo_builds_what_the_original_could_and_more() {
    // The original stopped at a `# Heading` inside a `content::` value and at
    // a `source::` whose link is on the next line, and reported 12 problems;
    // Lens reads both as authors meant (docs/content.md), so the lenses it
    // lost are there too.
    let (outcome, expected) = case("golden/software-demo");
    assert_eq!(published_errors(&outcome), []);
    // The text the original lost to the heading inside it is read.
    same_modules_but(&outcome, &expected, |ours, wanted| {
        ours.first() == Some(&"text") && ours[1..] == *wanted
    });
    let original = expected["modules"].as_array().unwrap();
    let demo = original.iter().find(|m| m["slug"] == "demo").unwrap();
    assert!(sections(&outcome.snapshot, "demo").len() > demo["sections"].as_array().unwrap().len());
}

#[test]
fn invalid_cases_report_the_same_problems_at_the_same_places() {
    for name in [
        "invalid/broken-wikilink",
        "invalid/missing-frontmatter",
        "invalid/missing-slug",
    ] {
        let (outcome, expected) = case(name);
        let ours = published_errors(&outcome);
        for error in expected["errors"].as_array().unwrap() {
            let file = error["file"].as_str().unwrap();
            // The original pointed at a section's heading, Lens at the
            // field in it that is wrong: the line below, at most.
            let found = match error["line"].as_u64() {
                Some(line) => {
                    let line = line as usize;
                    ours.iter()
                        .any(|(path, at)| path == file && (line..=line + 1).contains(at))
                }
                None => ours.iter().any(|(path, _)| path == file),
            };
            assert!(found, "{name}: {error} among {ours:?}");
        }
        assert!(
            outcome
                .snapshot
                .modules
                .values()
                .all(|m| !m.slug.starts_with("broken") && m.slug != "no-slug")
        );
    }
}

#[test]
fn the_fixtures_are_where_the_tests_read_them() {
    assert!(
        Path::new(&original_processor())
            .join("golden/actual-content/input/courses/default.md")
            .exists()
    );
}
