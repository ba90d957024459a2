//! The HTTP seam. The core builds [`HttpRequest`]s and reads [`HttpResponse`]s; a [`Transport`] moves them.
//! On wasm that is `fetch` (see `wasm::fetch`); natively, tests bring their own.

use std::fmt;

/// The HTTP methods GHL's API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request with an absolute URL (relative URLs resolve against the worker script in a service worker).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Give up after this long; the transport reports [`TransportErrorKind::Timeout`].
    pub timeout_ms: u32,
    /// The longest success answer read (see [`BodyReader`]); an error answer keeps at most
    /// [`MAX_ERROR_BODY_BYTES`] of this.
    pub max_body_bytes: usize,
}

/// A response as received. Header names are compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// The first header of that name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// No response: offline, refused, reset, DNS, CORS, or the connection closed before an answer.
    Network,
    /// The request timed out (the transport aborted it).
    Timeout,
    /// The response arrived but its body could not be read (too large, not text).
    Body,
}

/// A request that got no usable response. Whether the server acted on it is unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub detail: String,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, detail: impl Into<String>) -> Self {
        Self { kind, detail: detail.into() }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            TransportErrorKind::Network => "network",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Body => "body",
        };
        write!(f, "{kind}: {}", self.detail)
    }
}

/// Largest GHL answer the core reads. GHL's biggest real answers (a 100-contact search page, a contact's notes)
/// stay well below this; anything larger is refused before it is read whole.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// Most of an error answer kept: its message is all that is read from it, so the rest is dropped unread.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// Reads a response body within the request's limit, chunk by chunk as the transport receives it: a success answer
/// over the limit is refused (declared by `Content-Length`, before any byte is read, or while streaming); an error
/// answer is cut at [`MAX_ERROR_BODY_BYTES`] and the rest dropped. Transports only feed it chunks.
#[derive(Debug)]
pub struct BodyReader {
    max: usize,
    /// Error answers: keep the first `max` bytes instead of refusing.
    cut: bool,
    bytes: Vec<u8>,
}

impl BodyReader {
    /// Starts reading an answer with `status` and `headers` to a request allowing `max_body_bytes`
    /// ([`HttpRequest::max_body_bytes`]); refuses a declared length over the limit.
    pub fn new(max_body_bytes: usize, status: u16, headers: &[(String, String)]) -> Result<Self, TransportError> {
        let cut = !(200..300).contains(&status);
        let max = if cut { max_body_bytes.min(MAX_ERROR_BODY_BYTES) } else { max_body_bytes };
        let declared = headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("content-length"));
        let declared = declared.and_then(|(_, value)| value.trim().parse::<u64>().ok());
        match declared {
            Some(length) if !cut && length > max as u64 => Err(too_large(max)),
            _ => Ok(Self { max, cut, bytes: Vec::new() }),
        }
    }

    /// Adds a received chunk. `Ok(true)`: stop reading (an error answer reached its cut); `Err`: the answer is over
    /// the limit and refused.
    pub fn push(&mut self, chunk: &[u8]) -> Result<bool, TransportError> {
        let room = self.max - self.bytes.len();
        if chunk.len() <= room {
            self.bytes.extend_from_slice(chunk);
            return Ok(false);
        }
        if !self.cut {
            return Err(too_large(self.max));
        }
        self.bytes.extend_from_slice(&chunk[..room]);
        Ok(true)
    }

    /// The body as text (a cut may end inside a character: that one is replaced).
    pub fn finish(self) -> String {
        String::from_utf8(self.bytes).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }
}

fn too_large(max: usize) -> TransportError {
    TransportError::new(TransportErrorKind::Body, format!("the answer is larger than {} KB, which we do not read", max / 1024))
}

/// Moves one request and its response. Implementations must not retry: the client decides that.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait Transport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &T {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

/// Percent-encodes a query-string component (RFC 3986 unreserved characters stay as they are),
/// so `+` in a phone number or an email arrives as `%2B`, as GHL requires.
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(byte >> 4) as usize] as char);
                out.push(HEX[(byte & 0xF) as usize] as char);
            }
        }
    }
    out
}

/// The value of `name` in a URL's query (`+` as space, `%XX` decoded; invalid UTF-8 replaced). `None` when absent.
pub fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next().unwrap_or_default();
    let raw = query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })?;
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[at] {
            b'+' => out.push(b' '),
            b'%' if at + 2 < bytes.len() => match (hex(bytes[at + 1]), hex(bytes[at + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    at += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        at += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Builds `?a=1&b=2` from pairs, skipping none: callers leave out what they do not send.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (index, (key, value)) in pairs.iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        out.push_str(&encode_component(key));
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length(bytes: u64) -> Vec<(String, String)> {
        vec![("Content-Length".into(), bytes.to_string())]
    }

    #[test]
    fn a_success_answer_declared_over_the_limit_is_refused_before_reading() {
        let error = BodyReader::new(1000, 200, &length(1001)).unwrap_err();
        assert_eq!(error.kind, TransportErrorKind::Body);
        assert!(BodyReader::new(1000, 200, &length(1000)).is_ok());
        assert!(BodyReader::new(1000, 200, &[("content-length".into(), "lots".into())]).is_ok(), "unreadable: streamed");
    }

    #[test]
    fn a_success_answer_streaming_past_the_limit_is_refused() {
        let mut reader = BodyReader::new(10, 200, &[]).unwrap();
        assert_eq!(reader.push(b"0123456789"), Ok(false));
        assert_eq!(reader.push(b"x").unwrap_err().kind, TransportErrorKind::Body);
    }

    #[test]
    fn an_error_answer_is_cut_not_refused() {
        let huge = MAX_ERROR_BODY_BYTES as u64 * 100;
        let mut reader = BodyReader::new(MAX_RESPONSE_BYTES, 422, &length(huge)).unwrap();
        let chunk = vec![b'a'; MAX_ERROR_BODY_BYTES - 1];
        assert_eq!(reader.push(&chunk), Ok(false));
        // "é" is two bytes: the cut falls inside it.
        assert_eq!(reader.push("é and more".as_bytes()), Ok(true), "stop reading");
        let text = reader.finish();
        assert_eq!(text.len(), MAX_ERROR_BODY_BYTES - 1 + '\u{FFFD}'.len_utf8());
        assert!(text.ends_with('\u{FFFD}'));
    }

    #[test]
    fn query_values_are_decoded() {
        let url = "https://x.chromiumapp.org/?code=a%2Fb+c&state=s1&empty=&bad=%zz%4#frag";
        assert_eq!(query_value(url, "code").as_deref(), Some("a/b c"));
        assert_eq!(query_value(url, "state").as_deref(), Some("s1"));
        assert_eq!(query_value(url, "empty").as_deref(), Some(""));
        assert_eq!(query_value(url, "bad").as_deref(), Some("%zz%4"));
        assert_eq!(query_value(url, "missing"), None);
        assert_eq!(query_value("https://x/", "code"), None);
        assert_eq!(query_value("https://x/?q=%C3%A9%FF", "q").as_deref(), Some("é\u{FFFD}"));
    }

    #[test]
    fn encodes_plus_and_at_as_ghl_requires() {
        assert_eq!(encode_component("+1423164516"), "%2B1423164516");
        assert_eq!(encode_component("test+abc@gmail.com"), "test%2Babc%40gmail.com");
        assert_eq!(encode_component("a b/ü"), "a%20b%2F%C3%BC");
    }

    #[test]
    fn builds_query_strings_in_order() {
        assert_eq!(query_string(&[]), "");
        assert_eq!(query_string(&[("locationId", "L1"), ("email", "x@y.z")]), "?locationId=L1&email=x%40y.z");
    }

    #[test]
    fn finds_headers_case_insensitively() {
        let response = HttpResponse { status: 200, headers: vec![("x-ratelimit-remaining".into(), "99".into())], body: String::new() };
        assert_eq!(response.header("X-RateLimit-Remaining"), Some("99"));
        assert_eq!(response.header("X-RateLimit-Max"), None);
    }
}
