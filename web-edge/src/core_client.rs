//! The web edge's connection to the core.

use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_proto::v1::system_service_client::SystemServiceClient;
use lens_runtime::Secret;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

/// Adds `authorization: Bearer …` to every call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

fn bearer(token: &str) -> Bearer {
    Bearer(format!("Bearer {token}").parse().ok())
}

/// A lazily connected channel to the core, plus the edge's own credential.
#[derive(Clone)]
pub struct CoreClient {
    channel: Channel,
    edge_token: Secret,
}

impl CoreClient {
    /// A client for the core at `url`. Connects on first use and reconnects
    /// by itself, so the edge can start before the core.
    pub fn new(url: &str, edge_token: Secret) -> Result<Self, tonic::transport::Error> {
        let channel = Endpoint::from_shared(url.to_owned())?
            .connect_timeout(std::time::Duration::from_secs(5))
            .http2_keep_alive_interval(std::time::Duration::from_secs(30))
            .connect_lazy();
        Ok(Self {
            channel,
            edge_token,
        })
    }

    /// The raw channel, for forwarding.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// AuthService as the web edge itself.
    pub fn auth_as_edge(&self) -> AuthServiceClient<InterceptedService<Channel, Bearer>> {
        AuthServiceClient::with_interceptor(self.channel(), bearer(self.edge_token.expose()))
    }

    /// AuthService as the user holding `session` (or anonymously).
    pub fn auth_as(
        &self,
        session: Option<&str>,
    ) -> AuthServiceClient<InterceptedService<Channel, Bearer>> {
        AuthServiceClient::with_interceptor(
            self.channel(),
            session.map(bearer).unwrap_or(Bearer(None)),
        )
    }

    /// ContentService as the web edge itself.
    pub fn content_as_edge(&self) -> ContentServiceClient<InterceptedService<Channel, Bearer>> {
        ContentServiceClient::with_interceptor(self.channel(), bearer(self.edge_token.expose()))
    }

    /// SystemService, anonymously.
    pub fn system(&self) -> SystemServiceClient<Channel> {
        SystemServiceClient::new(self.channel())
    }
}
