//! Benchmark: background sync of 500 linked contacts against the sandbox enforcing 100 requests / 10 s.
//!
//! Reports the achieved request rate against the allowed one and the 429s (goal ≥ 90 %, 0). Each contact is one
//! parallel round (contact, notes, tasks, appointments). Run: `cargo bench --bench background_refresh` (or
//! `./build.sh bench`); about four minutes. Writes `target/bench/background-refresh.json`.

#[path = "../tests/native/support.rs"]
#[allow(dead_code)]
mod support;

use ghl_bridge::ghl::{ClientConfig, Credential, GhlClient, Platform};
use ghl_bridge::platform::clock::Clock;
use ghl_bridge::platform::store::{MemoryStore, Store};
use support::*;

const CONTACTS: usize = 500;
const MAX: u32 = 100;
const INTERVAL_MS: u64 = 10_000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if asked_for_a_list() {
        return;
    }
    let (sandbox, contacts) = sandbox_with_generated(MAX, INTERVAL_MS, CONTACTS).await;
    let generated: Vec<String> = contacts.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    // 500 records linked to them, as the panel would have left them.
    let store: &'static MemoryStore = Box::leak(Box::new(MemoryStore::new()));
    let records: Vec<serde_json::Value> = generated
        .iter()
        .enumerate()
        .map(|(n, id)| serde_json::json!({"host": "app.commusoft.co.uk", "recordId": (10_000 + n).to_string(), "contactId": id, "matchedBy": "email", "viewedAtMs": n}))
        .collect();
    store.set("linked.index", serde_json::json!({ "records": records }).to_string()).await.unwrap();

    let platform = Box::leak(Box::new(Platform::new(ReqwestTransport::new(), store, TokioClock)));
    let config = ClientConfig {
        base_url: sandbox.http_url(),
        location_id: DEMO_LOCATION.into(),
        credential: Credential::PrivateIntegrationToken(DEMO_TOKEN.into()),
    };
    let locks = Box::leak(Box::default());
    let client = ghl_bridge::outbox::Ctx { client: GhlClient::new(&*platform, config), locks };
    sandbox.state().clear_log();
    let started = TokioClock.now_ms();
    let report = ghl_bridge::features::background_refresh::refresh(&client, u64::MAX, 0).await.unwrap();
    let elapsed_s = (TokioClock.now_ms() - started) as f64 / 1000.0;
    let log = sandbox.state().log(0);
    let too_many = log.iter().filter(|entry| entry["status"].as_u64() == Some(429)).count();
    let achieved = log.len() as f64 / elapsed_s;
    let allowed = f64::from(MAX) / (INTERVAL_MS as f64 / 1000.0);
    println!("background refresh of {CONTACTS} linked contacts, sandbox enforcing {MAX} / {} s", INTERVAL_MS / 1000);
    println!("  refreshed {} (failed {}), {} requests in {elapsed_s:.1} s", report.refreshed, report.failed, log.len());
    println!(
        "  achieved {achieved:.2} requests/s vs {allowed:.2} allowed = {:.1} % (goal ≥ 90 %), 429s: {too_many} (goal 0)",
        100.0 * achieved / allowed
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let json = serde_json::json!({
        "contacts": CONTACTS, "refreshed": report.refreshed, "failed": report.failed, "requests": log.len(),
        "seconds": elapsed_s, "achievedPerSecond": achieved, "allowedPerSecond": allowed, "tooManyRequests": too_many,
    });
    std::fs::write(dir.join("background-refresh.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
}
