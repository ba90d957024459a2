//! The core's single entry point: a message and its sender in, a JSON answer or an [`Error`] out.

use crate::error::{Error, ErrorCode, Result};
use crate::ghl::{ClientConfig, GhlClient};
use crate::host::HostRecord;
use crate::http::Transport;
use crate::panel;
use crate::protocol::{Request, Sender, SenderInput};
use crate::settings::Settings;
use crate::store::Store;
use serde::Serialize;

/// The core with its ports: how to reach GHL and where to keep state.
pub struct Core<T, S> {
    transport: T,
    store: S,
    api_base: String,
}

impl<T: Transport, S: Store> Core<T, S> {
    pub fn new(transport: T, store: S, api_base: impl Into<String>) -> Self {
        Self { transport, store, api_base: api_base.into() }
    }

    /// Validates the sender and the message (both JSON text), then serves it; answers JSON text.
    pub async fn dispatch(&self, message: &str, sender: &str) -> Result<String> {
        let sender: SenderInput = serde_json::from_str(sender)
            .map_err(|_| Error::new(ErrorCode::ForbiddenSender, "Message refused: its sender is unknown."))?;
        let sender = Sender::classify(&sender)?;
        let request = Request::parse(message)?;
        sender.authorize(&request)?;
        match request {
            Request::PanelLoad { record } => {
                let record = HostRecord::from_input(record)?;
                let settings = Settings::require(&self.store).await?;
                to_json(&panel::load(&self.client(&settings), &record).await?)
            }
            Request::SettingsSave { settings } => to_json(&Settings::view(Some(&settings.save(&self.store).await?))),
            Request::SettingsGet {} => to_json(&Settings::view(Settings::load(&self.store).await?.as_ref())),
        }
    }

    fn client(&self, settings: &Settings) -> GhlClient<&T> {
        GhlClient::new(
            &self.transport,
            ClientConfig {
                base_url: self.api_base.clone(),
                location_id: settings.location_id.clone(),
                access_token: settings.auth.access_token().to_owned(),
            },
        )
    }
}

fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|error| Error::internal(format!("could not encode the answer: {error}")))
}
