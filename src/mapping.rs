//! The field mapping between a host record (a Commusoft customer, a commonsku contact) and a GHL contact, and the
//! field-level plan "Sync this contact" shows and applies: which side changes, to what. The host's fields come
//! from its spec in the registry; the plan is pure, so the options preview and the panel use the same rules. The
//! mapping is stored per host app.

use crate::ghl::models::Contact;
use crate::ghl::requests::{ContactFields, CustomFieldInput, FieldValue};
use crate::hosts::phone::to_e164;
use crate::hosts::{HostRecord, HostSpec, Source};
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::json::read_fields;
use crate::platform::json::{FromJson, Json, JsonError, JsonResult};
use crate::platform::store::{self, Store};
use serde::Serialize;

/// Storage key of a host app's saved mapping.
pub fn mapping_key(app: &str) -> String {
    format!("mapping:{app}")
}

/// Where the one mapping of the Commusoft-only versions was stored (read once, then moved to `mapping:commusoft`).
pub const LEGACY_MAPPING_KEY: &str = "mapping";

/// The host app's saved mapping, or its default. A mapping saved by a version that knew only Commusoft is that
/// app's, moved to its per-app key on first read.
pub async fn load_mapping(store: &impl Store, spec: &HostSpec) -> Result<Mapping> {
    if let Some(saved) = store::read::<Mapping>(store, &mapping_key(spec.app)).await.ok().flatten() {
        return Ok(saved);
    }
    if spec.app == "commusoft" {
        if let Some(legacy) = store::read::<Mapping>(store, LEGACY_MAPPING_KEY).await.ok().flatten() {
            store::write(store, &mapping_key(spec.app), &legacy).await?;
            store.remove(LEGACY_MAPPING_KEY).await?;
            return Ok(legacy);
        }
    }
    Ok(Mapping::default_for(spec))
}

/// One GHL contact field a sync writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// GHL's field name, or `custom:{id}`.
    pub field: String,
    /// For the agent: "Email → Email".
    pub label: String,
    pub value: String,
}
read_fields!(FieldChange, "a field change" { field: required_text("field"), label: required_text("label"), value: required_text("value") });

/// Prefix of a GHL custom field in a mapping row: `customField.<id>`.
pub const CUSTOM_FIELD_PREFIX: &str = "customField.";

/// GHL's standard contact fields a mapping may use.
pub const GHL_FIELDS: &[(&str, &str)] = &[
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("address1", "Street address"),
    ("city", "City"),
    ("postalCode", "Postal code"),
    ("companyName", "Company name"),
];

/// The directions a row may take, with the words the editor shows (`{host}` is the host app's name).
pub const DIRECTIONS: &[(&str, &str)] = &[
    ("bothHostWins", "Both ways, {host} wins"),
    ("bothGhlWins", "Both ways, GHL wins"),
    ("toGhl", "{host} → GHL"),
    ("toHost", "GHL → {host}"),
    ("off", "Off"),
];

/// A direction as written by the Commusoft-only versions, in today's words.
fn current_direction(direction: &str) -> &str {
    match direction {
        "bothCommusoftWins" => "bothHostWins",
        "toCommusoft" => "toHost",
        other => other,
    }
}

/// One row of the mapping: a host field, a GHL field and which way values go.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingRow {
    pub host: String,
    pub ghl: String,
    pub direction: String,
}

impl FromJson for MappingRow {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("a mapping row")?;
        fields.only(&["host", "commusoft", "ghl", "direction"])?;
        // `commusoft` and the Commusoft-named directions are how the Commusoft-only versions stored rows.
        let row = Self {
            host: fields.text("host").or_else(|| fields.text("commusoft")).unwrap_or_default(),
            ghl: fields.required_text("ghl"),
            direction: current_direction(&fields.required_text("direction")).to_owned(),
        };
        if row.host.is_empty() {
            return Err(JsonError::Shape("a mapping row lacks `host`".to_owned()));
        }
        fields.finish(row)
    }
}

/// The saved mapping: its rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub rows: Vec<MappingRow>,
}

impl FromJson for Mapping {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the mapping")?;
        fields.only(&["rows"])?;
        let rows = fields.items("rows");
        fields.finish(rows)?.map(|rows| Self { rows }).ok_or_else(|| JsonError::Shape("the mapping lacks `rows`".to_owned()))
    }
}

impl Mapping {
    /// The host app's mapping before the admin changes it.
    pub fn default_for(spec: &HostSpec) -> Self {
        let rows = spec
            .default_mapping
            .iter()
            .map(|(host, ghl, direction)| MappingRow {
                host: (*host).to_owned(),
                ghl: (*ghl).to_owned(),
                direction: (*direction).to_owned(),
            })
            .collect();
        Self { rows }
    }

    /// Checks every row: known fields and directions, and no field written from two rows.
    pub fn validated(self, spec: &HostSpec, custom_field_ids: Option<&[String]>) -> Result<Self> {
        let invalid = |message: String| Error::new(ErrorCode::InvalidSettings, message);
        if self.rows.len() > 100 {
            return Err(invalid("A mapping has at most 100 rows.".to_owned()));
        }
        for (index, row) in self.rows.iter().enumerate() {
            let line = index + 1;
            if spec.field(&row.host).is_none() {
                return Err(invalid(format!("Row {line}: \"{}\" is not a {} field the extension reads.", clip(&row.host), spec.name)));
            }
            let custom = row.ghl.strip_prefix(CUSTOM_FIELD_PREFIX);
            let known_ghl = match custom {
                Some(id) => !id.is_empty() && custom_field_ids.is_none_or(|ids| ids.iter().any(|known| known == id)),
                None => GHL_FIELDS.iter().any(|(id, _)| *id == row.ghl),
            };
            if !known_ghl {
                return Err(invalid(format!("Row {line}: \"{}\" is not a field of this GHL location.", clip(&row.ghl))));
            }
            if !DIRECTIONS.iter().any(|(id, _)| *id == row.direction) {
                return Err(invalid(format!("Row {line}: \"{}\" is not a direction.", clip(&row.direction))));
            }
            let active = |other: &MappingRow| other.direction != "off";
            if active(row) {
                let earlier = &self.rows[..index];
                if earlier
                    .iter()
                    .any(|other| active(other) && other.ghl == row.ghl && row.direction != "toHost" && other.direction != "toHost")
                {
                    return Err(invalid(format!("Row {line}: GHL's {} is already written by another row.", ghl_label(&row.ghl))));
                }
                if earlier
                    .iter()
                    .any(|other| active(other) && other.host == row.host && row.direction != "toGhl" && other.direction != "toGhl")
                {
                    return Err(invalid(format!(
                        "Row {line}: {}'s {} is already written by another row.",
                        spec.name,
                        host_label(spec, &row.host)
                    )));
                }
            }
        }
        Ok(self)
    }
}

fn clip(text: &str) -> String {
    text.chars().take(60).collect()
}

fn host_label<'a>(spec: &'a HostSpec, id: &'a str) -> &'a str {
    spec.field(id).map_or(id, |field| field.label)
}

fn ghl_label(id: &str) -> &str {
    if id.starts_with(CUSTOM_FIELD_PREFIX) {
        return "GHL custom field";
    }
    GHL_FIELDS.iter().find(|(known, _)| *known == id).map_or(id, |(_, label)| label)
}

/// What sync does with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Both sides agree.
    Same,
    UpdateGhl,
    UpdateHost,
    /// Nothing to copy (the source side is empty), or GHL does not accept the change.
    Skip,
    Off,
}

/// One line of the plan: the field on both sides, their values and what happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldPlan {
    pub host_field: String,
    pub ghl_field: String,
    /// "First name → First name", for people.
    pub label: String,
    pub host_value: Option<String>,
    pub ghl_value: Option<String>,
    pub action: Action,
    /// The value the changed side gets.
    pub new_value: Option<String>,
    /// Why a field is skipped, when it is not obvious.
    pub note: Option<String>,
    /// What happens, in words for the agent ("GHL gets “London”").
    pub effect: String,
}

impl FieldPlan {
    fn described(mut self, host_name: &str) -> Self {
        self.effect = match (self.action, &self.new_value, &self.note) {
            (Action::Same, ..) => "Same on both sides".to_owned(),
            (Action::UpdateGhl, Some(value), _) => format!("GHL gets “{value}”"),
            (Action::UpdateHost, Some(value), _) => format!("{host_name} gets “{value}”"),
            (Action::Skip, _, Some(note)) => note.clone(),
            (Action::Off, ..) => "Not synced".to_owned(),
            _ => "Nothing to copy".to_owned(),
        };
        self
    }
}

/// The host side of a record, by the spec's mapped fields.
pub fn host_values(record: &HostRecord) -> Vec<(&'static str, Option<String>)> {
    let (first_name, last_name) = record.name_parts();
    let address = split_address(record.address.as_deref().unwrap_or_default());
    record
        .host
        .spec
        .fields
        .iter()
        .map(|field| {
            let value = match field.source {
                Source::FirstName => first_name.clone(),
                Source::LastName => last_name.clone(),
                Source::AddressLine1 => address.line1.clone(),
                Source::Town => address.town.clone(),
                Source::Postcode => address.postcode.clone(),
                Source::Field(name) => record.get(name).map(str::to_owned),
            };
            (field.id, value)
        })
        .collect()
}

fn ghl_value(contact: &Contact, field: &str) -> Option<String> {
    if let Some(id) = field.strip_prefix(CUSTOM_FIELD_PREFIX) {
        let value = contact.custom_fields.as_ref()?.iter().find(|f| f.id.as_deref() == Some(id))?.value.clone()?;
        return match value {
            Json::String(text) => Some(text),
            Json::Number(number) => Some(number),
            _ => None,
        };
    }
    match field {
        "firstName" => contact.first_name.clone(),
        "lastName" => contact.last_name.clone(),
        "email" => contact.email.clone(),
        "phone" => contact.phone.clone(),
        "address1" => contact.address1.clone(),
        "city" => contact.city.clone(),
        "postalCode" => contact.postal_code.clone(),
        "companyName" => contact.company_name.clone(),
        _ => None,
    }
}

/// "Fill from GHL": the host fields the mapping fills from GHL (every row not off and not host → GHL only), with
/// the contact's values. Rows GHL has no value for are left out.
pub fn host_fills(mapping: &Mapping, contact: &Contact) -> Vec<(String, String)> {
    let mut fills: Vec<(String, String)> = Vec::new();
    for row in mapping.rows.iter().filter(|row| !matches!(row.direction.as_str(), "off" | "toGhl")) {
        if fills.iter().any(|(host, _)| *host == row.host) {
            continue;
        }
        if let Some(value) = ghl_value(contact, &row.ghl).filter(|value| !value.trim().is_empty()) {
            fills.push((row.host.clone(), value));
        }
    }
    fills
}

/// A value as compared: whitespace folded, email lower-cased, phones in E.164 where they parse.
fn comparable(field: &str, value: &str, country: &str) -> String {
    let folded = value.split_whitespace().collect::<Vec<_>>().join(" ");
    match field {
        "email" => folded.to_ascii_lowercase(),
        "mobile" | "landline" | "phone" => to_e164(&folded, country).unwrap_or(folded),
        _ => folded,
    }
}

/// The field-level plan of syncing `record` with `contact` under `mapping`. `contact: None` plans a new contact
/// (everything the mapping sends to GHL).
pub fn plan(mapping: &Mapping, record: &HostRecord, contact: Option<&Contact>) -> Vec<FieldPlan> {
    let values = host_values(record);
    let spec = record.host.spec;
    let country = record.phone_country;
    mapping
        .rows
        .iter()
        .map(|row| {
            let host_value = values.iter().find(|(id, _)| *id == row.host).and_then(|(_, v)| v.clone()).filter(|v| !v.trim().is_empty());
            let ghl_value = contact.and_then(|c| ghl_value(c, &row.ghl)).filter(|v| !v.trim().is_empty());
            let mut line = FieldPlan {
                host_field: row.host.clone(),
                ghl_field: row.ghl.clone(),
                label: format!("{} → {}", host_label(spec, &row.host), ghl_label(&row.ghl)),
                host_value: host_value.clone(),
                ghl_value: ghl_value.clone(),
                action: Action::Off,
                new_value: None,
                note: None,
                effect: String::new(),
            };
            if row.direction == "off" {
                return line.described(spec.name);
            }
            let same = match (&host_value, &ghl_value) {
                (Some(c), Some(g)) => comparable(&row.host, c, country) == comparable(&row.ghl, g, country),
                (None, None) => true,
                _ => false,
            };
            let to_ghl = matches!(row.direction.as_str(), "toGhl" | "bothHostWins" | "bothGhlWins");
            let to_host = matches!(row.direction.as_str(), "toHost" | "bothHostWins" | "bothGhlWins");
            // Values are never erased: an empty side is filled from the other, whoever "wins".
            let towards_ghl = match (&host_value, &ghl_value) {
                _ if same => None,
                (Some(_), None) => to_ghl.then_some(true),
                (None, Some(_)) => to_host.then_some(false),
                _ => match row.direction.as_str() {
                    "toGhl" | "bothHostWins" => Some(true),
                    _ => Some(false),
                },
            };
            match towards_ghl {
                None => line.action = if same && host_value.is_some() { Action::Same } else { Action::Skip },
                Some(true) if row.ghl == "companyName" && contact.is_some() => {
                    line.action = Action::Skip;
                    line.note = Some("GHL only takes the company name when a contact is created.".to_owned());
                }
                Some(true) => {
                    line.action = Action::UpdateGhl;
                    line.new_value = host_value.map(|v| match row.ghl.as_str() {
                        "phone" => to_e164(&v, country).unwrap_or(v),
                        "email" => v.to_ascii_lowercase(),
                        _ => v,
                    });
                }
                Some(false) => {
                    line.action = Action::UpdateHost;
                    line.new_value = ghl_value;
                }
            }
            let unsplit =
                spec.field(&row.host).is_some_and(|field| matches!(field.source, Source::AddressLine1 | Source::Town | Source::Postcode))
                    && record.address.is_some()
                    && line.host_value.is_none();
            if unsplit && line.action == Action::Skip {
                line.note = Some(
                    "The address on the page could not be split into line 1, town and postcode with confidence: not written.".to_owned(),
                );
            }
            line.described(spec.name)
        })
        .collect()
}

/// The GHL fields a plan writes, with their new values.
pub fn ghl_changes(rows: &[FieldPlan]) -> Vec<FieldChange> {
    rows.iter()
        .filter(|row| row.action == Action::UpdateGhl)
        .filter_map(|row| Some(FieldChange { field: row.ghl_field.clone(), label: row.label.clone(), value: row.new_value.clone()? }))
        .collect()
}

/// The contact fields of a plan's GHL changes; `companyName` is left out (GHL takes it only on create).
pub fn contact_fields(changes: &[FieldChange]) -> ContactFields {
    ghl_fields(changes).0
}

/// The contact fields of a plan's GHL changes; `company` separately (GHL takes it only on create).
pub fn ghl_fields(changes: &[FieldChange]) -> (ContactFields, Option<String>) {
    let mut fields = ContactFields::default();
    let mut company = None;
    for change in changes {
        let value = Some(change.value.clone());
        match change.field.as_str() {
            "firstName" => fields.first_name = value,
            "lastName" => fields.last_name = value,
            "email" => fields.email = value,
            "phone" => fields.phone = value,
            "address1" => fields.address1 = value,
            "city" => fields.city = value,
            "postalCode" => fields.postal_code = value,
            "companyName" => company = value,
            custom => {
                if let Some(id) = custom.strip_prefix(CUSTOM_FIELD_PREFIX) {
                    let input =
                        CustomFieldInput { id: Some(id.to_owned()), key: None, field_value: FieldValue::Text(change.value.clone()) };
                    fields.custom_fields.get_or_insert_with(Vec::new).push(input);
                }
            }
        }
    }
    (fields, company)
}

/// Names exactly what a plan writes (each row's action and new value): "Sync this contact" applies only the plan
/// whose fingerprint the preview showed.
pub fn plan_fingerprint(rows: &[FieldPlan]) -> String {
    let mut text = String::new();
    for row in rows {
        let action = serde_json::to_string(&row.action).unwrap_or_default();
        text.push_str(&format!(
            "{}\u{1f}{}\u{1f}{action}\u{1f}{}\u{1e}",
            row.host_field,
            row.ghl_field,
            row.new_value.as_deref().unwrap_or("")
        ));
    }
    crate::platform::hash::fingerprint(&text)
}

/// A record's address as the page shows it, in its lines ("14 Orchard Way\nAshford\nTN23 4PL") or one line with
/// commas: the postcode (a UK postcode, or a US "ST 12345") ends it, the town comes right before it (a county
/// after the town is dropped), and line 1 is everything before the town. Without a postcode, or without both a
/// line 1 and a town, the address is not split at all: a guess would be written into GHL as if it were data.
#[derive(Debug, Default, PartialEq)]
pub struct AddressParts {
    pub line1: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
}

pub fn split_address(address: &str) -> AddressParts {
    let mut parts: Vec<String> = address.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
    let Some(last) = parts.pop() else { return AddressParts::default() };
    let postcode = if looks_like_postcode(&last) {
        last
    } else {
        // "Ashford TN23 4PL", "Springfield IL 62701", "Springfield 62701": the postcode is the last word or two.
        let words: Vec<&str> = last.split_whitespace().collect();
        let Some((head, tail)) = (1..=2.min(words.len().saturating_sub(1)))
            .rev()
            .map(|n| (words[..words.len() - n].join(" "), words[words.len() - n..].join(" ")))
            .find(|(_, tail)| looks_like_postcode(tail))
        else {
            return AddressParts::default();
        };
        parts.push(head);
        tail
    };
    if parts.len() >= 3 && parts.last().is_some_and(|part| is_county(part)) {
        parts.pop();
    }
    let Some(town) = parts
        .pop()
        .filter(|town| !town.chars().any(|c| c.is_ascii_digit()) && town.chars().any(|c| c.is_ascii_alphabetic() || !c.is_ascii()))
    else {
        return AddressParts::default();
    };
    if parts.is_empty() {
        return AddressParts::default();
    }
    // A house number on a line of its own belongs to the street after it.
    let mut line1 = String::new();
    for part in &parts {
        if !line1.is_empty() {
            line1.push_str(if line1.bytes().all(|b| b.is_ascii_digit()) { " " } else { ", " });
        }
        line1.push_str(part);
    }
    AddressParts { line1: Some(line1), town: Some(town), postcode: Some(postcode) }
}

/// UK counties as addresses name them after the town ("…, Ashford, Kent, TN23 4PL").
fn is_county(part: &str) -> bool {
    const COUNTIES: &[&str] = &[
        "kent",
        "surrey",
        "essex",
        "devon",
        "cornwall",
        "dorset",
        "somerset",
        "norfolk",
        "suffolk",
        "cumbria",
        "rutland",
        "middlesex",
        "merseyside",
        "northumberland",
        "durham",
        "county durham",
        "tyne and wear",
        "isle of wight",
        "greater london",
        "greater manchester",
        "west midlands",
        "east sussex",
        "west sussex",
        "north yorkshire",
        "south yorkshire",
        "west yorkshire",
        "east riding of yorkshire",
    ];
    let lower = part.to_ascii_lowercase();
    lower.ends_with("shire") || COUNTIES.contains(&lower.as_str())
}

fn looks_like_postcode(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let bytes = compact.as_bytes();
    // UK: outward code (2-4 chars, letter first) + inward code digit letter letter.
    let uk = (5..=7).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[bytes.len() - 3].is_ascii_digit()
        && bytes[bytes.len() - 2..].iter().all(u8::is_ascii_alphabetic)
        && bytes[..bytes.len() - 3].iter().any(u8::is_ascii_digit)
        && bytes.iter().all(u8::is_ascii_alphanumeric);
    // US: optional two-letter state, then a ZIP or ZIP+4.
    let zip = compact.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let state_len = compact.len() - zip.len();
    let us = (state_len == 0 || state_len == 2)
        && (zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit())
            || zip.len() == 10 && zip.as_bytes()[5] == b'-' && zip.bytes().filter(u8::is_ascii_digit).count() == 9);
    uk || us
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::RecordInput;

    fn record(address: &str) -> HostRecord {
        HostRecord::from_input(RecordInput {
            host: "app.commusoft.co.uk".into(),
            record_id: "42".into(),
            name: Some("Mrs Jane Doe".into()),
            email: Some("Jane.Doe@Example.com".into()),
            mobile: Some("07700 900123".into()),
            address: Some(address.into()),
            company: Some("Doe Ltd".into()),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn splits_addresses_as_records_show_them() {
        let parts = split_address("12 Acacia Avenue, London, N1 7AA");
        assert_eq!(
            parts,
            AddressParts { line1: Some("12 Acacia Avenue".into()), town: Some("London".into()), postcode: Some("N1 7AA".into()) }
        );
        assert_eq!(split_address("1600 Main St, Springfield, IL 62701").postcode.as_deref(), Some("IL 62701"));
        assert_eq!(split_address("Flat 2, 8 Station Road, Bristol, BS1 5TR").town.as_deref(), Some("Bristol"));
        assert_eq!(split_address("Rose Cottage, Little Snoring"), AddressParts::default(), "no postcode: not split with confidence");
        assert_eq!(split_address(""), AddressParts::default());
        let lines = split_address("14 Orchard Way\nAshford\nTN23 4PL");
        assert_eq!(
            lines,
            AddressParts { line1: Some("14 Orchard Way".into()), town: Some("Ashford".into()), postcode: Some("TN23 4PL".into()) }
        );
        assert_eq!(split_address("14 Orchard WayAshfordTN23 4PL"), AddressParts::default(), "a run-on line is not split");
        let county = split_address("14 Orchard Way, Ashford, Kent, TN23 4PL");
        assert_eq!(county.town.as_deref(), Some("Ashford"));
        let same_line = split_address("14 Orchard Way\nAshford TN23 4PL");
        assert_eq!((same_line.town.as_deref(), same_line.postcode.as_deref()), (Some("Ashford"), Some("TN23 4PL")));
        assert_eq!(split_address("1600 Main St\nSpringfield IL 62701").postcode.as_deref(), Some("IL 62701"));
        assert_eq!(split_address("14\nOrchard Way\nAshford\nTN23 4PL").line1.as_deref(), Some("14 Orchard Way"));
        assert_eq!(split_address("London, N1 7AA"), AddressParts::default(), "a town alone is not an address line");
    }

    fn contact() -> Contact {
        Contact {
            id: Some("c1".into()),
            first_name: Some("Jane".into()),
            last_name: Some("Smith".into()),
            email: Some("jane.doe@example.com".into()),
            phone: Some("+447700900123".into()),
            city: Some("Londres".into()),
            ..Default::default()
        }
    }

    fn action_of<'a>(plan: &'a [FieldPlan], commusoft: &str, ghl: &str) -> &'a FieldPlan {
        plan.iter().find(|line| line.host_field == commusoft && line.ghl_field == ghl).unwrap()
    }

    #[test]
    fn plans_field_by_field_without_erasing() {
        let plan =
            plan(&Mapping::default_for(&crate::hosts::commusoft::SPEC), &record("12 Acacia Avenue, London, N1 7AA"), Some(&contact()));
        assert_eq!(action_of(&plan, "firstName", "firstName").action, Action::Same);
        let surname = action_of(&plan, "lastName", "lastName");
        assert_eq!((surname.action, surname.new_value.as_deref()), (Action::UpdateGhl, Some("Doe")), "Commusoft wins");
        assert_eq!(surname.effect, "GHL gets “Doe”");
        assert_eq!(action_of(&plan, "email", "email").action, Action::Same, "case does not matter");
        assert_eq!(action_of(&plan, "mobile", "phone").action, Action::Same, "07700 900123 is +447700900123");
        assert_eq!(action_of(&plan, "landline", "phone").action, Action::Off);
        assert_eq!(action_of(&plan, "address1", "address1").new_value.as_deref(), Some("12 Acacia Avenue"));
        assert_eq!(action_of(&plan, "town", "city").action, Action::UpdateGhl);
        let company = action_of(&plan, "company", "companyName");
        assert_eq!(company.action, Action::Skip, "GHL refuses companyName on update");

        let ghl_wins =
            Mapping { rows: vec![MappingRow { host: "lastName".into(), ghl: "lastName".into(), direction: "bothGhlWins".into() }] };
        let line = &super::plan(&ghl_wins, &record(""), Some(&contact()))[0];
        assert_eq!((line.action, line.new_value.as_deref()), (Action::UpdateHost, Some("Smith")));

        let to_commusoft = Mapping { rows: vec![MappingRow { host: "town".into(), ghl: "city".into(), direction: "toHost".into() }] };
        let empty_record = &super::plan(&to_commusoft, &record(""), Some(&contact()))[0];
        assert_eq!(empty_record.action, Action::UpdateHost, "an empty Commusoft field is filled");
        let mut no_city = contact();
        no_city.city = None;
        let nothing = &super::plan(&to_commusoft, &record("1 High St, York, YO1 7HH"), Some(&no_city))[0];
        assert_eq!(nothing.action, Action::Skip, "GHL's empty city never erases Commusoft's town");
    }

    #[test]
    fn a_new_contact_takes_everything_sent_to_ghl() {
        let plan = plan(&Mapping::default_for(&crate::hosts::commusoft::SPEC), &record("12 Acacia Avenue, London, N1 7AA"), None);
        let company = action_of(&plan, "company", "companyName");
        assert_eq!((company.action, company.new_value.as_deref()), (Action::UpdateGhl, Some("Doe Ltd")));
        assert_eq!(action_of(&plan, "mobile", "phone").new_value.as_deref(), Some("+447700900123"));
    }

    #[test]
    fn validation_names_the_row() {
        let mut mapping = Mapping::default_for(&crate::hosts::commusoft::SPEC);
        assert!(mapping.clone().validated(&crate::hosts::commusoft::SPEC, None).is_ok());
        mapping.rows[4].direction = "toGhl".into();
        let error = mapping.clone().validated(&crate::hosts::commusoft::SPEC, None).unwrap_err();
        assert!(error.message.contains("Row 5: GHL's Phone is already written"), "{}", error.message);
        mapping.rows[4] = MappingRow { host: "landline".into(), ghl: "customField.abc".into(), direction: "toGhl".into() };
        assert!(mapping.clone().validated(&crate::hosts::commusoft::SPEC, Some(&["abc".to_owned()])).is_ok());
        assert!(mapping
            .clone()
            .validated(&crate::hosts::commusoft::SPEC, Some(&["other".to_owned()]))
            .unwrap_err()
            .message
            .contains("Row 5"));
        mapping.rows[0].direction = "sideways".into();
        assert!(mapping
            .validated(&crate::hosts::commusoft::SPEC, None)
            .unwrap_err()
            .message
            .contains("Row 1: \"sideways\" is not a direction"));
    }

    #[test]
    fn reads_and_writes_the_saved_shape() {
        let written = serde_json::to_string(&Mapping::default_for(&crate::hosts::commusoft::SPEC)).unwrap();
        assert_eq!(crate::platform::json::read::<Mapping>(&written).unwrap(), Mapping::default_for(&crate::hosts::commusoft::SPEC));
        assert!(crate::platform::json::read::<Mapping>(r#"{"rows":[{"commusoft":"email","ghl":"email"}]}"#).is_err());
    }
}
