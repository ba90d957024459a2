//! The one error type of the core. Every failure reaches the UI as `{code, message, retryable}`:
//! `code` is stable (the UI switches on it), `message` is written for the agent, not the developer.

use serde::Serialize;
use std::fmt;

/// Stable, machine-readable error codes. Serialized in snake_case; never rename a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A message from a script or page did not have the expected shape.
    InvalidMessage,
    /// The message came from a context that may not send it (a page, another extension, a wrong host).
    ForbiddenSender,
    /// No GHL credentials saved yet.
    NotConfigured,
    /// The saved settings are incomplete or invalid.
    InvalidSettings,
    /// GHL rejected the token (401).
    Unauthorized,
    /// The token lacks a scope the call needs.
    MissingScope,
    /// The token has no access to the location (403).
    Forbidden,
    /// The OAuth refresh failed; the user must connect again.
    ReconnectNeeded,
    /// The GHL record does not exist (404).
    NotFound,
    /// GHL refused the request body (400/422).
    Validation,
    /// GHL's duplicate-contact rule refused a create.
    Duplicate,
    /// Burst rate limit reached (429).
    RateLimited,
    /// Daily request budget used up.
    DailyLimit,
    /// GHL failed on its side (5xx).
    ServerError,
    /// The request never got an answer (offline, DNS, connection dropped).
    Network,
    /// The request took too long.
    Timeout,
    /// GHL answered with something we could not read (malformed JSON, wrong types, too large).
    BadResponse,
    /// The host page record could not be matched: it carries no email or phone.
    NoIdentity,
    /// GHL changed (or deleted) the item since the agent last saw it: the agent decides.
    Conflict,
    /// Extension storage failed.
    Storage,
    /// "Sync this contact" was applied with a preview that no longer matches what would be written.
    PlanChanged,
    /// The host app is switched off in Options: the content script shows nothing on its pages.
    HostSwitchedOff,
    /// The message is served by the core's other wasm module (the worker forwards it there).
    WrongModule,
    /// The core stopped on an internal fault while serving the message and was started afresh: nothing was done.
    CoreRestarted,
    /// A bug on our side; the message says what happened.
    Internal,
}

impl ErrorCode {
    /// The code as the UI sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidMessage => "invalid_message",
            Self::ForbiddenSender => "forbidden_sender",
            Self::NotConfigured => "not_configured",
            Self::InvalidSettings => "invalid_settings",
            Self::Unauthorized => "unauthorized",
            Self::MissingScope => "missing_scope",
            Self::Forbidden => "forbidden",
            Self::ReconnectNeeded => "reconnect_needed",
            Self::NotFound => "not_found",
            Self::Validation => "validation",
            Self::Duplicate => "duplicate",
            Self::RateLimited => "rate_limited",
            Self::DailyLimit => "daily_limit",
            Self::ServerError => "server_error",
            Self::Network => "network",
            Self::Timeout => "timeout",
            Self::BadResponse => "bad_response",
            Self::NoIdentity => "no_identity",
            Self::Conflict => "conflict",
            Self::Storage => "storage",
            Self::PlanChanged => "plan_changed",
            Self::HostSwitchedOff => "host_switched_off",
            Self::WrongModule => "wrong_module",
            Self::CoreRestarted => "core_restarted",
            Self::Internal => "internal",
        }
    }

    /// Whether trying the same thing again later can succeed without the user changing anything.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::RateLimited | Self::ServerError | Self::Network | Self::Timeout | Self::Storage | Self::CoreRestarted)
    }
}

/// An error as the UI receives it, with the GHL details that help support (HTTP status, trace id).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    pub retryable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// How long to wait before a retry can succeed, when GHL told us (rate limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// The edit is stored and will be sent automatically (see `crate::outbox`): nothing the agent typed is lost.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub queued: bool,
    /// The extension page where a person fixes this (the connect step, for credentials GHL refused): the panel
    /// offers a button that opens it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_page: Option<&'static str>,
}

/// Boxed: results are moved through every layer, and a one-pointer error keeps each `Result` small, which
/// shrinks the wasm noticeably.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Error(Box<ErrorDetail>);

impl std::ops::Deref for Error {
    type Target = ErrorDetail;
    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetail {
        &mut self.0
    }
}

impl Error {
    /// An error with the default retryability of its code.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::with_message(code, message.into())
    }

    fn with_message(code: ErrorCode, message: String) -> Self {
        Self(Box::new(ErrorDetail {
            code,
            message,
            retryable: code.is_retryable(),
            status: None,
            trace_id: None,
            retry_after_ms: None,
            queued: false,
            fix_page: None,
        }))
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_trace_id(mut self, trace_id: Option<String>) -> Self {
        self.trace_id = trace_id;
        self
    }

    /// Marks a retryable failure of an edit that stays in the outbox, and says so.
    pub fn queued(mut self) -> Self {
        if !self.queued {
            self.queued = true;
            self.message.push_str(" Your change is saved on this computer and will be sent automatically.");
        }
        self
    }

    pub fn with_retry_after(mut self, ms: u64) -> Self {
        self.retry_after_ms = Some(ms);
        self
    }

    pub fn invalid_message(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidMessage, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// Answered by a module built without this message's handler (see the crate's features).
    pub fn wrong_module() -> Self {
        Self::new(ErrorCode::WrongModule, "This message is served by the core's other module.")
    }

    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Storage, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shortens untrusted text for messages, on a character boundary.
pub fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
