//! Running a data check: start, steps until done (each a few seconds, stored as it goes), cancel, and the scheduled
//! run's alarm with its alert.

use super::check::check;
use super::{KindCount, Run, RunSummary, Target, DAILY_SHARE_PERCENT, HISTORY_KEY, KEEP_RUNS, PROBLEM_KINDS, RATE_SHARE_PERCENT, RUN_KEY};
use crate::features::alerts::{self, Alert};
use crate::features::contact_sync::Choice;
use crate::features::preferences::Preferences;
use crate::ghl::ratelimit::RateHeaders;
use crate::outbox::Ctx;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::json::read_fields;
use crate::platform::store::{self, Store};
use serde::Serialize;

/// What Options shows while a check runs and after: counts, time left, the rate used, the last runs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// `idle` (never run), `running`, `done`, `cancelled` or `stopped`.
    pub state: String,
    pub total: u64,
    pub done: u64,
    pub records_with_problems: u64,
    pub requests: u64,
    pub throttled: u64,
    /// Estimated from the time each record took so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta_ms: Option<u64>,
    pub started_at_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at_ms: Option<u64>,
    /// One sentence for the status line.
    pub summary: String,
    pub history: Vec<RunSummary>,
    /// The kinds of problem, for the report's filter.
    pub kinds: Vec<Choice>,
    /// Requests per minute while checking, and the share of GHL's burst budget the check keeps to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_per_minute: Option<u64>,
    pub rate_share_percent: u64,
}

#[derive(Debug, Default, Serialize)]
struct History {
    runs: Vec<RunSummary>,
}
read_fields!(History, "the data check history" { runs: items_or_empty("runs") });

async fn load_run(store: &impl Store) -> Option<Run> {
    store::read::<Run>(store, RUN_KEY).await.ok().flatten()
}

/// Starts a check of every linked record of the location (a run under way is started again from the beginning).
pub async fn start<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, scheduled: bool) -> Result<Progress> {
    let store = client.store();
    let targets: Vec<Target> = crate::links::linked_records(store, client.location_id())
        .await
        .into_iter()
        .map(|linked| Target { host: linked.host, record_id: linked.record_id, contact_id: linked.contact_id })
        .collect();
    let daily = client.rate_headers().and_then(|headers| headers.daily_limit).unwrap_or(200_000);
    let run = Run {
        started_at_ms: client.now_ms(),
        state: "running".to_owned(),
        scheduled,
        targets,
        request_budget: (daily * DAILY_SHARE_PERCENT / 100).max(50),
        ..Run::default()
    };
    store::write(store, RUN_KEY, &run).await?;
    status(store).await
}

/// Checks records for up to `for_ms` (then answers, so Options can show progress), pacing its requests to
/// [`RATE_SHARE_PERCENT`] of the burst budget. Stored after every record: a stopped worker goes on from there.
pub async fn step<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, for_ms: u64) -> Result<Progress> {
    let store = client.store();
    let _turn = client.locks.data_check.lock().await;
    let Some(mut run) = load_run(store).await.filter(|run| run.state == "running") else { return status(store).await };
    let began = client.now_ms();
    let edits = crate::outbox::by_record(store, Some(client.location_id())).await?;
    let mut mappings = Vec::new();
    while (run.next as usize) < run.targets.len() && client.now_ms().saturating_sub(began) < for_ms {
        if run.requests >= run.request_budget {
            run.state = "stopped".to_owned();
            run.stopped_because = Some(format!(
                "Stopped: this check used its share of GHL's daily requests ({DAILY_SHARE_PERCENT} %). Start it again tomorrow to check the rest."
            ));
            break;
        }
        let target = run.targets[run.next as usize].clone();
        let (sent, throttled, started) = (client.requests_sent(), client.throttled(), client.now_ms());
        let outcome = check(client, &target, &mut mappings, &edits).await;
        let used = client.requests_sent() - sent;
        run.requests += used;
        run.throttled += client.throttled() - throttled;
        match outcome {
            Ok(finding) => {
                run.findings.extend(finding);
                run.next += 1;
            }
            Err(error) if is_credentials(&error) => {
                run.state = "stopped".to_owned();
                run.stopped_because = Some(error.message.clone());
            }
            // GHL is busy or away: this record is tried again at the next step.
            Err(error) if error.retryable => {
                run.busy_ms += client.now_ms().saturating_sub(started);
                store::write(store, RUN_KEY, &run).await?;
                return Err(error);
            }
            // Anything else about this one record: counted as checked, nothing found.
            Err(_) => run.next += 1,
        }
        if run.state != "running" {
            break;
        }
        // Cancelled or started again meanwhile (by another page, while this step checked): that run stands.
        if !load_run(store).await.is_some_and(|stored| stored.state == "running" && stored.started_at_ms == run.started_at_ms) {
            return status(store).await;
        }
        // Stored before waiting: a worker stopped now goes on with the next record.
        run.busy_ms += used * pace_ms(client.rate_headers()).max(client.now_ms().saturating_sub(started) / used.max(1));
        store::write(store, RUN_KEY, &run).await?;
        // Below the share of the burst budget: each request takes up its slot of the window.
        let elapsed = client.now_ms().saturating_sub(started);
        let slots_ms = used * pace_ms(client.rate_headers());
        if slots_ms > elapsed {
            client.sleep(slots_ms - elapsed).await;
        }
    }
    if run.state == "running" && run.next as usize >= run.targets.len() {
        run.state = "done".to_owned();
    }
    if run.state != "running" {
        finish(store, &mut run, client.now_ms()).await?;
    }
    store::write(store, RUN_KEY, &run).await?;
    status(store).await
}

fn is_credentials(error: &Error) -> bool {
    matches!(
        error.code,
        ErrorCode::Unauthorized | ErrorCode::ReconnectNeeded | ErrorCode::MissingScope | ErrorCode::Forbidden | ErrorCode::DailyLimit
    )
}

/// Milliseconds one request of the check takes up, so that it stays within its share of GHL's window.
fn pace_ms(headers: Option<RateHeaders>) -> u64 {
    let max = headers.and_then(|h| h.max).filter(|&max| max > 0).unwrap_or(100) as u64;
    let interval = headers.and_then(|h| h.interval_ms).filter(|&ms| ms > 0).unwrap_or(10_000);
    interval * 100 / (max * RATE_SHARE_PERCENT).max(1)
}

/// The agent stopped the run.
pub async fn cancel(store: &impl Store, now_ms: u64) -> Result<Progress> {
    if let Some(mut run) = load_run(store).await.filter(|run| run.state == "running") {
        run.state = "cancelled".to_owned();
        finish(store, &mut run, now_ms).await?;
        store::write(store, RUN_KEY, &run).await?;
    }
    status(store).await
}

/// Files the run's summary with the last runs.
async fn finish(store: &impl Store, run: &mut Run, now_ms: u64) -> Result<()> {
    run.finished_at_ms = Some(now_ms);
    let mut history = store::read::<History>(store, HISTORY_KEY).await.ok().flatten().unwrap_or_default();
    history.runs.push(summary_of(run));
    let excess = history.runs.len().saturating_sub(KEEP_RUNS);
    history.runs.drain(..excess);
    store::write(store, HISTORY_KEY, &history).await
}

fn summary_of(run: &Run) -> RunSummary {
    let by_kind = PROBLEM_KINDS
        .iter()
        .map(|(kind, _)| KindCount {
            kind: (*kind).to_owned(),
            count: run.findings.iter().filter(|finding| finding.problems.iter().any(|problem| problem.kind == *kind)).count() as u64,
        })
        .collect();
    RunSummary {
        started_at_ms: run.started_at_ms,
        finished_at_ms: run.finished_at_ms.unwrap_or(run.started_at_ms),
        state: run.state.clone(),
        scheduled: run.scheduled,
        checked: run.next,
        records_with_problems: run.findings.len() as u64,
        by_kind,
        requests: run.requests,
        throttled: run.throttled,
    }
}

/// Where the check is, and the last runs.
pub async fn status(store: &impl Store) -> Result<Progress> {
    let history = store::read::<History>(store, HISTORY_KEY).await.ok().flatten().unwrap_or_default().runs;
    let Some(run) = load_run(store).await else {
        return Ok(Progress {
            state: "idle".to_owned(),
            total: 0,
            done: 0,
            records_with_problems: 0,
            requests: 0,
            throttled: 0,
            eta_ms: None,
            started_at_ms: 0,
            finished_at_ms: None,
            summary: "No data check has run on this browser yet.".to_owned(),
            history,
            kinds: kinds(),
            requests_per_minute: None,
            rate_share_percent: RATE_SHARE_PERCENT,
        });
    };
    let total = run.targets.len() as u64;
    let eta_ms = (run.state == "running" && run.next > 0).then(|| run.busy_ms / run.next * (total - run.next.min(total)));
    let found = run.findings.len();
    let problems = format!("{found} record{} with something to look at", if found == 1 { "" } else { "s" });
    let summary = match run.state.as_str() {
        "running" => format!("Checked {} of {total} linked records; {problems} so far.", run.next),
        "done" => format!("Checked {total} linked records: {problems}."),
        "cancelled" => format!("Cancelled after {} of {total} linked records: {problems}.", run.next),
        _ => run.stopped_because.clone().unwrap_or_else(|| "Stopped.".to_owned()),
    };
    Ok(Progress {
        state: run.state.clone(),
        total,
        done: run.next,
        records_with_problems: found as u64,
        requests: run.requests,
        throttled: run.throttled,
        eta_ms,
        started_at_ms: run.started_at_ms,
        finished_at_ms: run.finished_at_ms,
        summary,
        history,
        kinds: kinds(),
        requests_per_minute: (run.busy_ms > 0).then(|| run.requests * 60_000 / run.busy_ms),
        rate_share_percent: RATE_SHARE_PERCENT,
    })
}

fn kinds() -> Vec<Choice> {
    crate::features::contact_sync::choices(PROBLEM_KINDS)
}

/// The scheduled check's alarm: starts a run when none is under way, goes on with it for up to `for_ms`, and when
/// it finishes raises the alert its rule asks for. Answers whether a run is still under way (the alarm then fires
/// every minute until it is done).
pub async fn on_alarm<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, preferences: &Preferences, for_ms: u64) -> Result<bool> {
    let store = client.store();
    if preferences.data_check_every_minutes().is_none() {
        return Ok(false);
    }
    let under_way = load_run(store).await.is_some_and(|run| run.state == "running");
    if !under_way {
        start(client, true).await?;
    }
    let progress = match step(client, for_ms).await {
        Ok(progress) => progress,
        Err(error) if error.retryable => return Ok(true),
        Err(error) => return Err(error),
    };
    if progress.state == "running" {
        return Ok(true);
    }
    if let Some(run) = load_run(store).await.filter(|run| run.scheduled) {
        if let Some(alert) = alert_for(&run, preferences) {
            alerts::raise(store, alert).await?;
        }
    }
    Ok(false)
}

/// The rule's alert for a finished run, if it asks for one.
fn alert_for(run: &Run, preferences: &Preferences) -> Option<Alert> {
    let rule = &preferences.data_check;
    let count = |kind: &str| run.findings.iter().filter(|finding| finding.problems.iter().any(|problem| problem.kind == kind)).count();
    let (disagree, stale) = (count("fields"), count("gone") + count("evidence"));
    let mut lines = Vec::new();
    if rule.alert_over > 0 && disagree > rule.alert_over as usize {
        lines.push(format!("{disagree} records disagree with GHL (more than {}).", rule.alert_over));
    }
    if rule.alert_stale && stale > 0 {
        lines.push(format!("{stale} link{} went stale.", if stale == 1 { "" } else { "s" }));
    }
    (!lines.is_empty())
        .then(|| Alert { title: "GHL Bridge: data check".to_owned(), message: format!("{} Open Options → Data check.", lines.join(" ")) })
}
