//! grpc-web through the web edge: a unary call, a server-streaming call
//! that must arrive message by message, and the edge's own pages.

use std::time::SystemTime;

use lens_proto::v1;
use lens_proto::v1::system_service_client::SystemServiceClient;
use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::grpc_web;
use lens_tests::web::TestWeb;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unary_and_server_streaming_calls_cross_the_edge() {
    let core = TestCore::start(CoreOptions {
        dev_mode: true,
        ..Default::default()
    })
    .await;
    let web = TestWeb::start(&core, true).await;
    let (transport, origin) = grpc_web::transport(&web.url);
    let mut system = SystemServiceClient::with_origin(transport, origin);

    let info = system
        .get_system_info(v1::GetSystemInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert!(info.dev_mode);
    assert!(
        info.integrations
            .iter()
            .any(|i| i.name == "discord_oauth" && !i.enabled)
    );
    assert!(
        info.integrations.iter().all(|i| i.detail.is_empty()),
        "only admins see where things are"
    );

    let request = v1::StreamHeartbeatsRequest {
        count: 4,
        interval_ms: 300,
    };
    let mut stream = system
        .stream_heartbeats(request)
        .await
        .unwrap()
        .into_inner();
    let mut arrivals = Vec::new();
    while let Some(beat) = stream.message().await.unwrap() {
        arrivals.push((beat.sequence, beat.sent_at.unwrap(), SystemTime::now()));
    }
    assert_eq!(
        arrivals.iter().map(|a| a.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    // Not buffered: the first heartbeat reached us before the core had even
    // sent the last one.
    let first_arrived = arrivals[0].2;
    let last_sent = SystemTime::try_from(arrivals[3].1).unwrap();
    assert!(first_arrived < last_sent, "the edge buffered the stream");

    let status = system
        .stream_heartbeats(v1::StreamHeartbeatsRequest {
            count: 0,
            interval_ms: 10,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "invalid count: is 0; send 1 to 100");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_is_live_always_and_ready_only_while_the_core_answers() {
    let core = TestCore::start(CoreOptions::default()).await;
    let web = TestWeb::start(&core, false).await;
    let get = |path: &'static str| {
        let url = format!("{}{path}", web.url);
        async move {
            let answer = reqwest::get(url).await.unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    assert_eq!(get("/healthz").await, (200, "ok".to_owned()));
    assert_eq!(get("/readyz").await, (200, "ready".to_owned()));
    core.stop().await.unwrap();
    let (status, why) = get("/readyz").await;
    assert_eq!(status, 503, "{why}");
    assert!(why.starts_with("the core did not answer"), "{why}");
    assert_eq!(get("/healthz").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_answers_clearly_when_the_core_is_down() {
    let core = TestCore::start(CoreOptions::default()).await;
    let web = TestWeb::start(&core, false).await;
    core.stop().await.unwrap();
    let (transport, origin) = grpc_web::transport(&web.url);
    let mut system = SystemServiceClient::with_origin(transport, origin);
    let status = system
        .get_system_info(v1::GetSystemInfoRequest {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert!(
        status.message().contains("core is unreachable"),
        "{}",
        status.message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_sign_in_page_sets_a_session_and_the_home_page_shows_it() {
    let core = TestCore::start(CoreOptions {
        dev_mode: true,
        ..Default::default()
    })
    .await;
    let web = TestWeb::start(&core, true).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = browser
        .get(format!(
            "{}/auth/dev/login?username=grace&admin=true",
            web.url
        ))
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("lens_session="));
    let home = browser
        .get(&web.url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("Signed in as <strong>grace</strong>"),
        "{home}"
    );
    assert!(home.contains("admin"));

    // Cross-origin grpc-web posts are refused outside development mode.
    let strict = TestWeb::start(&core, false).await;
    let response = browser
        .post(format!(
            "{}/lens.v1.SystemService/GetSystemInfo",
            strict.url
        ))
        .header("content-type", "application/grpc-web+proto")
        .header("origin", "https://evil.example")
        .body(vec![0u8, 0, 0, 0, 0])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_in_flight_calls_finish_and_refuses_new_ones() {
    let core = TestCore::start(CoreOptions::default()).await;
    let addr = core.addr;
    let mut system = SystemServiceClient::new(core.channel().await);
    let request = v1::StreamHeartbeatsRequest {
        count: 5,
        interval_ms: 100,
    };
    let mut stream = system
        .stream_heartbeats(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stream.message().await.unwrap().unwrap().sequence, 1);

    let stopping = tokio::spawn(core.stop());
    let mut rest = Vec::new();
    while let Some(beat) = stream
        .message()
        .await
        .expect("the in-flight stream ends cleanly")
    {
        rest.push(beat.sequence);
    }
    assert_eq!(rest, vec![2, 3, 4, 5], "the in-flight call ran to its end");
    stopping.await.unwrap().unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no new connections after shutdown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_app_is_served_precompressed_with_cache_rules() {
    let dist = tempfile::tempdir().unwrap();
    let write = |path: &str, bytes: &[u8]| {
        let path = dist.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write("index.html", b"<!doctype html><div id=root></div>");
    write("index.html.br", b"brotli index");
    write("assets/app-1a2b3c.js", b"console.log('app')");
    write("assets/app-1a2b3c.js.br", b"brotli app");
    // reqwest decodes gzip itself: a real .gz, with other text than the
    // plain file, shows which file was sent.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, b"from the .gz file").unwrap();
    write("assets/app-1a2b3c.js.gz", &gz.finish().unwrap());
    let core = TestCore::start(CoreOptions::default()).await;
    let web = TestWeb::start_with(
        &core,
        false,
        vec![("LENS_STATIC_DIR".into(), dist.path().display().to_string())],
    )
    .await;
    let client = reqwest::Client::new();
    let get = |path: &str, encoding: Option<&str>| {
        let mut request = client.get(format!("{}{path}", web.url));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        async move {
            let response = request.send().await.unwrap();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let facts = (
                response.status().as_u16(),
                header("content-encoding"),
                header("cache-control"),
                header("vary"),
            );
            (facts, response.bytes().await.unwrap())
        }
    };

    // Hashed assets: the strongest encoding the browser takes, cached for good.
    let (facts, body) = get("/assets/app-1a2b3c.js", Some("gzip, deflate, br")).await;
    let immutable = Some("public, max-age=31536000, immutable".to_owned());
    let vary = Some("accept-encoding".to_owned());
    assert_eq!(
        facts,
        (200, Some("br".into()), immutable.clone(), vary.clone())
    );
    assert_eq!(&body[..], b"brotli app");
    let (_, body) = get("/assets/app-1a2b3c.js", Some("gzip")).await;
    assert_eq!(&body[..], b"from the .gz file");
    let (facts, body) = get("/assets/app-1a2b3c.js", Some("identity")).await;
    assert_eq!(facts, (200, None, immutable, vary.clone()));
    assert_eq!(&body[..], b"console.log('app')");

    // A replaced asset is gone, not answered with the app.
    let ((status, _, cache, _), _) = get("/assets/app-0old00.js", None).await;
    assert_eq!((status, cache), (404, None));

    // Any app route is index.html, revalidated on every visit.
    let (facts, body) = get("/module/feedback-loops", Some("br")).await;
    assert_eq!(
        facts,
        (200, Some("br".into()), Some("no-cache".into()), vary)
    );
    assert_eq!(&body[..], b"brotli index");
    let (_, body) = get("/", Some("identity")).await;
    assert_eq!(&body[..], b"<!doctype html><div id=root></div>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_sign_in_stays_on_site_and_is_refused_behind_a_proxy() {
    let core = TestCore::start(CoreOptions {
        dev_mode: true,
        ..Default::default()
    })
    .await;
    let web = TestWeb::start(&core, true).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = |return_to: &str| {
        format!(
            "{}/auth/dev/login?username=grace&return_to={}",
            web.url,
            url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect::<String>()
        )
    };
    let fine = browser.get(login("/module/intro")).send().await.unwrap();
    assert_eq!(fine.headers()["location"], "/module/intro");
    for elsewhere in ["/\\evil.example", "//evil.example", "https://evil.example"] {
        let refused = browser.get(login(elsewhere)).send().await.unwrap();
        assert_eq!(refused.status(), 400, "{elsewhere}");
        assert!(refused.headers().get("location").is_none());
    }
    // A TLS proxy in front of a loopback edge serves the site to others.
    let proxied = browser
        .get(login("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 403);
    assert!(proxied.headers().get("set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_say_what_they_may_load_and_refuse_to_be_framed() {
    let core = TestCore::start(CoreOptions::default()).await;
    let web = TestWeb::start(&core, false).await;
    let page = reqwest::get(&web.url).await.unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    for rule in [
        "frame-ancestors 'none'",
        "script-src 'self'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(rule), "{policy}");
    }
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
}
