//! The real core on a loopback port.

use std::net::SocketAddr;

use lens_runtime::Env;
use lens_server::auth::{EdgeKind, TokenKeys};
use lens_server::config::Secret;
use lens_server::{AppState, Config, Core};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};

use crate::TEST_JWT_SECRET;
use crate::db::{Backend, TestDatabase};

/// How to start a test core.
#[derive(Debug, Clone, Default)]
pub struct CoreOptions {
    /// Database backend (SQLite when unset).
    pub postgres: bool,
    /// Base URL of a fake Discord (switches Discord sign-in on).
    pub discord_base_url: Option<String>,
    /// `DEV_MODE=1`.
    pub dev_mode: bool,
    /// Use this database instead of a fresh one (a second replica).
    pub database_url: Option<String>,
    /// More configuration variables.
    pub env: Vec<(String, String)>,
}

/// A running core.
pub struct TestCore {
    /// Its address.
    pub addr: SocketAddr,
    /// Its URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// Its shared state, for setting up data directly.
    pub state: AppState,
    /// Its database URL.
    pub database_url: String,
    /// The database it owns (none when it shares another core's).
    pub db: Option<TestDatabase>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), lens_server::StartError>>>,
}

/// Client id and secret the fake Discord accepts.
pub const DISCORD_CLIENT_ID: &str = "1111";
/// The secret that goes with [`DISCORD_CLIENT_ID`].
pub const DISCORD_CLIENT_SECRET: &str = "fake-client-secret";

impl TestCore {
    /// Starts a core with a fresh database.
    pub async fn start(options: CoreOptions) -> Self {
        crate::init();
        let backend = if options.postgres {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let db = match &options.database_url {
            Some(_) => None,
            None => Some(TestDatabase::new(backend).await),
        };
        let database_url = options
            .database_url
            .clone()
            .unwrap_or_else(|| db.as_ref().map(|d| d.url.clone()).unwrap_or_default());
        let mut vars = vec![
            ("JWT_SECRET".to_owned(), TEST_JWT_SECRET.to_owned()),
            ("DATABASE_URL".to_owned(), database_url.clone()),
            ("LENS_SHUTDOWN_GRACE_SECS".to_owned(), "5".to_owned()),
        ];
        if options.dev_mode {
            vars.push(("DEV_MODE".into(), "1".into()));
            vars.push(("DEV_ADMIN".into(), "1".into()));
        }
        if let Some(base) = &options.discord_base_url {
            vars.push(("DISCORD_CLIENT_ID".into(), DISCORD_CLIENT_ID.into()));
            vars.push(("DISCORD_CLIENT_SECRET".into(), DISCORD_CLIENT_SECRET.into()));
            vars.push(("DISCORD_API_BASE_URL".into(), format!("{base}/api/v10")));
            vars.push((
                "DISCORD_AUTHORIZE_URL".into(),
                format!("{base}/oauth2/authorize"),
            ));
            vars.push((
                "DISCORD_REDIRECT_URI".into(),
                "http://127.0.0.1/auth/discord/callback".into(),
            ));
        }
        // No test reaches the network: content only when a test gives it.
        vars.push(("CONTENT_REPO".into(), "none".into()));
        vars.extend(options.env.iter().cloned());
        let config = Config::from_env(&Env::from_pairs(vars)).expect("test configuration");
        let core = Core::build(config).await.expect("core starts");
        let state = core.state().clone();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(core.serve(listener, async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            url: format!("http://{addr}"),
            state,
            database_url,
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// A plaintext HTTP/2 channel to the core.
    pub async fn channel(&self) -> Channel {
        Endpoint::from_shared(self.url.clone())
            .expect("url")
            .connect()
            .await
            .expect("connect to the test core")
    }

    /// A session token for `user_id`.
    pub fn user_token(&self, user_id: i64, admin: bool) -> String {
        keys()
            .mint_session(
                lens_server::domain::UserId(user_id),
                admin,
                chrono::Utc::now(),
                std::time::Duration::from_secs(3600),
            )
            .0
    }

    /// The service token of an edge.
    pub fn edge_token(&self, edge: EdgeKind) -> String {
        keys()
            .mint_edge(
                edge,
                chrono::Utc::now(),
                std::time::Duration::from_secs(3600),
            )
            .0
    }

    /// Signs in a development user (created on first use) through the
    /// real AuthService, as the web edge would. Needs `dev_mode`.
    pub async fn dev_session(&self, username: &str, admin: bool) -> lens_proto::v1::Session {
        dev_sign_in(self.channel().await, username, admin).await
    }

    /// Asks the core to shut down and waits until it has.
    pub async fn stop(mut self) -> Result<(), lens_server::StartError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.expect("core task"),
            None => Ok(()),
        }
    }
}

impl Drop for TestCore {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Signs in a development user at the core behind `channel` (any core
/// signing with the test keys and in development mode), as the web edge would.
pub async fn dev_sign_in(channel: Channel, username: &str, admin: bool) -> lens_proto::v1::Session {
    let edge = keys()
        .mint_edge(
            EdgeKind::Web,
            chrono::Utc::now(),
            std::time::Duration::from_secs(3600),
        )
        .0;
    let request = lens_proto::v1::DevSignInRequest {
        username: username.to_owned(),
        admin,
        ..Default::default()
    };
    lens_proto::v1::auth_service_client::AuthServiceClient::new(channel)
        .dev_sign_in(authed(request, &edge))
        .await
        .expect("development sign-in")
        .into_inner()
        .session
        .expect("a session")
}

/// The keys test cores sign with.
pub fn keys() -> TokenKeys {
    TokenKeys::new(&Secret::new(TEST_JWT_SECRET))
}

/// A request carrying `authorization: Bearer token`.
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii token"),
    );
    request
}
