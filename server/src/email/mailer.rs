//! Delivers `email.` jobs: reads what the message is about afresh, skips
//! it when the person switched email off, has no address or already got it,
//! renders it in their timezone, sends it and logs it.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::sendgrid::{Message, SendError, SendGrid};
use super::templates::Templates;
use super::unsubscribe::UnsubscribeSigner;
use super::{EMAIL_PREFIX, EmailJob};
use crate::content::Catalogue;
use crate::delivery::Outcome;
use crate::delivery::worker::Handler;
use crate::domain::{CohortRole, MeetingStatus, UserId};
use crate::matching::times::describe_stored;
use crate::meetings::reading::reading_left;
use crate::services::convert::meeting::due_modules;
use crate::store::{
    DiscordGroup, JobRecord, MeetingRecord, NotificationChannel, Store, UserRecord,
};

/// A module to read, with its link.
#[derive(Serialize)]
struct Reading {
    title: String,
    url: String,
}

/// What the reminder template shows.
#[derive(Serialize)]
struct ReminderContext {
    name: String,
    group_name: String,
    when: &'static str,
    number: i64,
    meeting_count: i64,
    starts_local: String,
    reading: Vec<Reading>,
    meetings_url: String,
    course_title: String,
    unsubscribe_url: String,
}

/// A module with reading left, for the nudge.
#[derive(Serialize)]
struct Unfinished {
    title: String,
    url: String,
    done: usize,
    required: usize,
}

/// What the nudge template shows.
#[derive(Serialize)]
struct NudgeContext {
    name: String,
    group_name: String,
    number: i64,
    meeting_count: i64,
    starts_local: String,
    unfinished: Vec<Unfinished>,
    continue_title: String,
    continue_url: String,
    course_title: String,
    unsubscribe_url: String,
}

/// What the welcome template shows.
#[derive(Serialize)]
struct WelcomeContext {
    name: String,
    cohort_name: String,
    course_title: String,
    start_date: String,
    availability_url: String,
    unsubscribe_url: String,
}

/// What the group template shows.
#[derive(Serialize)]
struct GroupContext {
    name: String,
    group_name: String,
    cohort_name: String,
    course_title: String,
    meeting_time: String,
    meeting_count: i64,
    first_local: String,
    facilitator: String,
    members: String,
    meetings_url: String,
    unsubscribe_url: String,
}

/// Sends the platform's email.
#[derive(Debug, Clone)]
pub struct Mailer {
    store: Store,
    content: Arc<Catalogue>,
    sendgrid: SendGrid,
    signer: UnsubscribeSigner,
    templates: Arc<Templates>,
    public_url: String,
}

/// Why a message is not sent, for the log.
enum Skip {
    /// Nothing to send: the reason is logged as `skipped`.
    Logged(&'static str),
    /// The thing it is about is gone or changed: nothing logged.
    Moot(&'static str),
}

impl Mailer {
    /// A mailer sending through `sendgrid`, linking to `public_url`.
    pub fn new(
        store: Store,
        content: Arc<Catalogue>,
        sendgrid: SendGrid,
        signer: UnsubscribeSigner,
        public_url: &str,
    ) -> Self {
        Self {
            store,
            content,
            sendgrid,
            signer,
            templates: Arc::new(Templates::new()),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    async fn recipient(&self, user: UserId) -> Result<Result<(UserRecord, String), Skip>, String> {
        let Some(record) = self
            .store
            .user_by_id(user)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(Err(Skip::Moot("no such user")));
        };
        if record.deleted_at.is_some() {
            return Ok(Err(Skip::Moot("account deleted")));
        }
        if !record.notify_email {
            return Ok(Err(Skip::Logged("email switched off")));
        }
        match record.email.clone() {
            Some(address) => Ok(Ok((record, address))),
            None => Ok(Err(Skip::Logged("no email address"))),
        }
    }

    /// The meeting an email is about, still ahead, with its group.
    async fn meeting(
        &self,
        meeting: crate::domain::MeetingId,
        now: DateTime<Utc>,
    ) -> Result<Result<(MeetingRecord, DiscordGroup), Skip>, String> {
        let Some(found) = self
            .store
            .meeting(meeting)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(Err(Skip::Moot("meeting gone")));
        };
        if found.status == MeetingStatus::Postponed || found.starts_at <= now {
            return Ok(Err(Skip::Moot("meeting postponed or begun")));
        }
        match self
            .store
            .discord_group(found.group_id)
            .await
            .map_err(|e| e.to_string())?
        {
            Some((group, _)) => Ok(Ok((found, group))),
            None => Ok(Err(Skip::Moot("group gone"))),
        }
    }

    fn name(user: &UserRecord) -> String {
        user.nickname
            .clone()
            .unwrap_or_else(|| user.discord_username.clone())
    }

    async fn reminder(
        &self,
        user: &UserRecord,
        meeting: crate::domain::MeetingId,
        hours_before: i64,
        now: DateTime<Utc>,
    ) -> Result<Result<ReminderContext, Skip>, String> {
        let (found, group) = match self.meeting(meeting, now).await? {
            Ok(found) => found,
            Err(skip) => return Ok(Err(skip)),
        };
        let loaded = self.content.current();
        let number = found.number.unwrap_or_default();
        let reading = due_modules(&loaded.snapshot, &group.course_slug, number.max(0) as u32)
            .into_iter()
            .filter(|m| !m.optional)
            .map(|m| Reading {
                url: format!("{}/module/{}", self.public_url, m.slug),
                title: m.title,
            })
            .collect();
        Ok(Ok(ReminderContext {
            name: Self::name(user),
            group_name: group.name,
            when: if hours_before <= 1 {
                "in an hour"
            } else {
                "tomorrow"
            },
            number,
            meeting_count: group.meeting_count,
            starts_local: in_their_time(found.starts_at, user.timezone.as_deref()),
            reading,
            meetings_url: format!("{}/meetings", self.public_url),
            course_title: loaded.snapshot.course_title(&group.course_slug),
            unsubscribe_url: self.signer.link(&self.public_url, user.id),
        }))
    }

    async fn welcome(
        &self,
        user: &UserRecord,
        cohort: crate::domain::CohortId,
    ) -> Result<Result<WelcomeContext, Skip>, String> {
        let Some(found) = self.store.cohort(cohort).await.map_err(|e| e.to_string())? else {
            return Ok(Err(Skip::Moot("cohort gone")));
        };
        let loaded = self.content.current();
        Ok(Ok(WelcomeContext {
            name: Self::name(user),
            cohort_name: found.name,
            course_title: loaded.snapshot.course_title(&found.course_slug),
            start_date: found.start_date.format("%A %-d %B %Y").to_string(),
            availability_url: format!("{}/availability", self.public_url),
            unsubscribe_url: self.signer.link(&self.public_url, user.id),
        }))
    }

    async fn group(
        &self,
        user: &UserRecord,
        group_id: crate::domain::GroupId,
        now: DateTime<Utc>,
    ) -> Result<Result<GroupContext, Skip>, String> {
        let Some((group, _)) = self
            .store
            .discord_group(group_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(Err(Skip::Moot("group gone")));
        };
        let members = self
            .store
            .group_with_members(group_id)
            .await
            .map_err(|e| e.to_string())?
            .map(|(_, members)| members)
            .unwrap_or_default();
        if !members.iter().any(|m| m.user_id == user.id) {
            return Ok(Err(Skip::Moot("no longer in the group")));
        }
        let first = self
            .store
            .meetings_of_group(group_id)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|m| m.status == MeetingStatus::Scheduled && m.starts_at > now);
        let Some(first) = first else {
            return Ok(Err(Skip::Moot("no meetings ahead")));
        };
        let names = |role: CohortRole| {
            members
                .iter()
                .filter(|m| m.role == role)
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let loaded = self.content.current();
        Ok(Ok(GroupContext {
            name: Self::name(user),
            group_name: group.name.clone(),
            cohort_name: group.cohort_name.clone(),
            course_title: loaded.snapshot.course_title(&group.course_slug),
            meeting_time: describe_stored(
                group.meeting_start_slot.max(0) as usize,
                &group.meeting_anchor,
                group.meeting_local_slot.map(|s| s.max(0) as usize),
            ),
            meeting_count: group.meeting_count,
            first_local: in_their_time(first.starts_at, user.timezone.as_deref()),
            facilitator: names(CohortRole::Facilitator),
            members: names(CohortRole::Learner),
            meetings_url: format!("{}/meetings", self.public_url),
            unsubscribe_url: self.signer.link(&self.public_url, user.id),
        }))
    }

    /// The nudge for a learner with required reading left before a
    /// meeting; nothing when they have done it all.
    async fn nudge(
        &self,
        user: &UserRecord,
        meeting: crate::domain::MeetingId,
        now: DateTime<Utc>,
    ) -> Result<Result<NudgeContext, Skip>, String> {
        let (found, group) = match self.meeting(meeting, now).await? {
            Ok(found) => found,
            Err(skip) => return Ok(Err(skip)),
        };
        let loaded = self.content.current();
        let snapshot = &loaded.snapshot;
        let number = found.number.unwrap_or_default();
        let progress = self
            .store
            .progress_of_user(user.id)
            .await
            .map_err(|e| e.to_string())?;
        let complete: HashSet<&str> = progress
            .iter()
            .filter(|p| p.completed_at.is_some())
            .map(|p| p.content_id.as_str())
            .collect();
        let Some(left) = reading_left(
            snapshot,
            &group.course_slug,
            number.max(0) as u32,
            &complete,
        ) else {
            return Ok(Err(Skip::Logged("no reading left")));
        };
        let url = |slug: &str| format!("{}/module/{slug}", self.public_url);
        let continue_url = url(&left.next_module().slug);
        let unfinished = left
            .unfinished
            .iter()
            .map(|m| Unfinished {
                title: m.title.clone(),
                url: url(&m.slug),
                done: m.done,
                required: m.required,
            })
            .collect();
        Ok(Ok(NudgeContext {
            name: Self::name(user),
            group_name: group.name,
            number,
            meeting_count: group.meeting_count,
            starts_local: in_their_time(found.starts_at, user.timezone.as_deref()),
            unfinished,
            continue_title: left.next_lens,
            continue_url,
            course_title: snapshot.course_title(&group.course_slug),
            unsubscribe_url: self.signer.link(&self.public_url, user.id),
        }))
    }

    async fn send(&self, job: &JobRecord, now: DateTime<Utc>) -> Outcome {
        let Some(email) = EmailJob::parse(&job.payload) else {
            return Outcome::Fail {
                error: format!("unreadable email job: {}", job.payload),
            };
        };
        let (user, kind, reference) = email.notification();
        let retry = |error: String| Outcome::Retry {
            error,
            retry_after: None,
        };
        match self
            .store
            .notified(user, &kind, &reference, NotificationChannel::Email)
            .await
        {
            Ok(true) => return Outcome::Done,
            Ok(false) => {}
            Err(error) => return retry(error.to_string()),
        }
        let (record, address) = match self.recipient(user).await {
            Ok(Ok(found)) => found,
            Ok(Err(skip)) => return self.skipped(user, &kind, &reference, skip).await,
            Err(error) => return retry(error),
        };
        let (rendered, unsubscribe_url) = match email {
            EmailJob::Reminder {
                meeting_id,
                hours_before,
                ..
            } => match self.reminder(&record, meeting_id, hours_before, now).await {
                Ok(Ok(context)) => {
                    let subject = format!("{} meets {}", context.group_name, context.when);
                    (
                        self.templates.render("reminder", subject, &context),
                        context.unsubscribe_url,
                    )
                }
                Ok(Err(skip)) => return self.skipped(user, &kind, &reference, skip).await,
                Err(error) => return retry(error),
            },
            EmailJob::Welcome { cohort_id, .. } => match self.welcome(&record, cohort_id).await {
                Ok(Ok(context)) => {
                    let subject = format!("Welcome to {}", context.cohort_name);
                    (
                        self.templates.render("welcome", subject, &context),
                        context.unsubscribe_url,
                    )
                }
                Ok(Err(skip)) => return self.skipped(user, &kind, &reference, skip).await,
                Err(error) => return retry(error),
            },
            EmailJob::GroupAssigned { group_id, .. } => {
                match self.group(&record, group_id, now).await {
                    Ok(Ok(context)) => {
                        let subject = format!("Your group: {}", context.group_name);
                        (
                            self.templates.render("group_assigned", subject, &context),
                            context.unsubscribe_url,
                        )
                    }
                    Ok(Err(skip)) => return self.skipped(user, &kind, &reference, skip).await,
                    Err(error) => return retry(error),
                }
            }
            EmailJob::Nudge { meeting_id, .. } => {
                match self.nudge(&record, meeting_id, now).await {
                    Ok(Ok(context)) => {
                        let subject = format!(
                            "Reading for {}'s meeting {}",
                            context.group_name, context.number
                        );
                        (
                            self.templates.render("nudge", subject, &context),
                            context.unsubscribe_url,
                        )
                    }
                    Ok(Err(skip)) => return self.skipped(user, &kind, &reference, skip).await,
                    Err(error) => return retry(error),
                }
            }
        };
        let rendered = match rendered {
            Ok(rendered) => rendered,
            Err(error) => {
                return Outcome::Fail {
                    error: error.to_string(),
                };
            }
        };
        let name = Self::name(&record);
        let message = Message {
            to: &address,
            to_name: &name,
            subject: &rendered.subject,
            text: &rendered.text,
            html: &rendered.html,
            unsubscribe_url: &unsubscribe_url,
        };
        match self.sendgrid.send(&message).await {
            Ok(()) => {
                if let Err(error) = self
                    .store
                    .log_notification(
                        user,
                        &kind,
                        &reference,
                        NotificationChannel::Email,
                        true,
                        None,
                    )
                    .await
                {
                    tracing::warn!(%error, "an email went out but could not be logged");
                }
                Outcome::Done
            }
            Err(SendError::Retry {
                reason,
                retry_after,
            }) => Outcome::Retry {
                error: reason,
                retry_after,
            },
            Err(SendError::Refused(reason)) => Outcome::Fail { error: reason },
        }
    }

    async fn skipped(&self, user: UserId, kind: &str, reference: &str, skip: Skip) -> Outcome {
        match skip {
            Skip::Logged(why) => {
                if let Err(error) = self
                    .store
                    .log_notification(
                        user,
                        kind,
                        reference,
                        NotificationChannel::Email,
                        false,
                        Some(why),
                    )
                    .await
                {
                    return Outcome::Retry {
                        error: error.to_string(),
                        retry_after: None,
                    };
                }
                Outcome::Done
            }
            Skip::Moot(why) => {
                tracing::info!(%user, %kind, %reference, why, "email not sent");
                Outcome::Done
            }
        }
    }
}

/// `at` as the person reads it: "Monday 1 March, 19:00 (Europe/Berlin)".
pub fn in_their_time(at: DateTime<Utc>, timezone: Option<&str>) -> String {
    let zone: Tz = timezone.and_then(|z| z.parse().ok()).unwrap_or(Tz::UTC);
    at.with_timezone(&zone)
        .format(&format!("%A %-d %B, %H:%M ({})", zone.name()))
        .to_string()
}

impl Handler for Mailer {
    fn kinds(&self) -> &'static str {
        EMAIL_PREFIX
    }

    async fn deliver(&self, job: &JobRecord, now: DateTime<Utc>) -> Outcome {
        self.send(job, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_recipients_zone() {
        let at = "2027-03-01T18:00:00Z".parse().unwrap();
        assert_eq!(
            in_their_time(at, Some("Europe/Berlin")),
            "Monday 1 March, 19:00 (Europe/Berlin)"
        );
        assert_eq!(in_their_time(at, None), "Monday 1 March, 18:00 (UTC)");
    }
}
