//! Error reports to Sentry (`SENTRY_DSN`), the same way in all three
//! processes: errors and panics become events, warnings and info lines
//! become the breadcrumbs before them, and a share of requests
//! (`SENTRY_TRACES_SAMPLE_RATE`, default 10%) become traces. Events carry
//! the process, release and environment, and never a request's cookies,
//! headers, query string or body (tokens and learners' words live there).

use sentry::protocol::Event;

use crate::{Deployment, Env, SettingError};

/// Sentry, while the process runs; reports are flushed when it is dropped.
pub struct ErrorReports {
    guard: Option<sentry::ClientInitGuard>,
    where_to: String,
}

impl std::fmt::Debug for ErrorReports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorReports")
            .field("on", &self.guard.is_some())
            .finish()
    }
}

impl ErrorReports {
    /// Starts reporting for `process` (of `version`) when `SENTRY_DSN` is
    /// set. Call first thing in `main`, so start-up failures are reported.
    pub fn start(
        env: &Env,
        process: &'static str,
        version: &'static str,
    ) -> Result<Self, SettingError> {
        let Some(dsn) = env.get("SENTRY_DSN") else {
            return Ok(Self {
                guard: None,
                where_to: "error reports off: set SENTRY_DSN".to_owned(),
            });
        };
        let parsed: sentry::types::Dsn = dsn.parse().map_err(|_| {
            SettingError::invalid(
                "SENTRY_DSN",
                "(hidden)",
                "expected the DSN from the Sentry project's settings: https://KEY@HOST/PROJECT",
            )
        })?;
        let rate = match env.get("SENTRY_TRACES_SAMPLE_RATE") {
            None => 0.1,
            Some(raw) => raw
                .parse::<f32>()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| {
                    SettingError::invalid(
                        "SENTRY_TRACES_SAMPLE_RATE",
                        raw,
                        "a share from 0 to 1, e.g. 0.1",
                    )
                })?,
        };
        let environment = env
            .get("SENTRY_ENVIRONMENT")
            .map(str::to_owned)
            .unwrap_or_else(|| Deployment::from_env(env).environment().to_owned());
        let release = env
            .get("SENTRY_RELEASE")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("lens@{version}"));
        let where_to = format!(
            "error reports to Sentry at {} (environment {environment}, release {release}, {:.0}% of requests traced)",
            parsed.host(),
            rate * 100.0
        );
        let mut options = sentry::ClientOptions::new()
            .release(release)
            .environment(environment)
            .traces_sample_rate(rate)
            .send_default_pii(false)
            .before_send(scrub);
        options.dsn = Some(parsed);
        let guard = sentry::init(options);
        sentry::configure_scope(|scope| scope.set_tag("process", process));
        Ok(Self {
            guard: Some(guard),
            where_to,
        })
    }

    /// Whether reports are sent.
    pub fn is_on(&self) -> bool {
        self.guard.is_some()
    }

    /// One line for the start-up log.
    pub fn describe(&self) -> &str {
        &self.where_to
    }

    /// Reports the error that ends the process (a refused configuration, a
    /// server that failed), before the reports are flushed at exit.
    pub fn fatal(&self, message: &str) {
        if self.is_on() {
            sentry::capture_message(message, sentry::Level::Fatal);
        }
    }
}

/// Starts error reports for a process, or says on stderr why it cannot
/// (an unusable `SENTRY_DSN`): `None` means exit with failure.
pub fn start_error_reports(
    env: &Env,
    process: &'static str,
    version: &'static str,
) -> Option<ErrorReports> {
    match ErrorReports::start(env, process, version) {
        Ok(reports) => Some(reports),
        Err(error) => {
            eprintln!("error: configuration refused: {error}");
            None
        }
    }
}

/// Tower layers for a server (the core's gRPC, the web edge's HTTP): each
/// request gets its own Sentry scope, and a sampled share becomes a trace
/// named for its method (`POST /lens.v1.ChatService/SendMessage`).
pub fn http_layers<Request>() -> (
    sentry::integrations::tower::NewSentryLayer<Request>,
    sentry::integrations::tower::SentryHttpLayer,
) {
    (
        sentry::integrations::tower::NewSentryLayer::new_from_top(),
        sentry::integrations::tower::SentryHttpLayer::new().enable_transaction(),
    )
}

/// Drops what may hold a secret or a learner's words.
fn scrub(mut event: Event<'static>) -> Option<Event<'static>> {
    if let Some(request) = event.request.as_mut() {
        request.cookies = None;
        request.headers.clear();
        request.query_string = None;
        request.data = None;
        request.env.clear();
    }
    if let Some(user) = event.user.as_mut() {
        user.ip_address = None;
        user.email = None;
    }
    Some(event)
}

/// The tracing layers that turn errors into Sentry events, other lines
/// into breadcrumbs and spans into traces (no-ops while Sentry is off).
pub fn tracing_layer<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use sentry::integrations::tracing::{BreadcrumbLayer, ErrorLayer, SpanLayer};
    use tracing_subscriber::Layer;
    ErrorLayer::new()
        .and_then(BreadcrumbLayer::new())
        .and_then(SpanLayer::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_dsn_reports_are_off_and_say_how_to_switch_them_on() {
        let reports = ErrorReports::start(&Env::default(), "test", "0.0.0").unwrap();
        assert!(!reports.is_on());
        assert!(reports.describe().contains("SENTRY_DSN"));
    }

    #[test]
    fn a_bad_dsn_or_rate_is_refused_without_echoing_the_dsn() {
        let err = ErrorReports::start(&Env::from_pairs([("SENTRY_DSN", "nope-secret")]), "t", "0")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SENTRY_DSN") && !err.contains("nope-secret"),
            "{err}"
        );
        let err = ErrorReports::start(
            &Env::from_pairs([
                ("SENTRY_DSN", "https://key@sentry.example/1"),
                ("SENTRY_TRACES_SAMPLE_RATE", "2"),
            ]),
            "t",
            "0",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("SENTRY_TRACES_SAMPLE_RATE"), "{err}");
    }

    #[test]
    fn an_event_loses_cookies_headers_query_and_body() {
        let mut event = Event::new();
        event.request = Some(sentry::protocol::Request {
            cookies: Some("lens_session=secret".into()),
            query_string: Some("token=secret".into()),
            data: Some("my answer".into()),
            headers: [("authorization".to_owned(), "Bearer secret".to_owned())].into(),
            ..Default::default()
        });
        let scrubbed = scrub(event).unwrap();
        let text = serde_json::to_string(&scrubbed).unwrap();
        assert!(
            !text.contains("secret") && !text.contains("my answer"),
            "{text}"
        );
    }
}
