//! Credentials: a Private Integration Token (static), or OAuth tokens kept fresh through a token endpoint that
//! the user's own backend runs (it holds the client secret and forwards to GHL's `/oauth/token`, same shapes).
//!
//! Refresh tokens rotate on every use, so a refresh must never run twice at once and the new pair must be
//! stored before the new access token is used: a worker killed in between would otherwise hold a dead pair.

use super::response::{clip, transport_error};
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::{encode_component, HttpRequest, Method};
use crate::platform::json::{self, read_fields, Json};
use serde::Serialize;

/// Storage key of the OAuth token pair.
/// A credential item: see [`crate::platform::store::SECRET_PREFIX`].
pub const SESSION_KEY: &str = "secret.oauth.session";
/// Where versions before the secret store kept the session (moved on first read).
pub const LEGACY_SESSION_KEY: &str = "oauth.session";

/// Refresh this long before the access token expires: a service worker may sleep through the last minutes.
pub const REFRESH_AHEAD_MS: u64 = 5 * 60_000;

/// How the client proves who it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Credential {
    PrivateIntegrationToken(String),
    OAuth(OAuthEndpoint),
}

/// Where to exchange and refresh OAuth tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthEndpoint {
    pub token_endpoint: String,
    pub client_id: String,
}

/// The current OAuth token pair, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthSession {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
}

impl OAuthSession {
    /// Whether the access token can still be used at `now_ms` without refreshing first.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        now_ms + REFRESH_AHEAD_MS < self.expires_at_ms
    }
}

impl json::FromJson for OAuthSession {
    fn from_json(value: &Json) -> json::JsonResult<Self> {
        let fields = value.object("the stored OAuth session")?;
        let session = Self {
            access_token: fields.required_text("accessToken"),
            refresh_token: fields.required_text("refreshToken"),
            // Unknown expiry: refresh before the first use.
            expires_at_ms: fields.count("expiresAtMs").unwrap_or(0),
            scope: fields.text("scope"),
            location_id: fields.text("locationId"),
        };
        fields.finish(session)
    }
}

/// What the token endpoint is asked for.
#[derive(Debug, Clone, Copy)]
pub enum Grant<'a> {
    AuthorizationCode { code: &'a str, redirect_uri: &'a str },
    RefreshToken(&'a str),
}

/// GHL's `/oauth/token` answer (success or error); every field optional.
#[derive(Debug, Default)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    scope: Option<String>,
    location_id: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}
read_fields!(TokenAnswer, "the token answer" {
    access_token: text("access_token"),
    refresh_token: text("refresh_token"),
    expires_in: count("expires_in"),
    scope: text("scope"),
    location_id: text("locationId"),
    error: text("error"),
    error_description: text("error_description"),
});

/// The longest token endpoint answer read (a pair and its scopes are a few hundred bytes).
pub const MAX_TOKEN_ANSWER_BYTES: usize = 64 * 1024;

impl OAuthEndpoint {
    /// The form POST GHL's token endpoint expects, without the client secret (the user's backend adds it).
    pub fn token_request(&self, grant: Grant<'_>) -> HttpRequest {
        let mut fields = vec![("client_id", self.client_id.as_str()), ("user_type", "Location")];
        match grant {
            Grant::AuthorizationCode { code, redirect_uri } => {
                fields.extend([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect_uri)]);
            }
            Grant::RefreshToken(token) => fields.extend([("grant_type", "refresh_token"), ("refresh_token", token)]),
        }
        let body = fields.iter().map(|(name, value)| format!("{name}={}", encode_component(value))).collect::<Vec<_>>().join("&");
        HttpRequest {
            method: Method::Post,
            url: self.token_endpoint.clone(),
            headers: vec![
                ("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()),
                ("Accept".to_owned(), "application/json".to_owned()),
            ],
            body: Some(body),
            timeout_ms: super::REQUEST_TIMEOUT_MS,
            // A token pair is a few hundred bytes.
            max_body_bytes: MAX_TOKEN_ANSWER_BYTES,
        }
    }

    /// Checks the settings a person typed: an https endpoint (plain http only on this machine, for development).
    pub fn validated(mut self) -> Result<Self> {
        self.token_endpoint = self.token_endpoint.trim().to_owned();
        self.client_id = self.client_id.trim().to_owned();
        let endpoint = &self.token_endpoint;
        let local = ["http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/"];
        let url_ok = (endpoint.starts_with("https://") && endpoint.len() > "https://".len()
            || local.iter().any(|prefix| endpoint.starts_with(prefix)))
            && !endpoint.chars().any(|c| c.is_whitespace() || c.is_control())
            && endpoint.len() <= 2048;
        if !url_ok {
            return Err(Error::new(
                ErrorCode::InvalidSettings,
                "The token endpoint must be an https:// address of your own backend (the one that holds the client secret).",
            ));
        }
        if self.client_id.is_empty() || self.client_id.len() > 200 || self.client_id.chars().any(|c| c.is_whitespace()) {
            return Err(Error::new(
                ErrorCode::InvalidSettings,
                "Enter the Client ID of your GHL Marketplace app, exactly as GHL shows it.",
            ));
        }
        Ok(self)
    }
}

/// Reads the token endpoint's answer into a new session, or the error to show.
pub fn read_token_answer(status: u16, body: &str, now_ms: u64, grant: Grant<'_>) -> Result<OAuthSession> {
    let answer: TokenAnswer = json::read(body).unwrap_or_default();
    if (200..300).contains(&status) {
        let access_token = answer.access_token.filter(|token| !token.is_empty());
        let Some(access_token) = access_token else {
            return Err(Error::new(ErrorCode::BadResponse, "The token endpoint answered without an access token."));
        };
        let refresh_token = match (answer.refresh_token.filter(|token| !token.is_empty()), grant) {
            (Some(token), _) => token,
            // An endpoint that does not rotate keeps the old refresh token valid.
            (None, Grant::RefreshToken(old)) => old.to_owned(),
            (None, Grant::AuthorizationCode { .. }) => {
                return Err(Error::new(ErrorCode::BadResponse, "The token endpoint answered without a refresh token."));
            }
        };
        let expires_in_s = answer.expires_in.unwrap_or(86_399).min(366 * 86_400);
        return Ok(OAuthSession {
            access_token,
            refresh_token,
            expires_at_ms: now_ms + expires_in_s * 1000,
            scope: answer.scope,
            location_id: answer.location_id,
        });
    }
    let detail = answer.error_description.or(answer.error).map(|text| clip(&text, 200));
    let detail = detail.map_or_else(String::new, |text| format!(" ({text})"));
    let error = match status {
        400 | 401 | 403 => Error::new(
            ErrorCode::ReconnectNeeded,
            format!("GHL no longer accepts this connection{detail}. Open Options and press Connect to sign in to GHL again."),
        ),
        500..=599 => {
            Error::new(ErrorCode::ServerError, format!("The token endpoint is having trouble (HTTP {status}). We will try again."))
        }
        _ => Error::new(ErrorCode::BadResponse, format!("The token endpoint answered with an unexpected HTTP status {status}{detail}.")),
    };
    Err(error.with_status(status))
}

/// The error for a token endpoint that could not be reached.
pub fn unreachable_endpoint(error: &crate::platform::http::TransportError) -> Error {
    let mut unreachable = transport_error(error);
    unreachable.message = format!("The token endpoint could not be reached: {}", unreachable.message);
    unreachable
}

/// The error when OAuth is chosen but no tokens were ever obtained (or they were removed).
pub fn not_connected() -> Error {
    Error::new(ErrorCode::ReconnectNeeded, "GHL is not connected yet. Open Options and press Connect to sign in to GHL.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> OAuthEndpoint {
        OAuthEndpoint { token_endpoint: "https://auth.example.test/ghl/token".into(), client_id: "client-1".into() }
    }

    #[test]
    fn asks_for_a_refresh_in_ghls_form_shape_without_a_secret() {
        let request = endpoint().token_request(Grant::RefreshToken("rt/+1"));
        let body = request.body.unwrap();
        assert_eq!(body, "client_id=client-1&user_type=Location&grant_type=refresh_token&refresh_token=rt%2F%2B1");
        assert!(!body.contains("secret"));
        assert_eq!(request.method, Method::Post);
    }

    #[test]
    fn reads_a_rotated_pair() {
        let body = r#"{"access_token":"at-2","token_type":"Bearer","expires_in":86399,"refresh_token":"rt-2","scope":"contacts.readonly contacts.write","locationId":"L1"}"#;
        let session = read_token_answer(200, body, 1_000, Grant::RefreshToken("rt-1")).unwrap();
        assert_eq!(session.access_token, "at-2");
        assert_eq!(session.refresh_token, "rt-2");
        assert_eq!(session.expires_at_ms, 1_000 + 86_399_000);
        assert!(session.is_fresh(1_000));
        assert!(!session.is_fresh(1_000 + 86_399_000 - REFRESH_AHEAD_MS));
    }

    #[test]
    fn a_refused_refresh_means_reconnect() {
        let body = r#"{"error":"invalid_grant","error_description":"Invalid grant: refresh token is invalid"}"#;
        let error = read_token_answer(401, body, 0, Grant::RefreshToken("rt")).unwrap_err();
        assert_eq!(error.code, ErrorCode::ReconnectNeeded);
        assert!(error.message.contains("refresh token is invalid"));
        assert!(!error.retryable);
        let error = read_token_answer(502, "<html>", 0, Grant::RefreshToken("rt")).unwrap_err();
        assert_eq!(error.code, ErrorCode::ServerError);
        let error = read_token_answer(200, "{}", 0, Grant::RefreshToken("rt")).unwrap_err();
        assert_eq!(error.code, ErrorCode::BadResponse);
    }

    #[test]
    fn only_https_endpoints_except_on_this_machine() {
        assert!(endpoint().validated().is_ok());
        for url in ["http://auth.example.test/token", "javascript:alert(1)", "https://", "ftp://x", "https://a b"] {
            let config = OAuthEndpoint { token_endpoint: url.into(), client_id: "c".into() };
            assert_eq!(config.validated().unwrap_err().code, ErrorCode::InvalidSettings, "{url}");
        }
        let local = OAuthEndpoint { token_endpoint: "http://127.0.0.1:8080/oauth/token".into(), client_id: "c".into() };
        assert!(local.validated().is_ok());
    }
}
