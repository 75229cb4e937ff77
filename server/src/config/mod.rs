//! Core configuration, read once at start-up from the environment (then
//! `.env.local`, then `.env`). Optional integrations are off when their
//! variables are absent; a half-configured one is refused, naming what is
//! missing. See `docs/configuration.md` for every variable.

mod calendar;
mod content;
mod database;
mod email;
mod error;
mod group;
mod guests;
mod llm;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use calendar::{CalendarConfig, DEFAULT_CALENDAR_API_BASE_URL, ServiceAccount};
pub use content::{ContentConfig, DEFAULT_CONTENT_REPO};
pub use database::{DEFAULT_DATABASE_URL, DatabaseConfig, DatabaseKind, redact_url};
pub use email::{DEFAULT_SENDGRID_API_BASE_URL, EmailConfig};
pub use error::{ConfigError, SettingError};
pub use group::read_group;
pub use guests::GuestLimits;
pub use lens_runtime::{Deployment, Env, HttpUrl, Secret};
pub use llm::{ChatLimits, DEFAULT_LLM, LlmConfig, LlmProvider, LlmTimeouts};

/// Where the core listens when `LENS_GRPC_ADDR` is unset.
pub const DEFAULT_GRPC_ADDR: &str = "127.0.0.1:50051";
/// Discord's REST API, which OAuth code exchange and profile reads go to.
pub const DEFAULT_DISCORD_API_BASE_URL: &str = "https://discord.com/api/v10";
/// Discord's OAuth2 authorize page.
pub const DEFAULT_DISCORD_AUTHORIZE_URL: &str = "https://discord.com/oauth2/authorize";
/// The callback the web edge serves, as in the original system's dev setup.
pub const DEFAULT_DISCORD_REDIRECT_URI: &str = "http://localhost:8000/auth/discord/callback";

/// Everything the core needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// gRPC listen address (`LENS_GRPC_ADDR`).
    pub grpc_addr: SocketAddr,
    /// Database (`DATABASE_URL` and pool settings).
    pub database: DatabaseConfig,
    /// Signing key for session and service tokens (`JWT_SECRET`).
    pub jwt_secret: Secret,
    /// How long a session token lives (`SESSION_TTL_HOURS`, default 24).
    pub session_ttl: Duration,
    /// Development mode (`DEV_MODE`): enables DevSignIn; refused on a
    /// non-loopback address.
    pub dev_mode: bool,
    /// Whether development sign-in may make admins (`DEV_ADMIN`, a second
    /// switch beside `DEV_MODE`).
    pub dev_admin: bool,
    /// The public URL of the web app (`LENS_PUBLIC_URL`), for links in
    /// messages.
    pub public_url: HttpUrl,
    /// Discord sign-in, when configured.
    pub discord_oauth: Option<DiscordOAuthConfig>,
    /// Base URL of Discord's REST API (`DISCORD_API_BASE_URL`).
    pub discord_api_base_url: HttpUrl,
    /// TLS for the gRPC listener, when configured.
    pub tls: Option<TlsConfig>,
    /// Course content source.
    pub content: ContentConfig,
    /// The AI tutor's model, when a usable provider is configured.
    pub llm: Option<LlmConfig>,
    /// Per-learner limits on the tutor.
    pub chat_limits: ChatLimits,
    /// How long guests last and their tighter limits.
    pub guest_limits: GuestLimits,
    /// Email through SendGrid, when configured.
    pub email: Option<EmailConfig>,
    /// Google Calendar invitations, when configured.
    pub calendar: Option<CalendarConfig>,
    /// Where Prometheus metrics are served (`LENS_METRICS_ADDR`; off when
    /// unset).
    pub metrics_addr: Option<SocketAddr>,
    /// A deployment or a developer's machine (`RAILWAY_ENVIRONMENT`,
    /// `LENS_ENV`): a deployment refuses unsafe settings.
    pub deployment: Deployment,
    /// How long in-flight calls may take to finish after a shutdown signal
    /// (`LENS_SHUTDOWN_GRACE_SECS`, default 30).
    pub shutdown_grace: Duration,
}

/// Discord OAuth2 application settings.
#[derive(Debug, Clone)]
pub struct DiscordOAuthConfig {
    /// `DISCORD_CLIENT_ID`.
    pub client_id: String,
    /// `DISCORD_CLIENT_SECRET`.
    pub client_secret: Secret,
    /// `DISCORD_REDIRECT_URI`: the web edge's callback, exactly as registered
    /// with Discord.
    pub redirect_uri: HttpUrl,
    /// `DISCORD_AUTHORIZE_URL`: Discord's authorize page.
    pub authorize_url: HttpUrl,
}

/// TLS for the gRPC listener.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    /// `LENS_TLS_CERT`: PEM certificate chain.
    pub cert_path: PathBuf,
    /// `LENS_TLS_KEY`: PEM private key.
    pub key_path: PathBuf,
}

/// Whether an optional integration is on, for start-up logs and
/// `SystemService.GetSystemInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationStatus {
    /// Short name.
    pub name: &'static str,
    /// Whether it is on.
    pub enabled: bool,
    /// What it does when on, or what switches it on.
    pub detail: String,
}

impl Config {
    /// Reads and checks the whole configuration.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let grpc_addr = parse_addr(env, "LENS_GRPC_ADDR", DEFAULT_GRPC_ADDR)?;
        let jwt_secret = jwt_secret(env)?;
        let dev_mode = env.flag("DEV_MODE");
        let public_url = env.url("LENS_PUBLIC_URL", "http://localhost:8000")?;
        let tls =
            read_group(env, "gRPC TLS", &["LENS_TLS_CERT", "LENS_TLS_KEY"])?.map(|v| TlsConfig {
                cert_path: PathBuf::from(&v[0]),
                key_path: PathBuf::from(&v[1]),
            });
        let deployment = Deployment::from_env(env);
        deployment.forbid(
            dev_mode,
            "DEV_MODE",
            "1",
            "development sign-in needs no password",
        )?;
        deployment.forbid(
            public_url.url().scheme() == "http",
            "LENS_PUBLIC_URL",
            public_url.as_str(),
            "people sign in there, so it must be https",
        )?;
        deployment.forbid(
            !grpc_addr.ip().is_loopback() && tls.is_none() && !env.flag("LENS_GRPC_PRIVATE_NETWORK"),
            "LENS_GRPC_ADDR",
            &grpc_addr.to_string(),
            "the core would answer plaintext gRPC beyond this machine; set LENS_TLS_CERT and LENS_TLS_KEY, or LENS_GRPC_PRIVATE_NETWORK=1 when only a private network reaches that address",
        )?;
        if dev_mode {
            dev_mode_allowed(grpc_addr, &public_url)?;
        }
        let session_hours = env.number("SESSION_TTL_HOURS", 24, 1..=24 * 30)?;
        let shutdown_grace = env.number("LENS_SHUTDOWN_GRACE_SECS", 30, 0..=3600)?;
        Ok(Self {
            grpc_addr,
            database: DatabaseConfig::from_env(env)?,
            jwt_secret,
            session_ttl: Duration::from_secs(session_hours * 3600),
            dev_mode,
            dev_admin: dev_mode && env.flag("DEV_ADMIN"),
            public_url,
            discord_oauth: discord_oauth(env)?,
            discord_api_base_url: env.url("DISCORD_API_BASE_URL", DEFAULT_DISCORD_API_BASE_URL)?,
            tls,
            metrics_addr: lens_runtime::metrics_addr(env, "LENS_METRICS_ADDR")?,
            deployment,
            content: ContentConfig::from_env(env)?,
            llm: LlmConfig::from_env(env)?,
            chat_limits: ChatLimits::from_env(env)?,
            guest_limits: GuestLimits::from_env(env)?,
            email: EmailConfig::from_env(env)?,
            calendar: CalendarConfig::from_env(env)?,
            shutdown_grace: Duration::from_secs(shutdown_grace),
        })
    }

    /// One line per optional integration: on, or what would switch it on.
    pub fn integrations(&self) -> Vec<IntegrationStatus> {
        vec![
            IntegrationStatus {
                name: "discord_oauth",
                enabled: self.discord_oauth.is_some(),
                detail: match &self.discord_oauth {
                    Some(d) => format!("Discord sign-in, redirect URI {}", d.redirect_uri),
                    None => {
                        "Discord sign-in: set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET".into()
                    }
                },
            },
            IntegrationStatus {
                name: "dev_sign_in",
                enabled: self.dev_mode,
                detail: if self.dev_mode {
                    "development sign-in without Discord (DEV_MODE=1)".into()
                } else {
                    "development sign-in: set DEV_MODE=1 (loopback only)".into()
                },
            },
            IntegrationStatus {
                name: "content",
                enabled: !matches!(self.content.source, crate::content::ContentSource::None),
                detail: match &self.content.source {
                    crate::content::ContentSource::None => {
                        "course content: off (CONTENT_REPO=none), the catalogue is empty; set CONTENT_DIR=path or CONTENT_REPO=owner/name".into()
                    }
                    source => format!("course content from {}", source.describe()),
                },
            },
            IntegrationStatus {
                name: "llm",
                enabled: self.llm.is_some(),
                detail: match &self.llm {
                    Some(llm) => format!("AI tutor on {}", llm.label()),
                    None => format!(
                        "AI tutor off: set ANTHROPIC_API_KEY (model {DEFAULT_LLM}), or LLM_PROVIDER=openai/MODEL or gemini/MODEL with OPENAI_API_KEY or GEMINI_API_KEY, or LLM_BASE_URL for a self-hosted OpenAI-compatible server"
                    ),
                },
            },
            IntegrationStatus {
                name: "email",
                enabled: self.email.is_some(),
                detail: match &self.email {
                    Some(email) => format!(
                        "email from {} through {}",
                        email.from_email.as_str(),
                        email.api_base_url
                    ),
                    None => "email off: set SENDGRID_API_KEY and FROM_EMAIL".into(),
                },
            },
            IntegrationStatus {
                name: "calendar",
                enabled: self.calendar.is_some(),
                detail: match &self.calendar {
                    Some(calendar) => format!(
                        "Google Calendar invitations from {} through {}",
                        calendar.calendar_email.as_str(),
                        calendar.api_base_url
                    ),
                    None => "Google Calendar off: set GOOGLE_CALENDAR_CREDENTIALS_FILE and GOOGLE_CALENDAR_EMAIL".into(),
                },
            },
            IntegrationStatus {
                name: "metrics",
                enabled: self.metrics_addr.is_some(),
                detail: match self.metrics_addr {
                    Some(addr) => format!("Prometheus metrics at http://{addr}/metrics"),
                    None => "metrics off: set LENS_METRICS_ADDR (e.g. 127.0.0.1:9464)".into(),
                },
            },
            IntegrationStatus {
                name: "grpc_tls",
                enabled: self.tls.is_some(),
                detail: match &self.tls {
                    Some(t) => format!("TLS with certificate {}", t.cert_path.display()),
                    None => "plaintext HTTP/2: set LENS_TLS_CERT and LENS_TLS_KEY for TLS".into(),
                },
            },
        ]
    }
}

fn jwt_secret(env: &Env) -> Result<Secret, ConfigError> {
    let raw = env.required(
        "JWT_SECRET",
        "set it to at least 32 random bytes, e.g. the output of `openssl rand -hex 32`",
    )?;
    if raw.len() < 32 {
        return Err(ConfigError::InvalidSecret {
            name: "JWT_SECRET",
            reason: "it must be at least 32 characters (256 bits); generate one with `openssl rand -hex 32`",
        });
    }
    Ok(Secret::new(raw))
}

fn discord_oauth(env: &Env) -> Result<Option<DiscordOAuthConfig>, ConfigError> {
    let Some(values) = read_group(
        env,
        "Discord sign-in",
        &["DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET"],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(DiscordOAuthConfig {
        client_id: values[0].clone(),
        client_secret: Secret::new(values[1].clone()),
        redirect_uri: env.url("DISCORD_REDIRECT_URI", DEFAULT_DISCORD_REDIRECT_URI)?,
        authorize_url: env.url("DISCORD_AUTHORIZE_URL", DEFAULT_DISCORD_AUTHORIZE_URL)?,
    }))
}

/// Development sign-in needs no password: it is only for a machine of
/// one's own. Refused on a non-loopback address, and when the public URL says
/// the site is served to others (https, or a host other than localhost),
/// which a TLS proxy in front of a loopback core would otherwise hide.
fn dev_mode_allowed(grpc_addr: SocketAddr, public_url: &HttpUrl) -> Result<(), ConfigError> {
    let refuse = |reason: String| ConfigError::from(SettingError::invalid("DEV_MODE", "1", reason));
    if !grpc_addr.ip().is_loopback() {
        return Err(refuse(format!(
            "development sign-in needs no password, so it is refused on the non-loopback address {grpc_addr}; bind LENS_GRPC_ADDR to 127.0.0.1 or unset DEV_MODE"
        )));
    }
    if !is_local_url(public_url.url()) {
        return Err(refuse(format!(
            "development sign-in needs no password, so it is refused for the public site {public_url}; unset DEV_MODE (it is for http://localhost only)"
        )));
    }
    Ok(())
}

/// Whether `url` is plain http on this machine.
fn is_local_url(url: &url::Url) -> bool {
    url.scheme() == "http" && matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// Reads a socket address such as `127.0.0.1:50051`.
pub fn parse_addr(env: &Env, name: &'static str, default: &str) -> Result<SocketAddr, ConfigError> {
    let raw = env.get(name).unwrap_or(default);
    raw.parse().map_err(|_| {
        SettingError::invalid(name, raw, "expected IP:PORT, for example 127.0.0.1:50051").into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn minimal_configuration_has_every_integration_off_but_the_default_content() {
        let config = Config::from_env(&Env::from_pairs([("JWT_SECRET", SECRET)])).unwrap();
        assert_eq!(config.grpc_addr.to_string(), DEFAULT_GRPC_ADDR);
        let on: Vec<&str> = config
            .integrations()
            .iter()
            .filter(|i| i.enabled)
            .map(|i| i.name)
            .collect();
        assert_eq!(on, ["content"]);
        assert_eq!(
            config.content.source.describe(),
            format!("github:{DEFAULT_CONTENT_REPO}@main")
        );
        assert_eq!(config.session_ttl, Duration::from_secs(24 * 3600));
    }

    #[test]
    fn content_can_be_switched_off() {
        let env = Env::from_pairs([("JWT_SECRET", SECRET), ("CONTENT_REPO", "none")]);
        let config = Config::from_env(&env).unwrap();
        assert!(config.integrations().iter().all(|i| !i.enabled));
    }

    #[test]
    fn missing_jwt_secret_is_named() {
        let err = Config::from_env(&Env::default()).unwrap_err().to_string();
        assert!(err.starts_with("JWT_SECRET is not set"), "{err}");
    }

    #[test]
    fn short_jwt_secret_is_refused_without_echoing_it() {
        let err = Config::from_env(&Env::from_pairs([("JWT_SECRET", "tooshort")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least 32"), "{err}");
        assert!(!err.contains("tooshort"), "{err}");
    }

    #[test]
    fn half_configured_discord_names_the_missing_variable() {
        let env = Env::from_pairs([("JWT_SECRET", SECRET), ("DISCORD_CLIENT_ID", "123")]);
        let err = Config::from_env(&env).unwrap_err().to_string();
        assert!(err.contains("DISCORD_CLIENT_SECRET missing"), "{err}");
    }

    #[test]
    fn a_deployment_refuses_dev_mode_plain_http_and_a_plaintext_core_beyond_loopback() {
        let deployed = |extra: &[(&'static str, &'static str)]| {
            let mut vars = vec![
                ("JWT_SECRET", SECRET),
                ("RAILWAY_ENVIRONMENT", "production"),
                ("LENS_PUBLIC_URL", "https://lens.example"),
            ];
            vars.extend_from_slice(extra);
            Config::from_env(&Env::from_pairs(vars))
        };
        assert!(deployed(&[]).is_ok());
        for (extra, named) in [
            (&[("DEV_MODE", "1")][..], "DEV_MODE"),
            (
                &[("LENS_PUBLIC_URL", "http://lens.example")][..],
                "LENS_PUBLIC_URL",
            ),
            (&[("LENS_GRPC_ADDR", "0.0.0.0:50051")][..], "LENS_GRPC_ADDR"),
        ] {
            let err = deployed(extra).unwrap_err().to_string();
            assert!(err.contains(named), "{err}");
            assert!(
                err.contains("refused in a deployment (RAILWAY_ENVIRONMENT is set)"),
                "{err}"
            );
        }
        assert!(
            deployed(&[
                ("LENS_GRPC_ADDR", "0.0.0.0:50051"),
                ("LENS_GRPC_PRIVATE_NETWORK", "1")
            ])
            .is_ok()
        );
    }

    #[test]
    fn dev_mode_is_refused_for_a_public_site() {
        for url in [
            "https://localhost:8000",
            "http://course.example",
            "https://course.example",
        ] {
            let env = Env::from_pairs([
                ("JWT_SECRET", SECRET),
                ("DEV_MODE", "1"),
                ("LENS_PUBLIC_URL", url),
            ]);
            let err = Config::from_env(&env).unwrap_err().to_string();
            assert!(err.contains("refused for the public site"), "{url}: {err}");
        }
        let env = Env::from_pairs([("JWT_SECRET", SECRET), ("DEV_MODE", "1")]);
        let config = Config::from_env(&env).unwrap();
        assert!(
            config.dev_mode && !config.dev_admin,
            "admin needs the second switch"
        );
    }

    #[test]
    fn dev_mode_is_refused_on_a_public_address() {
        let env = Env::from_pairs([
            ("JWT_SECRET", SECRET),
            ("DEV_MODE", "1"),
            ("LENS_GRPC_ADDR", "0.0.0.0:50051"),
        ]);
        let err = Config::from_env(&env).unwrap_err().to_string();
        assert!(err.contains("DEV_MODE"), "{err}");
    }

    #[test]
    fn discord_sign_in_switches_on_with_its_variables() {
        let env = Env::from_pairs([
            ("JWT_SECRET", SECRET),
            ("DISCORD_CLIENT_ID", "123"),
            ("DISCORD_CLIENT_SECRET", "shh"),
        ]);
        let config = Config::from_env(&env).unwrap();
        let discord = config.discord_oauth.as_ref().unwrap();
        assert_eq!(discord.redirect_uri.as_str(), DEFAULT_DISCORD_REDIRECT_URI);
        assert!(!format!("{config:?}").contains("shh"));
    }
}
