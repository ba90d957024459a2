//! When a failed request is tried again. GET, PUT and DELETE are safe to repeat; a create is not, so the
//! client repeats a POST only when GHL surely did not act on it (429), and otherwise checks first whether the
//! create landed (see `GhlClient::create_once`).

use crate::platform::error::{Error, ErrorCode};

/// Whether repeating a request can change GHL more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Reads, updates, deletes, and POSTs with set semantics (search, add tags, upsert).
    Safe,
    /// Creates: repeat only what GHL refused before acting.
    OnlyIfRefused,
}

/// Bounds on trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
    /// No attempt starts later than this after the first. Keeps a panel call within what an agent will wait
    /// and a service-worker event within its lifetime.
    pub total_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 4, base_delay_ms: 300, max_delay_ms: 5_000, total_ms: 30_000 }
    }
}

impl RetryPolicy {
    /// Exponential backoff with full jitter: a uniform wait in `[0, min(max, base·2^(attempt-1))]`.
    pub fn backoff_ms(&self, attempt: u32, random: f64) -> u64 {
        let ceiling = self.base_delay_ms.saturating_mul(1 << attempt.saturating_sub(1).min(20)).min(self.max_delay_ms);
        (ceiling as f64 * random.clamp(0.0, 1.0)) as u64
    }
}

/// Whether `error` (after `replay`) may be tried again.
pub fn may_retry(error: &Error, replay: Replay) -> bool {
    match error.code {
        // GHL refuses a rate-limited request before acting on it.
        ErrorCode::RateLimited => true,
        ErrorCode::ServerError | ErrorCode::Network | ErrorCode::Timeout => replay == Replay::Safe,
        _ => false,
    }
}

/// Whether a create that failed this way may have happened anyway (so look before trying again).
pub fn is_ambiguous(error: &Error) -> bool {
    match error.code {
        ErrorCode::ServerError | ErrorCode::Network | ErrorCode::Timeout => true,
        // A 2xx whose body we could not read: the create happened.
        // A 2xx whose body we could not read, or a body cut off after the headers: the create happened.
        ErrorCode::BadResponse => error.status.is_none_or(|status| (200..300).contains(&status)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_a_ceiling_and_jitters_fully() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff_ms(1, 1.0), 300);
        assert_eq!(policy.backoff_ms(3, 1.0), 1_200);
        assert_eq!(policy.backoff_ms(30, 1.0), 5_000);
        assert_eq!(policy.backoff_ms(3, 0.0), 0);
        assert_eq!(policy.backoff_ms(3, 0.5), 600);
    }

    #[test]
    fn creates_are_repeated_only_when_refused() {
        let server = Error::new(ErrorCode::ServerError, "x");
        let limited = Error::new(ErrorCode::RateLimited, "x");
        let invalid = Error::new(ErrorCode::Validation, "x");
        assert!(may_retry(&server, Replay::Safe));
        assert!(!may_retry(&server, Replay::OnlyIfRefused));
        assert!(may_retry(&limited, Replay::OnlyIfRefused));
        assert!(!may_retry(&invalid, Replay::Safe));
        assert!(is_ambiguous(&server));
        assert!(is_ambiguous(&Error::new(ErrorCode::BadResponse, "x").with_status(201)));
        assert!(!is_ambiguous(&limited));
    }
}
