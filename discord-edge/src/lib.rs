//! The Lens discord edge: a serenity bot that is a pure client of the core.
//! Slash commands come in, are answered by asking the core (as the Discord
//! user who invoked them), and go back out. It keeps no state.

pub mod bot;
pub mod commands;
pub mod config;
pub mod core_client;
pub mod realize;
pub mod reminders;
pub mod rest;
pub mod work;

pub use bot::run;
pub use config::{DiscordConfig, Startup};
