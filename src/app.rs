//! The core's single entry point: a message and its sender in, a JSON answer or an [`Error`] out.

use crate::actions::{self, TaskEdit};
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::ghl::{ClientConfig, GhlClient, Platform};
use crate::host::HostRecord;
use crate::http::Transport;
use crate::links;
use crate::panel;
use crate::protocol::{Request, Sender, SenderInput};
use crate::ghl::authorize;
use crate::{sync, sync_log};
use crate::preferences::Preferences;
use crate::settings::Settings;
use crate::store::Store;
use serde::Serialize;

/// The core with its ports. One instance lives as long as the service worker, so every message shares the
/// locations' rate budgets and the OAuth refresh lock.
pub struct Core<T, S, C> {
    platform: Platform<T, S, C>,
    api_base: String,
}

impl<T: Transport, S: Store, C: Clock> Core<T, S, C> {
    pub fn new(platform: Platform<T, S, C>, api_base: impl Into<String>) -> Self {
        Self { platform, api_base: api_base.into() }
    }

    /// Validates the sender and the message (both JSON text), then serves it; answers JSON text.
    pub async fn dispatch(&self, message: &str, sender: &str) -> Result<String> {
        let sender: SenderInput = crate::json::read(sender)
            .map_err(|_| Error::new(ErrorCode::ForbiddenSender, "Message refused: its sender is unknown."))?;
        let sender = Sender::classify(&sender)?;
        let request = Request::parse(message)?;
        sender.authorize(&request)?;
        let store = &self.platform.store;
        let Some(input) = request.record().cloned() else {
            return self.serve_extension_page(request).await;
        };
        let mut record = HostRecord::from_input(input)?;
        if let Request::PanelCached { .. } = request {
            // Storage only: answers within milliseconds, before any GHL call.
            return Ok(links::cached_view(store, &record).await?.unwrap_or_else(|| "null".to_owned()));
        }
        record.phone_country = Preferences::load(store).await?.phone_country_for(record.host.default_country);
        let settings = Settings::require(store).await?;
        let client = self.client(&settings);
        let client = &client;
        let record = &record;
        match request {
            Request::PanelLoad { .. } => to_json(&panel::load(client, record).await?),
            Request::LinkSet { contact_id, .. } => to_json(&actions::link(client, record, &contact_id).await?),
            Request::LinkRemove { .. } => to_json(&actions::unlink(client, record).await?),
            Request::ContactSearch { query, .. } => to_json(&actions::search(client, &query).await?),
            Request::ContactCreate { .. } => to_json(&actions::create_contact(client, record).await?),
            Request::NoteCreate { body, .. } => to_json(&actions::create_note(client, record, &body).await?),
            Request::NoteUpdate { note_id, body, .. } => to_json(&actions::update_note(client, record, &note_id, &body).await?),
            Request::NoteDelete { note_id, .. } => to_json(&actions::delete_note(client, record, &note_id).await?),
            Request::TaskCreate { title, due_date, body, .. } => {
                let edit = TaskEdit { title: Some(&title), body: body.as_deref(), due_date: Some(&due_date) };
                to_json(&actions::create_task(client, record, edit).await?)
            }
            Request::TaskUpdate { task_id, title, due_date, body, .. } => {
                let edit = TaskEdit { title: title.as_deref(), body: body.as_deref(), due_date: due_date.as_deref() };
                to_json(&actions::update_task(client, record, &task_id, edit).await?)
            }
            Request::TaskComplete { task_id, completed, .. } => {
                to_json(&actions::complete_task(client, record, &task_id, completed).await?)
            }
            Request::TaskDelete { task_id, .. } => to_json(&actions::delete_task(client, record, &task_id).await?),
            Request::TagsAdd { tags, .. } => to_json(&actions::change_tags(client, record, &tags, true).await?),
            Request::TagsRemove { tags, .. } => to_json(&actions::change_tags(client, record, &tags, false).await?),
            Request::ContactSyncPreview { .. } => to_json(&sync::preview(client, record).await?),
            Request::ContactSync { .. } => to_json(&sync::apply(client, record).await?),
            Request::NoteSend { source_id, body, automatic, .. } => {
                to_json(&crate::note_sending::send_note(client, record, &source_id, &body, automatic).await?)
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
                let crate::settings::Auth::OAuth { client_id, .. } = &settings.auth else {
                    return Err(Error::new(ErrorCode::InvalidSettings, "Choose OAuth and save its token endpoint and Client ID before connecting."));
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
            Request::ConnectionCheck {} => {
                let settings = Settings::require(store).await?;
                to_json(&self.client(&settings).check_connection().await?)
            }
            Request::MappingGet {} => {
                let settings = Settings::load(store).await.ok().flatten();
                let client = settings.as_ref().map(|settings| self.client(settings));
                to_json(&sync::mapping_editor(store, client.as_ref()).await?)
            }
            Request::MappingSave { mapping } => {
                let settings = Settings::load(store).await.ok().flatten();
                let client = settings.as_ref().map(|settings| self.client(settings));
                to_json(&sync::save_mapping(store, client.as_ref(), mapping).await?)
            }
            Request::MappingPreview { mapping, sample, contact } => {
                let mapping = mapping.validated(None)?;
                let mut record = HostRecord::from_input(sample)?;
                record.phone_country = Preferences::load(store).await?.phone_country_for(record.host.default_country);
                let contact = match contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    Some(wanted) => {
                        let settings = Settings::require(store).await?;
                        let client = self.client(&settings);
                        match crate::host::record::normalise_email(wanted) {
                            Some(email) => client.find_duplicate(crate::ghl::DuplicateKey::Email(&email)).await?,
                            None => Some(client.get_contact(wanted).await?),
                        }
                    }
                    None => None,
                };
                to_json(&sync::MappingPreview { contact_id: contact.as_ref().and_then(|c| c.id.clone()), rows: crate::mapping::plan(&mapping, &record, contact.as_ref()) })
            }
            Request::LogGet {} => to_json(&sync_log::entries(store).await?),
            _ => Err(Error::internal("a record message reached the options handler")),
        }
    }

    fn client(&self, settings: &Settings) -> GhlClient<'_, T, S, C> {
        GhlClient::new(
            &self.platform,
            ClientConfig {
                base_url: self.api_base.clone(),
                location_id: settings.location_id.clone(),
                credential: settings.auth.credential(),
            },
        )
    }
}

/// What "Export settings" saves: never the token (the settings' public view).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataExport {
    format: &'static str,
    exported_at_ms: u64,
    settings: crate::settings::SettingsView,
    preferences: Preferences,
}

fn to_json(value: &impl Serialize) -> Result<String> {
    crate::json::write(value, "the answer")
}
