//! Notes, tasks, appointments and tags through the client, against the sandbox; every write is checked in
//! the sandbox's own state, not only in the answer.

use crate::support::*;
use ghl_bridge::ghl::requests::{NoteInput, TaskInput};
use ghl_bridge::platform::error::ErrorCode;
use serde_json::Value;

const JANE: &str = "DemoContactJane0001";

fn stored(sandbox: &ghl_sandbox::Sandbox, collection: &str) -> Vec<Value> {
    let state = sandbox.state().location_state(DEMO_LOCATION).expect("demo location");
    state[collection].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn reads_the_seeded_notes_tasks_and_appointments() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    let notes = client.list_notes(JANE).await.unwrap();
    assert_eq!(notes.len(), 3);
    assert!(notes.iter().any(|note| note.pinned == Some(true)));
    let tasks = client.list_tasks(JANE).await.unwrap();
    assert_eq!(tasks.len(), 3);
    assert!(tasks.iter().any(|task| task.completed == Some(true)));
    let appointments = client.list_appointments(JANE).await.unwrap();
    assert_eq!(appointments.len(), 2);
    assert!(appointments.iter().all(|a| a.start_time.as_deref().is_some_and(|t| t.len() == 19)), "{appointments:?}");
    let first = notes[0].id.clone().unwrap();
    assert_eq!(client.get_note(JANE, &first).await.unwrap().id.as_deref(), Some(first.as_str()));
}

#[tokio::test]
async fn note_create_update_delete_land_in_ghl() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    let created = client
        .create_note(
            JANE,
            &NoteInput { body: Some("Boiler serviced <b>today</b>".into()), title: Some("Visit".into()), ..Default::default() },
        )
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    assert!(stored(&sandbox, "notes").iter().any(|n| n["id"] == id.as_str() && n["body"] == "Boiler serviced <b>today</b>"));

    client.update_note(JANE, &id, &NoteInput { body: Some("Boiler serviced, part ordered".into()), ..Default::default() }).await.unwrap();
    assert!(stored(&sandbox, "notes").iter().any(|n| n["id"] == id.as_str() && n["body"] == "Boiler serviced, part ordered"));

    client.delete_note(JANE, &id).await.unwrap();
    assert!(!stored(&sandbox, "notes").iter().any(|n| n["id"] == id.as_str()));
    assert_eq!(client.get_note(JANE, &id).await.unwrap_err().code, ErrorCode::NotFound);
}

#[tokio::test]
async fn task_create_complete_reopen_update_delete_land_in_ghl() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    let input =
        TaskInput { title: Some("Call back about quote".into()), due_date: Some("2026-12-01T09:00:00Z".into()), ..Default::default() };
    let task = client.create_task(JANE, &input).await.unwrap();
    let id = task.id.clone().unwrap();
    assert_eq!(task.completed, Some(false));

    assert_eq!(client.set_task_completed(JANE, &id, true).await.unwrap().completed, Some(true));
    assert!(stored(&sandbox, "tasks").iter().any(|t| t["id"] == id.as_str() && t["completed"] == true));
    assert_eq!(client.set_task_completed(JANE, &id, false).await.unwrap().completed, Some(false));

    let renamed =
        client.update_task(JANE, &id, &TaskInput { title: Some("Call back (urgent)".into()), ..Default::default() }).await.unwrap();
    assert_eq!(renamed.title.as_deref(), Some("Call back (urgent)"));

    client.delete_task(JANE, &id).await.unwrap();
    assert!(!stored(&sandbox, "tasks").iter().any(|t| t["id"] == id.as_str()));
}

#[tokio::test]
async fn invalid_writes_are_refused_before_any_request() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    assert_eq!(client.create_note(JANE, &NoteInput::default()).await.unwrap_err().code, ErrorCode::Validation);
    assert_eq!(
        client.create_task(JANE, &TaskInput { title: Some("x".into()), ..Default::default() }).await.unwrap_err().code,
        ErrorCode::Validation
    );
    assert_eq!(client.add_tags(JANE, &[" ".into()]).await.unwrap_err().code, ErrorCode::Validation);
    assert!(sandbox.state().log(0).is_empty());
}

#[tokio::test]
async fn tags_are_added_and_removed_without_touching_the_others() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    let tags = client.add_tags(JANE, &["annual-service".into()]).await.unwrap();
    assert!(tags.contains(&"annual-service".to_owned()) && tags.contains(&"vip".to_owned()), "{tags:?}");
    let tags = client.remove_tags(JANE, &["annual-service".into()]).await.unwrap();
    assert!(!tags.contains(&"annual-service".to_owned()) && tags.contains(&"vip".to_owned()), "{tags:?}");
    let log = sandbox.state().log(0);
    assert_eq!(log.last().unwrap()["method"], "DELETE");
    assert_eq!(log.last().unwrap()["body"]["tags"][0], "annual-service");
}

#[tokio::test]
async fn ids_cannot_reshape_the_request_path() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    // Refused before any request: only GHL's id alphabet becomes a path segment.
    for id in ["../../locations/SandboxLocation00001", "..", "a b", "x%2F"] {
        let error = client.list_notes(id).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidMessage, "{id}");
    }
    assert!(sandbox.state().log(0).is_empty(), "nothing was sent");
}

#[tokio::test]
async fn reads_the_location_its_users_and_custom_fields() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    let location = client.get_location().await.unwrap();
    assert_eq!((location.id.as_deref(), location.name.as_deref()), (Some(DEMO_LOCATION), Some("Sandbox Heating Ltd")));
    let users = client.list_users().await.unwrap();
    assert!(users.iter().any(|u| u.name.as_deref() == Some("Alex Agent")), "{users:?}");
    let fields = client.list_custom_fields().await.unwrap();
    let names: Vec<_> = fields.iter().filter_map(|f| f.name.as_deref()).collect();
    assert!(names.contains(&"Boiler Model") && names.contains(&"Service Plan"), "{names:?}");
}
