//! The toolbar popup: what an agent wants at a glance — is GHL connected, is anything waiting to be sent, did the
//! background refresh run, and which GHL contact the record in this tab is. From storage only: the popup answers
//! at once and costs no GHL request.

use crate::features::background_refresh::RefreshReport;
use crate::features::preferences::Preferences;
use crate::features::settings::{Settings, CONNECT_PAGE};
use crate::hosts::{known_host, HostRecord, RecordInput};
use crate::links;
use crate::platform::error::Result;
use crate::platform::json::{self, read_fields, Json};
use crate::platform::log;
use crate::platform::store::{self, Store};
use serde::Serialize;

/// What the last background refresh did.
const REFRESH_KEY: &str = "refresh.last";
/// Records listed under "Waiting to send"; the count covers the rest.
const LISTED_RECORDS: usize = 5;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopupStatus {
    pub connection: ConnectionState,
    pub edits: EditsState,
    pub refresh: RefreshState,
    /// The record of the tab the popup opened over (none on other pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub here: Option<Here>,
    pub options_page: &'static str,
}

/// `connected`, `notConnected` or `attention`, in words, with the button that fixes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionState {
    pub state: &'static str,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<PageLink>,
}

/// A button that opens a page of the extension.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageLink {
    pub label: &'static str,
    pub page: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditsState {
    pub waiting: usize,
    pub need_agent: usize,
    /// One sentence: "All edits are in GHL." / "3 edits waiting to be sent; 1 needs you."
    pub summary: String,
    pub records: Vec<RecordRow>,
    /// Records with edits not listed.
    pub more: usize,
}

/// A record with stored edits; `url` opens it in the host app (where its panel offers the edits' choices).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordRow {
    pub label: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub needs_agent: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshState {
    pub enabled: bool,
    /// "Every 15 minutes" / "Off".
    pub cadence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<LastRefresh>,
}

/// What the last background refresh did, as stored after it ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastRefresh {
    pub at_ms: u64,
    pub ok: bool,
    pub summary: String,
}
read_fields!(LastRefresh, "the last refresh" { at_ms: count_or_zero("atMs"), ok: flag_or_false("ok"), summary: required_text("summary") });

/// The tab's record and its GHL contact.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Here {
    pub linked: bool,
    /// "Linked to Jane Doe (jane@example.com)" / "This customer is not linked to a GHL contact yet."
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ghl_url: Option<String>,
}

/// Notes what a background refresh did (or why it stopped), for the popup.
pub async fn note_refresh(store: &impl Store, at_ms: u64, outcome: &Result<RefreshReport>) {
    let (ok, summary) = match outcome {
        Ok(report) if report.failed == 0 => (true, refreshed_words(report)),
        Ok(report) => (false, format!("{} {} could not be refreshed.", refreshed_words(report), report.failed)),
        Err(error) => (false, error.message.clone()),
    };
    let _ = store::write(store, REFRESH_KEY, &LastRefresh { at_ms, ok, summary }).await;
    // best effort
}

fn refreshed_words(report: &RefreshReport) -> String {
    let plural = if report.refreshed == 1 { "" } else { "s" };
    let left = if report.remaining > 0 { format!(" ({} left for the next run)", report.remaining) } else { String::new() };
    format!("Refreshed {} linked contact{plural}{left}.", report.refreshed)
}

/// The popup's whole answer.
pub async fn status(store: &impl Store, record: Option<RecordInput>) -> Result<PopupStatus> {
    let settings = Settings::load(store).await?;
    let preferences = Preferences::load(store).await?;
    let location_id = settings.as_ref().map(|settings| settings.location_id.as_str());
    let here = match (&settings, record) {
        (Some(settings), Some(input)) => Some(here(store, settings, input).await?),
        _ => None,
    };
    let last = store::read::<LastRefresh>(store, REFRESH_KEY).await.ok().flatten();
    Ok(PopupStatus {
        connection: connection(store, settings.as_ref()).await,
        edits: edits(store, location_id).await?,
        refresh: RefreshState {
            enabled: preferences.sync_enabled,
            cadence: if preferences.sync_enabled { format!("Every {} minutes", preferences.cadence_minutes) } else { "Off".to_owned() },
            last,
        },
        here,
        options_page: "options/options.html",
    })
}

async fn connection(store: &impl Store, settings: Option<&Settings>) -> ConnectionState {
    let fix = |label| Some(PageLink { label, page: CONNECT_PAGE });
    let Some(settings) = settings else {
        return ConnectionState {
            state: "notConnected",
            title: "GHL is not connected".to_owned(),
            detail: Some("Add your Private Integration Token and Location ID, or connect with OAuth.".to_owned()),
            action: fix("Connect GHL"),
        };
    };
    // The newest outcome that says something about the credentials: a success, or GHL refusing them.
    let entries = log::entries(store).await.unwrap_or_default();
    let refused = entries.iter().rev().find(|entry| entry.ok || crate::features::alerts::is_auth_failure(entry)).filter(|entry| !entry.ok);
    if let Some(entry) = refused {
        return ConnectionState {
            state: "attention",
            title: "GHL needs attention".to_owned(),
            detail: Some(entry.message.clone()),
            action: fix("Fix the connection"),
        };
    }
    let named = crate::features::location_facts::load(store, &settings.location_id).await.name;
    ConnectionState {
        state: "connected",
        title: match named {
            Some(name) => format!("Connected to {name}"),
            None => format!("Connected to location {}", settings.location_id),
        },
        detail: None,
        action: None,
    }
}

async fn edits(store: &impl Store, location_id: Option<&str>) -> Result<EditsState> {
    let records = crate::outbox::by_record(store, location_id).await?;
    let (waiting, need_agent) = records.iter().fold((0, 0), |(w, n), record| (w + record.waiting, n + record.need_agent));
    let summary = match (waiting, need_agent) {
        (0, 0) => "All edits are in GHL.".to_owned(),
        (waiting, 0) => format!("{} waiting to be sent.", count(waiting, "edit")),
        (0, need) => format!("{} {} you.", count(need, "edit"), if need == 1 { "needs" } else { "need" }),
        (waiting, need) => {
            format!("{} waiting to be sent; {need} {} you.", count(waiting, "edit"), if need == 1 { "needs" } else { "need" })
        }
    };
    let linked = match location_id {
        Some(location_id) => links::linked_records(store, location_id).await,
        None => Vec::new(),
    };
    // The records that need the agent first.
    let mut ordered: Vec<&crate::outbox::RecordEdits> = records.iter().filter(|record| record.need_agent > 0).collect();
    ordered.extend(records.iter().filter(|record| record.need_agent == 0));
    let mut rows = Vec::new();
    for record in ordered.iter().take(LISTED_RECORDS) {
        let saved_name = saved_contact_name(store, &record.host, &record.record_id).await;
        let app = known_host(&record.host).map_or("Host app", |host| host.spec.name);
        let detail = match (record.waiting, record.need_agent) {
            (waiting, 0) => format!("{} waiting", count(waiting, "edit")),
            (0, need) => format!("{} {} you", count(need, "edit"), if need == 1 { "needs" } else { "need" }),
            (waiting, need) => format!("{} waiting, {need} {} you", count(waiting, "edit"), if need == 1 { "needs" } else { "need" }),
        };
        rows.push(RecordRow {
            label: match saved_name {
                Some(name) => format!("{name} ({app})"),
                None => format!("{app} record {}", record.record_id),
            },
            detail,
            url: linked
                .iter()
                .find(|known| known.host == record.host && known.record_id == record.record_id)
                .and_then(|known| known.page_url.clone()),
            needs_agent: record.need_agent > 0,
        });
    }
    Ok(EditsState { waiting, need_agent, summary, more: records.len().saturating_sub(rows.len()), records: rows })
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The contact's name in the record's saved panel view, if the panel drew one.
async fn saved_contact_name(store: &impl Store, host: &str, record_id: &str) -> Option<String> {
    saved_contact(store, &links::view_key_of(host, record_id)).await.map(|(name, _, _)| name)
}

/// `(name, email, ghl_url)` of the matched contact in a saved view.
async fn saved_contact(store: &impl Store, key: &str) -> Option<(String, Option<String>, Option<String>)> {
    let view: Json = json::parse(&store.get(key).await.ok().flatten()?).ok()?;
    let contact = view.get("contact")?;
    let name = contact.get("name").and_then(Json::as_str).filter(|name| !name.trim().is_empty())?.to_owned();
    let email = contact.get("email").and_then(Json::as_str).map(str::to_owned);
    Some((name, email, view.get("ghlUrl").and_then(Json::as_str).map(str::to_owned)))
}

async fn here(store: &impl Store, settings: &Settings, input: RecordInput) -> Result<Here> {
    let record = HostRecord::from_input(input)?;
    let noun = record.kind.noun;
    if record.kind.lists_people {
        return Ok(Here {
            linked: false,
            text: format!("This {noun}'s people and their GHL contacts are listed in the panel."),
            ghl_url: None,
        });
    }
    let link = links::find(store, &record, &settings.location_id).await?;
    let Some(contact_id) = link.and_then(|link| link.contact_id) else {
        return Ok(Here {
            linked: false,
            text: format!("This {noun} is not linked to a GHL contact yet: the panel on the page finds or links one."),
            ghl_url: None,
        });
    };
    let text = match saved_contact(store, &links::view_key_of(&record.host.hostname, &record.record_id)).await {
        Some((name, Some(email), _)) => format!("This {noun} is linked to {name} ({email})."),
        Some((name, None, _)) => format!("This {noun} is linked to {name}."),
        None => format!("This {noun} is linked to GHL contact {contact_id}."),
    };
    let ghl_url = crate::features::panel::ghl_contact_url(&settings.location_id, &contact_id);
    Ok(Here { linked: true, text, ghl_url: Some(ghl_url) })
}
