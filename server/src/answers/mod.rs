//! Answers to question segments: finding the question a learner answers,
//! the rules an answer must keep, and its assessment by the model, run as a
//! durable job of the delivery engine (`answer.assess`).

pub mod assessment;
pub mod assessor;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::content::model::{Question, Segment, SegmentKind, Snapshot};
use crate::domain::AnswerId;

/// The longest answer when a question sets no `max-chars::`.
pub const DEFAULT_MAX_CHARS: usize = 4000;

/// Where a question is: a lens's segment, or a segment of one of a learning
/// outcome's tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionPlace<'a> {
    /// The lens's or learning outcome's id.
    pub content_id: &'a str,
    /// Which test of a learning outcome.
    pub test_index: usize,
    /// The segment.
    pub segment_index: usize,
}

/// Why a place holds no question to answer, or an answer is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// No lens or learning outcome has that id.
    #[error("no lens or learning outcome has id {0:?}")]
    NoContent(String),
    /// The place is past the end, or not a question.
    #[error("there is no question at segment {segment} of {content} (test {test})")]
    NoQuestion {
        /// The lens or outcome id.
        content: String,
        /// Its test.
        test: usize,
        /// The segment.
        segment: usize,
    },
    /// Empty, or longer than the question allows.
    #[error("the answer is {length} characters; write 1 to {max}")]
    Length {
        /// Its length.
        length: usize,
        /// The question's limit.
        max: usize,
    },
}

/// The question at `place` in `snapshot`.
pub fn question_at<'s>(
    snapshot: &'s Snapshot,
    place: QuestionPlace<'_>,
) -> Result<&'s Question, AnswerError> {
    let segments: &[Segment] = if let Some(lens) = snapshot.lenses.get(place.content_id) {
        &lens.segments
    } else if let Some(outcome) = snapshot.outcomes.get(place.content_id) {
        outcome
            .tests
            .get(place.test_index)
            .map(|t| t.segments.as_slice())
            .unwrap_or_default()
    } else {
        return Err(AnswerError::NoContent(place.content_id.to_owned()));
    };
    match segments.get(place.segment_index).map(|s| &s.kind) {
        Some(SegmentKind::Question(question)) => Ok(question),
        _ => Err(AnswerError::NoQuestion {
            content: place.content_id.to_owned(),
            test: place.test_index,
            segment: place.segment_index,
        }),
    }
}

/// Every question of a lens or learning outcome, with its place.
pub fn questions_of<'s>(
    snapshot: &'s Snapshot,
    content_id: &str,
) -> Vec<(usize, usize, &'s Question)> {
    let tests: Vec<&[Segment]> = if let Some(lens) = snapshot.lenses.get(content_id) {
        vec![&lens.segments]
    } else if let Some(outcome) = snapshot.outcomes.get(content_id) {
        outcome
            .tests
            .iter()
            .map(|t| t.segments.as_slice())
            .collect()
    } else {
        Vec::new()
    };
    tests
        .into_iter()
        .enumerate()
        .flat_map(|(test, segments)| {
            segments
                .iter()
                .enumerate()
                .filter_map(move |(index, segment)| match &segment.kind {
                    SegmentKind::Question(q) => Some((test, index, q)),
                    _ => None,
                })
        })
        .collect()
}

/// A question's stable key: its `id::`, else a hash of its text, so
/// answers stay with a question when segments around it move, and an
/// edited question (a different question) starts afresh.
pub fn question_key(question: &Question) -> String {
    match &question.id {
        Some(id) => id.clone(),
        None => {
            let digest = Sha256::digest(question.content.trim().as_bytes());
            let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256:{hex}")
        }
    }
}

/// An answer's text, checked against its question's limit.
pub fn checked_text<'t>(question: &Question, text: &'t str) -> Result<&'t str, AnswerError> {
    let text = text.trim();
    let max = question
        .max_chars
        .map_or(DEFAULT_MAX_CHARS, |m| m as usize)
        .min(DEFAULT_MAX_CHARS * 4);
    let length = text.chars().count();
    if length == 0 || length > max {
        return Err(AnswerError::Length { length, max });
    }
    Ok(text)
}

/// The job that assesses one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssessJob(pub AnswerId);

/// The kind of [`AssessJob`]s.
pub const ASSESS: &str = "answer.assess";

#[derive(Serialize, Deserialize)]
struct AssessPayload {
    answer_id: AnswerId,
}

impl AssessJob {
    /// The job's kind, as stored.
    pub fn kind(self) -> &'static str {
        ASSESS
    }

    /// The job's input, as stored (JSON).
    pub fn payload(self) -> String {
        serde_json::to_string(&AssessPayload { answer_id: self.0 }).unwrap_or_default()
    }

    /// One assessment per answer version.
    pub fn key(self) -> String {
        format!("answer:{}:assess", self.0)
    }

    /// The job a stored payload describes.
    pub fn parse(payload: &str) -> Option<Self> {
        serde_json::from_str::<AssessPayload>(payload)
            .ok()
            .map(|p| Self(p.answer_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(id: Option<&str>, content: &str, max_chars: Option<u32>) -> Question {
        Question {
            id: id.map(str::to_owned),
            content: content.into(),
            assessment_instructions: None,
            max_seconds: None,
            max_chars,
            enforce_voice: false,
            feedback: true,
        }
    }

    #[test]
    fn a_question_is_known_by_its_id_else_by_its_words() {
        assert_eq!(question_key(&question(Some("q-1"), "Why?", None)), "q-1");
        let a = question_key(&question(None, "Why?", None));
        assert!(a.starts_with("sha256:"));
        assert_eq!(a, question_key(&question(None, " Why?\n", None)));
        assert_ne!(a, question_key(&question(None, "Why not?", None)));
    }

    #[test]
    fn an_answer_keeps_within_the_questions_length() {
        let short = question(None, "Why?", Some(5));
        assert_eq!(checked_text(&short, " yes \n"), Ok("yes"));
        assert_eq!(
            checked_text(&short, "too long"),
            Err(AnswerError::Length { length: 8, max: 5 })
        );
        assert!(checked_text(&short, "   ").is_err());
        let open = question(None, "Why?", None);
        assert!(checked_text(&open, &"a".repeat(DEFAULT_MAX_CHARS)).is_ok());
    }

    #[test]
    fn the_job_names_its_answer() {
        let job = AssessJob(AnswerId(7));
        assert_eq!(job.key(), "answer:7:assess");
        assert_eq!(AssessJob::parse(&job.payload()), Some(job));
    }
}
