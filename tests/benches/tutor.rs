//! Tutor figures: time to first token added by the whole stack (grpc-web
//! client → web edge → core → provider) over calling the fake provider
//! directly, relay throughput, and memory of the core and web edge processes
//! with 500 open chat streams.
//!
//! `cargo bench -p lens-tests --bench tutor`

use std::time::{Duration, Instant};

use futures::StreamExt;
use lens_proto::v1;
use lens_tests::content_fixture;
use lens_tests::core::{CoreOptions, TestCore, dev_sign_in};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::processes::{spawn_core, spawn_web};
use lens_tests::tutor::WebChat;
use lens_tests::web::TestWeb;

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
}

fn pct(v: &[f64], p: f64) -> f64 {
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// Time until the first text delta arrives straight from the fake provider.
async fn direct_first_token(http: &reqwest::Client, url: &str) -> f64 {
    let body = serde_json::json!({"model": "claude-sonnet-4-20250514", "max_tokens": 100, "stream": true,
        "messages": [{"role": "user", "content": "Hi"}]});
    let started = Instant::now();
    let response = http
        .post(format!("{url}/messages"))
        .header("x-api-key", FAKE_LLM_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    let mut stream = response.bytes_stream();
    let mut seen = String::new();
    while let Some(chunk) = stream.next().await {
        seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        if seen.contains("content_block_delta") {
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            while stream.next().await.is_some() {}
            return elapsed;
        }
    }
    panic!("no delta");
}

async fn main_async() {
    let llm = FakeLlm::start().await;
    // The content fixture, the fake model, and limits no bench reaches.
    let env = vec![
        (
            "CONTENT_DIR".to_owned(),
            content_fixture().display().to_string(),
        ),
        ("LLM_BASE_URL".to_owned(), llm.url.clone()),
        ("ANTHROPIC_API_KEY".to_owned(), FAKE_LLM_KEY.to_owned()),
        ("CHAT_MESSAGES_PER_MINUTE".to_owned(), "1000000".to_owned()),
        ("CHAT_DAILY_TOKEN_QUOTA".to_owned(), "1000000000".to_owned()),
    ];
    let core = TestCore::start(CoreOptions {
        dev_mode: true,
        env: env.clone(),
        ..Default::default()
    })
    .await;
    let web = TestWeb::start(&core, true).await;
    let token = core.dev_session("bench", false).await.token;
    let mut chat = WebChat::open(&web.url, &token).await;

    // Time to first token: direct vs through the stack (200 each).
    llm.script(vec![Step::Text("First "), Step::Text("answer.")]);
    let http = reqwest::Client::new();
    let mut direct = Vec::new();
    let mut stacked = Vec::new();
    for round in 0..200 {
        if round % 50 == 0 {
            // Keep the history (and so the prompt) from growing without end.
            let archive = v1::ArchiveSessionRequest {
                session_id: chat.session_id,
            };
            chat.client
                .archive_session(chat.call(archive))
                .await
                .unwrap();
            chat = WebChat::open(&web.url, &token).await;
        }
        direct.push(direct_first_token(&http, &llm.url).await);
        let started = Instant::now();
        let mut events = chat.send("Hi").await;
        let first = events.next().await.unwrap().unwrap();
        assert!(matches!(
            first.event,
            Some(v1::send_message_response::Event::Delta(_))
        ));
        stacked.push(started.elapsed().as_secs_f64() * 1000.0);
        while events.next().await.is_some() {}
    }
    let (direct, stacked) = (sorted(direct), sorted(stacked));
    println!(
        "| time to first token, fake provider called directly | median {:.2} ms, p99 {:.2} ms |",
        pct(&direct, 0.5),
        pct(&direct, 0.99)
    );
    println!(
        "| time to first token, grpc-web → web edge → core → provider | median {:.2} ms, p99 {:.2} ms |",
        pct(&stacked, 0.5),
        pct(&stacked, 0.99)
    );
    println!(
        "| added by the stack (auth, 2 stores, prompt, 2 extra hops) | median {:.2} ms, p99 {:.2} ms |",
        pct(&stacked, 0.5) - pct(&direct, 0.5),
        pct(&stacked, 0.99) - pct(&direct, 0.99)
    );

    // A learner leaving: from dropping the stream at the browser's end to
    // the provider seeing its request closed (20 rounds).
    let mut cancel = Vec::new();
    for _ in 0..20 {
        llm.script(vec![
            Step::Text("Thinking "),
            Step::Wait(Duration::from_secs(600)),
        ]);
        let mut events = chat.send("Leaving").await;
        events.next().await.unwrap().unwrap();
        let left = Instant::now();
        drop(events);
        let closed = loop {
            if let Some(at) = llm.disconnected_at() {
                break at;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        cancel.push(closed.duration_since(left).as_secs_f64() * 1000.0);
    }
    let cancel = sorted(cancel);
    println!(
        "| learner leaves → provider request closed (grpc-web → edge → core → provider) | median {:.2} ms, max {:.2} ms |",
        pct(&cancel, 0.5),
        pct(&cancel, 1.0)
    );

    // Relay throughput: one long answer of 5 000 deltas.
    let words: Vec<Step> = (0..5000).map(|_| Step::Text("word ")).collect();
    llm.script(words);
    let mut events = chat.send("Long").await;
    let first = events.next().await.unwrap().unwrap();
    let started = Instant::now();
    let mut deltas = 1;
    let mut bytes = 0;
    if let Some(v1::send_message_response::Event::Delta(text)) = first.event {
        bytes += text.len();
    }
    while let Some(Ok(event)) = events.next().await {
        if let Some(v1::send_message_response::Event::Delta(text)) = event.event {
            deltas += 1;
            bytes += text.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "| relay throughput, one stream through web edge and core | {:.0} deltas/s ({:.0} KiB/s of text; {deltas} deltas) |",
        f64::from(deltas) / seconds,
        bytes as f64 / 1024.0 / seconds
    );

    // Memory: the core and the web edge as processes of their own, with 500
    // answers streaming through the edge, held open by the provider.
    let mut env = env;
    env.push(("DEV_MODE".to_owned(), "1".to_owned()));
    let core = spawn_core(env);
    let web = spawn_web(&core);
    let token = dev_sign_in(core.channel().await, "memory", false)
        .await
        .token;
    let mut chat = WebChat::open(&web.url, &token).await;
    // One whole answer first, so start-up allocations are not counted.
    llm.script(vec![Step::Text("Warm.")]);
    let mut events = chat.send("Warm up").await;
    while events.next().await.is_some() {}
    llm.script(vec![
        Step::Text("Thinking "),
        Step::Wait(Duration::from_secs(600)),
    ]);
    // A learner has one answer at a time: 500 learners, one stream each.
    let mut learners = Vec::new();
    for i in 0..500 {
        let token = dev_sign_in(core.channel().await, &format!("reader{i}"), false)
            .await
            .token;
        learners.push(WebChat::open(&web.url, &token).await);
    }
    let (core_before, web_before) = (core.rss_kib(), web.rss_kib());
    let mut open = Vec::new();
    for chat in &mut learners {
        let mut events = chat.send("Hold").await;
        events.next().await.unwrap().unwrap();
        open.push(events);
    }
    let (core_after, web_after) = (core.rss_kib(), web.rss_kib());
    for (name, before, after) in [
        ("core (lens-server)", core_before, core_after),
        ("web edge (lens-web)", web_before, web_after),
    ] {
        println!(
            "| memory with 500 open chat streams, {name} process | +{:.1} MiB RSS ({:.1} KiB a stream; {:.1} MiB in all) |",
            (after as f64 - before as f64) / 1024.0,
            (after as f64 - before as f64) / 500.0,
            after as f64 / 1024.0
        );
    }
    drop(open);
}

fn main() {
    println!("| what | figure |");
    println!("| --- | --- |");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(main_async());
}
