//! The AI tutor: what it is told, the streaming model client, how its
//! failures are sorted, and the relay that streams and stores answers.

pub mod admission;
pub mod failure;
pub mod llm;
pub mod prompt;
pub mod relay;
pub mod roleplay;
pub mod tools;

pub use failure::LlmFailure;
pub use llm::Tutor;
