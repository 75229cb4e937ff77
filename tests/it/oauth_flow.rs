//! The whole Discord sign-in: browser → web edge → core → fake Discord,
//! then a grpc-web call with the session cookie.

use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::{self, CallerKind};
use lens_tests::core::{CoreOptions, DISCORD_CLIENT_ID, TestCore};
use lens_tests::fakes::discord::{FakeDiscord, FakeUser};
use lens_tests::grpc_web;
use lens_tests::web::TestWeb;
use reqwest::redirect::Policy;
use tonic::Code;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of cookie `name` among a response's Set-Cookie headers,
/// and the whole header.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| (v.split(';').next().unwrap().to_owned(), v.to_owned()))
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_discord_end_to_end() {
    let discord = FakeDiscord::start().await;
    let core = TestCore::start(CoreOptions {
        discord_base_url: Some(discord.url.clone()),
        ..Default::default()
    })
    .await;
    let web = TestWeb::start(&core, false).await;
    let browser = browser();

    // 1. The login page sends the browser to Discord with a signed state.
    let login = browser
        .get(format!(
            "{}/auth/discord/login?return_to=/course/default",
            web.url
        ))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_redirection(), "{}", login.status());
    let (nonce_cookie, nonce_header) =
        set_cookie(&login, "lens_oauth_nonce").expect("nonce cookie");
    assert!(
        nonce_header.contains("HttpOnly") && nonce_header.contains("Secure"),
        "{nonce_header}"
    );
    let authorize = url::Url::parse(&location(&login)).unwrap();
    assert_eq!(authorize.path(), "/oauth2/authorize");
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], DISCORD_CLIENT_ID);
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["scope"], "identify email");
    let state = query["state"].clone();

    // 2. Discord sends the browser back with a code.
    discord.add_code(
        "code-ada",
        FakeUser {
            id: "314159265358979323".into(),
            username: "ada".into(),
            global_name: Some("Ada Lovelace".into()),
            email: Some("ada@example.org".into()),
        },
    );
    let callback = browser
        .get(format!(
            "{}/auth/discord/callback?code=code-ada&state={}",
            web.url,
            urlencode(&state)
        ))
        .header("cookie", &nonce_cookie)
        .send()
        .await
        .unwrap();
    assert!(
        callback.status().is_redirection(),
        "{}: {}",
        callback.status(),
        callback.text().await.unwrap()
    );
    assert_eq!(location(&callback), "/course/default");
    let (session_cookie, session_header) =
        set_cookie(&callback, "lens_session").expect("session cookie");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            session_header.contains(attribute),
            "{attribute} missing: {session_header}"
        );
    }
    let exchanged = discord.token_requests();
    assert_eq!(exchanged.len(), 1);
    assert_eq!(exchanged[0]["code"], "code-ada");
    assert_eq!(
        exchanged[0]["redirect_uri"],
        "http://127.0.0.1/auth/discord/callback"
    );

    // 3. The session cookie authenticates grpc-web calls through the edge.
    let (transport, origin) = grpc_web::transport(&web.url);
    let mut auth = AuthServiceClient::with_origin(transport, origin);
    let me = auth
        .who_am_i(grpc_web::with_cookie(v1::WhoAmIRequest {}, &session_cookie))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.kind(), CallerKind::User);
    let user = me.user.unwrap();
    assert_eq!(user.discord_id, "314159265358979323");
    assert_eq!(user.nickname, "Ada Lovelace");
    assert_eq!(user.email, "ada@example.org");
    assert!(user.email_verified);
    assert!(
        user.avatar_url
            .starts_with("https://cdn.discordapp.com/avatars/314159265358979323/")
    );

    // 4. Replaying the used code fails with a page that says what to do.
    let replay = browser
        .get(format!(
            "{}/auth/discord/callback?code=code-ada&state={}",
            web.url,
            urlencode(&state)
        ))
        .header("cookie", &nonce_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);
    assert!(
        replay
            .text()
            .await
            .unwrap()
            .contains("Discord did not accept the sign-in code")
    );

    // 5. Logging out revokes the session at the core and clears the cookie.
    let logout = browser
        .post(format!("{}/auth/logout", web.url))
        .header("cookie", &session_cookie)
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_redirection());
    let (cleared, _) = set_cookie(&logout, "lens_session").unwrap();
    assert_eq!(cleared, "lens_session=");
    let status = auth
        .who_am_i(grpc_web::with_cookie(v1::WhoAmIRequest {}, &session_cookie))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_that_do_not_belong_to_this_browser_are_refused() {
    let discord = FakeDiscord::start().await;
    let core = TestCore::start(CoreOptions {
        discord_base_url: Some(discord.url.clone()),
        ..Default::default()
    })
    .await;
    let web = TestWeb::start(&core, false).await;
    let browser = browser();
    let login = browser
        .get(format!("{}/auth/discord/login", web.url))
        .send()
        .await
        .unwrap();
    let state = url::Url::parse(&location(&login))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    discord.add_code(
        "code-x",
        FakeUser {
            id: "1".into(),
            username: "x".into(),
            global_name: None,
            email: None,
        },
    );
    let callback_url = format!(
        "{}/auth/discord/callback?code=code-x&state={}",
        web.url,
        urlencode(&state)
    );

    let no_cookie = browser.get(&callback_url).send().await.unwrap();
    assert_eq!(no_cookie.status(), 400);
    assert!(
        no_cookie
            .text()
            .await
            .unwrap()
            .contains("did not start this sign-in")
    );

    let other_browser = browser
        .get(&callback_url)
        .header(
            "cookie",
            "lens_oauth_nonce=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(other_browser.status(), 400);
    assert!(
        other_browser
            .text()
            .await
            .unwrap()
            .contains("started in another browser")
    );

    let forged = browser
        .get(format!(
            "{}/auth/discord/callback?code=code-x&state=forged.state",
            web.url
        ))
        .header(
            "cookie",
            "lens_oauth_nonce=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("not one Lens issued"));

    let cancelled = browser
        .get(format!(
            "{}/auth/discord/callback?error=access_denied",
            web.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 400);
    assert!(cancelled.text().await.unwrap().contains("You cancelled"));
    assert!(
        discord.token_requests().is_empty(),
        "no exchange was attempted"
    );
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
