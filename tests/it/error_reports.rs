//! Error reports: each of the three processes, given `SENTRY_DSN`, reports
//! the error that stops it to Sentry (a local fake), tagged with the
//! process, release and environment, and without the secrets it was given.

use std::process::{Command, Stdio};

use lens_tests::bot::eventually;
use lens_tests::fakes::sentry::FakeSentry;
use lens_tests::processes::{Profile, binary};

/// Runs `name` (debug build) with `vars` until it exits; whether it failed.
async fn run_to_failure(name: &'static str, vars: &[(&str, &str)]) -> bool {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || run_blocking(name, vars))
        .await
        .unwrap()
}

fn run_blocking(name: &str, vars: Vec<(String, String)>) -> bool {
    let home = tempfile::tempdir().unwrap();
    let status = Command::new(binary(Profile::Debug, name))
        .env_clear()
        .env("CONTENT_REPO", "none")
        .env("RUST_LOG", "warn")
        .envs(vars)
        .current_dir(home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    !status.success()
}

async fn reported(sentry: &FakeSentry, process: &str) -> String {
    let tag = format!("\"process\":\"{process}\"");
    eventually(&format!("{process} reported"), || async {
        sentry.envelopes().iter().any(|e| e.contains(&tag))
    })
    .await;
    sentry
        .envelopes()
        .into_iter()
        .find(|e| e.contains(&tag))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_process_reports_what_stopped_it_without_its_secrets() {
    let sentry = FakeSentry::start().await;
    let common = [("SENTRY_DSN", sentry.dsn.as_str()), ("LENS_ENV", "staging")];

    let short_secret = "hunter2-is-too-short";
    let mut core = common.to_vec();
    core.push(("JWT_SECRET", short_secret));
    assert!(run_to_failure("lens-server", &core).await);
    let event = reported(&sentry, "lens-server").await;
    assert!(event.contains("JWT_SECRET"), "{event}");
    assert!(event.contains("\"environment\":\"staging\""), "{event}");
    assert!(
        event.contains(&format!(
            "\"release\":\"lens@{}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{event}"
    );
    assert!(!event.contains(short_secret), "the secret leaked: {event}");

    let web = common.to_vec();
    assert!(run_to_failure("lens-web", &web).await);
    let event = reported(&sentry, "lens-web").await;
    assert!(event.contains("LENS_EDGE_TOKEN"), "{event}");

    let bot_token = "discord-bot-token-secret";
    let mut bot = common.to_vec();
    bot.push(("DISCORD_BOT_TOKEN", bot_token));
    assert!(run_to_failure("lens-discord", &bot).await);
    let event = reported(&sentry, "lens-discord").await;
    assert!(event.contains("LENS_EDGE_TOKEN"), "{event}");
    assert!(!event.contains(bot_token), "the bot token leaked: {event}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dsn_that_is_not_one_is_refused_at_start() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(binary(Profile::Debug, "lens-web"))
        .env_clear()
        .env("SENTRY_DSN", "not a dsn")
        .current_dir(home.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("SENTRY_DSN"), "{said}");
    assert!(!said.contains("not a dsn"), "a DSN holds a key: {said}");
}
