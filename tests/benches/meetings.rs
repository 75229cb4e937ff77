//! Meetings and their notifications on PostgreSQL: committing a cohort of
//! 250 groups (1,000 meetings and their 3,000 reminder jobs, in the commit's
//! transaction), and emails sent per second through the delivery engine to
//! the fake SendGrid.
//!
//! `cargo bench -p lens-tests --bench meetings`

use std::time::Instant;

use chrono::NaiveDate;
use lens_runtime::{HttpUrl, Secret};
use lens_server::cohorts::Cohorts;
use lens_server::config::EmailConfig;
use lens_server::delivery::worker::Worker;
use lens_server::domain::{Email, UserId};
use lens_server::email::EmailJob;
use lens_server::email::mailer::Mailer;
use lens_server::email::sendgrid::SendGrid;
use lens_server::email::unsubscribe::UnsubscribeSigner;
use lens_server::store::{DiscordProfile, NewGroup, Store};
use lens_tests::TEST_JWT_SECRET;
use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::fakes::sendgrid::{FakeSendGrid, SENDGRID_KEY};

const GROUPS: usize = 250;
const LEARNERS: usize = 4;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let core = TestCore::start(CoreOptions {
        postgres: true,
        ..Default::default()
    })
    .await;
    let store = core.state.store.clone();
    let cohort = store
        .create_cohort(
            "Bench",
            "default",
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            4,
            60,
        )
        .await
        .unwrap();
    let mut groups = Vec::new();
    let mut people = Vec::new();
    for g in 0..GROUPS {
        let facilitator = person(&store, g * 10).await;
        let learners: Vec<UserId> = people_from(&store, g * 10 + 1, LEARNERS).await;
        people.push(facilitator);
        people.extend(&learners);
        groups.push(NewGroup {
            name: format!("Group {g:03}"),
            start_slot: 36,
            anchor: "Europe/London".into(),
            local_slot: 36,
            facilitator,
            learners,
        });
    }
    store
        .replace_preview_groups(cohort.id, &groups, &[])
        .await
        .unwrap();
    let started = Instant::now();
    let (committed, queued, _) = Cohorts::new(store.clone()).commit(cohort.id).await.unwrap();
    let commit = started.elapsed();
    let meetings = committed * 4;

    let sendgrid = FakeSendGrid::start().await;
    let config = EmailConfig {
        api_key: Secret::new(SENDGRID_KEY),
        from_email: Email::parse("from", "course@lens.example").unwrap(),
        from_name: "Lens".into(),
        api_base_url: HttpUrl::parse(&sendgrid.url).unwrap(),
    };
    let mailer = Mailer::new(
        store.clone(),
        core.state.content.clone(),
        SendGrid::new(reqwest::Client::new(), config),
        UnsubscribeSigner::new(&Secret::new(TEST_JWT_SECRET)),
        "https://lens.example",
    );
    let first: Vec<_> = {
        let mut all = Vec::new();
        for (_, group) in store.groups_of_member(people[0]).await.unwrap() {
            all.extend(store.meetings_of_group(group).await.unwrap());
        }
        all
    };
    let meeting = first[0].clone();
    for user in &people {
        let job = EmailJob::Reminder {
            user_id: *user,
            meeting_id: meeting.id,
            hours_before: 24,
        };
        store
            .enqueue_job(
                job.kind(),
                &job.payload(),
                &job.key(),
                lens_server::clock::now(),
            )
            .await
            .unwrap();
    }
    let at = meeting.starts_at - chrono::Duration::hours(24);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..4 {
        let worker = Worker::new(store.clone(), mailer.clone());
        workers.push(tokio::spawn(async move {
            while worker.run_once_at(at).await.unwrap() > 0 {}
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let mailing = started.elapsed();
    let sent = sendgrid.accepted().len();
    assert_eq!(sent, people.len(), "each once");

    println!("meetings on PostgreSQL, {GROUPS} groups:");
    println!(
        "  commit with meetings and reminders: {committed} groups, {meetings} meetings, {queued} jobs in {:.0} ms ({:.2} ms per 1,000 meetings' reminders derived)",
        commit.as_secs_f64() * 1000.0,
        commit.as_secs_f64() * 1000.0 * 1000.0 / meetings as f64
    );
    println!(
        "  reminder emails to the fake SendGrid, 4 workers: {sent} in {:.2} s, {:.0} per second",
        mailing.as_secs_f64(),
        sent as f64 / mailing.as_secs_f64()
    );
}

/// `count` people numbered from `from`.
async fn people_from(store: &Store, from: usize, count: usize) -> Vec<UserId> {
    let mut ids = Vec::new();
    for n in from..from + count {
        ids.push(person(store, n).await);
    }
    ids
}

/// Someone with an email address.
async fn person(store: &Store, n: usize) -> UserId {
    let user = store
        .upsert_discord_user(&DiscordProfile {
            discord_id: format!("{}", 300_000_000_000_000_000u64 + n as u64),
            username: format!("person{n}"),
            global_name: None,
            avatar_hash: None,
            email: Some(format!("person{n}@example.org")),
            email_verified: true,
        })
        .await
        .unwrap();
    user.id
}
