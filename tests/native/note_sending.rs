//! "Send to GHL" for notes written in Commusoft, and the follow-up rule, through the native core.

use crate::support::*;
use ghl_bridge::ErrorCode;
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "name": "Mrs Jane Doe", "email": "jane.doe@example.com"})
}

impl CoreFixture {
    async fn linked_jane() -> Self {
        let fixture = Self::configured().await;
        fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
        fixture
    }

    async fn send_note(&self, source: &str, body: &str) -> Result<Value, ghl_bridge::Error> {
        self.send(json!({"type": "note.send", "record": jane(), "sourceId": source, "body": body})).await
    }

    fn janes(&self, collection: &str) -> Vec<Value> {
        self.stored(collection).into_iter().filter(|item| item["contactId"] == JANE).collect()
    }

    async fn preferences(&self, preferences: Value) {
        let message = json!({"type": "preferences.save", "preferences": preferences});
        self.core.dispatch(&message.to_string(), &extension_page_sender()).await.unwrap();
    }
}

#[tokio::test]
async fn a_note_sent_twice_is_one_ghl_note_and_an_edit_updates_it() {
    let fixture = CoreFixture::linked_jane().await;
    let notes_before = fixture.janes("notes").len();
    let first = fixture.send_note("cs-note-1", "Boiler making a noise; engineer booked.").await.unwrap();
    assert_eq!(first["outcome"], "created");
    let again = fixture.send_note("cs-note-1", "Boiler making a noise; engineer booked.").await.unwrap();
    assert_eq!(again["outcome"], "unchanged");
    assert_eq!(again["ghlNoteId"], first["ghlNoteId"]);
    assert_eq!(fixture.janes("notes").len(), notes_before + 1, "one GHL note");

    let edited = fixture.send_note("cs-note-1", "Boiler making a noise; engineer booked for Tuesday.").await.unwrap();
    assert_eq!((edited["outcome"].as_str(), &edited["ghlNoteId"]), (Some("updated"), &first["ghlNoteId"]));
    let notes = fixture.janes("notes");
    assert_eq!(notes.len(), notes_before + 1);
    assert!(notes.iter().any(|n| n["id"] == first["ghlNoteId"] && n["body"] == "Boiler making a noise; engineer booked for Tuesday."));

    let other = fixture.send_note("cs-note-2", "Second note").await.unwrap();
    assert_ne!(other["ghlNoteId"], first["ghlNoteId"], "another Commusoft note is another GHL note");
    // The records are bounded: each is listed, most recently sent last (the least recent go beyond the cap).
    use ghl_bridge::platform::store::Store;
    let index = fixture.core.store().get("sent.index").await.unwrap().expect("an index of sent notes");
    assert!(index.contains("sent:app.commusoft.co.uk:42:cs-note-1") && index.ends_with(r#"cs-note-2"]}"#), "{index}");
}

#[tokio::test]
async fn the_follow_up_rule_adds_exactly_one_task_per_version_sent() {
    let fixture = CoreFixture::linked_jane().await;
    fixture.preferences(json!({"followUp": {"enabled": true, "title": "Call the customer back", "dueInDays": 2}})).await;
    let tasks_before = fixture.janes("tasks").len();
    let sent = fixture.send_note("cs-note-7", "Quote sent for a new boiler.").await.unwrap();
    assert_eq!(sent["message"], "Sent to GHL as a new note, with a follow-up task.");
    fixture.send_note("cs-note-7", "Quote sent for a new boiler.").await.unwrap();
    let tasks = fixture.janes("tasks");
    assert_eq!(tasks.len(), tasks_before + 1, "re-sending the same text adds no task");
    let task = tasks.iter().find(|t| t["id"] == sent["followUpTaskId"]).unwrap();
    assert_eq!(task["title"], "Call the customer back");
    assert!(task["body"].as_str().unwrap().contains("Quote sent for a new boiler."));

    fixture.send_note("cs-note-7", "Quote sent for a new boiler; customer wants a call on Friday.").await.unwrap();
    assert_eq!(fixture.janes("tasks").len(), tasks_before + 2, "an updated note closes its loop again");
}

#[tokio::test]
async fn a_failed_follow_up_is_created_on_the_next_send_without_a_second_note() {
    let fixture = CoreFixture::linked_jane().await;
    fixture.preferences(json!({"followUp": {"enabled": true, "title": "Follow up", "dueInDays": 1}})).await;
    let (notes_before, tasks_before) = (fixture.janes("notes").len(), fixture.janes("tasks").len());
    fixture.sandbox.state().set_faults(&json!({"pathPrefix": "/contacts/DemoContactJane0001/tasks", "methods": ["POST"], "next": [{"status": 422, "body": "{\"statusCode\":422,\"message\":[\"dueDate must be a valid date\"]}"}]})).unwrap();
    let sent = fixture.send_note("cs-note-9", "Gas safety certificate due.").await.unwrap();
    assert_eq!(sent["outcome"], "created");
    assert!(sent["followUpTaskId"].is_null());
    let message = sent["message"].as_str().unwrap();
    assert!(message.contains("GHL refused its follow-up task") && message.contains("dueDate must be a valid date"), "{message}");
    assert_eq!(fixture.janes("notes").len(), notes_before + 1, "the note went");
    let waiting = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let waiting = waiting["outbox"].as_array().unwrap();
    assert_eq!(waiting.len(), 1, "the refused follow-up waits in the panel: {waiting:?}");
    assert_eq!(waiting[0]["op"], "note.followUp");
    let retried = fixture.send_note("cs-note-9", "Gas safety certificate due.").await.unwrap();
    assert_eq!(retried["outcome"], "unchanged");
    assert!(retried["followUpTaskId"].is_string());
    assert_eq!((fixture.janes("notes").len(), fixture.janes("tasks").len()), (notes_before + 1, tasks_before + 1));
}

#[tokio::test]
async fn automatic_sending_follows_the_option() {
    let fixture = CoreFixture::linked_jane().await;
    let before = fixture.janes("notes").len();
    let message = json!({"type": "note.send", "record": jane(), "sourceId": "cs-auto-1", "body": "Typed in Commusoft", "automatic": true});
    assert_eq!(fixture.send(message.clone()).await.unwrap()["outcome"], "skipped");
    assert_eq!(fixture.janes("notes").len(), before);
    fixture.preferences(json!({"sendNewNotes": true})).await;
    assert_eq!(fixture.send(message).await.unwrap()["outcome"], "created");
    assert_eq!(fixture.janes("notes").len(), before + 1);
}

#[tokio::test]
async fn a_note_deleted_in_ghl_comes_back_as_a_new_one() {
    let fixture = CoreFixture::linked_jane().await;
    let first = fixture.send_note("cs-note-3", "Original").await.unwrap();
    let id = first["ghlNoteId"].as_str().unwrap();
    fixture.send(json!({"type": "note.delete", "record": jane(), "noteId": id})).await.unwrap();
    let again = fixture.send_note("cs-note-3", "Original, edited").await.unwrap();
    assert_eq!(again["outcome"], "created");
    assert_ne!(again["ghlNoteId"], first["ghlNoteId"]);
}

#[tokio::test]
async fn unlinked_records_and_bad_input_are_refused() {
    let fixture = CoreFixture::configured().await;
    let error = fixture.send_note("cs-1", "text").await.unwrap_err();
    assert!(error.message.contains("not linked"), "{}", error.message);
    let fixture = CoreFixture::linked_jane().await;
    assert_eq!(fixture.send_note("cs-1", "   ").await.unwrap_err().code, ErrorCode::Validation);
    assert_eq!(fixture.send_note("", "text").await.unwrap_err().code, ErrorCode::InvalidMessage);
    let log = fixture.core.dispatch(&json!({"type": "log.get"}).to_string(), &extension_page_sender()).await.unwrap();
    assert!(!log.contains("note.send"), "refused input sends nothing and logs nothing: {log}");
}

#[tokio::test]
async fn notes_sent_on_their_own_come_at_a_persons_pace() {
    let fixture = CoreFixture::linked_jane().await;
    fixture.preferences(json!({"sendNewNotes": true})).await;
    // A page that plants (or renders late) many notes: a handful go, the rest wait for "Send to GHL".
    let mut sent = 0;
    let mut refused = 0;
    for n in 0..10 {
        let message = json!({"type": "note.send", "record": jane(), "sourceId": format!("planted-{n}"), "body": format!("Planted {n}"), "automatic": true});
        match fixture.send(message).await {
            Ok(_) => sent += 1,
            Err(error) => {
                assert_eq!(error.code, ErrorCode::RateLimited);
                refused += 1;
            }
        }
    }
    assert_eq!((sent, refused), (3, 7));
    assert_eq!(fixture.janes("notes").iter().filter(|n| n["body"].as_str().unwrap_or("").starts_with("Planted")).count(), 3);
    // The agent's own clicks are not limited this way.
    let by_hand = json!({"type": "note.send", "record": jane(), "sourceId": "by-hand", "body": "Written by the agent"});
    fixture.send(by_hand).await.unwrap();
}
