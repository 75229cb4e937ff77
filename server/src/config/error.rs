//! Why a configuration was refused.

pub use lens_runtime::SettingError;

/// A configuration the core refuses to start with. Every message names the
/// variable to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// One variable is missing or has a value that cannot be used; worded
    /// as every Lens process words it.
    #[error(transparent)]
    Setting(#[from] SettingError),
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
    /// A secret variable is too weak or malformed; its value is not shown.
    #[error("{name} is invalid: {reason}")]
    InvalidSecret {
        /// The variable.
        name: &'static str,
        /// Why, and what is accepted.
        reason: &'static str,
    },
}
