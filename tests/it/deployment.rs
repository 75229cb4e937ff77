//! The deployment as written: the Dockerfile's stages build every binary
//! with the workspace's toolchain, and compose.yaml's services start as
//! configured there (deployment rules on, PostgreSQL, the core bound beyond
//! loopback on its private network, the web edge on `PORT` and ready, the
//! bot off without a token). No container runtime runs here, so the
//! services run as the image would run them: the same binaries, commands
//! and environment, with the compose network's host names pointed at this
//! machine.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lens_server::auth::EdgeKind;
use lens_tests::db::{Backend, TestDatabase};
use lens_tests::processes::{Profile, binary, free_port};
use yaml_rust2::{Yaml, YamlLoader};

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

const BINARIES: [&str; 3] = ["lens-server", "lens-web", "lens-discord"];

#[test]
fn the_image_builds_every_binary_and_the_app_with_the_workspaces_toolchain() {
    let dockerfile = repo_file("Dockerfile");
    let stages: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(stages.len(), 3, "{stages:?}");
    assert!(stages[0].ends_with("AS frontend"), "{stages:?}");
    assert!(stages[1].ends_with("AS backend"), "{stages:?}");
    let cargo_toml = repo_file("Cargo.toml");
    let rust = cargo_toml
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    assert!(
        stages[1].starts_with(&format!("FROM rust:{rust}-")),
        "the image's Rust is the workspace's {rust}: {}",
        stages[1]
    );
    let build = dockerfile
        .lines()
        .find(|l| l.contains("cargo build"))
        .unwrap();
    assert!(build.contains("--release --locked"), "{build}");
    for name in BINARIES {
        assert!(build.contains(&format!("--bin {name}")), "{build}");
        assert!(
            dockerfile.contains(&format!("/src/target/release/{name}")),
            "{name} is copied into the image"
        );
        assert!(
            binary(Profile::Debug, name).is_file(),
            "{name} is a workspace binary"
        );
    }
    for copied in ["proto", "buf.yaml", "web_frontend"] {
        assert!(
            std::path::Path::new(&format!("{}/../{copied}", env!("CARGO_MANIFEST_DIR"))).exists(),
            "the frontend stage copies {copied}"
        );
    }
    assert!(dockerfile.contains("npm ci") && dockerfile.contains("npm run build"));
    assert!(dockerfile.contains("COPY --from=frontend /src/web_frontend/dist"));
    assert!(
        dockerfile.contains("USER lens"),
        "the image does not run as root"
    );
}

/// One compose service: its command and environment.
struct Service {
    command: Vec<String>,
    environment: BTreeMap<String, String>,
}

fn services() -> BTreeMap<String, Service> {
    let compose = &YamlLoader::load_from_str(&repo_file("compose.yaml")).unwrap()[0];
    let mut found = BTreeMap::new();
    for (name, service) in compose["services"].as_hash().unwrap() {
        let text = |y: &Yaml| match y {
            Yaml::String(s) => s.clone(),
            Yaml::Integer(i) => i.to_string(),
            other => panic!("unexpected value {other:?}"),
        };
        let command = service["command"]
            .as_vec()
            .map(|c| c.iter().map(text).collect())
            .unwrap_or_default();
        let environment = service["environment"]
            .as_hash()
            .map(|e| e.iter().map(|(k, v)| (text(k), text(v))).collect())
            .unwrap_or_default();
        found.insert(
            name.as_str().unwrap().to_owned(),
            Service {
                command,
                environment,
            },
        );
    }
    found
}

/// deploy.env.example, filled in as an operator would.
fn deploy_env() -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = repo_file("deploy.env.example")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    env.insert("JWT_SECRET".into(), lens_tests::TEST_JWT_SECRET.into());
    env.insert("CONTENT_REPO".into(), "none".into());
    env
}

/// Starts a service's command with `env` alone, in an empty folder.
fn start(command: &[String], env: &BTreeMap<String, String>) -> Child {
    assert!(
        BINARIES.contains(&command[0].as_str()),
        "{command:?} runs one of the image's binaries"
    );
    Command::new(binary(Profile::Debug, &command[0]))
        .args(&command[1..])
        .env_clear()
        .envs(env)
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status} instead of listening");
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not listen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compose_services_start_as_written_on_postgresql() {
    lens_tests::init();
    let services = services();
    for name in ["postgres", "core", "web", "bot"] {
        assert!(services.contains_key(name), "compose.yaml has {name}");
    }
    let database = TestDatabase::new(Backend::Postgres).await;
    let (core_port, web_port) = (free_port(), free_port());

    let core = &services["core"];
    assert!(core.environment["DATABASE_URL"].contains("@postgres:5432/"));
    let mut env = deploy_env();
    env.extend(core.environment.clone());
    env.insert("DATABASE_URL".into(), database.url.clone());
    // The compose network's address, on this machine's port.
    let bind = core.environment["LENS_GRPC_ADDR"].replace(":50051", &format!(":{core_port}"));
    assert!(
        bind.starts_with("0.0.0.0:"),
        "the core is bound beyond loopback"
    );
    env.insert("LENS_GRPC_ADDR".into(), bind);
    env.insert(
        "LENS_METRICS_ADDR".into(),
        format!("127.0.0.1:{}", free_port()),
    );
    let mut core_process = start(&core.command, &env);
    wait_for_port(core_port, &mut core_process, "the core");

    let web = &services["web"];
    let token = lens_tests::core::keys()
        .mint_edge(EdgeKind::Web, chrono::Utc::now(), Duration::from_secs(3600))
        .0;
    let mut env = deploy_env();
    env.extend(web.environment.clone());
    env.insert(
        "LENS_CORE_URL".into(),
        web.environment["LENS_CORE_URL"].replace("core:50051", &format!("127.0.0.1:{core_port}")),
    );
    env.insert("LENS_EDGE_TOKEN".into(), token);
    assert_eq!(web.environment["PORT"], "8000");
    env.insert("PORT".into(), web_port.to_string());
    env.insert(
        "LENS_WEB_METRICS_ADDR".into(),
        format!("127.0.0.1:{}", free_port()),
    );
    let mut web_process = start(&web.command, &env);
    wait_for_port(web_port, &mut web_process, "the web edge");

    let ready = reqwest::get(format!("http://127.0.0.1:{web_port}/readyz"))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());

    // The core migrated PostgreSQL before it served.
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(applied >= 15, "{applied} migrations applied");
    pool.close().await;

    // Without a bot token (deploy.env.example leaves it empty) the bot says
    // so and exits cleanly, rather than crash-looping.
    let bot = &services["bot"];
    let mut env = deploy_env();
    env.extend(bot.environment.clone());
    let status = start(&bot.command, &env).wait().unwrap();
    assert!(status.success());

    let _ = core_process.kill();
    let _ = web_process.kill();
    let _ = core_process.wait();
    let _ = web_process.wait();
}
