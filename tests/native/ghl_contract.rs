//! Contract: every contacts-API method of the client, called once against `prism mock` of GHL's official
//! OpenAPI spec (tests/contract/ghl-openapi/apps/contacts.json). Prism answers 422 with an `sl-violations`
//! header to any request that breaks the spec (missing `Version`, wrong body fields or types, bad params);
//! not one may occur. Prism's example answers must also parse.

use crate::support::*;
use ghl_bridge::ghl::contacts::PageCursor;
use ghl_bridge::ghl::requests::{ContactFields, NoteInput, TaskInput};
use ghl_bridge::ghl::{ClientConfig, Credential, DuplicateKey, GhlClient, Platform};
use ghl_bridge::platform::http::{HttpRequest, HttpResponse, Transport, TransportError};
use ghl_bridge::platform::store::MemoryStore;
use std::cell::RefCell;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A request Prism found fault with (its fields are read through `Debug`, in the failure message).
#[derive(Debug)]
#[allow(dead_code)]
struct Violation {
    request: String,
    status: u16,
    violations: String,
}

/// Passes requests on and keeps every one Prism rejected.
struct Watched {
    inner: ReqwestTransport,
    violations: RefCell<Vec<Violation>>,
    requests: RefCell<usize>,
}

impl Transport for Watched {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let label = format!("{} {} {}", request.method, request.url, request.body.clone().unwrap_or_default());
        *self.requests.borrow_mut() += 1;
        let response = self.inner.send(request).await?;
        // Prism also reports where its own example answers break the spec (e.g. `followers`); only faults in
        // our request count.
        let about_request = |v: &serde_json::Value| v["location"][0] == "request" && v["severity"] == "Error";
        let request_faults: Vec<serde_json::Value> = response
            .header("sl-violations")
            .and_then(|text| serde_json::from_str::<Vec<serde_json::Value>>(text).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(about_request)
            .collect();
        if !request_faults.is_empty() {
            let violations = serde_json::to_string(&request_faults).unwrap();
            self.violations.borrow_mut().push(Violation { request: label, status: response.status, violations });
        } else if response.status == 422 {
            self.violations.borrow_mut().push(Violation { request: label, status: 422, violations: response.body.clone() });
        }
        Ok(response)
    }
}

/// `prism mock` on a free port of 127.0.0.1, stopped when dropped.
struct Prism {
    child: Child,
    url: String,
}

impl Prism {
    async fn start() -> Prism {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let prism = root.join("node_modules/.bin/prism");
        assert!(prism.exists(), "{} is missing: run `npm ci` (./build.sh setup does)", prism.display());
        let spec = root.join("tests/contract/ghl-openapi/apps/contacts.json");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(prism)
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prism starts");
        let prism = Prism { child, url: format!("http://127.0.0.1:{port}") };
        let started = Instant::now();
        let http = reqwest::Client::new();
        loop {
            if http.get(format!("{}/contacts/x", prism.url)).send().await.is_ok() {
                return prism;
            }
            assert!(started.elapsed() < Duration::from_secs(90), "prism did not start within 90 s");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn every_contacts_request_validates_against_the_official_spec() {
    let prism = Prism::start().await;
    let transport = Watched { inner: ReqwestTransport::new(), violations: RefCell::default(), requests: RefCell::new(0) };
    let platform = Platform::new(transport, MemoryStore::new(), TokioClock).with_retry(FAST_RETRY);
    let client = GhlClient::new(
        &platform,
        ClientConfig {
            base_url: prism.url.clone(),
            location_id: "ve9EPM428h8vShlRW1KT".into(),
            credential: Credential::PrivateIntegrationToken("pit-contract-test-fake".into()),
        },
    );
    let contact = "seD4PfOuKoVMLkEZqohJ";
    let note = NoteInput { body: Some("Contract note".into()), title: None, user_id: None, color: None, pinned: Some(true) };
    let task = TaskInput {
        title: Some("Contract task".into()),
        body: Some("Check the boiler".into()),
        due_date: Some("2026-12-01T09:00:00Z".into()),
        completed: None,
        assigned_to: None,
    };
    let fields = ContactFields {
        first_name: Some("Olive".into()),
        last_name: Some("Okafor".into()),
        email: Some("olive@example.com".into()),
        phone: Some("+447700900123".into()),
        ..ContactFields::default()
    };
    let tags = vec!["vip".to_owned()];

    let mut outcomes: Vec<(&str, Result<(), String>)> = Vec::new();
    macro_rules! call {
        ($name:literal, $call:expr) => {
            outcomes.push(($name, $call.await.map(drop).map_err(|e| format!("{:?}: {}", e.code, e.message))));
        };
    }
    call!("get_contact", client.get_contact(contact));
    call!("find_duplicate email", client.find_duplicate(DuplicateKey::Email("olive@example.com")));
    call!("find_duplicate phone", client.find_duplicate(DuplicateKey::Phone("+447700900123")));
    call!("create_contact", client.create_contact(&fields, Some("Okafor Heating")));
    call!("update_contact", client.update_contact(contact, &fields));
    call!("upsert_contact", client.upsert_contact(&fields, Some("Okafor Heating")));
    call!("delete_contact", client.delete_contact(contact));
    call!("search_contacts", client.search_contacts(Some("olive"), 20, None));
    let cursor = PageCursor::SearchAfter(vec![ghl_bridge::platform::json::Json::Number("1700000000000".into())]);
    call!("search_contacts after", client.search_contacts(None, 20, Some(cursor)));
    call!("list_contacts", client.list_contacts(Some("olive"), 20, None));
    let cursor = PageCursor::StartAfter { id: contact.into(), timestamp: Some(1_700_000_000_000) };
    call!("list_contacts after", client.list_contacts(None, 20, Some(cursor)));
    call!("contacts_of_business", client.contacts_of_business("641c094001436dbc2081e642", 20, 0));
    call!("list_notes", client.list_notes(contact));
    call!("get_note", client.get_note(contact, "note-1"));
    call!("create_note", client.create_note(contact, &note));
    call!("update_note", client.update_note(contact, "note-1", &note));
    call!("delete_note", client.delete_note(contact, "note-1"));
    call!("list_tasks", client.list_tasks(contact));
    call!("get_task", client.get_task(contact, "task-1"));
    call!("create_task", client.create_task(contact, &task));
    call!("update_task", client.update_task(contact, "task-1", &task));
    call!("set_task_completed", client.set_task_completed(contact, "task-1", true));
    call!("delete_task", client.delete_task(contact, "task-1"));
    call!("list_appointments", client.list_appointments(contact));
    call!("add_tags", client.add_tags(contact, &tags));
    call!("remove_tags", client.remove_tags(contact, &tags));

    let violations = platform.transport.violations.borrow();
    assert!(violations.is_empty(), "requests the spec rejects:\n{violations:#?}");
    // The spec gives these two answers no schema, so Prism sends an empty body. The client refuses an empty
    // body on purpose: read as "no match", it could lead to creating a duplicate contact.
    let no_example = ["find_duplicate email", "find_duplicate phone", "search_contacts", "search_contacts after"];
    for (name, outcome) in outcomes.iter().filter(|(name, _)| no_example.contains(name)) {
        assert!(outcome.as_ref().is_err_and(|e| e.starts_with("BadResponse")), "{name}: {outcome:?}");
    }
    let failed: Vec<_> = outcomes.iter().filter(|(name, outcome)| outcome.is_err() && !no_example.contains(name)).collect();
    assert!(failed.is_empty(), "the spec's example answers must parse:\n{failed:#?}");
    assert!(*platform.transport.requests.borrow() >= outcomes.len());
}
