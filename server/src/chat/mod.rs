//! The AI tutor: prompt assembly and the streaming model client.

pub mod llm;
pub mod prompt;

pub use llm::{LlmError, Tutor};
