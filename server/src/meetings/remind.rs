//! Firing reminders: when a meeting's reminder job comes due, the meeting
//! is read afresh; a reminder still worth sending becomes the group's
//! channel message (a Discord job for the bot). Skipped ones end done, with
//! why in the log.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::reminders::{REMINDER_PREFIX, Reminder, decide};
use crate::clock;
use crate::delivery::Outcome;
use crate::delivery::worker::Handler;
use crate::domain::{CohortRole, DiscordJob, MeetingId};
use crate::email::EmailJob;
use crate::store::{JobRecord, Store};

/// Delivers `reminder.` jobs.
#[derive(Debug, Clone)]
pub struct Reminders {
    store: Store,
    email: bool,
}

impl Reminders {
    /// Reminders over `store`; with `email`, each member is emailed too.
    pub fn new(store: Store, email: bool) -> Self {
        Self { store, email }
    }

    async fn fire(&self, job: &JobRecord, now: DateTime<Utc>) -> Result<(), String> {
        #[derive(Deserialize)]
        struct Payload {
            meeting_id: MeetingId,
        }
        let reminder = Reminder::from_kind(&job.kind).ok_or("not a reminder kind")?;
        let meeting = serde_json::from_str::<Payload>(&job.payload)
            .map_err(|e| format!("unreadable payload: {e}"))?
            .meeting_id;
        let Some(found) = self
            .store
            .meeting(meeting)
            .await
            .map_err(|e| e.to_string())?
        else {
            tracing::info!(%meeting, "reminder of a meeting that no longer exists: skipped");
            return Ok(());
        };
        let members = self
            .store
            .group_with_members(found.group_id)
            .await
            .map_err(|e| e.to_string())?
            .map(|(_, members)| members)
            .unwrap_or_default();
        let due = reminder.due(found.starts_at);
        if let Err(skip) = decide(due, found.status, found.starts_at, members.len(), now) {
            tracing::info!(%meeting, kind = %job.kind, ?skip, "reminder skipped");
            return Ok(());
        }
        match reminder {
            Reminder::DayBefore | Reminder::HourBefore => {
                let job = DiscordJob::Remind {
                    meeting,
                    hours_before: reminder.before().num_hours(),
                };
                // Due at once, on the real clock: `now` may be a test's.
                self.store
                    .enqueue_job(job.kind(), &job.payload(), &job.key(), clock::now())
                    .await
                    .map_err(|e| e.to_string())?;
                if self.email {
                    for member in &members {
                        let email = EmailJob::Reminder {
                            user_id: member.user_id,
                            meeting_id: meeting,
                            hours_before: reminder.before().num_hours(),
                        };
                        self.store
                            .enqueue_job(email.kind(), &email.payload(), &email.key(), clock::now())
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
            // Nudges are personal: each learner gets one by email (when
            // email is on) and one by Discord DM; each checks, when it is
            // sent, their settings and whether they still have reading due.
            Reminder::Nudge => {
                for member in members.iter().filter(|m| m.role == CohortRole::Learner) {
                    let dm = DiscordJob::Nudge {
                        user: member.user_id,
                        meeting,
                    };
                    self.store
                        .enqueue_job(dm.kind(), &dm.payload(), &dm.key(), clock::now())
                        .await
                        .map_err(|e| e.to_string())?;
                    if self.email {
                        let email = EmailJob::Nudge {
                            user_id: member.user_id,
                            meeting_id: meeting,
                        };
                        self.store
                            .enqueue_job(email.kind(), &email.payload(), &email.key(), clock::now())
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl Handler for Reminders {
    fn kinds(&self) -> &'static str {
        REMINDER_PREFIX
    }

    async fn deliver(&self, job: &JobRecord, now: DateTime<Utc>) -> Outcome {
        match self.fire(job, now).await {
            Ok(()) => Outcome::Done,
            Err(error) => Outcome::Retry {
                error,
                retry_after: None,
            },
        }
    }
}
