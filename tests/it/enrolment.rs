//! Enrolment as a person does it: the cohort list shows their own sign-up,
//! a sign-up can be taken back until groups are committed (never half-way
//! through a commit), and a late learner switches groups in one step.

use lens_proto::v1;
use lens_tests::cohorts::{CohortWorld, monday};
use tonic::Code;

both_backends!(
    the_cohort_list_shows_each_persons_own_sign_up,
    a_learner_withdraws_before_groups_are_committed,
    withdrawing_after_the_commit_points_to_leaving_the_group,
    withdrawing_without_a_sign_up_is_refused,
    a_withdrawal_racing_the_commit_leaves_no_one_half_in,
    a_late_learner_switches_groups_in_one_step,
    an_admin_sees_each_sign_up_in_utc_as_matching_does,
);

async fn the_cohort_list_shows_each_persons_own_sign_up(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let learner = world.learner("ada", monday()).await;
    let facilitator = world.facilitator("grace", monday()).await;

    let seen = world.list_cohorts(Some(&learner)).await;
    assert_eq!(seen.cohorts[0].my_role(), v1::SignupRole::Learner);
    assert_eq!(seen.cohorts[0].meeting_minutes, 60);
    assert!(!seen.can_facilitate);

    let seen = world.list_cohorts(Some(&facilitator)).await;
    assert_eq!(seen.cohorts[0].my_role(), v1::SignupRole::Facilitator);
    assert!(seen.can_facilitate);

    let guest = world.list_cohorts(None).await;
    assert_eq!(guest.cohorts[0].my_role(), v1::SignupRole::Unspecified);
    assert_eq!(guest.cohorts[0].signup_count, 2);
}

async fn a_learner_withdraws_before_groups_are_committed(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 1, 4).await;
    let ada = world.learner("ada", monday()).await;
    world.propose().await.expect("proposed again, with ada");
    assert!(in_any_group(&world, ada.id).await);

    world.withdraw(&ada).await.expect("withdrawn");

    let seen = world.list_cohorts(Some(&ada)).await;
    assert_eq!(seen.cohorts[0].my_role(), v1::SignupRole::Unspecified);
    assert_eq!(seen.cohorts[0].signup_count, 5);
    assert!(
        !in_any_group(&world, ada.id).await,
        "withdrawn, so out of the proposed group too"
    );
}

async fn withdrawing_after_the_commit_points_to_leaving_the_group(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 1, 4).await;
    let ada = world.learner("ada", monday()).await;
    world.commit().await.expect("committed");
    let refused = world.withdraw(&ada).await.unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(
        refused.message().contains("LeaveGroup"),
        "{}",
        refused.message()
    );
    let seen = world.list_cohorts(Some(&ada)).await;
    assert_eq!(
        seen.cohorts[0].my_role(),
        v1::SignupRole::Learner,
        "still signed up"
    );
}

async fn withdrawing_without_a_sign_up_is_refused(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let stranger = world.person("stranger", monday()).await;
    let refused = world.withdraw(&stranger).await.unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(
        refused.message().contains("not signed up"),
        "{}",
        refused.message()
    );
}

async fn a_withdrawal_racing_the_commit_leaves_no_one_half_in(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 1, 6).await;
    let ada = world.learner("ada", monday()).await;
    world.propose().await.expect("proposed again, with ada");

    let (withdrawn, committed) = tokio::join!(world.withdraw(&ada), world.commit());
    committed.expect("committed");
    let signed_up = world.list_cohorts(Some(&ada)).await.cohorts[0].my_role();
    let grouped = in_any_group(&world, ada.id).await;
    match withdrawn {
        // Withdrawn first: out of the cohort and of every group.
        Ok(()) => {
            assert_eq!(signed_up, v1::SignupRole::Unspecified);
            assert!(!grouped, "withdrawn but committed into a group");
        }
        // Committed first: refused, and still where the commit put them.
        Err(refused) => {
            assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
            assert_eq!(signed_up, v1::SignupRole::Learner);
            assert!(grouped, "refused yet left out of their group");
        }
    }
}

async fn a_late_learner_switches_groups_in_one_step(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let (a, b) = (world.groups[0], world.groups[1]);
    let late = world.late_learner("late").await;
    world.join(&late, a).await.expect("joined");

    let offered: Vec<i64> = world.joinable(&late).await.iter().map(|g| g.id).collect();
    assert_eq!(offered, vec![b], "their own group is not offered");
    let refused = world.join(&late, b).await.unwrap_err();
    assert!(
        refused.message().contains("switch_group"),
        "{}",
        refused.message()
    );

    let group = world.switch(&late, b).await.expect("switched");
    assert_eq!(group.id, b);
    let groups = world.list_groups().await;
    let holding: Vec<i64> = groups
        .iter()
        .filter(|g| g.members.iter().any(|m| m.user_id == late.id))
        .map(|g| g.id)
        .collect();
    assert_eq!(holding, vec![b]);
}

async fn an_admin_sees_each_sign_up_in_utc_as_matching_does(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    // Monday 19:00–21:00 in Berlin: 18:00–20:00 UTC in winter.
    let ada = world.learner("ada", monday()).await;
    let quiet = world.person("quiet", Vec::new()).await;
    world
        .sign_up(&quiet, v1::SignupRole::Learner)
        .await
        .expect("signed up without times");
    let request = || v1::ListSignupsRequest {
        cohort_id: world.cohort_id,
    };
    let signups = world
        .cohorts()
        .await
        .list_signups(lens_tests::core::authed(request(), &world.admin.token))
        .await
        .expect("listed")
        .into_inner()
        .signups;
    let of = |id: i64| signups.iter().find(|s| s.user_id == id).unwrap();
    let ada_slots = &of(ada.id).available_utc_slots;
    assert!(ada_slots.contains(&36), "Monday 18:00 UTC: {ada_slots:?}");
    assert!(
        ada_slots.iter().all(|s| (34..40).contains(s)),
        "{ada_slots:?}"
    );
    assert_eq!(of(ada.id).role(), v1::SignupRole::Learner);
    assert!(of(quiet.id).available_utc_slots.is_empty());

    let refused = world
        .cohorts()
        .await
        .list_signups(lens_tests::core::authed(request(), &ada.token))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
}

async fn in_any_group(world: &CohortWorld, user_id: i64) -> bool {
    world
        .list_groups()
        .await
        .iter()
        .any(|g| g.members.iter().any(|m| m.user_id == user_id))
}
