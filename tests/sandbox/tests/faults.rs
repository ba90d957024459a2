//! Rate limits and fault injection: status, drop-after-commit, malformed, latency, the `next`
//! queue, and seeded randomness.

mod common;

use std::time::{Duration, Instant};

use common::Env;
use ghl_sandbox::demo::{self, DEMO_LOCATION, JANE};
use serde_json::{json, Value};

#[tokio::test]
async fn rate_limit_window_and_daily_budget() {
    let env = Env::new().await;
    let r = env.admin("POST", "/ratelimit", Some(json!({"max": 3, "intervalMs": 60000, "daily": 200000}))).await;
    assert_eq!(r.status, 200);
    let path = format!("/contacts/{JANE}");
    for expected in [2, 1, 0] {
        let r = env.get(&path).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-ratelimit-remaining"), Some(expected.to_string().as_str()));
        assert_eq!(r.header("x-ratelimit-max"), Some("3"));
        assert_eq!(r.header("x-ratelimit-interval-milliseconds"), Some("60000"));
        assert_eq!(r.header("x-ratelimit-limit-daily"), Some("200000"));
    }
    let r = env.get(&path).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json["statusCode"], 429);
    assert_eq!(r.json["message"], "Too many requests");
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    // Refused requests do not count against the daily budget.
    assert_eq!(r.header("x-ratelimit-daily-remaining"), Some("199997"));
    assert_eq!(env.get(&path).await.header("x-ratelimit-daily-remaining"), Some("199997"));
    // Other locations have their own budget.
    assert_eq!(
        env.call_as(demo::OTHER_LOCATION_TOKEN, "GET", "/contacts/search/duplicate?locationId=OtherLocation000002&email=a%40b.co", None)
            .await
            .status,
        200
    );
    // The admin API is not rate limited.
    assert_eq!(env.admin("GET", "/log", None).await.status, 200);

    // A short window refills.
    env.sandbox.state().set_rate_limit(2, 1000, 200_000);
    assert_eq!(env.get(&path).await.status, 200);
    assert_eq!(env.get(&path).await.status, 200);
    assert_eq!(env.get(&path).await.status, 429);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(env.get(&path).await.status, 200);

    // Daily budget.
    env.admin("POST", "/ratelimit", Some(json!({"max": 100, "intervalMs": 10000, "daily": 2}))).await;
    assert_eq!(env.get(&path).await.header("x-ratelimit-daily-remaining"), Some("1"));
    assert_eq!(env.get(&path).await.header("x-ratelimit-daily-remaining"), Some("0"));
    let r = env.get(&path).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("x-ratelimit-daily-remaining"), Some("0"));
    assert_eq!(env.admin("POST", "/ratelimit", Some(json!({"max": 0, "bogus": 1}))).await.status, 422);
}

#[tokio::test]
async fn status_fault_answers_before_any_change() {
    let env = Env::new().await;
    let r =
        env.admin("POST", "/faults", Some(json!({"next": [{"status": 500}, {"status": 503, "body": "<html>bad gateway</html>"}]}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = json!({"locationId": DEMO_LOCATION, "firstName": "Faulty", "email": "faulty@example.com"});
    let r = env.call("POST", "/contacts/", Some(body.clone())).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json["statusCode"], 500);
    assert_eq!(r.json["message"], "Internal Server Error");
    let r = env.call("POST", "/contacts/", Some(body.clone())).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.text, "<html>bad gateway</html>");
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // Nothing was created by the failed calls.
    let r = env.get(&format!("/contacts/search/duplicate?locationId={DEMO_LOCATION}&email=faulty%40example.com")).await;
    assert_eq!(r.json["contact"], Value::Null);
    assert_eq!(env.call("POST", "/contacts/", Some(body)).await.status, 201);
    let log = env.log().await;
    let faults: Vec<&Value> = log.iter().map(|e| &e["fault"]).collect();
    assert_eq!(faults[..3], [&json!("status"), &json!("status"), &Value::Null]);
}

#[tokio::test]
async fn drop_after_commit_closes_without_a_response() {
    let env = Env::new().await;
    env.admin("POST", "/faults", Some(json!({"next": [{"drop": true}]}))).await;
    let notes = format!("/contacts/{JANE}/notes");
    let err = env.raw(Some(demo::TOKEN), Some(demo::VERSION), "POST", &notes, Some(json!({"body": "written then dropped"}))).await;
    assert!(err.is_err(), "the client must see a network error, got {:?}", err.map(|r| r.status));
    // The change was committed anyway.
    let r = env.get(&notes).await;
    let bodies: Vec<&str> = r.json["notes"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
    assert!(bodies.contains(&"written then dropped"), "{bodies:?}");
    let log = env.log().await;
    let dropped = log.iter().find(|e| e["fault"] == "drop").expect("logged");
    assert_eq!(dropped["status"], 201);
    assert_eq!(dropped["method"], "POST");
}

#[tokio::test]
async fn malformed_commits_and_truncates() {
    let env = Env::new().await;
    env.sandbox.state().set_faults(&json!({"next": [{"malformed": true}]})).unwrap();
    let tasks = format!("/contacts/{JANE}/tasks");
    let r = env.call("POST", &tasks, Some(json!({"title": "Half a reply", "dueDate": "2030-01-01T09:00:00Z", "completed": false}))).await;
    assert_eq!(r.status, 201);
    assert!(serde_json::from_str::<Value>(&r.text).is_err(), "body should not parse: {}", r.text);
    assert!(r.text.starts_with('{'));
    let r = env.get(&tasks).await;
    assert!(r.json["tasks"].as_array().unwrap().iter().any(|t| t["title"] == "Half a reply"));
}

#[tokio::test]
async fn latency_overlaps_between_concurrent_requests() {
    let env = Env::new().await;
    env.admin("POST", "/faults", Some(json!({"latencyMs": 400}))).await;
    let path = format!("/contacts/{JANE}");
    let started = Instant::now();
    let (a, b, c, d) = tokio::join!(env.get(&path), env.get(&path), env.get(&path), env.get(&path));
    let elapsed = started.elapsed();
    assert!([a.status, b.status, c.status, d.status].iter().all(|s| *s == 200));
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    // One after the other they would take 1600 ms.
    assert!(elapsed < Duration::from_millis(1200), "requests should overlap: {elapsed:?}");
    let log = env.log().await;
    assert!(log.iter().all(|e| e["fault"] == "latency" && e["durationMs"].as_u64().unwrap() >= 400));
    env.admin("DELETE", "/faults", None).await;
    let started = Instant::now();
    env.get(&path).await;
    assert!(started.elapsed() < Duration::from_millis(390));
}

#[tokio::test]
async fn next_queue_applies_in_order_to_matching_requests() {
    let env = Env::new().await;
    let spec = json!({"pathPrefix": "/contacts", "methods": ["POST"],
        "next": [{"status": 500}, {"drop": true}, {"malformed": true}, {"status": 503, "body": "<html>bad gateway</html>"}]});
    assert_eq!(env.admin("POST", "/faults", Some(spec)).await.status, 200);
    let notes = format!("/contacts/{JANE}/notes");
    let post = || env.raw(Some(demo::TOKEN), Some(demo::VERSION), "POST", &notes, Some(json!({"body": "q"})));
    // Non-matching requests do not consume the queue.
    assert_eq!(env.get(&notes).await.status, 200);
    assert_eq!(env.get("/users/DemoUserAlex000001").await.status, 200);
    assert_eq!(post().await.unwrap().status, 500);
    assert!(post().await.is_err());
    let r = post().await.unwrap();
    assert_eq!(r.status, 201);
    assert!(r.json.is_null());
    let r = post().await.unwrap();
    assert_eq!((r.status, r.text.as_str()), (503, "<html>bad gateway</html>"));
    let r = post().await.unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(r.json["note"]["body"], "q");
    // Invalid specs are refused.
    assert_eq!(env.admin("POST", "/faults", Some(json!({"statusRates": {"abc": 0.5}}))).await.status, 422);
    assert_eq!(env.admin("POST", "/faults", Some(json!({"latencyMs": 5, "unknown": true}))).await.status, 422);
}

#[tokio::test]
async fn random_faults_repeat_with_the_same_seed() {
    let env = Env::new().await;
    let spec = json!({"statusRates": {"500": 0.3, "429": 0.2}, "seed": 42, "pathPrefix": "/users"});
    let mut runs = Vec::new();
    for _ in 0..2 {
        env.admin("POST", "/faults", Some(spec.clone())).await;
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(env.get("/users/DemoUserAlex000001").await.status);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&500) && runs[0].contains(&429) && runs[0].contains(&200), "{:?}", runs[0]);
    // A 429 from a fault uses GHL's body.
    env.admin("POST", "/faults", Some(json!({"next": [{"status": 429}]}))).await;
    let r = env.get("/users/DemoUserAlex000001").await;
    assert_eq!(r.json["message"], "Too many requests");
}
