//! Turns request headers into a [`Caller`].

use http::HeaderMap;

use super::token::{ADMIN_ROLE, GUEST_ROLE, GUEST_SUBJECT_PREFIX};
use super::{Caller, EdgeKind, GuestCaller, Principal, TokenKeys, UserCaller};
use crate::config::HttpUrl;
use crate::domain::UserId;
use crate::error::{AppError, AppResult};
use crate::store::{SessionCheck, Store};

/// Header with which the discord edge names the Discord user it acts for.
/// Honoured only with the discord edge's service token.
pub use lens_proto::ACT_AS_DISCORD_USER_HEADER;

/// Checks credentials against the signing key and the database.
#[derive(Debug, Clone)]
pub struct Authenticator {
    keys: TokenKeys,
    store: Store,
    public_url: HttpUrl,
}

impl Authenticator {
    /// An authenticator; `public_url` is where people are told to sign in.
    pub fn new(keys: TokenKeys, store: Store, public_url: HttpUrl) -> Self {
        Self {
            keys,
            store,
            public_url,
        }
    }

    /// Establishes who sent a request. No credential is an anonymous caller;
    /// a credential that does not hold up is an error, never anonymous.
    pub async fn authenticate(&self, headers: &HeaderMap) -> AppResult<Caller> {
        let act_as = header_text(headers, ACT_AS_DISCORD_USER_HEADER)?;
        let Some(token) = bearer_token(headers)? else {
            if act_as.is_some() {
                return Err(only_discord_edge_acts());
            }
            return Ok(Caller::anonymous());
        };
        let claims = self
            .keys
            .verify(token)
            .map_err(|e| AppError::Unauthenticated(e.to_string()))?;
        let mut caller = Caller {
            principal: Principal::Anonymous,
            roles: claims.roles.clone(),
            expires_at: Some(claims.expires_at()),
            acting_for_discord_id: None,
        };

        if let Some(edge) = EdgeKind::from_subject(&claims.sub) {
            if !claims.roles.iter().any(|r| r == edge.subject()) {
                return Err(AppError::Unauthenticated(
                    "the service token is malformed: mint one with `lens-server token --edge …`"
                        .into(),
                ));
            }
            if self
                .store
                .is_edge_token_revoked(&claims.jti, edge.subject(), claims.issued_at())
                .await?
            {
                return Err(AppError::Unauthenticated(
                    "this service token was revoked: mint a new one with `lens-server token --edge …`".into(),
                ));
            }
            caller.principal = match (edge, act_as) {
                (EdgeKind::Discord, Some(discord_id)) => {
                    caller.acting_for_discord_id = Some(discord_id.to_owned());
                    self.discord_user(discord_id).await?
                }
                (_, Some(_)) => return Err(only_discord_edge_acts()),
                (edge, None) => Principal::Edge(edge),
            };
            return Ok(caller);
        }

        if act_as.is_some() {
            return Err(only_discord_edge_acts());
        }
        let guest = claims.sub.strip_prefix(GUEST_SUBJECT_PREFIX);
        let user_id: UserId = guest
            .unwrap_or(&claims.sub)
            .parse()
            .map(UserId)
            .map_err(|_| {
                AppError::Unauthenticated("the session token names no user: sign in again".into())
            })?;
        let check = self.store.check_session(user_id, &claims.jti).await?;
        if guest.is_some() {
            caller.principal = guest_principal(user_id, check, &claims)?;
            return Ok(caller);
        }
        match check {
            Some(check) if check.guest_network.is_some() => Err(AppError::Unauthenticated(
                "this token names a guest but is no guest token: sign in again".into(),
            )),
            None => Err(AppError::Unauthenticated(format!(
                "user {user_id} of this session does not exist: sign in again at {}",
                self.public_url
            ))),
            Some(check) if check.deleted => Err(AppError::Unauthenticated(
                "the account of this session was deleted".into(),
            )),
            Some(check) if check.revoked => Err(AppError::Unauthenticated(
                "this session was signed out: sign in again".into(),
            )),
            Some(check)
                if check
                    .tokens_valid_after
                    .is_some_and(|after| claims.issued_at() <= after) =>
            {
                Err(AppError::Unauthenticated(
                    "this session was revoked by an operator: sign in again".into(),
                ))
            }
            Some(check) => {
                caller.principal = Principal::User(UserCaller {
                    id: user_id,
                    // The token's role and the database's word both: a
                    // demoted admin loses the rights at their next call.
                    is_admin: check.is_admin && claims.roles.iter().any(|r| r == ADMIN_ROLE),
                    session_id: Some(claims.jti),
                });
                Ok(caller)
            }
        }
    }

    async fn discord_user(&self, discord_id: &str) -> AppResult<Principal> {
        if discord_id.is_empty() || !discord_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::InvalidArgument(format!(
                "{ACT_AS_DISCORD_USER_HEADER} must be a Discord user id (digits), not {discord_id:?}"
            )));
        }
        Ok(match self.store.user_by_discord_id(discord_id).await? {
            Some(user) if user.deleted_at.is_none() => Principal::User(UserCaller {
                id: user.id,
                is_admin: user.is_admin,
                session_id: None,
            }),
            _ => Principal::UnregisteredDiscordUser(discord_id.to_owned()),
        })
    }
}

/// The guest a guest token names, if it still stands for one.
fn guest_principal(
    user_id: UserId,
    check: Option<SessionCheck>,
    claims: &super::Claims,
) -> AppResult<Principal> {
    let gone = |why: &str| AppError::Unauthenticated(format!("{why}: reload the page"));
    let Some(check) = check else {
        return Err(gone("this guest no longer exists"));
    };
    let Some(network) = check.guest_network else {
        return Err(gone("this guest token names an account"));
    };
    if check.claimed {
        return Err(gone(
            "this guest's reading was taken over by an account at sign-in",
        ));
    }
    if check.deleted || check.revoked || !claims.roles.iter().any(|r| r == GUEST_ROLE) {
        return Err(gone("this guest token no longer works"));
    }
    Ok(Principal::Guest(GuestCaller {
        learner: UserCaller {
            id: user_id,
            is_admin: false,
            session_id: None,
        },
        network,
    }))
}

fn only_discord_edge_acts() -> AppError {
    AppError::PermissionDenied(format!(
        "only the discord edge may send {ACT_AS_DISCORD_USER_HEADER}"
    ))
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> AppResult<Option<&'h str>> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .map(str::trim)
                .map_err(|_| AppError::InvalidArgument(format!("the {name} header is not text")))
        })
        .transpose()
}

fn bearer_token(headers: &HeaderMap) -> AppResult<Option<&str>> {
    let Some(value) = header_text(headers, "authorization")? else {
        return Ok(None);
    };
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(AppError::Unauthenticated(
            "the authorization header must be `Bearer <token>`".into(),
        )),
    }
}
