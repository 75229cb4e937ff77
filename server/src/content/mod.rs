//! Course content: the Obsidian repository parsed into an immutable,
//! validated snapshot (see `docs/content.md`).

pub mod build;
pub mod diagnostics;
pub mod directives;
pub mod excerpt;
pub mod files;
pub mod frontmatter;
pub mod markdown;
pub mod model;
pub mod place;
pub mod preprocess;
pub mod search;
pub mod suggest;

pub use build::{BuildOutcome, ItemIssue, ItemKind, build, build_after};
pub use diagnostics::{Diagnostic, Severity, Tier};
pub use files::ContentFiles;
pub use model::Snapshot;
pub use place::{Place, PlaceError};
pub mod catalogue;
pub mod source;

pub use catalogue::{Catalogue, RefreshOutcome};
pub use source::{ContentSource, GitHubSource};
pub mod refresher;
