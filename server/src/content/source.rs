//! Where content comes from: a local folder, or a branch of a GitHub
//! repository fetched as one archive.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::files::ContentFiles;
use crate::config::{HttpUrl, Secret};

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
    pub api_base_url: HttpUrl,
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
    /// Parsing failed in a way it never should (a bug; the fuzz test hunts
    /// for these).
    #[error("the content parser failed: {0}")]
    Parser(String),
    /// The load was cut short, as the core shut down.
    #[error("the load was interrupted by shutdown")]
    Interrupted,
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
        let mut archive = archive;
        let mut bytes = Vec::new();
        while let Some(chunk) = archive
            .chunk()
            .await
            .map_err(|e| SourceError::GitHub(e.to_string()))?
        {
            if bytes.len() + chunk.len() > MAX_ARCHIVE_BYTES {
                return Err(SourceError::Archive(format!(
                    "the archive of {sha} is larger than {} MiB",
                    MAX_ARCHIVE_BYTES >> 20
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        tokio::task::spawn_blocking(move || unpack(&bytes))
            .await
            .map_err(|e| SourceError::Archive(e.to_string()))?
    }
}

/// The largest archive downloaded: today's repository is about 5 MiB.
pub const MAX_ARCHIVE_BYTES: usize = 128 << 20;
/// The most an archive may unpack to, read files and skipped ones alike: a
/// gzip bomb pushed to the repository stops here, not at the memory's end.
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;
/// The largest content file.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// A reader that fails once more than `left` bytes came through.
struct Limited<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.left = self.left.checked_sub(read as u64).ok_or_else(|| {
            std::io::Error::other(format!(
                "the archive unpacks to more than {} MiB",
                MAX_UNPACKED_BYTES >> 20
            ))
        })?;
        Ok(read)
    }
}

/// Unpacks a GitHub tarball (whose entries sit under one top folder).
pub fn unpack(gzipped: &[u8]) -> Result<ContentFiles, SourceError> {
    let unpacked = Limited {
        inner: flate2::read::GzDecoder::new(gzipped),
        left: MAX_UNPACKED_BYTES,
    };
    let mut archive = tar::Archive::new(unpacked);
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
        if entry.header().size().unwrap_or(u64::MAX) > MAX_FILE_BYTES {
            return Err(SourceError::Archive(format!(
                "{relative} is larger than {} MiB; content files are text",
                MAX_FILE_BYTES >> 20
            )));
        }
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .map_err(|e| SourceError::Archive(format!("{relative}: {e}")))?;
        files.insert(&relative, text);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar.gz with one file of `size` zero bytes at `path` under a top folder.
    fn archive_with(path: &str, size: u64) -> Vec<u8> {
        let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut builder = tar::Builder::new(encoder);
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(
                &mut header,
                format!("top/{path}"),
                std::io::repeat(0).take(size),
            )
            .unwrap();
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn an_oversized_content_file_is_refused_not_read() {
        let bomb = archive_with("articles/huge.md", MAX_FILE_BYTES + 1);
        assert!(bomb.len() < 1 << 20, "it compresses to almost nothing");
        let error = unpack(&bomb).unwrap_err().to_string();
        assert!(
            error.contains("articles/huge.md is larger than 32 MiB"),
            "{error}"
        );
    }

    #[test]
    fn small_archives_unpack() {
        let files = unpack(&archive_with("courses/a.md", 10)).unwrap();
        assert_eq!(files.get("courses/a.md").map(str::len), Some(10));
    }
}
