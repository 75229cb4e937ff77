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
        if let Some(c) = trimmed.chars().find(|c| is_format(*c)) {
            // Bidi overrides and invisible characters make a name show as
            // something it is not (in Discord too).
            return Err(Invalid::new(
                field,
                format!(
                    "must not contain invisible or direction-changing characters (U+{:04X})",
                    u32::from(c)
                ),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The nickname.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `c` is a Unicode format character (general category Cf):
/// invisible, and some reorder the text around them.
fn is_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
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

    #[test]
    fn bidi_overrides_and_invisible_characters_are_refused() {
        for sneaky in [
            "admin\u{202E}nimda",
            "Ada\u{200B}",
            "\u{2066}x",
            "a\u{FEFF}b",
        ] {
            let err = Nickname::parse("nickname", sneaky).unwrap_err();
            assert!(
                err.reason.contains("invisible or direction-changing"),
                "{sneaky:?}"
            );
        }
        assert!(Nickname::parse("nickname", "Zoë Ünal-Łukasz").is_ok());
    }
}
