//! Local stand-ins for third-party services, speaking their wire formats.

pub mod calendar;
pub mod discord;
pub mod github;
pub mod llm;
pub mod posthog;
pub mod sendgrid;
pub mod sentry;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

/// A loopback port for a fake, and its address (some fakes put it in their
/// answers before they serve).
pub(crate) async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    (listener, addr)
}

/// Serves `app` on `listener` in the background. Sockets get TCP_NODELAY,
/// as real services set it: without it a streamed server's second small
/// write waits ~40 ms for the client's delayed ACK.
pub(crate) fn serve(listener: TcpListener, app: Router) {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
}
