//! Content figures: full parse of both content fixtures (time and peak
//! heap), GetModule on today's largest module against a bare tonic server
//! returning the same message, throughput under concurrent load on
//! loopback, and the time from a GitHub webhook to the new version being
//! served. Prints a markdown table.
//!
//! `cargo bench -p lens-tests --bench content`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lens_proto::v1;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_proto::v1::content_service_server::{ContentService, ContentServiceServer};
use lens_server::content::{ContentFiles, build};
use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::fakes::github::FakeGitHub;
use lens_tests::web::TestWeb;
use lens_tests::{content_fixture, copy_tree, relay_fixture};
use prost::Message;
use tonic::{Request, Response, Status};

/// The system allocator, counting the bytes in use and their peak, so the
/// parse's peak heap is measured rather than guessed.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's layout is passed on as given.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values
}

fn parse_figures(name: &str, dir: &std::path::Path) {
    let files = ContentFiles::read_dir(dir).unwrap();
    let _ = build(&files);
    let runs: Vec<f64> = (0..30)
        .map(|_| {
            let started = Instant::now();
            let outcome = build(&files);
            assert!(!outcome.snapshot.modules.is_empty());
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let runs = sorted(runs);
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let outcome = build(&files);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let kept = IN_USE.load(Ordering::Relaxed) - before;
    drop(outcome);
    println!(
        "| full parse of {name} ({} files) | median {:.1} ms, p90 {:.1} ms (30 runs); peak heap {:.1} MiB, snapshot and report {:.1} MiB |",
        files.len(),
        percentile(&runs, 0.5),
        percentile(&runs, 0.9),
        peak as f64 / (1024.0 * 1024.0),
        kept as f64 / (1024.0 * 1024.0),
    );
}

/// A tonic server that answers GetModule with one prebuilt message and
/// nothing else: the stack's limit for the same answer.
struct Bare(v1::GetModuleResponse);

type WatchStream = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<v1::WatchContentStatusResponse, Status>> + Send>,
>;

#[tonic::async_trait]
impl ContentService for Bare {
    async fn get_module(
        &self,
        _: Request<v1::GetModuleRequest>,
    ) -> Result<Response<v1::GetModuleResponse>, Status> {
        Ok(Response::new(self.0.clone()))
    }
    async fn list_courses(
        &self,
        _: Request<v1::ListCoursesRequest>,
    ) -> Result<Response<v1::ListCoursesResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn get_course(
        &self,
        _: Request<v1::GetCourseRequest>,
    ) -> Result<Response<v1::GetCourseResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn get_lens(
        &self,
        _: Request<v1::GetLensRequest>,
    ) -> Result<Response<v1::GetLensResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn get_article(
        &self,
        _: Request<v1::GetArticleRequest>,
    ) -> Result<Response<v1::GetArticleResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn get_content_status(
        &self,
        _: Request<v1::GetContentStatusRequest>,
    ) -> Result<Response<v1::GetContentStatusResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
    type WatchContentStatusStream = WatchStream;
    async fn watch_content_status(
        &self,
        _: Request<v1::WatchContentStatusRequest>,
    ) -> Result<Response<WatchStream>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn refresh_content(
        &self,
        _: Request<v1::RefreshContentRequest>,
    ) -> Result<Response<v1::RefreshContentResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn notify_content_push(
        &self,
        _: Request<v1::NotifyContentPushRequest>,
    ) -> Result<Response<v1::NotifyContentPushResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
}

/// Sequential GetModule calls for `window`: how many, and their latencies.
async fn sequential(
    client: &mut ContentServiceClient<tonic::transport::Channel>,
    slug: &str,
    window: Duration,
) -> Vec<f64> {
    let started = Instant::now();
    let mut latencies = Vec::new();
    while started.elapsed() < window {
        let sent = Instant::now();
        client
            .get_module(v1::GetModuleRequest { slug: slug.into() })
            .await
            .unwrap();
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    latencies
}

/// Today's largest module through the real core, and the same message from
/// a bare tonic server, measured in alternating rounds so both see the same
/// machine.
async fn largest_module_figures() {
    let core = TestCore::start(CoreOptions {
        env: vec![("CONTENT_DIR".into(), relay_fixture().display().to_string())],
        ..Default::default()
    })
    .await;
    let mut client = ContentServiceClient::new(core.channel().await);
    let loaded = core.state.content.current();
    let mut sizes: Vec<(usize, String)> = Vec::new();
    for slug in loaded.snapshot.modules.keys() {
        let response = client
            .get_module(v1::GetModuleRequest { slug: slug.clone() })
            .await
            .unwrap()
            .into_inner();
        sizes.push((response.encoded_len(), slug.clone()));
    }
    sizes.sort();
    let (size, slug) = sizes.pop().expect("modules");
    let response = client
        .get_module(v1::GetModuleRequest { slug: slug.clone() })
        .await
        .unwrap()
        .into_inner();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(ContentServiceServer::new(Bare(response)))
            // As the core serves: without Nagle's delay on small writes.
            .serve_with_incoming(
                tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            ),
    );
    let bare_channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .tcp_nodelay(true)
        .connect()
        .await
        .unwrap();
    let mut bare = ContentServiceClient::new(bare_channel);

    let round = Duration::from_secs(2);
    sequential(&mut client, &slug, Duration::from_millis(500)).await;
    sequential(&mut bare, &slug, Duration::from_millis(500)).await;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        ours.extend(sequential(&mut client, &slug, round).await);
        theirs.extend(sequential(&mut bare, &slug, round).await);
    }
    let window = 3.0 * round.as_secs_f64();
    let (ours_rate, theirs_rate) = (ours.len() as f64 / window, theirs.len() as f64 / window);
    let ours = sorted(ours);
    println!(
        "| GetModule of the largest module (`{slug}`, {:.0} KiB), one client | median {:.3} ms, p99 {:.3} ms |",
        size as f64 / 1024.0,
        percentile(&ours, 0.5),
        percentile(&ours, 0.99)
    );
    println!(
        "| the same, one client, against a bare tonic server returning the same message | {ours_rate:.0} req/s against {theirs_rate:.0} req/s: ratio **{:.2}** |",
        ours_rate / theirs_rate
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
        .map(|m| m.encoded_len());
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
        let signature = lens_tests::fakes::github::signature("s", body.as_bytes());
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
    parse_figures("today's content (lens-edu-relay)", &relay_fixture());
    parse_figures(
        "the January content (lens-educational-content)",
        &content_fixture(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        largest_module_figures().await;
        get_module_figures().await;
        webhook_figures().await;
    });
}
