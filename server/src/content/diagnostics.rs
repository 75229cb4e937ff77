//! Problems found in content, reported like a compiler: every one of them,
//! each with file and line.

use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Published content is wrong; the snapshot is not used.
    Error,
    /// Suspicious but usable.
    Warning,
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
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {level}: {}", self.path, self.line, self.message)
    }
}

/// Collects diagnostics while content is parsed.
#[derive(Debug, Default)]
pub struct Report {
    diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Records an error.
    pub fn error(&mut self, path: &str, line: usize, message: impl Into<String>) {
        self.push(path, line, Severity::Error, message.into());
    }

    /// Records a warning.
    pub fn warning(&mut self, path: &str, line: usize, message: impl Into<String>) {
        self.push(path, line, Severity::Warning, message.into());
    }

    fn push(&mut self, path: &str, line: usize, severity: Severity, message: String) {
        self.diagnostics.push(Diagnostic {
            path: path.to_owned(),
            line,
            severity,
            message,
        });
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// All diagnostics, sorted by file and line.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.severity).cmp(&(&b.path, b.line, b.severity)));
        self.diagnostics
    }
}
