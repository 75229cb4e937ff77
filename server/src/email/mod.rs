//! Email: messages rendered from templates when they are sent (so they
//! carry fresh data and the recipient's own time), delivered through
//! SendGrid as durable `email.` jobs, logged once per person, kind and
//! reference so a retried job never sends twice, and each with a link that
//! switches that person's email off without signing in.

pub mod mailer;
pub mod sendgrid;
pub mod templates;
pub mod unsubscribe;

use serde::{Deserialize, Serialize};

use crate::domain::{CohortId, GroupId, MeetingId, UserId};

/// Prefix of every email job's kind.
pub const EMAIL_PREFIX: &str = "email.";

/// One email to one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "email", rename_all = "snake_case")]
pub enum EmailJob {
    /// A meeting is `hours_before` hours ahead.
    Reminder {
        /// The recipient.
        user_id: UserId,
        /// The meeting.
        meeting_id: MeetingId,
        /// 24 or 1.
        hours_before: i64,
    },
    /// Someone signed up for a cohort.
    Welcome {
        /// The recipient.
        user_id: UserId,
        /// The cohort.
        cohort_id: CohortId,
    },
    /// Someone is in a group: at commit, or joining one late.
    GroupAssigned {
        /// The recipient.
        user_id: UserId,
        /// The group.
        group_id: GroupId,
    },
    /// A meeting is three days ahead and a learner has reading left for it.
    Nudge {
        /// The recipient.
        user_id: UserId,
        /// The meeting.
        meeting_id: MeetingId,
    },
}

impl EmailJob {
    /// The job's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Reminder { .. } => "email.reminder",
            Self::Nudge { .. } => "email.nudge",
            Self::Welcome { .. } => "email.welcome",
            Self::GroupAssigned { .. } => "email.group_assigned",
        }
    }

    /// The job's input.
    pub fn payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The job's key: one per recipient and message.
    pub fn key(&self) -> String {
        let (user, kind, reference) = self.notification();
        format!("user:{user}:{kind}:{reference}")
    }

    /// What the notification log records it as: (person, kind, reference).
    pub fn notification(&self) -> (UserId, String, String) {
        match self {
            Self::Reminder {
                user_id,
                meeting_id,
                hours_before,
            } => (
                *user_id,
                format!("meeting_reminder_{hours_before}h"),
                format!("meeting:{meeting_id}"),
            ),
            Self::Welcome { user_id, cohort_id } => (
                *user_id,
                "welcome".to_owned(),
                format!("cohort:{cohort_id}"),
            ),
            Self::GroupAssigned { user_id, group_id } => (
                *user_id,
                "group_assigned".to_owned(),
                format!("group:{group_id}"),
            ),
            Self::Nudge {
                user_id,
                meeting_id,
            } => (
                *user_id,
                crate::meetings::reading::NUDGE_KIND.to_owned(),
                format!("meeting:{meeting_id}"),
            ),
        }
    }

    /// The job a stored payload describes.
    pub fn parse(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }
}
