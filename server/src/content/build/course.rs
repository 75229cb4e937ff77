//! Courses.

use std::sync::Arc;

use super::{Builder, Target, flag};
use crate::content::markdown::{Document, parse_sections};
use crate::content::model::{Course, CourseUnit};

/// A course file: `# Module: [[…]]` (with `optional::`) and
/// `# Meeting: <name>` headings; the modules before a meeting are due by
/// it. Meetings are numbered in order; a module split into submodules is
/// listed as its submodules.
pub(super) fn course(builder: &mut Builder<'_>, path: &str, doc: &Document) -> Option<Arc<Course>> {
    let slug = builder.required_meta(path, doc, "slug");
    let title = builder.required_meta(path, doc, "title");
    let sections = parse_sections(
        path,
        &doc.body,
        &["Module", "Meeting"],
        &["optional"],
        &mut builder.report,
    );
    let mut units = Vec::new();
    let mut pending = CourseUnit {
        meeting: None,
        meeting_name: None,
        modules: Vec::new(),
        optional: Vec::new(),
    };
    for section in sections {
        if section.kind == "Module" {
            let optional = flag(builder, path, section.field("optional"));
            if let Some(target) = builder.follow(path, section.line, &section.title, Target::Module)
                && let Some(modules) = builder.module(path, section.line, &target)
            {
                let parent = &modules[0];
                let slugs: Vec<String> = if parent.submodules.is_empty() {
                    vec![parent.slug.clone()]
                } else {
                    parent.submodules.clone()
                };
                if optional {
                    pending.optional.extend(slugs.iter().cloned());
                }
                pending.modules.extend(slugs);
            }
            continue;
        }
        let number = units.len() as u32 + 1;
        let name = section.title.trim();
        let name = match name.parse::<u32>() {
            // The older form numbered meetings instead of naming them.
            Ok(written) => {
                if written != number {
                    builder
                        .report
                        .warning(
                            path,
                            section.line,
                            format!("this is meeting {number}, not {written}"),
                        )
                        .suggest(
                            "name meetings instead of numbering them; they are numbered in order",
                        );
                }
                format!("Meeting {number}")
            }
            Err(_) if name.is_empty() => format!("Meeting {number}"),
            Err(_) => name.to_owned(),
        };
        pending.meeting = Some(number);
        pending.meeting_name = Some(name);
        units.push(std::mem::replace(
            &mut pending,
            CourseUnit {
                meeting: None,
                meeting_name: None,
                modules: Vec::new(),
                optional: Vec::new(),
            },
        ));
    }
    if !pending.modules.is_empty() {
        units.push(pending);
    }
    let (slug, title) = (slug?, title?);
    let id = doc.meta("id").unwrap_or_else(|| slug.clone());
    Some(Arc::new(Course {
        id,
        aliases: doc.frontmatter.list("slug-aliases"),
        description: doc.meta("description"),
        slug,
        title,
        path: path.to_owned(),
        units,
    }))
}
