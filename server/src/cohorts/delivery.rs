//! How a committed group's follow-up work stands, for the admin console:
//! its Discord setup, its calendar event, and its "your group" emails,
//! read from the jobs that carry them (each has a key naming its group or
//! member) and from what they made.

use std::collections::HashMap;

use crate::calendar::CalendarJob;
use crate::domain::{DiscordJob, GroupId, JobState, UserId};
use crate::email::EmailJob;
use crate::store::JobRecord;

/// Where one part of a group's setup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Not configured on this platform.
    Off,
    /// Queued or under way.
    Waiting,
    /// Done, with nothing left to do.
    Done,
    /// Its last attempt failed (DeliveryService lists why and retries it).
    Failed,
}

/// A group's setup, part by part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDelivery {
    /// Channels, role, members and welcome in Discord.
    pub discord: Step,
    /// The weekly calendar event and its invitations.
    pub calendar: Step,
    /// "Your group" emails by state: (sent, waiting, failed).
    pub emails: (u32, u32, u32),
    /// The error of the first failed part, as the job kept it.
    pub error: Option<String>,
}

/// The keys of the jobs that set up `group` with `members`.
pub fn job_keys(group: GroupId, members: &[UserId]) -> Vec<String> {
    let mut keys = vec![
        DiscordJob::SyncGroup(group).key(),
        CalendarJob::SyncGroup(group).key(),
    ];
    keys.extend(members.iter().map(|user_id| {
        EmailJob::GroupAssigned {
            user_id: *user_id,
            group_id: group,
        }
        .key()
    }));
    keys
}

/// What the state of `group`'s jobs says. `realized` and `event_made`
/// are what the work made; `calendar_on` whether the platform has a
/// calendar at all.
pub fn delivery(
    group: GroupId,
    members: &[UserId],
    jobs: &HashMap<String, &JobRecord>,
    realized: bool,
    event_made: bool,
    calendar_on: bool,
) -> GroupDelivery {
    let step = |key: String, made: bool| match jobs.get(&key).map(|j| j.state) {
        Some(JobState::Failed) => Step::Failed,
        Some(JobState::Pending | JobState::Running) => Step::Waiting,
        _ if made => Step::Done,
        _ => Step::Waiting,
    };
    let discord = step(DiscordJob::SyncGroup(group).key(), realized);
    let calendar = if calendar_on {
        step(CalendarJob::SyncGroup(group).key(), event_made)
    } else {
        Step::Off
    };
    let mut emails = (0, 0, 0);
    let mut error = [
        DiscordJob::SyncGroup(group).key(),
        CalendarJob::SyncGroup(group).key(),
    ]
    .iter()
    .filter_map(|key| jobs.get(key))
    .find(|job| job.state == JobState::Failed)
    .and_then(|job| job.last_error.clone());
    for user_id in members {
        let key = EmailJob::GroupAssigned {
            user_id: *user_id,
            group_id: group,
        }
        .key();
        match jobs.get(&key) {
            Some(job) if job.state == JobState::Done => emails.0 += 1,
            Some(job) if job.state == JobState::Failed => {
                emails.2 += 1;
                error = error.or_else(|| job.last_error.clone());
            }
            Some(job) if job.state != JobState::Cancelled => emails.1 += 1,
            _ => {}
        }
    }
    GroupDelivery {
        discord,
        calendar,
        emails,
        error,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::JobId;

    fn job(key: String, state: JobState, error: Option<&str>) -> JobRecord {
        JobRecord {
            id: JobId(1),
            kind: String::new(),
            payload: String::new(),
            idempotency_key: key,
            state,
            attempts: 1,
            run_at: Utc::now(),
            lease_until: None,
            last_error: error.map(str::to_owned),
            created_at: Utc::now(),
            finished_at: None,
        }
    }

    const GROUP: GroupId = GroupId(7);
    const MEMBERS: [UserId; 2] = [UserId(1), UserId(2)];

    fn email(user: i64) -> String {
        EmailJob::GroupAssigned {
            user_id: UserId(user),
            group_id: GROUP,
        }
        .key()
    }

    #[test]
    fn a_realized_group_with_its_event_and_emails_sent_is_done() {
        let jobs = [
            job(DiscordJob::SyncGroup(GROUP).key(), JobState::Done, None),
            job(CalendarJob::SyncGroup(GROUP).key(), JobState::Done, None),
            job(email(1), JobState::Done, None),
            job(email(2), JobState::Done, None),
        ];
        let by_key = jobs
            .iter()
            .map(|j| (j.idempotency_key.clone(), j))
            .collect();
        let state = delivery(GROUP, &MEMBERS, &by_key, true, true, true);
        assert_eq!(state.discord, Step::Done);
        assert_eq!(state.calendar, Step::Done);
        assert_eq!(state.emails, (2, 0, 0));
        assert_eq!(state.error, None);
    }

    #[test]
    fn a_failed_sync_says_why_and_a_queued_one_waits() {
        let jobs = [
            job(
                DiscordJob::SyncGroup(GROUP).key(),
                JobState::Failed,
                Some("Discord refused: Missing Permissions"),
            ),
            job(CalendarJob::SyncGroup(GROUP).key(), JobState::Pending, None),
            job(email(2), JobState::Failed, Some("SendGrid refused")),
        ];
        let by_key = jobs
            .iter()
            .map(|j| (j.idempotency_key.clone(), j))
            .collect();
        let state = delivery(GROUP, &MEMBERS, &by_key, true, true, true);
        assert_eq!(state.discord, Step::Failed);
        assert_eq!(state.calendar, Step::Waiting);
        assert_eq!(state.emails, (0, 0, 1));
        assert_eq!(
            state.error.as_deref(),
            Some("Discord refused: Missing Permissions")
        );
    }

    #[test]
    fn without_a_calendar_the_step_is_off() {
        let state = delivery(GROUP, &MEMBERS, &HashMap::new(), false, false, false);
        assert_eq!(state.calendar, Step::Off);
        assert_eq!(state.discord, Step::Waiting);
    }
}
