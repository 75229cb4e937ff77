//! The fake's course server: channels, roles, members and messages, kept
//! as Discord keeps them and changed by the REST calls Discord's API v10
//! takes. Every bot REST call is recorded, and a test can make the next
//! matching calls fail as Discord does (429 with `retry_after`, 5xx, 403).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;

/// The fake server's id (its @everyone role has the same id).
pub const GUILD_ID: &str = "400000000000000001";

/// The bot's user id.
pub const BOT_ID: &str = "700000000000000002";

/// A channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeChannel {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// 0 text, 2 voice, 4 category.
    pub kind: u64,
    /// Category.
    pub parent_id: Option<String>,
    /// Overwrites by target id: (type, allow, deny).
    pub overwrites: BTreeMap<String, (u64, u64, u64)>,
}

/// A member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FakeMember {
    /// Nickname.
    pub nick: Option<String>,
    /// Role ids.
    pub roles: Vec<String>,
}

/// A failure to answer with instead of doing a call.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The method it applies to.
    pub method: Method,
    /// A part of the path it applies to (`/roles`).
    pub path_contains: String,
    /// The status to answer.
    pub status: u16,
    /// The JSON body to answer.
    pub body: Value,
    /// How many matching calls it answers.
    pub times: usize,
}

impl Fault {
    /// Discord's rate limit: 429 with `retry_after` seconds.
    pub fn rate_limited(method: Method, path_contains: &str, retry_after: f64) -> Self {
        Self {
            method,
            path_contains: path_contains.to_owned(),
            status: 429,
            body: json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false}),
            times: 1,
        }
    }

    /// Discord having a bad moment: 502.
    pub fn unavailable(method: Method, path_contains: &str) -> Self {
        Self {
            method,
            path_contains: path_contains.to_owned(),
            status: 502,
            body: json!({"message": "502: Bad Gateway", "code": 0}),
            times: 1,
        }
    }

    /// A permission the bot lacks: 403, every time.
    pub fn missing_permissions(method: Method, path_contains: &str) -> Self {
        Self {
            method,
            path_contains: path_contains.to_owned(),
            status: 403,
            body: json!({"message": "Missing Permissions", "code": 50013}),
            times: usize::MAX,
        }
    }
}

/// The server's state.
#[derive(Debug, Default)]
pub struct Guild {
    /// Channels, in creation order.
    pub channels: Vec<FakeChannel>,
    /// Roles: (id, name), @everyone first.
    pub roles: Vec<(String, String)>,
    /// Members by user id.
    pub members: BTreeMap<String, FakeMember>,
    /// Messages posted: (channel id, content).
    pub messages: Vec<(String, String)>,
    /// Bot REST calls: "METHOD /path".
    pub calls: Vec<String>,
    /// Failures still to answer.
    pub faults: Vec<Fault>,
    /// Direct-message channels the bot opened: user id → channel id.
    pub dm_channels: BTreeMap<String, String>,
    /// Members who do not accept direct messages from server members.
    pub dms_closed: Vec<String>,
    next_id: u64,
}

impl Guild {
    /// A server with only @everyone and the bot.
    pub fn new() -> Self {
        let mut guild = Self {
            roles: vec![(GUILD_ID.to_owned(), "@everyone".to_owned())],
            next_id: 500_000_000_000_000_000,
            ..Self::default()
        };
        guild
            .members
            .insert(BOT_ID.to_owned(), FakeMember::default());
        guild
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// Calls that changed something (not GETs).
    pub fn changes(&self) -> Vec<String> {
        self.calls
            .iter()
            .filter(|c| !c.starts_with("GET "))
            .cloned()
            .collect()
    }

    /// The channel named `name` of `kind`, if any.
    pub fn channel(&self, name: &str, kind: u64) -> Option<&FakeChannel> {
        self.channels
            .iter()
            .find(|c| c.name == name && c.kind == kind)
    }

    /// The role named `name`, if any.
    pub fn role(&self, name: &str) -> Option<String> {
        self.roles
            .iter()
            .find(|(_, n)| n == name)
            .map(|(id, _)| id.clone())
    }

    /// The members holding role `role_id`, sorted.
    pub fn holders(&self, role_id: &str) -> Vec<String> {
        self.members
            .iter()
            .filter(|(_, m)| m.roles.iter().any(|r| r == role_id))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// A fault for this call, if one is due.
    fn fault(&mut self, method: &Method, path: &str) -> Option<Response> {
        let fault = self
            .faults
            .iter_mut()
            .find(|f| f.method == *method && path.contains(&f.path_contains) && f.times > 0)?;
        fault.times -= 1;
        let status = StatusCode::from_u16(fault.status).expect("a status");
        let mut response = (status, Json(fault.body.clone())).into_response();
        if let Some(wait) = fault.body.get("retry_after").and_then(Value::as_f64) {
            response
                .headers_mut()
                .insert("retry-after", wait.to_string().parse().expect("header"));
        }
        Some(response)
    }
}

fn channel_json(c: &FakeChannel) -> Value {
    let overwrites: Vec<Value> = c
        .overwrites
        .iter()
        .map(|(id, (kind, allow, deny))| {
            json!({"id": id, "type": kind, "allow": allow.to_string(), "deny": deny.to_string()})
        })
        .collect();
    json!({
        "id": c.id, "type": c.kind, "guild_id": GUILD_ID, "name": c.name, "position": 0,
        "parent_id": c.parent_id, "permission_overwrites": overwrites, "nsfw": false,
    })
}

fn role_json(id: &str, name: &str) -> Value {
    json!({
        "id": id, "name": name, "color": 0, "hoist": false, "icon": null, "unicode_emoji": null,
        "position": 0, "permissions": "0", "managed": false, "mentionable": false, "flags": 0,
    })
}

/// A member as Discord sends it.
pub fn member_json(user_id: &str, member: &FakeMember) -> Value {
    json!({
        "user": {"id": user_id, "username": format!("user{user_id}"), "discriminator": "0",
                 "global_name": null, "avatar": null, "public_flags": 0},
        "nick": member.nick, "roles": member.roles, "joined_at": "2027-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0, "pending": false, "avatar": null,
    })
}

/// A message as Discord sends it.
pub fn message_json(id: &str, channel_id: &str, content: &str) -> Value {
    json!({
        "id": id, "channel_id": channel_id, "type": 0, "content": content,
        "author": {"id": BOT_ID, "username": "lens-bot", "discriminator": "0", "global_name": null,
                   "avatar": null, "bot": true, "public_flags": 0},
        "timestamp": "2027-01-01T00:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "pinned": false, "flags": 0, "components": [],
    })
}

fn parse_permissions(value: &Value) -> u64 {
    match value {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    }
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": format!("Unknown {what}"), "code": 10003})),
    )
        .into_response()
}

/// Records the call and answers a due fault; `None` to go on.
fn begin(shared: &Shared, method: &Method, uri: &Uri) -> Option<Response> {
    let path = uri.path().trim_start_matches("/api/v10").to_owned();
    let mut inner = shared.inner.lock().unwrap();
    inner.guild.calls.push(format!("{method} {path}"));
    inner.guild.fault(method, &path)
}

/// `GET/POST /guilds/{guild}/channels`.
pub(super) async fn channels(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    body: Option<Json<Value>>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let mut inner = shared.inner.lock().unwrap();
    let guild = &mut inner.guild;
    if method == Method::GET {
        return Json(guild.channels.iter().map(channel_json).collect::<Vec<_>>()).into_response();
    }
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let overwrites = body["permission_overwrites"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap_or_default().to_owned(),
                (
                    o["type"].as_u64().unwrap_or(0),
                    parse_permissions(&o["allow"]),
                    parse_permissions(&o["deny"]),
                ),
            )
        })
        .collect();
    let channel = FakeChannel {
        id: guild.id(),
        name: body["name"].as_str().unwrap_or_default().to_owned(),
        kind: body["type"].as_u64().unwrap_or(0),
        parent_id: body["parent_id"].as_str().map(str::to_owned),
        overwrites,
    };
    let json = channel_json(&channel);
    guild.channels.push(channel);
    (StatusCode::CREATED, Json(json)).into_response()
}

/// `PUT /channels/{channel}/permissions/{target}`.
pub(super) async fn overwrite(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    Path((channel, target)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let mut inner = shared.inner.lock().unwrap();
    let Some(channel) = inner.guild.channels.iter_mut().find(|c| c.id == channel) else {
        return not_found("Channel");
    };
    channel.overwrites.insert(
        target,
        (
            body["type"].as_u64().unwrap_or(0),
            parse_permissions(&body["allow"]),
            parse_permissions(&body["deny"]),
        ),
    );
    StatusCode::NO_CONTENT.into_response()
}

/// `GET/POST /guilds/{guild}/roles`.
pub(super) async fn roles(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    body: Option<Json<Value>>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let mut inner = shared.inner.lock().unwrap();
    let guild = &mut inner.guild;
    if method == Method::GET {
        return Json(
            guild
                .roles
                .iter()
                .map(|(id, name)| role_json(id, name))
                .collect::<Vec<_>>(),
        )
        .into_response();
    }
    let name = body
        .and_then(|Json(b)| b["name"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "new role".to_owned());
    let id = guild.id();
    guild.roles.push((id.clone(), name.clone()));
    Json(role_json(&id, &name)).into_response()
}

/// `GET /guilds/{guild}/members?limit&after`.
pub(super) async fn members(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let inner = shared.inner.lock().unwrap();
    let after: u64 = query.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let limit: usize = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(1);
    let mut members: Vec<(&String, &FakeMember)> = inner
        .guild
        .members
        .iter()
        .filter(|(id, _)| id.parse::<u64>().unwrap_or(0) > after)
        .collect();
    members.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(0));
    Json(
        members
            .into_iter()
            .take(limit.clamp(1, 1000))
            .map(|(id, m)| member_json(id, m))
            .collect::<Vec<_>>(),
    )
    .into_response()
}

/// `GET/PATCH /guilds/{guild}/members/{user}`.
pub(super) async fn member(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    Path((_guild, user)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let mut inner = shared.inner.lock().unwrap();
    let Some(member) = inner.guild.members.get_mut(&user) else {
        return not_found("Member");
    };
    if method == Method::PATCH
        && let Some(Json(body)) = body
        && let Some(nick) = body.get("nick")
    {
        member.nick = nick.as_str().map(str::to_owned);
    }
    Json(member_json(&user, member)).into_response()
}

/// `PUT/DELETE /guilds/{guild}/members/{user}/roles/{role}`.
pub(super) async fn member_role(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    Path((_guild, user, role)): Path<(String, String, String)>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let mut inner = shared.inner.lock().unwrap();
    if !inner.guild.roles.iter().any(|(id, _)| *id == role) {
        return not_found("Role");
    }
    let Some(member) = inner.guild.members.get_mut(&user) else {
        return not_found("Member");
    };
    member.roles.retain(|r| *r != role);
    if method == Method::PUT {
        member.roles.push(role);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET/POST /channels/{channel}/messages`: the last 50 (newest first),
/// or a new one.
pub(super) async fn messages(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    Path(channel): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let mut inner = shared.inner.lock().unwrap();
    let is_dm = inner.guild.dm_channels.values().any(|c| *c == channel);
    if !is_dm && !inner.guild.channels.iter().any(|c| c.id == channel) {
        return not_found("Channel");
    }
    let closed = inner
        .guild
        .dm_channels
        .iter()
        .any(|(user, c)| *c == channel && inner.guild.dms_closed.contains(user));
    if closed && method == Method::POST {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"message": "Cannot send messages to this user", "code": 50007})),
        )
            .into_response();
    }
    if method == Method::GET {
        let recent: Vec<Value> = inner
            .guild
            .messages
            .iter()
            .rev()
            .filter(|(c, _)| *c == channel)
            .take(50)
            .map(|(c, content)| message_json("990000000000000003", c, content))
            .collect();
        return Json(recent).into_response();
    }
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let content = body["content"].as_str().unwrap_or_default().to_owned();
    let id = inner.guild.id();
    inner
        .guild
        .messages
        .push((channel.clone(), content.clone()));
    Json(message_json(&id, &channel, &content)).into_response()
}

/// `POST /users/@me/channels`: opens (or finds) the DM channel with a user.
pub(super) async fn open_dm(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    Json(body): Json<Value>,
) -> Response {
    if let Some(fault) = begin(&shared, &method, &uri) {
        return fault;
    }
    let Some(user) = body["recipient_id"].as_str().map(str::to_owned) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "Invalid Form Body", "code": 50035})),
        )
            .into_response();
    };
    let mut inner = shared.inner.lock().unwrap();
    let channel = match inner.guild.dm_channels.get(&user) {
        Some(channel) => channel.clone(),
        None => {
            let channel = inner.guild.id();
            inner
                .guild
                .dm_channels
                .insert(user.clone(), channel.clone());
            channel
        }
    };
    Json(json!({
        "id": channel,
        "type": 1,
        "last_message_id": null,
        "recipients": [{"id": user, "username": "member", "discriminator": "0", "avatar": null}],
    }))
    .into_response()
}
