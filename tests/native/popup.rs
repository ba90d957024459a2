//! The toolbar popup's status and the first run, through the native core.

use crate::support::*;
use serde_json::{json, Value};

fn jane() -> Value {
    json!({"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"})
}

impl CoreFixture {
    async fn popup(&self, record: Option<Value>) -> Value {
        let message = match record {
            Some(record) => json!({"type": "popup.status", "record": record}),
            None => json!({"type": "popup.status"}),
        };
        self.page(message).await.unwrap()
    }

    async fn event(&self, name: &str) -> Value {
        serde_json::from_str(&self.core.on_alarm(name).await.unwrap()).unwrap()
    }
}

#[tokio::test]
async fn a_new_install_opens_the_connect_step_and_an_update_or_a_configured_one_does_not() {
    let fixture = CoreFixture::new().await;
    assert_eq!(fixture.event(ghl_bridge::app::INSTALLED).await["open"], ghl_bridge::app::CONNECT_PAGE);
    assert_eq!(fixture.event("status").await["open"], Value::Null, "only the install event opens a page");
    fixture.save_token(DEMO_TOKEN).await;
    assert_eq!(fixture.event(ghl_bridge::app::INSTALLED).await["open"], Value::Null, "settings kept over a reinstall");
}

#[tokio::test]
async fn not_connected_says_so_and_offers_the_connect_step() {
    let fixture = CoreFixture::new().await;
    let status = fixture.popup(None).await;
    assert_eq!(status["connection"]["state"], "notConnected", "{status}");
    assert_eq!(status["connection"]["action"]["page"], ghl_bridge::app::CONNECT_PAGE);
    assert_eq!(status["edits"]["summary"], "All edits are in GHL.");
    assert!(status.get("here").is_none());
    let panel = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap_err();
    assert_eq!(panel.code.as_str(), "not_configured");
    assert_eq!(panel.fix_page, Some(ghl_bridge::app::CONNECT_PAGE), "the panel offers the connect step");
    let open = fixture.send(json!({"type": "connect.open", "record": jane()})).await.unwrap();
    assert_eq!(open["openExtensionPage"], ghl_bridge::app::CONNECT_PAGE);
}

#[tokio::test]
async fn connected_names_the_location_and_the_tab_s_linked_contact_without_a_ghl_request() {
    let fixture = CoreFixture::configured().await;
    fixture.page(json!({"type": "connection.check"})).await.unwrap();
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let before = fixture.api_requests().len();
    let status = fixture.popup(Some(jane())).await;
    assert_eq!(fixture.api_requests().len(), before, "the popup reads storage only");
    assert_eq!(status["connection"]["state"], "connected", "{status}");
    let location = fixture.sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let name = location["location"]["name"].as_str().map(str::to_owned);
    let title = status["connection"]["title"].as_str().unwrap();
    match name {
        Some(name) => assert_eq!(title, format!("Connected to {name}")),
        None => assert!(title.starts_with("Connected to"), "{title}"),
    }
    assert_eq!(status["here"]["linked"], true, "{status}");
    assert!(status["here"]["text"].as_str().unwrap().contains("jane.doe@example.com"), "{status}");
    assert!(status["here"]["ghlUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://app.gohighlevel.com/v2/location/SandboxLocation00001/contacts/detail/"));

    let unlinked = fixture.popup(Some(json!({"host": "app.commusoft.co.uk", "recordId": "77"}))).await;
    assert_eq!(unlinked["here"]["linked"], false);
    assert!(unlinked["here"]["text"].as_str().unwrap().contains("not linked"), "{unlinked}");
}

#[tokio::test]
async fn edits_waiting_are_counted_per_record_with_the_page_they_were_made_on() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    fixture
        .sandbox
        .state()
        .set_faults(&json!({"statusRates": {"503": 1.0}, "pathPrefix": "/contacts/DemoContactJane0001/notes", "methods": ["POST"]}))
        .unwrap();
    let queued = fixture.send(json!({"type": "note.create", "record": jane(), "body": "Call back Tuesday"})).await.unwrap_err();
    assert!(queued.queued, "{queued:?}");
    fixture.sandbox.state().clear_faults();
    let status = fixture.popup(None).await;
    assert_eq!(status["edits"]["waiting"], 1, "{status}");
    assert_eq!(status["edits"]["summary"], "1 edit waiting to be sent.");
    let row = &status["edits"]["records"][0];
    assert!(row["label"].as_str().unwrap().contains("(Commusoft)"), "{row}");
    assert_eq!(row["detail"], "1 edit waiting");
    // The page our content script sent it from (what the browser says of the tab, never the message).
    assert_eq!(row["url"], "https://app.commusoft.co.uk/customers/customer_list/42/view_v2/property/view");
}

#[tokio::test]
async fn a_refused_token_turns_the_connection_to_attention_and_a_success_clears_it() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    fixture.sandbox.state().expire_tokens(None);
    fixture.send(json!({"type": "note.create", "record": jane(), "body": "refused"})).await.unwrap_err();
    let status = fixture.popup(None).await;
    assert_eq!(status["connection"]["state"], "attention", "{status}");
    assert_eq!(status["connection"]["action"]["page"], ghl_bridge::app::CONNECT_PAGE);
    assert!(status["edits"]["needAgent"].as_u64().unwrap() + status["edits"]["waiting"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn the_last_background_refresh_is_reported() {
    let fixture = CoreFixture::configured().await;
    fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(fixture.popup(None).await["refresh"].get("last"), None);
    fixture.event(ghl_bridge::features::background_refresh::ALARM).await;
    let status = fixture.popup(None).await;
    assert_eq!(status["refresh"]["enabled"], true, "{status}");
    assert_eq!(status["refresh"]["last"]["ok"], true, "{status}");
    assert_eq!(status["refresh"]["last"]["summary"], "Refreshed 1 linked contact.");
}

#[tokio::test]
async fn content_scripts_may_not_ask_for_the_popup_status() {
    let fixture = CoreFixture::configured().await;
    let refused = fixture.send(json!({"type": "popup.status"})).await.unwrap_err();
    assert_eq!(refused.code.as_str(), "forbidden_sender");
}

#[tokio::test]
async fn the_panel_names_the_host_s_date_locale_and_the_location_s_time_zone_once_read() {
    let fixture = CoreFixture::configured().await;
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    assert_eq!(view["locale"], "en-GB", "a .co.uk site");
    assert!(view.get("locationTimeZone").is_none(), "not known before Test connection");
    fixture.page(json!({"type": "connection.check"})).await.unwrap();
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let zone = fixture.sandbox.state().location_state(DEMO_LOCATION).unwrap()["location"]["timezone"].clone();
    assert!(zone.is_string(), "the sandbox location has a time zone: {zone}");
    assert_eq!(view["locationTimeZone"], zone, "{view}");
    let us = json!({"host": "app.commusoft.us", "recordId": "42", "email": "jane.doe@example.com"});
    let view = fixture.send_from("app.commusoft.us", json!({"type": "panel.load", "record": us})).await.unwrap();
    assert_eq!(view["locale"], "en-US", "a .us site");
}
