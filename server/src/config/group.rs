//! Optional integrations switched on by a group of variables: all of them
//! set means on, none means off, anything in between is refused.

use super::{ConfigError, Env};

/// Reads the variables of one optional integration.
///
/// Returns `Ok(None)` when none of `required` is set, the values in order
/// when all are, and [`ConfigError::HalfConfigured`] naming the missing ones
/// otherwise.
pub fn read_group(
    env: &Env,
    integration: &'static str,
    required: &[&'static str],
) -> Result<Option<Vec<String>>, ConfigError> {
    let values: Vec<Option<&str>> = required.iter().map(|name| env.get(name)).collect();
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    let missing: Vec<&str> = required
        .iter()
        .zip(&values)
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(ConfigError::HalfConfigured {
            integration,
            missing: missing.join(", "),
            all: required.join(", "),
        });
    }
    Ok(Some(
        values
            .into_iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARS: &[&str] = &["A_ID", "A_SECRET"];

    #[test]
    fn none_set_is_off() {
        assert_eq!(read_group(&Env::default(), "a", VARS).unwrap(), None);
    }

    #[test]
    fn all_set_is_on() {
        let env = Env::from_pairs([("A_ID", "1"), ("A_SECRET", "s")]);
        assert_eq!(
            read_group(&env, "a", VARS).unwrap(),
            Some(vec!["1".to_owned(), "s".to_owned()])
        );
    }

    #[test]
    fn partial_names_the_missing_variable() {
        let env = Env::from_pairs([("A_ID", "1")]);
        let err = read_group(&env, "a", VARS).unwrap_err().to_string();
        assert!(err.contains("A_SECRET missing"), "{err}");
        assert!(!err.contains("A_ID missing"), "{err}");
    }
}
