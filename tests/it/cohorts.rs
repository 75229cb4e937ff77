//! Cohorts end to end over gRPC, on both backends: availability, sign-ups,
//! a proposal with reasons, commit with outbox rows, and the errors on the way.

use lens_proto::v1;
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::cohort_service_client::CohortServiceClient;
use lens_proto::v1::progress_service_client::ProgressServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_server::auth::EdgeKind;
use lens_tests::content_fixture;
use lens_tests::core::{CoreOptions, TestCore, authed};
use tonic::Code;

both_backends!(a_cohort_from_sign_up_to_committed_groups);

/// Local slots from `hour`:00 for `hours` hours on `day` (0 = Monday).
fn evening(day: u32, hour: u32, hours: u32) -> Vec<u32> {
    (0..hours * 2).map(|i| day * 48 + hour * 2 + i).collect()
}

async fn a_cohort_from_sign_up_to_committed_groups(postgres: bool) {
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
    let auth = AuthServiceClient::new(core.channel().await);
    let web = core.edge_token(EdgeKind::Web);
    let session = |name: String, admin: bool| {
        let mut auth = auth.clone();
        let web = web.clone();
        async move {
            auth.dev_sign_in(authed(
                v1::DevSignInRequest {
                    username: name,
                    admin,
                    ..Default::default()
                },
                &web,
            ))
            .await
            .unwrap()
            .into_inner()
            .session
            .unwrap()
        }
    };
    let admin = session("admin".into(), true).await;
    let mut cohorts = CohortServiceClient::new(core.channel().await);
    let mut users = UserServiceClient::new(core.channel().await);

    // Creating a cohort: bad input first.
    let create = |date: &str, course: &str| v1::CreateCohortRequest {
        name: "Spring 2027".into(),
        course_slug: course.into(),
        start_date: date.into(),
        meeting_count: 0,
        duration_days: 0,
    };
    let status = cohorts
        .create_cohort(authed(create("03/01/2027", "default"), &admin.token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "invalid start_date: \"03/01/2027\" is not a date like 2027-03-01"
    );
    let status = cohorts
        .create_cohort(authed(create("2027-03-01", "nope"), &admin.token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let cohort = cohorts
        .create_cohort(authed(create("2027-03-01", "default"), &admin.token))
        .await
        .unwrap()
        .into_inner()
        .cohort
        .unwrap();
    assert_eq!(cohort.duration_days, 28, "one week per meeting by default");
    let mut short = create("2027-03-01", "default");
    short.duration_days = 10;
    let status = cohorts
        .create_cohort(authed(short, &admin.token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("shorter than the 22 days"),
        "{}",
        status.message()
    );
    assert_eq!(
        (cohort.meeting_count, cohort.status()),
        (4, v1::CohortStatus::Planned),
        "the course's four meetings"
    );

    // People: two facilitators and eight learners free Monday 19:00–21:00 in
    // Berlin, one learner without availability, one only free on Tuesdays.
    let mut people = Vec::new();
    for (name, slots) in [
        ("fac-a", evening(0, 19, 2)),
        ("fac-b", evening(0, 19, 2)),
        ("silent", vec![]),
        ("tuesday", evening(1, 19, 2)),
    ]
    .into_iter()
    .chain((0..8).map(|i| {
        (
            Box::leak(format!("learner{i}").into_boxed_str()) as &str,
            evening(0, 19, 2),
        )
    })) {
        let person = session(name.into(), false).await;
        if !slots.is_empty() {
            let availability = v1::WeeklyAvailability {
                timezone: "Europe/Berlin".into(),
                available_slots: slots,
                ..Default::default()
            };
            users
                .set_availability(authed(
                    v1::SetAvailabilityRequest {
                        availability: Some(availability),
                    },
                    &person.token,
                ))
                .await
                .unwrap();
        }
        people.push((name, person));
    }
    let token = |name: &str| {
        people
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .token
            .clone()
    };
    let id = |name: &str| {
        people
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .user
            .as_ref()
            .unwrap()
            .id
    };

    // Availability is validated and read back.
    let bad = v1::WeeklyAvailability {
        timezone: "Europe/Berlin".into(),
        available_slots: vec![400],
        ..Default::default()
    };
    let status = users
        .set_availability(authed(
            v1::SetAvailabilityRequest {
                availability: Some(bad),
            },
            &token("silent"),
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status
            .message()
            .starts_with("invalid availability.available_slots: slot 400 is outside the week")
    );
    let stored = users
        .get_availability(authed(v1::GetAvailabilityRequest {}, &token("learner0")))
        .await
        .unwrap()
        .into_inner()
        .availability
        .unwrap();
    assert_eq!(stored.available_slots, evening(0, 19, 2));

    // Facilitators must be made so before signing up as one.
    let sign_up = |cohort_id: i64, role: v1::SignupRole| v1::SignUpRequest {
        cohort_id,
        role: role.into(),
    };
    let status = cohorts
        .sign_up(authed(
            sign_up(cohort.id, v1::SignupRole::Facilitator),
            &token("fac-a"),
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    for name in ["fac-a", "fac-b"] {
        cohorts
            .set_facilitator(authed(
                v1::SetFacilitatorRequest {
                    user_id: id(name),
                    max_active_groups: 1,
                },
                &admin.token,
            ))
            .await
            .unwrap();
        cohorts
            .sign_up(authed(
                sign_up(cohort.id, v1::SignupRole::Facilitator),
                &token(name),
            ))
            .await
            .unwrap();
    }
    for (name, _) in people.iter().filter(|(n, _)| !n.starts_with("fac")) {
        let answer = cohorts
            .sign_up(authed(
                sign_up(cohort.id, v1::SignupRole::Learner),
                &token(name),
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(answer.has_availability, *name != "silent");
    }

    // The proposal: eight Monday learners in two groups of four, meeting
    // between 18:00 and 19:00 UTC (19:00–21:00 in Berlin in March), the
    // other two explained.
    let proposal = cohorts
        .propose_groups(authed(
            v1::ProposeGroupsRequest {
                cohort_id: cohort.id,
                ..Default::default()
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((proposal.placed, proposal.learners), (8, 10));
    assert_eq!(proposal.groups.len(), 2);
    for group in &proposal.groups {
        assert!(
            ["Mon 18:00 UTC", "Mon 18:30 UTC", "Mon 19:00 UTC"]
                .contains(&group.meeting_time.as_str()),
            "{}",
            group.meeting_time
        );
        assert_eq!(group.status(), v1::GroupStatus::Preview);
        assert_eq!(group.members[0].role(), v1::SignupRole::Facilitator);
        assert_eq!(
            group.members.len(),
            5,
            "balanced: 4 learners + facilitator each"
        );
    }
    assert_eq!(proposal.groups[0].name, "Turing");
    let mut reasons: Vec<(String, String)> = proposal
        .unplaced
        .iter()
        .map(|u| (u.name.clone(), u.reason.clone()))
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        vec![
            ("silent".to_owned(), "no_availability".to_owned()),
            ("tuesday".to_owned(), "no_facilitator_overlap".to_owned()),
        ]
    );

    // Proposing again replaces the preview; committing makes it active and
    // queues the follow-up work.
    cohorts
        .propose_groups(authed(
            v1::ProposeGroupsRequest {
                cohort_id: cohort.id,
                ..Default::default()
            },
            &admin.token,
        ))
        .await
        .unwrap();
    let listed = cohorts
        .list_groups(authed(
            v1::ListGroupsRequest {
                cohort_id: cohort.id,
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .groups;
    assert_eq!(listed.len(), 2, "the first preview was replaced");

    // Admin moves: a learner to the other group, and the unplaced Tuesday
    // learner into a group whose time they cannot make (allowed, warned).
    let (a, b) = (&listed[0], &listed[1]);
    let mover = a.members[1].user_id;
    let moved = cohorts
        .move_member(authed(
            v1::MoveMemberRequest {
                cohort_id: cohort.id,
                user_id: mover,
                to_group_id: b.id,
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(moved.warnings.is_empty(), "{:?}", moved.warnings);
    let moved = cohorts
        .move_member(authed(
            v1::MoveMemberRequest {
                cohort_id: cohort.id,
                user_id: id("tuesday"),
                to_group_id: a.id,
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(moved.warnings.len(), 1);
    assert!(
        moved.warnings[0].contains("cannot make"),
        "{:?}",
        moved.warnings
    );
    let status = cohorts
        .move_member(authed(
            v1::MoveMemberRequest {
                cohort_id: cohort.id,
                user_id: id("fac-a"),
                to_group_id: b.id,
            },
            &admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "facilitators are not moved as learners"
    );
    let listed = cohorts
        .list_groups(authed(
            v1::ListGroupsRequest {
                cohort_id: cohort.id,
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .groups;
    let sizes: Vec<usize> = listed.iter().map(|g| g.members.len()).collect();
    assert_eq!(sizes, vec![5, 6]);
    let committed = cohorts
        .commit_groups(authed(
            v1::CommitGroupsRequest {
                cohort_id: cohort.id,
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((committed.committed, committed.queued_tasks), (2, 6));
    let pending = core.state.store.pending_outbox().await.unwrap();
    assert_eq!(pending.len(), 6);
    assert_eq!(pending[0].0, "discord.create_group_channel");

    for status in [
        cohorts
            .commit_groups(authed(
                v1::CommitGroupsRequest {
                    cohort_id: cohort.id,
                },
                &admin.token,
            ))
            .await
            .unwrap_err(),
        cohorts
            .propose_groups(authed(
                v1::ProposeGroupsRequest {
                    cohort_id: cohort.id,
                    ..Default::default()
                },
                &admin.token,
            ))
            .await
            .unwrap_err(),
        cohorts
            .sign_up(authed(
                sign_up(cohort.id, v1::SignupRole::Facilitator),
                &token("fac-a"),
            ))
            .await
            .unwrap_err(),
    ] {
        assert_eq!(
            status.code(),
            Code::FailedPrecondition,
            "{}",
            status.message()
        );
    }
    let status = cohorts
        .propose_groups(authed(
            v1::ProposeGroupsRequest {
                cohort_id: cohort.id,
                ..Default::default()
            },
            &token("learner0"),
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "admins only");
    let status = cohorts
        .propose_groups(authed(
            v1::ProposeGroupsRequest {
                cohort_id: 9999,
                ..Default::default()
            },
            &admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::NotFound, "no cohort with id 9999")
    );

    // A late learner signs up after the commit and joins a group with room;
    // the join queues its Discord and calendar updates.
    let late = session("late".into(), false).await;
    let monday = v1::WeeklyAvailability {
        timezone: "Europe/Berlin".into(),
        available_slots: evening(0, 19, 2),
        ..Default::default()
    };
    users
        .set_availability(authed(
            v1::SetAvailabilityRequest {
                availability: Some(monday),
            },
            &late.token,
        ))
        .await
        .unwrap();
    cohorts
        .sign_up(authed(
            sign_up(cohort.id, v1::SignupRole::Learner),
            &late.token,
        ))
        .await
        .unwrap();
    let joinable = cohorts
        .list_joinable_groups(authed(
            v1::ListJoinableGroupsRequest {
                cohort_id: cohort.id,
            },
            &late.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .groups;
    assert_eq!(joinable.len(), 2);
    assert!(
        joinable[0].members.len() <= joinable[1].members.len(),
        "smallest first"
    );
    let joined = cohorts
        .join_group(authed(
            v1::JoinGroupRequest {
                group_id: joinable[0].id,
            },
            &late.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .group
        .unwrap();
    assert!(
        joined
            .members
            .iter()
            .any(|m| m.user_id == late.user.as_ref().unwrap().id)
    );
    assert_eq!(core.state.store.pending_outbox().await.unwrap().len(), 8);
    let status = cohorts
        .join_group(authed(
            v1::JoinGroupRequest {
                group_id: joinable[1].id,
            },
            &late.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().starts_with("you are already in group"),
        "{}",
        status.message()
    );
    // Someone who cannot make Mondays sees nothing to join, and is told why.
    let night_owl = session("owl".into(), false).await;
    let tuesday = v1::WeeklyAvailability {
        timezone: "Europe/Berlin".into(),
        available_slots: evening(1, 19, 2),
        ..Default::default()
    };
    users
        .set_availability(authed(
            v1::SetAvailabilityRequest {
                availability: Some(tuesday),
            },
            &night_owl.token,
        ))
        .await
        .unwrap();
    cohorts
        .sign_up(authed(
            sign_up(cohort.id, v1::SignupRole::Learner),
            &night_owl.token,
        ))
        .await
        .unwrap();
    let joinable = cohorts
        .list_joinable_groups(authed(
            v1::ListJoinableGroupsRequest {
                cohort_id: cohort.id,
            },
            &night_owl.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .groups;
    assert!(joinable.is_empty());
    let status = cohorts
        .join_group(authed(
            v1::JoinGroupRequest {
                group_id: listed[0].id,
            },
            &night_owl.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("does not cover Mon 18"),
        "{}",
        status.message()
    );

    // The facilitator of a committed group sees each member's progress.
    let current = cohorts
        .list_groups(authed(
            v1::ListGroupsRequest {
                cohort_id: cohort.id,
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .groups;
    let group = &current[0];
    let facilitator = &group.members[0];
    let learner = &group.members[1];
    let learner_token = people
        .iter()
        .find(|(_, p)| p.user.as_ref().unwrap().id == learner.user_id)
        .unwrap()
        .1
        .token
        .clone();
    let facilitator_token = people
        .iter()
        .find(|(_, p)| p.user.as_ref().unwrap().id == facilitator.user_id)
        .unwrap()
        .1
        .token
        .clone();
    let mut progress = ProgressServiceClient::new(core.channel().await);
    let intro_id = core.state.content.current().snapshot.modules["introduction"]
        .id
        .clone();
    progress
        .record_heartbeat(authed(
            v1::RecordHeartbeatRequest {
                content_id: intro_id,
            },
            &learner_token,
        ))
        .await
        .unwrap();
    let view = progress
        .get_group_progress(authed(
            v1::GetGroupProgressRequest { group_id: group.id },
            &facilitator_token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(view.course_slug, "default");
    assert_eq!(view.members.len(), group.members.len());
    assert_eq!(view.members[0].role(), v1::SignupRole::Facilitator);
    let started: Vec<bool> = view
        .members
        .iter()
        .map(|m| m.units[0].modules[0].started)
        .collect();
    assert_eq!(
        started.iter().filter(|s| **s).count(),
        1,
        "only the learner who opened the introduction"
    );
    assert!(
        view.members
            .iter()
            .find(|m| m.user_id == learner.user_id)
            .unwrap()
            .units[0]
            .modules[0]
            .started
    );
    let status = progress
        .get_group_progress(authed(
            v1::GetGroupProgressRequest { group_id: group.id },
            &learner_token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = progress
        .get_group_progress(authed(
            v1::GetGroupProgressRequest { group_id: 777 },
            &admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);

    // A facilitator's limit counts groups led in other active cohorts:
    // fac-a (at most one group) is busy with cohort 1, so cohort 2 cannot
    // use them.
    let second = cohorts
        .create_cohort(authed(create("2027-03-01", "default"), &admin.token))
        .await
        .unwrap()
        .into_inner()
        .cohort
        .unwrap();
    let busy = if listed.iter().any(|g| g.members[0].user_id == id("fac-a")) {
        "fac-a"
    } else {
        "fac-b"
    };
    cohorts
        .sign_up(authed(
            sign_up(second.id, v1::SignupRole::Facilitator),
            &token(busy),
        ))
        .await
        .unwrap();
    for name in ["learner5", "learner6", "learner7"] {
        cohorts
            .sign_up(authed(
                sign_up(second.id, v1::SignupRole::Learner),
                &token(name),
            ))
            .await
            .unwrap();
    }
    let proposal = cohorts
        .propose_groups(authed(
            v1::ProposeGroupsRequest {
                cohort_id: second.id,
                ..Default::default()
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner();
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
