//! The web edge's HTTP application.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use http::{HeaderValue, Request, StatusCode};
use tokio::net::TcpListener;
use tower::{Layer, ServiceExt};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth_pages;
use crate::config::WebConfig;
use crate::core_client::CoreClient;
use crate::forward::Forwarder;
use crate::relay::RELAY_BODY_LIMIT;

/// Shared state of the web edge.
#[derive(Clone)]
pub struct WebState {
    /// Configuration.
    pub config: Arc<WebConfig>,
    /// The core.
    pub core: CoreClient,
    /// For the relays to Sentry and PostHog (`relay`).
    pub http: reqwest::Client,
}

/// Why the web edge could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// `LENS_CORE_URL` is not a usable URL.
    #[error("LENS_CORE_URL: {0}")]
    CoreUrl(#[from] tonic::transport::Error),
    /// The HTTP client for the relays could not be built (no TLS roots).
    #[error("HTTP client: {0}")]
    Http(String),
    /// Serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

impl WebState {
    /// State for `config`.
    pub fn new(config: WebConfig) -> Result<Self, WebError> {
        let core = CoreClient::new(config.core_url.as_str(), config.edge_token.clone())?;
        lens_runtime::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("lens-web/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| WebError::Http(error.without_url().to_string()))?;
        Ok(Self {
            config: Arc::new(config),
            core,
            http,
        })
    }
}

/// The complete router: auth pages, grpc-web, static files.
pub fn router(state: WebState) -> Router {
    let grpc_web = tonic_web::GrpcWebLayer::new()
        .layer(Forwarder::new(state.core.channel(), state.config.clone()));
    let frontend = crate::frontend::service(&state);
    let dev_mode = state.config.dev_mode;
    let fallback = tower::service_fn(move |request: Request<Body>| {
        let grpc_web = grpc_web.clone();
        let frontend = frontend.clone();
        async move {
            if request.uri().path().starts_with("/lens.v1.") {
                if !dev_mode && !same_origin(request.headers()) {
                    return Ok::<_, Infallible>(
                        (
                            StatusCode::FORBIDDEN,
                            "cross-origin grpc-web calls are not accepted",
                        )
                            .into_response(),
                    );
                }
                return Ok(grpc_web.oneshot(request).await.into_response());
            }
            Ok(frontend.oneshot(request).await.into_response())
        }
    });
    let (sentry_scope, sentry_http) = lens_runtime::http_layers::<Request<Body>>();
    Router::new()
        .route("/auth/discord/login", get(auth_pages::discord_login))
        .route("/auth/discord/callback", get(auth_pages::discord_callback))
        .route("/auth/logout", post(auth_pages::logout))
        .route("/auth/dev/login", get(auth_pages::dev_login))
        .route("/auth/guest", post(crate::guest::start))
        .route(
            "/api/content/webhook",
            post(crate::webhook::content_webhook),
        )
        .route(
            "/unsubscribe",
            get(crate::unsubscribe::confirm).post(crate::unsubscribe::unsubscribe),
        )
        // Liveness: the process answers. Readiness: it can reach the core,
        // so a load balancer sends people only to edges that can serve them.
        .route(
            "/api/errors",
            post(crate::relay::errors).layer(DefaultBodyLimit::max(RELAY_BODY_LIMIT)),
        )
        .route(
            "/api/usage/{*path}",
            any(crate::relay::usage).layer(DefaultBodyLimit::max(RELAY_BODY_LIMIT)),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .fallback_service(fallback)
        // GitHub push payloads stay well under this; larger bodies are refused.
        .layer(DefaultBodyLimit::max(10 * 1024 * 1024))
        .layer(header(
            http::header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header(http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(
            http::header::REFERRER_POLICY,
            "strict-origin-when-cross-origin",
        ))
        .layer(lens_runtime::RequestMetricsLayer::new(route_name))
        .layer(sentry_http)
        .layer(sentry_scope)
        .with_state(state)
}

/// The name a request is counted under: a grpc-web call's method, the
/// edge's own routes by path, and every other path (the app's pages and
/// files) as `page`, so visitors cannot make new series.
fn route_name(uri: &http::Uri) -> std::borrow::Cow<'static, str> {
    let path = uri.path();
    match path {
        "/healthz" | "/readyz" | "/unsubscribe" | "/api/content/webhook" | "/api/errors" => {
            path.to_owned().into()
        }
        _ if path.starts_with("/api/usage/") => "/api/usage".into(),
        _ if path.starts_with("/auth/") && path.len() <= 40 => path.to_owned().into(),
        _ if path.starts_with("/lens.v1.") && path.len() <= 120 => path.to_owned().into(),
        _ => "page".into(),
    }
}

/// Whether the core answers its health check within two seconds.
async fn ready(
    axum::extract::State(state): axum::extract::State<WebState>,
) -> (StatusCode, String) {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let mut client = HealthClient::new(state.core.channel());
    let check = client.check(HealthCheckRequest {
        service: String::new(),
    });
    match tokio::time::timeout(std::time::Duration::from_secs(2), check).await {
        Ok(Ok(answer)) if answer.get_ref().status() == ServingStatus::Serving => {
            (StatusCode::OK, "ready".to_owned())
        }
        Ok(Ok(_)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the core is not serving (shutting down?)".to_owned(),
        ),
        Ok(Err(status)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the core did not answer: {}",
                status.message().chars().take(200).collect::<String>()
            ),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the core did not answer within 2 s".to_owned(),
        ),
    }
}

/// A response header set on every answer that has none of its own.
fn header(name: http::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// What the pages may load and who may frame them. Scripts and styles come
/// from this site only (the pages' own `<style>` blocks and React's style
/// attributes need inline styles); images may come from any https host
/// (article figures, Discord avatars; the tutor's answers never load theirs);
/// the only frames are YouTube's privacy-enhanced player; and no other site
/// may frame Lens (clickjacking). Error reports and analytics go through
/// this site's own relays (`relay`), so `connect-src` stays `'self'`; the one
/// allowance they need is a worker made from a `blob:` (Sentry's session
/// replay compresses its recording off the main thread that way), which
/// only a script already running on the page can create.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; \
     frame-src https://www.youtube-nocookie.com; connect-src 'self'; \
     worker-src 'self' blob:; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A browser sends `Origin` on cross-site POSTs; refuse those whose origin
/// is not this host. (SameSite cookies and the absence of CORS already stop
/// them; this is the second lock.)
pub(crate) fn same_origin(headers: &http::HeaderMap) -> bool {
    let Some(origin) = headers
        .get(http::header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return true;
    };
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    host.is_some() && origin_host == host
}

/// Serves the web edge on `listener` until `shutdown` completes.
pub async fn serve(
    state: WebState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), WebError> {
    use axum::serve::ListenerExt;
    let app = router(state);
    // Streamed responses are many small writes: without TCP_NODELAY each one
    // after the first waits ~40 ms for the browser's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    // The peer address is the browser's unless CLIENT_IP_HEADER names a
    // proxy's header; guests are counted by it.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
