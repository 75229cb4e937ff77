//! Roleplays: a conversation with an AI character, per learner and roleplay
//! segment. What the character is told, the transcript as its assessment
//! reads it, and how its result reaches the tutor.

use crate::content::model::{Lens, Roleplay, SegmentKind};
use crate::domain::ChatRole;

/// What the character is told before it speaks.
pub const PREAMBLE: &str = "You are playing a character in a roleplay in Lens, a course on AI safety. \
A learner is practising a conversation with you. Stay in character throughout, reply as the character would, \
in a few sentences, and never mention that you are an AI tutor or that this is an exercise.";

/// The longest transcript assessed, in characters.
const MOST: usize = 20_000;

/// The roleplay with `id` in `lens`, with its segment index.
pub fn find<'l>(lens: &'l Lens, id: &str) -> Option<(usize, &'l Roleplay)> {
    lens.segments
        .iter()
        .enumerate()
        .find_map(|(index, segment)| match &segment.kind {
            SegmentKind::Roleplay(roleplay) if roleplay.id == id => Some((index, roleplay)),
            _ => None,
        })
}

/// The character's system prompt.
pub fn prompt(roleplay: &Roleplay) -> String {
    format!(
        "{PREAMBLE}\n\n# Your character\n\n{}\n\n# What the learner was told\n\n{}",
        roleplay.ai_instructions, roleplay.content
    )
}

/// The key its assessment is stored under, as an answer of the lens.
pub fn answer_key(roleplay: &Roleplay) -> String {
    format!("roleplay:{}", roleplay.id)
}

/// The conversation as an assessor or the tutor reads it.
pub fn transcript<'m>(messages: impl IntoIterator<Item = (ChatRole, &'m str)>) -> String {
    let lines: Vec<String> = messages
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(role, text)| match role {
            ChatRole::Assistant => format!("Character: {}", text.trim()),
            ChatRole::User => format!("Learner: {}", text.trim()),
        })
        .collect();
    let text = lines.join("\n\n");
    if text.chars().count() <= MOST {
        return text;
    }
    text.chars().take(MOST).collect()
}

/// The rubric an assessor reads for a roleplay.
pub fn rubric(roleplay: &Roleplay) -> Option<String> {
    roleplay.assessment_instructions.as_ref().map(|instructions| {
        format!("{instructions}\n\nAssess the learner's side of the conversation, not the character's.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transcript_names_who_spoke() {
        let text = transcript([
            (ChatRole::Assistant, "Hello! What's AI safety?"),
            (ChatRole::User, " Making sure AI goes well. "),
            (ChatRole::Assistant, ""),
        ]);
        assert_eq!(
            text,
            "Character: Hello! What's AI safety?\n\nLearner: Making sure AI goes well."
        );
    }
}
