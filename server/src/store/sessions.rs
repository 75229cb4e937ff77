//! Session revocation: tokens are stateless JWTs, so the only session state
//! is the list of token ids revoked before they expired.

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, on_backend};
use crate::clock;
use crate::domain::{NetworkKey, UserId};

/// What the database says about a user's session token.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionCheck {
    /// The user was deleted.
    pub deleted: bool,
    /// The token was revoked.
    pub revoked: bool,
    /// The user is an admin now (read on every call beside the token's
    /// role, so a demotion counts at once, not when the token expires).
    pub is_admin: bool,
    /// Tokens issued up to this moment are refused (`token revoke --user`).
    pub tokens_valid_after: Option<DateTime<Utc>>,
    /// For a guest, the network it started from; `None` for an account.
    pub guest_network: Option<NetworkKey>,
    /// The guest was claimed by an account at sign-in.
    pub claimed: bool,
}

impl Store {
    /// Looks up the user and the token id in one round trip; `None` when the
    /// user does not exist.
    pub async fn check_session(
        &self,
        user_id: UserId,
        jti: &str,
    ) -> StoreResult<Option<SessionCheck>> {
        let sql = "SELECT deleted_at IS NOT NULL AS deleted, \
                     EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $2) AS revoked, \
                     is_admin, tokens_valid_after, guest_network, claimed_by IS NOT NULL AS claimed \
                   FROM users WHERE id = $1";
        let check = on_backend!(self, |pool| {
            sqlx::query_as::<_, SessionCheck>(sql)
                .bind(user_id)
                .bind(jti)
                .fetch_optional(pool)
                .await?
        });
        Ok(check)
    }

    /// Whether a token id (of any kind of token) was revoked.
    pub async fn is_revoked(&self, jti: &str) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $1)";
        let revoked = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, bool>(sql)
                .bind(jti)
                .fetch_one(pool)
                .await?
        });
        Ok(revoked)
    }

    /// Whether an edge's token was revoked: by its id, or with every token
    /// of that edge issued up to a moment after `issued_at`.
    pub async fn is_edge_token_revoked(
        &self,
        jti: &str,
        edge: &str,
        issued_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $1) \
                   OR EXISTS (SELECT 1 FROM edge_tokens_valid_after WHERE edge = $2 AND valid_after >= $3)";
        let revoked = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, bool>(sql)
                .bind(jti)
                .bind(edge)
                .bind(issued_at)
                .fetch_one(pool)
                .await?
        });
        Ok(revoked)
    }

    /// Refuses every token of a user issued up to now; `false` when there
    /// is no such user.
    pub async fn revoke_user_tokens(&self, user_id: UserId) -> StoreResult<bool> {
        let sql = "UPDATE users SET tokens_valid_after = $2 WHERE id = $1";
        let updated = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .bind(clock::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Refuses every token of an edge (`edge:web`, `edge:discord`) issued
    /// up to now.
    pub async fn revoke_edge_tokens(&self, edge: &str) -> StoreResult<()> {
        let sql = "INSERT INTO edge_tokens_valid_after (edge, valid_after) VALUES ($1, $2) \
                   ON CONFLICT (edge) DO UPDATE SET valid_after = excluded.valid_after";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(edge)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Revokes a token until it would have expired. Revoking twice is fine.
    pub async fn revoke_session(
        &self,
        jti: &str,
        user_id: Option<UserId>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO revoked_sessions (jti, user_id, expires_at, revoked_at) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(jti)
                .bind(user_id)
                .bind(expires_at)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets revocations of tokens that have expired anyway; returns how
    /// many were removed.
    pub async fn purge_expired_revocations(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let removed = on_backend!(self, |pool| {
            sqlx::query("DELETE FROM revoked_sessions WHERE expires_at < $1")
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(removed)
    }
}
