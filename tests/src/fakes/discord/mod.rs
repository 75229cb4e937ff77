//! A fake Discord: OAuth2 token exchange, `/users/@me`, the bot REST calls
//! Lens makes, and a gateway websocket that says HELLO, answers IDENTIFY
//! with READY and delivers dispatches the test asks for, and a course
//! server ([`guild`]) the bot's REST calls change. Paths and JSON follow
//! Discord's API v10.

pub mod guild;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Form, Json, Router};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::core::{DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET};
pub use guild::{BOT_ID, FakeChannel, FakeMember, Fault, GUILD_ID, Guild};

/// The application id the fake reports in READY.
pub const APPLICATION_ID: &str = "700000000000000001";

/// A Discord account the fake knows.
#[derive(Debug, Clone)]
pub struct FakeUser {
    /// Snowflake.
    pub id: String,
    /// Username.
    pub username: String,
    /// Display name.
    pub global_name: Option<String>,
    /// Email, if shared.
    pub email: Option<String>,
}

#[derive(Default)]
struct Inner {
    /// Authorization code → account.
    codes: HashMap<String, FakeUser>,
    /// Access token → account.
    tokens: HashMap<String, FakeUser>,
    /// Bodies of PUT …/commands.
    registered_commands: Vec<Value>,
    /// Forms posted to the token endpoint.
    token_requests: Vec<HashMap<String, String>>,
    /// Who approves at the authorize page, as if they had clicked
    /// "Authorize" (browser tests).
    consenting: Option<FakeUser>,
    /// Gateway sessions still to end with a fatal close at IDENTIFY.
    sessions_to_refuse: usize,
    /// The course server.
    guild: Guild,
}

/// The fake's shared state.
#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    addr: SocketAddr,
    dispatch: broadcast::Sender<Value>,
    callbacks: mpsc::UnboundedSender<(String, Value)>,
}

/// A running fake Discord.
pub struct FakeDiscord {
    /// Base URL (`http://127.0.0.1:PORT`), what replaces `https://discord.com`.
    pub url: String,
    shared: Shared,
    callbacks: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Value)>>,
}

impl FakeDiscord {
    /// Starts the fake on a loopback port.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let (dispatch, _) = broadcast::channel(16);
        let (callback_tx, callback_rx) = mpsc::unbounded_channel();
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner {
                guild: Guild::new(),
                ..Inner::default()
            })),
            addr,
            dispatch,
            callbacks: callback_tx,
        };
        let app = Router::new()
            .route("/oauth2/authorize", get(authorize))
            .route("/api/v10/oauth2/token", post(token))
            .route("/api/v10/users/@me", get(me))
            .route("/api/v10/gateway", get(gateway_url))
            .route("/api/v10/gateway/bot", get(gateway_url))
            .route(
                "/api/v10/applications/{app}/commands",
                put(register_commands),
            )
            .route(
                "/api/v10/applications/{app}/guilds/{guild}/commands",
                put(register_guild_commands),
            )
            .route(
                "/api/v10/interactions/{id}/{token}/callback",
                post(interaction_callback),
            )
            .route(
                "/api/v10/webhooks/{app}/{token}/messages/@original",
                patch(edit_original),
            )
            .route(
                "/api/v10/guilds/{guild}/channels",
                get(guild::channels).post(guild::channels),
            )
            .route(
                "/api/v10/channels/{channel}/permissions/{target}",
                put(guild::overwrite),
            )
            .route(
                "/api/v10/guilds/{guild}/roles",
                get(guild::roles).post(guild::roles),
            )
            .route("/api/v10/guilds/{guild}/members", get(guild::members))
            .route(
                "/api/v10/guilds/{guild}/members/{user}",
                get(guild::member).patch(guild::member),
            )
            .route(
                "/api/v10/guilds/{guild}/members/{user}/roles/{role}",
                put(guild::member_role).delete(guild::member_role),
            )
            .route(
                "/api/v10/channels/{channel}/messages",
                get(guild::messages).post(guild::messages),
            )
            .route("/api/v10/users/@me/channels", post(guild::open_dm))
            .route("/gateway", get(gateway))
            .with_state(shared.clone());
        super::serve(listener, app);
        Self {
            url: format!("http://{addr}"),
            shared,
            callbacks: tokio::sync::Mutex::new(callback_rx),
        }
    }

    /// Makes `code` a valid authorization code for `user`.
    /// Ends the next `count` gateway sessions at IDENTIFY with close code
    /// 4004 (authentication failed), which a client must not resume.
    pub fn refuse_next_sessions(&self, count: usize) {
        self.shared.inner.lock().unwrap().sessions_to_refuse = count;
    }

    pub fn add_code(&self, code: &str, user: FakeUser) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .codes
            .insert(code.to_owned(), user);
    }

    /// Makes the authorize page approve at once as `user`, redirecting the
    /// browser back with a fresh code, as Discord does after "Authorize".
    pub fn consent_as(&self, user: FakeUser) {
        self.shared.inner.lock().unwrap().consenting = Some(user);
    }

    /// The forms the token endpoint received.
    pub fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.shared.inner.lock().unwrap().token_requests.clone()
    }

    /// The command lists the bot registered.
    pub fn registered_commands(&self) -> Vec<Value> {
        self.shared
            .inner
            .lock()
            .unwrap()
            .registered_commands
            .clone()
    }

    /// Sends a slash-command interaction from `user_id` through the gateway
    /// and returns the bot's interaction response body.
    pub async fn invoke_command(&self, name: &str, user_id: &str) -> Value {
        self.invoke(name, user_id, json!([])).await.0
    }

    /// Sends a slash command with `options` (Discord's JSON) from
    /// `user_id`; the bot's response body and the interaction's token.
    pub async fn invoke(&self, name: &str, user_id: &str, options: Value) -> (Value, String) {
        let data = json!({"id": "800000000000000001", "name": name, "type": 1, "options": options});
        self.interact(2, data, user_id, None).await
    }

    /// Sends an autocompletion request for command `name` with `options`
    /// (one marked `"focused": true`); the bot's choices.
    pub async fn autocomplete(&self, name: &str, user_id: &str, options: Value) -> Value {
        let data = json!({"id": "800000000000000001", "name": name, "type": 1, "options": options});
        self.interact(4, data, user_id, None).await.0
    }

    /// Presses the button `custom_id` on a message of the bot's; the bot's
    /// response body.
    pub async fn press(&self, custom_id: &str, user_id: &str) -> Value {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let message = guild::message_json("990000000000000002", "600000000000000001", "buttons");
        self.interact(3, data, user_id, Some(message)).await.0
    }

    async fn interact(
        &self,
        kind: u8,
        data: Value,
        user_id: &str,
        message: Option<Value>,
    ) -> (Value, String) {
        let interaction_id = format!("9{}", rand_digits());
        let token = format!("interaction-token-{interaction_id}");
        let mut payload = json!({
            "id": interaction_id,
            "application_id": APPLICATION_ID,
            "type": kind,
            "data": data,
            "guild_id": GUILD_ID,
            "channel_id": "600000000000000001",
            "member": {
                "user": user_json(user_id, "someone"), "roles": [], "joined_at": "2027-01-01T00:00:00.000000+00:00",
                "deaf": false, "mute": false, "flags": 0, "pending": false, "nick": null, "avatar": null,
                "permissions": "8"
            },
            "token": token,
            "version": 1,
            "app_permissions": "8",
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 0,
            "attachment_size_limit": 10485760
        });
        if let Some(message) = message {
            payload["message"] = message;
        }
        self.shared
            .dispatch
            .send(json!({"t": "INTERACTION_CREATE", "d": payload}))
            .expect("the bot is connected to the gateway");
        let body = self.next_answer(&interaction_id).await;
        (body, token)
    }

    /// The next answer whose path names `key` (an interaction id or token).
    async fn next_answer(&self, key: &str) -> Value {
        let mut callbacks = self.callbacks.lock().await;
        loop {
            let (path, body) =
                tokio::time::timeout(std::time::Duration::from_secs(30), callbacks.recv())
                    .await
                    .expect("the bot answers the interaction")
                    .expect("fake running");
            if path.contains(key) {
                return body;
            }
        }
    }

    /// Edits of a deferred answer, until one `done` accepts; that one.
    pub async fn edits_until(&self, token: &str, done: impl Fn(&Value) -> bool) -> Value {
        loop {
            let edit = self.next_answer(token).await;
            if done(&edit) {
                return edit;
            }
        }
    }

    /// Reads the course server.
    pub fn guild<T>(&self, read: impl FnOnce(&Guild) -> T) -> T {
        read(&self.shared.inner.lock().unwrap().guild)
    }

    /// Changes the course server behind the bot's back (an admin's hand).
    pub fn change_guild(&self, change: impl FnOnce(&mut Guild)) {
        change(&mut self.shared.inner.lock().unwrap().guild);
    }

    /// Makes matching calls fail as `fault` says.
    pub fn fail(&self, fault: Fault) {
        self.change_guild(|g| g.faults.push(fault));
    }

    /// `user_id` is a member of the server (before the bot runs).
    pub fn add_member(&self, user_id: &str, nick: Option<&str>) {
        self.change_guild(|g| {
            g.members.insert(
                user_id.to_owned(),
                FakeMember {
                    nick: nick.map(str::to_owned),
                    roles: Vec::new(),
                },
            );
        });
    }

    /// The direct messages the bot sent `user_id`.
    pub fn direct_messages(&self, user_id: &str) -> Vec<String> {
        self.guild(|g| {
            let Some(channel) = g.dm_channels.get(user_id) else {
                return Vec::new();
            };
            g.messages
                .iter()
                .filter(|(c, _)| c == channel)
                .map(|(_, text)| text.clone())
                .collect()
        })
    }

    /// `user_id` does not accept direct messages from server members.
    pub fn close_dms(&self, user_id: &str) {
        self.change_guild(|g| g.dms_closed.push(user_id.to_owned()));
    }

    /// `user_id` joins the server now: the bot hears GUILD_MEMBER_ADD.
    pub fn member_joins(&self, user_id: &str, nick: Option<&str>) {
        self.add_member(user_id, nick);
        let member = self.guild(|g| guild::member_json(user_id, &g.members[user_id]));
        let mut event = member;
        event["guild_id"] = json!(GUILD_ID);
        let _ = self
            .shared
            .dispatch
            .send(json!({"t": "GUILD_MEMBER_ADD", "d": event}));
    }

    /// `user_id` sets their nickname in the server: the bot hears
    /// GUILD_MEMBER_UPDATE.
    pub fn member_renames(&self, user_id: &str, nick: &str) {
        self.change_guild(|g| {
            if let Some(member) = g.members.get_mut(user_id) {
                member.nick = Some(nick.to_owned());
            }
        });
        let mut event = self.guild(|g| guild::member_json(user_id, &g.members[user_id]));
        event["guild_id"] = json!(GUILD_ID);
        let _ = self
            .shared
            .dispatch
            .send(json!({"t": "GUILD_MEMBER_UPDATE", "d": event}));
    }

    /// Waits until the bot has connected and registered its commands.
    pub async fn wait_for_commands(&self) -> Vec<Value> {
        for _ in 0..200 {
            let commands = self.registered_commands();
            if !commands.is_empty() {
                return commands;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the bot never registered its commands");
    }
}

fn rand_digits() -> String {
    format!("{:017}", uuid::Uuid::new_v4().as_u128() % 10u128.pow(17))
}

fn user_json(id: &str, username: &str) -> Value {
    json!({"id": id, "username": username, "discriminator": "0", "global_name": null, "avatar": null, "public_flags": 0})
}

/// `GET /oauth2/authorize`: Discord's consent page, approved at once by the
/// consenting user.
async fn authorize(
    State(shared): State<Shared>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let mut inner = shared.inner.lock().unwrap();
    let client_ok = query.get("client_id").map(String::as_str) == Some(DISCORD_CLIENT_ID);
    let (Some(user), Some(redirect), true) = (
        inner.consenting.clone(),
        query.get("redirect_uri").cloned(),
        client_ok,
    ) else {
        return (
            StatusCode::BAD_REQUEST,
            "unknown client or nobody to approve",
        )
            .into_response();
    };
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    inner.codes.insert(code.clone(), user);
    let mut target = url::Url::parse(&redirect).expect("redirect_uri is a URL");
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = query.get("state") {
        target.query_pairs_mut().append_pair("state", state);
    }
    axum::response::Redirect::to(target.as_str()).into_response()
}

async fn token(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut inner = shared.inner.lock().unwrap();
    inner.token_requests.push(form.clone());
    let credentials_ok = form.get("client_id").map(String::as_str) == Some(DISCORD_CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(DISCORD_CLIENT_SECRET);
    if !credentials_ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    // Codes work once, as Discord's do.
    let user = form.get("code").and_then(|code| inner.codes.remove(code));
    let Some(user) = user else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "Invalid \"code\" in request."})),
        )
            .into_response();
    };
    let access_token = format!("access-{}", uuid::Uuid::new_v4().simple());
    inner.tokens.insert(access_token.clone(), user);
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 604800,
        "refresh_token": "refresh",
        "scope": "identify email"
    }))
    .into_response()
}

async fn me(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let bot = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bot "));
    if bot {
        return Json(json!({
            "id": BOT_ID, "username": "lens-bot", "discriminator": "0", "global_name": null,
            "avatar": null, "bot": true, "verified": true, "mfa_enabled": false, "flags": 0,
            "public_flags": 0
        }))
        .into_response();
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let user = shared.inner.lock().unwrap().tokens.get(token).cloned();
    match user {
        Some(user) => Json(json!({
            "id": user.id,
            "username": user.username,
            "discriminator": "0",
            "global_name": user.global_name,
            "avatar": "0123456789abcdef0123456789abcdef",
            "email": user.email,
            "verified": user.email.is_some(),
            "mfa_enabled": false,
            "locale": "en-US",
            "flags": 0,
            "premium_type": 0,
            "public_flags": 0
        }))
        .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "401: Unauthorized", "code": 0})),
        )
            .into_response(),
    }
}

async fn gateway_url(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({
        "url": format!("ws://{}/gateway", shared.addr),
        "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    }))
}

fn echo_commands(body: &Value, guild: Option<&str>) -> Value {
    let list = body.as_array().cloned().unwrap_or_default();
    Value::Array(
        list.into_iter()
            .enumerate()
            .map(|(i, mut command)| {
                command["id"] = json!(format!("80000000000000000{i}"));
                command["application_id"] = json!(APPLICATION_ID);
                command["version"] = json!("1");
                command["type"] = command.get("type").cloned().unwrap_or(json!(1));
                command["default_member_permissions"] = Value::Null;
                if let Some(guild) = guild {
                    command["guild_id"] = json!(guild);
                }
                command
            })
            .collect(),
    )
}

async fn register_commands(
    State(shared): State<Shared>,
    Path(_app): Path<String>,
    Json(body): Json<Value>,
) -> Json<Value> {
    shared
        .inner
        .lock()
        .unwrap()
        .registered_commands
        .push(body.clone());
    Json(echo_commands(&body, None))
}

async fn register_guild_commands(
    State(shared): State<Shared>,
    Path((_app, guild)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Json<Value> {
    shared
        .inner
        .lock()
        .unwrap()
        .registered_commands
        .push(body.clone());
    Json(echo_commands(&body, Some(&guild)))
}

async fn interaction_callback(
    State(shared): State<Shared>,
    Path((id, token)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> StatusCode {
    let _ = shared
        .callbacks
        .send((format!("/interactions/{id}/{token}/callback"), body));
    StatusCode::NO_CONTENT
}

/// `PATCH /webhooks/{app}/{token}/messages/@original`: a deferred or
/// earlier answer, edited.
async fn edit_original(
    State(shared): State<Shared>,
    Path((_app, token)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let content = body["content"].as_str().unwrap_or_default().to_owned();
    let _ = shared
        .callbacks
        .send((format!("/webhooks/{token}/messages/@original"), body));
    Json(guild::message_json(
        "990000000000000001",
        "600000000000000001",
        &content,
    ))
    .into_response()
}

async fn gateway(State(shared): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| session(shared, socket))
}

/// One gateway session: HELLO, IDENTIFY → READY, then dispatches.
async fn session(shared: Shared, mut socket: WebSocket) {
    let mut dispatches = shared.dispatch.subscribe();
    let mut sequence = 0u64;
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 45000}, "s": null, "t": null});
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(Message::Text(text))) = incoming else { return };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                let reply = match frame["op"].as_u64() {
                    Some(1) => json!({"op": 11, "d": null, "s": null, "t": null}),
                    Some(2) => {
                        let refuse = {
                            let mut inner = shared.inner.lock().unwrap();
                            let refuse = inner.sessions_to_refuse > 0;
                            inner.sessions_to_refuse = inner.sessions_to_refuse.saturating_sub(1);
                            refuse
                        };
                        if refuse {
                            let close = axum::extract::ws::CloseFrame {
                                code: 4004,
                                reason: "Authentication failed.".into(),
                            };
                            let _ = socket.send(Message::Close(Some(close))).await;
                            return;
                        }
                        sequence += 1;
                        json!({"op": 0, "s": sequence, "t": "READY", "d": {
                            "v": 10,
                            "user": {"id": "700000000000000002", "username": "lens-bot", "discriminator": "0",
                                     "global_name": null, "avatar": null, "bot": true, "verified": true,
                                     "mfa_enabled": false, "flags": 0},
                            "guilds": [],
                            "session_id": "fake-session",
                            "resume_gateway_url": format!("ws://{}/gateway", shared.addr),
                            "application": {"id": APPLICATION_ID, "flags": 0}
                        }})
                    }
                    _ => continue,
                };
                if socket.send(Message::Text(reply.to_string().into())).await.is_err() {
                    return;
                }
            }
            dispatch = dispatches.recv() => {
                let Ok(mut event) = dispatch else { return };
                sequence += 1;
                event["op"] = json!(0);
                event["s"] = json!(sequence);
                if socket.send(Message::Text(event.to_string().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}
