//! Alert rules: a desktop notification when GHL refuses the credentials, or after N failures in a row — at most
//! one per window, so a long outage is one notification, not hundreds. The rules read the sync log's new entries
//! (the log is a plain sink); the service worker shows what [`take`] hands it, after every message and alarm.

use crate::features::preferences::Preferences;
use crate::platform::error::Result;
use crate::platform::json::read_fields;
use crate::platform::log::LogEntry;
use crate::platform::store::{self, Store};
use serde::Serialize;

const STATE_KEY: &str = "alerts.state";

/// Error codes that mean the credentials need a person.
const AUTH_CODES: &[&str] = &["unauthorized", "reconnect_needed", "missing_scope", "forbidden"];

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertState {
    /// The last log entry the rules have looked at.
    seen_seq: u64,
    consecutive_failures: u64,
    last_alert_at_ms: Option<u64>,
    /// Raised, not yet shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<Alert>,
}
read_fields!(AlertState, "the alert state" {
    seen_seq: count_or_zero("seenSeq"),
    consecutive_failures: count_or_zero("consecutiveFailures"),
    last_alert_at_ms: count("lastAlertAtMs"),
    pending: item("pending"),
});

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub title: String,
    pub message: String,
}
read_fields!(Alert, "an alert" { title: required_text("title"), message: required_text("message") });

/// A logged failure that means GHL refused the credentials.
pub fn is_auth_failure(entry: &LogEntry) -> bool {
    !entry.ok && entry.error_code.as_deref().is_some_and(|code| AUTH_CODES.contains(&code))
}

/// Takes note of one logged operation; raises an alert when a rule says so and the window allows.
fn observe(state: &mut AlertState, rule: &crate::features::preferences::AlertRule, entry: &LogEntry) {
    state.seen_seq = state.seen_seq.max(entry.seq);
    state.consecutive_failures = if entry.ok { 0 } else { state.consecutive_failures + 1 };
    let auth = is_auth_failure(entry);
    let raised = if auth && rule.on_auth_failure {
        Some(Alert { title: "GHL Bridge: connect GHL again".to_owned(), message: entry.message.clone() })
    } else if rule.after_failures > 0 && state.consecutive_failures == u64::from(rule.after_failures) {
        Some(Alert { title: format!("GHL Bridge: {} failures in a row", rule.after_failures), message: format!("Last: {}", entry.message) })
    } else {
        None
    };
    let window_ms = u64::from(rule.window_minutes) * 60_000;
    if let Some(alert) = raised {
        if state.last_alert_at_ms.is_none_or(|last| entry.at_ms >= last.saturating_add(window_ms)) {
            state.last_alert_at_ms = Some(entry.at_ms);
            state.pending = Some(alert);
        }
    }
}

/// Raises an alert another rule decided on (the data check's), shown with the next status.
pub async fn raise(store: &impl Store, alert: Alert) -> Result<()> {
    let mut state = store::read::<AlertState>(store, STATE_KEY).await.ok().flatten().unwrap_or_default();
    state.pending = Some(alert);
    store::write(store, STATE_KEY, &state).await
}

/// Reads the log's new entries through the rules; the alert to show now, if any (shown once).
pub async fn take(store: &impl Store) -> Result<Option<Alert>> {
    let mut state = store::read::<AlertState>(store, STATE_KEY).await.ok().flatten().unwrap_or_default();
    let fresh = crate::platform::log::entries_after(store, state.seen_seq).await?;
    if fresh.is_empty() && state.pending.is_none() {
        return Ok(None);
    }
    let rule = Preferences::load(store).await?.alerts;
    for entry in &fresh {
        observe(&mut state, &rule, entry);
    }
    let pending = state.pending.take();
    store::write(store, STATE_KEY, &state).await?;
    Ok(pending)
}
