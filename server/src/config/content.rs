//! Where the content comes from.

use std::path::PathBuf;
use std::time::Duration;

use super::{ConfigError, Env, Secret, SettingError};
use crate::content::{ContentSource, GitHubSource};

/// The repository the course content lives in by default: with nothing
/// configured the core serves its `main` branch, as the original platform
/// served its content repository.
pub const DEFAULT_CONTENT_REPO: &str = "Lens-Academy/lens-edu-relay";

/// The `CONTENT_REPO` value that switches content off.
pub const NO_CONTENT: &str = "none";

/// Content settings.
#[derive(Debug, Clone)]
pub struct ContentConfig {
    /// The source: `CONTENT_DIR`, else none when `CONTENT_REPO=none`, else
    /// GitHub (`CONTENT_REPO`, default [`DEFAULT_CONTENT_REPO`]).
    pub source: ContentSource,
    /// How often each replica checks for refresh requests from other
    /// replicas (`CONTENT_POLL_SECS`, default 10).
    pub poll_interval: Duration,
}

impl ContentConfig {
    /// Reads the content settings.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let source = if let Some(dir) = env.get("CONTENT_DIR") {
            let path = PathBuf::from(dir);
            if !path.is_dir() {
                return Err(SettingError::Invalid {
                    name: "CONTENT_DIR",
                    value: dir.to_owned(),
                    reason: "is not a folder; point it at a checkout of the content repository"
                        .into(),
                }
                .into());
            }
            ContentSource::Dir(path)
        } else if env.get("CONTENT_REPO") == Some(NO_CONTENT) {
            ContentSource::None
        } else {
            let repo = env
                .get("CONTENT_REPO")
                .unwrap_or(DEFAULT_CONTENT_REPO)
                .to_owned();
            if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) {
                return Err(SettingError::Invalid {
                    name: "CONTENT_REPO",
                    value: repo,
                    reason: "expected owner/name".into(),
                }
                .into());
            }
            ContentSource::GitHub(GitHubSource {
                repo,
                branch: env
                    .get("EDUCATIONAL_CONTENT_BRANCH")
                    .unwrap_or("main")
                    .to_owned(),
                token: env.get("GITHUB_TOKEN").map(Secret::new),
                api_base_url: env.url("GITHUB_API_BASE_URL", "https://api.github.com")?,
            })
        };
        let poll = env.number("CONTENT_POLL_SECS", 10, 1..=24 * 3600)?;
        Ok(Self {
            source,
            poll_interval: Duration::from_secs(poll),
        })
    }
}
