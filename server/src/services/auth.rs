//! AuthService: Discord sign-in, development sign-in, WhoAmI, sign-out.

use lens_proto::v1::{self, auth_service_server::AuthService};
use tonic::{Request, Response, Status};

use super::{convert, respond};
use crate::app::AppState;
use crate::auth::oauth_state::{parse_nonce, parse_return_to};
use crate::auth::{self, Principal};
use crate::clock;
use crate::domain::{Invalid, NetworkKey, UserId};
use crate::error::{AppError, AppResult};
use crate::store::{DiscordProfile, UserRecord};

/// Implements `lens.v1.AuthService`.
#[derive(Debug, Clone)]
pub struct AuthApi {
    state: AppState,
}

impl AuthApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    fn discord(&self) -> AppResult<&crate::auth::discord_oauth::DiscordOAuthClient> {
        self.state.discord.as_ref().ok_or_else(|| {
            AppError::FailedPrecondition(
                "Discord sign-in is not configured on this platform: an operator sets DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET on the core".into(),
            )
        })
    }

    /// A session for a signed-in user; refuses deleted accounts.
    fn session(&self, user: &UserRecord) -> AppResult<v1::Session> {
        if user.deleted_at.is_some() {
            return Err(AppError::PermissionDenied(
                "this account was deleted; ask the course admins to restore it".into(),
            ));
        }
        let (token, claims) = self.state.keys.mint_session(
            user.id,
            user.is_admin,
            clock::now(),
            self.state.config.session_ttl,
        );
        Ok(v1::Session {
            token,
            expires_at: Some(convert::timestamp(claims.expires_at())),
            user: Some(convert::user(user)),
        })
    }

    async fn begin(
        &self,
        request: v1::BeginDiscordLoginRequest,
    ) -> AppResult<v1::BeginDiscordLoginResponse> {
        let discord = self.discord()?;
        let nonce = parse_nonce(&request.nonce)?;
        let return_to = parse_return_to(&request.return_to)?;
        let state = self.state.states.issue(nonce, &return_to, clock::now());
        Ok(v1::BeginDiscordLoginResponse {
            authorize_url: discord.authorize_url(&state),
        })
    }

    async fn exchange(
        &self,
        request: v1::ExchangeDiscordCodeRequest,
    ) -> AppResult<v1::ExchangeDiscordCodeResponse> {
        let discord = self.discord()?;
        if request.code.is_empty() || request.code.len() > 512 {
            return Err(
                Invalid::new("code", "must be the code Discord sent to the callback").into(),
            );
        }
        let nonce = parse_nonce(&request.nonce)?;
        let return_to = self
            .state
            .states
            .verify(&request.state, nonce, clock::now())
            .map_err(|e| AppError::InvalidArgument(e.to_string()))?;
        let profile = discord.exchange(&request.code).await?;
        let user = self.state.store.upsert_discord_user(&profile).await?;
        tracing::info!(user_id = %user.id, "signed in with Discord");
        let session = self.session(&user)?;
        Ok(v1::ExchangeDiscordCodeResponse {
            session: Some(session),
            return_to,
            guest_claim: self.claim_guest(&request.guest_token, &user).await?,
        })
    }

    async fn dev(&self, request: v1::DevSignInRequest) -> AppResult<v1::DevSignInResponse> {
        if !self.state.config.dev_mode {
            return Err(AppError::FailedPrecondition(
                "development sign-in is off: it needs DEV_MODE=1 on the core (loopback only)"
                    .into(),
            ));
        }
        let name = request.username.trim();
        let valid = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
        if !valid {
            return Err(
                Invalid::new("username", "must be 1 to 32 letters, digits, _, - or .").into(),
            );
        }
        let profile = DiscordProfile {
            discord_id: format!("dev:{name}"),
            username: name.to_owned(),
            global_name: Some(name.to_owned()),
            avatar_hash: None,
            email: None,
            email_verified: false,
        };
        if request.admin && !self.state.config.dev_admin {
            return Err(AppError::PermissionDenied(
                "development sign-in makes admins only with DEV_ADMIN=1 on the core, beside DEV_MODE=1".into(),
            ));
        }
        let return_to = parse_return_to(&request.return_to)?;
        let mut user = self.state.store.upsert_discord_user(&profile).await?;
        if user.is_admin != request.admin {
            user = self.state.store.set_admin(user.id, request.admin).await?;
        }
        tracing::info!(
            user_id = %user.id,
            admin = request.admin,
            "development sign-in"
        );
        let session = self.session(&user)?;
        Ok(v1::DevSignInResponse {
            session: Some(session),
            return_to,
            guest_claim: self.claim_guest(&request.guest_token, &user).await?,
        })
    }

    /// The guest a guest token still stands for, if it does.
    async fn guest_of(&self, token: &str) -> AppResult<Option<UserId>> {
        if token.is_empty() {
            return Ok(None);
        }
        let Ok(claims) = self.state.keys.verify(token) else {
            return Ok(None);
        };
        let Some(id) = claims
            .sub
            .strip_prefix(auth::GUEST_SUBJECT_PREFIX)
            .and_then(|id| id.parse().ok())
            .map(UserId)
        else {
            return Ok(None);
        };
        let check = self.state.store.check_session(id, &claims.jti).await?;
        let live = check
            .is_some_and(|c| c.guest_network.is_some() && !c.claimed && !c.deleted && !c.revoked);
        Ok(live.then_some(id))
    }

    /// Lets `account` take over the guest `token` stands for. A token that
    /// no longer works is passed over: it must never stop a sign-in.
    async fn claim_guest(
        &self,
        token: &str,
        account: &UserRecord,
    ) -> AppResult<Option<v1::GuestClaim>> {
        let Some(guest) = self.guest_of(token).await? else {
            return Ok(None);
        };
        let Some(claim) = self
            .state
            .store
            .claim_guest(guest, account.id, clock::now())
            .await?
        else {
            return Ok(None);
        };
        tracing::info!(
            user_id = %account.id,
            guest_id = %guest,
            progress_items = claim.progress_items,
            chats = claim.chats,
            "an account took over a guest's reading"
        );
        Ok(Some(v1::GuestClaim {
            progress_items: claim.progress_items,
            chats: claim.chats,
            chats_archived: claim.chats_archived,
            answers: claim.answers,
        }))
    }

    async fn start_guest(
        &self,
        request: v1::StartGuestRequest,
    ) -> AppResult<v1::StartGuestResponse> {
        let limits = self.state.config.guest_limits;
        let now = clock::now();
        let network = NetworkKey::parse(
            &request.client_ip,
            self.state.config.jwt_secret.expose().as_bytes(),
        )?;
        let (guest, started) = match self.guest_of(&request.guest_token).await? {
            Some(guest) => {
                self.state.store.renew_guest(guest, now).await?;
                (guest, false)
            }
            None => {
                let guest = self
                    .state
                    .store
                    .start_guest(&network, limits.starts_per_hour, now)
                    .await?
                    .map_err(|free_at| AppError::ResourceExhausted {
                        message: "many guests started from your network in the last hour: sign in with Discord to keep your reading, or try again later".into(),
                        retry_after: (free_at - now).to_std().ok(),
                    })?;
                tracing::info!(guest_id = %guest, "a guest started");
                (guest, true)
            }
        };
        // A fresh token on every visit: a guest who keeps coming back is
        // never lost to an expiry.
        let (token, claims) = self.state.keys.mint_guest(guest, now, limits.ttl);
        Ok(v1::StartGuestResponse {
            token,
            expires_at: Some(convert::timestamp(claims.expires_at())),
            started,
        })
    }
}

#[tonic::async_trait]
impl AuthService for AuthApi {
    async fn begin_discord_login(
        &self,
        request: Request<v1::BeginDiscordLoginRequest>,
    ) -> Result<Response<v1::BeginDiscordLoginResponse>, Status> {
        respond(self.begin(request.into_inner()).await)
    }

    async fn exchange_discord_code(
        &self,
        request: Request<v1::ExchangeDiscordCodeRequest>,
    ) -> Result<Response<v1::ExchangeDiscordCodeResponse>, Status> {
        respond(self.exchange(request.into_inner()).await)
    }

    async fn dev_sign_in(
        &self,
        request: Request<v1::DevSignInRequest>,
    ) -> Result<Response<v1::DevSignInResponse>, Status> {
        respond(self.dev(request.into_inner()).await)
    }

    async fn start_guest(
        &self,
        request: Request<v1::StartGuestRequest>,
    ) -> Result<Response<v1::StartGuestResponse>, Status> {
        respond(self.start_guest(request.into_inner()).await)
    }

    async fn who_am_i(
        &self,
        request: Request<v1::WhoAmIRequest>,
    ) -> Result<Response<v1::WhoAmIResponse>, Status> {
        respond(
            async {
                let caller = auth::caller(&request)?;
                let (kind, user) = match &caller.principal {
                    Principal::Anonymous => (v1::CallerKind::Anonymous, None),
                    Principal::Edge(_) => (v1::CallerKind::Edge, None),
                    Principal::Guest(_) => (v1::CallerKind::Guest, None),
                    Principal::UnregisteredDiscordUser(_) => {
                        (v1::CallerKind::UnregisteredDiscordUser, None)
                    }
                    Principal::User(user) => {
                        let record =
                            self.state.store.user_by_id(user.id).await?.ok_or_else(|| {
                                AppError::NotFound(format!("user {} not found", user.id))
                            })?;
                        (v1::CallerKind::User, Some(convert::user(&record)))
                    }
                };
                Ok(v1::WhoAmIResponse {
                    kind: kind.into(),
                    user,
                    roles: caller.roles.clone(),
                    acting_for_discord_id: caller.acting_for_discord_id.clone().unwrap_or_default(),
                    expires_at: caller.expires_at.map(convert::timestamp),
                })
            }
            .await,
        )
    }

    async fn sign_out(
        &self,
        request: Request<v1::SignOutRequest>,
    ) -> Result<Response<v1::SignOutResponse>, Status> {
        respond(
            async {
                let caller = auth::caller(&request)?;
                let user = auth::user(&request)?;
                let Some(session_id) = &user.session_id else {
                    return Err(AppError::FailedPrecondition(
                        "this call carries no session token to sign out".into(),
                    ));
                };
                let expires_at = caller.expires_at.unwrap_or_else(clock::now);
                self.state
                    .store
                    .revoke_session(session_id, Some(user.id), expires_at)
                    .await?;
                tracing::info!(user_id = %user.id, "signed out");
                Ok(v1::SignOutResponse {})
            }
            .await,
        )
    }
}
