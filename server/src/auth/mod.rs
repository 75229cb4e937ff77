//! Authentication (who is calling) and authorization (may they call this
//! RPC). Tokens are verified and rules enforced in [`AuthLayer`] only;
//! handlers read the resulting [`Caller`] with [`caller`].

mod authenticate;
mod caller;
pub mod discord_oauth;
mod layer;
pub mod oauth_state;
mod policy;
mod token;

pub use authenticate::{ACT_AS_DISCORD_USER_HEADER, Authenticator};
pub use caller::{Caller, EdgeKind, GuestCaller, Principal, UserCaller};
pub use layer::{AuthLayer, authorize};
pub use policy::{AccessPolicy, PolicyError};
pub use token::{ADMIN_ROLE, Claims, GUEST_ROLE, GUEST_SUBJECT_PREFIX, TokenError, TokenKeys};

use crate::error::{AppError, AppResult};

/// The caller of a request, as established by [`AuthLayer`].
pub fn caller<T>(request: &tonic::Request<T>) -> AppResult<&Caller> {
    request.extensions().get::<Caller>().ok_or_else(|| {
        AppError::Internal("request reached a handler without the auth layer".into())
    })
}

/// The signed-in user behind a request whose RPC requires one.
pub fn user<T>(request: &tonic::Request<T>) -> AppResult<&UserCaller> {
    caller(request)?
        .user()
        .ok_or_else(|| AppError::Unauthenticated("sign in first".into()))
}

/// The learner behind a request whose RPC is for learners: a signed-in
/// user, or a guest.
pub fn learner<T>(request: &tonic::Request<T>) -> AppResult<&UserCaller> {
    caller(request)?
        .learner()
        .ok_or_else(|| AppError::Unauthenticated("sign in first".into()))
}
