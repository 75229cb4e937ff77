//! IANA timezones.

use std::str::FromStr;

use super::Invalid;

/// A timezone from the IANA database, such as `Europe/Amsterdam`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    /// Parses an IANA name, naming `field` in the error. Matching is exact
    /// except for ASCII case, which browsers and people get wrong.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        chrono_tz::Tz::from_str(raw)
            .ok()
            .or_else(|| {
                // chrono-tz's own case-insensitive lookup needs a build-time
                // feature; a scan of ~600 names on a rare write is cheaper.
                chrono_tz::TZ_VARIANTS
                    .iter()
                    .copied()
                    .find(|tz| tz.name().eq_ignore_ascii_case(raw))
            })
            .map(Self)
            .ok_or(())
            .map_err(|_| {
                Invalid::new(
                    field,
                    format!("{raw:?} is not an IANA timezone name; use one like Europe/Amsterdam or America/New_York"),
                )
            })
    }

    /// The canonical IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The chrono-tz zone, for date arithmetic.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_iana_names_and_canonicalises_case() {
        assert_eq!(
            Timezone::parse("timezone", "Europe/Amsterdam")
                .unwrap()
                .name(),
            "Europe/Amsterdam"
        );
        assert_eq!(
            Timezone::parse("timezone", "america/new_york")
                .unwrap()
                .name(),
            "America/New_York"
        );
        assert_eq!(Timezone::parse("timezone", "UTC").unwrap().name(), "UTC");
    }

    #[test]
    fn refuses_abbreviations_and_offsets() {
        for bad in ["CEST", "+02:00", "Mars/Olympus", ""] {
            let err = Timezone::parse("timezone", bad).unwrap_err();
            assert!(err.reason.contains("IANA"), "{bad}");
        }
    }
}
