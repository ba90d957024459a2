//! OAuth token rotation, the request log, CORS, reset and the admin state dump.

mod common;

use common::Env;
use ghl_sandbox::demo::{self, DEMO_LOCATION, JANE};
use serde_json::{json, Value};

async fn token_call(env: &Env, form: &str) -> common::Resp {
    let r = env
        .client
        .post(format!("{}/oauth/token", env.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    common::Resp { status, headers, text, json }
}

#[tokio::test]
async fn oauth_refresh_rotates_and_codes_are_single_use() {
    let env = Env::new().await;
    let r = env
        .admin(
            "POST",
            "/oauth",
            Some(json!({"clientId": "app-1", "refreshToken": "rt-first", "code": "code-1",
        "locationId": DEMO_LOCATION, "scopes": ["contacts.readonly"], "accessTtlSeconds": 3600})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r =
        token_call(&env, "client_id=app-1&client_secret=s3cret&grant_type=refresh_token&refresh_token=rt-first&user_type=Location").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["token_type"], "Bearer");
    assert_eq!(r.json["expires_in"], 3600);
    assert_eq!(r.json["locationId"], DEMO_LOCATION);
    assert_eq!(r.json["userType"], "Location");
    assert_eq!(r.json["scope"], "contacts.readonly");
    let access = r.json["access_token"].as_str().unwrap().to_string();
    let refresh = r.json["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(refresh, "rt-first");

    // The new access token works with its scopes only.
    assert_eq!(env.call_as(&access, "GET", &format!("/contacts/{JANE}"), None).await.status, 200);
    assert_eq!(env.call_as(&access, "DELETE", &format!("/contacts/{JANE}"), None).await.status, 401);

    // The used refresh token is dead; the new one works once.
    let r = token_call(&env, "client_id=app-1&client_secret=s3cret&grant_type=refresh_token&refresh_token=rt-first").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json["error"], "invalid_grant");
    let r = token_call(&env, &format!("client_id=app-1&client_secret=s3cret&grant_type=refresh_token&refresh_token={refresh}")).await;
    assert_eq!(r.status, 200);
    let r = token_call(&env, &format!("client_id=app-1&client_secret=s3cret&grant_type=refresh_token&refresh_token={refresh}")).await;
    assert_eq!(r.status, 401);

    // Authorization code: single use, client id must match.
    let r = token_call(&env, "client_id=other&client_secret=x&grant_type=authorization_code&code=code-1").await;
    assert_eq!(r.status, 401);
    let r = token_call(
        &env,
        "client_id=app-1&client_secret=x&grant_type=authorization_code&code=code-1&redirect_uri=https%3A%2F%2Fexample.com%2Fcb",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(token_call(&env, "client_id=app-1&client_secret=x&grant_type=authorization_code&code=code-1").await.status, 401);

    // Missing fields and unknown grants.
    let r = token_call(&env, "grant_type=refresh_token").await;
    assert_eq!(r.status, 422);
    assert_eq!(token_call(&env, "client_id=a&client_secret=b&grant_type=password").await.status, 400);

    // A zero lifetime: the access token is already expired.
    env.admin("POST", "/oauth", Some(json!({"refreshToken": "rt-zero", "locationId": DEMO_LOCATION, "accessTtlSeconds": 0}))).await;
    let r = token_call(&env, "client_id=a&client_secret=b&grant_type=refresh_token&refresh_token=rt-zero").await;
    let access = r.json["access_token"].as_str().unwrap().to_string();
    assert_eq!(env.call_as(&access, "GET", &format!("/contacts/{JANE}"), None).await.status, 401);

    // Secrets never reach the log.
    let log = serde_json::to_string(&env.log().await).unwrap();
    for secret in ["rt-first", "s3cret", "code-1", refresh.as_str()] {
        assert!(!log.contains(secret), "{secret} leaked into the log");
    }
}

#[tokio::test]
async fn request_log_records_requests_without_tokens() {
    let env = Env::new().await;
    env.get(&format!("/contacts/?locationId={DEMO_LOCATION}&limit=2")).await;
    env.call("POST", &format!("/contacts/{JANE}/notes"), Some(json!({"body": "logged body"}))).await;
    env.raw(None, None, "GET", "/contacts/x", None).await.unwrap();
    env.admin("POST", "/ratelimit", Some(json!({"max": 100}))).await;
    env.raw(None, None, "OPTIONS", "/contacts/", None).await.unwrap();

    let log = env.log().await;
    assert_eq!(log.len(), 3, "admin calls and preflights are not logged: {log:#?}");
    let first = &log[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/contacts/");
    assert_eq!(first["query"], format!("locationId={DEMO_LOCATION}&limit=2"));
    assert_eq!(first["status"], 200);
    assert_eq!(first["location"], DEMO_LOCATION);
    assert_eq!(first["version"], demo::VERSION);
    assert_eq!(first["auth"], "bearer");
    assert_eq!(first["body"], Value::Null);
    assert_eq!(first["fault"], Value::Null);
    assert!(first["seq"].as_u64().unwrap() >= 1);
    assert!(first["at"].is_u64());
    assert!(first["durationMs"].is_u64());
    assert_eq!(log[1]["status"], 201);
    assert_eq!(log[1]["body"], json!({"body": "logged body"}));
    assert_eq!(log[2]["status"], 401);
    assert_eq!(log[2]["auth"], Value::Null);
    assert_eq!(log[2]["location"], Value::Null);

    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(demo::TOKEN));
    assert!(!text.contains("pit-"));

    let since = log[1]["seq"].as_u64().unwrap();
    let r = env.admin("GET", &format!("/log?since={since}"), None).await;
    assert_eq!(r.json["entries"].as_array().unwrap().len(), 1);
    assert_eq!(env.sandbox.state().log(since).len(), 1);
    env.admin("DELETE", "/log", None).await;
    assert!(env.log().await.is_empty());
    env.get(&format!("/contacts/{JANE}")).await;
    let log = env.log().await;
    assert_eq!(log.len(), 1);
    assert!(log[0]["seq"].as_u64().unwrap() > since, "sequence numbers keep growing");
}

#[tokio::test]
async fn cors_on_preflight_and_errors() {
    let env = Env::new().await;
    let r = env
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/contacts/search", env.base))
        .header("Origin", "chrome-extension://abc")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,version,content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    let allow = h["access-control-allow-headers"].to_str().unwrap();
    for name in ["authorization", "version", "content-type"] {
        assert!(allow.contains(name), "{allow}");
    }
    let r = env.raw(None, None, "GET", "/contacts/x", None).await.unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let expose = r.header("access-control-expose-headers").unwrap();
    assert!(expose.contains("x-ratelimit-remaining") && expose.contains("x-ratelimit-daily-remaining"));
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
}

#[tokio::test]
async fn reset_state_and_seed() {
    let env = Env::new().await;
    env.call("DELETE", &format!("/contacts/{JANE}"), None).await;
    assert_eq!(env.get(&format!("/contacts/{JANE}")).await.status, 404);
    env.admin("POST", "/faults", Some(json!({"latencyMs": 2000}))).await;

    let r = env.admin("GET", &format!("/state?locationId={DEMO_LOCATION}"), None).await;
    assert_eq!(r.json["contacts"].as_array().unwrap().len(), 3);
    assert_eq!(r.json["notes"].as_array().unwrap().len(), 0, "notes go with their contact");
    assert_eq!(r.json["users"].as_array().unwrap().len(), 2);
    assert_eq!(r.json["customFields"].as_array().unwrap().len(), 3);

    assert_eq!(env.admin("POST", "/reset", Some(json!({"seed": "demo"}))).await.status, 200);
    assert!(env.log().await.is_empty());
    let started = std::time::Instant::now();
    assert_eq!(env.get(&format!("/contacts/{JANE}")).await.status, 200);
    assert!(started.elapsed() < std::time::Duration::from_millis(1500), "faults cleared by reset");
    let state = env.sandbox.state().location_state(DEMO_LOCATION).unwrap();
    assert_eq!(state["contacts"].as_array().unwrap().len(), 4);
    assert_eq!(state["notes"].as_array().unwrap().len(), 3);
    assert_eq!(state["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(state["appointments"].as_array().unwrap().len(), 2);

    // Ids are deterministic across resets.
    let create = || env.call("POST", "/contacts/", Some(json!({"locationId": DEMO_LOCATION, "firstName": "Det"})));
    let a = create().await.json["contact"]["id"].clone();
    env.admin("POST", "/reset", None).await;
    let b = create().await.json["contact"]["id"].clone();
    assert_eq!(a, b);

    assert_eq!(env.admin("POST", "/reset", Some(json!({"seed": "none"}))).await.status, 200);
    assert_eq!(env.get(&format!("/contacts/{JANE}")).await.status, 401, "no tokens without the demo seed");
    assert_eq!(env.admin("POST", "/reset", Some(json!({"seed": "weird"}))).await.status, 422);
    assert_eq!(env.admin("GET", "/nothing", None).await.status, 404);
    let (status, body) = env.sandbox.state().admin("POST", "/__admin/reset", &json!({"seed": "demo"}));
    assert_eq!((status, &body["ok"]), (200, &json!(true)));
    assert_eq!(env.get(&format!("/contacts/{JANE}")).await.status, 200);
}
