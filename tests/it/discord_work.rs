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
    a_sync_carries_the_group_as_it_should_look_in_discord,
    reported_ids_are_kept_and_the_next_sync_names_them,
    a_member_joining_while_the_bot_works_runs_the_sync_again,
    a_member_joining_the_server_gets_their_groups_and_nickname,
    a_profile_nickname_goes_to_discord_and_a_discord_nickname_comes_back,
    reports_with_ids_that_are_not_discords_are_refused,
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
                realized: None,
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
    // Two groups: a Discord sync each, and calendar and reminder jobs that
    // are not the bot's.
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let work = take(&world, 2).await;
    assert!(work.iter().all(|w| w.kind == "discord.sync_group"));
    assert!(work.iter().all(|w| w.attempt == 1));
    for item in &work {
        assert!(report(&world, item, v1::WorkOutcome::Done, 0).await);
    }
    let store = &world.core.state.store;
    let done = store.list_jobs(&[JobState::Done], 100).await.unwrap();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|j| j.kind.starts_with("discord.")));
    let waiting = store.list_jobs(&[JobState::Pending], 100).await.unwrap();
    assert!(
        waiting.iter().all(|j| !j.kind.starts_with("discord.")),
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

/// The group spec of a streamed job.
fn spec(work: &v1::TakeWorkResponse) -> &v1::GroupSpec {
    match &work.work {
        Some(v1::take_work_response::Work::Group(group)) => group,
        other => panic!("a group sync, not {other:?}"),
    }
}

/// Reports `work` done with `realized` ids.
async fn report_realized(
    world: &CohortWorld,
    work: &v1::TakeWorkResponse,
    realized: v1::GroupRealized,
) -> Result<bool, tonic::Status> {
    let token = world.core.edge_token(EdgeKind::Discord);
    bot(world)
        .await
        .report_work(authed(
            v1::ReportWorkRequest {
                job_id: work.job_id,
                attempt: work.attempt,
                outcome: v1::WorkOutcome::Done.into(),
                realized: Some(realized),
                ..Default::default()
            },
            &token,
        ))
        .await
        .map(|r| r.into_inner().kept)
}

fn ids() -> v1::GroupRealized {
    v1::GroupRealized {
        category_id: "900000000000000001".into(),
        general_channel_id: "900000000000000002".into(),
        text_channel_id: "900000000000000003".into(),
        voice_channel_id: "900000000000000004".into(),
        role_id: "900000000000000005".into(),
        welcome_posted_in: "900000000000000003".into(),
    }
}

async fn a_sync_carries_the_group_as_it_should_look_in_discord(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let work = take(&world, 1).await;
    let group = spec(&work[0]);
    let listed = world.list_groups().await.remove(0);
    let cohort = group.cohort.as_ref().unwrap();
    assert_eq!(cohort.category_name, "AI Safety Course - Spring 2027");
    assert_eq!(cohort.general_channel_name, "general");
    assert_eq!(group.name, listed.name);
    assert_eq!(
        group.text_channel_name,
        listed.name.to_lowercase().replace(' ', "-")
    );
    assert_eq!(
        group.role_name,
        format!("Cohort Spring 2027 - Group {}", listed.name)
    );
    assert_eq!(group.members.len(), 5, "the facilitator and four learners");
    assert!(group.members[0].facilitator);
    assert!(group.members[1..].iter().all(|m| !m.facilitator));
    assert!(
        group.text_channel_id.is_empty() && group.role_id.is_empty(),
        "nothing made yet"
    );
    let welcome = group.welcome.as_ref().unwrap();
    assert_eq!(welcome.meeting_time, listed.meeting_time);
    assert_eq!(welcome.meeting_count, 4, "the course's meetings");
    let first = welcome.first_meeting.as_ref().unwrap();
    let first = chrono::DateTime::from_timestamp(first.seconds, 0).unwrap();
    assert_eq!(
        first.date_naive().to_string(),
        "2027-03-01",
        "Monday of the first week"
    );
}

async fn reported_ids_are_kept_and_the_next_sync_names_them(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let work = take(&world, 1).await;
    assert!(report_realized(&world, &work[0], ids()).await.unwrap());
    let late = world.late_learner("late").await;
    world.join(&late, world.groups[0]).await.unwrap();
    let again = take(&world, 1).await;
    assert_eq!(
        again[0].job_id, work[0].job_id,
        "the group's one sync job, asked for again"
    );
    let group = spec(&again[0]);
    assert_eq!(group.text_channel_id, "900000000000000003");
    assert_eq!(group.voice_channel_id, "900000000000000004");
    assert_eq!(group.role_id, "900000000000000005");
    assert_eq!(group.welcome_posted_in, "900000000000000003");
    assert_eq!(
        group.cohort.as_ref().unwrap().category_id,
        "900000000000000001"
    );
    assert!(
        group
            .members
            .iter()
            .any(|m| m.discord_id == late.discord_id)
    );
}

async fn a_member_joining_while_the_bot_works_runs_the_sync_again(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let work = take(&world, 1).await;
    assert!(!spec(&work[0]).members.is_empty());
    // The bot is working from the spec it took; a learner joins meanwhile.
    let late = world.late_learner("late").await;
    world.join(&late, world.groups[0]).await.unwrap();
    assert!(report_realized(&world, &work[0], ids()).await.unwrap());
    let job = world
        .core
        .state
        .store
        .job(lens_server::domain::JobId(work[0].job_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.state, JobState::Pending, "not done: it runs once more");
    let again = take(&world, 1).await;
    assert!(
        spec(&again[0])
            .members
            .iter()
            .any(|m| m.discord_id == late.discord_id)
    );
}

async fn a_member_joining_the_server_gets_their_groups_and_nickname(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let work = take(&world, 1).await;
    assert!(report_realized(&world, &work[0], ids()).await.unwrap());
    let member = &spec(&work[0]).members[1];
    let token = world.core.edge_token(EdgeKind::Discord);
    let joined = |discord_id: String, has_nickname: bool| {
        let world = &world;
        let token = token.clone();
        async move {
            bot(world)
                .await
                .report_member_joined(authed(
                    v1::ReportMemberJoinedRequest {
                        discord_id,
                        has_nickname,
                    },
                    &token,
                ))
                .await
                .unwrap()
                .into_inner()
                .queued
        }
    };
    assert_eq!(
        joined("100000000000000099".into(), false).await,
        0,
        "a stranger"
    );
    // People in these worlds have no nickname: only the group's sync.
    assert_eq!(joined(member.discord_id.clone(), false).await, 1);
    let again = take(&world, 1).await;
    assert_eq!(again[0].kind, "discord.sync_group");
}

async fn a_profile_nickname_goes_to_discord_and_a_discord_nickname_comes_back(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let person = world.person("ada", Vec::new()).await;
    world
        .users()
        .await
        .update_profile(authed(
            v1::UpdateProfileRequest {
                nickname: Some("Ada L.".into()),
                ..Default::default()
            },
            &person.token,
        ))
        .await
        .unwrap();
    let work = take(&world, 1).await;
    assert_eq!(
        work[0].work,
        Some(v1::take_work_response::Work::Nickname(v1::NicknameSpec {
            discord_id: person.discord_id.clone(),
            nickname: "Ada L.".into(),
        }))
    );
    assert!(report(&world, &work[0], v1::WorkOutcome::Done, 0).await);

    let changed = |nickname: &'static str| nickname_changed(&world, &person.discord_id, nickname);
    assert!(changed("Countess").await);
    assert!(!changed("Countess").await, "already so");
    assert!(
        !changed("").await,
        "no nickname in Discord leaves the profile alone"
    );
    let profile = world
        .core
        .state
        .store
        .user_by_discord_id(&person.discord_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.nickname.as_deref(), Some("Countess"));
    let pending = world
        .core
        .state
        .store
        .list_jobs(&[JobState::Pending], 10)
        .await
        .unwrap();
    assert!(
        pending.is_empty(),
        "nothing echoed back to Discord: {pending:?}"
    );
}

async fn nickname_changed(world: &CohortWorld, discord_id: &str, nickname: &str) -> bool {
    let token = world.core.edge_token(EdgeKind::Discord);
    bot(world)
        .await
        .report_nickname_changed(authed(
            v1::ReportNicknameChangedRequest {
                discord_id: discord_id.to_owned(),
                nickname: nickname.to_owned(),
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner()
        .changed
}

async fn reports_with_ids_that_are_not_discords_are_refused(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let work = take(&world, 1).await;
    let status = report_realized(
        &world,
        &work[0],
        v1::GroupRealized {
            role_id: "role-7".into(),
            ..ids()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("realized.role_id"),
        "{}",
        status.message()
    );
    let job = world
        .core
        .state
        .store
        .job(lens_server::domain::JobId(work[0].job_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.state, JobState::Running, "nothing recorded");
}
