//! The only wasm-bindgen surface of the core. No rules live here: it converts values at the boundary,
//! binds the platform (fetch, `chrome.storage`), and turns [`Error`]s into real JS `Error`s.
//!
//! Messages cross as JSON text (`JSON.stringify` / `JSON.parse` in the worker): the core then deserializes
//! straight into its typed messages, which keeps the module small (no generic JS-value visitors).

mod clock;
mod fetch;
mod storage;

use crate::app::Core;
use crate::ghl::{Platform, API_BASE};
use crate::platform::error::Error;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

pub use clock::BrowserClock;
pub use fetch::FetchTransport;
pub use storage::ChromeStorage;

type BrowserCore = Core<FetchTransport, ChromeStorage, BrowserClock>;

thread_local! {
    // One core per worker lifetime: messages share the rate budgets and the OAuth refresh lock.
    static CORE: Rc<BrowserCore> = Rc::new(Core::new(Platform::new(FetchTransport, ChromeStorage, BrowserClock), API_BASE));
}

/// Serves one message from a content script or extension page.
///
/// `message` is the message's JSON; `sender` is the JSON of `{extensionId, extensionOrigin, id, url, tabId,
/// frameId}`. Resolves to the answer's JSON, or rejects with an `Error` carrying `code`, `retryable` and, for
/// GHL errors, `status`, `traceId` and `retryAfterMs`.
#[wasm_bindgen]
pub async fn dispatch(message: String, sender: String) -> Result<String, JsValue> {
    let core = CORE.with(Rc::clone);
    core.dispatch(&message, &sender).await.map_err(js_error)
}

/// A `chrome.alarms` alarm fired; resolves to what to show and which alarms to keep, as JSON. A module asked for the
/// other's alarm rejects with the code `wrong_module`.
#[wasm_bindgen(js_name = onAlarm)]
pub async fn on_alarm(name: String) -> Result<String, JsValue> {
    let core = CORE.with(Rc::clone);
    core.on_alarm(&name).await.map_err(js_error)
}

/// What the worker answers for a message during which the core trapped (asked of the fresh instance).
#[wasm_bindgen(js_name = restartedError)]
pub fn restarted_error() -> JsValue {
    js_error(Error::new(
        crate::platform::error::ErrorCode::CoreRestarted,
        "GHL Bridge hit an internal fault and restarted. Edits already saved are kept; try again.",
    ))
}

/// A real `Error` (so stacks and `instanceof` work) with the fields the UI switches on.
pub fn js_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("GhlBridgeError");
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from_str(error.code.as_str()));
    set("retryable", JsValue::from_bool(error.retryable));
    if let Some(status) = error.status {
        set("status", JsValue::from(status));
    }
    if let Some(trace_id) = &error.trace_id {
        set("traceId", JsValue::from_str(trace_id));
    }
    if error.queued {
        set("queued", JsValue::TRUE);
    }
    if let Some(page) = error.fix_page {
        set("fixPage", JsValue::from_str(page));
    }
    if let Some(ms) = error.retry_after_ms {
        set("retryAfterMs", JsValue::from_f64(ms as f64));
    }
    js.into()
}

/// A free-list allocator (sorted, coalescing) instead of the default dlmalloc: about 4 KB less gzip in a module
/// whose size budget is tight. A service worker lives minutes and is single-threaded, which is what it assumes.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
