//! The web edge's connection to the core.

use lens_proto::client::{Credentials, core_channel};
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_proto::v1::system_service_client::SystemServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_runtime::Secret;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// A user's session token as credentials; anonymous when it cannot be a
/// header (the core then answers as for anyone signed out).
fn session(token: Option<&str>) -> Credentials {
    token
        .and_then(|t| Credentials::bearer(t).ok())
        .unwrap_or_else(Credentials::anonymous)
}

/// A lazily connected channel to the core, plus the edge's own credential.
#[derive(Clone)]
pub struct CoreClient {
    channel: Channel,
    edge: Credentials,
}

impl CoreClient {
    /// A client for the core at `url`. Connects on first use and reconnects
    /// by itself, so the edge can start before the core.
    pub fn new(url: &str, edge_token: Secret) -> Result<Self, tonic::transport::Error> {
        Ok(Self {
            channel: core_channel(url)?,
            // A token a header cannot carry is refused by the core as missing.
            edge: session(Some(edge_token.expose())),
        })
    }

    /// The raw channel, for forwarding.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// AuthService as the web edge itself.
    pub fn auth_as_edge(&self) -> AuthServiceClient<InterceptedService<Channel, Credentials>> {
        AuthServiceClient::with_interceptor(self.channel(), self.edge.clone())
    }

    /// AuthService as the user holding `session` (or anonymously).
    pub fn auth_as(
        &self,
        session: Option<&str>,
    ) -> AuthServiceClient<InterceptedService<Channel, Credentials>> {
        AuthServiceClient::with_interceptor(self.channel(), self::session(session))
    }

    /// ContentService as the web edge itself.
    pub fn content_as_edge(
        &self,
    ) -> ContentServiceClient<InterceptedService<Channel, Credentials>> {
        ContentServiceClient::with_interceptor(self.channel(), self.edge.clone())
    }

    /// UserService, anonymously.
    pub fn users(&self) -> UserServiceClient<Channel> {
        UserServiceClient::new(self.channel())
    }

    /// SystemService, anonymously.
    pub fn system(&self) -> SystemServiceClient<Channel> {
        SystemServiceClient::new(self.channel())
    }
}
