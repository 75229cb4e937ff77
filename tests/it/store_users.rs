//! Every store function of users and sessions, on both backends.

use chrono::{Duration, Utc};
use lens_server::config::DatabaseConfig;
use lens_server::domain::UserId;
use lens_server::domain::{Email, Nickname, Timezone};
use lens_server::store::{DiscordProfile, ProfileChanges, Store, StoreError};
use lens_tests::db::{Backend, TestDatabase};

async fn store(postgres: bool) -> (Store, TestDatabase) {
    lens_tests::init();
    let db = TestDatabase::new(if postgres {
        Backend::Postgres
    } else {
        Backend::Sqlite
    })
    .await;
    let store = Store::connect(&DatabaseConfig::for_url(&db.url).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    // A second run finds nothing to apply.
    store.migrate().await.unwrap();
    (store, db)
}

fn ada() -> DiscordProfile {
    DiscordProfile {
        discord_id: "123456789012345678".into(),
        username: "ada".into(),
        global_name: Some("Ada L.".into()),
        avatar_hash: Some("abc".into()),
        email: Some("ada@example.org".into()),
        email_verified: true,
    }
}

both_backends!(
    upsert_creates_then_refreshes_without_overwriting_user_choices,
    profile_updates_are_partial_and_clearable,
    lookups_admin_flag_and_soft_delete,
    session_revocation_round_trip,
);

async fn upsert_creates_then_refreshes_without_overwriting_user_choices(postgres: bool) {
    let (store, _db) = store(postgres).await;
    let created = store.upsert_discord_user(&ada()).await.unwrap();
    assert_eq!(created.nickname.as_deref(), Some("Ada L."));
    assert_eq!(created.email.as_deref(), Some("ada@example.org"));
    assert_eq!(created.email_source.as_deref(), Some("discord"));
    assert!(created.email_verified_at.is_some());
    assert!(!created.is_admin && created.notify_email && created.notify_discord_dm);

    // The user picks their own nickname and email...
    let changes = ProfileChanges {
        nickname: Some(Some(Nickname::parse("nickname", "Countess").unwrap())),
        email: Some(Some(Email::parse("email", "ada@work.example").unwrap())),
        ..Default::default()
    };
    store.update_profile(created.id, &changes).await.unwrap();

    // ...and a later sign-in with a new Discord name and email keeps them.
    let mut again = ada();
    again.username = "ada_renamed".into();
    again.global_name = Some("Someone Else".into());
    again.email = Some("ada@new.example".into());
    let refreshed = store.upsert_discord_user(&again).await.unwrap();
    assert_eq!(refreshed.id, created.id);
    assert_eq!(refreshed.discord_username, "ada_renamed");
    assert_eq!(refreshed.nickname.as_deref(), Some("Countess"));
    assert_eq!(refreshed.email.as_deref(), Some("ada@work.example"));
    assert_eq!(refreshed.email_source.as_deref(), Some("user"));
    assert!(refreshed.email_verified_at.is_none());
    assert_eq!(refreshed.created_at, created.created_at);

    // A Discord-sourced email does follow Discord.
    let mut bob = ada();
    bob.discord_id = "223456789012345678".into();
    store.upsert_discord_user(&bob).await.unwrap();
    bob.email = Some("bob@new.example".into());
    let bob = store.upsert_discord_user(&bob).await.unwrap();
    assert_eq!(bob.email.as_deref(), Some("bob@new.example"));
}

async fn profile_updates_are_partial_and_clearable(postgres: bool) {
    let (store, _db) = store(postgres).await;
    let user = store.upsert_discord_user(&ada()).await.unwrap();
    let tz = ProfileChanges {
        timezone: Some(Timezone::parse("timezone", "Asia/Tokyo").unwrap()),
        ..Default::default()
    };
    let after_tz = store.update_profile(user.id, &tz).await.unwrap();
    assert_eq!(after_tz.timezone.as_deref(), Some("Asia/Tokyo"));
    assert_eq!(after_tz.nickname, user.nickname, "untouched fields stay");
    assert!(after_tz.updated_at > user.updated_at);

    let clear = ProfileChanges {
        nickname: Some(None),
        email: Some(None),
        notifications: Some((false, true)),
        ..Default::default()
    };
    let cleared = store.update_profile(user.id, &clear).await.unwrap();
    assert_eq!(cleared.nickname, None);
    assert_eq!(cleared.email, None);
    assert_eq!(cleared.email_source, None);
    assert_eq!(cleared.timezone.as_deref(), Some("Asia/Tokyo"));
    assert!(!cleared.notify_email && cleared.notify_discord_dm);

    // Concurrent partial updates of different fields both land.
    let a = ProfileChanges {
        nickname: Some(Some(Nickname::parse("nickname", "One").unwrap())),
        ..Default::default()
    };
    let b = ProfileChanges {
        timezone: Some(Timezone::parse("timezone", "Europe/Berlin").unwrap()),
        ..Default::default()
    };
    let (ra, rb) = tokio::join!(
        store.update_profile(user.id, &a),
        store.update_profile(user.id, &b)
    );
    ra.unwrap();
    rb.unwrap();
    let both = store.user_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(both.nickname.as_deref(), Some("One"));
    assert_eq!(both.timezone.as_deref(), Some("Europe/Berlin"));

    assert!(matches!(
        store.update_profile(UserId(9999), &a).await,
        Err(StoreError::NotFound)
    ));
}

async fn lookups_admin_flag_and_soft_delete(postgres: bool) {
    let (store, _db) = store(postgres).await;
    let user = store.upsert_discord_user(&ada()).await.unwrap();
    assert_eq!(store.user_by_id(user.id).await.unwrap(), Some(user.clone()));
    assert_eq!(
        store.user_by_discord_id(&user.discord_id).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store.user_by_id(UserId(user.id.0 + 100)).await.unwrap(),
        None
    );
    assert_eq!(store.user_by_discord_id("1").await.unwrap(), None);

    assert!(store.set_admin(user.id, true).await.unwrap().is_admin);
    assert!(matches!(
        store.set_admin(UserId(user.id.0 + 100), true).await,
        Err(StoreError::NotFound)
    ));

    store.soft_delete_user(user.id).await.unwrap();
    let deleted = store.user_by_id(user.id).await.unwrap().unwrap();
    assert!(deleted.deleted_at.is_some());
    assert!(matches!(
        store.soft_delete_user(user.id).await,
        Err(StoreError::NotFound)
    ));
    let check = store
        .check_session(user.id, "some-jti")
        .await
        .unwrap()
        .unwrap();
    assert!(check.deleted && !check.revoked);
    let changes = ProfileChanges {
        notifications: Some((true, true)),
        ..Default::default()
    };
    assert!(matches!(
        store.update_profile(user.id, &changes).await,
        Err(StoreError::NotFound)
    ));
}

async fn session_revocation_round_trip(postgres: bool) {
    let (store, _db) = store(postgres).await;
    let user = store.upsert_discord_user(&ada()).await.unwrap();
    assert_eq!(
        store
            .check_session(UserId(user.id.0 + 1), "j")
            .await
            .unwrap(),
        None
    );
    let fresh = store
        .check_session(user.id, "jti-1")
        .await
        .unwrap()
        .unwrap();
    assert!(!fresh.revoked && !fresh.deleted);

    let soon = Utc::now() + Duration::hours(1);
    store
        .revoke_session("jti-1", Some(user.id), soon)
        .await
        .unwrap();
    store
        .revoke_session("jti-1", Some(user.id), soon)
        .await
        .unwrap();
    assert!(
        store
            .check_session(user.id, "jti-1")
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(store.is_revoked("jti-1").await.unwrap());
    assert!(!store.is_revoked("jti-2").await.unwrap());

    let past = Utc::now() - Duration::hours(1);
    store.revoke_session("edge-jti", None, past).await.unwrap();
    assert_eq!(
        store.purge_expired_revocations(Utc::now()).await.unwrap(),
        1
    );
    assert!(!store.is_revoked("edge-jti").await.unwrap());
    assert!(store.is_revoked("jti-1").await.unwrap());
}
