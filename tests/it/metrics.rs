//! Metrics: with `LENS_METRICS_ADDR` (core) and `LENS_WEB_METRICS_ADDR`
//! (web edge), the two serve
//! Prometheus text on a port of their own, counting each call by method
//! and status, labelled with the process.

use lens_proto::v1;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_proto::v1::system_service_client::SystemServiceClient;
use lens_tests::processes::{Profile, free_port, spawn_core_on, spawn_web_with};

async fn scrape(port: u16) -> String {
    reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of the series whose line starts with `name{` and holds every
/// label in `labels`.
fn value(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_and_the_edge_count_calls_by_method_and_status() {
    lens_tests::init();
    let core_metrics = free_port();
    let content = lens_tests::content_fixture().display().to_string();
    let core = tokio::task::spawn_blocking(move || {
        spawn_core_on(
            Profile::Debug,
            "sqlite://lens.db",
            vec![
                (
                    "LENS_METRICS_ADDR".into(),
                    format!("127.0.0.1:{core_metrics}"),
                ),
                ("CONTENT_DIR".into(), content),
            ],
        )
    })
    .await
    .unwrap();
    let channel = core.channel().await;
    for _ in 0..3 {
        SystemServiceClient::new(channel.clone())
            .get_system_info(v1::GetSystemInfoRequest {})
            .await
            .unwrap();
    }
    let missing = ContentServiceClient::new(channel)
        .get_module(v1::GetModuleRequest {
            slug: "no-such-module".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound);

    let text = scrape(core_metrics).await;
    let calls = |code: &str| {
        value(
            &text,
            "lens_requests_total",
            &["process=\"lens-server\"", &format!("code=\"{code}\"")],
        )
    };
    assert_eq!(calls("OK"), Some(3.0), "{text}");
    assert_eq!(calls("NOT_FOUND"), Some(1.0), "{text}");
    assert!(
        text.contains("name=\"/lens.v1.SystemService/GetSystemInfo\""),
        "{text}"
    );
    assert!(text.contains("lens_request_duration_seconds"), "{text}");
    let mut sampled = String::new();
    for _ in 0..100 {
        sampled = scrape(core_metrics).await;
        if sampled.contains("lens_content_version_age_seconds") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        sampled.contains("lens_content_version_age_seconds"),
        "the content's age is sampled: {sampled}"
    );

    let edge_metrics = free_port();
    let web = spawn_web_with(
        Profile::Debug,
        &core,
        vec![(
            "LENS_WEB_METRICS_ADDR".into(),
            format!("127.0.0.1:{edge_metrics}"),
        )],
    );
    reqwest::get(format!("{}/healthz", web.url)).await.unwrap();
    reqwest::get(format!("{}/some/page", web.url))
        .await
        .unwrap();
    let text = scrape(edge_metrics).await;
    assert_eq!(
        value(
            &text,
            "lens_requests_total",
            &["process=\"lens-web\"", "name=\"/healthz\"", "code=\"200\""]
        ),
        Some(1.0),
        "{text}"
    );
    assert!(text.contains("name=\"page\""), "{text}");
}
