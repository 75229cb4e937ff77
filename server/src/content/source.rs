//! Where content comes from: a local folder, or a branch of a GitHub
//! repository fetched as one archive.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::files::ContentFiles;
use crate::config::Secret;

/// A configured content source.
#[derive(Debug, Clone)]
pub enum ContentSource {
    /// No source: the catalogue stays empty.
    None,
    /// A folder on disk (`CONTENT_DIR`), watched for edits.
    Dir(PathBuf),
    /// A branch of a GitHub repository.
    GitHub(GitHubSource),
}

/// A GitHub repository branch.
#[derive(Debug, Clone)]
pub struct GitHubSource {
    /// `owner/name`.
    pub repo: String,
    /// Branch name.
    pub branch: String,
    /// Token for private repositories and higher rate limits.
    pub token: Option<Secret>,
    /// API base URL (`https://api.github.com`).
    pub api_base_url: String,
}

/// Why content could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Reading the folder failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The folder.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// GitHub could not be reached or refused.
    #[error("GitHub: {0}")]
    GitHub(String),
    /// The archive was not a readable tar.gz.
    #[error("the archive from GitHub is unreadable: {0}")]
    Archive(String),
}

impl ContentSource {
    /// A short description for status and logs.
    pub fn describe(&self) -> String {
        match self {
            Self::None => "none".into(),
            Self::Dir(path) => format!("dir:{}", path.display()),
            Self::GitHub(gh) => format!("github:{}@{}", gh.repo, gh.branch),
        }
    }

    /// A web link to a file of `version` with `{path}` and `{line}` to fill
    /// in, when content comes from GitHub.
    pub fn file_url_template(&self, version: &str) -> Option<String> {
        let Self::GitHub(gh) = self else { return None };
        let at = if version.is_empty() {
            &gh.branch
        } else {
            version
        };
        Some(format!(
            "https://github.com/{}/blob/{at}/{{path}}#L{{line}}",
            gh.repo
        ))
    }

    /// Fetches the current files and their version.
    pub async fn fetch(
        &self,
        http: &reqwest::Client,
    ) -> Result<Option<(String, ContentFiles)>, SourceError> {
        match self {
            Self::None => Ok(None),
            Self::Dir(path) => {
                let path = path.clone();
                let files = tokio::task::spawn_blocking(move || {
                    ContentFiles::read_dir(&path).map_err(|source| SourceError::Io {
                        path: path.display().to_string(),
                        source,
                    })
                })
                .await
                .map_err(|e| SourceError::Archive(e.to_string()))??;
                Ok(Some((folder_version(&files), files)))
            }
            Self::GitHub(source) => source.fetch(http).await.map(Some),
        }
    }
}

/// A folder's version: a hash of every path and text, so an unchanged
/// folder keeps its version and any edit changes it.
pub fn folder_version(files: &ContentFiles) -> String {
    let mut hash = Sha256::new();
    for (path, text) in files.iter() {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    format!(
        "sha256:{}",
        digest
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

impl GitHubSource {
    fn request(&self, http: &reqwest::Client, url: String) -> reqwest::RequestBuilder {
        let mut request = http
            .get(url)
            .header("X-GitHub-Api-Version", "2022-11-28")
            .timeout(Duration::from_secs(60));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        request
    }

    /// Resolves the branch to a commit, then downloads that commit as one
    /// tar.gz archive.
    async fn fetch(&self, http: &reqwest::Client) -> Result<(String, ContentFiles), SourceError> {
        let head = self
            .request(
                http,
                format!(
                    "{}/repos/{}/commits/{}",
                    self.api_base_url, self.repo, self.branch
                ),
            )
            .header("Accept", "application/vnd.github.sha")
            .send()
            .await
            .map_err(|e| SourceError::GitHub(format!("unreachable: {}", e.without_url())))?;
        let status = head.status();
        if !status.is_success() {
            return Err(SourceError::GitHub(format!(
                "resolving branch {} of {} answered {status}{}",
                self.branch,
                self.repo,
                if status.as_u16() == 404 {
                    " (check CONTENT_REPO, EDUCATIONAL_CONTENT_BRANCH and GITHUB_TOKEN)"
                } else {
                    ""
                }
            )));
        }
        let sha = head
            .text()
            .await
            .map_err(|e| SourceError::GitHub(e.to_string()))?
            .trim()
            .to_owned();
        if sha.is_empty() || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SourceError::GitHub(format!(
                "branch {} resolved to {sha:?}, not a commit id",
                self.branch
            )));
        }
        let files = self.fetch_commit(http, &sha).await?;
        Ok((sha, files))
    }

    /// Downloads one commit of the repository as a tar.gz archive and
    /// unpacks its content files (the test command fetches pinned fixtures
    /// this way too).
    pub async fn fetch_commit(
        &self,
        http: &reqwest::Client,
        sha: &str,
    ) -> Result<ContentFiles, SourceError> {
        let archive = self
            .request(
                http,
                format!("{}/repos/{}/tarball/{sha}", self.api_base_url, self.repo),
            )
            .send()
            .await
            .map_err(|e| SourceError::GitHub(format!("unreachable: {}", e.without_url())))?;
        if !archive.status().is_success() {
            return Err(SourceError::GitHub(format!(
                "downloading {sha} answered {}",
                archive.status()
            )));
        }
        let bytes = archive
            .bytes()
            .await
            .map_err(|e| SourceError::GitHub(e.to_string()))?;
        tokio::task::spawn_blocking(move || unpack(&bytes))
            .await
            .map_err(|e| SourceError::Archive(e.to_string()))?
    }
}

/// Unpacks a GitHub tarball (whose entries sit under one top folder).
pub fn unpack(gzipped: &[u8]) -> Result<ContentFiles, SourceError> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(gzipped));
    let mut files = ContentFiles::new();
    let entries = archive
        .entries()
        .map_err(|e| SourceError::Archive(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| SourceError::Archive(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| SourceError::Archive(e.to_string()))?;
        let relative: Vec<String> = path
            .components()
            .skip(1)
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let relative = relative.join("/");
        if !super::files::is_content_path(&relative) {
            continue;
        }
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .map_err(|e| SourceError::Archive(format!("{relative}: {e}")))?;
        files.insert(&relative, text);
    }
    Ok(files)
}
