//! Time and chance are inputs: `std::time` panics on wasm32-unknown-unknown, and tests need to control both.

/// Wall-clock time, waiting and randomness, as the platform provides them.
#[allow(async_fn_in_trait)]
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Waits about `ms` milliseconds. In a service worker this must stay short (seconds): the worker dies when idle.
    async fn sleep(&self, ms: u64);
    /// A uniformly distributed number in `[0, 1)`, for jitter.
    fn random(&self) -> f64;
    /// 128 bits from a cryptographic source, as 32 hex digits: for values an attacker must not guess
    /// (OAuth `state`).
    fn unguessable(&self) -> String;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
    async fn sleep(&self, ms: u64) {
        (**self).sleep(ms).await
    }
    fn random(&self) -> f64 {
        (**self).random()
    }
    fn unguessable(&self) -> String {
        (**self).unguessable()
    }
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)] as char, DIGITS[usize::from(b & 15)] as char]).collect()
}
