//! Groups, their members, and the jobs their commit queues.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::jobs::{ask_again, queue_email};
use super::locks::{BeginLocked, Lock};
use super::meetings::schedule_meetings;
use super::{Store, StoreError, StoreResult, on_backend};
use crate::calendar::CalendarJob;
use crate::clock;
use crate::domain::{CohortId, CohortRole, DiscordJob, GroupId, GroupStatus, LeaveReason, UserId};
use crate::email::EmailJob;

/// How a join ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// The learner is in the group.
    Joined,
    /// The group has no room.
    Full,
    /// The learner is already in this group of the cohort.
    AlreadyIn(GroupId),
}

/// A group to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    /// Name.
    pub name: String,
    /// Weekly meeting start in the first meeting week (UTC week slot).
    pub start_slot: i64,
    /// Where the time is fixed: "UTC" or an IANA zone.
    pub anchor: String,
    /// The start in the anchor's local week.
    pub local_slot: i64,
    /// The facilitator's user id.
    pub facilitator: UserId,
    /// Learners' user ids.
    pub learners: Vec<UserId>,
}

/// A stored group member.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRecord {
    /// Group.
    pub group_id: GroupId,
    /// User.
    pub user_id: UserId,
    /// Name to show.
    pub name: String,
    /// learner / facilitator.
    pub role: CohortRole,
}

/// A stored group.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupRecord {
    /// Id.
    pub id: GroupId,
    /// Name.
    pub name: String,
    /// preview / active / completed / cancelled.
    pub status: GroupStatus,
    /// Weekly meeting start in the first meeting week (UTC week slot).
    pub meeting_start_slot: i64,
    /// Where the time is fixed: "UTC" or an IANA zone.
    pub meeting_anchor: String,
    /// The start in the anchor's local week (`None` for UTC).
    pub meeting_local_slot: Option<i64>,
    /// Its Discord text channel, once made.
    pub discord_channel_id: Option<String>,
    /// When Discord first had all of it.
    pub realized_at: Option<DateTime<Utc>>,
}

/// A group with its cohort and size.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupInfo {
    /// Id.
    pub id: GroupId,
    /// Cohort.
    pub cohort_id: CohortId,
    /// Name.
    pub name: String,
    /// preview / active / completed / cancelled.
    pub status: GroupStatus,
    /// Weekly meeting start in the first meeting week (UTC week slot).
    pub meeting_start_slot: i64,
    /// Where the time is fixed: "UTC" or an IANA zone.
    pub meeting_anchor: String,
    /// The start in the anchor's local week (`None` for UTC).
    pub meeting_local_slot: Option<i64>,
    /// Active members, facilitator included.
    pub members: i64,
}

/// Makes a learner an active member of a group (bind group, cohort, user,
/// now); someone who left it and comes back takes their old row again.
const REJOIN: &str = "INSERT INTO group_members (group_id, cohort_id, user_id, role, joined_at) VALUES ($1, $2, $3, 'learner', $4) \
     ON CONFLICT (group_id, user_id) DO UPDATE SET status = 'active', role = 'learner', \
       joined_at = excluded.joined_at, left_at = NULL, left_reason = NULL";

/// How a move between active groups ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOutcome {
    /// Moved, from this group if they were in one.
    Moved(Option<GroupId>),
    /// The target has no room.
    Full,
}

/// Asks, inside the caller's transaction `$tx`, for everything that
/// mirrors group `$group` elsewhere to match it again: its Discord state
/// and its calendar event. Evaluates to the jobs written.
macro_rules! resync_group {
    ($tx:expr, $group:expr, $now:expr) => {{
        let group: GroupId = $group;
        ask_again!(&mut *$tx, DiscordJob::SyncGroup(group), $now)?
            + ask_again!(&mut *$tx, CalendarJob::SyncGroup(group), $now)?
    }};
}

impl Store {
    /// Replaces a cohort's preview groups and records why each unplaced
    /// learner was left out, in one transaction.
    pub async fn replace_preview_groups(
        &self,
        cohort_id: CohortId,
        groups: &[NewGroup],
        unplaced: &[(UserId, &str)],
    ) -> StoreResult<Vec<GroupId>> {
        let now = clock::now();
        let ids = on_backend!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM group_members WHERE group_id IN (SELECT id FROM groups WHERE cohort_id = $1 AND status = 'preview')")
                .bind(cohort_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM groups WHERE cohort_id = $1 AND status = 'preview'")
                .bind(cohort_id)
                .execute(&mut *tx)
                .await?;
            let mut ids = Vec::with_capacity(groups.len());
            for group in groups {
                let id: GroupId = sqlx::query_scalar(
                    "INSERT INTO groups (cohort_id, name, status, meeting_start_slot, meeting_anchor, meeting_local_slot, created_at) \
                     VALUES ($1, $2, 'preview', $3, $4, $5, $6) RETURNING id",
                )
                .bind(cohort_id)
                .bind(&group.name)
                .bind(group.start_slot)
                .bind(&group.anchor)
                .bind((group.anchor != "UTC").then_some(group.local_slot))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let members = std::iter::once((group.facilitator, CohortRole::Facilitator))
                    .chain(group.learners.iter().map(|l| (*l, CohortRole::Learner)));
                for (user_id, role) in members {
                    sqlx::query("INSERT INTO group_members (group_id, cohort_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id)
                        .bind(cohort_id)
                        .bind(user_id)
                        .bind(role)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                ids.push(id);
            }
            sqlx::query("UPDATE signups SET ungroupable_reason = NULL WHERE cohort_id = $1")
                .bind(cohort_id)
                .execute(&mut *tx)
                .await?;
            for (user_id, reason) in unplaced {
                sqlx::query("UPDATE signups SET ungroupable_reason = $3 WHERE cohort_id = $1 AND user_id = $2")
                    .bind(cohort_id)
                    .bind(user_id)
                    .bind(*reason)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            ids
        });
        Ok(ids)
    }

    /// A cohort's groups, by meeting time then id.
    pub async fn groups_of_cohort(
        &self,
        cohort_id: CohortId,
    ) -> StoreResult<(Vec<GroupRecord>, Vec<MemberRecord>)> {
        let groups_sql = "SELECT id, name, status, meeting_start_slot, meeting_anchor, meeting_local_slot, \
                          discord_channel_id, realized_at FROM groups \
                          WHERE cohort_id = $1 ORDER BY meeting_start_slot, id";
        let members_sql = "SELECT m.group_id, m.user_id, COALESCE(u.nickname, u.discord_username) AS name, m.role \
                           FROM group_members m JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id \
                           WHERE g.cohort_id = $1 AND m.status = 'active' \
                           ORDER BY m.group_id, CASE m.role WHEN 'facilitator' THEN 0 ELSE 1 END, m.user_id";
        let result = on_backend!(self, |pool| {
            let groups = sqlx::query_as::<_, GroupRecord>(groups_sql)
                .bind(cohort_id)
                .fetch_all(pool)
                .await?;
            let members = sqlx::query_as::<_, MemberRecord>(members_sql)
                .bind(cohort_id)
                .fetch_all(pool)
                .await?;
            (groups, members)
        });
        Ok(result)
    }

    /// Makes a cohort's preview groups active and queues their follow-up
    /// jobs (Discord, calendar, meetings with their reminders, and with
    /// `email` each member's "your group" email), all in one transaction.
    /// Returns (groups, jobs).
    pub async fn commit_groups(
        &self,
        cohort_id: CohortId,
        schedules: &HashMap<GroupId, Vec<DateTime<Utc>>>,
        email: bool,
    ) -> StoreResult<(u64, u64, DateTime<Utc>)> {
        let now = clock::now();
        let result = on_backend!(self, |pool| {
            // Under the cohort's lock: a sign-up withdrawn meanwhile is
            // either gone before the groups are read or refused after.
            let mut tx = pool.begin_locked(&[Lock::Cohort(cohort_id)]).await?;
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM groups WHERE cohort_id = $1 AND status = 'preview' ORDER BY id",
            )
            .bind(cohort_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut queued = 0u64;
            for id in &ids {
                sqlx::query("UPDATE groups SET status = 'active' WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                queued += resync_group!(tx, GroupId(*id), now);
                // Proposed again since the schedules were worked out: the
                // caller commits again with the new groups' schedules.
                let Some(starts) = schedules.get(&GroupId(*id)) else {
                    return Err(StoreError::Contended);
                };
                queued += schedule_meetings!(tx, *id, starts, now);
                if email {
                    let members: Vec<UserId> = sqlx::query_scalar(
                        "SELECT user_id FROM group_members WHERE group_id = $1 AND status = 'active'",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    for user_id in members {
                        let group_id = GroupId(*id);
                        queued += queue_email!(
                            &mut *tx,
                            EmailJob::GroupAssigned { user_id, group_id },
                            now
                        )?;
                    }
                }
            }
            if !ids.is_empty() {
                sqlx::query("UPDATE cohorts SET status = 'active' WHERE id = $1")
                    .bind(cohort_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            (ids.len() as u64, queued)
        });
        Ok((result.0, result.1, now))
    }

    /// The active groups `user_id` is an active member of, with their
    /// cohorts, by cohort start.
    pub async fn groups_of_member(&self, user_id: UserId) -> StoreResult<Vec<(CohortId, GroupId)>> {
        let sql = "SELECT g.cohort_id, g.id FROM group_members m JOIN groups g ON g.id = m.group_id \
                   JOIN cohorts c ON c.id = g.cohort_id \
                   WHERE m.user_id = $1 AND m.status = 'active' AND g.status = 'active' \
                   ORDER BY c.start_date, g.id";
        let rows = on_backend!(self, |pool| {
            sqlx::query_as::<_, (CohortId, GroupId)>(sql)
                .bind(user_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// The course slug of a group's cohort, and its active members.
    pub async fn group_with_members(
        &self,
        group_id: GroupId,
    ) -> StoreResult<Option<(String, Vec<MemberRecord>)>> {
        let course_sql = "SELECT c.course_slug FROM groups g JOIN cohorts c ON c.id = g.cohort_id WHERE g.id = $1";
        let members_sql = "SELECT m.group_id, m.user_id, COALESCE(u.nickname, u.discord_username) AS name, m.role \
                           FROM group_members m JOIN users u ON u.id = m.user_id \
                           WHERE m.group_id = $1 AND m.status = 'active' \
                           ORDER BY CASE m.role WHEN 'facilitator' THEN 0 ELSE 1 END, m.user_id";
        let result = on_backend!(self, |pool| {
            let course: Option<String> = sqlx::query_scalar(course_sql)
                .bind(group_id)
                .fetch_optional(pool)
                .await?;
            match course {
                None => None,
                Some(course) => {
                    let members = sqlx::query_as::<_, MemberRecord>(members_sql)
                        .bind(group_id)
                        .fetch_all(pool)
                        .await?;
                    Some((course, members))
                }
            }
        });
        Ok(result)
    }

    /// A group's cohort, status, time and size.
    pub async fn group_info(&self, group_id: GroupId) -> StoreResult<Option<GroupInfo>> {
        let sql = "SELECT g.id, g.cohort_id, g.name, g.status, g.meeting_start_slot, g.meeting_anchor, g.meeting_local_slot, \
                     (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.status = 'active') AS members \
                   FROM groups g WHERE g.id = $1";
        let info = on_backend!(self, |pool| {
            sqlx::query_as::<_, GroupInfo>(sql)
                .bind(group_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(info)
    }

    /// Every group of a cohort with its size.
    pub async fn group_infos(&self, cohort_id: CohortId) -> StoreResult<Vec<GroupInfo>> {
        let sql = "SELECT g.id, g.cohort_id, g.name, g.status, g.meeting_start_slot, g.meeting_anchor, g.meeting_local_slot, \
                     (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.status = 'active') AS members \
                   FROM groups g WHERE g.cohort_id = $1 ORDER BY g.id";
        let infos = on_backend!(self, |pool| {
            sqlx::query_as::<_, GroupInfo>(sql)
                .bind(cohort_id)
                .fetch_all(pool)
                .await?
        });
        Ok(infos)
    }

    /// The group of the cohort a user is an active member of, with `status`.
    pub async fn member_group(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
        status: GroupStatus,
    ) -> StoreResult<Option<GroupId>> {
        let sql = "SELECT g.id FROM groups g JOIN group_members m ON m.group_id = g.id \
                   WHERE g.cohort_id = $1 AND m.user_id = $2 AND g.status = $3 AND m.status = 'active'";
        let id = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, GroupId>(sql)
                .bind(cohort_id)
                .bind(user_id)
                .bind(status)
                .fetch_optional(pool)
                .await?
        });
        Ok(id)
    }

    /// The role a user signed up for in a cohort.
    pub async fn signup_role(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
    ) -> StoreResult<Option<CohortRole>> {
        let sql = "SELECT role FROM signups WHERE cohort_id = $1 AND user_id = $2";
        let role = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, CohortRole>(sql)
                .bind(cohort_id)
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(role)
    }

    /// Moves a learner into a preview group, out of any other preview group
    /// of the cohort, in one transaction.
    pub async fn move_learner(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
        to_group_id: GroupId,
    ) -> StoreResult<()> {
        let now = clock::now();
        on_backend!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "DELETE FROM group_members WHERE user_id = $2 AND role = 'learner' \
                 AND group_id IN (SELECT id FROM groups WHERE cohort_id = $1 AND status = 'preview')",
            )
            .bind(cohort_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO group_members (group_id, cohort_id, user_id, role, joined_at) VALUES ($1, $2, $3, 'learner', $4)")
                .bind(to_group_id)
                .bind(cohort_id)
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE signups SET ungroupable_reason = NULL WHERE cohort_id = $1 AND user_id = $2")
                .bind(cohort_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Adds a late learner to an active group with fewer than `max_size`
    /// members and queues the Discord and calendar updates, in one step:
    /// the room and the learner's other groups are checked under the group's
    /// and the learner's locks, so concurrent joins cannot overfill a group
    /// or put a learner in two.
    pub async fn join_group(
        &self,
        cohort_id: CohortId,
        group_id: GroupId,
        user_id: UserId,
        max_size: i64,
        email: bool,
    ) -> StoreResult<JoinOutcome> {
        let now = clock::now();
        let outcome = on_backend!(self, |pool| {
            let mut tx = pool
                .begin_locked(&[Lock::User(user_id), Lock::Group(group_id)])
                .await?;
            if let Some(group) = sqlx::query_scalar::<_, GroupId>(LEARNER_GROUP)
                .bind(cohort_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?
            {
                return Ok(JoinOutcome::AlreadyIn(group));
            }
            let count: i64 = sqlx::query_scalar(ACTIVE_MEMBERS)
                .bind(group_id)
                .fetch_one(&mut *tx)
                .await?;
            if count >= max_size {
                return Ok(JoinOutcome::Full);
            }
            sqlx::query(REJOIN)
                .bind(group_id)
                .bind(cohort_id)
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let _ = resync_group!(tx, group_id, now);
            if email {
                queue_email!(&mut *tx, EmailJob::GroupAssigned { user_id, group_id }, now)?;
            }
            tx.commit().await?;
            JoinOutcome::Joined
        });
        Ok(outcome)
    }

    /// Moves learner `user_id` of active cohort `cohort_id` out of their
    /// active group (if any; that membership ends `removed`, `moved`) into
    /// active group `to` with fewer than `max_size` members, and asks for
    /// both groups' Discord syncs: one step, under the learner's and the
    /// target's locks, so a concurrent join or move cannot overfill it.
    pub async fn move_active_learner(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
        to: GroupId,
        max_size: i64,
    ) -> StoreResult<MoveOutcome> {
        let now = clock::now();
        let outcome = on_backend!(self, |pool| {
            let mut tx = pool
                .begin_locked(&[Lock::User(user_id), Lock::Group(to)])
                .await?;
            let from: Option<GroupId> = sqlx::query_scalar(LEARNER_GROUP)
                .bind(cohort_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            if from == Some(to) {
                return Ok(MoveOutcome::Moved(from));
            }
            let count: i64 = sqlx::query_scalar(ACTIVE_MEMBERS)
                .bind(to)
                .fetch_one(&mut *tx)
                .await?;
            if count >= max_size {
                return Ok(MoveOutcome::Full);
            }
            if let Some(from) = from {
                sqlx::query(LEAVE)
                    .bind(from)
                    .bind(user_id)
                    .bind("removed")
                    .bind(LeaveReason::Moved)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let _ = resync_group!(tx, from, now);
            }
            sqlx::query(REJOIN)
                .bind(to)
                .bind(cohort_id)
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let _ = resync_group!(tx, to, now);
            tx.commit().await?;
            MoveOutcome::Moved(from)
        });
        Ok(outcome)
    }

    /// Ends `user_id`'s active membership of `group_id`: `dropped` when
    /// they leave, `removed` when an admin takes them out; asks for the
    /// group's Discord sync (their role goes). Whether they were in it.
    pub async fn leave_group(
        &self,
        group_id: GroupId,
        user_id: UserId,
        by_admin: bool,
        reason: LeaveReason,
    ) -> StoreResult<bool> {
        let now = clock::now();
        let status = if by_admin { "removed" } else { "dropped" };
        let left = on_backend!(self, |pool| {
            let mut tx = pool
                .begin_locked(&[Lock::User(user_id), Lock::Group(group_id)])
                .await?;
            let left = sqlx::query(LEAVE)
                .bind(group_id)
                .bind(user_id)
                .bind(status)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if left {
                let _ = resync_group!(tx, group_id, now);
            }
            tx.commit().await?;
            left
        });
        Ok(left)
    }
}

/// The active group of a learner in a cohort (bind cohort, user).
const LEARNER_GROUP: &str = "SELECT group_id FROM group_members WHERE cohort_id = $1 AND user_id = $2 \
     AND role = 'learner' AND status = 'active'";

/// How many active members a group has (bind group).
const ACTIVE_MEMBERS: &str =
    "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND status = 'active'";

/// Ends an active membership (bind group, user, status, reason, now).
const LEAVE: &str = "UPDATE group_members SET status = $3, left_reason = $4, left_at = $5 \
     WHERE group_id = $1 AND user_id = $2 AND status = 'active'";
