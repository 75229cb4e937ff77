//! The web edge's HTTP application.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use http::{Request, StatusCode};
use lens_proto::v1;
use tokio::net::TcpListener;
use tower::{Layer, ServiceExt};
use tower_http::services::{ServeDir, ServeFile};

use crate::auth_pages;
use crate::config::WebConfig;
use crate::cookies::{SESSION_COOKIE, read};
use crate::core::CoreClient;
use crate::forward::Forwarder;
use crate::pages::{escape, page};

/// Shared state of the web edge.
#[derive(Clone)]
pub struct WebState {
    /// Configuration.
    pub config: Arc<WebConfig>,
    /// The core.
    pub core: CoreClient,
}

/// Why the web edge could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// `LENS_CORE_URL` is not a usable URL.
    #[error("LENS_CORE_URL: {0}")]
    CoreUrl(#[from] tonic::transport::Error),
    /// Serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

impl WebState {
    /// State for `config`.
    pub fn new(config: WebConfig) -> Result<Self, WebError> {
        let core = CoreClient::new(&config.core_url, config.edge_token.clone())?;
        Ok(Self {
            config: Arc::new(config),
            core,
        })
    }
}

/// The complete router: auth pages, grpc-web, static files.
pub fn router(state: WebState) -> Router {
    let grpc_web = tonic_web::GrpcWebLayer::new().layer(Forwarder::new(state.core.channel()));
    let frontend = frontend_service(&state);
    let dev_mode = state.config.dev_mode;
    let fallback = tower::service_fn(move |request: Request<Body>| {
        let grpc_web = grpc_web.clone();
        let frontend = frontend.clone();
        async move {
            if request.uri().path().starts_with("/lens.v1.") {
                if !dev_mode && !same_origin(&request) {
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
    Router::new()
        .route("/auth/discord/login", get(auth_pages::discord_login))
        .route("/auth/discord/callback", get(auth_pages::discord_callback))
        .route("/auth/logout", post(auth_pages::logout))
        .route("/auth/dev/login", get(auth_pages::dev_login))
        .route(
            "/api/content/webhook",
            post(crate::webhook::content_webhook),
        )
        .route("/healthz", get(|| async { "ok" }))
        .fallback_service(fallback)
        // GitHub push payloads stay well under this; larger bodies are refused.
        .layer(axum::extract::DefaultBodyLimit::max(10 * 1024 * 1024))
        .with_state(state)
}

/// A browser sends `Origin` on cross-site POSTs; refuse those whose origin
/// is not this host. (SameSite cookies and the absence of CORS already stop
/// them; this is the second lock.)
fn same_origin(request: &Request<Body>) -> bool {
    let Some(origin) = request
        .headers()
        .get(http::header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return true;
    };
    let host = request
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    host.is_some() && origin_host == host
}

type Frontend = tower::util::BoxCloneSyncService<Request<Body>, Response, Infallible>;

/// The built frontend with single-page-app fallback to `index.html`, or the
/// placeholder home page when no build is present.
fn frontend_service(state: &WebState) -> Frontend {
    let index = state.config.static_dir.join("index.html");
    if index.is_file() {
        let serve = ServeDir::new(&state.config.static_dir).fallback(ServeFile::new(index));
        let serve = ServiceExt::<Request<Body>>::map_response(serve, IntoResponse::into_response);
        return tower::util::BoxCloneSyncService::new(serve);
    }
    tracing::warn!(
        dir = %state.config.static_dir.display(),
        "no built frontend found; serving the placeholder page (build it with `npm run build` in web_frontend/)"
    );
    let state = state.clone();
    tower::util::BoxCloneSyncService::new(tower::service_fn(move |request: Request<Body>| {
        let state = state.clone();
        async move {
            let response = if request.uri().path() == "/" {
                placeholder(State(state), request).await
            } else {
                (StatusCode::NOT_FOUND, "not found").into_response()
            };
            Ok::<_, Infallible>(response)
        }
    }))
}

/// A minimal home page: who is signed in, and how to sign in or out.
async fn placeholder(State(state): State<WebState>, request: Request<Body>) -> Response {
    let session = read(request.headers(), SESSION_COOKIE).map(str::to_owned);
    let who = state
        .core
        .auth_as(session.as_deref())
        .who_am_i(v1::WhoAmIRequest {})
        .await;
    let info = state
        .core
        .system()
        .get_system_info(v1::GetSystemInfoRequest {})
        .await;
    let mut body = String::from("<h1>Lens</h1>");
    match who.map(|r| r.into_inner()) {
        Ok(v1::WhoAmIResponse {
            user: Some(user), ..
        }) => {
            let name = if user.nickname.is_empty() {
                &user.discord_username
            } else {
                &user.nickname
            };
            body.push_str(&format!(
                "<p>Signed in as <strong>{}</strong> (user {}{}).</p>\
                 <form method=\"post\" action=\"/auth/logout\"><button>Sign out</button></form>",
                escape(name),
                user.id,
                if user.is_admin { ", admin" } else { "" }
            ));
        }
        Ok(_) => {
            body.push_str("<p>You are not signed in.</p><p><a class=\"button\" href=\"/auth/discord/login\">Sign in with Discord</a></p>");
            if state.config.dev_mode {
                body.push_str(
                    "<form action=\"/auth/dev/login\"><label>Development user <input name=\"username\" value=\"dev\" required></label> \
                     <label><input type=\"checkbox\" name=\"admin\" value=\"true\"> admin</label> <button>Sign in</button></form>",
                );
            }
        }
        Err(status) => body.push_str(&format!(
            "<p>The core answered: {}</p>",
            escape(status.message())
        )),
    }
    if let Ok(info) = info {
        let info = info.into_inner();
        body.push_str(&format!(
            "<h2>Platform</h2><p>Core version {}.</p><ul>",
            escape(&info.version)
        ));
        for integration in info.integrations {
            body.push_str(&format!(
                "<li>{} — {}: {}</li>",
                escape(&integration.name),
                if integration.enabled { "on" } else { "off" },
                escape(&integration.detail)
            ));
        }
        body.push_str("</ul>");
    }
    Html(page("Lens", &body)).into_response()
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
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
