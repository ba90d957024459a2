//! The platform layer: what every other layer builds on — the error type, JSON, time, HTTP and storage ports, the
//! log sink, locks and small utilities. It knows nothing of GHL, host apps or the extension's features.

pub mod clock;
pub mod dates;
pub mod error;
pub mod hash;
pub mod http;
pub mod join;
pub mod json;
pub mod lock;
pub mod log;
pub mod store;
