//! Learning outcomes.

use std::sync::Arc;

use super::segments::{self, SEGMENT_KEYS, SEGMENT_KINDS};
use super::{Builder, Target, flag, stem};
use crate::content::markdown::{Document, Section, parse_sections};
use crate::content::model::{LearningOutcome, LensRef, Test};

/// Section kinds of a learning outcome file besides segments.
const OUTCOME_KINDS: &[&str] = &["Lens", "Test", "Submodule", "Learning Outcome"];

/// A learning outcome file: `## Lens:` blocks (source, `optional::`,
/// `hide::`), `## Test:` blocks of segments, and `## Submodule:` headings,
/// which group its lenses for authors (a module is split by its own
/// `# Submodule:` headings).
pub(super) fn outcome(
    builder: &mut Builder<'_>,
    path: &str,
    doc: &Document,
) -> Option<Arc<LearningOutcome>> {
    let id = builder.required_id(path, doc);
    let kinds: Vec<&'static str> = OUTCOME_KINDS.iter().chain(SEGMENT_KINDS).copied().collect();
    let mut keys = SEGMENT_KEYS.to_vec();
    keys.push("hide");
    let sections = parse_sections(path, &doc.body, &kinds, &keys, &mut builder.report);
    let mut lenses = Vec::new();
    let mut tests = Vec::new();
    let mut test: Option<(Section, Vec<Section>)> = None;
    let finish_test = |builder: &mut Builder<'_>,
                       test: &mut Option<(Section, Vec<Section>)>,
                       tests: &mut Vec<Test>| {
        if let Some((heading, parts)) = test.take() {
            let built = segments::build(builder, path, &parts);
            tests.push(Test {
                id: heading.value("id").map(str::to_owned),
                segments: built.segments,
            });
        }
    };
    for section in sections {
        match section.kind {
            "Test" => {
                finish_test(builder, &mut test, &mut tests);
                test = Some((section, Vec::new()));
            }
            "Lens" => {
                finish_test(builder, &mut test, &mut tests);
                let optional = flag(builder, path, section.field("optional"));
                let hidden = flag(builder, path, section.field("hide"));
                let Some(source) = section.field("source") else {
                    builder
                        .report
                        .error(path, section.line, "Lens needs `source:: ![[…]]`")
                        .suggest("link the lens file: source:: ![[../Lenses/Name]]");
                    continue;
                };
                if let Some(target) = builder.follow(path, source.line, &source.value, Target::Lens)
                    && let Some(lens) = builder.lens(path, source.line, &target)
                {
                    lenses.push(LensRef {
                        lens,
                        optional,
                        hidden,
                    });
                }
            }
            "Submodule" | "Learning Outcome" => finish_test(builder, &mut test, &mut tests),
            _ => match test.as_mut() {
                Some((_, parts)) => parts.push(section),
                None => {
                    builder.report.error(
                        path,
                        section.line,
                        format!(
                            "{} belongs inside a `## Test:` of the learning outcome",
                            section.kind
                        ),
                    );
                }
            },
        }
    }
    finish_test(builder, &mut test, &mut tests);
    if lenses.is_empty() {
        builder
            .report
            .warning(path, 1, "this learning outcome has no lenses");
    }
    Some(Arc::new(LearningOutcome {
        id: id?,
        name: stem(path),
        path: path.to_owned(),
        statement: doc.meta("learning-outcome"),
        lenses,
        tests,
    }))
}
