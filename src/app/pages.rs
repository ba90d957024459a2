//! Messages of the extension's own pages (Options, the toolbar popup): settings, OAuth, mapping, log, data, the popup's
//! status. The `pages` module, which the service worker loads on the first such message.

use super::{to_json, Core};
use crate::app::protocol::Request;
use crate::features::contact_sync;
use crate::features::data_check;
use crate::features::panel;
use crate::features::preferences::Preferences;
use crate::features::settings::Settings;
use crate::ghl::authorize;
use crate::hosts::{overrides, HostRecord};
use crate::links;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::log;
use crate::platform::store::Store;
use serde::Serialize;

/// How long one `dataCheck.step` goes on before answering (Options shows the progress in between).
const DATA_CHECK_STEP_MS: u64 = 3_000;
/// How long one firing of the scheduled check's alarm goes on (a service worker event may run for minutes).
const DATA_CHECK_ALARM_MS: u64 = 25_000;

impl<T: Transport, S: Store, C: Clock> Core<T, S, C> {
    /// The scheduled data check's alarms: starts or goes on with the run; answers the alarm that keeps it going
    /// (every minute while a run is under way, cleared after) for the worker to keep.
    pub(super) async fn on_data_check_alarm(&self) -> Result<String> {
        let store = &self.platform.store;
        let preferences = Preferences::load(store).await?;
        let under_way = match Settings::load(store).await? {
            Some(settings) => data_check::on_alarm(&self.client(&settings), &preferences, DATA_CHECK_ALARM_MS).await?,
            None => false,
        };
        to_json(&serde_json::json!({
            "alarms": [{ "name": data_check::CONTINUE_ALARM, "periodInMinutes": if under_way { Some(1) } else { None } }]
        }))
    }

    /// Messages of the extension's own pages, Options and the toolbar popup (the sender check already refused them from
    /// content scripts).
    pub(super) async fn serve_extension_page(&self, request: Request) -> Result<String> {
        let store = &self.platform.store;
        match request {
            Request::SettingsSave { settings } => {
                let (saved, previous) = settings.save(store).await?;
                // Another location: links, index entries and edits stay with the one they were made in (held, not
                // sent here); saved views showed its contacts, so they go.
                if let Some(previous) = previous.filter(|previous| previous.location_id != saved.location_id) {
                    links::location_changed(store, &previous.location_id).await?;
                    links::clear_views(store, &self.locks.storage).await?;
                }
                to_json(&Settings::view(Some(&saved)))
            }
            Request::DataCheckStart {} => {
                let settings = Settings::require(store).await?;
                to_json(&data_check::start(&self.client(&settings), false).await?)
            }
            Request::DataCheckStep {} => {
                let settings = Settings::require(store).await?;
                to_json(&data_check::step(&self.client(&settings), DATA_CHECK_STEP_MS).await?)
            }
            Request::DataCheckCancel {} => to_json(&data_check::cancel(store, self.platform.clock.now_ms()).await?),
            Request::DataCheckStatus {} => to_json(&data_check::status(store).await?),
            Request::DataCheckReport { filter } => to_json(&data_check::report(store, &filter).await?),
            Request::DataCheckExport { filter, format } => to_json(&data_check::export(store, &filter, &format).await?),
            // The toolbar popup, from storage only (no GHL request).
            Request::PopupStatus { record } => to_json(&crate::features::popup::status(store, record).await?),
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
                let report = self.client(&settings).check_connection().await?;
                crate::features::location_facts::note(store, &report).await?;
                to_json(&report)
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
