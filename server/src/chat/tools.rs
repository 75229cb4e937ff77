//! The tutor's tools over the course: `search_course` (ranked lenses with a
//! snippet each) and `read_lens` (a lens's text). The model may use them for
//! up to [`TOOL_ROUNDS`] rounds while answering; the round after that is
//! offered no tools, so an answer always ends in words. A tool that fails
//! or takes longer than [`TOOL_TIME`] answers the model with an error, never
//! the learner.

use std::sync::Arc;
use std::time::Duration;

use genai::chat::{Tool, ToolCall};
use serde_json::{Value, json};

use crate::content::catalogue::Loaded;
use crate::content::search::lens_text;

/// Rounds of tool calls the model may make in one answer.
pub const TOOL_ROUNDS: usize = 3;
/// How long one tool may take before the model is told it failed.
pub const TOOL_TIME: Duration = Duration::from_secs(3);
/// The most a tool tells the model, in characters.
const MOST: usize = 12_000;
/// Results a search returns at most.
const MOST_HITS: usize = 8;

/// `search_course`.
pub const SEARCH_COURSE: &str = "search_course";
/// `read_lens`.
pub const READ_LENS: &str = "read_lens";

/// What one tool call did: for the model, the learner and the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolUse {
    /// The call, as the model made it.
    pub call_id: String,
    /// The tool.
    pub name: String,
    /// Its arguments.
    pub arguments: Value,
    /// What the learner is shown: `searched the course for "…"`.
    pub summary: String,
    /// What the model is told.
    pub result: String,
    /// Whether it failed (the result then says why).
    pub failed: bool,
}

/// The tools, as the model is offered them.
pub fn definitions() -> Vec<Tool> {
    vec![
        Tool::new(SEARCH_COURSE)
            .with_description(
                "Search the whole course (lens titles, summaries, text, article excerpts and video \
                 transcripts). Returns the best-matching lenses with their id, module and a snippet. \
                 Use it to point the learner to where the course covers something.",
            )
            .with_schema(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "Words to look for"}
                },
                "required": ["query"]
            })),
        Tool::new(READ_LENS)
            .with_description(
                "Read one lens of the course in full (its text, excerpts and transcripts), by the id \
                 search_course returned.",
            )
            .with_schema(json!({
                "type": "object",
                "properties": {
                    "lens_id": {"type": "string", "description": "The lens's id"}
                },
                "required": ["lens_id"]
            })),
    ]
}

/// Runs `call` against `content`, within [`TOOL_TIME`].
pub async fn run(content: Arc<Loaded>, call: &ToolCall) -> ToolUse {
    let name = call.fn_name.clone();
    let arguments = call.fn_arguments.clone();
    let summary = summary(&content, &name, &arguments);
    let work = {
        let (name, arguments) = (name.clone(), arguments.clone());
        tokio::task::spawn_blocking(move || run_now(&content, &name, &arguments))
    };
    let outcome = match tokio::time::timeout(TOOL_TIME, work).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Err("the tool broke".to_owned()),
        Err(_) => Err(format!(
            "the tool took longer than {} s",
            TOOL_TIME.as_secs()
        )),
    };
    match outcome {
        Ok(result) => ToolUse {
            call_id: call.call_id.clone(),
            name,
            arguments,
            summary,
            result,
            failed: false,
        },
        Err(error) => ToolUse {
            call_id: call.call_id.clone(),
            name,
            arguments,
            summary,
            result: format!("Error: {error}. Answer without it."),
            failed: true,
        },
    }
}

/// Runs a tool at once: its result for the model, or why it failed.
pub fn run_now(content: &Loaded, name: &str, arguments: &Value) -> Result<String, String> {
    let text = |key: &str| {
        arguments[key]
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("{name} needs a non-empty \"{key}\""))
    };
    match name {
        SEARCH_COURSE => {
            let query = text("query")?;
            let hits = content.search.search(query, MOST_HITS);
            if hits.is_empty() {
                return Ok(format!("Nothing in the course matches \"{query}\"."));
            }
            let lines: Vec<String> = hits
                .iter()
                .enumerate()
                .map(|(n, hit)| {
                    let module = hit
                        .module
                        .as_deref()
                        .map(|m| format!(" (module \"{m}\")"))
                        .unwrap_or_default();
                    format!(
                        "{}. \"{}\"{module}, lens_id {}\n   {}",
                        n + 1,
                        hit.title,
                        hit.lens_id,
                        hit.snippet
                    )
                })
                .collect();
            Ok(cut(&lines.join("\n")))
        }
        READ_LENS => {
            let id = text("lens_id")?;
            let lens = content.snapshot.lenses.get(id).ok_or_else(|| {
                format!("no lens has id {id:?}; use an id search_course returned")
            })?;
            let mut out = format!("# {}\n", lens.title);
            if let Some(tldr) = &lens.tldr {
                out.push_str(&format!("\n{tldr}\n"));
            }
            for part in lens_text(lens) {
                out.push('\n');
                out.push_str(part);
                out.push('\n');
            }
            Ok(cut(&out))
        }
        other => Err(format!("there is no tool named {other:?}")),
    }
}

/// What the learner is shown of a call.
fn summary(content: &Loaded, name: &str, arguments: &Value) -> String {
    let arg = |key: &str| arguments[key].as_str().unwrap_or("").trim().to_owned();
    match name {
        SEARCH_COURSE => format!("searched the course for \"{}\"", arg("query")),
        READ_LENS => match content.snapshot.lenses.get(&arg("lens_id")) {
            Some(lens) => format!("read \"{}\"", lens.title),
            None => "looked for a lens that is not in the course".to_owned(),
        },
        other => format!("tried a tool named {other}"),
    }
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MOST {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MOST).collect();
    cut.push_str("\n[cut here: the rest is longer than the tutor reads at once]");
    cut
}
