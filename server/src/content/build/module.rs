//! Modules.

use super::lens::{SEGMENT_KEYS, segments};
use super::{Builder, Target, flag};
use crate::content::markdown::{Section, parse_document, parse_sections};
use crate::content::model::{Module, ModuleItem, Page};

const MODULE_KINDS: &[&str] = &[
    "Page",
    "Text",
    "Chat",
    "Learning Outcome",
    "Uncategorized",
    "Lens",
];

/// A module file: pages, learning outcomes and uncategorized lenses.
pub(super) fn module(builder: &mut Builder<'_>, path: &str, text: &str) -> Option<Module> {
    let doc = parse_document(path, text, &mut builder.report);
    let id = builder.required_id(path, &doc);
    let slug = builder.required_meta(path, &doc, "slug");
    let title = builder.required_meta(path, &doc, "title");
    let sections = parse_sections(
        path,
        &doc.body,
        MODULE_KINDS,
        SEGMENT_KEYS,
        &mut builder.report,
    );

    let mut items = Vec::new();
    let mut page: Option<(Section, Vec<Section>)> = None;
    let finish_page = |builder: &mut Builder<'_>,
                       page: &mut Option<(Section, Vec<Section>)>,
                       items: &mut Vec<ModuleItem>| {
        if let Some((heading, parts)) = page.take() {
            let segments = segments(builder, path, &parts, None);
            items.push(ModuleItem::Page(Page {
                id: heading.value("id").map(str::to_owned),
                title: heading.title.clone(),
                segments,
            }));
        }
    };
    for section in sections {
        match section.kind {
            "Text" | "Chat" => match page.as_mut() {
                Some((_, parts)) => parts.push(section),
                None => builder.report.error(
                    path,
                    section.line,
                    format!("{} belongs inside a `# Page:` of the module", section.kind),
                ),
            },
            "Page" => {
                finish_page(builder, &mut page, &mut items);
                page = Some((section, Vec::new()));
            }
            "Uncategorized" => finish_page(builder, &mut page, &mut items),
            "Learning Outcome" => {
                finish_page(builder, &mut page, &mut items);
                let optional = flag(builder, path, section.field("optional"));
                let Some(source) = section.field("source") else {
                    builder.report.error(
                        path,
                        section.line,
                        "Learning Outcome needs `source:: ![[…]]`",
                    );
                    continue;
                };
                if let Some(target) =
                    builder.follow(path, source.line, &source.value, Target::Outcome)
                    && let Some(outcome) = builder.outcome(&target)
                {
                    items.push(ModuleItem::LearningOutcome { outcome, optional });
                }
            }
            _ => {
                finish_page(builder, &mut page, &mut items);
                let optional = flag(builder, path, section.field("optional"));
                let Some(source) = section.field("source") else {
                    builder
                        .report
                        .error(path, section.line, "Lens needs `source:: ![[…]]`");
                    continue;
                };
                if let Some(target) = builder.follow(path, source.line, &source.value, Target::Lens)
                    && let Some(lens) = builder.lens(&target)
                {
                    items.push(ModuleItem::Lens { lens, optional });
                }
            }
        }
    }
    finish_page(builder, &mut page, &mut items);
    Some(Module {
        id: id?,
        slug: slug?,
        title: title?,
        discussion_url: doc
            .meta("discussion")
            .map(|f| f.value.clone())
            .filter(|v| v.starts_with("http")),
        path: path.to_owned(),
        items,
    })
}
