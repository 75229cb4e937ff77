//! Who is calling: established once per request by the auth layer and
//! handed to handlers through request extensions.

use crate::domain::{NetworkKey, UserId};
use chrono::{DateTime, Utc};

/// An edge process, authenticated by its service token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// `lens-web`.
    Web,
    /// `lens-discord`.
    Discord,
}

impl EdgeKind {
    /// The token subject and role naming this edge.
    pub fn subject(self) -> &'static str {
        match self {
            Self::Web => "edge:web",
            Self::Discord => "edge:discord",
        }
    }

    /// The edge a subject names, if any.
    pub fn from_subject(subject: &str) -> Option<Self> {
        match subject {
            "edge:web" => Some(Self::Web),
            "edge:discord" => Some(Self::Discord),
            _ => None,
        }
    }
}

/// A signed-in user as the auth layer established them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCaller {
    /// Lens user id.
    pub id: UserId,
    /// Holds the admin role.
    pub is_admin: bool,
    /// The session token's id (absent when the discord edge acts for them).
    pub session_id: Option<String>,
}

/// An anonymous learner whose guest token the web edge carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestCaller {
    /// The guest as a learner: its own id, never an admin, no session.
    pub learner: UserCaller,
    /// The network it started from, which the guest limits count by.
    pub network: NetworkKey,
}

/// Who a request comes from, as authenticated: the principal (named so,
/// not `Identity`, beside tonic's TLS `Identity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credential.
    Anonymous,
    /// A user, with a session token or through the discord edge.
    User(UserCaller),
    /// A guest, with a guest token.
    Guest(GuestCaller),
    /// An edge acting for itself.
    Edge(EdgeKind),
    /// The discord edge acting for a Discord user without a Lens account.
    UnregisteredDiscordUser(String),
}

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    /// Roles in the presented token.
    pub roles: Vec<String>,
    /// When the presented token expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// The Discord user the discord edge acts for, if it does.
    pub acting_for_discord_id: Option<String>,
}

impl Caller {
    /// A caller without credentials.
    pub fn anonymous() -> Self {
        Self {
            principal: Principal::Anonymous,
            roles: Vec::new(),
            expires_at: None,
            acting_for_discord_id: None,
        }
    }

    /// The user, if the caller is one.
    pub fn user(&self) -> Option<&UserCaller> {
        match &self.principal {
            Principal::User(user) => Some(user),
            _ => None,
        }
    }

    /// The learner, if the caller is a user or a guest: whose reading and
    /// chats a learner RPC touches.
    pub fn learner(&self) -> Option<&UserCaller> {
        match &self.principal {
            Principal::User(user) => Some(user),
            Principal::Guest(guest) => Some(&guest.learner),
            _ => None,
        }
    }

    /// The guest, if the caller is one.
    pub fn guest(&self) -> Option<&GuestCaller> {
        match &self.principal {
            Principal::Guest(guest) => Some(guest),
            _ => None,
        }
    }

    /// Whether the caller is an admin user.
    pub fn is_admin(&self) -> bool {
        self.user().is_some_and(|u| u.is_admin)
    }
}
