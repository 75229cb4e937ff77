//! `lens-server content check DIR`: validates a content folder the way the
//! server would load it, and prints every problem like a compiler.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Subcommand;
use lens_server::content::{ContentFiles, Severity, Tier, build};

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// Parse and validate a content folder; exit non-zero on errors.
    Check {
        /// The content repository's root folder.
        dir: PathBuf,
    },
}

pub fn run(command: ContentCommand) -> anyhow::Result<()> {
    match command {
        ContentCommand::Check { dir } => check(dir),
    }
}

fn check(dir: PathBuf) -> anyhow::Result<()> {
    let started = Instant::now();
    let files =
        ContentFiles::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
    if files.is_empty() {
        bail!(
            "{} holds no content (expected courses/, modules/, Lenses/, …)",
            dir.display()
        );
    }
    let outcome = build(&files);
    for diagnostic in &outcome.diagnostics {
        println!("{diagnostic}");
    }
    let published = |d: &&lens_server::content::Diagnostic| d.tier == Tier::Published;
    let errors = outcome
        .diagnostics
        .iter()
        .filter(published)
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = outcome.diagnostics.iter().filter(published).count() - errors;
    let drafts = outcome.diagnostics.len() - errors - warnings;
    let snapshot = &outcome.snapshot;
    let lens_pages = snapshot
        .modules
        .keys()
        .filter(|s| s.starts_with("lens/"))
        .count();
    eprintln!(
        "{} files: {} courses, {} modules ({} with submodules), {} learning outcomes, {} lenses, {} articles, {} videos served",
        files.len(),
        snapshot.courses.len(),
        snapshot.modules.len() - lens_pages,
        snapshot
            .modules
            .values()
            .filter(|m| !m.submodules.is_empty())
            .count(),
        snapshot.outcomes.len(),
        snapshot.lenses.len(),
        snapshot.articles.len(),
        snapshot.videos.len(),
    );
    for issue in &outcome.items {
        eprintln!("unavailable: {} {}", issue.kind.name(), issue.path);
    }
    eprintln!(
        "{errors} errors, {warnings} warnings in published content; {drafts} problems in drafts ({:.0} ms)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    if errors > 0 {
        bail!("{errors} errors in {}", dir.display());
    }
    Ok(())
}
