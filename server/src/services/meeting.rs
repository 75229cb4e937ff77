//! MeetingService: course sessions, answers and attendance.

use lens_proto::v1::{self, meeting_service_server::MeetingService};
use tonic::{Request, Response, Status};

use super::convert::cohort::role;
use super::convert::meeting::{attendance, meeting, rsvp};
use super::respond;
use crate::app::AppState;
use crate::auth;
use crate::clock;
use crate::domain::{GroupId, Invalid, MeetingId, Rsvp, UserId};
use crate::error::{AppError, AppResult};
use crate::meetings::{Meetings, ics};

/// Implements `lens.v1.MeetingService`: parses, calls [`Meetings`], converts.
#[derive(Debug, Clone)]
pub struct MeetingApi {
    state: AppState,
    meetings: Meetings,
}

impl MeetingApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        let meetings = Meetings::new(state.store.clone());
        Self { state, meetings }
    }
}

impl MeetingApi {
    /// A group's name and its cohort's course.
    async fn group_context(&self, group_id: GroupId) -> AppResult<(String, String)> {
        let (group, _) = self
            .state
            .store
            .discord_group(group_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no group with id {group_id}")))?;
        Ok((group.name, group.course_slug))
    }
}

#[tonic::async_trait]
impl MeetingService for MeetingApi {
    async fn list_my_meetings(
        &self,
        request: Request<v1::ListMyMeetingsRequest>,
    ) -> Result<Response<v1::ListMyMeetingsResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let past = request.get_ref().past;
                let now = clock::now();
                let content = self.state.content.current();
                let mut meetings: Vec<v1::MyMeeting> = self
                    .meetings
                    .mine(me.id)
                    .await?
                    .into_iter()
                    .filter(|m| {
                        let over = m.meeting.starts_at
                            + chrono::Duration::minutes(m.meeting.minutes)
                            <= now;
                        over == past
                    })
                    .map(|m| v1::MyMeeting {
                        meeting: Some(meeting(
                            &m.meeting,
                            &m.group_name,
                            &m.course_slug,
                            &content.snapshot,
                        )),
                        rsvp: rsvp(m.rsvp).into(),
                        attendance: attendance(m.attended).into(),
                    })
                    .collect();
                if past {
                    meetings.reverse();
                }
                Ok(v1::ListMyMeetingsResponse {
                    meetings,
                    calendar_invitations: self.state.config.calendar.is_some(),
                })
            }
            .await,
        )
    }

    async fn list_group_meetings(
        &self,
        request: Request<v1::ListGroupMeetingsRequest>,
    ) -> Result<Response<v1::ListGroupMeetingsResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let group_id = GroupId(request.get_ref().group_id);
                let (name, course) = self.group_context(group_id).await?;
                let view = self.meetings.of_group(me, group_id).await?;
                let content = self.state.content.current();
                let meetings = view
                    .meetings
                    .iter()
                    .map(|m| v1::GroupMeeting {
                        meeting: Some(meeting(m, &name, &course, &content.snapshot)),
                        members: view
                            .members
                            .iter()
                            .map(|member| {
                                let said = view
                                    .attendance
                                    .iter()
                                    .find(|a| a.meeting_id == m.id && a.user_id == member.user_id);
                                v1::MeetingMember {
                                    user_id: member.user_id.0,
                                    name: member.name.clone(),
                                    role: role(member.role).into(),
                                    rsvp: rsvp(said.map(|a| a.rsvp)).into(),
                                    attendance: attendance(said.and_then(|a| a.attended)).into(),
                                }
                            })
                            .collect(),
                    })
                    .collect();
                Ok(v1::ListGroupMeetingsResponse {
                    meetings,
                    can_lead: view.can_lead,
                    group_name: name,
                })
            }
            .await,
        )
    }

    async fn rsvp(
        &self,
        request: Request<v1::RsvpRequest>,
    ) -> Result<Response<v1::RsvpResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let r = request.get_ref();
                let answer = match r.rsvp() {
                    v1::RsvpStatus::Unspecified => {
                        return Err(Invalid::new(
                            "rsvp",
                            "say attending, not attending, tentative or pending",
                        )
                        .into());
                    }
                    v1::RsvpStatus::Pending => Rsvp::Pending,
                    v1::RsvpStatus::Attending => Rsvp::Attending,
                    v1::RsvpStatus::NotAttending => Rsvp::NotAttending,
                    v1::RsvpStatus::Tentative => Rsvp::Tentative,
                };
                self.meetings
                    .rsvp(me.id, MeetingId(r.meeting_id), answer)
                    .await?;
                Ok(v1::RsvpResponse {})
            }
            .await,
        )
    }

    async fn record_attendance(
        &self,
        request: Request<v1::RecordAttendanceRequest>,
    ) -> Result<Response<v1::RecordAttendanceResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let r = request.get_ref();
                let attended = match r.attendance() {
                    v1::Attendance::Unspecified => {
                        return Err(Invalid::new("attendance", "say present or absent").into());
                    }
                    v1::Attendance::Present => true,
                    v1::Attendance::Absent => false,
                };
                self.meetings
                    .record_attendance(me, MeetingId(r.meeting_id), UserId(r.user_id), attended)
                    .await?;
                Ok(v1::RecordAttendanceResponse {})
            }
            .await,
        )
    }

    async fn postpone_meeting(
        &self,
        request: Request<v1::PostponeMeetingRequest>,
    ) -> Result<Response<v1::PostponeMeetingResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let added = self
                    .meetings
                    .postpone(me, MeetingId(request.get_ref().meeting_id))
                    .await?;
                let (name, course) = self.group_context(added.group_id).await?;
                let content = self.state.content.current();
                Ok(v1::PostponeMeetingResponse {
                    added: Some(meeting(&added, &name, &course, &content.snapshot)),
                })
            }
            .await,
        )
    }

    async fn export_my_meetings(
        &self,
        request: Request<v1::ExportMyMeetingsRequest>,
    ) -> Result<Response<v1::ExportMyMeetingsResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let now = clock::now();
                let ahead: Vec<_> = self
                    .meetings
                    .mine(me.id)
                    .await?
                    .into_iter()
                    .filter(|m| {
                        m.meeting.starts_at + chrono::Duration::minutes(m.meeting.minutes) > now
                    })
                    .collect();
                let content = self.state.content.current();
                let ics = ics::calendar_file(
                    &ahead,
                    |slug| content.snapshot.course_title(slug),
                    self.state.config.public_url.as_str(),
                    now,
                );
                Ok(v1::ExportMyMeetingsResponse {
                    ics,
                    file_name: ics::FILE_NAME.to_owned(),
                })
            }
            .await,
        )
    }

    async fn refresh_group_calendar(
        &self,
        request: Request<v1::RefreshGroupCalendarRequest>,
    ) -> Result<Response<v1::RefreshGroupCalendarResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let group = GroupId(request.get_ref().group_id);
                self.meetings
                    .refresh_calendar(me, group, self.state.config.calendar.is_some())
                    .await?;
                Ok(v1::RefreshGroupCalendarResponse {})
            }
            .await,
        )
    }
}
