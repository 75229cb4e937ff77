//! Database selection and pool settings.

use std::fmt;
use std::time::Duration;

use super::{ConfigError, Env, SettingError};

/// Which backend `DATABASE_URL` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// An embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Database settings. `Debug` hides the URL's password.
#[derive(Clone)]
pub struct DatabaseConfig {
    /// Connection URL: `sqlite://FILE` or `postgres://…`.
    pub url: String,
    /// The backend the URL selects.
    pub kind: DatabaseKind,
    /// Upper bound on open connections.
    pub max_connections: u32,
    /// How long a query waits for a free connection before failing.
    pub acquire_timeout: Duration,
    /// Connections are replaced after this long, so server-side state and
    /// pooler assignments do not live forever.
    pub max_lifetime: Duration,
    /// PostgreSQL only: the URL points at a transaction pooler (Supabase
    /// pooler, pgbouncer in transaction mode), which cannot keep named
    /// prepared statements between transactions, so none are cached.
    pub transaction_pooler: bool,
}

/// The database used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://lens.db";

impl DatabaseConfig {
    /// Reads `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`,
    /// `DATABASE_ACQUIRE_TIMEOUT_SECS`, `DATABASE_MAX_LIFETIME_SECS` and
    /// `DATABASE_TRANSACTION_POOLER`.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let url = env.get("DATABASE_URL").unwrap_or(DEFAULT_DATABASE_URL);
        let kind = if url.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseKind::Postgres
        } else {
            return Err(SettingError::Invalid {
                name: "DATABASE_URL",
                value: redact_url(url),
                reason: "use sqlite://FILE or postgres://USER@HOST/DB".into(),
            }
            .into());
        };
        // The original deployment ran 5 + 10 overflow connections: 15 at most.
        let default_max = match kind {
            DatabaseKind::Postgres => 15,
            // SQLite serialises writers; a few readers beside them is plenty.
            DatabaseKind::Sqlite => 8,
        };
        Ok(Self {
            url: url.to_owned(),
            kind,
            max_connections: env.number("DATABASE_MAX_CONNECTIONS", default_max, 1..=1000)? as u32,
            acquire_timeout: Duration::from_secs(env.number(
                "DATABASE_ACQUIRE_TIMEOUT_SECS",
                30,
                1..=3600,
            )?),
            max_lifetime: Duration::from_secs(env.number(
                "DATABASE_MAX_LIFETIME_SECS",
                30 * 60,
                1..=86_400,
            )?),
            transaction_pooler: env.flag("DATABASE_TRANSACTION_POOLER"),
        })
    }

    /// Settings for `url` with every other value at its default.
    pub fn for_url(url: &str) -> Result<Self, ConfigError> {
        Self::from_env(&Env::from_pairs([("DATABASE_URL", url)]))
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("kind", &self.kind)
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("max_lifetime", &self.max_lifetime)
            .field("transaction_pooler", &self.transaction_pooler)
            .finish()
    }
}

/// The URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "<unparseable URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_a_sqlite_file() {
        let db = DatabaseConfig::from_env(&Env::default()).unwrap();
        assert_eq!(db.kind, DatabaseKind::Sqlite);
        assert_eq!(db.url, "sqlite://lens.db");
    }

    #[test]
    fn postgres_pool_follows_the_original_deployment() {
        let db = DatabaseConfig::for_url("postgres://u:pw@db/lens").unwrap();
        assert_eq!(db.kind, DatabaseKind::Postgres);
        assert_eq!(db.max_connections, 15);
        assert_eq!(db.acquire_timeout, Duration::from_secs(30));
        assert_eq!(db.max_lifetime, Duration::from_secs(1800));
        assert!(!db.transaction_pooler);
    }

    #[test]
    fn debug_hides_the_password() {
        let db = DatabaseConfig::for_url("postgres://u:hunter2@db/lens").unwrap();
        let shown = format!("{db:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn unknown_scheme_is_refused_without_echoing_secrets() {
        let err = DatabaseConfig::for_url("mysql://u:hunter2@db/lens").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("DATABASE_URL"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
