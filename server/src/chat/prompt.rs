//! What the tutor is told. A pure function of the content and the
//! conversation, so it is tested directly on the real content.
//!
//! The system prompt goes from the most shared to the most particular, so a
//! provider's prompt cache serves as much of it as possible: a fixed
//! preamble; the course and the module, with its parts in reading order and
//! where the learner is among them; the lens and its resource; what the
//! learner just read in this lens (the segments before the chat, unless the
//! chat hides them from the tutor); then the chat segment's instructions.
//! The history is trimmed to a token budget, keeping the newest turns.

use std::collections::HashMap;
use std::fmt::Write;

use crate::content::Place;
use crate::content::model::{Lens, ModuleItem, Resource, SegmentKind};
use crate::domain::ChatRole;

/// The fixed opening of every system prompt.
pub const PREAMBLE: &str = "You are the AI tutor of Lens, a course on AI safety. You talk with one learner about \
what they have just read or watched. Be accurate, kind and brief; ask questions that make them think rather than \
lecturing; say so when you are unsure. Use markdown sparingly.";

/// Why a prompt cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// The segment index is past the end of the lens.
    #[error("lens {lens} has {count} segments; there is no segment {index}")]
    NoSuchSegment {
        /// Lens name.
        lens: String,
        /// Segments in the lens.
        count: usize,
        /// Requested index.
        index: usize,
    },
    /// The segment is not a chat.
    #[error("segment {index} of lens {lens} is not a chat")]
    NotAChat {
        /// Lens name.
        lens: String,
        /// Requested index.
        index: usize,
    },
}

/// What the learner answered to the questions of a lens, by question key
/// (see [`crate::answers::question_key`]), as the tutor is told it.
pub type AnswersForTutor = HashMap<String, String>;

/// The system prompt for the chat at `segment_index` of `lens`, read in
/// the module of `place` (if the lens is in one).
pub fn system_prompt(
    lens: &Lens,
    segment_index: usize,
    place: Option<&Place>,
) -> Result<String, PromptError> {
    system_prompt_with(lens, segment_index, place, &AnswersForTutor::new())
}

/// [`system_prompt`], telling the tutor what the learner answered to the
/// questions since the previous chat (and how it was assessed), so the
/// conversation can pick up from the learner's own words.
pub fn system_prompt_with(
    lens: &Lens,
    segment_index: usize,
    place: Option<&Place>,
    answers: &AnswersForTutor,
) -> Result<String, PromptError> {
    let segment = lens
        .segments
        .get(segment_index)
        .ok_or_else(|| PromptError::NoSuchSegment {
            lens: lens.name.clone(),
            count: lens.segments.len(),
            index: segment_index,
        })?;
    let SegmentKind::Chat {
        instructions,
        hide_previous_content_from_tutor,
        ..
    } = &segment.kind
    else {
        return Err(PromptError::NotAChat {
            lens: lens.name.clone(),
            index: segment_index,
        });
    };
    let mut prompt = String::from(PREAMBLE);
    if let Some(place) = place {
        module_context(&mut prompt, place, &lens.id);
    }
    prompt.push_str(&format!(
        "\n\n# Where the learner is\n\nThe lens \"{}\"",
        lens.name
    ));
    match &lens.resource {
        Some(Resource::Article { article, .. }) => {
            prompt.push_str(&format!(", about the article \"{}\"", article.title));
            if let Some(author) = article.author_line() {
                prompt.push_str(&format!(" by {author}"));
            }
        }
        Some(Resource::Video { video, .. }) => {
            prompt.push_str(&format!(", about the video \"{}\"", video.title));
            if let Some(channel) = &video.channel {
                prompt.push_str(&format!(" ({channel})"));
            }
        }
        None => {}
    }
    prompt.push('.');
    if let Some(summary) = &lens.summary_for_tutor {
        let _ = write!(prompt, " What it covers: {summary}");
    }
    if !hide_previous_content_from_tutor {
        let before: Vec<String> = lens.segments[..segment_index]
            .iter()
            // Only what came since the previous chat: earlier parts were
            // the subject of that conversation.
            .rev()
            .take_while(|s| !matches!(s.kind, SegmentKind::Chat { .. }))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .filter_map(|s| match &s.kind {
                SegmentKind::Text { content, .. } => Some(format!("## Text\n\n{content}")),
                SegmentKind::ArticleExcerpt { article, text } => {
                    Some(format!("## Excerpt of \"{}\"\n\n{text}", article.title))
                }
                SegmentKind::VideoExcerpt {
                    video, transcript, ..
                } => Some(format!(
                    "## Transcript excerpt of \"{}\"\n\n{transcript}",
                    video.title
                )),
                SegmentKind::Question(question) => {
                    let answered = answers
                        .get(&crate::answers::question_key(question))
                        .map_or("They have not answered it yet.", String::as_str);
                    Some(format!(
                        "## Question to the learner\n\n{}\n\n{answered}",
                        question.content
                    ))
                }
                SegmentKind::Roleplay(roleplay) => {
                    let played = answers
                        .get(&super::roleplay::answer_key(roleplay))
                        .map_or("They have not finished it yet.", String::as_str);
                    Some(format!(
                        "## Roleplay briefing\n\n{}\n\n{played}",
                        roleplay.content
                    ))
                }
                SegmentKind::Chat { .. } => None,
            })
            .collect();
        if !before.is_empty() {
            prompt.push_str("\n\n# What the learner just read\n\n");
            prompt.push_str(&before.join("\n\n"));
        }
    }
    prompt.push_str("\n\n# Your instructions for this conversation\n\n");
    prompt.push_str(instructions);
    Ok(prompt)
}

/// The course and module around the lens, with the module's parts in
/// reading order and the learner's lens marked.
fn module_context(prompt: &mut String, place: &Place, lens_id: &str) {
    let module = &place.module;
    prompt.push_str("\n\n# The course\n\n");
    if let Some(course) = &place.course {
        let _ = write!(
            prompt,
            "The learner is taking the course \"{}\". ",
            course.title
        );
    }
    let _ = write!(prompt, "They are reading the module \"{}\"", module.title);
    match place.meeting {
        Some(meeting) => {
            let _ = write!(prompt, ", which prepares them for group meeting {meeting}.");
        }
        None => prompt.push('.'),
    }
    prompt.push_str(" Its parts, in reading order:\n");
    let lens_line = |name: &str, id: &str, optional: bool| {
        let mut line = format!("\"{name}\"");
        if optional {
            line.push_str(" (optional)");
        }
        if id == lens_id {
            line.push_str(" (the learner is here)");
        }
        line
    };
    for item in &module.items {
        match item {
            ModuleItem::Page(page) => {
                let _ = write!(prompt, "\n- Page \"{}\"", page.title);
            }
            ModuleItem::LearningOutcome { outcome, optional } => {
                let lenses: Vec<String> = outcome
                    .lenses
                    .iter()
                    .map(|l| lens_line(&l.lens.name, &l.lens.id, l.optional))
                    .collect();
                let _ = write!(
                    prompt,
                    "\n- Learning outcome \"{}\"{}, through the lenses {}",
                    outcome.name,
                    if *optional { " (optional)" } else { "" },
                    lenses.join(", ")
                );
            }
            ModuleItem::Lens { lens, optional, .. } => {
                let _ = write!(
                    prompt,
                    "\n- Lens {}",
                    lens_line(&lens.name, &lens.id, *optional)
                );
            }
        }
    }
}

/// Rough token count (four characters a token), enough to budget history.
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// One turn of a conversation as sent to the model: who said it, and what.
pub type Turn = (ChatRole, String);

/// Rough tokens of a whole prompt: the system prompt and the turns sent.
pub fn prompt_tokens(system: &str, history: &[Turn]) -> i64 {
    let turns: usize = history.iter().map(|(_, text)| estimate_tokens(text)).sum();
    (estimate_tokens(system) + turns) as i64
}

/// The newest turns of `history` (oldest first) that fit in `budget` tokens
/// together with `system`; always keeps the last turn.
pub fn trim_history<'h>(system: &str, history: &'h [Turn], budget: usize) -> &'h [Turn] {
    let mut used = estimate_tokens(system);
    let mut start = history.len();
    while start > 0 {
        let cost = estimate_tokens(&history[start - 1].1);
        if used + cost > budget && start < history.len() {
            break;
        }
        used += cost;
        start -= 1;
    }
    &history[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: ChatRole, text: &str) -> Turn {
        (role, text.to_owned())
    }

    #[test]
    fn trimming_keeps_the_newest_turns() {
        let history = vec![
            turn(ChatRole::User, &"a".repeat(400)),
            turn(ChatRole::Assistant, &"b".repeat(400)),
            turn(ChatRole::User, "last"),
        ];
        assert_eq!(trim_history("", &history, 1000).len(), 3);
        assert_eq!(trim_history("", &history, 120).len(), 2);
        assert_eq!(
            trim_history(&"s".repeat(4000), &history, 10).len(),
            1,
            "the last turn always stays"
        );
    }
}
