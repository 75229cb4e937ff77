//! Values that are valid by construction. Raw input from RPCs is parsed into
//! these at the boundary, so code further in never sees an invalid value;
//! a [`Invalid`] error becomes INVALID_ARGUMENT naming the field.

mod availability;
mod cohort_start;
mod discord_job;
mod email;
mod ids;
mod network;
mod nickname;
mod states;
mod timezone;

pub use availability::WeeklySlots;
pub use cohort_start::CohortStart;
pub use discord_job::{DISCORD_KIND_PREFIX, DiscordJob};
pub use email::Email;
pub use ids::{AnswerId, ChatSessionId, CohortId, GroupId, JobId, MeetingId, MessageId, UserId};
pub use network::NetworkKey;
pub use nickname::Nickname;
pub use states::{
    ChatRole, CohortRole, CohortStatus, GroupStatus, JobState, LeaveReason, MeetingStatus,
    MessageStatus, Rsvp,
};
pub use timezone::Timezone;

/// Input that was refused, with the field it came from and what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    /// The request field, as named in the proto.
    pub field: &'static str,
    /// What is wrong and what is accepted.
    pub reason: String,
}

impl Invalid {
    /// An error for `field`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
