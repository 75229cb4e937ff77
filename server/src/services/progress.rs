//! ProgressService: heartbeats, completion, course overviews.

use std::collections::HashMap;

use lens_proto::v1::{self, progress_service_server::ProgressService};
use tonic::{Request, Response, Status};

use super::{convert::timestamp, respond};
use crate::app::AppState;
use crate::auth;
use crate::clock;
use crate::content::model::ContentKind;
use crate::domain::Invalid;
use crate::domain::{CohortRole, GroupId, UserId};
use crate::error::{AppError, AppResult};
use crate::store::ProgressRecord;

/// Implements `lens.v1.ProgressService`.
#[derive(Debug, Clone)]
pub struct ProgressApi {
    state: AppState,
}

impl ProgressApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The kind of a content id from the served snapshot.
    fn kind(&self, raw: &str) -> AppResult<ContentKind> {
        let id = raw.trim();
        if id.is_empty() || id.len() > 200 {
            return Err(Invalid::new(
                "content_id",
                "must be the id of a module, learning outcome or lens",
            )
            .into());
        }
        self.state
            .content
            .current()
            .snapshot
            .kind_of(id)
            .ok_or_else(|| {
                AppError::NotFound(format!("no module, learning outcome or lens has id {id:?}"))
            })
    }
}

fn progress(record: &ProgressRecord) -> v1::ContentProgress {
    v1::ContentProgress {
        content_id: record.content_id.clone(),
        kind: super::convert::content_kind(&record.content_kind).into(),
        started_at: Some(timestamp(record.started_at)),
        last_heartbeat_at: Some(timestamp(record.last_heartbeat_at)),
        time_spent_seconds: record.time_spent_seconds.max(0) as u64,
        completed_at: record.completed_at.map(timestamp),
    }
}

/// Per meeting, per module: what a user started, completed and spent.
fn overview(
    course: &crate::content::model::Course,
    snapshot: &crate::content::Snapshot,
    records: &[ProgressRecord],
    chats: &HashMap<String, i64>,
) -> Vec<v1::UnitProgress> {
    let by_id: HashMap<&str, &ProgressRecord> =
        records.iter().map(|r| (r.content_id.as_str(), r)).collect();
    course
        .units
        .iter()
        .map(|unit| v1::UnitProgress {
            meeting: unit.meeting.unwrap_or(0),
            modules: unit
                .modules
                .iter()
                .filter_map(|slug| snapshot.modules.get(slug))
                .map(|module| {
                    let (parts, required) = module.parts();
                    let own = by_id.get(module.id.as_str());
                    let rows: Vec<&ProgressRecord> = parts
                        .iter()
                        .filter_map(|id| by_id.get(id).copied())
                        .chain(own.copied())
                        .collect();
                    let done = required
                        .iter()
                        .filter(|id| by_id.get(*id).is_some_and(|r| r.completed_at.is_some()))
                        .count();
                    let marked = own.is_some_and(|r| r.completed_at.is_some());
                    v1::ModuleProgress {
                        module_id: module.id.clone(),
                        slug: module.slug.clone(),
                        title: module.title.clone(),
                        started: !rows.is_empty(),
                        completed: marked || (!required.is_empty() && done == required.len()),
                        time_spent_seconds: rows
                            .iter()
                            .map(|r| r.time_spent_seconds.max(0) as u64)
                            .sum(),
                        required_lenses_completed: done as u32,
                        required_lenses: required.len() as u32,
                        chat_messages: parts
                            .iter()
                            .filter_map(|id| chats.get(*id))
                            .sum::<i64>()
                            .max(0) as u32,
                    }
                })
                .collect(),
        })
        .collect()
}

#[tonic::async_trait]
impl ProgressService for ProgressApi {
    async fn get_group_progress(
        &self,
        request: Request<v1::GetGroupProgressRequest>,
    ) -> Result<Response<v1::GetGroupProgressResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let group_id = request.get_ref().group_id;
                let (course_slug, members) = self
                    .state
                    .store
                    .group_with_members(GroupId(group_id))
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("no group with id {group_id}")))?;
                let leads = members
                    .iter()
                    .any(|m| m.user_id == me.id && m.role == CohortRole::Facilitator);
                if !leads && !me.is_admin {
                    return Err(AppError::PermissionDenied(
                        "only the group's facilitator (or an admin) can see its members' progress"
                            .into(),
                    ));
                }
                let loaded = self.state.content.current();
                let course = loaded.snapshot.courses.get(&course_slug).ok_or_else(|| {
                    AppError::FailedPrecondition(format!(
                        "the group's course {course_slug:?} is not in the served content"
                    ))
                })?;
                let mut out = Vec::with_capacity(members.len());
                for member in members {
                    let records = self.state.store.progress_of_user(member.user_id).await?;
                    let chats = self
                        .state
                        .store
                        .chat_messages_per_lens(member.user_id)
                        .await?;
                    out.push(v1::MemberProgress {
                        user_id: member.user_id.0,
                        name: member.name,
                        role: super::convert::cohort::role(member.role).into(),
                        units: overview(course, &loaded.snapshot, &records, &chats),
                    });
                }
                Ok(v1::GetGroupProgressResponse {
                    course_slug,
                    members: out,
                })
            }
            .await,
        )
    }

    async fn record_heartbeat(
        &self,
        request: Request<v1::RecordHeartbeatRequest>,
    ) -> Result<Response<v1::RecordHeartbeatResponse>, Status> {
        respond(
            async {
                let user = auth::learner(&request)?;
                let id = request.get_ref().content_id.trim();
                let kind = self.kind(id)?;
                let record = self
                    .state
                    .store
                    .record_heartbeat(user.id, id, kind.as_str(), clock::now())
                    .await?;
                Ok(v1::RecordHeartbeatResponse {
                    progress: Some(progress(&record)),
                })
            }
            .await,
        )
    }

    async fn mark_complete(
        &self,
        request: Request<v1::MarkCompleteRequest>,
    ) -> Result<Response<v1::MarkCompleteResponse>, Status> {
        respond(
            async {
                let user = auth::learner(&request)?;
                let id = request.get_ref().content_id.trim();
                let kind = self.kind(id)?;
                let record = self
                    .state
                    .store
                    .mark_complete(user.id, id, kind.as_str(), clock::now())
                    .await?;
                Ok(v1::MarkCompleteResponse {
                    progress: Some(progress(&record)),
                })
            }
            .await,
        )
    }

    async fn get_module_progress(
        &self,
        request: Request<v1::GetModuleProgressRequest>,
    ) -> Result<Response<v1::GetModuleProgressResponse>, Status> {
        respond(
            async {
                let me = auth::learner(&request)?;
                let slug = request.get_ref().module_slug.trim();
                let loaded = self.state.content.current();
                let module =
                    loaded.snapshot.modules.get(slug).ok_or_else(|| {
                        AppError::NotFound(format!("no module with slug {slug:?}"))
                    })?;
                let (parts, _) = module.parts();
                let records = self.state.store.progress_of_user(me.id).await?;
                let items = records
                    .iter()
                    .filter(|r| r.content_id == module.id || parts.contains(&r.content_id.as_str()))
                    .map(progress)
                    .collect();
                Ok(v1::GetModuleProgressResponse { items })
            }
            .await,
        )
    }

    async fn get_course_progress(
        &self,
        request: Request<v1::GetCourseProgressRequest>,
    ) -> Result<Response<v1::GetCourseProgressResponse>, Status> {
        respond(
            async {
                let me = auth::learner(&request)?;
                let whose = match request.get_ref().user_id {
                    0 => me.id,
                    id if UserId(id) == me.id || me.is_admin => UserId(id),
                    _ => {
                        return Err(AppError::PermissionDenied(
                            "only admins can read other users' progress".into(),
                        ));
                    }
                };
                let slug = request.get_ref().course_slug.trim();
                let loaded = self.state.content.current();
                let course =
                    loaded.snapshot.courses.get(slug).ok_or_else(|| {
                        AppError::NotFound(format!("no course with slug {slug:?}"))
                    })?;
                let records = self.state.store.progress_of_user(whose).await?;
                let chats = self.state.store.chat_messages_per_lens(me.id).await?;
                let units = overview(course, &loaded.snapshot, &records, &chats);
                Ok(v1::GetCourseProgressResponse { units })
            }
            .await,
        )
    }
}
