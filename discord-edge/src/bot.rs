//! The serenity client: registers commands when connected and answers
//! interactions by asking the core.

use std::future::Future;
use std::time::Duration;

use serenity::all::{
    Command, Context, CreateInteractionResponse, CreateInteractionResponseMessage, EventHandler,
    GatewayIntents, GuildId, HttpBuilder, Interaction, Ready,
};

use tokio_util::sync::CancellationToken;

use crate::commands::{self, whoami};
use crate::config::DiscordConfig;
use crate::core_client::CoreClient;

struct Handler {
    core: CoreClient,
    server_id: Option<GuildId>,
    public_url: String,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(bot = %ready.user.name, "connected to the Discord gateway");
        let registered = match self.server_id {
            Some(server) => server
                .set_commands(&ctx.http, commands::definitions())
                .await
                .map(|c| c.len()),
            None => Command::set_global_commands(&ctx.http, commands::definitions())
                .await
                .map(|c| c.len()),
        };
        match registered {
            Ok(count) => {
                tracing::info!(count, server = ?self.server_id, "slash commands registered")
            }
            Err(error) => tracing::error!(%error, "registering slash commands failed"),
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Interaction::Command(command) = interaction else {
            return;
        };
        let content = match command.data.name.as_str() {
            whoami::NAME => {
                whoami::answer(&self.core, command.user.id.get(), &self.public_url).await
            }
            other => format!("Unknown command /{other}."),
        };
        let reply = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .content(content)
                .ephemeral(true),
        );
        if let Err(error) = command.create_response(&ctx.http, reply).await {
            tracing::warn!(%error, command = %command.data.name, "answering an interaction failed");
        }
    }
}

/// Why the bot stopped.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The configuration cannot be used.
    #[error(transparent)]
    Config(#[from] lens_runtime::SettingError),
    /// Discord refused or dropped the connection.
    #[error("Discord: {0}")]
    Discord(#[from] serenity::Error),
}

/// The longest wait between two tries at connecting to Discord.
const LONGEST_RECONNECT_WAIT: Duration = Duration::from_secs(60);

/// Runs the bot until `shutdown` completes. When Discord ends the gateway
/// session for good (serenity resumes what can be resumed by itself), the
/// bot connects again after a growing wait (1 s, 2 s, … up to a minute),
/// so it needs no supervisor to come back.
pub async fn run(
    config: DiscordConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BotError> {
    let stop = CancellationToken::new();
    let stopping = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopping.cancel();
    });
    let mut wait = Duration::from_secs(1);
    loop {
        let started = tokio::time::Instant::now();
        match connect(&config, stop.clone()).await {
            Ok(()) if stop.is_cancelled() => {
                tracing::info!("Discord bot stopped");
                return Ok(());
            }
            Ok(()) => tracing::warn!("the Discord gateway session ended; connecting again"),
            Err(BotError::Config(reason)) => return Err(BotError::Config(reason)),
            Err(error) => {
                tracing::error!(%error, ?wait, "the Discord gateway session failed; connecting again")
            }
        }
        // A session that lasted a while was healthy: start the waits over.
        if started.elapsed() > LONGEST_RECONNECT_WAIT {
            wait = Duration::from_secs(1);
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stop.cancelled() => return Ok(()),
        }
        wait = (wait * 2).min(LONGEST_RECONNECT_WAIT);
    }
}

/// One gateway session, until Discord ends it or `stop` is cancelled.
async fn connect(config: &DiscordConfig, stop: CancellationToken) -> Result<(), BotError> {
    let core = CoreClient::new(&config.core_url, &config.edge_token).map_err(BotError::Config)?;
    let mut http = HttpBuilder::new(config.bot_token.expose());
    if let Some(proxy) = &config.api_proxy_url {
        // serenity's own ratelimiter sends straight to discord.com whatever
        // the proxy, so with a proxy, rate limiting is the proxy's job.
        http = http.proxy(proxy.as_str()).ratelimiter_disabled(true);
    }
    let handler = Handler {
        core,
        server_id: config.server_id.map(GuildId::new),
        public_url: config.public_url.to_string(),
    };
    let mut client =
        serenity::all::ClientBuilder::new_with_http(http.build(), GatewayIntents::GUILDS)
            .event_handler(handler)
            .await?;
    let shards = client.shard_manager.clone();
    let watcher = tokio::spawn(async move {
        stop.cancelled().await;
        shards.shutdown_all().await;
    });
    let ended = client.start().await;
    watcher.abort();
    Ok(ended?)
}
