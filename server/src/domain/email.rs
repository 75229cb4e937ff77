//! Email addresses.

use super::Invalid;

/// A syntactically valid email address, trimmed, with the domain lowercased.
///
/// The check is deliberately the practical subset that mail providers
/// accept (RFC 5321 lengths, one `@`, a dotted domain of letters, digits and
/// hyphens, no spaces or quotes) rather than the full RFC 5322 grammar:
/// the goal is to catch typos, and only a confirmation mail proves an
/// address works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses `raw`, naming `field` in the error.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let fail =
            |why: &str| Invalid::new(field, format!("{raw:?} is not an email address: {why}"));
        if raw.len() > 254 {
            return Err(fail("longer than 254 characters"));
        }
        let (local, domain) = raw.split_once('@').ok_or_else(|| fail("it has no @"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(fail("the part before @ must be 1 to 64 characters"));
        }
        let local_ok = local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(fail(
                "the part before @ has a character that is not allowed",
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(fail("the domain needs a dot, as in example.org"));
        }
        let labels_ok = labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !labels_ok {
            return Err(fail("the domain is malformed"));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "ada@example.org",
            "a.b+tag@sub.Example.ORG",
            "  x@y.io  ",
            "ünï@exämple.de",
        ] {
            assert!(Email::parse("email", ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Email::parse("email", "Ada@Example.ORG").unwrap().as_str(),
            "Ada@example.org"
        );
    }

    #[test]
    fn refuses_typos_with_a_reason() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@@example.org",
            "ada@exa mple.org",
            "a..b@example.org",
            "ada@-example.org",
            "ada@example..org",
        ] {
            let err = Email::parse("email", bad).unwrap_err();
            assert_eq!(err.field, "email");
            assert!(
                err.reason.contains("not an email address"),
                "{bad}: {}",
                err.reason
            );
        }
    }
}
