//! Changes to groups after a proposal: admin moves in previews, and late
//! learners joining active groups.

use chrono::{Duration, TimeZone, Utc};
use lens_proto::v1;

use super::cohort::CohortApi;
use crate::clock;
use crate::cohorts::utc_availability;
use crate::error::{AppError, AppResult};
use crate::matching::Params;
use crate::matching::availability::meeting_weeks;
use crate::matching::problem::starts;
use crate::matching::slots::describe;
use crate::store::{CohortRecord, GroupInfo, JoinOutcome};

impl CohortApi {
    /// Whether `user_id` can make a meeting at `start` in every week of the cohort.
    async fn can_make(&self, cohort: &CohortRecord, user_id: i64, start: usize) -> AppResult<bool> {
        let weeks = meeting_weeks(cohort.start_date, cohort.meeting_count as u32);
        let Some(stored) = self.state.store.availability(user_id).await? else {
            return Ok(false);
        };
        let person = utc_availability(
            user_id,
            &stored.timezone,
            &stored.available,
            &stored.if_needed,
            &weeks,
        );
        Ok(starts(&person, &Params::default()).0.contains(start))
    }

    /// Whether the first meeting at `start` is still ahead.
    fn first_meeting_ahead(cohort: &CohortRecord, start: usize) -> bool {
        let monday = meeting_weeks(cohort.start_date, 1)[0];
        let Some(midnight) = monday.and_hms_opt(0, 0, 0) else {
            return false;
        };
        let first = Utc.from_utc_datetime(&midnight) + Duration::minutes(30 * start as i64);
        clock::now() < first
    }

    pub(super) async fn move_learner(
        &self,
        request: &v1::MoveMemberRequest,
    ) -> AppResult<v1::MoveMemberResponse> {
        let cohort = self.cohort(request.cohort_id).await?;
        if cohort.status != "planned" {
            return Err(AppError::FailedPrecondition(format!(
                "cohort {} is {}: only preview groups can be rearranged",
                cohort.id, cohort.status
            )));
        }
        let target = self.preview_group(&cohort, request.to_group_id).await?;
        if self
            .state
            .store
            .signup_role(cohort.id, request.user_id)
            .await?
            .as_deref()
            != Some("learner")
        {
            return Err(AppError::FailedPrecondition(format!(
                "user {} is not signed up for cohort {} as a learner",
                request.user_id, cohort.id
            )));
        }
        let from = self
            .state
            .store
            .member_group(cohort.id, request.user_id, "preview")
            .await?;
        if from == Some(target.id) {
            return Ok(v1::MoveMemberResponse {
                warnings: Vec::new(),
            });
        }
        let max = Params::default().max_size as i64;
        if target.members >= max {
            return Err(AppError::FailedPrecondition(format!(
                "group {} is full ({max} members); move someone out first",
                target.id
            )));
        }
        let mut warnings = Vec::new();
        let start = target.meeting_start_slot as usize;
        if !self.can_make(&cohort, request.user_id, start).await? {
            warnings.push(format!(
                "user {} cannot make {} UTC in every week of the cohort",
                request.user_id,
                describe(start)
            ));
        }
        self.state
            .store
            .move_learner(cohort.id, request.user_id, target.id)
            .await?;
        if let Some(from) = from
            && let Some(left) = self.state.store.group_info(from).await?
            && left.members < Params::default().min_size as i64
        {
            warnings.push(format!(
                "group {} now has {} members, fewer than the minimum of {}",
                from,
                left.members,
                Params::default().min_size
            ));
        }
        Ok(v1::MoveMemberResponse { warnings })
    }

    async fn preview_group(&self, cohort: &CohortRecord, group_id: i64) -> AppResult<GroupInfo> {
        match self.state.store.group_info(group_id).await? {
            Some(group) if group.cohort_id == cohort.id && group.status == "preview" => Ok(group),
            Some(_) => Err(AppError::FailedPrecondition(format!(
                "group {group_id} is not a preview group of cohort {}",
                cohort.id
            ))),
            None => Err(AppError::NotFound(format!("no group with id {group_id}"))),
        }
    }

    pub(super) async fn joinable(
        &self,
        cohort_id: i64,
        user_id: i64,
    ) -> AppResult<Vec<v1::CohortGroup>> {
        let cohort = self.cohort(cohort_id).await?;
        // Groups show their members' names: only to people in the cohort.
        if self
            .state
            .store
            .signup_role(cohort.id, user_id)
            .await?
            .is_none()
        {
            return Err(AppError::FailedPrecondition(format!(
                "sign up for cohort {} to see its groups",
                cohort.id
            )));
        }
        let max = Params::default().max_size as i64;
        let mut open: Vec<GroupInfo> = Vec::new();
        for group in self.state.store.group_infos(cohort.id).await? {
            let start = group.meeting_start_slot as usize;
            if group.status == "active"
                && group.members < max
                && Self::first_meeting_ahead(&cohort, start)
                && self.can_make(&cohort, user_id, start).await?
            {
                open.push(group);
            }
        }
        open.sort_by_key(|g| (g.members, g.id));
        let all = self.groups(cohort.id).await?;
        Ok(open
            .iter()
            .filter_map(|info| all.iter().find(|g| g.id == info.id).cloned())
            .collect())
    }

    pub(super) async fn join(&self, group_id: i64, user_id: i64) -> AppResult<v1::CohortGroup> {
        let group = self
            .state
            .store
            .group_info(group_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no group with id {group_id}")))?;
        let cohort = self.cohort(group.cohort_id).await?;
        if group.status != "active" {
            return Err(AppError::FailedPrecondition(format!(
                "group {group_id} is not active; pick one from ListJoinableGroups"
            )));
        }
        if self
            .state
            .store
            .signup_role(cohort.id, user_id)
            .await?
            .as_deref()
            != Some("learner")
        {
            return Err(AppError::FailedPrecondition(format!(
                "sign up for cohort {} as a learner first",
                cohort.id
            )));
        }
        if let Some(current) = self
            .state
            .store
            .member_group(cohort.id, user_id, "active")
            .await?
        {
            return Err(AppError::FailedPrecondition(format!(
                "you are already in group {current} of this cohort"
            )));
        }
        let start = group.meeting_start_slot as usize;
        if group.members >= Params::default().max_size as i64 {
            return Err(AppError::FailedPrecondition(format!(
                "group {group_id} is full; pick another from ListJoinableGroups"
            )));
        }
        if !Self::first_meeting_ahead(&cohort, start) {
            return Err(AppError::FailedPrecondition(format!(
                "group {group_id} has already had its first meeting; ask the course admins"
            )));
        }
        if !self.can_make(&cohort, user_id, start).await? {
            return Err(AppError::FailedPrecondition(format!(
                "your availability does not cover {} UTC in every week of the cohort: update it or pick another group",
                describe(start)
            )));
        }
        // Checked again where it is written, under the group's and the
        // learner's locks: concurrent joins see each other.
        let max = Params::default().max_size as i64;
        match self
            .state
            .store
            .join_group(cohort.id, group_id, user_id, max)
            .await?
        {
            JoinOutcome::Joined => {}
            JoinOutcome::Full => {
                return Err(AppError::FailedPrecondition(format!(
                    "group {group_id} is full; pick another from ListJoinableGroups"
                )));
            }
            JoinOutcome::AlreadyIn(current) => {
                return Err(AppError::FailedPrecondition(format!(
                    "you are already in group {current} of this cohort"
                )));
            }
        }
        self.groups(cohort.id)
            .await?
            .into_iter()
            .find(|g| g.id == group_id)
            .ok_or_else(|| AppError::Internal("joined group vanished".into()))
    }
}
