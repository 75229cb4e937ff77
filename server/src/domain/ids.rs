//! Ids of the things cohorts are made of, as types: a group id cannot be
//! passed where a user id is wanted. Stored as the BIGINT/INTEGER they are.

use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type, serde::Serialize,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
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
