//! Shared by the native integration tests: a reqwest [`Transport`] and an in-process GHL sandbox.
#![allow(dead_code)]

use ghl_bridge::http::{HttpRequest, HttpResponse, Method, Transport, TransportError, TransportErrorKind};
use std::time::Duration;

pub const DEMO_TOKEN: &str = "pit-sandbox-demo-token";
pub const DEMO_LOCATION: &str = "SandboxLocation00001";
pub const EXTENSION_ID: &str = "abcdefghijklmnopabcdefghijklmnop";

/// The native transport: what fetch is on wasm.
pub struct ReqwestTransport(reqwest::Client);

impl ReqwestTransport {
    pub fn new() -> Self {
        Self(reqwest::Client::builder().build().expect("reqwest client"))
    }
}

impl Transport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.0.request(method, &request.url).timeout(Duration::from_millis(request.timeout_ms.into()));
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let response = builder.send().await.map_err(|error| {
            let kind = if error.is_timeout() { TransportErrorKind::Timeout } else { TransportErrorKind::Network };
            TransportError::new(kind, error.to_string())
        })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.text().await.map_err(|e| TransportError::new(TransportErrorKind::Body, e.to_string()))?;
        Ok(HttpResponse { status, headers, body })
    }
}

/// A fresh sandbox with the demo data, on ephemeral ports, quiet.
pub async fn sandbox() -> ghl_sandbox::Sandbox {
    let config = ghl_sandbox::Config { quiet: true, ..ghl_sandbox::Config::default() };
    ghl_sandbox::Sandbox::start(config).await.expect("sandbox starts")
}

/// A sender as the worker describes our content script on a Commusoft tab.
pub fn content_script_sender(host: &str) -> String {
    serde_json::json!({
        "extensionId": EXTENSION_ID,
        "extensionOrigin": format!("chrome-extension://{EXTENSION_ID}/"),
        "id": EXTENSION_ID,
        "url": format!("https://{host}/customers/customer_list/42/view_v2/property/view"),
        "tabId": 7,
        "frameId": 0,
    })
    .to_string()
}

/// A sender as the worker describes our options page.
pub fn extension_page_sender() -> String {
    serde_json::json!({
        "extensionId": EXTENSION_ID,
        "extensionOrigin": format!("chrome-extension://{EXTENSION_ID}/"),
        "id": EXTENSION_ID,
        "url": format!("chrome-extension://{EXTENSION_ID}/options.html"),
    })
    .to_string()
}
