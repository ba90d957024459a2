//! Contacts through the client against the sandbox: writes checked in the sandbox's state, paging past 500.

use crate::support::*;
use ghl_bridge::ghl::contacts::PageCursor;
use ghl_bridge::ghl::requests::ContactFields;
use ghl_bridge::platform::error::ErrorCode;
use std::collections::HashSet;

fn stored_contacts(sandbox: &ghl_sandbox::Sandbox) -> Vec<serde_json::Value> {
    sandbox.state().location_state(DEMO_LOCATION).unwrap()["contacts"].as_array().cloned().unwrap()
}

#[tokio::test]
async fn create_update_delete_a_contact() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    let fields = ContactFields {
        first_name: Some("Tom".into()),
        last_name: Some("Newman".into()),
        email: Some("tom.newman@example.com".into()),
        phone: Some("+447700900789".into()),
        ..Default::default()
    };
    let created = client.create_contact(&fields, Some("Newman Heating")).await.unwrap();
    let id = created.id.clone().unwrap();
    assert!(stored_contacts(&sandbox).iter().any(|c| c["id"] == id.as_str() && c["companyName"] == "Newman Heating"));

    let duplicate = client.create_contact(&fields, None).await.unwrap_err();
    assert_eq!(duplicate.code, ErrorCode::Duplicate);

    let updated = client.update_contact(&id, &ContactFields { city: Some("York".into()), ..Default::default() }).await.unwrap();
    assert_eq!(updated.city.as_deref(), Some("York"));
    let body = sandbox.state().log(0).last().unwrap()["body"].clone();
    assert_eq!(body, serde_json::json!({"city": "York"}), "only the changed field is sent");

    assert_eq!(client.update_contact(&id, &ContactFields::default()).await.unwrap_err().code, ErrorCode::Validation);
    client.delete_contact(&id).await.unwrap();
    assert!(!stored_contacts(&sandbox).iter().any(|c| c["id"] == id.as_str()));
}

#[tokio::test]
async fn upsert_updates_the_match_or_creates() {
    let sandbox = sandbox().await;
    let client = demo_client(&sandbox);
    let existing = ContactFields { email: Some("jane.doe@example.com".into()), city: Some("London".into()), ..Default::default() };
    let (contact, created) = client.upsert_contact(&existing, None).await.unwrap();
    assert_eq!((contact.id.as_deref(), created), (Some("DemoContactJane0001"), false));
    let fresh = ContactFields { email: Some("new.person@example.com".into()), ..Default::default() };
    let (_, created) = client.upsert_contact(&fresh, None).await.unwrap();
    assert!(created);
}

#[tokio::test]
async fn search_pages_through_more_than_500_contacts() {
    let sandbox = sandbox().await;
    sandbox.state().seed_contacts(DEMO_LOCATION, 600).unwrap();
    let client = demo_client(&sandbox);
    let mut seen = HashSet::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = client.search_contacts(None, 250, cursor).await.unwrap();
        assert_eq!(page.total, Some(604));
        pages += 1;
        for contact in page.contacts {
            assert!(seen.insert(contact.id.unwrap()), "no contact twice");
        }
        cursor = page.next;
        if cursor.is_none() || pages > 10 {
            break;
        }
    }
    assert_eq!((seen.len(), pages), (604, 3));
}

#[tokio::test]
async fn the_deprecated_list_keeps_the_location_on_every_page() {
    let sandbox = sandbox().await;
    sandbox.state().seed_contacts(DEMO_LOCATION, 600).unwrap();
    let client = demo_client(&sandbox);
    let mut seen = HashSet::new();
    let mut cursor: Option<PageCursor> = None;
    for _ in 0..20 {
        let page = client.list_contacts(None, 100, cursor).await.unwrap();
        seen.extend(page.contacts.into_iter().map(|c| c.id.unwrap()));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 604);
    for request in sandbox.state().log(0) {
        assert!(request["query"].as_str().unwrap().contains("locationId=SandboxLocation00001"), "{request}");
    }
}

#[tokio::test]
async fn contacts_of_a_business() {
    let sandbox = sandbox().await;
    let page = demo_client(&sandbox).contacts_of_business("64f0c0ffee00000000000001", 20, 0).await.unwrap();
    let ids: HashSet<_> = page.contacts.iter().filter_map(|c| c.id.as_deref()).collect();
    assert!(ids.contains("DemoContactJane0001") && ids.contains("DemoContactRobert01"), "{ids:?}");
}
