//! ghl-sandbox: a local, stateful stand-in for the GoHighLevel API v2 (see README.md).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = ghl_sandbox::Sandbox::start(ghl_sandbox::Config::default()).await?;
//! let base = sandbox.http_url(); // "http://127.0.0.1:PORT"
//! sandbox.state().set_rate_limit(5, 1000, 200_000);
//! drop(sandbox); // stops the servers
//! # Ok(()) }
//! ```

mod activity;
mod admin;
mod api;
mod contacts;
mod directory;
mod faults;
mod ids;
mod log;
mod oauth;
mod ratelimit;
mod reply;
mod search;
mod seed;
mod server;
mod site;
mod state;
mod time;
mod tls;
mod validate;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinHandle;

pub use state::Seed;

/// The demo data's ids and tokens, for tests.
pub mod demo {
    pub use crate::seed::{ALEX, BUSINESS, COMPANY, DEMO_LOCATION, FIELD_BOILER, FIELD_LAST_SERVICE, FIELD_PLAN, OTHER_LOCATION, SAM};
    pub const TOKEN: &str = "pit-sandbox-demo-token";
    pub const READONLY_TOKEN: &str = "pit-sandbox-readonly-token";
    pub const OTHER_LOCATION_TOKEN: &str = "pit-sandbox-other-location";
    pub const JANE: &str = "DemoContactJane0001";
    pub const ROBERT: &str = "DemoContactRobert01";
    pub const PRIYA: &str = "DemoContactPriya001";
    pub const MARIA: &str = "DemoContactMaria001";
    pub const VERSION: &str = "2021-07-28";
}

/// How to start a sandbox. `Default`: OS-chosen ports, no site, demo data, quiet.
#[derive(Debug, Clone)]
pub struct Config {
    /// 0 lets the OS pick.
    pub http_port: u16,
    pub https_port: u16,
    /// Serve this directory as the host-page replica (HTTPS, SPA fallback to `index.html`); with
    /// `sites`, the replica for hosts no domain matches.
    pub site_dir: Option<PathBuf>,
    /// More replicas on the same listener, `(domain, dir)`: a request whose `Host` is the domain
    /// or a subdomain of it gets that directory (the most specific domain wins). Without
    /// `site_dir`, the first one also serves unmatched hosts.
    pub sites: Vec<(String, PathBuf)>,
    /// `(path prefix, dir)`: paths under the prefix are files of the directory on every site
    /// (404 when missing, no `index.html` fallback), e.g. `("/vendor/react/", …/react/umd)`.
    pub site_mounts: Vec<(String, PathBuf)>,
    pub site_port: u16,
    pub seed: Seed,
    /// No per-request line on stderr.
    pub quiet: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            http_port: 0,
            https_port: 0,
            site_dir: None,
            sites: Vec::new(),
            site_mounts: Vec::new(),
            site_port: 0,
            seed: Seed::Demo,
            quiet: true,
        }
    }
}

/// State shared by every connection.
pub(crate) struct Shared {
    world: Mutex<state::World>,
    quiet: bool,
    default_seed: Seed,
}

impl Shared {
    /// The state lock. A panic elsewhere must not wedge the server, so poisoning is ignored.
    pub(crate) fn world(&self) -> MutexGuard<'_, state::World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running sandbox. Dropping it stops its servers.
pub struct Sandbox {
    http: SocketAddr,
    https: SocketAddr,
    site: Option<SocketAddr>,
    state: SandboxState,
    cert_pem: String,
    cert_der: Vec<u8>,
    tasks: Vec<JoinHandle<()>>,
}

fn io_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Sandbox {
    /// Binds the listeners on 127.0.0.1 and starts serving. Needs a tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Sandbox> {
        let tls = tls::make().map_err(io_err)?;
        let shared = Arc::new(Shared {
            world: Mutex::new(state::World::new(Instant::now(), config.seed)),
            quiet: config.quiet,
            default_seed: config.seed,
        });
        let http_l = server::bind(config.http_port).await?;
        let https_l = server::bind(config.https_port).await?;
        let http = http_l.local_addr()?;
        let https = https_l.local_addr()?;
        let mut tasks = vec![
            server::spawn(http_l, None, shared.clone(), server::Role::Api { scheme: "http" }),
            server::spawn(https_l, Some(tls.acceptor.clone()), shared.clone(), server::Role::Api { scheme: "https" }),
        ];
        let mut site = None;
        if let Some(sites) = site::Sites::new(config.site_dir.clone(), &config.sites, &config.site_mounts) {
            if let Some(dir) = sites.dirs().find(|d| !d.is_dir()) {
                return Err(io_err(format!("site directory {} is not a directory", dir.display())));
            }
            let site_l = server::bind(config.site_port).await?;
            site = Some(site_l.local_addr()?);
            let sites = Arc::new(sites);
            tasks.push(server::spawn(site_l, Some(tls.acceptor.clone()), shared.clone(), server::Role::Site { sites }));
        }
        Ok(Sandbox { http, https, site, state: SandboxState(shared), cert_pem: tls.cert_pem, cert_der: tls.cert_der, tasks })
    }

    /// `http://127.0.0.1:PORT`
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// `https://127.0.0.1:PORT` (self-signed certificate, see [`Sandbox::certificate_pem`]).
    pub fn https_url(&self) -> String {
        format!("https://{}", self.https)
    }

    /// `https://127.0.0.1:PORT` of the host-page replicas, when `site_dir` or `sites` was given.
    pub fn site_url(&self) -> Option<String> {
        self.site.map(|a| format!("https://{a}"))
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http
    }

    pub fn https_addr(&self) -> SocketAddr {
        self.https
    }

    pub fn site_addr(&self) -> Option<SocketAddr> {
        self.site
    }

    /// The self-signed certificate (PEM) served on the HTTPS listeners, for clients that want
    /// to trust it instead of skipping verification.
    pub fn certificate_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The same certificate, DER-encoded (for a rustls root store).
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// A handle for admin operations without HTTP (the same operations as `/__admin/`).
    pub fn state(&self) -> SandboxState {
        self.state.clone()
    }

    /// The one-line JSON the CLI prints: `{"http":…,"https":…,"site":…|null}`.
    pub fn announce_line(&self) -> String {
        serde_json::json!({"http": self.http_url(), "https": self.https_url(), "site": self.site_url()}).to_string()
    }

    /// Stops the servers (the same as dropping).
    pub fn stop(self) {}
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Admin operations on a running sandbox; cheap to clone. Errors are the messages the admin
/// API would answer with 4xx.
#[derive(Clone)]
pub struct SandboxState(Arc<Shared>);

impl SandboxState {
    /// Fresh state (`Seed::Demo` or `Seed::None`): data, tokens, rate limits and faults reset,
    /// log cleared.
    pub fn reset(&self, seed: Seed) {
        self.0.world().reset(seed);
    }

    /// Replaces the fault settings; takes the JSON of `POST /__admin/faults`.
    pub fn set_faults(&self, spec: &Value) -> Result<(), String> {
        self.0.world().faults.set(spec)
    }

    pub fn clear_faults(&self) {
        self.0.world().faults.clear();
    }

    /// New limits; all usage (window and daily) is forgotten.
    pub fn set_rate_limit(&self, max: u32, interval_ms: u64, daily: u64) {
        let config = ratelimit::RateConfig { max, interval_ms: interval_ms.max(1), daily };
        self.0.world().rate.configure(config);
    }

    /// Adds or replaces a bearer token (the location is created empty if unknown).
    pub fn add_token(&self, token: &str, location_id: &str, scopes: &[&str], expires_in: Option<Duration>) {
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        self.0.world().add_token(token, location_id, scopes, expires_in);
    }

    /// Expires one token, or all with `None`: they answer 401 from now on.
    pub fn expire_tokens(&self, token: Option<&str>) {
        let body = match token {
            Some(t) => serde_json::json!({ "token": t }),
            None => serde_json::json!({}),
        };
        let _ = admin::expire_tokens(&mut self.0.world(), &body);
    }

    /// Registers an OAuth refresh token and/or code; takes the JSON of `POST /__admin/oauth`.
    pub fn register_oauth(&self, grant: &Value) -> Result<(), String> {
        oauth::register(&mut self.0.world(), grant)
    }

    /// Adds generated contacts; returns the location's contact count.
    pub fn seed_contacts(&self, location_id: &str, count: usize) -> Result<usize, String> {
        seed::generate_contacts(&mut self.0.world(), location_id, count)
    }

    /// The location's whole state (`GET /__admin/state?locationId=`).
    pub fn location_state(&self, location_id: &str) -> Option<Value> {
        self.0.world().locations.get(location_id).map(|l| l.dump())
    }

    /// Request-log entries with `seq` greater than `since` (0 for all).
    pub fn log(&self, since: u64) -> Vec<Value> {
        self.0.world().log.since(since)
    }

    pub fn clear_log(&self) {
        self.0.world().log.clear();
    }

    /// Any admin call by method and path (with query), exactly as over HTTP: returns the
    /// status and JSON body.
    pub fn admin(&self, method: &str, path_and_query: &str, body: &Value) -> (u16, Value) {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        let raw = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
        let reply = admin::handle(&mut self.0.world(), method, path, &reply::Params::parse(query), &raw, self.0.default_seed);
        let v = match reply.body {
            reply::Body::Json(v) => v,
            _ => Value::Null,
        };
        (reply.status, v)
    }
}
