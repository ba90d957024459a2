//! A customer record as read from a host page, checked before anything uses it.

use super::{known_host, KnownHost};
use crate::error::{Error, Result};
use crate::json::{FromJson, Json, JsonResult};
use serde::Serialize;

/// Longest text we accept for one field read from the page.
const MAX_FIELD_CHARS: usize = 500;

/// The record exactly as a content script sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordInput {
    pub host: String,
    pub record_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub landline: Option<String>,
    pub account_number: Option<String>,
    pub address: Option<String>,
    pub company: Option<String>,
}

impl FromJson for RecordInput {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the record")?;
        fields.only(&["host", "recordId", "name", "email", "mobile", "landline", "accountNumber", "address", "company"])?;
        let record = Self {
            host: fields.required_text("host"),
            record_id: fields.required_text("recordId"),
            name: fields.text("name"),
            email: fields.text("email"),
            mobile: fields.text("mobile"),
            landline: fields.text("landline"),
            account_number: fields.text("accountNumber"),
            address: fields.text("address"),
            company: fields.text("company"),
        };
        fields.finish(record)
    }
}

/// A checked record: known host, numeric id, bounded single-line text, a plausible email or none.
#[derive(Debug, Clone, PartialEq)]
pub struct HostRecord {
    pub host: &'static KnownHost,
    /// Country for phone numbers written without one: the host's, unless Options set another.
    pub phone_country: &'static str,
    pub record_id: String,
    pub name: Option<String>,
    /// Lower-cased; `None` when the page shows none or shows something that is not an email address.
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub landline: Option<String>,
    pub account_number: Option<String>,
    pub address: Option<String>,
    pub company: Option<String>,
}

impl HostRecord {
    pub fn from_input(input: RecordInput) -> Result<Self> {
        let host = known_host(input.host.trim())
            .ok_or_else(|| Error::invalid_message(format!("Unknown host app \"{}\".", clip_chars(&input.host, 60))))?;
        let record_id = input.record_id.trim().to_owned();
        if record_id.is_empty() || record_id.len() > 20 || !record_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_message("A record id must be a number of up to 20 digits."));
        }
        Ok(Self {
            host,
            phone_country: host.default_country,
            record_id,
            name: clean_text(input.name),
            email: clean_text(input.email).and_then(|email| normalise_email(&email)),
            mobile: clean_text(input.mobile),
            landline: clean_text(input.landline),
            account_number: clean_text(input.account_number),
            address: clean_text(input.address),
            company: clean_text(input.company),
        })
    }
}

/// Trims, folds whitespace runs (page text is often split over lines), drops control characters, bounds length.
fn clean_text(value: Option<String>) -> Option<String> {
    let value = value?;
    let folded = value
        .split(|c: char| c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned: String = folded.chars().filter(|c| !c.is_control()).take(MAX_FIELD_CHARS).collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Accepts `local@domain.tld` shapes only; returns the address lower-cased.
pub fn normalise_email(text: &str) -> Option<String> {
    // ASCII folding: GHL compares addresses case-insensitively, and full Unicode case tables cost wasm size.
    let email = text.trim().trim_start_matches("mailto:").to_ascii_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 255
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !email.contains(['<', '>', '"', ',', ';']);
    plausible.then_some(email)
}

fn clip_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: Option<&str>) -> RecordInput {
        RecordInput {
            host: "app.commusoft.co.uk".into(),
            record_id: "42".into(),
            name: Some("  Jane\n   Doe ".into()),
            email: email.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn cleans_page_text() {
        let record = HostRecord::from_input(input(Some(" Jane.Doe@Example.com "))).unwrap();
        assert_eq!(record.name.as_deref(), Some("Jane Doe"));
        assert_eq!(record.email.as_deref(), Some("jane.doe@example.com"));
        assert_eq!(record.host.default_country, "GB");
    }

    #[test]
    fn a_missing_or_implausible_email_is_none() {
        for email in [None, Some(""), Some("   "), Some("n/a"), Some("jane@"), Some("@x.com"), Some("a b@c.com"), Some("a@b")] {
            assert_eq!(HostRecord::from_input(input(email)).unwrap().email, None, "{email:?}");
        }
    }

    #[test]
    fn refuses_unknown_hosts_and_odd_ids() {
        let mut bad_host = input(None);
        bad_host.host = "evil.example".into();
        assert!(HostRecord::from_input(bad_host).is_err());
        for id in ["", "abc", "12/../3", "123456789012345678901"] {
            let mut bad_id = input(None);
            bad_id.record_id = id.into();
            assert!(HostRecord::from_input(bad_id).is_err(), "{id:?}");
        }
    }

    #[test]
    fn bounds_long_text() {
        let mut long = input(None);
        long.name = Some("x".repeat(10_000));
        assert_eq!(HostRecord::from_input(long).unwrap().name.unwrap().len(), MAX_FIELD_CHARS);
    }

    #[test]
    fn refuses_unknown_fields() {
        let json = r#"{"host":"app.commusoft.co.uk","recordId":"1","token":"x"}"#;
        assert!(crate::json::read::<RecordInput>(json).is_err());
    }
}
