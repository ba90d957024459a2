//! The panel slice through the native core: message in, GHL sandbox, view model or typed error out.

use crate::support::*;
use ghl_bridge::platform::error::ErrorCode;
use serde_json::{json, Value};

type Fixture = CoreFixture;

/// `panel.load` for a record.
async fn load(fixture: &Fixture, record: Value) -> Result<Value, ghl_bridge::Error> {
    fixture.send(json!({"type": "panel.load", "record": record})).await
}

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "name": "Mrs Jane Doe", "email": "Jane.Doe@Example.com", "mobile": "07700 900123"})
}

fn calls(fixture: &Fixture, since: u64) -> Vec<String> {
    fixture
        .sandbox
        .state()
        .log(since)
        .iter()
        .map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn finds_the_contact_by_email_links_it_and_loads_everything_in_one_round() {
    let fixture = Fixture::configured().await;
    let view = load(&fixture, jane()).await.unwrap();
    assert_eq!(view["state"], "matched");
    assert_eq!(view["matchedBy"], "email");
    assert_eq!(view["contact"]["id"], "DemoContactJane0001");
    assert_eq!(view["contact"]["name"], "Jane Doe");
    assert!(view["contact"]["tags"].as_array().unwrap().iter().any(|t| t == "vip"));
    assert_eq!(view["notes"].as_array().unwrap().len(), 3);
    assert_eq!(view["notes"][0]["pinned"], true, "pinned first");
    assert!(view["notes"].as_array().unwrap().iter().any(|n| n["author"].is_string()), "authors named from the users");
    assert_eq!(view["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(view["appointments"].as_array().unwrap().len(), 2);
    assert!(view["ghlUrl"].as_str().unwrap().ends_with("/v2/location/SandboxLocation00001/contacts/detail/DemoContactJane0001"));

    let requests = fixture.api_requests();
    let lookup = requests.iter().find(|r| r["path"] == "/contacts/search/duplicate").unwrap();
    let query = lookup["query"].as_str().unwrap();
    assert!(query.contains("locationId=SandboxLocation00001") && query.contains("email=jane.doe%40example.com"), "{query}");
    let first = calls(&fixture, 0);
    // The lookup is one round: the duplicate lookup and a search for every contact with the email, together.
    let mut lookup: Vec<&str> = first[..2].iter().map(String::as_str).collect();
    lookup.sort();
    assert_eq!(lookup, ["GET /contacts/search/duplicate", "POST /contacts/search"]);
    // One round after the lookup: the lookup's answer already names the business.
    let mut round: Vec<&str> = first[2..].iter().map(String::as_str).collect();
    round.sort();
    assert_eq!(
        round,
        [
            "GET /contacts/DemoContactJane0001",
            "GET /contacts/DemoContactJane0001/appointments",
            "GET /contacts/DemoContactJane0001/notes",
            "GET /contacts/DemoContactJane0001/tasks",
            "GET /contacts/business/64f0c0ffee00000000000001",
            "GET /users/"
        ]
    );

    // The revisit uses the stored link: no lookup, users reused, the business known up front.
    let last = requests.last().unwrap()["seq"].as_u64().unwrap();
    load(&fixture, jane()).await.unwrap();
    let mut again = calls(&fixture, last);
    again.sort();
    assert_eq!(
        again,
        [
            "GET /contacts/DemoContactJane0001",
            "GET /contacts/DemoContactJane0001/appointments",
            "GET /contacts/DemoContactJane0001/notes",
            "GET /contacts/DemoContactJane0001/tasks",
            "GET /contacts/business/64f0c0ffee00000000000001"
        ]
    );
}

#[tokio::test]
async fn a_record_without_email_is_matched_by_its_phone_in_e164() {
    let fixture = Fixture::configured().await;
    let view = load(&fixture, json!({"host": "app.commusoft.co.uk", "recordId": "44", "name": "Ms Priya Patel", "mobile": "07700 900456"}))
        .await
        .unwrap();
    assert_eq!(view["state"], "matched");
    assert_eq!(view["matchedBy"], "phone");
    assert_eq!(view["contact"]["id"], "DemoContactPriya001");
    let requests = fixture.api_requests();
    let query = requests.iter().find(|r| r["path"] == "/contacts/search/duplicate").unwrap()["query"].as_str().unwrap().to_owned();
    assert!(query.contains("number=%2B447700900456"), "{query}");
}

#[tokio::test]
async fn an_unknown_customer_is_unmatched_with_a_prefill_to_create_from() {
    let fixture = Fixture::configured().await;
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "45", "name": "Mr Tom Newman", "email": "tom.newman@example.com", "mobile": "07700 900789"});
    let view = load(&fixture, record).await.unwrap();
    assert_eq!(view["state"], "unmatched");
    assert_eq!(view["searched"], json!(["email tom.newman@example.com", "phone +447700900789"]));
    assert_eq!(view["candidates"], json!([]));
    assert_eq!(
        view["prefill"],
        json!({"firstName": "Tom", "lastName": "Newman", "email": "tom.newman@example.com", "phone": "+447700900789"})
    );
}

#[tokio::test]
async fn a_record_without_email_or_phone_needs_no_call_and_says_why() {
    let fixture = Fixture::configured().await;
    let error = load(&fixture, json!({"host": "app.commusoft.co.uk", "recordId": "44", "mobile": "n/a"})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NoIdentity);
    assert!(error.message.contains("no email address or phone number"));
    assert!(fixture.api_requests().is_empty());
}

#[tokio::test]
async fn without_settings_the_agent_is_told_to_connect() {
    let fixture = Fixture::new().await;
    let error = load(&fixture, jane()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotConfigured);
    assert!(error.message.contains("Options"));
}

#[tokio::test]
async fn a_rejected_token_is_unauthorized() {
    let fixture = Fixture::new().await;
    fixture.save_token("pit-revoked-fake-token").await;
    let error = load(&fixture, jane()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unauthorized);
    assert_eq!(error.status, Some(401));
    assert!(!error.retryable);
}

#[tokio::test]
async fn a_passing_server_error_or_dropped_connection_is_retried_away() {
    let fixture = Fixture::configured().await;
    let state = fixture.sandbox.state();
    state.set_faults(&json!({"next": [{"status": 500}, {"status": 502, "body": "<html>Bad Gateway</html>"}, {"drop": true}]})).unwrap();
    assert_eq!(load(&fixture, jane()).await.unwrap()["state"], "matched");
    let statuses: Vec<u64> = state.log(0).iter().filter_map(|entry| entry["status"].as_u64()).collect();
    assert_eq!(&statuses[..3], &[500, 502, 200], "the lookup was repeated until it went through: {statuses:?}");
}

#[tokio::test]
async fn lasting_server_errors_and_malformed_bodies_are_typed_errors() {
    let fixture = Fixture::configured().await;
    let state = fixture.sandbox.state();

    state.set_faults(&json!({"statusRates": {"500": 1.0}})).unwrap();
    let error = load(&fixture, jane()).await.unwrap_err();
    assert_eq!((error.code, error.status, error.retryable), (ErrorCode::ServerError, Some(500), true));
    let attempts = state.log(0).len();
    // The lookup round is two requests (duplicate lookup and email search), each tried at most four times.
    assert_eq!(attempts, 8, "bounded attempts, then the error");

    state.set_faults(&json!({"next": [{"malformed": true}]})).unwrap();
    let error = load(&fixture, jane()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::BadResponse, "a 2xx that cannot be read is not repeated");

    state.clear_faults();
    assert_eq!(load(&fixture, jane()).await.unwrap()["state"], "matched", "recovers once GHL does");
}

#[tokio::test]
async fn a_lasting_network_failure_is_a_network_error() {
    let fixture = Fixture::configured().await;
    // Four attempts for each of the lookup round's two requests.
    fixture.sandbox.state().set_faults(&json!({"next": [{"drop": true}, {"drop": true}, {"drop": true}, {"drop": true}, {"drop": true}, {"drop": true}, {"drop": true}, {"drop": true}]})).unwrap();
    let error = load(&fixture, jane()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Network);
    assert!(error.retryable);
}

#[tokio::test]
async fn a_token_for_another_location_is_forbidden_and_named() {
    let fixture = Fixture::new().await;
    fixture.save_token("pit-sandbox-other-location").await;
    let error = load(&fixture, jane()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains(DEMO_LOCATION), "{}", error.message);
}

#[tokio::test]
async fn content_scripts_cannot_reach_settings_and_the_token_never_leaves() {
    let fixture = Fixture::configured().await;
    let page = content_script_sender("app.commusoft.co.uk");
    for message in [
        json!({"type": "settings.get"}),
        json!({"type": "settings.save", "settings": {"locationId": "X", "auth": {"kind": "pit", "token": "t"}}}),
    ] {
        let error = fixture.core.dispatch(&message.to_string(), &page).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::ForbiddenSender);
    }
    let view = fixture.core.dispatch(&json!({"type": "settings.get"}).to_string(), &extension_page_sender()).await.unwrap();
    assert!(!view.contains(DEMO_TOKEN), "{view}");
    assert!(view.contains("…oken"), "{view}");
}

#[tokio::test]
async fn a_record_from_another_host_than_the_sender_is_refused() {
    let fixture = Fixture::configured().await;
    let message =
        json!({"type": "panel.load", "record": {"host": "app.commusoft.us", "recordId": "1001", "email": "maria.garcia@example.com"}});
    let error = fixture.core.dispatch(&message.to_string(), &content_script_sender("app.commusoft.co.uk")).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ForbiddenSender);
}

/// A second contact with Jane's email, as a location that allows duplicates can hold.
async fn twin_of_jane(fixture: &Fixture) -> String {
    fixture.sandbox.state().admin("POST", "/__admin/settings", &json!({"locationId": DEMO_LOCATION, "allowDuplicates": true}));
    let fields = ghl_bridge::ghl::requests::ContactFields {
        first_name: Some("Janet".into()),
        last_name: Some("Doe".into()),
        email: Some("jane.doe@example.com".into()),
        ..Default::default()
    };
    demo_client(&fixture.sandbox).create_contact(&fields, None).await.unwrap().id.unwrap()
}

#[tokio::test]
async fn two_contacts_sharing_the_email_are_offered_never_picked() {
    let fixture = Fixture::configured().await;
    let twin = twin_of_jane(&fixture).await;
    let view = load(&fixture, jane()).await.unwrap();
    assert_eq!(view["state"], "unmatched", "{view}");
    let ids: Vec<&str> = view["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"DemoContactJane0001") && ids.contains(&twin.as_str()), "{ids:?}");
    // Nothing was linked: notes cannot go anywhere until the agent chooses.
    let refused =
        fixture.send(json!({"type": "note.create", "record": {"host": "app.commusoft.co.uk", "recordId": "42"}, "body": "x"})).await;
    assert!(refused.is_err());
    let chosen = fixture.send(json!({"type": "link.set", "record": jane(), "contactId": twin})).await.unwrap();
    assert_eq!((chosen["state"].as_str(), chosen["matchedBy"].as_str()), (Some("matched"), Some("manual")));
    // "Create in GHL" does not create a third one either: it offers the two.
    fixture.send(json!({"type": "link.remove", "record": jane()})).await.unwrap();
    let offered = fixture.send(json!({"type": "contact.create", "record": jane()})).await.unwrap();
    assert_eq!(offered["candidates"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_automatic_link_is_made_again_when_the_page_no_longer_shows_its_evidence() {
    let fixture = Fixture::configured().await;
    assert_eq!(load(&fixture, jane()).await.unwrap()["contact"]["id"], "DemoContactJane0001");
    // The same record now shows another person's details (the page changed, or was misread before).
    let robert = json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "robert.smith@example.com"});
    let view = load(&fixture, robert.clone()).await.unwrap();
    assert_eq!(view["contact"]["id"], "DemoContactRobert01", "matched again from what the page shows now");
    // A manual link stays whatever the page shows.
    fixture.send(json!({"type": "link.set", "record": robert.clone(), "contactId": "DemoContactJane0001"})).await.unwrap();
    assert_eq!(load(&fixture, robert).await.unwrap()["contact"]["id"], "DemoContactJane0001");
}

#[tokio::test]
async fn the_core_reads_what_the_page_showed_and_says_what_it_set_aside() {
    let fixture = Fixture::configured().await;
    let evidence = json!([
        {"field": "email", "value": "Edit", "via": "pair", "scope": "section"},
        {"field": "email", "value": "jane.doe@example.com", "via": "pair", "scope": "section"},
        {"field": "email", "value": "office@trades.example", "via": "link", "scope": "section"},
        {"field": "address", "value": "14 Orchard Way\nAshford\nTN23 4PL", "via": "pair", "scope": "section"},
    ]);
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "42", "evidence": evidence});
    let reading = fixture.send(json!({"type": "record.read", "record": record})).await.unwrap();
    assert_eq!(reading["usable"], true);
    let email = reading["fields"].as_array().unwrap().iter().find(|f| f["field"] == "email").unwrap();
    assert_eq!(email["value"], "jane.doe@example.com", "the labelled value wins over a link elsewhere");
    assert!(reading["setAside"].as_array().unwrap().iter().any(|a| a["value"] == "Edit"));
    // The panel loads from the same evidence.
    assert_eq!(load(&fixture, record).await.unwrap()["contact"]["id"], "DemoContactJane0001");

    let two = json!([{"field": "email", "value": "a@example.com", "via": "pair", "scope": "container"},
                     {"field": "email", "value": "b@example.com", "via": "pair", "scope": "container"}]);
    let reading = fixture
        .send(json!({"type": "record.read", "record": {"host": "app.commusoft.co.uk", "recordId": "42", "evidence": two}}))
        .await
        .unwrap();
    assert_eq!(reading["usable"], false);
    assert!(reading["problem"].as_str().unwrap().contains("more than one"));
}

#[tokio::test]
async fn an_override_is_stored_per_host_app_as_a_place_and_exported() {
    let fixture = Fixture::configured().await;
    let add =
        |item: Value| json!({"type": "reader.overrideAdd", "record": {"host": "app.commusoft.co.uk", "recordId": "42"}, "override": item});
    let stored = fixture.send(add(json!({"field": "email", "label": "Correspondence"}))).await.unwrap();
    assert_eq!(stored["items"][0]["label"], "Correspondence");
    assert!(fixture.send(add(json!({"field": "email", "label": "jane.doe@example.com"}))).await.is_err(), "a value is not a place");
    let us = fixture.send(json!({"type": "reader.overrides", "record": {"host": "app.commusoft.us", "recordId": "1"}})).await;
    assert!(us.is_err(), "a content script only reaches its own host's app");
    let exported = fixture.core.dispatch(&json!({"type": "reader.overridesGet"}).to_string(), &extension_page_sender()).await.unwrap();
    assert!(exported.contains("Correspondence"), "{exported}");
}
