//! `lens-server serve`.

use anyhow::Context;
use lens_runtime::{Env, shutdown_signal};
use lens_server::{Config, Core};
use tokio::net::TcpListener;

pub async fn run(env: &Env) -> anyhow::Result<()> {
    let config = Config::from_env(env).context("configuration refused")?;
    let addr = config.grpc_addr;
    let core = Core::build(config).await.context("starting the core")?;
    core.log_integrations();
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr} (LENS_GRPC_ADDR)"))?;
    core.serve(listener, shutdown_signal()).await?;
    Ok(())
}
