//! The core's single entry point: a message and its sender in, a JSON answer or an [`Error`] out.

use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::ghl::{ClientConfig, GhlClient, Platform};
use crate::host::HostRecord;
use crate::http::Transport;
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
        let sender: SenderInput = serde_json::from_str(sender)
            .map_err(|_| Error::new(ErrorCode::ForbiddenSender, "Message refused: its sender is unknown."))?;
        let sender = Sender::classify(&sender)?;
        let request = Request::parse(message)?;
        sender.authorize(&request)?;
        let store = &self.platform.store;
        match request {
            Request::PanelLoad { record } => {
                let record = HostRecord::from_input(record)?;
                let settings = Settings::require(store).await?;
                to_json(&panel::load(&self.client(&settings), &record).await?)
            }
            Request::SettingsSave { settings } => to_json(&Settings::view(Some(&settings.save(store).await?))),
            Request::SettingsGet {} => to_json(&Settings::view(Settings::load(store).await?.as_ref())),
            Request::ConnectionCheck {} => {
                let settings = Settings::require(store).await?;
                to_json(&self.client(&settings).check_connection().await?)
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
