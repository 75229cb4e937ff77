//! Google Calendar: each committed group is one weekly series on the
//! course's calendar, kept matching its members and meetings, remade when
//! deleted in Google, with the guests' answers read back as RSVPs. The core
//! runs its own calendar worker against a fake Google.

use chrono::{DateTime, Utc};
use lens_proto::v1;
use lens_proto::v1::meeting_service_client::MeetingServiceClient;
use lens_server::domain::GroupId;
use lens_server::store::MeetingRecord;
use lens_tests::bot::eventually;
use lens_tests::cohorts::{CohortWorld, Person, monday};
use lens_tests::core::authed;
use lens_tests::fakes::calendar::{CALENDAR_EMAIL, FakeGoogle};
use serde_json::json;
use tonic::Code;

both_backends!(
    committing_a_group_invites_its_members_to_one_weekly_series,
    a_member_who_leaves_is_taken_off_the_guest_list,
    postponing_cancels_that_week_and_lengthens_the_series,
    an_event_deleted_in_google_is_made_again,
    answers_given_in_google_become_rsvps_and_a_later_lens_answer_stands,
    a_failed_call_is_retried_and_the_event_is_made_once,
    only_a_groups_lead_may_refresh_its_calendar,
);

/// A group of a facilitator and four learners, each with an email
/// address, committed on a core whose calendar is the fake's.
struct World {
    world: CohortWorld,
    google: FakeGoogle,
    group_id: i64,
    facilitator: Person,
    learners: Vec<Person>,
}

fn email(name: &str) -> String {
    format!("{name}@example.org")
}

async fn set_email(world: &CohortWorld, person: &Person, name: &str) {
    world
        .users()
        .await
        .update_profile(authed(
            v1::UpdateProfileRequest {
                email: Some(email(name)),
                ..Default::default()
            },
            &person.token,
        ))
        .await
        .expect("email set");
}

async fn committed_with_calendar(postgres: bool, google_fails_first: usize) -> World {
    let google = FakeGoogle::start().await;
    let env = vec![
        (
            "GOOGLE_CALENDAR_CREDENTIALS_FILE".to_owned(),
            google.credentials.display().to_string(),
        ),
        (
            "GOOGLE_CALENDAR_EMAIL".to_owned(),
            CALENDAR_EMAIL.to_owned(),
        ),
        (
            "GOOGLE_CALENDAR_API_BASE_URL".to_owned(),
            google.url.clone(),
        ),
    ];
    let mut world = CohortWorld::planned_with(postgres, env).await;
    let facilitator = world.facilitator("fac0", monday()).await;
    set_email(&world, &facilitator, "fac0").await;
    let mut learners = Vec::new();
    for i in 0..4 {
        let name = format!("learner{i}");
        let learner = world.learner(&name, monday()).await;
        set_email(&world, &learner, &name).await;
        learners.push(learner);
    }
    world.groups = world
        .propose()
        .await
        .expect("proposed")
        .groups
        .iter()
        .map(|g| g.id)
        .collect();
    google.fail_next(google_fails_first);
    world.commit().await.expect("committed");
    let group_id = world.groups[0];
    World {
        world,
        google,
        group_id,
        facilitator,
        learners,
    }
}

impl World {
    async fn meetings(&self) -> MeetingServiceClient<tonic::transport::Channel> {
        MeetingServiceClient::new(self.world.core.channel().await)
    }

    /// Waits for the group's event, and forgets the requests that made it.
    async fn event_made(&self) -> String {
        eventually("the group's event is in the calendar", || async {
            self.google.events().len() == 1
        })
        .await;
        self.google.events()[0]["id"].as_str().unwrap().to_owned()
    }

    async fn stored_meetings(&self) -> Vec<MeetingRecord> {
        self.world
            .core
            .state
            .store
            .meetings_of_group(GroupId(self.group_id))
            .await
            .unwrap()
    }

    async fn starts(&self) -> Vec<DateTime<Utc>> {
        self.stored_meetings()
            .await
            .iter()
            .map(|m| m.starts_at)
            .collect()
    }

    async fn refresh(&self, person: &Person) -> Result<(), tonic::Status> {
        self.meetings()
            .await
            .refresh_group_calendar(authed(
                v1::RefreshGroupCalendarRequest {
                    group_id: self.group_id,
                },
                &person.token,
            ))
            .await
            .map(drop)
    }

    /// Each member's answer to the first meeting, as the group sees it.
    async fn first_meeting_answers(&self) -> Vec<(String, v1::RsvpStatus)> {
        let meetings = self
            .meetings()
            .await
            .list_group_meetings(authed(
                v1::ListGroupMeetingsRequest {
                    group_id: self.group_id,
                },
                &self.facilitator.token,
            ))
            .await
            .unwrap()
            .into_inner()
            .meetings;
        meetings[0]
            .members
            .iter()
            .map(|m| (m.name.clone(), m.rsvp()))
            .collect()
    }
}

fn everyone() -> Vec<String> {
    let mut all: Vec<String> = ["fac0", "learner0", "learner1", "learner2", "learner3"]
        .into_iter()
        .map(email)
        .collect();
    all.sort();
    all
}

async fn committing_a_group_invites_its_members_to_one_weekly_series(postgres: bool) {
    let w = committed_with_calendar(postgres, 0).await;
    let id = w.event_made().await;
    let starts = w.starts().await;
    let requests = w.google.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let insert = &requests[0];
    assert_eq!(insert.line(), "POST ");
    assert_eq!(insert.send_updates.as_deref(), Some("all"));
    let body = &insert.body;
    assert_eq!(body["id"], json!(id));
    assert_eq!(
        body["recurrence"],
        json!([format!("RRULE:FREQ=WEEKLY;COUNT={}", starts.len())])
    );
    assert_eq!(
        body["start"]["dateTime"],
        json!(starts[0].to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    );
    assert_eq!(body["guestsCanSeeOtherGuests"], json!(false));
    assert_eq!(w.google.guests(&id), everyone());
    assert_eq!(w.google.tokens_granted(), 1);
}

async fn a_member_who_leaves_is_taken_off_the_guest_list(postgres: bool) {
    let w = committed_with_calendar(postgres, 0).await;
    let id = w.event_made().await;
    w.google.take_lines();
    w.world
        .cohorts()
        .await
        .leave_group(authed(
            v1::LeaveGroupRequest {
                group_id: w.group_id,
                user_id: 0,
                reason: v1::LeaveReason::TimeConstraints.into(),
            },
            &w.learners[0].token,
        ))
        .await
        .unwrap();
    eventually("learner0 is no longer a guest", || async {
        !w.google.guests(&id).contains(&email("learner0"))
    })
    .await;
    let requests = w.google.requests();
    let lines: Vec<String> = requests.iter().map(|r| r.line()).collect();
    assert_eq!(lines, [format!("GET /{id}"), format!("PATCH /{id}")]);
    let patch = &requests[1].body;
    assert_eq!(
        patch.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["attendees"]
    );
    assert_eq!(w.google.guests(&id).len(), 4);
}

async fn postponing_cancels_that_week_and_lengthens_the_series(postgres: bool) {
    let w = committed_with_calendar(postgres, 0).await;
    let id = w.event_made().await;
    w.google.take_lines();
    let starts = w.starts().await;
    let second = w.stored_meetings().await[1].id;
    w.meetings()
        .await
        .postpone_meeting(authed(
            v1::PostponeMeetingRequest {
                meeting_id: second.0,
            },
            &w.facilitator.token,
        ))
        .await
        .unwrap();
    let cancelled = format!("{id}_{}", starts[1].format("%Y%m%dT%H%M%SZ"));
    eventually("the second week is cancelled", || async {
        w.google.cancelled_instances() == [cancelled.clone()]
    })
    .await;
    let requests = w.google.requests();
    let lines: Vec<String> = requests.iter().map(|r| r.line()).collect();
    assert_eq!(
        lines,
        [
            format!("GET /{id}"),
            format!("PATCH /{id}"),
            format!("DELETE /{cancelled}")
        ]
    );
    assert_eq!(
        requests[1].body["recurrence"],
        json!([format!("RRULE:FREQ=WEEKLY;COUNT={}", starts.len() + 1)])
    );
    assert!(requests[1].body.get("attendees").is_none());
    assert_eq!(requests[2].send_updates.as_deref(), Some("all"));
}

async fn an_event_deleted_in_google_is_made_again(postgres: bool) {
    let w = committed_with_calendar(postgres, 0).await;
    let first = w.event_made().await;
    w.google.delete_in_google(&first);
    w.refresh(&w.facilitator).await.unwrap();
    eventually("a second event is made", || async {
        w.google.events().len() == 2
    })
    .await;
    let remade = w
        .google
        .events()
        .into_iter()
        .find(|e| e["status"] == "confirmed")
        .unwrap();
    let remade_id = remade["id"].as_str().unwrap();
    assert_ne!(remade_id, first);
    assert!(remade_id.ends_with("r1"), "{remade_id}");
    assert_eq!(w.google.guests(remade_id), everyone());
    assert!(w.google.take_lines().contains(&format!("GET /{first}")));
}

async fn answers_given_in_google_become_rsvps_and_a_later_lens_answer_stands(postgres: bool) {
    let w = committed_with_calendar(postgres, 0).await;
    w.event_made().await;
    let first = w.starts().await[0];
    w.google.answer(&email("learner0"), first, "accepted");
    w.google.answer(&email("learner1"), first, "declined");
    w.google.answer(&email("learner2"), first, "tentative");
    w.refresh(&w.facilitator).await.unwrap();
    eventually("the answers are read back", || async {
        w.first_meeting_answers()
            .await
            .contains(&("learner2".into(), v1::RsvpStatus::Tentative))
    })
    .await;
    let answers = w.first_meeting_answers().await;
    assert!(answers.contains(&("learner0".into(), v1::RsvpStatus::Attending)));
    assert!(answers.contains(&("learner1".into(), v1::RsvpStatus::NotAttending)));
    assert!(answers.contains(&("learner3".into(), v1::RsvpStatus::Pending)));

    // learner0 changes their mind in Lens; Google still says accepted, which
    // is not news, so the next pull keeps Lens's answer while it takes
    // learner1's new one.
    let meeting_id = w.stored_meetings().await[0].id;
    w.meetings()
        .await
        .rsvp(authed(
            v1::RsvpRequest {
                meeting_id: meeting_id.0,
                rsvp: v1::RsvpStatus::NotAttending.into(),
            },
            &w.learners[0].token,
        ))
        .await
        .unwrap();
    w.google.answer(&email("learner1"), first, "accepted");
    w.refresh(&w.facilitator).await.unwrap();
    eventually("learner1's new answer is read", || async {
        w.first_meeting_answers()
            .await
            .contains(&("learner1".into(), v1::RsvpStatus::Attending))
    })
    .await;
    assert!(
        w.first_meeting_answers()
            .await
            .contains(&("learner0".into(), v1::RsvpStatus::NotAttending))
    );
}

async fn a_failed_call_is_retried_and_the_event_is_made_once(postgres: bool) {
    let w = committed_with_calendar(postgres, 1).await;
    w.event_made().await;
    assert_eq!(w.google.take_lines(), ["POST ", "POST "]);
    assert_eq!(w.google.events().len(), 1);
}

async fn only_a_groups_lead_may_refresh_its_calendar(postgres: bool) {
    let w = committed_with_calendar(postgres, 0).await;
    let refused = w.refresh(&w.learners[0]).await.unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
    w.refresh(&w.world.admin).await.unwrap();
    let unknown = MeetingServiceClient::new(w.world.core.channel().await)
        .refresh_group_calendar(authed(
            v1::RefreshGroupCalendarRequest { group_id: 9999 },
            &w.world.admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        (unknown.code(), unknown.message()),
        (Code::NotFound, "no group with id 9999")
    );

    let off = CohortWorld::committed(postgres, 1, 4).await;
    let group_id = off.groups[0];
    let refused = MeetingServiceClient::new(off.core.channel().await)
        .refresh_group_calendar(authed(
            v1::RefreshGroupCalendarRequest { group_id },
            &off.admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused.message().contains(".ics"), "{}", refused.message());
}
