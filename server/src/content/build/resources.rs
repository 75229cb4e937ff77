//! Articles and video transcripts.

use serde::Deserialize;

use std::sync::Arc;

use super::{Builder, stem};
use crate::content::excerpt::parse_timestamp;
use crate::content::markdown::Document;
use crate::content::model::{Article, TimedWord, Video};

/// An article: frontmatter (title required) and a markdown body.
pub(super) fn article(
    builder: &mut Builder<'_>,
    path: &str,
    doc: &Document,
) -> Option<Arc<Article>> {
    let title = builder.required_meta(path, doc, "title")?;
    let mut authors = doc.frontmatter.list("author");
    if authors.is_empty() {
        authors = doc.frontmatter.list("authors");
    }
    Some(Arc::new(Article {
        slug: stem(path),
        path: path.to_owned(),
        title,
        authors: authors.into_iter().map(|a| unlink(&a)).collect(),
        date: doc.meta("published").or_else(|| doc.meta("date")),
        source_url: doc.meta("source_url").or_else(|| doc.meta("url")),
        body: doc.body_text().trim().to_owned(),
    }))
}

/// An author written as an Obsidian link (`"[[Eliezer Yudkowsky]]"`) is
/// shown as its name.
fn unlink(author: &str) -> String {
    let inner = author
        .trim()
        .trim_start_matches("[[")
        .trim_end_matches("]]");
    inner.rsplit('|').next().unwrap_or(inner).trim().to_owned()
}

/// Where a transcript's word timings are.
pub(super) fn timings_path(path: &str) -> String {
    format!("{}.timestamps.json", path.trim_end_matches(".md"))
}

#[derive(Deserialize)]
struct RawWord {
    text: String,
    start: String,
}

/// A video transcript: frontmatter (title required), and the word timings
/// from the `.timestamps.json` beside it, when there is one.
pub(super) fn video(builder: &mut Builder<'_>, path: &str, doc: &Document) -> Option<Arc<Video>> {
    let title = builder.required_meta(path, doc, "title")?;
    let url = doc.meta("url");
    let timings_path = timings_path(path);
    let words = match builder.file(&timings_path) {
        None => Vec::new(),
        Some(json) => match serde_json::from_str::<Vec<RawWord>>(json) {
            Ok(raw) => {
                let mut words = Vec::with_capacity(raw.len());
                for (index, word) in raw.into_iter().enumerate() {
                    let start = parse_timestamp(&word.start).or_else(|| {
                        // Rounding in the transcription tool writes 59.996 s
                        // as `19:60.00`: read it as the next minute.
                        let seconds = lenient_timestamp(&word.start)?;
                        builder
                            .report
                            .warning(
                                &timings_path,
                                0,
                                format!(
                                    "word {index} ({:?}) has start {:?}; read as {seconds:.2} s",
                                    word.text, word.start
                                ),
                            )
                            .suggest("seconds run from 00 to 59; regenerate the timings");
                        Some(seconds)
                    });
                    match start {
                        Some(start) => words.push(TimedWord {
                            text: word.text,
                            start,
                        }),
                        None => {
                            builder.report.error(
                                &timings_path,
                                0,
                                format!(
                                    "word {index} ({:?}) has start {:?}, which is not M:SS.ss",
                                    word.text, word.start
                                ),
                            );
                        }
                    }
                }
                words
            }
            Err(error) => {
                let line = error.line();
                builder.report.error(
                    &timings_path,
                    line,
                    format!("not a list of {{\"text\", \"start\"}} words: {error}"),
                );
                Vec::new()
            }
        },
    };
    Some(Arc::new(Video {
        slug: stem(path),
        path: path.to_owned(),
        title,
        channel: doc.meta("channel"),
        youtube_id: doc
            .meta("video_id")
            .or_else(|| url.as_deref().and_then(youtube_id)),
        url,
        words,
    }))
}

/// `M:SS.ss` without the range check on minutes and seconds.
fn lenient_timestamp(raw: &str) -> Option<f64> {
    raw.trim().split(':').try_fold(0.0, |total: f64, part| {
        let value: f64 = part.parse().ok()?;
        (value >= 0.0 && value.is_finite()).then_some(total * 60.0 + value)
    })
}

/// The video id of a YouTube watch, short or embed URL.
pub fn youtube_id(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed
        .host_str()?
        .trim_start_matches("www.")
        .trim_start_matches("m.");
    let id = match host {
        "youtube.com" | "youtube-nocookie.com" => {
            if parsed.path() == "/watch" {
                parsed
                    .query_pairs()
                    .find(|(k, _)| k == "v")
                    .map(|(_, v)| v.into_owned())
            } else {
                parsed
                    .path()
                    .strip_prefix("/embed/")
                    .or_else(|| parsed.path().strip_prefix("/shorts/"))
                    .map(str::to_owned)
            }
        }
        "youtu.be" => Some(parsed.path().trim_start_matches('/').to_owned()),
        _ => None,
    }?;
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then_some(id)
}

#[cfg(test)]
mod tests {
    use super::youtube_id;

    #[test]
    fn youtube_ids() {
        assert_eq!(
            youtube_id("https://www.youtube.com/watch?v=fa8k8IQ1_X0").as_deref(),
            Some("fa8k8IQ1_X0")
        );
        assert_eq!(
            youtube_id("https://youtu.be/abc-123").as_deref(),
            Some("abc-123")
        );
        assert_eq!(youtube_id("https://vimeo.com/1"), None);
    }
}
