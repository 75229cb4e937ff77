//! Log output: human-readable by default, JSON lines with `LOG_FORMAT=json`.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::Env;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Coloured when on a terminal, one event per line.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT=json` selects JSON; anything else is human.
    pub fn from_env(env: &Env) -> Self {
        match env.get("LOG_FORMAT") {
            Some(v) if v.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Human,
        }
    }
}

/// Installs the global subscriber. `RUST_LOG` filters (default `info`,
/// `warn` for chatty dependencies, and nothing from genai, whose failures
/// the tutor logs itself, sorted and without the provider's whole reply). Safe to call more than once: later calls
/// keep the first subscriber, which is what tests starting several
/// processes in one binary need.
pub fn init_logging(env: &Env) {
    let filter = env
        .get("RUST_LOG")
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| {
            EnvFilter::new("info,sqlx=warn,serenity=warn,h2=warn,hyper=warn,tower=warn,genai=off")
        });
    // Logs go to stderr so that commands printing results on stdout (such as
    // `lens-server token`) can be captured by scripts.
    let json = (LogFormat::from_env(env) == LogFormat::Json).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .json()
            .flatten_event(true)
    });
    let human = json
        .is_none()
        .then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(json)
        .with(human)
        // Errors reach Sentry as events, the rest as breadcrumbs, when
        // SENTRY_DSN is set (crate::ErrorReports); nothing otherwise.
        .with(crate::errors::tracing_layer())
        .try_init();
}
