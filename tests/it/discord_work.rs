//! The discord edge takes Discord work from the core over a stream and
//! reports each outcome; the core records it like any job's.

use std::time::Duration;

use lens_proto::v1;
use lens_proto::v1::discord_work_service_client::DiscordWorkServiceClient;
use lens_server::auth::EdgeKind;
use lens_server::domain::JobState;
use lens_tests::cohorts::CohortWorld;
use lens_tests::core::authed;
use tonic::Code;

both_backends!(
    committed_groups_discord_work_streams_to_the_bot_and_its_reports_are_recorded,
    a_retry_with_discords_retry_after_waits_that_long,
);

async fn bot(world: &CohortWorld) -> DiscordWorkServiceClient<tonic::transport::Channel> {
    DiscordWorkServiceClient::new(world.core.channel().await)
}

/// The first `count` jobs the stream hands the bot.
async fn take(world: &CohortWorld, count: usize) -> Vec<v1::TakeWorkResponse> {
    let token = world.core.edge_token(EdgeKind::Discord);
    let mut stream = bot(world)
        .await
        .take_work(authed(v1::TakeWorkRequest { lease_seconds: 60 }, &token))
        .await
        .unwrap()
        .into_inner();
    let mut taken = Vec::new();
    while taken.len() < count {
        let next = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .expect("work within 10 s")
            .unwrap()
            .expect("the stream goes on");
        taken.push(next);
    }
    taken
}

async fn report(
    world: &CohortWorld,
    work: &v1::TakeWorkResponse,
    outcome: v1::WorkOutcome,
    retry_after_ms: u32,
) -> bool {
    let token = world.core.edge_token(EdgeKind::Discord);
    bot(world)
        .await
        .report_work(authed(
            v1::ReportWorkRequest {
                job_id: work.job_id,
                attempt: work.attempt,
                outcome: outcome.into(),
                error: "Discord answered 429".into(),
                retry_after_ms,
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner()
        .kept
}

async fn committed_groups_discord_work_streams_to_the_bot_and_its_reports_are_recorded(
    postgres: bool,
) {
    // Two groups: a channel and a welcome each for Discord, and a calendar
    // event each that is not the bot's.
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let work = take(&world, 4).await;
    let mut kinds: Vec<&str> = work.iter().map(|w| w.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "discord.create_group_channel",
            "discord.create_group_channel",
            "discord.send_welcome",
            "discord.send_welcome"
        ]
    );
    assert!(work.iter().all(|w| w.attempt == 1));
    for item in &work {
        assert!(report(&world, item, v1::WorkOutcome::Done, 0).await);
    }
    let store = &world.core.state.store;
    let done = store.list_jobs(&[JobState::Done], 100).await.unwrap();
    assert_eq!(done.len(), 4);
    assert!(done.iter().all(|j| j.kind.starts_with("discord.")));
    let waiting = store.list_jobs(&[JobState::Pending], 100).await.unwrap();
    assert!(
        waiting.iter().all(|j| j.kind.starts_with("calendar.")),
        "{waiting:?}"
    );

    let user = world.late_learner("late").await;
    let status = bot(&world)
        .await
        .take_work(authed(v1::TakeWorkRequest::default(), &user.token))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "only the discord edge"
    );
}

async fn a_retry_with_discords_retry_after_waits_that_long(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let work = take(&world, 1).await;
    let before = lens_server::clock::now();
    assert!(report(&world, &work[0], v1::WorkOutcome::Retry, 90_000).await);
    let job = world
        .core
        .state
        .store
        .job(lens_server::domain::JobId(work[0].job_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.state, JobState::Pending);
    assert_eq!(job.last_error.as_deref(), Some("Discord answered 429"));
    let wait = job.run_at - before;
    assert!(
        wait >= chrono::Duration::seconds(89) && wait <= chrono::Duration::seconds(91),
        "{wait}"
    );
    assert!(
        !report(&world, &work[0], v1::WorkOutcome::Done, 0).await,
        "the attempt already reported holds the job no more"
    );
}
