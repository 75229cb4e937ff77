//! Every kind of bad credential is refused with UNAUTHENTICATED, and each
//! RPC's declared access rule holds.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_proto::v1::{self, CallerKind};
use lens_server::auth::{Claims, EdgeKind, TokenKeys};
use lens_server::config::Secret;
use lens_server::domain::UserId;
use lens_tests::core::{CoreOptions, TestCore, authed, keys};
use tonic::Code;

async fn core() -> TestCore {
    TestCore::start(CoreOptions {
        dev_mode: true,
        ..Default::default()
    })
    .await
}

fn claims_for(user_id: i64, exp_offset: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user_id.to_string(),
        roles: vec![],
        iat: now,
        exp: now + exp_offset,
        jti: uuid::Uuid::new_v4().to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_are_each_unauthenticated() {
    let core = core().await;
    let mut auth = AuthServiceClient::new(core.channel().await);
    let session = auth
        .dev_sign_in(authed(
            v1::DevSignInRequest {
                username: "eve".into(),
                admin: false,
                ..Default::default()
            },
            &core.edge_token(EdgeKind::Web),
        ))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    let user_id = session.user.unwrap().id;
    let good = keys().sign(&claims_for(user_id, 600));
    let payload = good.split('.').nth(1).unwrap().to_owned();

    let wrong_key = TokenKeys::new(&Secret::new("some-other-secret-some-other-secret"))
        .sign(&claims_for(user_id, 600));
    let alg_none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    let hs384_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS384","typ":"JWT"}"#);
    let other_alg = format!(
        "{hs384_header}.{payload}.{}",
        good.split('.').nth(2).unwrap()
    );
    let expired = keys().sign(&claims_for(user_id, -3600));
    let tampered = {
        let mut claims = claims_for(user_id, 600);
        claims.roles = vec!["admin".into()];
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        let parts: Vec<&str> = good.split('.').collect();
        format!("{}.{forged_payload}.{}", parts[0], parts[2])
    };

    let cases = [
        (
            "wrong signature",
            format!("Bearer {wrong_key}"),
            "signature is invalid",
        ),
        (
            "tampered claims",
            format!("Bearer {tampered}"),
            "signature is invalid",
        ),
        (
            "alg none",
            format!("Bearer {alg_none}"),
            "algorithm Lens does not accept",
        ),
        (
            "another algorithm",
            format!("Bearer {other_alg}"),
            "algorithm Lens does not accept",
        ),
        ("expired", format!("Bearer {expired}"), "has expired"),
        ("malformed", "Bearer not.a.jwt".to_owned(), "malformed"),
        (
            "wrong scheme",
            format!("Basic {good}"),
            "must be `Bearer <token>`",
        ),
    ];
    for (what, header, expected) in cases {
        let mut request = tonic::Request::new(v1::WhoAmIRequest {});
        request
            .metadata_mut()
            .insert("authorization", header.parse().unwrap());
        let status = auth.who_am_i(request).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{what}");
        assert!(
            status.message().contains(expected),
            "{what}: {}",
            status.message()
        );
    }

    // Missing token on an RPC that needs a user.
    let mut users = UserServiceClient::new(core.channel().await);
    let status = users
        .get_profile(v1::GetProfileRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        status.message(),
        "lens.v1.UserService/GetProfile needs you to be signed in"
    );

    // A valid token for a user that does not exist.
    let ghost = keys().sign(&claims_for(987654, 600));
    let status = users
        .get_profile(authed(v1::GetProfileRequest::default(), &ghost))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);

    // The good token works.
    let me = auth
        .who_am_i(authed(v1::WhoAmIRequest {}, &good))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.kind(), CallerKind::User);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_rules_hold_per_rpc() {
    let core = core().await;
    let mut auth = AuthServiceClient::new(core.channel().await);
    let web = core.edge_token(EdgeKind::Web);
    let discord = core.edge_token(EdgeKind::Discord);
    let learner = auth
        .dev_sign_in(authed(
            v1::DevSignInRequest {
                username: "lea".into(),
                admin: false,
                ..Default::default()
            },
            &web,
        ))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap()
        .token;

    // Web-edge RPCs refuse users, other edges and anonymous callers.
    let begin = || v1::DevSignInRequest {
        username: "x".into(),
        admin: true,
        ..Default::default()
    };
    let status = auth
        .dev_sign_in(authed(begin(), &learner))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = auth
        .dev_sign_in(authed(begin(), &discord))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = auth.dev_sign_in(begin()).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);

    // An edge acting for itself cannot use user RPCs.
    let mut users = UserServiceClient::new(core.channel().await);
    let status = users
        .get_profile(authed(v1::GetProfileRequest::default(), &web))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);

    // Only the discord edge may act for a Discord user.
    for token in [&web, &learner] {
        let mut request = authed(v1::WhoAmIRequest {}, token);
        request
            .metadata_mut()
            .insert("x-lens-discord-user", "123".parse().unwrap());
        let status = auth.who_am_i(request).await.unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied);
    }
    let mut request = authed(v1::WhoAmIRequest {}, &discord);
    request
        .metadata_mut()
        .insert("x-lens-discord-user", "not-digits".parse().unwrap());
    assert_eq!(
        auth.who_am_i(request).await.unwrap_err().code(),
        Code::InvalidArgument
    );

    // Discord sign-in is off in this core: a precise FAILED_PRECONDITION.
    let request = v1::BeginDiscordLoginRequest {
        nonce: "n".repeat(20),
        return_to: "/".into(),
    };
    let status = auth
        .begin_discord_login(authed(request, &web))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("DISCORD_CLIENT_ID"),
        "{}",
        status.message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_sign_in_is_refused_without_dev_mode() {
    let core = TestCore::start(CoreOptions::default()).await;
    let mut auth = AuthServiceClient::new(core.channel().await);
    let request = v1::DevSignInRequest {
        username: "x".into(),
        admin: true,
        ..Default::default()
    };
    let status = auth
        .dev_sign_in(authed(request, &core.edge_token(EdgeKind::Web)))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("DEV_MODE=1"),
        "{}",
        status.message()
    );
}

/// A request from the discord edge acting for Discord user `discord_id`.
fn through_discord<T>(core: &TestCore, message: T, discord_id: &str) -> tonic::Request<T> {
    let mut request = authed(message, &core.edge_token(EdgeKind::Discord));
    request
        .metadata_mut()
        .insert("x-lens-discord-user", discord_id.parse().unwrap());
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_discord_an_admin_has_only_the_admin_rights_the_contract_lists() {
    let core = core().await;
    let admin = core
        .state
        .store
        .upsert_discord_user(&lens_server::store::DiscordProfile {
            discord_id: "100000000000000007".into(),
            username: "ada".into(),
            global_name: None,
            avatar_hash: None,
            email: None,
            email_verified: false,
        })
        .await
        .unwrap();
    core.state.store.set_admin(admin.id, true).await.unwrap();
    let mut cohorts =
        lens_proto::v1::cohort_service_client::CohortServiceClient::new(core.channel().await);

    // Creating a cohort is not on the list: refused, as for a learner.
    let create = v1::CreateCohortRequest {
        name: "From Discord".into(),
        course_slug: "default".into(),
        start_date: "2027-03-01".into(),
        ..Default::default()
    };
    let status = cohorts
        .create_cohort(through_discord(&core, create, &admin.discord_id))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    // Listing a cohort's groups is on the list (the /cohort commands).
    let status = cohorts
        .list_groups(through_discord(
            &core,
            v1::ListGroupsRequest { cohort_id: 999 },
            &admin.discord_id,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::NotFound,
        "allowed through, then no such cohort"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_sign_in_makes_admins_only_with_the_second_switch() {
    let core = TestCore::start(CoreOptions {
        env: vec![("DEV_MODE".into(), "1".into())],
        ..Default::default()
    })
    .await;
    let mut auth = AuthServiceClient::new(core.channel().await);
    let request = |admin| v1::DevSignInRequest {
        username: "mallory".into(),
        admin,
        ..Default::default()
    };
    let edge = core.edge_token(EdgeKind::Web);
    let status = auth
        .dev_sign_in(authed(request(true), &edge))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().contains("DEV_ADMIN=1"),
        "{}",
        status.message()
    );
    let learner = auth
        .dev_sign_in(authed(request(false), &edge))
        .await
        .unwrap()
        .into_inner();
    assert!(!learner.session.unwrap().user.unwrap().is_admin);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demoted_admin_loses_admin_rights_at_the_next_call() {
    let core = core().await;
    let admin = core.dev_session("ada", true).await;
    let mut cohorts =
        lens_proto::v1::cohort_service_client::CohortServiceClient::new(core.channel().await);
    let list = || v1::ListGroupsRequest { cohort_id: 999 };
    let status = cohorts
        .list_groups(authed(list(), &admin.token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "an admin gets through");
    let id = admin.user.unwrap().id;
    core.state.store.set_admin(UserId(id), false).await.unwrap();
    let status = cohorts
        .list_groups(authed(list(), &admin.token))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "the same token, no longer admin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integration_details_are_for_admins() {
    let core = core().await;
    let mut system =
        lens_proto::v1::system_service_client::SystemServiceClient::new(core.channel().await);
    let admin = core.dev_session("root", true).await;
    let info = system
        .get_system_info(authed(v1::GetSystemInfoRequest {}, &admin.token))
        .await
        .unwrap()
        .into_inner();
    assert!(info.integrations.iter().all(|i| !i.detail.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_token_of_a_user_or_an_edge_can_be_revoked_at_once() {
    let core = core().await;
    let mut auth = AuthServiceClient::new(core.channel().await);
    let laptop = core.dev_session("sam", false).await;
    let phone = core.dev_session("sam", false).await;
    let user_id = laptop.user.as_ref().unwrap().id;
    core.state
        .store
        .revoke_user_tokens(UserId(user_id))
        .await
        .unwrap();
    for session in [&laptop, &phone] {
        let status = auth
            .who_am_i(authed(v1::WhoAmIRequest {}, &session.token))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated);
        assert!(status.message().contains("revoked"), "{}", status.message());
    }
    let old_edge = core.edge_token(EdgeKind::Web);
    core.state
        .store
        .revoke_edge_tokens("edge:web")
        .await
        .unwrap();
    let status = auth
        .who_am_i(authed(v1::WhoAmIRequest {}, &old_edge))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    // Tokens issued later work: a new sign-in, a new edge token.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = core.dev_session("sam", false).await;
    assert!(
        auth.who_am_i(authed(v1::WhoAmIRequest {}, &again.token))
            .await
            .is_ok()
    );
}
