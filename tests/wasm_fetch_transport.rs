//! The fetch transport and the GHL client, compiled to wasm and run inside a real service worker in headless
//! Chromium, against the GHL sandbox (`GHL_SANDBOX_URL`, set by `./build.sh test`).
#![cfg(target_arch = "wasm32")]

use ghl_bridge::ghl::{ClientConfig, Credential, DuplicateKey, GhlClient, Platform};
use ghl_bridge::platform::error::ErrorCode;
use ghl_bridge::platform::http::{HttpRequest, Method, Transport, TransportErrorKind, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES};
use ghl_bridge::platform::store::MemoryStore;
use ghl_bridge::wasm::{BrowserClock, FetchTransport};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_service_worker);

const DEMO_TOKEN: &str = "pit-sandbox-demo-token";
const DEMO_LOCATION: &str = "SandboxLocation00001";

fn sandbox() -> &'static str {
    option_env!("GHL_SANDBOX_URL").expect("GHL_SANDBOX_URL must name a running ghl-sandbox (./build.sh test sets it)")
}

fn client(token: &str) -> GhlClient<'static, FetchTransport, MemoryStore, BrowserClock> {
    // Leaked: each test's client lives until the worker ends, which is the end of the test run.
    let platform = Box::leak(Box::new(Platform::new(FetchTransport, MemoryStore::new(), BrowserClock)));
    let config = ClientConfig {
        base_url: sandbox().to_owned(),
        location_id: DEMO_LOCATION.to_owned(),
        credential: Credential::PrivateIntegrationToken(token.to_owned()),
    };
    GhlClient::new(platform, config)
}

#[wasm_bindgen_test]
async fn finds_a_contact_by_email_then_reads_it() {
    let client = client(DEMO_TOKEN);
    let found = client.find_duplicate(DuplicateKey::Email("jane.doe@example.com")).await.unwrap().expect("Jane is seeded");
    let contact = client.get_contact(found.id.as_deref().unwrap()).await.unwrap();
    assert_eq!(contact.display_name().as_deref(), Some("Jane Doe"));
    assert_eq!(contact.email.as_deref(), Some("jane.doe@example.com"));
}

#[wasm_bindgen_test]
async fn an_unknown_email_is_no_match() {
    let found = client(DEMO_TOKEN).find_duplicate(DuplicateKey::Email("nobody+x@example.com")).await.unwrap();
    assert!(found.is_none());
}

#[wasm_bindgen_test]
async fn a_rejected_token_is_a_typed_unauthorized_error() {
    let error = client("pit-not-a-known-token").get_contact("DemoContactJane0001").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unauthorized);
    assert_eq!(error.status, Some(401));
    assert!(error.message.contains("Private Integration Token"));
}

#[wasm_bindgen_test]
async fn exposes_status_headers_and_body_of_raw_responses() {
    let response = FetchTransport
        .send(HttpRequest {
            method: Method::Get,
            url: format!("{}/contacts/DemoContactJane0001", sandbox()),
            headers: vec![("Authorization".into(), format!("Bearer {DEMO_TOKEN}")), ("Version".into(), "2021-07-28".into())],
            body: None,
            timeout_ms: 10_000,
            max_body_bytes: MAX_RESPONSE_BYTES,
        })
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert!(response.header("x-ratelimit-remaining").is_some(), "rate-limit headers must be readable: {:?}", response.headers);
    assert!(response.body.contains("DemoContactJane0001"));
}

#[wasm_bindgen_test]
async fn sends_json_bodies_on_delete() {
    let tag = "wasm-transport-test";
    let headers = vec![
        ("Authorization".into(), format!("Bearer {DEMO_TOKEN}")),
        ("Version".into(), "2021-07-28".into()),
        ("Content-Type".into(), "application/json".into()),
    ];
    let url = format!("{}/contacts/DemoContactRobert01/tags", sandbox());
    let body = Some(format!(r#"{{"tags":["{tag}"]}}"#));
    let added = FetchTransport
        .send(HttpRequest {
            method: Method::Post,
            url: url.clone(),
            headers: headers.clone(),
            body: body.clone(),
            timeout_ms: 10_000,
            max_body_bytes: MAX_RESPONSE_BYTES,
        })
        .await
        .unwrap();
    assert_eq!(added.status, 201, "{}", added.body);
    assert!(added.body.contains(tag));
    let removed = FetchTransport
        .send(HttpRequest { method: Method::Delete, url, headers, body, timeout_ms: 10_000, max_body_bytes: MAX_RESPONSE_BYTES })
        .await
        .unwrap();
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(!removed.body.contains(tag));
}

#[wasm_bindgen_test]
async fn an_unreachable_host_is_a_network_error() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    let error = FetchTransport
        .send(HttpRequest {
            method: Method::Get,
            url: "http://127.0.0.1:9/contacts/x".into(),
            headers: vec![],
            body: None,
            timeout_ms: 5_000,
            max_body_bytes: MAX_RESPONSE_BYTES,
        })
        .await
        .unwrap_err();
    assert_eq!(error.kind, TransportErrorKind::Network);
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out() {
    // The sandbox delays matching requests; the transport must abort at the request's timeout.
    let admin = FetchTransport
        .send(HttpRequest {
            method: Method::Post,
            url: format!("{}/__admin/faults", sandbox()),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(r#"{"latencyMs":3000,"pathPrefix":"/contacts/DemoContactMaria001"}"#.into()),
            timeout_ms: 5_000,
            max_body_bytes: MAX_RESPONSE_BYTES,
        })
        .await
        .unwrap();
    assert!(admin.status < 300, "{}", admin.body);
    let slow = FetchTransport
        .send(HttpRequest {
            method: Method::Get,
            url: format!("{}/contacts/DemoContactMaria001", sandbox()),
            headers: vec![("Authorization".into(), format!("Bearer {DEMO_TOKEN}")), ("Version".into(), "2021-07-28".into())],
            body: None,
            timeout_ms: 500,
            max_body_bytes: MAX_RESPONSE_BYTES,
        })
        .await;
    let _ = FetchTransport
        .send(HttpRequest {
            method: Method::Delete,
            url: format!("{}/__admin/faults", sandbox()),
            headers: vec![],
            body: None,
            timeout_ms: 5_000,
            max_body_bytes: MAX_RESPONSE_BYTES,
        })
        .await;
    let error = slow.unwrap_err();
    assert_eq!(error.kind, TransportErrorKind::Timeout, "{error:?}");
}

async fn set_faults(spec: String) {
    let method = if spec.is_empty() { Method::Delete } else { Method::Post };
    let answer = FetchTransport
        .send(HttpRequest {
            method,
            url: format!("{}/__admin/faults", sandbox()),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: (!spec.is_empty()).then_some(spec),
            timeout_ms: 5_000,
            max_body_bytes: MAX_RESPONSE_BYTES,
        })
        .await
        .unwrap();
    assert!(answer.status < 300, "{}", answer.body);
}

/// Priya: a contact no other test here reads, so the faults below meet only these requests.
fn get_priya(max_body_bytes: usize) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!("{}/contacts/DemoContactPriya001", sandbox()),
        headers: vec![("Authorization".into(), format!("Bearer {DEMO_TOKEN}")), ("Version".into(), "2021-07-28".into())],
        body: None,
        timeout_ms: 20_000,
        max_body_bytes,
    }
}

#[wasm_bindgen_test]
async fn an_oversized_answer_is_refused_whether_declared_or_streamed_and_an_error_answer_is_cut() {
    let priya = r#""pathPrefix":"/contacts/DemoContactPriya001""#;
    for declared in [true, false] {
        set_faults(format!(r#"{{{priya},"next":[{{"oversizeBytes":67108864,"declared":{declared}}}]}}"#)).await;
        let error = FetchTransport.send(get_priya(1024 * 1024)).await.unwrap_err();
        assert_eq!(error.kind, TransportErrorKind::Body, "declared {declared}: {error:?}");
        assert!(error.detail.contains("larger than 1024 KB"), "{}", error.detail);
    }
    let noisy = "x".repeat(200_000);
    set_faults(format!(r#"{{{priya},"next":[{{"status":422,"body":"{noisy}"}}]}}"#)).await;
    let answer = FetchTransport.send(get_priya(MAX_RESPONSE_BYTES)).await.unwrap();
    set_faults(String::new()).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.body.len(), MAX_ERROR_BODY_BYTES, "an error answer keeps its first 64 KB");
    assert_eq!(FetchTransport.send(get_priya(MAX_RESPONSE_BYTES)).await.unwrap().status, 200);
}
