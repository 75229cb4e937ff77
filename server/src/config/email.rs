//! Email through SendGrid.

use lens_runtime::{Env, HttpUrl, Secret};

use super::{ConfigError, read_group};
use crate::domain::Email;

/// SendGrid's API.
pub const DEFAULT_SENDGRID_API_BASE_URL: &str = "https://api.sendgrid.com";

/// Email settings, when email is on.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// `SENDGRID_API_KEY`.
    pub api_key: Secret,
    /// The sender address (`FROM_EMAIL`).
    pub from_email: Email,
    /// The sender name (`FROM_NAME`, default "Lens").
    pub from_name: String,
    /// SendGrid's base URL (`SENDGRID_API_BASE_URL`; tests point it at a fake).
    pub api_base_url: HttpUrl,
}

impl EmailConfig {
    /// Email is on when `SENDGRID_API_KEY` and `FROM_EMAIL` are both set;
    /// one without the other is refused.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        let Some(values) = read_group(env, "email", &["SENDGRID_API_KEY", "FROM_EMAIL"])? else {
            return Ok(None);
        };
        let from_email = Email::parse("FROM_EMAIL", &values[1]).map_err(|e| {
            ConfigError::from(lens_runtime::SettingError::invalid(
                "FROM_EMAIL",
                &values[1],
                e.reason,
            ))
        })?;
        Ok(Some(Self {
            api_key: Secret::new(values[0].clone()),
            from_email,
            from_name: env.get("FROM_NAME").unwrap_or("Lens").to_owned(),
            api_base_url: env.url("SENDGRID_API_BASE_URL", DEFAULT_SENDGRID_API_BASE_URL)?,
        }))
    }
}
