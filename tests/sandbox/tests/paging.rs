//! Paging through 600 generated contacts: search by page and by searchAfter, and the
//! deprecated list's cursor (which needs `locationId` re-sent, as with GHL).

mod common;

use std::collections::HashSet;

use common::Env;
use serde_json::{json, Value};

const LOC: &str = "PagingLocation00001";
const TOKEN: &str = "pit-paging";

async fn env_with_600() -> Env {
    let env = Env::empty().await;
    let r = env
        .admin("POST", "/tokens", Some(json!({"token": TOKEN, "locationId": LOC, "scopes": ["contacts.readonly", "contacts.write"]})))
        .await;
    assert_eq!(r.status, 200);
    let r = env.admin("POST", "/seed", Some(json!({"locationId": LOC, "contacts": 600}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"], 600);
    env
}

#[tokio::test]
async fn search_pages_by_page_and_by_search_after() {
    let env = env_with_600().await;
    let search = |body: Value| env.call_as(TOKEN, "POST", "/contacts/search", Some(body));

    let mut by_page = Vec::new();
    for page in 1..=7 {
        let r = search(json!({"locationId": LOC, "pageLimit": 100, "page": page})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["total"], 600);
        let ids = common::ids(&r.json["contacts"]);
        assert_eq!(ids.len(), if page <= 6 { 100 } else { 0 });
        by_page.extend(ids);
    }
    assert_eq!(by_page.iter().collect::<HashSet<_>>().len(), 600);

    let mut by_cursor = Vec::new();
    let mut after: Option<Value> = None;
    for _ in 0..20 {
        let mut body = json!({"locationId": LOC, "pageLimit": 250});
        if let Some(a) = &after {
            body["searchAfter"] = a.clone();
        }
        let r = search(body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["total"], 600);
        let contacts = r.json["contacts"].as_array().unwrap();
        if contacts.is_empty() {
            break;
        }
        after = Some(contacts.last().unwrap()["searchAfter"].clone());
        by_cursor.extend(common::ids(&r.json["contacts"]));
    }
    assert_eq!(by_cursor, by_page, "both paging styles give the same order");

    // A sorted search pages consistently too.
    let sort = json!([{"field": "email", "direction": "asc"}]);
    let first = search(json!({"locationId": LOC, "pageLimit": 300, "sort": sort})).await;
    let cursor = first.json["contacts"][299]["searchAfter"].clone();
    let second = search(json!({"locationId": LOC, "pageLimit": 300, "sort": sort, "searchAfter": cursor})).await;
    let mut emails: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|r| r.json["contacts"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(emails.len(), 600);
    let sorted = {
        let mut s = emails.clone();
        s.sort();
        s
    };
    assert_eq!(emails, sorted);
    emails.dedup();
    assert_eq!(emails.len(), 600);

    // Filters count against the total.
    let r = search(json!({"locationId": LOC, "pageLimit": 10, "filters": [{"field": "tags", "operator": "eq", "value": "vip"}]})).await;
    assert_eq!(r.json["total"], 60);
}

#[tokio::test]
async fn deprecated_list_paging_with_start_after_id() {
    let env = env_with_600().await;
    let r = env.call_as(TOKEN, "GET", &format!("/contacts/?locationId={LOC}&limit=100"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["meta"]["total"], 600);
    assert_eq!(r.json["meta"]["currentPage"], 1);
    let mut all = common::ids(&r.json["contacts"]);
    let mut next = r.json["meta"]["nextPageUrl"].as_str().unwrap().to_string();
    assert!(!next.contains("locationId"), "GHL's nextPageUrl leaves locationId out: {next}");
    assert!(next.contains("startAfterId="));

    // Following nextPageUrl as given fails like GHL (n8n#11353)...
    let path = next.strip_prefix(&env.base).unwrap().to_string();
    let r = env.call_as(TOKEN, "GET", &path, None).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json["message"], "The token does not have access to this location.");

    // ...and works with locationId added back.
    for page in 2..=10 {
        let path = format!("{}&locationId={LOC}", next.strip_prefix(&env.base).unwrap());
        let r = env.call_as(TOKEN, "GET", &path, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["meta"]["currentPage"], page);
        all.extend(common::ids(&r.json["contacts"]));
        match r.json["meta"]["nextPageUrl"].as_str() {
            Some(n) => next = n.to_string(),
            None => {
                assert_eq!(page, 6);
                assert_eq!(r.json["meta"]["nextPage"], Value::Null);
                break;
            }
        }
    }
    assert_eq!(all.len(), 600);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 600);

    // startAfter alone (epoch ms) and the limit bound.
    let r = env.call_as(TOKEN, "GET", &format!("/contacts/?locationId={LOC}&limit=101"), None).await;
    assert_eq!(r.status, 422);
    let r = env.call_as(TOKEN, "GET", &format!("/contacts/?locationId={LOC}&query=oliver.jones"), None).await;
    assert!(r.json["meta"]["total"].as_u64().unwrap() >= 1);
}
