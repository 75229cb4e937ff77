//! Tutor sessions and messages.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::locks::{BeginLocked, Lock};
use super::{Store, StoreError, StoreResult, on_backend};
use crate::clock;
use crate::domain::{ChatRole, ChatSessionId, MessageId, MessageStatus, NetworkKey, UserId};

/// A chat session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRecord {
    /// Id.
    pub id: ChatSessionId,
    /// Owner.
    pub user_id: UserId,
    /// The lens.
    pub lens_id: String,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// Archive time, if archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// Messages the learner sent in it.
    pub user_messages: i64,
    /// For a roleplay: the roleplay segment's id.
    pub roleplay_id: Option<String>,
    /// For a roleplay: when the learner finished it.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A session's columns, with how many messages the learner sent in it.
const SESSION_SELECT: &str = "SELECT id, user_id, lens_id, started_at, archived_at, roleplay_id, finished_at, \
     (SELECT COUNT(*) FROM chat_messages m WHERE m.session_id = s.id AND m.role = 'user') AS user_messages \
     FROM chat_sessions s";

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRecord {
    /// Id.
    pub id: MessageId,
    /// Who wrote it.
    pub role: ChatRole,
    /// Text.
    pub content: String,
    /// Whole or partial (an answer still streaming is partial, with a
    /// lease in `streaming_until`).
    pub status: MessageStatus,
    /// Why partial.
    pub error: Option<String>,
    /// When stored.
    pub created_at: DateTime<Utc>,
    /// While the answer streams: until when its core holds it.
    pub streaming_until: Option<DateTime<Utc>>,
    /// What the model thought before answering, where the provider said.
    pub thinking: Option<String>,
    /// What the tutor looked up while answering, in order.
    #[sqlx(skip)]
    pub tool_uses: Vec<ToolUseRecord>,
}

/// A lookup the tutor made while answering.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ToolUseRecord {
    /// The answer it was made for.
    pub message_id: MessageId,
    /// The tool.
    pub name: String,
    /// What the learner is shown.
    pub summary: String,
    /// Whether it failed.
    pub failed: bool,
}

/// A lookup to keep with an answer.
#[derive(Debug, Clone, Copy)]
pub struct NewToolUse<'a> {
    /// The tool.
    pub name: &'a str,
    /// Its arguments, JSON.
    pub arguments: &'a str,
    /// What the learner is shown.
    pub summary: &'a str,
    /// What the model was told.
    pub result: &'a str,
    /// Whether it failed.
    pub failed: bool,
}

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Who wrote it.
    pub role: ChatRole,
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
    /// Tokens used since the day start, answers still streaming included
    /// (at their running estimate).
    pub tokens_today: i64,
    /// Until when an answer to this learner is still streaming, if one is.
    pub answering_until: Option<DateTime<Utc>>,
}

/// A learner's message let through, and its answer's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    /// The learner's stored message.
    pub user_message_id: MessageId,
    /// The answer's row, partial until it is finished.
    pub answer_id: MessageId,
}

/// What an answer's row says while it streams: what arrived, and why it is
/// partial if nothing more ever does.
pub const INTERRUPTED: &str = "the answer stopped: the platform restarted while answering";

/// The usage of the learners `$1` picks out (`s.user_id = $1`, or a
/// subquery on `$1`); `$4` is now, for answers still streaming. SUM is
/// NUMERIC on PostgreSQL, hence the cast back to BIGINT.
macro_rules! usage_of {
    ($learners:literal) => {
        concat!(
            "SELECT \
             (SELECT COUNT(*) FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
                WHERE ", $learners, " AND m.role = 'user' AND m.created_at > $2) AS recent_messages, \
             (SELECT MIN(m.created_at) FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
                WHERE ", $learners, " AND m.role = 'user' AND m.created_at > $2) AS oldest_recent, \
             (SELECT CAST(COALESCE(SUM(COALESCE(m.input_tokens, 0) + COALESCE(m.output_tokens, 0)), 0) AS BIGINT) \
                FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
                WHERE ", $learners, " AND m.role = 'assistant' AND m.created_at >= $3) AS tokens_today, \
             (SELECT MAX(m.streaming_until) FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
                WHERE ", $learners, " AND m.streaming_until > $4) AS answering_until"
        )
    };
}

/// One learner's usage.
const USAGE: &str = usage_of!("s.user_id = $1");
/// The usage of every guest started from network `$1`.
const NETWORK_USAGE: &str =
    usage_of!("s.user_id IN (SELECT id FROM users WHERE guest_network = $1)");

impl Store {
    /// Lets a learner's message through if `check` allows it with their
    /// usage (and, for a guest, its network's), and stores it with its
    /// answer's row, in one step for that learner and network: concurrent
    /// sends see each other. The answer's row starts partial with
    /// `input_tokens` (an estimate until the model says) and a lease until
    /// `lease_until`.
    #[allow(clippy::too_many_arguments)]
    pub async fn admit_message<R>(
        &self,
        user_id: UserId,
        network: Option<&NetworkKey>,
        session_id: ChatSessionId,
        text: &str,
        input_tokens: i64,
        window_start: DateTime<Utc>,
        day_start: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        check: impl FnOnce(&ChatUsage, Option<&ChatUsage>) -> Result<(), R>,
    ) -> StoreResult<Result<Admitted, R>> {
        let mut locks = vec![Lock::User(user_id)];
        locks.extend(network.map(|n| Lock::Network(n.lock_number())));
        let now = clock::now();
        let insert = "INSERT INTO chat_messages (session_id, role, content, status, error, model, input_tokens, output_tokens, created_at, streaming_until) \
                      VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9) RETURNING id";
        let admitted = on_backend!(self, |pool| {
            let mut tx = pool.begin_locked(&locks).await?;
            let usage = sqlx::query_as::<_, ChatUsage>(USAGE)
                .bind(user_id)
                .bind(window_start)
                .bind(day_start)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            let network_usage = match network {
                Some(network) => Some(
                    sqlx::query_as::<_, ChatUsage>(NETWORK_USAGE)
                        .bind(network)
                        .bind(window_start)
                        .bind(day_start)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?,
                ),
                None => None,
            };
            if let Err(refusal) = check(&usage, network_usage.as_ref()) {
                return Ok(Err(refusal));
            }
            let user_message_id: MessageId = sqlx::query_scalar(insert)
                .bind(session_id)
                .bind(ChatRole::User)
                .bind(text)
                .bind(MessageStatus::Complete)
                .bind(None::<&str>)
                .bind(None::<i64>)
                .bind(None::<i64>)
                .bind(now)
                .bind(None::<DateTime<Utc>>)
                .fetch_one(&mut *tx)
                .await?;
            let answer_id: MessageId = sqlx::query_scalar(insert)
                .bind(session_id)
                .bind(ChatRole::Assistant)
                .bind("")
                .bind(MessageStatus::Partial)
                .bind(INTERRUPTED)
                .bind(Some(input_tokens))
                .bind(Some(0_i64))
                .bind(now)
                .bind(Some(lease_until))
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("UPDATE chat_sessions SET last_active_at = $2 WHERE id = $1")
                .bind(session_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Admitted {
                user_message_id,
                answer_id,
            }
        });
        Ok(Ok(admitted))
    }

    /// Saves what of an answer arrived so far, with the running estimate of
    /// its tokens, and renews its lease.
    pub async fn flush_answer(
        &self,
        answer_id: MessageId,
        text: &str,
        output_tokens: i64,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<()> {
        // A finished row (no lease) is never turned back into a streaming one.
        let sql = "UPDATE chat_messages SET content = $2, output_tokens = $3, streaming_until = $4 \
                   WHERE id = $1 AND streaming_until IS NOT NULL";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(answer_id)
                .bind(text)
                .bind(output_tokens)
                .bind(lease_until)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Renews a streaming answer's lease; `false` once it is finished.
    pub async fn renew_answer_lease(
        &self,
        answer_id: MessageId,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE chat_messages SET streaming_until = $2 WHERE id = $1 AND streaming_until IS NOT NULL";
        let renewed = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(answer_id)
                .bind(lease_until)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(renewed == 1)
    }

    /// Finishes an answer: its whole text, complete (no `error`) or partial
    /// with why, the model, and its tokens; the lease ends.
    pub async fn finish_answer(
        &self,
        answer_id: MessageId,
        answer: &NewMessage<'_>,
    ) -> StoreResult<()> {
        let status = if answer.error.is_some() {
            MessageStatus::Partial
        } else {
            MessageStatus::Complete
        };
        let sql = "UPDATE chat_messages SET content = $2, status = $3, error = $4, model = $5, \
                   input_tokens = COALESCE($6, input_tokens), output_tokens = COALESCE($7, output_tokens), streaming_until = NULL \
                   WHERE id = $1";
        let updated = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(answer_id)
                .bind(answer.content)
                .bind(status)
                .bind(answer.error)
                .bind(answer.model)
                .bind(answer.input_tokens)
                .bind(answer.output_tokens)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The active session of a user for a lens, started if there is none.
    /// The partial unique index makes concurrent starts end in one session.
    pub async fn get_or_start_session(
        &self,
        user_id: UserId,
        lens_id: &str,
    ) -> StoreResult<SessionRecord> {
        self.get_or_start_conversation(user_id, lens_id, None).await
    }

    /// The active session of a user for a lens's tutor chat (`roleplay`
    /// `None`) or for one of its roleplays, started if there is none. A
    /// roleplay starts with its character's `opening` message, written in
    /// the same step as the session by whichever start made it.
    pub async fn get_or_start_conversation(
        &self,
        user_id: UserId,
        lens_id: &str,
        roleplay: Option<(&str, Option<&str>)>,
    ) -> StoreResult<SessionRecord> {
        let select = format!(
            "{SESSION_SELECT} WHERE user_id = $1 AND lens_id = $2 \
             AND COALESCE(roleplay_id, '') = COALESCE($3, '') AND archived_at IS NULL"
        );
        let insert = "INSERT INTO chat_sessions (user_id, lens_id, roleplay_id, started_at, last_active_at) \
                      VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING RETURNING id";
        let opening_sql = "INSERT INTO chat_messages (session_id, role, content, status, created_at) \
                           VALUES ($1, 'assistant', $2, 'complete', $3)";
        let roleplay_id = roleplay.map(|r| r.0);
        let opening = roleplay.and_then(|r| r.1);
        let session = on_backend!(self, |pool| {
            if let Some(found) =
                sqlx::query_as::<_, SessionRecord>(sqlx::AssertSqlSafe(select.clone()))
                    .bind(user_id)
                    .bind(lens_id)
                    .bind(roleplay_id)
                    .fetch_optional(pool)
                    .await?
            {
                found
            } else {
                let now = clock::now();
                let mut tx = pool.begin().await?;
                let started: Option<ChatSessionId> = sqlx::query_scalar(insert)
                    .bind(user_id)
                    .bind(lens_id)
                    .bind(roleplay_id)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let (Some(id), Some(opening)) = (started, opening) {
                    sqlx::query(opening_sql)
                        .bind(id)
                        .bind(opening)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                sqlx::query_as::<_, SessionRecord>(sqlx::AssertSqlSafe(select.clone()))
                    .bind(user_id)
                    .bind(lens_id)
                    .bind(roleplay_id)
                    .fetch_one(pool)
                    .await?
            }
        });
        Ok(session)
    }

    /// Marks a roleplay finished; `false` when it already was (or is no
    /// roleplay), so of two concurrent finishes one does the finishing.
    pub async fn finish_roleplay(&self, id: ChatSessionId) -> StoreResult<bool> {
        let sql = "UPDATE chat_sessions SET finished_at = $2 \
                   WHERE id = $1 AND roleplay_id IS NOT NULL AND finished_at IS NULL";
        let updated = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(id)
                .bind(clock::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(updated == 1)
    }

    /// A session by id.
    pub async fn chat_session(&self, id: ChatSessionId) -> StoreResult<Option<SessionRecord>> {
        let sql = format!("{SESSION_SELECT} WHERE id = $1");
        let session = on_backend!(self, |pool| {
            sqlx::query_as::<_, SessionRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(session)
    }

    /// A user's sessions, most recently active first.
    pub async fn chat_sessions_of(&self, user_id: UserId) -> StoreResult<Vec<SessionRecord>> {
        let sql =
            format!("{SESSION_SELECT} WHERE user_id = $1 ORDER BY last_active_at DESC, id DESC");
        let sessions = on_backend!(self, |pool| {
            sqlx::query_as::<_, SessionRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .fetch_all(pool)
                .await?
        });
        Ok(sessions)
    }

    /// Archives a session; false if it was archived already.
    pub async fn archive_chat_session(&self, id: ChatSessionId) -> StoreResult<bool> {
        let sql = "UPDATE chat_sessions SET archived_at = $2 WHERE id = $1 AND archived_at IS NULL";
        let changed = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(id)
                .bind(clock::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Whether `facilitator` leads an active group that `learner` is an
    /// active member of.
    pub async fn facilitates(&self, facilitator: UserId, learner: UserId) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM group_members f \
                     JOIN group_members l ON l.group_id = f.group_id \
                     JOIN groups g ON g.id = f.group_id \
                     WHERE f.user_id = $1 AND f.role = 'facilitator' AND f.status = 'active' \
                       AND l.user_id = $2 AND l.status = 'active' AND g.status = 'active')";
        let yes = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, bool>(sql)
                .bind(facilitator)
                .bind(learner)
                .fetch_one(pool)
                .await?
        });
        Ok(yes)
    }

    /// How many messages a user sent the tutor, per lens.
    pub async fn chat_messages_per_lens(
        &self,
        user_id: UserId,
    ) -> StoreResult<HashMap<String, i64>> {
        let sql = "SELECT s.lens_id, COUNT(m.id) FROM chat_sessions s \
                   JOIN chat_messages m ON m.session_id = s.id \
                   WHERE s.user_id = $1 AND m.role = 'user' GROUP BY s.lens_id";
        let rows = on_backend!(self, |pool| {
            sqlx::query_as::<_, (String, i64)>(sql)
                .bind(user_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// A session's messages, oldest first.
    pub async fn chat_messages(
        &self,
        session_id: ChatSessionId,
    ) -> StoreResult<Vec<MessageRecord>> {
        let sql = "SELECT id, role, content, status, error, created_at, streaming_until, thinking \
                   FROM chat_messages WHERE session_id = $1 ORDER BY id";
        let uses = "SELECT t.message_id, t.name, t.summary, t.failed FROM chat_tool_uses t \
                    JOIN chat_messages m ON m.id = t.message_id WHERE m.session_id = $1 ORDER BY t.id";
        let (mut messages, uses) = on_backend!(self, |pool| {
            let messages = sqlx::query_as::<_, MessageRecord>(sql)
                .bind(session_id)
                .fetch_all(pool)
                .await?;
            let uses = sqlx::query_as::<_, ToolUseRecord>(uses)
                .bind(session_id)
                .fetch_all(pool)
                .await?;
            (messages, uses)
        });
        for tool_use in uses {
            if let Some(message) = messages.iter_mut().find(|m| m.id == tool_use.message_id) {
                message.tool_uses.push(tool_use);
            }
        }
        Ok(messages)
    }

    /// Keeps a lookup the tutor made while writing answer `message_id`.
    pub async fn add_tool_use(
        &self,
        message_id: MessageId,
        tool_use: NewToolUse<'_>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO chat_tool_uses (message_id, name, arguments, summary, result, failed, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(message_id)
                .bind(tool_use.name)
                .bind(tool_use.arguments)
                .bind(tool_use.summary)
                .bind(tool_use.result)
                .bind(tool_use.failed)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Keeps what the model thought before answer `message_id`.
    pub async fn save_thinking(&self, message_id: MessageId, thinking: &str) -> StoreResult<()> {
        let sql = "UPDATE chat_messages SET thinking = $2 WHERE id = $1";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(message_id)
                .bind(thinking)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
