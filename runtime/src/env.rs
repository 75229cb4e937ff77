//! Where configuration values come from: the process environment, then
//! `.env.local`, then `.env` (the first source that has a variable wins).

use std::collections::HashMap;
use std::path::Path;

use crate::setting::{HttpUrl, SettingError};

/// A read-only view of configuration variables.
///
/// Tests build one from a map so that no test touches the process
/// environment; binaries build one with [`Env::from_process`].
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// The process environment, completed by `.env.local` and `.env` in the
    /// working directory. Files never override a variable that is set.
    pub fn from_process() -> Self {
        let mut vars: HashMap<String, String> = std::env::vars().collect();
        for file in [".env.local", ".env"] {
            if let Ok(iter) = dotenvy::from_path_iter(Path::new(file)) {
                for (key, value) in iter.flatten() {
                    vars.entry(key).or_insert(value);
                }
            }
        }
        Self { vars }
    }

    /// Exactly the given variables.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The value of `name`, treating an empty or blank value as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A whole number from `name` within `range`, or `default` when unset.
    /// The one reader of numeric settings, so every process words a bad
    /// value the same way.
    pub fn number(
        &self,
        name: &'static str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, SettingError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        raw.parse::<u64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                SettingError::invalid(
                    name,
                    raw,
                    format!(
                        "expected a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            })
    }

    /// The value of a variable that must be set; `hint` says what to set.
    pub fn required(&self, name: &'static str, hint: &'static str) -> Result<&str, SettingError> {
        self.get(name).ok_or(SettingError::Missing { name, hint })
    }

    /// The http(s) URL in `name`, or `default` when unset.
    pub fn url(&self, name: &'static str, default: &str) -> Result<HttpUrl, SettingError> {
        let raw = self.get(name).unwrap_or(default);
        HttpUrl::parse(raw).map_err(|reason| SettingError::invalid(name, raw, reason))
    }

    /// The http(s) URL in `name`, or `None` when unset.
    pub fn optional_url(&self, name: &'static str) -> Result<Option<HttpUrl>, SettingError> {
        self.get(name)
            .map(|raw| {
                HttpUrl::parse(raw).map_err(|reason| SettingError::invalid(name, raw, reason))
            })
            .transpose()
    }

    /// Whether `name` is set to a true-ish value (`1`, `true`, `yes`, `on`).
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_whole_and_in_range_or_named_with_what_is_accepted() {
        let env = Env::from_pairs([("A", "12"), ("B", "0"), ("C", "ten")]);
        assert_eq!(env.number("A", 5, 1..=100), Ok(12));
        assert_eq!(env.number("UNSET", 5, 1..=100), Ok(5));
        let bad = env.number("B", 5, 1..=100).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "B=\"0\" is invalid: expected a whole number from 1 to 100"
        );
        assert!(env.number("C", 5, 1..=100).is_err());
    }
}
