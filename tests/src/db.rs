//! A fresh, empty database per test, on either backend.

use sqlx::{Connection, Executor, PgConnection};
use tempfile::TempDir;

/// Where the PostgreSQL server for tests is (`LENS_TEST_POSTGRES_URL`).
pub fn postgres_admin_url() -> String {
    std::env::var("LENS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The two database backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A new database on the test PostgreSQL server.
    Postgres,
}

/// A database that exists for one test and is removed after it.
pub struct TestDatabase {
    /// URL to give the core as `DATABASE_URL`.
    pub url: String,
    /// Which backend.
    pub backend: Backend,
    _dir: Option<TempDir>,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// Creates an empty database. PostgreSQL is required: a test run
    /// without it fails here and says how to provide it.
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("lens.db").display());
                Self {
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut connection = PgConnection::connect(&admin).await.unwrap_or_else(|error| {
                    panic!(
                        "PostgreSQL is required by the test suite but {admin} is not reachable ({error}); \
                         start PostgreSQL or point LENS_TEST_POSTGRES_URL at one"
                    )
                });
                let name = format!("lens_test_{}", uuid::Uuid::new_v4().simple());
                connection
                    .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).expect("LENS_TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    backend,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs outside async; a short-lived runtime on its own thread
        // removes the database even while the test's runtime shuts down.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(mut connection) = PgConnection::connect(&postgres_admin_url()).await {
                        let _ = connection
                            .execute(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .await;
                    }
                });
            }
        })
        .join();
    }
}
