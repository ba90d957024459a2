//! GHL Bridge core: everything the extension decides, in one place, testable natively.
//!
//! The service worker hands every message to [`app::Core::dispatch`] (through `wasm`, the only
//! wasm-bindgen surface). Content scripts and pages only draw what comes back.

// Layers, each using only those above it in this list (ARCHITECTURE.md):
pub mod app;
pub mod features;
pub mod ghl;
pub mod hosts;
pub mod links;
pub mod mapping;
pub mod outbox;
pub mod platform;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use platform::error::{Error, ErrorCode, Result};
