//! Learning outcomes.

use super::{Builder, Target, flag, stem};
use crate::content::markdown::{parse_document, parse_sections};
use crate::content::model::{LearningOutcome, LensRef};

/// A learning outcome file: `## Test:` and `## Lens:` blocks.
pub(super) fn outcome(
    builder: &mut Builder<'_>,
    path: &str,
    text: &str,
) -> Option<LearningOutcome> {
    let doc = parse_document(path, text, &mut builder.report);
    let id = builder.required_id(path, &doc);
    let sections = parse_sections(
        path,
        &doc.body,
        &["Test", "Lens"],
        &["source", "optional"],
        &mut builder.report,
    );
    let mut lenses = Vec::new();
    let mut tests = 0;
    for section in &sections {
        if section.kind == "Test" {
            tests += 1;
            continue;
        }
        let Some(source) = section.field("source") else {
            builder
                .report
                .error(path, section.line, "Lens needs `source:: ![[…]]`");
            continue;
        };
        let optional = flag(builder, path, section.field("optional"));
        if let Some(target) = builder.follow(path, source.line, &source.value, Target::Lens)
            && let Some(lens) = builder.lens(&target)
        {
            lenses.push(LensRef { lens, optional });
        }
    }
    if lenses.is_empty() {
        builder
            .report
            .warning(path, 0, "this learning outcome has no lenses");
    }
    Some(LearningOutcome {
        id: id?,
        name: stem(path),
        path: path.to_owned(),
        lenses,
        tests,
    })
}
