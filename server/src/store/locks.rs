//! Transactions in which a check and the writes after it are one step: a
//! rule checked in one statement and written in another is otherwise a race.
//! SQLite takes the database's write lock at once (`BEGIN IMMEDIATE`);
//! PostgreSQL locks the rows named, always in the order given, so
//! transactions that name the same rows queue instead of deadlocking.

use super::StoreResult;
use crate::domain::{CohortId, GroupId, UserId};

/// A row whose changes a transaction serializes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lock {
    /// A user: what they may do now (tutor admission, group joins).
    User(UserId),
    /// A group: its members.
    Group(GroupId),
    /// A cohort: its status and its sign-ups while groups are committed.
    Cohort(CohortId),
    /// A guest network (by [`crate::domain::NetworkKey::lock_number`]): the
    /// guests started from it and their use of the tutor. No row stands
    /// for a network, so PostgreSQL takes an advisory lock on the number.
    Network(i64),
}

/// Opening a transaction that holds locks.
pub(super) trait BeginLocked {
    /// The backend.
    type Db: sqlx::Database;
    /// A transaction holding `locks`.
    async fn begin_locked(
        &self,
        locks: &[Lock],
    ) -> StoreResult<sqlx::Transaction<'static, Self::Db>>;
}

impl BeginLocked for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_locked(
        &self,
        _locks: &[Lock],
    ) -> StoreResult<sqlx::Transaction<'static, Self::Db>> {
        // One writer at a time: holding the write lock from the start, the
        // checks read what no one else can change until commit.
        Ok(self.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl BeginLocked for sqlx::PgPool {
    type Db = sqlx::Postgres;
    async fn begin_locked(
        &self,
        locks: &[Lock],
    ) -> StoreResult<sqlx::Transaction<'static, Self::Db>> {
        let mut tx = self.begin().await?;
        for lock in locks {
            let (sql, id) = match lock {
                Lock::User(id) => ("SELECT id FROM users WHERE id = $1 FOR UPDATE", id.0),
                Lock::Group(id) => ("SELECT id FROM groups WHERE id = $1 FOR UPDATE", id.0),
                Lock::Cohort(id) => ("SELECT id FROM cohorts WHERE id = $1 FOR UPDATE", id.0),
                Lock::Network(number) => ("SELECT pg_advisory_xact_lock($1)", *number),
            };
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        Ok(tx)
    }
}
