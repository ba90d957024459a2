//! GHL's per-location rate limits: a rolling burst window and a daily budget, reported in the
//! five `X-RateLimit-*` headers on every API response.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateConfig {
    pub max: u32,
    pub interval_ms: u64,
    pub daily: u64,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig { max: 100, interval_ms: 10_000, daily: 200_000 }
    }
}

#[derive(Debug, Default)]
struct Bucket {
    window: VecDeque<Instant>,
    /// Day number (UTC) the daily count belongs to.
    day: i64,
    used_today: u64,
}

/// Header values for one response.
#[derive(Debug, Clone, Copy)]
pub struct RateHeaders {
    pub limit_daily: u64,
    pub daily_remaining: u64,
    pub interval_ms: u64,
    pub max: u32,
    pub remaining: u32,
}

impl RateHeaders {
    pub fn pairs(&self) -> [(&'static str, String); 5] {
        [
            ("x-ratelimit-limit-daily", self.limit_daily.to_string()),
            ("x-ratelimit-daily-remaining", self.daily_remaining.to_string()),
            ("x-ratelimit-interval-milliseconds", self.interval_ms.to_string()),
            ("x-ratelimit-max", self.max.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
        ]
    }
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    pub config: RateConfig,
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    pub fn new(config: RateConfig) -> RateLimiter {
        RateLimiter { config, buckets: HashMap::new() }
    }

    /// Replaces the limits and forgets all usage (the admin call resets the daily remaining).
    pub fn configure(&mut self, config: RateConfig) {
        self.config = config;
        self.buckets.clear();
    }

    fn bucket(&mut self, location: &str, now: Instant, day: i64) -> &mut Bucket {
        let interval = Duration::from_millis(self.config.interval_ms);
        let b = self.buckets.entry(location.to_string()).or_default();
        if b.day != day {
            b.day = day;
            b.used_today = 0;
        }
        while let Some(&t) = b.window.front() {
            if now.saturating_duration_since(t) >= interval {
                b.window.pop_front();
            } else {
                break;
            }
        }
        b
    }

    fn headers(config: &RateConfig, b: Option<&Bucket>) -> RateHeaders {
        let (in_window, used) = b.map(|b| (b.window.len() as u64, b.used_today)).unwrap_or((0, 0));
        RateHeaders {
            limit_daily: config.daily,
            daily_remaining: config.daily.saturating_sub(used),
            interval_ms: config.interval_ms,
            max: config.max,
            remaining: (config.max as u64).saturating_sub(in_window) as u32,
        }
    }

    /// Counts a request if it fits: `Ok` with the headers after counting, or `Err` (429) with the
    /// current headers; a refused request does not count.
    pub fn admit(&mut self, location: &str, now: Instant, day: i64) -> Result<RateHeaders, RateHeaders> {
        let config = self.config;
        let b = self.bucket(location, now, day);
        if b.window.len() as u64 >= config.max as u64 || b.used_today >= config.daily {
            return Err(Self::headers(&config, Some(b)));
        }
        b.window.push_back(now);
        b.used_today += 1;
        Ok(Self::headers(&config, Some(b)))
    }

    /// Headers without counting (requests refused before the limiter, e.g. a bad token).
    pub fn peek(&mut self, location: Option<&str>, now: Instant, day: i64) -> RateHeaders {
        let config = self.config;
        match location {
            Some(loc) => {
                let b = self.bucket(loc, now, day);
                Self::headers(&config, Some(b))
            }
            None => Self::headers(&config, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_and_daily() {
        let mut r = RateLimiter::new(RateConfig { max: 2, interval_ms: 1000, daily: 3 });
        let t0 = Instant::now();
        assert_eq!(r.admit("L", t0, 1).unwrap().remaining, 1);
        assert_eq!(r.admit("L", t0, 1).unwrap().remaining, 0);
        assert!(r.admit("L", t0, 1).is_err());
        assert!(r.admit("M", t0, 1).is_ok());
        let t1 = t0 + Duration::from_millis(1000);
        let h = r.admit("L", t1, 1).unwrap();
        assert_eq!(h.daily_remaining, 0);
        assert!(r.admit("L", t1 + Duration::from_millis(2000), 1).is_err());
        assert!(r.admit("L", t1 + Duration::from_millis(2000), 2).is_ok());
    }
}
