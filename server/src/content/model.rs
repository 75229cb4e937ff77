//! The parsed, validated and fully resolved content: an immutable snapshot.
//! Everything a reader needs is inside: excerpts are already cut, links
//! already followed.

use std::collections::HashMap;
use std::sync::Arc;

/// A course: modules to study before each group meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    /// Stable id (frontmatter `id`; the slug when the course has none).
    pub id: String,
    /// URL name.
    pub slug: String,
    /// Other slugs that lead to this course (`slug-aliases`).
    pub aliases: Vec<String>,
    /// Title.
    pub title: String,
    /// What the course is about, if written.
    pub description: Option<String>,
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
    /// The meeting these modules prepare for (numbered 1, 2, … in course
    /// order); `None` for modules after the last meeting.
    pub meeting: Option<u32>,
    /// The meeting's name as the course names it ("Introduction").
    pub meeting_name: Option<String>,
    /// Module slugs, in order (a module may appear more than once). A
    /// module split into submodules is listed as its children.
    pub modules: Vec<String>,
    /// Slugs of the modules the course marks `optional:: true`.
    pub optional: Vec<String>,
}

/// A module: pages, learning outcomes and lenses in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// Stable id (frontmatter `id`, else the slug; a submodule's is its
    /// parent's id, `/`, and its own slug part).
    pub id: String,
    /// URL name; a submodule's is `{parent}/{child}`, a lens's own page
    /// `lens/{lens}`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// The module this one was split from (`# Submodule:`), if any.
    pub parent: Option<String>,
    /// Slugs of the submodules this module is split into, in order.
    pub submodules: Vec<String>,
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
    /// A lens outside any learning outcome: linked (`source::`) or written
    /// in the module itself (an inline lens, with its own `id::`).
    Lens {
        /// The lens.
        lens: Arc<Lens>,
        /// Whether it may be skipped.
        optional: bool,
        /// Whether it is left out of the reading flow (`hide:: true`): still
        /// readable on its own page and through lens cards.
        hidden: bool,
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
    /// What the learner will be able to do (`learning-outcome`), if written.
    pub statement: Option<String>,
    /// Lenses in order.
    pub lenses: Vec<LensRef>,
    /// `## Test:` blocks: questions that check the outcome.
    pub tests: Vec<Test>,
}

/// A test of a learning outcome: text and question segments.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Stable id (`id::`), if given.
    pub id: Option<String>,
    /// Segments in order.
    pub segments: Vec<Segment>,
}

/// A lens used by a learning outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct LensRef {
    /// The lens.
    pub lens: Arc<Lens>,
    /// Whether it may be skipped.
    pub optional: bool,
    /// Whether it is left out of the reading flow (`hide:: true`).
    pub hidden: bool,
}

/// A lens: one resource (article or video) with framing text, excerpts and
/// tutor chats.
#[derive(Debug, Clone, PartialEq)]
pub struct Lens {
    /// Stable id.
    pub id: String,
    /// Name (the file name; an inline lens's heading).
    pub name: String,
    /// Title: `title`, else its first resource's title, else the name (as
    /// the original platform titled lenses).
    pub title: String,
    /// URL name of the lens's own page, `lens/{slug}`.
    pub slug: String,
    /// A one-line summary for cards (`tldr`), if written.
    pub tldr: Option<String>,
    /// A summary for the tutor (`summary_for_tutor`), if written.
    pub summary_for_tutor: Option<String>,
    /// Source file (the module's, for an inline lens).
    pub path: String,
    /// The first resource the lens reads from; a mixed lens reads from
    /// several (see each excerpt's own article or video).
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

/// One segment of a lens, page or test.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Whether the learner may skip it (`optional:: true`).
    pub optional: bool,
    /// What it is.
    pub kind: SegmentKind,
}

impl From<SegmentKind> for Segment {
    fn from(kind: SegmentKind) -> Self {
        Self {
            optional: false,
            kind,
        }
    }
}

/// What a segment is.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentKind {
    /// Framing text (markdown, with text directives and lens cards).
    Text {
        /// The markdown.
        content: String,
        /// The lenses its `::card[[…]]` lines show, in order.
        cards: Vec<LensCard>,
    },
    /// A passage of an article.
    ArticleExcerpt {
        /// The article.
        article: Arc<Article>,
        /// The passage, from the start of `from` to the end of `to`.
        text: String,
    },
    /// A stretch of a video.
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
    /// A question the learner answers in writing (or aloud).
    Question(Question),
    /// A conversation with an AI character.
    Roleplay(Roleplay),
}

/// A question segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Stable id (`id::`), if given.
    pub id: Option<String>,
    /// The question (markdown).
    pub content: String,
    /// How the model scores an answer, if it should.
    pub assessment_instructions: Option<String>,
    /// Time allowed, in seconds.
    pub max_seconds: Option<u32>,
    /// Longest answer accepted, in characters.
    pub max_chars: Option<u32>,
    /// The answer must be spoken.
    pub enforce_voice: bool,
    /// Show the learner the assessment.
    pub feedback: bool,
}

/// A roleplay segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Roleplay {
    /// Stable id (`id::`): conversations are bound to it.
    pub id: String,
    /// The learner's briefing (markdown).
    pub content: String,
    /// Who the AI plays and how.
    pub ai_instructions: String,
    /// What the AI character says first, if anything.
    pub opening_message: Option<String>,
    /// How the model scores the conversation, if it should.
    pub assessment_instructions: Option<String>,
    /// Show the learner the assessment.
    pub feedback: bool,
    /// The learner may adjust the scenario.
    pub user_customizable: bool,
}

/// A card that shows another lens inside text (`::card[[…]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct LensCard {
    /// The lens's id.
    pub lens_id: String,
    /// The lens's title.
    pub title: String,
    /// Its one-line summary, if any.
    pub tldr: Option<String>,
    /// Its own page, `lens/{slug}`.
    pub slug: String,
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
    /// Authors, in order (`author:` may list several).
    pub authors: Vec<String>,
    /// Publication date as written (`published`, else `date`), if given.
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
    /// Course slug aliases, to the course's slug.
    pub course_aliases: HashMap<String, String>,
    /// Modules by slug, submodules and every lens's own page included.
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
                        if !optional && !lens.optional && !lens.hidden {
                            required.push(lens.lens.id.as_str());
                        }
                    }
                }
                ModuleItem::Lens {
                    lens,
                    optional,
                    hidden,
                } => {
                    all.push(lens.id.as_str());
                    if !optional && !hidden {
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

impl Resource {
    /// The title the lens gives it.
    pub fn title(&self) -> &str {
        match self {
            Self::Article { title, .. } | Self::Video { title, .. } => title,
        }
    }
}

impl Article {
    /// The authors as one line ("A, B and C"), if any.
    pub fn author_line(&self) -> Option<String> {
        match self.authors.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
        }
    }
}

impl Snapshot {
    /// The course named by `slug` or one of its aliases.
    pub fn course(&self, slug: &str) -> Option<&Arc<Course>> {
        self.courses.get(slug).or_else(|| {
            self.course_aliases
                .get(slug)
                .and_then(|target| self.courses.get(target))
        })
    }

    /// The title of the course named by `slug`, or the slug itself when
    /// the content no longer has it (messages still need a name).
    pub fn course_title(&self, slug: &str) -> String {
        self.course(slug)
            .map_or_else(|| slug.to_owned(), |c| c.title.clone())
    }
}
