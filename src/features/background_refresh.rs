//! Background sync: on the cadence set in Options, linked contacts are read again from GHL — most recently viewed
//! first — and their saved views replaced, so a revisit shows fresh data at once. Each run spends at most a share
//! of the location's daily request quota; where it stopped is stored, so the next run goes on from there.

use crate::features::panel;
use crate::features::preferences::Preferences;
use crate::hosts::{HostRecord, RecordInput};
use crate::outbox::Ctx;
use crate::platform::clock::Clock;
use crate::platform::error::{ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::json::read_fields;
use crate::platform::store::{self, Store};
use serde::Serialize;

/// The alarm of background sync (its period is the cadence in Options).
pub const ALARM: &str = "ghl-bridge-sync";

const CURSOR_KEY: &str = "linked.cursor";

/// GHL's daily request quota per location when it has not told us (`X-RateLimit-Limit-Daily`).
const DEFAULT_DAILY_LIMIT: u64 = 200_000;

/// Requests one refresh takes at most: the contact, its notes, tasks and appointments, and its business.
const REQUESTS_PER_CONTACT: u64 = 5;

/// Where the last run stopped: the next position in the most-recently-viewed order.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Cursor {
    next: u64,
}
read_fields!(Cursor, "the background cursor" { next: count_or_zero("next") });

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshReport {
    pub refreshed: u64,
    pub failed: u64,
    pub requests: u64,
    pub budget: u64,
    /// Linked records not reached in this run (the next run goes on from there).
    pub remaining: u64,
}

/// Requests one run may spend: `share_percent` of the daily quota, spread over the day's runs.
pub fn run_budget(daily_limit: Option<u64>, share_percent: u32, cadence_minutes: u32) -> u64 {
    let runs_per_day = (1440 / u64::from(cadence_minutes.max(1))).max(1);
    (daily_limit.unwrap_or(DEFAULT_DAILY_LIMIT) * u64::from(share_percent) / 100 / runs_per_day).max(REQUESTS_PER_CONTACT)
}

/// One background run within `budget` requests. Contacts deleted in GHL are unlinked (the panel matches again on
/// the next visit); other failures are counted and left for the next run.
pub async fn refresh<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, budget: u64) -> Result<RefreshReport> {
    let store = client.store();
    let mut records = crate::links::linked_records(store).await;
    records.sort_by_key(|linked| std::cmp::Reverse(linked.viewed_at_ms));
    let mut cursor = store::read::<Cursor>(store, CURSOR_KEY).await.ok().flatten().unwrap_or_default();
    if cursor.next as usize >= records.len() {
        cursor.next = 0;
    }
    let started = client.requests_sent();
    let mut report = RefreshReport { budget, ..RefreshReport::default() };
    while let Some(linked) = records.get(cursor.next as usize) {
        if client.requests_sent() - started + REQUESTS_PER_CONTACT > budget {
            break;
        }
        let input = RecordInput { host: linked.host.clone(), record_id: linked.record_id.clone(), ..RecordInput::default() };
        if let Ok(record) = HostRecord::from_input(input) {
            // The refresh reads GHL only: the link keeps the evidence it was made from.
            let evidence = crate::links::find(store, &record).await.ok().flatten().and_then(|link| link.evidence);
            match panel::load_contact(client, &record, &linked.contact_id, linked.matched_by, linked.business_id.clone(), evidence).await {
                Ok(_) => report.refreshed += 1,
                Err(error) if error.code == ErrorCode::NotFound => {
                    crate::links::remove(store, &record).await?;
                    crate::links::forget_view(store, &record).await?;
                    report.failed += 1;
                }
                // Rate limits and outages: stop here and go on next time.
                Err(error) if error.retryable => {
                    report.failed += 1;
                    break;
                }
                Err(_) => report.failed += 1,
            }
        }
        cursor.next += 1;
        // Stored as it goes: a worker stopped mid-run resumes where it was.
        store::write(store, CURSOR_KEY, &cursor).await?;
    }
    report.requests = client.requests_sent() - started;
    report.remaining = (records.len() as u64).saturating_sub(cursor.next);
    if cursor.next as usize >= records.len() {
        store::write(store, CURSOR_KEY, &Cursor { next: 0 }).await?;
    }
    Ok(report)
}

/// The background run the alarm asks for, under the preferences' cadence and share.
pub async fn run<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, preferences: &Preferences) -> Result<RefreshReport> {
    if !preferences.sync_enabled {
        return Ok(RefreshReport::default());
    }
    let daily = client.rate_headers().and_then(|headers| headers.daily_limit);
    refresh(client, run_budget(daily, preferences.refresh_share_percent, preferences.cadence_minutes)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_spreads_the_share_over_the_days_runs() {
        assert_eq!(run_budget(None, 10, 15), 200_000 / 10 / 96);
        assert_eq!(run_budget(Some(1_000), 10, 15), REQUESTS_PER_CONTACT, "never less than one contact");
        assert_eq!(run_budget(Some(100_000), 50, 1440), 50_000);
    }
}
