//! `./build.sh bench`: many browsers on one GHL location for a simulated day, each running background sync on its
//! cadence under the core's own budget rule (`background_refresh::run_budget`) and once-per-cadence rounds, with
//! people using the location too. Reports the share of the daily limit background sync used. A model of the rule
//! (each browser reads the location-wide `X-RateLimit-Daily-Remaining` its last answer carried), not of GHL's servers.

use ghl_bridge::features::background_refresh::run_budget;

const DAILY_LIMIT: u64 = 200_000;
const REQUESTS_PER_CONTACT: u64 = 5;

fn simulate(browsers: u64, linked_per_browser: u64, people_per_day: u64, cadence_minutes: u32, share_percent: u32) -> (u64, u64, u64) {
    let mut remaining = DAILY_LIMIT;
    let mut background = 0u64;
    let mut refused = 0u64;
    let runs = 1440 / u64::from(cadence_minutes);
    for _ in 0..runs {
        // People spread over the day.
        let people = people_per_day / runs;
        remaining = remaining.saturating_sub(people);
        // Browsers run at different moments of the cadence: each sees what the others left.
        for _ in 0..browsers {
            let budget = run_budget(Some(DAILY_LIMIT), Some(remaining), share_percent, cadence_minutes);
            // Once per cadence: at most every linked contact once.
            let wanted = (linked_per_browser * REQUESTS_PER_CONTACT).min(budget / REQUESTS_PER_CONTACT * REQUESTS_PER_CONTACT);
            let spent = wanted.min(remaining);
            refused += wanted - spent;
            remaining -= spent;
            background += spent;
        }
    }
    (background, remaining, refused)
}

fn main() {
    println!("background sync on one location for a simulated day (daily limit {DAILY_LIMIT}, 15-minute cadence, 10 % share)");
    for (browsers, linked, people) in [(1, 200, 20_000), (10, 200, 20_000), (50, 40, 20_000), (50, 200, 60_000)] {
        let (background, remaining, refused) = simulate(browsers, linked, people, 15, 10);
        println!(
            "  {browsers:>2} browsers × {linked:>3} linked contacts, people {people:>6}/day: background used {:.1} % of the daily limit \
             (goal ≤ 25 %), {remaining} requests left at the end of the day, {refused} refused (429s)",
            background as f64 * 100.0 / DAILY_LIMIT as f64
        );
    }
}
