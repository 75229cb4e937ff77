//! What the core keeps of Discord: the ids of the channels and roles the
//! bot made for cohorts and groups, and the facts the bot reports from the
//! server (a member joined, a nickname changed).

use chrono::NaiveDate;

use super::jobs::ask_again;
use super::{Store, StoreResult, on_backend};
use crate::clock;
use crate::domain::{CohortId, CohortRole, DiscordJob, GroupId, GroupStatus, UserId};

/// A group as its Discord sync needs it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DiscordGroup {
    /// Id.
    pub id: GroupId,
    /// Name.
    pub name: String,
    /// Only active groups are realized.
    pub status: GroupStatus,
    /// Weekly meeting start in the first meeting week (UTC week slot).
    pub meeting_start_slot: i64,
    /// Where the time is fixed: "UTC" or an IANA zone.
    pub meeting_anchor: String,
    /// The start in the anchor's local week (`None` for UTC).
    pub meeting_local_slot: Option<i64>,
    /// The group's text channel, once made.
    pub discord_channel_id: Option<String>,
    /// The group's voice channel, once made.
    pub discord_voice_channel_id: Option<String>,
    /// The group's role, once made.
    pub discord_role_id: Option<String>,
    /// The text channel the welcome was posted in.
    pub discord_welcome_channel_id: Option<String>,
    /// The cohort.
    pub cohort_id: CohortId,
    /// The cohort's name.
    pub cohort_name: String,
    /// The cohort's course.
    pub course_slug: String,
    /// The cohort's first meeting week.
    pub start_date: NaiveDate,
    /// The cohort's number of meetings.
    pub meeting_count: i64,
    /// The cohort's category, once made.
    pub discord_category_id: Option<String>,
    /// The cohort's general channel, once made.
    pub discord_general_channel_id: Option<String>,
}

/// An active member of a group, with their Discord account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DiscordMember {
    /// User.
    pub user_id: UserId,
    /// Their Discord user id.
    pub discord_id: String,
    /// Name to show.
    pub name: String,
    /// learner / facilitator.
    pub role: CohortRole,
}

/// What the bot made for a group (empty strings: not reported).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RealizedIds {
    /// The cohort's category.
    pub category_id: String,
    /// The cohort's general channel.
    pub general_channel_id: String,
    /// The group's text channel.
    pub text_channel_id: String,
    /// The group's voice channel.
    pub voice_channel_id: String,
    /// The group's role.
    pub role_id: String,
    /// The text channel the welcome was posted in.
    pub welcome_channel_id: String,
}

impl Store {
    /// Group `id` with its cohort and active members, for its Discord sync.
    pub async fn discord_group(
        &self,
        id: GroupId,
    ) -> StoreResult<Option<(DiscordGroup, Vec<DiscordMember>)>> {
        let group_sql = "SELECT g.id, g.name, g.status, g.meeting_start_slot, g.meeting_anchor, g.meeting_local_slot, \
                           g.discord_channel_id, g.discord_voice_channel_id, g.discord_role_id, g.discord_welcome_channel_id, \
                           c.id AS cohort_id, c.name AS cohort_name, c.course_slug, c.start_date, c.meeting_count, \
                           c.discord_category_id, c.discord_general_channel_id \
                         FROM groups g JOIN cohorts c ON c.id = g.cohort_id WHERE g.id = $1";
        let members_sql = "SELECT m.user_id, u.discord_id, COALESCE(u.nickname, u.discord_username) AS name, m.role \
                           FROM group_members m JOIN users u ON u.id = m.user_id \
                           WHERE m.group_id = $1 AND m.status = 'active' AND u.deleted_at IS NULL \
                           ORDER BY CASE m.role WHEN 'facilitator' THEN 0 ELSE 1 END, m.user_id";
        let found = on_backend!(self, |pool| {
            let group = sqlx::query_as::<_, DiscordGroup>(group_sql)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            match group {
                None => None,
                Some(group) => {
                    let members = sqlx::query_as::<_, DiscordMember>(members_sql)
                        .bind(id)
                        .fetch_all(pool)
                        .await?;
                    Some((group, members))
                }
            }
        });
        Ok(found)
    }

    /// Keeps the ids the bot reported for group `id` (a reported id
    /// replaces the stored one: a remade channel has a new id), and when
    /// `complete`, marks the group realized (the first time).
    pub async fn record_realized(
        &self,
        id: GroupId,
        ids: &RealizedIds,
        complete: bool,
    ) -> StoreResult<()> {
        let group_sql = "UPDATE groups SET \
                           discord_channel_id = COALESCE(NULLIF($2, ''), discord_channel_id), \
                           discord_voice_channel_id = COALESCE(NULLIF($3, ''), discord_voice_channel_id), \
                           discord_role_id = COALESCE(NULLIF($4, ''), discord_role_id), \
                           discord_welcome_channel_id = COALESCE(NULLIF($5, ''), discord_welcome_channel_id), \
                           realized_at = CASE WHEN $6 THEN COALESCE(realized_at, $7) ELSE realized_at END \
                         WHERE id = $1";
        let cohort_sql = "UPDATE cohorts SET \
                            discord_category_id = COALESCE(NULLIF($2, ''), discord_category_id), \
                            discord_general_channel_id = COALESCE(NULLIF($3, ''), discord_general_channel_id) \
                          WHERE id = (SELECT cohort_id FROM groups WHERE id = $1)";
        on_backend!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(group_sql)
                .bind(id)
                .bind(&ids.text_channel_id)
                .bind(&ids.voice_channel_id)
                .bind(&ids.role_id)
                .bind(&ids.welcome_channel_id)
                .bind(complete)
                .bind(clock::now())
                .execute(&mut *tx)
                .await?;
            sqlx::query(cohort_sql)
                .bind(id)
                .bind(&ids.category_id)
                .bind(&ids.general_channel_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A Discord account joined the server: asks again for the sync of each
    /// active group its user is in (so they get their roles), and for their
    /// nickname when they came without one and the profile has one. The
    /// number of jobs queued; 0 for a stranger.
    pub async fn discord_member_joined(
        &self,
        discord_id: &str,
        has_nickname: bool,
    ) -> StoreResult<u64> {
        let user_sql = "SELECT id, nickname IS NOT NULL FROM users WHERE discord_id = $1 AND deleted_at IS NULL";
        let groups_sql = "SELECT g.id FROM group_members m JOIN groups g ON g.id = m.group_id \
                          WHERE m.user_id = $1 AND m.status = 'active' AND g.status = 'active' ORDER BY g.id";
        let now = clock::now();
        let queued = on_backend!(self, |pool| {
            let mut tx = pool.begin().await?;
            let user: Option<(UserId, bool)> = sqlx::query_as(user_sql)
                .bind(discord_id)
                .fetch_optional(&mut *tx)
                .await?;
            let mut queued = 0;
            if let Some((user_id, has_profile_nickname)) = user {
                let groups: Vec<GroupId> = sqlx::query_scalar(groups_sql)
                    .bind(user_id)
                    .fetch_all(&mut *tx)
                    .await?;
                for group in groups {
                    queued += ask_again!(&mut *tx, DiscordJob::SyncGroup(group), now)?;
                }
                if !has_nickname && has_profile_nickname {
                    queued += ask_again!(&mut *tx, DiscordJob::SetNickname(user_id), now)?;
                }
            }
            tx.commit().await?;
            queued
        });
        Ok(queued)
    }

    /// A member's nickname in the server became `nickname`: the profile
    /// follows, without queueing a nickname job back (the server already
    /// shows it). Whether a profile changed.
    pub async fn nickname_from_discord(
        &self,
        discord_id: &str,
        nickname: &str,
    ) -> StoreResult<bool> {
        let sql = "UPDATE users SET nickname = $2, updated_at = $3 \
                   WHERE discord_id = $1 AND deleted_at IS NULL AND (nickname IS NULL OR nickname <> $2)";
        let changed = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(discord_id)
                .bind(nickname)
                .bind(clock::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }
}
