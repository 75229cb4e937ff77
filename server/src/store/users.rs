//! The users table.

use chrono::{DateTime, Duration, Utc};

use super::jobs::ask_again;
use super::{OPTIMISTIC_ATTEMPTS, Store, StoreError, StoreResult, on_backend};
use crate::calendar::CalendarJob;
use crate::clock;
use crate::domain::{DiscordJob, GroupId, UserId};
use crate::domain::{Email, Nickname, Timezone};

/// The columns of [`UserRecord`], in order, for SELECT and RETURNING.
macro_rules! user_columns {
    () => {
        "id, discord_id, discord_username, avatar_hash, nickname, email, email_source, \
         email_verified_at, timezone, notify_email, notify_discord_dm, is_admin, \
         last_active_at, created_at, updated_at, deleted_at"
    };
}

/// One row of `users`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRecord {
    /// Lens user id.
    pub id: UserId,
    /// Discord snowflake (or `dev:NAME` for development users).
    pub discord_id: String,
    /// Discord username at the last sign-in.
    pub discord_username: String,
    /// Discord avatar hash, if the user has an avatar.
    pub avatar_hash: Option<String>,
    /// Display name.
    pub nickname: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// `discord` or `user`: who set the email.
    pub email_source: Option<String>,
    /// When the email was verified.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// IANA timezone name.
    pub timezone: Option<String>,
    /// Accepts email notifications.
    pub notify_email: bool,
    /// Accepts Discord direct messages.
    pub notify_discord_dm: bool,
    /// Administers the platform.
    pub is_admin: bool,
    /// Last sign-in or activity.
    pub last_active_at: Option<DateTime<Utc>>,
    /// First sign-in.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Set when the account was deleted (soft delete).
    pub deleted_at: Option<DateTime<Utc>>,
}

/// What Discord says about a user at sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscordProfile {
    /// Discord snowflake.
    pub discord_id: String,
    /// Discord username.
    pub username: String,
    /// Discord display name, used as the first nickname.
    pub global_name: Option<String>,
    /// Avatar hash.
    pub avatar_hash: Option<String>,
    /// Email, if the `email` scope was granted.
    pub email: Option<String>,
    /// Whether Discord verified that email.
    pub email_verified: bool,
}

/// A partial profile update with already-validated values. `None` leaves a
/// field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    /// New nickname or clear.
    pub nickname: Option<Option<Nickname>>,
    /// New email or clear.
    pub email: Option<Option<Email>>,
    /// New timezone.
    pub timezone: Option<Timezone>,
    /// New (email, discord_dm) notification preferences.
    pub notifications: Option<(bool, bool)>,
}

impl ProfileChanges {
    /// The row as it is after this change, stamped at `now`.
    fn apply(&self, current: &UserRecord, now: DateTime<Utc>) -> UserRecord {
        let mut next = current.clone();
        if let Some(nickname) = &self.nickname {
            next.nickname = nickname.as_ref().map(|n| n.as_str().to_owned());
        }
        if let Some(email) = &self.email {
            let email = email.as_ref().map(|e| e.as_str().to_owned());
            if email != current.email {
                // A user-set address is theirs: unverified, and kept over
                // whatever Discord reports at later sign-ins.
                next.email_source = email.as_ref().map(|_| "user".to_owned());
                next.email_verified_at = None;
                next.email = email;
            }
        }
        if let Some(timezone) = &self.timezone {
            next.timezone = Some(timezone.name().to_owned());
        }
        if let Some((email, discord_dm)) = self.notifications {
            next.notify_email = email;
            next.notify_discord_dm = discord_dm;
        }
        // Strictly later than before, so the optimistic check below cannot
        // mistake a concurrent write in the same microsecond for no write.
        next.updated_at = now.max(current.updated_at + Duration::microseconds(1));
        next
    }
}

impl Store {
    /// Creates or refreshes the user Discord describes. Username and avatar
    /// follow Discord; the email follows Discord only until the user sets
    /// their own; the nickname is only taken from Discord at creation.
    pub async fn upsert_discord_user(&self, profile: &DiscordProfile) -> StoreResult<UserRecord> {
        let now = clock::now();
        let verified_at = (profile.email.is_some() && profile.email_verified).then_some(now);
        let sql = concat!(
            "INSERT INTO users (discord_id, discord_username, avatar_hash, nickname, email, \
               email_source, email_verified_at, created_at, updated_at, last_active_at) \
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 IS NULL THEN NULL ELSE 'discord' END, $6, $7, $7, $7) \
             ON CONFLICT (discord_id) DO UPDATE SET \
               discord_username = excluded.discord_username, \
               avatar_hash = excluded.avatar_hash, \
               email = CASE WHEN users.email_source = 'user' OR excluded.email IS NULL \
                       THEN users.email ELSE excluded.email END, \
               email_source = CASE WHEN users.email_source = 'user' OR excluded.email IS NULL \
                       THEN users.email_source ELSE 'discord' END, \
               email_verified_at = CASE WHEN users.email_source = 'user' OR excluded.email IS NULL \
                       THEN users.email_verified_at ELSE excluded.email_verified_at END, \
               updated_at = excluded.updated_at, \
               last_active_at = excluded.last_active_at \
             RETURNING ",
            user_columns!()
        );
        let record = on_backend!(self, |pool| {
            sqlx::query_as::<_, UserRecord>(sql)
                .bind(&profile.discord_id)
                .bind(&profile.username)
                .bind(&profile.avatar_hash)
                .bind(&profile.global_name)
                .bind(&profile.email)
                .bind(verified_at)
                .bind(now)
                .fetch_one(pool)
                .await?
        });
        Ok(record)
    }

    /// The user with this id, deleted or not.
    pub async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
        let record = on_backend!(self, |pool| {
            sqlx::query_as::<_, UserRecord>(sql)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(record)
    }

    /// The user with this Discord id, deleted or not.
    pub async fn user_by_discord_id(&self, discord_id: &str) -> StoreResult<Option<UserRecord>> {
        let sql = concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE discord_id = $1"
        );
        let record = on_backend!(self, |pool| {
            sqlx::query_as::<_, UserRecord>(sql)
                .bind(discord_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(record)
    }

    /// Applies a partial profile update. Concurrent updates of different
    /// fields both survive: the write only lands if the row is unchanged
    /// since it was read, and is retried on a fresh read otherwise.
    pub async fn update_profile(
        &self,
        id: UserId,
        changes: &ProfileChanges,
    ) -> StoreResult<UserRecord> {
        let sql = concat!(
            "UPDATE users SET nickname = $2, email = $3, email_source = $4, email_verified_at = $5, \
               timezone = $6, notify_email = $7, notify_discord_dm = $8, updated_at = $9 \
             WHERE id = $1 AND updated_at = $10 AND deleted_at IS NULL RETURNING ",
            user_columns!()
        );
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            let current = self
                .user_by_id(id)
                .await?
                .filter(|u| u.deleted_at.is_none())
                .ok_or(StoreError::NotFound)?;
            let next = changes.apply(&current, clock::now());
            // The Discord nickname follows the profile's, queued with the
            // change so neither is kept without the other.
            let nickname_changed = next.nickname != current.nickname;
            // Calendar invitations go to the address on file: each of the
            // person's groups' events follows a change of it.
            let email_changed = next.email != current.email;
            let written = on_backend!(self, |pool| {
                let mut tx = pool.begin().await?;
                let written = sqlx::query_as::<_, UserRecord>(sql)
                    .bind(id)
                    .bind(&next.nickname)
                    .bind(&next.email)
                    .bind(&next.email_source)
                    .bind(next.email_verified_at)
                    .bind(&next.timezone)
                    .bind(next.notify_email)
                    .bind(next.notify_discord_dm)
                    .bind(next.updated_at)
                    .bind(current.updated_at)
                    .fetch_optional(&mut *tx)
                    .await?;
                if written.is_some() && nickname_changed {
                    ask_again!(&mut *tx, DiscordJob::SetNickname(id), next.updated_at)?;
                }
                if written.is_some() && email_changed {
                    let groups: Vec<GroupId> = sqlx::query_scalar(
                        "SELECT m.group_id FROM group_members m JOIN groups g ON g.id = m.group_id \
                         WHERE m.user_id = $1 AND m.status = 'active' AND g.status = 'active'",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    for group in groups {
                        ask_again!(&mut *tx, CalendarJob::SyncGroup(group), next.updated_at)?;
                    }
                }
                tx.commit().await?;
                written
            });
            if let Some(record) = written {
                return Ok(record);
            }
        }
        Err(StoreError::Contended)
    }

    /// Grants or withdraws the admin flag.
    pub async fn set_admin(&self, id: UserId, is_admin: bool) -> StoreResult<UserRecord> {
        let sql = concat!(
            "UPDATE users SET is_admin = $2, updated_at = $3 WHERE id = $1 RETURNING ",
            user_columns!()
        );
        let record = on_backend!(self, |pool| {
            sqlx::query_as::<_, UserRecord>(sql)
                .bind(id)
                .bind(is_admin)
                .bind(clock::now())
                .fetch_optional(pool)
                .await?
        });
        record.ok_or(StoreError::NotFound)
    }

    /// Marks the account deleted. Its sessions stop working at once.
    pub async fn soft_delete_user(&self, id: UserId) -> StoreResult<()> {
        let now = clock::now();
        let done = on_backend!(self, |pool| {
            sqlx::query("UPDATE users SET deleted_at = $2, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
