//! Why a configuration was refused.

impl From<lens_runtime::BadNumber> for ConfigError {
    fn from(bad: lens_runtime::BadNumber) -> Self {
        Self::Invalid {
            name: bad.name,
            reason: bad.expected(),
            value: bad.value,
        }
    }
}

/// A configuration the core refuses to start with. Every message names the
/// variable to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is missing.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// An integration has some of its variables but not all of them.
    #[error(
        "{integration} is half-configured: {missing} missing (set all of {all}, or none to switch it off)"
    )]
    HalfConfigured {
        /// The integration's name.
        integration: &'static str,
        /// The missing variables, comma-separated.
        missing: String,
        /// All variables of the integration, comma-separated.
        all: String,
    },
    /// A variable has a value that cannot be used.
    #[error("{name}={value:?} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// The rejected value (never a secret).
        value: String,
        /// Why, and what is accepted.
        reason: String,
    },
    /// A secret variable is too weak or malformed; its value is not shown.
    #[error("{name} is invalid: {reason}")]
    InvalidSecret {
        /// The variable.
        name: &'static str,
        /// Why, and what is accepted.
        reason: &'static str,
    },
}
