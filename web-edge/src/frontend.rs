//! The built web app: hashed assets cached for good, every other path
//! answered with `index.html` (the app routes in the browser) and
//! revalidated on each visit, so a deploy reaches learners on their next
//! page load. Files are served precompressed (`.br`, `.gz` written by the
//! app's build) when the browser accepts it, at no CPU cost per request.
//! Without a build, a server-rendered placeholder page.

use std::convert::Infallible;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, HeaderValue, VARY};
use http::{Request, StatusCode};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::app::WebState;
use crate::pages::placeholder;

/// Where Vite puts content-hashed files: their names change with their
/// content, so they never need revalidating.
const ASSETS: &str = "/assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The frontend as a service.
pub type Frontend = tower::util::BoxCloneSyncService<Request<Body>, Response, Infallible>;

/// Serves the build in the configured static folder, or the placeholder.
pub fn service(state: &WebState) -> Frontend {
    let dir = &state.config.static_dir;
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(
            dir = %dir.display(),
            "no built frontend found; serving the placeholder page (build it with `npm run build` in web_frontend/)"
        );
        let state = state.clone();
        return tower::util::BoxCloneSyncService::new(tower::service_fn(
            move |request: Request<Body>| {
                let state = state.clone();
                async move {
                    let response = if request.uri().path() == "/" {
                        placeholder(&state, request).await
                    } else {
                        (StatusCode::NOT_FOUND, "not found").into_response()
                    };
                    Ok::<_, Infallible>(response)
                }
            },
        ));
    }
    // A missing asset is a 404, never the app: an old page asking for a
    // replaced file must not cache index.html under the asset's name.
    let assets = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let app = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    tower::util::BoxCloneSyncService::new(tower::service_fn(move |request: Request<Body>| {
        let (assets, app) = (assets.clone(), app.clone());
        async move {
            let is_asset = request.uri().path().starts_with(ASSETS);
            let mut response = if is_asset {
                assets.oneshot(request).await.into_response()
            } else {
                app.oneshot(request).await.into_response()
            };
            if matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
                let policy = if is_asset { IMMUTABLE } else { REVALIDATE };
                let headers = response.headers_mut();
                headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
                // The body depends on Accept-Encoding: caches must key on it.
                headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
            }
            Ok::<_, Infallible>(response)
        }
    }))
}
