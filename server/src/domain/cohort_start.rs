//! When a cohort starts.

use chrono::{Datelike, NaiveDate};

use super::Invalid;

/// A cohort's first day: a real date within the years a course can run.
/// Matching converts every week of the cohort between timezones, so a date
/// at the edge of what dates can hold (year 262142) must not get that far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortStart(NaiveDate);

/// The years a cohort may start in.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2200;

impl CohortStart {
    /// Parses `YYYY-MM-DD`, naming `field` in the error.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let shown: String = raw.chars().take(40).collect();
        let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| Invalid::new(field, format!("{shown:?} is not a date like 2027-03-01")))?;
        if !YEARS.contains(&date.year()) {
            return Err(Invalid::new(
                field,
                format!(
                    "{date} is outside the years a cohort can start in ({} to {})",
                    YEARS.start(),
                    YEARS.end()
                ),
            ));
        }
        Ok(Self(date))
    }

    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_and_within_the_years() {
        assert_eq!(
            CohortStart::parse("start_date", "2027-03-01")
                .unwrap()
                .date(),
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()
        );
        assert!(CohortStart::parse("start_date", "262142-01-01").is_err());
        assert!(CohortStart::parse("start_date", "1999-12-31").is_err());
        let err = CohortStart::parse("start_date", "03/01/2027").unwrap_err();
        assert_eq!(err.reason, "\"03/01/2027\" is not a date like 2027-03-01");
    }
}
