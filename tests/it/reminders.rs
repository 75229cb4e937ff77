//! Meeting reminders are scheduled jobs: run through the weeks by handing
//! the reminder worker the time to act at (no sleeping through hours), they
//! fire once at their times, skip what no longer makes sense, and reach the
//! group's Discord channel through the bot.

use chrono::{DateTime, Duration, Utc};
use lens_server::delivery::worker::Worker;
use lens_server::domain::{GroupId, JobState, MeetingId, Rsvp, UserId};
use lens_server::meetings::remind::Reminders;
use lens_server::store::{MeetingRecord, NotificationChannel, ProfileChanges, Store};
use lens_tests::bot::{RunningBot, eventually};
use lens_tests::cohorts::{CohortWorld, discord_id_of};
use lens_tests::fakes::discord::FakeDiscord;

both_backends!(
    the_day_before_reminder_fires_once_at_its_time,
    a_reminder_more_than_an_hour_late_is_dropped,
    a_postponed_meeting_is_not_reminded_and_its_replacement_is,
    the_bot_posts_the_reminder_in_the_groups_channel,
    the_nudge_reaches_learners_with_reading_left_by_dm_unless_they_said_no,
);

fn worker(store: &Store) -> Worker<Reminders> {
    Worker::new(store.clone(), Reminders::new(store.clone(), false))
}

async fn meetings(world: &CohortWorld) -> Vec<MeetingRecord> {
    world
        .core
        .state
        .store
        .meetings_of_group(GroupId(world.groups[0]))
        .await
        .unwrap()
}

/// The Discord reminders queued so far, by key.
async fn channel_reminders(store: &Store) -> Vec<String> {
    let mut keys: Vec<String> = store
        .list_jobs(&[], 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "discord.remind")
        .map(|j| j.idempotency_key)
        .collect();
    keys.sort();
    keys
}

/// Runs the worker at `now` until nothing more is due.
async fn run_at(worker: &Worker<Reminders>, now: DateTime<Utc>) {
    while worker.run_once_at(now).await.unwrap() > 0 {}
}

fn key(meeting: MeetingId, hours: i64) -> String {
    format!("meeting:{meeting}:discord.remind.{hours}h")
}

fn at(meeting: &MeetingRecord, before: Duration) -> DateTime<Utc> {
    meeting.starts_at - before
}

async fn the_day_before_reminder_fires_once_at_its_time(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let store = world.core.state.store.clone();
    let first = meetings(&world).await.remove(0);
    let worker = worker(&store);
    let day_before = Duration::hours(24);

    worker
        .run_once_at(at(&first, day_before) - Duration::minutes(1))
        .await
        .unwrap();
    assert!(channel_reminders(&store).await.is_empty(), "not yet");

    worker.run_once_at(at(&first, day_before)).await.unwrap();
    assert_eq!(channel_reminders(&store).await, [key(first.id, 24)]);
    // The three-day nudge was due too, two days late: dropped, not sent.
    let nudge = store
        .list_jobs(&[JobState::Done], 1000)
        .await
        .unwrap()
        .into_iter()
        .any(|j| j.idempotency_key == format!("meeting:{}:reminder.nudge", first.id));
    assert!(nudge, "the nudge's job is over");

    assert_eq!(worker.run_once_at(at(&first, day_before)).await.unwrap(), 0);
    worker
        .run_once_at(at(&first, Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(
        channel_reminders(&store).await,
        [key(first.id, 1), key(first.id, 24)],
        "each once"
    );
}

async fn a_reminder_more_than_an_hour_late_is_dropped(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let store = world.core.state.store.clone();
    let first = meetings(&world).await.remove(0);
    // The core was down from before the reminder until 90 minutes after.
    worker(&store)
        .run_once_at(at(&first, Duration::hours(24)) + Duration::minutes(90))
        .await
        .unwrap();
    assert!(channel_reminders(&store).await.is_empty());
}

async fn a_postponed_meeting_is_not_reminded_and_its_replacement_is(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let store = world.core.state.store.clone();
    let before = meetings(&world).await;
    let added = store
        .postpone_meeting(GroupId(world.groups[0]), before[0].id)
        .await
        .unwrap()
        .expect("postponed");
    let worker = worker(&store);
    run_at(&worker, at(&before[0], Duration::hours(24))).await;
    assert!(channel_reminders(&store).await.is_empty(), "called off");
    run_at(&worker, at(&added, Duration::hours(24))).await;
    let sent = channel_reminders(&store).await;
    assert!(sent.contains(&key(added.id, 24)), "{sent:?}");
    assert!(!sent.contains(&key(before[0].id, 24)));
}

/// A committed group of five, all in the Discord server, with the bot
/// running.
async fn committed_with_a_bot(postgres: bool) -> (CohortWorld, FakeDiscord, RunningBot) {
    let world = CohortWorld::proposed(postgres, 1, 4).await;
    let discord = FakeDiscord::start().await;
    for name in ["fac0", "learner0", "learner1", "learner2", "learner3"] {
        discord.add_member(&discord_id_of(name), None);
    }
    let bot = RunningBot::start(&discord, &world.core, 60).await;
    world.commit().await.unwrap();
    (world, discord, bot)
}

async fn the_bot_posts_the_reminder_in_the_groups_channel(postgres: bool) {
    let (world, discord, _bot) = committed_with_a_bot(postgres).await;
    eventually("the group is set up", || async {
        world.list_groups().await[0].realized
    })
    .await;
    let group = world.list_groups().await.remove(0);
    let first = meetings(&world).await.remove(0);
    let learner = group.members.iter().find(|m| m.name == "learner0").unwrap();
    world
        .core
        .state
        .store
        .set_rsvp(first.id, UserId(learner.user_id), Rsvp::Attending)
        .await
        .unwrap();
    worker(&world.core.state.store)
        .run_once_at(at(&first, Duration::hours(24)))
        .await
        .unwrap();
    let role = discord.guild(|g| g.roles[1].0.clone());
    eventually("the reminder is posted", || async {
        discord.guild(|g| {
            g.messages.iter().any(|(c, text)| {
                *c == group.discord_channel_id && text.contains("meeting 1 of 4 is tomorrow")
            })
        })
    })
    .await;
    let posted = discord.guild(|g| g.messages.last().unwrap().1.clone());
    assert!(posted.starts_with(&format!("<@&{role}>")), "{posted}");
    assert!(
        posted.contains(&format!("<t:{}:F>", first.starts_at.timestamp())),
        "{posted}"
    );
    assert!(posted.contains("To read before it:"), "{posted}");
    assert!(
        posted.contains("Coming: learner0; 4 not answered yet. Answer at <"),
        "{posted}"
    );
}

/// Marks everything required for meeting 1 of the default course read by
/// `user`.
async fn read_all_for_the_first_meeting(world: &CohortWorld, user: UserId) {
    let loaded = world.core.state.content.current();
    let snapshot = &loaded.snapshot;
    let course = snapshot.course("default").unwrap();
    for unit in course.units.iter().filter(|u| u.meeting == Some(1)) {
        for slug in unit.modules.iter().filter(|m| !unit.optional.contains(m)) {
            for lens in snapshot.modules[slug].parts().1 {
                world
                    .core
                    .state
                    .store
                    .mark_complete(user, lens, "lens", Utc::now())
                    .await
                    .unwrap();
            }
        }
    }
}

async fn the_nudge_reaches_learners_with_reading_left_by_dm_unless_they_said_no(postgres: bool) {
    let (world, discord, _bot) = committed_with_a_bot(postgres).await;
    let group = world.list_groups().await.remove(0);
    let id_of = |name: &str| {
        UserId(
            group
                .members
                .iter()
                .find(|m| m.name == name)
                .unwrap()
                .user_id,
        )
    };
    let store = world.core.state.store.clone();
    // learner1 has read it all; learner2 turned Discord messages off in
    // Lens; learner3 does not accept DMs in Discord.
    read_all_for_the_first_meeting(&world, id_of("learner1")).await;
    store
        .update_profile(
            id_of("learner2"),
            &ProfileChanges {
                notifications: Some((true, false)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    discord.close_dms(&discord_id_of("learner3"));

    let first = meetings(&world).await.remove(0);
    run_at(&worker(&store), at(&first, Duration::days(3))).await;
    eventually("learner0 is nudged", || async {
        !discord
            .direct_messages(&discord_id_of("learner0"))
            .is_empty()
    })
    .await;
    let dm = discord
        .direct_messages(&discord_id_of("learner0"))
        .remove(0);
    assert!(dm.starts_with("Hi learner0! Meeting 1 of **"), "{dm}");
    assert!(dm.contains("Still to read for it: "), "{dm}");
    assert!(dm.contains("/module/"), "{dm}");
    let failed = || async {
        store
            .list_jobs(&[JobState::Failed], 50)
            .await
            .unwrap()
            .into_iter()
            .any(|j| j.kind == "discord.nudge")
    };
    eventually("the closed DM fails, not retried", failed).await;
    for quiet in ["fac0", "learner1", "learner2", "learner3"] {
        assert!(
            discord.direct_messages(&discord_id_of(quiet)).is_empty(),
            "{quiet}"
        );
    }
    assert!(
        store
            .notified(
                id_of("learner2"),
                "module_nudge",
                &format!("meeting:{}", first.id),
                NotificationChannel::DiscordDm
            )
            .await
            .unwrap(),
        "the switched-off DM is logged as skipped"
    );
}
