//! The admin API under `/__admin/` (no auth, no rate limit, not in the request log). The same
//! operations are available in-process through `SandboxState`.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::reply::{Params, Reply};
use crate::state::{Seed, World};

/// Admin failures: a status and a message.
pub type AdminResult = Result<Value, (u16, String)>;

fn bad(msg: impl Into<String>) -> (u16, String) {
    (422, msg.into())
}

fn object(v: &Value) -> Result<&Map<String, Value>, (u16, String)> {
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => {
            static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
            Ok(EMPTY.get_or_init(Map::new))
        }
        _ => Err(bad("the body must be a JSON object")),
    }
}

fn only(m: &Map<String, Value>, allowed: &[&str]) -> Result<(), (u16, String)> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad(format!("property {k} should not exist"))),
        None => Ok(()),
    }
}

pub fn reset(w: &mut World, body: &Value, default_seed: Seed) -> AdminResult {
    let m = object(body)?;
    only(m, &["seed"])?;
    let seed = match m.get("seed").and_then(Value::as_str) {
        Some(s) => s.parse::<Seed>().map_err(bad)?,
        None if m.contains_key("seed") => return Err(bad("seed must be \"demo\" or \"none\"")),
        None => default_seed,
    };
    w.reset(seed);
    Ok(json!({"ok": true}))
}

pub fn set_faults(w: &mut World, body: &Value) -> AdminResult {
    w.faults.set(body).map_err(bad)?;
    Ok(json!({"ok": true}))
}

pub fn clear_faults(w: &mut World) -> AdminResult {
    w.faults.clear();
    Ok(json!({"ok": true}))
}

pub fn set_rate_limit(w: &mut World, body: &Value) -> AdminResult {
    let m = object(body)?;
    only(m, &["max", "intervalMs", "daily"])?;
    let mut c = w.rate.config;
    let num = |k: &str| -> Result<Option<u64>, (u16, String)> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| bad(format!("{k} must be a non-negative whole number"))),
        }
    };
    if let Some(x) = num("max")? {
        c.max = u32::try_from(x).ok().filter(|x| *x <= 10_000_000).ok_or_else(|| bad("max must not be greater than 10000000"))?;
    }
    if let Some(x) = num("intervalMs")? {
        if x == 0 || x > 86_400_000 {
            return Err(bad("intervalMs must be between 1 and 86400000"));
        }
        c.interval_ms = x;
    }
    if let Some(x) = num("daily")? {
        c.daily = x;
    }
    w.rate.configure(c);
    Ok(json!({"ok": true, "max": c.max, "intervalMs": c.interval_ms, "daily": c.daily}))
}

fn scopes_of(v: Option<&Value>) -> Result<Vec<String>, (u16, String)> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => Ok(a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()),
        // A space-separated string, as OAuth writes scopes, is accepted too.
        Some(Value::String(s)) => Ok(s.split_whitespace().map(str::to_string).collect()),
        Some(_) => Err(bad("scopes must be an array of strings")),
    }
}

pub fn add_token(w: &mut World, body: &Value) -> AdminResult {
    let m = object(body)?;
    only(m, &["token", "locationId", "scopes", "expiresInMs"])?;
    let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let token = s("token").ok_or_else(|| bad("token should not be empty"))?;
    let location = s("locationId").ok_or_else(|| bad("locationId should not be empty"))?;
    let scopes = scopes_of(m.get("scopes"))?;
    let expires = match m.get("expiresInMs") {
        None | Some(Value::Null) => None,
        Some(v) => Some(Duration::from_millis(v.as_u64().ok_or_else(|| bad("expiresInMs must be a non-negative whole number"))?)),
    };
    w.add_token(token, location, scopes, expires);
    Ok(json!({"ok": true}))
}

pub fn expire_tokens(w: &mut World, body: &Value) -> AdminResult {
    let m = object(body)?;
    only(m, &["token"])?;
    let now = std::time::Instant::now();
    let mut expired = 0;
    match m.get("token").and_then(Value::as_str) {
        Some(t) => {
            if let Some(tok) = w.tokens.get_mut(t) {
                tok.expires_at = Some(now);
                expired = 1;
            }
        }
        None => {
            for tok in w.tokens.values_mut() {
                tok.expires_at = Some(now);
                expired += 1;
            }
        }
    }
    Ok(json!({"ok": true, "expired": expired}))
}

pub fn register_oauth(w: &mut World, body: &Value) -> AdminResult {
    crate::oauth::register(w, body).map_err(bad)?;
    Ok(json!({"ok": true}))
}

pub fn seed_contacts(w: &mut World, body: &Value) -> AdminResult {
    let m = object(body)?;
    only(m, &["locationId", "contacts"])?;
    let location =
        m.get("locationId").and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or_else(|| bad("locationId should not be empty"))?;
    let n = m.get("contacts").and_then(Value::as_u64).ok_or_else(|| bad("contacts must be a non-negative whole number"))?;
    let total = crate::seed::generate_contacts(w, location, n.min(u32::MAX as u64) as usize).map_err(bad)?;
    Ok(json!({"ok": true, "added": n, "total": total}))
}

/// `POST /__admin/settings {locationId, allowDuplicates}`: the location's "Allow Duplicate Contact" setting, so
/// tests can make several contacts share an email or phone as real locations can.
pub fn location_settings(w: &mut World, body: &Value) -> AdminResult {
    let m = object(body)?;
    only(m, &["locationId", "allowDuplicates"])?;
    let location =
        m.get("locationId").and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or_else(|| bad("locationId should not be empty"))?;
    let allow = m.get("allowDuplicates").and_then(Value::as_bool).ok_or_else(|| bad("allowDuplicates must be true or false"))?;
    let loc = w.locations.get_mut(location).ok_or_else(|| (404, format!("no location {location}")))?;
    loc.allow_duplicates = allow;
    Ok(json!({"ok": true}))
}

pub fn state(w: &World, location: Option<&str>) -> AdminResult {
    match location.filter(|s| !s.is_empty()) {
        Some(id) => w.locations.get(id).map(|l| l.dump()).ok_or_else(|| (404, format!("no location {id}"))),
        None => Ok(json!({"locations": w.locations.values().map(|l| (l.id.clone(), l.dump())).collect::<Map<_, _>>()})),
    }
}

pub fn log(w: &World, since: u64) -> Value {
    json!({"entries": w.log.since(since), "lastSeq": w.log.last_seq()})
}

/// Routes one admin HTTP request.
pub fn handle(w: &mut World, method: &str, path: &str, query: &Params, raw_body: &[u8], default_seed: Seed) -> Reply {
    let body: Value = if raw_body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(raw_body) {
            Ok(v) => v,
            Err(e) => return Reply::bad_request(&format!("Malformed JSON in request body: {e}")),
        }
    };
    let sub = path.trim_end_matches('/').strip_prefix("/__admin").unwrap_or("");
    let result = match (method, sub) {
        ("POST", "/reset") => reset(w, &body, default_seed),
        ("POST", "/faults") => set_faults(w, &body),
        ("DELETE", "/faults") => clear_faults(w),
        ("POST", "/ratelimit") => set_rate_limit(w, &body),
        ("POST", "/tokens") => add_token(w, &body),
        ("POST", "/tokens/expire") => expire_tokens(w, &body),
        ("POST", "/oauth") => register_oauth(w, &body),
        ("POST", "/seed") => seed_contacts(w, &body),
        ("POST", "/settings") => location_settings(w, &body),
        ("GET", "/state") => state(w, query.get("locationId")),
        ("GET", "/log") => {
            let since = query.get("since").and_then(|s| s.trim().parse::<u64>().ok()).unwrap_or(0);
            Ok(log(w, since))
        }
        ("DELETE", "/log") => {
            w.log.clear();
            Ok(json!({"ok": true}))
        }
        _ => Err((404, format!("Cannot {method} {path}"))),
    };
    match result {
        Ok(v) => Reply::ok(v),
        Err((422, msg)) => Reply::unprocessable(vec![msg]),
        Err((status, msg)) => Reply::error(status, msg),
    }
}
