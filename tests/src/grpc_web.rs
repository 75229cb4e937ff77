//! A grpc-web client over HTTP/1.1, as a browser would speak it, built from
//! tonic's generated clients and tonic-web's client layer.

use http::Uri;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tonic::body::Body;
use tonic_web::{GrpcWebClientLayer, GrpcWebClientService};

/// The transport generated clients run on: grpc-web over HTTP/1.1.
pub type GrpcWebTransport =
    GrpcWebClientService<Client<HttpConnector, tonic_web::GrpcWebCall<Body>>>;

/// A grpc-web transport (HTTP/1.1 only: hyper-util is built without
/// HTTP/2 here) to the web edge at `url`, with the origin to use
/// with `with_origin`.
pub fn transport(url: &str) -> (GrpcWebTransport, Uri) {
    // Browsers send with TCP_NODELAY; without it the request body waits
    // ~40 ms for the ACK of the headers.
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client = Client::builder(TokioExecutor::new()).build(connector);
    let service = tower::ServiceBuilder::new()
        .layer(GrpcWebClientLayer::new())
        .service(client);
    (service, url.parse().expect("web edge URL"))
}

/// A request carrying the browser's session cookie.
pub fn with_cookie<T>(message: T, cookie: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("cookie", cookie.parse().expect("ascii cookie"));
    request
}
