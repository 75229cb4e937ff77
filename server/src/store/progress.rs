//! Progress through content.

use chrono::{DateTime, Utc};

use super::{OPTIMISTIC_ATTEMPTS, Store, StoreResult, on_backend};
use crate::domain::UserId;

/// The most one heartbeat credits: a reader sends one every ~30 s, so a
/// longer gap means the tab sat idle or closed.
pub const HEARTBEAT_CAP_SECONDS: i64 = 40;

/// One row of `content_progress`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProgressRecord {
    /// The user.
    pub user_id: UserId,
    /// Module, learning outcome or lens id.
    pub content_id: String,
    /// `module`, `learning_outcome` or `lens`.
    pub content_kind: String,
    /// First heartbeat.
    pub started_at: DateTime<Utc>,
    /// Latest heartbeat.
    pub last_heartbeat_at: DateTime<Utc>,
    /// Seconds credited.
    pub time_spent_seconds: i64,
    /// Completion, if complete.
    pub completed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "user_id, content_id, content_kind, started_at, last_heartbeat_at, time_spent_seconds, completed_at";

/// Seconds a heartbeat at `now` credits after one at `previous`.
pub fn heartbeat_credit(previous: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - previous)
        .num_seconds()
        .clamp(0, HEARTBEAT_CAP_SECONDS)
}

impl Store {
    async fn ensure_progress(
        &self,
        user_id: UserId,
        content_id: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO content_progress (user_id, content_id, content_kind, started_at, last_heartbeat_at) \
                   VALUES ($1, $2, $3, $4, $4) ON CONFLICT (user_id, content_id) DO NOTHING";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .bind(content_id)
                .bind(kind)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The progress on one piece of content.
    pub async fn progress(
        &self,
        user_id: UserId,
        content_id: &str,
    ) -> StoreResult<Option<ProgressRecord>> {
        let sql = "SELECT user_id, content_id, content_kind, started_at, last_heartbeat_at, time_spent_seconds, completed_at \
                   FROM content_progress WHERE user_id = $1 AND content_id = $2";
        let record = on_backend!(self, |pool| {
            sqlx::query_as::<_, ProgressRecord>(sql)
                .bind(user_id)
                .bind(content_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(record)
    }

    /// Credits a heartbeat at `now` (starting the content on the first).
    /// Two tabs heartbeating at once credit the gap once: the write only
    /// lands if no other heartbeat moved `last_heartbeat_at` meanwhile, and
    /// like every optimistic update it gives up with
    /// [`StoreError::Contended`](super::StoreError::Contended) after
    /// [`OPTIMISTIC_ATTEMPTS`].
    ///
    /// Takes `now` because the time is an input of the crediting rule (tests
    /// drive it); timestamps that are only recorded are read from
    /// [`crate::clock`] inside the store.
    pub async fn record_heartbeat(
        &self,
        user_id: UserId,
        content_id: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ProgressRecord> {
        self.ensure_progress(user_id, content_id, kind, now).await?;
        let sql = "UPDATE content_progress SET time_spent_seconds = time_spent_seconds + $3, last_heartbeat_at = $4 \
                   WHERE user_id = $1 AND content_id = $2 AND last_heartbeat_at = $5";
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            let current = self
                .progress(user_id, content_id)
                .await?
                .ok_or(super::StoreError::NotFound)?;
            if now <= current.last_heartbeat_at {
                return Ok(current);
            }
            let credit = heartbeat_credit(current.last_heartbeat_at, now);
            let updated = on_backend!(self, |pool| {
                sqlx::query(sql)
                    .bind(user_id)
                    .bind(content_id)
                    .bind(credit)
                    .bind(now)
                    .bind(current.last_heartbeat_at)
                    .execute(pool)
                    .await?
                    .rows_affected()
            });
            if updated == 1 {
                return self
                    .progress(user_id, content_id)
                    .await?
                    .ok_or(super::StoreError::NotFound);
            }
        }
        Err(super::StoreError::Contended)
    }

    /// Marks content complete at `now`, keeping an earlier completion.
    pub async fn mark_complete(
        &self,
        user_id: UserId,
        content_id: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ProgressRecord> {
        self.ensure_progress(user_id, content_id, kind, now).await?;
        let sql = "UPDATE content_progress SET completed_at = $3 \
                   WHERE user_id = $1 AND content_id = $2 AND completed_at IS NULL";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .bind(content_id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        self.progress(user_id, content_id)
            .await?
            .ok_or(super::StoreError::NotFound)
    }

    /// All of a user's progress.
    pub async fn progress_of_user(&self, user_id: UserId) -> StoreResult<Vec<ProgressRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM content_progress WHERE user_id = $1 ORDER BY content_id"
        );
        let records = on_backend!(self, |pool| {
            sqlx::query_as::<_, ProgressRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .fetch_all(pool)
                .await?
        });
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeats_credit_the_gap_up_to_the_cap() {
        let t = Utc::now();
        assert_eq!(heartbeat_credit(t, t + chrono::Duration::seconds(30)), 30);
        assert_eq!(
            heartbeat_credit(t, t + chrono::Duration::hours(3)),
            HEARTBEAT_CAP_SECONDS
        );
        assert_eq!(heartbeat_credit(t, t - chrono::Duration::seconds(5)), 0);
    }
}
