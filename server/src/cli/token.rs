//! `lens-server token`: tokens for people with shell access to the core's
//! configuration (grpcurl sessions, edge service credentials).

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use lens_runtime::Env;
use lens_server::auth::{EdgeKind, TokenKeys};
use lens_server::clock;
use lens_server::config::{Config, DatabaseConfig};
use lens_server::store::Store;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Edge {
    Web,
    Discord,
}

/// Prints a token on stdout, so that `TOKEN=$(lens-server token …)` works.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Lens user id to mint a session for (see WhoAmI or the users table).
    #[arg(long, conflicts_with = "edge", required_unless_present = "edge")]
    user: Option<i64>,
    /// Give the session the admin role.
    #[arg(long, requires = "user")]
    admin: bool,
    /// Mint the service token of an edge instead (`LENS_EDGE_TOKEN` of
    /// lens-web or lens-discord).
    #[arg(long, value_enum)]
    edge: Option<Edge>,
    /// Lifetime in hours (default: 24 for users, 8760 = one year for edges).
    #[arg(long)]
    hours: Option<u64>,
}

pub async fn run(env: &Env, args: TokenArgs) -> anyhow::Result<()> {
    let config = Config::from_env(env).context("configuration refused")?;
    let keys = TokenKeys::new(&config.jwt_secret);
    let now = clock::now();
    let token = match (args.user, args.edge) {
        (Some(user_id), _) => {
            check_user_exists(env, user_id, args.admin).await?;
            let ttl = Duration::from_secs(args.hours.unwrap_or(24) * 3600);
            let (token, claims) = keys.mint_session(user_id, args.admin, now, ttl);
            eprintln!(
                "session for user {user_id}{} until {}",
                if args.admin { " (admin)" } else { "" },
                claims.expires_at()
            );
            token
        }
        (None, Some(edge)) => {
            let kind = match edge {
                Edge::Web => EdgeKind::Web,
                Edge::Discord => EdgeKind::Discord,
            };
            let ttl = Duration::from_secs(args.hours.unwrap_or(24 * 365) * 3600);
            let (token, claims) = keys.mint_edge(kind, now, ttl);
            eprintln!(
                "service token for {} until {}",
                kind.subject(),
                claims.expires_at()
            );
            token
        }
        (None, None) => bail!("pass --user ID or --edge web|discord"),
    };
    println!("{token}");
    Ok(())
}

/// Checks the user exists; with `admin`, makes them an admin: rights are
/// read from the database on every call, so the token's role alone grants
/// nothing.
async fn check_user_exists(env: &Env, user_id: i64, admin: bool) -> anyhow::Result<()> {
    let store = Store::connect(&DatabaseConfig::from_env(env)?)
        .await
        .context("connecting to the database to check the user")?;
    store.migrate().await?;
    let user = store.user_by_id(user_id).await?;
    if admin
        && user
            .as_ref()
            .is_some_and(|u| u.deleted_at.is_none() && !u.is_admin)
    {
        store.set_admin(user_id, true).await?;
        eprintln!("user {user_id} is now an admin");
    }
    store.close().await;
    match user {
        Some(user) if user.deleted_at.is_none() => Ok(()),
        Some(_) => bail!("user {user_id} was deleted"),
        None => bail!(
            "there is no user {user_id}: users appear when they first sign in (with DEV_MODE=1, the dev sign-in on the web page creates one)"
        ),
    }
}
