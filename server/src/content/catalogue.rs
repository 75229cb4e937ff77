//! The content being served: one immutable snapshot behind an atomic
//! swap, and the outcome of the last load attempt.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use super::diagnostics::{Diagnostic, Severity};
use super::source::{ContentSource, SourceError};
use super::{Snapshot, build};
use crate::clock;

/// A loaded version.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The snapshot.
    pub snapshot: Arc<Snapshot>,
    /// Its version; empty before the first load.
    pub version: String,
    /// When it was loaded.
    pub loaded_at: Option<DateTime<Utc>>,
}

/// The last load attempt.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// Version attempted.
    pub version: String,
    /// When.
    pub at: Option<DateTime<Utc>>,
    /// Problems found (with any error, the version was not served).
    pub diagnostics: Vec<Diagnostic>,
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// No source is configured.
    NoSource,
    /// The source's version is the one served.
    Unchanged,
    /// A new version is served.
    Swapped {
        /// The new version.
        version: String,
    },
    /// The new version has errors; the previous one is still served.
    Rejected {
        /// The refused version.
        version: String,
        /// How many errors.
        errors: usize,
    },
}

/// The served content and how it is refreshed.
#[derive(Debug)]
pub struct Catalogue {
    source: ContentSource,
    http: reqwest::Client,
    current: RwLock<Arc<Loaded>>,
    attempt: RwLock<Attempt>,
    /// One refresh at a time; later requests wait and then usually find
    /// the version unchanged.
    refreshing: tokio::sync::Mutex<()>,
}

impl Catalogue {
    /// An empty catalogue over `source`.
    pub fn new(source: ContentSource, http: reqwest::Client) -> Self {
        Self {
            source,
            http,
            current: RwLock::default(),
            attempt: RwLock::default(),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The source.
    pub fn source(&self) -> &ContentSource {
        &self.source
    }

    /// The version being served (cheap: clones an `Arc`).
    pub fn current(&self) -> Arc<Loaded> {
        self.current.read().expect("catalogue lock").clone()
    }

    /// The last attempt.
    pub fn attempt(&self) -> Attempt {
        self.attempt.read().expect("catalogue lock").clone()
    }

    /// Fetches the source and, if its version is new and error-free, swaps
    /// it in. Parsing runs on the blocking pool, off the request threads.
    pub async fn refresh(&self) -> Result<RefreshOutcome, SourceError> {
        let _guard = self.refreshing.lock().await;
        let Some((version, files)) = self.source.fetch(&self.http).await? else {
            return Ok(RefreshOutcome::NoSource);
        };
        if version == self.current().version {
            return Ok(RefreshOutcome::Unchanged);
        }
        let outcome = tokio::task::spawn_blocking(move || build(&files))
            .await
            .map_err(|e| SourceError::Archive(format!("parsing panicked: {e}")))?;
        let errors = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let now = clock::now();
        *self.attempt.write().expect("catalogue lock") = Attempt {
            version: version.clone(),
            at: Some(now),
            diagnostics: outcome.diagnostics,
        };
        match outcome.snapshot {
            Some(snapshot) => {
                *self.current.write().expect("catalogue lock") = Arc::new(Loaded {
                    snapshot: Arc::new(snapshot),
                    version: version.clone(),
                    loaded_at: Some(now),
                });
                Ok(RefreshOutcome::Swapped { version })
            }
            None => Ok(RefreshOutcome::Rejected { version, errors }),
        }
    }
}
