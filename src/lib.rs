//! GHL Bridge core: everything the extension decides, in one place, testable natively.
//!
//! The service worker hands every message to [`app::Core::dispatch`] (through `wasm`, the only
//! wasm-bindgen surface). Content scripts and pages only draw what comes back.

pub mod actions;
pub mod alerts;
pub mod app;
pub mod background;
pub mod clock;
pub mod error;
pub mod ghl;
pub mod hash;
pub mod host;
pub mod http;
pub mod join;
pub mod json;
pub mod links;
pub mod lock;
pub mod mapping;
pub mod note_sending;
pub mod outbox;
pub mod panel;
pub mod preferences;
pub mod protocol;
pub mod settings;
pub mod store;
pub mod sync;
pub mod sync_log;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorCode, Result};
