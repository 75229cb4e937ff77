//! Committed groups come alive in Discord: the real bot takes the core's
//! Discord work and makes the fake server match it, changing only what
//! differs, waiting out rate limits, retrying outages and stopping with
//! words an admin can act on when it lacks a permission.

use axum::http::Method;
use lens_proto::v1;
use lens_server::domain::{DISCORD_KIND_PREFIX, JobState};
use lens_tests::bot::{RunningBot, eventually};
use lens_tests::cohorts::{CohortWorld, discord_id_of};
use lens_tests::core::authed;
use lens_tests::fakes::discord::{BOT_ID, FakeDiscord, Fault, GUILD_ID};

both_backends!(
    committed_groups_get_exactly_their_category_channels_roles_members_and_welcome,
    a_second_sync_changes_nothing,
    a_learner_joining_a_group_costs_one_role_grant,
    a_member_who_joins_the_server_later_gets_their_role,
    a_learner_who_leaves_loses_the_role_and_may_come_back,
    an_admin_moving_a_learner_between_running_groups_moves_their_role,
    a_deleted_channel_is_made_again_with_its_welcome,
    a_deleted_role_is_made_again_and_given_back,
    a_short_rate_limit_is_waited_out_in_place,
    a_long_rate_limit_holds_the_job_for_as_long_as_discord_says,
    an_outage_is_retried_until_discord_answers,
    a_missing_permission_fails_the_job_with_words_an_admin_can_act_on,
    a_bot_stopped_during_a_commit_finishes_it_later_with_nothing_lost_or_doubled,
);

/// The names of the members of the world's people, as the cohort helper
/// makes them.
fn people(facilitators: usize, learners: usize) -> Vec<String> {
    (0..facilitators)
        .map(|i| format!("fac{i}"))
        .chain((0..learners).map(|i| format!("learner{i}")))
        .collect()
}

/// A cohort with `facilitators` groups proposed (not committed), its people
/// all in the fake server, and the bot running.
async fn server_with_proposal(
    postgres: bool,
    facilitators: usize,
    learners: usize,
) -> (CohortWorld, FakeDiscord, RunningBot) {
    let world = CohortWorld::proposed(postgres, facilitators, learners).await;
    let discord = FakeDiscord::start().await;
    for name in people(facilitators, learners) {
        discord.add_member(&discord_id_of(&name), None);
    }
    let bot = RunningBot::start(&discord, &world.core, 60).await;
    (world, discord, bot)
}

/// As [`server_with_proposal`], committed and realized.
async fn realized(
    postgres: bool,
    facilitators: usize,
    learners: usize,
) -> (CohortWorld, FakeDiscord, RunningBot) {
    let (world, discord, bot) = server_with_proposal(postgres, facilitators, learners).await;
    world.commit().await.expect("committed");
    discord_work_done(&world).await;
    (world, discord, bot)
}

/// Waits until no Discord job is waiting or running.
async fn discord_work_done(world: &CohortWorld) {
    let store = &world.core.state.store;
    eventually("the Discord work is done", || async {
        store
            .list_jobs(&[JobState::Pending, JobState::Running], 1000)
            .await
            .unwrap()
            .iter()
            .all(|j| !j.kind.starts_with(DISCORD_KIND_PREFIX))
    })
    .await;
}

/// The world's group syncs, as stored.
async fn sync_jobs(world: &CohortWorld) -> Vec<lens_server::store::JobRecord> {
    let jobs = world.core.state.store.list_jobs(&[], 1000).await.unwrap();
    jobs.into_iter()
        .filter(|j| j.kind == "discord.sync_group")
        .collect()
}

async fn committed_groups_get_exactly_their_category_channels_roles_members_and_welcome(
    postgres: bool,
) {
    let (world, discord, _bot) = realized(postgres, 2, 8).await;
    let groups = world.list_groups().await;
    assert!(groups.iter().all(|g| g.realized), "{groups:?}");
    let everyone = GUILD_ID.to_owned();
    discord.guild(|guild| {
        let category = guild
            .channel("AI Safety Course - Spring 2027", 4)
            .expect("the cohort's category");
        assert_eq!(
            category.overwrites.get(&everyone).map(|o| o.2 & (1 << 10)),
            Some(1 << 10),
            "hidden from @everyone"
        );
        assert!(category.overwrites.contains_key(BOT_ID), "open to the bot");
        let general = guild
            .channel("general", 0)
            .expect("the cohort's general channel");
        assert_eq!(general.parent_id.as_deref(), Some(category.id.as_str()));
        assert_eq!(
            guild.channels.len(),
            2 + 2 * groups.len(),
            "category, general, two per group"
        );
        assert_eq!(
            guild.roles.len(),
            1 + groups.len(),
            "@everyone and one per group"
        );
        for group in &groups {
            let role = guild
                .role(&format!("Cohort Spring 2027 - Group {}", group.name))
                .expect("the group's role");
            let text = guild
                .channel(&group.name.to_lowercase().replace(' ', "-"), 0)
                .expect("the group's text channel");
            let voice = guild
                .channel(&format!("{} meetings", group.name), 2)
                .expect("the group's voice channel");
            assert_eq!(group.discord_channel_id, text.id);
            for channel in [text, voice, general] {
                assert_eq!(channel.parent_id.as_deref(), Some(category.id.as_str()));
                let (kind, allow, _) = channel.overwrites[&role];
                assert_eq!(kind, 0, "a role overwrite");
                assert_eq!(
                    allow & (1 << 10),
                    1 << 10,
                    "the role may view {}",
                    channel.name
                );
            }
            let mut members: Vec<String> = group
                .members
                .iter()
                .map(|m| discord_id_of(&m.name))
                .collect();
            members.sort();
            assert_eq!(
                guild.holders(&role),
                members,
                "exactly the group holds its role"
            );
            let welcomes: Vec<&String> = guild
                .messages
                .iter()
                .filter(|(channel, _)| *channel == text.id)
                .map(|(_, content)| content)
                .collect();
            assert_eq!(welcomes.len(), 1, "one welcome");
            assert!(welcomes[0].contains(&format!("Welcome to {}", group.name)));
            assert!(welcomes[0].contains(&group.meeting_time));
            assert!(
                welcomes[0].contains(":F>"),
                "a Discord timestamp: {}",
                welcomes[0]
            );
            for member in &members {
                assert!(
                    welcomes[0].contains(&format!("<@{member}>")),
                    "names everyone"
                );
            }
        }
    });
}

async fn a_second_sync_changes_nothing(postgres: bool) {
    let (world, discord, _bot) = realized(postgres, 2, 8).await;
    let before = discord.guild(|g| g.calls.len());
    // Someone rejoins the server: their group is synced again.
    let member = discord_id_of("learner0");
    world
        .core
        .state
        .store
        .discord_member_joined(&member, true)
        .await
        .unwrap();
    discord_work_done(&world).await;
    let after: Vec<String> = discord.guild(|g| g.calls[before..].to_vec());
    assert!(!after.is_empty(), "the sync ran");
    assert!(
        after.iter().all(|c| c.starts_with("GET ")),
        "only reads: {after:?}"
    );
}

async fn a_learner_joining_a_group_costs_one_role_grant(postgres: bool) {
    let (world, discord, _bot) = realized(postgres, 2, 8).await;
    let late = world.late_learner("late").await;
    discord.add_member(&late.discord_id, None);
    let before = discord.guild(|g| g.calls.len());
    world.join(&late, world.groups[0]).await.unwrap();
    discord_work_done(&world).await;
    let changes: Vec<String> = discord.guild(|g| {
        g.calls[before..]
            .iter()
            .filter(|c| !c.starts_with("GET "))
            .cloned()
            .collect()
    });
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0].starts_with(&format!(
            "PUT /guilds/{GUILD_ID}/members/{}/roles/",
            late.discord_id
        )),
        "{changes:?}"
    );
}

/// The calls after the `before`th that changed something.
fn changes_since(discord: &FakeDiscord, before: usize) -> Vec<String> {
    discord.guild(|g| {
        g.calls[before..]
            .iter()
            .filter(|c| !c.starts_with("GET "))
            .cloned()
            .collect()
    })
}

async fn a_learner_who_leaves_loses_the_role_and_may_come_back(postgres: bool) {
    let (world, discord, _bot) = realized(postgres, 1, 4).await;
    let group = world.list_groups().await.remove(0);
    let learner = &group.members[1];
    let token = world.core.user_token(learner.user_id, false);
    let leave = v1::LeaveGroupRequest {
        group_id: group.id,
        user_id: 0,
        reason: v1::LeaveReason::TimeConstraints.into(),
    };
    let before = discord.guild(|g| g.calls.len());
    world
        .cohorts()
        .await
        .leave_group(authed(leave, &token))
        .await
        .unwrap();
    discord_work_done(&world).await;
    let changes = changes_since(&discord, before);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(changes[0].starts_with(&format!(
        "DELETE /guilds/{GUILD_ID}/members/{}/roles/",
        discord_id_of(&learner.name)
    )));
    let status = world
        .cohorts()
        .await
        .leave_group(authed(leave, &token))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        tonic::Code::FailedPrecondition,
        "already out"
    );

    let person = lens_tests::cohorts::Person {
        id: learner.user_id,
        token,
        discord_id: discord_id_of(&learner.name),
    };
    world.join(&person, group.id).await.expect("back in");
    discord_work_done(&world).await;
    let role = discord.guild(|g| g.roles[1].0.clone());
    assert!(
        discord
            .guild(|g| g.holders(&role))
            .contains(&person.discord_id)
    );
}

async fn an_admin_moving_a_learner_between_running_groups_moves_their_role(postgres: bool) {
    let (world, discord, _bot) = realized(postgres, 2, 8).await;
    let groups = world.list_groups().await;
    let learner = groups[0].members[1].clone();
    let before = discord.guild(|g| g.calls.len());
    world
        .move_member(learner.user_id, groups[1].id)
        .await
        .expect("moved");
    discord_work_done(&world).await;
    let mut changes = changes_since(&discord, before);
    changes.sort();
    let member = discord_id_of(&learner.name);
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes[0].starts_with(&format!(
        "DELETE /guilds/{GUILD_ID}/members/{member}/roles/"
    )));
    assert!(changes[1].starts_with(&format!("PUT /guilds/{GUILD_ID}/members/{member}/roles/")));
    let after = world.list_groups().await;
    assert!(
        after[1]
            .members
            .iter()
            .any(|m| m.user_id == learner.user_id)
    );
    assert!(
        !after[0]
            .members
            .iter()
            .any(|m| m.user_id == learner.user_id)
    );
}

async fn a_member_who_joins_the_server_later_gets_their_role(postgres: bool) {
    let world = CohortWorld::proposed(postgres, 1, 4).await;
    let discord = FakeDiscord::start().await;
    let absent = discord_id_of("learner3");
    for name in people(1, 4) {
        if discord_id_of(&name) != absent {
            discord.add_member(&discord_id_of(&name), None);
        }
    }
    let _bot = RunningBot::start(&discord, &world.core, 60).await;
    world.commit().await.unwrap();
    discord_work_done(&world).await;
    let role = discord.guild(|g| g.roles[1].0.clone());
    assert!(!discord.guild(|g| g.holders(&role)).contains(&absent));

    discord.member_joins(&absent, None);
    eventually("the newcomer holds the group's role", || async {
        discord.guild(|g| g.holders(&role)).contains(&absent)
    })
    .await;
}

async fn a_deleted_channel_is_made_again_with_its_welcome(postgres: bool) {
    let (world, discord, _bot) = realized(postgres, 1, 4).await;
    let old = world.list_groups().await[0].discord_channel_id.clone();
    discord.change_guild(|g| g.channels.retain(|c| c.id != old));
    // The next sync (a member rejoining) finds it gone.
    world
        .core
        .state
        .store
        .discord_member_joined(&discord_id_of("learner0"), true)
        .await
        .unwrap();
    discord_work_done(&world).await;
    let new = world.list_groups().await[0].discord_channel_id.clone();
    assert_ne!(new, old, "a new channel, recorded");
    let welcomes = discord.guild(|g| g.messages.iter().filter(|(c, _)| *c == new).count());
    assert_eq!(welcomes, 1, "the new channel gets the welcome");
}

async fn a_deleted_role_is_made_again_and_given_back(postgres: bool) {
    let (world, discord, _bot) = realized(postgres, 1, 4).await;
    let old = discord.guild(|g| g.roles[1].0.clone());
    discord.change_guild(|g| {
        g.roles.retain(|(id, _)| *id != old);
        for member in g.members.values_mut() {
            member.roles.retain(|r| *r != old);
        }
    });
    world
        .core
        .state
        .store
        .discord_member_joined(&discord_id_of("learner0"), true)
        .await
        .unwrap();
    discord_work_done(&world).await;
    let group = world.list_groups().await.remove(0);
    let new = discord
        .guild(|g| g.role(&format!("Cohort Spring 2027 - Group {}", group.name)))
        .expect("the role again");
    assert_ne!(new, old);
    assert_eq!(
        discord.guild(|g| g.holders(&new)).len(),
        group.members.len()
    );
    let text = discord
        .guild(|g| {
            g.channels
                .iter()
                .find(|c| c.id == group.discord_channel_id)
                .cloned()
        })
        .unwrap();
    assert!(
        text.overwrites.contains_key(&new),
        "the channel opens to the new role"
    );
}

async fn a_short_rate_limit_is_waited_out_in_place(postgres: bool) {
    let (world, discord, _bot) = server_with_proposal(postgres, 1, 4).await;
    discord.fail(Fault::rate_limited(Method::POST, "/roles", 0.5));
    world.commit().await.unwrap();
    discord_work_done(&world).await;
    let jobs = sync_jobs(&world).await;
    assert_eq!(jobs[0].state, JobState::Done);
    assert_eq!(jobs[0].attempts, 1, "waited, not retried later");
    let role_posts = discord.guild(|g| {
        g.calls
            .iter()
            .filter(|c| c.starts_with("POST") && c.ends_with("/roles"))
            .count()
    });
    assert_eq!(role_posts, 2, "refused once, then made");
}

async fn a_long_rate_limit_holds_the_job_for_as_long_as_discord_says(postgres: bool) {
    let (world, discord, _bot) = server_with_proposal(postgres, 1, 4).await;
    discord.fail(Fault::rate_limited(Method::POST, "/roles", 120.0));
    let before = lens_server::clock::now();
    world.commit().await.unwrap();
    eventually("the job waits out the rate limit", || async {
        let jobs = sync_jobs(&world).await;
        jobs[0].state == JobState::Pending && jobs[0].attempts == 1
    })
    .await;
    let job = sync_jobs(&world).await.remove(0);
    let wait = job.run_at - before;
    assert!(
        wait >= chrono::Duration::seconds(119) && wait <= chrono::Duration::seconds(125),
        "{wait}"
    );
    assert!(job.last_error.unwrap().contains("rate-limited"));
}

async fn an_outage_is_retried_until_discord_answers(postgres: bool) {
    let (world, discord, _bot) = server_with_proposal(postgres, 1, 4).await;
    discord.fail(Fault::unavailable(Method::GET, "/roles"));
    world.commit().await.unwrap();
    discord_work_done(&world).await;
    let job = sync_jobs(&world).await.remove(0);
    assert_eq!(job.state, JobState::Done);
    assert_eq!(job.attempts, 2, "the second attempt went through");
    assert!(job.last_error.unwrap().contains("502"));
    assert!(world.list_groups().await[0].realized);
}

async fn a_missing_permission_fails_the_job_with_words_an_admin_can_act_on(postgres: bool) {
    let (world, discord, _bot) = server_with_proposal(postgres, 1, 4).await;
    discord.fail(Fault::missing_permissions(Method::POST, "/roles"));
    world.commit().await.unwrap();
    eventually("the job fails", || async {
        sync_jobs(&world).await[0].state == JobState::Failed
    })
    .await;
    let job = sync_jobs(&world).await.remove(0);
    assert_eq!(
        job.attempts, 1,
        "not retried: it cannot succeed as things are"
    );
    let error = job.last_error.unwrap();
    assert!(error.contains("Missing Permissions"), "{error}");
    assert!(error.contains("Manage Roles"), "{error}");
    assert!(!world.list_groups().await[0].realized);
}

async fn a_bot_stopped_during_a_commit_finishes_it_later_with_nothing_lost_or_doubled(
    postgres: bool,
) {
    let world = CohortWorld::proposed(postgres, 3, 12).await;
    let discord = FakeDiscord::start().await;
    for name in people(3, 12) {
        discord.add_member(&discord_id_of(&name), None);
    }
    // Each welcome takes a while, so the bot is stopped mid-way.
    discord.fail(Fault::rate_limited(Method::POST, "/messages", 1.0));
    let bot = RunningBot::start(&discord, &world.core, 2).await;
    world.commit().await.unwrap();
    eventually("the first group's channel exists", || async {
        discord.guild(|g| g.channels.iter().any(|c| c.kind == 2))
    })
    .await;
    bot.stop().await;
    let unfinished = world
        .list_groups()
        .await
        .iter()
        .filter(|g| !g.realized)
        .count();
    assert!(unfinished > 0, "stopped before the end");

    let _bot = RunningBot::start(&discord, &world.core, 2).await;
    discord_work_done(&world).await;
    let groups = world.list_groups().await;
    assert!(groups.iter().all(|g| g.realized));
    discord.guild(|guild| {
        assert_eq!(
            guild.channels.iter().filter(|c| c.kind == 4).count(),
            1,
            "one category"
        );
        assert_eq!(
            guild.channels.len(),
            2 + 2 * groups.len(),
            "nothing doubled"
        );
        assert_eq!(guild.roles.len(), 1 + groups.len());
        for group in &groups {
            let welcomes = guild
                .messages
                .iter()
                .filter(|(c, _)| *c == group.discord_channel_id)
                .count();
            assert_eq!(welcomes, 1, "one welcome in {}", group.name);
        }
    });
}
