//! Turning GHL answers into values or into errors a person can act on.
//!
//! GHL's error body is `{"statusCode", "message": string | string[], "error"?, "traceId"?, "meta"?}`, but
//! gateways answer 5xx with HTML, so nothing here assumes the body is JSON.

use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::{HttpResponse, TransportError, TransportErrorKind};
use crate::platform::json::{self, FromJson, Json, JsonError};

/// What an error body told us, as far as it could be read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ErrorBody {
    pub messages: Vec<String>,
    pub trace_id: Option<String>,
    /// On a refused duplicate create: the contact that already exists.
    pub duplicate_of: Option<String>,
}

impl ErrorBody {
    /// Reads what it can; a body that is not GHL's error shape (an HTML gateway page) gives an empty result.
    pub fn parse(body: &str) -> Self {
        let value = json::parse(body).unwrap_or(Json::Null);
        // `message` is a string for most statuses and a list of strings for 422.
        let messages = match value.get("message") {
            Some(Json::String(text)) => vec![text.clone()],
            Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        let text = |value: Option<&Json>| value.and_then(Json::as_str).map(str::to_owned);
        Self {
            messages,
            trace_id: text(value.get("traceId")),
            duplicate_of: text(value.get("meta").and_then(|meta| meta.get("contactId"))),
        }
    }

    /// The first few messages, each shortened: a 422 listing a thousand problems still makes a readable error.
    fn joined(&self) -> String {
        const SHOWN: usize = 5;
        let mut text = self.messages.iter().take(SHOWN).map(|m| clip(m, 300)).collect::<Vec<_>>().join("; ");
        if self.messages.len() > SHOWN {
            text.push_str(&format!("; and {} more", self.messages.len() - SHOWN));
        }
        text
    }

    fn mentions(&self, needle: &str) -> bool {
        self.messages.iter().any(|m| m.to_ascii_lowercase().contains(needle))
    }
}

/// Context that makes error messages specific.
#[derive(Debug, Clone, Copy)]
pub struct CallContext<'a> {
    /// What was asked for, for "not found" messages: "contact", "note", "task".
    pub resource: &'a str,
    pub location_id: &'a str,
}

/// Parses a 2xx body into `T`; malformed JSON and wrong types become `bad_response` (the transport already refused
/// an oversized body: [`crate::platform::http::BodyReader`]).
pub fn parse_body<T: FromJson>(response: &HttpResponse) -> Result<T> {
    json::read(&response.body).map_err(|error| {
        let trace_id = ErrorBody::parse(&response.body).trace_id;
        Error::new(
            ErrorCode::BadResponse,
            format!(
                "GHL sent a response we could not read ({}). Try again; if it persists, GHL may be having trouble.",
                describe_json_error(&error)
            ),
        )
        .with_status(response.status)
        .with_trace_id(trace_id)
    })
}

fn describe_json_error(error: &JsonError) -> String {
    match error {
        JsonError::Eof => "the body ended early".to_owned(),
        JsonError::Syntax { line, column, .. } => format!("invalid JSON at line {line} column {column}"),
        JsonError::Shape(message) => clip(message, 200),
    }
}

/// The error for a non-2xx answer.
pub fn status_error(response: &HttpResponse, context: CallContext<'_>) -> Error {
    let body = ErrorBody::parse(&response.body);
    let status = response.status;
    let detail = body.joined();
    let error = match status {
        401 if body.mentions("scope") => Error::new(
            ErrorCode::MissingScope,
            "The GHL token is not allowed to do this. In GHL, give the Private Integration the contacts.readonly and contacts.write scopes, then try again.",
        ),
        401 => Error::new(
            ErrorCode::Unauthorized,
            "GHL rejected the token — check the Private Integration Token in Options.",
        ),
        403 => Error::new(
            ErrorCode::Forbidden,
            format!(
                "This token has no access to location {} — check the Location ID in Options, or use a token created in that sub-account.",
                context.location_id
            ),
        ),
        404 => Error::new(
            ErrorCode::NotFound,
            format!("GHL has no such {} — it may have been deleted in GHL.", context.resource),
        ),
        400 if body.mentions("duplicated contacts") => Error::new(
            ErrorCode::Duplicate,
            "GHL already has a contact with this email or phone, and this location does not allow duplicates.",
        ),
        400 | 422 => Error::new(
            ErrorCode::Validation,
            if detail.is_empty() {
                format!("GHL refused the request (HTTP {status}).")
            } else {
                format!("GHL refused the request: {detail}.")
            },
        ),
        429 => rate_limit_error(response),
        500..=599 => Error::new(
            ErrorCode::ServerError,
            format!("GHL is having trouble (HTTP {status}). Try again in a minute."),
        ),
        _ => Error::new(
            ErrorCode::BadResponse,
            format!("GHL answered with an unexpected HTTP status {status}."),
        ),
    };
    error.with_status(status).with_trace_id(body.trace_id)
}

fn rate_limit_error(response: &HttpResponse) -> Error {
    let daily_remaining = response.header("x-ratelimit-daily-remaining").and_then(|v| v.trim().parse::<u64>().ok());
    if daily_remaining == Some(0) {
        return Error::new(
            ErrorCode::DailyLimit,
            "GHL's daily request limit for this location is used up. Syncing resumes when it resets.",
        );
    }
    let wait_ms = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|seconds| seconds.saturating_mul(1000))
        .or_else(|| response.header("x-ratelimit-interval-milliseconds").and_then(|v| v.trim().parse().ok()))
        .unwrap_or(10_000)
        // A header, not a promise: never wait longer than an hour on its word (found by fuzzing).
        .min(MAX_RATE_WAIT_MS);
    Error::new(ErrorCode::RateLimited, format!("GHL rate limit reached — try again in {} s.", wait_ms.div_ceil(1000)))
        .with_retry_after(wait_ms)
}

/// The longest wait a rate-limit header can impose.
pub const MAX_RATE_WAIT_MS: u64 = 3_600_000;

/// The error for a request that got no response.
pub fn transport_error(error: &TransportError) -> Error {
    match error.kind {
        TransportErrorKind::Timeout => {
            Error::new(ErrorCode::Timeout, "GHL did not answer in time. Check your connection; we will try again.")
        }
        TransportErrorKind::Network => {
            Error::new(ErrorCode::Network, "Could not reach GHL. Check your internet connection; we will try again.")
        }
        TransportErrorKind::Body => {
            Error::new(ErrorCode::BadResponse, format!("GHL's response could not be read ({}).", clip(&error.detail, 200)))
        }
    }
}

pub(crate) use crate::platform::error::clip;

#[cfg(test)]
mod tests {
    use super::*;

    const CONTEXT: CallContext<'static> = CallContext { resource: "contact", location_id: "LOC1" };

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: body.to_owned() }
    }

    #[test]
    fn explains_401_as_a_token_problem() {
        let error = status_error(&response(401, r#"{"statusCode":401,"message":"Invalid JWT","traceId":"t-1"}"#), CONTEXT);
        assert_eq!(error.code, ErrorCode::Unauthorized);
        assert!(error.message.contains("Private Integration Token"));
        assert_eq!(error.trace_id.as_deref(), Some("t-1"));
        assert!(!error.retryable);
    }

    #[test]
    fn tells_a_missing_scope_from_a_bad_token() {
        let error = status_error(&response(401, r#"{"message":"The token is not authorized for this scope."}"#), CONTEXT);
        assert_eq!(error.code, ErrorCode::MissingScope);
    }

    #[test]
    fn names_the_location_on_403() {
        let error = status_error(&response(403, r#"{"message":"The token does not have access to this location."}"#), CONTEXT);
        assert_eq!(error.code, ErrorCode::Forbidden);
        assert!(error.message.contains("LOC1"));
    }

    #[test]
    fn lists_422_messages() {
        let body = r#"{"statusCode":422,"message":["property foo should not exist","title should not be empty"]}"#;
        let error = status_error(&response(422, body), CONTEXT);
        assert_eq!(error.code, ErrorCode::Validation);
        assert!(error.message.contains("property foo should not exist; title should not be empty"));
    }

    #[test]
    fn names_the_existing_contact_on_a_refused_duplicate() {
        let body = r#"{"statusCode":400,"message":"This location does not allow duplicated contacts.","meta":{"contactId":"c9","matchingField":"email"}}"#;
        let error = status_error(&response(400, body), CONTEXT);
        assert_eq!(error.code, ErrorCode::Duplicate);
        assert_eq!(ErrorBody::parse(body).duplicate_of.as_deref(), Some("c9"));
    }

    #[test]
    fn reads_html_gateway_errors() {
        let error = status_error(&response(502, "<html>Bad Gateway</html>"), CONTEXT);
        assert_eq!(error.code, ErrorCode::ServerError);
        assert!(error.retryable);
        assert_eq!(error.status, Some(502));
    }

    #[test]
    fn rate_limits_say_how_long_to_wait() {
        let mut answer = response(429, r#"{"message":"Too many requests"}"#);
        answer.headers.push(("X-RateLimit-Interval-Milliseconds".into(), "8000".into()));
        let error = status_error(&answer, CONTEXT);
        assert_eq!(error.code, ErrorCode::RateLimited);
        assert_eq!(error.retry_after_ms, Some(8000));
        assert!(error.message.contains("8 s"));

        answer.headers.push(("Retry-After".into(), "18446744073709551615".into()));
        assert_eq!(status_error(&answer, CONTEXT).retry_after_ms, Some(MAX_RATE_WAIT_MS), "hostile header, bounded wait");

        answer.headers.push(("X-RateLimit-Daily-Remaining".into(), "0".into()));
        assert_eq!(status_error(&answer, CONTEXT).code, ErrorCode::DailyLimit);
    }

    #[test]
    fn malformed_json_is_a_bad_response_not_a_panic() {
        for body in ["{\"contact\":{\"id\":", "", "null", "[1,2]", "{\"contact\":1} trailing", "{\"contact\":1}"] {
            let error = parse_body::<crate::ghl::models::ContactEnvelope>(&response(200, body)).unwrap_err();
            assert_eq!(error.code, ErrorCode::BadResponse, "body {body:?}");
        }
    }

    #[test]
    fn clips_on_character_boundaries() {
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hi", 5), "hi");
    }
}
