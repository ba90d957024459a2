//! Benchmark: how close the client gets to GHL's burst limit without tripping it.
//!
//! Against the sandbox enforcing 100 requests / 10 s per location:
//! 1. one client (four concurrent callers) for 30 s — achieved rate vs the allowed rate, and 429s (goal ≥ 90 %, 0);
//! 2. three clients with separate budgets (three agents of one location) for 30 s — 429s as a share of all
//!    requests (goal ≤ 1 %), and whether every call finally succeeded.
//!
//! Run: `cargo bench --bench rate_limit` (or `./build.sh bench`). Prints a report; writes
//! `target/bench/rate-limit.json`.

#[path = "../tests/native/support.rs"]
#[allow(dead_code)]
mod support;

use futures::future::join_all;
use ghl_bridge::ghl::GhlClient;
use ghl_bridge::platform::clock::Clock;
use std::cell::Cell;
use std::time::Duration;
use support::*;

const RUN: Duration = Duration::from_secs(30);
const CALLERS_PER_CLIENT: usize = 4;
const MAX: u32 = 100;
const INTERVAL_MS: u64 = 10_000;

struct Outcome {
    succeeded: usize,
    failed: usize,
}

/// Callers issue reads back to back until `RUN` has passed since `start_ms`.
async fn drive(client: &TestClient, start_ms: u64) -> Outcome {
    let succeeded = Cell::new(0);
    let failed = Cell::new(0);
    let caller = || async {
        while TokioClock.now_ms() < start_ms + RUN.as_millis() as u64 {
            match client.get_contact("DemoContactJane0001").await {
                Ok(_) => succeeded.set(succeeded.get() + 1),
                Err(error) => {
                    failed.set(failed.get() + 1);
                    eprintln!("call failed: {:?} {}", error.code, error.message);
                }
            }
        }
    };
    join_all((0..CALLERS_PER_CLIENT).map(|_| caller())).await;
    Outcome { succeeded: succeeded.get(), failed: failed.get() }
}

/// Requests GHL would allow in `RUN` from a standing start: a full window, then `MAX` per interval.
fn allowed() -> f64 {
    let intervals = RUN.as_millis() as f64 / INTERVAL_MS as f64;
    MAX as f64 * intervals.ceil()
}

fn count_status(sandbox: &ghl_sandbox::Sandbox, status: u64) -> (usize, usize) {
    let log = sandbox.state().log(0);
    let matching = log.iter().filter(|entry| entry["status"].as_u64() == Some(status)).count();
    (matching, log.len())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if asked_for_a_list() {
        return;
    }
    let sandbox = sandbox().await;
    sandbox.state().set_rate_limit(MAX, INTERVAL_MS, 200_000);

    // 1. One client.
    let client = GhlClient::new(leaked_platform(), pit_config(&sandbox, DEMO_TOKEN));
    let start = TokioClock.now_ms();
    let single = drive(&client, start).await;
    let elapsed_s = (TokioClock.now_ms() - start) as f64 / 1000.0;
    let (single_429, single_requests) = count_status(&sandbox, 429);
    let single_share = single.succeeded as f64 / allowed();
    println!(
        "one client:    {} ok, {} failed in {elapsed_s:.1} s; {:.1} % of the {} requests allowed; {single_429} × 429 of {single_requests} requests",
        single.succeeded, single.failed, single_share * 100.0, allowed()
    );

    // 2. Three clients sharing the location; a fresh window first.
    tokio::time::sleep(Duration::from_millis(INTERVAL_MS + 500)).await;
    sandbox.state().clear_log();
    let clients: Vec<TestClient> = (0..3).map(|_| GhlClient::new(leaked_platform(), pit_config(&sandbox, DEMO_TOKEN))).collect();
    let start = TokioClock.now_ms();
    let outcomes = join_all(clients.iter().map(|client| drive(client, start))).await;
    let (shared_429, shared_requests) = count_status(&sandbox, 429);
    let shared_ok: usize = outcomes.iter().map(|o| o.succeeded).sum();
    let shared_failed: usize = outcomes.iter().map(|o| o.failed).sum();
    let share_429 = shared_429 as f64 / shared_requests.max(1) as f64;
    let per_client: Vec<usize> = outcomes.iter().map(|o| o.succeeded).collect();
    println!(
        "three clients: {shared_ok} ok ({per_client:?}), {shared_failed} failed; {:.1} % of the {} allowed; {shared_429} × 429 = {:.2} % of {shared_requests} requests",
        shared_ok as f64 / allowed() * 100.0,
        allowed(),
        share_429 * 100.0
    );

    let report = serde_json::json!({
        "limit": {"max": MAX, "intervalMs": INTERVAL_MS, "runSeconds": RUN.as_secs(), "allowedRequests": allowed()},
        "single": {"succeeded": single.succeeded, "failed": single.failed, "shareOfAllowed": single_share,
                   "requests": single_requests, "rateLimited": single_429},
        "shared": {"clients": 3, "succeeded": shared_ok, "perClient": per_client, "failed": shared_failed,
                   "shareOfAllowed": shared_ok as f64 / allowed(), "requests": shared_requests,
                   "rateLimited": shared_429, "rateLimitedShare": share_429},
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rate-limit.json"), serde_json::to_string_pretty(&report).unwrap()).unwrap();
}
