//! Session revocation: tokens are stateless JWTs, so the only session state
//! is the list of token ids revoked before they expired.

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, on_backend};
use crate::clock;

/// What the database says about a user's session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionCheck {
    /// The user was deleted.
    pub deleted: bool,
    /// The token was revoked.
    pub revoked: bool,
    /// The user is an admin now (read on every call beside the token's
    /// role, so a demotion counts at once, not when the token expires).
    pub is_admin: bool,
}

impl Store {
    /// Looks up the user and the token id in one round trip; `None` when the
    /// user does not exist.
    pub async fn check_session(
        &self,
        user_id: i64,
        jti: &str,
    ) -> StoreResult<Option<SessionCheck>> {
        let sql = "SELECT deleted_at IS NOT NULL AS deleted, \
                     EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $2) AS revoked, \
                     is_admin \
                   FROM users WHERE id = $1";
        let check = on_backend!(self, pool => {
            sqlx::query_as::<_, SessionCheck>(sql).bind(user_id).bind(jti).fetch_optional(pool).await?
        });
        Ok(check)
    }

    /// Whether a token id (of any kind of token) was revoked.
    pub async fn is_revoked(&self, jti: &str) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM revoked_sessions WHERE jti = $1)";
        let revoked = on_backend!(self, pool => {
            sqlx::query_scalar::<_, bool>(sql).bind(jti).fetch_one(pool).await?
        });
        Ok(revoked)
    }

    /// Revokes a token until it would have expired. Revoking twice is fine.
    pub async fn revoke_session(
        &self,
        jti: &str,
        user_id: Option<i64>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO revoked_sessions (jti, user_id, expires_at, revoked_at) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING";
        on_backend!(self, pool => {
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
        let removed = on_backend!(self, pool => {
            sqlx::query("DELETE FROM revoked_sessions WHERE expires_at < $1")
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(removed)
    }
}
