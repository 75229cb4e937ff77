//! Weekly availability as a learner gives it.

use super::{Invalid, Timezone};
use crate::matching::slots::SLOTS_PER_WEEK;

/// Validated weekly availability: local half-hour slots of a week (0 =
/// Monday 00:00), sorted and without duplicates; "if needed" never repeats
/// an available slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklySlots {
    /// The timezone the slots are in.
    pub timezone: Timezone,
    /// Available slots.
    pub available: Vec<u16>,
    /// If-needed slots.
    pub if_needed: Vec<u16>,
}

fn slot_list(field: &'static str, raw: &[u32]) -> Result<Vec<u16>, Invalid> {
    if let Some(bad) = raw.iter().find(|s| **s as usize >= SLOTS_PER_WEEK) {
        return Err(Invalid::new(
            field,
            format!(
                "slot {bad} is outside the week: slots are half-hours from 0 (Monday 00:00) to 335 (Sunday 23:30)"
            ),
        ));
    }
    let mut slots: Vec<u16> = raw.iter().map(|s| *s as u16).collect();
    slots.sort_unstable();
    slots.dedup();
    Ok(slots)
}

impl WeeklySlots {
    /// Parses availability from a request.
    pub fn parse(timezone: &str, available: &[u32], if_needed: &[u32]) -> Result<Self, Invalid> {
        let timezone = Timezone::parse("availability.timezone", timezone)?;
        let available = slot_list("availability.available_slots", available)?;
        let mut if_needed = slot_list("availability.if_needed_slots", if_needed)?;
        if_needed.retain(|s| available.binary_search(s).is_err());
        Ok(Self {
            timezone,
            available,
            if_needed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_dedupes_and_keeps_strengths_apart() {
        let slots = WeeklySlots::parse("Europe/Berlin", &[37, 36, 36], &[36, 38]).unwrap();
        assert_eq!(slots.available, vec![36, 37]);
        assert_eq!(slots.if_needed, vec![38]);
        let error = WeeklySlots::parse("Europe/Berlin", &[336], &[]).unwrap_err();
        assert_eq!(error.field, "availability.available_slots");
        assert!(WeeklySlots::parse("Middle/Earth", &[1], &[]).is_err());
    }
}
