//! Display names.

use super::Invalid;

/// A nickname: trimmed, 1 to 32 characters (Discord's nickname limit, since
/// the platform mirrors it into the Discord server), no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    /// Parses `raw`, naming `field` in the error. Empty input is an error:
    /// callers treat empty as "clear" before parsing.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length == 0 {
            return Err(Invalid::new(field, "must not be blank"));
        }
        if length > 32 {
            return Err(Invalid::new(
                field,
                format!("is {length} characters; Discord allows at most 32"),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(Invalid::new(field, "must not contain control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The nickname.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_limits_to_32_characters() {
        assert_eq!(
            Nickname::parse("nickname", "  Ada  ").unwrap().as_str(),
            "Ada"
        );
        assert!(Nickname::parse("nickname", &"é".repeat(32)).is_ok());
        let err = Nickname::parse("nickname", &"x".repeat(33)).unwrap_err();
        assert!(err.reason.contains("33 characters"), "{}", err.reason);
        assert!(Nickname::parse("nickname", "   ").is_err());
        assert!(Nickname::parse("nickname", "a\u{7}b").is_err());
    }
}
