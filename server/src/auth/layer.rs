//! The one place where authentication and per-RPC authorization happen:
//! a tower layer in front of every service of the core.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use lens_proto::v1::Access;
use tonic::Status;
use tonic::body::Body;
use tower::{Layer, Service};

use super::{AccessPolicy, Authenticator, Caller, EdgeKind, Principal};
use crate::error::AppError;

/// Authenticates every lens.v1 call, checks the RPC's declared access rule
/// and hands the [`Caller`] to the handler in the request extensions.
/// Health and reflection pass through untouched.
#[derive(Debug, Clone)]
pub struct AuthLayer {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    policy: AccessPolicy,
    authenticator: Authenticator,
}

impl AuthLayer {
    /// A layer enforcing `policy` with `authenticator`.
    pub fn new(policy: AccessPolicy, authenticator: Authenticator) -> Self {
        Self {
            inner: Arc::new(Shared {
                policy,
                authenticator,
            }),
        }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthGuard {
            inner,
            shared: self.inner.clone(),
        }
    }
}

/// The service produced by [`AuthLayer`].
#[derive(Debug, Clone)]
pub struct AuthGuard<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S, B> Service<Request<B>> for AuthGuard<S>
where
    S: Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The clone that was polled ready handles this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let path = request.uri().path().to_owned();
        if !path.starts_with("/lens.v1.") {
            return Box::pin(inner.call(request));
        }
        let shared = self.shared.clone();
        Box::pin(async move {
            let Some(rule) = shared.policy.rule(&path) else {
                return Ok(
                    Status::unimplemented(format!("{path} is not an RPC of lens.v1")).into_http(),
                );
            };
            // The headers are copied so the request body need not be Sync.
            let headers = request.headers().clone();
            let decision = async {
                let mut caller = shared
                    .authenticator
                    .authenticate(&headers)
                    .await
                    .map_err(Refused::Credential)?;
                // Through Discord an admin is an admin only where the
                // contract says so; handlers see the narrowed caller too.
                if caller.acting_for_discord_id.is_some()
                    && !shared.policy.admin_through_discord(&path)
                    && let Principal::User(user) = &mut caller.principal
                {
                    user.is_admin = false;
                }
                authorize(rule, &caller, &path).map_err(Refused::Rule)?;
                Ok::<_, Refused>(caller)
            };
            match decision.await {
                Ok(caller) => {
                    request.extensions_mut().insert(caller);
                    inner.call(request).await
                }
                Err(Refused::Rule(error)) => Ok(Status::from(error).into_http()),
                Err(Refused::Credential(error)) => {
                    let mut status = Status::from(error);
                    if status.code() == tonic::Code::Unauthenticated {
                        status.metadata_mut().insert(
                            lens_proto::CREDENTIAL_HEADER,
                            tonic::metadata::MetadataValue::from_static("rejected"),
                        );
                    }
                    Ok(status.into_http())
                }
            }
        })
    }
}

/// Why the layer refused a call: the credential itself, or the rule.
enum Refused {
    Credential(AppError),
    Rule(AppError),
}

/// Whether `caller` may call an RPC declared with `rule`.
pub fn authorize(rule: Access, caller: &Caller, path: &str) -> Result<(), AppError> {
    let rpc = path.trim_start_matches('/');
    let sign_in = || AppError::Unauthenticated(format!("{rpc} needs you to be signed in"));
    match (rule, &caller.principal) {
        (Access::Anonymous, _) => Ok(()),
        (Access::User | Access::Learner, Principal::User(_)) => Ok(()),
        (Access::Learner, Principal::Guest(_)) => Ok(()),
        (Access::User | Access::Admin, Principal::Guest(_)) => {
            Err(AppError::Unauthenticated(format!(
                "{rpc} needs you to sign in with Discord; what you read as a guest comes with you"
            )))
        }
        (Access::Admin, Principal::User(user)) if user.is_admin => Ok(()),
        (Access::Admin, Principal::User(_)) => Err(AppError::PermissionDenied(format!(
            "{rpc} is for admins only"
        ))),
        (Access::WebEdge, Principal::Edge(EdgeKind::Web)) => Ok(()),
        (Access::DiscordEdge, Principal::Edge(EdgeKind::Discord)) => Ok(()),
        (
            Access::User | Access::Admin | Access::Learner,
            Principal::UnregisteredDiscordUser(id),
        ) => Err(AppError::Unauthenticated(format!(
            "Discord user {id} has no Lens account yet: sign in on the course website once, then try again"
        ))),
        (Access::User | Access::Admin | Access::Learner, Principal::Anonymous) => Err(sign_in()),
        (Access::User | Access::Admin | Access::Learner, Principal::Edge(_)) => {
            Err(AppError::PermissionDenied(format!(
                "{rpc} acts for a user; an edge must name the user it acts for"
            )))
        }
        (Access::WebEdge | Access::DiscordEdge, Principal::Anonymous) => {
            Err(AppError::Unauthenticated(format!(
                "{rpc} is called by a Lens edge with its service token"
            )))
        }
        (Access::WebEdge | Access::DiscordEdge, _) => Err(AppError::PermissionDenied(format!(
            "{rpc} is reserved for another Lens edge"
        ))),
        (Access::Unspecified, _) => Err(AppError::PermissionDenied(format!(
            "{rpc} declares no access rule"
        ))),
    }
}
