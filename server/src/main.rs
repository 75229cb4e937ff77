//! `lens-server`: the Lens core and its admin commands.

mod cli;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    lens_runtime::install_crypto_provider();
    let env = lens_runtime::Env::from_process();
    let Some(reports) =
        lens_runtime::start_error_reports(&env, "lens-server", env!("CARGO_PKG_VERSION"))
    else {
        return ExitCode::FAILURE;
    };
    lens_runtime::init_logging(&env);
    tracing::info!(integration = "sentry", "{}", reports.describe());
    let args = cli::Cli::parse();
    match cli::run(args, env).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            reports.fatal(&format!("lens-server: {error:#}"));
            ExitCode::FAILURE
        }
    }
}
