//! Changes to groups after a proposal: admin moves within preview groups,
//! and late learners joining active groups. The rules are here; the store
//! re-checks the ones concurrent callers could break (room in a group, one
//! group per learner) where it writes.

use chrono::{Duration, TimeZone, Utc};

use super::Cohorts;
use super::proposal::signed_up;
use crate::clock;
use crate::domain::{
    CohortId, CohortRole, CohortStatus, GroupId, GroupStatus, LeaveReason, UserId,
};
use crate::error::{AppError, AppResult};
use crate::matching::Params;
use crate::matching::availability::{meeting_weeks, weekly_starts};
use crate::matching::times::MeetingTime;
use crate::store::{CohortRecord, GroupInfo, JoinOutcome, MoveOutcome};

impl Cohorts {
    /// Whether `user_id` can make a meeting at `time` in every week of the
    /// cohort, each week on its own date.
    async fn can_make(
        &self,
        cohort: &CohortRecord,
        user_id: UserId,
        time: &MeetingTime,
    ) -> AppResult<bool> {
        let weeks = meeting_weeks(cohort.start_date, cohort.meeting_count as u32);
        let Some(stored) = self.store.availability(user_id).await? else {
            return Ok(false);
        };
        let person = signed_up(
            user_id,
            &stored.timezone,
            &stored.available,
            &stored.if_needed,
            None,
        );
        let Some(zone) = person.zone else {
            return Ok(false);
        };
        let (usable, _) =
            weekly_starts(zone, &weeks, &person.local, Params::default().meeting_slots);
        Ok(time.makeable_with(&usable))
    }

    /// A group's weekly time, week by week over the cohort.
    fn time_of(cohort: &CohortRecord, group: &GroupInfo) -> MeetingTime {
        let weeks = meeting_weeks(cohort.start_date, cohort.meeting_count as u32);
        MeetingTime::stored(
            group.meeting_start_slot as usize,
            &group.meeting_anchor,
            group.meeting_local_slot.map(|s| s as usize),
            &weeks,
        )
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

    /// Moves learner `user_id` into preview group `to_group_id` of cohort
    /// `cohort_id`; the soft rules the move breaks, in words.
    pub async fn move_learner(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
        to_group_id: GroupId,
    ) -> AppResult<Vec<String>> {
        let cohort = self.cohort(cohort_id).await?;
        match cohort.status {
            CohortStatus::Planned => {}
            CohortStatus::Active => return self.move_active(&cohort, user_id, to_group_id).await,
            _ => {
                return Err(AppError::FailedPrecondition(format!(
                    "cohort {} is {}: its groups no longer change",
                    cohort.id, cohort.status
                )));
            }
        }
        let target = self.preview_group(&cohort, to_group_id).await?;
        if self.store.signup_role(cohort.id, user_id).await? != Some(CohortRole::Learner) {
            return Err(AppError::FailedPrecondition(format!(
                "user {} is not signed up for cohort {} as a learner",
                user_id, cohort.id
            )));
        }
        let from = self
            .store
            .member_group(cohort.id, user_id, GroupStatus::Preview)
            .await?;
        if from == Some(target.id) {
            return Ok(Vec::new());
        }
        let max = Params::default().max_size as i64;
        if target.members >= max {
            return Err(AppError::FailedPrecondition(format!(
                "group {} is full ({max} members); move someone out first",
                target.id
            )));
        }
        let mut warnings = Vec::new();
        let time = Self::time_of(&cohort, &target);
        if !self.can_make(&cohort, user_id, &time).await? {
            warnings.push(format!(
                "{} cannot make {} in every week of the cohort",
                self.name_of(user_id).await?,
                time.describe()
            ));
        }
        self.store
            .move_learner(cohort.id, user_id, target.id)
            .await?;
        if let Some(from) = from {
            warnings.extend(self.below_minimum(from).await?);
        }
        Ok(warnings)
    }

    /// The warning for group `group` if a move left it below the minimum.
    async fn below_minimum(&self, group: GroupId) -> AppResult<Option<String>> {
        let min = Params::default().min_size;
        Ok(self
            .store
            .group_info(group)
            .await?
            .filter(|left| left.members < min as i64)
            .map(|left| {
                format!(
                    "{} now has {} members, fewer than the minimum of {min}",
                    left.name, left.members
                )
            }))
    }

    /// A person's name as groups show it, for warnings.
    async fn name_of(&self, user_id: UserId) -> AppResult<String> {
        Ok(self
            .store
            .user_by_id(user_id)
            .await?
            .map(|u| u.nickname.unwrap_or(u.discord_username))
            .unwrap_or_else(|| format!("user {user_id}")))
    }

    /// Moves learner `user_id` of running cohort `cohort` into its active
    /// group `to_group_id`; the soft rules the move breaks, in words. Their
    /// old group's Discord role goes, the new one's comes.
    async fn move_active(
        &self,
        cohort: &CohortRecord,
        user_id: UserId,
        to_group_id: GroupId,
    ) -> AppResult<Vec<String>> {
        let target = match self.store.group_info(to_group_id).await? {
            Some(group) if group.cohort_id == cohort.id && group.status == GroupStatus::Active => {
                group
            }
            Some(_) => {
                return Err(AppError::FailedPrecondition(format!(
                    "group {to_group_id} is not an active group of cohort {}",
                    cohort.id
                )));
            }
            None => {
                return Err(AppError::NotFound(format!(
                    "no group with id {to_group_id}"
                )));
            }
        };
        if self.store.signup_role(cohort.id, user_id).await? != Some(CohortRole::Learner) {
            return Err(AppError::FailedPrecondition(format!(
                "user {} is not signed up for cohort {} as a learner",
                user_id, cohort.id
            )));
        }
        let mut warnings = Vec::new();
        let time = Self::time_of(cohort, &target);
        if !self.can_make(cohort, user_id, &time).await? {
            warnings.push(format!(
                "{} cannot make {} in every week of the cohort",
                self.name_of(user_id).await?,
                time.describe()
            ));
        }
        let max = Params::default().max_size as i64;
        match self
            .store
            .move_active_learner(cohort.id, user_id, target.id, max)
            .await?
        {
            MoveOutcome::Full => Err(AppError::FailedPrecondition(format!(
                "group {} is full ({max} members); move someone out first",
                target.id
            ))),
            MoveOutcome::Moved(from) => {
                if let Some(from) = from.filter(|from| *from != target.id) {
                    warnings.extend(self.below_minimum(from).await?);
                }
                Ok(warnings)
            }
        }
    }

    /// Takes `user_id` out of active group `group_id`: themself (`by_admin`
    /// false) or by an admin, for `reason`. Facilitators are moved by
    /// admins, not taken out: a group needs one.
    pub async fn leave(
        &self,
        group_id: GroupId,
        user_id: UserId,
        by_admin: bool,
        reason: LeaveReason,
    ) -> AppResult<()> {
        let group = self
            .store
            .group_info(group_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no group with id {group_id}")))?;
        if group.status != GroupStatus::Active {
            return Err(AppError::FailedPrecondition(format!(
                "group {group_id} is not active"
            )));
        }
        if self.store.signup_role(group.cohort_id, user_id).await? == Some(CohortRole::Facilitator)
        {
            return Err(AppError::FailedPrecondition(
                "a facilitator cannot leave their group here: ask the course admins to hand it over"
                    .into(),
            ));
        }
        if !self
            .store
            .leave_group(group_id, user_id, by_admin, reason)
            .await?
        {
            return Err(AppError::FailedPrecondition(format!(
                "user {user_id} is not a member of group {group_id}"
            )));
        }
        Ok(())
    }

    async fn preview_group(
        &self,
        cohort: &CohortRecord,
        group_id: GroupId,
    ) -> AppResult<GroupInfo> {
        match self.store.group_info(group_id).await? {
            Some(group) if group.cohort_id == cohort.id && group.status == GroupStatus::Preview => {
                Ok(group)
            }
            Some(_) => Err(AppError::FailedPrecondition(format!(
                "group {group_id} is not a preview group of cohort {}",
                cohort.id
            ))),
            None => Err(AppError::NotFound(format!("no group with id {group_id}"))),
        }
    }

    /// The groups of cohort `cohort_id` that `user_id` may join now, smallest
    /// first: active, with room, first meeting ahead, at a time they can make.
    pub async fn joinable(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
    ) -> AppResult<Vec<GroupInfo>> {
        let cohort = self.cohort(cohort_id).await?;
        // Groups show their members' names: only to people in the cohort.
        if self.store.signup_role(cohort.id, user_id).await?.is_none() {
            return Err(AppError::FailedPrecondition(format!(
                "sign up for cohort {} to see its groups",
                cohort.id
            )));
        }
        let max = Params::default().max_size as i64;
        // Their own group is not one to join (the others are to switch to).
        let current = self
            .store
            .member_group(cohort.id, user_id, GroupStatus::Active)
            .await?;
        let mut open: Vec<GroupInfo> = Vec::new();
        for group in self.store.group_infos(cohort.id).await? {
            let time = Self::time_of(&cohort, &group);
            if group.status == GroupStatus::Active
                && Some(group.id) != current
                && group.members < max
                && Self::first_meeting_ahead(&cohort, time.first_utc_start())
                && self.can_make(&cohort, user_id, &time).await?
            {
                open.push(group);
            }
        }
        open.sort_by_key(|g| (g.members, g.id));
        Ok(open)
    }

    /// Puts late learner `user_id` into active group `group_id`, or with
    /// `switch` moves them there from their active group of the cohort in
    /// one step; the group's cohort.
    pub async fn join(
        &self,
        group_id: GroupId,
        user_id: UserId,
        switch: bool,
    ) -> AppResult<CohortRecord> {
        let group = self
            .store
            .group_info(group_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no group with id {group_id}")))?;
        let cohort = self.cohort(group.cohort_id).await?;
        if group.status != GroupStatus::Active {
            return Err(AppError::FailedPrecondition(format!(
                "group {group_id} is not active; pick one from ListJoinableGroups"
            )));
        }
        if self.store.signup_role(cohort.id, user_id).await? != Some(CohortRole::Learner) {
            return Err(AppError::FailedPrecondition(format!(
                "sign up for cohort {} as a learner first",
                cohort.id
            )));
        }
        let current = self
            .store
            .member_group(cohort.id, user_id, GroupStatus::Active)
            .await?;
        match current {
            Some(current) if current == group_id => {
                return Err(AppError::FailedPrecondition(format!(
                    "you are already in group {current}"
                )));
            }
            Some(current) if !switch => {
                return Err(AppError::FailedPrecondition(format!(
                    "you are already in group {current} of this cohort; ask to switch groups (switch_group) to move"
                )));
            }
            _ => {}
        }
        let time = Self::time_of(&cohort, &group);
        if group.members >= Params::default().max_size as i64 {
            return Err(AppError::FailedPrecondition(format!(
                "group {group_id} is full; pick another from ListJoinableGroups"
            )));
        }
        if !Self::first_meeting_ahead(&cohort, time.first_utc_start()) {
            return Err(AppError::FailedPrecondition(format!(
                "group {group_id} has already had its first meeting; ask the course admins"
            )));
        }
        if !self.can_make(&cohort, user_id, &time).await? {
            return Err(AppError::FailedPrecondition(format!(
                "your availability does not cover {} in every week of the cohort: update it or pick another group",
                time.describe()
            )));
        }
        // Checked again where it is written, under the group's and the
        // learner's locks: concurrent joins see each other.
        let max = Params::default().max_size as i64;
        if switch && current.is_some() {
            return match self
                .store
                .move_active_learner(cohort.id, user_id, group_id, max)
                .await?
            {
                MoveOutcome::Moved(_) => Ok(cohort),
                MoveOutcome::Full => Err(AppError::FailedPrecondition(format!(
                    "group {group_id} is full; you stay in your group. Pick another from ListJoinableGroups"
                ))),
            };
        }
        match self
            .store
            .join_group(cohort.id, group_id, user_id, max, self.email)
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
        Ok(cohort)
    }
}
