//! The options page's messages through the native core: preferences, OAuth "Connect", export and reset.

use crate::support::*;
use ghl_bridge::ErrorCode;
use serde_json::json;

const CLIENT_ID: &str = "sandbox-client-id";
const REDIRECT: &str = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/";

impl CoreFixture {
    async fn save_oauth(&self) {
        let endpoint = format!("{}/oauth/token", self.sandbox.http_url());
        let settings = json!({"locationId": DEMO_LOCATION, "auth": {"kind": "oauth", "tokenEndpoint": endpoint, "clientId": CLIENT_ID}});
        self.page(json!({"type": "settings.save", "settings": settings})).await.unwrap();
    }

    /// `oauth.start`; the `state` the authorization URL carries.
    async fn start_connect(&self) -> String {
        let started = self.page(json!({"type": "oauth.start", "redirectUri": REDIRECT})).await.unwrap();
        let url = started["authorizeUrl"].as_str().unwrap().to_owned();
        assert!(url.starts_with("https://marketplace.gohighlevel.com/v2/oauth/chooselocation?response_type=code&"), "{url}");
        assert!(url.contains(&format!("client_id={CLIENT_ID}")) && url.contains("scope=contacts.readonly%20contacts.write"), "{url}");
        let state = url.split("state=").nth(1).unwrap().to_owned();
        assert_eq!(state.len(), 32, "128 random bits");
        state
    }
}

#[tokio::test]
async fn preferences_start_from_defaults_and_keep_what_is_saved() {
    let fixture = CoreFixture::new().await;
    let defaults = fixture.page(json!({"type": "preferences.get"})).await.unwrap();
    assert_eq!(
        defaults,
        json!({"syncEnabled": true, "cadenceMinutes": 15, "phoneCountry": null, "sendNewNotes": false,
               "followUp": {"enabled": false, "title": "Follow up", "dueInDays": 2}, "verboseLog": false,
               "refreshSharePercent": 10, "alerts": {"onAuthFailure": true, "afterFailures": 3, "windowMinutes": 60}, "hostsOff": [],
               "sectionsOff": [], "dataCheck": {"schedule": "off", "alertOver": 0, "alertStale": true}})
    );
    let wanted = json!({"syncEnabled": false, "cadenceMinutes": 30, "phoneCountry": "us", "sendNewNotes": true,
                        "followUp": {"enabled": true, "title": " Call back ", "dueInDays": 3}});
    let saved = fixture.page(json!({"type": "preferences.save", "preferences": wanted})).await.unwrap();
    assert_eq!(saved["phoneCountry"], "US");
    assert_eq!(saved["followUp"]["title"], "Call back");
    assert_eq!(fixture.page(json!({"type": "preferences.get"})).await.unwrap(), saved);

    let error = fixture.page(json!({"type": "preferences.save", "preferences": {"cadenceMinutes": 0}})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidSettings);
    let error = fixture.page(json!({"type": "preferences.save", "preferences": {"cadence": 5}})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidMessage);
    assert!(error.message.contains("does not take `cadence`"), "{}", error.message);
    assert_eq!(fixture.page(json!({"type": "preferences.get"})).await.unwrap(), saved, "a refused save changes nothing");
}

#[tokio::test]
async fn content_scripts_cannot_reach_the_options_messages() {
    let fixture = CoreFixture::configured().await;
    for message in [
        json!({"type": "preferences.get"}),
        json!({"type": "preferences.save", "preferences": {}}),
        json!({"type": "data.export"}),
        json!({"type": "data.reset"}),
        json!({"type": "oauth.start", "redirectUri": REDIRECT}),
        json!({"type": "oauth.finish", "redirectUrl": REDIRECT}),
    ] {
        assert_eq!(fixture.send(message.clone()).await.unwrap_err().code, ErrorCode::ForbiddenSender, "{message}");
    }
    assert_eq!(fixture.page(json!({"type": "settings.get"})).await.unwrap()["configured"], true, "nothing was reset");
}

#[tokio::test]
async fn the_phone_country_preference_reads_numbers_without_a_country() {
    let fixture = CoreFixture::configured().await;
    let record = json!({"host": "app.commusoft.co.uk", "recordId": "77", "name": "Sam Vale", "mobile": "(212) 555-0143"});
    let before = fixture.send(json!({"type": "panel.load", "record": record})).await.unwrap_err();
    assert_eq!(before.code, ErrorCode::NoIdentity, "not a GB number: nothing to look up");
    fixture.page(json!({"type": "preferences.save", "preferences": {"phoneCountry": "US"}})).await.unwrap();
    let after = fixture.send(json!({"type": "panel.load", "record": record})).await.unwrap();
    assert_eq!(after["searched"], json!(["phone +12125550143"]));
}

#[tokio::test]
async fn export_never_carries_the_token_and_reset_forgets_everything() {
    let fixture = CoreFixture::configured().await;
    fixture
        .send(json!({"type": "panel.load", "record": {"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"}}))
        .await
        .unwrap();
    let exported = fixture.page(json!({"type": "data.export"})).await.unwrap();
    assert_eq!(exported["format"], "ghl-bridge-settings/1");
    assert_eq!(exported["settings"]["locationId"], DEMO_LOCATION);
    assert_eq!(exported["preferences"]["cadenceMinutes"], 15);
    assert!(!exported.to_string().contains(DEMO_TOKEN), "{exported}");

    let reset = fixture.page(json!({"type": "data.reset"})).await.unwrap();
    assert_eq!(reset, json!({"configured": false}));
    assert_eq!(fixture.page(json!({"type": "settings.get"})).await.unwrap(), json!({"configured": false}));
    let error = fixture.send(json!({"type": "panel.load", "record": {"host": "app.commusoft.co.uk", "recordId": "42"}})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotConfigured);
}

#[tokio::test]
async fn connect_exchanges_the_code_once_and_checks_the_answer() {
    let fixture = CoreFixture::new().await;
    let error = fixture.page(json!({"type": "oauth.start", "redirectUri": REDIRECT})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::NotConfigured);
    fixture.save_oauth().await;
    let error = fixture.page(json!({"type": "oauth.start", "redirectUri": "https://evil.example/"})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidMessage);

    // GHL refused (the user closed the consent screen).
    fixture.start_connect().await;
    let denied = format!("{REDIRECT}?error=access_denied&error_description=The+user+denied+access");
    let error = fixture.page(json!({"type": "oauth.finish", "redirectUrl": denied})).await.unwrap_err();
    assert!(error.message.contains("The user denied access"), "{}", error.message);

    // An answer to another attempt.
    fixture.start_connect().await;
    let foreign = format!("{REDIRECT}?code=c1&state=00000000000000000000000000000000");
    let error = fixture.page(json!({"type": "oauth.finish", "redirectUrl": foreign})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ReconnectNeeded);
    assert!(error.message.contains("another connection attempt"), "{}", error.message);

    // The real thing; then the same answer again finds nothing pending.
    fixture.sandbox.state().register_oauth(&json!({"clientId": CLIENT_ID, "code": "code-1", "locationId": DEMO_LOCATION})).unwrap();
    let state = fixture.start_connect().await;
    let answer = format!("{REDIRECT}?code=code-1&state={state}");
    let view = fixture.page(json!({"type": "oauth.finish", "redirectUrl": answer})).await.unwrap();
    assert_eq!(view["authKind"], "oauth");
    let report = fixture.page(json!({"type": "connection.check"})).await.unwrap();
    assert_eq!(report["contactsReadonly"], true, "{report}");
    let error = fixture.page(json!({"type": "oauth.finish", "redirectUrl": answer})).await.unwrap_err();
    assert!(error.message.contains("expired"), "{}", error.message);
    let exchanges = fixture.api_requests().iter().filter(|entry| entry["path"] == "/oauth/token").count();
    assert_eq!(exchanges, 1, "one code exchange in all");
}

#[tokio::test]
async fn connect_refuses_a_token_for_another_location() {
    let fixture = CoreFixture::new().await;
    fixture.save_oauth().await;
    fixture.sandbox.state().register_oauth(&json!({"clientId": CLIENT_ID, "code": "code-2", "locationId": "SomeOtherLocation"})).unwrap();
    let state = fixture.start_connect().await;
    let answer = format!("{REDIRECT}?code=code-2&state={state}");
    let error = fixture.page(json!({"type": "oauth.finish", "redirectUrl": answer})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidSettings);
    assert!(error.message.contains("You authorized location SomeOtherLocation"), "{}", error.message);
    // Refused and not kept: nothing can be sent with the other location's tokens.
    let before = fixture.api_requests().len();
    let load = fixture
        .send(json!({"type": "panel.load", "record": {"host": "app.commusoft.co.uk", "recordId": "42", "email": "jane.doe@example.com"}}))
        .await;
    assert_eq!(load.unwrap_err().code, ErrorCode::ReconnectNeeded);
    assert!(fixture.api_requests().iter().skip(before).all(|e| e["path"] == "/oauth/token"), "no GHL call with a foreign token");
}

#[tokio::test]
async fn connect_requires_the_state_it_sent() {
    let fixture = CoreFixture::new().await;
    fixture.save_oauth().await;
    fixture.sandbox.state().register_oauth(&json!({"clientId": CLIENT_ID, "code": "code-3", "locationId": DEMO_LOCATION})).unwrap();
    fixture.start_connect().await;
    let without_state = format!("{REDIRECT}?code=code-3");
    let error = fixture.page(json!({"type": "oauth.finish", "redirectUrl": without_state})).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ReconnectNeeded, "an answer without our state is not ours");
    assert!(fixture.api_requests().iter().all(|e| e["path"] != "/oauth/token"), "the code was never exchanged");
}

#[tokio::test]
async fn an_empty_token_keeps_the_saved_one() {
    let fixture = CoreFixture::new().await;
    let empty = json!({"type": "settings.save", "settings": {"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": ""}}});
    assert_eq!(fixture.page(empty.clone()).await.unwrap_err().code, ErrorCode::InvalidSettings, "nothing saved to keep");
    fixture.save_token(DEMO_TOKEN).await;
    let view = fixture.page(empty).await.unwrap();
    assert_eq!(view["tokenHint"], format!("…{}", &DEMO_TOKEN[DEMO_TOKEN.len() - 4..]));
    assert_eq!(fixture.page(json!({"type": "connection.check"})).await.unwrap()["contactsWrite"], true);
}
