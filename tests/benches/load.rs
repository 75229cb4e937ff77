//! A mixed workload through the web edge, as browsers make it: reading
//! modules and the course, heartbeats, tutor chats against the fake
//! provider, and availability saves, by many learners at once, at rising
//! concurrency. The core and the web edge run as release processes of their
//! own, so their memory is theirs. Prints a markdown table.
//!
//! `cargo bench -p lens-tests --bench load`
//! `LENS_LOAD_SECS=60` sets each level's length (default 60 s);
//! `LENS_SOAK_MINUTES=30` then runs a soak at the highest level and prints
//! memory every minute.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use lens_proto::v1;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_proto::v1::progress_service_client::ProgressServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_tests::content_fixture;
use lens_tests::core::dev_sign_in;
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::grpc_web::{self, with_cookie};
use lens_tests::processes::{Spawned, spawn_core, spawn_web};
use lens_tests::tutor::WebChat;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What one learner does next, by weight: mostly reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    Module,
    Course,
    Heartbeat,
    Chat,
    Availability,
}

const MIX: &[(Op, u32)] = &[
    (Op::Module, 45),
    (Op::Course, 10),
    (Op::Heartbeat, 25),
    (Op::Chat, 10),
    (Op::Availability, 10),
];

fn pick(rng: &mut StdRng) -> Op {
    let total: u32 = MIX.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (op, weight) in MIX {
        if roll < *weight {
            return *op;
        }
        roll -= weight;
    }
    Op::Module
}

/// One simulated learner: their clients through the web edge.
struct Learner {
    cookie: String,
    chat: WebChat,
    content: ContentServiceClient<grpc_web::GrpcWebTransport>,
    progress: ProgressServiceClient<grpc_web::GrpcWebTransport>,
    users: UserServiceClient<grpc_web::GrpcWebTransport>,
}

impl Learner {
    async fn new(core: &Spawned, web: &Spawned, name: &str) -> Self {
        let token = dev_sign_in(core.channel().await, name, false).await.token;
        let chat = WebChat::open(&web.url, &token).await;
        let (transport, origin) = grpc_web::transport(&web.url);
        Self {
            cookie: format!("lens_session={token}"),
            chat,
            content: ContentServiceClient::with_origin(transport.clone(), origin.clone()),
            progress: ProgressServiceClient::with_origin(transport.clone(), origin.clone()),
            users: UserServiceClient::with_origin(transport, origin),
        }
    }

    async fn act(&mut self, op: Op) -> Result<(), tonic::Status> {
        match op {
            Op::Module => {
                let request = v1::GetModuleRequest {
                    slug: "feedback-loops".into(),
                };
                self.content
                    .get_module(with_cookie(request, &self.cookie))
                    .await?;
            }
            Op::Course => {
                let request = v1::GetCourseRequest {
                    slug: "default".into(),
                };
                self.content
                    .get_course(with_cookie(request, &self.cookie))
                    .await?;
            }
            Op::Heartbeat => {
                let request = v1::RecordHeartbeatRequest {
                    content_id: lens_tests::tutor::CASCADES.into(),
                };
                self.progress
                    .record_heartbeat(with_cookie(request, &self.cookie))
                    .await?;
            }
            Op::Chat => {
                let mut events = self.chat.send("Tell me about cycles.").await;
                while events.message().await?.is_some() {}
            }
            Op::Availability => {
                let request = v1::SetAvailabilityRequest {
                    availability: Some(v1::WeeklyAvailability {
                        timezone: "Europe/Berlin".into(),
                        available_slots: (38..42).collect(),
                        ..Default::default()
                    }),
                };
                self.users
                    .set_availability(with_cookie(request, &self.cookie))
                    .await?;
            }
        }
        Ok(())
    }
}

/// Everyone's latencies (ms) and failures over one level.
#[derive(Default)]
struct Tally {
    latencies: Vec<f64>,
    errors: Vec<String>,
}

async fn level(learners: &mut Vec<Learner>, window: Duration, seed: u64) -> (Tally, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, mut learner) in learners.drain(..).enumerate() {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed + i as u64);
            let mut tally = Tally::default();
            while !stop.load(Ordering::Relaxed) {
                let op = pick(&mut rng);
                let sent = Instant::now();
                match learner.act(op).await {
                    Ok(()) => tally.latencies.push(sent.elapsed().as_secs_f64() * 1000.0),
                    Err(status) => tally.errors.push(format!("{op:?}: {}", status.message())),
                }
            }
            (learner, tally)
        }));
    }
    tokio::time::sleep(window).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for task in tasks {
        let (learner, tally) = task.await.expect("a learner task");
        learners.push(learner);
        all.latencies.extend(tally.latencies);
        all.errors.extend(tally.errors);
    }
    (all, started.elapsed().as_secs_f64())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn main_async() {
    let window = Duration::from_secs(
        std::env::var("LENS_LOAD_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(60),
    );
    let llm = FakeLlm::start().await;
    llm.script(vec![
        Step::Text("Cycles feed back "),
        Step::Wait(Duration::from_millis(200)),
        Step::Text("into themselves."),
    ]);
    let env = vec![
        (
            "CONTENT_DIR".to_owned(),
            content_fixture().display().to_string(),
        ),
        ("LLM_BASE_URL".to_owned(), llm.url.clone()),
        ("ANTHROPIC_API_KEY".to_owned(), FAKE_LLM_KEY.to_owned()),
        ("CHAT_MESSAGES_PER_MINUTE".to_owned(), "100000".to_owned()),
        ("CHAT_DAILY_TOKEN_QUOTA".to_owned(), "1000000000".to_owned()),
        ("DEV_MODE".to_owned(), "1".to_owned()),
    ];
    let core = spawn_core(env);
    let web = spawn_web(&core);
    println!(
        "| concurrent learners | requests/s | p50 ms | p99 ms | errors | core RSS | edge RSS |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut learners = Vec::new();
    for concurrency in [8usize, 32, 128] {
        while learners.len() < concurrency {
            let name = format!("load{}", learners.len());
            learners.push(Learner::new(&core, &web, &name).await);
        }
        let (mut tally, seconds) = level(&mut learners, window, concurrency as u64).await;
        tally
            .latencies
            .sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        println!(
            "| {concurrency} | {:.0} | {:.2} | {:.2} | {} | {:.1} MiB | {:.1} MiB |",
            tally.latencies.len() as f64 / seconds,
            pct(&tally.latencies, 0.5),
            pct(&tally.latencies, 0.99),
            tally.errors.len(),
            core.rss_kib() as f64 / 1024.0,
            web.rss_kib() as f64 / 1024.0,
        );
        if let Some(first) = tally.errors.first() {
            eprintln!("first error at {concurrency}: {first}");
        }
    }
    let soak: u64 = std::env::var("LENS_SOAK_MINUTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if soak > 0 {
        println!();
        println!("| soak minute | requests/s | errors | core RSS | edge RSS |");
        println!("| --- | --- | --- | --- | --- |");
        for minute in 1..=soak {
            let (tally, seconds) = level(&mut learners, Duration::from_secs(60), minute).await;
            println!(
                "| {minute} | {:.0} | {} | {:.1} MiB | {:.1} MiB |",
                tally.latencies.len() as f64 / seconds,
                tally.errors.len(),
                core.rss_kib() as f64 / 1024.0,
                web.rss_kib() as f64 / 1024.0,
            );
        }
    }
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(main_async());
}
