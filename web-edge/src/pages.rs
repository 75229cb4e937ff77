//! Small server-rendered pages: sign-in errors, and the placeholder home
//! page shown while no built frontend is present.

use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;
use tonic::Code;

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
