//! `/unsubscribe`: the page every email links to. The link only shows a
//! button (mail scanners that open links must not switch email off); the
//! button, or a mail client's one-click unsubscribe (RFC 8058, a POST),
//! asks the core, which checks the link's signature.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use lens_proto::v1;
use serde::Deserialize;

use crate::app::WebState;
use crate::pages::{escape, http_status, page};

/// The link's query.
#[derive(Debug, Deserialize)]
pub struct Link {
    user: i64,
    sig: String,
}

/// `GET /unsubscribe?user=…&sig=…`: a button.
pub async fn confirm(Query(link): Query<Link>) -> Response {
    let body = format!(
        "<h1>Stop emails from Lens?</h1>\
         <p>You will get no more reminders or news by email. You can switch email back on in your profile.</p>\
         <form method=\"post\" action=\"/unsubscribe?user={}&amp;sig={}\"><button type=\"submit\">Stop emails</button></form>",
        link.user,
        escape(&link.sig)
    );
    Html(page("Stop emails", &body)).into_response()
}

/// `POST /unsubscribe?user=…&sig=…`: switches email off.
pub async fn unsubscribe(State(state): State<WebState>, Query(link): Query<Link>) -> Response {
    let done = state
        .core
        .users()
        .unsubscribe(v1::UnsubscribeRequest {
            user_id: link.user,
            signature: link.sig,
        })
        .await;
    match done {
        Ok(_) => Html(page(
            "Emails stopped",
            "<h1>Emails stopped</h1><p>Lens will not email you any more. Switch email back on in your profile whenever you like.</p><p><a href=\"/\">Lens</a></p>",
        ))
        .into_response(),
        Err(status) => (
            http_status(status.code()),
            Html(page(
                "Link not valid",
                &format!("<h1>That did not work</h1><p>{}</p>", escape(status.message())),
            )),
        )
            .into_response(),
    }
}
