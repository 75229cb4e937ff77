//! The discord edge's connection to the core: every call carries the edge's
//! service token, and calls made for a Discord user name that user.

use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_runtime::Secret;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

/// Adds the edge's credential, and the Discord user acted for.
#[derive(Clone)]
pub struct EdgeAuth {
    authorization: MetadataValue<Ascii>,
    acting_for: Option<MetadataValue<Ascii>>,
}

impl Interceptor for EdgeAuth {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request
            .metadata_mut()
            .insert("authorization", self.authorization.clone());
        if let Some(user) = &self.acting_for {
            request
                .metadata_mut()
                .insert(lens_proto::ACT_AS_DISCORD_USER_HEADER, user.clone());
        }
        Ok(request)
    }
}

/// A lazily connected client of the core.
#[derive(Clone)]
pub struct CoreClient {
    channel: Channel,
    authorization: MetadataValue<Ascii>,
}

impl CoreClient {
    /// A client for the core at `url` using `edge_token`.
    pub fn new(url: &str, edge_token: &Secret) -> Result<Self, String> {
        let channel = Endpoint::from_shared(url.to_owned())
            .map_err(|e| format!("LENS_CORE_URL {url:?}: {e}"))?
            .connect_timeout(std::time::Duration::from_secs(5))
            .connect_lazy();
        let authorization = format!("Bearer {}", edge_token.expose())
            .parse()
            .map_err(|_| "LENS_EDGE_TOKEN contains characters a header cannot carry".to_owned())?;
        Ok(Self {
            channel,
            authorization,
        })
    }

    fn auth(&self, discord_user: Option<u64>) -> EdgeAuth {
        EdgeAuth {
            authorization: self.authorization.clone(),
            acting_for: discord_user.and_then(|id| id.to_string().parse().ok()),
        }
    }

    /// AuthService, acting for a Discord user.
    pub fn auth_for(
        &self,
        discord_user: u64,
    ) -> AuthServiceClient<InterceptedService<Channel, EdgeAuth>> {
        AuthServiceClient::with_interceptor(self.channel.clone(), self.auth(Some(discord_user)))
    }
}
