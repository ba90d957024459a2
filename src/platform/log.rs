//! The sync log: what the extension did to GHL on the agent's behalf, with the outcome. Bounded, newest last, in
//! extension storage. A plain sink: whoever wants to react to entries (the alert rules) reads them from here, by
//! their sequence number.

use crate::platform::error::{Error, Result};
use crate::platform::json::read_fields;
use crate::platform::store::{self, Store};
use serde::Serialize;

pub const LOG_KEY: &str = "log";
/// Longest message an entry keeps: the log's size stays bounded whatever an error says.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Entries kept; older ones are dropped first.
pub const MAX_ENTRIES: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Numbers entries in the order they were written (0 before it is appended).
    #[serde(skip_serializing_if = "is_zero")]
    pub seq: u64,
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
fn is_zero(value: &u64) -> bool {
    *value == 0
}

read_fields!(LogEntry, "a log entry" {
    seq: count_or_zero("seq"),
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
            seq: 0,
            at_ms: 0,
            operation: operation.to_owned(),
            contact_id: contact_id.map(str::to_owned),
            ok: true,
            message: crate::platform::error::clip(message, MAX_MESSAGE_CHARS),
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
#[serde(rename_all = "camelCase")]
struct Log {
    entries: Vec<LogEntry>,
    /// The sequence number the next entry gets.
    next_seq: u64,
}

read_fields!(Log, "the log" { entries: items_or_empty("entries"), next_seq: count_or_zero("nextSeq") });

/// Adds an entry, dropping the oldest beyond [`MAX_ENTRIES`]. An unreadable log starts again rather than
/// blocking the work it records.
pub async fn append(store: &impl Store, mut entry: LogEntry) -> Result<()> {
    let mut log = store::read::<Log>(store, LOG_KEY).await.ok().flatten().unwrap_or_default();
    // Logs written before entries were numbered continue after their last entry.
    let next = log.next_seq.max(log.entries.last().map_or(0, |last| last.seq) + 1).max(1);
    entry.seq = next;
    log.next_seq = next + 1;
    log.entries.push(entry);
    let excess = log.entries.len().saturating_sub(MAX_ENTRIES);
    log.entries.drain(..excess);
    store::write(store, LOG_KEY, &log).await
}

/// The entries written after sequence number `seen`, oldest first.
pub async fn entries_after(store: &impl Store, seen: u64) -> Result<Vec<LogEntry>> {
    Ok(entries(store).await?.into_iter().filter(|entry| entry.seq > seen).collect())
}

/// The entries, oldest first.
pub async fn entries(store: &impl Store) -> Result<Vec<LogEntry>> {
    Ok(store::read::<Log>(store, LOG_KEY).await.ok().flatten().unwrap_or_default().entries)
}

/// What the log viewer asks for. Every filter is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    pub errors_only: bool,
    pub contact_id: Option<String>,
    pub from_ms: Option<u64>,
    pub to_ms: Option<u64>,
}
read_fields!(LogFilter, "the log filter" {
    errors_only: flag_or_false("errorsOnly"),
    contact_id: text("contactId"),
    from_ms: count("fromMs"),
    to_ms: count("toMs"),
});

impl LogFilter {
    fn keeps(&self, entry: &LogEntry) -> bool {
        (!self.errors_only || !entry.ok)
            && self.contact_id.as_deref().map(str::trim).filter(|c| !c.is_empty()).is_none_or(|c| entry.contact_id.as_deref() == Some(c))
            && self.from_ms.is_none_or(|from| entry.at_ms >= from)
            && self.to_ms.is_none_or(|to| entry.at_ms <= to)
    }
}

/// The entries the filter keeps, newest first.
pub async fn query(store: &impl Store, filter: &LogFilter) -> Result<Vec<LogEntry>> {
    let mut kept: Vec<LogEntry> = entries(store).await?.into_iter().filter(|entry| filter.keeps(entry)).collect();
    kept.reverse();
    Ok(kept)
}

/// The entries as CSV (RFC 4180: every field quoted, quotes doubled), with a header row.
pub fn to_csv(entries: &[LogEntry]) -> String {
    let mut csv = String::from("time,operation,contact,result,error code,message,trace id,duration ms\r\n");
    for entry in entries {
        let fields = [
            crate::platform::dates::format_utc(entry.at_ms as i64),
            entry.operation.clone(),
            entry.contact_id.clone().unwrap_or_default(),
            (if entry.ok { "ok" } else { "failed" }).to_owned(),
            entry.error_code.clone().unwrap_or_default(),
            entry.message.clone(),
            entry.trace_id.clone().unwrap_or_default(),
            entry.duration_ms.to_string(),
        ];
        csv.push_str(&csv_line(&fields));
    }
    csv
}

/// One CSV line (RFC 4180: every field quoted, quotes doubled, CRLF). A field a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first: text from GHL or a host page) starts with `'`, so it is shown, not run.
pub fn csv_line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|field| {
            let inert = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) { "'" } else { "" };
            format!("\"{inert}{}\"", field.replace('"', "\"\""))
        })
        .collect();
    format!("{}\r\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at_ms: u64, ok: bool, contact: &str) -> LogEntry {
        let mut entry = LogEntry::success("note.create", Some(contact), "Sent, \"quoted\"\nnext line");
        entry.at_ms = at_ms;
        entry.ok = ok;
        entry
    }

    #[test]
    fn filters_keep_what_they_say() {
        let entries = [entry(1_000, true, "a"), entry(2_000, false, "a"), entry(3_000, false, "b")];
        let keep = |filter: LogFilter| entries.iter().filter(|e| filter.keeps(e)).map(|e| e.at_ms).collect::<Vec<_>>();
        assert_eq!(keep(LogFilter::default()), [1_000, 2_000, 3_000]);
        assert_eq!(keep(LogFilter { errors_only: true, ..Default::default() }), [2_000, 3_000]);
        assert_eq!(keep(LogFilter { contact_id: Some(" a ".into()), ..Default::default() }), [1_000, 2_000]);
        assert_eq!(keep(LogFilter { from_ms: Some(1_500), to_ms: Some(2_500), ..Default::default() }), [2_000]);
    }

    #[test]
    fn csv_quotes_every_field() {
        let csv = to_csv(&[entry(0, true, "c1")]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "time,operation,contact,result,error code,message,trace id,duration ms");
        assert_eq!(
            lines[1],
            "\"1970-01-01T00:00:00.000Z\",\"note.create\",\"c1\",\"ok\",\"\",\"Sent, \"\"quoted\"\"\nnext line\",\"\",\"0\""
        );
    }
}
