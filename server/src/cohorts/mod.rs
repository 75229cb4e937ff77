//! Cohorts: the rules of running one, from sign-ups to groups. Proposing
//! groups ([`proposal`]) and changing them afterwards ([`membership`]) are
//! here, returning domain types; `CohortService` and `lens-server cohort`
//! parse, call these and convert.

pub mod discord;
pub mod membership;
pub mod proposal;

pub use proposal::{MatchingSettings, Proposal, propose, reason_code, save, signed_up};

use chrono::{DateTime, Utc};

use crate::domain::CohortId;
use crate::error::{AppError, AppResult};
use crate::matching::availability::meeting_weeks;
use crate::matching::times::MeetingTime;
use crate::store::{CohortRecord, Store};

/// The meeting after `now` of a group of `cohort` meeting at its stored
/// time: its number (1 for the first) and start; `None` when all are past.
pub fn next_meeting(
    cohort: &CohortRecord,
    start_slot: i64,
    anchor: &str,
    local_slot: Option<i64>,
    now: DateTime<Utc>,
) -> Option<(u32, DateTime<Utc>)> {
    let weeks = meeting_weeks(cohort.start_date, cohort.meeting_count.max(0) as u32);
    let time = MeetingTime::stored(
        start_slot as usize,
        anchor,
        local_slot.map(|s| s as usize),
        &weeks,
    );
    time.starts(&weeks)
        .into_iter()
        .zip(1..)
        .find(|(start, _)| *start > now)
        .map(|(start, number)| (number, start))
}

/// The cohort rules over the store.
#[derive(Debug, Clone)]
pub struct Cohorts {
    store: Store,
}

impl Cohorts {
    /// Cohorts kept in `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The cohort `id`, or NOT_FOUND naming it.
    pub async fn cohort(&self, id: CohortId) -> AppResult<CohortRecord> {
        self.store
            .cohort(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no cohort with id {id}")))
    }
}
