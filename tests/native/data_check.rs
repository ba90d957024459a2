//! The data check through the native core: what it finds, a run that outlives its worker, cancel, the report's
//! filters and export, the scheduled run's alert, and panel sections that cost no request when off.

use crate::support::*;
use reqwest::Method;
use serde_json::{json, Value};

fn record(id: &str, fields: Value) -> Value {
    let mut record = json!({"host": "app.commusoft.co.uk", "recordId": id});
    record.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    record
}

fn jane() -> Value {
    // The page shows another mobile than GHL has.
    record("42", json!({"name": "Jane Doe", "email": "jane.doe@example.com", "mobile": "07700 900999"}))
}
fn robert() -> Value {
    record("43", json!({"name": "Robert Smith", "email": "robert.smith@example.com"}))
}
fn priya() -> Value {
    record("44", json!({"name": "Priya Patel", "email": "priya.patel@example.com"}))
}

impl CoreFixture {
    /// Starts a check and steps it to the end; the last progress.
    async fn check_all(&self) -> Value {
        let mut progress = self.page(json!({"type": "dataCheck.start"})).await.unwrap();
        for _ in 0..100 {
            if progress["state"] != "running" {
                break;
            }
            progress = self.page(json!({"type": "dataCheck.step"})).await.unwrap();
        }
        progress
    }

    async fn findings(&self, filter: Value) -> Vec<Value> {
        self.page(json!({"type": "dataCheck.report", "filter": filter})).await.unwrap().as_array().unwrap().clone()
    }
}

/// Three linked records; in GHL: Robert deleted, Priya's email changed, a second contact with Jane's email.
async fn fixture_with_problems() -> CoreFixture {
    let fixture = paced_fixture_with_problems().await;
    // A fast budget: the check's pacing is measured by the bench, not waited out here.
    fixture.sandbox.state().set_rate_limit(1000, 1000, 200_000);
    fixture
}

/// The same at GHL's own budget (100 requests per 10 s): the check spaces its requests 250 ms apart.
async fn paced_fixture_with_problems() -> CoreFixture {
    let fixture = CoreFixture::configured().await;
    for record in [jane(), robert(), priya()] {
        fixture.send(json!({"type": "panel.load", "record": record})).await.unwrap();
    }
    fixture.ghl(Method::DELETE, "/contacts/DemoContactRobert01", None).await;
    fixture.ghl(Method::PUT, "/contacts/DemoContactPriya001", Some(json!({"email": "priya@new-employer.example"}))).await;
    fixture.sandbox.state().admin("POST", "/__admin/settings", &json!({"locationId": DEMO_LOCATION, "allowDuplicates": true}));
    let body = json!({"locationId": DEMO_LOCATION, "firstName": "J", "lastName": "Doe (copy)", "email": "jane.doe@example.com"});
    fixture.ghl(Method::POST, "/contacts/", Some(body)).await;
    fixture
}

fn kinds(finding: &Value) -> Vec<String> {
    finding["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn finds_fields_that_disagree_gone_contacts_stale_matches_and_duplicates() {
    let fixture = fixture_with_problems().await;
    let progress = fixture.check_all().await;
    assert_eq!(progress["state"], "done", "{progress}");
    assert_eq!(progress["total"], 3);
    assert_eq!(progress["done"], 3);
    assert_eq!(progress["recordsWithProblems"], 3);
    let findings = fixture.findings(json!({})).await;
    let by_id = |id: &str| findings.iter().find(|f| f["recordId"] == id).unwrap_or_else(|| panic!("{id} in {findings:?}")).clone();

    let jane = by_id("42");
    assert!(kinds(&jane).contains(&"fields".to_owned()) && kinds(&jane).contains(&"duplicate".to_owned()), "{jane}");
    let fields = &jane["problems"].as_array().unwrap().iter().find(|p| p["kind"] == "fields").unwrap()["fields"];
    assert_eq!(fields.as_array().unwrap().len(), 1, "only the mobile differs (names and email agree): {fields}");
    assert_eq!(fields[0]["ghlValue"], "+447700900123");
    assert_eq!(jane["label"], "Jane Doe");
    assert_eq!(jane["syncable"], true);
    assert_eq!(jane["pageUrl"], "https://app.commusoft.co.uk/customers/customer_list/42/view_v2/property/view");
    assert!(jane["ghlUrl"].as_str().unwrap().ends_with("/contacts/detail/DemoContactJane0001"));
    assert_eq!(jane["record"]["email"], "jane.doe@example.com", "the record as seen, for Sync this contact");

    assert_eq!(kinds(&by_id("43")), ["gone"]);
    let priya = by_id("44");
    assert!(kinds(&priya).contains(&"evidence".to_owned()), "{priya}");
    assert!(kinds(&priya).contains(&"fields".to_owned()), "the emails differ too: {priya}");

    // The report's filters.
    assert_eq!(fixture.findings(json!({"kinds": ["gone"]})).await.len(), 1);
    assert_eq!(fixture.findings(json!({"kinds": ["duplicate", "gone"]})).await.len(), 2);
    assert_eq!(fixture.findings(json!({"app": "commonsku"})).await.len(), 0);
    assert_eq!(fixture.findings(json!({"seenFromMs": 4_000_000_000_000u64})).await.len(), 0);
    let summary = &progress["history"][0];
    assert_eq!(summary["checked"], 3);
    assert_eq!(summary["state"], "done");
}

#[tokio::test]
async fn exports_csv_with_formulas_made_inert_and_json() {
    let fixture = CoreFixture::configured().await;
    fixture.sandbox.state().set_rate_limit(1000, 1000, 200_000);
    let planted =
        record("45", json!({"name": "=HYPERLINK(\"http://evil.example\")", "email": "jane.doe@example.com", "mobile": "07700 900999"}));
    fixture.send(json!({"type": "panel.load", "record": planted})).await.unwrap();
    fixture.check_all().await;
    let csv = fixture.page(json!({"type": "dataCheck.export", "format": "csv"})).await.unwrap();
    let csv = csv.as_str().unwrap();
    assert!(csv.starts_with("\"record\",\"host app\""), "{csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""), "a formula is shown, not run: {csv}");
    let json_text = fixture.page(json!({"type": "dataCheck.export", "format": "json"})).await.unwrap();
    let parsed: Value = serde_json::from_str(json_text.as_str().unwrap()).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 1);
    assert!(fixture.page(json!({"type": "dataCheck.export", "format": "xlsx"})).await.is_err());
}

#[tokio::test]
async fn a_run_goes_on_where_it_was_after_the_worker_stops_and_checks_each_record_once() {
    let fixture = paced_fixture_with_problems().await;
    fixture.sandbox.state().clear_log();
    fixture.page(json!({"type": "dataCheck.start"})).await.unwrap();
    // The worker stops while the check waits for its next slot (one record checked, two to go).
    let step = fixture.page(json!({"type": "dataCheck.step"}));
    assert!(tokio::time::timeout(std::time::Duration::from_millis(300), step).await.is_err(), "cut short");
    let progress = fixture.page(json!({"type": "dataCheck.status"})).await.unwrap();
    assert_eq!(progress["done"], 1, "{progress}");
    assert_eq!(progress["state"], "running");
    fixture.sandbox.state().set_rate_limit(1000, 1000, 200_000);
    let platform = ghl_bridge::ghl::Platform::new(ReqwestTransport::new(), fixture.core.store(), TokioClock).with_retry(FAST_RETRY);
    let restarted = ghl_bridge::app::Core::new(platform, fixture.sandbox.http_url());
    let mut progress = progress;
    for _ in 0..20 {
        if progress["state"] != "running" {
            break;
        }
        let answer = restarted.dispatch(&json!({"type": "dataCheck.step"}).to_string(), &extension_page_sender()).await.unwrap();
        progress = serde_json::from_str(&answer).unwrap();
    }
    assert_eq!(progress["state"], "done");
    let gets = |id: &str| fixture.api_requests().iter().filter(|r| r["method"] == "GET" && r["path"] == format!("/contacts/{id}")).count();
    assert_eq!(gets("DemoContactPriya001"), 1, "each record checked once");
    assert_eq!(gets("DemoContactJane0001"), 1);
}

#[tokio::test]
async fn cancel_stops_the_run_and_keeps_its_summary() {
    let fixture = fixture_with_problems().await;
    fixture.page(json!({"type": "dataCheck.start"})).await.unwrap();
    let cancelled = fixture.page(json!({"type": "dataCheck.cancel"})).await.unwrap();
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(cancelled["history"][0]["state"], "cancelled");
    let after = fixture.page(json!({"type": "dataCheck.step"})).await.unwrap();
    assert_eq!(after["done"], 0, "a cancelled run does not go on");
}

#[tokio::test]
async fn the_scheduled_check_runs_on_its_alarm_and_alerts_on_stale_links() {
    let fixture = fixture_with_problems().await;
    let preferences = json!({"dataCheck": {"schedule": "daily", "alertOver": 0, "alertStale": true}});
    fixture.page(json!({"type": "preferences.save", "preferences": preferences})).await.unwrap();
    let status: Value = serde_json::from_str(&fixture.core.on_alarm("status").await.unwrap()).unwrap();
    let alarm = status["alarms"].as_array().unwrap().iter().find(|a| a["name"] == ghl_bridge::features::data_check::ALARM).unwrap().clone();
    assert_eq!(alarm["periodInMinutes"], 1440, "the status keeps the schedule's alarm");
    let fired: Value = serde_json::from_str(&fixture.core.on_alarm(ghl_bridge::features::data_check::ALARM).await.unwrap()).unwrap();
    assert_eq!(fired["alarms"][0]["name"], ghl_bridge::features::data_check::CONTINUE_ALARM);
    assert_eq!(fired["alarms"][0]["periodInMinutes"], Value::Null, "the run finished in one firing");
    let after: Value = serde_json::from_str(&fixture.core.on_alarm("status").await.unwrap()).unwrap();
    assert_eq!(after["alert"]["title"], "GHL Bridge: data check", "{after}");
    assert!(after["alert"]["message"].as_str().unwrap().contains("2 links went stale"), "{after}");
}

#[tokio::test]
async fn panel_sections_switched_off_are_neither_drawn_nor_asked_of_ghl() {
    let fixture = CoreFixture::configured().await;
    let preferences = json!({"sectionsOff": ["commusoft.notes", "commusoft.appointments", "commusoft.tags"]});
    fixture.page(json!({"type": "preferences.save", "preferences": preferences})).await.unwrap();
    fixture.sandbox.state().clear_log();
    let view = fixture.send(json!({"type": "panel.load", "record": jane()})).await.unwrap();
    let paths: Vec<String> = fixture.api_requests().iter().map(|r| r["path"].as_str().unwrap().to_owned()).collect();
    assert!(!paths.iter().any(|p| p.ends_with("/notes") || p.ends_with("/appointments")), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("/tasks")), "tasks are still on: {paths:?}");
    assert_eq!(view["sectionsOff"], json!(["notes", "appointments", "tags"]));
    assert_eq!(view["notes"], json!([]));
    assert_eq!(view["contact"]["tags"], json!([]));
    let bad = fixture.page(json!({"type": "preferences.save", "preferences": {"sectionsOff": ["commusoft.invoices"]}})).await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn a_cancel_while_a_step_checks_is_not_undone_by_that_step() {
    let fixture = paced_fixture_with_problems().await;
    fixture.page(json!({"type": "dataCheck.start"})).await.unwrap();
    let step = fixture.page(json!({"type": "dataCheck.step"}));
    let cancel = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        fixture.page(json!({"type": "dataCheck.cancel"})).await.unwrap()
    };
    let (_, cancelled) = tokio::join!(step, cancel);
    assert_eq!(cancelled["state"], "cancelled");
    let after = fixture.page(json!({"type": "dataCheck.status"})).await.unwrap();
    assert_eq!(after["state"], "cancelled", "{after}");
    assert!(after["done"].as_u64().unwrap() < 3, "{after}");
}
