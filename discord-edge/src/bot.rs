//! The serenity client: registers commands when connected and answers
//! interactions by asking the core.

use std::future::Future;

use serenity::all::{
    Command, Context, CreateInteractionResponse, CreateInteractionResponseMessage, EventHandler,
    GatewayIntents, GuildId, HttpBuilder, Interaction, Ready,
};

use crate::commands::{self, whoami};
use crate::config::DiscordConfig;
use crate::core::CoreClient;

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
    #[error("{0}")]
    Config(String),
    /// Discord refused or dropped the connection.
    #[error("Discord: {0}")]
    Discord(#[from] serenity::Error),
}

/// Runs the bot until `shutdown` completes.
pub async fn run(
    config: DiscordConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BotError> {
    let core = CoreClient::new(&config.core_url, &config.edge_token).map_err(BotError::Config)?;
    let mut http = HttpBuilder::new(config.bot_token.expose());
    if let Some(proxy) = &config.api_proxy_url {
        // serenity's own ratelimiter sends straight to discord.com whatever
        // the proxy, so with a proxy, rate limiting is the proxy's job.
        http = http.proxy(proxy.clone()).ratelimiter_disabled(true);
    }
    let handler = Handler {
        core,
        server_id: config.server_id.map(GuildId::new),
        public_url: config.public_url.clone(),
    };
    let mut client =
        serenity::all::ClientBuilder::new_with_http(http.build(), GatewayIntents::GUILDS)
            .event_handler(handler)
            .await?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown.await;
        shards.shutdown_all().await;
    });
    client.start().await?;
    tracing::info!("Discord bot stopped");
    Ok(())
}
