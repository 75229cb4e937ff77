//! Typed settings: the one error every process words a refused setting
//! with, and base URLs checked once when read.

use std::fmt;

/// A setting a process refuses to start with. Every message names the
/// variable to change and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// A required variable is missing.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A variable has a value that cannot be used.
    #[error("{name}={value:?} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// The rejected value, cut at 80 characters (never a secret: secret
        /// variables are refused without their value).
        value: String,
        /// Why, and what is accepted.
        reason: String,
    },
}

impl SettingError {
    /// `name` holds `value`, which is refused because `reason`.
    pub fn invalid(name: &'static str, value: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            name,
            value: value.chars().take(80).collect(),
            reason: reason.into(),
        }
    }
}

/// An `http://` or `https://` URL with a host: a third party's API base, a
/// page of ours, a callback. Held as text without a trailing slash, so
/// `format!("{base}/users")` is always right, and parsed, so nothing
/// re-parses it later.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpUrl {
    url: url::Url,
    text: String,
}

impl HttpUrl {
    /// Checks `raw`; the error says what is accepted.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match url::Url::parse(raw) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Ok(Self {
                    text: raw.trim_end_matches('/').to_owned(),
                    url,
                })
            }
            _ => Err("expected an http:// or https:// URL".into()),
        }
    }

    /// The URL as text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed URL, for adding query parameters or reading its host.
    /// (Parsed from the text as given, so a path keeps its trailing slash.)
    pub fn url(&self) -> &url::Url {
        &self.url
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpUrl({})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_drops_its_trailing_slash() {
        let base = HttpUrl::parse("https://api.github.com/").unwrap();
        assert_eq!(format!("{base}/repos"), "https://api.github.com/repos");
    }

    #[test]
    fn only_web_urls_with_a_host_are_accepted() {
        for raw in ["ftp://x", "localhost:8000", "", "http://"] {
            assert!(HttpUrl::parse(raw).is_err(), "{raw}");
        }
    }
}
