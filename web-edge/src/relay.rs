//! Same-origin relays for the browser's error reports (Sentry) and product
//! analytics (PostHog).
//!
//! The web app sends both to this site (`/api/errors`, `/api/usage/…`)
//! rather than to the vendors, so the Content-Security-Policy keeps
//! `connect-src 'self'`, privacy blockers that drop third-party requests do
//! not silently empty the dashboards, and the vendors never see the
//! visitor's cookies or IP address: the relay sends only the body, from the
//! edge's own address. Each relay forwards to one destination fixed by
//! configuration, so it cannot be used to reach anywhere else.

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use lens_runtime::{Env, HttpUrl, SettingError};

use crate::app::{WebState, same_origin};

/// The most a browser may send in one envelope or batch. Session-replay
/// segments are compressed and stay far below it.
pub const RELAY_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// PostHog's EU ingestion host, used when `VITE_POSTHOG_HOST` is unset.
pub const DEFAULT_POSTHOG_HOST: &str = "https://eu.i.posthog.com";
/// How long the vendor has to answer before the browser is told 504.
const UPSTREAM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The PostHog paths the app uses to send events: anything else (its
/// management API, feature flags, scripts) is not relayed.
const POSTHOG_INGESTION: &[&str] = &["e", "i", "batch", "capture"];

/// The web app's Sentry project, from the DSN it was built with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentryProject {
    /// The DSN's public key (it is in every browser's copy of the app: not a
    /// secret).
    public_key: String,
    /// The DSN's host (and port), which an envelope's DSN must name.
    host: String,
    /// The project id, the DSN path's last segment.
    project_id: String,
    /// Where envelopes go: `{base}/api/{project}/envelope/`.
    envelope_url: String,
}

impl SentryProject {
    /// Reads a DSN (`{scheme}://{key}@{host}[/{prefix}]/{project}`); `base`
    /// replaces its scheme, host and prefix when given.
    fn parse(dsn: &str, base: Option<&HttpUrl>) -> Result<Self, String> {
        let url = url::Url::parse(dsn).map_err(|_| "expected a Sentry DSN URL".to_owned())?;
        let public_key = url.username();
        let host = url.host_str().unwrap_or_default();
        let path = url.path().trim_end_matches('/');
        let (prefix, project_id) = path.rsplit_once('/').unwrap_or(("", path));
        if public_key.is_empty()
            || host.is_empty()
            || project_id.is_empty()
            || !project_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(
                "expected https://PUBLIC_KEY@HOST/PROJECT_ID, as Sentry's project settings show it"
                    .into(),
            );
        }
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let base = match base {
            Some(base) => base.as_str().to_owned(),
            None => format!("{}://{host}{prefix}", url.scheme()),
        };
        Ok(Self {
            public_key: public_key.to_owned(),
            envelope_url: format!("{base}/api/{project_id}/envelope/"),
            host,
            project_id: project_id.to_owned(),
        })
    }

    /// Whether the DSN an envelope names is this project's.
    fn accepts(&self, dsn: &str) -> bool {
        Self::parse(dsn, None).is_ok_and(|other| {
            other.public_key == self.public_key
                && other.host == self.host
                && other.project_id == self.project_id
        })
    }
}

/// What the relays forward to; each is off when its setting is unset.
#[derive(Debug, Clone, Default)]
pub struct RelayConfig {
    /// `VITE_SENTRY_DSN`: the web app's Sentry project (the same value the
    /// app was built with), with `SENTRY_INGEST_BASE_URL` replacing where
    /// envelopes go (a self-hosted relay, or a test's fake).
    pub sentry: Option<SentryProject>,
    /// `VITE_POSTHOG_HOST` (default the EU host), when `VITE_POSTHOG_KEY`
    /// is set.
    pub posthog: Option<HttpUrl>,
}

impl RelayConfig {
    /// Reads the relays' settings.
    pub fn from_env(env: &Env) -> Result<Self, SettingError> {
        let base = env.optional_url("SENTRY_INGEST_BASE_URL")?;
        let sentry = env
            .get("VITE_SENTRY_DSN")
            .map(|dsn| {
                SentryProject::parse(dsn, base.as_ref())
                    .map_err(|reason| SettingError::invalid("VITE_SENTRY_DSN", dsn, reason))
            })
            .transpose()?;
        let posthog = match env.get("VITE_POSTHOG_KEY") {
            Some(_) => Some(env.url("VITE_POSTHOG_HOST", DEFAULT_POSTHOG_HOST)?),
            None => None,
        };
        Ok(Self { sentry, posthog })
    }
}

/// `POST /api/errors`: a Sentry envelope from the web app (the SDK's
/// `tunnel`), forwarded when its header names this site's own project.
pub async fn errors(State(state): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    if !same_origin(&headers) {
        return cross_origin();
    }
    let Some(project) = &state.config.relays.sentry else {
        return refuse(
            StatusCode::NOT_FOUND,
            "error reports are off (VITE_SENTRY_DSN is not set)",
        );
    };
    let header = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let dsn = serde_json::from_slice::<serde_json::Value>(header)
        .ok()
        .and_then(|h| h.get("dsn")?.as_str().map(str::to_owned));
    match dsn {
        None => refuse(
            StatusCode::BAD_REQUEST,
            "expected a Sentry envelope whose first line names its DSN",
        ),
        Some(dsn) if !project.accepts(&dsn) => refuse(
            StatusCode::FORBIDDEN,
            "only this site's own Sentry project is relayed",
        ),
        Some(_) => {
            let auth = format!(
                "Sentry sentry_version=7, sentry_key={}, sentry_client=lens-web-relay/{}",
                project.public_key,
                env!("CARGO_PKG_VERSION")
            );
            let request = state
                .http
                .post(&project.envelope_url)
                .header(CONTENT_TYPE, "application/x-sentry-envelope")
                .header("x-sentry-auth", auth)
                .body(body);
            forward(request, "Sentry").await
        }
    }
}

/// `/api/usage/{path}`: a PostHog ingestion call from the web app,
/// forwarded to the configured host without cookies or the visitor's
/// address.
pub async fn usage(
    State(state): State<WebState>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !same_origin(&headers) {
        return cross_origin();
    }
    let Some(host) = &state.config.relays.posthog else {
        return refuse(
            StatusCode::NOT_FOUND,
            "analytics are off (VITE_POSTHOG_KEY is not set)",
        );
    };
    let first = path.split('/').next().unwrap_or_default();
    if !POSTHOG_INGESTION.contains(&first) || path.contains("..") {
        return refuse(StatusCode::NOT_FOUND, "only event ingestion is relayed");
    }
    if method != Method::POST && method != Method::GET {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST");
    }
    let mut target = format!("{}/{path}", host.as_str());
    if let Some(query) = query {
        target.push('?');
        target.push_str(&query);
    }
    let mut request = state.http.request(method, target).body(body);
    if let Some(kind) = headers.get(CONTENT_TYPE) {
        request = request.header(CONTENT_TYPE, kind);
    }
    forward(request, "PostHog").await
}

/// Sends `request` and answers with the vendor's status and body (its
/// content type kept), or 502/504 said in words.
async fn forward(request: reqwest::RequestBuilder, vendor: &str) -> Response {
    let answer = match request.timeout(UPSTREAM_TIMEOUT).send().await {
        Ok(answer) => answer,
        Err(error) => {
            let timed_out = error.is_timeout();
            tracing::warn!(vendor, error = %error.without_url(), "relay could not reach the vendor");
            let status = if timed_out {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::BAD_GATEWAY
            };
            return refuse(
                status,
                "the analytics or error-reporting service did not answer",
            );
        }
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let kind = answer.headers().get(CONTENT_TYPE).cloned();
    let body = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(kind) = kind {
        response.headers_mut().insert(CONTENT_TYPE, kind);
    }
    response
}

/// Another site's pages may not spend this site's quota or pollute its data.
fn cross_origin() -> Response {
    refuse(
        StatusCode::FORBIDDEN,
        "only this site's own pages may report here",
    )
}

fn refuse(status: StatusCode, why: &'static str) -> Response {
    let mut response = (status, why).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dsn_names_its_envelope_endpoint() {
        let project =
            SentryProject::parse("https://abc@o1.ingest.de.sentry.io/4507", None).unwrap();
        assert_eq!(
            project.envelope_url,
            "https://o1.ingest.de.sentry.io/api/4507/envelope/"
        );
        let hosted = SentryProject::parse("http://abc@sentry.local:9000/errors/7", None).unwrap();
        assert_eq!(
            hosted.envelope_url,
            "http://sentry.local:9000/errors/api/7/envelope/"
        );
    }

    #[test]
    fn a_base_url_replaces_where_envelopes_go() {
        let base = HttpUrl::parse("http://127.0.0.1:4000/").unwrap();
        let project =
            SentryProject::parse("https://abc@o1.ingest.sentry.io/42", Some(&base)).unwrap();
        assert_eq!(
            project.envelope_url,
            "http://127.0.0.1:4000/api/42/envelope/"
        );
        assert!(project.accepts("https://abc@o1.ingest.sentry.io/42"));
    }

    #[test]
    fn only_the_configured_project_is_accepted() {
        let project = SentryProject::parse("https://abc@o1.ingest.sentry.io/42", None).unwrap();
        assert!(!project.accepts("https://abc@o1.ingest.sentry.io/43"));
        assert!(!project.accepts("https://other@o1.ingest.sentry.io/42"));
        assert!(!project.accepts("https://abc@evil.example/42"));
        assert!(!project.accepts("not a dsn"));
    }

    #[test]
    fn a_dsn_without_key_or_project_is_refused() {
        assert!(SentryProject::parse("https://o1.ingest.sentry.io/42", None).is_err());
        assert!(SentryProject::parse("https://abc@o1.ingest.sentry.io/", None).is_err());
        assert!(SentryProject::parse("https://abc@o1.ingest.sentry.io/project", None).is_err());
    }

    #[test]
    fn posthog_is_relayed_only_with_a_key() {
        let off = RelayConfig::from_env(&Env::from_pairs([(
            "VITE_POSTHOG_HOST",
            "https://x.example",
        )]))
        .unwrap();
        assert!(off.posthog.is_none());
        let on = RelayConfig::from_env(&Env::from_pairs([("VITE_POSTHOG_KEY", "phc_1")])).unwrap();
        assert_eq!(on.posthog.unwrap().as_str(), DEFAULT_POSTHOG_HOST);
    }
}
