//! Email through SendGrid: reminders reach each member once, in their own
//! time, with a link that stops email without signing in; retries never
//! send twice; people who switched email off get none.

use chrono::Duration;
use lens_proto::v1;
use lens_runtime::{HttpUrl, Secret};
use lens_server::config::EmailConfig;
use lens_server::delivery::worker::Worker;
use lens_server::domain::{Email, GroupId, UserId};
use lens_server::email::mailer::Mailer;
use lens_server::email::sendgrid::SendGrid;
use lens_server::email::unsubscribe::UnsubscribeSigner;
use lens_server::meetings::remind::Reminders;
use lens_server::store::MeetingRecord;
use lens_tests::TEST_JWT_SECRET;
use lens_tests::cohorts::{CohortWorld, Person, discord_id_of};
use lens_tests::core::authed;
use lens_tests::fakes::sendgrid::{FakeSendGrid, SENDGRID_KEY};

both_backends!(
    a_reminder_email_reaches_each_member_once_in_their_own_time,
    a_failed_send_is_retried_and_sent_once,
    someone_who_switched_email_off_gets_none,
    an_unsubscribe_link_works_without_signing_in_and_a_forged_one_does_not,
    the_nudge_goes_only_to_learners_with_reading_left_and_points_to_it,
    signing_up_welcomes_and_committing_tells_each_member_their_group,
);

/// A committed world whose first group's members have email addresses
/// (in Berlin), with a mailer sending to the fake.
async fn world_with_email(postgres: bool) -> (CohortWorld, FakeSendGrid, Mailer, Vec<Person>) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let sendgrid = FakeSendGrid::start().await;
    let group = world.list_groups().await.remove(0);
    let mut people = Vec::new();
    for member in &group.members {
        let person = Person {
            id: member.user_id,
            token: world.core.user_token(member.user_id, false),
            discord_id: discord_id_of(&member.name),
        };
        world
            .users()
            .await
            .update_profile(authed(
                v1::UpdateProfileRequest {
                    email: Some(format!("{}@example.org", member.name)),
                    timezone: Some("Europe/Berlin".into()),
                    ..Default::default()
                },
                &person.token,
            ))
            .await
            .unwrap();
        people.push(person);
    }
    let config = EmailConfig {
        api_key: Secret::new(SENDGRID_KEY),
        from_email: Email::parse("from", "course@lens.example").unwrap(),
        from_name: "Lens".into(),
        api_base_url: HttpUrl::parse(&sendgrid.url).unwrap(),
    };
    let mailer = Mailer::new(
        world.core.state.store.clone(),
        world.core.state.content.clone(),
        SendGrid::new(reqwest::Client::new(), config),
        UnsubscribeSigner::new(&Secret::new(TEST_JWT_SECRET)),
        "https://lens.example",
    );
    (world, sendgrid, mailer, people)
}

async fn first_meeting(world: &CohortWorld) -> MeetingRecord {
    world
        .core
        .state
        .store
        .meetings_of_group(GroupId(world.groups[0]))
        .await
        .unwrap()
        .remove(0)
}

/// Fires the day-before reminders of the first meeting, then runs the
/// mailer until it has nothing due at `later` after them.
async fn remind_and_mail(world: &CohortWorld, mailer: &Mailer, later: Duration) {
    let store = world.core.state.store.clone();
    let first = first_meeting(world).await;
    let at = first.starts_at - Duration::hours(24);
    let reminders = Worker::new(store.clone(), Reminders::new(store.clone(), true));
    while reminders.run_once_at(at).await.unwrap() > 0 {}
    let mail = Worker::new(store.clone(), mailer.clone());
    while mail.run_once_at(at + later).await.unwrap() > 0 {}
}

async fn a_reminder_email_reaches_each_member_once_in_their_own_time(postgres: bool) {
    let (world, sendgrid, mailer, people) = world_with_email(postgres).await;
    remind_and_mail(&world, &mailer, Duration::zero()).await;
    let sent = sendgrid.accepted();
    assert_eq!(sent.len(), people.len(), "one each");
    let first = first_meeting(&world).await;
    let local = first
        .starts_at
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%A %-d %B, %H:%M (Europe/Berlin)")
        .to_string();
    for message in &sent {
        let text = message["content"][0]["value"].as_str().unwrap();
        let html = message["content"][1]["value"].as_str().unwrap();
        assert!(
            message["subject"]
                .as_str()
                .unwrap()
                .ends_with("meets tomorrow")
        );
        assert!(text.contains(&local), "{text}");
        assert!(text.contains("meeting 1 of 4"), "{text}");
        assert!(
            text.contains("https://lens.example/unsubscribe?user="),
            "{text}"
        );
        assert!(html.contains("Stop these emails"), "{html}");
        assert_eq!(message["from"]["email"], "course@lens.example");
        assert!(
            message["headers"]["List-Unsubscribe"]
                .as_str()
                .unwrap()
                .starts_with("<https://lens.example/unsubscribe")
        );
    }
    // Running everything again sends nothing more.
    remind_and_mail(&world, &mailer, Duration::minutes(5)).await;
    assert_eq!(sendgrid.accepted().len(), people.len());
}

async fn the_nudge_goes_only_to_learners_with_reading_left_and_points_to_it(postgres: bool) {
    let (world, sendgrid, mailer, people) = world_with_email(postgres).await;
    // people[0] facilitates; people[1] has read everything for meeting 1.
    let loaded = world.core.state.content.current();
    let snapshot = &loaded.snapshot;
    let course = snapshot.course("default").unwrap();
    let modules: Vec<_> = course
        .units
        .iter()
        .filter(|u| u.meeting == Some(1))
        .flat_map(|u| u.modules.iter().filter(|m| !u.optional.contains(m)))
        .filter_map(|slug| snapshot.modules.get(slug))
        .collect();
    let store = &world.core.state.store;
    for module in &modules {
        for lens in module.parts().1 {
            store
                .mark_complete(UserId(people[1].id), lens, "lens", chrono::Utc::now())
                .await
                .unwrap();
        }
    }
    let first_lens_left = modules
        .iter()
        .find_map(|m| m.parts().1.first().map(|id| id.to_string()))
        .expect("meeting 1 has required reading");
    let first_lens_title = snapshot
        .lenses
        .values()
        .find(|l| l.id == first_lens_left)
        .unwrap()
        .title
        .clone();

    let first = first_meeting(&world).await;
    let at = first.starts_at - Duration::days(3);
    let reminders = Worker::new(store.clone(), Reminders::new(store.clone(), true));
    while reminders.run_once_at(at).await.unwrap() > 0 {}
    let mail = Worker::new(store.clone(), mailer.clone());
    while mail.run_once_at(at).await.unwrap() > 0 {}

    let sent = sendgrid.accepted();
    let to: Vec<&str> = sent
        .iter()
        .map(|m| m["personalizations"][0]["to"][0]["email"].as_str().unwrap())
        .collect();
    let names: Vec<String> = world.list_groups().await[0]
        .members
        .iter()
        .map(|m| format!("{}@example.org", m.name))
        .collect();
    assert_eq!(sent.len(), 3, "learners with reading left: {to:?}");
    assert!(!to.contains(&names[0].as_str()), "not the facilitator");
    assert!(!to.contains(&names[1].as_str()), "not who has read it all");
    let text = sent[0]["content"][0]["value"].as_str().unwrap();
    assert!(text.contains("meets in three days"), "{text}");
    assert!(
        text.contains(&format!(
            "Continue with {first_lens_title}: https://lens.example/module/"
        )),
        "{text}"
    );
}

async fn a_failed_send_is_retried_and_sent_once(postgres: bool) {
    let (world, sendgrid, mailer, people) = world_with_email(postgres).await;
    sendgrid.fail_next(1);
    remind_and_mail(&world, &mailer, Duration::zero()).await;
    assert_eq!(
        sendgrid.accepted().len(),
        people.len() - 1,
        "one waits to retry"
    );
    // After the backoff (at most 2.5 s for a first failure).
    let mail = Worker::new(world.core.state.store.clone(), mailer.clone());
    let first = first_meeting(&world).await;
    while mail
        .run_once_at(first.starts_at - Duration::hours(24) + Duration::minutes(1))
        .await
        .unwrap()
        > 0
    {}
    let sent = sendgrid.accepted();
    assert_eq!(sent.len(), people.len());
    let mut recipients: Vec<&str> = sent
        .iter()
        .map(|m| m["personalizations"][0]["to"][0]["email"].as_str().unwrap())
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), people.len(), "nobody twice");
}

async fn someone_who_switched_email_off_gets_none(postgres: bool) {
    let (world, sendgrid, mailer, people) = world_with_email(postgres).await;
    world
        .users()
        .await
        .update_profile(authed(
            v1::UpdateProfileRequest {
                notifications: Some(v1::NotificationPreferences {
                    email: false,
                    discord_dm: true,
                }),
                ..Default::default()
            },
            &people[1].token,
        ))
        .await
        .unwrap();
    remind_and_mail(&world, &mailer, Duration::zero()).await;
    let sent = sendgrid.accepted();
    assert_eq!(sent.len(), people.len() - 1);
    let off = format!(
        "{}@example.org",
        world.list_groups().await[0].members[1].name
    );
    assert!(
        sent.iter()
            .all(|m| m["personalizations"][0]["to"][0]["email"] != off.as_str())
    );
}

async fn an_unsubscribe_link_works_without_signing_in_and_a_forged_one_does_not(postgres: bool) {
    let (world, _sendgrid, _mailer, people) = world_with_email(postgres).await;
    let signer = UnsubscribeSigner::new(&Secret::new(TEST_JWT_SECRET));
    let person = &people[1];
    let unsubscribe = |user_id: i64, signature: String| {
        let world = &world;
        async move {
            world
                .users()
                .await
                .unsubscribe(v1::UnsubscribeRequest { user_id, signature })
                .await
        }
    };
    let forged = unsubscribe(person.id, signer.sign(UserId(people[2].id)))
        .await
        .unwrap_err();
    assert_eq!(forged.code(), tonic::Code::PermissionDenied);
    let store = &world.core.state.store;
    assert!(
        store
            .user_by_id(UserId(person.id))
            .await
            .unwrap()
            .unwrap()
            .notify_email
    );
    unsubscribe(person.id, signer.sign(UserId(person.id)))
        .await
        .unwrap();
    assert!(
        !store
            .user_by_id(UserId(person.id))
            .await
            .unwrap()
            .unwrap()
            .notify_email
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unsubscribe_page_asks_first_and_then_stops_email() {
    let world = CohortWorld::empty(false).await;
    let person = world.person("ada", Vec::new()).await;
    let web = lens_tests::web::TestWeb::start(&world.core, false).await;
    let signer = UnsubscribeSigner::new(&Secret::new(TEST_JWT_SECRET));
    let link = format!(
        "{}/unsubscribe?user={}&sig={}",
        web.url,
        person.id,
        signer.sign(UserId(person.id))
    );
    let browser = reqwest::Client::new();
    let page = browser
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<button type=\"submit\">Stop emails</button>"),
        "{page}"
    );
    let store = &world.core.state.store;
    let email_on = || async {
        store
            .user_by_id(UserId(person.id))
            .await
            .unwrap()
            .unwrap()
            .notify_email
    };
    assert!(email_on().await, "opening the link changes nothing");

    let forged = browser
        .post(format!(
            "{}/unsubscribe?user={}&sig=forged",
            web.url, person.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(email_on().await);

    let done = browser.post(&link).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Emails stopped"));
    assert!(!email_on().await);
}

async fn signing_up_welcomes_and_committing_tells_each_member_their_group(postgres: bool) {
    let sendgrid = FakeSendGrid::start().await;
    let env = vec![
        ("SENDGRID_API_KEY".to_owned(), SENDGRID_KEY.to_owned()),
        ("FROM_EMAIL".to_owned(), "course@lens.example".to_owned()),
        ("SENDGRID_API_BASE_URL".to_owned(), sendgrid.url.clone()),
    ];
    let mut world = CohortWorld::empty_with(postgres, env).await;
    world.cohort_id = world
        .create_cohort(lens_tests::cohorts::spring_cohort())
        .await
        .unwrap()
        .id;
    let mut people = vec![
        world
            .facilitator("fac0", lens_tests::cohorts::monday())
            .await,
    ];
    for i in 0..4 {
        people.push(
            world
                .learner(&format!("learner{i}"), lens_tests::cohorts::monday())
                .await,
        );
    }
    let subjects = || {
        sendgrid
            .accepted()
            .iter()
            .map(|m| m["subject"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // They signed up before giving an address: their welcomes are logged
    // as skipped. Someone with an address gets one.
    lens_tests::bot::eventually("the first welcomes are dealt with", || async {
        world
            .core
            .state
            .store
            .list_jobs(
                &[
                    lens_server::domain::JobState::Pending,
                    lens_server::domain::JobState::Running,
                ],
                100,
            )
            .await
            .unwrap()
            .iter()
            .all(|j| !j.kind.starts_with("email."))
    })
    .await;
    for person in &people {
        give_address(&world, person).await;
    }
    let newcomer = world.person("newcomer", Vec::new()).await;
    give_address(&world, &newcomer).await;
    world
        .sign_up(&newcomer, v1::SignupRole::Learner)
        .await
        .unwrap();
    lens_tests::bot::eventually("the newcomer is welcomed", || async {
        subjects() == ["Welcome to Spring 2027"]
    })
    .await;
    let welcome = sendgrid.accepted()[0]["content"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        welcome.contains("starting Monday 1 March 2027"),
        "{welcome}"
    );
    assert!(
        welcome.contains("https://lens.example/availability") || welcome.contains("/availability"),
        "{welcome}"
    );

    world.propose().await.unwrap();
    world.commit().await.unwrap();
    lens_tests::bot::eventually("each member hears of their group", || async {
        subjects()
            .iter()
            .filter(|s| s.starts_with("Your group: "))
            .count()
            == people.len()
    })
    .await;
    let sent = sendgrid.accepted();
    let text = sent
        .iter()
        .find(|m| m["subject"].as_str().unwrap().starts_with("Your group: "))
        .unwrap()["content"][0]["value"]
        .as_str()
        .unwrap();
    assert!(text.contains("It meets every week at "), "{text}");
    assert!(text.contains("Facilitator: fac0"), "{text}");
    assert!(text.contains("the first is Monday 1 March"), "{text}");
}

async fn give_address(world: &CohortWorld, person: &Person) {
    world
        .users()
        .await
        .update_profile(authed(
            v1::UpdateProfileRequest {
                email: Some(format!("user{}@example.org", person.id)),
                ..Default::default()
            },
            &person.token,
        ))
        .await
        .unwrap();
}
