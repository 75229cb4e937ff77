//! Conversions from the content snapshot to contract messages.

use lens_proto::v1;

use super::timestamp;
use crate::content::catalogue::{Attempt, Loaded};
use crate::content::model::{
    Article, Course, LearningOutcome, Lens, LensCard, Module, ModuleItem, Resource, Segment,
    SegmentKind, Snapshot, Video,
};
use crate::content::{ContentSource, Severity, Tier};

/// An article's details.
pub fn article_info(article: &Article) -> v1::ArticleInfo {
    v1::ArticleInfo {
        slug: article.slug.clone(),
        title: article.title.clone(),
        author: article.author_line().unwrap_or_default(),
        authors: article.authors.clone(),
        date: article.date.clone().unwrap_or_default(),
        source_url: article.source_url.clone().unwrap_or_default(),
    }
}

fn video_info(video: &Video) -> v1::VideoInfo {
    v1::VideoInfo {
        slug: video.slug.clone(),
        title: video.title.clone(),
        channel: video.channel.clone().unwrap_or_default(),
        url: video.url.clone().unwrap_or_default(),
        youtube_id: video.youtube_id.clone().unwrap_or_default(),
    }
}

fn card(card: &LensCard) -> v1::LensCard {
    v1::LensCard {
        lens_id: card.lens_id.clone(),
        title: card.title.clone(),
        tldr: card.tldr.clone().unwrap_or_default(),
        page_slug: card.slug.clone(),
    }
}

fn segment_kind(kind: &SegmentKind) -> v1::segment::Kind {
    use v1::segment::Kind;
    match kind {
        SegmentKind::Text { content, cards } => Kind::Text(v1::TextSegment {
            markdown: content.clone(),
            cards: cards.iter().map(card).collect(),
        }),
        SegmentKind::ArticleExcerpt { article, text } => {
            Kind::ArticleExcerpt(v1::ArticleExcerptSegment {
                article: Some(article_info(article)),
                markdown: text.clone(),
            })
        }
        SegmentKind::VideoExcerpt {
            video,
            from_seconds,
            to_seconds,
            transcript,
        } => Kind::VideoExcerpt(v1::VideoExcerptSegment {
            video: Some(video_info(video)),
            from_seconds: *from_seconds,
            to_seconds: to_seconds.unwrap_or(0.0),
            transcript: transcript.clone(),
        }),
        SegmentKind::Chat {
            title,
            instructions,
            hide_previous_content_from_user,
            hide_previous_content_from_tutor,
        } => Kind::Chat(v1::ChatSegment {
            title: title.clone(),
            instructions: instructions.clone(),
            hide_previous_content_from_user: *hide_previous_content_from_user,
            hide_previous_content_from_tutor: *hide_previous_content_from_tutor,
        }),
        SegmentKind::Question(q) => Kind::Question(v1::QuestionSegment {
            id: q.id.clone().unwrap_or_default(),
            markdown: q.content.clone(),
            assessment_instructions: q.assessment_instructions.clone().unwrap_or_default(),
            max_seconds: q.max_seconds.unwrap_or(0),
            max_chars: q.max_chars.unwrap_or(0),
            enforce_voice: q.enforce_voice,
            feedback: q.feedback,
        }),
        SegmentKind::Roleplay(r) => Kind::Roleplay(v1::RoleplaySegment {
            id: r.id.clone(),
            markdown: r.content.clone(),
            ai_instructions: r.ai_instructions.clone(),
            opening_message: r.opening_message.clone().unwrap_or_default(),
            assessment_instructions: r.assessment_instructions.clone().unwrap_or_default(),
            feedback: r.feedback,
            user_customizable: r.user_customizable,
        }),
    }
}

fn segments(segments: &[Segment]) -> Vec<v1::Segment> {
    segments
        .iter()
        .enumerate()
        .map(|(index, segment)| v1::Segment {
            index: index as u32,
            optional: segment.optional,
            kind: Some(segment_kind(&segment.kind)),
        })
        .collect()
}

/// A lens with its segments.
pub fn lens(lens: &Lens) -> v1::Lens {
    use v1::resource::Kind;
    v1::Lens {
        id: lens.id.clone(),
        name: lens.name.clone(),
        title: lens.title.clone(),
        page_slug: format!("lens/{}", lens.slug),
        tldr: lens.tldr.clone().unwrap_or_default(),
        resource: lens.resource.as_ref().map(|resource| match resource {
            Resource::Article { title, article } => v1::Resource {
                title: title.clone(),
                kind: Some(Kind::Article(article_info(article))),
            },
            Resource::Video { title, video } => v1::Resource {
                title: title.clone(),
                kind: Some(Kind::Video(video_info(video))),
            },
        }),
        segments: segments(&lens.segments),
    }
}

fn lens_use(l: &Lens, optional: bool, hidden: bool) -> v1::LensUse {
    v1::LensUse {
        lens: Some(lens(l)),
        optional,
        hidden,
    }
}

fn outcome(outcome: &LearningOutcome) -> v1::LearningOutcome {
    v1::LearningOutcome {
        id: outcome.id.clone(),
        name: outcome.name.clone(),
        statement: outcome.statement.clone().unwrap_or_default(),
        lenses: outcome
            .lenses
            .iter()
            .map(|l| lens_use(&l.lens, l.optional, l.hidden))
            .collect(),
        test_count: outcome.tests.len() as u32,
        tests: outcome
            .tests
            .iter()
            .map(|t| v1::OutcomeTest {
                id: t.id.clone().unwrap_or_default(),
                segments: segments(&t.segments),
            })
            .collect(),
    }
}

fn summary(module: &Module, optional: bool) -> v1::ModuleSummary {
    v1::ModuleSummary {
        id: module.id.clone(),
        slug: module.slug.clone(),
        title: module.title.clone(),
        optional,
    }
}

/// A module, fully resolved.
pub fn module(module: &Module, snapshot: &Snapshot) -> v1::Module {
    use v1::module_item::Item;
    v1::Module {
        id: module.id.clone(),
        slug: module.slug.clone(),
        title: module.title.clone(),
        discussion_url: module.discussion_url.clone().unwrap_or_default(),
        parent_slug: module.parent.clone().unwrap_or_default(),
        submodules: module
            .submodules
            .iter()
            .filter_map(|slug| snapshot.modules.get(slug))
            .map(|m| summary(m, false))
            .collect(),
        items: module
            .items
            .iter()
            .map(|item| v1::ModuleItem {
                item: Some(match item {
                    ModuleItem::Page(page) => Item::Page(v1::Page {
                        id: page.id.clone().unwrap_or_default(),
                        title: page.title.clone(),
                        segments: segments(&page.segments),
                    }),
                    ModuleItem::LearningOutcome {
                        outcome: o,
                        optional,
                    } => Item::LearningOutcome(v1::ModuleLearningOutcome {
                        outcome: Some(outcome(o)),
                        optional: *optional,
                    }),
                    ModuleItem::Lens {
                        lens,
                        optional,
                        hidden,
                    } => Item::Lens(lens_use(lens, *optional, *hidden)),
                }),
            })
            .collect(),
    }
}

/// A course with its modules grouped by meeting.
pub fn course(course: &Course, snapshot: &Snapshot) -> v1::Course {
    v1::Course {
        id: course.id.clone(),
        slug: course.slug.clone(),
        title: course.title.clone(),
        description: course.description.clone().unwrap_or_default(),
        slug_aliases: course.aliases.clone(),
        units: course
            .units
            .iter()
            .map(|unit| v1::CourseUnit {
                meeting: unit.meeting.unwrap_or(0),
                meeting_name: unit.meeting_name.clone().unwrap_or_default(),
                modules: unit
                    .modules
                    .iter()
                    .filter_map(|slug| snapshot.modules.get(slug))
                    .map(|m| summary(m, unit.optional.contains(&m.slug)))
                    .collect(),
            })
            .collect(),
    }
}

/// The content status.
pub fn status(
    source: &ContentSource,
    loaded: &Loaded,
    attempt: &Attempt,
) -> v1::GetContentStatusResponse {
    v1::GetContentStatusResponse {
        source: source.describe(),
        version: loaded.version.clone(),
        loaded_at: loaded.loaded_at.map(timestamp),
        last_attempt_version: attempt.version.clone(),
        last_attempt_at: attempt.at.map(timestamp),
        problems: attempt
            .diagnostics
            .iter()
            .map(|d| v1::ContentProblem {
                path: d.path.clone(),
                line: d.line as u32,
                is_error: d.severity == Severity::Error,
                message: d.message.clone(),
                suggestion: d.suggestion.clone().unwrap_or_default(),
                draft: d.tier == Tier::Draft,
            })
            .collect(),
        items: loaded
            .issues
            .iter()
            .map(|issue| v1::ContentItemIssue {
                kind: issue.kind.name().to_owned(),
                path: issue.path.clone(),
                held: issue.held,
                held_version: loaded
                    .held_versions
                    .get(&issue.path)
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect(),
        file_url_template: source
            .file_url_template(&loaded.version)
            .unwrap_or_default(),
    }
}
