//! Course sessions: each committed group's weekly meetings, who said they
//! would come and who came, postponing one, and the reminders before each.
//! The rules are here; `MeetingService` parses, calls these and converts.

pub mod ics;
pub mod reading;
pub mod remind;
pub mod reminders;
pub mod schedule;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::auth::UserCaller;
use crate::calendar::CalendarJob;
use crate::clock;
use crate::domain::{CohortRole, GroupId, MeetingId, MeetingStatus, Rsvp, UserId};
use crate::error::{AppError, AppResult};
use crate::store::{
    AttendanceRecord, CohortRecord, GroupInfo, MeetingRecord, MemberRecord, MyMeetingRecord, Store,
};

/// The schedules of `groups` of `cohort`: each group's meeting starts.
pub fn schedules(
    cohort: &CohortRecord,
    groups: &[GroupInfo],
) -> HashMap<GroupId, Vec<DateTime<Utc>>> {
    groups
        .iter()
        .map(|g| {
            let starts = schedule::meeting_starts(
                cohort.start_date,
                cohort.meeting_count.max(0) as u32,
                g.meeting_start_slot,
                &g.meeting_anchor,
                g.meeting_local_slot,
            );
            (g.id, starts)
        })
        .collect()
}

/// A group's meetings with its members and what each said and did.
#[derive(Debug, Clone)]
pub struct GroupMeetings {
    /// The meetings, postponed ones too, by start.
    pub meetings: Vec<MeetingRecord>,
    /// The group's active members, facilitator first.
    pub members: Vec<MemberRecord>,
    /// Answers recorded, with attendance when the caller leads the group.
    pub attendance: Vec<AttendanceRecord>,
    /// Whether the caller leads the group (facilitator or admin).
    pub can_lead: bool,
}

/// The meeting rules over the store.
#[derive(Debug, Clone)]
pub struct Meetings {
    store: Store,
}

impl Meetings {
    /// Meetings kept in `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The caller's meetings, from when they joined their groups.
    pub async fn mine(&self, user: UserId) -> AppResult<Vec<MyMeetingRecord>> {
        Ok(self.store.meetings_of_member(user).await?)
    }

    async fn meeting(&self, id: MeetingId) -> AppResult<MeetingRecord> {
        self.store
            .meeting(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no meeting with id {id}")))
    }

    async fn members(&self, group: GroupId) -> AppResult<Vec<MemberRecord>> {
        Ok(self
            .store
            .group_with_members(group)
            .await?
            .map(|(_, members)| members)
            .unwrap_or_default())
    }

    /// Refused unless `caller` facilitates group `group` or is an admin.
    fn leads(caller: &UserCaller, members: &[MemberRecord]) -> AppResult<()> {
        let facilitates = members
            .iter()
            .any(|m| m.user_id == caller.id && m.role == CohortRole::Facilitator);
        if facilitates || caller.is_admin {
            Ok(())
        } else {
            Err(AppError::PermissionDenied(
                "only the group's facilitator or an admin may do this".into(),
            ))
        }
    }

    /// Group `group`'s meetings with everyone's answers, for its members,
    /// its facilitator and admins; attendance only for those who lead it.
    pub async fn of_group(&self, caller: &UserCaller, group: GroupId) -> AppResult<GroupMeetings> {
        let members = self.members(group).await?;
        let can_lead = Self::leads(caller, &members).is_ok();
        if !can_lead && !members.iter().any(|m| m.user_id == caller.id) {
            return Err(AppError::PermissionDenied(
                "only the group's members, its facilitator and admins see its meetings".into(),
            ));
        }
        let mut attendance = self.store.attendance_of_group(group).await?;
        if !can_lead {
            for record in &mut attendance {
                record.attended = None;
            }
        }
        Ok(GroupMeetings {
            meetings: self.store.meetings_of_group(group).await?,
            attendance,
            members,
            can_lead,
        })
    }

    /// Asks for group `group`'s calendar event to be brought up to date
    /// and its guests' answers read now, as its facilitator or an admin.
    pub async fn refresh_calendar(
        &self,
        caller: &UserCaller,
        group: GroupId,
        calendar_on: bool,
    ) -> AppResult<()> {
        if self.store.group_info(group).await?.is_none() {
            return Err(AppError::NotFound(format!("no group with id {group}")));
        }
        Self::leads(caller, &self.members(group).await?)?;
        if !calendar_on {
            return Err(AppError::FailedPrecondition(
                "Google Calendar is off on this site; members can add meetings with the .ics file"
                    .into(),
            ));
        }
        let now = clock::now();
        for job in [CalendarJob::SyncGroup(group), CalendarJob::PullRsvps(group)] {
            self.store
                .ask_again_job(job.kind(), &job.payload(), &job.key(), now)
                .await?;
        }
        Ok(())
    }

    /// Records the caller's answer for a meeting of their group still ahead.
    pub async fn rsvp(&self, caller: UserId, id: MeetingId, rsvp: Rsvp) -> AppResult<()> {
        let meeting = self.meeting(id).await?;
        if !self
            .members(meeting.group_id)
            .await?
            .iter()
            .any(|m| m.user_id == caller)
        {
            return Err(AppError::PermissionDenied(format!(
                "meeting {id} is not one of your group's"
            )));
        }
        if meeting.status == MeetingStatus::Postponed {
            return Err(AppError::FailedPrecondition(format!(
                "meeting {id} was postponed; answer for the one that took its place"
            )));
        }
        if meeting.starts_at <= clock::now() {
            return Err(AppError::FailedPrecondition(format!(
                "meeting {id} has already begun"
            )));
        }
        Ok(self.store.set_rsvp(id, caller, rsvp).await?)
    }

    /// Records whether `user` came to a meeting that has begun, as its
    /// group's facilitator (or an admin).
    pub async fn record_attendance(
        &self,
        caller: &UserCaller,
        id: MeetingId,
        user: UserId,
        attended: bool,
    ) -> AppResult<()> {
        let meeting = self.meeting(id).await?;
        let members = self.members(meeting.group_id).await?;
        Self::leads(caller, &members)?;
        if !members.iter().any(|m| m.user_id == user) {
            return Err(AppError::FailedPrecondition(format!(
                "user {user} is not in this meeting's group"
            )));
        }
        if meeting.status == MeetingStatus::Postponed || meeting.starts_at > clock::now() {
            return Err(AppError::FailedPrecondition(format!(
                "meeting {id} has not taken place; record attendance once it begins"
            )));
        }
        Ok(self.store.record_attendance(id, user, attended).await?)
    }

    /// Postpones a meeting still ahead, as its group's facilitator or an
    /// admin; the meeting added at the end.
    pub async fn postpone(&self, caller: &UserCaller, id: MeetingId) -> AppResult<MeetingRecord> {
        let meeting = self.meeting(id).await?;
        Self::leads(caller, &self.members(meeting.group_id).await?)?;
        if meeting.starts_at <= clock::now() {
            return Err(AppError::FailedPrecondition(format!(
                "meeting {id} has already begun"
            )));
        }
        self.store
            .postpone_meeting(meeting.group_id, id)
            .await?
            .ok_or_else(|| {
                AppError::FailedPrecondition(format!("meeting {id} is already postponed"))
            })
    }
}
