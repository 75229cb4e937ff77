//! The delivery engine's throughput on PostgreSQL: jobs claimed and
//! completed per second by two core replicas (two connection pools on one
//! database) each running four workers, with a handler that does nothing,
//! so the figure is the engine's own cost.
//!
//! `cargo bench -p lens-tests --bench delivery`

use std::time::{Duration, Instant};

use lens_server::config::DatabaseConfig;
use lens_server::delivery::Outcome;
use lens_server::delivery::worker::{Handler, Worker};
use lens_server::domain::JobState;
use lens_server::store::{JobRecord, Store};
use lens_tests::core::{CoreOptions, TestCore};

/// A handler that delivers at once.
struct Nothing;

impl Handler for Nothing {
    fn kinds(&self) -> &'static str {
        "bench."
    }

    async fn deliver(&self, _job: &JobRecord, _now: chrono::DateTime<chrono::Utc>) -> Outcome {
        Outcome::Done
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let core = TestCore::start(CoreOptions {
        postgres: true,
        ..Default::default()
    })
    .await;
    let jobs = 5000;
    let store = core.state.store.clone();
    let started = Instant::now();
    for i in 0..jobs {
        store
            .enqueue_job(
                "bench.effect",
                "{}",
                &format!("bench:{i}"),
                lens_server::clock::now(),
            )
            .await
            .unwrap();
    }
    let enqueue_secs = started.elapsed().as_secs_f64();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let config = DatabaseConfig::for_url(&core.database_url).unwrap();
        replicas.push(Store::connect(&config).await.unwrap());
    }
    let started = Instant::now();
    let mut workers = Vec::new();
    for replica in &replicas {
        for _ in 0..4 {
            let mut worker = Worker::new(replica.clone(), Nothing);
            worker.batch = 20;
            workers.push(tokio::spawn(async move {
                let mut delivered = 0;
                loop {
                    match worker.run_once().await.unwrap() {
                        0 => return delivered,
                        n => delivered += n,
                    }
                }
            }));
        }
    }
    let mut delivered = 0;
    for worker in workers {
        delivered += worker.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let done = store
        .list_jobs(&[JobState::Done], 10_000)
        .await
        .unwrap()
        .len();
    assert_eq!(
        (delivered, done),
        (jobs, jobs),
        "each job delivered exactly once"
    );
    println!("| what | figure |");
    println!("| --- | --- |");
    println!(
        "| enqueue, one at a time | {:.0} jobs/s ({jobs} jobs) |",
        jobs as f64 / enqueue_secs
    );
    println!(
        "| claim + deliver + record, 2 replicas × 4 workers, batches of 20 | {:.0} jobs/s ({jobs} jobs, each once) |",
        jobs as f64 / secs
    );
    tokio::time::sleep(Duration::from_millis(10)).await;
}
