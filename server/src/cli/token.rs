//! `lens-server token`: tokens for people with shell access to the core's
//! configuration (grpcurl sessions, edge service credentials).

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use lens_runtime::Env;
use lens_server::auth::{EdgeKind, TokenKeys};
use lens_server::clock;
use lens_server::config::{Config, DatabaseConfig};
use lens_server::domain::UserId;
use lens_server::store::Store;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Edge {
    Web,
    Discord,
}

/// Prints a token on stdout, so that `TOKEN=$(lens-server token …)` works;
/// `token revoke …` takes tokens back.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TokenArgs {
    /// Revoke instead of mint.
    #[command(subcommand)]
    revoke: Option<TokenCommand>,
    /// Lens user id to mint a session for (see WhoAmI or the users table).
    #[arg(long, conflicts_with = "edge", required_unless_present = "edge")]
    user: Option<UserId>,
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

/// Taking tokens back.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Revoke one token, every token of a user, or every token of an edge
    /// (tokens issued up to now are refused at their next use).
    Revoke(RevokeArgs),
}

/// What to revoke: exactly one of these.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct RevokeArgs {
    /// One token (a session or an edge's), as printed when it was minted.
    #[arg(long)]
    token: Option<String>,
    /// Every session of this user, on every device.
    #[arg(long)]
    user: Option<UserId>,
    /// Every service token of this edge (then, a second later, mint it a
    /// new one: tokens issued up to the same second are refused too).
    #[arg(long, value_enum)]
    edge: Option<Edge>,
}

pub async fn run(env: &Env, args: TokenArgs) -> anyhow::Result<()> {
    let config = Config::from_env(env).context("configuration refused")?;
    let keys = TokenKeys::new(&config.jwt_secret);
    if let Some(TokenCommand::Revoke(what)) = args.revoke {
        return revoke(env, &keys, what).await;
    }
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
async fn check_user_exists(env: &Env, user_id: UserId, admin: bool) -> anyhow::Result<()> {
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

async fn revoke(env: &Env, keys: &TokenKeys, what: RevokeArgs) -> anyhow::Result<()> {
    let store = Store::connect(&DatabaseConfig::from_env(env)?)
        .await
        .context("connecting to the database")?;
    store.migrate().await?;
    let said = match (what.token, what.user, what.edge) {
        (Some(token), _, _) => {
            // Only a token this core signed can be revoked (and its id trusted).
            let claims = keys
                .verify(token.trim())
                .context("that is not a token of this platform (or it has expired already)")?;
            let user_id = claims.sub.parse::<i64>().ok().map(UserId);
            store
                .revoke_session(&claims.jti, user_id, claims.expires_at())
                .await?;
            format!("revoked token {} of {}", claims.jti, claims.sub)
        }
        (None, Some(user_id), _) => {
            if !store.revoke_user_tokens(user_id).await? {
                bail!("there is no user {user_id}");
            }
            format!("revoked every session of user {user_id}")
        }
        (None, None, Some(edge)) => {
            let kind = match edge {
                Edge::Web => EdgeKind::Web,
                Edge::Discord => EdgeKind::Discord,
            };
            store.revoke_edge_tokens(kind.subject()).await?;
            format!(
                "revoked every service token of {}: a second from now, give it a new one (lens-server token --edge …)",
                kind.subject()
            )
        }
        (None, None, None) => bail!("pass --token, --user or --edge"),
    };
    store.close().await;
    eprintln!("{said}");
    Ok(())
}
