//! The real discord edge against a fake Discord gateway and REST API:
//! it registers /whoami and answers it ephemerally, as the core says.

use lens_proto::v1;
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_server::auth::EdgeKind;
use lens_server::store::DiscordProfile;
use lens_tests::bot::bot_config;
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::discord::FakeDiscord;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_answers_ephemerally_for_known_and_unknown_users() {
    let discord = FakeDiscord::start().await;
    let core = TestCore::start(CoreOptions::default()).await;
    let known = core
        .state
        .store
        .upsert_discord_user(&DiscordProfile {
            discord_id: "271828182845904523".into(),
            username: "euler".into(),
            global_name: Some("Leonhard".into()),
            avatar_hash: None,
            email: None,
            email_verified: false,
        })
        .await
        .unwrap();

    let config = bot_config(&discord, &core, 60);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = tokio::spawn(lens_discord::run(config, async move {
        let _ = stopped.await;
    }));

    let commands = discord.wait_for_commands().await;
    let names: Vec<&str> = commands[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["ping", "whoami", "group", "join", "availability", "cohort"]
    );

    let reply = discord.invoke_command("whoami", &known.discord_id).await;
    assert_eq!(reply["type"], 4, "a channel message with source");
    assert_eq!(reply["data"]["flags"], 64, "ephemeral");
    let text = reply["data"]["content"].as_str().unwrap();
    assert_eq!(
        text,
        format!("You are **Leonhard** on Lens (user {}).", known.id)
    );

    let reply = discord.invoke_command("whoami", "100000000000000099").await;
    let text = reply["data"]["content"].as_str().unwrap();
    assert_eq!(
        text,
        "Your Discord account has no Lens account yet: sign in once at https://lens.example."
    );

    // The core saw the edge acting for that Discord user, not a user session.
    let mut auth = AuthServiceClient::new(core.channel().await);
    let mut request = authed(v1::WhoAmIRequest {}, &core.edge_token(EdgeKind::Discord));
    request
        .metadata_mut()
        .insert("x-lens-discord-user", known.discord_id.parse().unwrap());
    let who = auth.who_am_i(request).await.unwrap().into_inner();
    assert_eq!(who.acting_for_discord_id, known.discord_id);
    assert_eq!(who.user.unwrap().id, known.id.0);

    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_connects_again_after_discord_ends_its_session() {
    let discord = FakeDiscord::start().await;
    discord.refuse_next_sessions(1);
    let core = TestCore::start(CoreOptions::default()).await;
    let config = bot_config(&discord, &core, 60);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = tokio::spawn(lens_discord::run(config, async move {
        let _ = stopped.await;
    }));
    // The first session ends fatally; the bot comes back on its own.
    let commands = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        discord.wait_for_commands(),
    )
    .await
    .expect("the bot connected again");
    assert!(!commands.is_empty());
    assert!(!bot.is_finished(), "still running, not exited");
    let _ = stop.send(());
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(10), bot)
        .await
        .expect("stops when asked");
    assert!(stopped.unwrap().is_ok());
}
