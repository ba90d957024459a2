//! Changing the Location ID: the old location's links, index entries and queued edits never act on the new one —
//! edits are held (shown, not sent) until the agent switches back or discards them, links wait for their location,
//! and a record is matched afresh in the new one.

use crate::support::*;
use ghl_bridge::platform::error::ErrorCode;
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";
const OTHER_LOCATION: &str = "OtherLocation000002";
const OTHER_TOKEN: &str = "pit-sandbox-other-location";

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"})
}

async fn connect(fixture: &CoreFixture, location: &str, token: &str) {
    let settings = json!({"locationId": location, "auth": {"kind": "pit", "token": token}});
    fixture.page(json!({"type": "settings.save", "settings": settings})).await.expect("settings saved");
}

fn requests_for(fixture: &CoreFixture, location: &str, needle: &str) -> usize {
    fixture
        .api_requests()
        .iter()
        .filter(|entry| entry["location"] == location && entry["path"].as_str().is_some_and(|path| path.contains(needle)))
        .count()
}

#[tokio::test]
async fn the_old_locations_links_and_edits_wait_for_it_and_never_act_on_the_new_one() {
    let fixture = CoreFixture::configured().await;
    // In the first location: Jane is matched, and a note waits because GHL fails.
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["contact"]["id"], JANE);
    fixture.sandbox.state().set_faults(&json!({"statusRates": {"503": 1.0}, "methods": ["POST"], "pathPrefix": "/contacts/"})).unwrap();
    let note = json!({"type": "note.create", "record": jane(), "body": "Made in the first location", "editId": "held-1"});
    assert!(fixture.send(note).await.unwrap_err().queued);
    fixture.sandbox.state().clear_faults();

    connect(&fixture, OTHER_LOCATION, OTHER_TOKEN).await;

    // The record is matched afresh in the new location (where no Jane exists); the old contact id is never asked for.
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["state"], "unmatched", "{view}");
    assert_eq!(requests_for(&fixture, OTHER_LOCATION, JANE), 0, "the old link is not used here");
    // The waiting note is shown, held, with only Discard; the alarm does not send it; Send now says why.
    let waiting = &view["outbox"][0];
    assert_eq!(waiting["id"], "held-1");
    assert!(waiting["state"].as_str().unwrap().contains(DEMO_LOCATION), "{waiting}");
    assert_eq!(waiting["choices"], json!([{"choice": "discard", "label": "Discard"}]));
    let report: Value = serde_json::from_str(&fixture.core.on_alarm(ghl_bridge::outbox::ALARM).await.unwrap()).unwrap();
    assert_eq!((report["sent"].as_u64(), report["failed"].as_u64()), (Some(0), Some(1)), "held, and counted for the agent: {report}");
    assert_eq!(requests_for(&fixture, OTHER_LOCATION, "/notes"), 0, "nothing sent to the new location");
    let retry = fixture.send(json!({"type": "outbox.retry", "record": jane(), "itemId": "held-1"})).await.unwrap_err();
    assert_eq!(retry.code, ErrorCode::InvalidSettings);
    assert!(retry.message.contains(DEMO_LOCATION), "{}", retry.message);

    // Back in the first location: the link serves again and the held note can go (now, or at its retry time), once.
    connect(&fixture, DEMO_LOCATION, DEMO_TOKEN).await;
    let report: Value = serde_json::from_str(&fixture.core.on_alarm("status").await.unwrap()).unwrap();
    assert_eq!((report["waiting"].as_u64(), report["failed"].as_u64()), (Some(1), Some(0)), "waiting to be sent again: {report}");
    fixture.send(json!({"type": "outbox.retry", "record": jane(), "itemId": "held-1"})).await.unwrap();
    let notes = fixture.stored("notes");
    assert_eq!(notes.iter().filter(|n| n["body"] == "Made in the first location").count(), 1);
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!((view["contact"]["id"].as_str(), view["matchedBy"].as_str()), (Some(JANE), Some("email")));
}

#[tokio::test]
async fn a_manual_link_stays_with_its_location_and_links_stored_before_locations_were_kept_do_too() {
    let fixture = CoreFixture::configured().await;
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "77", "email": "someone.else@example.com"});
    fixture.send(json!({"type": "link.set", "record": record, "contactId": JANE})).await.unwrap();
    // A link as an earlier version stored it: no location.
    let legacy = json!({"contactId": JANE, "matchedBy": "manual", "linkedAtMs": 1});
    use ghl_bridge::platform::store::Store;
    fixture.core.store().set("link:app.commusoft.co.uk:78", legacy.to_string()).await.unwrap();

    connect(&fixture, OTHER_LOCATION, OTHER_TOKEN).await;
    for id in ["77", "78"] {
        let record = json!({"host": "app.commusoft.co.uk", "recordId": id, "email": "someone.else@example.com"});
        let view = fixture.send(json!({"type": "panel.load", "record": record})).await.unwrap();
        assert_eq!(view["state"], "unmatched", "record {id}: {view}");
    }
    assert_eq!(requests_for(&fixture, OTHER_LOCATION, JANE), 0);

    connect(&fixture, DEMO_LOCATION, DEMO_TOKEN).await;
    for id in ["77", "78"] {
        let record = json!({"host": "app.commusoft.co.uk", "recordId": id, "email": "someone.else@example.com"});
        let view = fixture.send(json!({"type": "panel.load", "record": record})).await.unwrap();
        assert_eq!((view["contact"]["id"].as_str(), view["matchedBy"].as_str()), (Some(JANE), Some("manual")), "record {id} kept its link");
    }
}
