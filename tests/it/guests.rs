//! Guests: a visitor who is not signed in is kept as a guest when they
//! start reading. Their progress and tutor chats are stored through the web
//! edge like anyone's, within limits counted per guest and per network, and
//! signing in hands them to the account.

use futures::future::join_all;
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_proto::v1::progress_service_client::ProgressServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_proto::v1::{self, CallerKind};
use lens_server::auth::EdgeKind;
use lens_tests::content_fixture;
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::grpc_web::{self, GrpcWebTransport};
use lens_tests::tutor::{CASCADES, WebChat};
use lens_tests::web::TestWeb;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use tonic::Code;

both_backends!(
    a_guests_reading_and_chat_are_kept_and_claimed_at_sign_in,
    an_account_merges_what_both_it_and_the_guest_read,
    a_guest_signs_in_for_anything_but_reading,
    a_network_starts_only_so_many_guests_an_hour,
    guests_of_one_network_share_the_tutors_pace,
    a_guest_is_claimed_by_one_sign_in_only,
    a_guest_gone_past_its_token_is_forgotten,
);

/// The module the Cascades lens is read in.
const MODULE: &str = "feedback-loops";

/// A core with the content fixture and the tutor, and a web edge in front,
/// both in development mode; `env` is added to the core's settings.
struct Stack {
    llm: FakeLlm,
    core: TestCore,
    web: TestWeb,
    browser: reqwest::Client,
}

impl Stack {
    async fn start(postgres: bool, env: &[(&str, &str)]) -> Self {
        let llm = FakeLlm::start().await;
        let mut vars = vec![
            (
                "CONTENT_DIR".to_owned(),
                content_fixture().display().to_string(),
            ),
            ("LLM_BASE_URL".to_owned(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".to_owned(), FAKE_LLM_KEY.to_owned()),
        ];
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let core = TestCore::start(CoreOptions {
            postgres,
            dev_mode: true,
            env: vars,
            ..Default::default()
        })
        .await;
        let web = TestWeb::start(&core, true).await;
        let browser = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        Self {
            llm,
            core,
            web,
            browser,
        }
    }

    /// Asks the edge to keep this browser as a guest, sending `cookie`.
    async fn ask_for_guest(&self, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.browser.post(format!("{}/auth/guest", self.web.url));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }

    /// A new guest's cookie (`lens_guest=…`).
    async fn guest(&self) -> String {
        let response = self.ask_for_guest(None).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let header = set_cookie(&response, "lens_guest").expect("a guest cookie");
        assert!(header.contains("HttpOnly"), "{header}");
        header.split(';').next().unwrap().to_owned()
    }

    /// Signs in as development user `name` in the browser holding
    /// `guest_cookie`; returns the session cookie, checking that the guest
    /// cookie was cleared.
    async fn sign_in(&self, name: &str, guest_cookie: &str) -> String {
        let response = self
            .browser
            .get(format!(
                "{}/auth/dev/login?username={name}&return_to=/",
                self.web.url
            ))
            .header("cookie", guest_cookie)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{}", response.status());
        let cleared = set_cookie(&response, "lens_guest").expect("the guest cookie is cleared");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        let session = set_cookie(&response, "lens_session").expect("a session");
        session.split(';').next().unwrap().to_owned()
    }

    /// Signs in at the core as the web edge does, handing over `guest_token`.
    async fn dev_sign_in(&self, name: &str, guest_token: &str) -> v1::DevSignInResponse {
        let request = v1::DevSignInRequest {
            username: name.into(),
            guest_token: guest_token.into(),
            ..Default::default()
        };
        AuthServiceClient::new(self.core.channel().await)
            .dev_sign_in(authed(request, &self.core.edge_token(EdgeKind::Web)))
            .await
            .expect("development sign-in")
            .into_inner()
    }

    /// A grpc-web call of `rpc` with an empty request, as a browser holding
    /// `cookie` makes it, for what the edge answers beside the message.
    async fn raw_call(&self, rpc: &str, cookie: &str) -> reqwest::Response {
        self.browser
            .post(format!("{}/{rpc}", self.web.url))
            .header("content-type", "application/grpc-web+proto")
            .header("cookie", cookie)
            .body(vec![0u8; 5])
            .send()
            .await
            .unwrap()
    }

    fn progress(&self) -> ProgressServiceClient<GrpcWebTransport> {
        let (transport, origin) = grpc_web::transport(&self.web.url);
        ProgressServiceClient::with_origin(transport, origin)
    }

    fn auth(&self) -> AuthServiceClient<GrpcWebTransport> {
        let (transport, origin) = grpc_web::transport(&self.web.url);
        AuthServiceClient::with_origin(transport, origin)
    }

    /// Marks the Cascades lens complete in the browser holding `cookie`.
    async fn complete_cascades(&self, cookie: &str) {
        self.progress()
            .mark_complete(grpc_web::with_cookie(
                v1::MarkCompleteRequest {
                    content_id: CASCADES.into(),
                },
                cookie,
            ))
            .await
            .expect("progress is kept");
    }

    /// Whether the Cascades lens is complete for the browser holding `cookie`.
    async fn cascades_done(&self, cookie: &str) -> bool {
        self.progress()
            .get_module_progress(grpc_web::with_cookie(
                v1::GetModuleProgressRequest {
                    module_slug: MODULE.into(),
                },
                cookie,
            ))
            .await
            .expect("module progress")
            .into_inner()
            .items
            .iter()
            .any(|p| p.content_id == CASCADES && p.completed_at.is_some())
    }

    /// Talks to the tutor once at Cascades and reads the answer to its end.
    async fn chat(&self, cookie: &str, text: &str) -> WebChat {
        let mut chat = WebChat::open_as(&self.web.url, cookie.to_owned()).await;
        let mut events = chat.send(text).await;
        while events.message().await.expect("the answer").is_some() {}
        chat
    }
}

/// The whole `Set-Cookie` header setting cookie `name`.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The token inside a `lens_guest=…` cookie.
fn token_of(cookie: &str) -> &str {
    cookie.split_once('=').unwrap().1
}

async fn a_guests_reading_and_chat_are_kept_and_claimed_at_sign_in(postgres: bool) {
    let stack = Stack::start(postgres, &[]).await;
    stack
        .llm
        .script(vec![Step::Text("Cascades build on themselves.")]);
    let guest = stack.guest().await;
    let me = stack
        .auth()
        .who_am_i(grpc_web::with_cookie(v1::WhoAmIRequest {}, &guest))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.kind(), CallerKind::Guest);
    assert!(me.user.is_none());

    stack.complete_cascades(&guest).await;
    let chat = stack.chat(&guest, "What is a cascade?").await;
    assert!(stack.cascades_done(&guest).await);

    let session = stack.sign_in("ada", &guest).await;
    assert!(
        stack.cascades_done(&session).await,
        "the reading came along"
    );
    let mine = WebChat::open_as(&stack.web.url, session.clone()).await;
    assert_eq!(mine.session_id, chat.session_id, "the same conversation");
    let transcript = ChatServiceClient::with_origin(
        grpc_web::transport(&stack.web.url).0,
        stack.web.url.parse().unwrap(),
    )
    .get_transcript(grpc_web::with_cookie(
        v1::GetTranscriptRequest {
            session_id: mine.session_id,
        },
        &session,
    ))
    .await
    .unwrap()
    .into_inner();
    let texts: Vec<_> = transcript
        .messages
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        texts,
        ["What is a cascade?", "Cascades build on themselves."]
    );

    // The guest is gone: its cookie no longer works anywhere.
    let refused = stack
        .auth()
        .who_am_i(grpc_web::with_cookie(v1::WhoAmIRequest {}, &guest))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    assert!(
        refused.message().contains("taken over by an account"),
        "{}",
        refused.message()
    );
}

async fn an_account_merges_what_both_it_and_the_guest_read(postgres: bool) {
    let stack = Stack::start(postgres, &[]).await;
    stack.llm.script(vec![Step::Text("An answer.")]);
    // The account read the lens and talked about it long ago…
    let account = stack.dev_sign_in("ada", "").await.session.unwrap();
    let account_cookie = format!("lens_session={}", account.token);
    let old = stack.chat(&account_cookie, "An old question").await;
    // …then, signed out, read it again as a guest and finished it.
    let guest = stack.guest().await;
    stack.complete_cascades(&guest).await;
    let newer = stack.chat(&guest, "A new question").await;

    let claim = stack
        .dev_sign_in("ada", token_of(&guest))
        .await
        .guest_claim
        .expect("the guest was claimed");
    assert_eq!(
        claim,
        v1::GuestClaim {
            progress_items: 1,
            chats: 1,
            chats_archived: 1,
            answers: 0
        },
        "the lens; the older of two chats on one lens archived"
    );
    assert!(stack.cascades_done(&account_cookie).await);
    let active = WebChat::open_as(&stack.web.url, account_cookie.clone()).await;
    assert_eq!(
        active.session_id, newer.session_id,
        "the chat used last stays active"
    );
    let sessions = ChatServiceClient::new(stack.core.channel().await)
        .list_sessions(authed(v1::ListSessionsRequest::default(), &account.token))
        .await
        .unwrap()
        .into_inner()
        .sessions;
    let old_one = sessions
        .iter()
        .find(|s| s.id == old.session_id)
        .expect("kept");
    assert!(
        old_one.archived_at.is_some(),
        "and the other one is archived, not lost"
    );
}

async fn a_guest_signs_in_for_anything_but_reading(postgres: bool) {
    let stack = Stack::start(postgres, &[]).await;
    let guest = stack.guest().await;
    let (transport, origin) = grpc_web::transport(&stack.web.url);
    let refused = UserServiceClient::with_origin(transport, origin)
        .get_profile(grpc_web::with_cookie(
            v1::GetProfileRequest::default(),
            &guest,
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    assert!(
        refused.message().contains("sign in with Discord"),
        "{}",
        refused.message()
    );
    // Refused by the rule, not for a dead credential: the guest is kept.
    let answer = stack
        .raw_call("lens.v1.UserService/GetProfile", &guest)
        .await;
    assert_eq!(answer.headers()["grpc-status"], "16");
    assert!(set_cookie(&answer, "lens_guest").is_none());
}

async fn a_network_starts_only_so_many_guests_an_hour(postgres: bool) {
    let stack = Stack::start(postgres, &[("GUEST_STARTS_PER_HOUR", "3")]).await;
    let answers = join_all((0..8).map(|_| stack.ask_for_guest(None))).await;
    let started: Vec<String> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::NO_CONTENT)
        .map(|r| set_cookie(r, "lens_guest").unwrap())
        .collect();
    assert_eq!(started.len(), 3, "eight at once, three allowed");
    let refused = answers
        .into_iter()
        .find(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("sign in with Discord")
    );

    // A guest who comes back is renewed, not counted again.
    let cookie = started[0].split(';').next().unwrap();
    let renewed = stack.ask_for_guest(Some(cookie)).await;
    assert_eq!(renewed.status(), StatusCode::NO_CONTENT);
    assert!(set_cookie(&renewed, "lens_guest").is_some());
}

async fn guests_of_one_network_share_the_tutors_pace(postgres: bool) {
    let stack = Stack::start(postgres, &[("CHAT_GUEST_NETWORK_MESSAGES_PER_MINUTE", "2")]).await;
    stack.llm.script(vec![Step::Text("Yes.")]);
    let mut chats = Vec::new();
    for _ in 0..4 {
        let guest = stack.guest().await;
        chats.push(WebChat::open_as(&stack.web.url, guest).await);
    }
    let answers = join_all(chats.iter_mut().map(|chat| async move {
        let request = chat.call(lens_tests::tutor::message(chat.session_id, "Hi"));
        let mut events = chat.client.send_message(request).await?.into_inner();
        while events.message().await?.is_some() {}
        Ok::<(), tonic::Status>(())
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|a| a.is_ok()).count(),
        2,
        "{answers:?}"
    );
    let refusal = answers.into_iter().find_map(Result::err).unwrap();
    assert_eq!(refusal.code(), Code::ResourceExhausted);
    assert!(
        refusal.message().starts_with("guests on your network"),
        "{}",
        refusal.message()
    );

    // Signing in lifts the network's limit.
    let account = stack.dev_sign_in("ada", "").await.session.unwrap();
    stack
        .chat(&format!("lens_session={}", account.token), "Hi")
        .await;
}

async fn a_guest_is_claimed_by_one_sign_in_only(postgres: bool) {
    let stack = Stack::start(postgres, &[]).await;
    let guest = stack.guest().await;
    stack.complete_cascades(&guest).await;
    let token = token_of(&guest).to_owned();
    let claims =
        join_all(["ada", "grace", "hedy"].map(|name| stack.dev_sign_in(name, &token))).await;
    let claimed: Vec<_> = claims.iter().filter_map(|c| c.guest_claim).collect();
    assert_eq!(claimed.len(), 1, "one account takes the guest over");
    assert_eq!(claimed[0].progress_items, 1);
    assert!(
        claims.iter().all(|c| c.session.is_some()),
        "and everyone signs in"
    );
}

async fn a_guest_gone_past_its_token_is_forgotten(postgres: bool) {
    let stack = Stack::start(postgres, &[]).await;
    stack.llm.script(vec![Step::Text("An answer.")]);
    let account = stack.dev_sign_in("ada", "").await.session.unwrap();
    let account_cookie = format!("lens_session={}", account.token);
    stack.complete_cascades(&account_cookie).await;
    let guest = stack.guest().await;
    stack.complete_cascades(&guest).await;
    stack.chat(&guest, "Hello").await;
    let store = &stack.core.state.store;
    let now = chrono::Utc::now();

    let recent = store
        .forget_idle_guests(now - chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(recent, 0, "a guest seen since the cutoff is kept");
    assert!(stack.cascades_done(&guest).await);

    let idle = store
        .forget_idle_guests(now + chrono::Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(idle, 1);
    let refused = stack
        .auth()
        .who_am_i(grpc_web::with_cookie(v1::WhoAmIRequest {}, &guest))
        .await
        .unwrap_err();
    assert!(
        refused.message().contains("no longer exists"),
        "{}",
        refused.message()
    );
    assert!(
        stack.cascades_done(&account_cookie).await,
        "accounts are never forgotten"
    );

    // The browser holding the dead cookie is told to drop it, so its next
    // call is anonymous instead of refused.
    let answer = stack.raw_call("lens.v1.AuthService/WhoAmI", &guest).await;
    let cleared = set_cookie(&answer, "lens_guest").expect("the dead guest cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}
