//! GHL's timestamps: ISO 8601 with `Z` or an offset (`2026-11-23T09:30:00.000Z`, `…+05:30`), and the
//! appointments' `YYYY-MM-DD HH:MM:SS`, which carries no zone (it is in the location's time zone).
//! A small parser instead of a date crate: this is all the core needs, and it keeps the wasm small.

/// A point in time read from GHL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    /// Milliseconds since the Unix epoch, reading a zoneless time as if it were UTC.
    pub epoch_ms: i64,
    /// False for the zoneless appointment form: compare such values only with each other.
    pub has_zone: bool,
}

/// Parses a GHL timestamp; `None` for anything else (never panics).
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !text.is_ascii() {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[range];
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
    };
    if bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') || bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = padded.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let (offset_minutes, has_zone) = match rest {
        "" => (0, false),
        "Z" | "z" => (0, true),
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = rest[1..].replace(':', "");
            if zone.len() != 4 || !zone.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (hours, minutes): (i64, i64) = (zone[..2].parse().ok()?, zone[2..].parse().ok()?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            (sign * (hours * 60 + minutes), true)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second.min(59) - offset_minutes * 60;
    Some(Timestamp { epoch_ms: seconds * 1000 + millis, has_zone })
}

/// Formats epoch milliseconds as GHL writes dates: `2026-11-23T09:30:00.000Z`.
pub fn format_utc(epoch_ms: i64) -> String {
    let seconds = epoch_ms.div_euclid(1000);
    let millis = epoch_ms.rem_euclid(1000);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60
    )
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms (public domain).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_ghl_uses() {
        let utc = parse_timestamp("2026-11-23T09:30:00.000Z").unwrap();
        assert_eq!(utc, Timestamp { epoch_ms: 1_795_426_200_000, has_zone: true });
        assert_eq!(parse_timestamp("2026-11-23T09:30:00Z").unwrap(), utc);
        assert_eq!(parse_timestamp("2026-11-23T15:00:00+05:30").unwrap(), utc);
        assert_eq!(parse_timestamp("2026-11-23T04:30:00.0-0500").unwrap(), utc);
        let zoneless = parse_timestamp("2026-11-23 09:30:00").unwrap();
        assert_eq!(zoneless, Timestamp { epoch_ms: utc.epoch_ms, has_zone: false });
        assert_eq!(parse_timestamp("2024-02-29T00:00:00.123456Z").unwrap().epoch_ms % 1000, 123);
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for text in [
            "",
            "2026-11-23",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-23T09:30:00X",
            "2026-11-23T09:30:00+5",
            "yyyy-mm-ddThh:mm:ssZ",
            "2026-11-23T09:30:00.Z",
            "２０２６-11-23T09:30:00Z",
        ] {
            assert_eq!(parse_timestamp(text), None, "{text:?}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for ms in [0, 951_782_400_000, 1_795_426_200_123, -86_400_000] {
            assert_eq!(parse_timestamp(&format_utc(ms)).unwrap().epoch_ms, ms, "{}", format_utc(ms));
        }
        assert_eq!(format_utc(1_795_426_200_000), "2026-11-23T09:30:00.000Z");
    }
}
