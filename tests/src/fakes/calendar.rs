//! A fake Google: the OAuth token endpoint a service account signs in at
//! (checking the RS256 assertion against the account's public key, the
//! audience, subject and scope), and the Calendar API v3 calls Lens makes
//! on events: insert (with a caller-chosen id), get, patch, delete (events
//! and instances), and list instances of a weekly series, with guests'
//! answers a test sets. It keeps every Calendar request, so tests can
//! check exactly what was asked.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::Deserialize;
use serde_json::{Value, json};

/// The calendar user the fake's service account may act as.
pub const CALENDAR_EMAIL: &str = "course@lens.example";

/// The service account's address.
pub const ACCOUNT_EMAIL: &str = "lens-calendar@lens-project.iam.gserviceaccount.com";

/// One Calendar API request, as the fake received it.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRequest {
    /// GET, POST, PATCH or DELETE.
    pub method: String,
    /// The path after `/calendar/v3/calendars/{calendar}/events`, e.g.
    /// `/lens…r0` or `/lens…r0/instances` (empty for an insert).
    pub path: String,
    /// `sendUpdates`, when given.
    pub send_updates: Option<String>,
    /// The JSON body, when there is one.
    pub body: Value,
}

impl CalendarRequest {
    /// "METHOD path", for comparing sequences of requests.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[derive(Default)]
struct Inner {
    events: BTreeMap<String, Value>,
    cancelled_instances: BTreeSet<String>,
    answers: HashMap<(String, String), String>,
    requests: Vec<CalendarRequest>,
    tokens: usize,
    failures: usize,
}

/// A running fake Google.
pub struct FakeGoogle {
    /// Base URL (the Calendar API's and the token endpoint's).
    pub url: String,
    /// A service account key file whose `token_uri` is the fake's.
    pub credentials: PathBuf,
    _dir: tempfile::TempDir,
    inner: Arc<Mutex<Inner>>,
}

struct Shared {
    inner: Arc<Mutex<Inner>>,
    public_key: String,
    token_uri: String,
}

/// One RSA key for every fake in the process (making one takes a moment).
fn key_pair() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key");
        let private = key.to_pkcs8_pem(LineEnding::LF).expect("PEM").to_string();
        let public = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("public PEM");
        (private, public)
    })
}

impl FakeGoogle {
    /// Starts the fake on a loopback port, with a key file for it.
    pub async fn start() -> Self {
        let (listener, addr) = super::bind().await;
        let url = format!("http://{addr}");
        let (private, public) = key_pair().clone();
        let dir = tempfile::tempdir().expect("temp dir");
        let credentials = dir.path().join("service-account.json");
        let token_uri = format!("{url}/token");
        std::fs::write(
            &credentials,
            json!({
                "type": "service_account",
                "project_id": "lens-project",
                "private_key_id": "fake",
                "private_key": private,
                "client_email": ACCOUNT_EMAIL,
                "token_uri": token_uri,
            })
            .to_string(),
        )
        .expect("write key file");
        let inner = Arc::new(Mutex::new(Inner::default()));
        let shared = Arc::new(Shared {
            inner: inner.clone(),
            public_key: public,
            token_uri,
        });
        let app = axum::Router::new()
            .route("/token", post(token))
            .route("/calendar/v3/calendars/{calendar}/events", post(insert))
            .route(
                "/calendar/v3/calendars/{calendar}/events/{id}",
                get(event).patch(event).delete(event),
            )
            .route(
                "/calendar/v3/calendars/{calendar}/events/{id}/instances",
                get(instances),
            )
            .with_state(shared);
        super::serve(listener, app);
        Self {
            url,
            credentials,
            _dir: dir,
            inner,
        }
    }

    /// The Calendar requests so far.
    pub fn requests(&self) -> Vec<CalendarRequest> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// "METHOD path" of each Calendar request so far, and forgets them.
    pub fn take_lines(&self) -> Vec<String> {
        let mut inner = self.inner.lock().unwrap();
        let lines = inner.requests.iter().map(CalendarRequest::line).collect();
        inner.requests.clear();
        lines
    }

    /// Tokens granted so far.
    pub fn tokens_granted(&self) -> usize {
        self.inner.lock().unwrap().tokens
    }

    /// Every event in the calendar (deleted ones too, `cancelled`).
    pub fn events(&self) -> Vec<Value> {
        self.inner
            .lock()
            .unwrap()
            .events
            .values()
            .cloned()
            .collect()
    }

    /// The emails of an event's guests, sorted.
    pub fn guests(&self, id: &str) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        let mut guests: Vec<String> = inner.events[id]["attendees"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["email"].as_str().map(str::to_owned))
            .collect();
        guests.sort();
        guests
    }

    /// Instances cancelled, by id.
    pub fn cancelled_instances(&self) -> Vec<String> {
        self.inner
            .lock()
            .unwrap()
            .cancelled_instances
            .iter()
            .cloned()
            .collect()
    }

    /// Someone deletes event `id` in Google Calendar.
    pub fn delete_in_google(&self, id: &str) {
        let mut inner = self.inner.lock().unwrap();
        if let Some(event) = inner.events.get_mut(id) {
            event["status"] = json!("cancelled");
        }
    }

    /// Guest `email` answers `status` (needsAction, accepted, declined,
    /// tentative) for the instance starting at `start`.
    pub fn answer(&self, email: &str, start: DateTime<Utc>, status: &str) {
        self.inner
            .lock()
            .unwrap()
            .answers
            .insert((email.to_lowercase(), stamp(start)), status.to_owned());
    }

    /// Answers the next `count` Calendar requests with 503.
    pub fn fail_next(&self, count: usize) {
        self.inner.lock().unwrap().failures = count;
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn error(status: StatusCode, reason: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": status.as_u16(), "message": message, "errors": [{"reason": reason, "message": message}]}})),
    )
        .into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    assertion: String,
}

#[derive(Deserialize)]
struct Assertion {
    iss: String,
    sub: String,
    scope: String,
}

async fn token(State(shared): State<Arc<Shared>>, Form(form): Form<TokenForm>) -> Response {
    if form.grant_type != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[&shared.token_uri]);
    validation.set_required_spec_claims(&["exp", "iat", "aud"]);
    let key = DecodingKey::from_rsa_pem(shared.public_key.as_bytes()).expect("public key");
    let claims = match jsonwebtoken::decode::<Assertion>(&form.assertion, &key, &validation) {
        Ok(data) => data.claims,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant", "error_description": e.to_string()})),
            )
                .into_response();
        }
    };
    if claims.iss != ACCOUNT_EMAIL
        || claims.sub != CALENDAR_EMAIL
        || claims.scope != "https://www.googleapis.com/auth/calendar"
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized_client", "error_description": "Client is unauthorized to retrieve access tokens using this method."})),
        )
            .into_response();
    }
    let mut inner = shared.inner.lock().unwrap();
    inner.tokens += 1;
    Json(json!({"access_token": format!("ya29.fake-{}", inner.tokens), "expires_in": 3599, "token_type": "Bearer"}))
        .into_response()
}

#[derive(Deserialize, Default)]
struct CallQuery {
    #[serde(rename = "sendUpdates")]
    send_updates: Option<String>,
}

/// Checks the token and the calendar and records the request; the answer
/// when it is refused (or fails, as a test asked).
fn admit(
    inner: &mut Inner,
    headers: &HeaderMap,
    calendar: &str,
    method: &Method,
    path: String,
    query: CallQuery,
    body: Value,
) -> Option<Response> {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ya29.fake-"));
    if !authorized {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "authError",
            "Invalid Credentials",
        ));
    }
    if calendar != CALENDAR_EMAIL {
        return Some(error(StatusCode::NOT_FOUND, "notFound", "Not Found"));
    }
    inner.requests.push(CalendarRequest {
        method: method.to_string(),
        path,
        send_updates: query.send_updates,
        body,
    });
    if inner.failures > 0 {
        inner.failures -= 1;
        return Some(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "backendError",
            "Backend Error",
        ));
    }
    None
}

async fn insert(
    State(shared): State<Arc<Shared>>,
    Path(calendar): Path<String>,
    Query(query): Query<CallQuery>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = shared.inner.lock().unwrap();
    if let Some(refused) = admit(
        &mut inner,
        &headers,
        &calendar,
        &Method::POST,
        String::new(),
        query,
        body.clone(),
    ) {
        return refused;
    }
    let Some(id) = body["id"].as_str().map(str::to_owned) else {
        return error(StatusCode::BAD_REQUEST, "required", "Missing id");
    };
    if !id.chars().all(|c| matches!(c, 'a'..='v' | '0'..='9')) || id.len() < 5 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid",
            "Invalid resource id value.",
        );
    }
    if inner.events.contains_key(&id) {
        return error(
            StatusCode::CONFLICT,
            "duplicate",
            "The requested identifier already exists.",
        );
    }
    let mut event = body;
    event["status"] = json!("confirmed");
    event["organizer"] = json!({"email": CALENDAR_EMAIL, "self": true});
    for attendee in event["attendees"].as_array_mut().into_iter().flatten() {
        attendee["responseStatus"] = json!("needsAction");
    }
    inner.events.insert(id, event.clone());
    Json(event).into_response()
}

async fn event(
    State(shared): State<Arc<Shared>>,
    Path((calendar, id)): Path<(String, String)>,
    Query(query): Query<CallQuery>,
    method: Method,
    headers: HeaderMap,
    body: Option<Json<Value>>,
) -> Response {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    let mut inner = shared.inner.lock().unwrap();
    if let Some(refused) = admit(
        &mut inner,
        &headers,
        &calendar,
        &method,
        format!("/{id}"),
        query,
        body.clone(),
    ) {
        return refused;
    }
    if let Some((master, start)) = id.split_once('_') {
        // An instance: only deleting one is asked for.
        let exists = inner
            .events
            .get(master)
            .is_some_and(|e| instance_starts(e).iter().any(|s| stamp(*s) == start));
        if method != Method::DELETE || !exists || inner.cancelled_instances.contains(&id) {
            return error(StatusCode::GONE, "deleted", "Resource has been deleted");
        }
        inner.cancelled_instances.insert(id);
        return StatusCode::NO_CONTENT.into_response();
    }
    let Some(event) = inner.events.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    match method {
        Method::GET => Json(event.clone()).into_response(),
        Method::PATCH => {
            if event["status"] == "cancelled" {
                return error(StatusCode::GONE, "deleted", "Resource has been deleted");
            }
            for (field, value) in body.as_object().into_iter().flatten() {
                event[field] = value.clone();
            }
            for attendee in event["attendees"].as_array_mut().into_iter().flatten() {
                if attendee.get("responseStatus").is_none() {
                    attendee["responseStatus"] = json!("needsAction");
                }
            }
            Json(event.clone()).into_response()
        }
        _ => {
            event["status"] = json!("cancelled");
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

/// The starts of a weekly series' instances (`COUNT` weeks from its start).
fn instance_starts(event: &Value) -> Vec<DateTime<Utc>> {
    let Some(start) = event["start"]["dateTime"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    else {
        return Vec::new();
    };
    let count: i64 = event["recurrence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find_map(|rule| rule.split("COUNT=").nth(1))
        .and_then(|n| n.split(';').next()?.parse().ok())
        .unwrap_or(1);
    (0..count)
        .map(|week| start.with_timezone(&Utc) + Duration::weeks(week))
        .collect()
}

async fn instances(
    State(shared): State<Arc<Shared>>,
    Path((calendar, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut inner = shared.inner.lock().unwrap();
    if let Some(refused) = admit(
        &mut inner,
        &headers,
        &calendar,
        &Method::GET,
        format!("/{id}/instances"),
        CallQuery::default(),
        Value::Null,
    ) {
        return refused;
    }
    let Some(event) = inner.events.get(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    if event["status"] == "cancelled" {
        return error(StatusCode::GONE, "deleted", "Resource has been deleted");
    }
    let minutes = event["end"]["dateTime"]
        .as_str()
        .zip(event["start"]["dateTime"].as_str())
        .and_then(|(end, start)| {
            Some(
                (DateTime::parse_from_rfc3339(end).ok()?
                    - DateTime::parse_from_rfc3339(start).ok()?)
                .num_minutes(),
            )
        })
        .unwrap_or(60);
    let items: Vec<Value> = instance_starts(&event)
        .into_iter()
        .filter_map(|start| {
            let instance = format!("{id}_{}", stamp(start));
            if inner.cancelled_instances.contains(&instance) {
                return None;
            }
            let attendees: Vec<Value> = event["attendees"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    let email = a["email"].as_str().unwrap_or_default().to_lowercase();
                    let answer = inner
                        .answers
                        .get(&(email.clone(), stamp(start)))
                        .cloned()
                        .unwrap_or_else(|| "needsAction".into());
                    json!({"email": email, "responseStatus": answer})
                })
                .collect();
            let time = |at: DateTime<Utc>| json!({"dateTime": at.to_rfc3339(), "timeZone": "UTC"});
            Some(json!({
                "id": instance,
                "status": "confirmed",
                "recurringEventId": id,
                "originalStartTime": time(start),
                "start": time(start),
                "end": time(start + Duration::minutes(minutes)),
                "attendees": attendees,
            }))
        })
        .collect();
    Json(json!({"kind": "calendar#events", "items": items})).into_response()
}
