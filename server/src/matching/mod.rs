//! Group matching: place the most learners in groups that can all meet at
//! one weekly time, each with one facilitator. Pure and deterministic; the
//! cohort service feeds it and stores its proposal.

pub mod availability;
pub mod baseline;
pub mod exact;
pub mod file;
pub mod names;
pub mod problem;
pub mod settle;
pub mod slots;
pub mod solver;
pub mod times;

pub use problem::{
    Facilitator, Group, Params, Person, Problem, Quality, Reason, SignedUp, Solution, TimeModel,
};
pub use solver::solve;
