//! The outbox: edits are stored before they are sent, kept through GHL failures and a stopped service worker, and
//! reach GHL exactly once.

use crate::support::*;
use ghl_bridge::app::Core;
use ghl_bridge::platform::store::MemoryStore;
use ghl_bridge::ErrorCode;
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"})
}

/// A core over a store that outlives it: a second core on the same store is the service worker started again.
fn core_on(sandbox: &ghl_sandbox::Sandbox, store: &'static MemoryStore) -> Core<ReqwestTransport, &'static MemoryStore, TokioClock> {
    let platform = ghl_bridge::ghl::Platform::new(ReqwestTransport::new(), store, TokioClock).with_retry(FAST_RETRY);
    Core::new(platform, sandbox.http_url())
}

async fn send<S: ghl_bridge::platform::store::Store>(
    core: &Core<ReqwestTransport, S, TokioClock>,
    message: Value,
) -> Result<Value, ghl_bridge::Error> {
    let answer = core.dispatch(&message.to_string(), &content_script_sender("app.commusoft.co.uk")).await?;
    Ok(serde_json::from_str(&answer).unwrap())
}

async fn setup() -> (ghl_sandbox::Sandbox, &'static MemoryStore) {
    let sandbox = sandbox().await;
    let store: &'static MemoryStore = Box::leak(Box::new(MemoryStore::new()));
    let core = core_on(&sandbox, store);
    let settings =
        json!({"type": "settings.save", "settings": {"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": DEMO_TOKEN}}});
    core.dispatch(&settings.to_string(), &extension_page_sender()).await.unwrap();
    send(&core, json!({"type": "panel.load", "record": jane()})).await.unwrap();
    (sandbox, store)
}

fn janes_notes(sandbox: &ghl_sandbox::Sandbox) -> Vec<Value> {
    janes(sandbox, "notes")
}

fn janes(sandbox: &ghl_sandbox::Sandbox, collection: &str) -> Vec<Value> {
    let state = sandbox.state().location_state(DEMO_LOCATION).unwrap();
    state[collection].as_array().unwrap().iter().filter(|item| item["contactId"] == JANE).cloned().collect()
}

fn outbox(store: &MemoryStore) -> Vec<Value> {
    store
        .snapshot()
        .get("outbox")
        .map(|text| serde_json::from_str::<Value>(text).unwrap()["items"].as_array().unwrap().clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_note_ghl_could_not_take_is_kept_and_try_again_sends_it_once() {
    let (sandbox, store) = setup().await;
    let core = core_on(&sandbox, store);
    let before = janes_notes(&sandbox).len();
    sandbox
        .state()
        .set_faults(&json!({"statusRates": {"503": 1.0}, "pathPrefix": "/contacts/DemoContactJane0001/notes", "methods": ["POST"]}))
        .unwrap();
    let note = json!({"type": "note.create", "record": jane(), "body": "Called about the annual service.", "editId": "edit-1"});
    let error = send(&core, note.clone()).await.unwrap_err();
    assert!(error.queued, "{error:?}");
    assert!(error.message.contains("saved on this computer"), "{}", error.message);
    let stored = outbox(store);
    assert_eq!(
        (stored.len(), stored[0]["id"].as_str(), stored[0]["body"].as_str()),
        (1, Some("edit-1"), Some("Called about the annual service."))
    );

    sandbox.state().clear_faults();
    let notes = send(&core, note.clone()).await.unwrap();
    assert!(notes.as_array().unwrap().iter().any(|n| n["body"] == "Called about the annual service."));
    assert_eq!(janes_notes(&sandbox).len(), before + 1, "exactly one note");
    assert!(outbox(store).is_empty());
    send(&core, note).await.unwrap();
    assert_eq!(janes_notes(&sandbox).len(), before + 1, "an edit id already sent is not sent again");
}

#[tokio::test]
async fn a_create_cut_off_by_a_stopped_worker_is_found_not_repeated() {
    let (sandbox, store) = setup().await;
    let before = janes_notes(&sandbox).len();
    {
        let core = core_on(&sandbox, store);
        // GHL stores the note but the answer is lost, and GHL stays unreadable: the outcome is unknown.
        sandbox.state().set_faults(&json!({"next": [{"drop": true}], "statusRates": {"503": 1.0}, "methods": ["GET"], "pathPrefix": "/contacts/DemoContactJane0001/notes"})).unwrap();
        let error = send(&core, json!({"type": "note.create", "record": jane(), "body": "Boiler part ordered.", "editId": "edit-2"}))
            .await
            .unwrap_err();
        assert!(error.queued, "{error:?}");
    } // the worker is stopped
    sandbox.state().clear_faults();
    assert_eq!(janes_notes(&sandbox).len(), before + 1, "GHL has it");
    assert!(outbox(store)[0]["sentAtMs"].is_u64(), "the attempt was recorded before it was sent");

    let restarted = core_on(&sandbox, store);
    let posts_before = sandbox.state().log(0).iter().filter(|e| e["method"] == "POST").count();
    send(&restarted, json!({"type": "outbox.retry", "record": jane(), "itemId": "edit-2"})).await.unwrap();
    let posts_after = sandbox.state().log(0).iter().filter(|e| e["method"] == "POST").count();
    assert_eq!(posts_after, posts_before, "found, not sent again");
    assert_eq!(janes_notes(&sandbox).len(), before + 1);
    assert!(outbox(store).is_empty());
}

#[tokio::test]
async fn edits_of_a_contact_go_in_order_and_a_refused_one_waits_for_the_agent() {
    let (sandbox, store) = setup().await;
    let core = core_on(&sandbox, store);
    // The first edit waits to retry: the next one is stored behind it, not sent ahead of it.
    sandbox
        .state()
        .set_faults(&json!({"statusRates": {"503": 1.0}, "pathPrefix": "/contacts/DemoContactJane0001/notes", "methods": ["POST"]}))
        .unwrap();
    send(&core, json!({"type": "note.create", "record": jane(), "body": "First", "editId": "a"})).await.unwrap_err();
    sandbox.state().clear_faults();
    let second = send(&core, json!({"type": "note.create", "record": jane(), "body": "Second", "editId": "b"})).await.unwrap_err();
    assert!(second.queued && second.message.contains("earlier change"), "{}", second.message);
    assert_eq!(outbox(store).iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>(), ["a", "b"]);
    send(&core, json!({"type": "outbox.retry", "record": jane(), "itemId": "a"})).await.unwrap();
    let bodies: Vec<String> = janes_notes(&sandbox).iter().map(|n| n["body"].as_str().unwrap().to_owned()).collect();
    let (first, then) = (bodies.iter().position(|b| b == "First").unwrap(), bodies.iter().position(|b| b == "Second").unwrap());
    assert!(first < then, "sent in order: {bodies:?}");
    assert!(outbox(store).is_empty());

    // GHL refuses an edit (422): stored as failed, shown in the panel, later edits go on.
    sandbox
        .state()
        .set_faults(&json!({"next": [{"status": 422}], "pathPrefix": "/contacts/DemoContactJane0001/notes", "methods": ["POST"]}))
        .unwrap();
    let error = send(&core, json!({"type": "note.create", "record": jane(), "body": "Refused", "editId": "c"})).await.unwrap_err();
    sandbox.state().clear_faults();
    assert_eq!((error.code, error.queued), (ErrorCode::Validation, false));
    send(&core, json!({"type": "note.create", "record": jane(), "body": "Third", "editId": "d"})).await.unwrap();
    let view = send(&core, json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["outbox"].as_array().unwrap().len(), 1);
    assert_eq!(view["outbox"][0]["failure"]["code"], "validation");
    let after = send(&core, json!({"type": "outbox.discard", "record": jane(), "itemId": "c"})).await.unwrap();
    assert_eq!(after["outbox"], json!([]));
    assert!(outbox(store).is_empty());
}

#[tokio::test]
async fn the_alarm_sends_due_edits_and_reports_counts() {
    let (sandbox, store) = setup().await;
    let core = core_on(&sandbox, store);
    sandbox
        .state()
        .set_faults(&json!({"statusRates": {"503": 1.0}, "pathPrefix": "/contacts/DemoContactJane0001/tags", "methods": ["POST"]}))
        .unwrap();
    send(&core, json!({"type": "tags.add", "record": jane(), "tags": ["callback"], "editId": "t"})).await.unwrap_err();
    sandbox.state().clear_faults();
    let counts: Value = serde_json::from_str(&core.on_alarm(ghl_bridge::outbox::ALARM).await.unwrap()).unwrap();
    assert_eq!(
        [&counts["sent"], &counts["waiting"], &counts["failed"]],
        [&json!(0), &json!(1), &json!(0)],
        "not due yet (it waits before retrying)"
    );
    // Make it due, as time would.
    let mut text: Value = serde_json::from_str(&store.snapshot()["outbox"]).unwrap();
    text["items"][0]["nextAtMs"] = json!(0);
    ghl_bridge::platform::store::Store::set(store, "outbox", text.to_string()).await.unwrap();
    let counts: Value = serde_json::from_str(&core.on_alarm(ghl_bridge::outbox::ALARM).await.unwrap()).unwrap();
    assert_eq!([&counts["sent"], &counts["waiting"], &counts["failed"]], [&json!(1), &json!(0), &json!(0)]);
    let period = |name: &str| counts["alarms"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap()["periodInMinutes"].clone();
    assert_eq!(period(ghl_bridge::features::background_refresh::ALARM), 15, "the background alarm's period, for the worker");
    assert_eq!(period(ghl_bridge::outbox::ALARM), 1, "the outbox alarm, every minute");
    let state = sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let jane_tags = state["contacts"].as_array().unwrap().iter().find(|c| c["id"] == JANE).unwrap()["tags"].clone();
    assert!(jane_tags.as_array().unwrap().contains(&json!("callback")));
}

/// Every stored edit due now, as time would make them.
async fn make_due(store: &MemoryStore) {
    let mut text: Value = serde_json::from_str(&store.snapshot()["outbox"]).unwrap();
    for item in text["items"].as_array_mut().unwrap() {
        item["nextAtMs"] = json!(0);
    }
    ghl_bridge::platform::store::Store::set(store, "outbox", text.to_string()).await.unwrap();
}

#[tokio::test]
async fn a_commusoft_note_cut_off_mid_send_reaches_ghl_once_with_one_follow_up() {
    let (sandbox, store) = setup().await;
    let (notes_before, tasks_before) = (janes_notes(&sandbox).len(), janes(&sandbox, "tasks").len());
    let send_note = json!({"type": "note.send", "record": jane(), "sourceId": "cs-note-77", "body": "Customer asked for a quote."});
    {
        let core = core_on(&sandbox, store);
        let preferences =
            json!({"type": "preferences.save", "preferences": {"followUp": {"enabled": true, "title": "Send the quote", "dueInDays": 1}}});
        core.dispatch(&preferences.to_string(), &extension_page_sender()).await.unwrap();
        // GHL stores the note, the answer is lost, and GHL stays unreadable: the outcome is unknown.
        let faults = json!({"next": [{"drop": true}], "statusRates": {"503": 1.0}, "methods": ["POST", "GET"], "pathPrefix": "/contacts/DemoContactJane0001/notes"});
        sandbox.state().set_faults(&faults).unwrap();
        let error = send(&core, send_note.clone()).await.unwrap_err();
        assert!(error.queued && error.message.contains("saved on this computer"), "{error:?}");
        let ops: Vec<Value> = outbox(store).iter().map(|item| item["op"].clone()).collect();
        assert_eq!(ops, [json!("note.send"), json!("note.followUp")], "the note and its follow-up are stored together");
    } // the worker is stopped
    sandbox.state().clear_faults();
    assert_eq!(janes_notes(&sandbox).len(), notes_before + 1, "GHL has it");

    let restarted = core_on(&sandbox, store);
    make_due(store).await;
    let posts_before =
        sandbox.state().log(0).iter().filter(|e| e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/notes")).count();
    let counts: Value = serde_json::from_str(&restarted.on_alarm(ghl_bridge::outbox::ALARM).await.unwrap()).unwrap();
    assert_eq!([&counts["sent"], &counts["waiting"], &counts["failed"]], [&json!(2), &json!(0), &json!(0)]);
    let posts_after =
        sandbox.state().log(0).iter().filter(|e| e["method"] == "POST" && e["path"].as_str().unwrap().ends_with("/notes")).count();
    assert_eq!(posts_after, posts_before, "found in GHL, not sent again");
    assert_eq!((janes_notes(&sandbox).len(), janes(&sandbox, "tasks").len()), (notes_before + 1, tasks_before + 1));

    // Remembered as sent: the same text again changes nothing, an edit updates the same GHL note.
    let again = send(&restarted, send_note).await.unwrap();
    assert_eq!(again["outcome"], "unchanged");
    assert!(janes_notes(&sandbox).iter().any(|n| n["id"] == again["ghlNoteId"] && n["body"] == "Customer asked for a quote."));
    let edited = send(
        &restarted,
        json!({"type": "note.send", "record": jane(), "sourceId": "cs-note-77", "body": "Customer asked for a quote by Friday."}),
    )
    .await
    .unwrap();
    assert_eq!((edited["outcome"].as_str(), &edited["ghlNoteId"]), (Some("updated"), &again["ghlNoteId"]));
    assert_eq!(janes_notes(&sandbox).len(), notes_before + 1);
}

#[tokio::test]
async fn a_contact_sync_ghl_could_not_take_waits_and_a_newer_sync_replaces_it() {
    let (sandbox, store) = setup().await;
    let core = core_on(&sandbox, store);
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "42", "name": "Mrs Jane Doe", "email": "jane.doe@example.com",
                        "address": "12 Acacia Avenue, London, N1 7AA"});
    sandbox
        .state()
        .set_faults(&json!({"statusRates": {"503": 1.0}, "pathPrefix": "/contacts/DemoContactJane0001", "methods": ["PUT"]}))
        .unwrap();
    let result = send(&core, json!({"type": "contact.sync", "record": record})).await.unwrap();
    assert_eq!(result["ghlWaiting"], true);
    let summary = result["summary"].as_str().unwrap();
    assert!(summary.starts_with("2 field(s) for GHL are waiting") && summary.contains("saved on this computer"), "{summary}");
    let stored = outbox(store);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["op"], "contact.update");
    let fields: Vec<(String, String)> = stored[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap().into(), f["value"].as_str().unwrap().into()))
        .collect();
    assert_eq!(fields, [("city".to_owned(), "London".to_owned()), ("postalCode".to_owned(), "N1 7AA".to_owned())]);
    let view = send(&core, json!({"type": "panel.load", "record": record})).await.unwrap();
    assert_eq!(view["outbox"][0]["op"], "contact.update", "the panel shows it waiting");

    // Clicked again while it waits: the newer plan replaces the stored one.
    send(&core, json!({"type": "contact.sync", "record": record})).await.unwrap();
    let stored = outbox(store);
    assert_eq!(stored.len(), 1, "{stored:?}");

    sandbox.state().clear_faults();
    make_due(store).await;
    let counts: Value = serde_json::from_str(&core.on_alarm(ghl_bridge::outbox::ALARM).await.unwrap()).unwrap();
    assert_eq!(counts["sent"], 1);
    let puts = sandbox.state().log(0).into_iter().filter(|e| e["method"] == "PUT" && e["status"] == 200).count();
    assert_eq!(puts, 1);
    let state = sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let contact = state["contacts"].as_array().unwrap().iter().find(|c| c["id"] == JANE).unwrap().clone();
    assert_eq!((contact["city"].as_str(), contact["postalCode"].as_str()), (Some("London"), Some("N1 7AA")));
    let again = send(&core, json!({"type": "contact.sync", "record": record})).await.unwrap();
    assert_eq!((&again["ghlUpdated"], &again["ghlWaiting"]), (&json!([]), &json!(false)), "GHL has the fields now");
    assert!(outbox(store).is_empty());
}
