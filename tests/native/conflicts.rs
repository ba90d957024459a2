//! Conflicts: GHL changed or deleted a note or task after the agent opened it. Nothing is overwritten or
//! resurrected silently; the agent keeps theirs, keeps GHL's, merges (notes) or sends it again.

use crate::support::*;
use ghl_bridge::ErrorCode;
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"})
}

async fn ghl(fixture: &CoreFixture, method: reqwest::Method, path: &str, body: Option<Value>) {
    fixture.ghl(method, path, body).await;
}

/// Jane's panel loaded; the id and text of her first note as shown.
async fn open_jane(fixture: &CoreFixture) -> (String, Value) {
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    (view["notes"][0]["id"].as_str().unwrap().to_owned(), view)
}

fn note_body(fixture: &CoreFixture, id: &str) -> Option<String> {
    fixture.stored("notes").into_iter().find(|n| n["id"] == id).map(|n| n["body"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_note_changed_in_ghl_is_not_overwritten_and_can_be_merged() {
    let fixture = CoreFixture::configured().await;
    let (id, _) = open_jane(&fixture).await;
    ghl(&fixture, reqwest::Method::PUT, &format!("/contacts/{JANE}/notes/{id}"), Some(json!({"body": "GHL: customer called back"}))).await;
    let error = fixture
        .send(json!({"type": "note.update", "record": jane(), "noteId": id, "body": "Mine: visit booked", "editId": "e1"}))
        .await
        .unwrap_err();
    assert_eq!((error.code, error.queued), (ErrorCode::Conflict, false));
    assert_eq!(note_body(&fixture, &id).as_deref(), Some("GHL: customer called back"), "GHL's change is not overwritten");
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let failure = &view["outbox"][0]["failure"];
    assert_eq!((failure["code"].as_str(), failure["theirs"]["body"].as_str()), (Some("conflict"), Some("GHL: customer called back")));
    assert_eq!(view["outbox"][0]["body"], "Mine: visit booked");

    let after = fixture.send(json!({"type": "outbox.resolve", "record": jane(), "itemId": "e1", "choice": "merge"})).await.unwrap();
    assert_eq!(note_body(&fixture, &id).as_deref(), Some("GHL: customer called back\n\nMine: visit booked"));
    assert_eq!(after["outbox"], json!([]));
}

#[tokio::test]
async fn keep_mine_and_keep_ghls() {
    let fixture = CoreFixture::configured().await;
    let (id, _) = open_jane(&fixture).await;
    ghl(&fixture, reqwest::Method::PUT, &format!("/contacts/{JANE}/notes/{id}"), Some(json!({"body": "GHL v2"}))).await;
    fixture.send(json!({"type": "note.update", "record": jane(), "noteId": id, "body": "Mine v2", "editId": "m"})).await.unwrap_err();
    fixture.send(json!({"type": "outbox.resolve", "record": jane(), "itemId": "m", "choice": "mine"})).await.unwrap();
    assert_eq!(note_body(&fixture, &id).as_deref(), Some("Mine v2"));

    let (id, _) = open_jane(&fixture).await;
    ghl(&fixture, reqwest::Method::PUT, &format!("/contacts/{JANE}/notes/{id}"), Some(json!({"body": "GHL v3"}))).await;
    fixture.send(json!({"type": "note.update", "record": jane(), "noteId": id, "body": "Mine v3", "editId": "t"})).await.unwrap_err();
    let view = fixture.send(json!({"type": "outbox.resolve", "record": jane(), "itemId": "t", "choice": "theirs"})).await.unwrap();
    assert_eq!(note_body(&fixture, &id).as_deref(), Some("GHL v3"));
    assert_eq!(view["outbox"], json!([]));
}

#[tokio::test]
async fn a_note_deleted_in_ghl_while_edited_is_neither_resurrected_nor_dropped_silently() {
    let fixture = CoreFixture::configured().await;
    let (id, _) = open_jane(&fixture).await;
    ghl(&fixture, reqwest::Method::DELETE, &format!("/contacts/{JANE}/notes/{id}"), None).await;
    let error = fixture
        .send(json!({"type": "note.update", "record": jane(), "noteId": id, "body": "Still needed", "editId": "d"}))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Conflict);
    assert!(error.message.contains("deleted in GHL"), "{}", error.message);
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["outbox"][0]["failure"]["deleted"], true);
    assert!(note_body(&fixture, &id).is_none(), "not resurrected on its own");
    fixture.send(json!({"type": "outbox.resolve", "record": jane(), "itemId": "d", "choice": "recreate"})).await.unwrap();
    let again: Vec<Value> = fixture.stored("notes").into_iter().filter(|n| n["body"] == "Still needed").collect();
    assert_eq!(again.len(), 1, "sent again as a new note, once");
}

#[tokio::test]
async fn a_task_changed_in_ghl_is_a_conflict_too_and_unchanged_items_update_directly() {
    let fixture = CoreFixture::configured().await;
    let (_, view) = open_jane(&fixture).await;
    let task = view["tasks"][0]["id"].as_str().unwrap().to_owned();
    // Unchanged in GHL: the update goes straight through.
    fixture.send(json!({"type": "task.update", "record": jane(), "taskId": task, "title": "Renamed by the agent"})).await.unwrap();
    let (_, _) = open_jane(&fixture).await;
    ghl(&fixture, reqwest::Method::PUT, &format!("/contacts/{JANE}/tasks/{task}"), Some(json!({"title": "Renamed in GHL"}))).await;
    let error = fixture
        .send(json!({"type": "task.update", "record": jane(), "taskId": task, "title": "Renamed again", "editId": "k"}))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Conflict);
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["outbox"][0]["failure"]["theirs"]["title"], "Renamed in GHL");
    fixture.send(json!({"type": "outbox.resolve", "record": jane(), "itemId": "k", "choice": "mine"})).await.unwrap();
    let stored = fixture.stored("tasks").into_iter().find(|t| t["id"] == task.as_str()).unwrap();
    assert_eq!(stored["title"], "Renamed again");
}

#[tokio::test]
async fn the_agents_own_edits_are_never_a_conflict() {
    let fixture = CoreFixture::configured().await;
    let (id, _) = open_jane(&fixture).await;
    for text in ["First change", "Second change", "Third change"] {
        fixture.send(json!({"type": "note.update", "record": jane(), "noteId": id, "body": text})).await.unwrap();
    }
    assert_eq!(note_body(&fixture, &id).as_deref(), Some("Third change"));
    let (_, view) = open_jane(&fixture).await;
    let task = view["tasks"][0]["id"].as_str().unwrap().to_owned();
    for title in ["Call back", "Call back on Monday"] {
        fixture.send(json!({"type": "task.update", "record": jane(), "taskId": task, "title": title})).await.unwrap();
    }
}

#[tokio::test]
async fn a_second_edit_queued_behind_the_first_builds_on_it() {
    let fixture = CoreFixture::configured().await;
    let (id, _) = open_jane(&fixture).await;
    fixture.sandbox.state().set_faults(&json!({"statusRates": {"503": 1.0}, "methods": ["PUT"]})).unwrap();
    let first = fixture
        .send(json!({"type": "note.update", "record": jane(), "noteId": id, "body": "Queued one", "editId": "q1"}))
        .await
        .unwrap_err();
    assert!(first.queued);
    fixture.sandbox.state().clear_faults();
    let second = fixture
        .send(json!({"type": "note.update", "record": jane(), "noteId": id, "body": "Queued two", "editId": "q2"}))
        .await
        .unwrap_err();
    assert!(second.queued, "waits behind the first");
    fixture.send(json!({"type": "outbox.retry", "record": jane(), "itemId": "q1"})).await.unwrap();
    assert_eq!(note_body(&fixture, &id).as_deref(), Some("Queued two"), "both applied in order, no conflict with itself");
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["outbox"], json!([]));
}
