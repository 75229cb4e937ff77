//! Ids as types: a group id cannot be passed where a user id is wanted,
//! nor a message id where a session id is. Stored as the BIGINT/INTEGER they are.

use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type, serde::Serialize,
            serde::Deserialize,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }
    };
}

id!(
    /// A Lens user.
    UserId
);
id!(
    /// A cohort.
    CohortId
);
id!(
    /// A group of a cohort.
    GroupId
);
id!(
    /// A learner's conversation with the tutor about one lens.
    ChatSessionId
);
id!(
    /// One message of a tutor conversation.
    MessageId
);
id!(
    /// A durable job of the delivery engine.
    JobId
);
id!(
    /// One weekly meeting of a group.
    MeetingId
);
id!(
    /// One version of a learner's answer to a question.
    AnswerId
);
