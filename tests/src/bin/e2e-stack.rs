//! The whole platform on loopback for browser tests: the real core (SQLite,
//! the content fixture) and web edge serving the built frontend, with fake
//! Discord (its authorize page approves at once) and a fake Anthropic API.
//!
//! Prints one JSON line with the URLs, then runs until stdin closes, so the
//! browser test that spawned it cannot leave it behind.
//!
//! `cargo run -p lens-tests --bin e2e-stack -- web_frontend/dist`

use std::time::Duration;

use lens_tests::core::{CoreOptions, TestCore};
use lens_tests::fakes::discord::{FakeDiscord, FakeUser};
use lens_tests::fakes::llm::{FAKE_ANTHROPIC_KEY, FakeAnthropic, Step};
use lens_tests::web::TestWeb;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// The tutor's scripted answer: a word every 120 ms, slow enough for a test
/// to watch it stream and to stop it part way.
fn answer() -> Vec<Step> {
    let words = [
        "Cascades ",
        "happen ",
        "when ",
        "one ",
        "improvement ",
        "makes ",
        "the ",
        "next ",
        "one ",
        "easier, ",
        "so ",
        "progress ",
        "compounds.",
    ];
    words
        .iter()
        .flat_map(|w| [Step::Wait(Duration::from_millis(120)), Step::Text(w)])
        .collect()
}

#[tokio::main]
async fn main() {
    let static_dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "web_frontend/dist".into());
    assert!(
        std::path::Path::new(&static_dir)
            .join("index.html")
            .is_file(),
        "no built frontend at {static_dir}; run `npm run build` in web_frontend first"
    );
    let discord = FakeDiscord::start().await;
    discord.consent_as(FakeUser {
        id: "310000000000000042".into(),
        username: "ada".into(),
        global_name: Some("Ada Lovelace".into()),
        email: Some("ada@example.org".into()),
    });
    let llm = FakeAnthropic::start().await;
    llm.script(answer());

    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let web_url = format!("http://{}", listener.local_addr().expect("address"));
    let core = TestCore::start(CoreOptions {
        discord_base_url: Some(discord.url.clone()),
        env: vec![
            (
                "CONTENT_DIR".into(),
                lens_tests::content_fixture().display().to_string(),
            ),
            (
                "DISCORD_REDIRECT_URI".into(),
                format!("{web_url}/auth/discord/callback"),
            ),
            ("LLM_BASE_URL".into(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".into(), FAKE_ANTHROPIC_KEY.into()),
        ],
        ..Default::default()
    })
    .await;
    let _web = TestWeb::start_on(
        listener,
        &core,
        false,
        vec![("LENS_STATIC_DIR".into(), static_dir)],
    )
    .await;
    println!(
        "{}",
        serde_json::json!({"url": web_url, "discord": discord.url, "llm": llm.url})
    );
    // Runs until whoever started it closes our stdin (or exits).
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
}
