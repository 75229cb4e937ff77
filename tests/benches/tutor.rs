//! Tutor figures: time to first token added by the whole stack (grpc-web
//! client → web edge → core → provider) over calling the fake provider
//! directly, relay throughput, and memory with 500 open chat streams.
//!
//! `cargo bench -p lens-tests --bench tutor`

use std::time::{Duration, Instant};

use futures::StreamExt;
use lens_proto::v1;
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_server::auth::EdgeKind;
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::llm::{FAKE_ANTHROPIC_KEY, FakeAnthropic, Step};
use lens_tests::web::TestWeb;
use lens_tests::{content_fixture, grpc_web};

const CASCADES: &str = "3dd47fce-a0fe-4e03-916d-a160fe697dd0";

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
}

fn pct(v: &[f64], p: f64) -> f64 {
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

/// Time until the first text delta arrives straight from the fake provider.
async fn direct_first_token(http: &reqwest::Client, url: &str) -> f64 {
    let body = serde_json::json!({"model": "claude-sonnet-4-20250514", "max_tokens": 100, "stream": true,
        "messages": [{"role": "user", "content": "Hi"}]});
    let started = Instant::now();
    let response = http
        .post(format!("{url}/messages"))
        .header("x-api-key", FAKE_ANTHROPIC_KEY)
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
    let llm = FakeAnthropic::start().await;
    let env = vec![
        (
            "CONTENT_DIR".to_owned(),
            content_fixture().display().to_string(),
        ),
        ("LLM_BASE_URL".to_owned(), llm.url.clone()),
        (
            "ANTHROPIC_API_KEY".to_owned(),
            FAKE_ANTHROPIC_KEY.to_owned(),
        ),
        ("CHAT_MESSAGES_PER_MINUTE".to_owned(), "1000000".to_owned()),
        ("CHAT_DAILY_TOKEN_QUOTA".to_owned(), "1000000000".to_owned()),
    ];
    let core = TestCore::start(CoreOptions {
        dev_mode: true,
        env,
        ..Default::default()
    })
    .await;
    let web = TestWeb::start(&core, true).await;
    let mut auth = AuthServiceClient::new(core.channel().await);
    let token = auth
        .dev_sign_in(authed(
            v1::DevSignInRequest {
                username: "bench".into(),
                admin: false,
            },
            &core.edge_token(EdgeKind::Web),
        ))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap()
        .token;
    let cookie = format!("lens_session={token}");
    let (transport, origin) = grpc_web::transport(&web.url);
    let mut chat = ChatServiceClient::with_origin(transport, origin);
    let mut session_id = chat
        .get_or_start_session(grpc_web::with_cookie(
            v1::GetOrStartSessionRequest {
                lens_id: CASCADES.into(),
            },
            &cookie,
        ))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap()
        .id;

    // Time to first token: direct vs through the stack (200 each).
    llm.script(vec![Step::Text("First "), Step::Text("answer.")]);
    let http = reqwest::Client::new();
    let mut direct = Vec::new();
    let mut stacked = Vec::new();
    for round in 0..200 {
        if round % 50 == 0 {
            // Keep the history (and so the prompt) from growing without end.
            chat.archive_session(grpc_web::with_cookie(
                v1::ArchiveSessionRequest { session_id },
                &cookie,
            ))
            .await
            .unwrap();
            session_id = chat
                .get_or_start_session(grpc_web::with_cookie(
                    v1::GetOrStartSessionRequest {
                        lens_id: CASCADES.into(),
                    },
                    &cookie,
                ))
                .await
                .unwrap()
                .into_inner()
                .session
                .unwrap()
                .id;
        }
        direct.push(direct_first_token(&http, &llm.url).await);
        let started = Instant::now();
        let request = v1::SendMessageRequest {
            session_id,
            segment_index: 3,
            text: "Hi".into(),
        };
        let mut events = chat
            .send_message(grpc_web::with_cookie(request, &cookie))
            .await
            .unwrap()
            .into_inner();
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

    // Relay throughput: one long answer of 5 000 deltas.
    let words: Vec<Step> = (0..5000).map(|_| Step::Text("word ")).collect();
    llm.script(words);
    let request = v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: "Long".into(),
    };
    let mut events = chat
        .send_message(grpc_web::with_cookie(request, &cookie))
        .await
        .unwrap()
        .into_inner();
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

    // Memory with 500 open streams (answers held open by the provider).
    llm.script(vec![
        Step::Text("Thinking "),
        Step::Wait(Duration::from_secs(600)),
    ]);
    let before = rss_mib();
    let channel = core.channel().await;
    let mut open = Vec::new();
    for _ in 0..500 {
        let mut client = ChatServiceClient::new(channel.clone());
        let request = v1::SendMessageRequest {
            session_id,
            segment_index: 3,
            text: "Hold".into(),
        };
        let mut events = client
            .send_message(authed(request, &token))
            .await
            .unwrap()
            .into_inner();
        events.message().await.unwrap().unwrap();
        open.push(events);
    }
    let after = rss_mib();
    println!(
        "| memory with 500 open chat streams (core + fake + clients, one process) | +{:.1} MiB RSS ({:.1} KiB a stream) |",
        after - before,
        (after - before) * 1024.0 / 500.0
    );
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
