//! The parsed, validated and fully resolved content: an immutable snapshot.
//! Everything a reader needs is inside: excerpts are already cut, links
//! already followed.

use std::collections::HashMap;
use std::sync::Arc;

/// A course: modules to study before each group meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    /// Stable id (frontmatter `id`).
    pub id: String,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Source file.
    pub path: String,
    /// Modules grouped by the meeting they prepare for, in order. The group
    /// after the last `# Meeting:` heading (if any modules follow it) has no
    /// meeting number.
    pub units: Vec<CourseUnit>,
}

/// The modules to study before one meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseUnit {
    /// The meeting these modules prepare for; `None` for modules after the last meeting.
    pub meeting: Option<u32>,
    /// Module slugs, in order (a module may appear more than once).
    pub modules: Vec<String>,
}

/// A module: pages, learning outcomes and lenses in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// Stable id.
    pub id: String,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Link to the module's discussion (Discord), if any.
    pub discussion_url: Option<String>,
    /// Source file.
    pub path: String,
    /// Items in reading order.
    pub items: Vec<ModuleItem>,
}

/// One item of a module.
#[derive(Debug, Clone, PartialEq)]
pub enum ModuleItem {
    /// A page of text (and possibly chat) written in the module itself.
    Page(Page),
    /// An embedded learning outcome.
    LearningOutcome {
        /// The outcome.
        outcome: Arc<LearningOutcome>,
        /// Whether it may be skipped.
        optional: bool,
    },
    /// A lens outside any learning outcome (`# Uncategorized:`).
    Lens {
        /// The lens.
        lens: Arc<Lens>,
        /// Whether it may be skipped.
        optional: bool,
    },
}

/// A page written in a module.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Stable id (`id::`), if given.
    pub id: Option<String>,
    /// Title from the heading.
    pub title: String,
    /// Segments.
    pub segments: Vec<Segment>,
}

/// A learning outcome: what a learner should be able to do, and the lenses
/// that teach it.
#[derive(Debug, Clone, PartialEq)]
pub struct LearningOutcome {
    /// Stable id.
    pub id: String,
    /// Name (the file name).
    pub name: String,
    /// Source file.
    pub path: String,
    /// Lenses in order.
    pub lenses: Vec<LensRef>,
    /// Number of `## Test:` blocks (assessment arrives with its own issue).
    pub tests: usize,
}

/// A lens used by a learning outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct LensRef {
    /// The lens.
    pub lens: Arc<Lens>,
    /// Whether it may be skipped.
    pub optional: bool,
}

/// A lens: one resource (article or video) with framing text, excerpts and
/// tutor chats.
#[derive(Debug, Clone, PartialEq)]
pub struct Lens {
    /// Stable id.
    pub id: String,
    /// Name (the file name).
    pub name: String,
    /// Source file.
    pub path: String,
    /// The resource the lens is about.
    pub resource: Option<Resource>,
    /// Segments in order.
    pub segments: Vec<Segment>,
}

/// What a lens is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Resource {
    /// An article.
    Article {
        /// The heading's title.
        title: String,
        /// The article.
        article: Arc<Article>,
    },
    /// A video.
    Video {
        /// The heading's title.
        title: String,
        /// The video.
        video: Arc<Video>,
    },
}

/// One segment of a lens or page.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// Framing text (markdown).
    Text {
        /// The markdown.
        content: String,
    },
    /// A passage of the lens's article.
    ArticleExcerpt {
        /// The article.
        article: Arc<Article>,
        /// The passage, from the start of `from` to the end of `to`.
        text: String,
    },
    /// A stretch of the lens's video.
    VideoExcerpt {
        /// The video.
        video: Arc<Video>,
        /// Start, seconds.
        from_seconds: f64,
        /// End, seconds; `None` means the end of the video.
        to_seconds: Option<f64>,
        /// The transcript words spoken in that stretch.
        transcript: String,
    },
    /// A conversation with the AI tutor.
    Chat {
        /// Heading title, if any.
        title: String,
        /// Instructions for the tutor.
        instructions: String,
        /// Hide the content before this chat from the learner's view of the chat.
        hide_previous_content_from_user: bool,
        /// Keep the content before this chat out of the tutor's prompt.
        hide_previous_content_from_tutor: bool,
    },
}

/// An article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// File name without `.md`.
    pub slug: String,
    /// Source file.
    pub path: String,
    /// Title.
    pub title: String,
    /// Author, if given.
    pub author: Option<String>,
    /// Publication date as written, if given.
    pub date: Option<String>,
    /// Original URL, if given.
    pub source_url: Option<String>,
    /// Markdown body.
    pub body: String,
}

/// A video transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    /// File name without `.md`.
    pub slug: String,
    /// Source file.
    pub path: String,
    /// Title.
    pub title: String,
    /// Channel, if given.
    pub channel: Option<String>,
    /// Watch URL, if given.
    pub url: Option<String>,
    /// YouTube video id parsed from the URL, if it is a YouTube URL.
    pub youtube_id: Option<String>,
    /// Transcript words with their start times (empty without a
    /// `.timestamps.json`).
    pub words: Vec<TimedWord>,
}

/// A transcript word.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedWord {
    /// The word as spoken.
    pub text: String,
    /// When it starts, seconds.
    pub start: f64,
}

/// Everything published, resolved, by the keys RPCs look things up by.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Courses by slug.
    pub courses: HashMap<String, Arc<Course>>,
    /// Modules by slug.
    pub modules: HashMap<String, Arc<Module>>,
    /// Lenses by id.
    pub lenses: HashMap<String, Arc<Lens>>,
    /// Learning outcomes by id.
    pub outcomes: HashMap<String, Arc<LearningOutcome>>,
    /// Articles by slug.
    pub articles: HashMap<String, Arc<Article>>,
    /// Videos by slug.
    pub videos: HashMap<String, Arc<Video>>,
}

/// What a content id names, for progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// A module.
    Module,
    /// A learning outcome.
    LearningOutcome,
    /// A lens.
    Lens,
}

impl ContentKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Module => "module",
            Self::LearningOutcome => "learning_outcome",
            Self::Lens => "lens",
        }
    }
}

impl Snapshot {
    /// What `id` names, if it is a module, learning outcome or lens.
    pub fn kind_of(&self, id: &str) -> Option<ContentKind> {
        if self.lenses.contains_key(id) {
            Some(ContentKind::Lens)
        } else if self.outcomes.contains_key(id) {
            Some(ContentKind::LearningOutcome)
        } else if self.modules.values().any(|m| m.id == id) {
            Some(ContentKind::Module)
        } else {
            None
        }
    }
}

impl Module {
    /// Ids of the module's lenses and learning outcomes, each once, and
    /// the ids of its required lenses (outside optional outcomes, not
    /// optional themselves).
    pub fn parts(&self) -> (Vec<&str>, Vec<&str>) {
        let mut all = Vec::new();
        let mut required = Vec::new();
        for item in &self.items {
            match item {
                ModuleItem::Page(_) => {}
                ModuleItem::LearningOutcome { outcome, optional } => {
                    all.push(outcome.id.as_str());
                    for lens in &outcome.lenses {
                        all.push(lens.lens.id.as_str());
                        if !optional && !lens.optional {
                            required.push(lens.lens.id.as_str());
                        }
                    }
                }
                ModuleItem::Lens { lens, optional } => {
                    all.push(lens.id.as_str());
                    if !optional {
                        required.push(lens.id.as_str());
                    }
                }
            }
        }
        all.sort_unstable();
        all.dedup();
        required.sort_unstable();
        required.dedup();
        (all, required)
    }
}
