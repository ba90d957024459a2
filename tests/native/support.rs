//! Shared by the native integration tests: a reqwest [`Transport`] and an in-process GHL sandbox.

use ghl_bridge::ghl::retry::RetryPolicy;
use ghl_bridge::ghl::{ClientConfig, Credential, GhlClient, Platform};
use ghl_bridge::platform::clock::Clock;
use ghl_bridge::platform::http::{BodyReader, HttpRequest, HttpResponse, Method, Transport, TransportError, TransportErrorKind};
use ghl_bridge::platform::store::MemoryStore;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
        let max_body_bytes = request.max_body_bytes;
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let response = builder.send().await.map_err(|error| {
            let kind = if error.is_timeout() { TransportErrorKind::Timeout } else { TransportErrorKind::Network };
            TransportError::new(kind, error.to_string())
        })?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> =
            response.headers().iter().map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or("").to_owned())).collect();
        // Read as the browser transport reads: chunk by chunk, within the request's limit.
        let mut body = BodyReader::new(max_body_bytes, status, &headers)?;
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(|e| TransportError::new(TransportErrorKind::Network, e.to_string()))? {
            if body.push(&chunk)? {
                break;
            }
        }
        Ok(HttpResponse { status, headers, body: body.finish() })
    }
}

/// Real time on tokio: what `Date.now`/`setTimeout`/`Math.random` are on wasm.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_millis() as u64
    }
    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await
    }
    fn random(&self) -> f64 {
        // Jitter only needs spread, not quality: the low bits of the nanosecond clock.
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").subsec_nanos();
        (nanos.wrapping_mul(2_654_435_761) % 1_000_000) as f64 / 1_000_000.0
    }
    fn unguessable(&self) -> String {
        // std seeds every `RandomState` from the OS: enough for tests (the wasm build uses crypto.getRandomValues).
        use std::hash::{BuildHasher, Hasher};
        let half = || std::collections::hash_map::RandomState::new().build_hasher().finish();
        ghl_bridge::platform::clock::hex(&[half().to_le_bytes(), half().to_le_bytes()].concat())
    }
}

/// The default policy's bounds with short waits, so failure tests run fast.
pub const FAST_RETRY: RetryPolicy = RetryPolicy { max_attempts: 4, base_delay_ms: 10, max_delay_ms: 80, total_ms: 10_000 };

pub type TestPlatform = Platform<ReqwestTransport, MemoryStore, TokioClock>;
pub type TestClient = GhlClient<'static, ReqwestTransport, MemoryStore, TokioClock>;

pub fn platform() -> TestPlatform {
    Platform::new(ReqwestTransport::new(), MemoryStore::new(), TokioClock)
}

/// A platform that lives for the rest of the test process, so clients can be handed around freely.
pub fn leaked_platform() -> &'static TestPlatform {
    Box::leak(Box::new(platform()))
}

pub fn pit_config(sandbox: &ghl_sandbox::Sandbox, token: &str) -> ClientConfig {
    ClientConfig {
        base_url: sandbox.http_url(),
        location_id: DEMO_LOCATION.into(),
        credential: Credential::PrivateIntegrationToken(token.into()),
    }
}

/// A client with the demo PIT and its own platform.
pub fn demo_client(sandbox: &ghl_sandbox::Sandbox) -> TestClient {
    GhlClient::new(leaked_platform(), pit_config(sandbox, DEMO_TOKEN))
}

/// A fresh sandbox with the demo data, on ephemeral ports, quiet.
pub async fn sandbox() -> ghl_sandbox::Sandbox {
    let config = ghl_sandbox::Config { quiet: true, ..ghl_sandbox::Config::default() };
    ghl_sandbox::Sandbox::start(config).await.expect("sandbox starts")
}

/// For benchmarks: `cargo test --benches` runs each with `--list`, and they have no tests to list.
pub fn asked_for_a_list() -> bool {
    std::env::args().any(|arg| arg == "--list")
}

/// A sandbox enforcing `max` requests per `interval_ms` (and GHL's daily 200,000), with `count` generated contacts
/// in the demo location; answers those contacts as the sandbox holds them.
pub async fn sandbox_with_generated(max: u32, interval_ms: u64, count: usize) -> (ghl_sandbox::Sandbox, Vec<serde_json::Value>) {
    let sandbox = sandbox().await;
    sandbox.state().set_rate_limit(max, interval_ms, 200_000);
    sandbox.state().seed_contacts(DEMO_LOCATION, count).unwrap();
    let state = sandbox.state().location_state(DEMO_LOCATION).unwrap();
    let generated = state["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["tags"].as_array().is_some_and(|tags| tags.iter().any(|t| t == "generated")))
        .take(count)
        .cloned()
        .collect();
    (sandbox, generated)
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

/// The native core against a fresh sandbox, driven by messages as the extension's scripts send them.
pub struct CoreFixture {
    pub sandbox: ghl_sandbox::Sandbox,
    pub core: ghl_bridge::app::Core<ReqwestTransport, MemoryStore, TokioClock>,
}

impl CoreFixture {
    /// No settings saved yet.
    pub async fn new() -> Self {
        let sandbox = sandbox().await;
        let core = ghl_bridge::app::Core::new(platform().with_retry(FAST_RETRY), sandbox.http_url());
        Self { sandbox, core }
    }

    /// Connected with the demo token.
    pub async fn configured() -> Self {
        let fixture = Self::new().await;
        fixture.save_token(DEMO_TOKEN).await;
        fixture
    }

    pub async fn save_token(&self, token: &str) {
        let message = serde_json::json!({"type": "settings.save", "settings": {"locationId": DEMO_LOCATION, "auth": {"kind": "pit", "token": token}}});
        self.core.dispatch(&message.to_string(), &extension_page_sender()).await.expect("settings saved");
    }

    /// Sends a message as our content script on a Commusoft tab; the answer as JSON.
    pub async fn send(&self, message: serde_json::Value) -> Result<serde_json::Value, ghl_bridge::Error> {
        let answer = self.core.dispatch(&message.to_string(), &content_script_sender("app.commusoft.co.uk")).await?;
        Ok(serde_json::from_str(&answer).expect("answers are JSON"))
    }

    /// Sends a message as our content script on a tab of `host`; the answer as JSON.
    pub async fn send_from(&self, host: &str, message: serde_json::Value) -> Result<serde_json::Value, ghl_bridge::Error> {
        let answer = self.core.dispatch(&message.to_string(), &content_script_sender(host)).await?;
        Ok(serde_json::from_str(&answer).expect("answers are JSON"))
    }

    /// Sends a message as the options page; the answer as JSON.
    pub async fn page(&self, message: serde_json::Value) -> Result<serde_json::Value, ghl_bridge::Error> {
        let answer = self.core.dispatch(&message.to_string(), &extension_page_sender()).await?;
        Ok(serde_json::from_str(&answer).expect("answers are JSON"))
    }

    /// One collection (`contacts`, `notes`, `tasks`, …) of the demo location, as the sandbox holds it.
    pub fn stored(&self, collection: &str) -> Vec<serde_json::Value> {
        let state = self.sandbox.state().location_state(DEMO_LOCATION).expect("demo location");
        state[collection].as_array().cloned().unwrap_or_default()
    }

    /// Calls the sandbox's GHL API as GHL itself or a colleague in GHL would (set-up, changes made in GHL); the
    /// answer's JSON. Fails the test on an error status.
    pub async fn ghl(&self, method: reqwest::Method, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.sandbox.http_url()))
            .header("Authorization", format!("Bearer {DEMO_TOKEN}"))
            .header("Version", "2021-07-28");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{path} → {}", response.status());
        response.json().await.unwrap_or(serde_json::Value::Null)
    }

    pub fn api_requests(&self) -> Vec<serde_json::Value> {
        self.sandbox.state().log(0)
    }
}
