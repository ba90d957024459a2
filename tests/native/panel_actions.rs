//! What the agent does in the panel, through the native core as the content script sends it; every change is
//! checked in the sandbox's own state.

use crate::support::*;
use ghl_bridge::platform::error::ErrorCode;
use serde_json::{json, Value};

struct Fixture(CoreFixture);

impl std::ops::Deref for Fixture {
    type Target = CoreFixture;
    fn deref(&self) -> &CoreFixture {
        &self.0
    }
}

impl Fixture {
    async fn new() -> Self {
        Self(CoreFixture::configured().await)
    }

    fn state(&self, collection: &str) -> Vec<Value> {
        self.stored(collection)
    }

    /// The requests that change something, as "METHOD /path".
    fn writes(&self) -> Vec<String> {
        let log = self.api_requests();
        log.iter()
            .filter(|e| e["method"] != "GET" && e["path"] != "/contacts/search")
            .map(|e| format!("{} {}", e["method"].as_str().unwrap(), e["path"].as_str().unwrap()))
            .collect()
    }
}

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "name": "Mrs Jane Doe", "email": "jane.doe@example.com"})
}

fn tom() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "45", "name": "Mr Tom Newman", "email": "tom.newman@example.com", "mobile": "07700 900789"})
}

fn record_ref(id: &str) -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": id})
}

#[tokio::test]
async fn notes_are_created_edited_and_deleted_in_ghl() {
    let fixture = Fixture::new().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let before = fixture.state("notes").len();
    let notes = fixture.send(json!({"type": "note.create", "record": record_ref("42"), "body": "  Boiler serviced  "})).await.unwrap();
    // The answer is the contact's notes in the panel's order: pinned first, then the new one.
    assert_eq!(notes[0]["pinned"], true);
    assert_eq!(notes[1]["body"], "Boiler serviced");
    let id = notes[1]["id"].as_str().unwrap().to_owned();
    assert_eq!(fixture.state("notes").len(), before + 1);

    let edited = fixture
        .send(json!({"type": "note.update", "record": record_ref("42"), "noteId": id, "body": "Boiler serviced, filter changed"}))
        .await
        .unwrap();
    assert!(edited.as_array().unwrap().iter().any(|n| n["id"] == id.as_str() && n["body"] == "Boiler serviced, filter changed"));
    assert!(fixture.state("notes").iter().any(|n| n["id"] == id.as_str() && n["body"] == "Boiler serviced, filter changed"));

    let left = fixture.send(json!({"type": "note.delete", "record": record_ref("42"), "noteId": id})).await.unwrap();
    assert_eq!(left.as_array().unwrap().len(), before);
    assert!(!fixture.state("notes").iter().any(|n| n["id"] == id.as_str()));
    let empty = fixture.send(json!({"type": "note.create", "record": record_ref("42"), "body": "   "})).await.unwrap_err();
    assert_eq!(empty.code, ErrorCode::Validation);
}

#[tokio::test]
async fn tasks_are_created_completed_reopened_edited_and_deleted_in_ghl() {
    let fixture = Fixture::new().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let tasks = fixture
        .send(json!({"type": "task.create", "record": record_ref("42"), "title": "Call back", "dueDate": "2026-12-01T10:00:00+01:00"}))
        .await
        .unwrap();
    let task = tasks.as_array().unwrap().iter().find(|t| t["title"] == "Call back").expect("listed").clone();
    let id = task["id"].as_str().unwrap().to_owned();
    let stored = fixture.state("tasks").into_iter().find(|t| t["id"] == id.as_str()).unwrap();
    assert!(stored["dueDate"].as_str().unwrap().starts_with("2026-12-01T09:00:00"), "sent as UTC: {stored}");

    let find = |tasks: &Value| tasks.as_array().unwrap().iter().position(|t| t["id"] == id.as_str()).unwrap();
    let done = fixture.send(json!({"type": "task.complete", "record": record_ref("42"), "taskId": id, "completed": true})).await.unwrap();
    assert_eq!(done[find(&done)]["completed"], true);
    let flags: Vec<bool> = done.as_array().unwrap().iter().map(|t| t["completed"] == true).collect();
    assert!(flags.windows(2).all(|pair| pair[0] <= pair[1]), "open tasks first, completed after: {flags:?}");
    let reopened =
        fixture.send(json!({"type": "task.complete", "record": record_ref("42"), "taskId": id, "completed": false})).await.unwrap();
    assert_eq!(reopened[find(&reopened)]["completed"], false);
    fixture
        .send(json!({"type": "task.update", "record": record_ref("42"), "taskId": id, "title": "Call back about the quote"}))
        .await
        .unwrap();
    assert!(fixture
        .state("tasks")
        .iter()
        .any(|t| t["id"] == id.as_str() && t["title"] == "Call back about the quote" && t["completed"] == false));
    fixture.send(json!({"type": "task.delete", "record": record_ref("42"), "taskId": id})).await.unwrap();
    assert!(!fixture.state("tasks").iter().any(|t| t["id"] == id.as_str()));

    let no_zone =
        fixture.send(json!({"type": "task.create", "record": record_ref("42"), "title": "x", "dueDate": "2026-12-01 10:00:00"})).await;
    assert_eq!(no_zone.unwrap_err().code, ErrorCode::Validation, "a due date must say its zone");
}

#[tokio::test]
async fn tags_are_added_and_removed_one_by_one_never_by_rewriting_the_set() {
    let fixture = Fixture::new().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let tags = fixture.send(json!({"type": "tags.add", "record": record_ref("42"), "tags": ["annual-service"]})).await.unwrap();
    assert!(tags.as_array().unwrap().iter().any(|t| t == "annual-service") && tags.as_array().unwrap().iter().any(|t| t == "vip"));
    let tags = fixture.send(json!({"type": "tags.remove", "record": record_ref("42"), "tags": ["vip"]})).await.unwrap();
    assert!(!tags.as_array().unwrap().iter().any(|t| t == "vip"));
    assert_eq!(fixture.writes(), ["POST /contacts/DemoContactJane0001/tags", "DELETE /contacts/DemoContactJane0001/tags"]);
}

#[tokio::test]
async fn edits_reach_only_the_contact_linked_to_the_record() {
    let fixture = Fixture::new().await;
    // Record 45 was never linked: nothing to edit, and nothing is sent to GHL.
    let error = fixture.send(json!({"type": "note.create", "record": record_ref("45"), "body": "hello"})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidMessage);
    assert!(fixture.writes().is_empty());
}

#[tokio::test]
async fn create_in_ghl_makes_one_contact_and_links_it() {
    let fixture = Fixture::new().await;
    let before = fixture.state("contacts").len();
    let view = fixture.send(json!({"type": "contact.create", "record": tom()})).await.unwrap();
    assert_eq!(view["state"], "matched");
    assert_eq!(view["matchedBy"], "created");
    assert_eq!(view["contact"]["name"], "Tom Newman");
    let contacts = fixture.state("contacts");
    assert_eq!(contacts.len(), before + 1);
    assert!(contacts.iter().any(|c| c["email"] == "tom.newman@example.com" && c["phone"] == "+447700900789"));
    // Linked: the next load goes straight to it.
    let again = fixture.send(json!({"type": "panel.load", "record": tom()})).await.unwrap();
    assert_eq!(again["contact"]["id"], view["contact"]["id"]);
    assert_eq!(fixture.state("contacts").len(), before + 1);
}

#[tokio::test]
async fn create_in_ghl_links_the_duplicate_ghl_already_has() {
    let fixture = Fixture::new().await;
    let before = fixture.state("contacts").len();
    // Maria is in GHL with this email; the record was not matched (say it was unlinked), and the agent presses Create.
    let maria = json!({"host": "app.commusoft.co.uk", "recordId": "1001", "name": "Ms Maria Garcia", "email": "maria.garcia@example.com"});
    let view = fixture.send(json!({"type": "contact.create", "record": maria})).await.unwrap();
    assert_eq!(view["contact"]["id"], "DemoContactMaria001");
    assert_eq!(view["matchedBy"], "email");
    assert_eq!(fixture.state("contacts").len(), before, "no duplicate created");
}

#[tokio::test]
async fn link_existing_search_link_and_unlink() {
    let fixture = Fixture::new().await;
    let found = fixture.send(json!({"type": "contact.search", "record": record_ref("45"), "query": "Robert"})).await.unwrap();
    let robert = found.as_array().unwrap().iter().find(|c| c["name"] == "Robert Smith").expect("search finds Robert").clone();
    let view = fixture.send(json!({"type": "link.set", "record": tom(), "contactId": robert["id"]})).await.unwrap();
    assert_eq!(view["matchedBy"], "manual");
    assert_eq!(view["contact"]["name"], "Robert Smith");
    let again = fixture.send(json!({"type": "panel.load", "record": tom()})).await.unwrap();
    assert_eq!(again["contact"]["name"], "Robert Smith", "the manual link wins over matching");

    // Unlinking Jane (matched by email) does not silently match her again: the match is offered instead.
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let unlinked = fixture.send(json!({"type": "link.remove", "record": jane()})).await.unwrap();
    assert_eq!(unlinked["state"], "unmatched");
    assert_eq!(unlinked["unlinked"], true);
    assert_eq!(unlinked["candidates"][0]["id"], "DemoContactJane0001");
    let reload = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(reload["state"], "unmatched");
    let short = fixture.send(json!({"type": "contact.search", "record": record_ref("45"), "query": "R"})).await.unwrap_err();
    assert_eq!(short.code, ErrorCode::Validation);
}

#[tokio::test]
async fn the_cached_view_answers_without_calling_ghl() {
    let fixture = Fixture::new().await;
    assert_eq!(fixture.send(json!({"type": "panel.cached", "record": jane()})).await.unwrap(), Value::Null);
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let requests = fixture.sandbox.state().log(0).len();
    let cached = fixture.send(json!({"type": "panel.cached", "record": jane()})).await.unwrap();
    assert_eq!(cached, view);
    assert_eq!(fixture.sandbox.state().log(0).len(), requests, "no GHL call");
}

#[tokio::test]
async fn a_contact_deleted_in_ghl_is_unlinked_and_matched_again() {
    let fixture = Fixture::new().await;
    let created = fixture.send(json!({"type": "contact.create", "record": tom()})).await.unwrap();
    let id = created["contact"]["id"].as_str().unwrap().to_owned();
    let platform = leaked_platform();
    let client = ghl_bridge::ghl::GhlClient::new(platform, pit_config(&fixture.sandbox, DEMO_TOKEN));
    client.delete_contact(&id).await.unwrap();
    let view = fixture.send(json!({"type": "panel.load", "record": tom()})).await.unwrap();
    assert_eq!(view["state"], "unmatched", "not an error, and not the deleted contact: {view}");
}

#[tokio::test]
async fn ids_from_messages_are_ids_never_paths() {
    let fixture = Fixture::new().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let before = fixture.api_requests().len();
    // `..` would make `DELETE /contacts/{c}/notes/..` the contact itself; `%2F` and `/` other paths.
    for id in ["..", ".", "a/../b", "x%2F..", "note id", "../../locations"] {
        for message in [
            json!({"type": "note.delete", "record": record_ref("42"), "noteId": id}),
            json!({"type": "task.delete", "record": record_ref("42"), "taskId": id}),
            json!({"type": "note.update", "record": record_ref("42"), "noteId": id, "body": "x"}),
        ] {
            let refused = fixture.send(message.clone()).await;
            assert!(refused.is_err(), "{message}");
        }
    }
    let writes: Vec<Value> = fixture.api_requests().into_iter().skip(before).filter(|e| e["method"] != "GET").collect();
    assert!(
        writes.iter().all(|w| w["path"] != "/contacts/DemoContactJane0001/" && w["path"] != "/contacts/DemoContactJane0001"),
        "{writes:?}"
    );
    assert!(fixture.state("contacts").iter().any(|c| c["id"] == "DemoContactJane0001"), "the contact is still there");
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["outbox"], json!([]), "refused before anything was stored");
}

#[tokio::test]
async fn a_tab_searches_at_a_persons_pace_not_a_scripts() {
    let fixture = Fixture::new().await;
    // A page script walking the location two letters at a time.
    let mut refused = None;
    for (n, query) in
        ["aa", "ab", "ac", "ad", "ae", "af", "ag", "ah", "ai", "aj", "ak", "al", "am", "an", "ao", "ap", "aq", "ar", "as", "at", "au", "av"]
            .iter()
            .enumerate()
    {
        if let Err(error) = fixture.send(json!({"type": "contact.search", "record": record_ref("45"), "query": query})).await {
            refused = Some((n, error));
            break;
        }
    }
    let (n, error) = refused.expect("the walk is stopped");
    assert_eq!(n, 20, "twenty searches a minute, then none");
    assert_eq!(error.code, ErrorCode::RateLimited);
    let searches = fixture.api_requests().iter().filter(|e| e["path"] == "/contacts/search").count();
    assert_eq!(searches, 20, "the refused search never reached GHL");
}

#[tokio::test]
async fn a_note_or_task_of_another_contact_cannot_be_edited_from_this_record() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let client = demo_client(&fixture.sandbox);
    let maria = "DemoContactMaria001";
    let note = ghl_bridge::ghl::requests::NoteInput { body: Some("Maria's own note".into()), ..Default::default() };
    let theirs = client.create_note(maria, &note).await.unwrap().id.unwrap();
    let before = fixture.api_requests().iter().filter(|entry| entry["method"] != "GET").count();

    let edits = [
        json!({"type": "note.update", "record": jane(), "noteId": theirs, "body": "Overwritten from Jane's record"}),
        json!({"type": "note.delete", "record": jane(), "noteId": theirs}),
        json!({"type": "task.complete", "record": jane(), "taskId": theirs, "completed": true}),
        json!({"type": "task.delete", "record": jane(), "taskId": theirs}),
    ];
    for edit in edits {
        let error = fixture.send(edit.clone()).await.unwrap_err();
        assert!(matches!(error.code, ErrorCode::InvalidMessage | ErrorCode::NotFound), "{edit}: {error:?}");
    }
    let writes = fixture.api_requests().iter().filter(|entry| entry["method"] != "GET").count();
    assert_eq!(writes, before, "nothing was written to GHL");
    let state = fixture.sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let kept = state["notes"].as_array().unwrap().iter().find(|n| n["id"] == theirs.as_str()).expect("Maria's note is still there");
    assert_eq!(kept["body"], "Maria's own note");
    assert_eq!(fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap()["outbox"], json!([]), "nothing stored to send");
}
