//! The Lens core: the only process that owns state, business rules and
//! third-party secrets. It serves the `lens.v1` gRPC contract to the web
//! edge, the discord edge and admin tools. See `docs/architecture.md`.

pub mod answers;
pub mod app;
pub mod auth;
pub mod calendar;
pub mod chat;
pub mod clock;
pub mod cohorts;
pub mod config;
pub mod content;
pub mod delivery;
pub mod domain;
pub mod email;
pub mod error;
pub mod matching;
pub mod meetings;
pub mod metrics;
pub mod services;
pub mod store;

pub use app::{AppState, Core, StartError};
pub use config::Config;
