//! An install of the Commusoft-only version (the landed format before host apps) keeps everything after the update:
//! its mapping (moved to the per-app key, in host-neutral words), links, saved views, sent-note records and queued
//! outbox items — and what was queued is sent once, nothing lost, nothing sent twice.

use crate::support::*;
use ghl_bridge::app::Core;
use ghl_bridge::platform::store::{MemoryStore, Store};
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";

/// Storage exactly as the Commusoft-only version wrote it (keys and shapes), with edits still queued.
fn snapshot(now_ms: u64) -> Vec<(&'static str, Value)> {
    vec![
        (
            "mapping",
            json!({"rows": [
                {"commusoft": "firstName", "ghl": "firstName", "direction": "bothCommusoftWins"},
                {"commusoft": "email", "ghl": "email", "direction": "bothCommusoftWins"},
                {"commusoft": "town", "ghl": "city", "direction": "toCommusoft"},
                {"commusoft": "landline", "ghl": "phone", "direction": "off"}
            ]}),
        ),
        ("link:app.commusoft.co.uk:42", json!({"contactId": JANE, "matchedBy": "email", "linkedAtMs": now_ms - 60_000})),
        ("view:app.commusoft.co.uk:42", json!({"state": "matched", "notes": [], "tasks": [], "contact": {"id": JANE, "name": "Jane Doe"}})),
        ("sent:app.commusoft.co.uk:42:9001", json!({"ghlNoteId": "DemoNoteJane00000001", "body": "Customer prefers morning visits."})),
        (
            "linked.index",
            json!({"records": [{"host": "app.commusoft.co.uk", "recordId": "42", "contactId": JANE, "matchedBy": "email", "viewedAtMs": now_ms - 60_000}]}),
        ),
        (
            "outbox",
            json!({"items": [
                {"id": "edit-note-1", "host": "app.commusoft.co.uk", "recordId": "42", "contactId": JANE, "op": "note.create",
                 "body": "Queued before the update", "createdAtMs": now_ms - 30_000, "attempts": 1, "nextAtMs": 0,
                 "failure": {"code": "server_error", "message": "GHL is having trouble (HTTP 503).", "retryable": true}},
                {"id": "sent:app.commusoft.co.uk:42:9002#abc", "host": "app.commusoft.co.uk", "recordId": "42", "contactId": JANE,
                 "op": "note.send", "body": "Boiler quote accepted.", "source": "sent:app.commusoft.co.uk:42:9002",
                 "createdAtMs": now_ms - 20_000, "attempts": 0, "nextAtMs": 0},
                {"id": "edit-sync-1", "host": "app.commusoft.co.uk", "recordId": "42", "contactId": JANE, "op": "contact.update",
                 "fields": [{"field": "city", "label": "Town → City", "value": "Leeds"}], "createdAtMs": now_ms - 10_000,
                 "attempts": 0, "nextAtMs": 0}
            ]}),
        ),
    ]
}

#[tokio::test]
async fn a_commusoft_only_install_keeps_its_data_and_sends_what_was_queued_once() {
    let sandbox = sandbox().await;
    let store: &'static MemoryStore = Box::leak(Box::new(MemoryStore::new()));
    let now = ghl_bridge::platform::clock::Clock::now_ms(&TokioClock);
    for (key, value) in snapshot(now) {
        store.set(key, value.to_string()).await.unwrap();
    }
    let core =
        Core::new(ghl_bridge::ghl::Platform::new(ReqwestTransport::new(), store, TokioClock).with_retry(FAST_RETRY), sandbox.http_url());
    let page = |message: Value| {
        let core = &core;
        async move { serde_json::from_str::<Value>(&core.dispatch(&message.to_string(), &extension_page_sender()).await.unwrap()).unwrap() }
    };
    page(json!({"type": "settings.save", "settings": {"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": DEMO_TOKEN}}})).await;

    // The mapping: the Commusoft app's, in today's words.
    let editor = page(json!({"type": "mapping.get", "app": "commusoft"})).await;
    assert_eq!(editor["rows"][2], json!({"host": "town", "ghl": "city", "direction": "toHost"}));
    assert_eq!(editor["rows"].as_array().unwrap().len(), 4, "the admin's own rows, not the defaults");
    assert!(store.get("mapping").await.unwrap().is_none(), "moved to its per-app key");
    assert!(store.get("mapping:commusoft").await.unwrap().is_some());

    // The saved view draws at once (the queued contact update replaces it once GHL has the fields).
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"});
    let cached = core
        .dispatch(&json!({"type": "panel.cached", "record": record}).to_string(), &content_script_sender("app.commusoft.co.uk"))
        .await
        .unwrap();
    assert!(cached.contains(JANE), "{cached}");

    // What was queued goes out on the next alarm: each edit once.
    let before = sandbox.state().log(0).len();
    let counts: Value = serde_json::from_str(&core.on_alarm(ghl_bridge::outbox::ALARM).await.unwrap()).unwrap();
    assert_eq!((counts["sent"].as_u64(), counts["waiting"].as_u64(), counts["failed"].as_u64()), (Some(3), Some(0), Some(0)), "{counts}");
    let state = sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let notes: Vec<&Value> = state["notes"].as_array().unwrap().iter().filter(|n| n["contactId"] == JANE).collect();
    assert_eq!(notes.iter().filter(|n| n["body"] == "Queued before the update").count(), 1);
    assert_eq!(notes.iter().filter(|n| n["body"] == "Boiler quote accepted.").count(), 1);
    let jane = state["contacts"].as_array().unwrap().iter().find(|c| c["id"] == JANE).unwrap();
    assert_eq!(jane["city"], "Leeds");
    let writes = |since: usize| {
        sandbox.state().log(0).into_iter().skip(since).filter(|e| e["method"] != "GET" && e["path"] != "/contacts/search").count()
    };
    let sent = writes(before);
    core.on_alarm(ghl_bridge::outbox::ALARM).await.unwrap();
    assert_eq!(writes(before), sent, "a second alarm sends nothing again");

    // The link and the sent-note record still serve the record.
    let view: Value = serde_json::from_str(
        &core
            .dispatch(&json!({"type": "panel.load", "record": record}).to_string(), &content_script_sender("app.commusoft.co.uk"))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!((view["contact"]["id"].as_str(), view["matchedBy"].as_str()), (Some(JANE), Some("email")));
    let resend = json!({"type": "note.send", "record": record, "sourceId": "9001", "body": "Customer prefers morning visits."});
    let answer: Value =
        serde_json::from_str(&core.dispatch(&resend.to_string(), &content_script_sender("app.commusoft.co.uk")).await.unwrap()).unwrap();
    assert_eq!(answer["outcome"], "unchanged", "the sent-note record is kept: no second note");
}

#[tokio::test]
async fn credentials_an_earlier_version_kept_in_plain_storage_move_to_the_secret_store_on_first_use() {
    let sandbox = sandbox().await;
    let store: &'static MemoryStore = Box::leak(Box::new(MemoryStore::new()));
    let saved = json!({"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": DEMO_TOKEN}});
    store.set("settings", saved.to_string()).await.unwrap();
    let core =
        Core::new(ghl_bridge::ghl::Platform::new(ReqwestTransport::new(), store, TokioClock).with_retry(FAST_RETRY), sandbox.http_url());

    let record = json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"});
    let view = core
        .dispatch(&json!({"type": "panel.load", "record": record}).to_string(), &content_script_sender("app.commusoft.co.uk"))
        .await
        .unwrap();
    assert!(view.contains(JANE), "the saved connection still works: {view}");

    let keys: Vec<String> = store.snapshot().into_keys().collect();
    assert!(!keys.iter().any(|key| key == "settings"), "the plain copy is gone: {keys:?}");
    let moved: Value = serde_json::from_str(&store.get("secret.settings").await.unwrap().unwrap()).unwrap();
    assert_eq!(moved, saved);
    for (key, json) in store.snapshot() {
        assert!(ghl_bridge::platform::store::is_secret(&key) || !json.contains(DEMO_TOKEN), "{key} holds the token");
    }
}
