//! What "Test connection" learned about the location: its name (the popup says where it is connected) and its time
//! zone (GHL gives appointment times without one, in the location's). Kept for the location it was read for.

use crate::ghl::connection::ConnectionReport;
use crate::platform::error::Result;
use crate::platform::json::read_fields;
use crate::platform::store::{self, Store};
use serde::Serialize;

const KEY: &str = "connection.location";

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationFacts {
    pub location_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}
read_fields!(LocationFacts, "the location's facts" {
    location_id: required_text("locationId"),
    name: text("name"),
    time_zone: text("timeZone"),
});

/// Keeps what a connection check found.
pub async fn note(store: &impl Store, report: &ConnectionReport) -> Result<()> {
    let facts = LocationFacts {
        location_id: report.location_id.clone(),
        name: report.location_name.clone(),
        time_zone: report.location_time_zone.clone().filter(|zone| is_time_zone_name(zone)),
    };
    store::write(store, KEY, &facts).await
}

/// The facts kept for `location_id` (none for another location, or before a check).
pub async fn load(store: &impl Store, location_id: &str) -> LocationFacts {
    store::read::<LocationFacts>(store, KEY)
        .await
        .ok()
        .flatten()
        .filter(|facts| facts.location_id == location_id)
        .unwrap_or_else(|| LocationFacts { location_id: location_id.to_owned(), ..LocationFacts::default() })
}

/// An IANA zone name as GHL gives them (`Europe/London`, `America/Argentina/Buenos_Aires`, `UTC`): the panel hands
/// it to `Intl`, which throws on anything else.
fn is_time_zone_name(zone: &str) -> bool {
    zone.len() <= 64 && !zone.is_empty() && zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
}
