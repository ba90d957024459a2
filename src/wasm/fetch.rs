//! [`Transport`] over the global `fetch` (gloo-net), which exists in service workers, pages and Firefox's
//! event page alike. A timer aborts requests that outlive their timeout.

use crate::platform::http::{HttpRequest, HttpResponse, Method, Transport, TransportError, TransportErrorKind};
use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// `fetch` from whatever global scope the core runs in.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let network = |detail: String| TransportError::new(TransportErrorKind::Network, detail);
        let controller = web_sys::AbortController::new().map_err(|e| network(describe(&e)))?;
        let signal = controller.signal();

        let mut builder = RequestBuilder::new(&request.url).method(match request.method {
            Method::Get => FetchMethod::GET,
            Method::Post => FetchMethod::POST,
            Method::Put => FetchMethod::PUT,
            Method::Delete => FetchMethod::DELETE,
        });
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        builder = builder.abort_signal(Some(&signal));
        let prepared = match request.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(|e| network(e.to_string()))?;

        let abort = Closure::once_into_js(move || controller.abort());
        let timer = set_timeout(abort.unchecked_ref(), request.timeout_ms.min(i32::MAX as u32) as i32);
        let outcome = read(prepared).await;
        clear_timeout(&timer);

        outcome.map_err(|detail| {
            let kind = if signal.aborted() { TransportErrorKind::Timeout } else { detail.0 };
            TransportError::new(kind, detail.1)
        })
    }
}

async fn read(request: gloo_net::http::Request) -> Result<HttpResponse, (TransportErrorKind, String)> {
    let response = request.send().await.map_err(|e| (TransportErrorKind::Network, e.to_string()))?;
    let status = response.status();
    let headers = response.headers().entries().collect();
    let body = response.text().await.map_err(|e| (TransportErrorKind::Body, e.to_string()))?;
    Ok(HttpResponse { status, headers, body })
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
