//! Cohorts: the rules of running one, from sign-ups to groups. Proposing
//! groups ([`proposal`]) and changing them afterwards ([`membership`]) are
//! here, returning domain types; `CohortService` and `lens-server cohort`
//! parse, call these and convert.

pub mod delivery;
pub mod discord;
pub mod membership;
pub mod proposal;
pub mod signups;

pub use proposal::{MatchingSettings, Proposal, propose, reason_code, save, signed_up};

use chrono::{DateTime, Utc};

use crate::domain::CohortId;
use crate::error::{AppError, AppResult};
use crate::store::{CohortRecord, Store};

/// The cohort rules over the store.
#[derive(Debug, Clone)]
pub struct Cohorts {
    store: Store,
    email: bool,
}

impl Cohorts {
    /// Cohorts kept in `store`.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            email: false,
        }
    }

    /// The same, queueing emails (welcome, group assigned) with the changes
    /// they tell of when `email` is on.
    pub fn with_email(self, email: bool) -> Self {
        Self { email, ..self }
    }

    /// Commits cohort `id`'s preview groups: active, each with its
    /// meetings and their reminders, and its Discord and calendar work
    /// queued, in one transaction. (groups committed, jobs queued, when).
    pub async fn commit(&self, id: CohortId) -> AppResult<(u64, u64, DateTime<Utc>)> {
        let cohort = self.cohort(id).await?;
        let previews: Vec<_> = self
            .store
            .group_infos(cohort.id)
            .await?
            .into_iter()
            .filter(|g| g.status == crate::domain::GroupStatus::Preview)
            .collect();
        let schedules = crate::meetings::schedules(&cohort, &previews);
        Ok(self
            .store
            .commit_groups(cohort.id, &schedules, self.email)
            .await?)
    }

    /// Signs `user` up for `cohort` as `role` (with their welcome email).
    pub async fn sign_up(
        &self,
        cohort: CohortId,
        user: crate::domain::UserId,
        role: crate::domain::CohortRole,
    ) -> AppResult<()> {
        Ok(self.store.sign_up(cohort, user, role, self.email).await?)
    }

    /// Takes back `user`'s sign-up for `cohort` while its groups are not
    /// committed.
    pub async fn withdraw(&self, cohort: CohortId, user: crate::domain::UserId) -> AppResult<()> {
        use crate::store::WithdrawOutcome;
        match self.store.withdraw_signup(cohort, user).await? {
            WithdrawOutcome::Withdrawn => Ok(()),
            WithdrawOutcome::NotSignedUp => Err(AppError::FailedPrecondition(format!(
                "you are not signed up for cohort {cohort}"
            ))),
            WithdrawOutcome::Started(status) => Err(AppError::FailedPrecondition(format!(
                "cohort {cohort} is {status}: its groups are set, so leave your group instead (LeaveGroup)"
            ))),
            WithdrawOutcome::NoCohort => {
                Err(AppError::NotFound(format!("no cohort with id {cohort}")))
            }
        }
    }

    /// The cohort `id`, or NOT_FOUND naming it.
    pub async fn cohort(&self, id: CohortId) -> AppResult<CohortRecord> {
        self.store
            .cohort(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no cohort with id {id}")))
    }
}
