//! Guests: starting one (at most so many per network an hour), and an
//! account's claim on a guest's reading and chats at sign-in.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::locks::{BeginLocked, Lock};
use super::{Store, StoreResult, on_backend};
use crate::domain::{NetworkKey, UserId};

/// What an account took over from a guest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GuestClaim {
    /// Progress rows taken over (merged or moved).
    pub progress_items: u32,
    /// Chats moved to the account.
    pub chats: u32,
    /// Of those, archived because of a newer chat on the same lens.
    pub chats_archived: u32,
    /// Answers to questions moved (every version).
    pub answers: u32,
}

/// A progress row as the merge reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Progress {
    content_id: String,
    started_at: DateTime<Utc>,
    last_heartbeat_at: DateTime<Utc>,
    time_spent_seconds: i64,
    completed_at: Option<DateTime<Utc>>,
}

impl Progress {
    /// Both people's progress on one piece of content as one: started at
    /// the first start, completed at the first completion, time added up.
    fn merged_with(&self, other: &Progress) -> Progress {
        Progress {
            content_id: self.content_id.clone(),
            started_at: self.started_at.min(other.started_at),
            last_heartbeat_at: self.last_heartbeat_at.max(other.last_heartbeat_at),
            time_spent_seconds: self.time_spent_seconds + other.time_spent_seconds,
            completed_at: match (self.completed_at, other.completed_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// An active chat as the merge reads it: the tutor's on a lens, or one of
/// its roleplays (`conversation` is `lens` or `lens/roleplay`).
#[derive(Debug, Clone, sqlx::FromRow)]
struct ActiveChat {
    id: i64,
    conversation: String,
    last_active_at: DateTime<Utc>,
}

impl Store {
    /// Starts a guest from `network`, unless `per_hour` guests already
    /// started from it in the hour before `now`: checked and written in one
    /// step, so a burst of starts cannot all slip under the limit. `Err`
    /// holds when the next start is allowed.
    pub async fn start_guest(
        &self,
        network: &NetworkKey,
        per_hour: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<UserId, DateTime<Utc>>> {
        let recent = "SELECT COUNT(*), MIN(created_at) FROM users \
                      WHERE guest_network = $1 AND created_at > $2";
        let insert = "INSERT INTO users (discord_id, discord_username, guest_network, \
                        notify_email, notify_discord_dm, created_at, updated_at, last_active_at) \
                      VALUES ($1, 'Guest', $2, FALSE, FALSE, $3, $3, $3) RETURNING id";
        let placeholder = format!("guest:{}", uuid::Uuid::new_v4());
        let started = on_backend!(self, |pool| {
            let mut tx = pool
                .begin_locked(&[Lock::Network(network.lock_number())])
                .await?;
            let (count, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(recent)
                .bind(network)
                .bind(now - Duration::hours(1))
                .fetch_one(&mut *tx)
                .await?;
            if count >= i64::from(per_hour) {
                return Ok(Err(oldest.unwrap_or(now) + Duration::hours(1)));
            }
            let id: UserId = sqlx::query_scalar(insert)
                .bind(&placeholder)
                .bind(network)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        Ok(Ok(started))
    }

    /// Notes that guest `id` came back at `now`: what keeps it from being
    /// forgotten (see [`Store::forget_idle_guests`]).
    pub async fn renew_guest(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
        let sql =
            "UPDATE users SET last_active_at = $2 WHERE id = $1 AND guest_network IS NOT NULL";
        on_backend!(self, |pool| {
            sqlx::query(sql).bind(id).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    /// Deletes guests that last came back before `cutoff` (their tokens
    /// have expired, so no one can reach what they kept), with their
    /// reading, chats and answers, and the rows of guests claimed before it. Returns
    /// how many guests were removed.
    pub async fn forget_idle_guests(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        const IDLE: &str = "SELECT id FROM users WHERE guest_network IS NOT NULL \
                            AND COALESCE(deleted_at, last_active_at, created_at) < $1";
        let steps = [
            format!(
                "DELETE FROM chat_tool_uses WHERE message_id IN (SELECT id FROM chat_messages \
                 WHERE session_id IN (SELECT id FROM chat_sessions WHERE user_id IN ({IDLE})))"
            ),
            format!(
                "DELETE FROM chat_messages WHERE session_id IN \
                 (SELECT id FROM chat_sessions WHERE user_id IN ({IDLE}))"
            ),
            format!("DELETE FROM chat_sessions WHERE user_id IN ({IDLE})"),
            format!("DELETE FROM content_progress WHERE user_id IN ({IDLE})"),
            // Their answers' assessments too, so none fails later for want
            // of its answer.
            format!(
                "DELETE FROM jobs WHERE idempotency_key IN (SELECT 'answer:' || a.id || ':assess' \
                 FROM answers a WHERE a.user_id IN ({IDLE}))"
            ),
            format!("DELETE FROM answers WHERE user_id IN ({IDLE})"),
        ];
        let users = format!("DELETE FROM users WHERE id IN ({IDLE})");
        let removed = on_backend!(self, |pool| {
            let mut tx = pool.begin().await?;
            for sql in &steps {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(cutoff)
                    .execute(&mut *tx)
                    .await?;
            }
            let removed = sqlx::query(sqlx::AssertSqlSafe(users.clone()))
                .bind(cutoff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            removed
        });
        Ok(removed)
    }

    /// Moves a guest's reading and chats to `account` and retires the
    /// guest, in one step; `None` when `guest` is no guest any more
    /// (claimed, purged) and nothing was moved.
    ///
    /// Progress on the same content is merged (see [`Progress`]); where
    /// both have an active chat on one lens, the one used last stays active
    /// and the other is archived, so both stay readable.
    pub async fn claim_guest(
        &self,
        guest: UserId,
        account: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<GuestClaim>> {
        let is_guest = "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 \
                          AND guest_network IS NOT NULL AND claimed_by IS NULL AND deleted_at IS NULL)";
        let progress = "SELECT content_id, started_at, last_heartbeat_at, time_spent_seconds, completed_at \
                        FROM content_progress WHERE user_id = $1";
        let update_progress = "UPDATE content_progress SET started_at = $3, last_heartbeat_at = $4, \
                                 time_spent_seconds = $5, completed_at = $6 \
                               WHERE user_id = $1 AND content_id = $2";
        let drop_progress = "DELETE FROM content_progress WHERE user_id = $1 AND content_id = $2";
        let move_progress = "UPDATE content_progress SET user_id = $2 WHERE user_id = $1";
        let active = "SELECT id, lens_id || '/' || COALESCE(roleplay_id, '') AS conversation, last_active_at \
                      FROM chat_sessions WHERE user_id = $1 AND archived_at IS NULL";
        let archive = "UPDATE chat_sessions SET archived_at = $2 WHERE id = $1";
        let move_chats = "UPDATE chat_sessions SET user_id = $2 WHERE user_id = $1";
        let retire =
            "UPDATE users SET claimed_by = $2, deleted_at = $3, updated_at = $3 WHERE id = $1";
        // Ascending ids: two claims lock the same rows in the same order.
        let locks = [
            Lock::User(guest.min(account)),
            Lock::User(guest.max(account)),
        ];
        let claim = on_backend!(self, |pool| {
            let mut tx = pool.begin_locked(&locks).await?;
            let claimable: bool = sqlx::query_scalar(is_guest)
                .bind(guest)
                .fetch_one(&mut *tx)
                .await?;
            if !claimable {
                return Ok(None);
            }
            let mut claim = GuestClaim::default();

            let mine: HashMap<String, Progress> = sqlx::query_as::<_, Progress>(progress)
                .bind(account)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|p| (p.content_id.clone(), p))
                .collect();
            let theirs = sqlx::query_as::<_, Progress>(progress)
                .bind(guest)
                .fetch_all(&mut *tx)
                .await?;
            claim.progress_items = theirs.len() as u32;
            for row in theirs {
                let Some(existing) = mine.get(&row.content_id) else {
                    continue;
                };
                let merged = existing.merged_with(&row);
                sqlx::query(update_progress)
                    .bind(account)
                    .bind(&merged.content_id)
                    .bind(merged.started_at)
                    .bind(merged.last_heartbeat_at)
                    .bind(merged.time_spent_seconds)
                    .bind(merged.completed_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(drop_progress)
                    .bind(guest)
                    .bind(&row.content_id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(move_progress)
                .bind(guest)
                .bind(account)
                .execute(&mut *tx)
                .await?;

            let mine: HashMap<String, ActiveChat> = sqlx::query_as::<_, ActiveChat>(active)
                .bind(account)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|c| (c.conversation.clone(), c))
                .collect();
            for chat in sqlx::query_as::<_, ActiveChat>(active)
                .bind(guest)
                .fetch_all(&mut *tx)
                .await?
            {
                let Some(existing) = mine.get(&chat.conversation) else {
                    continue;
                };
                let older = if chat.last_active_at > existing.last_active_at {
                    existing.id
                } else {
                    chat.id
                };
                sqlx::query(archive)
                    .bind(older)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                claim.chats_archived += 1;
            }
            claim.chats = sqlx::query(move_chats)
                .bind(guest)
                .bind(account)
                .execute(&mut *tx)
                .await?
                .rows_affected() as u32;

            // Answers follow, numbered after the account's own versions of
            // the same question.
            let guest_answers: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, question_key FROM answers WHERE user_id = $1 ORDER BY question_key, version",
            )
            .bind(guest)
            .fetch_all(&mut *tx)
            .await?;
            let mut next: HashMap<String, i32> = HashMap::new();
            for (id, key) in guest_answers {
                let version = match next.get_mut(&key) {
                    Some(version) => version,
                    None => {
                        let max: i32 = sqlx::query_scalar(
                            "SELECT COALESCE(MAX(version), 0) FROM answers WHERE user_id = $1 AND question_key = $2",
                        )
                        .bind(account)
                        .bind(&key)
                        .fetch_one(&mut *tx)
                        .await?;
                        next.entry(key).or_insert(max)
                    }
                };
                *version += 1;
                sqlx::query("UPDATE answers SET user_id = $2, version = $3 WHERE id = $1")
                    .bind(id)
                    .bind(account)
                    .bind(*version)
                    .execute(&mut *tx)
                    .await?;
                claim.answers += 1;
            }

            sqlx::query(retire)
                .bind(guest)
                .bind(account)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Some(claim)
        });
        Ok(claim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn row(started: &str, last: &str, seconds: i64, completed: Option<&str>) -> Progress {
        Progress {
            content_id: "lens".into(),
            started_at: at(started),
            last_heartbeat_at: at(last),
            time_spent_seconds: seconds,
            completed_at: completed.map(at),
        }
    }

    #[test]
    fn merged_progress_keeps_the_first_start_and_completion_and_adds_the_time() {
        let account = row("2026-11-01T10:00:00Z", "2026-11-01T10:05:00Z", 300, None);
        let guest = row(
            "2026-11-20T09:00:00Z",
            "2026-11-20T09:10:00Z",
            600,
            Some("2026-11-20T09:10:00Z"),
        );
        let merged = account.merged_with(&guest);
        assert_eq!(merged.started_at, at("2026-11-01T10:00:00Z"));
        assert_eq!(merged.last_heartbeat_at, at("2026-11-20T09:10:00Z"));
        assert_eq!(merged.time_spent_seconds, 900);
        assert_eq!(merged.completed_at, Some(at("2026-11-20T09:10:00Z")));

        let earlier = row(
            "2026-11-01T10:00:00Z",
            "2026-11-01T10:05:00Z",
            1,
            Some("2026-11-01T10:05:00Z"),
        );
        assert_eq!(
            earlier.merged_with(&guest).completed_at,
            Some(at("2026-11-01T10:05:00Z"))
        );
    }
}
