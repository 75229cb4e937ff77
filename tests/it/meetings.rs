//! Course sessions: a committed group's weekly meetings, answers,
//! attendance and postponing, with the reminders each meeting has.

use lens_proto::v1;
use lens_proto::v1::meeting_service_client::MeetingServiceClient;
use lens_server::domain::JobState;
use lens_tests::cohorts::{CohortWorld, Person, discord_id_of, monday};
use lens_tests::core::authed;
use tonic::{Code, Status};

both_backends!(
    a_committed_group_meets_weekly_from_the_cohort_start,
    members_answer_and_their_facilitator_sees_who_is_coming,
    a_groups_members_see_who_is_coming_but_only_its_lead_sees_attendance,
    the_calendar_file_holds_each_meeting_ahead,
    postponing_renumbers_the_later_meetings_and_adds_one_with_its_reminders,
    attendance_is_recorded_once_a_meeting_has_begun,
    a_learner_moved_in_late_has_only_the_meetings_after,
);

async fn client(world: &CohortWorld) -> MeetingServiceClient<tonic::transport::Channel> {
    MeetingServiceClient::new(world.core.channel().await)
}

async fn my_meetings(world: &CohortWorld, person: &Person, past: bool) -> Vec<v1::MyMeeting> {
    client(world)
        .await
        .list_my_meetings(authed(v1::ListMyMeetingsRequest { past }, &person.token))
        .await
        .unwrap()
        .into_inner()
        .meetings
}

async fn group_meetings(
    world: &CohortWorld,
    person: &Person,
    group_id: i64,
) -> Result<Vec<v1::GroupMeeting>, Status> {
    client(world)
        .await
        .list_group_meetings(authed(
            v1::ListGroupMeetingsRequest { group_id },
            &person.token,
        ))
        .await
        .map(|r| r.into_inner().meetings)
}

async fn rsvp(
    world: &CohortWorld,
    person: &Person,
    meeting_id: i64,
    answer: v1::RsvpStatus,
) -> Result<(), Status> {
    client(world)
        .await
        .rsvp(authed(
            v1::RsvpRequest {
                meeting_id,
                rsvp: answer.into(),
            },
            &person.token,
        ))
        .await
        .map(drop)
}

/// The first group's facilitator and first learner, as people.
async fn facilitator_and_learner(world: &CohortWorld) -> (i64, Person, Person) {
    let group = world.list_groups().await.remove(0);
    let person = |m: &v1::GroupMember| Person {
        id: m.user_id,
        token: world.core.user_token(m.user_id, false),
        discord_id: discord_id_of(&m.name),
    };
    (
        group.id,
        person(&group.members[0]),
        person(&group.members[1]),
    )
}

fn starts(meeting: &v1::Meeting) -> chrono::DateTime<chrono::Utc> {
    let at = meeting.starts_at.unwrap();
    chrono::DateTime::from_timestamp(at.seconds, 0).unwrap()
}

/// A world whose cohort began on `start` (a Monday), committed with one
/// group of a facilitator and four learners.
async fn committed_from(postgres: bool, start: &str) -> CohortWorld {
    let mut world = CohortWorld::empty(postgres).await;
    world.cohort_id = world
        .create_cohort(v1::CreateCohortRequest {
            name: "Autumn 2026".into(),
            course_slug: "default".into(),
            start_date: start.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    world.facilitator("fac0", monday()).await;
    for i in 0..4 {
        world.learner(&format!("learner{i}"), monday()).await;
    }
    world.propose().await.unwrap();
    world.commit().await.unwrap();
    world
}

async fn a_committed_group_meets_weekly_from_the_cohort_start(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (group_id, _, learner) = facilitator_and_learner(&world).await;
    let meetings = my_meetings(&world, &learner, false).await;
    assert_eq!(meetings.len(), 4, "the course's four meetings");
    let group = world.list_groups().await.remove(0);
    for (i, mine) in meetings.iter().enumerate() {
        let meeting = mine.meeting.as_ref().unwrap();
        assert_eq!(meeting.number, i as u32 + 1);
        assert_eq!(meeting.group_id, group_id);
        assert_eq!(meeting.minutes, 60);
        assert_eq!(mine.rsvp(), v1::RsvpStatus::Pending);
        let at = starts(meeting);
        assert_eq!(at.format("%a").to_string(), "Mon");
        assert_eq!(
            (at - starts(meetings[0].meeting.as_ref().unwrap())).num_days(),
            7 * i as i64
        );
        assert!(
            group.meeting_time.contains(&at.format("%H:%M").to_string())
                || group.meeting_timezone != "UTC"
        );
    }
    assert_eq!(
        starts(meetings[0].meeting.as_ref().unwrap())
            .date_naive()
            .to_string(),
        "2027-03-01"
    );
    assert!(
        !meetings[0].meeting.as_ref().unwrap().due_modules.is_empty(),
        "what to read before the first meeting"
    );
    assert!(
        my_meetings(&world, &learner, true).await.is_empty(),
        "none past"
    );
}

async fn members_answer_and_their_facilitator_sees_who_is_coming(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (group_id, facilitator, learner) = facilitator_and_learner(&world).await;
    let first = my_meetings(&world, &learner, false).await[0]
        .meeting
        .clone()
        .unwrap();
    rsvp(&world, &learner, first.id, v1::RsvpStatus::NotAttending)
        .await
        .unwrap();
    rsvp(&world, &learner, first.id, v1::RsvpStatus::Attending)
        .await
        .unwrap();
    assert_eq!(
        my_meetings(&world, &learner, false).await[0].rsvp(),
        v1::RsvpStatus::Attending
    );
    let seen = group_meetings(&world, &facilitator, group_id)
        .await
        .unwrap();
    let them = seen[0]
        .members
        .iter()
        .find(|m| m.user_id == learner.id)
        .unwrap();
    assert_eq!(them.rsvp(), v1::RsvpStatus::Attending);
    assert_eq!(seen[0].members.len(), 5);

    let outsider = world.late_learner("outsider").await;
    let status = rsvp(&world, &outsider, first.id, v1::RsvpStatus::Attending)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = rsvp(&world, &learner, first.id, v1::RsvpStatus::Unspecified)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

async fn a_groups_members_see_who_is_coming_but_only_its_lead_sees_attendance(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (group_id, facilitator, learner) = facilitator_and_learner(&world).await;
    let first = group_meetings(&world, &learner, group_id).await.unwrap()[0]
        .meeting
        .clone()
        .unwrap();
    rsvp(&world, &learner, first.id, v1::RsvpStatus::Attending)
        .await
        .unwrap();
    let seen = group_meetings(&world, &learner, group_id).await.unwrap();
    assert_eq!(seen.len(), 4);
    let me = seen[0]
        .members
        .iter()
        .find(|m| m.user_id == learner.id)
        .unwrap();
    assert_eq!(me.rsvp(), v1::RsvpStatus::Attending);

    let view = |person: &Person| {
        let person = person.token.clone();
        let world = &world;
        async move {
            client(world)
                .await
                .list_group_meetings(authed(v1::ListGroupMeetingsRequest { group_id }, &person))
                .await
                .unwrap()
                .into_inner()
        }
    };
    assert!(!view(&learner).await.can_lead);
    assert!(view(&facilitator).await.can_lead);
    assert!(view(&world.admin).await.can_lead);

    let stranger = world.person("stranger", Vec::new()).await;
    let status = group_meetings(&world, &stranger, group_id)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
}

async fn the_calendar_file_holds_each_meeting_ahead(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (_, _, learner) = facilitator_and_learner(&world).await;
    let listed = client(&world)
        .await
        .list_my_meetings(authed(
            v1::ListMyMeetingsRequest { past: false },
            &learner.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!listed.calendar_invitations);
    let file = client(&world)
        .await
        .export_my_meetings(authed(v1::ExportMyMeetingsRequest {}, &learner.token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(file.file_name, "lens-meetings.ics");
    assert!(file.ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(
        file.ics.matches("BEGIN:VEVENT").count(),
        listed.meetings.len()
    );
    let first = listed.meetings[0].meeting.as_ref().unwrap();
    let start =
        chrono::DateTime::from_timestamp(first.starts_at.as_ref().unwrap().seconds, 0).unwrap();
    assert!(
        file.ics
            .contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ")))
    );
    assert!(file.ics.contains(&format!("UID:meeting-{}@", first.id)));
}

async fn postponing_renumbers_the_later_meetings_and_adds_one_with_its_reminders(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (group_id, facilitator, learner) = facilitator_and_learner(&world).await;
    let before = my_meetings(&world, &learner, false).await;
    let second = before[1].meeting.clone().unwrap();
    let status = client(&world)
        .await
        .postpone_meeting(authed(
            v1::PostponeMeetingRequest {
                meeting_id: second.id,
            },
            &learner.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "learners do not postpone"
    );
    let added = client(&world)
        .await
        .postpone_meeting(authed(
            v1::PostponeMeetingRequest {
                meeting_id: second.id,
            },
            &facilitator.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .added
        .unwrap();
    assert_eq!(added.number, 4);
    let last_before = starts(before[3].meeting.as_ref().unwrap());
    assert_eq!(
        (starts(&added) - last_before).num_days(),
        7,
        "a week after the last"
    );

    let after = my_meetings(&world, &learner, false).await;
    let numbers: Vec<(u32, i64)> = after
        .iter()
        .map(|m| {
            let m = m.meeting.as_ref().unwrap();
            (m.number, m.id)
        })
        .collect();
    let ids: Vec<i64> = before
        .iter()
        .map(|m| m.meeting.as_ref().unwrap().id)
        .collect();
    assert_eq!(
        numbers,
        [(1, ids[0]), (2, ids[2]), (3, ids[3]), (4, added.id)]
    );
    let all = group_meetings(&world, &facilitator, group_id)
        .await
        .unwrap();
    assert_eq!(all.len(), 5, "the postponed one is kept");
    assert_eq!(
        all[1].meeting.as_ref().unwrap().status(),
        v1::MeetingStatus::Postponed
    );

    let jobs = world.core.state.store.list_jobs(&[], 1000).await.unwrap();
    let of = |meeting: i64, state: JobState| {
        jobs.iter()
            .filter(|j| {
                j.idempotency_key
                    .starts_with(&format!("meeting:{meeting}:"))
                    && j.state == state
            })
            .count()
    };
    assert_eq!(
        of(second.id, JobState::Cancelled),
        3,
        "its reminders are called off"
    );
    assert_eq!(
        of(added.id, JobState::Pending),
        3,
        "the new one's are queued"
    );
    let nudge = jobs
        .iter()
        .find(|j| j.idempotency_key == format!("meeting:{}:reminder.nudge", added.id))
        .unwrap();
    assert_eq!((starts(&added) - nudge.run_at).num_days(), 3);

    let again = client(&world)
        .await
        .postpone_meeting(authed(
            v1::PostponeMeetingRequest {
                meeting_id: second.id,
            },
            &facilitator.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition, "already postponed");
}

async fn attendance_is_recorded_once_a_meeting_has_begun(postgres: bool) {
    // Meetings on Mondays from 16 November 2026: two gone by, two ahead.
    let world = committed_from(postgres, "2026-11-16").await;
    let (group_id, facilitator, learner) = facilitator_and_learner(&world).await;
    let all = group_meetings(&world, &facilitator, group_id)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let past = all
        .iter()
        .find(|m| starts(m.meeting.as_ref().unwrap()) < now)
        .unwrap();
    let ahead = all
        .iter()
        .find(|m| starts(m.meeting.as_ref().unwrap()) > now)
        .unwrap();
    let record = |meeting_id: i64, by: &Person| {
        let request = authed(
            v1::RecordAttendanceRequest {
                meeting_id,
                user_id: learner.id,
                attendance: v1::Attendance::Present.into(),
            },
            &by.token,
        );
        let world = &world;
        async move {
            client(world)
                .await
                .record_attendance(request)
                .await
                .map(drop)
        }
    };
    let past_id = past.meeting.as_ref().unwrap().id;
    record(past_id, &facilitator).await.unwrap();
    assert_eq!(
        record(past_id, &learner).await.unwrap_err().code(),
        Code::PermissionDenied
    );
    assert_eq!(
        record(ahead.meeting.as_ref().unwrap().id, &facilitator)
            .await
            .unwrap_err()
            .code(),
        Code::FailedPrecondition
    );
    let seen = group_meetings(&world, &facilitator, group_id)
        .await
        .unwrap();
    let recorded = seen
        .iter()
        .find(|m| m.meeting.as_ref().unwrap().id == past_id)
        .unwrap()
        .members
        .iter()
        .find(|m| m.user_id == learner.id)
        .unwrap();
    assert_eq!(recorded.attendance(), v1::Attendance::Present);
    let status = rsvp(&world, &learner, past_id, v1::RsvpStatus::Attending)
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "too late to answer"
    );
}

async fn a_learner_moved_in_late_has_only_the_meetings_after(postgres: bool) {
    let world = committed_from(postgres, "2026-11-16").await;
    let (group_id, _, _) = facilitator_and_learner(&world).await;
    let late = world.late_learner("late").await;
    world
        .move_member(late.id, group_id)
        .await
        .expect("moved in by an admin");
    let now = chrono::Utc::now();
    let past = my_meetings(&world, &late, true).await;
    let ahead = my_meetings(&world, &late, false).await;
    assert!(past.is_empty(), "nothing from before they came");
    assert!(!ahead.is_empty());
    assert!(
        ahead
            .iter()
            .all(|m| starts(m.meeting.as_ref().unwrap()) > now)
    );
}
