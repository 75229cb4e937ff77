//! Small server-rendered pages: sign-in errors, and the placeholder home
//! page shown while no built frontend is present.

use axum::body::Body;
use axum::response::{Html, IntoResponse, Response};
use http::{Request, StatusCode};
use lens_proto::v1;
use tonic::Code;

use crate::app::WebState;
use crate::cookies::{SESSION_COOKIE, read};

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A complete page with `title` and an already-escaped `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Lens</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
         a.button,button{{display:inline-block;padding:.5rem 1rem;border:1px solid #333;border-radius:.4rem;background:#fff;color:#111;text-decoration:none;cursor:pointer;font:inherit}}</style>\
         </head><body>{}</body></html>",
        escape(title),
        body
    )
}

/// The HTTP status that best matches a core status, for a sign-in page.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::InvalidArgument => StatusCode::BAD_REQUEST,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::FailedPrecondition | Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A page explaining why sign-in failed, with a way to try again.
pub fn sign_in_failed(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>Sign-in did not work</h1><p>{}</p><p><a class=\"button\" href=\"/auth/discord/login\">Try again</a> <a href=\"/\">Home</a></p>",
        escape(message)
    );
    (status, Html(page("Sign-in did not work", &body))).into_response()
}

/// A minimal home page: who is signed in, and how to sign in or out.
pub async fn placeholder(state: &WebState, request: Request<Body>) -> Response {
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
