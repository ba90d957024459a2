//! The core's native integration tests, built as one test binary (one link instead of sixteen on two cores).
//! Each module is one area; `support` holds the shared sandbox, transport and fixtures.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)]

mod support;

mod alerts_log;
mod background;
mod commonsku;
mod conflicts;
mod data_check;
mod ghl_connection;
mod ghl_contacts;
mod ghl_contract;
mod ghl_notes_tasks;
mod ghl_oauth;
mod ghl_resilience;
mod hosts;
mod layers;
mod location_change;
mod migration;
mod note_sending;
mod options;
mod outbox;
mod panel_actions;
mod panel_load;
mod popup;
mod storage;
mod sync;
