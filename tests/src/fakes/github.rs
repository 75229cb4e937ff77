//! A fake GitHub REST API for content: a branch resolves to a commit
//! (`Accept: application/vnd.github.sha`), and a commit downloads as a
//! tar.gz whose entries sit under one `owner-repo-sha/` folder, behind a
//! redirect, as GitHub serves them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

#[derive(Default)]
struct Inner {
    branches: HashMap<String, String>,
    archives: HashMap<String, Vec<u8>>,
    downloads: usize,
}

/// A running fake GitHub.
pub struct FakeGitHub {
    /// API base URL.
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeGitHub {
    /// Starts the fake on a loopback port.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/repos/{owner}/{name}/commits/{branch}", get(head))
            .route("/repos/{owner}/{name}/tarball/{sha}", get(tarball))
            .route("/codeload/{sha}", get(codeload))
            .with_state(inner.clone());
        super::serve(listener, app);
        Self {
            url: format!("http://{addr}"),
            inner,
        }
    }

    /// Commits the folder `root` to `branch`; returns the new commit id.
    pub fn publish(&self, branch: &str, root: &std::path::Path) -> String {
        let mut inner = self.inner.lock().unwrap();
        let sha = format!("{:040x}", uuid::Uuid::new_v4().as_u128());
        let archive = tarball_of(root, &format!("owner-repo-{}", &sha[..7]));
        inner.archives.insert(sha.clone(), archive);
        inner.branches.insert(branch.to_owned(), sha.clone());
        sha
    }

    /// How many archives were downloaded.
    pub fn downloads(&self) -> usize {
        self.inner.lock().unwrap().downloads
    }
}

fn tarball_of(root: &std::path::Path, top: &str) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    builder
        .append_dir_all(top, root)
        .expect("archive the folder");
    builder
        .into_inner()
        .expect("finish tar")
        .finish()
        .expect("finish gzip")
}

async fn head(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path((_owner, _name, branch)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if accept != "application/vnd.github.sha" {
        return (
            StatusCode::NOT_ACCEPTABLE,
            "this fake answers only the sha media type",
        )
            .into_response();
    }
    match inner.lock().unwrap().branches.get(&branch) {
        Some(sha) => sha.clone().into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "{\"message\":\"No commit found for SHA\"}",
        )
            .into_response(),
    }
}

async fn tarball(Path((_owner, _name, sha)): Path<(String, String, String)>) -> Redirect {
    Redirect::temporary(&format!("/codeload/{sha}"))
}

async fn codeload(State(inner): State<Arc<Mutex<Inner>>>, Path(sha): Path<String>) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.downloads += 1;
    match inner.archives.get(&sha) {
        Some(bytes) => ([("content-type", "application/x-gzip")], bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The `X-Hub-Signature-256` value GitHub sends with `body` for a webhook
/// with `secret`: HMAC-SHA256, hex, prefixed.
pub fn signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}
