//! Local stand-ins for third-party services, speaking their wire formats.

pub mod discord;
pub mod github;
pub mod llm;
