//! The core's single entry point: a message and its sender in, a JSON answer or an [`Error`] out.

pub mod protocol;

use crate::app::protocol::{Request, Sender, SenderInput};
use crate::features::contact_sync;
use crate::features::delivery::Deliverer;
use crate::features::edits::{self, TaskEdit};
use crate::features::panel;
use crate::features::preferences::Preferences;
use crate::features::settings::Settings;
use crate::ghl::authorize;
use crate::ghl::{ClientConfig, GhlClient, Platform};
use crate::hosts::{overrides, HostRecord};
use crate::links;
use crate::outbox::Ctx;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::lock::Locks;
use crate::platform::log;
use crate::platform::store::Store;
use serde::Serialize;

/// The core with its ports. One instance lives as long as the service worker, so every message shares the
/// locations' rate budgets and the OAuth refresh lock.
pub struct Core<T, S, C> {
    platform: Platform<T, S, C>,
    /// Storage read-modify-write and one outbox sender per contact, shared by every message.
    locks: Locks,
    /// When each tab last searched GHL ("Link existing") or sent a host note on its own: a person's pace, not a
    /// script's.
    paced: std::cell::RefCell<Vec<(Paced, i64, u64)>>,
    api_base: String,
}

impl<T: Transport, S: Store, C: Clock> Core<T, S, C> {
    pub fn new(platform: Platform<T, S, C>, api_base: impl Into<String>) -> Self {
        Self { platform, locks: Locks::default(), paced: Default::default(), api_base: api_base.into() }
    }

    /// Validates the sender and the message (both JSON text), then serves it; answers JSON text.
    pub async fn dispatch(&self, message: &str, sender: &str) -> Result<String> {
        let sender: SenderInput = crate::platform::json::read(sender)
            .map_err(|_| Error::new(ErrorCode::ForbiddenSender, "Message refused: its sender is unknown."))?;
        let tab = sender.tab_id;
        let sender = Sender::classify(&sender)?;
        let request = Request::parse(message)?;
        sender.authorize(&request)?;
        if let Sender::ContentScript { .. } = &sender {
            match &request {
                Request::ContactSearch { .. } => self.pace(Paced::Search, tab.unwrap_or(-1))?,
                Request::NoteSend { automatic: true, .. } => self.pace(Paced::AutomaticNote, tab.unwrap_or(-1))?,
                _ => {}
            }
        }
        let store = &self.platform.store;
        let Some(input) = request.record().cloned() else {
            return self.serve_extension_page(request).await;
        };
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
                    log::append(store, entry.took(started_ms, client.now_ms())).await?;
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

    /// Messages of the options page (the sender check already refused them from content scripts).
    async fn serve_extension_page(&self, request: Request) -> Result<String> {
        let store = &self.platform.store;
        match request {
            Request::SettingsSave { settings } => to_json(&Settings::view(Some(&settings.save(store).await?))),
            Request::SettingsGet {} => to_json(&Settings::view(Settings::load(store).await?.as_ref())),
            Request::PreferencesGet {} => to_json(&Preferences::load(store).await?),
            Request::PreferencesSave { preferences } => to_json(&preferences.save(store).await?),
            Request::OAuthStart { redirect_uri } => {
                let settings = Settings::require(store).await?;
                let crate::features::settings::Auth::OAuth { client_id, .. } = &settings.auth else {
                    return Err(Error::new(
                        ErrorCode::InvalidSettings,
                        "Choose OAuth and save its token endpoint and Client ID before connecting.",
                    ));
                };
                let state = self.platform.clock.unguessable();
                to_json(&authorize::start(store, client_id, &redirect_uri, state, self.platform.clock.now_ms()).await?)
            }
            Request::OAuthFinish { redirect_url } => {
                let settings = Settings::require(store).await?;
                self.client(&settings).finish_authorization(&redirect_url).await?;
                to_json(&Settings::view(Some(&settings)))
            }
            Request::DataExport {} => to_json(&DataExport {
                format: "ghl-bridge-settings/1",
                exported_at_ms: self.platform.clock.now_ms(),
                settings: Settings::view(Settings::load(store).await?.as_ref()),
                preferences: Preferences::load(store).await?,
            }),
            Request::DataReset {} => {
                store.clear().await?;
                to_json(&Settings::view(None))
            }
            Request::DataClearCache {} => {
                let views = links::clear_views(store, &self.locks.storage).await?;
                if let Some(settings) = Settings::load(store).await? {
                    store.remove(&panel::users_key(&settings.location_id)).await?;
                }
                to_json(&format!(
                    "Cleared {views} saved panel view{}. Links, edits waiting to be sent and settings are kept.",
                    if views == 1 { "" } else { "s" }
                ))
            }
            Request::ConnectionCheck {} => {
                let settings = Settings::require(store).await?;
                to_json(&self.client(&settings).check_connection().await?)
            }
            Request::MappingGet { app } => {
                let spec = host_app(app.as_deref())?;
                let settings = Settings::load(store).await.ok().flatten();
                let client = settings.as_ref().map(|settings| self.client(settings));
                to_json(&contact_sync::mapping_editor(store, client.as_ref(), spec).await?)
            }
            Request::MappingSave { app, mapping } => {
                let spec = host_app(app.as_deref())?;
                let settings = Settings::load(store).await.ok().flatten();
                let client = settings.as_ref().map(|settings| self.client(settings));
                to_json(&contact_sync::save_mapping(store, client.as_ref(), spec, mapping).await?)
            }
            Request::MappingPreview { app, mapping, mut sample, contact } => {
                let spec = host_app(app.as_deref())?;
                let mapping = mapping.validated(spec, None)?;
                let preferences = Preferences::load(store).await?;
                // The sample stands for a record of the app on its first host.
                if sample.host.trim().is_empty() {
                    sample.host = spec.sample_hostname();
                    sample.record_id = spec.record_kinds.first().map(|kind| kind.ids.sample()).unwrap_or_default().to_owned();
                }
                let host_country = crate::hosts::known_host(sample.host.trim()).map_or(spec.default_country(), |host| host.default_country);
                let record = HostRecord::from_input_in(sample, preferences.phone_country_for(host_country))?;
                let contact = match contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    Some(wanted) => {
                        let settings = Settings::require(store).await?;
                        let client = self.client(&settings);
                        match crate::hosts::record::normalise_email(wanted) {
                            Some(email) => client.find_duplicate(crate::ghl::DuplicateKey::Email(&email)).await?,
                            None => Some(client.get_contact(wanted).await?),
                        }
                    }
                    None => None,
                };
                to_json(&contact_sync::MappingPreview::new(
                    contact.as_ref().and_then(|c| c.id.clone()),
                    crate::mapping::plan(&mapping, &record, contact.as_ref()),
                ))
            }
            Request::LogGet {} => to_json(&log::entries(store).await?),
            Request::ReaderOverridesGet {} => {
                let mut all = Vec::new();
                for app in crate::hosts::HOSTS.iter().map(|spec| spec.app) {
                    all.push(overrides::Exported::from(overrides::load(store, app).await?));
                }
                to_json(&all)
            }
            Request::ReaderOverridesImport { overrides: imported } => to_json(&overrides::import(store, imported).await?),
            Request::ReaderOverridesClear { app } => {
                if crate::hosts::app(&app).is_none() {
                    return Err(Error::invalid_message("Unknown host app."));
                }
                overrides::clear(store, &app).await?;
                to_json(&overrides::load(store, &app).await?)
            }
            Request::LogQuery { filter } => to_json(&log::query(store, &filter).await?),
            Request::LogExport { filter, format } => {
                let entries = log::query(store, &filter).await?;
                let text = match format.as_str() {
                    "json" => crate::platform::json::write(&entries, "the log")?,
                    "csv" => log::to_csv(&entries),
                    _ => return Err(Error::invalid_message("The log exports as \"json\" or \"csv\".")),
                };
                to_json(&text)
            }
            _ => Err(Error::internal("a record message reached the options handler")),
        }
    }

    /// A `chrome.alarms` alarm fired (or, by any other name, the worker asks for the status after a message or at
    /// start): send the outbox's due edits. Answers `{sent, waiting, failed, alert, refreshed, alarms}` (the toolbar
    /// badge shows `failed`; the worker keeps `alarms`).
    pub async fn on_alarm(&self, name: &str) -> Result<String> {
        let store = &self.platform.store;
        let mut sent = 0;
        let mut refreshed = None;
        let preferences = Preferences::load(store).await?;
        if name == crate::outbox::ALARM || name == crate::features::background_refresh::ALARM {
            if let Some(settings) = Settings::load(store).await? {
                let client = self.client(&settings);
                sent = crate::outbox::flush_all(&client, &Deliverer).await?;
                if name == crate::features::background_refresh::ALARM {
                    refreshed = Some(crate::features::background_refresh::run(&client, &preferences).await?);
                }
            }
        }
        let (waiting, failed) = crate::outbox::counts(store).await?;
        to_json(&AlarmReport {
            sent,
            waiting,
            failed,
            alert: crate::features::alerts::take(store).await?,
            refreshed,
            alarms: vec![
                // Sends what waits, every minute (Chrome allows 30 s at the least).
                AlarmSpec { name: crate::outbox::ALARM, period_in_minutes: Some(1) },
                AlarmSpec {
                    name: crate::features::background_refresh::ALARM,
                    period_in_minutes: preferences.sync_enabled.then_some(preferences.cadence_minutes),
                },
            ],
        })
    }

    /// A tab may search GHL, or send host notes it saw appear, at a person's pace: a script in the host page driving
    /// "Link existing" to walk the location two letters at a time, or planting notes to be sent, is refused.
    fn pace(&self, kind: Paced, tab: i64) -> Result<()> {
        let now = self.platform.clock.now_ms();
        let mut paced = self.paced.borrow_mut();
        paced.retain(|(_, _, at)| now.saturating_sub(*at) < 60_000);
        if paced.iter().filter(|(known, known_tab, _)| *known == kind && *known_tab == tab).count() >= kind.per_minute() {
            let message = match kind {
                Paced::Search => "Too many searches from this tab: wait a minute, then search again.",
                Paced::AutomaticNote => {
                    "More new notes appeared than a person writes: they were not sent on their own. Use “Send to GHL” on each."
                }
            };
            return Err(Error::new(ErrorCode::RateLimited, message).with_retry_after(60_000));
        }
        paced.push((kind, tab, now));
        Ok(())
    }

    fn client(&self, settings: &Settings) -> Ctx<'_, T, S, C> {
        let client = GhlClient::new(
            &self.platform,
            ClientConfig {
                base_url: self.api_base.clone(),
                location_id: settings.location_id.clone(),
                credential: settings.auth.credential(),
            },
        );
        Ctx { client, locks: &self.locks }
    }
}

/// What a tab does at a person's pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paced {
    Search,
    AutomaticNote,
}

impl Paced {
    fn per_minute(self) -> usize {
        match self {
            // An agent typing and refining a name makes a handful.
            Self::Search => 20,
            // Notes an agent writes in a minute; a page that renders or plants many is not sending them all.
            Self::AutomaticNote => 3,
        }
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
}

/// One `chrome.alarms` alarm as the worker should keep it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlarmSpec {
    name: &'static str,
    period_in_minutes: Option<u32>,
}

/// What "Export settings" saves: never the token (the settings' public view).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataExport {
    format: &'static str,
    exported_at_ms: u64,
    settings: crate::features::settings::SettingsView,
    preferences: Preferences,
}

/// The host app a message names, or the first one (the options page of a single-host install names none).
fn host_app(app: Option<&str>) -> Result<&'static crate::hosts::HostSpec> {
    match app {
        Some(app) => crate::hosts::app(app).ok_or_else(|| Error::invalid_message("Unknown host app.")),
        None => Ok(crate::hosts::HOSTS[0]),
    }
}

fn to_json(value: &impl Serialize) -> Result<String> {
    crate::platform::json::write(value, "the answer")
}
