//! The web edge's same-origin relays: the web app's Sentry envelopes and
//! PostHog events reach the (fake) vendors through the edge, only for this
//! site's own project and pages, and without the visitor's cookies.

use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::fakes::posthog::{FakePostHog, POSTHOG_KEY};
use lens_tests::fakes::sentry::{FakeSentry, SENTRY_KEY};
use lens_tests::web::TestWeb;
use reqwest::StatusCode;

/// The DSN the web app was built with: a host of its own, so the edge must
/// send envelopes to `SENTRY_INGEST_BASE_URL` (the fake) instead.
const APP_DSN: &str = "https://fakepublickey@o1.ingest.sentry.example/42";

struct Relayed {
    _core: TestCore,
    web: TestWeb,
    sentry: FakeSentry,
    posthog: FakePostHog,
    http: reqwest::Client,
}

async fn edge_with_relays() -> Relayed {
    assert!(APP_DSN.contains(SENTRY_KEY));
    let core = TestCore::start(CoreOptions::default()).await;
    let sentry = FakeSentry::start().await;
    let posthog = FakePostHog::start().await;
    let web = TestWeb::start_with(
        &core,
        false,
        vec![
            ("VITE_SENTRY_DSN".into(), APP_DSN.into()),
            ("SENTRY_INGEST_BASE_URL".into(), sentry.url.clone()),
            ("VITE_POSTHOG_KEY".into(), POSTHOG_KEY.into()),
            ("VITE_POSTHOG_HOST".into(), posthog.url.clone()),
        ],
    )
    .await;
    Relayed {
        _core: core,
        web,
        sentry,
        posthog,
        http: reqwest::Client::new(),
    }
}

fn envelope(dsn: &str, message: &str) -> String {
    let event = serde_json::json!({"message": message, "level": "error"}).to_string();
    format!(
        "{}\n{}\n{event}\n",
        serde_json::json!({"dsn": dsn, "event_id": "9ec79c33ec9942ab8353589fcb2e04dc"}),
        serde_json::json!({"type": "event", "length": event.len()}),
    )
}

impl Relayed {
    async fn report(&self, body: String, origin: Option<&str>) -> StatusCode {
        let mut request = self
            .http
            .post(format!("{}/api/errors", self.web.url))
            .header("cookie", "lens_session=not-for-sentry")
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send().await.unwrap().status()
    }

    async fn usage(&self, path: &str, body: serde_json::Value) -> StatusCode {
        self.http
            .post(format!("{}/api/usage/{path}", self.web.url))
            .header("cookie", "lens_session=not-for-posthog")
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_report_reaches_sentry_through_the_edge() {
    let relayed = edge_with_relays().await;
    let status = relayed
        .report(envelope(APP_DSN, "the grid failed to draw"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let received = relayed.sentry.envelopes();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].contains("the grid failed to draw"),
        "{received:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_for_another_project_is_refused_and_never_sent() {
    let relayed = edge_with_relays().await;
    let other = "https://fakepublickey@o1.ingest.sentry.example/43";
    assert_eq!(
        relayed.report(envelope(other, "spam"), None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        relayed.report("not an envelope".into(), None).await,
        StatusCode::BAD_REQUEST
    );
    assert!(relayed.sentry.envelopes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_pages_cannot_report_here() {
    let relayed = edge_with_relays().await;
    let status = relayed
        .report(envelope(APP_DSN, "x"), Some("https://elsewhere.example"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(relayed.sentry.envelopes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_events_reach_posthog_through_the_edge() {
    let relayed = edge_with_relays().await;
    let event = serde_json::json!({
        "event": "module_opened",
        "properties": {"token": POSTHOG_KEY, "distinct_id": "7", "module": "introduction"},
    });
    assert_eq!(relayed.usage("e/", event).await, StatusCode::OK);
    let events = relayed.posthog.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "module_opened");
    assert_eq!(events[0]["properties"]["module"], "introduction");
    assert_eq!(relayed.posthog.requests_with_cookies(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_event_ingestion_is_relayed_to_posthog() {
    let relayed = edge_with_relays().await;
    let status = relayed
        .usage("api/projects/1/persons/", serde_json::json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let status = relayed.usage("e/../api/", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(relayed.posthog.events().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relays_are_off_unless_configured() {
    let core = TestCore::start(CoreOptions::default()).await;
    let web = TestWeb::start(&core, false).await;
    let http = reqwest::Client::new();
    let errors = http
        .post(format!("{}/api/errors", web.url))
        .body(envelope(APP_DSN, "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(errors.status(), StatusCode::NOT_FOUND);
    assert!(errors.text().await.unwrap().contains("VITE_SENTRY_DSN"));
    let usage = http
        .post(format!("{}/api/usage/e/", web.url))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(usage.status(), StatusCode::NOT_FOUND);
}
