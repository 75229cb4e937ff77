//! Command-line interface of `lens-server`.

mod cohort;
mod content;
mod migrate;
mod serve;
mod token;

use clap::{Parser, Subcommand};
use lens_runtime::Env;

/// The Lens core: serves the lens.v1 gRPC API (default) or runs an admin
/// command. Configuration comes from the environment, `.env.local` and
/// `.env`; see docs/configuration.md.
#[derive(Debug, Parser)]
#[command(name = "lens-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the gRPC API (the default when no command is given).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Mint a token for a user (for grpcurl) or a service token for an edge.
    Token(token::TokenArgs),
    /// Work with cohorts.
    #[command(subcommand)]
    Cohort(cohort::CohortCommand),
    /// Work with course content.
    #[command(subcommand)]
    Content(content::ContentCommand),
}

/// Runs the chosen command.
pub async fn run(cli: Cli, env: Env) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(&env).await,
        Command::Migrate => migrate::run(&env).await,
        Command::Token(args) => token::run(&env, args).await,
        Command::Content(command) => content::run(command),
        Command::Cohort(command) => cohort::run(&env, command).await,
    }
}
