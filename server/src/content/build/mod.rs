//! Builds a [`Snapshot`] from [`ContentFiles`], collecting every problem.
//!
//! Resources come first, then the notes that link to them, so every link
//! resolves to something already built. Each item (article, video, lens,
//! learning outcome, module, course) stands or falls on its own: an item
//! whose file has an error is left out, or, when the previous snapshot had
//! it, held at that last good version, and everything else is served.

mod course;
mod lens;
mod module;
mod outcome;
mod previous;
mod resources;
mod segments;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::diagnostics::{Diagnostic, Report};
use super::files::ContentFiles;
use super::markdown::{Document, parse_document, resolve_link, wiki_links};
use super::model::{Article, LearningOutcome, Lens, LensCard, Module, ModuleItem, Snapshot, Video};
use super::suggest::closest;
use previous::Previous;

/// The result of parsing a content tree.
#[derive(Debug)]
pub struct BuildOutcome {
    /// Everything sound (or held at its last good version).
    pub snapshot: Snapshot,
    /// Every error and warning, by file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// Items with errors: left out, or held at their last good version.
    pub items: Vec<ItemIssue>,
}

/// The kinds of item content is served as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    /// A course.
    Course,
    /// A module (with its submodules).
    Module,
    /// A learning outcome.
    LearningOutcome,
    /// A lens.
    Lens,
    /// An article.
    Article,
    /// A video transcript.
    Video,
}

impl ItemKind {
    /// A lower-case name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Course => "course",
            Self::Module => "module",
            Self::LearningOutcome => "learning outcome",
            Self::Lens => "lens",
            Self::Article => "article",
            Self::Video => "video",
        }
    }
}

/// An item that has errors in this version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemIssue {
    /// What it is.
    pub kind: ItemKind,
    /// Its file.
    pub path: String,
    /// Its slug (course, module) or id (lens, learning outcome), when the
    /// file says.
    pub key: Option<String>,
    /// Whether the last good version of it is served instead; otherwise it
    /// is unavailable.
    pub held: bool,
}

/// Parses and validates a whole content tree, on its own.
pub fn build(files: &ContentFiles) -> BuildOutcome {
    build_after(files, None)
}

/// Parses and validates a content tree; an item that has errors now but
/// was sound in `previous` keeps its previous version.
pub fn build_after(files: &ContentFiles, previous: Option<&Snapshot>) -> BuildOutcome {
    let mut builder = Builder {
        files,
        previous: previous.map(Previous::index).unwrap_or_default(),
        report: Report::default(),
        ids: HashMap::new(),
        used: HashSet::new(),
        drafts: HashSet::new(),
        pending: HashSet::new(),
        contained: HashMap::new(),
        cards: HashMap::new(),
        articles: HashMap::new(),
        videos: HashMap::new(),
        lenses: HashMap::new(),
        outcomes: HashMap::new(),
        modules: HashMap::new(),
        issues: Vec::new(),
    };
    let mut snapshot = Snapshot::default();
    for (path, doc) in builder.notes("articles") {
        if let Some(article) = builder.item(ItemKind::Article, &path, &doc, &[], |b| {
            resources::article(b, &path, &doc)
        }) {
            builder.articles.insert(path, article);
        }
    }
    for (path, doc) in builder.notes("video_transcripts") {
        let timings = resources::timings_path(&path);
        if let Some(video) = builder.item(ItemKind::Video, &path, &doc, &[timings], |b| {
            resources::video(b, &path, &doc)
        }) {
            builder.videos.insert(path, video);
        }
    }
    let lens_notes = builder.notes("Lenses");
    for (path, doc) in &lens_notes {
        let card = lens::card(path, doc);
        builder.cards.insert(path.clone(), card);
    }
    for (path, doc) in lens_notes {
        if let Some(lens) = builder.item(ItemKind::Lens, &path, &doc, &[], |b| {
            lens::lens(b, &path, &doc)
        }) {
            builder.lenses.insert(path, lens);
        }
    }
    for (path, doc) in builder.notes("Learning Outcomes") {
        if let Some(outcome) = builder.item(ItemKind::LearningOutcome, &path, &doc, &[], |b| {
            outcome::outcome(b, &path, &doc)
        }) {
            builder.outcomes.insert(path, outcome);
        }
    }
    for (path, doc) in builder.notes("modules") {
        let built = builder.items(ItemKind::Module, &path, &doc, |b| {
            module::module(b, &path, &doc)
        });
        if !built.is_empty() {
            builder.modules.insert(path, built);
        }
    }
    for (path, doc) in builder.notes("courses") {
        let Some(course) = builder.item(ItemKind::Course, &path, &doc, &[], |b| {
            course::course(b, &path, &doc)
        }) else {
            continue;
        };
        if builder.drafts.contains(&path) {
            continue;
        }
        if let Some(first) = snapshot.course(&course.slug) {
            let message = format!(
                "course slug {:?} is also used by {}",
                course.slug, first.path
            );
            builder.report.error(&path, 1, message);
            continue;
        }
        for alias in &course.aliases {
            if let Some(other) = snapshot.course(alias) {
                let message = format!("slug alias {alias:?} is also a slug of {}", other.path);
                builder.report.error(&path, 1, message);
            } else {
                snapshot
                    .course_aliases
                    .insert(alias.clone(), course.slug.clone());
            }
        }
        snapshot.courses.insert(course.slug.clone(), course);
    }
    builder.publish(&mut snapshot);
    builder.check_duplicate_ids(&mut snapshot);
    lens::add_own_pages(&mut snapshot);
    let Builder {
        report,
        mut issues,
        drafts,
        ..
    } = builder;
    // Drafts are never served, so none of them is "unavailable".
    issues.retain(|issue| !drafts.contains(&issue.path));
    issues.sort_by(|a, b| (&a.path, a.kind).cmp(&(&b.path, b.kind)));
    issues.dedup();
    BuildOutcome {
        snapshot,
        diagnostics: report.into_sorted(),
        items: issues,
    }
}

/// Shared state while building.
pub(super) struct Builder<'f> {
    files: &'f ContentFiles,
    previous: Previous,
    pub(super) report: Report,
    /// Every `id` seen, with where, to report duplicates.
    ids: HashMap<String, Vec<(String, usize)>>,
    /// Notes that a link successfully pointed at.
    used: HashSet<String>,
    /// Files in the draft tier.
    drafts: HashSet<String>,
    /// Files that are one suggested addition not accepted yet.
    pending: HashSet<String>,
    /// Errors per file whose effect stays where they are (a link to a
    /// draft leaves the draft out), so they do not take the item down.
    contained: HashMap<String, usize>,
    /// What a card shows of each lens file, by path.
    cards: HashMap<String, LensCard>,
    articles: HashMap<String, Arc<Article>>,
    videos: HashMap<String, Arc<Video>>,
    lenses: HashMap<String, Arc<Lens>>,
    outcomes: HashMap<String, Arc<LearningOutcome>>,
    /// Modules by file: the module and its submodules.
    modules: HashMap<String, Vec<Arc<Module>>>,
    issues: Vec<ItemIssue>,
}

/// What a link is expected to point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Article,
    Video,
    Lens,
    Outcome,
    Module,
}

impl Target {
    fn folder(self) -> &'static str {
        match self {
            Self::Article => "articles",
            Self::Video => "video_transcripts",
            Self::Lens => "Lenses",
            Self::Outcome => "Learning Outcomes",
            Self::Module => "modules",
        }
    }
}

/// A built item that can stand in for a broken one.
pub(super) trait Keep: Sized {
    /// The previous version of the item from `path`.
    fn previous(previous: &Previous, path: &str) -> Option<Self>;
}

impl<'f> Builder<'f> {
    /// The notes of a folder, parsed, with their tier decided: notes tagged
    /// `validator-ignore` are skipped; drafts are built and checked, but
    /// never served.
    fn notes(&mut self, folder: &str) -> Vec<(String, Document)> {
        let prefix = format!("{folder}/");
        let mut notes = Vec::new();
        for (path, text) in self.files.iter() {
            if !path.starts_with(&prefix) || !path.ends_with(".md") {
                continue;
            }
            let in_wip_folder = path.split('/').any(|segment| segment.starts_with("WIP"));
            if in_wip_folder {
                self.report.mark_draft(path);
            }
            let doc = parse_document(path, text, &mut self.report);
            if !doc.has_frontmatter && doc.body.iter().all(|(_, l)| l.trim().is_empty()) {
                // A file that is one pending CriticMarkup addition (as AI
                // drafts arrive) is no content until someone accepts it.
                // That is the workflow, not a problem: only a link to it
                // from published content is reported (in `follow`).
                if !text.trim().is_empty() {
                    self.pending.insert(path.to_owned());
                }
                continue;
            }
            let tags: Vec<String> = doc.frontmatter.list("tags");
            let tagged = |tag: &str| tags.iter().any(|t| t.eq_ignore_ascii_case(tag));
            if tagged("validator-ignore") {
                continue;
            }
            if in_wip_folder || tagged("wip") || tagged("work-in-progress") {
                self.drafts.insert(path.to_owned());
                self.report.mark_draft(path);
            }
            notes.push((path.to_owned(), doc));
        }
        notes
    }

    /// Builds one item from `path`. With any new error in its file (or in
    /// `also`, files it is made from), the item is held at its previous
    /// version or left out.
    fn item<T: Keep>(
        &mut self,
        kind: ItemKind,
        path: &str,
        doc: &Document,
        also: &[String],
        build: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        let errors_before = self.errors_in(path, also);
        let built = build(self);
        if self.errors_in(path, also) == errors_before && built.is_some() {
            return built;
        }
        self.fallback(kind, path, doc)
    }

    /// Like [`Builder::item`], for a module file, which yields the module
    /// and its submodules.
    fn items(
        &mut self,
        kind: ItemKind,
        path: &str,
        doc: &Document,
        build: impl FnOnce(&mut Self) -> Vec<Arc<Module>>,
    ) -> Vec<Arc<Module>> {
        let errors_before = self.errors_in(path, &[]);
        let built = build(self);
        if self.errors_in(path, &[]) == errors_before && !built.is_empty() {
            return built;
        }
        self.fallback(kind, path, doc).unwrap_or_default()
    }

    fn fallback<T: Keep>(&mut self, kind: ItemKind, path: &str, doc: &Document) -> Option<T> {
        let kept = T::previous(&self.previous, path);
        let key = match kind {
            ItemKind::Course | ItemKind::Module => doc.meta("slug"),
            ItemKind::Lens | ItemKind::LearningOutcome => doc.meta("id"),
            ItemKind::Article | ItemKind::Video => Some(stem(path)),
        };
        self.issues.push(ItemIssue {
            kind,
            key,
            path: path.to_owned(),
            held: kept.is_some(),
        });
        kept
    }

    fn errors_in(&self, path: &str, also: &[String]) -> usize {
        let errors =
            |p: &str| self.report.errors_in(p) - self.contained.get(p).copied().unwrap_or(0);
        errors(path) + also.iter().map(|p| errors(p)).sum::<usize>()
    }

    /// Puts every published item into the snapshot.
    fn publish(&self, snapshot: &mut Snapshot) {
        let published = |path: &String| !self.drafts.contains(path);
        for (path, article) in &self.articles {
            if published(path) {
                snapshot
                    .articles
                    .insert(article.slug.clone(), article.clone());
            }
        }
        for (path, video) in &self.videos {
            if published(path) {
                snapshot.videos.insert(video.slug.clone(), video.clone());
            }
        }
        for (path, lens) in &self.lenses {
            if published(path) {
                snapshot.lenses.insert(lens.id.clone(), lens.clone());
            }
        }
        for (path, outcome) in &self.outcomes {
            if published(path) {
                snapshot
                    .outcomes
                    .insert(outcome.id.clone(), outcome.clone());
            }
        }
        let mut module_paths: Vec<&String> = self.modules.keys().filter(|p| published(p)).collect();
        module_paths.sort();
        for path in module_paths {
            for module in &self.modules[path] {
                // Inline lenses are published with the module that holds them.
                for item in &module.items {
                    if let ModuleItem::Lens { lens, .. } = item
                        && lens.path == module.path
                    {
                        snapshot.lenses.insert(lens.id.clone(), lens.clone());
                    }
                }
                if let Some(first) = snapshot.modules.get(&module.slug)
                    && first.path != module.path
                {
                    // Reported once the file order is known (the first wins).
                    continue;
                }
                snapshot.modules.insert(module.slug.clone(), module.clone());
            }
        }
    }

    /// The raw text of another file.
    pub(super) fn file(&self, path: &str) -> Option<&'f str> {
        self.files.get(path)
    }

    /// Records an id (frontmatter or `id::`) for the duplicate check.
    pub(super) fn record_id(&mut self, path: &str, id: &str, line: usize) {
        self.ids
            .entry(id.to_owned())
            .or_default()
            .push((path.to_owned(), line));
    }

    /// The required frontmatter `id`, recorded for the duplicate check.
    pub(super) fn required_id(&mut self, path: &str, doc: &Document) -> Option<String> {
        let Some(id) = doc.meta("id") else {
            self.report
                .error(
                    path,
                    if doc.has_frontmatter { 2 } else { 1 },
                    "missing required frontmatter `id`",
                )
                .suggest("add `id:` with a new UUID to the frontmatter");
            return None;
        };
        let line = doc.frontmatter.line_of("id", 1);
        self.record_id(path, &id, line);
        Some(id)
    }

    /// A required frontmatter value.
    pub(super) fn required_meta(
        &mut self,
        path: &str,
        doc: &Document,
        key: &str,
    ) -> Option<String> {
        if !doc.has_frontmatter {
            self.report
                .error(path, 1, "missing frontmatter")
                .suggest(format!(
                    "start the file with a `---` block holding `{key}:`"
                ));
            return None;
        }
        match doc.meta(key) {
            Some(value) => Some(value),
            None => {
                let diagnostic =
                    self.report
                        .error(path, 2, format!("missing required frontmatter `{key}`"));
                let present = doc.frontmatter.entries.iter().map(|e| e.key.as_str());
                match closest(key, present) {
                    Some(typo) if typo != key => {
                        diagnostic.suggest(format!("`{typo}:` should be `{key}:`"))
                    }
                    _ => diagnostic.suggest(format!("add `{key}:` to the frontmatter")),
                }
                None
            }
        }
    }

    /// Reports ids shared by several notes. Two notes that published content
    /// uses must not share one (error). An unreferenced copy sharing an id
    /// (Obsidian's "duplicate file") is only a warning, and the copy is left
    /// out so that lookups by id find the note in use.
    fn check_duplicate_ids(&mut self, snapshot: &mut Snapshot) {
        let mut shared: Vec<(String, Vec<(String, usize)>)> = self
            .ids
            .iter()
            .map(|(id, places)| {
                let mut places = places.clone();
                places.retain(|(path, _)| !self.drafts.contains(path));
                places.dedup_by(|a, b| a.0 == b.0);
                (id.clone(), places)
            })
            .filter(|(_, places)| places.len() > 1)
            .collect();
        shared.sort();
        for (id, places) in shared {
            let is_root = |path: &str| path.starts_with("modules/") || path.starts_with("courses/");
            let (in_use, copies): (Vec<_>, Vec<_>) = places
                .iter()
                .partition(|(path, _)| self.used.contains(path) || is_root(path));
            if in_use.len() > 1 {
                let (first, first_line) = &in_use[0];
                for (path, line) in &in_use[1..] {
                    let message = format!("id {id} is also used by {first}:{first_line}");
                    self.report
                        .error(path, *line, message)
                        .suggest("give one of them a new UUID");
                }
                continue;
            }
            let keeper = in_use.first().map(|(p, _)| p.clone());
            for (path, line) in copies {
                let message = match &keeper {
                    Some(keeper) => {
                        format!("unreferenced copy: shares id {id} with {keeper}, which is in use")
                    }
                    None => format!("id {id} is shared by several unreferenced notes"),
                };
                self.report
                    .warning(path, *line, message)
                    .suggest("delete the copy or give it a new UUID");
            }
            if let Some(keeper) = keeper {
                if let Some(lens) = self.lenses.get(&keeper) {
                    snapshot.lenses.insert(id.clone(), lens.clone());
                }
                if let Some(outcome) = self.outcomes.get(&keeper) {
                    snapshot.outcomes.insert(id.clone(), outcome.clone());
                }
            }
        }
    }

    /// Follows the first wiki-link in `value`, which must point at a
    /// note of the expected kind; the resolved path. A published note
    /// linking to a draft is an error of the published note.
    pub(super) fn follow(
        &mut self,
        path: &str,
        line: usize,
        value: &str,
        target: Target,
    ) -> Option<String> {
        let folder = target.folder();
        let Some(link) = wiki_links(value).into_iter().next() else {
            self.report
                .error(
                    path,
                    line,
                    format!("expected a [[link]] to a note in {folder}/"),
                )
                .suggest(format!("write it as [[../{folder}/Name]]"));
            return None;
        };
        let Some(resolved) = resolve_link(path, &link.target) else {
            self.report.error(
                path,
                line,
                format!("link [[{}]] leaves the content folder", link.target),
            );
            return None;
        };
        let resolved = self.files.resolve_case(&resolved).unwrap_or(resolved);
        if !resolved.starts_with(&format!("{folder}/")) {
            self.report.error(
                path,
                line,
                format!(
                    "link [[{}]] points at {resolved}, but a note in {folder}/ is expected here",
                    link.target
                ),
            );
            return None;
        }
        if self.files.get(&resolved).is_none() {
            let diagnostic = self.report.error(
                path,
                line,
                format!("link [[{}]]: {resolved} does not exist", link.target),
            );
            let siblings = self
                .files
                .iter()
                .map(|(p, _)| p)
                .filter(|p| p.starts_with(folder));
            if let Some(similar) = closest_path(&resolved, siblings) {
                diagnostic.suggest(format!("did you mean {similar}?"));
            }
            return None;
        }
        if self.pending.contains(&resolved) {
            self.report
                .warning(
                    path,
                    line,
                    format!("{resolved} is a suggested addition that is not accepted yet; it is left out here"),
                )
                .suggest("accept the suggestion in Obsidian to publish it");
            return None;
        }
        if self.drafts.contains(&resolved) && !self.drafts.contains(path) {
            self.report
                .error(
                    path,
                    line,
                    format!("published content uses the draft {resolved}"),
                )
                .suggest("publish the draft (remove its `wip` tag or move it out of WIP) or link elsewhere");
            // The draft is left out here; the rest of this item stays served.
            *self.contained.entry(path.to_owned()).or_default() += 1;
            return None;
        }
        self.used.insert(resolved.clone());
        Some(resolved)
    }

    /// A built article, or a warning that it is unavailable.
    pub(super) fn article(&mut self, from: &str, line: usize, path: &str) -> Option<Arc<Article>> {
        let found = self.articles.get(path).cloned();
        self.unavailable_unless(found, from, line, path)
    }
    /// A built video, or a warning that it is unavailable.
    pub(super) fn video(&mut self, from: &str, line: usize, path: &str) -> Option<Arc<Video>> {
        let found = self.videos.get(path).cloned();
        self.unavailable_unless(found, from, line, path)
    }
    /// A built lens, or a warning that it is unavailable.
    pub(super) fn lens(&mut self, from: &str, line: usize, path: &str) -> Option<Arc<Lens>> {
        let found = self.lenses.get(path).cloned();
        self.unavailable_unless(found, from, line, path)
    }
    /// A built learning outcome, or a warning that it is unavailable.
    pub(super) fn outcome(
        &mut self,
        from: &str,
        line: usize,
        path: &str,
    ) -> Option<Arc<LearningOutcome>> {
        let found = self.outcomes.get(path).cloned();
        self.unavailable_unless(found, from, line, path)
    }
    /// A built module with its submodules, or a warning that it is unavailable.
    pub(super) fn module(
        &mut self,
        from: &str,
        line: usize,
        path: &str,
    ) -> Option<Vec<Arc<Module>>> {
        let found = self.modules.get(path).cloned();
        self.unavailable_unless(found, from, line, path)
    }
    /// A linked item that has errors (and no earlier version) is left out
    /// where it is used; the user of it stays served.
    fn unavailable_unless<T>(
        &mut self,
        found: Option<T>,
        from: &str,
        line: usize,
        path: &str,
    ) -> Option<T> {
        if found.is_none() {
            self.report
                .warning(
                    from,
                    line,
                    format!("{path} has errors and is left out here"),
                )
                .suggest(format!("fix the errors reported for {path}"));
        }
        found
    }
}

/// What text directives need while they are checked: where to report,
/// and what a card shows of a lens file.
pub(crate) trait CardLookup {
    /// Where problems go.
    fn report(&mut self) -> &mut Report;
    /// What a card shows of the lens at `path`, if it is one.
    fn card(&self, path: &str) -> Option<LensCard>;
}

impl CardLookup for Builder<'_> {
    fn report(&mut self) -> &mut Report {
        &mut self.report
    }
    fn card(&self, path: &str) -> Option<LensCard> {
        let path = self.files.resolve_case(path)?;
        self.cards.get(&path).cloned()
    }
}

/// The existing path most like `wanted`, by file name.
fn closest_path<'p>(wanted: &str, paths: impl Iterator<Item = &'p str>) -> Option<&'p str> {
    let name = |p: &str| {
        p.rsplit('/')
            .next()
            .unwrap_or(p)
            .trim_end_matches(".md")
            .to_owned()
    };
    let wanted_name = name(wanted);
    let paths: Vec<&str> = paths.filter(|p| p.ends_with(".md")).collect();
    let names: Vec<String> = paths.iter().map(|p| name(p)).collect();
    let best = closest(&wanted_name, names.iter().map(String::as_str))?;
    paths.into_iter().find(|p| name(p) == best)
}

/// The file name without folder and `.md`.
pub(super) fn stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_owned()
}

/// A URL name as the original platform made them: lower case letters and
/// digits, spaces and dashes as one dash, anything else dropped
/// ("A.I. - Humanity's Final Invention" → `ai-humanitys-final-invention`).
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !slug.is_empty()
            && !slug.ends_with('-')
        {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// Parses a `true`/`false` field; anything else is reported.
pub(super) fn flag(
    builder: &mut Builder<'_>,
    path: &str,
    field: Option<&super::markdown::Field>,
) -> bool {
    match field {
        None => false,
        Some(f) => match f.value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => true,
            "false" | "no" | "" => false,
            other => {
                builder
                    .report
                    .error(
                        path,
                        f.line,
                        format!("`{}::` must be true or false, not {other:?}", f.key),
                    )
                    .suggest(format!("write `{}:: true` or `{}:: false`", f.key, f.key));
                false
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Ch1 - Intelligence"), "ch1-intelligence");
        assert_eq!(slugify("  Dive Deeper! "), "dive-deeper");
        assert_eq!(slugify("Grown, not crafted"), "grown-not-crafted");
        assert_eq!(
            slugify("A.I. - Humanity's Final Invention"),
            "ai-humanitys-final-invention"
        );
    }
}
