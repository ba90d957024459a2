//! The client when GHL misbehaves: rate-limit storms, unclear creates, hostile bodies. Every outcome is checked
//! in the sandbox's own state and request log.

use crate::support::*;
use futures::future::join_all;
use ghl_bridge::ghl::requests::{ContactFields, NoteInput, TaskInput};
use ghl_bridge::ghl::GhlClient;
use ghl_bridge::platform::error::ErrorCode;
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";

fn stored(sandbox: &ghl_sandbox::Sandbox, collection: &str) -> Vec<Value> {
    let state = sandbox.state().location_state(DEMO_LOCATION).expect("demo location");
    state[collection].as_array().cloned().unwrap_or_default()
}

fn fast_client(sandbox: &ghl_sandbox::Sandbox) -> TestClient {
    let platform = Box::leak(Box::new(platform().with_retry(FAST_RETRY)));
    GhlClient::new(platform, pit_config(sandbox, DEMO_TOKEN))
}

fn statuses(sandbox: &ghl_sandbox::Sandbox) -> Vec<u64> {
    sandbox.state().log(0).iter().filter_map(|entry| entry["status"].as_u64()).collect()
}

#[tokio::test]
async fn a_429_storm_is_waited_out_and_no_call_fails() {
    let sandbox = sandbox().await;
    // A small window so the storm passes in seconds; the client starts out assuming GHL's 100 / 10 s.
    sandbox.state().set_rate_limit(10, 1_000, 200_000);
    let client = fast_client(&sandbox);
    let calls = (0..40).map(|_| client.get_contact(JANE));
    let results = join_all(calls).await;
    let failed: Vec<_> = results.iter().filter_map(|result| result.as_ref().err()).collect();
    assert!(failed.is_empty(), "every call recovers: {failed:?}");
    let statuses = statuses(&sandbox);
    let refused = statuses.iter().filter(|&&status| status == 429).count();
    assert!(refused > 0, "the first burst overran the real limit");
    assert_eq!(statuses.iter().filter(|&&status| status == 200).count(), 40);
    // Once the headers taught it the real limit, the client stopped overrunning it.
    let last_429 = statuses.iter().rposition(|&status| status == 429).unwrap();
    assert!(last_429 < 40, "429s only in the first burst, not after adapting: last at {last_429} of {}", statuses.len());
}

#[tokio::test]
async fn injected_429s_are_retried_even_for_creates() {
    let sandbox = sandbox().await;
    sandbox.state().set_rate_limit(100, 500, 200_000);
    sandbox.state().set_faults(&json!({"statusRates": {"429": 0.3}, "seed": 7})).unwrap();
    let client = fast_client(&sandbox);
    let before = stored(&sandbox, "notes").len();
    for i in 0..15 {
        let note = NoteInput { body: Some(format!("storm note {i}")), ..NoteInput::default() };
        client.create_note(JANE, &note).await.expect("a refused create is safe to repeat");
    }
    assert_eq!(stored(&sandbox, "notes").len(), before + 15, "each note once");
    assert!(statuses(&sandbox).contains(&429));
}

#[tokio::test]
async fn the_daily_limit_stops_with_a_clear_error() {
    let sandbox = sandbox().await;
    sandbox.state().set_rate_limit(100, 10_000, 2);
    let client = fast_client(&sandbox);
    client.get_contact(JANE).await.unwrap();
    // The second answer says the daily budget is now used up: the client stops without asking again.
    client.get_contact(JANE).await.unwrap();
    let error = client.get_contact(JANE).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::DailyLimit);
    assert!(error.message.contains("daily request limit"), "{}", error.message);
    assert!(!error.retryable || error.retry_after_ms.is_some());
    assert_eq!(statuses(&sandbox), [200, 200], "no request was sent into a spent budget");
}

#[tokio::test]
async fn a_note_created_but_answered_by_a_dropped_connection_exists_once() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let before = stored(&sandbox, "notes").len();
    sandbox.state().set_faults(&json!({"next": [{"drop": true}], "methods": ["POST"]})).unwrap();
    let note = NoteInput { body: Some("Boiler serviced, next visit in May".into()), ..NoteInput::default() };
    let created = client.create_note(JANE, &note).await.expect("the landed note is found");
    assert_eq!(created.body.as_deref(), note.body.as_deref());
    let notes = stored(&sandbox, "notes");
    assert_eq!(notes.len(), before + 1, "exactly one note");
    assert_eq!(notes.iter().filter(|n| n["body"] == "Boiler serviced, next visit in May").count(), 1);
}

#[tokio::test]
async fn a_task_and_a_contact_created_but_answered_unreadably_exist_once() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let tasks_before = stored(&sandbox, "tasks").len();
    sandbox.state().set_faults(&json!({"next": [{"malformed": true}], "methods": ["POST"]})).unwrap();
    let task = TaskInput {
        title: Some("Call back about the quote".into()),
        due_date: Some("2026-12-01T09:00:00Z".into()),
        ..TaskInput::default()
    };
    let created = client.create_task(JANE, &task).await.expect("the landed task is found");
    assert_eq!(created.title.as_deref(), Some("Call back about the quote"));
    assert_eq!(stored(&sandbox, "tasks").len(), tasks_before + 1, "exactly one task");

    let contacts_before = stored(&sandbox, "contacts").len();
    sandbox.state().set_faults(&json!({"next": [{"drop": true}], "methods": ["POST"]})).unwrap();
    let fields = ContactFields {
        first_name: Some("Olive".into()),
        last_name: Some("Okafor".into()),
        email: Some("olive.okafor@example.com".into()),
        ..ContactFields::default()
    };
    let contact = client.create_contact(&fields, None).await.expect("the landed contact is found");
    assert_eq!(contact.email.as_deref(), Some("olive.okafor@example.com"));
    assert_eq!(stored(&sandbox, "contacts").len(), contacts_before + 1, "exactly one contact");
}

#[tokio::test]
async fn a_create_that_did_not_land_is_sent_again_once() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let before = stored(&sandbox, "notes").len();
    // 503 before acting: the note is not there, so the client sends it again.
    sandbox.state().set_faults(&json!({"next": [{"status": 503}], "methods": ["POST"]})).unwrap();
    let note = NoteInput { body: Some("Sent after a 503".into()), ..NoteInput::default() };
    client.create_note(JANE, &note).await.unwrap();
    assert_eq!(stored(&sandbox, "notes").len(), before + 1);
    let log = sandbox.state().log(0);
    let methods: Vec<&str> = log.iter().filter_map(|e| e["method"].as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "POST", "GET"], "create, look, create again, look for a twin");
}

#[tokio::test]
async fn hostile_bodies_are_typed_errors_not_panics() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let state = sandbox.state();
    let huge_junk = "x".repeat(1024 * 1024);
    let huge_json = format!("{{\"contact\":{{\"id\":\"c1\",\"notes\":\"{}\"}}}}", "y".repeat(9 * 1024 * 1024));
    let cases = [
        ("1 MB of junk", json!({"status": 200, "body": huge_junk})),
        ("9 MB of JSON", json!({"status": 200, "body": huge_json})),
        ("malformed", json!({"malformed": true})),
        ("wrong types", json!({"status": 200, "body": "{\"contact\":{\"id\":42,\"tags\":\"vip\"}}"})),
        ("missing record", json!({"status": 200, "body": "{\"traceId\":\"t\"}"})),
        ("not an object", json!({"status": 200, "body": "[]"})),
    ];
    for (name, fault) in cases {
        state.set_faults(&json!({"next": [fault]})).unwrap();
        let error = client.get_contact(JANE).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::BadResponse, "{name}: {error:?}");
        assert!(error.message.len() < 600, "{name}: the message stays readable");
    }
    state.clear_faults();
    assert!(client.get_contact(JANE).await.is_ok());
}

#[tokio::test]
async fn an_oversized_answer_is_refused_declared_or_streaming_and_not_asked_again() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let state = sandbox.state();
    for declared in [true, false] {
        let before = state.log(0).len();
        state.set_faults(&json!({"next": [{"oversizeBytes": 64 * 1024 * 1024, "declared": declared}]})).unwrap();
        let error = client.get_contact(JANE).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::BadResponse, "declared {declared}: {error:?}");
        assert!(error.message.contains("larger than 8192 KB"), "{}", error.message);
        assert_eq!(state.log(0).len() - before, 1, "a too-large answer is not asked for again");
    }
    state.clear_faults();
    assert!(client.get_contact(JANE).await.is_ok());
}

#[tokio::test]
async fn a_422_with_a_thousand_messages_makes_a_short_error_and_a_bounded_log_entry() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let messages: Vec<String> = (0..1000).map(|i| format!("field{i} must be a valid value of its kind")).collect();
    let body = json!({"statusCode": 422, "message": messages, "error": "Unprocessable Entity"}).to_string();
    sandbox.state().set_faults(&json!({"next": [{"status": 422, "body": body}]})).unwrap();
    let error = client.get_contact(JANE).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Validation, "{error:?}");
    assert!(error.message.contains("field0 must be") && error.message.contains("and 995 more"), "{}", error.message);
    assert!(error.message.len() < 1000, "{} chars", error.message.len());

    let entry = ghl_bridge::platform::log::LogEntry::failure("contact.update", Some(JANE), &error);
    assert!(entry.message.chars().count() <= ghl_bridge::platform::log::MAX_MESSAGE_CHARS);
    let noisy = ghl_bridge::platform::error::Error::new(ErrorCode::Validation, "x".repeat(100_000));
    let entry = ghl_bridge::platform::log::LogEntry::failure("contact.update", Some(JANE), &noisy);
    assert!(entry.message.chars().count() <= ghl_bridge::platform::log::MAX_MESSAGE_CHARS + 1, "clipped, with its ellipsis");
}

#[tokio::test]
async fn updates_and_deletes_whose_answer_was_lost_are_repeated_safely() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let note = client.create_note(JANE, &NoteInput { body: Some("first".into()), ..NoteInput::default() }).await.unwrap();
    let id = note.id.unwrap();
    sandbox.state().set_faults(&json!({"next": [{"drop": true}], "methods": ["PUT"]})).unwrap();
    let updated = client.update_note(JANE, &id, &NoteInput { body: Some("second".into()), ..NoteInput::default() }).await;
    assert_eq!(updated.unwrap().body.as_deref(), Some("second"));
    sandbox.state().set_faults(&json!({"next": [{"drop": true}], "methods": ["DELETE"]})).unwrap();
    client.delete_note(JANE, &id).await.expect("the repeated DELETE finds it gone, which is what was asked");
    assert!(!stored(&sandbox, "notes").iter().any(|n| n["id"] == id.as_str()));
    let methods: Vec<String> = sandbox.state().log(0).iter().map(|e| format!("{} {}", e["method"], e["status"])).collect();
    assert!(methods.contains(&"\"DELETE\" 404".to_owned()), "{methods:?}");
}

/// Sends every POST twice, as Chrome does when a reused connection closes before any answer: the first
/// copy's answer is lost, the second's is what the client sees.
struct ResendingTransport(ReqwestTransport);

impl ghl_bridge::platform::http::Transport for ResendingTransport {
    async fn send(
        &self,
        request: ghl_bridge::platform::http::HttpRequest,
    ) -> Result<ghl_bridge::platform::http::HttpResponse, ghl_bridge::platform::http::TransportError> {
        if request.method == ghl_bridge::platform::http::Method::Post {
            let _ = self.0.send(request.clone()).await;
        }
        self.0.send(request).await
    }
}

#[tokio::test]
async fn a_twin_made_by_a_silent_browser_resend_is_removed() {
    let sandbox = sandbox().await;
    let platform = Box::leak(Box::new(ghl_bridge::ghl::Platform::new(
        ResendingTransport(ReqwestTransport::new()),
        ghl_bridge::platform::store::MemoryStore::new(),
        TokioClock,
    )));
    let client = GhlClient::new(&*platform, pit_config(&sandbox, DEMO_TOKEN));
    let notes_before = stored(&sandbox, "notes").len();
    let note = client.create_note(JANE, &NoteInput { body: Some("Only once".into()), ..NoteInput::default() }).await.unwrap();
    let notes = stored(&sandbox, "notes");
    assert_eq!(notes.len(), notes_before + 1, "the twin is gone");
    assert!(notes.iter().any(|n| n["id"] == note.id.as_deref().unwrap()), "the note the client returned is kept");

    let tasks_before = stored(&sandbox, "tasks").len();
    let task = TaskInput { title: Some("Only once".into()), due_date: Some("2026-12-01T09:00:00Z".into()), ..TaskInput::default() };
    client.create_task(JANE, &task).await.unwrap();
    assert_eq!(stored(&sandbox, "tasks").len(), tasks_before + 1);
}

#[tokio::test]
async fn a_twin_check_ghl_cannot_answer_fails_the_create_and_the_resumed_attempt_removes_the_twin() {
    let sandbox = sandbox().await;
    let platform = Box::leak(Box::new(
        ghl_bridge::ghl::Platform::new(
            ResendingTransport(ReqwestTransport::new()),
            ghl_bridge::platform::store::MemoryStore::new(),
            TokioClock,
        )
        .with_retry(FAST_RETRY),
    ));
    let client = GhlClient::new(&*platform, pit_config(&sandbox, DEMO_TOKEN));
    let notes_before = stored(&sandbox, "notes").len();
    let started_ms = ghl_bridge::platform::clock::Clock::now_ms(&TokioClock);
    let note = NoteInput { body: Some("Checked for twins".into()), ..NoteInput::default() };
    // The POST lands twice; GHL then cannot list the notes, so the twin cannot be looked for.
    sandbox
        .state()
        .set_faults(&json!({"statusRates": {"503": 1.0}, "methods": ["GET"], "pathPrefix": "/contacts/DemoContactJane0001/notes"}))
        .unwrap();
    let error = client.create_note_listed(JANE, &note, None).await.unwrap_err();
    assert!(error.retryable, "{error:?}");
    assert_eq!(stored(&sandbox, "notes").len(), notes_before + 2, "the browser's re-send made a twin");

    sandbox.state().clear_faults();
    let posts = |sandbox: &ghl_sandbox::Sandbox| sandbox.state().log(0).iter().filter(|e| e["method"] == "POST").count();
    let posts_before = posts(&sandbox);
    let (kept, listed) = client.create_note_listed(JANE, &note, Some(started_ms)).await.unwrap();
    assert_eq!(posts(&sandbox), posts_before, "resumed: found, not created again");
    let notes = stored(&sandbox, "notes");
    assert_eq!(notes.len(), notes_before + 1, "the twin is gone");
    assert!(notes.iter().any(|n| n["id"] == kept.id.as_deref().unwrap()));
    assert_eq!(listed.unwrap().iter().filter(|n| n.body.as_deref() == Some("Checked for twins")).count(), 1);
}
