//! [`Store`] over `chrome.storage.local`, durable across service-worker and browser restarts; items are stored as
//! plain objects, and the core exchanges them as JSON text. Credential items ([`store::is_secret`]) go to the
//! worker's secret store instead (`ghlBridgeSecrets` in `background.js`: the extension origin's IndexedDB, which no
//! content script can open — Firefox's content scripts can read `storage.local`).

use crate::platform::error::{Error, Result};
use crate::platform::store::{self, Store};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // Looked up at call time, so a missing `chrome` (tests, wrong context) is an `Err`, not a trap.
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
    async fn storage_get(keys: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = set, catch)]
    async fn storage_set(items: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = remove, catch)]
    async fn storage_remove(keys: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = clear, catch)]
    async fn storage_clear() -> std::result::Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ghlBridgeSecrets, js_name = get, catch)]
    async fn secret_get(key: &str) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ghlBridgeSecrets, js_name = set, catch)]
    async fn secret_set(key: &str, json: &str) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ghlBridgeSecrets, js_name = remove, catch)]
    async fn secret_remove(key: &str) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ghlBridgeSecrets, js_name = clear, catch)]
    async fn secret_clear() -> std::result::Result<JsValue, JsValue>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ChromeStorage;

impl Store for ChromeStorage {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        if store::is_secret(key) {
            return secret_get(key).await.map(|json| json.as_string()).map_err(storage_error);
        }
        let key_js = JsValue::from_str(key);
        let items = storage_get(&key_js).await.map_err(storage_error)?;
        let item = js_sys::Reflect::get(&items, &key_js).map_err(storage_error)?;
        if item.is_undefined() {
            return Ok(None);
        }
        let json = js_sys::JSON::stringify(&item).map_err(storage_error)?;
        Ok(json.as_string())
    }

    async fn set(&self, key: &str, json: String) -> Result<()> {
        if store::is_secret(key) {
            return secret_set(key, &json).await.map(drop).map_err(storage_error);
        }
        let value = js_sys::JSON::parse(&json).map_err(storage_error)?;
        let items = js_sys::Object::new();
        js_sys::Reflect::set(&items, &JsValue::from_str(key), &value).map_err(storage_error)?;
        storage_set(&items).await.map(drop).map_err(storage_error)
    }

    async fn remove(&self, key: &str) -> Result<()> {
        if store::is_secret(key) {
            return secret_remove(key).await.map(drop).map_err(storage_error);
        }
        storage_remove(&JsValue::from_str(key)).await.map(drop).map_err(storage_error)
    }

    async fn clear(&self) -> Result<()> {
        secret_clear().await.map_err(storage_error)?;
        storage_clear().await.map(drop).map_err(storage_error)
    }
}

fn storage_error(error: JsValue) -> Error {
    let detail = js_sys::Reflect::get(&error, &JsValue::from_str("message"))
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| "unknown error".to_owned());
    Error::storage(format!("Extension storage failed ({detail}). Free some space or restart the browser."))
}
