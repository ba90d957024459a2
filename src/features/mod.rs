//! The features: what the panel, the options page and the alarms ask for, built on the GHL client, the host
//! records, links and mapping, and the outbox queue.

pub mod alerts;
pub mod background_refresh;
pub mod client_page;
pub mod contact_sync;
pub mod data_check;
pub mod delivery;
pub mod edit;
pub mod edits;
pub mod host_notes;
pub mod location_facts;
pub mod panel;
pub mod popup;
pub mod preferences;
pub mod settings;
