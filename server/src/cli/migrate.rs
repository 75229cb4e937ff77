//! `lens-server migrate`.

use anyhow::Context;
use lens_runtime::Env;
use lens_server::config::{DatabaseConfig, redact_url};
use lens_server::store::Store;

pub async fn run(env: &Env) -> anyhow::Result<()> {
    // Migrations need the database only, not a full configuration.
    let database = DatabaseConfig::from_env(env)?;
    let store = Store::connect(&database)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&database.url)))?;
    store.migrate().await.context("applying migrations")?;
    eprintln!("migrations applied to {}", redact_url(&database.url));
    store.close().await;
    Ok(())
}
