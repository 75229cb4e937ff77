//! Problems found in content, reported like a compiler: every one of them,
//! each with file, line, severity, tier and, where one is obvious, a
//! suggestion.

use std::collections::HashSet;
use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The item it concerns is not served (or held at its last good version).
    Error,
    /// Suspicious but usable.
    Warning,
}

/// Whether a problem concerns content learners see, or a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Published content.
    Published,
    /// A draft: tagged `wip`/`work-in-progress`, or in a `WIP` folder.
    Draft,
}

/// One problem, at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Path relative to the content root, e.g. `Lenses/Four Background Claims.md`.
    pub path: String,
    /// 1-based line number (0 when the problem concerns the whole file).
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// Published or draft: the tier of the file the problem is in.
    pub tier: Tier,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when it is obvious ("did you mean …?").
    pub suggestion: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match (self.severity, self.tier) {
            (Severity::Error, Tier::Published) => "error",
            (Severity::Warning, Tier::Published) => "warning",
            (Severity::Error, Tier::Draft) => "error (draft)",
            (Severity::Warning, Tier::Draft) => "warning (draft)",
        };
        write!(f, "{}:{}: {level}: {}", self.path, self.line, self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " ({suggestion})")?;
        }
        Ok(())
    }
}

/// Collects diagnostics while content is parsed.
#[derive(Debug, Default)]
pub struct Report {
    diagnostics: Vec<Diagnostic>,
    drafts: HashSet<String>,
}

impl Report {
    /// Records an error; the returned diagnostic can take a suggestion.
    pub fn error(
        &mut self,
        path: &str,
        line: usize,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(path, line, Severity::Error, message.into())
    }

    /// Records a warning; the returned diagnostic can take a suggestion.
    pub fn warning(
        &mut self,
        path: &str,
        line: usize,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(path, line, Severity::Warning, message.into())
    }

    /// Marks a file as a draft: its problems are reported in the draft tier.
    pub fn mark_draft(&mut self, path: &str) {
        self.drafts.insert(path.to_owned());
    }

    fn push(
        &mut self,
        path: &str,
        line: usize,
        severity: Severity,
        message: String,
    ) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic {
            path: path.to_owned(),
            line,
            severity,
            tier: Tier::Published,
            message,
            suggestion: None,
        });
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// How many errors concern `path` so far (to tell whether the item
    /// built from it is sound).
    pub fn errors_in(&self, path: &str) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && d.path == path)
            .count()
    }

    /// All diagnostics with their tiers, sorted by file and line.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        for d in &mut self.diagnostics {
            if self.drafts.contains(&d.path) {
                d.tier = Tier::Draft;
            }
        }
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.severity).cmp(&(&b.path, b.line, b.severity)));
        self.diagnostics.dedup();
        self.diagnostics
    }
}

impl Diagnostic {
    /// Adds what to do about it.
    pub fn suggest(&mut self, suggestion: impl Into<String>) {
        self.suggestion = Some(suggestion.into());
    }
}
