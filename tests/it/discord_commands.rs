//! The bot's slash commands end to end: a Discord user invokes them in the
//! fake server, the bot asks the core as that user, and answers in words
//! only they see. Admin commands are decided by the core, not by Discord.

use lens_tests::bot::RunningBot;
use lens_tests::cohorts::{CohortWorld, Person, discord_id_of, monday};
use lens_tests::fakes::discord::FakeDiscord;
use serde_json::{Value, json};

both_backends!(
    ping_says_the_bot_and_lens_answer,
    availability_links_to_the_page,
    group_shows_members_time_channel_and_next_meeting,
    join_offers_groups_as_buttons_and_a_press_joins,
    cohort_names_complete_as_you_type,
    an_admin_proposes_groups_and_sees_progress_then_the_proposal,
    someone_who_is_not_a_lens_admin_cannot_propose,
    an_admin_commits_and_sees_the_groups_set_up_in_discord,
    a_commit_that_would_pass_discords_role_cap_is_refused_before_anything_changes,
);

/// A world with the bot running against a fake server holding its people.
async fn with_bot(world: CohortWorld, people: &[&str]) -> (CohortWorld, FakeDiscord, RunningBot) {
    let discord = FakeDiscord::start().await;
    for name in people {
        discord.add_member(&discord_id_of(name), None);
    }
    let bot = RunningBot::start(&discord, &world.core, 60).await;
    (world, discord, bot)
}

fn text(answer: &Value) -> &str {
    answer["data"]["content"]
        .as_str()
        .or_else(|| answer["content"].as_str())
        .unwrap_or_default()
}

fn cohort_option(world: &CohortWorld) -> Value {
    json!([{"name": "cohort", "type": 4, "value": world.cohort_id}])
}

fn subcommand(name: &str, world: &CohortWorld) -> Value {
    json!([{"name": name, "type": 1, "options": cohort_option(world)}])
}

async fn ping_says_the_bot_and_lens_answer(postgres: bool) {
    let (_world, discord, _bot) = with_bot(CohortWorld::empty(postgres).await, &[]).await;
    let answer = discord.invoke_command("ping", "100000000000000001").await;
    assert_eq!(answer["data"]["flags"], 64, "ephemeral");
    assert!(
        text(&answer).starts_with("Pong! Lens answered in "),
        "{answer}"
    );
}

async fn availability_links_to_the_page(postgres: bool) {
    let (_world, discord, _bot) = with_bot(CohortWorld::empty(postgres).await, &[]).await;
    let answer = discord
        .invoke_command("availability", "100000000000000001")
        .await;
    assert!(
        text(&answer).contains("https://lens.example/availability"),
        "{answer}"
    );
}

async fn group_shows_members_time_channel_and_next_meeting(postgres: bool) {
    let (world, discord, _bot) = with_bot(
        CohortWorld::committed(postgres, 1, 4).await,
        &["fac0", "learner0"],
    )
    .await;
    let group = world.list_groups().await.remove(0);
    lens_tests::bot::eventually("the group is set up", || async {
        world.list_groups().await[0].realized
    })
    .await;
    let channel = world.list_groups().await[0].discord_channel_id.clone();
    let answer = discord
        .invoke_command("group", &discord_id_of("learner0"))
        .await;
    let said = text(&answer);
    assert!(
        said.contains(&format!("**{}** (Spring 2027)", group.name)),
        "{said}"
    );
    assert!(said.contains("Facilitator: fac0"), "{said}");
    assert!(said.contains("learner0"), "{said}");
    assert!(said.contains(&group.meeting_time), "{said}");
    assert!(said.contains("Next meeting: 1 of 4, <t:"), "{said}");
    assert!(said.contains(&format!("<#{channel}>")), "{said}");

    let stranger = discord.invoke_command("group", "100000000000000099").await;
    assert!(
        text(&stranger).contains("sign in once at https://lens.example"),
        "{stranger}"
    );
}

async fn join_offers_groups_as_buttons_and_a_press_joins(postgres: bool) {
    let world = CohortWorld::committed(postgres, 2, 8).await;
    let late: Person = world.late_learner("late").await;
    let (world, discord, _bot) = with_bot(world, &["late"]).await;
    let (answer, _) = discord
        .invoke("join", &late.discord_id, cohort_option(&world))
        .await;
    let buttons: Vec<&Value> = answer["data"]["components"]
        .as_array()
        .expect("button rows")
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap())
        .collect();
    assert_eq!(buttons.len(), 2, "both groups have room: {answer}");
    let first = buttons[0]["custom_id"].as_str().unwrap().to_owned();

    let pressed = discord.press(&first, &late.discord_id).await;
    assert_eq!(pressed["type"], 7, "the button message is updated");
    assert!(text(&pressed).starts_with("You joined **"), "{pressed}");
    let joined: i64 = first.trim_start_matches("join:").parse().unwrap();
    let groups = world.list_groups().await;
    let group = groups.iter().find(|g| g.id == joined).unwrap();
    assert!(group.members.iter().any(|m| m.user_id == late.id));

    let again = discord.press(&first, &late.discord_id).await;
    assert!(
        text(&again).starts_with("Lens could not do this:"),
        "{again}"
    );
}

async fn cohort_names_complete_as_you_type(postgres: bool) {
    let world = CohortWorld::planned(postgres).await;
    let admin = discord_id_of("admin");
    let (world, discord, _bot) = with_bot(world, &[]).await;
    let options = json!([{"name": "propose", "type": 1, "options": [
        {"name": "cohort", "type": 4, "value": "spr", "focused": true}
    ]}]);
    let answer = discord.autocomplete("cohort", &admin, options).await;
    assert_eq!(answer["type"], 8, "autocomplete choices");
    let choices = answer["data"]["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0]["value"], world.cohort_id);
    assert!(
        choices[0]["name"]
            .as_str()
            .unwrap()
            .starts_with("Spring 2027")
    );
}

async fn an_admin_proposes_groups_and_sees_progress_then_the_proposal(postgres: bool) {
    let mut world = CohortWorld::planned(postgres).await;
    world.facilitator("fac0", monday()).await;
    for i in 0..5 {
        world.learner(&format!("learner{i}"), monday()).await;
    }
    world.groups.clear();
    let (world, discord, _bot) = with_bot(world, &[]).await;
    let (deferred, token) = discord
        .invoke(
            "cohort",
            &discord_id_of("admin"),
            subcommand("propose", &world),
        )
        .await;
    assert_eq!(deferred["type"], 5, "answered later");
    assert_eq!(deferred["data"]["flags"], 64, "ephemeral");
    let progress = discord.edits_until(&token, |_| true).await;
    assert!(
        text(&progress).starts_with("Matching 6 sign-ups of **Spring 2027**"),
        "{progress}"
    );
    let proposal = discord
        .edits_until(&token, |e| {
            e["embeds"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    let embed = &proposal["embeds"][0];
    assert_eq!(embed["title"], "Proposed groups for Spring 2027");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .starts_with("Placed **5 of 5** learners (100%) in 1 groups"),
        "{embed}"
    );
    assert_eq!(
        embed["fields"].as_array().unwrap().len(),
        1,
        "one group listed"
    );
    assert_eq!(world.list_groups().await.len(), 1, "the proposal is stored");
}

async fn someone_who_is_not_a_lens_admin_cannot_propose(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 1, 4).await;
    let (world, discord, _bot) = with_bot(world, &[]).await;
    // Discord shows /cohort to server admins; Lens decides who is one.
    let (_, token) = discord
        .invoke(
            "cohort",
            &discord_id_of("learner0"),
            subcommand("propose", &world),
        )
        .await;
    let refused = discord
        .edits_until(&token, |e| !text(e).starts_with("Matching"))
        .await;
    assert!(
        text(&refused).starts_with("You may not do this on Lens"),
        "{refused}"
    );
}

async fn an_admin_commits_and_sees_the_groups_set_up_in_discord(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 2, 8).await;
    let (world, discord, _bot) = with_bot(world, &["fac0", "fac1"]).await;
    let (_, token) = discord
        .invoke(
            "cohort",
            &discord_id_of("admin"),
            subcommand("commit", &world),
        )
        .await;
    let done = discord
        .edits_until(&token, |e| {
            text(e).starts_with("Committed **Spring 2027**:")
        })
        .await;
    assert_eq!(
        text(&done),
        "Committed **Spring 2027**: all 2 groups are set up in Discord, with channels, roles and welcomes."
    );
    assert_eq!(discord.guild(|g| g.roles.len()), 3);
}

async fn a_commit_that_would_pass_discords_role_cap_is_refused_before_anything_changes(
    postgres: bool,
) {
    let world = CohortWorld::proposed(postgres, 2, 8).await;
    let (world, discord, _bot) = with_bot(world, &[]).await;
    discord.change_guild(|g| {
        for i in 0..248 {
            g.roles.push((
                format!("{}", 610_000_000_000_000_000u64 + i),
                format!("old role {i}"),
            ));
        }
    });
    let (_, token) = discord
        .invoke(
            "cohort",
            &discord_id_of("admin"),
            subcommand("commit", &world),
        )
        .await;
    let refused = discord
        .edits_until(&token, |e| text(e).starts_with("Not committed"))
        .await;
    assert!(
        text(&refused)
            .contains("the server has 249 roles, and 2 groups need one each; Discord allows 250"),
        "{refused}"
    );
    assert!(
        world
            .list_groups()
            .await
            .iter()
            .all(|g| g.status() == lens_proto::v1::GroupStatus::Preview),
        "still a proposal"
    );
}
