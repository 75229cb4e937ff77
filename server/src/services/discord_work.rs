//! DiscordWorkService: the discord edge takes Discord jobs from the core
//! and reports what became of them. The core never speaks Discord.

use std::collections::{HashMap, HashSet};
use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use lens_proto::v1::{self, discord_work_service_server::DiscordWorkService};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::convert::discord::{group_spec, realized_ids};
use super::convert::meeting::due_modules;
use super::convert::timestamp;
use super::respond;
use crate::app::AppState;
use crate::cohorts::discord::{GroupLayout, is_snowflake};
use crate::delivery::{Outcome, record};
use crate::domain::{
    DISCORD_KIND_PREFIX, DiscordJob, Invalid, JobId, MeetingId, MeetingStatus, Nickname, Rsvp,
    UserId,
};
use crate::error::{AppError, AppResult};
use crate::meetings::reading::{NUDGE_KIND, nudge_message, reading_left};
use crate::store::{JobRecord, NotificationChannel};

/// Kinds of the jobs the discord edge performs.
const DISCORD_JOBS: &str = DISCORD_KIND_PREFIX;

/// Longest error text kept from a report.
const MAX_ERROR_CHARS: usize = 500;

/// Implements `lens.v1.DiscordWorkService`.
#[derive(Debug, Clone)]
pub struct DiscordWorkApi {
    state: AppState,
}

impl DiscordWorkApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

type WorkStream = Pin<Box<dyn Stream<Item = Result<v1::TakeWorkResponse, Status>> + Send>>;

fn lease(request: &v1::TakeWorkRequest) -> AppResult<Duration> {
    match request.lease_seconds {
        0 => Ok(Duration::from_secs(60)),
        n @ 1..=600 => Ok(Duration::from_secs(u64::from(n))),
        n => Err(Invalid::new("lease_seconds", format!("is {n}; ask for 1 to 600")).into()),
    }
}

fn outcome(request: &v1::ReportWorkRequest) -> AppResult<Outcome> {
    let error: String = request.error.chars().take(MAX_ERROR_CHARS).collect();
    let error = if error.trim().is_empty() {
        "the discord edge gave no reason".to_owned()
    } else {
        error
    };
    match request.outcome() {
        v1::WorkOutcome::Done => Ok(Outcome::Done),
        v1::WorkOutcome::Retry => Ok(Outcome::Retry {
            error,
            retry_after: (request.retry_after_ms > 0)
                .then(|| Duration::from_millis(u64::from(request.retry_after_ms))),
        }),
        v1::WorkOutcome::Fail => Ok(Outcome::Fail { error }),
        v1::WorkOutcome::Unspecified => {
            Err(Invalid::new("outcome", "say done, retry or fail").into())
        }
    }
}

/// A Discord id from a request: digits, or empty where `optional`.
fn snowflake(field: &'static str, raw: &str, optional: bool) -> AppResult<()> {
    if (optional && raw.is_empty()) || is_snowflake(raw) {
        Ok(())
    } else {
        let shown: String = raw.chars().take(24).collect();
        Err(Invalid::new(field, format!("{shown:?} is not a Discord id (digits)")).into())
    }
}

impl DiscordWorkApi {
    /// The reminder of `meeting` for its group's channel, or why there is
    /// none to post.
    async fn reminder(
        &self,
        meeting: MeetingId,
        hours_before: i64,
    ) -> AppResult<Result<v1::MeetingReminderSpec, String>> {
        let Some(found) = self.state.store.meeting(meeting).await? else {
            return Ok(Err(format!("meeting {meeting} no longer exists")));
        };
        let Some((group, members)) = self.state.store.discord_group(found.group_id).await? else {
            return Ok(Err(format!("group {} no longer exists", found.group_id)));
        };
        let Some(channel_id) = group.discord_channel_id.clone() else {
            return Ok(Err(format!(
                "group {} has no Discord channel yet: its sync has not run",
                group.id
            )));
        };
        let number = found.number.unwrap_or_default().max(0) as u32;
        let loaded = self.state.content.current();
        let reading = due_modules(&loaded.snapshot, &group.course_slug, number)
            .into_iter()
            .filter(|m| !m.optional)
            .map(|m| m.title)
            .collect();
        let said: HashMap<UserId, Rsvp> = self
            .state
            .store
            .attendance_of_group(found.group_id)
            .await?
            .into_iter()
            .filter(|a| a.meeting_id == meeting)
            .map(|a| (a.user_id, a.rsvp))
            .collect();
        let answered = |rsvp: Rsvp| -> Vec<String> {
            members
                .iter()
                .filter(|m| said.get(&m.user_id) == Some(&rsvp))
                .map(|m| m.name.clone())
                .collect()
        };
        let unanswered = members
            .iter()
            .filter(|m| said.get(&m.user_id).is_none_or(|r| *r == Rsvp::Pending))
            .count();
        Ok(Ok(v1::MeetingReminderSpec {
            coming: answered(Rsvp::Attending),
            maybe: answered(Rsvp::Tentative),
            not_coming: answered(Rsvp::NotAttending),
            unanswered: unanswered as u32,
            answer_url: format!("{}/meetings", self.state.config.public_url),
            channel_id,
            role_id: group.discord_role_id.clone().unwrap_or_default(),
            voice_channel_id: group.discord_voice_channel_id.clone().unwrap_or_default(),
            group_name: group.name.clone(),
            number,
            meeting_count: group.meeting_count.max(0) as u32,
            starts_at: Some(timestamp(found.starts_at)),
            hours_before: hours_before.max(0) as u32,
            reading,
        }))
    }

    /// Logs the nudge DM to `user` about `meeting`: sent, or skipped with
    /// `skipped` saying why.
    async fn log_nudge(
        &self,
        user: UserId,
        meeting: MeetingId,
        skipped: Option<&str>,
    ) -> AppResult<()> {
        Ok(self
            .state
            .store
            .log_notification(
                user,
                NUDGE_KIND,
                &format!("meeting:{meeting}"),
                NotificationChannel::DiscordDm,
                skipped.is_none(),
                skipped,
            )
            .await?)
    }

    /// The direct message nudging `user` about meeting `meeting`, or why
    /// none is sent: `Ok(Err((why, logged)))`, logged in the notification
    /// log when it is about the person (their setting, their reading).
    async fn nudge(
        &self,
        user: UserId,
        meeting: MeetingId,
    ) -> AppResult<Result<v1::DirectMessageSpec, (&'static str, bool)>> {
        let store = &self.state.store;
        let Some(person) = store
            .user_by_id(user)
            .await?
            .filter(|u| u.deleted_at.is_none())
        else {
            return Ok(Err(("the user no longer exists", false)));
        };
        if !person.notify_discord_dm {
            return Ok(Err(("Discord messages are off", true)));
        }
        let reference = format!("meeting:{meeting}");
        if store
            .notified(user, NUDGE_KIND, &reference, NotificationChannel::DiscordDm)
            .await?
        {
            return Ok(Err(("already sent", false)));
        }
        let Some(found) = store
            .meeting(meeting)
            .await?
            .filter(|m| m.status == MeetingStatus::Scheduled)
        else {
            return Ok(Err(("the meeting was postponed or removed", false)));
        };
        let Some((group, _)) = store.discord_group(found.group_id).await? else {
            return Ok(Err(("the group no longer exists", false)));
        };
        let progress = store.progress_of_user(user).await?;
        let complete: HashSet<&str> = progress
            .iter()
            .filter(|p| p.completed_at.is_some())
            .map(|p| p.content_id.as_str())
            .collect();
        let number = found.number.unwrap_or_default();
        let loaded = self.state.content.current();
        let Some(left) = reading_left(
            &loaded.snapshot,
            &group.course_slug,
            number.max(0) as u32,
            &complete,
        ) else {
            return Ok(Err(("no reading left", true)));
        };
        let name = person
            .nickname
            .clone()
            .unwrap_or_else(|| person.discord_username.clone());
        Ok(Ok(v1::DirectMessageSpec {
            discord_id: person.discord_id,
            text: nudge_message(
                &name,
                &group.name,
                number,
                found.starts_at.timestamp(),
                &left,
                self.state.config.public_url.as_str(),
            ),
        }))
    }

    /// What job `job` asks for now, read fresh from the data; `None` when
    /// there is nothing to describe (the job is failed with why).
    async fn describe(&self, job: &JobRecord) -> AppResult<Option<v1::take_work_response::Work>> {
        use v1::take_work_response::Work;
        let fail = |error: String| Outcome::Fail { error };
        let outcome = match DiscordJob::parse(&job.kind, &job.payload) {
            Some(DiscordJob::SyncGroup(group_id)) => {
                match self.state.store.discord_group(group_id).await? {
                    Some((group, members)) => {
                        let loaded = self.state.content.current();
                        let title = loaded.snapshot.course_title(&group.course_slug);
                        let layout = GroupLayout::of(&group, &title, members);
                        return Ok(Some(Work::Group(group_spec(&group, layout, &title))));
                    }
                    None => fail(format!("group {group_id} no longer exists")),
                }
            }
            Some(DiscordJob::SetNickname(user_id)) => {
                match self.state.store.user_by_id(user_id).await? {
                    Some(user) if user.deleted_at.is_none() => {
                        return Ok(Some(Work::Nickname(v1::NicknameSpec {
                            discord_id: user.discord_id,
                            nickname: user.nickname.unwrap_or_default(),
                        })));
                    }
                    _ => fail(format!("user {user_id} no longer exists")),
                }
            }
            Some(DiscordJob::Remind {
                meeting,
                hours_before,
            }) => match self.reminder(meeting, hours_before).await? {
                Ok(spec) => return Ok(Some(Work::Reminder(spec))),
                Err(why) => fail(why),
            },
            Some(DiscordJob::Nudge { user, meeting }) => match self.nudge(user, meeting).await? {
                Ok(spec) => return Ok(Some(Work::DirectMessage(spec))),
                Err((why, logged)) => {
                    if logged {
                        self.log_nudge(user, meeting, Some(why)).await?;
                    }
                    tracing::info!(%user, %meeting, why, "no Discord nudge");
                    Outcome::Done
                }
            },
            None => fail(format!(
                "this core does not know Discord job kind {:?}; update the core",
                job.kind
            )),
        };
        record(&self.state.store, job.id, job.attempts, &job.kind, outcome).await?;
        Ok(None)
    }
}

#[tonic::async_trait]
impl DiscordWorkService for DiscordWorkApi {
    type TakeWorkStream = WorkStream;

    async fn take_work(
        &self,
        request: Request<v1::TakeWorkRequest>,
    ) -> Result<Response<Self::TakeWorkStream>, Status> {
        let lease = lease(request.get_ref()).map_err(Status::from)?;
        let (tx, rx) = mpsc::channel(16);
        let api = self.clone();
        let stop = self.state.shutdown.clone();
        tokio::spawn(async move {
            tracing::info!("the discord edge is taking Discord work");
            loop {
                // Claim only what the bot has room for: a job sent is a job
                // leased, and a full channel would hold leases idle.
                let room = tx.capacity().max(1) as i64;
                let jobs = match api.state.store.claim_jobs(DISCORD_JOBS, room, lease).await {
                    Ok(jobs) => jobs,
                    Err(error) => {
                        tracing::warn!(%error, "claiming Discord work failed; trying again");
                        Vec::new()
                    }
                };
                let idle = jobs.is_empty();
                for job in jobs {
                    let work = match api.describe(&job).await {
                        Ok(Some(work)) => work,
                        Ok(None) => continue,
                        // Left running: the lease hands it out again.
                        Err(error) => {
                            tracing::warn!(%error, job = %job.id, "reading a Discord job's data failed");
                            continue;
                        }
                    };
                    let work = v1::TakeWorkResponse {
                        job_id: job.id.0,
                        attempt: job.attempts.max(0) as u32,
                        kind: job.kind,
                        work: Some(work),
                    };
                    // A bot that hung up leaves its jobs leased; they return
                    // to the queue when the lease ends.
                    if tx.send(Ok(work)).await.is_err() {
                        return;
                    }
                }
                if idle {
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(500)) => {}
                        () = tx.closed() => return,
                        () = stop.cancelled() => return,
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn report_work(
        &self,
        request: Request<v1::ReportWorkRequest>,
    ) -> Result<Response<v1::ReportWorkResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                let outcome = outcome(r)?;
                let id = JobId(r.job_id);
                let job = self
                    .state
                    .store
                    .job(id)
                    .await?
                    .filter(|job| job.kind.starts_with(DISCORD_JOBS))
                    .ok_or_else(|| AppError::NotFound(format!("no Discord job with id {id}")))?;
                if let (Some(DiscordJob::SyncGroup(group)), Some(realized)) =
                    (DiscordJob::parse(&job.kind, &job.payload), &r.realized)
                {
                    let ids = realized_ids(realized);
                    for (field, value) in [
                        ("realized.category_id", &ids.category_id),
                        ("realized.general_channel_id", &ids.general_channel_id),
                        ("realized.text_channel_id", &ids.text_channel_id),
                        ("realized.voice_channel_id", &ids.voice_channel_id),
                        ("realized.role_id", &ids.role_id),
                        ("realized.welcome_posted_in", &ids.welcome_channel_id),
                    ] {
                        snowflake(field, value, true)?;
                    }
                    let complete = outcome == Outcome::Done;
                    self.state
                        .store
                        .record_realized(group, &ids, complete)
                        .await?;
                }
                let sent = outcome == Outcome::Done;
                let attempt = i32::try_from(r.attempt).unwrap_or(i32::MAX);
                let kept = record(&self.state.store, id, attempt, &job.kind, outcome).await?;
                if let (true, true, Some(DiscordJob::Nudge { user, meeting })) =
                    (kept, sent, DiscordJob::parse(&job.kind, &job.payload))
                {
                    self.log_nudge(user, meeting, None).await?;
                }
                Ok(v1::ReportWorkResponse { kept })
            }
            .await,
        )
    }

    async fn report_member_joined(
        &self,
        request: Request<v1::ReportMemberJoinedRequest>,
    ) -> Result<Response<v1::ReportMemberJoinedResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                snowflake("discord_id", &r.discord_id, false)?;
                let queued = self
                    .state
                    .store
                    .discord_member_joined(&r.discord_id, r.has_nickname)
                    .await?;
                Ok(v1::ReportMemberJoinedResponse {
                    queued: queued as u32,
                })
            }
            .await,
        )
    }

    async fn report_nickname_changed(
        &self,
        request: Request<v1::ReportNicknameChangedRequest>,
    ) -> Result<Response<v1::ReportNicknameChangedResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                snowflake("discord_id", &r.discord_id, false)?;
                if r.nickname.is_empty() {
                    return Ok(v1::ReportNicknameChangedResponse { changed: false });
                }
                let nickname = Nickname::parse("nickname", &r.nickname)?;
                let changed = self
                    .state
                    .store
                    .nickname_from_discord(&r.discord_id, nickname.as_str())
                    .await?;
                Ok(v1::ReportNicknameChangedResponse { changed })
            }
            .await,
        )
    }
}
