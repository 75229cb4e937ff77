//! Segments: what lenses, inline lenses, pages and tests are made of.
//!
//! An `Article` or `Video` segment with `source::` starts reading from that
//! resource; one without takes the source of the previous segment of the
//! same type, so one lens can mix several articles and videos. The older
//! form, an `Article: Title` heading that only names the resource followed
//! by `Article-excerpt` segments, reads the same way.

use std::sync::Arc;

use super::{Builder, Target, flag};
use crate::content::directives;
use crate::content::excerpt::{cut_article, cut_video, parse_timestamp};
use crate::content::markdown::{Field, Section, unquote};
use crate::content::model::{Article, Question, Resource, Roleplay, Segment, SegmentKind, Video};

/// Section kinds that are segments.
pub(super) const SEGMENT_KINDS: &[&str] = &[
    "Text",
    "Chat",
    "Article",
    "Article-excerpt",
    "Video",
    "Video-excerpt",
    "Question",
    "Roleplay",
];

/// Field keys of segments.
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
    "assessment-instructions",
    "max-time",
    "max-chars",
    "enforce-voice",
    "feedback",
    "ai-instructions",
    "opening-message",
    "user-customizable",
];

/// Segments built from sections, and the first resource they read from.
pub(super) struct Built {
    pub segments: Vec<Segment>,
    pub resource: Option<Resource>,
}

/// Turns segment sections into segments.
pub(super) fn build(builder: &mut Builder<'_>, path: &str, sections: &[Section]) -> Built {
    let mut reading = Reading::default();
    let mut segments = Vec::new();
    for (index, section) in sections.iter().enumerate() {
        let later = &sections[index + 1..];
        let kind = match section.kind {
            "Text" => text(builder, path, section),
            "Chat" => chat(builder, path, section),
            "Article" | "Article-excerpt" => article(builder, path, section, later, &mut reading),
            "Video" | "Video-excerpt" => video(builder, path, section, later, &mut reading),
            "Question" => question(builder, path, section),
            "Roleplay" => roleplay(builder, path, section),
            other => {
                builder
                    .report
                    .error(path, section.line, format!("{other} is not a segment"));
                None
            }
        };
        if let Some(kind) = kind {
            segments.push(Segment {
                optional: flag(builder, path, section.field("optional")),
                kind,
            });
        }
    }
    Built {
        segments,
        resource: reading.first,
    }
}

/// The article and video being read, and the first resource of all.
#[derive(Default)]
struct Reading {
    article: Option<Arc<Article>>,
    video: Option<Arc<Video>>,
    first: Option<Resource>,
}

fn text(builder: &mut Builder<'_>, path: &str, section: &Section) -> Option<SegmentKind> {
    let Some(field) = section.field("content") else {
        builder
            .report
            .error(path, section.line, "Text needs `content::` with the text")
            .suggest("add a `content::` line; the text may start on the next line");
        return None;
    };
    let content = field.value.clone();
    if content.is_empty() {
        return None;
    }
    let cards = directives::check(builder, path, field);
    Some(SegmentKind::Text { content, cards })
}

fn chat(builder: &mut Builder<'_>, path: &str, section: &Section) -> Option<SegmentKind> {
    let Some(instructions) = section.value("instructions") else {
        builder.report.error(
            path,
            section.line,
            "Chat needs `instructions::` for the tutor",
        );
        return None;
    };
    Some(SegmentKind::Chat {
        title: section.title.clone(),
        instructions: instructions.to_owned(),
        hide_previous_content_from_user: flag(
            builder,
            path,
            section.field("hidePreviousContentFromUser"),
        ),
        hide_previous_content_from_tutor: flag(
            builder,
            path,
            section.field("hidePreviousContentFromTutor"),
        ),
    })
}

/// Whether an `Article:`/`Video:` heading only names the resource for
/// `*-excerpt` segments after it (the older form) rather than being an
/// excerpt itself.
fn only_names_resource(section: &Section, later: &[Section], excerpt_kind: &str) -> bool {
    !section.kind.ends_with("-excerpt")
        && section.field("from").is_none()
        && section.field("to").is_none()
        && later
            .iter()
            .take_while(|s| s.kind != section.kind)
            .any(|s| s.kind == excerpt_kind)
}

/// An article or a video: what an `Article` or `Video` segment reads from.
trait Readable: Clone + Sized {
    /// Where its `source::` must point.
    const TARGET: Target;
    /// The older form's excerpt section that follows a naming heading.
    const EXCERPT_KIND: &'static str;
    /// What a segment without any source lacks, and how to give it one.
    const MISSING: (&'static str, &'static str);
    /// The built resource at `target`, linked from `path:line`.
    fn lookup(builder: &mut Builder<'_>, path: &str, line: usize, target: &str) -> Option<Self>;
    /// The one being read.
    fn current(reading: &mut Reading) -> &mut Option<Self>;
    /// As the lens's resource, under `title` (its own title when empty).
    fn resource(&self, title: &str) -> Resource;
}

impl Readable for Arc<Article> {
    const TARGET: Target = Target::Article;
    const EXCERPT_KIND: &'static str = "Article-excerpt";
    const MISSING: (&'static str, &'static str) = (
        "has no article to read from",
        "add `source:: [[../articles/…]]` here or to an earlier Article segment",
    );
    fn lookup(builder: &mut Builder<'_>, path: &str, line: usize, target: &str) -> Option<Self> {
        builder.article(path, line, target)
    }
    fn current(reading: &mut Reading) -> &mut Option<Self> {
        &mut reading.article
    }
    fn resource(&self, title: &str) -> Resource {
        Resource::Article {
            title: if title.is_empty() {
                self.title.clone()
            } else {
                title.to_owned()
            },
            article: self.clone(),
        }
    }
}

impl Readable for Arc<Video> {
    const TARGET: Target = Target::Video;
    const EXCERPT_KIND: &'static str = "Video-excerpt";
    const MISSING: (&'static str, &'static str) = (
        "has no video to play",
        "add `source:: [[../video_transcripts/…]]` here or to an earlier Video segment",
    );
    fn lookup(builder: &mut Builder<'_>, path: &str, line: usize, target: &str) -> Option<Self> {
        builder.video(path, line, target)
    }
    fn current(reading: &mut Reading) -> &mut Option<Self> {
        &mut reading.video
    }
    fn resource(&self, title: &str) -> Resource {
        Resource::Video {
            title: if title.is_empty() {
                self.title.clone()
            } else {
                title.to_owned()
            },
            video: self.clone(),
        }
    }
}

/// What a segment reads from: the resource its `source::` names (which is
/// then the one being read), else the one being read. `None` when the
/// section only names the resource for excerpts after it, or when there is
/// nothing to read (reported).
fn source<R: Readable>(
    builder: &mut Builder<'_>,
    path: &str,
    section: &Section,
    later: &[Section],
    reading: &mut Reading,
) -> Option<R> {
    if let Some(source) = section.field("source") {
        let target = builder.follow(path, source.line, &source.value, R::TARGET)?;
        let resource = R::lookup(builder, path, source.line, &target)?;
        reading
            .first
            .get_or_insert_with(|| resource.resource(&section.title));
        *R::current(reading) = Some(resource);
    }
    if only_names_resource(section, later, R::EXCERPT_KIND) {
        return None;
    }
    let found = R::current(reading).clone();
    if found.is_none() {
        let (missing, suggestion) = R::MISSING;
        builder
            .report
            .error(path, section.line, format!("{} {missing}", section.kind))
            .suggest(suggestion);
    }
    found
}

fn article(
    builder: &mut Builder<'_>,
    path: &str,
    section: &Section,
    later: &[Section],
    reading: &mut Reading,
) -> Option<SegmentKind> {
    let article: Arc<Article> = source(builder, path, section, later, reading)?;
    let from = section.value("from").map(unquote);
    let to = section.value("to").map(unquote);
    match cut_article(&article.body, from, to) {
        Ok(text) => Some(SegmentKind::ArticleExcerpt { article, text }),
        Err(reason) => {
            let key = if reason.contains("`from`") {
                "from"
            } else {
                "to"
            };
            let line = section.field(key).map_or(section.line, |f| f.line);
            builder
                .report
                .error(path, line, format!("{reason} ({})", article.path))
                .suggest("copy the anchor text exactly from the article; case does not matter");
            None
        }
    }
}

fn video(
    builder: &mut Builder<'_>,
    path: &str,
    section: &Section,
    later: &[Section],
    reading: &mut Reading,
) -> Option<SegmentKind> {
    let video: Arc<Video> = source(builder, path, section, later, reading)?;
    let from = timestamp(builder, path, section.field("from"))
        .ok()?
        .unwrap_or(0.0);
    let to = timestamp(builder, path, section.field("to")).ok()?;
    if to.is_some_and(|to| to <= from) {
        builder
            .report
            .error(path, section.line, "the excerpt ends before it starts");
        return None;
    }
    let transcript = cut_video(&video.words, from, to);
    if !video.words.is_empty() && transcript.is_empty() {
        builder.report.error(
            path,
            section.line,
            format!("no transcript words fall in this stretch of {}", video.path),
        );
        return None;
    }
    Some(SegmentKind::VideoExcerpt {
        video,
        from_seconds: from,
        to_seconds: to,
        transcript,
    })
}

/// A `from::`/`to::` time; `Err` when it is present but unreadable.
fn timestamp(
    builder: &mut Builder<'_>,
    path: &str,
    field: Option<&Field>,
) -> Result<Option<f64>, ()> {
    let Some(field) = field.filter(|f| !f.value.is_empty()) else {
        return Ok(None);
    };
    match parse_timestamp(unquote(&field.value)) {
        Some(seconds) => Ok(Some(seconds)),
        None => {
            builder
                .report
                .error(
                    path,
                    field.line,
                    format!("`{}:: {}` is not a timestamp", field.key, field.value),
                )
                .suggest("write it like 1:18 or 1:02:03");
            Err(())
        }
    }
}

fn question(builder: &mut Builder<'_>, path: &str, section: &Section) -> Option<SegmentKind> {
    let Some(content) = section.value("content") else {
        builder.report.error(
            path,
            section.line,
            "Question needs `content::` with the question",
        );
        return None;
    };
    let max_seconds = section.field("max-time").and_then(|f| {
        let seconds = parse_duration(&f.value);
        if seconds.is_none() {
            builder
                .report
                .error(
                    path,
                    f.line,
                    format!("`max-time:: {}` is not a duration", f.value),
                )
                .suggest("write minutes like `5`, `5 min` or `5:00`");
        }
        seconds
    });
    let max_chars = section.field("max-chars").and_then(|f| {
        let chars = f.value.trim().parse::<u32>().ok().filter(|n| *n > 0);
        if chars.is_none() {
            builder.report.error(
                path,
                f.line,
                format!("`max-chars:: {}` is not a positive number", f.value),
            );
        }
        chars
    });
    Some(SegmentKind::Question(Question {
        id: section.value("id").map(str::to_owned),
        content: content.to_owned(),
        assessment_instructions: section.value("assessment-instructions").map(str::to_owned),
        max_seconds,
        max_chars,
        enforce_voice: flag(builder, path, section.field("enforce-voice")),
        feedback: flag(builder, path, section.field("feedback")),
    }))
}

fn roleplay(builder: &mut Builder<'_>, path: &str, section: &Section) -> Option<SegmentKind> {
    let id = section.value("id");
    let ai_instructions = section.value("ai-instructions");
    if id.is_none() {
        builder
            .report
            .error(
                path,
                section.line,
                "Roleplay needs `id::`: conversations are kept by it",
            )
            .suggest("add `id::` with a new UUID");
    }
    if ai_instructions.is_none() {
        builder.report.error(
            path,
            section.line,
            "Roleplay needs `ai-instructions::` for the character",
        );
    }
    let (id, ai_instructions) = (id?, ai_instructions?);
    builder.record_id(
        path,
        id,
        section.field("id").map_or(section.line, |f| f.line),
    );
    Some(SegmentKind::Roleplay(Roleplay {
        id: id.to_owned(),
        content: section.value("content").unwrap_or_default().to_owned(),
        ai_instructions: ai_instructions.to_owned(),
        opening_message: section.value("opening-message").map(str::to_owned),
        assessment_instructions: section.value("assessment-instructions").map(str::to_owned),
        feedback: flag(builder, path, section.field("feedback")),
        user_customizable: flag(builder, path, section.field("user-customizable")),
    }))
}

/// Minutes as `5`, `5 min`, `5m`, or a clock time `5:00`; seconds.
fn parse_duration(raw: &str) -> Option<u32> {
    let raw = raw.trim().to_ascii_lowercase();
    if raw.contains(':') {
        return parse_timestamp(&raw)
            .map(|s| s.round() as u32)
            .filter(|s| *s > 0);
    }
    let number = raw
        .trim_end_matches("minutes")
        .trim_end_matches("minute")
        .trim_end_matches("mins")
        .trim_end_matches("min")
        .trim_end_matches('m')
        .trim();
    let minutes: f64 = number.parse().ok()?;
    (minutes > 0.0 && minutes < 24.0 * 60.0).then(|| (minutes * 60.0).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5"), Some(300));
        assert_eq!(parse_duration("2 min"), Some(120));
        assert_eq!(parse_duration("1:30"), Some(90));
        assert_eq!(parse_duration("soon"), None);
    }
}
