//! The sync log: what the extension did to GHL on the agent's behalf, with the outcome. Bounded, newest last, in
//! extension storage.

use crate::error::{Error, Result};
use crate::json::{read_fields, FromJson, Json, JsonResult};
use crate::store::{self, Store};
use serde::Serialize;

pub const LOG_KEY: &str = "log";

/// Entries kept; older ones are dropped first.
pub const MAX_ENTRIES: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub at_ms: u64,
    /// The operation (`contact.sync`, `note.create`, …).
    pub operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    pub ok: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    pub duration_ms: u64,
}
read_fields!(LogEntry, "a log entry" {
    at_ms: count_or_zero("atMs"),
    operation: required_text("operation"),
    contact_id: text("contactId"),
    ok: flag_or_false("ok"),
    message: required_text("message"),
    error_code: text("errorCode"),
    trace_id: text("traceId"),
    duration_ms: count_or_zero("durationMs"),
});

impl LogEntry {
    pub fn success(operation: &str, contact_id: Option<&str>, message: &str) -> Self {
        Self {
            at_ms: 0,
            operation: operation.to_owned(),
            contact_id: contact_id.map(str::to_owned),
            ok: true,
            message: message.to_owned(),
            error_code: None,
            trace_id: None,
            duration_ms: 0,
        }
    }

    pub fn failure(operation: &str, contact_id: Option<&str>, error: &Error) -> Self {
        Self {
            ok: false,
            error_code: Some(error.code.as_str().to_owned()),
            trace_id: error.trace_id.clone(),
            ..Self::success(operation, contact_id, &error.message)
        }
    }

    /// Stamps the entry with when it started and how long it took.
    pub fn took(mut self, started_ms: u64, finished_ms: u64) -> Self {
        self.at_ms = started_ms;
        self.duration_ms = finished_ms.saturating_sub(started_ms);
        self
    }
}

#[derive(Debug, Default, Serialize)]
struct Log {
    entries: Vec<LogEntry>,
}

impl FromJson for Log {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the log")?;
        let entries = fields.items("entries").unwrap_or_default();
        fields.finish(Self { entries })
    }
}

/// Adds an entry, dropping the oldest beyond [`MAX_ENTRIES`]. An unreadable log starts again rather than
/// blocking the work it records.
pub async fn append(store: &impl Store, entry: LogEntry) -> Result<()> {
    let mut log = store::read::<Log>(store, LOG_KEY).await.ok().flatten().unwrap_or_default();
    log.entries.push(entry);
    let excess = log.entries.len().saturating_sub(MAX_ENTRIES);
    log.entries.drain(..excess);
    store::write(store, LOG_KEY, &log).await
}

/// The entries, oldest first.
pub async fn entries(store: &impl Store) -> Result<Vec<LogEntry>> {
    Ok(store::read::<Log>(store, LOG_KEY).await.ok().flatten().unwrap_or_default().entries)
}
