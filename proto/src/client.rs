//! How an edge calls the core: one lazily connected channel, and the
//! credentials every call carries. Shared by the web edge and the bot, so
//! both speak to the core the same way.

use std::time::Duration;

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use crate::ACT_AS_DISCORD_USER_HEADER;

/// A channel to the core at `url`: it connects on first use and reconnects
/// by itself, so an edge can start before the core.
pub fn core_channel(url: &str) -> Result<Channel, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_secs(5))
        .http2_keep_alive_interval(Duration::from_secs(30))
        .tcp_nodelay(true)
        .connect_lazy())
}

/// What a call says about who makes it: a bearer token (an edge's service
/// token or a user's session), and for the discord edge, the Discord user
/// it acts for.
#[derive(Clone, Default)]
pub struct Credentials {
    authorization: Option<MetadataValue<Ascii>>,
    acting_for: Option<MetadataValue<Ascii>>,
}

/// A token that cannot be sent as a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadToken;

impl std::fmt::Display for BadToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the token contains characters a header cannot carry")
    }
}

impl std::error::Error for BadToken {}

impl Credentials {
    /// No credentials: an anonymous call.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// `authorization: Bearer <token>`.
    pub fn bearer(token: &str) -> Result<Self, BadToken> {
        Ok(Self {
            authorization: Some(format!("Bearer {token}").parse().map_err(|_| BadToken)?),
            acting_for: None,
        })
    }

    /// The same, naming the Discord user the discord edge acts for.
    pub fn acting_for_discord_user(mut self, discord_id: u64) -> Self {
        self.acting_for = discord_id.to_string().parse().ok();
        self
    }
}

impl Interceptor for Credentials {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.authorization {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        if let Some(user) = &self.acting_for {
            request
                .metadata_mut()
                .insert(ACT_AS_DISCORD_USER_HEADER, user.clone());
        }
        Ok(request)
    }
}
