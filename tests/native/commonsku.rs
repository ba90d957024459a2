//! commonsku through the core: contact records with one History, client pages listing each contact's GHL state,
//! "Fill from GHL" through the mapping, and the host app switched off in Options.

use crate::support::CoreFixture;
use serde_json::{json, Value};

const HOST: &str = "acme.commonsku.com";
const JANE_PAGE: &str = "63da90dd-cfe4-4a05-92bb-747c754854dd";
const CLIENT: &str = "89d5bab6-8aca-4743-95a7-14671e0b8479";

fn pair(field: &str, value: &str) -> Value {
    json!({"field": field, "value": value, "via": "pair", "scope": "section"})
}

fn person(id: &str, evidence: Vec<Value>) -> Value {
    json!({"app": "commonsku", "kind": "contact", "host": HOST, "recordId": id, "evidence": evidence})
}

fn jane() -> Value {
    person(
        JANE_PAGE,
        vec![pair("firstName", "Jane"), pair("lastName", "Doe"), pair("email", "jane.doe@example.com"), pair("position", "Buyer")],
    )
}

#[tokio::test]
async fn a_contact_shows_one_history_newest_first_and_refreshes_while_visible() {
    let fixture = CoreFixture::configured().await;
    let view = fixture.send_from(HOST, json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["state"], "matched", "{view}");
    assert_eq!(view["contact"]["name"], "Jane Doe");
    assert_eq!(view["refreshEverySecs"], 30);
    let history = view["history"].as_array().unwrap();
    let kinds: Vec<&str> = history.iter().map(|entry| entry["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"note") && kinds.contains(&"appointment"), "{kinds:?}");
    assert_eq!(history.len(), view["notes"].as_array().unwrap().len() + view["appointments"].as_array().unwrap().len());
    let dates: Vec<String> = history
        .iter()
        .map(|entry| {
            let date = entry["note"]["dateAdded"].as_str().or(entry["appointment"]["startTime"].as_str()).unwrap();
            date.replace(' ', "T").chars().take(19).collect()
        })
        .collect();
    let mut newest_first = dates.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, newest_first, "newest first");

    // Commusoft keeps separate lists and no live refresh.
    let commusoft =
        json!({"host": "app.commusoft.co.uk", "recordId": "42", "fields": {"name": "Jane Doe", "email": "jane.doe@example.com"}});
    let view = fixture.send(json!({"type": "panel.load", "record": commusoft})).await.unwrap();
    assert!(view.get("history").is_none() && view.get("refreshEverySecs").is_none());
}

#[tokio::test]
async fn a_client_lists_each_contacts_state_and_the_business_colleagues() {
    let fixture = CoreFixture::configured().await;
    let people = json!([
        jane(),
        person("36bac5d0-a281-4d61-9aa6-87543c2b21c8", vec![pair("name", "Bertram Gill"), pair("mobile", "(415) 555-0177")]),
        person("ad6728f4-e0c7-4365-bf98-f946969f0f5e", vec![pair("name", "Dina Chowdhury")]),
        person("", vec![pair("name", "Maria Garcia"), pair("email", "maria.garcia@example.com")]),
    ]);
    let client = json!({"app": "commonsku", "kind": "client", "host": HOST, "recordId": CLIENT, "evidence": []});
    let view = fixture.send_from(HOST, json!({"type": "client.load", "record": client, "people": people})).await.unwrap();
    let states: Vec<(&str, &str)> =
        view["people"].as_array().unwrap().iter().map(|p| (p["name"].as_str().unwrap(), p["state"].as_str().unwrap())).collect();
    assert_eq!(states, [("Jane Doe", "match"), ("Bertram Gill", "none"), ("Dina Chowdhury", "unreadable"), ("Maria Garcia", "match")]);
    // A row without its own page can be matched but not opened (nothing to link it to).
    assert_eq!(view["people"][3]["openLabel"], Value::Null);
    assert_eq!(view["people"][0]["openLabel"], "Open");
    let others: Vec<&str> = view["others"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(others.contains(&"Robert Smith") && !others.contains(&"Jane Doe"), "{others:?}");
    assert_eq!(view["othersHeading"], "In GHL, not on this client");
    assert!(view["summary"].as_str().unwrap().starts_with("4 contacts: 0 linked, 2 with one match"), "{}", view["summary"]);
    // Nothing was linked by listing: the agent opens a contact to work with it.
    let links = fixture.send_from(HOST, json!({"type": "panel.cached", "record": jane()})).await.unwrap();
    assert_eq!(links, Value::Null);
}

#[tokio::test]
async fn a_client_page_refuses_more_people_than_a_page_lists() {
    let fixture = CoreFixture::configured().await;
    let people: Vec<Value> = (0..51).map(|_| person("", vec![pair("email", "a@example.com")])).collect();
    let client = json!({"app": "commonsku", "kind": "client", "host": HOST, "recordId": CLIENT});
    let error = fixture.send_from(HOST, json!({"type": "client.load", "record": client, "people": people})).await.unwrap_err();
    assert_eq!(error.code.as_str(), "invalid_message");
}

#[tokio::test]
async fn fill_from_ghl_answers_the_contact_form_through_the_mapping() {
    let fixture = CoreFixture::configured().await;
    let answer =
        fixture.send_from(HOST, json!({"type": "contact.fill", "record": jane(), "contactId": "DemoContactPriya001"})).await.unwrap();
    let fills: Vec<(&str, &str)> =
        answer["fills"].as_array().unwrap().iter().map(|f| (f["field"].as_str().unwrap(), f["value"].as_str().unwrap())).collect();
    assert!(fills.contains(&("firstName", "Priya")) && fills.contains(&("lastName", "Patel")), "{fills:?}");
    assert!(fills.iter().any(|(field, _)| *field == "phone"));
    // The client name only goes to GHL, and the position is off until mapped: neither is filled.
    assert!(!fills.iter().any(|(field, _)| *field == "client" || *field == "position"), "{fills:?}");
    // An id that is not one is refused before it becomes a URL path.
    let error = fixture.send_from(HOST, json!({"type": "contact.fill", "record": jane(), "contactId": "../locations"})).await.unwrap_err();
    assert_ne!(error.code.as_str(), "internal");
}

#[tokio::test]
async fn a_host_app_switched_off_in_options_gets_nothing() {
    let fixture = CoreFixture::configured().await;
    fixture.page(json!({"type": "preferences.save", "preferences": {"hostsOff": ["commonsku"]}})).await.unwrap();
    let error = fixture.send_from(HOST, json!({"type": "panel.load", "record": jane()})).await.unwrap_err();
    assert_eq!(error.code.as_str(), "host_switched_off");
    assert!(error.message.contains("commonsku"));
    let commusoft = json!({"host": "app.commusoft.co.uk", "recordId": "42", "fields": {"email": "jane.doe@example.com"}});
    assert!(fixture.send(json!({"type": "panel.load", "record": commusoft})).await.is_ok());
    let unknown = fixture.page(json!({"type": "preferences.save", "preferences": {"hostsOff": ["evil"]}})).await.unwrap_err();
    assert_eq!(unknown.code.as_str(), "invalid_settings");
}

#[tokio::test]
async fn commonsku_hosts_are_its_tenants_only() {
    let fixture = CoreFixture::configured().await;
    for host in ["help.commonsku.com", "www.commonsku.com", "commonsku.com"] {
        let mut record = jane();
        record["host"] = json!(host);
        assert!(fixture.send_from(host, json!({"type": "panel.load", "record": record})).await.is_err(), "{host}");
    }
    // A contact id must be a UUID.
    let mut record = jane();
    record["recordId"] = json!("42");
    assert!(fixture.send_from(HOST, json!({"type": "panel.load", "record": record})).await.is_err());
}

#[tokio::test]
async fn the_mapping_preview_and_sync_work_per_host_app() {
    let fixture = CoreFixture::configured().await;
    let editor = fixture.page(json!({"type": "mapping.get", "app": "commonsku"})).await.unwrap();
    assert_eq!(editor["app"], "commonsku");
    let hosts: Vec<&str> = editor["rows"].as_array().unwrap().iter().map(|row| row["host"].as_str().unwrap()).collect();
    assert_eq!(hosts, ["firstName", "lastName", "email", "phone", "position", "client"]);
    // Commusoft's mapping is its own.
    let commusoft = fixture.page(json!({"type": "mapping.get", "app": "commusoft"})).await.unwrap();
    assert_ne!(commusoft["rows"], editor["rows"]);

    let mut record = jane();
    record["evidence"].as_array_mut().unwrap().push(pair("company", "Pied Piper Swag"));
    fixture.send_from(HOST, json!({"type": "panel.load", "record": record})).await.unwrap();
    let preview = fixture.send_from(HOST, json!({"type": "contact.syncPreview", "record": record})).await.unwrap();
    assert_eq!(preview["hostName"], "commonsku");
    let labels: Vec<&str> = preview["rows"].as_array().unwrap().iter().map(|row| row["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"Client name → Company name"), "{labels:?}");
    assert!(labels.contains(&"First name → First name"), "{labels:?}");
}

#[tokio::test]
async fn a_short_client_list_is_matched_in_one_round_and_the_email_still_comes_first() {
    let fixture = CoreFixture::configured().await;
    let people = json!([
        // An email GHL does not know, and Robert's phone: matched by phone.
        person("", vec![pair("name", "R. Smith"), pair("email", "r.smith@elsewhere.example"), pair("mobile", "+447700900234")]),
        // Jane's email, and Priya's phone: the email wins.
        person("", vec![pair("name", "Jane Doe"), pair("email", "jane.doe@example.com"), pair("mobile", "+447700900456")]),
    ]);
    let client = json!({"app": "commonsku", "kind": "client", "host": HOST, "recordId": CLIENT, "evidence": []});
    let before = fixture.api_requests().len();
    fixture.sandbox.state().set_faults(&json!({"latencyMs": 100})).unwrap(); // rounds are told apart by time
    let view = fixture.send_from(HOST, json!({"type": "client.load", "record": client, "people": people})).await.unwrap();
    fixture.sandbox.state().clear_faults();
    let matched: Vec<(&str, &str)> = view["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["state"].as_str().unwrap(), p["contact"]["id"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(matched, [("match", "DemoContactRobert01"), ("match", "DemoContactJane0001")]);
    // Every lookup of the people started before the first answer came back: one round.
    let log = &fixture.api_requests()[before..];
    let lookups: Vec<&Value> =
        log.iter().filter(|entry| entry["path"].as_str().is_some_and(|path| path.starts_with("/contacts/search"))).collect();
    assert_eq!(lookups.len(), 8, "email and phone, search and duplicate, for two people");
    let first_answer = lookups.iter().map(|e| e["at"].as_u64().unwrap() + e["durationMs"].as_u64().unwrap()).min().unwrap();
    assert!(lookups.iter().all(|e| e["at"].as_u64().unwrap() <= first_answer), "{lookups:?}");
}
