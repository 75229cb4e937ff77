//! The model's assessment of an answer: what it is asked, the JSON schema
//! its reply must keep (the provider's structured output enforces it where
//! it can), and the checks the reply must pass before it is stored.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The longest reasoning kept, in characters.
const MAX_REASONING: usize = 2000;
/// The most dimension notes kept.
const MAX_DIMENSIONS: usize = 8;
/// The longest dimension name or note kept, in characters.
const MAX_NOTE: usize = 600;

/// What the model is told before the question, rubric and answer.
pub const INSTRUCTIONS: &str = "You assess a learner's written answer to a question in Lens, a course on AI safety. \
Follow the rubric you are given. Give an overall score from 1 (misses the point) to 5 (excellent), a few sentences \
of reasoning addressed to the learner (kind, specific, saying what would make the answer better), and a short note \
for each dimension the rubric names (or, if it names none, for understanding, reasoning and clarity). \
Reply with the JSON object the schema describes and nothing else.";

/// A checked assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// 1 to 5.
    pub score: u8,
    /// Why, addressed to the learner.
    pub reasoning: String,
    /// Notes per dimension.
    pub dimensions: Vec<DimensionNote>,
}

/// A note on one dimension of the rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionNote {
    /// The dimension.
    pub name: String,
    /// The note.
    pub note: String,
}

/// Why a reply is not an assessment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAssessment {
    /// Not JSON of the schema's shape.
    #[error("the model's reply was not the assessment asked for ({0})")]
    Shape(String),
    /// A score outside 1–5.
    #[error("the model gave a score of {0}, outside 1 to 5")]
    Score(i64),
    /// No reasoning.
    #[error("the model gave no reasoning")]
    NoReasoning,
}

/// The JSON schema of a reply, in the dialect every provider's structured
/// output accepts (no `minimum`/`maximum` on Anthropic: the score's range is
/// checked here instead).
pub fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "score": {"type": "integer", "description": "Overall score, 1 to 5"},
            "reasoning": {"type": "string"},
            "dimensions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "note": {"type": "string"}
                    },
                    "required": ["name", "note"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["score", "reasoning", "dimensions"],
        "additionalProperties": false
    })
}

/// The request's user message: the question, its rubric and the answer.
pub fn request(question: &str, rubric: &str, answer: &str) -> String {
    format!(
        "# The question\n\n{question}\n\n# The rubric\n\n{rubric}\n\n# The learner's answer\n\n{answer}"
    )
}

/// The reply as an assessment, or why it is not one. A fenced code block
/// around the JSON (which models without structured output add) is allowed;
/// overlong text is cut, never refused.
pub fn parse(reply: &str) -> Result<Assessment, InvalidAssessment> {
    #[derive(Deserialize)]
    struct Raw {
        score: i64,
        reasoning: String,
        #[serde(default)]
        dimensions: Vec<DimensionNote>,
    }
    let body = reply.trim();
    let body = body
        .strip_prefix("```json")
        .or_else(|| body.strip_prefix("```"))
        .and_then(|b| b.strip_suffix("```"))
        .unwrap_or(body)
        .trim();
    let raw: Raw = serde_json::from_str(body)
        .map_err(|e| InvalidAssessment::Shape(cut(&e.to_string(), 120)))?;
    let score = u8::try_from(raw.score)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or(InvalidAssessment::Score(raw.score))?;
    if raw.reasoning.trim().is_empty() {
        return Err(InvalidAssessment::NoReasoning);
    }
    Ok(Assessment {
        score,
        reasoning: cut(raw.reasoning.trim(), MAX_REASONING),
        dimensions: raw
            .dimensions
            .into_iter()
            .filter(|d| !d.name.trim().is_empty())
            .take(MAX_DIMENSIONS)
            .map(|d| DimensionNote {
                name: cut(d.name.trim(), MAX_NOTE),
                note: cut(d.note.trim(), MAX_NOTE),
            })
            .collect(),
    })
}

/// What the tutor is told of an answer and its assessment.
pub fn for_tutor(answer: &str, assessment: Option<&Assessment>) -> String {
    let mut text = format!("The learner answered:\n\n{answer}");
    if let Some(a) = assessment {
        text.push_str(&format!(
            "\n\nIts assessment: {}/5. {}",
            a.score, a.reasoning
        ));
    }
    text
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_of_the_schema_is_an_assessment() {
        let reply = r#"{"score": 4, "reasoning": "Clear on the mechanism.", "dimensions": [{"name": "mechanism", "note": "Right."}]}"#;
        let assessment = parse(reply).unwrap();
        assert_eq!(assessment.score, 4);
        assert_eq!(assessment.dimensions[0].name, "mechanism");
        assert_eq!(
            parse(&format!("```json\n{reply}\n```")).unwrap(),
            assessment
        );
    }

    #[test]
    fn a_reply_outside_the_schema_is_refused_with_why() {
        assert!(matches!(
            parse("I think it is a 4."),
            Err(InvalidAssessment::Shape(_))
        ));
        assert_eq!(
            parse(r#"{"score": 9, "reasoning": "x", "dimensions": []}"#),
            Err(InvalidAssessment::Score(9))
        );
        assert_eq!(
            parse(r#"{"score": 3, "reasoning": " ", "dimensions": []}"#),
            Err(InvalidAssessment::NoReasoning)
        );
    }

    #[test]
    fn overlong_text_is_cut_not_refused() {
        let long = "x".repeat(5000);
        let reply = format!(r#"{{"score": 2, "reasoning": "{long}", "dimensions": []}}"#);
        assert_eq!(parse(&reply).unwrap().reasoning.len(), MAX_REASONING);
    }
}
