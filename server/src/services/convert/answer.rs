//! Answers and their assessments.

use lens_proto::v1;

use super::timestamp;
use crate::answers::assessment::DimensionNote;
use crate::domain::JobState;
use crate::store::AnswerRecord;

/// Where the question of `record` is now, as the service found it.
pub struct Found {
    /// Which test of a learning outcome.
    pub test_index: u32,
    /// The segment.
    pub segment_index: u32,
    /// Whether the question shows its assessment to the learner.
    pub feedback: bool,
}

/// The contract's view of one version; the result of its assessment only
/// when the question shows it (`feedback`).
pub fn answer(record: &AnswerRecord, found: &Found) -> v1::Answer {
    v1::Answer {
        id: record.id.0,
        place: Some(v1::QuestionPlace {
            content_id: record.content_id.clone(),
            test_index: found.test_index,
            segment_index: found.segment_index,
        }),
        question_key: record.question_key.clone(),
        version: record.version.max(0) as u32,
        text: record.text.clone(),
        seconds_taken: record.seconds_taken.unwrap_or(0).max(0) as u32,
        created_at: Some(timestamp(record.created_at)),
        assessment: record
            .rubric
            .as_ref()
            .map(|_| assessment(record, found.feedback)),
    }
}

fn assessment(record: &AnswerRecord, feedback: bool) -> v1::Assessment {
    let state = match (record.score, record.job_state) {
        (Some(_), _) => v1::AssessmentState::Done,
        (None, Some(JobState::Failed | JobState::Cancelled)) => v1::AssessmentState::Failed,
        _ => v1::AssessmentState::Pending,
    };
    let mut out = v1::Assessment {
        state: state.into(),
        feedback,
        ..Default::default()
    };
    if state == v1::AssessmentState::Failed {
        out.error =
            "Feedback could not be prepared for this answer; the course team can ask again.".into();
    }
    if feedback && state == v1::AssessmentState::Done {
        out.score = record.score.unwrap_or(0).clamp(0, 5) as u32;
        out.reasoning = record.reasoning.clone().unwrap_or_default();
        out.dimensions = record
            .dimensions
            .as_deref()
            .and_then(|d| serde_json::from_str::<Vec<DimensionNote>>(d).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|d| v1::DimensionNote {
                name: d.name,
                note: d.note,
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AnswerId, UserId};

    fn scored() -> AnswerRecord {
        AnswerRecord {
            id: AnswerId(1),
            user_id: UserId(1),
            content_id: "outcome".into(),
            question_key: "q".into(),
            question: "Why?".into(),
            rubric: Some("Score it.".into()),
            version: 1,
            text: "Because.".into(),
            seconds_taken: None,
            created_at: chrono::Utc::now(),
            score: Some(4),
            reasoning: Some("Good.".into()),
            dimensions: Some(r#"[{"name":"clarity","note":"Clear."}]"#.into()),
            assessed_by: Some("fake".into()),
            job_state: Some(JobState::Done),
            job_error: None,
        }
    }

    fn found(feedback: bool) -> Found {
        Found {
            test_index: 0,
            segment_index: 1,
            feedback,
        }
    }

    #[test]
    fn feedback_shows_the_result() {
        let shown = answer(&scored(), &found(true)).assessment.unwrap();
        assert_eq!((shown.score, shown.dimensions.len()), (4, 1));
    }

    #[test]
    fn without_feedback_only_the_state_is_shown() {
        let hidden = answer(&scored(), &found(false)).assessment.unwrap();
        assert_eq!(hidden.state(), v1::AssessmentState::Done);
        assert_eq!((hidden.score, hidden.reasoning.as_str()), (0, ""));
        assert!(hidden.dimensions.is_empty());
    }

    #[test]
    fn a_question_without_a_rubric_has_no_assessment() {
        let record = AnswerRecord {
            rubric: None,
            ..scored()
        };
        assert!(answer(&record, &found(true)).assessment.is_none());
    }
}
