//! SystemService: platform facts and the streaming check.

use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use lens_proto::v1::{self, system_service_server::SystemService};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{convert, respond};
use crate::app::AppState;
use crate::clock;
use crate::domain::Invalid;
use crate::error::AppResult;

/// Implements `lens.v1.SystemService`.
#[derive(Debug, Clone)]
pub struct SystemApi {
    state: AppState,
}

impl SystemApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

type HeartbeatStream =
    Pin<Box<dyn Stream<Item = Result<v1::StreamHeartbeatsResponse, Status>> + Send>>;

fn heartbeat_plan(request: &v1::StreamHeartbeatsRequest) -> AppResult<(u32, Duration)> {
    if !(1..=100).contains(&request.count) {
        return Err(Invalid::new("count", format!("is {}; send 1 to 100", request.count)).into());
    }
    if !(10..=5000).contains(&request.interval_ms) {
        return Err(Invalid::new(
            "interval_ms",
            format!("is {}; send 10 to 5000", request.interval_ms),
        )
        .into());
    }
    Ok((
        request.count,
        Duration::from_millis(request.interval_ms.into()),
    ))
}

#[tonic::async_trait]
impl SystemService for SystemApi {
    async fn get_system_info(
        &self,
        request: Request<v1::GetSystemInfoRequest>,
    ) -> Result<Response<v1::GetSystemInfoResponse>, Status> {
        // Details name folders, hosts and models: for admins. Everyone else
        // learns what is on.
        let admin = crate::auth::caller(&request).is_ok_and(|c| c.is_admin());
        let integrations = self
            .state
            .config
            .integrations()
            .into_iter()
            .map(|i| v1::Integration {
                name: i.name.to_owned(),
                enabled: i.enabled,
                detail: if admin { i.detail } else { String::new() },
            })
            .collect();
        Ok(Response::new(v1::GetSystemInfoResponse {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            integrations,
            dev_mode: self.state.config.dev_mode,
        }))
    }

    type StreamHeartbeatsStream = HeartbeatStream;

    async fn stream_heartbeats(
        &self,
        request: Request<v1::StreamHeartbeatsRequest>,
    ) -> Result<Response<Self::StreamHeartbeatsStream>, Status> {
        let (count, interval) = match heartbeat_plan(request.get_ref()) {
            Ok(plan) => plan,
            Err(error) => return respond(Err(error)),
        };
        let (tx, rx) = mpsc::channel(4);
        // A bounded stream: at shutdown it is an in-flight call like any
        // other and runs to its end (the grace period cuts off the rest).
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            for sequence in 1..=count {
                ticks.tick().await;
                let beat = v1::StreamHeartbeatsResponse {
                    sequence,
                    sent_at: Some(convert::timestamp(clock::now())),
                };
                // A failed send means the client went away: stop.
                if tx.send(Ok(beat)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
