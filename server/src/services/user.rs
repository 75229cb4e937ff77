//! UserService: profiles.

use lens_proto::v1::{self, user_service_server::UserService};
use tonic::{Request, Response, Status};

use super::{convert, respond};
use crate::app::AppState;
use crate::auth;
use crate::domain::{Email, Nickname, Timezone, UserId, WeeklySlots};
use crate::error::{AppError, AppResult};
use crate::store::{ProfileChanges, StoreError};

/// Implements `lens.v1.UserService`.
#[derive(Debug, Clone)]
pub struct UserApi {
    state: AppState,
}

impl UserApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// An optional string field where empty means "clear": `None` when unset,
/// `Some(None)` when empty, `Some(Some(value))` otherwise.
fn clearable(raw: &Option<String>) -> Option<Option<&str>> {
    raw.as_deref()
        .map(|r| Some(r.trim()).filter(|r| !r.is_empty()))
}

/// Parses an UpdateProfileRequest into validated changes.
fn changes(request: &v1::UpdateProfileRequest) -> AppResult<ProfileChanges> {
    Ok(ProfileChanges {
        nickname: clearable(&request.nickname)
            .map(|n| n.map(|n| Nickname::parse("nickname", n)).transpose())
            .transpose()?,
        email: clearable(&request.email)
            .map(|e| e.map(|e| Email::parse("email", e)).transpose())
            .transpose()?,
        timezone: request
            .timezone
            .as_deref()
            .map(|t| Timezone::parse("timezone", t))
            .transpose()?,
        notifications: request.notifications.map(|n| (n.email, n.discord_dm)),
    })
}

#[tonic::async_trait]
impl UserService for UserApi {
    async fn set_availability(
        &self,
        request: Request<v1::SetAvailabilityRequest>,
    ) -> Result<Response<v1::SetAvailabilityResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let given = request.get_ref().availability.clone().unwrap_or_default();
                let slots = WeeklySlots::parse(
                    &given.timezone,
                    &given.available_slots,
                    &given.if_needed_slots,
                )?;
                let record = self
                    .state
                    .store
                    .set_availability(
                        me.id,
                        slots.timezone.name(),
                        &slots.available,
                        &slots.if_needed,
                    )
                    .await?;
                Ok(v1::SetAvailabilityResponse {
                    availability: Some(convert::availability(Some(record))),
                })
            }
            .await,
        )
    }

    async fn unsubscribe(
        &self,
        request: Request<v1::UnsubscribeRequest>,
    ) -> Result<Response<v1::UnsubscribeResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                let user = UserId(r.user_id);
                // The same answer for a forged link and an unknown user:
                // the link must not tell who has an account.
                let refused = || {
                    AppError::PermissionDenied(
                        "this unsubscribe link is not valid: use the one in your latest email, or switch email off in your profile".into(),
                    )
                };
                if !self.state.unsubscribe.verify(user, &r.signature) {
                    return Err(refused());
                }
                if !self.state.store.stop_email(user).await? {
                    return Err(refused());
                }
                tracing::info!(%user, "email switched off from an unsubscribe link");
                Ok(v1::UnsubscribeResponse {})
            }
            .await,
        )
    }

    async fn get_availability(
        &self,
        request: Request<v1::GetAvailabilityRequest>,
    ) -> Result<Response<v1::GetAvailabilityResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let record = self.state.store.availability(me.id).await?;
                Ok(v1::GetAvailabilityResponse {
                    availability: Some(convert::availability(record)),
                })
            }
            .await,
        )
    }

    async fn get_profile(
        &self,
        request: Request<v1::GetProfileRequest>,
    ) -> Result<Response<v1::GetProfileResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let wanted = match request.get_ref().user_id {
                    0 => me.id,
                    id if UserId(id) == me.id || me.is_admin => UserId(id),
                    _ => {
                        return Err(AppError::PermissionDenied(
                            "only admins can read other users' profiles".into(),
                        ));
                    }
                };
                let user = self
                    .state
                    .store
                    .user_by_id(wanted)
                    .await?
                    .filter(|u| u.deleted_at.is_none())
                    .ok_or_else(|| AppError::NotFound(format!("no user with id {wanted}")))?;
                Ok(v1::GetProfileResponse {
                    user: Some(convert::user(&user)),
                })
            }
            .await,
        )
    }

    async fn update_profile(
        &self,
        request: Request<v1::UpdateProfileRequest>,
    ) -> Result<Response<v1::UpdateProfileResponse>, Status> {
        respond(
            async {
                let me = auth::user(&request)?;
                let changes = changes(request.get_ref())?;
                let user = self
                    .state
                    .store
                    .update_profile(me.id, &changes)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => {
                            AppError::NotFound(format!("no user with id {}", me.id))
                        }
                        other => other.into(),
                    })?;
                Ok(v1::UpdateProfileResponse {
                    user: Some(convert::user(&user)),
                })
            }
            .await,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_strings_clear_and_unset_fields_are_kept() {
        let parsed = changes(&v1::UpdateProfileRequest {
            nickname: Some("  ".into()),
            email: None,
            timezone: Some("Europe/Paris".into()),
            notifications: None,
        })
        .unwrap();
        assert_eq!(parsed.nickname, Some(None));
        assert_eq!(parsed.email, None);
        assert_eq!(parsed.timezone.unwrap().name(), "Europe/Paris");
    }

    #[test]
    fn a_bad_field_is_named() {
        let error = changes(&v1::UpdateProfileRequest {
            email: Some("not-an-email".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(error.to_string().starts_with("invalid email:"), "{error}");
    }
}
