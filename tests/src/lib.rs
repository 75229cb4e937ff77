//! Test support: start the real Lens processes on loopback with fresh
//! databases, and fake the third-party services they talk to with local
//! HTTP servers speaking those services' wire formats.

pub mod bot;
pub mod cohorts;
pub mod core;
pub mod db;
pub mod fakes;
pub mod fixtures;
pub mod grpc_web;
pub mod population;
pub mod processes;
pub mod tutor;
pub mod web;

/// The signing secret every test core uses.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

/// The January content repository (`lens-educational-content`), from
/// `LENS_CONTENT_FIXTURE` or beside the repository.
pub fn content_fixture() -> std::path::PathBuf {
    fixtures::fixture("LENS_CONTENT_FIXTURE", "lens-educational-content")
}

/// The content repository as it is today (`lens-edu-relay`), from
/// `LENS_RELAY_FIXTURE` or beside the repository.
pub fn relay_fixture() -> std::path::PathBuf {
    fixtures::fixture("LENS_RELAY_FIXTURE", "lens-edu-relay")
}

/// Copies a folder tree (to edit content in tests without touching the fixture).
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
            let mut permissions = std::fs::metadata(&target).expect("metadata").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            std::fs::set_permissions(&target, permissions).expect("writable copy");
        }
    }
}

/// Installs the TLS provider and quiet logging once per test binary.
pub fn init() {
    lens_runtime::install_crypto_provider();
    lens_runtime::init_logging(&lens_runtime::Env::from_pairs([(
        "RUST_LOG",
        std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,genai=off".into()),
    )]));
}
