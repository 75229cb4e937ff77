//! The delivery engine on both backends: jobs queued with the change that
//! causes them, claimed once however many workers ask, retried with
//! backoff or when the third party says, failed after the last attempt,
//! and looked after by admins over gRPC.

use std::collections::HashSet;
use std::time::Duration;

use lens_proto::v1;
use lens_proto::v1::delivery_service_client::DeliveryServiceClient;
use lens_server::delivery::worker::{Handler, Worker};
use lens_server::delivery::{MAX_ATTEMPTS, Outcome};
use lens_server::domain::JobState;
use lens_server::store::{JobRecord, Store};
use lens_tests::cohorts::CohortWorld;
use lens_tests::core::authed;
use tonic::Code;

both_backends!(
    committed_groups_queue_jobs_that_admins_can_list,
    concurrent_claimers_never_take_the_same_job,
    a_job_failing_every_time_is_failed_after_its_last_attempt_and_can_be_retried,
    a_third_partys_retry_after_is_waited_out,
    a_job_whose_lease_ran_out_is_taken_again_and_the_late_outcome_is_ignored,
    a_job_scheduled_for_later_waits_until_then,
    only_pending_or_failed_jobs_are_cancelled,
);

/// A handler for `test.` jobs that answers every attempt the same way.
struct Always(Outcome);

impl Handler for Always {
    fn kinds(&self) -> &'static str {
        "test."
    }

    async fn deliver(&self, _job: &JobRecord, _now: chrono::DateTime<chrono::Utc>) -> Outcome {
        self.0.clone()
    }
}

fn retry(after: Option<Duration>) -> Outcome {
    Outcome::Retry {
        error: "Discord answered 503".into(),
        retry_after: after,
    }
}

async fn queue(store: &Store, key: &str) {
    assert!(
        store
            .enqueue_job("test.effect", "{}", key, lens_server::clock::now())
            .await
            .unwrap()
    );
}

/// A core with one `test.effect` job queued, due now.
async fn one_job_queued(postgres: bool) -> (CohortWorld, Store) {
    let world = CohortWorld::empty(postgres).await;
    let store = world.core.state.store.clone();
    queue(&store, "effect").await;
    (world, store)
}

async fn only_job(store: &Store) -> JobRecord {
    let jobs = store.list_jobs(&[], 10).await.unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    jobs.into_iter().next().unwrap()
}

async fn admin_client(world: &CohortWorld) -> DeliveryServiceClient<tonic::transport::Channel> {
    DeliveryServiceClient::new(world.core.channel().await)
}

async fn committed_groups_queue_jobs_that_admins_can_list(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let listed = admin_client(&world)
        .await
        .list_jobs(authed(
            v1::ListJobsRequest {
                states: vec![v1::JobState::Pending.into()],
                limit: 0,
            },
            &world.admin.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .jobs;
    assert_eq!(
        listed.len(),
        28,
        "per group a Discord sync, a calendar event, three reminders for each of four meetings"
    );
    assert!(
        listed
            .iter()
            .all(|j| j.state() == v1::JobState::Pending && j.attempts == 0)
    );
    let learner = world.late_learner("late").await;
    let status = admin_client(&world)
        .await
        .list_jobs(authed(v1::ListJobsRequest::default(), &learner.token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
}

async fn concurrent_claimers_never_take_the_same_job(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let store = world.core.state.store.clone();
    for i in 0..120 {
        queue(&store, &format!("effect:{i}")).await;
    }
    let claimer = |store: Store| async move {
        let mut mine = Vec::new();
        loop {
            let batch = store
                .claim_jobs("test.", 5, Duration::from_secs(60))
                .await
                .unwrap();
            if batch.is_empty() {
                return mine;
            }
            mine.extend(batch.into_iter().map(|j| j.id));
        }
    };
    let claimed: Vec<Vec<_>> =
        futures::future::join_all((0..4).map(|_| claimer(store.clone()))).await;
    let all: Vec<_> = claimed.iter().flatten().copied().collect();
    let distinct: HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), 120, "every job claimed");
    assert_eq!(distinct.len(), 120, "none claimed twice");
}

async fn a_job_failing_every_time_is_failed_after_its_last_attempt_and_can_be_retried(
    postgres: bool,
) {
    let (world, store) = one_job_queued(postgres).await;
    // A retry_after of zero makes each next attempt due at once.
    let worker = Worker::new(store.clone(), Always(retry(Some(Duration::ZERO))));
    for _ in 0..MAX_ATTEMPTS {
        assert_eq!(worker.run_once().await.unwrap(), 1);
    }
    assert_eq!(worker.run_once().await.unwrap(), 0, "nothing left to try");
    let job = only_job(&store).await;
    assert_eq!((job.state, job.attempts), (JobState::Failed, MAX_ATTEMPTS));
    assert_eq!(job.last_error.as_deref(), Some("Discord answered 503"));

    let retried = admin_client(&world)
        .await
        .retry_job(authed(
            v1::RetryJobRequest { job_id: job.id.0 },
            &world.admin.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(
        (retried.state(), retried.attempts),
        (v1::JobState::Pending, 0)
    );
    assert_eq!(
        retried.last_error, "Discord answered 503",
        "kept for the record"
    );
    let done = Worker::new(store.clone(), Always(Outcome::Done));
    assert_eq!(done.run_once().await.unwrap(), 1);
    assert_eq!(only_job(&store).await.state, JobState::Done);
}

async fn a_third_partys_retry_after_is_waited_out(postgres: bool) {
    let (_world, store) = one_job_queued(postgres).await;
    let worker = Worker::new(
        store.clone(),
        Always(retry(Some(Duration::from_secs(3600)))),
    );
    let before = lens_server::clock::now();
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 0, "not due for an hour");
    let job = only_job(&store).await;
    assert_eq!(job.state, JobState::Pending);
    let wait = job.run_at - before;
    assert!(
        wait >= chrono::Duration::seconds(3599) && wait <= chrono::Duration::seconds(3601),
        "{wait}"
    );
}

async fn a_job_whose_lease_ran_out_is_taken_again_and_the_late_outcome_is_ignored(postgres: bool) {
    let (_world, store) = one_job_queued(postgres).await;
    let first = store.claim_jobs("test.", 1, Duration::ZERO).await.unwrap();
    assert_eq!(first.len(), 1);
    tokio::time::sleep(Duration::from_millis(20)).await;
    // The first worker is presumed dead: its lease is over.
    let second = store
        .claim_jobs("test.", 1, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!((second[0].id, second[0].attempts), (first[0].id, 2));
    let late = store
        .finish_attempt(first[0].id, 1, JobState::Done, None, None)
        .await
        .unwrap();
    assert!(!late, "the first worker's outcome comes too late");
    assert_eq!(only_job(&store).await.state, JobState::Running);
    assert!(
        store
            .finish_attempt(second[0].id, 2, JobState::Done, None, None)
            .await
            .unwrap()
    );
    assert_eq!(only_job(&store).await.state, JobState::Done);
}

async fn a_job_scheduled_for_later_waits_until_then(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let store = world.core.state.store.clone();
    let later = lens_server::clock::now() + chrono::Duration::hours(1);
    store
        .enqueue_job("test.reminder", "{}", "reminder", later)
        .await
        .unwrap();
    assert!(
        !store
            .enqueue_job("test.reminder", "{}", "reminder", later)
            .await
            .unwrap(),
        "the same effect is queued once"
    );
    let worker = Worker::new(store.clone(), Always(Outcome::Done));
    assert_eq!(worker.run_once().await.unwrap(), 0);
    assert_eq!(only_job(&store).await.state, JobState::Pending);
}

async fn only_pending_or_failed_jobs_are_cancelled(postgres: bool) {
    let (world, store) = one_job_queued(postgres).await;
    let id = only_job(&store).await.id.0;
    let mut admin = admin_client(&world).await;
    let cancelled = admin
        .cancel_job(authed(
            v1::CancelJobRequest { job_id: id },
            &world.admin.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .job
        .unwrap();
    assert_eq!(cancelled.state(), v1::JobState::Cancelled);
    let worker = Worker::new(store.clone(), Always(Outcome::Done));
    assert_eq!(
        worker.run_once().await.unwrap(),
        0,
        "a cancelled job is not run"
    );
    let again = admin
        .cancel_job(authed(
            v1::CancelJobRequest { job_id: id },
            &world.admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition);
    assert!(
        again.message().contains("is cancelled"),
        "{}",
        again.message()
    );
    let missing = admin
        .cancel_job(authed(
            v1::CancelJobRequest { job_id: 999 },
            &world.admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        (missing.code(), missing.message()),
        (Code::NotFound, "no job with id 999")
    );
}
