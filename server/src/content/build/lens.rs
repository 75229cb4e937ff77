//! Lenses: a lens file, and the page every lens gets of its own.

use std::collections::HashSet;
use std::sync::Arc;

use super::segments::{self, SEGMENT_KEYS, SEGMENT_KINDS};
use super::{Builder, slugify, stem};
use crate::content::markdown::{Document, parse_sections};
use crate::content::model::{Lens, LensCard, Module, ModuleItem, Snapshot};

/// A lens file: segments, and frontmatter with `id` (required), `title`,
/// `tldr` and `summary_for_tutor`.
pub(super) fn lens(builder: &mut Builder<'_>, path: &str, doc: &Document) -> Option<Arc<Lens>> {
    let id = builder.required_id(path, doc);
    let mut kinds = SEGMENT_KINDS.to_vec();
    // Module sections pasted into a lens are reported, not read as text.
    kinds.extend(["Lens", "Learning Outcome", "Submodule", "Page"]);
    let mut keys = SEGMENT_KEYS.to_vec();
    keys.push("hide");
    let sections = parse_sections(path, &doc.body, &kinds, &keys, &mut builder.report);
    let (segment_sections, misplaced): (Vec<_>, Vec<_>) = sections
        .into_iter()
        .partition(|s| SEGMENT_KINDS.contains(&s.kind));
    // Module sections pasted into a lens come in runs: one warning says it.
    if let Some(first) = misplaced.first() {
        let message = match misplaced.len() {
            1 => format!(
                "a `{}:` section belongs in a module, not a lens; it is ignored",
                first.kind
            ),
            n => format!(
                "{n} module sections (`Lens:`, `Learning Outcome:`, …) from here on belong in a module, not a lens; they are ignored"
            ),
        };
        builder
            .report
            .warning(path, first.line, message)
            .suggest("move them to the module, or show the lenses with ::card[[…]]");
    }
    let built = segments::build(builder, path, &segment_sections);
    if built.segments.is_empty() {
        builder.report.warning(path, 1, "this lens has no segments");
    }
    let name = stem(path);
    Some(Arc::new(Lens {
        id: id?,
        title: doc
            .meta("title")
            .or_else(|| built.resource.as_ref().map(|r| r.title().to_owned()))
            .unwrap_or_else(|| capitalized(&name)),
        slug: slugify(&name),
        tldr: doc.meta("tldr"),
        summary_for_tutor: doc.meta("summary_for_tutor"),
        name,
        path: path.to_owned(),
        resource: built.resource,
        segments: built.segments,
    }))
}

/// A file name as a title: its first letter upper case.
fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What a card shows of a lens file, read from its frontmatter alone, so
/// cards can point at lenses in any order.
pub(super) fn card(path: &str, doc: &Document) -> LensCard {
    let name = stem(path);
    LensCard {
        lens_id: doc.meta("id").unwrap_or_default(),
        title: doc.meta("title").unwrap_or_else(|| capitalized(&name)),
        tldr: doc.meta("tldr"),
        slug: format!("lens/{}", slugify(&name)),
    }
}

/// Gives every served lens a page of its own, `lens/{slug}`, as the
/// original platform did; a slug two lenses share gets the id's start.
pub(super) fn add_own_pages(snapshot: &mut Snapshot) {
    let mut lenses: Vec<Arc<Lens>> = snapshot.lenses.values().cloned().collect();
    lenses.sort_by(|a, b| (&a.path, &a.id).cmp(&(&b.path, &b.id)));
    lenses.dedup_by(|a, b| a.id == b.id);
    let mut taken: HashSet<String> = HashSet::new();
    for lens in lenses {
        let mut slug = format!("lens/{}", lens.slug);
        if !taken.insert(slug.clone()) || snapshot.modules.contains_key(&slug) {
            slug = format!("{slug}-{}", lens.id.chars().take(8).collect::<String>());
            taken.insert(slug.clone());
        }
        let page = Module {
            id: lens.id.clone(),
            slug: slug.clone(),
            title: lens.title.clone(),
            parent: None,
            submodules: Vec::new(),
            discussion_url: None,
            path: lens.path.clone(),
            items: vec![ModuleItem::Lens {
                lens: lens.clone(),
                optional: false,
                hidden: false,
            }],
        };
        snapshot
            .modules
            .entry(slug)
            .or_insert_with(|| Arc::new(page));
    }
}
