//! Courses.

use super::{Builder, Target};
use crate::content::markdown::{parse_document, parse_sections};
use crate::content::model::{Course, CourseUnit};

/// A course file: `# Module: [[…]]` and `# Meeting: N` headings.
pub(super) fn course(builder: &mut Builder<'_>, path: &str, text: &str) -> Option<Course> {
    let doc = parse_document(path, text, &mut builder.report);
    let id = builder.required_id(path, &doc);
    let slug = builder.required_meta(path, &doc, "slug");
    let title = builder.required_meta(path, &doc, "title");
    let sections = parse_sections(
        path,
        &doc.body,
        &["Module", "Meeting"],
        &[],
        &mut builder.report,
    );
    let mut units = Vec::new();
    let mut pending = Vec::new();
    let mut next_meeting = 1;
    for section in sections {
        if section.kind == "Module" {
            if let Some(target) = builder.follow(path, section.line, &section.title, Target::Module)
                && let Some(module) = builder.module(&target)
            {
                pending.push(module.slug.clone());
            }
            continue;
        }
        match section.title.parse::<u32>() {
            Ok(number) if number == next_meeting => {
                units.push(CourseUnit { meeting: Some(number), modules: std::mem::take(&mut pending) });
                next_meeting += 1;
            }
            Ok(number) => builder.report.error(
                path,
                section.line,
                format!("meetings must be numbered 1, 2, 3…: expected Meeting {next_meeting}, found {number}"),
            ),
            Err(_) => builder.report.error(
                path,
                section.line,
                format!("`# Meeting:` needs a number, not {:?}", section.title),
            ),
        }
    }
    if !pending.is_empty() {
        units.push(CourseUnit {
            meeting: None,
            modules: pending,
        });
    }
    Some(Course {
        id: id?,
        slug: slug?,
        title: title?,
        path: path.to_owned(),
        units,
    })
}
