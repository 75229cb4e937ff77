//! Progress: heartbeat-capped time, completion, course overview — on both
//! backends, through the store and over the RPCs.

use chrono::{Duration, Utc};
use lens_proto::v1;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_proto::v1::progress_service_client::ProgressServiceClient;
use lens_server::config::DatabaseConfig;
use lens_server::domain::UserId;
use lens_server::store::{DiscordProfile, HEARTBEAT_CAP_SECONDS, Store};
use lens_tests::content_fixture;
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::db::{Backend, TestDatabase};
use tonic::Code;

both_backends!(
    store_credits_heartbeats_up_to_the_cap,
    rpcs_track_a_module_to_completion
);

async fn store_credits_heartbeats_up_to_the_cap(postgres: bool) {
    lens_tests::init();
    let db = TestDatabase::new(if postgres {
        Backend::Postgres
    } else {
        Backend::Sqlite
    })
    .await;
    let store = Store::connect(&DatabaseConfig::for_url(&db.url).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let user = store
        .upsert_discord_user(&DiscordProfile {
            discord_id: "5".into(),
            username: "u".into(),
            global_name: None,
            avatar_hash: None,
            email: None,
            email_verified: false,
        })
        .await
        .unwrap();
    let t0 = lens_server::clock::now() - Duration::hours(4);
    let first = store
        .record_heartbeat(user.id, "lens-1", "lens", t0)
        .await
        .unwrap();
    assert_eq!((first.time_spent_seconds, first.started_at), (0, t0));
    let second = store
        .record_heartbeat(user.id, "lens-1", "lens", t0 + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(second.time_spent_seconds, 30);
    // A tab left open for three hours counts one capped heartbeat.
    let idle = store
        .record_heartbeat(user.id, "lens-1", "lens", t0 + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(idle.time_spent_seconds, 30 + HEARTBEAT_CAP_SECONDS);
    // A late, out-of-order heartbeat credits nothing.
    let late = store
        .record_heartbeat(user.id, "lens-1", "lens", t0 + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(late.time_spent_seconds, 30 + HEARTBEAT_CAP_SECONDS);
    assert_eq!(late.started_at, t0);

    let done = store
        .mark_complete(user.id, "lens-1", "lens", t0 + Duration::hours(3))
        .await
        .unwrap();
    let again = store
        .mark_complete(user.id, "lens-1", "lens", Utc::now())
        .await
        .unwrap();
    assert_eq!(
        again.completed_at, done.completed_at,
        "the first completion is kept"
    );
    let fresh = store
        .mark_complete(user.id, "module-1", "module", t0)
        .await
        .unwrap();
    assert_eq!(fresh.time_spent_seconds, 0);
    assert_eq!(fresh.completed_at, Some(t0));
    let all = store.progress_of_user(user.id).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|r| r.content_id.as_str())
            .collect::<Vec<_>>(),
        ["lens-1", "module-1"]
    );
    assert!(
        store
            .progress_of_user(UserId(user.id.0 + 1))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn rpcs_track_a_module_to_completion(postgres: bool) {
    let core = TestCore::start(CoreOptions {
        postgres,
        dev_mode: true,
        env: vec![(
            "CONTENT_DIR".into(),
            content_fixture().display().to_string(),
        )],
        ..Default::default()
    })
    .await;
    let learner = core.dev_session("lena", false).await;
    let admin = core.dev_session("root", true).await;

    let mut content = ContentServiceClient::new(core.channel().await);
    let module = content
        .get_module(v1::GetModuleRequest {
            slug: "feedback-loops".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .module
        .unwrap();
    let lens_ids: Vec<String> = module
        .items
        .iter()
        .filter_map(|item| match &item.item {
            Some(v1::module_item::Item::LearningOutcome(lo)) => {
                Some(lo.outcome.clone().unwrap().lenses)
            }
            _ => None,
        })
        .flatten()
        .map(|lens| lens.lens.unwrap().id)
        .collect();
    assert_eq!(lens_ids.len(), 4);

    let mut progress = ProgressServiceClient::new(core.channel().await);
    let beat = progress
        .record_heartbeat(authed(
            v1::RecordHeartbeatRequest {
                content_id: lens_ids[0].clone(),
            },
            &learner.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .progress
        .unwrap();
    assert_eq!(beat.kind(), v1::ContentKind::Lens);
    assert!(beat.started_at.is_some() && beat.completed_at.is_none());

    let reader = progress.clone();
    let overview = |token: String, user_id: i64| {
        let mut progress = reader.clone();
        async move {
            progress
                .get_course_progress(authed(
                    v1::GetCourseProgressRequest {
                        course_slug: "default".into(),
                        user_id,
                    },
                    &token,
                ))
                .await
        }
    };
    let before = overview(learner.token.clone(), 0)
        .await
        .unwrap()
        .into_inner();
    let feedback = &before.units[1].modules[0];
    assert_eq!(feedback.slug, "feedback-loops");
    assert!(feedback.started && !feedback.completed);
    assert_eq!(
        (feedback.required_lenses_completed, feedback.required_lenses),
        (0, 4)
    );
    assert!(
        !before.units[0].modules[0].started,
        "the introduction was not opened"
    );

    for id in &lens_ids {
        let done = progress
            .mark_complete(authed(
                v1::MarkCompleteRequest {
                    content_id: id.clone(),
                },
                &learner.token,
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(done.progress.unwrap().completed_at.is_some());
    }
    let module_progress = |slug: &str| {
        let mut progress = reader.clone();
        let request = authed(
            v1::GetModuleProgressRequest {
                module_slug: slug.into(),
            },
            &learner.token,
        );
        async move { progress.get_module_progress(request).await }
    };
    let parts = module_progress("feedback-loops")
        .await
        .unwrap()
        .into_inner()
        .items;
    let completed: Vec<&str> = parts
        .iter()
        .filter(|p| p.completed_at.is_some())
        .map(|p| p.content_id.as_str())
        .collect();
    assert_eq!(
        completed.len(),
        4,
        "each lens reads as completed: {parts:?}"
    );
    assert!(lens_ids.iter().all(|id| completed.contains(&id.as_str())));
    let other = module_progress("introduction").await.unwrap().into_inner();
    assert!(other.items.is_empty(), "nothing of another module leaks in");
    let missing = module_progress("no-such-module").await.unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);

    let learner_id = learner.user.as_ref().unwrap().id;
    let after = overview(admin.token.clone(), learner_id)
        .await
        .unwrap()
        .into_inner();
    let feedback = &after.units[1].modules[0];
    assert!(feedback.completed);
    assert_eq!(feedback.required_lenses_completed, 4);

    let status = overview(learner.token.clone(), admin.user.as_ref().unwrap().id)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = progress
        .record_heartbeat(authed(
            v1::RecordHeartbeatRequest {
                content_id: "not-an-id".into(),
            },
            &learner.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(
        status.message(),
        "no module, learning outcome or lens has id \"not-an-id\""
    );
    let status = progress
        .record_heartbeat(v1::RecordHeartbeatRequest {
            content_id: lens_ids[0].clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::Unauthenticated,
        "anonymous readers are asked to sign in"
    );
}
