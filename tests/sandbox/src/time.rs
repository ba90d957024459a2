//! Wall-clock dates without a date crate: GHL data uses ISO 8601 UTC with milliseconds, and the
//! appointments endpoint uses a zoneless `YYYY-MM-DD HH:MM:SS`.

use std::time::{SystemTime, UNIX_EPOCH};

pub const DAY_MS: i64 = 86_400_000;

/// Milliseconds since the Unix epoch, wall clock.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month 1..=12, day 1..=31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: i64,
    mi: i64,
    s: i64,
    ms: i64,
}

fn split(ms: i64) -> Parts {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (y, mo, d) = civil_from_days(days);
    Parts { y, mo, d, h: rem / 3_600_000, mi: rem / 60_000 % 60, s: rem / 1000 % 60, ms: rem % 1000 }
}

/// `2026-11-23T10:00:00.000Z`
pub fn iso(ms: i64) -> String {
    let p = split(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", p.y, p.mo, p.d, p.h, p.mi, p.s, p.ms)
}

/// `2026-11-23 10:00:00` (the appointments-for-contact format; the sandbox writes UTC).
pub fn zoneless(ms: i64) -> String {
    let p = split(ms);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", p.y, p.mo, p.d, p.h, p.mi, p.s)
}

/// `2026-11-23`
pub fn date_only(ms: i64) -> String {
    let p = split(ms);
    format!("{:04}-{:02}-{:02}", p.y, p.mo, p.d)
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 9 {
        return None;
    }
    s.parse().ok()
}

fn valid_date(y: i64, m: i64, d: i64) -> bool {
    if !(1..=12).contains(&m) || d < 1 || !(0..=9999).contains(&y) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    d <= dim[(m - 1) as usize]
}

/// Parses ISO 8601 as clients send it: `YYYY-MM-DD`, optionally followed by `T` (or a space),
/// `HH:MM[:SS[.fff]]` and `Z` / `±HH:MM` / `±HHMM`. A missing zone means UTC.
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 10 || !s.is_ascii() {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let dp: Vec<&str> = date.split('-').collect();
    if dp.len() != 3 || dp[0].len() != 4 || dp[1].len() != 2 || dp[2].len() != 2 {
        return None;
    }
    let (y, mo, d) = (num(dp[0])?, num(dp[1])?, num(dp[2])?);
    if !valid_date(y, mo, d) {
        return None;
    }
    let mut ms = days_from_civil(y, mo as u32, d as u32) * DAY_MS;
    if rest.is_empty() {
        return Some(ms);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    // Split the zone designator off the time.
    let (time, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (time, None),
    };
    let tp: Vec<&str> = hms.split(':').collect();
    if tp.len() < 2 || tp.len() > 3 || tp.iter().any(|p| p.len() != 2) {
        return None;
    }
    let h = num(tp[0])?;
    let mi = num(tp[1])?;
    let sec = if tp.len() == 3 { num(tp[2])? } else { 0 };
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    ms += (h * 3600 + mi * 60 + sec) * 1000;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let padded = format!("{f:0<3}");
        ms += padded[..3].parse::<i64>().ok()?;
    }
    match zone {
        "" | "Z" | "z" => {}
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let body = &z[1..];
            let (zh, zm) = match body.len() {
                5 if body.as_bytes()[2] == b':' => (num(&body[..2])?, num(&body[3..])?),
                4 => (num(&body[..2])?, num(&body[2..])?),
                2 => (num(body)?, 0),
                _ => return None,
            };
            if zh > 23 || zm > 59 {
                return None;
            }
            ms -= sign * (zh * 3600 + zm * 60) * 1000;
        }
    }
    Some(ms)
}

/// Parses a `dateOfBirth` in one of the formats GHL documents: YYYY/MM/DD, MM/DD/YYYY,
/// YYYY-MM-DD, MM-DD-YYYY, YYYY.MM.DD, MM.DD.YYYY, YYYY_MM_DD, MM_DD_YYYY. An ISO timestamp
/// (what GHL itself returns) is accepted too. Returns (year, month, day).
pub fn parse_birth_date(s: &str) -> Option<(i64, u32, u32)> {
    let s = s.trim();
    if s.len() > 10 {
        let ms = parse_iso(s)?;
        let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
        return Some((y, m, d));
    }
    let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.' | '_'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    if parts.len() != 3 {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (num(parts[0])?, num(parts[1])?, num(parts[2])?)
    } else if parts[2].len() == 4 {
        (num(parts[2])?, num(parts[0])?, num(parts[1])?)
    } else {
        return None;
    };
    if parts[1].len() > 2 || (parts[0].len() != 4 && parts[0].len() > 2) {
        return None;
    }
    valid_date(y, m, d).then_some((y, m as u32, d as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        let ms = parse_iso("2026-11-23T10:00:00.000Z").unwrap();
        assert_eq!(iso(ms), "2026-11-23T10:00:00.000Z");
        assert_eq!(zoneless(ms), "2026-11-23 10:00:00");
        assert_eq!(parse_iso("2020-10-25T11:00:00Z").map(iso).unwrap(), "2020-10-25T11:00:00.000Z");
        assert_eq!(parse_iso("2021-06-23T03:30:00+05:30").map(iso).unwrap(), "2021-06-22T22:00:00.000Z");
        assert_eq!(parse_iso("2024-02-29").map(iso).unwrap(), "2024-02-29T00:00:00.000Z");
        assert!(parse_iso("2023-02-29").is_none());
        assert!(parse_iso("tomorrow").is_none());
        assert!(parse_iso("2020-10-25T11:00:00Zjunk").is_none());
        for d in [-1_000_000i64, -1, 0, 1, 19_000, 2_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn birth_dates() {
        for s in ["1990/09/25", "09/25/1990", "1990-09-25", "09-25-1990", "1990.09.25", "09.25.1990", "1990_09_25", "09_25_1990"] {
            assert_eq!(parse_birth_date(s), Some((1990, 9, 25)), "{s}");
        }
        assert_eq!(parse_birth_date("1990-09-25T00:00:00.000Z"), Some((1990, 9, 25)));
        assert!(parse_birth_date("1990-13-01").is_none());
        assert!(parse_birth_date("soon").is_none());
    }
}
