//! Discord edge configuration.

use lens_runtime::{Env, HttpUrl, Secret, SettingError};

/// Discord edge settings.
#[derive(Debug, Clone)]
pub struct DiscordConfig {
    /// The bot's token (`DISCORD_BOT_TOKEN`).
    pub bot_token: Secret,
    /// The core's gRPC URL (`LENS_CORE_URL`).
    pub core_url: HttpUrl,
    /// This edge's service token (`LENS_EDGE_TOKEN`, from
    /// `lens-server token --edge discord`).
    pub edge_token: Secret,
    /// The course's Discord server (`DISCORD_SERVER_ID`): slash commands are
    /// registered there, where they appear at once; without it they are
    /// registered globally, which Discord takes longer to show.
    pub server_id: Option<u64>,
    /// Base URL that replaces `https://discord.com` for REST calls
    /// (`DISCORD_API_PROXY_URL`), for a rate-limiting proxy or a test fake.
    /// The gateway URL is what that REST API reports. With a proxy, the
    /// proxy is in charge of Discord's rate limits (serenity's own
    /// ratelimiter cannot go through a proxy).
    pub api_proxy_url: Option<HttpUrl>,
    /// The course website, named in replies (`LENS_PUBLIC_URL`).
    pub public_url: HttpUrl,
    /// How long a Discord job taken from the core is the bot's before the
    /// core hands it out again (`DISCORD_WORK_LEASE_SECONDS`, default 300):
    /// longer than the slowest job, short enough that work a stopped bot
    /// held soon flows again.
    pub work_lease_seconds: u32,
}

/// Whether the bot should run at all.
#[derive(Debug)]
pub enum Startup {
    /// Run with this configuration.
    Run(Box<DiscordConfig>),
    /// Do not run; the reason is one line for the log.
    Off(&'static str),
}

impl DiscordConfig {
    /// Reads the configuration, or says why the bot stays off.
    pub fn from_env(env: &Env) -> Result<Startup, SettingError> {
        if env.flag("DISABLE_DISCORD_BOT") {
            return Ok(Startup::Off(
                "the Discord bot is disabled (DISABLE_DISCORD_BOT=1)",
            ));
        }
        let Some(bot_token) = env.get("DISCORD_BOT_TOKEN") else {
            return Ok(Startup::Off(
                "the Discord bot is off: set DISCORD_BOT_TOKEN to run it",
            ));
        };
        let edge_token = env.required(
            "LENS_EDGE_TOKEN",
            "mint the discord edge's service token with `lens-server token --edge discord`",
        )?;
        let server_id = env
            .get("DISCORD_SERVER_ID")
            .map(|raw| {
                raw.parse::<u64>().map_err(|_| {
                    SettingError::invalid(
                        "DISCORD_SERVER_ID",
                        raw,
                        "expected a Discord server id (digits)",
                    )
                })
            })
            .transpose()?;
        Ok(Startup::Run(Box::new(Self {
            bot_token: Secret::new(bot_token),
            core_url: env.url("LENS_CORE_URL", "http://127.0.0.1:50051")?,
            edge_token: Secret::new(edge_token),
            server_id,
            api_proxy_url: env.optional_url("DISCORD_API_PROXY_URL")?,
            public_url: env.url("LENS_PUBLIC_URL", "http://localhost:8000")?,
            work_lease_seconds: env.number("DISCORD_WORK_LEASE_SECONDS", 300, 1..=600)? as u32,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_bot_token_the_bot_is_off() {
        assert!(matches!(
            DiscordConfig::from_env(&Env::default()),
            Ok(Startup::Off(_))
        ));
    }

    #[test]
    fn with_a_bot_token_the_edge_token_is_required() {
        let env = Env::from_pairs([("DISCORD_BOT_TOKEN", "x")]);
        let error = DiscordConfig::from_env(&env).unwrap_err().to_string();
        assert!(error.contains("LENS_EDGE_TOKEN"), "{error}");
    }
}
