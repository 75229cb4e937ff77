//! `lens-discord`: the discord edge.

use std::process::ExitCode;

use lens_discord::{DiscordConfig, Startup};
use lens_runtime::{Env, shutdown_signal};

#[tokio::main]
async fn main() -> ExitCode {
    lens_runtime::install_crypto_provider();
    let env = Env::from_process();
    let Some(reports) =
        lens_runtime::start_error_reports(&env, "lens-discord", env!("CARGO_PKG_VERSION"))
    else {
        return ExitCode::FAILURE;
    };
    lens_runtime::init_logging(&env);
    tracing::info!("{}", reports.describe());
    let config = match DiscordConfig::from_env(&env) {
        Ok(Startup::Run(config)) => *config,
        Ok(Startup::Off(reason)) => {
            println!("lens-discord: {reason}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("error: configuration refused: {error}");
            reports.fatal(&format!("lens-discord: configuration refused: {error}"));
            return ExitCode::FAILURE;
        }
    };
    match lens_discord::run(config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            reports.fatal(&format!("lens-discord: {error}"));
            ExitCode::FAILURE
        }
    }
}
