//! `lens-server`: the Lens core and its admin commands.

mod cli;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    lens_runtime::install_crypto_provider();
    let env = lens_runtime::Env::from_process();
    lens_runtime::init_logging(&env);
    let args = cli::Cli::parse();
    match cli::run(args, env).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
