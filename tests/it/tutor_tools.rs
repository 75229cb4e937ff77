//! The tutor's tools over the course, and its thinking: the fake model asks for
//! `search_course` or `read_lens` in each provider's own format, the core
//! runs it, tells the learner what was looked up, sends the result back in
//! that format, and the model answers with it. At most three rounds; the
//! last one is offered no tools.

use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_proto::v1::{self, send_message_response::Event};
use lens_tests::core::{TestCore, authed};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::tutor::message;
use serde_json::Value;

use crate::chat::{cascades_session, learner, tutor_core};

/// Everything an answer sent: its text, its lookups, and how it ended.
struct Answered {
    text: String,
    lookups: Vec<v1::ToolUse>,
    last: Event,
}

async fn ask(core: &TestCore, token: &str, session_id: i64, text: &str) -> Answered {
    let mut events = ChatServiceClient::new(core.channel().await)
        .send_message(authed(message(session_id, text), token))
        .await
        .unwrap()
        .into_inner();
    let mut answered = Answered {
        text: String::new(),
        lookups: Vec::new(),
        last: Event::Delta(String::new()),
    };
    while let Some(event) = events.message().await.unwrap() {
        match event.event.unwrap() {
            Event::Delta(delta) => answered.text.push_str(&delta),
            Event::ToolUse(used) => answered.lookups.push(used),
            other => answered.last = other,
        }
    }
    answered
}

/// The last message of a session's transcript.
async fn last_answer(core: &TestCore, token: &str, session_id: i64) -> v1::ChatMessage {
    ChatServiceClient::new(core.channel().await)
        .get_transcript(authed(v1::GetTranscriptRequest { session_id }, token))
        .await
        .unwrap()
        .into_inner()
        .messages
        .pop()
        .unwrap()
}

/// The result the core sent back for the model's tool call, read from
/// the provider's own format.
fn tool_result(request: &Value) -> String {
    if let Some(contents) = request["contents"].as_array() {
        // Gemini: a functionResponse part.
        return contents
            .iter()
            .flat_map(|c| c["parts"].as_array().cloned().unwrap_or_default())
            .find(|p| !p["functionResponse"].is_null())
            .map(|p| p["functionResponse"]["response"].to_string())
            .unwrap_or_default();
    }
    let messages = request["messages"].as_array().unwrap();
    messages
        .iter()
        .find_map(|m| {
            // OpenAI: a message of role tool.
            if m["role"] == "tool" {
                return Some(m["content"].to_string());
            }
            // Anthropic: a tool_result block in a user message.
            m["content"].as_array().and_then(|blocks| {
                blocks
                    .iter()
                    .find(|b| b["type"] == "tool_result")
                    .map(|b| b["content"].to_string())
            })
        })
        .unwrap_or_default()
}

/// The names of the tools a request offered, in the provider's format.
fn offered(request: &Value) -> Vec<String> {
    let names = |tools: &Value, path: &dyn Fn(&Value) -> Value| -> Vec<String> {
        tools
            .as_array()
            .map(|tools| {
                tools
                    .iter()
                    .map(|t| path(t).as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let tools = &request["tools"];
    match tools.as_array().and_then(|t| t.first()) {
        None => Vec::new(),
        // Gemini: one entry of functionDeclarations.
        Some(first) if !first["functionDeclarations"].is_null() => {
            names(&first["functionDeclarations"], &|f| f["name"].clone())
        }
        // OpenAI: {type: function, function: {name}}.
        Some(first) if !first["function"].is_null() => {
            names(tools, &|t| t["function"]["name"].clone())
        }
        // Anthropic: {name, input_schema}.
        Some(_) => names(tools, &|t| t["name"].clone()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tutor_searches_the_course_and_answers_with_it_in_every_format() {
    let llm = FakeLlm::start().await;
    let formats: [(&str, Vec<(&str, &str)>); 3] = [
        ("anthropic", vec![]),
        (
            "openai",
            vec![
                ("LLM_PROVIDER", "openai/gpt-4o-mini"),
                ("OPENAI_API_KEY", FAKE_LLM_KEY),
            ],
        ),
        (
            "gemini",
            vec![
                ("LLM_PROVIDER", "gemini/gemini-2.5-flash"),
                ("GEMINI_API_KEY", FAKE_LLM_KEY),
                ("LLM_BASE_URL", llm.gemini_url.as_str()),
            ],
        ),
    ];
    for (format, env) in formats {
        let core = tutor_core(false, Some(&llm), &env).await;
        let token = learner(&core).await;
        let session_id = cascades_session(&core, &token).await;
        let asked_before = llm.requests().len();
        llm.script_each(vec![
            vec![
                Step::Text("Let me look. "),
                Step::ToolCall {
                    name: "search_course",
                    arguments: r#"{"query": "ultraintelligent machine"}"#,
                },
            ],
            vec![Step::Text("The course reads Good's paper on that.")],
        ]);
        let answered = ask(
            &core,
            &token,
            session_id,
            "Where is the first ultraintelligent machine discussed?",
        )
        .await;
        assert!(
            matches!(answered.last, Event::Complete(_)),
            "{format}: {:?}",
            answered.last
        );
        assert_eq!(
            answered.text, "Let me look. The course reads Good's paper on that.",
            "{format}"
        );
        assert_eq!(answered.lookups.len(), 1, "{format}");
        assert_eq!(
            answered.lookups[0].summary, "searched the course for \"ultraintelligent machine\"",
            "{format}"
        );
        assert!(!answered.lookups[0].failed);

        let requests = llm.requests()[asked_before..].to_vec();
        assert_eq!(
            requests.len(),
            2,
            "{format}: one round of tools, then the answer"
        );
        assert_eq!(
            offered(&requests[0]),
            ["search_course", "read_lens"],
            "{format}"
        );
        let result = tool_result(&requests[1]);
        assert!(
            result.contains("Speculations concerning the first ultraintelligent machine"),
            "{format}: the best lens went back to the model: {result}"
        );

        // The transcript keeps the lookup with the answer.
        let answer = last_answer(&core, &token, session_id).await;
        assert_eq!(answer.tool_uses.len(), 1, "{format}");
        assert_eq!(answer.tool_uses[0].name, "search_course");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_tool_is_told_to_the_model_not_the_learner() {
    let llm = FakeLlm::start().await;
    let core = tutor_core(false, Some(&llm), &[]).await;
    let token = learner(&core).await;
    let session_id = cascades_session(&core, &token).await;
    llm.script_each(vec![
        vec![Step::ToolCall {
            name: "read_lens",
            arguments: r#"{"lens_id": "no-such-lens"}"#,
        }],
        vec![Step::Text(
            "I could not open that one, but here is what I know.",
        )],
    ]);
    let answered = ask(&core, &token, session_id, "Tell me more").await;
    assert!(
        matches!(answered.last, Event::Complete(_)),
        "{:?}",
        answered.last
    );
    assert!(answered.lookups[0].failed);
    assert_eq!(
        answered.lookups[0].summary,
        "looked for a lens that is not in the course"
    );
    let result = tool_result(&llm.requests()[1]);
    assert!(result.contains("Error: no lens has id"), "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_three_rounds_the_tutor_must_answer_without_tools() {
    let llm = FakeLlm::start().await;
    let core = tutor_core(false, Some(&llm), &[]).await;
    let token = learner(&core).await;
    let session_id = cascades_session(&core, &token).await;
    let search = || {
        vec![Step::ToolCall {
            name: "search_course",
            arguments: r#"{"query": "feedback"}"#,
        }]
    };
    llm.script_each(vec![
        search(),
        search(),
        search(),
        vec![Step::Text("Enough looking: here is the answer.")],
    ]);
    let answered = ask(&core, &token, session_id, "Search a lot").await;
    assert!(
        matches!(answered.last, Event::Complete(_)),
        "{:?}",
        answered.last
    );
    assert_eq!(answered.lookups.len(), 3);
    let requests = llm.requests();
    assert_eq!(requests.len(), 4);
    for round in &requests[..3] {
        assert_eq!(offered(round), ["search_course", "read_lens"]);
    }
    assert!(
        offered(&requests[3]).is_empty(),
        "the last round offers no tools"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thinking_streams_apart_from_the_answer_and_is_kept_apart() {
    let llm = FakeLlm::start().await;
    let core = tutor_core(false, Some(&llm), &[("LLM_THINKING_BUDGET", "2048")]).await;
    let token = learner(&core).await;
    let session_id = cascades_session(&core, &token).await;
    llm.script(vec![
        Step::Thinking("They ask about cycles; start from the reactor."),
        Step::Text("A cycle feeds its output back in."),
    ]);
    let mut events = ChatServiceClient::new(core.channel().await)
        .send_message(authed(message(session_id, "What is a cycle?"), &token))
        .await
        .unwrap()
        .into_inner();
    let (mut thinking, mut text) = (String::new(), String::new());
    while let Some(event) = events.message().await.unwrap() {
        match event.event.unwrap() {
            Event::Thinking(words) => {
                assert!(text.is_empty(), "thinking comes before the answer");
                thinking.push_str(&words);
            }
            Event::Delta(words) => text.push_str(&words),
            Event::Complete(_) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(thinking, "They ask about cycles; start from the reactor.");
    assert_eq!(text, "A cycle feeds its output back in.");
    let request = llm.requests().pop().unwrap();
    assert_eq!(request["thinking"]["type"], "enabled", "{request}");
    assert_eq!(request["thinking"]["budget_tokens"], 2048);

    let answer = last_answer(&core, &token, session_id).await;
    assert_eq!(answer.text, "A cycle feeds its output back in.");
    assert_eq!(
        answer.thinking,
        "They ask about cycles; start from the reactor."
    );
}
