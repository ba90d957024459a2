//! The GHL API surface: auth, headers, every endpoint family, validation and duplicates.

mod common;

use common::Env;
use ghl_sandbox::demo::{self, DEMO_LOCATION, JANE, ROBERT};
use serde_json::{json, Value};

#[tokio::test]
async fn auth_version_scope_and_location_errors() {
    let env = Env::new().await;
    let path = format!("/contacts/{JANE}");

    let r = env.raw(None, Some(demo::VERSION), "GET", &path, None).await.unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.json["message"], "Invalid JWT");
    assert_eq!(r.json["error"], "Unauthorized");
    assert_eq!(r.json["statusCode"], 401);
    assert!(r.json["traceId"].as_str().is_some_and(|t| !t.is_empty()));

    let r = env.raw(Some("pit-nope"), Some(demo::VERSION), "GET", &path, None).await.unwrap();
    assert_eq!((r.status, r.json["message"].as_str()), (401, Some("Invalid JWT")));

    let r = env.raw(Some(demo::TOKEN), None, "GET", &path, None).await.unwrap();
    assert_eq!((r.status, r.json["message"].as_str()), (400, Some("version header was not found")));

    let r = env.raw(Some(demo::TOKEN), Some("2023-02-21"), "GET", &path, None).await.unwrap();
    assert_eq!((r.status, r.json["message"].as_str()), (400, Some("Unsupported version")));

    let r = env.call_as(demo::READONLY_TOKEN, "POST", "/contacts/", Some(json!({"locationId": DEMO_LOCATION, "firstName": "X"}))).await;
    assert_eq!((r.status, r.json["message"].as_str()), (401, Some("The token is not authorized for this scope.")));
    let r = env.call_as(demo::READONLY_TOKEN, "GET", &path, None).await;
    assert_eq!(r.status, 200);

    let r = env.get(&format!("{path}?locationId={}", demo::OTHER_LOCATION)).await;
    assert_eq!((r.status, r.json["message"].as_str()), (403, Some("The token does not have access to this location.")));
    let r = env.call("POST", "/contacts/", Some(json!({"locationId": demo::OTHER_LOCATION, "firstName": "X"}))).await;
    assert_eq!(r.status, 403);
    let r = env.get(&format!("/locations/{}", demo::OTHER_LOCATION)).await;
    assert_eq!(r.status, 403);

    // Ids of another location are simply not found.
    let r = env.call_as(demo::OTHER_LOCATION_TOKEN, "GET", &path, None).await;
    assert_eq!((r.status, r.json["message"].as_str()), (404, Some("Contact not found")));
    let r = env.call_as(demo::OTHER_LOCATION_TOKEN, "GET", &format!("{path}/notes/DemoNoteJane00000001"), None).await;
    assert_eq!(r.status, 404);

    // Expired tokens answer 401 from then on.
    let r = env.admin("POST", "/tokens/expire", Some(json!({"token": demo::READONLY_TOKEN}))).await;
    assert_eq!(r.status, 200);
    let r = env.call_as(demo::READONLY_TOKEN, "GET", &path, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(env.get(&path).await.status, 200);

    // Tokens added through the admin API, with a lifetime.
    let r = env
        .admin(
            "POST",
            "/tokens",
            Some(json!({"token": "pit-short", "locationId": DEMO_LOCATION, "scopes": ["contacts.readonly"], "expiresInMs": 1000})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(env.call_as("pit-short", "GET", &path, None).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(env.call_as("pit-short", "GET", &path, None).await.status, 401);

    let r = env.get("/nowhere/at/all").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn contact_crud() {
    let env = Env::new().await;
    let r = env
        .call(
            "POST",
            "/contacts/",
            Some(json!({
                "locationId": DEMO_LOCATION, "firstName": "Rosan", "lastName": "Deo", "email": "Rosan@Deos.com",
                "phone": "+1 888-888-8888", "tags": ["New Lead", "new lead", " boiler "], "source": "public api", "country": "US",
                "dateOfBirth": "09/25/1990", "companyName": "DGS", "dndSettings": {"Call": {"status": "active", "message": "", "code": ""}},
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = &r.json["contact"];
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 20);
    assert!(id.chars().all(|ch| ch.is_ascii_alphanumeric()));
    assert_eq!(c["phone"], "+18888888888");
    assert_eq!(c["emailLowerCase"], "rosan@deos.com");
    assert_eq!(c["tags"], json!(["new lead", "boiler"]));
    assert_eq!(c["dateOfBirth"], "1990-09-25T00:00:00.000Z");
    assert_eq!(c["birthMonth"], 8);
    assert_eq!(c["locationId"], DEMO_LOCATION);
    assert!(c["dateAdded"].as_str().unwrap().ends_with('Z'));

    let r = env.get(&format!("/contacts/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["contact"]["firstName"], "Rosan");
    assert_eq!(r.json["contact"]["dndSettings"]["Call"]["status"], "active");

    let r = env.call("PUT", &format!("/contacts/{id}"), Some(json!({"firstName": "Rosanne", "tags": ["replaced"], "city": null}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["succeded"], true);
    assert_eq!(r.json["contact"]["firstName"], "Rosanne");
    assert_eq!(r.json["contact"]["tags"], json!(["replaced"]));

    let r = env.call("DELETE", &format!("/contacts/{id}"), None).await;
    assert_eq!((r.status, &r.json["succeded"]), (200, &json!(true)));
    let r = env.get(&format!("/contacts/{id}")).await;
    assert_eq!((r.status, r.json["message"].as_str()), (404, Some("Contact not found")));
    assert_eq!(env.call("DELETE", &format!("/contacts/{id}"), None).await.status, 404);
}

#[tokio::test]
async fn validation_errors() {
    let env = Env::new().await;
    let r = env.call("POST", "/contacts/", Some(json!({"locationId": DEMO_LOCATION, "additionalEmails": ["a@b.co"]}))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["message"], json!(["property additionalEmails should not exist"]));
    assert_eq!(r.json["error"], "Unprocessable Entity");
    assert_eq!(r.json["statusCode"], 422);

    let r = env.call("POST", "/contacts/", Some(json!({"firstName": "NoLocation"}))).await;
    assert_eq!((r.status, r.json["message"].clone()), (422, json!(["locationId should not be empty"])));

    let r = env.call("PUT", &format!("/contacts/{JANE}"), Some(json!({"companyName": "x", "locationId": DEMO_LOCATION}))).await;
    assert_eq!(r.status, 422);
    let msgs = r.json["message"].as_array().unwrap();
    assert!(msgs.contains(&json!("property companyName should not exist")));
    assert!(msgs.contains(&json!("property locationId should not exist")));

    let r =
        env.call("POST", &format!("/contacts/{JANE}/tasks"), Some(json!({"completed": "yes", "dueDate": "2020-10-25T11:00:00Z"}))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["message"], json!(["title should not be empty", "completed must be a boolean value"]));

    let r = env
        .call("POST", &format!("/contacts/{JANE}/tasks"), Some(json!({"title": "t", "completed": false, "dueDate": "next tuesday"})))
        .await;
    assert_eq!(r.status, 422);

    let r = env.call("POST", &format!("/contacts/{JANE}/notes"), Some(json!({"title": "no body"}))).await;
    assert_eq!((r.status, r.json["message"].clone()), (422, json!(["body should not be empty"])));

    // Custom fields take {id|key, field_value}; v3's fieldValue is refused on v2.
    let r =
        env.call("PUT", &format!("/contacts/{JANE}"), Some(json!({"customFields": [{"id": demo::FIELD_BOILER, "fieldValue": "x"}]}))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["message"], json!(["customFields.0.property fieldValue should not exist"]));
    let r = env
        .call("PUT", &format!("/contacts/{JANE}"), Some(json!({"customFields": [{"key": "service_plan", "field_value": "Gold"}]})))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);

    let r = env.call("PUT", &format!("/contacts/{JANE}"), Some(json!({"dndSettings": {"Email": {"status": "maybe"}}}))).await;
    assert_eq!(r.status, 422);

    // Malformed JSON is a 400.
    let r = env
        .client
        .post(format!("{}/contacts/", env.base))
        .header("Authorization", format!("Bearer {}", demo::TOKEN))
        .header("Version", demo::VERSION)
        .header("Content-Type", "application/json")
        .body("{\"locationId\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["statusCode"], 400);

    // Big garbage bodies are refused cleanly, not a crash.
    let big = "x".repeat(9 * 1024 * 1024);
    let r = env.client.post(format!("{}/contacts/", env.base)).body(big).send().await;
    if let Ok(r) = r {
        assert_eq!(r.status().as_u16(), 413);
    }
    assert_eq!(env.get(&format!("/contacts/{JANE}")).await.status, 200);
}

#[tokio::test]
async fn custom_fields_in_and_out() {
    let env = Env::new().await;
    let r = env
        .call(
            "POST",
            "/contacts/",
            Some(json!({"locationId": DEMO_LOCATION, "firstName": "Cf", "email": "cf@example.com",
            "customFields": [{"key": "boiler_model", "field_value": "Vaillant ecoTEC"}, {"id": demo::FIELD_PLAN, "field_value": "Basic"},
                             {"key": "contact.last_service_date", "field_value": "2026-01-02"}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json["contact"]["customFields"],
        json!([{"id": demo::FIELD_BOILER, "value": "Vaillant ecoTEC"}, {"id": demo::FIELD_PLAN, "value": "Basic"},
               {"id": demo::FIELD_LAST_SERVICE, "value": "2026-01-02"}])
    );
    let id = r.json["contact"]["id"].as_str().unwrap().to_string();
    let r =
        env.call("PUT", &format!("/contacts/{id}"), Some(json!({"customFields": [{"id": demo::FIELD_BOILER, "field_value": null}]}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["contact"]["customFields"].as_array().unwrap().len(), 2);

    let r = env
        .call("POST", "/contacts/", Some(json!({"locationId": DEMO_LOCATION, "customFields": [{"id": "NoSuchField", "field_value": "x"}]})))
        .await;
    assert_eq!(r.status, 422);

    let r = env.get(&format!("/locations/{DEMO_LOCATION}/customFields?model=contact")).await;
    assert_eq!(r.status, 200);
    let keys: Vec<&str> = r.json["customFields"].as_array().unwrap().iter().map(|f| f["fieldKey"].as_str().unwrap()).collect();
    assert_eq!(keys, ["contact.boiler_model", "contact.service_plan", "contact.last_service_date"]);
    assert_eq!(r.json["customFields"][1]["dataType"], "SINGLE_OPTIONS");
    assert_eq!(r.json["customFields"][1]["picklistOptions"], json!(["Basic", "Premium"]));
    let r = env.get(&format!("/locations/{DEMO_LOCATION}/customFields/{}", demo::FIELD_PLAN)).await;
    assert_eq!(r.json["customField"]["name"], "Service Plan");
    let r = env.call_as(demo::READONLY_TOKEN, "GET", &format!("/locations/{DEMO_LOCATION}/customFields"), None).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn duplicates_and_upsert() {
    let env = Env::new().await;
    let r = env
        .call("POST", "/contacts/", Some(json!({"locationId": DEMO_LOCATION, "firstName": "Janet", "email": "JANE.DOE@example.com"})))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["message"], "This location does not allow duplicated contacts.");
    assert_eq!(r.json["meta"], json!({"contactId": JANE, "contactName": "Jane Doe", "matchingField": "email"}));
    assert!(r.json["traceId"].is_string());

    let r = env.call("POST", "/contacts/", Some(json!({"locationId": DEMO_LOCATION, "phone": "+44 7700 900234"}))).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["meta"]["contactId"], ROBERT);
    assert_eq!(r.json["meta"]["matchingField"], "phone");

    let loc = DEMO_LOCATION;
    let r = env.get(&format!("/contacts/search/duplicate?locationId={loc}&email=Jane.Doe%40Example.com")).await;
    assert_eq!((r.status, r.json["contact"]["id"].as_str()), (200, Some(JANE)));
    let r = env.get(&format!("/contacts/search/duplicate?locationId={loc}&number=%2B44%20(7700)%20900-234")).await;
    assert_eq!(r.json["contact"]["id"], ROBERT);
    let r = env.get(&format!("/contacts/search/duplicate?locationId={loc}&email=nobody%40example.com")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["contact"], Value::Null);
    assert!(r.json.as_object().unwrap().contains_key("contact"));
    let r = env.get("/contacts/search/duplicate?email=jane.doe%40example.com").await;
    assert_eq!(r.status, 403);

    // Upsert: an existing email updates (new=false); an unknown one creates (new=true); both 200.
    let r = env.call("POST", "/contacts/upsert", Some(json!({"locationId": loc, "email": "jane.doe@example.com", "city": "Leeds"}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["new"], false);
    assert_eq!(r.json["contact"]["id"], JANE);
    assert_eq!(r.json["contact"]["city"], "Leeds");
    let r =
        env.call("POST", "/contacts/upsert", Some(json!({"locationId": loc, "email": "fresh@example.com", "firstName": "Fresh"}))).await;
    assert_eq!((r.status, &r.json["new"]), (200, &json!(true)));
    // Email matches Jane, phone matches Robert: Jane is updated, the phone is ignored.
    let r = env
        .call("POST", "/contacts/upsert", Some(json!({"locationId": loc, "email": "jane.doe@example.com", "phone": "+447700900234"})))
        .await;
    assert_eq!(r.json["contact"]["id"], JANE);
    assert_eq!(r.json["contact"]["phone"], "+447700900123");
    let r = env.call("POST", "/contacts/upsert", Some(json!({"locationId": loc, "emails": "x"}))).await;
    assert_eq!(r.status, 422);

    // Updating onto another contact's email is refused too.
    let r = env.call("PUT", &format!("/contacts/{ROBERT}"), Some(json!({"email": "jane.doe@example.com"}))).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn notes_crud() {
    let env = Env::new().await;
    let base = format!("/contacts/{JANE}/notes");
    let r = env.get(&base).await;
    assert_eq!(r.status, 200);
    let notes = r.json["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 3);
    assert_eq!(notes.iter().filter(|n| n["pinned"] == true).count(), 1);
    assert!(notes.iter().all(|n| n["contactId"] == JANE && n["body"].is_string() && n["dateAdded"].is_string()));

    let r = env
        .call(
            "POST",
            &base,
            Some(json!({"body": "lorem ipsum", "title": "Follow-up", "color": "#FFAA00", "pinned": false, "userId": demo::ALEX})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let note = r.json["note"].clone();
    let id = note["id"].as_str().unwrap();
    assert_eq!(note["body"], "lorem ipsum");
    assert_eq!(note["userId"], demo::ALEX);

    let r = env.get(&format!("{base}/{id}")).await;
    assert_eq!((r.status, &r.json["note"]["title"]), (200, &json!("Follow-up")));
    let r = env.call("PUT", &format!("{base}/{id}"), Some(json!({"body": "edited", "pinned": true}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["note"]["body"], "edited");
    assert_eq!(r.json["note"]["pinned"], true);
    assert_eq!(r.json["note"]["title"], "Follow-up");
    assert_eq!(env.get(&base).await.json["notes"].as_array().unwrap().len(), 4);

    // A note id under the wrong contact is not found.
    let r = env.get(&format!("/contacts/{ROBERT}/notes/{id}")).await;
    assert_eq!((r.status, r.json["message"].as_str()), (404, Some("Note not found")));

    let r = env.call("DELETE", &format!("{base}/{id}"), None).await;
    assert_eq!((r.status, &r.json["succeded"]), (200, &json!(true)));
    assert_eq!(env.get(&format!("{base}/{id}")).await.status, 404);
    assert_eq!(env.get("/contacts/NoSuchContact000001/notes").await.status, 404);
}

#[tokio::test]
async fn tasks_crud() {
    let env = Env::new().await;
    let base = format!("/contacts/{JANE}/tasks");
    let r = env.get(&base).await;
    let tasks = r.json["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 3);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let due = |t: &Value| -> i64 {
        // Parse "YYYY-MM-DDTHH:MM:SS.mmmZ" roughly by comparing strings against now's ISO form.
        let s = t["dueDate"].as_str().unwrap();
        assert_eq!(s.len(), 24, "{s}");
        assert!(s.ends_with('Z'));
        s.cmp(&iso_now(now)) as i64
    };
    let overdue = tasks.iter().filter(|t| t["completed"] == false && due(t) < 0).count();
    let upcoming = tasks.iter().filter(|t| t["completed"] == false && due(t) > 0).count();
    let done = tasks.iter().filter(|t| t["completed"] == true).count();
    assert_eq!((overdue, upcoming, done), (1, 1, 1));

    let r = env.call("POST", &base, Some(json!({"title": "Call back", "body": "re: quote", "dueDate": "2020-10-25T11:00:00Z", "completed": false, "assignedTo": demo::SAM}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t = r.json["task"].clone();
    assert_eq!(t["dueDate"], "2020-10-25T11:00:00.000Z");
    assert_eq!(t["contactId"], JANE);
    let id = t["id"].as_str().unwrap();

    let r = env.call("PUT", &format!("{base}/{id}/completed"), Some(json!({"completed": true}))).await;
    assert_eq!((r.status, &r.json["task"]["completed"]), (200, &json!(true)));
    let r = env.call("PUT", &format!("{base}/{id}/completed"), Some(json!({}))).await;
    assert_eq!(r.status, 422);
    let r = env
        .call("PUT", &format!("{base}/{id}"), Some(json!({"title": "Call back (done)", "dueDate": "2020-10-26T09:30:00.000+01:00"})))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["task"]["title"], "Call back (done)");
    assert_eq!(r.json["task"]["dueDate"], "2020-10-26T08:30:00.000Z");
    assert_eq!(r.json["task"]["body"], "re: quote");
    let r = env.get(&format!("{base}/{id}")).await;
    assert_eq!(r.json["task"]["completed"], true);
    let r = env.get(&format!("/contacts/{ROBERT}/tasks/{id}")).await;
    assert_eq!((r.status, r.json["message"].as_str()), (404, Some("Task not found")));
    let r = env.call("DELETE", &format!("{base}/{id}"), None).await;
    assert_eq!(r.json, json!({"succeded": true, "traceId": r.json["traceId"]}));
    assert_eq!(env.get(&base).await.json["tasks"].as_array().unwrap().len(), 3);
}

fn iso_now(ms: i64) -> String {
    // Days → civil date (same algorithm as the sandbox), enough for comparisons.
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    let rem = ms.rem_euclid(86_400_000);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000)
}

#[tokio::test]
async fn tags_appointments_users_locations() {
    let env = Env::new().await;
    let r = env.call("POST", &format!("/contacts/{ROBERT}/tags"), Some(json!({"tags": ["Boiler-Service", "trade"]}))).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json["tags"], json!(["trade", "boiler-service"]));
    let r = env.call("DELETE", &format!("/contacts/{ROBERT}/tags"), Some(json!({"tags": ["trade"]}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["tags"], json!(["boiler-service"]));
    let r = env.call("POST", &format!("/contacts/{ROBERT}/tags"), Some(json!({}))).await;
    assert_eq!(r.status, 422);

    let r = env.get(&format!("/contacts/{JANE}/appointments")).await;
    assert_eq!(r.status, 200);
    let events = r.json["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    for e in events {
        let s = e["startTime"].as_str().unwrap();
        assert_eq!(s.len(), 19);
        assert_eq!(&s[10..11], " ");
        assert_eq!(e["contactId"], JANE);
    }
    assert_eq!(env.get(&format!("/contacts/{ROBERT}/appointments")).await.json["events"], json!([]));

    let r = env.get(&format!("/users/?locationId={DEMO_LOCATION}")).await;
    assert_eq!(r.status, 200);
    let names: Vec<&str> = r.json["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alex Agent", "Sam Scheduler"]);
    let r = env.get(&format!("/users/{}", demo::SAM)).await;
    assert_eq!((r.status, r.json["name"].as_str()), (200, Some("Sam Scheduler")));
    assert_eq!(env.get("/users/NoSuchUser0000001").await.status, 404);
    let r = env.get(&format!("/users/search?companyId={}&locationId={DEMO_LOCATION}&query=alex", demo::COMPANY)).await;
    assert_eq!(r.json["count"], 1);

    let r = env.get(&format!("/locations/{DEMO_LOCATION}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["location"]["name"], "Sandbox Heating Ltd");
    assert_eq!(r.json["location"]["timezone"], "Europe/London");
    assert_eq!(r.json["location"]["companyId"], demo::COMPANY);
    assert_eq!(r.json["location"]["settings"]["allowDuplicateContact"], false);
    let r = env.call_as(demo::OTHER_LOCATION_TOKEN, "GET", &format!("/locations/{}", demo::OTHER_LOCATION), None).await;
    assert_eq!(r.status, 401, "the other-location token has no locations.readonly");
}

#[tokio::test]
async fn business_and_bulk() {
    let env = Env::new().await;
    let path = format!("/contacts/business/{}?locationId={DEMO_LOCATION}", demo::BUSINESS);
    let r = env.get(&path).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["count"], 2);
    let mut got = common::ids(&r.json["contacts"]);
    got.sort();
    assert_eq!(got, [JANE, ROBERT]);
    assert_eq!(env.get(&format!("/contacts/business/{}", demo::BUSINESS)).await.status, 403);

    let r = env
        .call(
            "POST",
            "/contacts/bulk/business",
            Some(json!({"locationId": DEMO_LOCATION, "ids": [demo::PRIYA, "Missing0000000000001"], "businessId": demo::BUSINESS})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["success"], true);
    assert_eq!(r.json["ids"], json!([demo::PRIYA]));
    assert_eq!(env.get(&path).await.json["count"], 3);
    let r =
        env.call("POST", "/contacts/bulk/business", Some(json!({"locationId": DEMO_LOCATION, "ids": [ROBERT], "businessId": null}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(env.get(&path).await.json["count"], 2);
    assert_eq!(env.get(&format!("{path}&limit=1&skip=1")).await.json["contacts"].as_array().unwrap().len(), 1);

    let r = env
        .call(
            "POST",
            "/contacts/bulk/tags/update/add",
            Some(json!({"locationId": DEMO_LOCATION, "contacts": [ROBERT, "Missing0000000000001"], "tags": ["bulk"]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["errorCount"], 1);
    assert_eq!(r.json["responses"][0]["tagsAdded"], json!(["bulk"]));
    let r = env
        .call(
            "POST",
            "/contacts/bulk/tags/update/remove",
            Some(json!({"locationId": DEMO_LOCATION, "contacts": [ROBERT], "tags": [], "removeAllTags": true})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(env.get(&format!("/contacts/{ROBERT}")).await.json["contact"]["tags"], json!([]));
    let r = env.call("POST", "/contacts/bulk/tags/update/sideways", Some(json!({}))).await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn search_filters_query_and_sort() {
    let env = Env::new().await;
    let search = |body: Value| env.call("POST", "/contacts/search", Some(body));
    let r = search(json!({"locationId": DEMO_LOCATION, "pageLimit": 20})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"], 4);
    assert!(r.json["traceId"].is_string());
    assert!(r.json["contacts"][0]["searchAfter"].is_array());

    let r = search(json!({"locationId": DEMO_LOCATION, "pageLimit": 20, "filters": [{"field": "tags", "operator": "eq", "value": "vip"}]}))
        .await;
    assert_eq!(common::ids(&r.json["contacts"]), [JANE]);
    let r = search(json!({"locationId": DEMO_LOCATION, "pageLimit": 20, "query": "smith"})).await;
    assert_eq!(common::ids(&r.json["contacts"]), [ROBERT]);
    let r = search(json!({"locationId": DEMO_LOCATION, "pageLimit": 20, "filters": [
        {"field": "country", "operator": "eq", "value": "GB"},
        {"group": "OR", "filters": [{"field": "firstNameLowerCase", "operator": "eq", "value": "priya"},
                                    {"field": "companyName", "operator": "contains", "value": "plumb"}]}],
        "sort": [{"field": "firstNameLowerCase", "direction": "desc"}]}))
    .await;
    assert_eq!(common::ids(&r.json["contacts"]), [ROBERT, demo::PRIYA]);
    let r =
        search(json!({"locationId": DEMO_LOCATION, "pageLimit": 20, "filters": [{"field": "companyName", "operator": "exists"}]})).await;
    assert_eq!(r.json["total"], 1);
    let r = search(json!({"locationId": DEMO_LOCATION, "pageLimit": 20, "filters": [{"field": "companyName", "operator": "not_exists"}]}))
        .await;
    assert_eq!(r.json["total"], 3);
    let r =
        search(json!({"locationId": DEMO_LOCATION, "pageLimit": 20, "sort": [{"field": "firstNameLowerCase", "direction": "asc"}]})).await;
    let names: Vec<&str> = r.json["contacts"].as_array().unwrap().iter().map(|c| c["firstName"].as_str().unwrap()).collect();
    assert_eq!(names, ["Jane", "Maria", "Priya", "Robert"]);

    // The undocumented required fields, and bad shapes.
    let r = search(json!({"locationId": DEMO_LOCATION})).await;
    assert_eq!((r.status, r.json["message"].clone()), (422, json!(["pageLimit should not be empty"])));
    let r = search(json!({"pageLimit": 10})).await;
    assert_eq!(r.status, 422);
    assert_eq!(search(json!({"locationId": DEMO_LOCATION, "pageLimit": 501})).await.status, 422);
    assert_eq!(
        search(json!({"locationId": DEMO_LOCATION, "pageLimit": 10, "filters": [{"field": "x", "operator": "like", "value": 1}]}))
            .await
            .status,
        422
    );
    assert_eq!(search(json!({"locationId": DEMO_LOCATION, "pageLimit": 100, "page": 101})).await.status, 422);
    assert_eq!(search(json!({"locationId": demo::OTHER_LOCATION, "pageLimit": 10})).await.status, 403);
}
