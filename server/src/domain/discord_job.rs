//! The Discord jobs the core queues for the discord edge. Each names what
//! to make true in Discord, not a step: the bot is handed the current
//! desired state when it takes the job, so a job run late, twice or after
//! more changes still ends with Discord matching the data.

use serde::{Deserialize, Serialize};

use super::{GroupId, MeetingId, UserId};

/// The prefix every Discord job kind shares (what the discord edge takes).
pub const DISCORD_KIND_PREFIX: &str = "discord.";

/// One Discord job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscordJob {
    /// Make the group's channels, role, members and welcome match the data.
    SyncGroup(GroupId),
    /// Make the user's nickname in the server match their profile.
    SetNickname(UserId),
    /// Remind the group in its channel of a meeting `hours_before` ahead.
    Remind {
        /// The meeting.
        meeting: MeetingId,
        /// How many hours ahead it is (24 or 1).
        hours_before: i64,
    },
    /// Tell a learner by direct message what they still have to read
    /// before a meeting (when they accept DMs and have reading left).
    Nudge {
        /// The learner.
        user: UserId,
        /// The meeting.
        meeting: MeetingId,
    },
}

#[derive(Serialize, Deserialize)]
struct GroupPayload {
    group_id: GroupId,
}

#[derive(Serialize, Deserialize)]
struct UserPayload {
    user_id: UserId,
}

#[derive(Serialize, Deserialize)]
struct NudgePayload {
    user_id: UserId,
    meeting_id: MeetingId,
}

#[derive(Serialize, Deserialize)]
struct ReminderPayload {
    meeting_id: MeetingId,
    hours_before: i64,
}

const SYNC_GROUP: &str = "discord.sync_group";
const SET_NICKNAME: &str = "discord.set_nickname";
const REMIND: &str = "discord.remind";
const NUDGE: &str = "discord.nudge";

impl DiscordJob {
    /// The job's kind, as stored.
    pub fn kind(self) -> &'static str {
        match self {
            Self::SyncGroup(_) => SYNC_GROUP,
            Self::SetNickname(_) => SET_NICKNAME,
            Self::Remind { .. } => REMIND,
            Self::Nudge { .. } => NUDGE,
        }
    }

    /// The job's input, as stored (JSON).
    pub fn payload(self) -> String {
        match self {
            Self::SyncGroup(group_id) => serde_json::to_string(&GroupPayload { group_id }),
            Self::SetNickname(user_id) => serde_json::to_string(&UserPayload { user_id }),
            Self::Remind {
                meeting,
                hours_before,
            } => serde_json::to_string(&ReminderPayload {
                meeting_id: meeting,
                hours_before,
            }),
            Self::Nudge { user, meeting } => serde_json::to_string(&NudgePayload {
                user_id: user,
                meeting_id: meeting,
            }),
        }
        .unwrap_or_default()
    }

    /// The idempotency key: one job per group or user, asked for again
    /// (`store::jobs::ENQUEUE_AGAIN`) when the data changes.
    pub fn key(self) -> String {
        match self {
            Self::SyncGroup(group) => format!("group:{group}:{SYNC_GROUP}"),
            Self::SetNickname(user) => format!("user:{user}:{SET_NICKNAME}"),
            Self::Remind {
                meeting,
                hours_before,
            } => format!("meeting:{meeting}:{REMIND}.{hours_before}h"),
            Self::Nudge { user, meeting } => format!("user:{user}:{NUDGE}:meeting:{meeting}"),
        }
    }

    /// The job a stored kind and payload describe, if it is one.
    pub fn parse(kind: &str, payload: &str) -> Option<Self> {
        match kind {
            SYNC_GROUP => serde_json::from_str::<GroupPayload>(payload)
                .ok()
                .map(|p| Self::SyncGroup(p.group_id)),
            SET_NICKNAME => serde_json::from_str::<UserPayload>(payload)
                .ok()
                .map(|p| Self::SetNickname(p.user_id)),
            REMIND => serde_json::from_str::<ReminderPayload>(payload)
                .ok()
                .map(|p| Self::Remind {
                    meeting: p.meeting_id,
                    hours_before: p.hours_before,
                }),
            NUDGE => serde_json::from_str::<NudgePayload>(payload)
                .ok()
                .map(|p| Self::Nudge {
                    user: p.user_id,
                    meeting: p.meeting_id,
                }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reads_back_from_its_kind_and_payload() {
        for job in [
            DiscordJob::SyncGroup(GroupId(7)),
            DiscordJob::SetNickname(UserId(3)),
            DiscordJob::Remind {
                meeting: MeetingId(5),
                hours_before: 24,
            },
            DiscordJob::Nudge {
                user: UserId(3),
                meeting: MeetingId(5),
            },
        ] {
            assert_eq!(DiscordJob::parse(job.kind(), &job.payload()), Some(job));
            assert!(job.kind().starts_with(DISCORD_KIND_PREFIX));
        }
        assert_eq!(
            DiscordJob::SyncGroup(GroupId(7)).key(),
            "group:7:discord.sync_group"
        );
        assert_eq!(DiscordJob::parse("discord.unknown", "{}"), None);
    }
}
