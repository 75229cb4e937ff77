//! Auth and user RPCs over loopback gRPC, on both backends.

use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_proto::v1::{self, CallerKind};
use lens_tests::core::{CoreOptions, TestCore, authed};
use tonic::Code;

both_backends!(
    dev_sign_in_then_profile_round_trip,
    bad_profile_input_is_refused_precisely_and_loses_nothing,
    only_admins_read_other_profiles,
    sign_out_revokes_the_session,
);

async fn core(postgres: bool) -> TestCore {
    TestCore::start(CoreOptions {
        postgres,
        dev_mode: true,
        ..Default::default()
    })
    .await
}

async fn dev_user(core: &TestCore, name: &str, admin: bool) -> v1::Session {
    core.dev_session(name, admin).await
}

async fn dev_sign_in_then_profile_round_trip(postgres: bool) {
    let core = core(postgres).await;
    let mut auth = AuthServiceClient::new(core.channel().await);

    let anonymous = auth
        .who_am_i(v1::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(anonymous.kind(), CallerKind::Anonymous);
    assert!(anonymous.user.is_none());

    let session = dev_user(&core, "ada", false).await;
    let me = auth
        .who_am_i(authed(v1::WhoAmIRequest {}, &session.token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.kind(), CallerKind::User);
    let user = me.user.unwrap();
    assert_eq!(user.discord_username, "ada");
    assert!(me.expires_at.is_some());

    let mut users = UserServiceClient::new(core.channel().await);
    let update = v1::UpdateProfileRequest {
        nickname: Some("  Ada L.  ".into()),
        email: Some("Ada@Example.ORG".into()),
        timezone: Some("europe/amsterdam".into()),
        notifications: Some(v1::NotificationPreferences {
            email: false,
            discord_dm: true,
        }),
    };
    let updated = users
        .update_profile(authed(update, &session.token))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(updated.nickname, "Ada L.");
    assert_eq!(updated.email, "Ada@example.org");
    assert_eq!(updated.timezone, "Europe/Amsterdam");
    assert!(!updated.email_verified);
    assert_eq!(
        updated.notifications,
        Some(v1::NotificationPreferences {
            email: false,
            discord_dm: true
        })
    );

    let read = users
        .get_profile(authed(v1::GetProfileRequest { user_id: 0 }, &session.token))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(read, updated);
}

async fn bad_profile_input_is_refused_precisely_and_loses_nothing(postgres: bool) {
    let core = core(postgres).await;
    let session = dev_user(&core, "bob", false).await;
    let mut users = UserServiceClient::new(core.channel().await);
    let good = v1::UpdateProfileRequest {
        timezone: Some("America/New_York".into()),
        ..Default::default()
    };
    users
        .update_profile(authed(good, &session.token))
        .await
        .unwrap();

    let cases = [
        (
            v1::UpdateProfileRequest {
                timezone: Some("Mars/Olympus".into()),
                ..Default::default()
            },
            "invalid timezone: \"Mars/Olympus\" is not an IANA timezone name",
        ),
        (
            v1::UpdateProfileRequest {
                email: Some("bob@".into()),
                ..Default::default()
            },
            "invalid email: \"bob@\" is not an email address",
        ),
        (
            v1::UpdateProfileRequest {
                nickname: Some("x".repeat(40)),
                ..Default::default()
            },
            "invalid nickname: is 40 characters; Discord allows at most 32",
        ),
    ];
    for (request, expected) in cases {
        // A bad field next to a good one: the whole update is refused.
        let mut request = request;
        request.notifications = Some(v1::NotificationPreferences {
            email: false,
            discord_dm: false,
        });
        let status = users
            .update_profile(authed(request, &session.token))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with(expected),
            "{}",
            status.message()
        );
    }
    let user = users
        .get_profile(authed(v1::GetProfileRequest::default(), &session.token))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(user.timezone, "America/New_York");
    assert_eq!(
        user.notifications,
        Some(v1::NotificationPreferences {
            email: true,
            discord_dm: true
        })
    );
}

async fn only_admins_read_other_profiles(postgres: bool) {
    let core = core(postgres).await;
    let learner = dev_user(&core, "learner", false).await;
    let admin = dev_user(&core, "root", true).await;
    let learner_id = learner.user.as_ref().unwrap().id;
    let admin_id = admin.user.as_ref().unwrap().id;
    let mut users = UserServiceClient::new(core.channel().await);

    let status = users
        .get_profile(authed(
            v1::GetProfileRequest { user_id: admin_id },
            &learner.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        status.message(),
        "only admins can read other users' profiles"
    );

    let read = users
        .get_profile(authed(
            v1::GetProfileRequest {
                user_id: learner_id,
            },
            &admin.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.user.unwrap().discord_username, "learner");

    let status = users
        .get_profile(authed(
            v1::GetProfileRequest { user_id: 424242 },
            &admin.token,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "no user with id 424242");
}

async fn sign_out_revokes_the_session(postgres: bool) {
    let core = core(postgres).await;
    let session = dev_user(&core, "carol", false).await;
    let other = dev_user(&core, "carol", false).await;
    let mut auth = AuthServiceClient::new(core.channel().await);
    auth.sign_out(authed(v1::SignOutRequest {}, &session.token))
        .await
        .unwrap();

    let status = auth
        .who_am_i(authed(v1::WhoAmIRequest {}, &session.token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        status.message(),
        "this session was signed out: sign in again"
    );
    // Another session of the same user is unaffected.
    let me = auth
        .who_am_i(authed(v1::WhoAmIRequest {}, &other.token))
        .await
        .unwrap();
    assert_eq!(me.into_inner().kind(), CallerKind::User);
}
