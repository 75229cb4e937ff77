//! Realizing a 100-group cohort in Discord: the real core (PostgreSQL) and
//! the real bot against the fake Discord, which counts every call. Prints
//! the time from commit to the first group's channel and to the last group
//! realized, and the calls of the first run and of a second run over the
//! same groups (which should only read).
//!
//! `cargo bench -p lens-tests --bench discord`

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use lens_server::domain::{DISCORD_KIND_PREFIX, DiscordJob, JobState, UserId};
use lens_server::store::{DiscordProfile, NewGroup, Store};
use lens_tests::bot::RunningBot;
use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::fakes::discord::FakeDiscord;

const GROUPS: usize = 100;
const LEARNERS_PER_GROUP: usize = 5;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let core = TestCore::start(CoreOptions {
        postgres: true,
        ..Default::default()
    })
    .await;
    let discord = FakeDiscord::start().await;
    let store = core.state.store.clone();
    let cohort = store
        .create_cohort(
            "Bench",
            "default",
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            8,
            60,
        )
        .await
        .unwrap();
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let facilitator = person(&store, &discord, g * 10).await;
        let mut learners = Vec::new();
        for l in 0..LEARNERS_PER_GROUP {
            learners.push(person(&store, &discord, g * 10 + 1 + l).await);
        }
        groups.push(NewGroup {
            name: format!("Group {g:03}"),
            start_slot: 36,
            anchor: "UTC".into(),
            local_slot: 36,
            facilitator,
            learners,
        });
    }
    store
        .replace_preview_groups(cohort.id, &groups, &[])
        .await
        .unwrap();
    let _bot = RunningBot::start(&discord, &core, 300).await;
    let calls_before = discord.guild(|g| g.calls.len());

    let started = Instant::now();
    lens_server::cohorts::Cohorts::new(store.clone())
        .commit(cohort.id)
        .await
        .unwrap();
    let first_channel =
        wait(|| async { discord.guild(|g| g.channels.iter().any(|c| c.kind == 2)) }).await;
    let first_channel = first_channel.then(|| started.elapsed());
    let all_done = wait(|| async { discord_work_left(&store).await == 0 }).await;
    let all = started.elapsed();
    assert!(all_done, "the cohort was realized");
    let (reads1, writes1) = count(&discord, calls_before);

    // The second run: every group synced again, nothing to change.
    let second_from = discord.guild(|g| g.calls.len());
    let started = Instant::now();
    let (stored, _) = store.groups_of_cohort(cohort.id).await.unwrap();
    for group in stored {
        let job = DiscordJob::SyncGroup(group.id);
        store
            .enqueue_job(
                job.kind(),
                &job.payload(),
                &format!("bench:again:{}", group.id),
                lens_server::clock::now(),
            )
            .await
            .unwrap();
    }
    wait(|| async { discord_work_left(&store).await == 0 }).await;
    let second = started.elapsed();
    let (reads2, writes2) = count(&discord, second_from);

    println!(
        "realizing a {GROUPS}-group cohort ({} members) in the fake Discord, core on PostgreSQL:",
        GROUPS * (1 + LEARNERS_PER_GROUP)
    );
    println!(
        "  commit to the first group's channels: {:.0} ms",
        first_channel.unwrap_or_default().as_secs_f64() * 1000.0
    );
    println!(
        "  commit to all {GROUPS} groups realized: {:.1} s",
        all.as_secs_f64()
    );
    println!(
        "  first run: {} Discord calls ({reads1} reads, {writes1} changes), {:.1} per group",
        reads1 + writes1,
        (reads1 + writes1) as f64 / GROUPS as f64
    );
    println!(
        "  second run: {} Discord calls ({reads2} reads, {writes2} changes) in {:.1} s",
        reads2 + writes2,
        second.as_secs_f64()
    );
}

/// A person in Lens and in the server.
async fn person(store: &Store, discord: &FakeDiscord, n: usize) -> UserId {
    let discord_id = format!("{}", 300_000_000_000_000_000u64 + n as u64);
    let user = store
        .upsert_discord_user(&DiscordProfile {
            discord_id: discord_id.clone(),
            username: format!("person{n}"),
            global_name: None,
            avatar_hash: None,
            email: None,
            email_verified: false,
        })
        .await
        .unwrap();
    discord.add_member(&discord_id, None);
    user.id
}

async fn discord_work_left(store: &Store) -> usize {
    store
        .list_jobs(&[JobState::Pending, JobState::Running], 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|j| j.kind.starts_with(DISCORD_KIND_PREFIX))
        .count()
}

/// (reads, changes) since call `from`.
fn count(discord: &FakeDiscord, from: usize) -> (usize, usize) {
    discord.guild(|g| {
        let calls = &g.calls[from..];
        let reads = calls.iter().filter(|c| c.starts_with("GET ")).count();
        (reads, calls.len() - reads)
    })
}

/// Waits up to 10 minutes for `check`; whether it held.
async fn wait<F, Fut>(check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..60_000 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
