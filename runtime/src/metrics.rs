//! Prometheus metrics: off unless `LENS_METRICS_ADDR` (the core) or
//! `LENS_WEB_METRICS_ADDR` (the web edge) is set, then served at
//! `http://ADDR/metrics` on a listener of its own (keep it
//! on loopback or a private network: it is not behind sign-in), with every
//! series labelled by `process`.
//!
//! Each process counts its requests through [`RequestMetricsLayer`]:
//! `lens_requests_total{name, code}` and `lens_request_duration_seconds{name}`
//! (until the response's headers: a whole unary call, the opening of a
//! stream).

use std::borrow::Cow;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use metrics_exporter_prometheus::PrometheusBuilder;

use crate::{Env, SettingError};

/// Where metrics are served: the address in `variable`
/// (`LENS_METRICS_ADDR` for the core, `LENS_WEB_METRICS_ADDR` for the web
/// edge, so one `.env` can hold both), or `None` (off).
pub fn metrics_addr(env: &Env, variable: &'static str) -> Result<Option<SocketAddr>, SettingError> {
    env.get(variable)
        .map(|raw| {
            raw.parse().map_err(|_| {
                SettingError::invalid(
                    variable,
                    raw,
                    "expected IP:PORT, for example 127.0.0.1:9464",
                )
            })
        })
        .transpose()
}

/// Serves this process's metrics at `http://{addr}/metrics`, labelled
/// with `process`. Needs a Tokio runtime; once per process.
pub fn serve_metrics(addr: SocketAddr, process: &'static str) -> Result<(), String> {
    PrometheusBuilder::new()
        .with_http_listener(addr)
        .add_global_label("process", process)
        .install()
        .map_err(|e| format!("cannot serve metrics on {addr}: {e}"))
}

/// Names a request for its metrics: a bounded set (an RPC's method, a
/// page's route), never anything a caller chooses freely.
pub type NameOf = fn(&http::Uri) -> Cow<'static, str>;

/// Counts and times each request (see the module's documentation).
#[derive(Clone, Copy)]
pub struct RequestMetricsLayer {
    name_of: NameOf,
}

impl RequestMetricsLayer {
    /// A layer naming requests with `name_of`.
    pub fn new(name_of: NameOf) -> Self {
        Self { name_of }
    }
}

impl<S> tower::Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetrics {
            inner,
            name_of: self.name_of,
        }
    }
}

/// The service [`RequestMetricsLayer`] wraps.
#[derive(Clone)]
pub struct RequestMetrics<S> {
    inner: S,
    name_of: NameOf,
}

impl<S, B, R> tower::Service<http::Request<B>> for RequestMetrics<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let name = (self.name_of)(request.uri());
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let result = answer.await;
            let code: Cow<'static, str> = match &result {
                Ok(response) => code_of(response),
                Err(_) => "error".into(),
            };
            metrics::histogram!("lens_request_duration_seconds", "name" => name.clone())
                .record(started.elapsed().as_secs_f64());
            metrics::counter!("lens_requests_total", "name" => name, "code" => code).increment(1);
            result
        })
    }
}

/// A gRPC status from the headers (an error answered at once), `OK` for a
/// gRPC answer without one, else the HTTP status.
fn code_of<R>(response: &http::Response<R>) -> Cow<'static, str> {
    let grpc = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    match response.headers().get("grpc-status") {
        Some(status) => Cow::Owned(grpc_code_name(status.to_str().unwrap_or("2")).to_owned()),
        None if grpc && response.status().is_success() => "OK".into(),
        None => Cow::Owned(response.status().as_u16().to_string()),
    }
}

/// The name of a numeric gRPC status.
fn grpc_code_name(code: &str) -> &'static str {
    match code {
        "0" => "OK",
        "1" => "CANCELLED",
        "3" => "INVALID_ARGUMENT",
        "4" => "DEADLINE_EXCEEDED",
        "5" => "NOT_FOUND",
        "6" => "ALREADY_EXISTS",
        "7" => "PERMISSION_DENIED",
        "8" => "RESOURCE_EXHAUSTED",
        "9" => "FAILED_PRECONDITION",
        "10" => "ABORTED",
        "11" => "OUT_OF_RANGE",
        "12" => "UNIMPLEMENTED",
        "13" => "INTERNAL",
        "14" => "UNAVAILABLE",
        "15" => "DATA_LOSS",
        "16" => "UNAUTHENTICATED",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_grpc_status_then_http_status() {
        let grpc = |status: Option<&str>| {
            let mut builder = http::Response::builder().header("content-type", "application/grpc");
            if let Some(s) = status {
                builder = builder.header("grpc-status", s);
            }
            builder.body(()).unwrap()
        };
        assert_eq!(code_of(&grpc(None)), "OK");
        assert_eq!(code_of(&grpc(Some("7"))), "PERMISSION_DENIED");
        let page = http::Response::builder().status(404).body(()).unwrap();
        assert_eq!(code_of(&page), "404");
    }

    #[test]
    fn an_unusable_address_is_refused() {
        let err = metrics_addr(
            &Env::from_pairs([("LENS_METRICS_ADDR", "everywhere")]),
            "LENS_METRICS_ADDR",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("LENS_METRICS_ADDR"), "{err}");
    }
}
