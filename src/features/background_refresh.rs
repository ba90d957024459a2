//! Background sync: on the cadence set in Options, linked contacts viewed in the last two weeks are read again from
//! GHL — most recently viewed first — and their saved views replaced, so a revisit shows fresh data at once. Each
//! contact is refreshed at most once per cadence (a round that reached everyone waits for the next cadence instead
//! of starting over), each run spends at most a share of the location's daily quota, and that share shrinks as
//! GHL's remaining daily requests fall: people and other integrations keep the larger part. Where a run stopped is
//! stored, so the next run goes on from there.

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

/// A daily quota header above this is not believed (a header is untrusted input; arithmetic saturates anyway).
const MAX_BELIEVED_DAILY_LIMIT: u64 = 10_000_000;

/// Requests one refresh takes at most: the contact, its notes, tasks and appointments, and its business.
const REQUESTS_PER_CONTACT: u64 = 5;

/// Only contacts viewed this recently are kept fresh: the rest are refreshed when the agent opens them.
pub const RECENT_MS: u64 = 14 * 86_400_000;

/// Below this share of the daily quota left, background sync stops for the day: however many browsers share a
/// location, together they use at most the quarter above it, and people and other integrations keep the rest.
const STOP_BELOW_REMAINING_PERCENT: u64 = 75;

/// Where the last run stopped (the next position in the most-recently-viewed order) and when its round began.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Cursor {
    next: u64,
    round_started_ms: u64,
}
read_fields!(Cursor, "the background cursor" { next: count_or_zero("next"), round_started_ms: count_or_zero("roundStartedMs") });

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

/// Requests one run may spend: `share_percent` of the daily quota spread over the day's runs, shrinking in step
/// as GHL's remaining daily requests fall from all to three quarters, and nothing below that.
pub fn run_budget(daily_limit: Option<u64>, daily_remaining: Option<u64>, share_percent: u32, cadence_minutes: u32) -> u64 {
    let runs_per_day = (1440 / u64::from(cadence_minutes.max(1))).max(1);
    let limit = daily_limit.unwrap_or(DEFAULT_DAILY_LIMIT).clamp(1, MAX_BELIEVED_DAILY_LIMIT);
    let share = (limit.saturating_mul(u64::from(share_percent.min(100))) / 100 / runs_per_day).max(REQUESTS_PER_CONTACT);
    let Some(remaining) = daily_remaining else { return share };
    let floor = limit / 100 * STOP_BELOW_REMAINING_PERCENT;
    let above = remaining.min(limit).saturating_sub(floor);
    // u128: share × the room above the floor cannot overflow.
    (u128::from(share) * u128::from(above) / u128::from((limit - floor).max(1))) as u64
}

/// One background run within `budget` requests. Contacts deleted in GHL are unlinked (the panel matches again on
/// the next visit); other failures are counted and left for the next run.
/// A round that reached every contact starts again only `round_gap_ms` after it began (the cadence).
pub async fn refresh<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, budget: u64, round_gap_ms: u64) -> Result<RefreshReport> {
    let store = client.store();
    let now = client.now_ms();
    let mut records: Vec<crate::links::Linked> = crate::links::linked_records(store, client.location_id())
        .await
        .into_iter()
        .filter(|linked| linked.viewed_at_ms.saturating_add(RECENT_MS) >= now)
        .collect();
    // Most recently viewed first: the index is appended to on every view, so newest last (no sort in the wasm).
    records.reverse();
    let mut cursor = store::read::<Cursor>(store, CURSOR_KEY).await.ok().flatten().unwrap_or_default();
    if cursor.next == 0 || cursor.next as usize >= records.len() {
        if cursor.round_started_ms != 0 && now < cursor.round_started_ms.saturating_add(round_gap_ms) {
            // Everyone was refreshed this cadence: nothing to do until the next.
            return Ok(RefreshReport { budget, ..RefreshReport::default() });
        }
        cursor = Cursor { next: 0, round_started_ms: now };
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
            let evidence = crate::links::find(store, &record, client.location_id()).await.ok().flatten().and_then(|link| link.evidence);
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
        store::write(store, CURSOR_KEY, &Cursor { next: 0, round_started_ms: cursor.round_started_ms }).await?;
    }
    Ok(report)
}

/// The background run the alarm asks for, under the preferences' cadence and share.
pub async fn run<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, preferences: &Preferences) -> Result<RefreshReport> {
    if !preferences.sync_enabled {
        return Ok(RefreshReport::default());
    }
    let headers = client.rate_headers();
    let (limit, remaining) = (headers.as_ref().and_then(|h| h.daily_limit), headers.as_ref().and_then(|h| h.daily_remaining));
    let budget = run_budget(limit, remaining, preferences.refresh_share_percent, preferences.cadence_minutes);
    refresh(client, budget, u64::from(preferences.cadence_minutes) * 60_000).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_spreads_the_share_over_the_days_runs() {
        assert_eq!(run_budget(None, None, 10, 15), 200_000 / 10 / 96);
        assert_eq!(run_budget(Some(1_000), None, 10, 15), REQUESTS_PER_CONTACT, "never less than one contact");
        assert_eq!(run_budget(Some(100_000), None, 50, 1440), 50_000);
    }

    #[test]
    fn the_budget_shrinks_as_the_daily_quota_runs_down_and_stops_at_three_quarters_left() {
        let full = run_budget(Some(200_000), Some(200_000), 10, 15);
        assert_eq!(full, 200_000 / 10 / 96);
        assert_eq!(run_budget(Some(200_000), Some(175_000), 10, 15), full / 2);
        assert_eq!(run_budget(Some(200_000), Some(150_000), 10, 15), 0, "background sync never takes more than a quarter");
        assert_eq!(run_budget(Some(200_000), Some(10), 10, 15), 0);
    }

    #[test]
    fn absurd_headers_saturate_instead_of_wrapping() {
        assert_eq!(run_budget(Some(u64::MAX), Some(u64::MAX), 100, 1), MAX_BELIEVED_DAILY_LIMIT / 1440);
        assert_eq!(run_budget(Some(0), Some(0), 10, 15), 0);
    }
}
