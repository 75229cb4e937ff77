//! The tutor's tools: how long `search_course` takes over today's content
//! (`lens-edu-relay`), how long building its index takes, and how much time
//! one tool round adds to an answer (the fake model answers at once, so the
//! difference is the core's: the tool, the second request, the storing).
//!
//! `cargo bench -p lens-tests --bench tutor_tools`

use std::time::Instant;

use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_proto::v1::{self, send_message_response::Event};
use lens_server::content::search::SearchIndex;
use lens_server::content::{ContentFiles, build};
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::relay_fixture;

/// Queries a learner might make, from single words to questions.
const QUERIES: &[&str] = &[
    "alignment",
    "instrumental convergence",
    "mesa optimization inner alignment",
    "what is reward hacking",
    "interpretability of neural networks",
    "why would an AI resist being shut down",
    "orthogonality thesis",
    "compute scaling laws",
    "deceptive alignment",
    "AI governance and policy",
    "superintelligence",
    "gradient descent grows minds nobody understands",
];

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
}

fn pct(v: &[f64], p: f64) -> f64 {
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn search_figures() {
    let snapshot = build(&ContentFiles::read_dir(&relay_fixture()).unwrap()).snapshot;
    let builds: Vec<f64> = (0..10)
        .map(|_| {
            let started = Instant::now();
            let index = SearchIndex::build(&snapshot);
            std::hint::black_box(index.len());
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let builds = sorted(builds);
    let index = SearchIndex::build(&snapshot);
    let mut times = Vec::new();
    for _ in 0..100 {
        for query in QUERIES {
            let started = Instant::now();
            std::hint::black_box(index.search(query, 8));
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let times = sorted(times);
    println!("| what | figure |\n| --- | --- |");
    println!(
        "| index build, today's content ({} lenses) | median {:.1} ms, max {:.1} ms (10 builds) |",
        index.len(),
        pct(&builds, 0.5),
        builds[builds.len() - 1]
    );
    println!(
        "| search_course, {} queries × 100 | p50 {:.3} ms, p99 {:.3} ms |",
        QUERIES.len(),
        pct(&times, 0.5),
        pct(&times, 0.99)
    );
    for query in [
        "instrumental convergence",
        "why would an AI resist being shut down",
    ] {
        let top: Vec<String> = index
            .search(query, 3)
            .into_iter()
            .map(|h| h.title)
            .collect();
        println!("| top 3 for \"{query}\" | {} |", top.join(" · "));
    }
}

async fn answer(core: &TestCore, token: &str, session_id: i64) -> f64 {
    let started = Instant::now();
    let mut events = ChatServiceClient::new(core.channel().await)
        .send_message(authed(
            lens_tests::tutor::message(session_id, "Where does the course cover this?"),
            token,
        ))
        .await
        .unwrap()
        .into_inner();
    while let Some(event) = events.message().await.unwrap() {
        if let Some(Event::Error(error)) = event.event {
            panic!("{}", error.message);
        }
    }
    started.elapsed().as_secs_f64() * 1000.0
}

async fn round_figures() {
    let llm = FakeLlm::start().await;
    let core = TestCore::start(CoreOptions {
        dev_mode: true,
        env: vec![
            (
                "CONTENT_DIR".into(),
                lens_tests::content_fixture().display().to_string(),
            ),
            ("LLM_BASE_URL".into(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".into(), FAKE_LLM_KEY.into()),
            ("CHAT_MESSAGES_PER_MINUTE".into(), "100000".into()),
            ("CHAT_DAILY_TOKEN_QUOTA".into(), "1000000000".into()),
        ],
        ..Default::default()
    })
    .await;
    let token = core.dev_session("bench", false).await.token;
    let session_id = ChatServiceClient::new(core.channel().await)
        .get_or_start_session(authed(
            v1::GetOrStartSessionRequest {
                lens_id: lens_tests::tutor::CASCADES.into(),
                ..Default::default()
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap()
        .id;
    let rounds = 40;
    let mut plain = Vec::new();
    let mut with_tool = Vec::new();
    for _ in 0..rounds {
        llm.script(vec![Step::Text("Here it is.")]);
        plain.push(answer(&core, &token, session_id).await);
        llm.script_each(vec![
            vec![Step::ToolCall {
                name: "search_course",
                arguments: r#"{"query": "feedback loops and cascades"}"#,
            }],
            vec![Step::Text("Here it is.")],
        ]);
        with_tool.push(answer(&core, &token, session_id).await);
    }
    let (plain, with_tool) = (sorted(plain), sorted(with_tool));
    println!(
        "| whole answer, no tool (core on SQLite, fake model) | median {:.1} ms, p99 {:.1} ms ({rounds}) |",
        pct(&plain, 0.5),
        pct(&plain, 0.99)
    );
    println!(
        "| whole answer with one search_course round | median {:.1} ms, p99 {:.1} ms; **{:+.1} ms** at the median |",
        pct(&with_tool, 0.5),
        pct(&with_tool, 0.99),
        pct(&with_tool, 0.5) - pct(&plain, 0.5)
    );
}

fn main() {
    lens_tests::init();
    search_figures();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(round_figures());
}
