//! The core's single entry point: a message and its sender in, a JSON answer or an [`Error`] out.

#[cfg(feature = "pages")]
mod pages;
pub mod protocol;
#[cfg(feature = "records")]
mod records;
#[cfg(feature = "records")]
pub use records::{CONNECT_PAGE, INSTALLED};

use crate::app::protocol::{Request, Sender, SenderInput};
use crate::features::settings::Settings;
use crate::ghl::{ClientConfig, GhlClient, Platform};
use crate::outbox::Ctx;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::lock::Locks;
use crate::platform::store::Store;
use serde::Serialize;

/// The largest message served: the biggest real ones (a client page's 50 people, an imported set of reading fixes)
/// are a few hundred KB, and parsing copies a message several times over in a memory of bounded size.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

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

    /// The core's storage (tests and tools look at what it keeps).
    pub fn store(&self) -> &S {
        &self.platform.store
    }

    /// Validates the sender and the message (both JSON text), then serves it; answers JSON text. An error a person
    /// fixes by connecting GHL again names the connect step.
    pub async fn dispatch(&self, message: &str, sender: &str) -> Result<String> {
        self.serve(message, sender).await.map_err(|mut error| {
            use ErrorCode::*;
            if matches!(error.code, NotConfigured | InvalidSettings | Unauthorized | ReconnectNeeded | MissingScope | Forbidden) {
                error.fix_page = Some(crate::features::settings::CONNECT_PAGE);
            }
            error
        })
    }

    async fn serve(&self, message: &str, sender: &str) -> Result<String> {
        if message.len() > MAX_MESSAGE_BYTES {
            return Err(Error::invalid_message("Message refused: it is larger than any the extension sends."));
        }
        let sender: SenderInput = crate::platform::json::read(sender)
            .map_err(|_| Error::new(ErrorCode::ForbiddenSender, "Message refused: its sender is unknown."))?;
        let tab = sender.tab_id;
        let page_url = sender.url.clone();
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
        match request.record().cloned() {
            Some(mut input) => {
                if let Sender::ContentScript { .. } = &sender {
                    input.page_url = page_url;
                }
                self.serve_record(input, request).await
            }
            None => self.serve_extension_page(request).await,
        }
    }

    /// An alarm fired, or the worker asks for the status (see `records.rs`). The scheduled data check's alarms are
    /// the pages module's; the others, the records module's.
    pub async fn on_alarm(&self, name: &str) -> Result<String> {
        if name == crate::features::data_check::ALARM || name == crate::features::data_check::CONTINUE_ALARM {
            self.on_data_check_alarm().await
        } else {
            self.on_records_alarm(name).await
        }
    }

    #[cfg(not(feature = "pages"))]
    async fn on_data_check_alarm(&self) -> Result<String> {
        Err(Error::wrong_module())
    }

    #[cfg(not(feature = "records"))]
    async fn on_records_alarm(&self, _: &str) -> Result<String> {
        Err(Error::wrong_module())
    }

    #[cfg(not(feature = "records"))]
    async fn serve_record(&self, _: crate::hosts::RecordInput, _: Request) -> Result<String> {
        Err(Error::wrong_module())
    }

    #[cfg(not(feature = "pages"))]
    async fn serve_extension_page(&self, _: Request) -> Result<String> {
        Err(Error::wrong_module())
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

fn to_json(value: &impl Serialize) -> Result<String> {
    crate::platform::json::write(value, "the answer")
}
