//! `lens-server content check DIR`: validates a content folder the way the
//! server would load it, and prints every problem like a compiler.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Subcommand;
use lens_server::content::{ContentFiles, Severity, build};

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
    let errors = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = outcome.diagnostics.len() - errors;
    let elapsed = started.elapsed();
    match &outcome.snapshot {
        Some(snapshot) => eprintln!(
            "ok: {} files, {} courses, {} modules, {} learning outcomes, {} lenses, {} articles, {} videos; {warnings} warnings ({:.0} ms)",
            files.len(),
            snapshot.courses.len(),
            snapshot.modules.len(),
            snapshot.outcomes.len(),
            snapshot.lenses.len(),
            snapshot.articles.len(),
            snapshot.videos.len(),
            elapsed.as_secs_f64() * 1000.0
        ),
        None => bail!("{errors} errors, {warnings} warnings in {}", dir.display()),
    }
    Ok(())
}
