//! Google Calendar through a service account acting as the calendar user.

use std::path::Path;

use lens_runtime::{Env, HttpUrl, Secret};
use serde::Deserialize;

use super::{ConfigError, SettingError, read_group};
use crate::domain::Email;

/// Google's APIs.
pub const DEFAULT_CALENDAR_API_BASE_URL: &str = "https://www.googleapis.com";

/// A service account's key, as Google's JSON key file holds it.
#[derive(Clone)]
pub struct ServiceAccount {
    /// The account's address (the JWT's issuer).
    pub client_email: String,
    /// Its RSA private key, PEM.
    pub private_key: Secret,
    /// Where tokens are asked for (the file's `token_uri`).
    pub token_uri: HttpUrl,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

/// Calendar settings, when the calendar is on.
#[derive(Debug, Clone)]
pub struct CalendarConfig {
    /// From `GOOGLE_CALENDAR_CREDENTIALS_FILE`.
    pub account: ServiceAccount,
    /// The calendar user the account acts as (`GOOGLE_CALENDAR_EMAIL`):
    /// events are on their calendar and invitations come from them.
    pub calendar_email: Email,
    /// Google's API base (`GOOGLE_CALENDAR_API_BASE_URL`; tests point it at
    /// a fake).
    pub api_base_url: HttpUrl,
}

impl CalendarConfig {
    /// The calendar is on when `GOOGLE_CALENDAR_CREDENTIALS_FILE` and
    /// `GOOGLE_CALENDAR_EMAIL` are both set; the key file is read and
    /// checked now, so a bad one stops start-up with a reason.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        const FILE: &str = "GOOGLE_CALENDAR_CREDENTIALS_FILE";
        const EMAIL: &str = "GOOGLE_CALENDAR_EMAIL";
        let Some(values) = read_group(env, "Google Calendar", &[FILE, EMAIL])? else {
            return Ok(None);
        };
        let account = ServiceAccount::read(Path::new(&values[0]))
            .map_err(|reason| SettingError::invalid(FILE, &values[0], reason))?;
        let calendar_email = Email::parse(EMAIL, &values[1])
            .map_err(|e| SettingError::invalid(EMAIL, &values[1], e.reason))?;
        Ok(Some(Self {
            account,
            calendar_email,
            api_base_url: env.url(
                "GOOGLE_CALENDAR_API_BASE_URL",
                DEFAULT_CALENDAR_API_BASE_URL,
            )?,
        }))
    }
}

impl ServiceAccount {
    /// Reads a service account key file; the reason never quotes the key.
    pub fn read(path: &Path) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct KeyFile {
            #[serde(rename = "type")]
            kind: Option<String>,
            client_email: String,
            private_key: String,
            token_uri: Option<String>,
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
        let file: KeyFile = serde_json::from_str(&text).map_err(|e| {
            format!(
                "not a service account key (JSON with client_email and private_key): line {}",
                e.line()
            )
        })?;
        if file.kind.as_deref().is_some_and(|k| k != "service_account") {
            return Err("the key file is not of type \"service_account\"".into());
        }
        if !file.private_key.contains("PRIVATE KEY-----") {
            return Err("private_key is not a PEM private key".into());
        }
        if jsonwebtoken::EncodingKey::from_rsa_pem(file.private_key.as_bytes()).is_err() {
            return Err("private_key is not an RSA private key".into());
        }
        let token_uri = file
            .token_uri
            .as_deref()
            .unwrap_or("https://oauth2.googleapis.com/token");
        Ok(Self {
            client_email: file.client_email,
            private_key: Secret::new(file.private_key),
            token_uri: HttpUrl::parse(token_uri).map_err(|e| format!("token_uri: {e}"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_file(name: &str, text: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("lens-{}-{name}.json", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_email_without_a_key_file_names_the_missing_variable() {
        let env = Env::from_pairs([("GOOGLE_CALENDAR_EMAIL", "course@lens.example")]);
        let err = CalendarConfig::from_env(&env).unwrap_err().to_string();
        assert!(
            err.contains("GOOGLE_CALENDAR_CREDENTIALS_FILE missing"),
            "{err}"
        );
    }

    #[test]
    fn a_key_that_is_not_rsa_is_refused_without_showing_it() {
        let path = key_file(
            "not-rsa",
            r#"{"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com",
                "private_key": "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n"}"#,
        );
        let env = Env::from_pairs([
            ("GOOGLE_CALENDAR_CREDENTIALS_FILE", path.to_str().unwrap()),
            ("GOOGLE_CALENDAR_EMAIL", "course@lens.example"),
        ]);
        let err = CalendarConfig::from_env(&env).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(err.contains("GOOGLE_CALENDAR_CREDENTIALS_FILE"), "{err}");
        assert!(err.contains("not an RSA private key"), "{err}");
        assert!(!err.contains("c2VjcmV0"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_key_says_what_is_expected() {
        let path = key_file("not-json", "client_email = nope");
        let err = ServiceAccount::read(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(err.contains("not a service account key"), "{err}");
    }
}
