//! Replies and small HTTP helpers shared by every handler: GHL's error shapes, query and form
//! decoding.

use serde_json::{json, Map, Value};

/// What a handler answers. Headers such as CORS and rate limits are added by the server.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Body,
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone)]
pub enum Body {
    Json(Value),
    /// Raw bytes with a content type (fault bodies, static files, truncated JSON).
    Raw(&'static str, Vec<u8>),
    /// This many bytes of JSON filler, streamed without a declared length (the oversize fault).
    Streamed(usize),
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply { status, body: Body::Json(body), headers: Vec::new() }
    }

    pub fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    pub fn created(body: Value) -> Reply {
        Reply::json(201, body)
    }

    pub fn raw(status: u16, content_type: &'static str, bytes: Vec<u8>) -> Reply {
        Reply { status, body: Body::Raw(content_type, bytes), headers: Vec::new() }
    }

    /// NestJS-style error: `{"statusCode","message","error"}`.
    pub fn error(status: u16, message: impl Into<Value>) -> Reply {
        Reply::json(status, json!({"statusCode": status, "message": message.into(), "error": reason(status)}))
    }

    /// Error without the `error` field (GHL's 429 and gateway 5xx bodies look like this).
    pub fn plain_error(status: u16, message: &str) -> Reply {
        Reply::json(status, json!({"statusCode": status, "message": message}))
    }

    pub fn unprocessable(messages: Vec<String>) -> Reply {
        Reply::error(422, Value::from(messages))
    }

    pub fn bad_request(message: &str) -> Reply {
        Reply::error(400, message)
    }

    pub fn not_found(message: &str) -> Reply {
        Reply::error(404, message)
    }

    pub fn forbidden_location() -> Reply {
        Reply::error(403, "The token does not have access to this location.")
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// The standard reason phrase, used as GHL's `error` field and for fault bodies.
pub fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        s if s < 400 => "OK",
        s if s < 500 => "Client Error",
        _ => "Server Error",
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes; `plus_is_space` for query strings and form bodies. Invalid escapes are kept
/// literally and invalid UTF-8 is replaced, so odd input never fails.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decoded `key=value` pairs in order (query strings and form bodies).
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: &str) -> Params {
        Params(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .take(1000)
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (percent_decode(k, true), percent_decode(v, true))
                })
                .collect(),
        )
    }

    /// The last value for a key (later values win, like most frameworks).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.0 {
            m.insert(k.clone(), Value::String(v.clone()));
        }
        Value::Object(m)
    }
}

/// Minimal escaping for building URLs (nextPageUrl).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("%2B1423164516", true), "+1423164516");
        assert_eq!(percent_decode("test%2Babc%40gmail.com", true), "test+abc@gmail.com");
        assert_eq!(percent_decode("a+b", true), "a b");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("100%", true), "100%");
        assert_eq!(percent_decode("%zz%4", true), "%zz%4");
        assert_eq!(percent_decode("%E2%82%AC", true), "€");
        let p = Params::parse("locationId=abc&limit=5&limit=7&x");
        assert_eq!(p.get("locationId"), Some("abc"));
        assert_eq!(p.get("limit"), Some("7"));
        assert_eq!(p.get("x"), Some(""));
        assert_eq!(percent_encode("a b+c"), "a%20b%2Bc");
    }
}
