//! Lenses, and the segments that lenses and module pages are made of.

use super::{Builder, Target, stem};
use crate::content::excerpt::{cut_article, cut_video, parse_timestamp};
use crate::content::markdown::{Section, parse_document, parse_sections, unquote};
use crate::content::model::{Lens, Resource, Segment};

/// Section kinds of a lens file.
const LENS_KINDS: &[&str] = &[
    "Article",
    "Video",
    "Text",
    "Article-excerpt",
    "Video-excerpt",
    "Chat",
];
/// Field keys of lens sections.
pub(super) const SEGMENT_KEYS: &[&str] = &[
    "source",
    "content",
    "from",
    "to",
    "instructions",
    "optional",
    "id",
    "hidePreviousContentFromUser",
    "hidePreviousContentFromTutor",
];

/// A lens file.
pub(super) fn lens(builder: &mut Builder<'_>, path: &str, text: &str) -> Option<Lens> {
    let doc = parse_document(path, text, &mut builder.report);
    let id = builder.required_id(path, &doc);
    let sections = parse_sections(
        path,
        &doc.body,
        LENS_KINDS,
        SEGMENT_KEYS,
        &mut builder.report,
    );
    let mut resource = None;
    let mut segment_sections = Vec::new();
    for section in sections {
        match section.kind {
            "Article" | "Video" => {
                if resource.is_some() {
                    builder.report.error(
                        path,
                        section.line,
                        "a lens has one resource; this is a second one",
                    );
                    continue;
                }
                resource = lens_resource(builder, path, &section);
            }
            _ => segment_sections.push(section),
        }
    }
    let segments = segments(builder, path, &segment_sections, resource.as_ref());
    if segments.is_empty() {
        builder.report.warning(path, 0, "this lens has no segments");
    }
    Some(Lens {
        id: id?,
        name: stem(path),
        path: path.to_owned(),
        resource,
        segments,
    })
}

fn lens_resource(builder: &mut Builder<'_>, path: &str, section: &Section) -> Option<Resource> {
    let Some(source) = section.field("source") else {
        builder.report.error(
            path,
            section.line,
            format!("{} needs `source:: [[…]]`", section.kind),
        );
        return None;
    };
    let title = section.title.clone();
    if section.kind == "Article" {
        let target = builder.follow(path, source.line, &source.value, Target::Article)?;
        Some(Resource::Article {
            title,
            article: builder.article(&target)?,
        })
    } else {
        let target = builder.follow(path, source.line, &source.value, Target::Video)?;
        Some(Resource::Video {
            title,
            video: builder.video(&target)?,
        })
    }
}

/// Turns segment sections (Text, excerpts, Chat) into segments; excerpts cut
/// from `resource`.
pub(super) fn segments(
    builder: &mut Builder<'_>,
    path: &str,
    sections: &[Section],
    resource: Option<&Resource>,
) -> Vec<Segment> {
    let mut segments = Vec::new();
    for section in sections {
        let segment = match section.kind {
            "Text" => match section.value("content") {
                Some(content) => Some(Segment::Text {
                    content: content.to_owned(),
                }),
                None => {
                    builder.report.error(
                        path,
                        section.line,
                        "Text needs `content::` with the text",
                    );
                    None
                }
            },
            "Chat" => match section.value("instructions") {
                Some(instructions) => Some(Segment::Chat {
                    title: section.title.clone(),
                    instructions: instructions.to_owned(),
                    hide_previous_content_from_user: super::flag(
                        builder,
                        path,
                        section.field("hidePreviousContentFromUser"),
                    ),
                    hide_previous_content_from_tutor: super::flag(
                        builder,
                        path,
                        section.field("hidePreviousContentFromTutor"),
                    ),
                }),
                None => {
                    builder.report.error(
                        path,
                        section.line,
                        "Chat needs `instructions::` for the tutor",
                    );
                    None
                }
            },
            "Article-excerpt" => article_excerpt(builder, path, section, resource),
            "Video-excerpt" => video_excerpt(builder, path, section, resource),
            other => {
                builder
                    .report
                    .error(path, section.line, format!("{other} cannot appear here"));
                None
            }
        };
        segments.extend(segment);
    }
    segments
}

fn article_excerpt(
    builder: &mut Builder<'_>,
    path: &str,
    section: &Section,
    resource: Option<&Resource>,
) -> Option<Segment> {
    let Some(Resource::Article { article, .. }) = resource else {
        builder.report.error(
            path,
            section.line,
            "Article-excerpt needs an `Article:` with a source before it",
        );
        return None;
    };
    let from = section.value("from").map(unquote);
    let to = section.value("to").map(unquote);
    match cut_article(&article.body, from, to) {
        Ok(text) => Some(Segment::ArticleExcerpt {
            article: article.clone(),
            text,
        }),
        Err(reason) => {
            let line = section
                .field(if reason.contains("`from`") {
                    "from"
                } else {
                    "to"
                })
                .map_or(section.line, |f| f.line);
            builder
                .report
                .error(path, line, format!("{reason} ({})", article.path));
            None
        }
    }
}

fn video_excerpt(
    builder: &mut Builder<'_>,
    path: &str,
    section: &Section,
    resource: Option<&Resource>,
) -> Option<Segment> {
    let Some(Resource::Video { video, .. }) = resource else {
        builder.report.error(
            path,
            section.line,
            "Video-excerpt needs a `Video:` with a source before it",
        );
        return None;
    };
    let mut time = |key: &str| -> Result<Option<f64>, ()> {
        let Some(field) = section.field(key).filter(|f| !f.value.is_empty()) else {
            return Ok(None);
        };
        match parse_timestamp(unquote(&field.value)) {
            Some(seconds) => Ok(Some(seconds)),
            None => {
                let message = format!(
                    "`{key}:: {}` is not a timestamp like 1:18 or 1:02:03",
                    field.value
                );
                builder.report.error(path, field.line, message);
                Err(())
            }
        }
    };
    let from = time("from").ok()?.unwrap_or(0.0);
    let to = time("to").ok()?;
    if to.is_some_and(|to| to <= from) {
        builder
            .report
            .error(path, section.line, "the excerpt ends before it starts");
        return None;
    }
    if video.words.is_empty() {
        builder.report.error(
            path,
            section.line,
            format!(
                "{} has no word timings ({}.timestamps.json)",
                video.path,
                video.path.trim_end_matches(".md")
            ),
        );
        return None;
    }
    let transcript = cut_video(&video.words, from, to);
    if transcript.is_empty() {
        builder.report.error(
            path,
            section.line,
            format!("no transcript words fall in this stretch of {}", video.path),
        );
        return None;
    }
    Some(Segment::VideoExcerpt {
        video: video.clone(),
        from_seconds: from,
        to_seconds: to,
        transcript,
    })
}
