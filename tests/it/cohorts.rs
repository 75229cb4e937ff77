//! Cohorts over gRPC, on both backends, one behaviour per test: creating a
//! cohort, availability, sign-ups, a proposal with reasons, admin moves,
//! commit with its queued work, late joins, the facilitator's view of
//! progress, and the errors on the way.

use lens_proto::v1;
use lens_proto::v1::progress_service_client::ProgressServiceClient;
use lens_tests::cohorts::{CohortWorld, Person, evening, monday, spring_cohort, tuesday};
use lens_tests::core::authed;
use tonic::{Code, Status};

both_backends!(
    a_committed_groups_setup_is_listed_part_by_part,
    a_cohort_takes_its_meetings_and_length_from_the_course,
    a_start_date_must_be_written_as_iso,
    a_cohort_needs_a_known_course,
    a_cohort_cannot_be_shorter_than_its_meetings,
    availability_outside_the_week_is_refused,
    availability_is_read_back_as_given,
    only_people_made_facilitators_sign_up_as_one,
    a_sign_up_says_whether_availability_is_given,
    a_proposal_balances_groups_at_a_shared_time,
    a_proposal_says_why_each_unplaced_learner_was_left_out,
    proposing_again_replaces_the_preview,
    an_admin_moves_a_learner_between_groups,
    moving_a_learner_into_a_time_they_cannot_make_is_allowed_with_a_warning,
    facilitators_are_not_moved_as_learners,
    committing_activates_the_groups_and_queues_their_setup,
    a_committed_cohort_takes_no_new_proposal_commit_or_facilitator,
    only_admins_propose_groups,
    proposing_for_an_unknown_cohort_is_not_found,
    a_late_learner_sees_groups_with_room_smallest_first,
    a_late_learner_joins_a_group_and_its_setup_is_queued,
    a_learner_cannot_join_a_second_group,
    someone_who_cannot_make_the_time_has_nothing_to_join,
    a_facilitator_sees_which_members_have_started,
    learners_do_not_see_their_groups_progress,
    progress_of_an_unknown_group_is_not_found,
    a_facilitator_busy_in_another_cohort_is_not_used_again,
    a_group_across_the_clock_change_keeps_its_local_time,
    a_late_joiner_must_make_an_anchored_time_in_every_week,
    a_proposal_says_whether_it_is_proven_optimal,
);

fn assert_refused(result: Result<impl std::fmt::Debug, Status>, code: Code, says: &str) {
    let status = result.expect_err("refused");
    assert_eq!(status.code(), code, "{}", status.message());
    assert!(status.message().contains(says), "{}", status.message());
}

/// Two facilitators, eight Monday learners, one learner without
/// availability ("silent") and one free only on Tuesdays ("tuesday").
async fn a_mixed_sign_up(postgres: bool) -> CohortWorld {
    let world = CohortWorld::planned(postgres).await;
    world.facilitator("fac-a", monday()).await;
    world.facilitator("fac-b", monday()).await;
    world.learner("silent", vec![]).await;
    world.learner("tuesday", tuesday()).await;
    for i in 0..8 {
        world.learner(&format!("learner{i}"), monday()).await;
    }
    world
}

async fn a_cohort_takes_its_meetings_and_length_from_the_course(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let cohort = world.create_cohort(spring_cohort()).await.unwrap();
    assert_eq!(cohort.meeting_count, 4, "the course's four meetings");
    assert_eq!(cohort.duration_days, 28, "one week per meeting");
    assert_eq!(cohort.status(), v1::CohortStatus::Planned);
}

async fn a_start_date_must_be_written_as_iso(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let status = world
        .create_cohort(v1::CreateCohortRequest {
            start_date: "03/01/2027".into(),
            ..spring_cohort()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "invalid start_date: \"03/01/2027\" is not a date like 2027-03-01"
    );
}

async fn a_cohort_needs_a_known_course(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let created = world
        .create_cohort(v1::CreateCohortRequest {
            course_slug: "nope".into(),
            ..spring_cohort()
        })
        .await;
    assert_refused(created, Code::NotFound, "nope");
}

async fn a_cohort_cannot_be_shorter_than_its_meetings(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let created = world
        .create_cohort(v1::CreateCohortRequest {
            duration_days: 10,
            ..spring_cohort()
        })
        .await;
    assert_refused(created, Code::InvalidArgument, "shorter than the 22 days");
}

async fn availability_outside_the_week_is_refused(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let person = world.person("silent", vec![]).await;
    let status = world
        .set_availability(&person, vec![400])
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status
            .message()
            .starts_with("invalid availability.available_slots: slot 400 is outside the week"),
        "{}",
        status.message()
    );
}

async fn availability_is_read_back_as_given(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let person = world.person("learner", monday()).await;
    let stored = world
        .users()
        .await
        .get_availability(authed(v1::GetAvailabilityRequest {}, &person.token))
        .await
        .unwrap()
        .into_inner()
        .availability
        .unwrap();
    assert_eq!(stored.available_slots, monday());
    assert_eq!(stored.timezone, "Europe/Berlin");
}

async fn only_people_made_facilitators_sign_up_as_one(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let person = world.person("fac", monday()).await;
    assert_refused(
        world.sign_up(&person, v1::SignupRole::Facilitator).await,
        Code::PermissionDenied,
        "",
    );
    world.make_facilitator(&person).await;
    world
        .sign_up(&person, v1::SignupRole::Facilitator)
        .await
        .expect("a facilitator now");
}

async fn a_sign_up_says_whether_availability_is_given(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let silent = world.person("silent", vec![]).await;
    let free = world.person("free", monday()).await;
    for (person, has_availability) in [(&silent, false), (&free, true)] {
        let answer = world.sign_up(person, v1::SignupRole::Learner).await;
        assert_eq!(answer.unwrap().has_availability, has_availability);
    }
}

async fn a_proposal_balances_groups_at_a_shared_time(postgres: bool) {
    let world = a_mixed_sign_up(postgres).await;
    let proposal = world.propose().await.unwrap();
    assert_eq!((proposal.placed, proposal.learners), (8, 10));
    assert_eq!(proposal.groups.len(), 2);
    assert_eq!(proposal.groups[0].name, "Turing");
    for group in &proposal.groups {
        // 19:00–21:00 in Berlin is 18:00–20:00 UTC in March.
        assert!(
            ["Mon 18:00 UTC", "Mon 18:30 UTC", "Mon 19:00 UTC"]
                .contains(&group.meeting_time.as_str()),
            "{}",
            group.meeting_time
        );
        assert_eq!(group.status(), v1::GroupStatus::Preview);
        assert_eq!(group.members[0].role(), v1::SignupRole::Facilitator);
        assert_eq!(group.members.len(), 5, "4 learners + facilitator each");
    }
}

async fn a_proposal_says_why_each_unplaced_learner_was_left_out(postgres: bool) {
    let world = a_mixed_sign_up(postgres).await;
    let proposal = world.propose().await.unwrap();
    let mut reasons: Vec<(&str, &str)> = proposal
        .unplaced
        .iter()
        .map(|u| (u.name.as_str(), u.reason.as_str()))
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        vec![
            ("silent", "no_availability"),
            ("tuesday", "no_facilitator_overlap"),
        ]
    );
}

async fn proposing_again_replaces_the_preview(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 2, 8).await;
    world.propose().await.unwrap();
    assert_eq!(world.list_groups().await.len(), 2);
}

async fn an_admin_moves_a_learner_between_groups(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 2, 8).await;
    let groups = world.list_groups().await;
    let mover = groups[0].members[1].user_id;
    let moved = world.move_member(mover, groups[1].id).await.unwrap();
    assert!(moved.warnings.is_empty(), "{:?}", moved.warnings);
    let sizes: Vec<usize> = world
        .list_groups()
        .await
        .iter()
        .map(|g| g.members.len())
        .collect();
    assert_eq!(sizes, vec![4, 6]);
}

async fn moving_a_learner_into_a_time_they_cannot_make_is_allowed_with_a_warning(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 2, 8).await;
    let tuesday = world.learner("tuesday", tuesday()).await;
    let moved = world
        .move_member(tuesday.id, world.groups[0])
        .await
        .unwrap();
    assert_eq!(moved.warnings.len(), 1);
    assert!(
        moved.warnings[0].contains("cannot make"),
        "{:?}",
        moved.warnings
    );
    assert_eq!(world.list_groups().await[0].members.len(), 6);
}

async fn facilitators_are_not_moved_as_learners(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 2, 8).await;
    let groups = world.list_groups().await;
    let facilitator = groups[0].members[0].user_id;
    assert_refused(
        world.move_member(facilitator, groups[1].id).await,
        Code::FailedPrecondition,
        "",
    );
}

async fn committing_activates_the_groups_and_queues_their_setup(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 2, 8).await;
    let committed = world.commit().await.unwrap();
    // Per group: its Discord sync, its calendar event, and three reminders
    // for each of its four meetings.
    assert_eq!((committed.committed, committed.queued_tasks), (2, 28));
    let work = world.pending_work().await;
    let count = |prefix: &str| work.iter().filter(|k| k.starts_with(prefix)).count();
    assert_eq!(count("discord.sync_group"), 2);
    assert_eq!(count("calendar.sync_group"), 2);
    assert_eq!(count("reminder."), 24);
    for group in world.list_groups().await {
        assert_eq!(group.status(), v1::GroupStatus::Active);
    }
}

async fn a_committed_cohort_takes_no_new_proposal_commit_or_facilitator(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    assert_refused(world.commit().await, Code::FailedPrecondition, "");
    assert_refused(world.propose().await, Code::FailedPrecondition, "");
    let late = world.person("late-fac", monday()).await;
    world.make_facilitator(&late).await;
    assert_refused(
        world.sign_up(&late, v1::SignupRole::Facilitator).await,
        Code::FailedPrecondition,
        "",
    );
}

async fn only_admins_propose_groups(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let learner = world.learner("learner", monday()).await;
    assert_refused(
        world.propose_as(world.cohort_id, &learner).await,
        Code::PermissionDenied,
        "",
    );
}

async fn proposing_for_an_unknown_cohort_is_not_found(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let status = world.propose_as(9999, &world.admin).await.unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::NotFound, "no cohort with id 9999")
    );
}

async fn a_late_learner_sees_groups_with_room_smallest_first(postgres: bool) {
    // Nine learners: groups of five and four learners, so one has more room.
    let world = CohortWorld::committed(postgres, 2, 9).await;
    let late = world.late_learner("late").await;
    let joinable = world.joinable(&late).await;
    assert_eq!(joinable.len(), 2);
    assert!(joinable[0].members.len() < joinable[1].members.len());
}

async fn a_late_learner_joins_a_group_and_its_setup_is_queued(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let queued = world.pending_work().await.len();
    let late = world.late_learner("late").await;
    let joined = world.join(&late, world.groups[0]).await.unwrap();
    assert!(joined.members.iter().any(|m| m.user_id == late.id));
    let work = world.pending_work().await;
    assert_eq!(
        work.len(),
        queued,
        "the group's Discord and calendar syncs, still pending, will include the newcomer"
    );
    assert!(work.iter().any(|k| k.starts_with("calendar.sync_group")));
}

async fn a_learner_cannot_join_a_second_group(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let late = world.late_learner("late").await;
    world.join(&late, world.groups[0]).await.unwrap();
    assert_refused(
        world.join(&late, world.groups[1]).await,
        Code::FailedPrecondition,
        "you are already in group",
    );
}

async fn someone_who_cannot_make_the_time_has_nothing_to_join(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let owl = world.learner("owl", tuesday()).await;
    assert!(world.joinable(&owl).await.is_empty());
    assert_refused(
        world.join(&owl, world.groups[0]).await,
        Code::FailedPrecondition,
        "does not cover Mon 18",
    );
}

async fn group_progress(
    world: &CohortWorld,
    group_id: i64,
    person: &Person,
) -> Result<v1::GetGroupProgressResponse, Status> {
    ProgressServiceClient::new(world.core.channel().await)
        .get_group_progress(authed(
            v1::GetGroupProgressRequest { group_id },
            &person.token,
        ))
        .await
        .map(|r| r.into_inner())
}

async fn a_facilitator_sees_which_members_have_started(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let (group, facilitator, learner) = world.first_group().await;
    let introduction = world.core.state.content.current().snapshot.modules["introduction"]
        .id
        .clone();
    ProgressServiceClient::new(world.core.channel().await)
        .record_heartbeat(authed(
            v1::RecordHeartbeatRequest {
                content_id: introduction,
            },
            &learner.token,
        ))
        .await
        .unwrap();
    let view = group_progress(&world, group.id, &facilitator)
        .await
        .unwrap();
    assert_eq!(view.course_slug, "default");
    assert_eq!(view.members.len(), group.members.len());
    assert_eq!(view.members[0].role(), v1::SignupRole::Facilitator);
    let started: Vec<i64> = view
        .members
        .iter()
        .filter(|m| m.units[0].modules[0].started)
        .map(|m| m.user_id)
        .collect();
    assert_eq!(
        started,
        vec![learner.id],
        "only who opened the introduction"
    );
}

async fn learners_do_not_see_their_groups_progress(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let (group, _, learner) = world.first_group().await;
    assert_refused(
        group_progress(&world, group.id, &learner).await,
        Code::PermissionDenied,
        "",
    );
}

async fn progress_of_an_unknown_group_is_not_found(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    assert_refused(
        group_progress(&world, 777, &world.admin).await,
        Code::NotFound,
        "",
    );
}

async fn a_facilitator_busy_in_another_cohort_is_not_used_again(postgres: bool) {
    // One facilitator (at most one group) leads a group of the first cohort.
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (_, facilitator, _) = world.first_group().await;
    let second = world.create_cohort(spring_cohort()).await.unwrap();
    world
        .sign_up_for(second.id, &facilitator, v1::SignupRole::Facilitator)
        .await
        .unwrap();
    for i in 0..3 {
        let learner = world.person(&format!("second{i}"), monday()).await;
        world
            .sign_up_for(second.id, &learner, v1::SignupRole::Learner)
            .await
            .unwrap();
    }
    let proposal = world.propose_as(second.id, &world.admin).await.unwrap();
    assert_eq!(proposal.placed, 0);
    assert!(
        proposal
            .unplaced
            .iter()
            .all(|u| u.reason == "facilitator_capacity"),
        "{:?}",
        proposal.unplaced
    );
}

/// A cohort from 15 March 2027 (Europe moves its clocks on 28 March) with a
/// facilitator and four learners free only Monday 20:00–21:00 in Berlin,
/// proposed and committed.
async fn a_cohort_across_the_clock_change(postgres: bool) -> CohortWorld {
    let mut world = CohortWorld::empty(postgres).await;
    world.cohort_id = world
        .create_cohort(v1::CreateCohortRequest {
            start_date: "2027-03-15".into(),
            ..spring_cohort()
        })
        .await
        .unwrap()
        .id;
    world.facilitator("fac", evening(0, 20, 1)).await;
    for i in 0..4 {
        world
            .learner(&format!("learner{i}"), evening(0, 20, 1))
            .await;
    }
    let proposal = world.propose().await.unwrap();
    world.groups = proposal.groups.iter().map(|g| g.id).collect();
    world.commit().await.unwrap();
    world
}

async fn a_group_across_the_clock_change_keeps_its_local_time(postgres: bool) {
    let world = a_cohort_across_the_clock_change(postgres).await;
    let group = &world.list_groups().await[0];
    assert_eq!(group.members.len(), 5, "no fixed UTC hour would hold them");
    assert_eq!(group.meeting_time, "Mon 20:00 Europe/Berlin");
    assert_eq!(group.meeting_timezone, "Europe/Berlin");
    assert_eq!(group.meeting_local_slot, 40);
    assert_eq!(group.meeting_start_slot, 38, "19:00 UTC in the first week");
}

async fn a_late_joiner_must_make_an_anchored_time_in_every_week(postgres: bool) {
    let world = a_cohort_across_the_clock_change(postgres).await;
    let group = world.groups[0];
    // Free 20:00–21:00 Berlin time every week: joins.
    let local = world.learner("local", evening(0, 20, 1)).await;
    world.join(&local, group).await.unwrap();
    // Free at 19:00 UTC all term (20:00 Berlin only until 28 March): refused.
    let fixed = world.person("fixed", vec![]).await;
    world
        .users()
        .await
        .set_availability(authed(
            v1::SetAvailabilityRequest {
                availability: Some(v1::WeeklyAvailability {
                    timezone: "UTC".into(),
                    available_slots: evening(0, 19, 1),
                    ..Default::default()
                }),
            },
            &fixed.token,
        ))
        .await
        .unwrap();
    world
        .sign_up(&fixed, v1::SignupRole::Learner)
        .await
        .unwrap();
    assert_refused(
        world.join(&fixed, group).await,
        Code::FailedPrecondition,
        "does not cover Mon 20:00 Europe/Berlin in every week",
    );
}

async fn a_proposal_says_whether_it_is_proven_optimal(postgres: bool) {
    let world = a_mixed_sign_up(postgres).await;
    let proposal = world.propose().await.unwrap();
    assert!(proposal.proven_optimal);
    assert_eq!(proposal.placed_bound, proposal.placed);
    assert!(
        ["exact", "fast"].contains(&proposal.method.as_str()),
        "{}",
        proposal.method
    );
}

async fn a_committed_groups_setup_is_listed_part_by_part(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 1, 4).await;
    assert!(
        world.list_groups().await[0].delivery.is_none(),
        "a preview has no setup yet"
    );
    world.commit().await.unwrap();
    let delivery = world.list_groups().await[0].delivery.clone().unwrap();
    // No bot has taken the Discord work yet; this platform has no calendar.
    assert_eq!(delivery.discord(), v1::DeliveryStep::Waiting);
    assert_eq!(delivery.calendar(), v1::DeliveryStep::Off);
    assert_eq!(
        (
            delivery.emails_sent,
            delivery.emails_waiting,
            delivery.emails_failed
        ),
        (0, 0, 0)
    );
}
