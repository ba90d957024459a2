//! OAuth through the token endpoint (the sandbox plays it): refresh ahead of expiry and once on 401, one refresh
//! for many concurrent calls, the rotated pair stored before use, and a dead refresh token ending in
//! "reconnect needed" rather than a loop.

use crate::support::*;
use futures::future::join_all;
use ghl_bridge::ghl::auth::SESSION_KEY;
use ghl_bridge::ghl::{ClientConfig, Credential, GhlClient, OAuthEndpoint, OAuthSession, Platform};
use ghl_bridge::platform::error::{ErrorCode, Result};
use ghl_bridge::platform::http::{HttpRequest, HttpResponse, Transport, TransportError};
use ghl_bridge::platform::store::{self, MemoryStore, Store};
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;

const JANE: &str = "DemoContactJane0001";
const CLIENT_ID: &str = "sandbox-client-id";

/// What happened, in order: stores and sends.
type Journal = Rc<RefCell<Vec<String>>>;

struct JournalStore(MemoryStore, Journal);

impl Store for JournalStore {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        self.0.get(key).await
    }
    async fn set(&self, key: &str, json: String) -> Result<()> {
        self.1.borrow_mut().push(format!("store {key} {json}"));
        self.0.set(key, json).await
    }
    async fn remove(&self, key: &str) -> Result<()> {
        self.0.remove(key).await
    }
    async fn clear(&self) -> Result<()> {
        self.0.clear().await
    }
}

struct JournalTransport(ReqwestTransport, Journal);

impl Transport for JournalTransport {
    async fn send(&self, request: HttpRequest) -> std::result::Result<HttpResponse, TransportError> {
        let bearer = request.headers.iter().find(|(name, _)| name == "Authorization").map(|(_, v)| v.clone());
        self.1.borrow_mut().push(format!("send {} {}", request.url, bearer.unwrap_or_default()));
        self.0.send(request).await
    }
}

type OAuthPlatform = Platform<JournalTransport, JournalStore, TokioClock>;

struct Fixture {
    sandbox: ghl_sandbox::Sandbox,
    platform: &'static OAuthPlatform,
    journal: Journal,
}

impl Fixture {
    async fn new() -> Self {
        let sandbox = sandbox().await;
        let journal = Journal::default();
        let platform = Platform::new(
            JournalTransport(ReqwestTransport::new(), journal.clone()),
            JournalStore(MemoryStore::new(), journal.clone()),
            TokioClock,
        )
        .with_retry(FAST_RETRY);
        Self { sandbox, platform: Box::leak(Box::new(platform)), journal }
    }

    fn client(&self) -> GhlClient<'static, JournalTransport, JournalStore, TokioClock> {
        let endpoint = OAuthEndpoint { token_endpoint: format!("{}/oauth/token", self.sandbox.http_url()), client_id: CLIENT_ID.into() };
        GhlClient::new(
            self.platform,
            ClientConfig { base_url: self.sandbox.http_url(), location_id: DEMO_LOCATION.into(), credential: Credential::OAuth(endpoint) },
        )
    }

    /// A refresh token the sandbox knows, and a stored session holding it with the given access token.
    async fn session(&self, refresh_token: &str, access_token: &str, expires_at_ms: u64) {
        let grant = json!({"clientId": CLIENT_ID, "refreshToken": refresh_token, "locationId": DEMO_LOCATION});
        self.sandbox.state().register_oauth(&grant).unwrap();
        let session = OAuthSession {
            access_token: access_token.into(),
            refresh_token: refresh_token.into(),
            expires_at_ms,
            scope: None,
            location_id: None,
        };
        store::write(&self.platform.store.0, SESSION_KEY, &session).await.unwrap();
    }

    async fn stored_session(&self) -> OAuthSession {
        store::read(&self.platform.store.0, SESSION_KEY).await.unwrap().expect("a session is stored")
    }

    fn token_requests(&self) -> usize {
        self.sandbox.state().log(0).iter().filter(|entry| entry["path"] == "/oauth/token").count()
    }
}

fn now_ms() -> u64 {
    use ghl_bridge::platform::clock::Clock;
    TokioClock.now_ms()
}

#[tokio::test]
async fn ten_concurrent_calls_with_an_expired_token_share_one_refresh() {
    let fixture = Fixture::new().await;
    fixture.session("rt-first", "at-expired", now_ms() - 1_000).await;
    let client = fixture.client();
    let results = join_all((0..10).map(|_| client.get_contact(JANE))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fixture.token_requests(), 1, "exactly one refresh");
    let session = fixture.stored_session().await;
    assert_ne!(session.refresh_token, "rt-first", "the rotated refresh token is kept");
    assert!(session.expires_at_ms > now_ms() + 3_600_000);
    assert!(session.location_id.as_deref() == Some(DEMO_LOCATION));
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_use() {
    let fixture = Fixture::new().await;
    // Two minutes left: inside the refresh margin, so it is renewed before anything is sent with it.
    fixture.session("rt-ahead", "at-soon-stale", now_ms() + 120_000).await;
    fixture.client().get_contact(JANE).await.unwrap();
    let journal = fixture.journal.borrow();
    assert!(journal[0].contains("/oauth/token"), "refresh first: {journal:?}");
    assert!(!journal.iter().any(|line| line.contains("at-soon-stale")), "the stale token is never sent");
}

#[tokio::test]
async fn the_rotated_pair_is_stored_before_the_new_access_token_is_used() {
    let fixture = Fixture::new().await;
    fixture.session("rt-order", "at-old", now_ms() - 1).await;
    fixture.client().get_contact(JANE).await.unwrap();
    let new_access = fixture.stored_session().await.access_token;
    let journal = fixture.journal.borrow();
    let stored_at = journal.iter().position(|line| line.starts_with(&format!("store {SESSION_KEY}")) && line.contains(&new_access));
    let used_at = journal.iter().position(|line| line.starts_with("send") && line.contains(&format!("Bearer {new_access}")));
    assert!(stored_at.unwrap() < used_at.unwrap(), "{journal:?}");
}

#[tokio::test]
async fn a_rejected_access_token_is_refreshed_once_for_all_callers() {
    let fixture = Fixture::new().await;
    // Not expired by the clock, but GHL no longer knows it (revoked, or rotated elsewhere).
    fixture.session("rt-401", "at-revoked", now_ms() + 86_000_000).await;
    let client = fixture.client();
    let results = join_all((0..10).map(|_| client.get_contact(JANE))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fixture.token_requests(), 1);
}

#[tokio::test]
async fn a_dead_refresh_token_means_reconnect_without_looping() {
    let fixture = Fixture::new().await;
    fixture.session("rt-dead", "at-expired", now_ms() - 1).await;
    // Used up elsewhere: the sandbox rotates it away.
    let used = format!("client_id={CLIENT_ID}&grant_type=refresh_token&refresh_token=rt-dead");
    reqwest::Client::new()
        .post(format!("{}/oauth/token", fixture.sandbox.http_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(used)
        .send()
        .await
        .unwrap();
    let before = fixture.token_requests();
    let client = fixture.client();
    let errors = join_all((0..3).map(|_| client.get_contact(JANE))).await;
    for result in errors {
        let error = result.unwrap_err();
        assert_eq!(error.code, ErrorCode::ReconnectNeeded, "{error:?}");
        assert!(error.message.contains("Connect"), "{}", error.message);
    }
    assert_eq!(fixture.token_requests() - before, 1, "one refresh attempt, then the dead pair is forgotten");
    let ghl_calls = fixture.sandbox.state().log(0).iter().filter(|e| e["path"] != "/oauth/token").count();
    assert_eq!(ghl_calls, 0, "nothing is sent to GHL without a token");
}

#[tokio::test]
async fn connecting_exchanges_the_code_and_stores_the_pair() {
    let fixture = Fixture::new().await;
    let grant = json!({"clientId": CLIENT_ID, "code": "code-once", "locationId": DEMO_LOCATION});
    fixture.sandbox.state().register_oauth(&grant).unwrap();
    let client = fixture.client();
    let session = client.connect_with_code("code-once", "https://extension.example/callback").await.unwrap();
    assert_eq!(fixture.stored_session().await, session);
    assert!(client.get_contact(JANE).await.is_ok());
    let again = client.connect_with_code("code-once", "https://extension.example/callback").await.unwrap_err();
    assert_eq!(again.code, ErrorCode::ReconnectNeeded, "codes are single-use");
}

#[tokio::test]
async fn without_a_session_oauth_asks_to_connect() {
    let fixture = Fixture::new().await;
    let error = fixture.client().get_contact(JANE).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ReconnectNeeded);
    assert_eq!(fixture.token_requests(), 0);
}

/// One store seen by two platforms: the worker's two core modules, each with its own refresh lock.
#[derive(Clone, Default)]
struct SharedStore(Rc<MemoryStore>);

impl Store for SharedStore {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        self.0.get(key).await
    }
    async fn set(&self, key: &str, json: String) -> Result<()> {
        self.0.set(key, json).await
    }
    async fn remove(&self, key: &str) -> Result<()> {
        self.0.remove(key).await
    }
    async fn clear(&self) -> Result<()> {
        self.0.clear().await
    }
}

/// Sends as usual, but lets the other module refresh first: the moment between reading the session and the token
/// endpoint answering, when the other module uses the same refresh token.
struct OtherModuleFirst {
    inner: ReqwestTransport,
    other: RefCell<Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>>,
}

impl Transport for OtherModuleFirst {
    async fn send(&self, request: HttpRequest) -> std::result::Result<HttpResponse, TransportError> {
        if request.url.ends_with("/oauth/token") {
            let other = self.other.borrow_mut().take();
            if let Some(other) = other {
                other.await;
            }
        }
        self.inner.send(request).await
    }
}

#[tokio::test]
async fn a_pair_the_other_module_just_rotated_is_used_not_forgotten() {
    let sandbox = sandbox().await;
    let store = SharedStore::default();
    let grant = json!({"clientId": CLIENT_ID, "refreshToken": "rt-shared", "locationId": DEMO_LOCATION});
    sandbox.state().register_oauth(&grant).unwrap();
    let expired = OAuthSession {
        access_token: "at-old".into(),
        refresh_token: "rt-shared".into(),
        expires_at_ms: now_ms() - 1,
        scope: None,
        location_id: None,
    };
    store::write(&store, SESSION_KEY, &expired).await.unwrap();
    let config = || ClientConfig {
        base_url: sandbox.http_url(),
        location_id: DEMO_LOCATION.into(),
        credential: Credential::OAuth(OAuthEndpoint {
            token_endpoint: format!("{}/oauth/token", sandbox.http_url()),
            client_id: CLIENT_ID.into(),
        }),
    };
    let pages: &'static _ = Box::leak(Box::new(Platform::new(ReqwestTransport::new(), store.clone(), TokioClock).with_retry(FAST_RETRY)));
    let pages_config = config();
    let pages_refresh: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> = Box::pin(async move {
        GhlClient::new(pages, pages_config).get_contact(JANE).await.expect("the pages module refreshes and reads");
    });
    let transport = OtherModuleFirst { inner: ReqwestTransport::new(), other: RefCell::new(Some(pages_refresh)) };
    let records = Platform::new(transport, store.clone(), TokioClock).with_retry(FAST_RETRY);

    let contact = GhlClient::new(&records, config()).get_contact(JANE).await;

    assert!(contact.is_ok(), "the records module uses the pair the pages module stored: {contact:?}");
    let session: OAuthSession = store::read(&store, SESSION_KEY).await.unwrap().expect("the live pair is kept");
    assert_ne!(session.refresh_token, "rt-shared");
    let refreshes = sandbox.state().log(0).iter().filter(|entry| entry["path"] == "/oauth/token").count();
    assert_eq!(refreshes, 2, "both modules tried; the second found the rotated pair instead of asking to reconnect");
}
