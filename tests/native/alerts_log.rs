//! Alert rules and the log viewer's queries, through the native core.

use crate::support::*;
use serde_json::{json, Value};

impl CoreFixture {
    async fn page_ok(&self, message: Value) -> Value {
        self.page(message).await.unwrap()
    }

    async fn alarm(&self) -> Value {
        serde_json::from_str(&self.core.on_alarm("status").await.unwrap()).unwrap()
    }
}

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"})
}

#[tokio::test]
async fn a_rejected_token_raises_one_alert_per_window() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    fixture.sandbox.state().expire_tokens(None);
    for n in 0..3 {
        fixture.send(json!({"type": "note.create", "record": jane(), "body": format!("note {n}")})).await.unwrap_err();
    }
    let first = fixture.alarm().await;
    assert_eq!(first["alert"]["title"], "GHL Bridge: connect GHL again", "{first}");
    assert!(first["alert"]["message"].as_str().unwrap().contains("GHL rejected the token"));
    assert_eq!(fixture.alarm().await["alert"], Value::Null, "shown once, and the window holds back the others");
}

#[tokio::test]
async fn failures_in_a_row_alert_at_the_threshold_and_success_resets_the_count() {
    let fixture = CoreFixture::configured().await;
    fixture
        .page_ok(
            json!({"type": "preferences.save", "preferences": {"alerts": {"onAuthFailure": true, "afterFailures": 2, "windowMinutes": 1}}}),
        )
        .await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    // A refused edit (GHL answers 422) fails without retries.
    let refuse_next = || {
        let fault = json!({"next": [{"status": 422}], "pathPrefix": "/contacts/DemoContactJane0001/notes", "methods": ["POST"]});
        fixture.sandbox.state().set_faults(&fault).unwrap();
    };
    let bad = |n: u32| {
        refuse_next();
        json!({"type": "note.create", "record": jane(), "body": format!("refused {n}")})
    };
    fixture.send(bad(1)).await.unwrap_err();
    assert_eq!(fixture.alarm().await["alert"], Value::Null);
    fixture.send(json!({"type": "note.create", "record": jane(), "body": "fine"})).await.unwrap();
    fixture.send(bad(2)).await.unwrap_err();
    assert_eq!(fixture.alarm().await["alert"], Value::Null, "a success in between resets the count");
    fixture.send(bad(3)).await.unwrap_err();
    let alert = fixture.alarm().await["alert"].clone();
    assert_eq!(alert["title"], "GHL Bridge: 2 failures in a row");
    assert_eq!(fixture.alarm().await["failed"], 3, "the refused edits wait for the agent");
}

#[tokio::test]
async fn the_log_filters_and_exports() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    fixture.send(json!({"type": "note.create", "record": jane(), "body": "one"})).await.unwrap();
    let refused = json!({"next": [{"status": 422}], "pathPrefix": "/contacts/DemoContactJane0001/notes", "methods": ["POST"]});
    fixture.sandbox.state().set_faults(&refused).unwrap();
    fixture.send(json!({"type": "note.create", "record": jane(), "body": "refused"})).await.unwrap_err();
    let all = fixture.page_ok(json!({"type": "log.query"})).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[1]["operation"], "note.create", "newest first");
    assert_eq!(all[0]["ok"], false, "the refused one is the newest");
    let errors = fixture.page_ok(json!({"type": "log.query", "filter": {"errorsOnly": true}})).await;
    assert_eq!(errors.as_array().unwrap().len(), 1);
    assert_eq!(errors[0]["errorCode"], "validation");
    let other = fixture.page_ok(json!({"type": "log.query", "filter": {"contactId": "Someone"}})).await;
    assert_eq!(other, json!([]));
    let future = fixture.page_ok(json!({"type": "log.query", "filter": {"fromMs": 99_999_999_999_999u64}})).await;
    assert_eq!(future, json!([]));
    let csv = fixture.page_ok(json!({"type": "log.export", "format": "csv", "filter": {"errorsOnly": true}})).await;
    let csv = csv.as_str().unwrap();
    assert!(csv.starts_with("time,operation,contact,result,error code,message,trace id,duration ms\r\n"));
    assert!(csv.contains("\"note.create\",\"DemoContactJane0001\",\"failed\",\"validation\""), "{csv}");
    let exported: Value =
        serde_json::from_str(fixture.page_ok(json!({"type": "log.export", "format": "json"})).await.as_str().unwrap()).unwrap();
    assert_eq!(exported.as_array().unwrap().len(), 2);

    fixture.page_ok(json!({"type": "preferences.save", "preferences": {"verboseLog": true}})).await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(fixture.page_ok(json!({"type": "log.query"})).await[0]["operation"], "panel.load", "verbose logs reads too");
}
