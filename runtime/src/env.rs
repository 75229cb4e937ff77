//! Where configuration values come from: the process environment, then
//! `.env.local`, then `.env` (the first source that has a variable wins).

use std::collections::HashMap;
use std::path::Path;

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

    /// Whether `name` is set to a true-ish value (`1`, `true`, `yes`, `on`).
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }
}
