//! `lens-web`: the web edge.

use std::process::ExitCode;

use anyhow::Context;
use lens_runtime::{Env, shutdown_signal};
use lens_web::{WebConfig, WebState};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    lens_runtime::install_crypto_provider();
    let env = Env::from_process();
    let Some(reports) =
        lens_runtime::start_error_reports(&env, "lens-web", env!("CARGO_PKG_VERSION"))
    else {
        return ExitCode::FAILURE;
    };
    lens_runtime::init_logging(&env);
    tracing::info!("{}", reports.describe());
    match run(&env).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            reports.fatal(&format!("lens-web: {error:#}"));
            ExitCode::FAILURE
        }
    }
}

async fn run(env: &Env) -> anyhow::Result<()> {
    let config = WebConfig::from_env(env).context("configuration refused")?;
    let addr = config.addr;
    let core_url = config.core_url.clone();
    let dev_mode = config.dev_mode;
    match config.metrics_addr {
        Some(metrics) => {
            lens_runtime::serve_metrics(metrics, "lens-web").map_err(anyhow::Error::msg)?;
            tracing::info!(
                integration = "metrics",
                "on: Prometheus metrics at http://{metrics}/metrics"
            );
        }
        None => tracing::info!(
            integration = "metrics",
            "off: set LENS_WEB_METRICS_ADDR (e.g. 127.0.0.1:9465)"
        ),
    }
    let state = WebState::new(config)?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr} (LENS_WEB_ADDR / PORT)"))?;
    tracing::info!(%addr, core = %core_url, dev_mode, "web edge listening on http://{addr}");
    lens_web::serve(state, listener, shutdown_signal()).await?;
    tracing::info!("web edge stopped");
    Ok(())
}
