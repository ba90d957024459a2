//! Which GHL contact a host record is: the link (host + record id → contact id) the agent or the matcher made,
//! and the last view shown, so a revisit draws at once. Both live in extension storage.

use crate::hosts::HostRecord;
use crate::platform::error::Result;
use crate::platform::json::{read_fields, FromJson, Json, JsonError, JsonResult};
use crate::platform::lock::AsyncLock;
use crate::platform::store::{self, Store};
use serde::Serialize;

/// How a record came to be linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MatchedBy {
    Email,
    Phone,
    /// The agent picked or searched for the contact.
    Manual,
    /// The agent created the contact from the record.
    Created,
}

/// A stored link. `contact_id: None` records that the agent unlinked: no automatic match until they link again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub contact_id: Option<String>,
    pub matched_by: MatchedBy,
    /// The contact's business, so its colleagues load in the same round trip next time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    pub linked_at_ms: u64,
    /// What an automatic match was made from (`email:jane@example.com`, `phone:+447700900123`): checked against
    /// the page on every load, so a record that no longer shows it is matched again. `None` for manual links and
    /// for links stored before evidence was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The GHL location the contact is in (`None`: stored before links carried it; see [`LocationScope`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
}

impl Link {
    /// Whether the record still shows what this automatic link was made from. Manual and created links always
    /// hold; a link without evidence (stored by an older version) is checked against the contact instead.
    pub fn evidence_holds(&self, record: &HostRecord) -> Option<bool> {
        if !matches!(self.matched_by, MatchedBy::Email | MatchedBy::Phone) {
            return Some(true);
        }
        let evidence = self.evidence.as_deref()?;
        Some(match evidence.split_once(':') {
            Some(("email", email)) => record.email.as_deref() == Some(email),
            Some(("phone", phone)) => record.phones().iter().any(|known| known == phone),
            _ => false,
        })
    }
}

impl FromJson for MatchedBy {
    fn from_json(value: &Json) -> JsonResult<Self> {
        match value.as_str() {
            Some("email") => Ok(Self::Email),
            Some("phone") => Ok(Self::Phone),
            Some("manual") => Ok(Self::Manual),
            Some("created") => Ok(Self::Created),
            _ => Err(JsonError::Shape("a link's `matchedBy` should be email, phone, manual or created".to_owned())),
        }
    }
}

impl FromJson for Link {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("a stored link")?;
        let link = Self {
            contact_id: fields.text("contactId"),
            matched_by: fields.item("matchedBy").unwrap_or(MatchedBy::Manual),
            business_id: fields.text("businessId"),
            linked_at_ms: fields.count("linkedAtMs").unwrap_or(0),
            evidence: fields.text("evidence"),
            location_id: fields.text("locationId"),
        };
        fields.finish(link)
    }
}

fn link_key(record: &HostRecord) -> String {
    link_key_of(&record.host.hostname, &record.record_id)
}

fn link_key_of(hostname: &str, record_id: &str) -> String {
    format!("link:{hostname}:{record_id}")
}

/// Most saved views kept: the least recently drawn go first (a view is only a head start for the panel).
pub const MAX_SAVED_VIEWS: usize = 200;
/// Most linked records remembered. Beyond it the least recently viewed *automatic* links go (they are found again
/// by email or phone on the next visit); links the agent made by hand stay.
pub const MAX_LINKED: usize = 3000;
const VIEWS_KEY: &str = "views.index";

fn view_key(record: &HostRecord) -> String {
    view_key_of(&record.host.hostname, &record.record_id)
}

/// Storage key of a record's saved view, by host name and record id.
pub fn view_key_of(hostname: &str, record_id: &str) -> String {
    format!("view:{hostname}:{record_id}")
}

const INDEX_KEY: &str = "linked.index";

/// A linked record, for background sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Linked {
    pub host: String,
    pub record_id: String,
    pub contact_id: String,
    pub matched_by: MatchedBy,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    pub viewed_at_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The host page the agent last saw the record on (popup and data check link there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
}

impl FromJson for Linked {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("a linked record")?;
        let linked = Self {
            host: fields.required_text("host"),
            record_id: fields.required_text("recordId"),
            contact_id: fields.required_text("contactId"),
            matched_by: fields.item("matchedBy").unwrap_or(MatchedBy::Manual),
            business_id: fields.text("businessId"),
            viewed_at_ms: fields.count_or_zero("viewedAtMs"),
            location_id: fields.text("locationId"),
            page_url: fields.text("pageUrl"),
        };
        fields.finish(linked)
    }
}

#[derive(Debug, Default, Serialize)]
struct Index {
    records: Vec<Linked>,
}

read_fields!(Index, "the linked index" { records: items_or_empty("records") });

/// Every linked record this browser knows in the location (background refresh goes through them).
pub async fn linked_records(store: &impl Store, location_id: &str) -> Vec<Linked> {
    let scope = LocationScope::load(store, location_id).await;
    index(store).await.records.into_iter().filter(|linked| scope.owns(linked.location_id.as_deref())).collect()
}

async fn index(store: &impl Store) -> Index {
    store::read::<Index>(store, INDEX_KEY).await.ok().flatten().unwrap_or_default()
}

/// Notes that the agent viewed a linked record now (or that it was unlinked: `link.contact_id == None`).
/// `lock` guards the index's read-modify-write against another message doing the same.
pub async fn remember(store: &impl Store, lock: &AsyncLock, record: &HostRecord, link: &Link, now_ms: u64) -> Result<()> {
    let _guard = lock.lock().await;
    if link.contact_id.is_some() {
        crate::hosts::seen::remember(store, record, now_ms).await?;
    }
    let mut index = index(store).await;
    let same = |linked: &Linked| linked.host == record.host.hostname && linked.record_id == record.record_id;
    // A record refreshed in the background has no page: the one the agent last saw it on is kept.
    let page_url =
        record.page_url.clone().or_else(|| index.records.iter().find(|linked| same(linked)).and_then(|linked| linked.page_url.clone()));
    index.records.retain(|linked| !same(linked));
    if let Some(contact_id) = &link.contact_id {
        if index.records.len() >= MAX_LINKED {
            evict_links(store, &mut index).await;
        }
        index.records.push(Linked {
            host: record.host.hostname.to_owned(),
            record_id: record.record_id.clone(),
            contact_id: contact_id.clone(),
            matched_by: link.matched_by,
            business_id: link.business_id.clone(),
            viewed_at_ms: now_ms,
            location_id: link.location_id.clone(),
            page_url,
        });
    }
    store::write(store, INDEX_KEY, &index).await
}

/// Makes room in the index: the least recently viewed automatic links (and their saved views) are forgotten.
/// Best effort: a key that cannot be removed is left for the next time.
async fn evict_links(store: &impl Store, index: &mut Index) {
    let excess = index.records.len() + 1 - MAX_LINKED;
    // One scan per link to drop (usually one): no sort, whose code the wasm would carry per element type.
    for _ in 0..excess {
        let oldest = index
            .records
            .iter()
            .enumerate()
            .filter(|(_, linked)| matches!(linked.matched_by, MatchedBy::Email | MatchedBy::Phone))
            .min_by_key(|(_, linked)| linked.viewed_at_ms)
            .map(|(position, _)| position);
        let Some(position) = oldest else { break };
        let linked = index.records.remove(position);
        let _ = store.remove(&link_key_of(&linked.host, &linked.record_id)).await;
        let _ = store.remove(&view_key_of(&linked.host, &linked.record_id)).await;
    }
}

/// The record's link in the location, if any: a link to a contact of another location (made before the Location ID
/// changed) is kept, not used — and never removed for a 404 the other location's id would get here.
pub async fn find(store: &impl Store, record: &HostRecord, location_id: &str) -> Result<Option<Link>> {
    let Some(link) = store::read::<Link>(store, &link_key(record)).await? else { return Ok(None) };
    let owned = LocationScope::load(store, location_id).await.owns(link.location_id.as_deref());
    Ok(owned.then_some(link))
}

/// Written when the Location ID first changes: the location that links, index entries and outbox items stored
/// without one (by versions before they carried it) belong to.
const UNSTAMPED_LOCATION_KEY: &str = "location.unstamped";

/// Which stored items belong to the current location: stamped ones by their stamp; unstamped ones by the location
/// noted at the first change of the Location ID, or — before any change — the current one.
#[derive(Debug, Clone)]
pub struct LocationScope {
    current: String,
    unstamped: Option<String>,
}

impl LocationScope {
    pub async fn load(store: &impl Store, current: &str) -> Self {
        let stored = store.get(UNSTAMPED_LOCATION_KEY).await.ok().flatten();
        let unstamped =
            stored.and_then(|json| crate::platform::json::parse(&json).ok()).and_then(|value| value.as_str().map(str::to_owned));
        Self { current: current.to_owned(), unstamped }
    }

    /// The location an item stamped `stamp` belongs to, when it is another than the current one.
    pub fn other<'a>(&'a self, stamp: Option<&'a str>) -> Option<&'a str> {
        stamp.or(self.unstamped.as_deref()).filter(|location| *location != self.current)
    }

    pub fn owns(&self, stamp: Option<&str>) -> bool {
        self.other(stamp).is_none()
    }
}

/// The Location ID changes from `previous`: unstamped items stay with it. Saved views (which show the old location's
/// contacts) are cleared by the caller.
pub async fn location_changed(store: &impl Store, previous: &str) -> Result<()> {
    if store.get(UNSTAMPED_LOCATION_KEY).await?.is_none() {
        store::write(store, UNSTAMPED_LOCATION_KEY, &previous).await?;
    }
    Ok(())
}

pub async fn save(store: &impl Store, record: &HostRecord, link: &Link) -> Result<()> {
    store::write(store, &link_key(record), link).await
}

pub async fn remove(store: &impl Store, record: &HostRecord) -> Result<()> {
    store.remove(&link_key(record)).await
}

/// The last view drawn for the record, as JSON text (the panel draws it while fresh data loads).
pub async fn cached_view(store: &impl Store, record: &HostRecord) -> Result<Option<String>> {
    store.get(&view_key(record)).await
}

/// Saves the view drawn for the record, keeping at most [`MAX_SAVED_VIEWS`]. Best effort: a full or failing
/// storage never fails the panel load that drew the view.
pub async fn save_view(store: &impl Store, lock: &AsyncLock, record: &HostRecord, view_json: String) {
    let _guard = lock.lock().await;
    let key = view_key(record);
    let _ = store.set(&key, view_json).await;
    let _ = store::keep_recent(store, VIEWS_KEY, &key, MAX_SAVED_VIEWS).await;
}

/// "Clear cached data": every saved view goes; links, the outbox and settings stay.
pub async fn clear_views(store: &impl Store, lock: &AsyncLock) -> Result<usize> {
    let _guard = lock.lock().await;
    let keys = store::recent_keys(store, VIEWS_KEY).await;
    for key in &keys {
        store.remove(key).await?;
    }
    store.remove(VIEWS_KEY).await?;
    Ok(keys.len())
}

pub async fn forget_view(store: &impl Store, record: &HostRecord) -> Result<()> {
    store.remove(&view_key(record)).await
}
