//! The request log the tests read through `GET /__admin/log`: one entry per API request, without
//! the bearer token.

use std::collections::VecDeque;

use serde_json::{json, Value};

/// Entries kept; older ones are dropped so a long demo run stays bounded.
const MAX_ENTRIES: usize = 20_000;
/// Request bodies larger than this are logged as a marker instead of their content.
const MAX_LOGGED_BODY: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct Entry {
    pub at_ms: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub location: Option<String>,
    pub version: Option<String>,
    pub bearer: bool,
    pub body: Value,
    pub fault: Option<&'static str>,
    pub duration_ms: u64,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    entries: VecDeque<Value>,
    last_seq: u64,
}

impl RequestLog {
    /// Appends an entry and returns its sequence number. Numbers keep growing across clears, so a
    /// `since` cursor stays valid.
    pub fn push(&mut self, e: Entry) -> u64 {
        self.last_seq += 1;
        let v = json!({
            "seq": self.last_seq,
            "at": e.at_ms,
            "method": e.method,
            "path": e.path,
            "query": e.query,
            "status": e.status,
            "location": e.location,
            "version": e.version,
            "auth": if e.bearer { Value::from("bearer") } else { Value::Null },
            "body": e.body,
            "fault": e.fault,
            "durationMs": e.duration_ms,
        });
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(v);
        self.last_seq
    }

    pub fn since(&self, seq: u64) -> Vec<Value> {
        self.entries.iter().filter(|e| e.get("seq").and_then(Value::as_u64).unwrap_or(0) > seq).cloned().collect()
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// The body as it goes into the log: parsed JSON, a form turned into an object with secrets
/// masked, or null.
pub fn loggable_body(raw: &[u8], form: Option<&crate::reply::Params>) -> Value {
    if raw.is_empty() {
        return Value::Null;
    }
    if raw.len() > MAX_LOGGED_BODY {
        return json!({"omitted": true, "bytes": raw.len()});
    }
    if let Some(form) = form {
        let mut v = form.to_json();
        if let Some(m) = v.as_object_mut() {
            for key in ["client_secret", "refresh_token", "code", "access_token"] {
                if let Some(slot) = m.get_mut(key) {
                    *slot = Value::from("[redacted]");
                }
            }
        }
        return v;
    }
    serde_json::from_slice(raw).unwrap_or(Value::Null)
}
