//! Everything the core reads from GHL, the token endpoint or a script, fed arbitrary bytes: it may refuse,
//! it must not panic. The first byte picks the status for the error-path parsers.
#![no_main]

use ghl_bridge::ghl::auth::{read_token_answer, Grant};
use ghl_bridge::ghl::dates::parse_timestamp;
use ghl_bridge::ghl::models::{Appointment, ContactEnvelope, Note, Task};
use ghl_bridge::ghl::ratelimit::{RateBudget, RateHeaders};
use ghl_bridge::ghl::response::{parse_body, status_error, CallContext, ErrorBody};
use ghl_bridge::http::HttpResponse;
use ghl_bridge::ghl::auth::OAuthSession;
use ghl_bridge::json::{self, Json};
use ghl_bridge::links::Link;
use ghl_bridge::protocol::{Request, SenderInput};
use ghl_bridge::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    let status = [200, 201, 400, 401, 403, 404, 422, 429, 500, 502][usize::from(selector) % 10];
    // Header values from the text too: GHL's rate headers are numbers only when GHL behaves.
    let headers = text
        .lines()
        .take(8)
        .zip(["x-ratelimit-max", "x-ratelimit-remaining", "x-ratelimit-interval-milliseconds", "x-ratelimit-daily-remaining", "retry-after"])
        .map(|(value, name)| (name.to_owned(), value.to_owned()))
        .collect();
    let response = HttpResponse { status, headers, body: text.clone() };

    let _ = parse_body::<ContactEnvelope>(&response);
    let _ = parse_body::<Vec<Note>>(&response);
    let _ = parse_body::<Vec<Task>>(&response);
    let _ = parse_body::<Vec<Appointment>>(&response);
    let _ = ErrorBody::parse(&text);
    let _ = status_error(&response, CallContext { resource: "contact", location_id: "Loc" });
    // The budget does time arithmetic with what the headers say.
    let mut budget = RateBudget::default();
    let now = u64::from_le_bytes(rest.get(..8).and_then(|b| b.try_into().ok()).unwrap_or([0; 8])) >> 8;
    let _ = budget.admit(now);
    budget.finish(now, selector & 1 == 0, Some(RateHeaders::read(&response)));
    let _ = budget.admit(now.saturating_add(u64::from(selector) * 1000));
    if let Some(wait) = status_error(&response, CallContext { resource: "contact", location_id: "Loc" }).retry_after_ms {
        budget.pause(now, wait);
    }
    let _ = read_token_answer(status, &text, 1_700_000_000_000, Grant::RefreshToken("rt"));
    let _ = parse_timestamp(&text);
    let _ = Request::parse(&text);
    // What storage and the service worker hand the core.
    if let Ok(value) = json::parse(&text) {
        // Writing and reading again gives the same value (escapes, numbers, nesting survive).
        let written = serde_json::to_string(&value).expect("a parsed value always writes");
        assert_eq!(json::parse(&written).as_ref(), Ok(&value), "{written}");
        let _ = <Settings as json::FromJson>::from_json(&value);
        let _ = <Link as json::FromJson>::from_json(&value);
        let _ = <SenderInput as json::FromJson>::from_json(&value);
        let _ = <OAuthSession as json::FromJson>::from_json(&value);
        let _ = <Vec<Json> as json::FromJson>::from_json(&value);
    }
});
