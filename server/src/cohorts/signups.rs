//! A cohort's sign-ups with their availability in UTC, as matching counts
//! it: the admin console draws its heat map from this, so what it shows is
//! what the solver will see.

use super::proposal::signed_up;
use crate::domain::{CohortRole, UserId};
use crate::matching::availability::{meeting_weeks, utc_for_weeks};
use crate::matching::slots::SlotSet;
use crate::store::{CohortRecord, Store, StoreResult};

/// One sign-up, with UTC availability that holds in every meeting week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupView {
    /// The person.
    pub user_id: UserId,
    /// Name to show.
    pub name: String,
    /// Learner or facilitator.
    pub role: CohortRole,
    /// Their availability's timezone, if they gave availability.
    pub timezone: Option<String>,
    /// UTC week slots available every meeting week.
    pub available_utc: Vec<u32>,
    /// UTC week slots usable only if needed, every meeting week.
    pub if_needed_utc: Vec<u32>,
}

/// The sign-ups of `cohort`, in user id order.
pub async fn signups(store: &Store, cohort: &CohortRecord) -> StoreResult<Vec<SignupView>> {
    let weeks = meeting_weeks(cohort.start_date, cohort.meeting_count as u32);
    let rows = store.signups_for_matching(cohort.id).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            // Read as matching reads it, so the map shows what the solver sees.
            let utc = row.availability().and_then(|(zone, available, if_needed)| {
                let person = signed_up(row.user_id, &zone, &available, &if_needed, None);
                Some(utc_for_weeks(person.zone?, &weeks, &person.local))
            });
            let slots = |set: Option<&SlotSet>| {
                set.map(|s| s.iter().map(|slot| slot as u32).collect())
                    .unwrap_or_default()
            };
            SignupView {
                user_id: row.user_id,
                name: row.name,
                role: row.role,
                timezone: row.timezone,
                available_utc: slots(utc.as_ref().map(|u| &u.available)),
                if_needed_utc: slots(utc.as_ref().map(|u| &u.if_needed)),
            }
        })
        .collect())
}
