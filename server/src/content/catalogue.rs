//! The content being served: one immutable snapshot behind an atomic
//! swap, and the outcome of the last load attempt.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use super::Snapshot;
use super::build::{ItemIssue, build_after};
use super::diagnostics::{Diagnostic, Severity, Tier};
use super::search::SearchIndex;
use super::source::{ContentSource, SourceError};
use crate::clock;

/// A loaded version.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The snapshot.
    pub snapshot: Arc<Snapshot>,
    /// The search index of this snapshot (the tutor's `search_course`).
    pub search: Arc<SearchIndex>,
    /// Its version; empty before the first load.
    pub version: String,
    /// When it was loaded.
    pub loaded_at: Option<DateTime<Utc>>,
    /// Items with errors in this version: left out, or held at an older one.
    pub issues: Vec<ItemIssue>,
    /// For each held item's file, the version it is held at.
    pub held_versions: HashMap<String, String>,
}

/// The last load attempt.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// Version attempted.
    pub version: String,
    /// When.
    pub at: Option<DateTime<Utc>>,
    /// Problems found (an item with an error is left out or held).
    pub diagnostics: Vec<Diagnostic>,
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// No source is configured.
    NoSource,
    /// The source's version is the one served.
    Unchanged,
    /// A new version is served; items with errors in it are left out or
    /// held at their last good version.
    Swapped {
        /// The new version.
        version: String,
        /// How many errors its published content has.
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
    /// Ticks after every finished load attempt, for status watchers.
    changes: tokio::sync::watch::Sender<u64>,
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
            changes: tokio::sync::watch::Sender::new(0),
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

    /// A receiver that sees a change after every finished load attempt.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// The last attempt.
    pub fn attempt(&self) -> Attempt {
        self.attempt.read().expect("catalogue lock").clone()
    }

    /// Fetches the source and, if its version is new, builds it on top of
    /// the one served (items broken in the new version keep their last
    /// good version) and swaps it in. Parsing runs on the blocking pool,
    /// off the request threads.
    pub async fn refresh(&self) -> Result<RefreshOutcome, SourceError> {
        let _guard = self.refreshing.lock().await;
        let Some((version, files)) = self.source.fetch(&self.http).await? else {
            return Ok(RefreshOutcome::NoSource);
        };
        let current = self.current();
        if version == current.version {
            return Ok(RefreshOutcome::Unchanged);
        }
        let previous = current.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            build_after(
                &files,
                (!previous.version.is_empty()).then_some(&*previous.snapshot),
            )
        })
        .await
        .map_err(|e| {
            if e.is_cancelled() {
                SourceError::Interrupted
            } else {
                SourceError::Parser(e.to_string())
            }
        })?;
        let errors = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && d.tier == Tier::Published)
            .count();
        let held_versions = outcome
            .items
            .iter()
            .filter(|issue| issue.held)
            .map(|issue| {
                let since = current
                    .held_versions
                    .get(&issue.path)
                    .unwrap_or(&current.version);
                (issue.path.clone(), since.clone())
            })
            .collect();
        // Built before anything is written, so a version is never served
        // without its index, and the attempt and the served version change
        // together as before.
        let search = Arc::new(SearchIndex::build(&outcome.snapshot));
        let now = clock::now();
        *self.attempt.write().expect("catalogue lock") = Attempt {
            version: version.clone(),
            at: Some(now),
            diagnostics: outcome.diagnostics,
        };
        *self.current.write().expect("catalogue lock") = Arc::new(Loaded {
            snapshot: Arc::new(outcome.snapshot),
            search,
            version: version.clone(),
            loaded_at: Some(now),
            issues: outcome.items,
            held_versions,
        });
        self.changes.send_modify(|n| *n += 1);
        Ok(RefreshOutcome::Swapped { version, errors })
    }
}
