//! What a group's calendar event is made from, and what the calendar
//! sync records: the event's generation, cancelled instances, and the
//! guests' answers read back.

use chrono::{DateTime, Utc};

use super::locks::{BeginLocked, Lock};
use super::{Store, StoreResult, on_backend};
use crate::clock;
use crate::domain::{GroupId, GroupStatus, MeetingId, Rsvp, UserId};

/// A group as its calendar event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarGroup {
    /// Name.
    pub name: String,
    /// Its cohort's course.
    pub course_slug: String,
    /// Active groups have events.
    pub status: GroupStatus,
    /// Which event id is current (see `calendar::series::event_id`).
    pub generation: i64,
    /// Whether the event of this generation was created.
    pub created: bool,
    /// Active members with an email address, by id.
    pub guests: Vec<(UserId, String)>,
    /// Postponed meetings whose instance is already cancelled.
    pub cancelled: Vec<MeetingId>,
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    name: String,
    course_slug: String,
    status: GroupStatus,
    generation: Option<i64>,
    created: Option<bool>,
}

impl Store {
    /// Group `group_id` as its calendar event shows it.
    pub async fn calendar_group(&self, group_id: GroupId) -> StoreResult<Option<CalendarGroup>> {
        let group_sql = "SELECT g.name, c.course_slug, g.status, e.generation, e.created \
                         FROM groups g JOIN cohorts c ON c.id = g.cohort_id \
                         LEFT JOIN calendar_events e ON e.group_id = g.id WHERE g.id = $1";
        let guests_sql = "SELECT u.id, u.email FROM group_members m JOIN users u ON u.id = m.user_id \
                          WHERE m.group_id = $1 AND m.status = 'active' AND u.email IS NOT NULL \
                          ORDER BY u.id";
        let cancelled_sql = "SELECT id FROM meetings WHERE group_id = $1 AND calendar_cancelled";
        let found = on_backend!(self, |pool| {
            let row = sqlx::query_as::<_, GroupRow>(group_sql)
                .bind(group_id)
                .fetch_optional(pool)
                .await?;
            match row {
                None => None,
                Some(row) => {
                    let guests = sqlx::query_as::<_, (UserId, String)>(guests_sql)
                        .bind(group_id)
                        .fetch_all(pool)
                        .await?;
                    let cancelled = sqlx::query_scalar::<_, MeetingId>(cancelled_sql)
                        .bind(group_id)
                        .fetch_all(pool)
                        .await?;
                    Some(CalendarGroup {
                        name: row.name,
                        course_slug: row.course_slug,
                        status: row.status,
                        generation: row.generation.unwrap_or(0),
                        created: row.created.unwrap_or(false),
                        guests,
                        cancelled,
                    })
                }
            }
        });
        Ok(found)
    }

    /// Records that the event of `generation` exists in the calendar.
    pub async fn calendar_event_created(
        &self,
        group_id: GroupId,
        generation: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO calendar_events (group_id, generation, created, synced_at) VALUES ($1, $2, TRUE, $3) \
                   ON CONFLICT (group_id) DO UPDATE SET created = TRUE, synced_at = excluded.synced_at \
                   WHERE calendar_events.generation = excluded.generation";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(group_id)
                .bind(generation)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Records that the event of `generation` was deleted in the calendar:
    /// the next sync makes one under the next generation, with the
    /// postponed meetings' instances to cancel again. A sync that read an
    /// older generation changes nothing.
    pub async fn calendar_event_gone(&self, group_id: GroupId, generation: i64) -> StoreResult<()> {
        on_backend!(self, |pool| {
            let mut tx = pool.begin_locked(&[Lock::Group(group_id)]).await?;
            let moved = sqlx::query(
                "INSERT INTO calendar_events (group_id, generation, created) VALUES ($1, $2 + 1, FALSE) \
                 ON CONFLICT (group_id) DO UPDATE SET generation = excluded.generation, created = FALSE \
                 WHERE calendar_events.generation = $2",
            )
            .bind(group_id)
            .bind(generation)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 1 {
                sqlx::query("UPDATE meetings SET calendar_cancelled = FALSE WHERE group_id = $1")
                    .bind(group_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records that a postponed meeting's instance is cancelled.
    pub async fn calendar_instance_cancelled(&self, meeting: MeetingId) -> StoreResult<()> {
        on_backend!(self, |pool| {
            sqlx::query("UPDATE meetings SET calendar_cancelled = TRUE WHERE id = $1")
                .bind(meeting)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Records what the calendar says `user_id` answered for a meeting.
    /// The RSVP follows only when the calendar's answer changed since the
    /// last pull (so an answer given in Lens since stands), and "not
    /// answered yet" never replaces an answer. True if the RSVP changed.
    pub async fn apply_calendar_rsvp(
        &self,
        meeting: MeetingId,
        user_id: UserId,
        answer: Rsvp,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // One statement: a concurrent RSVP in Lens is either before it (and
        // kept unless the calendar's answer is new) or after it (and wins).
        let sql = "INSERT INTO attendances (meeting_id, user_id, rsvp, rsvp_at, calendar_rsvp) VALUES ($1, $2, $3, $4, $3) \
                   ON CONFLICT (meeting_id, user_id) DO UPDATE SET \
                     rsvp = CASE WHEN attendances.calendar_rsvp IS NOT DISTINCT FROM excluded.calendar_rsvp \
                                   OR (excluded.rsvp = 'pending' AND attendances.rsvp <> 'pending') \
                                 THEN attendances.rsvp ELSE excluded.rsvp END, \
                     rsvp_at = CASE WHEN attendances.calendar_rsvp IS NOT DISTINCT FROM excluded.calendar_rsvp \
                                   OR (excluded.rsvp = 'pending' AND attendances.rsvp <> 'pending') \
                                 THEN attendances.rsvp_at ELSE excluded.rsvp_at END, \
                     calendar_rsvp = excluded.calendar_rsvp \
                   WHERE attendances.calendar_rsvp IS DISTINCT FROM excluded.calendar_rsvp";
        let changed = on_backend!(self, |pool| {
            let before: Option<Rsvp> = sqlx::query_scalar(
                "SELECT rsvp FROM attendances WHERE meeting_id = $1 AND user_id = $2",
            )
            .bind(meeting)
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
            sqlx::query(sql)
                .bind(meeting)
                .bind(user_id)
                .bind(answer)
                .bind(now)
                .execute(pool)
                .await?;
            let after: Option<Rsvp> = sqlx::query_scalar(
                "SELECT rsvp FROM attendances WHERE meeting_id = $1 AND user_id = $2",
            )
            .bind(meeting)
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
            before.unwrap_or(Rsvp::Pending) != after.unwrap_or(Rsvp::Pending)
        });
        Ok(changed)
    }

    /// Whether group `group_id`'s calendar event has been made.
    pub async fn calendar_event_exists(&self, group_id: GroupId) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM calendar_events WHERE group_id = $1 AND created)";
        let yes = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, bool>(sql)
                .bind(group_id)
                .fetch_one(pool)
                .await?
        });
        Ok(yes)
    }

    /// Active groups whose calendar event exists (their answers are read
    /// back every six hours).
    pub async fn groups_with_calendar_events(&self) -> StoreResult<Vec<GroupId>> {
        let sql = "SELECT g.id FROM groups g JOIN calendar_events e ON e.group_id = g.id \
                   WHERE g.status = 'active' AND e.created ORDER BY g.id";
        let ids = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, GroupId>(sql)
                .fetch_all(pool)
                .await?
        });
        Ok(ids)
    }
}
