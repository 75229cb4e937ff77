//! Discord's REST API as the bot's work needs it: serenity builds each
//! request (routes, bodies) and, talking to Discord itself, keeps to the
//! rate limits; this layer sends it and sorts what comes back into what the
//! delivery engine acts on: done, wait and try again (a 429's
//! `retry_after`, a 5xx), or stop and tell an admin (a 403).

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serenity::all::{
    ChannelId, ChannelType, CreateAllowedMentions, CreateChannel, CreateMessage, EditRole, GuildId,
    Http, LightMethod, Request, RoleId, Route, UserId,
};

/// A 429 shorter than this is waited out on the spot; a longer one goes
/// back to the core, which holds the job for that long.
const LONGEST_WAIT_IN_PLACE: Duration = Duration::from_secs(10);

/// Times one request is tried after waiting out short rate limits.
const TRIES: usize = 3;

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RestError {
    /// Discord said to wait (HTTP 429).
    #[error("Discord rate-limited {call}; retry after {retry_after:?}")]
    RateLimited {
        /// The call.
        call: String,
        /// How long Discord asked to wait.
        retry_after: Duration,
    },
    /// Discord could not answer now (5xx, or no answer at all).
    #[error("Discord could not answer {call}: {reason}")]
    Unavailable {
        /// The call.
        call: String,
        /// What happened.
        reason: String,
    },
    /// The bot lacks a permission (HTTP 403).
    #[error(
        "Discord refused {call}: {reason}. Give the bot Manage Channels and Manage Roles, \
         with its role above the group roles, then retry the job"
    )]
    Forbidden {
        /// The call.
        call: String,
        /// Discord's message.
        reason: String,
    },
    /// What the call names is gone (HTTP 404).
    #[error("Discord has no such thing for {call}")]
    NotFound {
        /// The call.
        call: String,
    },
    /// Discord refused the request itself (another 4xx), or its answer
    /// could not be read.
    #[error("Discord refused {call}: {reason}")]
    Refused {
        /// The call.
        call: String,
        /// Discord's message.
        reason: String,
    },
}

/// A result of a REST call.
pub type RestResult<T> = Result<T, RestError>;

/// A permission overwrite on a channel, as Discord sends and takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overwrite {
    /// The role or member it applies to.
    pub id: String,
    /// 0 for a role, 1 for a member.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Permissions granted (a decimal bit set).
    pub allow: String,
    /// Permissions taken away.
    pub deny: String,
}

/// A channel of the server.
#[derive(Debug, Clone, Deserialize)]
pub struct Channel {
    /// Id.
    pub id: ChannelId,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// 0 text, 2 voice, 4 category.
    #[serde(rename = "type")]
    pub kind: u8,
    /// Its category.
    #[serde(default)]
    pub parent_id: Option<ChannelId>,
    /// Its permission overwrites.
    #[serde(default)]
    pub permission_overwrites: Vec<Overwrite>,
}

/// A role of the server.
#[derive(Debug, Clone, Deserialize)]
pub struct Role {
    /// Id.
    pub id: RoleId,
    /// Name.
    pub name: String,
}

/// A member of the server.
#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    /// Their account.
    pub user: MemberUser,
    /// Their nickname in this server.
    #[serde(default)]
    pub nick: Option<String>,
    /// Their roles.
    #[serde(default)]
    pub roles: Vec<RoleId>,
}

/// The account of a member.
#[derive(Debug, Clone, Deserialize)]
pub struct MemberUser {
    /// Id.
    pub id: UserId,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct RateLimitBody {
    retry_after: f64,
}

/// How requests leave the bot.
enum Sender {
    /// Through serenity's rate limiter, to Discord.
    Limited,
    /// Straight to a proxy (which keeps the rate limits) or a test fake.
    Direct {
        client: reqwest::Client,
        proxy: String,
    },
}

/// The bot's REST client.
#[derive(Clone)]
pub struct Rest {
    http: Arc<Http>,
    sender: Arc<Sender>,
}

impl Rest {
    /// A client over serenity's `http`, sending to `proxy` when set.
    pub fn new(http: Arc<Http>, proxy: Option<String>) -> Self {
        let sender = match (&http.ratelimiter, proxy) {
            (None, Some(proxy)) => Sender::Direct {
                client: reqwest::Client::new(),
                proxy,
            },
            _ => Sender::Limited,
        };
        Self {
            http,
            sender: Arc::new(sender),
        }
    }

    /// serenity's client, for what needs no sorting of failures.
    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// Sends `request` (built anew by `build` for each try), waiting out
    /// short rate limits; the body of a success.
    async fn send(&self, build: impl Fn() -> Request<'static>) -> RestResult<Vec<u8>> {
        let mut tries = 0;
        loop {
            tries += 1;
            let request = build();
            let call = describe(&request);
            let response = match &*self.sender {
                Sender::Limited => match &self.http.ratelimiter {
                    Some(limiter) => limiter.perform(request).await,
                    None => Err(serenity::Error::Other("no rate limiter")),
                },
                Sender::Direct { client, proxy } => {
                    match request.build(client, self.http.token(), Some(proxy)) {
                        Ok(builder) => builder.send().await.map_err(serenity::Error::from),
                        Err(error) => Err(error),
                    }
                }
            };
            let response = response.map_err(|error| RestError::Unavailable {
                call: call.clone(),
                reason: error.to_string(),
            })?;
            let status = response.status();
            let header_wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok());
            let body = response
                .bytes()
                .await
                .map_err(|error| RestError::Unavailable {
                    call: call.clone(),
                    reason: error.to_string(),
                })?
                .to_vec();
            if status.is_success() {
                return Ok(body);
            }
            let reason = discord_message(&body);
            match status.as_u16() {
                429 => {
                    let seconds = serde_json::from_slice::<RateLimitBody>(&body)
                        .map(|b| b.retry_after)
                        .ok()
                        .or(header_wait)
                        .unwrap_or(1.0);
                    let retry_after = Duration::from_secs_f64(seconds.clamp(0.0, 86_400.0));
                    if retry_after <= LONGEST_WAIT_IN_PLACE && tries < TRIES {
                        tracing::info!(%call, ?retry_after, "Discord rate limit: waiting");
                        tokio::time::sleep(retry_after).await;
                        continue;
                    }
                    return Err(RestError::RateLimited { call, retry_after });
                }
                403 => return Err(RestError::Forbidden { call, reason }),
                404 => return Err(RestError::NotFound { call }),
                500..=599 => {
                    return Err(RestError::Unavailable {
                        call,
                        reason: format!("{status}: {reason}"),
                    });
                }
                _ => return Err(RestError::Refused { call, reason }),
            }
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        build: impl Fn() -> Request<'static>,
    ) -> RestResult<T> {
        let call = describe(&build());
        let body = self.send(build).await?;
        serde_json::from_slice(&body).map_err(|error| RestError::Refused {
            call,
            reason: format!("unreadable answer: {error}"),
        })
    }

    /// The server's channels.
    pub async fn channels(&self, guild_id: GuildId) -> RestResult<Vec<Channel>> {
        self.json(|| Request::new(Route::GuildChannels { guild_id }, LightMethod::Get))
            .await
    }

    /// Makes a channel `name` of `kind` in category `parent` with `overwrites`.
    pub async fn create_channel(
        &self,
        guild_id: GuildId,
        name: &str,
        kind: ChannelType,
        parent: Option<ChannelId>,
        overwrites: &[Overwrite],
    ) -> RestResult<ChannelId> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(flatten)]
            channel: CreateChannel<'a>,
            permission_overwrites: &'a [Overwrite],
        }
        let mut channel = CreateChannel::new(name).kind(kind);
        if let Some(parent) = parent {
            channel = channel.category(parent);
        }
        let body = serde_json::to_vec(&Body {
            channel,
            permission_overwrites: overwrites,
        })
        .unwrap_or_default();
        let created: Created = self
            .json(|| {
                Request::new(Route::GuildChannels { guild_id }, LightMethod::Post)
                    .body(Some(body.clone()))
            })
            .await?;
        Ok(ChannelId::new(parse_id(&created.id)))
    }

    /// Sets one permission overwrite on a channel.
    pub async fn set_overwrite(
        &self,
        channel_id: ChannelId,
        overwrite: &Overwrite,
    ) -> RestResult<()> {
        let target_id = serenity::all::TargetId::new(parse_id(&overwrite.id));
        let body = serde_json::to_vec(&serde_json::json!({
            "allow": overwrite.allow, "deny": overwrite.deny, "type": overwrite.kind,
        }))
        .unwrap_or_default();
        self.send(|| {
            Request::new(
                Route::ChannelPermission {
                    channel_id,
                    target_id,
                },
                LightMethod::Put,
            )
            .body(Some(body.clone()))
        })
        .await
        .map(drop)
    }

    /// The server's roles.
    pub async fn roles(&self, guild_id: GuildId) -> RestResult<Vec<Role>> {
        self.json(|| Request::new(Route::GuildRoles { guild_id }, LightMethod::Get))
            .await
    }

    /// Makes a role `name` with no server-wide permissions (it grants its
    /// channels through their overwrites).
    pub async fn create_role(&self, guild_id: GuildId, name: &str) -> RestResult<RoleId> {
        let body = serde_json::to_vec(
            &EditRole::new()
                .name(name)
                .permissions(serenity::all::Permissions::empty())
                .mentionable(false),
        )
        .unwrap_or_default();
        let created: Created = self
            .json(|| {
                Request::new(Route::GuildRoles { guild_id }, LightMethod::Post)
                    .body(Some(body.clone()))
            })
            .await?;
        Ok(RoleId::new(parse_id(&created.id)))
    }

    /// Every member of the server, a thousand per call.
    pub async fn members(&self, guild_id: GuildId) -> RestResult<Vec<Member>> {
        let mut all: Vec<Member> = Vec::new();
        loop {
            let after = all.last().map_or(0, |m| m.user.id.get());
            let page: Vec<Member> = self
                .json(|| {
                    Request::new(Route::GuildMembers { guild_id }, LightMethod::Get).params(Some(
                        vec![("limit", "1000".to_owned()), ("after", after.to_string())],
                    ))
                })
                .await?;
            let full = page.len() == 1000;
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// One member, if they are in the server.
    pub async fn member(&self, guild_id: GuildId, user_id: UserId) -> RestResult<Option<Member>> {
        match self
            .json(|| Request::new(Route::GuildMember { guild_id, user_id }, LightMethod::Get))
            .await
        {
            Ok(member) => Ok(Some(member)),
            Err(RestError::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Gives or takes a role.
    pub async fn set_role(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
        held: bool,
    ) -> RestResult<()> {
        let method = if held {
            LightMethod::Put
        } else {
            LightMethod::Delete
        };
        self.send(|| {
            Request::new(
                Route::GuildMemberRole {
                    guild_id,
                    user_id,
                    role_id,
                },
                method,
            )
        })
        .await
        .map(drop)
    }

    /// Sets a member's nickname (`None` clears it).
    pub async fn set_nickname(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        nickname: Option<&str>,
    ) -> RestResult<()> {
        let body = serde_json::to_vec(&serde_json::json!({ "nick": nickname })).unwrap_or_default();
        self.send(|| {
            Request::new(Route::GuildMember { guild_id, user_id }, LightMethod::Patch)
                .body(Some(body.clone()))
        })
        .await
        .map(drop)
    }

    /// Whether one of the last 50 messages in a channel is from `author`
    /// and starts with `start` (a message an unreported attempt posted).
    pub async fn has_posted(
        &self,
        channel_id: ChannelId,
        author: UserId,
        start: &str,
    ) -> RestResult<bool> {
        #[derive(Deserialize)]
        struct Posted {
            author: MemberUser,
            content: String,
        }
        let recent: Vec<Posted> = self
            .json(|| {
                Request::new(Route::ChannelMessages { channel_id }, LightMethod::Get)
                    .params(Some(vec![("limit", "50".to_owned())]))
            })
            .await?;
        Ok(recent
            .iter()
            .any(|m| m.author.id == author && m.content.starts_with(start)))
    }

    /// Posts `content` in a channel, pinging the users it mentions and
    /// the roles in `roles`, no one else.
    pub async fn post(
        &self,
        channel_id: ChannelId,
        content: &str,
        roles: &[RoleId],
    ) -> RestResult<()> {
        let body = serde_json::to_vec(
            &CreateMessage::new().content(content).allowed_mentions(
                CreateAllowedMentions::new()
                    .all_users(true)
                    .roles(roles.to_vec()),
            ),
        )
        .unwrap_or_default();
        self.send(|| {
            Request::new(Route::ChannelMessages { channel_id }, LightMethod::Post)
                .body(Some(body.clone()))
        })
        .await
        .map(drop)
    }
    /// Sends `content` to `user` as a direct message (opening, or finding,
    /// the DM channel first), pinging no one. A member who does not accept
    /// DMs from server members makes Discord answer 403 (code 50007): a
    /// refusal, not worth retrying.
    pub async fn direct_message(&self, user: UserId, content: &str) -> RestResult<()> {
        let open = serde_json::to_vec(&serde_json::json!({ "recipient_id": user.to_string() }))
            .unwrap_or_default();
        let channel: Created = self
            .json(|| {
                Request::new(Route::UserMeDmChannels, LightMethod::Post).body(Some(open.clone()))
            })
            .await?;
        let body = serde_json::to_vec(
            &CreateMessage::new()
                .content(content)
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .unwrap_or_default();
        let channel_id = ChannelId::new(parse_id(&channel.id));
        self.send(|| {
            Request::new(Route::ChannelMessages { channel_id }, LightMethod::Post)
                .body(Some(body.clone()))
        })
        .await
        .map(drop)
    }
}

/// "POST /guilds/1/channels", for messages.
fn describe(request: &Request<'_>) -> String {
    let method = match request.method_ref() {
        LightMethod::Get => "GET",
        LightMethod::Post => "POST",
        LightMethod::Put => "PUT",
        LightMethod::Patch => "PATCH",
        LightMethod::Delete => "DELETE",
    };
    let path = request.route_ref().path();
    let path = path
        .split_once("/api/v10")
        .map_or(path.as_ref(), |(_, rest)| rest);
    format!("{method} {path}")
}

/// Discord's own words from an error body, bounded.
fn discord_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Error {
        message: String,
    }
    let message = serde_json::from_slice::<Error>(body)
        .map(|e| e.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned());
    message.chars().take(200).collect()
}

fn parse_id(raw: &str) -> u64 {
    raw.parse().unwrap_or(1).max(1)
}
