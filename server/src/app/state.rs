//! What every RPC handler shares.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::TokenKeys;
use crate::auth::discord_oauth::DiscordOAuthClient;
use crate::auth::oauth_state::StateSigner;
use crate::chat::Tutor;
use crate::config::Config;
use crate::content::Catalogue;
use crate::email::unsubscribe::UnsubscribeSigner;
use crate::store::Store;

/// Shared state of the running core. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The configuration the core started with.
    pub config: Arc<Config>,
    /// The database.
    pub store: Store,
    /// Token signing and verification.
    pub keys: TokenKeys,
    /// OAuth state signing.
    pub states: StateSigner,
    /// Unsubscribe link signing.
    pub unsubscribe: UnsubscribeSigner,
    /// The HTTP client for third parties (GitHub, SendGrid).
    pub http: reqwest::Client,
    /// Discord sign-in, when configured.
    pub discord: Option<DiscordOAuthClient>,
    /// The course content being served.
    pub content: Arc<Catalogue>,
    /// The AI tutor's model, when configured.
    pub tutor: Option<Tutor>,
    /// Cancelled when the core begins shutting down, so long-lived streams
    /// end and let the server drain.
    pub shutdown: CancellationToken,
    /// Tutor answers being produced: drained at shutdown.
    pub answers: TaskTracker,
    /// Cancelled when the shutdown grace period is over: answers still
    /// streaming then are stored partial at once, before the database closes.
    pub cut_off: CancellationToken,
}

impl AppState {
    /// State for `config` over an open `store`.
    pub fn new(config: Config, store: Store) -> Self {
        let discord = config
            .discord_oauth
            .clone()
            .map(|oauth| DiscordOAuthClient::new(oauth, config.discord_api_base_url.clone()));
        lens_runtime::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("Lens/", env!("CARGO_PKG_VERSION")))
            // Start-up waits for the first content load: an unreachable
            // GitHub must fail it quickly, not after the request timeout.
            .connect_timeout(std::time::Duration::from_secs(5))
            .build()
            .expect("a TLS provider is installed");
        let content = Arc::new(Catalogue::new(config.content.source.clone(), http.clone()));
        Self {
            tutor: config.llm.as_ref().map(Tutor::new),
            content,
            keys: TokenKeys::new(&config.jwt_secret),
            states: StateSigner::new(&config.jwt_secret),
            unsubscribe: UnsubscribeSigner::new(&config.jwt_secret),
            http,
            discord,
            store,
            config: Arc::new(config),
            shutdown: CancellationToken::new(),
            answers: TaskTracker::new(),
            cut_off: CancellationToken::new(),
        }
    }
}
