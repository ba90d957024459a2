//! The GHL API pipeline: authentication, `Version`, rate limits, faults, routing, and the
//! request log. Handlers live in `contacts`, `search`, `activity`, `directory` and `oauth`.

use std::time::Instant;

use serde_json::{Map, Value};

use crate::faults::Fault;
use crate::log::{self, Entry};
use crate::reply::{reason, Body, Params, Reply};
use crate::state::{Token, World};
use crate::time::{self, DAY_MS};
use crate::{activity, contacts, directory, oauth, search, Shared};

pub const VERSION: &str = "2021-07-28";
pub const CONTACTS_READ: &str = "contacts.readonly";
pub const CONTACTS_WRITE: &str = "contacts.write";
pub const USERS_READ: &str = "users.readonly";
pub const LOCATIONS_READ: &str = "locations.readonly";
pub const CUSTOM_FIELDS_READ: &str = "locations/customFields.readonly";
pub const LOCATION_TAGS_READ: &str = "locations/tags.readonly";

/// Handlers answer `Err` for early exits (`?`), `Ok` otherwise; both are sent as they are.
pub type Res = Result<Reply, Reply>;

/// One API request, read fully.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: String,
    /// The path as received (still percent-encoded).
    pub path: String,
    pub raw_query: Option<String>,
    pub query: Params,
    pub authorization: Option<String>,
    pub version: Option<String>,
    pub host: Option<String>,
    pub scheme: &'static str,
    pub body: Vec<u8>,
}

impl ApiRequest {
    /// `scheme://host` for links in responses (`meta.nextPageUrl`).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.host.as_deref().unwrap_or("127.0.0.1"))
    }

    fn bearer(&self) -> Option<&str> {
        let a = self.authorization.as_deref()?.trim();
        let (scheme, token) = a.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    }
}

/// What an authenticated handler knows about the caller.
pub struct Ctx<'a> {
    pub req: &'a ApiRequest,
    pub location_id: String,
    pub token: Token,
    pub now_ms: i64,
}

impl Ctx<'_> {
    pub fn need(&self, scope: &str) -> Result<(), Reply> {
        if self.token.has_scope(scope) {
            Ok(())
        } else {
            Err(Reply::error(401, "The token is not authorized for this scope."))
        }
    }

    /// A required `locationId` query parameter: missing or another location → 403, as GHL does
    /// when a paged request drops it.
    pub fn query_location(&self) -> Result<(), Reply> {
        match self.req.query.get("locationId") {
            Some(l) if l == self.location_id => Ok(()),
            _ => Err(Reply::forbidden_location()),
        }
    }

    /// The body as a JSON object (empty body → `{}`); malformed JSON → 400; a `locationId` of
    /// another location → 403.
    pub fn json_body(&self) -> Result<Map<String, Value>, Reply> {
        let raw = &self.req.body;
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        let v: Value = serde_json::from_slice(raw).map_err(|e| Reply::bad_request(&format!("Malformed JSON in request body: {e}")))?;
        let Value::Object(m) = v else {
            return Err(Reply::bad_request("The request body must be a JSON object"));
        };
        if let Some(Value::String(l)) = m.get("locationId") {
            if !l.is_empty() && *l != self.location_id {
                return Err(Reply::forbidden_location());
            }
        }
        Ok(m)
    }

    /// The body checked against a DTO's field list (422 with every message).
    pub fn dto(&self, fields: &[crate::validate::Field]) -> Result<Map<String, Value>, Reply> {
        let m = self.json_body()?;
        let msgs = crate::validate::check(&m, fields);
        if msgs.is_empty() {
            Ok(m)
        } else {
            Err(Reply::unprocessable(msgs))
        }
    }
}

/// Path segments, percent-decoded.
fn segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).take(16).map(|s| crate::reply::percent_decode(s, false)).collect()
}

fn route(w: &mut World, cx: &Ctx) -> Res {
    let segs = segments(&cx.req.path);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let method = cx.req.method.as_str();
    match (method, segs.as_slice()) {
        ("GET", ["contacts"]) => {
            cx.need(CONTACTS_READ)?;
            contacts::list(w, cx)
        }
        ("POST", ["contacts"]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::create(w, cx)
        }
        ("POST", ["contacts", "search"]) => {
            cx.need(CONTACTS_READ)?;
            search::search(w, cx)
        }
        ("GET", ["contacts", "search", "duplicate"]) => {
            cx.need(CONTACTS_READ)?;
            contacts::duplicate(w, cx)
        }
        ("POST", ["contacts", "upsert"]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::upsert(w, cx)
        }
        ("GET", ["contacts", "business", business_id]) => {
            cx.need(CONTACTS_READ)?;
            contacts::by_business(w, cx, business_id)
        }
        ("POST", ["contacts", "bulk", "business"]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::bulk_business(w, cx)
        }
        ("POST", ["contacts", "bulk", "tags", "update", kind]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::bulk_tags(w, cx, kind)
        }
        ("GET", ["contacts", id]) => {
            cx.need(CONTACTS_READ)?;
            contacts::get(w, cx, id)
        }
        ("PUT", ["contacts", id]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::update(w, cx, id)
        }
        ("DELETE", ["contacts", id]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::delete(w, cx, id)
        }
        ("POST", ["contacts", id, "tags"]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::add_tags(w, cx, id)
        }
        ("DELETE", ["contacts", id, "tags"]) => {
            cx.need(CONTACTS_WRITE)?;
            contacts::remove_tags(w, cx, id)
        }
        ("GET", ["contacts", id, "notes"]) => {
            cx.need(CONTACTS_READ)?;
            activity::list_notes(w, cx, id)
        }
        ("POST", ["contacts", id, "notes"]) => {
            cx.need(CONTACTS_WRITE)?;
            activity::create_note(w, cx, id)
        }
        ("GET", ["contacts", id, "notes", note_id]) => {
            cx.need(CONTACTS_READ)?;
            activity::get_note(w, cx, id, note_id)
        }
        ("PUT", ["contacts", id, "notes", note_id]) => {
            cx.need(CONTACTS_WRITE)?;
            activity::update_note(w, cx, id, note_id)
        }
        ("DELETE", ["contacts", id, "notes", note_id]) => {
            cx.need(CONTACTS_WRITE)?;
            activity::delete_note(w, cx, id, note_id)
        }
        ("GET", ["contacts", id, "tasks"]) => {
            cx.need(CONTACTS_READ)?;
            activity::list_tasks(w, cx, id)
        }
        ("POST", ["contacts", id, "tasks"]) => {
            cx.need(CONTACTS_WRITE)?;
            activity::create_task(w, cx, id)
        }
        ("GET", ["contacts", id, "tasks", task_id]) => {
            cx.need(CONTACTS_READ)?;
            activity::get_task(w, cx, id, task_id)
        }
        ("PUT", ["contacts", id, "tasks", task_id]) => {
            cx.need(CONTACTS_WRITE)?;
            activity::update_task(w, cx, id, task_id)
        }
        ("PUT", ["contacts", id, "tasks", task_id, "completed"]) => {
            cx.need(CONTACTS_WRITE)?;
            activity::complete_task(w, cx, id, task_id)
        }
        ("DELETE", ["contacts", id, "tasks", task_id]) => {
            cx.need(CONTACTS_WRITE)?;
            activity::delete_task(w, cx, id, task_id)
        }
        ("GET", ["contacts", id, "appointments"]) => {
            cx.need(CONTACTS_READ)?;
            activity::list_appointments(w, cx, id)
        }
        ("GET", ["users"]) => {
            cx.need(USERS_READ)?;
            directory::list_users(w, cx)
        }
        ("GET", ["users", "search"]) => {
            cx.need(USERS_READ)?;
            directory::search_users(w, cx)
        }
        ("GET", ["users", id]) => {
            cx.need(USERS_READ)?;
            directory::get_user(w, cx, id)
        }
        ("GET", ["locations", id]) => {
            cx.need(LOCATIONS_READ)?;
            directory::get_location(w, cx, id)
        }
        ("GET", ["locations", id, "customFields"]) => {
            cx.need(CUSTOM_FIELDS_READ)?;
            directory::list_custom_fields(w, cx, id)
        }
        ("GET", ["locations", id, "customFields", field_id]) => {
            cx.need(CUSTOM_FIELDS_READ)?;
            directory::get_custom_field(w, cx, id, field_id)
        }
        ("GET", ["locations", id, "tags"]) => {
            cx.need(LOCATION_TAGS_READ)?;
            directory::location_tags(w, cx, id)
        }
        _ => Err(Reply::not_found(&format!("Cannot {} {}", method, cx.req.path))),
    }
}

/// The answer for an injected status fault.
fn status_fault(status: u16, body: Option<String>) -> Reply {
    match body {
        Some(b) => Reply::raw(status, "text/html; charset=utf-8", b.into_bytes()),
        None if status == 429 => Reply::plain_error(429, "Too many requests"),
        None => Reply::plain_error(status, reason(status)),
    }
}

/// Result of running one request against the state.
pub struct Processed {
    pub reply: Reply,
    pub fault: Option<Fault>,
    pub location: Option<String>,
}

fn with_rate(mut reply: Reply, h: crate::ratelimit::RateHeaders) -> Reply {
    reply.headers.extend(h.pairs());
    reply
}

/// Runs the request under the state lock: auth, version, rate limit, fault, handler.
pub fn process(w: &mut World, req: &ApiRequest) -> Processed {
    let now = Instant::now();
    let day = time::now_ms().div_euclid(DAY_MS);
    let done = |reply: Reply, fault: Option<Fault>, location: Option<String>| Processed { reply, fault, location };

    if segments(&req.path) == ["oauth", "token"] {
        let fault = w.faults.pick(&req.method, &req.path);
        if let Some(Fault::Status { status, body }) = fault.clone() {
            return done(status_fault(status, body), fault, None);
        }
        return done(oauth::token(w, req), fault, None);
    }

    let token = req.bearer().and_then(|t| w.tokens.get(t)).filter(|t| t.is_valid(now)).cloned();
    let Some(token) = token else {
        let h = w.rate.peek(None, now, day);
        return done(with_rate(Reply::error(401, "Invalid JWT"), h), None, None);
    };
    let location = token.location_id.clone();
    let version_error = match req.version.as_deref().map(str::trim) {
        None | Some("") => Some("version header was not found"),
        Some(VERSION) => None,
        Some(_) => Some("Unsupported version"),
    };
    if let Some(msg) = version_error {
        let h = w.rate.peek(Some(&location), now, day);
        return done(with_rate(Reply::bad_request(msg), h), None, Some(location));
    }
    let h = match w.rate.admit(&location, now, day) {
        Ok(h) => h,
        Err(h) => return done(with_rate(Reply::plain_error(429, "Too many requests"), h), None, Some(location)),
    };
    let fault = w.faults.pick(&req.method, &req.path);
    if let Some(Fault::Status { status, body }) = fault.clone() {
        return done(with_rate(status_fault(status, body), h), fault, Some(location));
    }
    let cx = Ctx { req, location_id: location.clone(), token, now_ms: time::now_ms() };
    let reply = match req.query.get("locationId") {
        Some(l) if !l.is_empty() && l != location => Reply::forbidden_location(),
        _ => route(w, &cx).unwrap_or_else(|e| e),
    };
    done(with_rate(reply, h), fault, Some(location))
}

/// Adds `traceId` to a JSON object body (GHL puts one on every response).
pub fn add_trace_id(reply: &mut Reply, trace: String) {
    if let Body::Json(Value::Object(m)) = &mut reply.body {
        m.entry("traceId").or_insert(Value::String(trace));
    }
}

/// Replaces a JSON body with its first half: what a client sees when a proxy cuts a response.
fn truncate(reply: &mut Reply) {
    let text = match &reply.body {
        Body::Json(v) => v.to_string(),
        Body::Raw(_, b) => String::from_utf8_lossy(b).into_owned(),
        Body::Streamed(bytes) => " ".repeat(*bytes),
    };
    let mut cut = (text.len() / 2).max(1).min(text.len());
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    reply.body = Body::Raw("application/json; charset=utf-8", text.as_bytes()[..cut].to_vec());
}

/// `bytes` bytes of valid JSON (`[0,0,…]` padded with spaces): an answer too large, not a malformed one.
pub fn filler(bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes);
    out.push(b'[');
    while out.len() + 4 <= bytes {
        out.extend_from_slice(b"0,");
    }
    out.push(b'0');
    out.push(b']');
    out.resize(bytes.max(3), b' ');
    out
}

/// How the server should finish the exchange.
pub enum Outcome {
    Reply(Reply),
    /// Close the connection without answering (the change, answered with this status, is
    /// already committed).
    Drop(u16),
}

/// The whole API exchange: latency fault, processing under the lock, fault post-processing and
/// the request log.
pub async fn serve(shared: &Shared, req: ApiRequest) -> (Outcome, Option<&'static str>) {
    let started = Instant::now();
    let latency = shared.world().faults.latency(&req.method, &req.path);
    if let Some(d) = latency {
        tokio::time::sleep(d).await;
    }
    let mut w = shared.world();
    let Processed { mut reply, fault, location } = process(&mut w, &req);
    let trace = w.trace_id();
    add_trace_id(&mut reply, trace);
    if fault == Some(Fault::Malformed) {
        truncate(&mut reply);
    }
    if let Some(Fault::Oversize { bytes, declared }) = fault {
        reply.body = if declared { Body::Raw("application/json; charset=utf-8", filler(bytes)) } else { Body::Streamed(bytes) };
    }
    let fault_label = fault.as_ref().map(Fault::label).or(latency.map(|_| "latency"));
    let is_form = segments(&req.path) == ["oauth", "token"];
    let form = is_form.then(|| Params::parse(&String::from_utf8_lossy(&req.body)));
    let at_ms = started.duration_since(w.started).as_millis() as u64;
    w.log.push(Entry {
        at_ms,
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.raw_query.clone(),
        status: reply.status,
        location,
        version: req.version.clone(),
        bearer: req.bearer().is_some(),
        body: log::loggable_body(&req.body, form.as_ref()),
        fault: fault_label,
        duration_ms: started.elapsed().as_millis() as u64,
    });
    drop(w);
    match fault {
        Some(Fault::Drop) => (Outcome::Drop(reply.status), fault_label),
        _ => (Outcome::Reply(reply), fault_label),
    }
}
