//! The real discord edge in a test: started against a fake Discord and a
//! test core, stopped when the test says, and a way to wait for what it
//! does to show.

use std::future::Future;
use std::time::Duration;

use lens_discord::DiscordConfig;
use lens_runtime::Env;
use lens_server::auth::EdgeKind;

use crate::core::TestCore;
use crate::fakes::discord::{FakeDiscord, GUILD_ID};

/// The bot's configuration against `discord` and `core`, holding each job
/// for `lease_seconds`.
pub fn bot_config(discord: &FakeDiscord, core: &TestCore, lease_seconds: u32) -> DiscordConfig {
    let env = Env::from_pairs([
        ("DISCORD_BOT_TOKEN", "fake-bot-token".to_owned()),
        ("LENS_CORE_URL", core.url.clone()),
        ("LENS_EDGE_TOKEN", core.edge_token(EdgeKind::Discord)),
        ("DISCORD_SERVER_ID", GUILD_ID.to_owned()),
        ("DISCORD_API_PROXY_URL", discord.url.clone()),
        ("LENS_PUBLIC_URL", "https://lens.example".to_owned()),
        ("DISCORD_WORK_LEASE_SECONDS", lease_seconds.to_string()),
    ]);
    let lens_discord::Startup::Run(config) =
        DiscordConfig::from_env(&env).expect("a configuration")
    else {
        panic!("the bot should run with a token");
    };
    *config
}

/// A running bot.
pub struct RunningBot {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), lens_discord::bot::BotError>>,
}

impl RunningBot {
    /// Starts the bot against `discord` and `core`, and waits until it has
    /// registered its commands.
    pub async fn start(discord: &FakeDiscord, core: &TestCore, lease_seconds: u32) -> Self {
        let before = discord.registered_commands().len();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(lens_discord::run(
            bot_config(discord, core, lease_seconds),
            async move {
                let _ = stopped.await;
            },
        ));
        eventually("the bot registers its commands", || async {
            discord.registered_commands().len() > before
        })
        .await;
        Self {
            stop: Some(stop),
            task,
        }
    }

    /// Stops the bot and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let stopped = tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("the bot stops when asked");
        assert!(stopped.expect("bot task").is_ok());
    }
}

impl Drop for RunningBot {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Waits up to 60 s for `check` to hold, looking every 100 ms.
pub async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited 60 s for: {what}");
}
