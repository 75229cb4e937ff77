//! A week of half-hour slots as a bitset.

/// Half-hour slots in a week.
pub const SLOTS_PER_WEEK: usize = 7 * 48;
const WORDS: usize = SLOTS_PER_WEEK.div_ceil(64);

/// A set of slots of one week (slot 0 = Monday 00:00–00:30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SlotSet([u64; WORDS]);

impl SlotSet {
    /// No slots.
    pub const EMPTY: Self = Self([0; WORDS]);

    /// Every slot.
    pub fn full() -> Self {
        let mut set = Self::EMPTY;
        for slot in 0..SLOTS_PER_WEEK {
            set.insert(slot);
        }
        set
    }

    /// Adds slot `slot` (taken modulo the week).
    pub fn insert(&mut self, slot: usize) {
        let slot = slot % SLOTS_PER_WEEK;
        self.0[slot / 64] |= 1 << (slot % 64);
    }

    /// Whether `slot` (modulo the week) is in the set.
    pub fn contains(&self, slot: usize) -> bool {
        let slot = slot % SLOTS_PER_WEEK;
        self.0[slot / 64] & (1 << (slot % 64)) != 0
    }

    /// Slots in both.
    pub fn and(&self, other: &Self) -> Self {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a &= b;
        }
        out
    }

    /// Slots in either.
    pub fn or(&self, other: &Self) -> Self {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        out
    }

    /// Slots in `self` but not in `other`.
    pub fn minus(&self, other: &Self) -> Self {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a &= !b;
        }
        out
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// Whether the sets share a slot.
    pub fn intersects(&self, other: &Self) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    /// The slots, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..SLOTS_PER_WEEK).filter(|s| self.contains(*s))
    }

    /// Start slots of every run of `length` consecutive slots (wrapping
    /// from Sunday night into Monday) that lies wholly in the set.
    pub fn starts(&self, length: usize) -> Self {
        let mut out = Self::EMPTY;
        for start in 0..SLOTS_PER_WEEK {
            if (0..length).all(|i| self.contains(start + i)) {
                out.insert(start);
            }
        }
        out
    }
}

/// "Mon 18:00" for a slot.
pub fn describe(slot: usize) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let slot = slot % SLOTS_PER_WEEK;
    format!(
        "{} {:02}:{:02}",
        DAYS[slot / 48],
        (slot % 48) / 2,
        (slot % 2) * 30
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_of_runs_wrap_around_the_week() {
        let mut set = SlotSet::EMPTY;
        for slot in [10, 11, 12, 335, 0] {
            set.insert(slot);
        }
        assert_eq!(set.starts(2).iter().collect::<Vec<_>>(), vec![10, 11, 335]);
        assert_eq!(set.starts(3).iter().collect::<Vec<_>>(), vec![10]);
        assert_eq!(describe(36), "Mon 18:00");
        assert_eq!(describe(335), "Sun 23:30");
    }
}
