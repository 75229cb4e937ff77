//! Nicknames follow people both ways between their Lens profile and the
//! course server, without echoing back and forth.

use lens_proto::v1;
use lens_tests::bot::{RunningBot, eventually};
use lens_tests::cohorts::{CohortWorld, Person};
use lens_tests::core::authed;
use lens_tests::fakes::discord::{FakeDiscord, GUILD_ID};

both_backends!(
    a_profile_nickname_becomes_the_server_nickname,
    a_nickname_set_in_discord_reaches_the_profile_and_goes_no_further,
    a_member_joining_without_a_nickname_gets_their_profiles,
);

async fn rename_on_the_web(world: &CohortWorld, person: &Person, nickname: &str) {
    world
        .users()
        .await
        .update_profile(authed(
            v1::UpdateProfileRequest {
                nickname: Some(nickname.to_owned()),
                ..Default::default()
            },
            &person.token,
        ))
        .await
        .expect("profile updated");
}

fn nick(discord: &FakeDiscord, person: &Person) -> Option<String> {
    discord.guild(|g| {
        g.members
            .get(&person.discord_id)
            .and_then(|m| m.nick.clone())
    })
}

async fn a_profile_nickname_becomes_the_server_nickname(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let ada = world.person("ada", Vec::new()).await;
    let discord = FakeDiscord::start().await;
    discord.add_member(&ada.discord_id, None);
    let _bot = RunningBot::start(&discord, &world.core, 60).await;
    rename_on_the_web(&world, &ada, "Ada L.").await;
    eventually("the server shows the new nickname", || async {
        nick(&discord, &ada).as_deref() == Some("Ada L.")
    })
    .await;
}

async fn a_nickname_set_in_discord_reaches_the_profile_and_goes_no_further(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let ada = world.person("ada", Vec::new()).await;
    let discord = FakeDiscord::start().await;
    discord.add_member(&ada.discord_id, None);
    let _bot = RunningBot::start(&discord, &world.core, 60).await;
    discord.member_renames(&ada.discord_id, "Countess");
    let store = &world.core.state.store;
    eventually("the profile follows", || async {
        store
            .user_by_discord_id(&ada.discord_id)
            .await
            .unwrap()
            .and_then(|u| u.nickname)
            .as_deref()
            == Some("Countess")
    })
    .await;
    let patches = discord.guild(|g| {
        g.changes()
            .into_iter()
            .filter(|c| c.starts_with(&format!("PATCH /guilds/{GUILD_ID}/members/")))
            .count()
    });
    assert_eq!(patches, 0, "nothing sent back to Discord");
    assert!(store.list_jobs(&[], 10).await.unwrap().is_empty());
}

async fn a_member_joining_without_a_nickname_gets_their_profiles(postgres: bool) {
    let world = CohortWorld::empty(postgres).await;
    let ada = world.person("ada", Vec::new()).await;
    let discord = FakeDiscord::start().await;
    let _bot = RunningBot::start(&discord, &world.core, 60).await;
    // Renamed while not in the server: nothing to change there yet.
    rename_on_the_web(&world, &ada, "Ada L.").await;
    eventually("the nickname job is done", || async {
        world
            .core
            .state
            .store
            .list_jobs(&[lens_server::domain::JobState::Done], 10)
            .await
            .unwrap()
            .len()
            == 1
    })
    .await;
    assert_eq!(nick(&discord, &ada), None);
    discord.member_joins(&ada.discord_id, None);
    eventually("the newcomer gets their profile's nickname", || async {
        nick(&discord, &ada).as_deref() == Some("Ada L.")
    })
    .await;
}
