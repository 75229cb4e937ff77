//! CohortService: cohorts, sign-ups, group proposals and commits.

use std::collections::HashMap;
use std::time::Duration;

use lens_proto::v1::{self, cohort_service_server::CohortService};
use tonic::{Request, Response, Status};

use super::convert::{self, timestamp};
use super::respond;
use crate::app::AppState;
use crate::auth;
use crate::cohorts::Cohorts;
use crate::cohorts::MatchingSettings;
use crate::domain::{
    CohortId, CohortRole, CohortStatus, GroupId, Invalid, LeaveReason, MeetingStatus, UserId,
};
use crate::error::{AppError, AppResult};
use crate::matching::times::describe_stored;
use crate::matching::{Params, TimeModel};
use crate::store::CohortRecord;

/// Implements `lens.v1.CohortService`: parses, calls [`Cohorts`], converts.
#[derive(Debug, Clone)]
pub struct CohortApi {
    state: AppState,
    cohorts: Cohorts,
}

impl CohortApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        let cohorts = Cohorts::new(state.store.clone()).with_email(state.config.email.is_some());
        Self { state, cohorts }
    }

    async fn cohort(&self, id: i64) -> AppResult<CohortRecord> {
        self.cohorts.cohort(CohortId(id)).await
    }

    /// Adds each committed group's setup state, from its jobs.
    async fn add_delivery(&self, groups: &mut [v1::CohortGroup]) -> AppResult<()> {
        use crate::cohorts::delivery::{Step, delivery, job_keys};
        let committed = |g: &v1::CohortGroup| g.status() != v1::GroupStatus::Preview;
        let members = |g: &v1::CohortGroup| -> Vec<UserId> {
            g.members.iter().map(|m| UserId(m.user_id)).collect()
        };
        let keys: Vec<String> = groups
            .iter()
            .filter(|g| committed(g))
            .flat_map(|g| job_keys(GroupId(g.id), &members(g)))
            .collect();
        let jobs = self.state.store.jobs_by_keys(&keys).await?;
        let by_key = jobs
            .iter()
            .map(|j| (j.idempotency_key.clone(), j))
            .collect();
        let calendar_on = self.state.config.calendar.is_some();
        let step = |s: Step| match s {
            Step::Off => v1::DeliveryStep::Off,
            Step::Waiting => v1::DeliveryStep::Waiting,
            Step::Done => v1::DeliveryStep::Done,
            Step::Failed => v1::DeliveryStep::Failed,
        };
        for group in groups.iter_mut().filter(|g| committed(g)) {
            let id = GroupId(group.id);
            let event_made = calendar_on && self.state.store.calendar_event_exists(id).await?;
            let state = delivery(
                id,
                &members(group),
                &by_key,
                group.realized,
                event_made,
                calendar_on,
            );
            group.delivery = Some(v1::GroupDelivery {
                discord: step(state.discord).into(),
                calendar: step(state.calendar).into(),
                emails_sent: state.emails.0,
                emails_waiting: state.emails.1,
                emails_failed: state.emails.2,
                error: state.error.unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// The cohort's groups with their members, as the contract shows them.
    async fn groups(&self, cohort_id: CohortId) -> AppResult<Vec<v1::CohortGroup>> {
        let (groups, members) = self.state.store.groups_of_cohort(cohort_id).await?;
        let mut by_group: HashMap<GroupId, Vec<v1::GroupMember>> = HashMap::new();
        for m in members {
            by_group
                .entry(m.group_id)
                .or_default()
                .push(v1::GroupMember {
                    user_id: m.user_id.0,
                    name: m.name,
                    role: convert::cohort::role(m.role).into(),
                });
        }
        Ok(groups
            .into_iter()
            .map(|g| v1::CohortGroup {
                id: g.id.0,
                name: g.name,
                status: convert::cohort::group_status(g.status).into(),
                meeting_start_slot: g.meeting_start_slot as u32,
                meeting_time: describe_stored(
                    g.meeting_start_slot as usize,
                    &g.meeting_anchor,
                    g.meeting_local_slot.map(|s| s as usize),
                ),
                meeting_local_slot: g.meeting_local_slot.unwrap_or(g.meeting_start_slot) as u32,
                meeting_timezone: g.meeting_anchor,
                members: by_group.remove(&g.id).unwrap_or_default(),
                realized: g.realized_at.is_some(),
                discord_channel_id: g.discord_channel_id.unwrap_or_default(),
                max_members: Params::default().max_size as u32,
                delivery: None,
            })
            .collect())
    }
}

/// Matching settings from a request, with the course's defaults.
fn settings(request: &v1::ProposeGroupsRequest) -> AppResult<MatchingSettings> {
    let exact_time = match request.exact_seconds {
        0 => MatchingSettings::default().exact_time,
        seconds @ 1..=300 => Duration::from_secs(u64::from(seconds)),
        other => {
            return Err(Invalid::new(
                "exact_seconds",
                format!("{other} is more than 300 (five minutes)"),
            )
            .into());
        }
    };
    Ok(MatchingSettings {
        params: params(request)?,
        model: if request.utc_times_only {
            TimeModel::UtcOnly
        } else {
            TimeModel::Anchored
        },
        exact_time,
    })
}

/// Group sizes and meeting length from a request, with the defaults.
fn params(request: &v1::ProposeGroupsRequest) -> AppResult<Params> {
    let defaults = Params::default();
    let min = if request.min_size == 0 {
        defaults.min_size
    } else {
        request.min_size as usize
    };
    let max = if request.max_size == 0 {
        defaults.max_size
    } else {
        request.max_size as usize
    };
    let minutes = if request.meeting_minutes == 0 {
        60
    } else {
        request.meeting_minutes
    };
    if !(2..=20).contains(&min) || !(min..=20).contains(&max) {
        return Err(Invalid::new(
            "min_size/max_size",
            format!("need 2 ≤ min_size ≤ max_size ≤ 20, got {min} and {max}"),
        )
        .into());
    }
    if !minutes.is_multiple_of(30) || !(30..=240).contains(&minutes) {
        return Err(Invalid::new(
            "meeting_minutes",
            format!("is {minutes}; use a multiple of 30 from 30 to 240"),
        )
        .into());
    }
    Ok(Params {
        min_size: min,
        max_size: max,
        meeting_slots: (minutes / 30) as usize,
    })
}

#[tonic::async_trait]
impl CohortService for CohortApi {
    async fn create_cohort(
        &self,
        request: Request<v1::CreateCohortRequest>,
    ) -> Result<Response<v1::CreateCohortResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                let name = r.name.trim();
                if name.is_empty() || name.chars().count() > 100 {
                    return Err(Invalid::new("name", "must be 1 to 100 characters").into());
                }
                let start = crate::domain::CohortStart::parse("start_date", &r.start_date)?
                    .date();
                let loaded = self.state.content.current();
                let course = loaded
                    .snapshot
                    .course(r.course_slug.trim())
                    .ok_or_else(|| {
                        AppError::NotFound(format!(
                            "no course with slug {:?} in the served content",
                            r.course_slug
                        ))
                    })?;
                let meetings = match r.meeting_count {
                    0 => course.units.iter().filter(|u| u.meeting.is_some()).count() as u32,
                    n => n,
                };
                if !(1..=52).contains(&meetings) {
                    return Err(Invalid::new(
                        "meeting_count",
                        format!("is {meetings}; use 1 to 52"),
                    )
                    .into());
                }
                let span = (meetings - 1) * 7 + 1;
                let duration = match r.duration_days {
                    0 => meetings * 7,
                    d if d < span => {
                        return Err(Invalid::new(
                            "duration_days",
                            format!("is {d}, shorter than the {span} days its {meetings} weekly meetings span"),
                        )
                        .into());
                    }
                    d => d,
                };
                let cohort = self
                    .state
                    .store
                    .create_cohort(name, &course.slug, start, i64::from(meetings), i64::from(duration))
                    .await?;
                Ok(v1::CreateCohortResponse {
                    cohort: Some(convert::cohort::cohort(cohort)),
                })
            }
            .await,
        )
    }

    async fn list_cohorts(
        &self,
        request: Request<v1::ListCohortsRequest>,
    ) -> Result<Response<v1::ListCohortsResponse>, Status> {
        respond(
            async {
                let cohorts = self.state.store.cohorts().await?;
                let me = auth::caller(&request)?.user().map(|u| u.id);
                let (mine, can_facilitate) = match me {
                    Some(id) => (
                        self.state.store.signups_of(id).await?.into_iter().collect(),
                        self.state.store.is_facilitator(id).await?,
                    ),
                    None => (HashMap::new(), false),
                };
                Ok(v1::ListCohortsResponse {
                    cohorts: cohorts
                        .into_iter()
                        .map(|c| {
                            let role = mine.get(&c.id).copied();
                            let mut cohort = convert::cohort::cohort(c);
                            cohort.set_my_role(
                                role.map_or(v1::SignupRole::Unspecified, convert::cohort::role),
                            );
                            cohort
                        })
                        .collect(),
                    can_facilitate,
                })
            }
            .await,
        )
    }

    async fn list_signups(
        &self,
        request: Request<v1::ListSignupsRequest>,
    ) -> Result<Response<v1::ListSignupsResponse>, Status> {
        respond(
            async {
                let cohort = self.cohort(request.get_ref().cohort_id).await?;
                let signups = crate::cohorts::signups::signups(&self.state.store, &cohort).await?;
                Ok(v1::ListSignupsResponse {
                    signups: signups
                        .into_iter()
                        .map(|s| v1::Signup {
                            user_id: s.user_id.0,
                            name: s.name,
                            role: convert::cohort::role(s.role).into(),
                            timezone: s.timezone.unwrap_or_default(),
                            available_utc_slots: s.available_utc,
                            if_needed_utc_slots: s.if_needed_utc,
                        })
                        .collect(),
                })
            }
            .await,
        )
    }

    async fn withdraw_sign_up(
        &self,
        request: Request<v1::WithdrawSignUpRequest>,
    ) -> Result<Response<v1::WithdrawSignUpResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                self.cohorts
                    .withdraw(CohortId(request.get_ref().cohort_id), me.id)
                    .await?;
                Ok(v1::WithdrawSignUpResponse {})
            }
            .await,
        )
    }

    async fn set_facilitator(
        &self,
        request: Request<v1::SetFacilitatorRequest>,
    ) -> Result<Response<v1::SetFacilitatorResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                if !(1..=10).contains(&r.max_active_groups) {
                    return Err(Invalid::new(
                        "max_active_groups",
                        format!("is {}; use 1 to 10", r.max_active_groups),
                    )
                    .into());
                }
                if self
                    .state
                    .store
                    .user_by_id(UserId(r.user_id))
                    .await?
                    .is_none()
                {
                    return Err(AppError::NotFound(format!("no user with id {}", r.user_id)));
                }
                self.state
                    .store
                    .set_facilitator(UserId(r.user_id), i64::from(r.max_active_groups))
                    .await?;
                Ok(v1::SetFacilitatorResponse {})
            }
            .await,
        )
    }

    async fn sign_up(
        &self,
        request: Request<v1::SignUpRequest>,
    ) -> Result<Response<v1::SignUpResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let cohort = self.cohort(request.get_ref().cohort_id).await?;
                let late = cohort.status == CohortStatus::Active;
                if cohort.status != CohortStatus::Planned && !late {
                    return Err(AppError::FailedPrecondition(format!(
                        "cohort {} is {}; it takes no more sign-ups",
                        cohort.id, cohort.status
                    )));
                }
                if late && request.get_ref().role() != v1::SignupRole::Learner {
                    return Err(AppError::FailedPrecondition(format!(
                        "cohort {} has started: only learners can still join, by picking a group with room (ListJoinableGroups)",
                        cohort.id
                    )));
                }
                let role = match request.get_ref().role() {
                    v1::SignupRole::Learner => CohortRole::Learner,
                    v1::SignupRole::Facilitator => {
                        if !self.state.store.is_facilitator(me.id).await? {
                            return Err(AppError::PermissionDenied(
                                "only facilitators can sign up as one; ask an admin (CohortService.SetFacilitator)".into(),
                            ));
                        }
                        CohortRole::Facilitator
                    }
                    v1::SignupRole::Unspecified => return Err(Invalid::new("role", "choose learner or facilitator").into()),
                };
                self.cohorts.sign_up(cohort.id, me.id, role).await?;
                let has_availability = self.state.store.availability(me.id).await?.is_some_and(|a| !a.available.is_empty() || !a.if_needed.is_empty());
                Ok(v1::SignUpResponse { has_availability })
            }
            .await,
        )
    }

    async fn propose_groups(
        &self,
        request: Request<v1::ProposeGroupsRequest>,
    ) -> Result<Response<v1::ProposeGroupsResponse>, Status> {
        respond(
            async {
                let settings = settings(request.get_ref())?;
                let cohort = self.cohort(request.get_ref().cohort_id).await?;
                if cohort.status != CohortStatus::Planned {
                    return Err(AppError::FailedPrecondition(format!(
                        "cohort {} is {}: its groups are already committed",
                        cohort.id, cohort.status
                    )));
                }
                let proposal =
                    crate::cohorts::propose(&self.state.store, &cohort, settings, |_| {}).await?;
                let quality = proposal
                    .solution
                    .evaluate(&proposal.problem)
                    .map_err(|rule| AppError::Internal(format!("matching broke a rule: {rule}")))?;
                crate::cohorts::save(&self.state.store, cohort.id, &proposal).await?;
                let (solution, learner_ids, names) =
                    (&proposal.solution, &proposal.learner_ids, &proposal.names);
                Ok(v1::ProposeGroupsResponse {
                    groups: self
                        .groups(cohort.id)
                        .await?
                        .into_iter()
                        .filter(|g| g.status() == v1::GroupStatus::Preview)
                        .collect(),
                    unplaced: solution
                        .unplaced
                        .iter()
                        .map(|(l, reason)| v1::Unplaced {
                            user_id: learner_ids[*l].0,
                            name: names.get(&learner_ids[*l]).cloned().unwrap_or_default(),
                            reason: crate::cohorts::reason_code(*reason).to_owned(),
                            explanation: reason.explain().to_owned(),
                        })
                        .collect(),
                    placed: quality.placed as u32,
                    learners: quality.learners as u32,
                    if_needed_uses: quality.if_needed_uses as u32,
                    proven_optimal: proposal.report.proven_optimal,
                    placed_bound: proposal.report.placed_bound as u32,
                    method: proposal.report.method.as_str().to_owned(),
                    clock_warnings: proposal.clock_warnings(),
                })
            }
            .await,
        )
    }

    async fn list_groups(
        &self,
        request: Request<v1::ListGroupsRequest>,
    ) -> Result<Response<v1::ListGroupsResponse>, Status> {
        respond(
            async {
                let cohort = self.cohort(request.get_ref().cohort_id).await?;
                let mut groups = self.groups(cohort.id).await?;
                self.add_delivery(&mut groups).await?;
                Ok(v1::ListGroupsResponse { groups })
            }
            .await,
        )
    }

    async fn move_member(
        &self,
        request: Request<v1::MoveMemberRequest>,
    ) -> Result<Response<v1::MoveMemberResponse>, Status> {
        let r = request.get_ref();
        respond(
            self.cohorts
                .move_learner(
                    CohortId(r.cohort_id),
                    UserId(r.user_id),
                    GroupId(r.to_group_id),
                )
                .await
                .map(|warnings| v1::MoveMemberResponse { warnings }),
        )
    }

    async fn list_joinable_groups(
        &self,
        request: Request<v1::ListJoinableGroupsRequest>,
    ) -> Result<Response<v1::ListJoinableGroupsResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let cohort_id = request.get_ref().cohort_id;
                let cohort_id = CohortId(cohort_id);
                let open = self.cohorts.joinable(cohort_id, me.id).await?;
                let all = self.groups(cohort_id).await?;
                let groups = open
                    .iter()
                    .filter_map(|info| all.iter().find(|g| g.id == info.id.0).cloned())
                    .collect();
                Ok(v1::ListJoinableGroupsResponse { groups })
            }
            .await,
        )
    }

    async fn join_group(
        &self,
        request: Request<v1::JoinGroupRequest>,
    ) -> Result<Response<v1::JoinGroupResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let group_id = request.get_ref().group_id;
                let switch = request.get_ref().switch_group;
                let cohort = self.cohorts.join(GroupId(group_id), me.id, switch).await?;
                let group = self
                    .groups(cohort.id)
                    .await?
                    .into_iter()
                    .find(|g| g.id == group_id)
                    .ok_or_else(|| AppError::Internal("joined group vanished".into()))?;
                Ok(v1::JoinGroupResponse { group: Some(group) })
            }
            .await,
        )
    }

    async fn leave_group(
        &self,
        request: Request<v1::LeaveGroupRequest>,
    ) -> Result<Response<v1::LeaveGroupResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let r = request.get_ref();
                let reason = match r.reason() {
                    v1::LeaveReason::Unspecified => {
                        return Err(Invalid::new("reason", "say why the learner leaves").into());
                    }
                    v1::LeaveReason::TimeConstraints => LeaveReason::TimeConstraints,
                    v1::LeaveReason::PersonalReasons => LeaveReason::PersonalReasons,
                    v1::LeaveReason::CourseFit => LeaveReason::CourseFit,
                    v1::LeaveReason::Unresponsive => LeaveReason::Unresponsive,
                    v1::LeaveReason::Other => LeaveReason::Other,
                };
                let user = if r.user_id == 0 {
                    me.id
                } else {
                    UserId(r.user_id)
                };
                let by_admin = user != me.id;
                if by_admin && !me.is_admin {
                    return Err(AppError::PermissionDenied(
                        "only admins take other people out of groups".into(),
                    ));
                }
                if reason == LeaveReason::Unresponsive && !by_admin {
                    return Err(Invalid::new("reason", "unresponsive is an admin's call").into());
                }
                self.cohorts
                    .leave(GroupId(r.group_id), user, by_admin, reason)
                    .await?;
                Ok(v1::LeaveGroupResponse {})
            }
            .await,
        )
    }

    async fn list_my_groups(
        &self,
        request: Request<v1::ListMyGroupsRequest>,
    ) -> Result<Response<v1::ListMyGroupsResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let mut mine = Vec::new();
                for (cohort_id, group_id) in self.state.store.groups_of_member(me.id).await? {
                    let cohort = self.cohorts.cohort(cohort_id).await?;
                    let Some(group) = self
                        .groups(cohort_id)
                        .await?
                        .into_iter()
                        .find(|g| g.id == group_id.0)
                    else {
                        continue;
                    };
                    let now = crate::clock::now();
                    let next = self
                        .state
                        .store
                        .meetings_of_group(group_id)
                        .await?
                        .into_iter()
                        .find(|m| m.status == MeetingStatus::Scheduled && m.starts_at > now)
                        .map(|m| (m.number.unwrap_or_default().max(0) as u32, m.starts_at));
                    mine.push(v1::MyGroup {
                        group: Some(group),
                        cohort: Some(convert::cohort::cohort(cohort)),
                        next_meeting: next.map(|(_, at)| timestamp(at)),
                        next_meeting_number: next.map_or(0, |(n, _)| n),
                    });
                }
                Ok(v1::ListMyGroupsResponse { groups: mine })
            }
            .await,
        )
    }

    async fn commit_groups(
        &self,
        request: Request<v1::CommitGroupsRequest>,
    ) -> Result<Response<v1::CommitGroupsResponse>, Status> {
        respond(
            async {
                let cohort = self.cohort(request.get_ref().cohort_id).await?;
                let (committed, queued, at) = self.cohorts.commit(cohort.id).await?;
                if committed == 0 {
                    return Err(AppError::FailedPrecondition(format!(
                        "cohort {} has no preview groups to commit: run ProposeGroups first",
                        cohort.id
                    )));
                }
                tracing::info!(cohort = cohort.id.0, committed, queued, "groups committed");
                Ok(v1::CommitGroupsResponse {
                    committed: committed as u32,
                    queued_tasks: queued as u32,
                    committed_at: Some(timestamp(at)),
                })
            }
            .await,
        )
    }
}
