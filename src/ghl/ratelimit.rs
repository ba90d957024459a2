//! The per-location request budget. GHL allows about 100 requests per 10 s per location (rolling window) and
//! 200,000 a day, and every agent of the location draws from the same budget. The budget here keeps our own
//! requests inside the window and leaves room for the other agents it learns about from `X-RateLimit-*`.
//!
//! Pure bookkeeping: times are passed in, so the rules are tested without sleeping.

use crate::platform::http::HttpResponse;
use std::collections::VecDeque;

/// GHL's documented burst limit, used until a response tells us otherwise.
pub const DEFAULT_MAX: u32 = 100;
pub const DEFAULT_INTERVAL_MS: u64 = 10_000;

/// How long after a full interval our own slot is reused. Our times are whole milliseconds and GHL's clock ticks
/// on its own: a request sent in the very millisecond its predecessor leaves our window can reach GHL before that
/// predecessor leaves GHL's (measured: 9 × 429 in 2,010 requests without it). Costs 0.2 % of the rate.
pub const SLOT_MARGIN_MS: u64 = 20;

/// What GHL's `X-RateLimit-*` headers said on one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateHeaders {
    pub max: Option<u32>,
    pub remaining: Option<u32>,
    pub interval_ms: Option<u64>,
    pub daily_limit: Option<u64>,
    pub daily_remaining: Option<u64>,
}

impl RateHeaders {
    pub fn read(response: &HttpResponse) -> Self {
        fn number<N: std::str::FromStr>(response: &HttpResponse, name: &str) -> Option<N> {
            response.header(name).and_then(|value| value.trim().parse().ok())
        }
        // Bounded: the values feed time arithmetic, and a header is untrusted input.
        Self {
            max: number(response, "x-ratelimit-max").filter(|&max: &u32| (1..=100_000).contains(&max)),
            remaining: number(response, "x-ratelimit-remaining"),
            interval_ms: number(response, "x-ratelimit-interval-milliseconds")
                .filter(|&ms: &u64| (1..=super::response::MAX_RATE_WAIT_MS).contains(&ms)),
            daily_limit: number(response, "x-ratelimit-limit-daily").or_else(|| number(response, "x-ratelimit-daily-limit")),
            daily_remaining: number(response, "x-ratelimit-daily-remaining"),
        }
    }
}

/// What the budget says about sending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Send; the request is now counted as in flight (call [`RateBudget::finish`] when it ends).
    Go,
    /// Ask again after this many milliseconds.
    Wait(u64),
    /// The daily budget is used up until this time (ms since the epoch).
    DailyLimit { resets_at_ms: u64 },
}

/// One location's budget, as seen by this client.
#[derive(Debug, Clone)]
pub struct RateBudget {
    max: u32,
    interval_ms: u64,
    /// When each of our finished requests completed, oldest first. The completion time is an upper bound on when
    /// GHL counted the request, so a slot freed here is surely free on GHL's side too.
    finished: VecDeque<u64>,
    in_flight: u32,
    /// Requests of other agents in GHL's window when we last heard, and when that was.
    others: u32,
    others_seen_at_ms: u64,
    paused_until_ms: u64,
    daily_exhausted_until_ms: Option<u64>,
    /// The last headers GHL sent, for the connection check.
    pub last_headers: Option<RateHeaders>,
}

impl Default for RateBudget {
    fn default() -> Self {
        Self {
            max: DEFAULT_MAX,
            interval_ms: DEFAULT_INTERVAL_MS,
            finished: VecDeque::new(),
            in_flight: 0,
            others: 0,
            others_seen_at_ms: 0,
            paused_until_ms: 0,
            daily_exhausted_until_ms: None,
            last_headers: None,
        }
    }
}

impl RateBudget {
    pub fn max(&self) -> u32 {
        self.max
    }

    pub fn interval_ms(&self) -> u64 {
        self.interval_ms
    }

    /// When the slot of a request that finished at `finished_at_ms` may be used again.
    fn slot_free_at(&self, finished_at_ms: u64) -> u64 {
        finished_at_ms + self.interval_ms + SLOT_MARGIN_MS
    }

    fn forget_old(&mut self, now_ms: u64) {
        while self.finished.front().is_some_and(|&at| self.slot_free_at(at) <= now_ms) {
            self.finished.pop_front();
        }
    }

    /// Other agents' requests still in the window. They are assumed to stay until a full interval has passed
    /// since the report: others keep sending, so a fading estimate would let us overrun the window. Every
    /// response we get brings a fresh report.
    fn others_now(&self, now_ms: u64) -> u32 {
        if now_ms.saturating_sub(self.others_seen_at_ms) >= self.interval_ms {
            0
        } else {
            self.others
        }
    }

    /// Room kept free while others share the budget: our view of their use is always a little late.
    fn reserve(&self, others: u32) -> u32 {
        if others > self.noise() {
            (self.max / 10).max(1)
        } else {
            0
        }
    }

    /// How far our count may lag GHL's without anyone else being there: GHL counts a request when it arrives,
    /// we when it completes.
    fn noise(&self) -> u32 {
        (self.max / 20).max(1)
    }

    /// Asks to send one request at `now_ms`.
    pub fn admit(&mut self, now_ms: u64) -> Admission {
        if let Some(until) = self.daily_exhausted_until_ms {
            if now_ms < until {
                return Admission::DailyLimit { resets_at_ms: until };
            }
            self.daily_exhausted_until_ms = None;
        }
        if now_ms < self.paused_until_ms {
            return Admission::Wait(self.paused_until_ms - now_ms);
        }
        self.forget_old(now_ms);
        let others = self.others_now(now_ms);
        let used = self.finished.len() as u32 + self.in_flight + others + self.reserve(others);
        if used < self.max {
            self.in_flight += 1;
            return Admission::Go;
        }
        // Our oldest request leaving the window frees a slot; others' requests fade and in-flight ones end at
        // unknown times, so look again after at most one slot's share of the interval (no request is sent to look).
        let slot_ms = (self.interval_ms / u64::from(self.max.max(1))).max(10);
        let own_slot_ms = self.finished.front().map_or(slot_ms, |&at| self.slot_free_at(at) - now_ms);
        Admission::Wait(own_slot_ms.min(slot_ms).max(1))
    }

    /// Records the end of an admitted request. `counted` is false when GHL refused it before counting (429) or
    /// it never reached GHL.
    pub fn finish(&mut self, now_ms: u64, counted: bool, headers: Option<RateHeaders>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.forget_old(now_ms);
        if counted {
            self.finished.push_back(now_ms);
        }
        let Some(headers) = headers else { return };
        self.last_headers = Some(headers);
        if let Some(max) = headers.max.filter(|&max| max > 0) {
            self.max = max;
        }
        if let Some(interval) = headers.interval_ms.filter(|&ms| ms > 0) {
            self.interval_ms = interval;
        }
        if let Some(remaining) = headers.remaining {
            let used_at_ghl = self.max.saturating_sub(remaining);
            self.others = used_at_ghl.saturating_sub(self.finished.len() as u32 + self.in_flight);
            self.others_seen_at_ms = now_ms;
        }
        if headers.daily_remaining == Some(0) {
            self.daily_exhausted_until_ms = Some(next_utc_midnight(now_ms));
        }
    }

    /// After a 429: nobody sends for `wait_ms` (GHL's interval or Retry-After, plus jitter).
    pub fn pause(&mut self, now_ms: u64, wait_ms: u64) {
        self.paused_until_ms = self.paused_until_ms.max(now_ms.saturating_add(wait_ms));
    }
}

/// GHL does not document when the daily budget resets; we assume midnight UTC and look again then.
pub fn next_utc_midnight(now_ms: u64) -> u64 {
    const DAY_MS: u64 = 86_400_000;
    (now_ms / DAY_MS + 1) * DAY_MS
}

/// The budgets of every location this client has talked to: one or two, so a list (a hash map costs wasm size).
#[derive(Debug, Default)]
pub struct RateBudgets(Vec<(String, RateBudget)>);

impl RateBudgets {
    pub fn of(&mut self, location_id: &str) -> &mut RateBudget {
        let index = match self.0.iter().position(|(id, _)| id == location_id) {
            Some(index) => index,
            None => {
                self.0.push((location_id.to_owned(), RateBudget::default()));
                self.0.len() - 1
            }
        };
        &mut self.0[index].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(max: u32, remaining: u32, interval_ms: u64) -> Option<RateHeaders> {
        Some(RateHeaders { max: Some(max), remaining: Some(remaining), interval_ms: Some(interval_ms), ..Default::default() })
    }

    fn admit_all(budget: &mut RateBudget, now: u64) -> u32 {
        let mut sent = 0;
        while budget.admit(now) == Admission::Go {
            sent += 1;
        }
        sent
    }

    #[test]
    fn a_lone_client_uses_the_whole_window_and_then_waits_for_its_oldest_request() {
        let mut budget = RateBudget::default();
        assert_eq!(admit_all(&mut budget, 0), 100);
        for i in 0..100 {
            budget.finish(50 + i, true, headers(100, 99 - i as u32, 10_000));
        }
        match budget.admit(200) {
            Admission::Wait(ms) => assert!(ms > 0 && ms <= 100, "looks again within one slot: {ms}"),
            other => panic!("{other:?}"),
        }
        // The first finished at 50: its slot is free a margin after 10_050, not in the millisecond GHL may still
        // count it.
        assert!(matches!(budget.admit(10_050), Admission::Wait(ms) if ms == SLOT_MARGIN_MS));
        assert_eq!(budget.admit(10_050 + SLOT_MARGIN_MS), Admission::Go);
    }

    #[test]
    fn in_flight_requests_hold_their_slots() {
        let mut budget = RateBudget::default();
        assert_eq!(admit_all(&mut budget, 0), 100);
        assert!(matches!(budget.admit(5_000), Admission::Wait(_)));
    }

    #[test]
    fn adapts_to_the_limits_ghl_reports() {
        let mut budget = RateBudget::default();
        assert_eq!(budget.admit(0), Admission::Go);
        budget.finish(10, true, headers(10, 9, 1_000));
        assert_eq!(budget.max(), 10);
        assert_eq!(budget.interval_ms(), 1_000);
        assert_eq!(admit_all(&mut budget, 20), 9);
    }

    #[test]
    fn leaves_room_for_other_agents_of_the_location() {
        let mut budget = RateBudget::default();
        assert_eq!(budget.admit(0), Admission::Go);
        // GHL has counted 60 requests; one was ours.
        budget.finish(10, true, headers(100, 40, 10_000));
        let sent = admit_all(&mut budget, 10);
        assert!(sent <= 30, "others use 59, 10 kept in reserve, we have 1: sent {sent}");
        assert!(sent >= 25, "{sent}");
    }

    #[test]
    fn others_are_assumed_present_until_a_full_interval_passed() {
        let mut budget = RateBudget::default();
        assert_eq!(budget.admit(0), Admission::Go);
        budget.finish(0, true, headers(100, 0, 10_000));
        assert!(matches!(budget.admit(1), Admission::Wait(_)));
        assert!(matches!(budget.admit(9_999), Admission::Wait(_)), "no fading: others keep sending");
        // A full interval later, nothing of that report is left (our own request left too).
        assert_eq!(admit_all(&mut budget, 10_000 + SLOT_MARGIN_MS), 100);
    }

    #[test]
    fn a_429_pauses_every_request_for_the_location() {
        let mut budget = RateBudget::default();
        assert_eq!(budget.admit(0), Admission::Go);
        budget.finish(5, false, headers(100, 0, 10_000));
        budget.pause(5, 10_300);
        assert_eq!(budget.admit(6), Admission::Wait(10_299));
        assert_eq!(budget.admit(10_305), Admission::Go);
    }

    #[test]
    fn daily_budget_used_up_stops_until_midnight_utc() {
        let mut budget = RateBudget::default();
        let noon = 20_000 * 86_400_000 + 43_200_000;
        assert_eq!(budget.admit(noon), Admission::Go);
        let spent = RateHeaders { daily_remaining: Some(0), ..Default::default() };
        budget.finish(noon, true, Some(spent));
        assert_eq!(budget.admit(noon + 1), Admission::DailyLimit { resets_at_ms: 20_001 * 86_400_000 });
        assert_eq!(budget.admit(20_001 * 86_400_000), Admission::Go);
    }

    #[test]
    fn reads_headers_case_insensitively_and_ignores_garbage() {
        let response = HttpResponse {
            status: 200,
            headers: vec![
                ("X-RateLimit-Max".into(), "100".into()),
                ("x-ratelimit-remaining".into(), " 42 ".into()),
                ("X-RateLimit-Interval-Milliseconds".into(), "ten".into()),
            ],
            body: String::new(),
        };
        let headers = RateHeaders::read(&response);
        assert_eq!((headers.max, headers.remaining, headers.interval_ms), (Some(100), Some(42), None));
        let hostile = HttpResponse {
            status: 200,
            headers: vec![
                ("X-RateLimit-Max".into(), "0".into()),
                ("X-RateLimit-Interval-Milliseconds".into(), "18446744073709551615".into()),
            ],
            body: String::new(),
        };
        let headers = RateHeaders::read(&hostile);
        assert_eq!((headers.max, headers.interval_ms), (None, None), "out-of-range limits are ignored");
    }
}
