//! Course content: the Obsidian repository parsed into an immutable,
//! validated snapshot (see `docs/content.md`).

pub mod build;
pub mod diagnostics;
pub mod excerpt;
pub mod files;
pub mod markdown;
pub mod model;
pub mod place;

pub use build::{BuildOutcome, build};
pub use diagnostics::{Diagnostic, Severity};
pub use files::ContentFiles;
pub use model::Snapshot;
pub use place::{Place, PlaceError};
pub mod catalogue;
pub mod source;

pub use catalogue::{Catalogue, RefreshOutcome};
pub use source::{ContentSource, GitHubSource};
pub mod refresher;
