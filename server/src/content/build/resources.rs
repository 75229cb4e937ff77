//! Articles and video transcripts.

use serde::Deserialize;

use super::{Builder, stem};
use crate::content::excerpt::parse_timestamp;
use crate::content::markdown::parse_document;
use crate::content::model::{Article, TimedWord, Video};

/// An article: frontmatter (title required) and a markdown body.
pub(super) fn article(builder: &mut Builder<'_>, path: &str, text: &str) -> Option<Article> {
    let doc = parse_document(path, text, &mut builder.report);
    let title = builder.required_meta(path, &doc, "title")?;
    Some(Article {
        slug: stem(path),
        path: path.to_owned(),
        title,
        author: doc.meta("author").map(|f| f.value.clone()),
        date: doc.meta("date").map(|f| f.value.clone()),
        source_url: doc.meta("source_url").map(|f| f.value.clone()),
        body: doc.body_text().trim().to_owned(),
    })
}

#[derive(Deserialize)]
struct RawWord {
    text: String,
    start: String,
}

/// A video transcript: frontmatter (title required), and the word timings
/// from the `.timestamps.json` beside it, when there is one.
pub(super) fn video(builder: &mut Builder<'_>, path: &str, text: &str) -> Option<Video> {
    let doc = parse_document(path, text, &mut builder.report);
    let title = builder.required_meta(path, &doc, "title")?;
    let url = doc.meta("url").map(|f| f.value.clone());
    let timings_path = format!("{}.timestamps.json", path.trim_end_matches(".md"));
    let words = match builder.file(&timings_path) {
        None => Vec::new(),
        Some(json) => match serde_json::from_str::<Vec<RawWord>>(json) {
            Ok(raw) => {
                let mut words = Vec::with_capacity(raw.len());
                for (index, word) in raw.into_iter().enumerate() {
                    match parse_timestamp(&word.start) {
                        Some(start) => words.push(TimedWord {
                            text: word.text,
                            start,
                        }),
                        None => builder.report.error(
                            &timings_path,
                            0,
                            format!(
                                "word {index} has start {:?}, which is not M:SS.ss",
                                word.start
                            ),
                        ),
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
    Some(Video {
        slug: stem(path),
        path: path.to_owned(),
        title,
        channel: doc.meta("channel").map(|f| f.value.clone()),
        youtube_id: url.as_deref().and_then(youtube_id),
        url,
        words,
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
