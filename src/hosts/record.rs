//! A host record as read from a page, checked before anything uses it. Host-neutral: the host app's spec (from
//! its hostname) says which kinds of record it has and what their ids look like.

pub use super::reading::normalise_email;
use super::reading::{self, Evidence, Reading, Resolved, FIELDS, MAX_EVIDENCE};
use super::{known_host, KnownHost, RecordKind};
use crate::platform::error::{Error, Result};
use crate::platform::json::{FromJson, Json, JsonResult};
use serde::Serialize;

/// The record exactly as a content script sends it: the values it found with how it found them (`evidence`), or
/// fields a caller already knows (the options page's sample record, tests).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordInput {
    /// The host app (`commusoft`); must be the app of `host` when given.
    pub app: Option<String>,
    /// The kind of record (`customer`); the app's first kind when not given.
    pub kind: Option<String>,
    pub host: String,
    pub record_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub landline: Option<String>,
    pub account_number: Option<String>,
    pub address: Option<String>,
    pub company: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The address of the page the record was read on: what the browser says of the sending tab, never a member of
    /// the message (the popup and the data check link to it).
    #[serde(skip)]
    pub page_url: Option<String>,
}

impl FromJson for RecordInput {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the record")?;
        // The record's own members, and the fields read from the page (older callers send those at the top level).
        let members: Vec<&str> =
            ["app", "kind", "host", "recordId", "fields", "evidence"].into_iter().chain(FIELDS.iter().copied()).collect();
        fields.only(&members)?;
        // Known values go in `fields`; the same names at the top level are read too (older callers).
        let known = match fields.get("fields") {
            Some(value) => Some(value.object("the record's fields")?),
            None => None,
        };
        let known_fields = known.as_ref().unwrap_or(&fields);
        if let Some(known) = &known {
            known.only(FIELDS)?;
        }
        let record = Self {
            app: fields.text("app"),
            kind: fields.text("kind"),
            host: fields.required_text("host"),
            record_id: fields.required_text("recordId"),
            name: known_fields.text("name"),
            email: known_fields.text("email"),
            mobile: known_fields.text("mobile"),
            landline: known_fields.text("landline"),
            account_number: known_fields.text("accountNumber"),
            address: known_fields.text("address"),
            company: known_fields.text("company"),
            first_name: known_fields.text("firstName"),
            last_name: known_fields.text("lastName"),
            position: known_fields.text("position"),
            evidence: fields.items_or_empty("evidence"),
            page_url: None,
        };
        if let Some(known) = &known {
            known.finish(())?;
        }
        if record.evidence.len() > MAX_EVIDENCE {
            return Err(crate::platform::json::JsonError::Shape(format!(
                "a record carries at most {MAX_EVIDENCE} values read from the page"
            )));
        }
        fields.finish(record)
    }
}

/// A checked record: known host, numeric id, and each field only when its value is of the field's kind (see
/// [`reading::resolve`]).
#[derive(Debug, Clone, PartialEq)]
pub struct HostRecord {
    pub host: KnownHost,
    pub kind: &'static RecordKind,
    /// Country for phone numbers written without one: the host's, unless Options set another.
    pub phone_country: &'static str,
    pub record_id: String,
    /// Each field, only when its value passed its kind's check (`record.email`, `record.mobile`, … through
    /// `Deref`).
    pub fields: Resolved,
    /// What was read and what was set aside, for the panel's "What was read from this page".
    pub reading: Reading,
    /// Where the agent last saw it (see [`RecordInput::page_url`]).
    pub page_url: Option<String>,
}

impl std::ops::Deref for HostRecord {
    type Target = Resolved;
    fn deref(&self) -> &Resolved {
        &self.fields
    }
}

impl HostRecord {
    /// The record with phone numbers checked against the host's own country.
    pub fn from_input(input: RecordInput) -> Result<Self> {
        let country = known_host(input.host.trim()).map_or("GB", |host| host.default_country);
        Self::from_input_in(input, country)
    }

    /// The record with numbers written without a country code taken to be in `phone_country`.
    pub fn from_input_in(input: RecordInput, phone_country: &'static str) -> Result<Self> {
        let host = known_host(input.host.trim())
            .ok_or_else(|| Error::invalid_message(format!("Unknown host app \"{}\".", clip_chars(&input.host, 60))))?;
        if input.app.as_deref().is_some_and(|app| app != host.spec.app) {
            return Err(Error::invalid_message("The record's host app is not the app of its host."));
        }
        let kind = host
            .spec
            .record_kind(input.kind.as_deref())
            .ok_or_else(|| Error::invalid_message(format!("{} has no such kind of record.", host.spec.name)))?;
        let record_id = input.record_id.trim().to_owned();
        if !kind.ids.accepts(&record_id) {
            return Err(Error::invalid_message(super::id_problem(kind)));
        }
        let page_url = input.page_url.filter(|url| super::https_hostname(url).is_some_and(|name| name == host.hostname));
        let mut evidence = input.evidence;
        let given = [
            ("name", input.name),
            ("email", input.email),
            ("mobile", input.mobile),
            ("landline", input.landline),
            ("accountNumber", input.account_number),
            ("address", input.address),
            ("company", input.company),
            ("firstName", input.first_name),
            ("lastName", input.last_name),
            ("position", input.position),
        ];
        for (field, value) in given {
            if let Some(value) = value {
                evidence.push(Evidence::given(field, &value));
            }
        }
        let (fields, reading) = reading::resolve(&evidence, phone_country);
        Ok(Self { host, kind, phone_country, record_id, fields, reading, page_url })
    }
}

impl HostRecord {
    /// First name and the rest, from the record's full name without titles ("Mrs Jane van Doe" → Jane, van Doe).
    pub fn name_parts(&self) -> (Option<String>, Option<String>) {
        if self.first_name.is_some() || self.last_name.is_some() {
            return (self.first_name.clone(), self.last_name.clone());
        }
        const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "rev"];
        let words: Vec<&str> = self
            .name
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .skip_while(|word| TITLES.contains(&word.trim_end_matches('.').to_ascii_lowercase().as_str()))
            .collect();
        match words.as_slice() {
            [] => (None, None),
            [only] => (Some((*only).to_owned()), None),
            [first, rest @ ..] => (Some((*first).to_owned()), Some(rest.join(" "))),
        }
    }

    /// The record's phone numbers in E.164, mobile first, without repeats.
    pub fn phones(&self) -> Vec<String> {
        let mut phones: Vec<String> = Vec::new();
        for raw in [self.mobile.as_deref(), self.landline.as_deref()].into_iter().flatten() {
            if let Some(phone) = super::phone::to_e164(raw, self.phone_country) {
                if !phones.contains(&phone) {
                    phones.push(phone);
                }
            }
        }
        phones
    }
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
    fn long_text_is_not_a_name() {
        let mut long = input(None);
        long.name = Some("x".repeat(10_000));
        assert_eq!(HostRecord::from_input(long).unwrap().name, None);
    }

    #[test]
    fn refuses_unknown_fields() {
        let json = r#"{"host":"app.commusoft.co.uk","recordId":"1","token":"x"}"#;
        assert!(crate::platform::json::read::<RecordInput>(json).is_err());
    }
}
