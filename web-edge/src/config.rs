//! Web edge configuration. The edge holds no third-party secrets: only its
//! own service token for the core.

use std::net::SocketAddr;
use std::path::PathBuf;

use cookie::SameSite;
use lens_runtime::{Deployment, Env, HttpUrl, Secret, SettingError};

use crate::relay::RelayConfig;

/// Where the web edge listens when neither `LENS_WEB_ADDR` nor `PORT` is set.
pub const DEFAULT_WEB_ADDR: &str = "127.0.0.1:8000";
/// Where the core is when `LENS_CORE_URL` is unset.
pub const DEFAULT_CORE_URL: &str = "http://127.0.0.1:50051";

/// Web edge settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Listen address: `LENS_WEB_ADDR`, else `0.0.0.0:$PORT` (hosting
    /// platforms), else 127.0.0.1:8000.
    pub addr: SocketAddr,
    /// The core's gRPC URL (`LENS_CORE_URL`).
    pub core_url: HttpUrl,
    /// This edge's service token (`LENS_EDGE_TOKEN`, from
    /// `lens-server token --edge web`).
    pub edge_token: Secret,
    /// `COOKIE_DOMAIN`: share the session cookie with subdomains; unset
    /// means the exact host.
    pub cookie_domain: Option<String>,
    /// `COOKIE_SAMESITE`: lax (default), strict or none.
    pub cookie_same_site: SameSite,
    /// Whether cookies carry `Secure`: always, except in development mode.
    pub cookie_secure: bool,
    /// `DEV_MODE`: development sign-in links, cookies without `Secure`.
    pub dev_mode: bool,
    /// `LENS_STATIC_DIR`: the built frontend (default `web_frontend/dist`).
    pub static_dir: PathBuf,
    /// Where Prometheus metrics are served (`LENS_WEB_METRICS_ADDR`; off
    /// when unset).
    pub metrics_addr: Option<SocketAddr>,
    /// `GITHUB_WEBHOOK_SECRET`: the secret of the content repository's
    /// webhook; without it `/api/content/webhook` is off.
    pub github_webhook_secret: Option<Secret>,
    /// Where the web app's error reports and analytics are relayed (each
    /// off unless configured; see `relay`).
    pub relays: RelayConfig,
    /// `CLIENT_IP_HEADER`: the header in which the proxy in front of this
    /// edge names the browser's address (`X-Forwarded-For`, whose last
    /// entry is the one the proxy added, `X-Real-IP`, `Fly-Client-IP`, …).
    /// Unset: the TCP peer is the browser. Guest limits count by it.
    pub client_ip_header: Option<http::HeaderName>,
}

impl WebConfig {
    /// Reads and checks the configuration.
    pub fn from_env(env: &Env) -> Result<Self, SettingError> {
        let addr = match (env.get("LENS_WEB_ADDR"), env.get("PORT")) {
            (Some(addr), _) => addr.to_owned(),
            (None, Some(port)) => format!("0.0.0.0:{port}"),
            (None, None) => DEFAULT_WEB_ADDR.to_owned(),
        };
        let addr: SocketAddr = addr.parse().map_err(|_| {
            SettingError::invalid(
                "LENS_WEB_ADDR",
                &addr,
                "expected IP:PORT (for example 127.0.0.1:8000), or a port number in PORT",
            )
        })?;
        let dev_mode = env.flag("DEV_MODE");
        Deployment::from_env(env).forbid(
            dev_mode,
            "DEV_MODE",
            "1",
            "development sign-in needs no password, and cookies would lose Secure",
        )?;
        if dev_mode && !addr.ip().is_loopback() {
            return Err(SettingError::invalid(
                "DEV_MODE",
                "1",
                format!(
                    "development sign-in needs no password, so it is refused on the non-loopback address {addr}; bind LENS_WEB_ADDR to 127.0.0.1 or unset DEV_MODE"
                ),
            ));
        }
        let edge_token = env.required(
            "LENS_EDGE_TOKEN",
            "mint the web edge's service token with `lens-server token --edge web`",
        )?;
        let cookie_same_site = match env
            .get("COOKIE_SAMESITE")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("lax") => SameSite::Lax,
            Some("strict") => SameSite::Strict,
            Some("none") => SameSite::None,
            Some(other) => {
                return Err(SettingError::invalid(
                    "COOKIE_SAMESITE",
                    other,
                    "use lax, strict or none",
                ));
            }
        };
        let core_url = env.url("LENS_CORE_URL", DEFAULT_CORE_URL)?;
        Ok(Self {
            addr,
            core_url,
            edge_token: Secret::new(edge_token),
            cookie_domain: env.get("COOKIE_DOMAIN").map(str::to_owned),
            cookie_same_site,
            cookie_secure: !dev_mode,
            dev_mode,
            static_dir: PathBuf::from(env.get("LENS_STATIC_DIR").unwrap_or("web_frontend/dist")),
            github_webhook_secret: env.get("GITHUB_WEBHOOK_SECRET").map(Secret::new),
            metrics_addr: lens_runtime::metrics_addr(env, "LENS_WEB_METRICS_ADDR")?,
            relays: RelayConfig::from_env(env)?,
            client_ip_header: env
                .get("CLIENT_IP_HEADER")
                .map(|name| {
                    http::HeaderName::try_from(name.trim()).map_err(|_| {
                        SettingError::invalid("CLIENT_IP_HEADER", name, "expected a header name")
                    })
                })
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![("LENS_EDGE_TOKEN", "t")]
    }

    #[test]
    fn defaults_and_port() {
        let config = WebConfig::from_env(&Env::from_pairs(base())).unwrap();
        assert_eq!(config.addr.to_string(), DEFAULT_WEB_ADDR);
        assert!(config.cookie_secure);
        let mut vars = base();
        vars.push(("PORT", "9999"));
        let config = WebConfig::from_env(&Env::from_pairs(vars)).unwrap();
        assert_eq!(config.addr.to_string(), "0.0.0.0:9999");
    }

    #[test]
    fn dev_mode_refuses_public_addresses() {
        let mut vars = base();
        vars.extend([("DEV_MODE", "1"), ("PORT", "8000")]);
        let error = WebConfig::from_env(&Env::from_pairs(vars))
            .unwrap_err()
            .to_string();
        assert!(error.contains("DEV_MODE"), "{error}");
    }

    #[test]
    fn a_deployment_refuses_dev_mode_even_on_loopback() {
        let mut vars = base();
        vars.extend([("DEV_MODE", "1"), ("LENS_ENV", "production")]);
        let error = WebConfig::from_env(&Env::from_pairs(vars))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("refused in a deployment (LENS_ENV=production)"),
            "{error}"
        );
    }

    #[test]
    fn missing_token_is_named() {
        let error = WebConfig::from_env(&Env::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("LENS_EDGE_TOKEN"), "{error}");
    }
}
