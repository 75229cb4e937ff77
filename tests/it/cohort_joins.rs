//! Late learners joining groups of a committed cohort, concurrently: a group
//! never goes over its size, and a learner is never active in two groups of
//! one cohort, whoever asks at the same moment.

use lens_tests::cohorts::CohortWorld;
use tonic::Code;

both_backends!(
    concurrent_joins_never_overfill_a_group,
    one_learner_joining_two_groups_at_once_ends_in_one
);

async fn concurrent_joins_never_overfill_a_group(postgres: bool) {
    // One facilitator and four learners: a group of five, room for three.
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let group = world.groups[0];
    let mut late = Vec::new();
    for i in 0..6 {
        late.push(world.late_learner(&format!("late{i}")).await);
    }
    let joins = late.iter().map(|person| world.join(person, group));
    let results = futures::future::join_all(joins).await;
    let joined = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(joined, 3, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(refused.code(), Code::FailedPrecondition);
        assert!(
            refused.message().contains("is full"),
            "{}",
            refused.message()
        );
    }
    let groups = world.list_groups().await;
    assert_eq!(
        groups[0].members.len(),
        8,
        "at most eight, facilitator included"
    );
}

async fn one_learner_joining_two_groups_at_once_ends_in_one(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let learner = world.late_learner("late").await;
    let (a, b) = (world.groups[0], world.groups[1]);
    let results = futures::future::join_all(
        (0..4).map(|i| world.join(&learner, if i % 2 == 0 { a } else { b })),
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let memberships = world
        .list_groups()
        .await
        .iter()
        .filter(|g| g.members.iter().any(|m| m.user_id == learner.id))
        .count();
    assert_eq!(memberships, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_people_signed_up_see_who_is_in_the_groups() {
    let world = CohortWorld::committed(false, 1, 4).await;
    let stranger = world
        .person("stranger", lens_tests::cohorts::evening(0, 19, 2))
        .await;
    let status = world
        .cohorts()
        .await
        .list_joinable_groups(lens_tests::core::authed(
            lens_proto::v1::ListJoinableGroupsRequest {
                cohort_id: world.cohort_id,
            },
            &stranger.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().starts_with("sign up for cohort"),
        "{}",
        status.message()
    );
}
