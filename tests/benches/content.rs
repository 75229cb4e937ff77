//! Content figures: full parse of the real fixture, GetModule latency and
//! throughput under concurrent load on loopback, and the time from a GitHub
//! webhook to the new version being served. Prints a markdown table.
//!
//! `cargo bench -p lens-tests --bench content`

use std::time::{Duration, Instant};

use lens_proto::v1;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_server::content::{ContentFiles, build};
use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::fakes::github::FakeGitHub;
use lens_tests::web::TestWeb;
use lens_tests::{content_fixture, copy_tree};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values
}

fn parse_figures() {
    let files = ContentFiles::read_dir(&content_fixture()).unwrap();
    let _ = build(&files);
    let runs: Vec<f64> = (0..50)
        .map(|_| {
            let started = Instant::now();
            let outcome = build(&files);
            assert!(!outcome.snapshot.modules.is_empty());
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let runs = sorted(runs);
    println!(
        "| full parse of the fixture ({} files) | median {:.2} ms, p90 {:.2} ms (50 runs) |",
        files.len(),
        percentile(&runs, 0.5),
        percentile(&runs, 0.9)
    );
}

async fn get_module_figures() {
    let core = TestCore::start(CoreOptions {
        env: vec![(
            "CONTENT_DIR".into(),
            content_fixture().display().to_string(),
        )],
        ..Default::default()
    })
    .await;
    let request = || v1::GetModuleRequest {
        slug: "feedback-loops".into(),
    };

    let mut client = ContentServiceClient::new(core.channel().await);
    for _ in 0..200 {
        client.get_module(request()).await.unwrap();
    }
    let mut single = Vec::new();
    for _ in 0..2000 {
        let started = Instant::now();
        client.get_module(request()).await.unwrap();
        single.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let single = sorted(single);
    let size = client
        .get_module(request())
        .await
        .unwrap()
        .into_inner()
        .module
        .map(|m| {
            use prost::Message;
            m.encoded_len()
        });
    println!(
        "| GetModule, one client, sequential ({} KiB response) | median {:.3} ms, p99 {:.3} ms |",
        size.unwrap_or(0) / 1024,
        percentile(&single, 0.5),
        percentile(&single, 0.99)
    );

    for concurrency in [16usize, 64] {
        let channels: Vec<_> = futures::future::join_all((0..4).map(|_| core.channel())).await;
        let window = Duration::from_secs(5);
        let started = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|i| {
                let mut client = ContentServiceClient::new(channels[i % channels.len()].clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    while started.elapsed() < window {
                        let sent = Instant::now();
                        client
                            .get_module(v1::GetModuleRequest {
                                slug: "feedback-loops".into(),
                            })
                            .await
                            .unwrap();
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    }
                    latencies
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        let elapsed = started.elapsed().as_secs_f64();
        let count = all.len();
        let all = sorted(all);
        println!(
            "| GetModule, {concurrency} concurrent clients over 4 HTTP/2 connections, 5 s | {:.0} req/s, median {:.2} ms, p99 {:.2} ms |",
            count as f64 / elapsed,
            percentile(&all, 0.5),
            percentile(&all, 0.99)
        );
    }
}

async fn webhook_figures() {
    let github = FakeGitHub::start().await;
    let fixture = content_fixture();
    github.publish("main", &fixture);
    let env = vec![
        ("CONTENT_REPO".to_owned(), "owner/repo".to_owned()),
        ("GITHUB_API_BASE_URL".to_owned(), github.url.clone()),
        ("CONTENT_POLL_SECS".to_owned(), "1".to_owned()),
    ];
    let core = TestCore::start(CoreOptions {
        env: env.clone(),
        ..Default::default()
    })
    .await;
    let replica = TestCore::start(CoreOptions {
        env,
        database_url: Some(core.database_url.clone()),
        ..Default::default()
    })
    .await;
    let web = TestWeb::start_with(
        &core,
        false,
        vec![("GITHUB_WEBHOOK_SECRET".into(), "s".into())],
    )
    .await;
    let http = reqwest::Client::new();
    let mut own = Vec::new();
    let mut other = Vec::new();
    for round in 0..5 {
        let edited = tempfile::tempdir().unwrap();
        copy_tree(&fixture, edited.path());
        let course = edited.path().join("courses/default.md");
        let text = std::fs::read_to_string(&course)
            .unwrap()
            .replace("AI Safety Course", &format!("Round {round}"));
        std::fs::write(&course, text).unwrap();
        let sha = github.publish("main", edited.path());
        let body = format!(r#"{{"ref":"refs/heads/main","after":"{sha}"}}"#);
        let signature = lens_web::webhook::sign_for_tests("s", body.as_bytes());
        let sent = Instant::now();
        let response = http
            .post(format!("{}/api/content/webhook", web.url))
            .header("x-github-event", "push")
            .header("x-hub-signature-256", signature)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let answered = sent.elapsed();
        own.push(wait_for_version(&core, &sha, sent).await);
        other.push(wait_for_version(&replica, &sha, sent).await);
        if round == 0 {
            println!(
                "| webhook answered (signature check + relay to the core) | {:.1} ms |",
                answered.as_secs_f64() * 1000.0
            );
        }
    }
    let own = sorted(own);
    let other = sorted(other);
    println!(
        "| webhook received → new version served by the replica it reached (fetch + unpack + parse + swap) | median {:.0} ms, max {:.0} ms (5 pushes) |",
        percentile(&own, 0.5),
        own[own.len() - 1]
    );
    println!(
        "| webhook received → new version served by another replica (CONTENT_POLL_SECS=1) | median {:.0} ms, max {:.0} ms |",
        percentile(&other, 0.5),
        other[other.len() - 1]
    );
}

async fn wait_for_version(core: &TestCore, sha: &str, since: Instant) -> f64 {
    let mut client = ContentServiceClient::new(core.channel().await);
    loop {
        let status = client
            .get_content_status(v1::GetContentStatusRequest {})
            .await
            .unwrap()
            .into_inner();
        if status.version == sha {
            return since.elapsed().as_secs_f64() * 1000.0;
        }
        assert!(
            since.elapsed() < Duration::from_secs(30),
            "version {sha} never served"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn main() {
    println!("| what | figure |");
    println!("| --- | --- |");
    parse_figures();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        get_module_figures().await;
        webhook_figures().await;
    });
}
