//! Conversions from the content snapshot to contract messages.

use lens_proto::v1;

use crate::content::catalogue::{Attempt, Loaded};
use crate::content::model::{
    Article, Course, Lens, Module, ModuleItem, Resource, Segment, Snapshot, Video,
};
use crate::content::{ContentSource, Severity};
use crate::services::convert::timestamp;

/// An article's details.
pub fn article_info(article: &Article) -> v1::ArticleInfo {
    v1::ArticleInfo {
        slug: article.slug.clone(),
        title: article.title.clone(),
        author: article.author.clone().unwrap_or_default(),
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

fn segments(segments: &[Segment]) -> Vec<v1::Segment> {
    use v1::segment::Kind;
    segments
        .iter()
        .enumerate()
        .map(|(index, segment)| v1::Segment {
            index: index as u32,
            kind: Some(match segment {
                Segment::Text { content } => Kind::Text(v1::TextSegment {
                    markdown: content.clone(),
                }),
                Segment::ArticleExcerpt { article, text } => {
                    Kind::ArticleExcerpt(v1::ArticleExcerptSegment {
                        article: Some(article_info(article)),
                        markdown: text.clone(),
                    })
                }
                Segment::VideoExcerpt {
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
                Segment::Chat {
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
            }),
        })
        .collect()
}

/// A lens with its segments.
pub fn lens(lens: &Lens) -> v1::Lens {
    use v1::resource::Kind;
    v1::Lens {
        id: lens.id.clone(),
        name: lens.name.clone(),
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

fn lens_use(l: &Lens, optional: bool) -> v1::LensUse {
    v1::LensUse {
        lens: Some(lens(l)),
        optional,
    }
}

/// A module, fully resolved.
pub fn module(module: &Module) -> v1::Module {
    use v1::module_item::Item;
    v1::Module {
        id: module.id.clone(),
        slug: module.slug.clone(),
        title: module.title.clone(),
        discussion_url: module.discussion_url.clone().unwrap_or_default(),
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
                    ModuleItem::LearningOutcome { outcome, optional } => {
                        Item::LearningOutcome(v1::ModuleLearningOutcome {
                            outcome: Some(v1::LearningOutcome {
                                id: outcome.id.clone(),
                                name: outcome.name.clone(),
                                lenses: outcome
                                    .lenses
                                    .iter()
                                    .map(|l| lens_use(&l.lens, l.optional))
                                    .collect(),
                                test_count: outcome.tests as u32,
                            }),
                            optional: *optional,
                        })
                    }
                    ModuleItem::Lens { lens, optional } => Item::Lens(lens_use(lens, *optional)),
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
        units: course
            .units
            .iter()
            .map(|unit| v1::CourseUnit {
                meeting: unit.meeting.unwrap_or(0),
                modules: unit
                    .modules
                    .iter()
                    .filter_map(|slug| snapshot.modules.get(slug))
                    .map(|m| v1::ModuleSummary {
                        id: m.id.clone(),
                        slug: m.slug.clone(),
                        title: m.title.clone(),
                    })
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
            })
            .collect(),
    }
}
