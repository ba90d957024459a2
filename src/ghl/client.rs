//! The GHL API v2 client: one typed method per endpoint over one request path, which holds every rule about
//! sending: credentials and refresh, the location's rate budget, and when to try again.

use super::auth::{self, Credential, Grant, OAuthEndpoint, OAuthSession, SESSION_KEY};
use super::models::{Contact, ContactEnvelope};
use super::ratelimit::{Admission, RateBudgets, RateHeaders};
use super::response::{parse_body, status_error, transport_error, CallContext};
use super::retry::{is_ambiguous, may_retry, Replay, RetryPolicy};
use super::{API_VERSION, REQUEST_TIMEOUT_MS};
use crate::platform::clock::Clock;
use crate::platform::dates::parse_timestamp;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::{encode_component, query_string, HttpRequest, HttpResponse, Method, Transport};
use crate::platform::json::{self, FromJson, Json};
use crate::platform::lock::AsyncLock;
use crate::platform::store::{self, Store};
use std::cell::RefCell;
use std::future::Future;

/// Counts a request as on its way until dropped (also when its future is dropped mid-send).
struct InFlight<'a>(&'a std::cell::Cell<u32>);

impl<'a> InFlight<'a> {
    fn start(count: &'a std::cell::Cell<u32>) -> Self {
        count.set(count.get() + 1);
        Self(count)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// How often a request waiting for the rate budget looks again while another request is on its way.
const ANSWER_WAIT_STEP_MS: u64 = 250;

/// What the platform gives the client, and what every client of this extension instance shares: the rate
/// budgets of the locations and the OAuth refresh lock.
pub struct Platform<T, S, C> {
    pub transport: T,
    pub store: S,
    pub clock: C,
    pub retry: RetryPolicy,
    rates: RefCell<RateBudgets>,
    refresh_lock: AsyncLock,
    /// Requests sent to GHL since the worker started (background sync spends a budget of them).
    sent: std::cell::Cell<u64>,
    /// 429s GHL answered since the worker started (the data check reports them).
    throttled: std::cell::Cell<u64>,
    /// Requests on their way to GHL now: their answers may change what the budget allows.
    in_flight: std::cell::Cell<u32>,
}

impl<T: Transport, S: Store, C: Clock> Platform<T, S, C> {
    pub fn new(transport: T, store: S, clock: C) -> Self {
        Self {
            transport,
            store,
            clock,
            retry: RetryPolicy::default(),
            rates: RefCell::default(),
            refresh_lock: AsyncLock::new(),
            sent: Default::default(),
            throttled: Default::default(),
            in_flight: Default::default(),
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The last `X-RateLimit-*` headers GHL sent for a location.
    pub fn last_rate_headers(&self, location_id: &str) -> Option<RateHeaders> {
        self.rates.borrow_mut().of(location_id).last_headers
    }
}

/// Where and as whom the client talks to GHL.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// `https://services.leadconnectorhq.com` in production; a sandbox in tests.
    pub base_url: String,
    pub location_id: String,
    pub credential: Credential,
}

/// How to look a contact up in GHL's duplicate search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKey<'a> {
    Email(&'a str),
    /// A phone number in E.164 form (`+447700900123`).
    Phone(&'a str),
}

pub struct GhlClient<'p, T, S, C> {
    platform: &'p Platform<T, S, C>,
    config: ClientConfig,
}

/// A token that was sent and refused, so the next one must be different.
type Refused<'a> = Option<&'a str>;

impl<'p, T: Transport, S: Store, C: Clock> GhlClient<'p, T, S, C> {
    pub fn new(platform: &'p Platform<T, S, C>, mut config: ClientConfig) -> Self {
        while config.base_url.ends_with('/') {
            config.base_url.pop();
        }
        Self { platform, config }
    }

    pub fn location_id(&self) -> &str {
        &self.config.location_id
    }

    /// The last `X-RateLimit-*` headers GHL sent for this location.
    /// Requests sent to GHL by this worker so far.
    pub fn requests_sent(&self) -> u64 {
        self.platform.sent.get()
    }

    /// 429s GHL answered this worker so far.
    pub fn throttled(&self) -> u64 {
        self.platform.throttled.get()
    }

    /// Waits about `ms` (see [`Clock::sleep`]): for callers that pace themselves below the budget.
    pub async fn sleep(&self, ms: u64) {
        self.platform.clock.sleep(ms).await
    }

    pub fn rate_headers(&self) -> Option<RateHeaders> {
        self.platform.last_rate_headers(&self.config.location_id)
    }

    /// An id no one can guess (see [`Clock::unguessable`]).
    pub fn unguessable(&self) -> String {
        self.platform.clock.unguessable()
    }

    /// Where the extension keeps its state (links, cached views, tokens).
    pub fn store(&self) -> &'p S {
        &self.platform.store
    }

    pub fn now_ms(&self) -> u64 {
        self.platform.clock.now_ms()
    }

    /// `GET /contacts/{contactId}`.
    pub async fn get_contact(&self, contact_id: &str) -> Result<Contact> {
        let path = format!("/contacts/{}", path_segment(contact_id)?);
        let envelope: ContactEnvelope = self.call(Method::Get, &path, None, "contact").await?;
        envelope.contact.ok_or_else(|| missing("contact"))
    }

    /// `GET /contacts/search/duplicate` — the contact GHL's duplicate rule would match, if any.
    pub async fn find_duplicate(&self, key: DuplicateKey<'_>) -> Result<Option<Contact>> {
        let (name, value) = match key {
            DuplicateKey::Email(email) => ("email", email),
            DuplicateKey::Phone(phone) => ("number", phone),
        };
        let query = query_string(&[("locationId", &self.config.location_id), (name, value)]);
        let envelope: ContactEnvelope = self.call(Method::Get, &format!("/contacts/search/duplicate{query}"), None, "contact").await?;
        Ok(envelope.contact.filter(|contact| contact.id.as_deref().is_some_and(|id| !id.is_empty())))
    }

    // ---- OAuth -------------------------------------------------------------------------------------------

    /// Exchanges an authorization code (from GHL's chooselocation flow) for the first token pair and stores it.
    pub async fn connect_with_code(&self, code: &str, redirect_uri: &str) -> Result<OAuthSession> {
        let Credential::OAuth(endpoint) = &self.config.credential else {
            return Err(Error::new(ErrorCode::InvalidSettings, "Choose OAuth in Options before connecting."));
        };
        let _guard = self.platform.refresh_lock.lock().await;
        self.obtain(endpoint, Grant::AuthorizationCode { code, redirect_uri }).await
    }

    /// The access token to send: the PIT, or a fresh OAuth access token (refreshed ahead of expiry, or because
    /// GHL just refused `refused`). Concurrent callers share one refresh.
    async fn access_token(&self, refused: Refused<'_>) -> Result<String> {
        let endpoint = match &self.config.credential {
            Credential::PrivateIntegrationToken(token) => return Ok(token.clone()),
            Credential::OAuth(endpoint) => endpoint,
        };
        let usable = |session: &OAuthSession| session.is_fresh(self.now_ms()) && Some(session.access_token.as_str()) != refused;
        if let Some(session) = self.session().await? {
            if usable(&session) {
                return Ok(session.access_token);
            }
        }
        let _guard = self.platform.refresh_lock.lock().await;
        // Whoever held the lock before us may have refreshed already.
        let session = self.session().await?.ok_or_else(auth::not_connected)?;
        if usable(&session) {
            return Ok(session.access_token);
        }
        match self.obtain(endpoint, Grant::RefreshToken(&session.refresh_token)).await {
            Ok(session) => Ok(session.access_token),
            Err(error) if error.code == ErrorCode::ReconnectNeeded => {
                // The core's other wasm module keeps its own refresh lock: it may have used the same pair a moment
                // ago and stored the rotated one, which is then the live pair.
                if let Some(newer) = self.session().await?.filter(|newer| newer.refresh_token != session.refresh_token) {
                    if usable(&newer) {
                        return Ok(newer.access_token);
                    }
                } else {
                    // The pair is dead for good; forget it so waiting callers do not try it again.
                    self.platform.store.remove(SESSION_KEY).await?;
                }
                Err(error)
            }
            Err(error) => Err(error),
        }
    }

    async fn session(&self) -> Result<Option<OAuthSession>> {
        store::read_moved::<OAuthSession>(&self.platform.store, SESSION_KEY, auth::LEGACY_SESSION_KEY).await
    }

    /// Runs one grant against the token endpoint and stores the new pair before anyone uses it.
    /// Call with the refresh lock held.
    async fn obtain(&self, endpoint: &OAuthEndpoint, grant: Grant<'_>) -> Result<OAuthSession> {
        let response =
            self.platform.transport.send(endpoint.token_request(grant)).await.map_err(|error| auth::unreachable_endpoint(&error))?;
        let session = auth::read_token_answer(response.status, &response.body, self.now_ms(), grant)?;
        // Tokens are kept only for the location Options names: an answer for another location (or none) would act
        // on another business's contacts. A refresh that answers so ends the session.
        if session.location_id.as_deref() != Some(self.location_id()) {
            if matches!(grant, Grant::RefreshToken(_)) {
                self.platform.store.remove(SESSION_KEY).await?;
            }
            let location_id = self.location_id();
            return Err(match session.location_id.as_deref() {
                Some(other) => Error::new(
                    ErrorCode::InvalidSettings,
                    format!(
                        "You authorized location {other}, but Options has Location ID {location_id}. Enter {other} as the Location ID, or connect again and choose {location_id}."
                    ),
                ),
                None => Error::new(
                    ErrorCode::ReconnectNeeded,
                    "The token endpoint did not say which GHL location the tokens are for, so they were not kept. Check your token endpoint passes GHL's locationId through, then connect again.",
                ),
            });
        }
        store::write(&self.platform.store, SESSION_KEY, &session).await?;
        Ok(session)
    }

    // ---- The request path ---------------------------------------------------------------------------------

    pub(crate) async fn call<R: FromJson>(&self, method: Method, path_and_query: &str, body: Option<String>, resource: &str) -> Result<R> {
        // Only the parsing is generic: one copy of the request state machine serves every endpoint.
        parse_body(&self.exchange(method, path_and_query, body, resource).await?)
    }

    /// A POST that GHL treats as a set operation or a read (search, add tags, upsert): safe to repeat.
    pub(crate) async fn call_repeatable<R: FromJson>(&self, path: &str, body: String, resource: &str) -> Result<R> {
        parse_body(&self.exchange_with(Method::Post, path, Some(body), resource, Replay::Safe).await?)
    }

    /// A DELETE. Gone already counts as done: a retried DELETE whose first answer was lost finds nothing, and
    /// the agent wanted it gone. GHL answers `{"succeded": true}` (sic; newer APIs spell it `succeeded`).
    pub(crate) async fn delete(&self, path: &str, resource: &str) -> Result<()> {
        match self.exchange(Method::Delete, path, None, resource).await {
            Ok(response) => {
                let answer = json::parse(&response.body).unwrap_or(Json::Null);
                let succeeded = answer.get("succeded").or_else(|| answer.get("succeeded"));
                if succeeded == Some(&Json::Bool(false)) {
                    return Err(Error::new(ErrorCode::ServerError, format!("GHL did not delete the {resource}. Try again.")));
                }
                Ok(())
            }
            Err(error) if error.code == ErrorCode::NotFound => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Sends a request (retrying what is safe to retry) and returns its 2xx response, or the error that
    /// explains the failure. GET, PUT and DELETE are repeatable; POSTs go through [`Self::create_once`] or
    /// [`Self::exchange_with`] with their own [`Replay`].
    pub(crate) async fn exchange(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
        resource: &str,
    ) -> Result<HttpResponse> {
        let replay = if method == Method::Post { Replay::OnlyIfRefused } else { Replay::Safe };
        self.exchange_with(method, path_and_query, body, resource, replay).await
    }

    pub(crate) async fn exchange_with(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
        resource: &str,
        replay: Replay,
    ) -> Result<HttpResponse> {
        let policy = self.platform.retry;
        let deadline_ms = self.now_ms() + policy.total_ms;
        let mut refused_token: Option<String> = None;
        // Failures that may have reached GHL count as attempts; a 429 (refused before acting) does not, and is
        // bounded by the deadline and its own cap instead.
        let mut attempt = 0;
        let mut rate_waits = 0;
        let mut server_error: Option<Error> = None;
        loop {
            attempt += 1;
            let token = self.access_token(refused_token.as_deref()).await?;
            let outcome = self.send_counted(method, path_and_query, body.clone(), &token, deadline_ms).await?;
            let error = match outcome {
                Ok(response) if (200..300).contains(&response.status) => return Ok(response),
                Ok(response) => {
                    let error = status_error(&response, CallContext { resource, location_id: &self.config.location_id });
                    let oauth = matches!(self.config.credential, Credential::OAuth(_));
                    if error.code == ErrorCode::Unauthorized && oauth {
                        if refused_token.is_none() {
                            // Once: the token may have been revoked or expired early. GHL acted on nothing.
                            refused_token = Some(token);
                            attempt -= 1;
                            continue;
                        }
                        return Err(Error::new(
                            ErrorCode::ReconnectNeeded,
                            "GHL refused a freshly refreshed token. Open Options and press Connect to sign in to GHL again.",
                        )
                        .with_status(401));
                    }
                    error
                }
                Err(error) => error,
            };
            let rate_limited = error.code == ErrorCode::RateLimited;
            if rate_limited {
                attempt -= 1;
                rate_waits += 1;
            }
            if error.code == ErrorCode::ServerError {
                server_error = Some(error.clone());
            }
            // Chrome throttles an extension's requests to a URL after repeated 5xx answers; the throttled attempt
            // fails like a network error. The 5xx is the real cause, so that is what the agent is told.
            let error = match (error.code, &server_error) {
                (ErrorCode::Network, Some(server)) => server.clone(),
                _ => error,
            };
            if !may_retry(&error, replay) || attempt >= policy.max_attempts || rate_waits > MAX_RATE_WAITS {
                return Err(error);
            }
            // A 429 already paused the location's budget; the next send waits for it.
            let wait_ms = if rate_limited { 0 } else { policy.backoff_ms(attempt, self.platform.clock.random()) };
            if self.now_ms() + wait_ms > deadline_ms {
                return Err(error);
            }
            self.platform.clock.sleep(wait_ms).await;
        }
    }

    /// One send, inside the location's rate budget. The outer `Result` is for giving up before sending
    /// (daily limit, or no slot before the deadline); the inner one is the exchange's outcome.
    async fn send_counted(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
        token: &str,
        deadline_ms: u64,
    ) -> Result<std::result::Result<HttpResponse, Error>> {
        let location = &self.config.location_id;
        loop {
            let now = self.now_ms();
            let admission = self.platform.rates.borrow_mut().of(location).admit(now);
            match admission {
                Admission::Go => break,
                Admission::DailyLimit { resets_at_ms } => return Err(daily_limit_error(resets_at_ms.saturating_sub(now))),
                // A request on its way will bring GHL's current limits (the budget may know an old, tighter one):
                // look again once it is back rather than give up or sleep on stale numbers.
                Admission::Wait(ms) if ms > ANSWER_WAIT_STEP_MS && self.platform.in_flight.get() > 0 && now < deadline_ms => {
                    self.platform.clock.sleep(ANSWER_WAIT_STEP_MS).await;
                }
                Admission::Wait(ms) if now + ms > deadline_ms => {
                    return Err(Error::new(
                        ErrorCode::RateLimited,
                        format!("GHL rate limit reached — retrying in {} s.", ms.div_ceil(1000).max(1)),
                    )
                    .with_retry_after(ms));
                }
                Admission::Wait(ms) => self.platform.clock.sleep(ms).await,
            }
        }
        self.platform.sent.set(self.platform.sent.get() + 1);
        let sent = {
            let _on_its_way = InFlight::start(&self.platform.in_flight);
            self.send(method, path_and_query, body, token).await
        };
        let now = self.now_ms();
        let mut rates = self.platform.rates.borrow_mut();
        let budget = rates.of(location);
        match sent {
            Ok(response) => {
                let headers = RateHeaders::read(&response);
                let refused = response.status == 429;
                budget.finish(now, !refused, Some(headers));
                if refused {
                    self.platform.throttled.set(self.platform.throttled.get() + 1);
                    let error = status_error(&response, CallContext { resource: "", location_id: location });
                    if error.code == ErrorCode::DailyLimit {
                        return Ok(Err(error));
                    }
                    let jitter = (self.platform.clock.random() * (budget.interval_ms() / 10).clamp(100, 1_000) as f64) as u64;
                    let wait = error.retry_after_ms.unwrap_or(budget.interval_ms()) + jitter;
                    budget.pause(now, wait);
                    let message = format!("GHL rate limit reached — retrying in {} s.", wait.div_ceil(1000));
                    let mut error = error.with_retry_after(wait);
                    error.message = message;
                    return Ok(Err(error));
                }
                Ok(Ok(response))
            }
            Err(error) => {
                // Unknown whether GHL counted it; count it, to stay on the safe side.
                budget.finish(now, true, None);
                Ok(Err(transport_error(&error)))
            }
        }
    }

    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
        token: &str,
    ) -> std::result::Result<HttpResponse, crate::platform::http::TransportError> {
        let mut headers = vec![
            ("Authorization".to_owned(), format!("Bearer {token}")),
            ("Version".to_owned(), API_VERSION.to_owned()),
            ("Accept".to_owned(), "application/json".to_owned()),
        ];
        if body.is_some() {
            // GHL needs it on every body, DELETE /contacts/{id}/tags included.
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        let request = HttpRequest {
            method,
            url: format!("{}{}", self.config.base_url, path_and_query),
            headers,
            body,
            timeout_ms: REQUEST_TIMEOUT_MS,
            max_body_bytes: crate::platform::http::MAX_RESPONSE_BYTES,
        };
        self.platform.transport.send(request).await
    }

    /// A POST that creates something, exactly once. When the outcome is unknown (timeout, dropped connection,
    /// 5xx, unreadable 2xx), `landed` looks for the record before the create is tried again.
    ///
    /// `resumed_since`: an earlier attempt began then and its outcome is unknown (the service worker was stopped
    /// mid-request): look for the record first.
    pub(crate) async fn create_once<R, F, Fut>(
        &self,
        path: &str,
        body: String,
        resource: &str,
        parse: fn(&HttpResponse) -> Result<R>,
        landed: F,
        resumed_since: Option<u64>,
    ) -> Result<R>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<Option<R>>>,
    {
        let started_ms = resumed_since.unwrap_or_else(|| self.now_ms());
        if resumed_since.is_some() {
            if let Some(found) = landed(started_ms).await? {
                return Ok(found);
            }
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error = match self.exchange_with(Method::Post, path, Some(body.clone()), resource, Replay::OnlyIfRefused).await {
                Ok(response) => match parse(&response) {
                    Ok(record) => return Ok(record),
                    Err(error) => error.with_status(response.status),
                },
                Err(error) => error,
            };
            if !is_ambiguous(&error) {
                return Err(error);
            }
            // Did it happen? Reads are retried on their own; if even they fail, report the first failure.
            match landed(started_ms).await {
                Ok(Some(record)) => return Ok(record),
                Ok(None) if attempts < 3 && self.now_ms() < started_ms + self.platform.retry.total_ms => {
                    let wait = self.platform.retry.backoff_ms(attempts, self.platform.clock.random());
                    self.platform.clock.sleep(wait).await;
                }
                Ok(None) | Err(_) => return Err(error),
            }
        }
    }
}

/// How many 429s one call sits out before giving up (each waits about one rate interval).
const MAX_RATE_WAITS: u32 = 8;

/// Whether a record GHL dated `date_added` can be the one we tried to create since `started_ms`.
/// Allows for two minutes of clock difference between this computer and GHL.
pub(crate) fn added_since(date_added: Option<&str>, started_ms: u64) -> bool {
    const CLOCK_SKEW_MS: i64 = 120_000;
    match date_added.and_then(parse_timestamp) {
        Some(timestamp) => timestamp.epoch_ms >= started_ms as i64 - CLOCK_SKEW_MS,
        // Undated records cannot be told apart; the content match alone decides.
        None => true,
    }
}

fn daily_limit_error(resets_in_ms: u64) -> Error {
    let hours = resets_in_ms.div_ceil(3_600_000);
    Error::new(
        ErrorCode::DailyLimit,
        format!("GHL's daily request limit for this location is used up. Syncing resumes when it resets (in about {hours} h)."),
    )
    .with_retry_after(resets_in_ms)
}

/// The error for a 2xx answer that lacks the record it should carry.
pub(crate) fn missing(what: &str) -> Error {
    Error::new(ErrorCode::BadResponse, format!("GHL answered without the {what} it was asked for."))
}

/// Encodes a request body.
pub(crate) fn json(value: &impl serde::Serialize) -> Result<String> {
    json::write(value, "a request")
}

/// Encodes an id for a URL path. Ids come from storage and pages, so `../` or `?` must not reshape the request.
/// An id as one URL path segment. GHL's ids are letters and digits (with `-` and `_` in some): anything else —
/// `..` above all, which a URL parser turns into "the parent", so `DELETE /contacts/{c}/notes/..` would delete the
/// contact — is refused before any request.
pub(crate) fn path_segment(id: &str) -> Result<String> {
    let id = id.trim();
    let alphabet = id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if id.is_empty() || id.len() > 100 || !alphabet {
        return Err(Error::invalid_message("A GHL id is 1 to 100 letters, digits, - or _."));
    }
    Ok(encode_component(id))
}
