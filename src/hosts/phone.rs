//! Phone numbers as pages show them (`07700 900123`, `(202) 555-0143`, `+44 (0)7700 900123`) to E.164, which
//! is what GHL stores and searches by. The country comes from the host (`.co.uk` → GB, `.us` → US) when the
//! number has none. Only the two countries we serve get national-number rules; anything else must carry `+`.

/// The number in E.164 (`+447700900123`), or `None` when it cannot be one.
pub fn to_e164(text: &str, default_country: &str) -> Option<String> {
    let text = text.trim();
    // Extensions ("x123", "ext. 4") are not part of the number GHL stores.
    let number = text.split(['x', 'X', ';', ',']).next()?.trim_end_matches(|c: char| !c.is_ascii_digit());
    let number = number.split("ext").next()?;
    let international = number.starts_with('+') || number.starts_with("00");
    // UK numbers are often written "+44 (0)20 …": the bracketed trunk zero is not dialled.
    let number = number.replace("(0)", "");
    if number.chars().any(|c| !(c.is_ascii_digit() || " +-().\u{a0}/".contains(c))) {
        return None;
    }
    let mut digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if international {
        if number.trim_start().starts_with("00") {
            digits.replace_range(..2, "");
        }
    } else {
        digits = match default_country {
            "GB" if digits.starts_with('0') && digits.len() == 11 => format!("44{}", &digits[1..]),
            "GB" if digits.starts_with("44") && digits.len() == 12 => digits,
            "US" if digits.len() == 10 && !digits.starts_with(['0', '1']) => format!("1{digits}"),
            "US" if digits.len() == 11 && digits.starts_with('1') => digits,
            _ => return None,
        };
    }
    ((8..=15).contains(&digits.len()) && !digits.starts_with('0')).then(|| format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::to_e164;

    #[test]
    fn national_numbers_take_the_hosts_country() {
        assert_eq!(to_e164("07700 900123", "GB").as_deref(), Some("+447700900123"));
        assert_eq!(to_e164("0161-234 5678", "GB").as_deref(), Some("+441612345678"));
        assert_eq!(to_e164("(202) 555-0143", "US").as_deref(), Some("+12025550143"));
        assert_eq!(to_e164("1 202.555.0143", "US").as_deref(), Some("+12025550143"));
        assert_eq!(to_e164("202 555 0143 x12", "US").as_deref(), Some("+12025550143"));
        assert_eq!(to_e164("07700 900123 (mobile)", "GB").as_deref(), Some("+447700900123"), "a trailing remark is not the number");
    }

    #[test]
    fn international_numbers_keep_their_country() {
        assert_eq!(to_e164("+44 (0)7700 900123", "US").as_deref(), Some("+447700900123"));
        assert_eq!(to_e164("0044 7700 900123", "GB").as_deref(), Some("+447700900123"));
        assert_eq!(to_e164("+1 (202) 555-0143", "GB").as_deref(), Some("+12025550143"));
        assert_eq!(to_e164("+33 1 23 45 67 89", "GB").as_deref(), Some("+33123456789"));
    }

    #[test]
    fn refuses_what_is_not_a_phone_number() {
        for text in ["", "n/a", "07700", "12345678901234567", "call 07700 900123", "202-555-014", "+0 123 456 789"] {
            assert_eq!(to_e164(text, "GB"), None, "{text:?}");
        }
        assert_eq!(to_e164("07700 900123", "US"), None, "a UK national number is not a US one");
    }
}
