//! The whole platform on loopback for browser tests: the real core (SQLite,
//! the content fixture) and web edge serving the built frontend, with fake
//! Discord (its authorize page approves at once) and a fake Anthropic API.
//!
//! Besides the content it holds "Open cohort" (taking sign-ups, none yet) and
//! "Autumn cohort" (two facilitators and ten learners signed up, one of
//! whom matching cannot place), for the enrolment page and the admin
//! console.
//!
//! Prints one JSON line with the URLs, then runs until stdin closes, so the
//! browser test that spawned it cannot leave it behind. Lines on stdin set
//! how the fake model answers from then on: `refuse STATUS SECONDS` (an HTTP
//! refusal with `retry-after`), or `answer` (the scripted answer again);
//! `group ID` and `lead ID` put the user with that Discord id into a
//! committed group as a learner or its facilitator, and `admin ID` makes
//! them an admin from their next sign-in.
//!
//! `cargo run -p lens-tests --bin e2e-stack -- web_frontend/dist [--bench]`
//!
//! When its environment has `VITE_SENTRY_DSN` or `VITE_POSTHOG_KEY` (the
//! values the app was built with), a fake Sentry or PostHog starts too and
//! the web edge relays to it; their `/received` lists what arrived.
//!
//! With `--bench` the tutor answers its first word at once and the chat
//! limits are lifted, so a benchmark can time many answers.

use std::time::Duration;

use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::fakes::discord::{FakeDiscord, FakeUser};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::fakes::posthog::FakePostHog;
use lens_tests::fakes::sentry::FakeSentry;
use lens_tests::web::TestWeb;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;

/// The tutor's scripted answer: a word every `pace`, slow enough for a test
/// to watch it stream and to stop it part way; with `first_at_once` the
/// first word comes without a pause.
fn answer(pace: Duration, first_at_once: bool) -> Vec<Step> {
    let words = [
        "Cascades ",
        "happen ",
        "when ",
        "one ",
        "improvement ",
        "makes ",
        "the ",
        "next ",
        "one ",
        "easier, ",
        "so ",
        "progress ",
        "compounds.",
    ];
    words
        .iter()
        .enumerate()
        .flat_map(|(i, w)| {
            let wait = if i == 0 && first_at_once {
                Duration::ZERO
            } else {
                pace
            };
            [Step::Wait(wait), Step::Text(w)]
        })
        .collect()
}

/// Where the signed-in user goes in a group.
#[derive(Clone, Copy)]
enum Seat {
    /// A learner in "Hypatia", of a cohort starting next Monday.
    Learner,
    /// The facilitator of "Noether", of a cohort that began two weeks ago
    /// (so its first meetings have taken place).
    Facilitator,
}

/// Someone who signed in with Discord as `name` once.
async fn member(core: &TestCore, discord_id: &str, name: &str) -> lens_server::domain::UserId {
    let profile = lens_server::store::DiscordProfile {
        discord_id: discord_id.into(),
        username: name.into(),
        global_name: None,
        avatar_hash: None,
        email: None,
        email_verified: false,
    };
    let user = core.state.store.upsert_discord_user(&profile).await;
    user.expect("user").id
}

/// Makes the user with `discord_id` an admin (from their next sign-in).
async fn make_admin(core: &TestCore, discord_id: &str) {
    let store = &core.state.store;
    match store.user_by_discord_id(discord_id).await.expect("store") {
        Some(user) => {
            store.set_admin(user.id, true).await.expect("admin");
        }
        None => eprintln!("e2e-stack: nobody signed in as {discord_id}"),
    }
}

/// Puts the user with `discord_id` into a committed group of four others.
async fn put_in_a_group(core: &TestCore, discord_id: &str, seat: Seat) {
    let store = &core.state.store;
    let Some(user) = store.user_by_discord_id(discord_id).await.expect("store") else {
        eprintln!("e2e-stack: nobody signed in as {discord_id}");
        return;
    };
    let today = chrono::Utc::now().date_naive();
    let monday = today
        + chrono::Duration::days(
            7 - i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()),
        );
    let (cohort_name, start, group_name, names, id_base) = match seat {
        Seat::Learner => (
            "Next cohort",
            monday,
            "Hypatia",
            ["grace", "alan", "emmy", "kurt"],
            0,
        ),
        Seat::Facilitator => (
            "Earlier cohort",
            monday - chrono::Duration::weeks(3),
            "Noether",
            ["ida", "lise", "chien", "marie"],
            100,
        ),
    };
    let cohort = store
        .create_cohort(cohort_name, "default", start, 4, 60)
        .await
        .expect("cohort");
    let mut others = Vec::new();
    for name in names {
        let discord_id = format!("32000000000000{:04}", id_base + others.len());
        others.push(member(core, &discord_id, name).await);
    }
    let (facilitator, learners) = match seat {
        Seat::Learner => (others[0], vec![user.id, others[1], others[2], others[3]]),
        Seat::Facilitator => (user.id, others.clone()),
    };
    let group = lens_server::store::NewGroup {
        name: group_name.into(),
        start_slot: 36,
        anchor: "UTC".into(),
        local_slot: 36,
        facilitator,
        learners,
    };
    store
        .replace_preview_groups(cohort.id, &[group], &[])
        .await
        .expect("group");
    lens_server::cohorts::Cohorts::new(store.clone())
        .commit(cohort.id)
        .await
        .expect("committed");
    if matches!(seat, Seat::Facilitator) {
        has_read_and_asked(core, others[0]).await;
    }
}

/// "Autumn cohort", for the admin console: two facilitators and nine
/// learners free Monday 18:00–20:00 UTC, and one learner free only on
/// Sunday night, whom matching cannot place.
async fn seed_autumn_cohort(core: &TestCore, start: chrono::NaiveDate) {
    use lens_server::domain::CohortRole;
    let store = &core.state.store;
    let cohort = store
        .create_cohort("Autumn cohort", "default", start, 4, 28)
        .await
        .expect("autumn cohort");
    let monday: Vec<u16> = (36..40).collect();
    let sunday_night: Vec<u16> = (6 * 48 + 6..6 * 48 + 8).collect();
    let people = ["hopper", "liskov"]
        .into_iter()
        .map(|n| (n, CohortRole::Facilitator, &monday))
        .chain(
            ["ana", "bo", "cy", "dee", "eli", "fay", "gus", "hal", "ivy"]
                .into_iter()
                .map(|n| (n, CohortRole::Learner, &monday)),
        )
        .chain([("sunny", CohortRole::Learner, &sunday_night)]);
    for (i, (name, role, slots)) in people.enumerate() {
        let person = member(core, &format!("33000000000000{i:04}"), name).await;
        store
            .set_availability(person, "UTC", slots, &[])
            .await
            .expect("availability");
        if role == CohortRole::Facilitator {
            store.set_facilitator(person, 2).await.expect("facilitator");
        }
        store
            .sign_up(cohort.id, person, role, false)
            .await
            .expect("signed up");
    }
}

/// `learner` completed the course's first lens and asked the tutor about
/// it, for the facilitator's view of their group.
async fn has_read_and_asked(core: &TestCore, learner: lens_server::domain::UserId) {
    use lens_server::content::model::ContentKind;
    let store = &core.state.store;
    let lens = {
        let loaded = core.state.content.current();
        let first = &loaded.snapshot.courses["default"].units[0].modules[0];
        loaded.snapshot.modules[first].parts().1[0].to_owned()
    };
    store
        .mark_complete(
            learner,
            &lens,
            ContentKind::Lens.as_str(),
            chrono::Utc::now(),
        )
        .await
        .expect("lens complete");
    lens_tests::tutor::stored_chat(
        store,
        learner,
        &lens,
        "Is a feedback loop always a risk?",
        Some("Not always: some loops steady a system."),
    )
    .await;
}

/// What the fake model says of an answer when asked for an assessment.
const ASSESSMENT: &str = r#"{"score": 3, "reasoning": "You name prediction and steering and why generality matters.", "dimensions": [{"name": "components", "note": "Both named."}, {"name": "generality", "note": "Well placed."}]}"#;

/// Gives the January outcome "Feedback cycles create discontinuity" (whose
/// `## Test:` is empty) the test that today's content asks in "Define
/// Intelligence", question, rubric and all, so the browser answers a real
/// question beside the reading the other steps use.
fn ask_todays_question(content: &std::path::Path) {
    let today = std::fs::read_to_string(
        lens_tests::relay_fixture().join("Learning Outcomes/Define Intelligence.md"),
    )
    .expect("today's Define Intelligence outcome");
    let start = today.find("## Test:").expect("a test");
    let end = start
        + today[start..]
            .find("## Lens:")
            .expect("lenses after the test");
    let outcome = content.join("Learning Outcomes/Feedback cycles create discontinuity.md");
    let january = std::fs::read_to_string(&outcome).expect("the January outcome");
    let with_test = january.replacen("## Test:\n", &today[start..end], 1);
    assert_ne!(with_test, january, "the January outcome has an empty test");
    std::fs::write(outcome, with_test).expect("write the outcome");
}

/// Gives the January lens on Good's "Speculations" the roleplay that
/// today's content has in its trial lens (a draft there), character,
/// opening message, rubric and all.
fn add_todays_roleplay(content: &std::path::Path) {
    let today = std::fs::read_to_string(
        lens_tests::relay_fixture().join("Lenses/Trial question and roleplay.md"),
    )
    .expect("today's trial lens");
    let start = today.find("#### Roleplay").expect("a roleplay");
    let end = start
        + 4
        + today[start + 4..]
            .find("#### ")
            .expect("a segment after it");
    let lens = content.join("Lenses/Speculations concerning the first ultraintelligent machine.md");
    let january = std::fs::read_to_string(&lens).expect("the January lens");
    let with_roleplay =
        january.replacen("#### Text", &format!("{}#### Text", &today[start..end]), 1);
    assert_ne!(
        with_roleplay, january,
        "the January lens has a text segment"
    );
    std::fs::write(lens, with_roleplay).expect("write the lens");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let static_dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "web_frontend/dist".into());
    assert!(
        std::path::Path::new(&static_dir)
            .join("index.html")
            .is_file(),
        "no built frontend at {static_dir}; run `npm run build` in web_frontend first"
    );
    let discord = FakeDiscord::start().await;
    discord.consent_as(FakeUser {
        id: "310000000000000042".into(),
        username: "ada".into(),
        global_name: Some("Ada Lovelace".into()),
        email: Some("ada@example.org".into()),
    });
    let llm = FakeLlm::start().await;
    let (pace, first_at_once) = if bench {
        (Duration::from_millis(5), true)
    } else {
        (Duration::from_millis(120), false)
    };
    llm.script(answer(pace, first_at_once));
    // Lifted for the bench; low for the test, which sees the limit answered.
    let per_minute = if bench { "100000" } else { "4" };
    let limits = vec![
        ("CHAT_MESSAGES_PER_MINUTE".into(), per_minute.into()),
        ("CHAT_DAILY_TOKEN_QUOTA".into(), "1000000000".into()),
    ];

    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let web_url = format!("http://{}", listener.local_addr().expect("address"));
    // A copy of the content, so the browser tests can edit it and watch the
    // content status page follow.
    let content = tempfile::tempdir().expect("temporary folder");
    lens_tests::copy_tree(&lens_tests::content_fixture(), content.path());
    ask_todays_question(content.path());
    add_todays_roleplay(content.path());
    llm.script_structured(vec![Step::Text(ASSESSMENT)]);
    let core = TestCore::start(CoreOptions {
        discord_base_url: Some(discord.url.clone()),
        env: vec![
            ("CONTENT_DIR".into(), content.path().display().to_string()),
            (
                "DISCORD_REDIRECT_URI".into(),
                format!("{web_url}/auth/discord/callback"),
            ),
            ("LLM_BASE_URL".into(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".into(), FAKE_LLM_KEY.into()),
        ]
        .into_iter()
        .chain(limits)
        .collect(),
        ..Default::default()
    })
    .await;
    // A cohort taking sign-ups, three weeks out, for the enrolment page.
    let today = chrono::Utc::now().date_naive();
    core.state
        .store
        .create_cohort(
            "Open cohort",
            "default",
            today + chrono::Duration::weeks(3),
            4,
            28,
        )
        .await
        .expect("open cohort");
    seed_autumn_cohort(&core, today + chrono::Duration::weeks(4)).await;
    let mut edge = vec![("LENS_STATIC_DIR".to_owned(), static_dir)];
    let sentry = match std::env::var("VITE_SENTRY_DSN") {
        Ok(dsn) => {
            let sentry = FakeSentry::start().await;
            edge.push(("VITE_SENTRY_DSN".into(), dsn));
            edge.push(("SENTRY_INGEST_BASE_URL".into(), sentry.url.clone()));
            Some(sentry)
        }
        Err(_) => None,
    };
    let posthog = match std::env::var("VITE_POSTHOG_KEY") {
        Ok(key) => {
            let posthog = FakePostHog::start().await;
            edge.push(("VITE_POSTHOG_KEY".into(), key));
            edge.push(("VITE_POSTHOG_HOST".into(), posthog.url.clone()));
            Some(posthog)
        }
        Err(_) => None,
    };
    let _web = TestWeb::start_on(listener, &core, false, edge).await;
    println!(
        "{}",
        serde_json::json!({
            "url": web_url,
            "discord": discord.url,
            "llm": llm.url,
            "content_dir": content.path(),
            "sentry": sentry.as_ref().map(|s| &s.url),
            "posthog": posthog.as_ref().map(|p| &p.url),
        })
    );
    // Runs until whoever started it closes our stdin (or exits).
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["refuse", status, seconds] => llm.script(vec![Step::Refuse {
                status: status.parse().expect("an HTTP status"),
                retry_after: Some(seconds.parse().expect("seconds")),
            }]),
            ["answer"] => llm.script(answer(pace, first_at_once)),
            // The next answer thinks, looks something up in the course,
            // then answers as usual.
            ["lookup"] => llm.script_each(vec![
                vec![
                    Step::Thinking("The learner asks where; search the course first."),
                    Step::ToolCall {
                        name: "search_course",
                        arguments: r#"{"query": "ultraintelligent machine"}"#,
                    },
                ],
                answer(pace, first_at_once),
            ]),
            ["group", discord_id] => put_in_a_group(&core, discord_id, Seat::Learner).await,
            ["lead", discord_id] => put_in_a_group(&core, discord_id, Seat::Facilitator).await,
            ["admin", discord_id] => make_admin(&core, discord_id).await,
            _ => eprintln!("e2e-stack: unknown command {line:?}"),
        }
    }
}
