//! The one generic grpc-web → gRPC forwarder for every lens.v1 service.
//!
//! tonic-web translates grpc-web (HTTP/1.1, trailers in the body) to gRPC
//! and back; this service in between only fixes the headers up and relays
//! the call over the core's HTTP/2 channel. Bodies are streamed in both
//! directions, so server-streaming RPCs arrive message by message.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{self, HeaderName};
use http::{Request, Response, Version};
use tonic::Status;
use tonic::body::Body;
use tonic::transport::Channel;
use tower::{Service, ServiceExt};

use crate::config::WebConfig;
use crate::cookies::{self, GUEST_COOKIE, SESSION_COOKIE, read};
use lens_proto::CREDENTIAL_HEADER;
use std::sync::Arc;

/// Headers that must not cross from the browser to the core: HTTP/1.1
/// connection headers are illegal in HTTP/2, cookies stay at the edge, and
/// `x-lens-*` headers are reserved for the edges' own calls.
fn is_dropped(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "cookie"
    ) || name.as_str().starts_with("x-lens-")
}

/// Relays gRPC calls to the core, authenticating them with the browser's
/// session cookie, or its guest cookie when it has no session.
#[derive(Clone)]
pub struct Forwarder {
    channel: Channel,
    config: Arc<WebConfig>,
}

impl Forwarder {
    /// A forwarder over the core's channel, setting cookies as `config` says.
    pub fn new(channel: Channel, config: Arc<WebConfig>) -> Self {
        Self { channel, config }
    }

    /// `Set-Cookie` removing credential cookie `name`.
    fn clear_cookie(&self, name: &str) -> String {
        if name == SESSION_COOKIE {
            cookies::clear_session(&self.config)
        } else {
            cookies::clear_guest(&self.config)
        }
    }
}

impl Service<Request<Body>> for Forwarder {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let (session, from) = match read(request.headers(), SESSION_COOKIE) {
            Some(token) => (Some(token.to_owned()), Some(SESSION_COOKIE)),
            None => match read(request.headers(), GUEST_COOKIE) {
                Some(token) => (Some(token.to_owned()), Some(GUEST_COOKIE)),
                None => (None, None),
            },
        };
        let headers = request.headers_mut();
        let dropped: Vec<HeaderName> = headers.keys().filter(|n| is_dropped(n)).cloned().collect();
        for name in dropped {
            headers.remove(name);
        }
        if let Some(token) = session
            && !headers.contains_key(header::AUTHORIZATION)
            && let Ok(value) = format!("Bearer {token}").parse()
        {
            headers.insert(header::AUTHORIZATION, value);
        }
        *request.version_mut() = Version::HTTP_2;
        let channel = self.channel.clone();
        let clear = from.map(|name| self.clear_cookie(name));
        Box::pin(async move {
            match channel.oneshot(request).await {
                // A body the core stops mid-way (the core went away) ends
                // with a gRPC status the browser can read, not a reset.
                Ok(mut response) => {
                    // A dead credential is dropped, so the browser is
                    // anonymous on its next call rather than refused on all.
                    if response.headers().get(CREDENTIAL_HEADER).is_some()
                        && let Some(Ok(value)) = clear.map(|c| c.parse())
                    {
                        response.headers_mut().append(header::SET_COOKIE, value);
                    }
                    Ok(response.map(|body| Body::new(EndsWithStatus::new(body))))
                }
                Err(error) => {
                    tracing::warn!(%error, "core unreachable");
                    Ok(
                        Status::unavailable("the Lens core is unreachable; try again shortly")
                            .into_http(),
                    )
                }
            }
        })
    }
}

/// A response body that turns a failure while streaming into the gRPC
/// status UNAVAILABLE in trailers, so the browser's call ends with words.
struct EndsWithStatus {
    inner: Body,
    ended: bool,
}

impl EndsWithStatus {
    fn new(inner: Body) -> Self {
        Self {
            inner,
            ended: false,
        }
    }
}

impl http_body::Body for EndsWithStatus {
    type Data = bytes::Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Err(error))) => {
                tracing::warn!(%error, "the core stopped a response mid-way");
                self.ended = true;
                let status =
                    Status::unavailable("the Lens core went away during this call; try again");
                let mut trailers = http::HeaderMap::new();
                if status.add_header(&mut trailers).is_err() {
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Ok(http_body::Frame::trailers(trailers))))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.inner.is_end_stream()
    }
}
