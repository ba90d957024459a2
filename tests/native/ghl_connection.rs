//! "Test connection" against the sandbox: location, scopes present and missing, rate headroom — and no data
//! changed by the probes.

use crate::support::*;
use ghl_bridge::ghl::GhlClient;
use ghl_bridge::platform::error::ErrorCode;

fn client(sandbox: &ghl_sandbox::Sandbox, token: &str) -> TestClient {
    GhlClient::new(leaked_platform(), pit_config(sandbox, token))
}

#[tokio::test]
async fn a_full_token_reports_the_location_both_scopes_and_headroom() {
    let sandbox = sandbox().await;
    let before = sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let report = client(&sandbox, DEMO_TOKEN).check_connection().await.unwrap();
    assert_eq!(report.location_id, DEMO_LOCATION);
    assert!(report.location_name.as_deref().is_some_and(|name| !name.is_empty()), "{report:?}");
    assert!(report.contacts_readonly && report.contacts_write);
    assert!(report.missing_scopes.is_empty());
    let rate = report.rate_limit.expect("headers seen");
    assert_eq!((rate.max, rate.interval_ms), (Some(100), Some(10_000)));
    assert!(rate.remaining.is_some_and(|left| left < 100));
    assert_eq!(sandbox.state().location_state(DEMO_LOCATION).unwrap(), before, "the probes changed nothing");
}

#[tokio::test]
async fn a_read_only_token_is_told_what_it_lacks() {
    let sandbox = sandbox().await;
    let report = client(&sandbox, "pit-sandbox-readonly-token").check_connection().await.unwrap();
    assert!(report.contacts_readonly);
    assert!(!report.contacts_write);
    assert_eq!(report.missing_scopes, ["contacts.write"]);
}

#[tokio::test]
async fn a_bad_token_or_a_foreign_location_is_an_error_saying_what_to_fix() {
    let sandbox = sandbox().await;
    let error = client(&sandbox, "pit-00000000-not-a-real-token").check_connection().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unauthorized);
    assert!(error.message.contains("Private Integration Token"));
    let error = client(&sandbox, "pit-sandbox-other-location").check_connection().await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains(DEMO_LOCATION));
}
