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
}
