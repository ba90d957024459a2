//! [`Transport`] over the global `fetch` (gloo-net), which exists in service workers, pages and Firefox's
//! event page alike. A timer aborts requests that outlive their timeout; the body is read chunk by chunk into a
//! [`BodyReader`], so an oversized answer is refused before it is read whole.

use crate::platform::http::{BodyReader, HttpRequest, HttpResponse, Method, Transport, TransportError, TransportErrorKind};
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
        let max_body_bytes = request.max_body_bytes;
        let prepared = match request.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(|e| network(e.to_string()))?;

        let abort = Closure::once_into_js(move || controller.abort());
        let timer = set_timeout(abort.unchecked_ref(), request.timeout_ms.min(i32::MAX as u32) as i32);
        let outcome = read(prepared, max_body_bytes).await;
        clear_timeout(&timer);

        outcome.map_err(|detail| {
            let kind = if signal.aborted() { TransportErrorKind::Timeout } else { detail.0 };
            TransportError::new(kind, detail.1)
        })
    }
}

async fn read(request: gloo_net::http::Request, max_body_bytes: usize) -> Result<HttpResponse, (TransportErrorKind, String)> {
    let response = request.send().await.map_err(|e| (TransportErrorKind::Network, e.to_string()))?;
    let status = response.status();
    let headers: Vec<(String, String)> = response.headers().entries().collect();
    let refused = |error: TransportError| (error.kind, error.detail);
    let mut body = BodyReader::new(max_body_bytes, status, &headers).map_err(refused)?;
    if let Some(stream) = response.body() {
        let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let failed = |e: JsValue| (TransportErrorKind::Network, describe(&e));
        loop {
            let chunk = wasm_bindgen_futures::JsFuture::from(reader.read()).await.map_err(failed)?;
            if js_sys::Reflect::get(&chunk, &JsValue::from_str("done")).map_err(failed)?.is_truthy() {
                break;
            }
            let bytes = js_sys::Reflect::get(&chunk, &JsValue::from_str("value")).map_err(failed)?;
            let stop = body.push(&bytes.unchecked_into::<js_sys::Uint8Array>().to_vec());
            if stop != Ok(false) {
                // Refused, or an error answer cut: the rest is not downloaded.
                let _ = reader.cancel();
                stop.map_err(refused)?;
                break;
            }
        }
    }
    Ok(HttpResponse { status, headers, body: body.finish() })
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
