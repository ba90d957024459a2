//! Messages about one host record (panels, client pages, forms, host notes) and the alarms: the `records` module,
//! which the service worker loads at every start.

use super::{to_json, Core};
use crate::app::protocol::Request;
use crate::features::contact_sync;
use crate::features::delivery::Deliverer;
use crate::features::edits::{self, TaskEdit};
use crate::features::panel;
use crate::features::preferences::Preferences;
use crate::features::settings::Settings;
use crate::hosts::{overrides, HostRecord, RecordInput};
use crate::links;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::log;
use crate::platform::store::Store;
use serde::Serialize;

impl<T: Transport, S: Store, C: Clock> Core<T, S, C> {
    /// A message about one host record: a panel's or a content script's.
    pub(super) async fn serve_record(&self, input: RecordInput, request: Request) -> Result<String> {
        let store = &self.platform.store;
        let preferences = Preferences::load(store).await?;
        let host_country = crate::hosts::known_host(input.host.trim()).map_or("GB", |host| host.default_country);
        let record = HostRecord::from_input_in(input, preferences.phone_country_for(host_country))?;
        if preferences.host_off(record.host.spec.app) {
            return Err(Error::new(
                ErrorCode::HostSwitchedOff,
                format!("GHL Bridge is switched off for {} in Options.", record.host.spec.name),
            ));
        }
        // Storage only: these answer within milliseconds, before any GHL call.
        match &request {
            Request::PanelCached { .. } => {
                return Ok(links::cached_view(store, &record).await?.unwrap_or_else(|| "null".to_owned()));
            }
            Request::RecordRead { .. } => return to_json(&record.reading),
            // The worker opens it: a content script cannot open the extension's pages.
            Request::ConnectOpen { .. } => return to_json(&OpenPage { open_extension_page: CONNECT_PAGE }),
            Request::ReaderOverrides { .. } => return to_json(&overrides::load(store, record.host.spec.app).await?),
            Request::ReaderOverrideAdd { item, .. } => {
                return to_json(&overrides::add(store, record.host.spec.app, item.clone()).await?);
            }
            _ => {}
        }
        let settings = Settings::require(store).await?;
        let client = self.client(&settings);
        let client = &client;
        let record = &record;
        match request {
            Request::PanelLoad { .. } => {
                let started_ms = client.now_ms();
                let view = panel::load(client, record).await;
                if preferences.verbose_log {
                    let entry = match &view {
                        Ok(_) => log::LogEntry::success("panel.load", None, &format!("Loaded record {} from GHL.", record.record_id)),
                        Err(error) => log::LogEntry::failure("panel.load", None, error),
                    };
                    let _ = log::append(store, entry.took(started_ms, client.now_ms())).await;
                    // best effort
                }
                to_json(&view?)
            }
            Request::LinkSet { contact_id, .. } => to_json(&edits::link(client, record, &contact_id).await?),
            Request::ClientLoad { people, .. } => {
                let country = record.phone_country;
                let (people, own_ids) = crate::features::client_page::people_records(record, people, country)?;
                to_json(&crate::features::client_page::load(client, record, people, own_ids).await?)
            }
            Request::ContactFill { contact_id, .. } => to_json(&contact_sync::fill_from_ghl(client, record, &contact_id).await?),
            Request::LinkRemove { .. } => to_json(&edits::unlink(client, record).await?),
            Request::ContactSearch { query, .. } => to_json(&edits::search(client, &query).await?),
            Request::ContactCreate { .. } => to_json(&edits::create_contact(client, record).await?),
            Request::NoteCreate { body, edit_id, .. } => to_json(&edits::create_note(client, record, &body, edit_id.as_deref()).await?),
            Request::NoteUpdate { note_id, body, edit_id, .. } => {
                to_json(&edits::update_note(client, record, &note_id, &body, edit_id.as_deref()).await?)
            }
            Request::NoteDelete { note_id, edit_id, .. } => {
                to_json(&edits::delete_note(client, record, &note_id, edit_id.as_deref()).await?)
            }
            Request::TaskCreate { title, due_date, body, edit_id, .. } => {
                let edit = TaskEdit { title: Some(&title), body: body.as_deref(), due_date: Some(&due_date) };
                to_json(&edits::create_task(client, record, edit, edit_id.as_deref()).await?)
            }
            Request::TaskUpdate { task_id, title, due_date, body, edit_id, .. } => {
                let edit = TaskEdit { title: title.as_deref(), body: body.as_deref(), due_date: due_date.as_deref() };
                to_json(&edits::update_task(client, record, &task_id, edit, edit_id.as_deref()).await?)
            }
            Request::TaskComplete { task_id, completed, edit_id, .. } => {
                to_json(&edits::complete_task(client, record, &task_id, completed, edit_id.as_deref()).await?)
            }
            Request::TaskDelete { task_id, edit_id, .. } => {
                to_json(&edits::delete_task(client, record, &task_id, edit_id.as_deref()).await?)
            }
            Request::TagsAdd { tags, edit_id, .. } => to_json(&edits::change_tags(client, record, &tags, true, edit_id.as_deref()).await?),
            Request::TagsRemove { tags, edit_id, .. } => {
                to_json(&edits::change_tags(client, record, &tags, false, edit_id.as_deref()).await?)
            }
            Request::OutboxRetry { item_id, .. } => to_json(&crate::outbox::retry(client, record, &item_id, &Deliverer).await?),
            Request::OutboxResolve { item_id, choice, .. } => {
                crate::outbox::resolve(client, record, &item_id, &choice, &Deliverer).await?;
                // The whole view: the item is gone from "Waiting to send" and the list shows the result.
                to_json(&panel::load(client, record).await?)
            }
            Request::OutboxDiscard { item_id, .. } => {
                crate::outbox::discard(client, &record.host.hostname, &record.record_id, &item_id).await?;
                to_json(&panel::load(client, record).await?)
            }
            Request::ContactSyncPreview { .. } => to_json(&contact_sync::preview(client, record).await?),
            Request::ContactSync { fingerprint, .. } => to_json(&contact_sync::apply(client, record, fingerprint.as_deref()).await?),
            Request::NoteSend { source_id, body, automatic, .. } => {
                to_json(&crate::features::host_notes::send_note(client, record, &source_id, &body, automatic).await?)
            }
            _ => Err(Error::internal("a settings message reached the record handler")),
        }
    }

    /// A `chrome.alarms` alarm fired (or, by any other name, the worker asks for the status after a message or at
    /// start; [`INSTALLED`] when the browser installed the extension): send the outbox's due edits. Answers
    /// `{sent, waiting, failed, alert, refreshed, alarms, open}` (the toolbar badge shows `failed`; the worker keeps
    /// `alarms` and opens `open`, a page of the extension).
    pub(super) async fn on_records_alarm(&self, name: &str) -> Result<String> {
        let store = &self.platform.store;
        let mut sent = 0;
        let mut refreshed = None;
        let preferences = Preferences::load(store).await?;
        // Read at every start too: it also moves settings an earlier version kept in plain storage.
        let settings = Settings::load(store).await?;
        if name == crate::outbox::ALARM || name == crate::features::background_refresh::ALARM {
            if let Some(settings) = &settings {
                let client = self.client(settings);
                sent = crate::outbox::flush_all(&client, &Deliverer).await?;
                if name == crate::features::background_refresh::ALARM {
                    let outcome = crate::features::background_refresh::run(&client, &preferences).await;
                    crate::features::popup::note_refresh(store, client.now_ms(), &outcome).await;
                    refreshed = Some(outcome?);
                }
            }
        }
        let (waiting, failed) = crate::outbox::counts(store, settings.as_ref().map(|settings| settings.location_id.as_str())).await?;
        to_json(&AlarmReport {
            sent,
            waiting,
            failed,
            alert: crate::features::alerts::take(store).await?,
            refreshed,
            // A new install with nothing set up starts at the guided connect step; an update or a reinstall over
            // kept settings opens nothing.
            open: (name == INSTALLED && settings.is_none()).then_some(CONNECT_PAGE),
            alarms: vec![
                // Sends what waits, every minute (Chrome allows 30 s at the least).
                AlarmSpec { name: crate::outbox::ALARM, period_in_minutes: Some(1) },
                AlarmSpec {
                    name: crate::features::background_refresh::ALARM,
                    period_in_minutes: preferences.sync_enabled.then_some(preferences.cadence_minutes),
                },
                // The scheduled data check (the pages module runs it).
                AlarmSpec { name: crate::features::data_check::ALARM, period_in_minutes: preferences.data_check_every_minutes() },
            ],
        })
    }
}

/// What an alarm did, for the toolbar badge and notifications.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlarmReport {
    sent: usize,
    waiting: usize,
    failed: usize,
    alert: Option<crate::features::alerts::Alert>,
    /// What a background run did (the sync alarm only).
    refreshed: Option<crate::features::background_refresh::RefreshReport>,
    /// The alarms the worker keeps, by name and period; a `None` period: clear that alarm.
    alarms: Vec<AlarmSpec>,
    /// An extension page the worker opens in a new tab (first run).
    open: Option<&'static str>,
}

/// The event name the worker gives [`Core::on_alarm`] when the browser has just installed the extension (not for
/// updates).
pub const INSTALLED: &str = "runtime.install";

pub use crate::features::settings::CONNECT_PAGE;

/// An extension page for the worker to open in a new tab.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenPage {
    open_extension_page: &'static str,
}

/// One `chrome.alarms` alarm as the worker should keep it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlarmSpec {
    name: &'static str,
    period_in_minutes: Option<u32>,
}
