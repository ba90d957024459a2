//! Test helpers: an in-process sandbox on port 0 and a small JSON client.
#![allow(dead_code)]

use ghl_sandbox::{demo, Config, Sandbox, Seed};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Env {
    pub sandbox: Sandbox,
    pub client: reqwest::Client,
    pub base: String,
}

impl Env {
    pub async fn new() -> Env {
        Env::with(Config::default()).await
    }

    pub async fn empty() -> Env {
        Env::with(Config { seed: Seed::None, ..Config::default() }).await
    }

    pub async fn with(config: Config) -> Env {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let base = sandbox.http_url();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        Env { sandbox, client, base }
    }

    /// A request with explicit token and version (None leaves the header out).
    pub async fn raw(
        &self,
        token: Option<&str>,
        version: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Resp, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            rb = rb.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(v) = version {
            rb = rb.header("Version", v);
        }
        if let Some(b) = body {
            rb = rb.header("Content-Type", "application/json").body(b.to_string());
        }
        let r = rb.send().await?;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Resp { status, headers, text, json })
    }

    pub async fn call_as(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.raw(Some(token), Some(demo::VERSION), method, path, body).await.expect("request succeeds")
    }

    /// A request with the demo token and the right version.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.call_as(demo::TOKEN, method, path, body).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }

    /// An admin call over HTTP.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.raw(None, None, method, &format!("/__admin{path}"), body).await.expect("admin request succeeds")
    }

    pub async fn log(&self) -> Vec<Value> {
        let r = self.admin("GET", "/log", None).await;
        r.json["entries"].as_array().cloned().unwrap_or_default()
    }
}

pub fn ids(contacts: &Value) -> Vec<String> {
    contacts.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}
