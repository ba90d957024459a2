//! "Sync this contact" and the field mapping, through the native core against the sandbox.

use crate::support::*;
use ghl_bridge::ErrorCode;
use serde_json::{json, Value};

const JANE: &str = "DemoContactJane0001";

fn jane_record() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "name": "Mrs Jane Doe", "email": "jane.doe@example.com",
           "mobile": "07700 900123", "landline": "020 7946 0123", "address": "12 Acacia Avenue, London, N1 7AA"})
}

impl CoreFixture {
    /// Writes (POST, PUT, DELETE) the sandbox saw since `since`.
    fn writes_since(&self, since: usize) -> Vec<Value> {
        self.api_requests()
            .into_iter()
            .skip(since)
            .filter(|entry| {
                entry["method"] != "GET" && entry["path"] != "/contacts/search" && entry["path"] != "/contacts/search/duplicate"
            })
            .collect()
    }

    fn contact(&self, id: &str) -> Value {
        self.stored("contacts").into_iter().find(|c| c["id"] == id).expect("contact exists")
    }
}

fn row<'a>(rows: &'a Value, field: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|row| row["hostField"] == field).unwrap()
}

#[tokio::test]
async fn preview_then_apply_writes_only_the_changed_fields_and_a_second_click_writes_nothing() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane_record()})).await.unwrap();
    let preview = fixture.send(json!({"type": "contact.syncPreview", "record": jane_record()})).await.unwrap();
    assert_eq!(preview["contactId"], JANE);
    assert_eq!(row(&preview["rows"], "firstName")["action"], "same");
    assert_eq!(row(&preview["rows"], "mobile")["action"], "same", "07700 900123 is GHL's +447700900123");
    let town = row(&preview["rows"], "town");
    assert_eq!(
        (town["action"].as_str(), town["hostValue"].as_str(), town["ghlValue"].as_str()),
        (Some("updateGhl"), Some("London"), Some("Manchester"))
    );
    assert_eq!(row(&preview["rows"], "landline")["action"], "off");
    assert_eq!(preview["ghlChanges"], 2, "town and postcode");

    let tags_before = fixture.contact(JANE)["tags"].clone();
    let before = fixture.api_requests().len();
    let result = fixture.send(json!({"type": "contact.sync", "record": jane_record()})).await.unwrap();
    assert_eq!(result["summary"], "Updated 2 field(s) in GHL.");
    let writes = fixture.writes_since(before);
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0]["method"], "PUT");
    assert_eq!(writes[0]["body"], json!({"city": "London", "postalCode": "N1 7AA"}), "only the changed fields");
    let stored = fixture.contact(JANE);
    assert_eq!((stored["city"].as_str(), stored["postalCode"].as_str()), (Some("London"), Some("N1 7AA")));
    assert_eq!(stored["tags"], tags_before, "tags untouched");

    let before = fixture.api_requests().len();
    let again = fixture.send(json!({"type": "contact.sync", "record": jane_record()})).await.unwrap();
    assert_eq!(again["summary"], "Already in sync: nothing to change.");
    assert_eq!(fixture.writes_since(before), Vec::<Value>::new(), "the second click sends no write");

    let log = fixture.page(json!({"type": "log.get"})).await.unwrap();
    let entries = log.as_array().unwrap();
    let operations: Vec<&str> = entries.iter().map(|entry| entry["operation"].as_str().unwrap()).collect();
    assert_eq!(operations, ["contact.update", "contact.sync", "contact.sync"], "oldest first; the PUT went through the outbox");
    assert_eq!((entries[1]["ok"].as_bool(), entries[1]["contactId"].as_str()), (Some(true), Some(JANE)));
}

#[tokio::test]
async fn ghl_values_come_back_for_commusofts_form_when_ghl_wins() {
    let fixture = CoreFixture::configured().await;
    let mut mapping = fixture.page(json!({"type": "mapping.get"})).await.unwrap();
    let rows = mapping["rows"].as_array_mut().unwrap();
    rows.iter_mut().find(|r| r["host"] == "town").unwrap()["direction"] = json!("bothGhlWins");
    rows.iter_mut().find(|r| r["host"] == "postcode").unwrap()["direction"] = json!("toHost");
    fixture.page(json!({"type": "mapping.save", "mapping": {"rows": rows}})).await.unwrap();

    fixture.send(json!({"type": "panel.load", "record": jane_record()})).await.unwrap();
    let before = fixture.api_requests().len();
    let result = fixture.send(json!({"type": "contact.sync", "record": jane_record()})).await.unwrap();
    assert_eq!(result["hostFill"], json!([{"field": "town", "value": "Manchester"}, {"field": "postcode", "value": "M14 5TP"}]));
    assert_eq!(fixture.writes_since(before), Vec::<Value>::new(), "nothing for GHL");
    assert!(result["summary"].as_str().unwrap().contains("2 newer field(s) for Commusoft"), "{}", result["summary"]);
}

#[tokio::test]
async fn a_record_without_a_contact_links_ghls_duplicate_instead_of_creating_one() {
    let fixture = CoreFixture::configured().await;
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "4242", "name": "Jane Doe", "email": "JANE.DOE@example.com"});
    let before = fixture.api_requests().len();
    let result = fixture.send(json!({"type": "contact.sync", "record": record})).await.unwrap();
    assert_eq!((result["contactId"].as_str(), result["created"].as_bool()), (Some(JANE), Some(false)));
    assert!(fixture.writes_since(before).iter().all(|w| w["method"] != "POST"), "no contact created");
}

#[tokio::test]
async fn a_record_ghl_does_not_know_is_created_with_the_mapped_fields_once() {
    let fixture = CoreFixture::configured().await;
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "5151", "name": "Mr Sam Vale", "email": "sam.vale@example.com",
                        "mobile": "07700 900999", "address": "4 Quay St, Hull, HU1 1AA", "company": "Vale Heating"});
    let preview = fixture.send(json!({"type": "contact.syncPreview", "record": record})).await.unwrap();
    assert_eq!(preview["contactId"], Value::Null);
    assert_eq!(row(&preview["rows"], "company")["action"], "updateGhl");
    let result = fixture.send(json!({"type": "contact.sync", "record": record})).await.unwrap();
    assert_eq!(result["created"], true);
    let created = fixture.contact(result["contactId"].as_str().unwrap());
    assert_eq!(
        [&created["firstName"], &created["lastName"], &created["phone"], &created["city"], &created["postalCode"], &created["companyName"]],
        [&json!("Sam"), &json!("Vale"), &json!("+447700900999"), &json!("Hull"), &json!("HU1 1AA"), &json!("Vale Heating")]
    );
    let before = fixture.api_requests().len();
    let again = fixture.send(json!({"type": "contact.sync", "record": record})).await.unwrap();
    assert_eq!(again["summary"], "Already in sync: nothing to change.");
    assert!(fixture.writes_since(before).is_empty());
}

#[tokio::test]
async fn the_mapping_editor_offers_the_locations_custom_fields_and_checks_rows() {
    let fixture = CoreFixture::configured().await;
    let editor = fixture.page(json!({"type": "mapping.get"})).await.unwrap();
    assert_eq!(editor["rows"].as_array().unwrap().len(), 9);
    let custom: Vec<&Value> =
        editor["ghlFields"].as_array().unwrap().iter().filter(|f| f["id"].as_str().unwrap().starts_with("customField.")).collect();
    assert!(!custom.is_empty(), "{editor}");
    assert_eq!(editor["customFieldsNote"], Value::Null);

    let custom_id = custom[0]["id"].as_str().unwrap();
    let rows = json!([{"host": "landline", "ghl": custom_id, "direction": "toGhl"}]);
    let saved = fixture.page(json!({"type": "mapping.save", "mapping": {"rows": rows}})).await.unwrap();
    assert_eq!(saved["rows"][0]["ghl"], custom_id);
    let unknown = json!([{"host": "landline", "ghl": "customField.nope", "direction": "toGhl"}]);
    let error = fixture.page(json!({"type": "mapping.save", "mapping": {"rows": unknown}})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidSettings);
    assert!(error.message.contains("Row 1"), "{}", error.message);

    // Preview with sample data against a real contact, before saving anything.
    let sample = json!({"host": "app.commusoft.co.uk", "recordId": "1", "name": "Jane Doe", "landline": "020 7946 0123"});
    let plan =
        fixture.page(json!({"type": "mapping.preview", "mapping": {"rows": rows}, "sample": sample, "contact": JANE})).await.unwrap();
    assert_eq!(plan["contactId"], JANE);
    assert_eq!(plan["rows"][0]["action"], "updateGhl");
    assert_eq!(plan["rows"][0]["hostValue"], "020 7946 0123");
    let by_email = fixture
        .page(json!({"type": "mapping.preview", "mapping": {"rows": rows}, "sample": sample, "contact": "Jane.Doe@example.com"}))
        .await
        .unwrap();
    assert_eq!(by_email["contactId"], JANE);
    let nobody = fixture
        .page(json!({"type": "mapping.preview", "mapping": {"rows": rows}, "sample": sample, "contact": "nobody@example.com"}))
        .await
        .unwrap();
    assert_eq!((nobody["contactId"].clone(), nobody["rows"][0]["action"].clone()), (Value::Null, json!("updateGhl")), "a new contact");

    let custom_value_sync = fixture.send(json!({"type": "contact.sync", "record": {"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com", "landline": "020 7946 0123"}})).await.unwrap();
    assert!(custom_value_sync["ghlUpdated"].as_array().unwrap().len() == 1, "{custom_value_sync}");
    let stored = fixture.contact(JANE);
    let field_id = custom_id.strip_prefix("customField.").unwrap();
    assert!(stored["customFields"].as_array().unwrap().iter().any(|f| f["id"] == field_id && f["value"] == "020 7946 0123"), "{stored}");
}

#[tokio::test]
async fn content_scripts_cannot_touch_the_mapping_or_the_log() {
    let fixture = CoreFixture::configured().await;
    for message in [json!({"type": "mapping.get"}), json!({"type": "log.get"}), json!({"type": "mapping.save", "mapping": {"rows": []}})] {
        assert_eq!(fixture.send(message.clone()).await.unwrap_err().code, ErrorCode::ForbiddenSender, "{message}");
    }
}

#[tokio::test]
async fn apply_writes_only_the_previewed_plan_and_nothing_when_it_changed_meanwhile() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane_record()})).await.unwrap();
    let preview = fixture.send(json!({"type": "contact.syncPreview", "record": jane_record()})).await.unwrap();
    let fingerprint = preview["fingerprint"].as_str().unwrap().to_owned();
    // GHL changes before Apply: the previewed plan is no longer what would be written.
    let fields = ghl_bridge::ghl::requests::ContactFields { city: Some("Leeds".into()), ..Default::default() };
    demo_client(&fixture.sandbox).update_contact(JANE, &fields).await.unwrap();
    let mut changed = jane_record();
    changed["address"] = json!("12 Acacia Avenue, Bristol, BS1 5TR");
    let before = fixture.api_requests().len();
    let refused = fixture.send(json!({"type": "contact.sync", "record": changed, "fingerprint": fingerprint})).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::PlanChanged);
    assert!(fixture.writes_since(before).is_empty(), "nothing written");
    // The same preview, applied unchanged, goes through.
    let preview = fixture.send(json!({"type": "contact.syncPreview", "record": jane_record()})).await.unwrap();
    let result =
        fixture.send(json!({"type": "contact.sync", "record": jane_record(), "fingerprint": preview["fingerprint"]})).await.unwrap();
    assert_eq!(result["summary"], "Updated 2 field(s) in GHL.");
}

#[tokio::test]
async fn an_address_that_cannot_be_split_with_confidence_is_never_written() {
    let fixture = CoreFixture::configured().await;
    let mut record = jane_record();
    // What a reader joining lines without spaces produced on another replica.
    record["address"] = json!("14 Orchard WayAshfordTN23 4PL");
    fixture.send(json!({"type": "panel.load", "record": record})).await.unwrap();
    let preview = fixture.send(json!({"type": "contact.syncPreview", "record": record})).await.unwrap();
    for field in ["address1", "town", "postcode"] {
        let line = row(&preview["rows"], field);
        assert_eq!(line["action"], "skip", "{field}: {line}");
        assert!(line["effect"].as_str().unwrap().contains("could not be split"), "{line}");
    }
    let before = fixture.api_requests().len();
    fixture.send(json!({"type": "contact.sync", "record": record, "fingerprint": preview["fingerprint"]})).await.unwrap();
    let stored = fixture.contact(JANE);
    assert_ne!(stored["address1"], "14 Orchard WayAshfordTN23 4PL");
    assert!(fixture.writes_since(before).iter().all(|w| w["body"].get("address1").is_none() && w["body"].get("city").is_none()));

    // The same address in its lines is split and written.
    record["address"] = json!("14 Orchard Way\nAshford\nTN23 4PL");
    let preview = fixture.send(json!({"type": "contact.syncPreview", "record": record})).await.unwrap();
    assert_eq!(row(&preview["rows"], "address1")["newValue"], "14 Orchard Way");
    assert_eq!(row(&preview["rows"], "town")["newValue"], "Ashford");
    assert_eq!(row(&preview["rows"], "postcode")["newValue"], "TN23 4PL");
}
