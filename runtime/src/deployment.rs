//! Whether a process runs as a deployment (on a host serving people) or on
//! a developer's machine. A deployment refuses settings that are only safe
//! locally, and names its environment in error reports.

use crate::{Env, SettingError};

/// Where a process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployment {
    /// A developer's machine (the default).
    Development {
        /// `LENS_ENV` when set to something other than `production`
        /// (a name for error reports), else `development`.
        environment: String,
    },
    /// Serving people: `RAILWAY_ENVIRONMENT` is set (any Railway
    /// environment, staging too, is on the internet) or
    /// `LENS_ENV=production`.
    Deployed {
        /// The environment's name (`production`, `staging`, …).
        environment: String,
        /// Which variable said so, for messages.
        because: &'static str,
    },
}

impl Deployment {
    /// Reads `RAILWAY_ENVIRONMENT` and `LENS_ENV`.
    pub fn from_env(env: &Env) -> Self {
        if let Some(railway) = env.get("RAILWAY_ENVIRONMENT").filter(|v| !v.is_empty()) {
            return Self::Deployed {
                environment: railway.to_owned(),
                because: "RAILWAY_ENVIRONMENT is set",
            };
        }
        match env.get("LENS_ENV").filter(|v| !v.is_empty()) {
            Some(v) if v.eq_ignore_ascii_case("production") => Self::Deployed {
                environment: "production".to_owned(),
                because: "LENS_ENV=production",
            },
            Some(other) => Self::Development {
                environment: other.to_owned(),
            },
            None => Self::Development {
                environment: "development".to_owned(),
            },
        }
    }

    /// Whether production rules apply.
    pub fn is_deployed(&self) -> bool {
        matches!(self, Self::Deployed { .. })
    }

    /// The environment's name, for error reports and logs.
    pub fn environment(&self) -> &str {
        match self {
            Self::Development { environment } | Self::Deployed { environment, .. } => environment,
        }
    }

    /// Refuses `name` (holding `value`) in a deployment because `why`;
    /// `Ok` on a developer's machine.
    pub fn forbid(
        &self,
        refused: bool,
        name: &'static str,
        value: &str,
        why: &str,
    ) -> Result<(), SettingError> {
        match self {
            Self::Deployed { because, .. } if refused => Err(SettingError::invalid(
                name,
                value,
                format!("refused in a deployment ({because}): {why}"),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn railway_or_lens_env_production_make_a_deployment() {
        let railway = Deployment::from_env(&Env::from_pairs([("RAILWAY_ENVIRONMENT", "staging")]));
        assert!(railway.is_deployed());
        assert_eq!(railway.environment(), "staging");
        let lens = Deployment::from_env(&Env::from_pairs([("LENS_ENV", "Production")]));
        assert!(lens.is_deployed());
        let laptop = Deployment::from_env(&Env::from_pairs([("LENS_ENV", "demo")]));
        assert!(!laptop.is_deployed());
        assert_eq!(laptop.environment(), "demo");
        assert_eq!(
            Deployment::from_env(&Env::from_pairs::<[(&str, &str); 0], _, _>([])).environment(),
            "development"
        );
    }

    #[test]
    fn a_deployment_refuses_and_says_why_a_laptop_does_not() {
        let deployed = Deployment::from_env(&Env::from_pairs([("LENS_ENV", "production")]));
        let err = deployed
            .forbid(
                true,
                "DEV_MODE",
                "1",
                "it signs anyone in without a password",
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("DEV_MODE"), "{err}");
        assert!(
            err.contains("refused in a deployment (LENS_ENV=production)"),
            "{err}"
        );
        let laptop = Deployment::from_env(&Env::from_pairs([("LENS_ENV", "dev")]));
        assert!(laptop.forbid(true, "DEV_MODE", "1", "").is_ok());
    }
}
