//! Group matching: place the most learners in groups that can all meet at
//! one weekly time, each with one facilitator. Pure and deterministic; the
//! cohort service feeds it and stores its proposal.

pub mod availability;
pub mod baseline;
pub mod file;
pub mod names;
pub mod problem;
pub mod slots;
pub mod solver;

pub use problem::{Facilitator, Group, Params, Person, Problem, Quality, Reason, Solution};
pub use solver::solve;
