//! Meetings, RSVPs and attendance, and the reminder jobs each meeting has.

use chrono::{DateTime, Utc};

use super::jobs::ask_again;
use super::locks::{BeginLocked, Lock};
use super::{Store, StoreResult, on_backend};
use crate::calendar::CalendarJob;
use crate::clock;
use crate::domain::{GroupId, MeetingId, MeetingStatus, Rsvp, UserId};
use crate::meetings::reminders::Reminder;
use crate::meetings::schedule::{MEETING_MINUTES, week_after};

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MeetingRecord {
    /// Id.
    pub id: MeetingId,
    /// Its group.
    pub group_id: GroupId,
    /// 1..N; `None` once postponed.
    pub number: Option<i64>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// Length.
    pub minutes: i64,
    /// Scheduled or postponed.
    pub status: MeetingStatus,
}

/// One person's answer and attendance at one meeting.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttendanceRecord {
    /// The meeting.
    pub meeting_id: MeetingId,
    /// The person.
    pub user_id: UserId,
    /// Their answer.
    pub rsvp: Rsvp,
    /// Whether they came, once recorded.
    pub attended: Option<bool>,
}

/// One of a person's meetings, with their answer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MyMeetingRecord {
    /// The meeting.
    #[sqlx(flatten)]
    pub meeting: MeetingRecord,
    /// Its group's name.
    pub group_name: String,
    /// Its cohort's course.
    pub course_slug: String,
    /// Their answer (pending without one).
    pub rsvp: Option<Rsvp>,
    /// Whether they came, once recorded.
    pub attended: Option<bool>,
}

const MEETING_COLUMNS: &str = "m.id, m.group_id, m.number, m.starts_at, m.minutes, m.status";

/// Inserts group `$group`'s meetings at `$starts` (numbered from 1) and
/// their reminder jobs inside the caller's transaction `$tx`, at `$now`.
/// Evaluates to the number of jobs queued.
macro_rules! schedule_meetings {
    ($tx:expr, $group:expr, $starts:expr, $now:expr) => {{
        let mut queued = 0u64;
        for (number, starts_at) in (1i64..).zip($starts.iter()) {
            let id =
                $crate::store::meetings::insert_meeting!($tx, $group, number, *starts_at, $now);
            queued += $crate::store::meetings::queue_reminders!($tx, id, *starts_at, $now);
        }
        queued
    }};
}
pub(crate) use schedule_meetings;

/// Inserts one meeting; evaluates to its id.
macro_rules! insert_meeting {
    ($tx:expr, $group:expr, $number:expr, $starts_at:expr, $now:expr) => {{
        let id: $crate::domain::MeetingId = sqlx::query_scalar(
            "INSERT INTO meetings (group_id, number, starts_at, minutes, status, created_at) \
             VALUES ($1, $2, $3, $4, 'scheduled', $5) RETURNING id",
        )
        .bind($group)
        .bind($number)
        .bind($starts_at)
        .bind($crate::meetings::schedule::MEETING_MINUTES)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await?;
        id
    }};
}
pub(crate) use insert_meeting;

/// Queues a meeting's reminders, each due before `$starts_at`; evaluates
/// to the number queued.
macro_rules! queue_reminders {
    ($tx:expr, $meeting:expr, $starts_at:expr, $now:expr) => {{
        let mut queued = 0u64;
        for reminder in $crate::meetings::reminders::Reminder::ALL {
            queued += sqlx::query($crate::store::jobs::ENQUEUE)
                .bind(reminder.kind())
                .bind($crate::meetings::reminders::Reminder::payload($meeting))
                .bind(reminder.key($meeting))
                .bind(reminder.due($starts_at))
                .bind($now)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
        }
        queued
    }};
}
pub(crate) use queue_reminders;

impl Store {
    /// A meeting.
    pub async fn meeting(&self, id: MeetingId) -> StoreResult<Option<MeetingRecord>> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.id = $1");
        let found = on_backend!(self, |pool| {
            sqlx::query_as::<_, MeetingRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found)
    }

    /// A group's meetings, postponed ones too, by start.
    pub async fn meetings_of_group(&self, group_id: GroupId) -> StoreResult<Vec<MeetingRecord>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.group_id = $1 ORDER BY m.starts_at, m.id"
        );
        let found = on_backend!(self, |pool| {
            sqlx::query_as::<_, MeetingRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(group_id)
                .fetch_all(pool)
                .await?
        });
        Ok(found)
    }

    /// Answers and attendance recorded for a group's meetings.
    pub async fn attendance_of_group(
        &self,
        group_id: GroupId,
    ) -> StoreResult<Vec<AttendanceRecord>> {
        let sql = "SELECT a.meeting_id, a.user_id, a.rsvp, a.attended FROM attendances a \
                   JOIN meetings m ON m.id = a.meeting_id WHERE m.group_id = $1";
        let found = on_backend!(self, |pool| {
            sqlx::query_as::<_, AttendanceRecord>(sql)
                .bind(group_id)
                .fetch_all(pool)
                .await?
        });
        Ok(found)
    }

    /// The scheduled meetings of `user_id`'s active groups from when they
    /// joined (a late joiner has only the meetings after), by start.
    pub async fn meetings_of_member(&self, user_id: UserId) -> StoreResult<Vec<MyMeetingRecord>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS}, g.name AS group_name, c.course_slug, a.rsvp, a.attended \
             FROM group_members gm JOIN groups g ON g.id = gm.group_id \
             JOIN cohorts c ON c.id = g.cohort_id \
             JOIN meetings m ON m.group_id = g.id \
             LEFT JOIN attendances a ON a.meeting_id = m.id AND a.user_id = gm.user_id \
             WHERE gm.user_id = $1 AND gm.status = 'active' AND g.status = 'active' \
               AND m.status = 'scheduled' AND m.starts_at >= gm.joined_at \
             ORDER BY m.starts_at, m.id"
        );
        let found = on_backend!(self, |pool| {
            sqlx::query_as::<_, MyMeetingRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(user_id)
                .fetch_all(pool)
                .await?
        });
        Ok(found)
    }

    /// Records `user_id`'s answer for a meeting.
    pub async fn set_rsvp(
        &self,
        meeting: MeetingId,
        user_id: UserId,
        rsvp: Rsvp,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO attendances (meeting_id, user_id, rsvp, rsvp_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (meeting_id, user_id) DO UPDATE SET rsvp = excluded.rsvp, rsvp_at = excluded.rsvp_at";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(meeting)
                .bind(user_id)
                .bind(rsvp)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Records whether `user_id` came to a meeting.
    pub async fn record_attendance(
        &self,
        meeting: MeetingId,
        user_id: UserId,
        attended: bool,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO attendances (meeting_id, user_id, attended, recorded_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (meeting_id, user_id) DO UPDATE SET attended = excluded.attended, recorded_at = excluded.recorded_at";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(meeting)
                .bind(user_id)
                .bind(attended)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Postpones scheduled meeting `id` of group `group_id`: it keeps its
    /// row without a number, the later meetings take the numbers down, one
    /// is added a week after the last, its reminders are called off and
    /// the new one's queued, in one transaction under the group's lock.
    /// The added meeting, or `None` if `id` was not scheduled.
    pub async fn postpone_meeting(
        &self,
        group_id: GroupId,
        id: MeetingId,
    ) -> StoreResult<Option<MeetingRecord>> {
        let now = clock::now();
        let added = on_backend!(self, |pool| {
            let mut tx = pool.begin_locked(&[Lock::Group(group_id)]).await?;
            let number: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT number FROM meetings WHERE id = $1 AND group_id = $2 AND status = 'scheduled'",
            )
            .bind(id)
            .bind(group_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(Some(number)) = number else {
                return Ok(None);
            };
            sqlx::query("UPDATE meetings SET status = 'postponed', number = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE meetings SET number = number - 1 \
                 WHERE group_id = $1 AND status = 'scheduled' AND number > $2",
            )
            .bind(group_id)
            .bind(number)
            .execute(&mut *tx)
            .await?;
            let (count, last): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
                "SELECT COUNT(*), MAX(starts_at) FROM meetings WHERE group_id = $1 AND status = 'scheduled'",
            )
            .bind(group_id)
            .fetch_one(&mut *tx)
            .await?;
            let starts_at = week_after(last.unwrap_or(now));
            let new_id = insert_meeting!(tx, group_id, count + 1, starts_at, now);
            for reminder in Reminder::ALL {
                sqlx::query(
                    "UPDATE jobs SET state = 'cancelled', finished_at = $2 \
                     WHERE idempotency_key = $1 AND state = 'pending'",
                )
                .bind(reminder.key(id))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            queue_reminders!(tx, new_id, starts_at, now);
            // The calendar cancels that week and lengthens the series.
            ask_again!(&mut *tx, CalendarJob::SyncGroup(group_id), now)?;
            tx.commit().await?;
            Some(MeetingRecord {
                id: new_id,
                group_id,
                number: Some(count + 1),
                starts_at,
                minutes: MEETING_MINUTES,
                status: MeetingStatus::Scheduled,
            })
        });
        Ok(added)
    }
}
