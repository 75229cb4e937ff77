//! The discord edge's connection to the core: every call carries the edge's
//! service token, and calls made for a Discord user name that user.

use lens_proto::client::{Credentials, core_channel};
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::cohort_service_client::CohortServiceClient;
use lens_proto::v1::discord_work_service_client::DiscordWorkServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_runtime::{HttpUrl, Secret, SettingError};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// A lazily connected client of the core.
#[derive(Clone)]
pub struct CoreClient {
    channel: Channel,
    edge: Credentials,
}

impl CoreClient {
    /// A client for the core at `url` using `edge_token`.
    pub fn new(url: &HttpUrl, edge_token: &Secret) -> Result<Self, SettingError> {
        let channel = core_channel(url.as_str())
            .map_err(|e| SettingError::invalid("LENS_CORE_URL", url.as_str(), e.to_string()))?;
        let edge = Credentials::bearer(edge_token.expose()).map_err(|_| SettingError::Missing {
            name: "LENS_EDGE_TOKEN",
            hint: "the token holds characters a header cannot carry; mint it again with `lens-server token --edge discord`",
        })?;
        Ok(Self { channel, edge })
    }

    /// AuthService, acting for a Discord user.
    pub fn auth_for(
        &self,
        discord_user: u64,
    ) -> AuthServiceClient<InterceptedService<Channel, Credentials>> {
        let credentials = self.edge.clone().acting_for_discord_user(discord_user);
        AuthServiceClient::with_interceptor(self.channel.clone(), credentials)
    }

    /// CohortService, acting for a Discord user.
    pub fn cohorts_for(
        &self,
        discord_user: u64,
    ) -> CohortServiceClient<InterceptedService<Channel, Credentials>> {
        let credentials = self.edge.clone().acting_for_discord_user(discord_user);
        CohortServiceClient::with_interceptor(self.channel.clone(), credentials)
            .max_decoding_message_size(16 * 1024 * 1024)
    }

    /// UserService, acting for a Discord user.
    pub fn users_for(
        &self,
        discord_user: u64,
    ) -> UserServiceClient<InterceptedService<Channel, Credentials>> {
        let credentials = self.edge.clone().acting_for_discord_user(discord_user);
        UserServiceClient::with_interceptor(self.channel.clone(), credentials)
    }

    /// DiscordWorkService, as the discord edge itself.
    pub fn work(&self) -> DiscordWorkServiceClient<InterceptedService<Channel, Credentials>> {
        DiscordWorkServiceClient::with_interceptor(self.channel.clone(), self.edge.clone())
    }
}
