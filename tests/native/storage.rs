//! Long-running installs: what is kept per record viewed is bounded, cache writes are best effort, and "Clear
//! cached data" keeps links, the outbox and settings.

use crate::support::{CoreFixture, DEMO_LOCATION};
use ghl_bridge::hosts::{HostRecord, RecordInput};
use ghl_bridge::links::{self, Link, MatchedBy, MAX_LINKED, MAX_SAVED_VIEWS};
use ghl_bridge::platform::lock::AsyncLock;
use ghl_bridge::platform::store::{MemoryStore, Store};
use serde_json::json;

fn record(id: u32) -> HostRecord {
    HostRecord::from_input(RecordInput { host: "app.commusoft.co.uk".into(), record_id: id.to_string(), ..Default::default() }).unwrap()
}

fn link(contact: u32, matched_by: MatchedBy) -> Link {
    Link {
        contact_id: Some(format!("Contact{contact:014}")),
        matched_by,
        business_id: None,
        linked_at_ms: 0,
        evidence: None,
        location_id: None,
    }
}

#[tokio::test]
async fn ten_thousand_records_viewed_stay_within_five_megabytes_and_keep_manual_links() {
    let store = MemoryStore::new();
    let lock = AsyncLock::default();
    // A view as large as a busy contact's (notes, tasks, appointments): about 6 KB.
    let view = json!({"state": "matched", "notes": "x".repeat(6000)}).to_string();
    for id in 1..=10_000u32 {
        let record = record(id);
        let matched_by = if id <= 20 { MatchedBy::Manual } else { MatchedBy::Email };
        let link = link(id, matched_by);
        links::save(&store, &record, &link).await.unwrap();
        links::remember(&store, &lock, &record, &link, u64::from(id)).await.unwrap();
        links::save_view(&store, &lock, &record, view.clone()).await;
    }
    let snapshot = store.snapshot();
    let bytes: usize = snapshot.iter().map(|(key, value)| key.len() + value.len()).sum();
    let views = snapshot.keys().filter(|key| key.starts_with("view:")).count();
    let links_kept = snapshot.keys().filter(|key| key.starts_with("link:")).count();
    println!("10,000 records viewed: {bytes} bytes, {views} saved views, {links_kept} links");
    assert!(bytes <= 5 * 1024 * 1024, "{bytes} bytes");
    assert_eq!(views, MAX_SAVED_VIEWS);
    assert!(links_kept <= MAX_LINKED, "{links_kept}");
    assert_eq!(links::linked_records(&store, DEMO_LOCATION).await.len(), MAX_LINKED);
    // The agent's own links outlive automatic ones; the newest automatic ones are kept too.
    for id in [1, 20, 10_000] {
        assert!(links::find(&store, &record(id), DEMO_LOCATION).await.unwrap().is_some(), "record {id}");
    }
    assert!(links::find(&store, &record(21), DEMO_LOCATION).await.unwrap().is_none(), "the oldest automatic link went");
    assert!(links::cached_view(&store, &record(10_000)).await.unwrap().is_some());
    assert!(links::cached_view(&store, &record(1)).await.unwrap().is_none());
}

/// A store that is full for the keys `.1` picks: writing them fails; reads and other writes work.
struct FullFor(MemoryStore, fn(&str) -> bool);

impl Store for FullFor {
    async fn get(&self, key: &str) -> ghl_bridge::Result<Option<String>> {
        self.0.get(key).await
    }
    async fn set(&self, key: &str, json: String) -> ghl_bridge::Result<()> {
        if (self.1)(key) {
            return Err(ghl_bridge::Error::new(ghl_bridge::ErrorCode::Storage, "QUOTA_BYTES quota exceeded"));
        }
        self.0.set(key, json).await
    }
    async fn remove(&self, key: &str) -> ghl_bridge::Result<()> {
        self.0.remove(key).await
    }
    async fn clear(&self) -> ghl_bridge::Result<()> {
        self.0.clear().await
    }
}

#[tokio::test]
async fn a_full_storage_never_fails_saving_a_view() {
    let store = FullFor(MemoryStore::new(), |_| true);
    // Returns nothing to fail with: the panel that drew the view is shown all the same.
    links::save_view(&store, &AsyncLock::default(), &record(42), "{}".to_owned()).await;
    assert!(links::cached_view(&store, &record(42)).await.unwrap().is_none());
}

#[tokio::test]
async fn clearing_cached_data_keeps_links_and_settings() {
    let fixture = CoreFixture::configured().await;
    let jane = json!({"host": "app.commusoft.co.uk", "recordId": "42", "fields": {"name": "Jane Doe", "email": "jane.doe@example.com"}});
    fixture.send(json!({"type": "panel.load", "record": jane})).await.unwrap();
    assert_ne!(fixture.send(json!({"type": "panel.cached", "record": jane})).await.unwrap(), json!(null));
    let said = fixture.page(json!({"type": "data.clearCache"})).await.unwrap();
    assert_eq!(said, json!("Cleared 1 saved panel view. Links, edits waiting to be sent and settings are kept."));
    assert_eq!(fixture.send(json!({"type": "panel.cached", "record": jane})).await.unwrap(), json!(null));
    // Still linked (no new search) and still connected.
    let before = fixture.api_requests().len();
    let view = fixture.send(json!({"type": "panel.load", "record": jane})).await.unwrap();
    assert_eq!(view["state"], "matched");
    assert!(fixture.api_requests()[before..].iter().all(|r| !r["path"].as_str().unwrap().contains("search")));
    // A content script may not clear anything.
    assert!(fixture.send(json!({"type": "data.clearCache"})).await.is_err());
}

#[tokio::test]
async fn a_log_that_cannot_be_written_never_makes_a_delivered_edit_look_unsent() {
    use crate::support::*;
    let sandbox = sandbox().await;
    let store: &'static FullFor = Box::leak(Box::new(FullFor(MemoryStore::new(), |key| key == ghl_bridge::platform::log::LOG_KEY)));
    let core = ghl_bridge::app::Core::new(
        ghl_bridge::ghl::Platform::new(ReqwestTransport::new(), store, TokioClock).with_retry(FAST_RETRY),
        sandbox.http_url(),
    );
    let settings =
        json!({"type": "settings.save", "settings": {"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": DEMO_TOKEN}}});
    core.dispatch(&settings.to_string(), &extension_page_sender()).await.unwrap();
    let jane = json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"});
    let sender = content_script_sender("app.commusoft.co.uk");
    core.dispatch(&json!({"type": "panel.load", "record": jane}).to_string(), &sender).await.unwrap();
    let note = json!({"type": "note.create", "record": jane, "body": "Logged or not, sent once", "editId": "log-full-1"});
    core.dispatch(&note.to_string(), &sender).await.expect("the edit is delivered and answered as such");
    assert_eq!(store.0.get(ghl_bridge::outbox::OUTBOX_KEY).await.unwrap().as_deref(), Some(r#"{"items":[]}"#), "nothing waits");
    let state = sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let sent = state["notes"].as_array().unwrap().iter().filter(|n| n["body"] == "Logged or not, sent once").count();
    assert_eq!(sent, 1);
}
