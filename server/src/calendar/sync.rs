//! Delivering `calendar.` jobs: making a group's event match the data, and
//! reading its guests' answers back.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::google::{CalendarError, Event, GoogleCalendar};
use super::rsvp::from_response_status;
use super::series::{Series, deployment_tag, event_id, instance_id};
use super::{CALENDAR_PREFIX, CalendarJob};
use crate::content::Catalogue;
use crate::delivery::Outcome;
use crate::delivery::worker::Handler;
use crate::domain::{GroupId, GroupStatus, MeetingStatus};
use crate::store::{CalendarGroup, JobRecord, Store};

/// Delivers `calendar.` jobs against Google Calendar.
#[derive(Debug, Clone)]
pub struct CalendarSync {
    store: Store,
    google: GoogleCalendar,
    content: Arc<Catalogue>,
    deployment: String,
    public_url: String,
}

/// Why a job did not finish.
#[derive(Debug)]
enum SyncError {
    Calendar(CalendarError),
    Store(String),
}

impl From<CalendarError> for SyncError {
    fn from(error: CalendarError) -> Self {
        Self::Calendar(error)
    }
}

impl From<crate::store::StoreError> for SyncError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Store(error.to_string())
    }
}

impl CalendarSync {
    /// A sync against `google`, linking events to `public_url`.
    pub fn new(
        store: Store,
        google: GoogleCalendar,
        content: Arc<Catalogue>,
        public_url: &str,
    ) -> Self {
        let public_url = public_url.trim_end_matches('/').to_owned();
        Self {
            store,
            google,
            content,
            deployment: deployment_tag(&public_url),
            public_url,
        }
    }

    /// Makes group `group_id`'s event match its members and meetings.
    async fn sync_group(&self, group_id: GroupId) -> Result<(), SyncError> {
        // At most one remake per run: an event deleted again at once is
        // left to the next attempt.
        for _ in 0..2 {
            let Some(group) = self.store.calendar_group(group_id).await? else {
                return Ok(());
            };
            let meetings = self.store.meetings_of_group(group_id).await?;
            let id = event_id(&self.deployment, group_id, group.generation);
            if group.status != GroupStatus::Active {
                if group.status == GroupStatus::Cancelled && group.created {
                    match self.google.delete(&id).await {
                        Ok(()) | Err(CalendarError::Gone) => {}
                        Err(other) => return Err(other.into()),
                    }
                }
                return Ok(());
            }
            let Some(series) = Series::of(&meetings) else {
                return Ok(());
            };
            let event = if group.created {
                self.google.get(&id).await.map(Some)
            } else {
                match self
                    .google
                    .insert(&self.event(&id, group_id, &group, &series))
                    .await
                {
                    // Made now, as the data says.
                    Ok(_) => Ok(None),
                    // An earlier attempt made it and its answer was lost,
                    // or it was made and deleted: look.
                    Err(CalendarError::Conflict) => self.google.get(&id).await.map(Some),
                    Err(other) => Err(other),
                }
            };
            match event {
                Ok(Some(event)) if event.is_cancelled() => {}
                Err(CalendarError::Gone) => {}
                Err(other) => return Err(other.into()),
                Ok(found) => {
                    if !group.created {
                        self.store
                            .calendar_event_created(group_id, group.generation)
                            .await?;
                    }
                    if let Some(event) = found {
                        self.patch(&id, &event, &group, &series).await?;
                    }
                    return self.cancel_postponed(&id, &group, &series).await;
                }
            }
            tracing::info!(group = %group_id, "the group's calendar event was deleted in Google; making it again");
            self.store
                .calendar_event_gone(group_id, group.generation)
                .await?;
        }
        Err(SyncError::Calendar(CalendarError::Retry {
            reason: "the event was deleted again while being remade".into(),
            retry_after: None,
        }))
    }

    /// The whole event for a group.
    fn event(&self, id: &str, group_id: GroupId, group: &CalendarGroup, series: &Series) -> Value {
        let course = self
            .content
            .current()
            .snapshot
            .course_title(&group.course_slug);
        json!({
            "id": id,
            "summary": format!("{course}: {}", group.name),
            "description": format!(
                "The weekly meeting of {} ({course}). Your meetings, what to read before each, and your answers: {}/meetings",
                group.name, self.public_url
            ),
            "start": time(series.first),
            "end": time(series.first_end()),
            "recurrence": [series.rule()],
            "attendees": group.guests.iter().map(|(_, email)| json!({"email": email})).collect::<Vec<_>>(),
            "guestsCanSeeOtherGuests": false,
            "guestsCanInviteOthers": false,
            // Lets a person find Lens's events in a shared calendar.
            "extendedProperties": {"private": {"lensGroupId": group_id.to_string()}},
        })
    }

    /// Patches what differs between the event and the data: the guests
    /// (those still members keep their answers), and the series' start,
    /// end and length.
    async fn patch(
        &self,
        id: &str,
        event: &Event,
        group: &CalendarGroup,
        series: &Series,
    ) -> Result<(), SyncError> {
        let wanted: BTreeSet<String> = group
            .guests
            .iter()
            .map(|(_, email)| email.to_lowercase())
            .collect();
        let present: BTreeSet<String> = event.attendees.iter().filter_map(email_of).collect();
        let mut changes = serde_json::Map::new();
        if wanted != present {
            let mut attendees: Vec<Value> = event
                .attendees
                .iter()
                .filter(|a| email_of(a).is_some_and(|e| wanted.contains(&e)))
                .cloned()
                .collect();
            attendees.extend(
                wanted
                    .difference(&present)
                    .map(|email| json!({"email": email})),
            );
            changes.insert("attendees".into(), Value::Array(attendees));
        }
        let starts = event
            .start
            .as_ref()
            .and_then(|s| s.date_time)
            .map(|t| t.with_timezone(&Utc));
        if event.recurrence != [series.rule()] || starts != Some(series.first) {
            changes.insert("recurrence".into(), json!([series.rule()]));
            changes.insert("start".into(), time(series.first));
            changes.insert("end".into(), time(series.first_end()));
        }
        if !changes.is_empty() {
            self.google.patch(id, &Value::Object(changes)).await?;
        }
        Ok(())
    }

    /// Cancels the instance of each postponed meeting not cancelled yet.
    async fn cancel_postponed(
        &self,
        id: &str,
        group: &CalendarGroup,
        series: &Series,
    ) -> Result<(), SyncError> {
        for (meeting, starts_at) in &series.postponed {
            if group.cancelled.contains(meeting) {
                continue;
            }
            match self.google.delete(&instance_id(id, *starts_at)).await {
                Ok(()) | Err(CalendarError::Gone) => {}
                Err(other) => return Err(other.into()),
            }
            self.store.calendar_instance_cancelled(*meeting).await?;
        }
        Ok(())
    }

    /// Reads the guests' answers for each meeting into their RSVPs.
    async fn pull_rsvps(&self, group_id: GroupId, now: DateTime<Utc>) -> Result<(), SyncError> {
        let Some(group) = self.store.calendar_group(group_id).await? else {
            return Ok(());
        };
        if !group.created {
            return Ok(());
        }
        let id = event_id(&self.deployment, group_id, group.generation);
        let instances = match self.google.instances(&id).await {
            Ok(instances) => instances,
            Err(CalendarError::Gone) => {
                // Deleted in Google: the sync remakes it; nothing to read.
                self.store
                    .calendar_event_gone(group_id, group.generation)
                    .await?;
                let sync = CalendarJob::SyncGroup(group_id);
                self.store
                    .ask_again_job(
                        sync.kind(),
                        &sync.payload(),
                        &sync.key(),
                        crate::clock::now(),
                    )
                    .await?;
                return Ok(());
            }
            Err(other) => return Err(other.into()),
        };
        let meetings: HashMap<DateTime<Utc>, _> = self
            .store
            .meetings_of_group(group_id)
            .await?
            .into_iter()
            .filter(|m| m.status == MeetingStatus::Scheduled)
            .map(|m| (m.starts_at, m.id))
            .collect();
        let people: HashMap<String, _> = group
            .guests
            .iter()
            .map(|(user, email)| (email.to_lowercase(), *user))
            .collect();
        let mut changed = 0;
        for instance in &instances {
            let start = instance
                .original_start_time
                .as_ref()
                .or(instance.start.as_ref())
                .and_then(|t| t.date_time)
                .map(|t| t.with_timezone(&Utc));
            let Some(meeting) = start.and_then(|s| meetings.get(&s)) else {
                continue;
            };
            for attendee in &instance.attendees {
                let answer = attendee["responseStatus"]
                    .as_str()
                    .and_then(from_response_status);
                let person = email_of(attendee).and_then(|e| people.get(&e));
                if let (Some(answer), Some(person)) = (answer, person)
                    && self
                        .store
                        .apply_calendar_rsvp(*meeting, *person, answer, now)
                        .await?
                {
                    changed += 1;
                }
            }
        }
        tracing::info!(group = %group_id, instances = instances.len(), changed, "read the calendar's answers");
        Ok(())
    }
}

fn time(at: DateTime<Utc>) -> Value {
    json!({"dateTime": at.to_rfc3339_opts(SecondsFormat::Secs, true), "timeZone": "UTC"})
}

fn email_of(attendee: &Value) -> Option<String> {
    attendee["email"].as_str().map(str::to_lowercase)
}

impl Handler for CalendarSync {
    fn kinds(&self) -> &'static str {
        CALENDAR_PREFIX
    }

    async fn deliver(&self, job: &JobRecord, now: DateTime<Utc>) -> Outcome {
        let result = match CalendarJob::parse(&job.kind, &job.payload) {
            Some(CalendarJob::SyncGroup(group)) => self.sync_group(group).await,
            Some(CalendarJob::PullRsvps(group)) => self.pull_rsvps(group, now).await,
            None => {
                return Outcome::Fail {
                    error: format!("not a calendar job this core knows: {}", job.kind),
                };
            }
        };
        match result {
            Ok(()) => Outcome::Done,
            Err(SyncError::Calendar(CalendarError::Refused(error))) => Outcome::Fail { error },
            Err(SyncError::Calendar(CalendarError::Retry {
                reason,
                retry_after,
            })) => Outcome::Retry {
                error: reason,
                retry_after,
            },
            Err(SyncError::Calendar(other)) => Outcome::Retry {
                error: other.to_string(),
                retry_after: None,
            },
            Err(SyncError::Store(error)) => Outcome::Retry {
                error,
                retry_after: None,
            },
        }
    }
}
