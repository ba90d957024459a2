//! Benchmark: a data check of 500 linked records against the sandbox enforcing GHL's 100 requests / 10 s, while an
//! agent keeps opening a panel.
//!
//! As in the extension, the check and the panels are two cores (the pages and records modules) on one storage,
//! each with its own view of the rate budget. Reports the check's wall time, requests, the share of the rate it
//! used, the 429s (goal 0), and panel time-to-data during the check against idle (goal: within 20 %), GHL
//! answering in 200 ms. Run:
//! `cargo bench --bench data_check` (or `./build.sh bench`); about four minutes. Writes
//! `target/bench/data-check.json`.

#[path = "../tests/native/support.rs"]
#[allow(dead_code)]
mod support;

use ghl_bridge::app::Core;
use ghl_bridge::ghl::Platform;
use ghl_bridge::platform::clock::Clock;
use ghl_bridge::platform::store::{MemoryStore, Store};
use serde_json::{json, Value};
use std::cell::Cell;
use support::*;

const RECORDS: usize = 500;
const MAX: u32 = 100;
const INTERVAL_MS: u64 = 10_000;
/// An agent opens a panel this often while the check runs.
const PANEL_EVERY_MS: u64 = 3_000;
const IDLE_PANELS: usize = 15;
/// GHL's answers take this long (as the other panel figures are measured at).
const LATENCY_MS: u64 = 200;

type BenchCore = Core<ReqwestTransport, &'static MemoryStore, TokioClock>;

async fn send(core: &BenchCore, message: Value, sender: &str) -> Value {
    serde_json::from_str(&core.dispatch(&message.to_string(), sender).await.expect("answered")).unwrap()
}

/// One panel load of Jane's record, in milliseconds.
async fn panel_load(core: &BenchCore) -> f64 {
    let started = TokioClock.now_ms();
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"});
    send(core, json!({"type": "panel.load", "record": record}), &content_script_sender("app.commusoft.co.uk")).await;
    (TokioClock.now_ms() - started) as f64
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if asked_for_a_list() {
        return;
    }
    let (sandbox, generated) = sandbox_with_generated(MAX, INTERVAL_MS, RECORDS).await;
    sandbox.state().set_faults(&json!({ "latencyMs": LATENCY_MS })).unwrap();

    let store: &'static MemoryStore = Box::leak(Box::new(MemoryStore::new()));
    let core = |store: &'static MemoryStore| Core::new(Platform::new(ReqwestTransport::new(), store, TokioClock), sandbox.http_url());
    let (checker, panels) = (core(store), core(store));
    let settings =
        json!({"type": "settings.save", "settings": {"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": DEMO_TOKEN}}});
    send(&checker, settings, &extension_page_sender()).await;

    // 500 records linked and seen, as the panel leaves them; every tenth shows another mobile than GHL has.
    let now = TokioClock.now_ms();
    let mut index = Vec::new();
    for (n, contact) in generated.iter().enumerate() {
        let (host, id) = ("app.commusoft.co.uk", (10_000 + n).to_string());
        let email = contact["email"].as_str().unwrap();
        let phone = contact["phone"].as_str().unwrap();
        let mobile = if n % 10 == 0 { "+15550000000" } else { phone };
        let contact_id = contact["id"].as_str().unwrap();
        let link = json!({"contactId": contact_id, "matchedBy": "email", "linkedAtMs": now, "evidence": format!("email:{email}"), "locationId": DEMO_LOCATION});
        store.set(&format!("link:{host}:{id}"), link.to_string()).await.unwrap();
        let name = format!("{} {}", contact["firstName"].as_str().unwrap(), contact["lastName"].as_str().unwrap());
        let seen = json!({"kind": "customer", "host": host, "recordId": id, "seenAtMs": now,
            "fields": [["name", name], ["email", email], ["mobile", mobile]],
            "pageUrl": format!("https://{host}/customers/customer_list/{id}/view_v2/property/view")});
        store.set(&format!("seen:{host}:{id}"), seen.to_string()).await.unwrap();
        index.push(json!({"host": host, "recordId": id, "contactId": contact_id, "matchedBy": "email", "viewedAtMs": now, "locationId": DEMO_LOCATION}));
    }
    store.set("linked.index", json!({ "records": index }).to_string()).await.unwrap();

    // Idle: panel time-to-data with nothing else running (the first load links Jane; not counted).
    panel_load(&panels).await;
    let mut idle = Vec::new();
    for _ in 0..IDLE_PANELS {
        idle.push(panel_load(&panels).await);
        TokioClock.sleep(300).await;
    }
    // Let the idle loads leave GHL's window before the check starts.
    TokioClock.sleep(INTERVAL_MS).await;

    sandbox.state().clear_log();
    let running = Cell::new(true);
    let started = TokioClock.now_ms();
    let check = async {
        let page = extension_page_sender();
        let mut progress = send(&checker, json!({"type": "dataCheck.start"}), &page).await;
        while progress["state"] == "running" {
            progress = match checker.dispatch(&json!({"type": "dataCheck.step"}).to_string(), &page).await {
                Ok(answer) => serde_json::from_str(&answer).unwrap(),
                Err(error) => {
                    eprintln!("step: {}", error.message);
                    send(&checker, json!({"type": "dataCheck.status"}), &page).await
                }
            };
        }
        running.set(false);
        progress
    };
    let agent = async {
        let mut during = Vec::new();
        while running.get() {
            TokioClock.sleep(PANEL_EVERY_MS).await;
            if running.get() {
                during.push(panel_load(&panels).await);
            }
        }
        during
    };
    let (progress, during) = tokio::join!(check, agent);
    let elapsed_s = (TokioClock.now_ms() - started) as f64 / 1000.0;
    let log = sandbox.state().log(0);
    let too_many = log.iter().filter(|entry| entry["status"].as_u64() == Some(429)).count();
    let check_requests = progress["requests"].as_u64().unwrap();
    let allowed = f64::from(MAX) / (INTERVAL_MS as f64 / 1000.0) * elapsed_s;
    let (idle_ms, during_ms) = (median(idle.clone()), median(during.clone()));
    let findings = send(&checker, json!({"type": "dataCheck.report"}), &extension_page_sender()).await;
    let disagree = findings.as_array().unwrap().len();

    println!(
        "data check of {RECORDS} linked records, sandbox enforcing {MAX} / {} s at {LATENCY_MS} ms latency, an agent opening a panel every {} s",
        INTERVAL_MS / 1000,
        PANEL_EVERY_MS / 1000
    );
    println!(
        "  state {}, checked {} of {}, {} records with something to look at",
        progress["state"], progress["done"], progress["total"], disagree
    );
    println!(
        "  wall time {elapsed_s:.1} s; the check's requests {check_requests} = {:.1} % of the rate allowed over that time (its cap {} %); all requests {}; 429s {too_many} (goal 0)",
        100.0 * check_requests as f64 / allowed,
        progress["rateSharePercent"],
        log.len()
    );
    println!(
        "  panel time-to-data: idle median {idle_ms:.1} ms ({} loads), during the check median {during_ms:.1} ms ({} loads) = {:+.1} % (goal within 20 %)",
        idle.len(),
        during.len(),
        100.0 * (during_ms - idle_ms) / idle_ms
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let json = json!({
        "records": RECORDS, "seconds": elapsed_s, "checkRequests": check_requests, "allRequests": log.len(),
        "rateSharePercent": 100.0 * check_requests as f64 / allowed, "tooManyRequests": too_many,
        "panelIdleMs": idle, "panelDuringMs": during, "recordsWithProblems": disagree,
    });
    std::fs::write(dir.join("data-check.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
}
