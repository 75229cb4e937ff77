//! Assembling and running the core: storage, services, the auth layer,
//! reflection, health, and graceful shutdown.

mod state;

use std::future::Future;
use std::time::Duration;

use lens_proto::v1::answer_service_server::AnswerServiceServer;
use lens_proto::v1::auth_service_server::AuthServiceServer;
use lens_proto::v1::chat_service_server::ChatServiceServer;
use lens_proto::v1::cohort_service_server::CohortServiceServer;
use lens_proto::v1::content_service_server::ContentServiceServer;
use lens_proto::v1::delivery_service_server::DeliveryServiceServer;
use lens_proto::v1::discord_work_service_server::DiscordWorkServiceServer;
use lens_proto::v1::meeting_service_server::MeetingServiceServer;
use lens_proto::v1::progress_service_server::ProgressServiceServer;
use lens_proto::v1::system_service_server::SystemServiceServer;
use lens_proto::v1::user_service_server::UserServiceServer;
use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};

pub use state::AppState;

use crate::auth::{AccessPolicy, AuthLayer, Authenticator, PolicyError};
use crate::config::{Config, redact_url};
use crate::store::{Store, StoreError};

/// Adds each lens.v1 service to the router and marks it serving in health.
macro_rules! lens_services {
    ($router:expr, $health:expr, $state:expr, $($server:ident => $api:ident),+ $(,)?) => {{
        let mut router = $router;
        $(
            $health.set_serving::<$server<crate::services::$api>>().await;
            router = router.add_service($server::new(crate::services::$api::new($state.clone())));
        )+
        router
    }};
}

/// Why the core could not start or keep serving.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The contract's access rules are unusable.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A TLS file could not be read.
    #[error("reading {path}: {source}")]
    TlsFile {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The gRPC transport failed.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The listener failed.
    #[error("listening: {0}")]
    Io(#[from] std::io::Error),
}

/// A core ready to serve: database open and migrated, rules loaded.
#[derive(Debug)]
pub struct Core {
    state: AppState,
    policy: AccessPolicy,
}

impl Core {
    /// Opens the database, applies migrations and loads the access rules.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let policy = AccessPolicy::from_descriptor_set(lens_proto::FILE_DESCRIPTOR_SET)?;
        let store = Store::connect(&config.database).await?;
        store.migrate().await?;
        tracing::info!(
            database = %redact_url(&config.database.url),
            backend = ?store.kind(),
            "database ready, migrations applied"
        );
        let state = AppState::new(config, store);
        crate::content::refresher::refresh_and_log(&state.content, "start-up").await;
        Ok(Self { state, policy })
    }

    /// The shared state (for tools and tests that work beside the server).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Logs which integrations are on, one line each.
    pub fn log_integrations(&self) {
        for integration in self.state.config.integrations() {
            if integration.enabled {
                tracing::info!(integration = integration.name, "on: {}", integration.detail);
            } else {
                tracing::info!(
                    integration = integration.name,
                    "off: {}",
                    integration.detail
                );
            }
        }
    }

    /// Serves on `listener` until `shutdown` completes, then stops accepting,
    /// lets in-flight calls finish (up to the configured grace period) and
    /// closes the database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let state = self.state;
        let (health, health_service) = tonic_health::server::health_reporter();

        let reflection_v1 = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(lens_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()
            .map_err(|e| PolicyError::Descriptor(e.to_string()))?;
        let reflection_v1alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(lens_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1alpha()
            .map_err(|e| PolicyError::Descriptor(e.to_string()))?;

        let authenticator = Authenticator::new(
            state.keys.clone(),
            state.store.clone(),
            state.config.public_url.clone(),
        );
        let mut builder = Server::builder();
        if let Some(tls) = &state.config.tls {
            let read = |path: &std::path::Path| {
                std::fs::read(path).map_err(|source| StartError::TlsFile {
                    path: path.display().to_string(),
                    source,
                })
            };
            let identity = Identity::from_pem(read(&tls.cert_path)?, read(&tls.key_path)?);
            builder = builder.tls_config(ServerTlsConfig::new().identity(identity))?;
        }
        let addr = listener.local_addr()?;
        let (sentry_scope, sentry_http) =
            lens_runtime::http_layers::<http::Request<tonic::body::Body>>();
        let router = builder
            .trace_fn(|request| tracing::info_span!("rpc", path = %request.uri().path()))
            .layer(sentry_scope)
            .layer(sentry_http)
            .layer(lens_runtime::RequestMetricsLayer::new(
                crate::metrics::rpc_name,
            ))
            .layer(AuthLayer::new(self.policy, authenticator))
            .add_service(health_service)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha);
        let router = lens_services!(router, health, state,
            AuthServiceServer => AuthApi,
            UserServiceServer => UserApi,
            SystemServiceServer => SystemApi,
            ContentServiceServer => ContentApi,
            ProgressServiceServer => ProgressApi,
            AnswerServiceServer => AnswerApi,
            CohortServiceServer => CohortApi,
            ChatServiceServer => ChatApi,
            DeliveryServiceServer => DeliveryApi,
            DiscordWorkServiceServer => DiscordWorkApi,
            MeetingServiceServer => MeetingApi,
        );

        crate::content::refresher::spawn(
            state.content.clone(),
            state.store.clone(),
            state.config.content.poll_interval,
            state.shutdown.clone(),
        );
        let guest_ttl = chrono::Duration::from_std(state.config.guest_limits.ttl)
            .unwrap_or(chrono::Duration::days(30));
        let maintenance = tokio::spawn(maintenance(
            state.store.clone(),
            guest_ttl,
            state.shutdown.clone(),
        ));
        if let Some(addr) = state.config.metrics_addr {
            if let Err(error) = lens_runtime::serve_metrics(addr, "lens-server") {
                tracing::error!(%error, "metrics stay off");
            }
            tokio::spawn(crate::metrics::sample(
                state.store.clone(),
                state.content.clone(),
                state.shutdown.clone(),
            ));
        }
        // Meeting reminders come due on their own schedule: every replica
        // runs a worker; the job table's leases keep each reminder to one.
        let reminders = tokio::spawn(
            crate::delivery::worker::Worker::new(
                state.store.clone(),
                crate::meetings::remind::Reminders::new(
                    state.store.clone(),
                    state.config.email.is_some(),
                ),
            )
            .run(state.shutdown.clone()),
        );
        let mailer = state.config.email.clone().map(|email| {
            let mailer = crate::email::mailer::Mailer::new(
                state.store.clone(),
                state.content.clone(),
                crate::email::sendgrid::SendGrid::new(state.http.clone(), email),
                state.unsubscribe.clone(),
                state.config.public_url.as_str(),
            );
            tokio::spawn(
                crate::delivery::worker::Worker::new(state.store.clone(), mailer)
                    .run(state.shutdown.clone()),
            )
        });
        let calendar = spawn_calendar(&state);
        // Answers are assessed by the tutor's model; without one they wait
        // (pending) until a core with a model runs.
        let assessor = state.tutor.clone().map(|model| {
            tokio::spawn(
                crate::delivery::worker::Worker::new(
                    state.store.clone(),
                    crate::answers::assessor::Assessor::new(state.store.clone(), model),
                )
                .run(state.shutdown.clone()),
            )
        });
        let token = state.shutdown.clone();
        let signalled = async move {
            shutdown.await;
            // Load balancers checking the server as a whole stop routing here.
            health
                .set_service_status("", tonic_health::ServingStatus::NotServing)
                .await;
            token.cancel();
        };
        tracing::info!(%addr, tls = state.config.tls.is_some(), "core listening for gRPC");
        // Without TCP_NODELAY a small response can wait ~40 ms for a delayed ACK.
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let serving = router.serve_with_incoming_shutdown(incoming, signalled);
        let grace = state.config.shutdown_grace;
        let cut_off = async {
            state.shutdown.cancelled().await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = serving => result?,
            () = cut_off => tracing::warn!(?grace, "calls still running after the grace period were cut off"),
        }
        // Answers still streaming store what arrived before the database
        // closes (the final write of each is quick; give them a few seconds).
        state.cut_off.cancel();
        state.answers.close();
        if tokio::time::timeout(Duration::from_secs(5), state.answers.wait())
            .await
            .is_err()
        {
            tracing::warn!("some tutor answers were still being stored at shutdown");
        }
        maintenance.abort();
        // The worker stops at the shutdown token; a reminder it was sending
        // is finished or, if cut off, sent again by whichever replica next
        // claims it after the lease.
        let _ = tokio::time::timeout(Duration::from_secs(5), reminders).await;
        for worker in mailer.into_iter().chain(calendar).chain(assessor) {
            let _ = tokio::time::timeout(Duration::from_secs(5), worker).await;
        }
        state.store.close().await;
        tracing::info!("core stopped");
        Ok(())
    }
}

/// Starts the calendar's worker and its six-hourly answers pull, when the
/// calendar is configured.
fn spawn_calendar(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let Some(config) = state.config.calendar.clone() else {
        return Vec::new();
    };
    let google = match crate::calendar::google::GoogleCalendar::new(state.http.clone(), config) {
        Ok(google) => google,
        Err(error) => {
            tracing::error!(%error, "Google Calendar stays off");
            return Vec::new();
        }
    };
    let sync = crate::calendar::sync::CalendarSync::new(
        state.store.clone(),
        google,
        state.content.clone(),
        state.config.public_url.as_str(),
    );
    vec![
        tokio::spawn(
            crate::delivery::worker::Worker::new(state.store.clone(), sync)
                .run(state.shutdown.clone()),
        ),
        tokio::spawn(crate::calendar::pull_rsvps_every(
            state.store.clone(),
            crate::calendar::RSVP_PULL_INTERVAL,
            state.shutdown.clone(),
        )),
    ]
}

/// Periodic clean-up that is safe to run on every replica at once.
async fn maintenance(
    store: Store,
    guest_ttl: chrono::Duration,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = every_hour.tick() => {}
            () = shutdown.cancelled() => return,
        }
        match store.purge_expired_revocations(crate::clock::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "purged expired session revocations"),
            Err(error) => tracing::warn!(%error, "purging session revocations failed"),
        }
        let cutoff = crate::clock::now() - guest_ttl;
        match store.forget_idle_guests(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "forgot guests whose tokens expired"),
            Err(error) => tracing::warn!(%error, "forgetting idle guests failed"),
        }
    }
}
