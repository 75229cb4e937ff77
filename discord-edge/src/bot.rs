//! The serenity client: registers commands when connected and answers
//! interactions by asking the core.

use std::future::Future;
use std::time::Duration;

use std::sync::Arc;

use lens_proto::v1;
use serenity::all::{
    Command, Context, EventHandler, GatewayIntents, GuildId, GuildMemberUpdateEvent, Http,
    HttpBuilder, Interaction, Member, Ready,
};

use tokio_util::sync::CancellationToken;

use crate::commands;
use crate::config::DiscordConfig;
use crate::core_client::CoreClient;
use crate::realize::Place;
use crate::rest::Rest;

struct Handler {
    core: CoreClient,
    server_id: Option<GuildId>,
    public_url: String,
    rest: Rest,
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
        let asked = commands::Asked {
            core: &self.core,
            rest: &self.rest,
            server: self.server_id,
            public_url: &self.public_url,
        };
        commands::answer(&asked, &ctx, interaction).await;
    }

    async fn guild_member_addition(&self, _ctx: Context, member: Member) {
        if Some(member.guild_id) != self.server_id {
            return;
        }
        let request = v1::ReportMemberJoinedRequest {
            discord_id: member.user.id.to_string(),
            has_nickname: member.nick.is_some(),
        };
        match self.core.work().report_member_joined(request).await {
            Ok(answer) => {
                tracing::info!(member = %member.user.id, queued = answer.get_ref().queued, "a member joined the server")
            }
            Err(status) => {
                tracing::warn!(member = %member.user.id, message = status.message(), "reporting a member who joined failed")
            }
        }
    }

    async fn guild_member_update(
        &self,
        _ctx: Context,
        _old: Option<Member>,
        _new: Option<Member>,
        event: GuildMemberUpdateEvent,
    ) {
        // Every update (roles too) says the nickname; the core keeps it
        // only when it differs, so this does not echo the bot's own change.
        let Some(nickname) = event.nick.filter(|n| !n.is_empty()) else {
            return;
        };
        if Some(event.guild_id) != self.server_id {
            return;
        }
        let request = v1::ReportNicknameChangedRequest {
            discord_id: event.user.id.to_string(),
            nickname,
        };
        if let Err(status) = self.core.work().report_nickname_changed(request).await {
            tracing::warn!(member = %event.user.id, message = status.message(), "reporting a nickname change failed");
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

/// The bot's REST client as configured: through serenity's rate limiter
/// to Discord, or straight to a proxy that keeps the limits itself.
fn http(config: &DiscordConfig) -> Http {
    let mut http = HttpBuilder::new(config.bot_token.expose());
    if let Some(proxy) = &config.api_proxy_url {
        // serenity's own ratelimiter sends straight to discord.com whatever
        // the proxy, so with a proxy, rate limiting is the proxy's job.
        http = http.proxy(proxy.as_str()).ratelimiter_disabled(true);
    }
    http.build()
}

/// Runs the bot until `shutdown` completes: the gateway session (slash
/// commands and server events) and, with a server configured, the Discord
/// work the core hands out. When Discord ends the gateway session for good
/// (serenity resumes what can be resumed by itself), the bot connects
/// again after a growing wait (1 s, 2 s, … up to a minute), so it needs no
/// supervisor to come back.
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
    let core = CoreClient::new(&config.core_url, &config.edge_token).map_err(BotError::Config)?;
    let rest = Rest::new(
        Arc::new(http(&config)),
        config.api_proxy_url.as_ref().map(ToString::to_string),
    );
    let worker = match config.server_id.map(GuildId::new) {
        Some(guild) => Some(tokio::spawn(work(
            core.clone(),
            rest.clone(),
            guild,
            config.work_lease_seconds,
            stop.clone(),
        ))),
        None => {
            tracing::warn!("Discord work is off: set DISCORD_SERVER_ID to realize groups");
            None
        }
    };
    let ended = gateway(&config, core, rest, stop.clone()).await;
    stop.cancel();
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    ended
}

/// Learns the bot's own account, then does Discord work until `stop`.
async fn work(core: CoreClient, rest: Rest, guild: GuildId, lease: u32, stop: CancellationToken) {
    let mut wait = Duration::from_secs(1);
    let bot = loop {
        match rest.http().get_current_user().await {
            Ok(user) => break user.id,
            Err(error) => {
                tracing::warn!(%error, ?wait, "asking Discord who the bot is failed; trying again");
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = stop.cancelled() => return,
                }
                wait = (wait * 2).min(LONGEST_RECONNECT_WAIT);
            }
        }
    };
    crate::work::run(core, rest, Place { guild, bot }, lease, stop).await;
}

/// Gateway sessions, one after another, until `stop`.
async fn gateway(
    config: &DiscordConfig,
    core: CoreClient,
    rest: Rest,
    stop: CancellationToken,
) -> Result<(), BotError> {
    let mut wait = Duration::from_secs(1);
    loop {
        let started = tokio::time::Instant::now();
        match connect(config, core.clone(), rest.clone(), stop.clone()).await {
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
async fn connect(
    config: &DiscordConfig,
    core: CoreClient,
    rest: Rest,
    stop: CancellationToken,
) -> Result<(), BotError> {
    let handler = Handler {
        core,
        server_id: config.server_id.map(GuildId::new),
        public_url: config.public_url.to_string(),
        rest,
    };
    // Members (a privileged intent, switched on for the bot in Discord's
    // developer portal): joins get roles and nicknames, nickname changes
    // reach profiles.
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MEMBERS;
    let mut client = serenity::all::ClientBuilder::new_with_http(http(config), intents)
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
