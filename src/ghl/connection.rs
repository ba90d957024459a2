//! "Test connection": which location the token reaches, which contact scopes it holds, and how much of the rate
//! budget is left — found with requests that change nothing.

use super::client::{json, path_segment, GhlClient};
use super::ratelimit::RateHeaders;
use super::requests::SearchInput;
use super::retry::Replay;
use crate::platform::clock::Clock;
use crate::platform::error::{ErrorCode, Result};
use crate::platform::http::{Method, Transport};
use crate::platform::store::Store;
use serde::Serialize;

/// A contact id no GHL contact has (GHL ids are 20 letters and digits), for the write probe.
const PROBE_CONTACT_ID: &str = "ghl-bridge-scope-probe";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    pub location_id: String,
    /// The location's name, when the token may read it (`locations.readonly`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_name: Option<String>,
    /// The location's time zone (IANA), when the token may read the location: GHL gives appointment times without
    /// a zone, in this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_time_zone: Option<String>,
    pub contacts_readonly: bool,
    pub contacts_write: bool,
    /// Scopes the extension needs and the token lacks, by GHL's names.
    pub missing_scopes: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitView>,
    /// One sentence for the options page's status line, naming the location reached.
    pub announcement: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitView {
    pub max: Option<u32>,
    pub remaining: Option<u32>,
    pub interval_ms: Option<u64>,
    pub daily_limit: Option<u64>,
    pub daily_remaining: Option<u64>,
}

impl From<RateHeaders> for RateLimitView {
    fn from(h: RateHeaders) -> Self {
        Self {
            max: h.max,
            remaining: h.remaining,
            interval_ms: h.interval_ms,
            daily_limit: h.daily_limit,
            daily_remaining: h.daily_remaining,
        }
    }
}

impl<T: Transport, S: Store, C: Clock> GhlClient<'_, T, S, C> {
    /// Probes the connection. A bad token or a wrong location is an error (the check cannot go on);
    /// a missing scope is part of the report.
    pub async fn check_connection(&self) -> Result<ConnectionReport> {
        let search = SearchInput {
            location_id: self.location_id().to_owned(),
            page_limit: 1,
            page: None,
            search_after: None,
            query: None,
            filters: Vec::new(),
        };
        let contacts_readonly =
            scope_present(self.exchange_with(Method::Post, "/contacts/search", Some(json(&search)?), "contact", Replay::Safe).await)?;
        // An update of a contact that does not exist: GHL checks the scope first, then finds nothing to change.
        let probe = format!("/contacts/{}", path_segment(PROBE_CONTACT_ID)?);
        let contacts_write = scope_present(self.exchange(Method::Put, &probe, Some("{}".to_owned()), "contact").await)?;
        let (location_name, location_time_zone) = match self.get_location().await {
            Ok(location) => (location.name, location.timezone),
            Err(error) if matches!(error.code, ErrorCode::MissingScope | ErrorCode::NotFound) => (None, None),
            Err(error) => return Err(error),
        };
        let mut missing_scopes = Vec::new();
        if !contacts_readonly {
            missing_scopes.push("contacts.readonly");
        }
        if !contacts_write {
            missing_scopes.push("contacts.write");
        }
        let reached = match &location_name {
            Some(name) => format!("Connected to {name}"),
            None => format!("Connected to location {}", self.location_id()),
        };
        let announcement = if missing_scopes.is_empty() {
            format!("{reached}: the token can read and change contacts.")
        } else {
            format!("{reached}, but the token lacks {}: give the Private Integration that scope in GHL.", missing_scopes.join(" and "))
        };
        Ok(ConnectionReport {
            location_id: self.location_id().to_owned(),
            announcement,
            location_name,
            location_time_zone,
            contacts_readonly,
            contacts_write,
            missing_scopes,
            rate_limit: self.rate_headers().map(RateLimitView::from),
        })
    }
}

/// Whether a probe shows the scope: any answer but "not allowed for this scope" means GHL let the token in.
fn scope_present<R>(outcome: Result<R>) -> Result<bool> {
    match outcome {
        Ok(_) => Ok(true),
        Err(error) => match error.code {
            ErrorCode::MissingScope => Ok(false),
            ErrorCode::NotFound | ErrorCode::Validation => Ok(true),
            _ => Err(error),
        },
    }
}
