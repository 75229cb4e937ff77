//! Modules: linked and inline lenses, learning outcomes, pages, and
//! `# Submodule:` headings that split a module into child modules.

use std::sync::Arc;

use super::segments::{self, SEGMENT_KEYS, SEGMENT_KINDS};
use super::{Builder, Target, flag, slugify};
use crate::content::markdown::{Document, Section, parse_sections};
use crate::content::model::{Lens, Module, ModuleItem, Page};

/// Section kinds of a module file besides segments.
const MODULE_KINDS: &[&str] = &[
    "Lens",
    "Learning Outcome",
    "Page",
    "Submodule",
    "Uncategorized",
];

/// What segment sections are being gathered into.
enum Open {
    None,
    Page(Section, Vec<Section>),
    Lens(Section, Vec<Section>),
}

/// A part of the module after a `# Submodule:` heading.
struct Part {
    title: String,
    items: Vec<ModuleItem>,
}

/// A module file: the module, then its submodules (if it is split).
pub(super) fn module(builder: &mut Builder<'_>, path: &str, doc: &Document) -> Vec<Arc<Module>> {
    let slug = builder.required_meta(path, doc, "slug");
    let title = builder.required_meta(path, doc, "title");
    let id = doc.meta("id").or_else(|| doc.meta("contentId"));
    if let Some(id) = &id {
        let line = doc.frontmatter.line_of("id", 1);
        builder.record_id(path, id, line);
    }
    let kinds: Vec<&'static str> = MODULE_KINDS.iter().chain(SEGMENT_KINDS).copied().collect();
    let mut keys = SEGMENT_KEYS.to_vec();
    keys.push("hide");
    let sections = parse_sections(path, &doc.body, &kinds, &keys, &mut builder.report);

    let mut parts: Vec<Part> = vec![Part {
        title: String::new(),
        items: Vec::new(),
    }];
    let mut open = Open::None;
    for section in sections {
        let items = &mut parts.last_mut().expect("one part at least").items;
        match section.kind {
            "Submodule" => {
                close(builder, path, &mut open, items);
                if section.title.is_empty() {
                    builder
                        .report
                        .error(path, section.line, "`# Submodule:` needs a title")
                        .suggest("write it as `# Submodule: Title`");
                    continue;
                }
                parts.push(Part {
                    title: section.title.clone(),
                    items: Vec::new(),
                });
            }
            "Page" => {
                close(builder, path, &mut open, items);
                open = Open::Page(section, Vec::new());
            }
            "Uncategorized" => close(builder, path, &mut open, items),
            "Learning Outcome" => {
                close(builder, path, &mut open, items);
                let optional = flag(builder, path, section.field("optional"));
                let Some(source) = section.field("source") else {
                    builder
                        .report
                        .error(
                            path,
                            section.line,
                            "Learning Outcome needs `source:: ![[…]]`",
                        )
                        .suggest("link the outcome: source:: ![[../Learning Outcomes/Name]]");
                    continue;
                };
                if let Some(target) =
                    builder.follow(path, source.line, &source.value, Target::Outcome)
                    && let Some(outcome) = builder.outcome(path, source.line, &target)
                {
                    items.push(ModuleItem::LearningOutcome { outcome, optional });
                }
            }
            "Lens" => {
                close(builder, path, &mut open, items);
                let optional = flag(builder, path, section.field("optional"));
                let hidden = flag(builder, path, section.field("hide"));
                if let Some(source) = section.field("source") {
                    if let Some(target) =
                        builder.follow(path, source.line, &source.value, Target::Lens)
                        && let Some(lens) = builder.lens(path, source.line, &target)
                    {
                        items.push(ModuleItem::Lens {
                            lens,
                            optional,
                            hidden,
                        });
                    }
                } else if section.value("id").is_some() {
                    open = Open::Lens(section, Vec::new());
                } else {
                    builder
                        .report
                        .error(
                            path,
                            section.line,
                            "Lens needs `source:: ![[…]]`, or `id::` for a lens written here",
                        )
                        .suggest("link a lens file, or give this inline lens an `id::` UUID");
                }
            }
            _ => match &mut open {
                Open::Page(_, segments) | Open::Lens(_, segments) => segments.push(section),
                Open::None => {
                    builder
                        .report
                        .error(
                            path,
                            section.line,
                            format!(
                                "{} belongs inside a `# Lens:` (with `id::`) or `# Page:`",
                                section.kind
                            ),
                        )
                        .suggest(
                            "start an inline lens: `# Lens: Title` then `id::` with a new UUID",
                        );
                }
            },
        }
    }
    let items = &mut parts.last_mut().expect("one part at least").items;
    close(builder, path, &mut open, items);

    // Everything is checked before a missing slug or title ends the module,
    // so every problem is reported at once.
    let (Some(slug), Some(title)) = (slug, title) else {
        return Vec::new();
    };
    let id = id.unwrap_or_else(|| slug.clone());
    let discussion_url = doc.meta("discussion").filter(|v| v.starts_with("http"));
    let whole_items: Vec<ModuleItem> = parts.iter().flat_map(|p| p.items.clone()).collect();
    let mut parts = parts.into_iter();
    let preamble = parts.next().map(|p| p.items).unwrap_or_default();
    let mut children: Vec<Part> = parts.collect();
    // Items before the first submodule heading open the first submodule.
    if let Some(first) = children.first_mut() {
        first.items.splice(0..0, preamble);
    }
    let mut seen = std::collections::HashSet::new();
    let children: Vec<Module> = children
        .into_iter()
        .map(|part| {
            let mut child = slugify(&part.title);
            while !seen.insert(child.clone()) {
                child.push('-');
            }
            Module {
                id: format!("{id}/{child}"),
                slug: format!("{slug}/{child}"),
                title: part.title,
                parent: Some(slug.clone()),
                submodules: Vec::new(),
                discussion_url: discussion_url.clone(),
                path: path.to_owned(),
                items: part.items,
            }
        })
        .collect();
    let parent = Module {
        id,
        submodules: children.iter().map(|c| c.slug.clone()).collect(),
        slug,
        title,
        parent: None,
        discussion_url,
        path: path.to_owned(),
        items: whole_items,
    };
    std::iter::once(parent)
        .chain(children)
        .map(Arc::new)
        .collect()
}

/// Ends the page or inline lens being gathered, as an item.
fn close(builder: &mut Builder<'_>, path: &str, open: &mut Open, items: &mut Vec<ModuleItem>) {
    match std::mem::replace(open, Open::None) {
        Open::None => {}
        Open::Page(heading, sections) => {
            let built = segments::build(builder, path, &sections);
            items.push(ModuleItem::Page(Page {
                id: heading.value("id").map(str::to_owned),
                title: heading.title.clone(),
                segments: built.segments,
            }));
        }
        Open::Lens(heading, sections) => {
            let id = heading.value("id").unwrap_or_default().to_owned();
            let line = heading.field("id").map_or(heading.line, |f| f.line);
            builder.record_id(path, &id, line);
            let built = segments::build(builder, path, &sections);
            let name = if heading.title.is_empty() {
                id.clone()
            } else {
                heading.title.clone()
            };
            let optional = flag(builder, path, heading.field("optional"));
            let hidden = flag(builder, path, heading.field("hide"));
            items.push(ModuleItem::Lens {
                lens: Arc::new(Lens {
                    id,
                    title: name.clone(),
                    slug: slugify(&name),
                    tldr: None,
                    summary_for_tutor: None,
                    name,
                    path: path.to_owned(),
                    resource: built.resource,
                    segments: built.segments,
                }),
                optional,
                hidden,
            });
        }
    }
}
