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
            return match request {
                Request::SettingsSave { settings } => to_json(&Settings::view(Some(&settings.save(store).await?))),
                Request::SettingsGet {} => to_json(&Settings::view(Settings::load(store).await?.as_ref())),
                _ => {
                    let settings = Settings::require(store).await?;
                    to_json(&self.client(&settings).check_connection().await?)
                }
            };
        };
        let record = HostRecord::from_input(input)?;
        if let Request::PanelCached { .. } = request {
            // Storage only: answers within milliseconds, before any GHL call.
            return Ok(links::cached_view(store, &record).await?.unwrap_or_else(|| "null".to_owned()));
        }
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
            Request::PanelCached { .. } | Request::SettingsSave { .. } | Request::SettingsGet {} | Request::ConnectionCheck {} => {
                Err(Error::internal("a settings message reached the record handler"))
            }
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

fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|error| Error::internal(format!("could not encode the answer: {error}")))
}
