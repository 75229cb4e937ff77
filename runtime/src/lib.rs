//! Process plumbing shared by `lens-server`, `lens-web` and `lens-discord`:
//! where configuration comes from, how secrets stay out of logs, how logs
//! are written and how a process learns it should stop.

mod deployment;
mod env;
mod errors;
mod metrics;
mod secret;
mod setting;
mod shutdown;
mod telemetry;

pub use deployment::Deployment;
pub use env::Env;
pub use errors::{ErrorReports, http_layers, start_error_reports};
pub use metrics::{NameOf, RequestMetricsLayer, metrics_addr, serve_metrics};
pub use secret::Secret;
pub use setting::{HttpUrl, SettingError};
pub use shutdown::shutdown_signal;
pub use telemetry::{LogFormat, init_logging};

/// Selects ring as the process-wide TLS crypto provider. Call once at the
/// start of `main`, before any TLS client or server is built; every TLS
/// stack in the workspace is built without a provider of its own, which
/// keeps aws-lc (and its long C build) out of the build.
pub fn install_crypto_provider() {
    // Err means one is installed already, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
