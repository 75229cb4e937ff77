//! The notification log: what was sent to whom, once per person, kind and
//! reference, and each person's choice to get email or not.

use super::{Store, StoreResult, on_backend};
use crate::clock;
use crate::domain::UserId;

/// Where a notification went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum NotificationChannel {
    /// An email.
    Email,
    /// A Discord direct message.
    DiscordDm,
    /// A message in a group's Discord channel.
    DiscordChannel,
}

impl Store {
    /// Whether `user_id` was already notified of `reference` as `kind`.
    pub async fn notified(
        &self,
        user_id: UserId,
        kind: &str,
        reference: &str,
        channel: NotificationChannel,
    ) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM notifications \
                   WHERE user_id = $1 AND kind = $2 AND reference = $3 AND channel = $4";
        let count: i64 = on_backend!(self, |pool| {
            sqlx::query_scalar(sql)
                .bind(user_id)
                .bind(kind)
                .bind(reference)
                .bind(channel)
                .fetch_one(pool)
                .await?
        });
        Ok(count > 0)
    }

    /// Logs a notification as sent, or skipped with why; a second log of
    /// the same one is ignored.
    pub async fn log_notification(
        &self,
        user_id: UserId,
        kind: &str,
        reference: &str,
        channel: NotificationChannel,
        sent: bool,
        detail: Option<&str>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO notifications (user_id, kind, reference, channel, status, detail, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) \
                   ON CONFLICT (user_id, kind, reference, channel) DO NOTHING";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .bind(kind)
                .bind(reference)
                .bind(channel)
                .bind(if sent { "sent" } else { "skipped" })
                .bind(detail)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Turns `user_id`'s email off (an unsubscribe link). Whether they
    /// exist.
    pub async fn stop_email(&self, user_id: UserId) -> StoreResult<bool> {
        let sql = "UPDATE users SET notify_email = FALSE, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL";
        let changed = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .bind(clock::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }
}
