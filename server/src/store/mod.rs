//! Persistence on SQLite (embedded default) or PostgreSQL (production).
//!
//! One schema, expressed once per backend in `migrations/sqlite` and
//! `migrations/postgres`. The query code is written once: [`on_backend!`]
//! compiles the same body against each pool type, so both backends run the
//! same SQL (sqlx accepts `$1` placeholders on SQLite too). Where the
//! dialects differ, the difference is spelled out at that query.

mod answers;
mod calendar;
mod chat;
mod cohorts;
mod content;
mod discord;
mod error;
mod groups;
mod guests;
mod jobs;
mod locks;
pub(crate) mod meetings;
mod notifications;
mod progress;
mod sessions;
mod users;

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::config::{DatabaseConfig, DatabaseKind};

pub use answers::{AnswerRecord, NewAnswer};
pub use calendar::CalendarGroup;
pub use chat::{
    Admitted, ChatUsage, INTERRUPTED, MessageRecord, NewMessage, NewToolUse, SessionRecord,
    ToolUseRecord,
};
pub use cohorts::{AvailabilityRecord, CohortRecord, MatchingSignup, WithdrawOutcome};
pub use discord::{DiscordGroup, DiscordMember, RealizedIds};
pub use error::{StoreError, StoreResult};
pub use groups::{GroupInfo, GroupRecord, JoinOutcome, MemberRecord, MoveOutcome, NewGroup};
pub use guests::GuestClaim;
pub use jobs::JobRecord;
pub use meetings::{AttendanceRecord, MeetingRecord, MyMeetingRecord};
pub use notifications::NotificationChannel;
pub use progress::{HEARTBEAT_CAP_SECONDS, ProgressRecord, heartbeat_credit};
pub use sessions::SessionCheck;
pub use users::{DiscordProfile, ProfileChanges, UserRecord};

/// Tries at an optimistic update (read, compute, write where the row is
/// still as read) before giving up with [`StoreError::Contended`]: the same
/// for every such update, so none of them gives up sooner than another.
pub(crate) const OPTIMISTIC_ATTEMPTS: usize = 5;

/// Runs `$body` with `$pool` bound to whichever pool the store holds.
macro_rules! on_backend {
    // Written like a closure call so rustfmt formats the body; it is
    // expanded once per backend, with `$pool` typed for each.
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_backend;

/// A connection pool to one of the two backends.
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database. Cheap to clone: clones share one pool.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Store {
    /// Opens a pool as configured. A SQLite file is created if missing.
    pub async fn connect(config: &DatabaseConfig) -> StoreResult<Self> {
        let backend = match config.kind {
            DatabaseKind::Sqlite => {
                let options = SqliteConnectOptions::from_str(&config.url)?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    // WAL lets readers proceed while one writer commits.
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(config.acquire_timeout);
                Backend::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(config.max_connections)
                        .acquire_timeout(config.acquire_timeout)
                        .max_lifetime(config.max_lifetime)
                        .connect_with(options)
                        .await?,
                )
            }
            DatabaseKind::Postgres => {
                let mut options = PgConnectOptions::from_str(&config.url)?;
                if config.transaction_pooler {
                    // A transaction pooler hands each transaction to any
                    // server connection, so named prepared statements from an
                    // earlier one may be missing; unnamed statements only.
                    options = options.statement_cache_capacity(0);
                }
                Backend::Postgres(
                    PgPoolOptions::new()
                        .max_connections(config.max_connections)
                        .acquire_timeout(config.acquire_timeout)
                        .max_lifetime(config.max_lifetime)
                        .connect_with(options)
                        .await?,
                )
            }
        };
        Ok(Self { backend })
    }

    /// Applies every pending migration of this backend. Safe to run from
    /// several replicas at once: sqlx takes a lock on PostgreSQL.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Which backend this store talks to.
    pub fn kind(&self) -> DatabaseKind {
        match self.backend {
            Backend::Sqlite(_) => DatabaseKind::Sqlite,
            Backend::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        on_backend!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        on_backend!(self, |pool| pool.close().await);
    }
}
