//! Background sync of linked contacts: most recently viewed first, within a request budget, resumable.

use crate::support::*;
use ghl_bridge::app::Core;
use ghl_bridge::platform::store::MemoryStore;
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";

fn record(id: &str, email: &str) -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": id, "email": email})
}

async fn setup() -> (ghl_sandbox::Sandbox, &'static MemoryStore, Core<ReqwestTransport, &'static MemoryStore, TokioClock>) {
    let sandbox = sandbox().await;
    let store: &'static MemoryStore = Box::leak(Box::new(MemoryStore::new()));
    let core =
        Core::new(ghl_bridge::ghl::Platform::new(ReqwestTransport::new(), store, TokioClock).with_retry(FAST_RETRY), sandbox.http_url());
    let settings =
        json!({"type": "settings.save", "settings": {"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": DEMO_TOKEN}}});
    core.dispatch(&settings.to_string(), &extension_page_sender()).await.unwrap();
    for (id, email) in [("42", "jane.doe@example.com"), ("43", "robert.smith@example.com"), ("44", "priya.patel@example.com")] {
        let message = json!({"type": "panel.load", "record": record(id, email)});
        core.dispatch(&message.to_string(), &content_script_sender("app.commusoft.co.uk")).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await; // distinct "viewed at" times
    }
    (sandbox, store, core)
}

/// One background run with `budget` requests (a fresh worker each time: only storage carries over).
async fn refresh_with(
    store: &'static MemoryStore,
    base_url: String,
    budget: u64,
    round_gap_ms: u64,
) -> ghl_bridge::features::background_refresh::RefreshReport {
    let settings = ghl_bridge::features::settings::Settings::require(&store).await.unwrap();
    let platform = Box::leak(Box::new(ghl_bridge::ghl::Platform::new(ReqwestTransport::new(), store, TokioClock)));
    let config =
        ghl_bridge::ghl::ClientConfig { base_url, location_id: settings.location_id.clone(), credential: settings.auth.credential() };
    let locks = Box::leak(Box::default());
    let cx = ghl_bridge::outbox::Ctx { client: ghl_bridge::ghl::GhlClient::new(platform, config), locks };
    ghl_bridge::features::background_refresh::refresh(&cx, budget, round_gap_ms).await.unwrap()
}

fn cached(store: &MemoryStore, id: &str) -> Value {
    serde_json::from_str(&store.snapshot()[&format!("view:app.commusoft.co.uk:{id}")]).unwrap()
}

fn contacts_read(sandbox: &ghl_sandbox::Sandbox, since: usize) -> Vec<String> {
    sandbox
        .state()
        .log(0)
        .into_iter()
        .skip(since)
        .filter(|e| e["method"] == "GET" && e["path"].as_str().unwrap().matches('/').count() == 2)
        .map(|e| e["path"].as_str().unwrap().trim_start_matches("/contacts/").to_owned())
        .collect()
}

#[tokio::test]
async fn a_run_refreshes_saved_views_most_recently_viewed_first_within_its_budget_and_resumes() {
    let (sandbox, store, core) = setup().await;
    // Something changed in GHL since Jane's panel was drawn.
    let note = json!({"body": "Added in GHL by a colleague"}).to_string();
    reqwest::Client::new()
        .post(format!("{}/contacts/{JANE}/notes", sandbox.http_url()))
        .header("Authorization", format!("Bearer {DEMO_TOKEN}"))
        .header("Version", "2021-07-28")
        .header("Content-Type", "application/json")
        .body(note)
        .send()
        .await
        .unwrap();
    assert!(!cached(store, "42").to_string().contains("Added in GHL by a colleague"));

    let url = sandbox.http_url();
    // A cadence of a minute: the test's rounds all fall in one.
    let platform_client = |budget: u64| refresh_with(store, url.clone(), budget, 60_000);
    // Room for one contact per run: Priya (viewed last) first, then Robert, then Jane.
    let before = sandbox.state().log(0).len();
    let first = platform_client(5).await;
    assert_eq!((first.refreshed, first.remaining), (1, 2), "{first:?}");
    assert!(first.requests <= 5);
    let second = platform_client(5).await;
    assert_eq!((second.refreshed, second.remaining), (1, 1));
    let third = platform_client(5).await;
    assert_eq!((third.refreshed, third.remaining), (1, 0));
    let order = contacts_read(&sandbox, before);
    assert_eq!(order, ["DemoContactPriya001", "DemoContactRobert01", JANE], "most recently viewed first");
    assert!(cached(store, "42").to_string().contains("Added in GHL by a colleague"), "the saved view is fresh");

    // Everyone was refreshed this cadence: the next run waits for the next cadence instead of starting over.
    let before = sandbox.state().log(0).len();
    let same_cadence = platform_client(1_000).await;
    assert_eq!(same_cadence.refreshed, 0);
    assert_eq!(sandbox.state().log(0).len(), before, "no request");
    // The next cadence starts again from the most recently viewed.
    let next = refresh_with(store, url.clone(), 1_000, 0).await;
    assert_eq!((next.refreshed, next.remaining), (3, 0));

    // The alarm runs it with the preferences' budget (15-minute cadence: this round is already done).
    let report: Value = serde_json::from_str(&core.on_alarm(ghl_bridge::features::background_refresh::ALARM).await.unwrap()).unwrap();
    assert_eq!(report["refreshed"]["refreshed"], 0, "{report}");
    // 10 % of the daily quota over 96 runs, scaled by the share GHL says is left (a few requests were spent).
    let budget = report["refreshed"]["budget"].as_u64().unwrap();
    assert!((150..=200_000 / 10 / 96).contains(&budget), "{budget}");
}

#[tokio::test]
async fn only_recently_viewed_contacts_are_kept_fresh() {
    let (sandbox, store, _core) = setup().await;
    // Jane (record 42) was last viewed three weeks ago.
    let mut index: Value = serde_json::from_str(&store.snapshot()["linked.index"]).unwrap();
    for linked in index["records"].as_array_mut().unwrap() {
        if linked["recordId"] == "42" {
            linked["viewedAtMs"] = json!(1_000);
        }
    }
    ghl_bridge::platform::store::Store::set(&store, "linked.index", index.to_string()).await.unwrap();
    let before = sandbox.state().log(0).len();
    let report = refresh_with(store, sandbox.http_url(), 1_000, 0).await;
    assert_eq!(report.refreshed, 2);
    assert!(!contacts_read(&sandbox, before).contains(&JANE.to_owned()));
}

#[tokio::test]
async fn a_contact_deleted_in_ghl_is_unlinked_by_the_run() {
    let (sandbox, store, core) = setup().await;
    reqwest::Client::new()
        .delete(format!("{}/contacts/{JANE}", sandbox.http_url()))
        .header("Authorization", format!("Bearer {DEMO_TOKEN}"))
        .header("Version", "2021-07-28")
        .send()
        .await
        .unwrap();
    let report: Value = serde_json::from_str(&core.on_alarm(ghl_bridge::features::background_refresh::ALARM).await.unwrap()).unwrap();
    assert_eq!((report["refreshed"]["refreshed"].as_u64(), report["refreshed"]["failed"].as_u64()), (Some(2), Some(1)));
    assert!(!store.snapshot().contains_key("link:app.commusoft.co.uk:42"));
    assert!(!store.snapshot().contains_key("view:app.commusoft.co.uk:42"));
}

#[tokio::test]
async fn background_sync_off_reads_nothing() {
    let (sandbox, _store, core) = setup().await;
    let off = json!({"type": "preferences.save", "preferences": {"syncEnabled": false}});
    core.dispatch(&off.to_string(), &extension_page_sender()).await.unwrap();
    let before = sandbox.state().log(0).len();
    let report: Value = serde_json::from_str(&core.on_alarm(ghl_bridge::features::background_refresh::ALARM).await.unwrap()).unwrap();
    assert_eq!(report["refreshed"]["refreshed"], 0);
    let sync_alarm =
        report["alarms"].as_array().unwrap().iter().find(|a| a["name"] == ghl_bridge::features::background_refresh::ALARM).unwrap();
    assert_eq!(sync_alarm["periodInMinutes"], Value::Null, "the worker clears the background alarm");
    assert_eq!(sandbox.state().log(0).len(), before);
}
