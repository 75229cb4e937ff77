//! Availability, facilitators, cohorts and sign-ups.

use crate::domain::{CohortId, CohortRole, CohortStatus, UserId};
use chrono::{DateTime, NaiveDate, Utc};

use super::jobs::queue_email;
use super::locks::{BeginLocked, Lock};
use super::{Store, StoreError, StoreResult, on_backend};
use crate::clock;
use crate::email::EmailJob;

/// A user's weekly availability as stored (local week slots).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityRecord {
    /// IANA timezone of the slots.
    pub timezone: String,
    /// Available local slots, sorted.
    pub available: Vec<u16>,
    /// "If needed" local slots, sorted.
    pub if_needed: Vec<u16>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AvailabilityRow {
    timezone: String,
    available: String,
    if_needed: String,
    updated_at: DateTime<Utc>,
}

fn slots(json: &str) -> Vec<u16> {
    serde_json::from_str(json).unwrap_or_default()
}

impl From<AvailabilityRow> for AvailabilityRecord {
    fn from(row: AvailabilityRow) -> Self {
        Self {
            timezone: row.timezone,
            available: slots(&row.available),
            if_needed: slots(&row.if_needed),
            updated_at: row.updated_at,
        }
    }
}

/// One row of `cohorts`, with its sign-up count.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CohortRecord {
    /// Id.
    pub id: CohortId,
    /// Name.
    pub name: String,
    /// Course slug.
    pub course_slug: String,
    /// First meeting week.
    pub start_date: NaiveDate,
    /// Weekly meetings.
    pub meeting_count: i64,
    /// Length in days.
    pub duration_days: i64,
    /// planned / active / completed / cancelled.
    pub status: CohortStatus,
    /// Sign-ups.
    pub signup_count: i64,
}

/// What became of a request to withdraw a sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawOutcome {
    /// The sign-up (and any proposed place) is gone.
    Withdrawn,
    /// There was no sign-up to withdraw.
    NotSignedUp,
    /// The cohort's groups are committed (or it ended): too late.
    Started(CohortStatus),
    /// No such cohort.
    NoCohort,
}

/// A sign-up with what matching needs to know about the person.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MatchingSignup {
    /// The user.
    pub user_id: UserId,
    /// learner / facilitator.
    pub role: CohortRole,
    /// Name to show.
    pub name: String,
    /// Availability timezone, if given.
    pub timezone: Option<String>,
    /// Available slots (JSON), if given.
    pub available: Option<String>,
    /// If-needed slots (JSON), if given.
    pub if_needed: Option<String>,
    /// Facilitators: how many groups they may lead.
    pub max_active_groups: Option<i64>,
}

impl MatchingSignup {
    /// The stored availability, if any.
    pub fn availability(&self) -> Option<(String, Vec<u16>, Vec<u16>)> {
        Some((
            self.timezone.clone()?,
            slots(self.available.as_deref()?),
            slots(self.if_needed.as_deref()?),
        ))
    }
}

const COHORT_SELECT: &str = "SELECT c.id, c.name, c.course_slug, c.start_date, c.meeting_count, c.duration_days, c.status, \
     (SELECT COUNT(*) FROM signups s WHERE s.cohort_id = c.id) AS signup_count FROM cohorts c";

impl Store {
    /// Replaces a user's availability.
    pub async fn set_availability(
        &self,
        user_id: UserId,
        timezone: &str,
        available: &[u16],
        if_needed: &[u16],
    ) -> StoreResult<AvailabilityRecord> {
        let sql = "INSERT INTO user_availability (user_id, timezone, available, if_needed, updated_at) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
                   timezone = excluded.timezone, available = excluded.available, \
                   if_needed = excluded.if_needed, updated_at = excluded.updated_at";
        let available_json = serde_json::to_string(available).expect("numbers serialise");
        let if_needed_json = serde_json::to_string(if_needed).expect("numbers serialise");
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .bind(timezone)
                .bind(&available_json)
                .bind(&if_needed_json)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        self.availability(user_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A user's availability, if given.
    pub async fn availability(&self, user_id: UserId) -> StoreResult<Option<AvailabilityRecord>> {
        let sql = "SELECT timezone, available, if_needed, updated_at FROM user_availability WHERE user_id = $1";
        let row = on_backend!(self, |pool| {
            sqlx::query_as::<_, AvailabilityRow>(sql)
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    /// Makes a user a facilitator, or changes their group limit.
    pub async fn set_facilitator(
        &self,
        user_id: UserId,
        max_active_groups: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO facilitators (user_id, max_active_groups, certified_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (user_id) DO UPDATE SET max_active_groups = excluded.max_active_groups";
        on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .bind(max_active_groups)
                .bind(clock::now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The cohorts a user signed up for, with the role.
    pub async fn signups_of(&self, user_id: UserId) -> StoreResult<Vec<(CohortId, CohortRole)>> {
        let sql = "SELECT cohort_id, role FROM signups WHERE user_id = $1";
        let rows = on_backend!(self, |pool| {
            sqlx::query_as::<_, (CohortId, CohortRole)>(sql)
                .bind(user_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// Takes back `user_id`'s sign-up for `cohort_id`, with their place in
    /// any proposed group, if the cohort is still planned: checked and
    /// written under the cohort's lock, which committing groups also takes.
    pub async fn withdraw_signup(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
    ) -> StoreResult<WithdrawOutcome> {
        let outcome = on_backend!(self, |pool| {
            let mut tx = pool.begin_locked(&[Lock::Cohort(cohort_id)]).await?;
            let status: Option<CohortStatus> =
                sqlx::query_scalar("SELECT status FROM cohorts WHERE id = $1")
                    .bind(cohort_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match status {
                None => return Ok(WithdrawOutcome::NoCohort),
                Some(CohortStatus::Planned) => {}
                Some(other) => return Ok(WithdrawOutcome::Started(other)),
            }
            let removed = sqlx::query("DELETE FROM signups WHERE cohort_id = $1 AND user_id = $2")
                .bind(cohort_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if removed == 0 {
                return Ok(WithdrawOutcome::NotSignedUp);
            }
            sqlx::query(
                "DELETE FROM group_members WHERE user_id = $2 \
                 AND group_id IN (SELECT id FROM groups WHERE cohort_id = $1 AND status = 'preview')",
            )
            .bind(cohort_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            WithdrawOutcome::Withdrawn
        });
        Ok(outcome)
    }

    /// Whether a user is a facilitator.
    pub async fn is_facilitator(&self, user_id: UserId) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM facilitators WHERE user_id = $1)";
        let yes = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, bool>(sql)
                .bind(user_id)
                .fetch_one(pool)
                .await?
        });
        Ok(yes)
    }

    /// Creates a cohort.
    pub async fn create_cohort(
        &self,
        name: &str,
        course_slug: &str,
        start_date: NaiveDate,
        meeting_count: i64,
        duration_days: i64,
    ) -> StoreResult<CohortRecord> {
        let sql = "INSERT INTO cohorts (name, course_slug, start_date, meeting_count, duration_days, created_at) \
                   VALUES ($1, $2, $3, $4, $6, $5) RETURNING id";
        let id = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, CohortId>(sql)
                .bind(name)
                .bind(course_slug)
                .bind(start_date)
                .bind(meeting_count)
                .bind(clock::now())
                .bind(duration_days)
                .fetch_one(pool)
                .await?
        });
        self.cohort(id).await?.ok_or(StoreError::NotFound)
    }

    /// A cohort.
    pub async fn cohort(&self, id: CohortId) -> StoreResult<Option<CohortRecord>> {
        let sql = format!("{COHORT_SELECT} WHERE c.id = $1");
        let record = on_backend!(self, |pool| {
            sqlx::query_as::<_, CohortRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(record)
    }

    /// All cohorts, newest start first.
    pub async fn cohorts(&self) -> StoreResult<Vec<CohortRecord>> {
        let sql = format!("{COHORT_SELECT} ORDER BY c.start_date DESC, c.id DESC");
        let records = on_backend!(self, |pool| {
            sqlx::query_as::<_, CohortRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await?
        });
        Ok(records)
    }

    /// Signs a user up (or changes their role), and with `email` queues
    /// their welcome in the same transaction.
    pub async fn sign_up(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
        role: CohortRole,
        email: bool,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO signups (cohort_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = excluded.role";
        let now = clock::now();
        on_backend!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(sql)
                .bind(cohort_id)
                .bind(user_id)
                .bind(role)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            // Once per cohort: changing role signs up again, welcomes no more.
            if email {
                queue_email!(&mut *tx, EmailJob::Welcome { user_id, cohort_id }, now)?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many active groups a user leads in cohorts other than `cohort_id`.
    pub async fn groups_led_elsewhere(
        &self,
        cohort_id: CohortId,
        user_id: UserId,
    ) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM group_members m JOIN groups g ON g.id = m.group_id \
                   WHERE m.user_id = $1 AND m.role = 'facilitator' AND m.status = 'active' \
                   AND g.status = 'active' AND g.cohort_id <> $2";
        let count = on_backend!(self, |pool| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(user_id)
                .bind(cohort_id)
                .fetch_one(pool)
                .await?
        });
        Ok(count)
    }

    /// Every sign-up of a cohort with availability and facilitator limits,
    /// in user id order.
    pub async fn signups_for_matching(
        &self,
        cohort_id: CohortId,
    ) -> StoreResult<Vec<MatchingSignup>> {
        let sql = "SELECT s.user_id, s.role, COALESCE(u.nickname, u.discord_username) AS name, \
                     a.timezone, a.available, a.if_needed, f.max_active_groups \
                   FROM signups s JOIN users u ON u.id = s.user_id \
                   LEFT JOIN user_availability a ON a.user_id = s.user_id \
                   LEFT JOIN facilitators f ON f.user_id = s.user_id \
                   WHERE s.cohort_id = $1 AND u.deleted_at IS NULL ORDER BY s.user_id";
        let rows = on_backend!(self, |pool| {
            sqlx::query_as::<_, MatchingSignup>(sql)
                .bind(cohort_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }
}
