//! [`Clock`] from the JS global scope: `Date.now`, `setTimeout`, `Math.random`.

use crate::platform::clock::Clock;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(bytes: &mut [u8]);
}

#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    async fn sleep(&self, ms: u64) {
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            set_timeout(&resolve, ms as f64);
        });
        // setTimeout cannot fail to call back; the promise only resolves.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn unguessable(&self) -> String {
        let mut bytes = [0u8; 16];
        get_random_values(&mut bytes);
        crate::platform::clock::hex(&bytes)
    }
}
