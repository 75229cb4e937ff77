//! Tutor sessions and messages.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, StoreResult, on_backend};
use crate::clock;

/// A chat session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRecord {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// The lens.
    pub lens_id: String,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// Archive time, if archived.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRecord {
    /// Id.
    pub id: i64,
    /// user / assistant.
    pub role: String,
    /// Text.
    pub content: String,
    /// complete / partial.
    pub status: String,
    /// Why partial.
    pub error: Option<String>,
    /// When stored.
    pub created_at: DateTime<Utc>,
}

/// A message to store.
#[derive(Debug, Clone, Default)]
pub struct NewMessage<'a> {
    /// user / assistant.
    pub role: &'a str,
    /// Text.
    pub content: &'a str,
    /// Why the answer is partial; `None` for complete.
    pub error: Option<&'a str>,
    /// Model that answered.
    pub model: Option<&'a str>,
    /// Prompt tokens.
    pub input_tokens: Option<i64>,
    /// Answer tokens.
    pub output_tokens: Option<i64>,
}

/// A learner's recent use of the tutor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct ChatUsage {
    /// Messages sent since the window start.
    pub recent_messages: i64,
    /// The oldest of those, if any.
    pub oldest_recent: Option<DateTime<Utc>>,
    /// Tokens used since the day start.
    pub tokens_today: i64,
}

impl Store {
    /// How much a user used the tutor: messages since `window_start`,
    /// tokens since `day_start`.
    pub async fn chat_usage(
        &self,
        user_id: i64,
        window_start: DateTime<Utc>,
        day_start: DateTime<Utc>,
    ) -> StoreResult<ChatUsage> {
        // SUM is NUMERIC on PostgreSQL, hence the cast back to BIGINT.
        let sql = "SELECT \
             (SELECT COUNT(*) FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
                WHERE s.user_id = $1 AND m.role = 'user' AND m.created_at > $2) AS recent_messages, \
             (SELECT MIN(m.created_at) FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
                WHERE s.user_id = $1 AND m.role = 'user' AND m.created_at > $2) AS oldest_recent, \
             (SELECT CAST(COALESCE(SUM(COALESCE(m.input_tokens, 0) + COALESCE(m.output_tokens, 0)), 0) AS BIGINT) \
                FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
                WHERE s.user_id = $1 AND m.role = 'assistant' AND m.created_at >= $3) AS tokens_today";
        let usage = on_backend!(self, pool => {
            sqlx::query_as::<_, ChatUsage>(sql).bind(user_id).bind(window_start).bind(day_start).fetch_one(pool).await?
        });
        Ok(usage)
    }

    /// The active session of a user for a lens, started if there is none.
    /// The partial unique index makes concurrent starts end in one session.
    pub async fn get_or_start_session(
        &self,
        user_id: i64,
        lens_id: &str,
    ) -> StoreResult<SessionRecord> {
        let select = "SELECT id, user_id, lens_id, started_at, archived_at FROM chat_sessions \
                      WHERE user_id = $1 AND lens_id = $2 AND archived_at IS NULL";
        let insert = "INSERT INTO chat_sessions (user_id, lens_id, started_at, last_active_at) VALUES ($1, $2, $3, $3) \
                      ON CONFLICT DO NOTHING";
        let session = on_backend!(self, pool => {
            if let Some(found) = sqlx::query_as::<_, SessionRecord>(select).bind(user_id).bind(lens_id).fetch_optional(pool).await? {
                found
            } else {
                sqlx::query(insert).bind(user_id).bind(lens_id).bind(clock::now()).execute(pool).await?;
                sqlx::query_as::<_, SessionRecord>(select).bind(user_id).bind(lens_id).fetch_one(pool).await?
            }
        });
        Ok(session)
    }

    /// A session by id.
    pub async fn chat_session(&self, id: i64) -> StoreResult<Option<SessionRecord>> {
        let sql =
            "SELECT id, user_id, lens_id, started_at, archived_at FROM chat_sessions WHERE id = $1";
        let session = on_backend!(self, pool => {
            sqlx::query_as::<_, SessionRecord>(sql).bind(id).fetch_optional(pool).await?
        });
        Ok(session)
    }

    /// A user's sessions, most recently active first.
    pub async fn chat_sessions_of(&self, user_id: i64) -> StoreResult<Vec<SessionRecord>> {
        let sql = "SELECT id, user_id, lens_id, started_at, archived_at FROM chat_sessions \
                   WHERE user_id = $1 ORDER BY last_active_at DESC, id DESC";
        let sessions = on_backend!(self, pool => {
            sqlx::query_as::<_, SessionRecord>(sql).bind(user_id).fetch_all(pool).await?
        });
        Ok(sessions)
    }

    /// Archives a session; false if it was archived already.
    pub async fn archive_chat_session(&self, id: i64) -> StoreResult<bool> {
        let sql = "UPDATE chat_sessions SET archived_at = $2 WHERE id = $1 AND archived_at IS NULL";
        let changed = on_backend!(self, pool => {
            sqlx::query(sql).bind(id).bind(clock::now()).execute(pool).await?.rows_affected()
        });
        Ok(changed == 1)
    }

    /// Whether `facilitator` leads an active group that `learner` is an
    /// active member of.
    pub async fn facilitates(&self, facilitator: i64, learner: i64) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM group_members f \
                     JOIN group_members l ON l.group_id = f.group_id \
                     JOIN groups g ON g.id = f.group_id \
                     WHERE f.user_id = $1 AND f.role = 'facilitator' AND f.status = 'active' \
                       AND l.user_id = $2 AND l.status = 'active' AND g.status = 'active')";
        let yes = on_backend!(self, pool => {
            sqlx::query_scalar::<_, bool>(sql).bind(facilitator).bind(learner).fetch_one(pool).await?
        });
        Ok(yes)
    }

    /// A session's messages, oldest first.
    pub async fn chat_messages(&self, session_id: i64) -> StoreResult<Vec<MessageRecord>> {
        let sql = "SELECT id, role, content, status, error, created_at FROM chat_messages WHERE session_id = $1 ORDER BY id";
        let messages = on_backend!(self, pool => {
            sqlx::query_as::<_, MessageRecord>(sql).bind(session_id).fetch_all(pool).await?
        });
        Ok(messages)
    }

    /// Stores a message and marks the session active; returns its id.
    pub async fn add_chat_message(
        &self,
        session_id: i64,
        message: &NewMessage<'_>,
    ) -> StoreResult<i64> {
        let now = clock::now();
        let status = if message.error.is_some() {
            "partial"
        } else {
            "complete"
        };
        let insert = "INSERT INTO chat_messages (session_id, role, content, status, error, model, input_tokens, output_tokens, created_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let id = on_backend!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(insert)
                .bind(session_id)
                .bind(message.role)
                .bind(message.content)
                .bind(status)
                .bind(message.error)
                .bind(message.model)
                .bind(message.input_tokens)
                .bind(message.output_tokens)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("UPDATE chat_sessions SET last_active_at = $2 WHERE id = $1")
                .bind(session_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        if id == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(id)
    }
}
