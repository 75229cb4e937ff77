//! Keeping the catalogue current: a watched folder reloads on every edit;
//! every replica polls the database for refresh requests (webhook, admin)
//! so that all of them follow a push.

use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Catalogue, ContentSource, RefreshOutcome};
use crate::store::Store;

/// Reloads and logs what happened.
pub async fn refresh_and_log(catalogue: &Catalogue, why: &str) -> Option<RefreshOutcome> {
    match catalogue.refresh().await {
        Ok(outcome) => {
            match &outcome {
                RefreshOutcome::NoSource => {}
                RefreshOutcome::Unchanged => tracing::debug!(why, "content unchanged"),
                RefreshOutcome::Swapped { version, errors: 0 } => {
                    tracing::info!(why, %version, "content loaded")
                }
                RefreshOutcome::Swapped { version, errors } => tracing::warn!(
                    why,
                    %version,
                    errors,
                    "content loaded; items with errors are left out or held at their last good version (see ContentService.GetContentStatus)"
                ),
            }
            Some(outcome)
        }
        Err(error) => {
            tracing::warn!(why, %error, "content could not be fetched; the previous version stays");
            None
        }
    }
}

/// Runs the background refreshers until `shutdown`.
pub fn spawn(catalogue: Arc<Catalogue>, store: Store, poll: Duration, shutdown: CancellationToken) {
    if let ContentSource::Dir(path) = catalogue.source().clone() {
        tokio::spawn(watch_folder(catalogue.clone(), path, shutdown.clone()));
    }
    if !matches!(catalogue.source(), ContentSource::None) {
        tokio::spawn(poll_requests(catalogue, store, poll, shutdown));
    }
}

async fn poll_requests(
    catalogue: Arc<Catalogue>,
    store: Store,
    poll: Duration,
    shutdown: CancellationToken,
) {
    let mut seen = store.latest_content_refresh().await.unwrap_or(0);
    let mut ticks = tokio::time::interval(poll);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = shutdown.cancelled() => return,
        }
        match store.latest_content_refresh().await {
            Ok(latest) if latest > seen => {
                seen = latest;
                refresh_and_log(&catalogue, "refresh requested").await;
            }
            // A folder is also re-read on every tick: file watching misses
            // events on some setups (network and container mounts, editors
            // saving through renames), and an unchanged folder costs one read.
            Ok(_) if matches!(catalogue.source(), ContentSource::Dir(_)) => {
                refresh_and_log(&catalogue, "content folder check").await;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "checking for content refresh requests failed"),
        }
    }
}

async fn watch_folder(
    catalogue: Arc<Catalogue>,
    path: std::path::PathBuf,
    shutdown: CancellationToken,
) {
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.try_send(());
        }
    });
    let mut watcher = match watcher {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!(%error, "cannot watch the content folder; edits need a restart or RefreshContent");
            return;
        }
    };
    if let Err(error) = watcher.watch(&path, RecursiveMode::Recursive) {
        tracing::warn!(%error, path = %path.display(), "cannot watch the content folder");
        return;
    }
    tracing::info!(path = %path.display(), "watching the content folder for edits");
    // Edits made between the start-up load and the watch taking effect
    // raised no event: look once more now that the watch is in place.
    refresh_and_log(&catalogue, "content folder watch started").await;
    loop {
        tokio::select! {
            event = rx.recv() => if event.is_none() { return },
            () = shutdown.cancelled() => return,
        }
        // Editors write a file in several steps: let them settle, and fold
        // the burst into one reload.
        tokio::time::sleep(Duration::from_millis(100)).await;
        while rx.try_recv().is_ok() {}
        refresh_and_log(&catalogue, "content folder changed").await;
    }
}
