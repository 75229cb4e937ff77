//! Test support: start the real Lens processes on loopback with fresh
//! databases, and fake the third-party services they talk to with local
//! HTTP servers speaking those services' wire formats.

pub mod core;
pub mod db;
pub mod fakes;
pub mod grpc_web;
pub mod web;

/// The signing secret every test core uses.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

/// Installs the TLS provider and quiet logging once per test binary.
pub fn init() {
    lens_runtime::install_crypto_provider();
    lens_runtime::init_logging(&lens_runtime::Env::from_pairs([(
        "RUST_LOG",
        std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
    )]));
}
