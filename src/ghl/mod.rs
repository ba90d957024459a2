//! GoHighLevel API v2: client, models, and the reading of answers.

pub mod auth;
pub mod authorize;
pub mod client;
pub mod connection;
pub mod contacts;
mod directory;
pub mod models;
mod notes_tasks;
pub mod ratelimit;
pub mod requests;
pub mod response;
pub mod retry;

pub use auth::{Credential, OAuthEndpoint, OAuthSession};
pub use client::{ClientConfig, DuplicateKey, GhlClient, Platform};
pub use connection::ConnectionReport;

/// GHL's API host. The manifest's `host_permissions` names the same host.
pub const API_BASE: &str = "https://services.leadconnectorhq.com";

/// The `Version` header every contacts, users and locations call must carry.
pub const API_VERSION: &str = "2021-07-28";

/// A service worker's fetch is killed by Chrome after 30 s without a response; give up a little earlier.
pub const REQUEST_TIMEOUT_MS: u32 = 25_000;
