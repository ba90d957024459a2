//! The data check: over every linked record this browser knows, where the host app (the record as the agent last saw
//! it) and GHL (now) disagree — mapped fields, links whose contact is gone or whose match no longer holds, GHL
//! contacts that now share the record's email, edits waiting or refused.
//!
//! A run is stored as it goes (`datacheck.run`): it survives the worker stopping and goes on from the next record.
//! It spends at most [`RATE_SHARE_PERCENT`] of the location's burst budget (the panel keeps the rest) and
//! [`DAILY_SHARE_PERCENT`] of its daily requests. Options drives a run in steps and shows its progress; the
//! scheduled run goes on at each firing of its alarm.

mod check;
mod report;
mod run;

pub use check::{FieldDiff, Finding, Problem};
pub use report::{export, report, ReportFilter};
pub use run::{cancel, on_alarm, start, status, step, Progress};

use crate::platform::json::read_fields;
use serde::Serialize;

/// The run in progress, or the last one with its findings.
const RUN_KEY: &str = "datacheck.run";
/// Summaries of the last runs, newest last.
const HISTORY_KEY: &str = "datacheck.history";
/// Runs whose summaries are kept.
const KEEP_RUNS: usize = 5;
/// The alarm of the scheduled check (at its schedule), and the one that goes on with a scheduled run under way
/// (every minute until it is done).
pub const ALARM: &str = "datacheck";
pub const CONTINUE_ALARM: &str = "datacheck.continue";
/// Share of the location's burst budget (GHL: 100 requests per 10 s) the check may use.
pub const RATE_SHARE_PERCENT: u64 = 40;
/// Share of the location's daily requests one run may use.
pub const DAILY_SHARE_PERCENT: u64 = 10;

/// One linked record to check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    host: String,
    record_id: String,
    contact_id: String,
}
read_fields!(Target, "a record to check" {
    host: required_text("host"),
    record_id: required_text("recordId"),
    contact_id: required_text("contactId"),
});

/// A run, as stored after every record.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    started_at_ms: u64,
    /// `running`, `done`, `cancelled`, or `stopped` (the daily share is used, or GHL refuses the credentials).
    state: String,
    scheduled: bool,
    targets: Vec<Target>,
    next: u64,
    requests: u64,
    throttled: u64,
    /// Time spent checking (not waiting between steps): what the time left is estimated from.
    busy_ms: u64,
    /// Requests this run may spend in all.
    request_budget: u64,
    findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_at_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_because: Option<String>,
}
read_fields!(Run, "the data check run" {
    started_at_ms: count_or_zero("startedAtMs"),
    state: required_text("state"),
    scheduled: flag_or_false("scheduled"),
    targets: items_or_empty("targets"),
    next: count_or_zero("next"),
    requests: count_or_zero("requests"),
    throttled: count_or_zero("throttled"),
    busy_ms: count_or_zero("busyMs"),
    request_budget: count_or_zero("requestBudget"),
    findings: items_or_empty("findings"),
    finished_at_ms: count("finishedAtMs"),
    stopped_because: text("stoppedBecause"),
});

/// What a finished run found, kept for the last [`KEEP_RUNS`] runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
    pub state: String,
    pub scheduled: bool,
    pub checked: u64,
    pub records_with_problems: u64,
    /// Records per kind of problem (`fields`, `gone`, `evidence`, `duplicate`, `waiting`, `refused`).
    pub by_kind: Vec<KindCount>,
    pub requests: u64,
    pub throttled: u64,
}
read_fields!(RunSummary, "a data check summary" {
    started_at_ms: count_or_zero("startedAtMs"),
    finished_at_ms: count_or_zero("finishedAtMs"),
    state: required_text("state"),
    scheduled: flag_or_false("scheduled"),
    checked: count_or_zero("checked"),
    records_with_problems: count_or_zero("recordsWithProblems"),
    by_kind: items_or_empty("byKind"),
    requests: count_or_zero("requests"),
    throttled: count_or_zero("throttled"),
});

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindCount {
    pub kind: String,
    pub count: u64,
}
read_fields!(KindCount, "a count of problems" { kind: required_text("kind"), count: count_or_zero("count") });

/// The kinds of problem, in the order the report shows them, with their names in words.
pub const PROBLEM_KINDS: &[(&str, &str)] = &[
    ("fields", "Fields disagree"),
    ("gone", "GHL contact gone"),
    ("evidence", "Match no longer holds"),
    ("duplicate", "Duplicate in GHL"),
    ("waiting", "Edits waiting"),
    ("refused", "Edits refused"),
];
