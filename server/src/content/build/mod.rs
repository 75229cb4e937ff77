//! Builds a [`Snapshot`] from [`ContentFiles`], collecting every problem.
//! Resources come first, then the notes that link to them, so every link
//! resolves to something already built.

mod course;
mod lens;
mod module;
mod outcome;
mod resources;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::diagnostics::{Diagnostic, Report};
use super::files::{ContentFiles, is_draft};
use super::markdown::{Document, resolve_link, wiki_links};
use super::model::{Article, LearningOutcome, Lens, Module, Snapshot, Video};

/// The result of parsing a content tree.
#[derive(Debug)]
pub struct BuildOutcome {
    /// The snapshot: present when there were no errors.
    pub snapshot: Option<Snapshot>,
    /// Every error and warning, by file and line.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and validates a whole content tree.
pub fn build(files: &ContentFiles) -> BuildOutcome {
    let mut builder = Builder {
        files,
        report: Report::default(),
        ids: HashMap::new(),
        used: HashSet::new(),
        articles: HashMap::new(),
        videos: HashMap::new(),
        lenses: HashMap::new(),
        outcomes: HashMap::new(),
        modules: HashMap::new(),
    };
    let mut snapshot = Snapshot::default();
    for (path, text) in builder.published("articles", ".md") {
        if let Some(article) = resources::article(&mut builder, path, text) {
            let article = Arc::new(article);
            snapshot
                .articles
                .insert(article.slug.clone(), article.clone());
            builder.articles.insert(path.to_owned(), article);
        }
    }
    for (path, text) in builder.published("video_transcripts", ".md") {
        if let Some(video) = resources::video(&mut builder, path, text) {
            let video = Arc::new(video);
            snapshot.videos.insert(video.slug.clone(), video.clone());
            builder.videos.insert(path.to_owned(), video);
        }
    }
    for (path, text) in builder.published("Lenses", ".md") {
        if let Some(lens) = lens::lens(&mut builder, path, text) {
            let lens = Arc::new(lens);
            snapshot.lenses.insert(lens.id.clone(), lens.clone());
            builder.lenses.insert(path.to_owned(), lens);
        }
    }
    for (path, text) in builder.published("Learning Outcomes", ".md") {
        if let Some(outcome) = outcome::outcome(&mut builder, path, text) {
            let outcome = Arc::new(outcome);
            snapshot
                .outcomes
                .insert(outcome.id.clone(), outcome.clone());
            builder.outcomes.insert(path.to_owned(), outcome);
        }
    }
    for (path, text) in builder.published("modules", ".md") {
        if let Some(module) = module::module(&mut builder, path, text) {
            let module = Arc::new(module);
            if let Some(first) = snapshot.modules.get(&module.slug) {
                let message = format!(
                    "module slug {:?} is also used by {}",
                    module.slug, first.path
                );
                builder.report.error(path, 0, message);
            }
            snapshot.modules.insert(module.slug.clone(), module.clone());
            builder.modules.insert(path.to_owned(), module);
        }
    }
    for (path, text) in builder.published("courses", ".md") {
        if let Some(course) = course::course(&mut builder, path, text) {
            if let Some(first) = snapshot.courses.get(&course.slug) {
                let message = format!(
                    "course slug {:?} is also used by {}",
                    course.slug, first.path
                );
                builder.report.error(path, 0, message);
            }
            snapshot
                .courses
                .insert(course.slug.clone(), Arc::new(course));
        }
    }
    builder.check_duplicate_ids(&mut snapshot);
    let failed = builder.report.has_errors();
    BuildOutcome {
        snapshot: (!failed).then_some(snapshot),
        diagnostics: builder.report.into_sorted(),
    }
}

/// Shared state while building.
pub(super) struct Builder<'f> {
    files: &'f ContentFiles,
    pub(super) report: Report,
    /// Every `id` seen, with where, to report duplicates.
    ids: HashMap<String, Vec<(String, usize)>>,
    /// Notes that a link successfully pointed at.
    used: HashSet<String>,
    articles: HashMap<String, Arc<Article>>,
    videos: HashMap<String, Arc<Video>>,
    lenses: HashMap<String, Arc<Lens>>,
    outcomes: HashMap<String, Arc<LearningOutcome>>,
    modules: HashMap<String, Arc<Module>>,
}

/// What a link is expected to point at.
#[derive(Debug, Clone, Copy)]
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

impl<'f> Builder<'f> {
    /// Published (non-draft) files of a folder with the given ending.
    fn published(&self, folder: &str, ending: &str) -> Vec<(&'f str, &'f str)> {
        let prefix = format!("{folder}/");
        self.files
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix) && p.ends_with(ending) && !is_draft(p))
            .collect()
    }

    /// The raw text of another file.
    pub(super) fn file(&self, path: &str) -> Option<&'f str> {
        self.files.get(path)
    }

    /// The required frontmatter `id`, checked for uniqueness across all content.
    pub(super) fn required_id(&mut self, path: &str, doc: &Document<'_>) -> Option<String> {
        let Some(field) = doc.meta("id") else {
            self.report
                .error(path, 1, "missing required frontmatter `id`");
            return None;
        };
        self.ids
            .entry(field.value.clone())
            .or_default()
            .push((path.to_owned(), field.line));
        Some(field.value.clone())
    }

    /// Reports ids shared by several notes. Two notes that published content
    /// uses must not share one (error). An unreferenced copy sharing an id
    /// (Obsidian's "duplicate file") is only a warning, and the copy is left
    /// out so that lookups by id find the note in use.
    fn check_duplicate_ids(&mut self, snapshot: &mut Snapshot) {
        let mut shared: Vec<(String, Vec<(String, usize)>)> = self
            .ids
            .iter()
            .filter(|(_, places)| places.len() > 1)
            .map(|(id, places)| (id.clone(), places.clone()))
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
                    let message = format!(
                        "id {id} is also used by {first}:{first_line}; give one of them a new id"
                    );
                    self.report.error(path, *line, message);
                }
                continue;
            }
            let keeper = in_use.first().map(|(p, _)| p.clone());
            for (path, line) in copies {
                let message = match &keeper {
                    Some(keeper) => format!(
                        "unreferenced copy: shares id {id} with {keeper}, which is in use; delete this file or give it a new id"
                    ),
                    None => format!(
                        "id {id} is shared by several unreferenced notes; give each its own id"
                    ),
                };
                self.report.warning(path, *line, message);
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

    /// A required frontmatter value.
    pub(super) fn required_meta(
        &mut self,
        path: &str,
        doc: &Document<'_>,
        key: &str,
    ) -> Option<String> {
        match doc.meta(key) {
            Some(field) => Some(field.value.clone()),
            None => {
                self.report
                    .error(path, 1, format!("missing required frontmatter `{key}`"));
                None
            }
        }
    }

    /// Follows the first wiki-link in `value`, which must point at a
    /// published note of the expected kind; the resolved path.
    pub(super) fn follow(
        &mut self,
        path: &str,
        line: usize,
        value: &str,
        target: Target,
    ) -> Option<String> {
        let Some(link) = wiki_links(value).into_iter().next() else {
            self.report.error(
                path,
                line,
                format!("expected a [[link]] to a note in {}/", target.folder()),
            );
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
        if !resolved.starts_with(&format!("{}/", target.folder())) {
            self.report.error(
                path,
                line,
                format!(
                    "link [[{}]] points at {resolved}, but a note in {}/ is expected here",
                    link.target,
                    target.folder()
                ),
            );
            return None;
        }
        if self.files.get(&resolved).is_none() {
            self.report.error(
                path,
                line,
                format!("link [[{}]]: {resolved} does not exist", link.target),
            );
            return None;
        }
        if is_draft(&resolved) {
            self.report.error(
                path,
                line,
                format!(
                    "link [[{}]] points at the draft {resolved}; publish it or link elsewhere",
                    link.target
                ),
            );
            return None;
        }
        self.used.insert(resolved.clone());
        Some(resolved)
    }

    pub(super) fn article(&self, path: &str) -> Option<Arc<Article>> {
        self.articles.get(path).cloned()
    }
    pub(super) fn video(&self, path: &str) -> Option<Arc<Video>> {
        self.videos.get(path).cloned()
    }
    pub(super) fn lens(&self, path: &str) -> Option<Arc<Lens>> {
        self.lenses.get(path).cloned()
    }
    pub(super) fn outcome(&self, path: &str) -> Option<Arc<LearningOutcome>> {
        self.outcomes.get(path).cloned()
    }
    pub(super) fn module(&self, path: &str) -> Option<Arc<Module>> {
        self.modules.get(path).cloned()
    }
}

/// The file name without folder and `.md`.
pub(super) fn stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_owned()
}

/// Parses an `optional::` value; anything but true/false is reported.
pub(super) fn flag(
    builder: &mut Builder<'_>,
    path: &str,
    field: Option<&super::markdown::Field>,
) -> bool {
    match field {
        None => false,
        Some(f) => match f.value.to_ascii_lowercase().as_str() {
            "true" | "yes" => true,
            "false" | "no" | "" => false,
            other => {
                builder.report.error(
                    path,
                    f.line,
                    format!("`{}::` must be true or false, not {other:?}", f.key),
                );
                false
            }
        },
    }
}
