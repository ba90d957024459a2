//! Each linked record as the agent last saw it on the host page: the checked values of its fields, when, and where.
//! The data check compares these with GHL now (the host app has no API the extension could ask instead). Kept for
//! the [`MAX_SEEN`] records first seen most recently.

use super::reading::FIELDS;
use super::{HostRecord, RecordInput};
use crate::platform::error::Result;
use crate::platform::json::{FromJson, Json, JsonResult};
use crate::platform::store::{self, Store};
use serde::Serialize;

/// As many as links are kept (`links::MAX_LINKED`): every linked record can be checked.
pub const MAX_SEEN: usize = 3000;
const INDEX_KEY: &str = "seen.index";

fn key_of(hostname: &str, record_id: &str) -> String {
    format!("seen:{hostname}:{record_id}")
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    pub kind: String,
    pub host: String,
    pub record_id: String,
    /// `[field, value]` for each field the page showed (`email`, `mobile`, …), as checked.
    pub fields: Vec<(String, String)>,
    pub seen_at_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
}

impl FromJson for Seen {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("a record as seen")?;
        let pairs = match fields.get("fields").and_then(Json::as_array) {
            Some(items) => items
                .iter()
                .filter_map(|pair| {
                    let pair = pair.as_array()?;
                    Some((pair.first()?.as_str()?.to_owned(), pair.get(1)?.as_str()?.to_owned()))
                })
                .filter(|(field, _)| FIELDS.contains(&field.as_str()))
                .collect(),
            None => Vec::new(),
        };
        let seen = Self {
            kind: fields.required_text("kind"),
            host: fields.required_text("host"),
            record_id: fields.required_text("recordId"),
            fields: pairs,
            seen_at_ms: fields.count_or_zero("seenAtMs"),
            page_url: fields.text("pageUrl"),
        };
        fields.finish(seen)
    }
}

impl Seen {
    pub fn value(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(name, _)| name == field).map(|(_, value)| value.as_str())
    }

    /// The record again, with the values seen (checked again on the way in).
    pub fn to_input(&self) -> RecordInput {
        let value = |field: &str| self.value(field).map(str::to_owned);
        RecordInput {
            app: None,
            kind: Some(self.kind.clone()),
            host: self.host.clone(),
            record_id: self.record_id.clone(),
            name: value("name"),
            email: value("email"),
            mobile: value("mobile"),
            landline: value("landline"),
            account_number: value("accountNumber"),
            address: value("address"),
            company: value("company"),
            first_name: value("firstName"),
            last_name: value("lastName"),
            position: value("position"),
            evidence: Vec::new(),
            page_url: self.page_url.clone(),
        }
    }
}

/// Notes how a record looked on its page now. Only a record read from its page counts: one built from storage
/// (a background refresh) or sent by an extension page has no page, and changes nothing. The day it was seen is
/// enough for "last seen", so an unchanged record costs one read (its stored text is compared, not parsed).
pub async fn remember(store: &impl Store, record: &HostRecord, now_ms: u64) -> Result<()> {
    let fields: Vec<(String, String)> =
        FIELDS.iter().filter_map(|field| Some(((*field).to_owned(), record.fields.get(field)?.to_owned()))).collect();
    if fields.is_empty() || record.page_url.is_none() {
        return Ok(());
    }
    let seen = Seen {
        kind: record.kind.kind.to_owned(),
        host: record.host.hostname.clone(),
        record_id: record.record_id.clone(),
        fields,
        seen_at_ms: now_ms - now_ms % 86_400_000,
        page_url: record.page_url.clone(),
    };
    let key = key_of(&record.host.hostname, &record.record_id);
    let text = crate::platform::json::write(&seen, "the record as seen")?;
    let known = store.get(&key).await?;
    if known.as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    store.set(&key, text).await?;
    if known.is_none() {
        store::keep_recent(store, INDEX_KEY, &key, MAX_SEEN).await?;
    }
    Ok(())
}

/// The record as last seen, if it was.
pub async fn load(store: &impl Store, hostname: &str, record_id: &str) -> Option<Seen> {
    store::read::<Seen>(store, &key_of(hostname, record_id)).await.ok().flatten()
}
