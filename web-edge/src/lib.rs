//! The Lens web edge: translates the browser's world into RPCs. It serves
//! the built frontend, runs the Discord sign-in pages, and forwards
//! grpc-web calls to the core. It holds no business logic and no database.

pub mod app;
mod auth_pages;
pub mod config;
pub mod cookies;
pub mod core_client;
pub mod forward;
pub mod frontend;
pub mod guest;
pub mod pages;
pub mod relay;
pub mod unsubscribe;
pub mod webhook;

pub use app::{WebState, router, serve};
pub use config::WebConfig;
