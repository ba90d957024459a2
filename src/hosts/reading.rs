//! What a content script found on a host page, and the rule that turns it into a record's fields.
//!
//! The page is markup we did not write and cannot see in advance, so the content script reads it several
//! independent ways (label/value pairs near the details heading, anywhere in the record's container, `mailto:`
//! and `tel:` links, the edit form, the agent's own overrides) and reports every value it found with how it found
//! it. This module decides: each value is checked for its kind first (an email is an email, a phone parses, a
//! postcode looks like one), then the strongest way that found a valid value wins — and when that way found two
//! different values, the field is left unread. Reading nothing is recoverable (the agent links by hand or points
//! at the value); reading the wrong thing sends notes to someone else's contact.

use super::phone::to_e164;
use crate::platform::json::{FromJson, Json, JsonResult};
use serde::Serialize;

/// Most values one message may carry: a details panel has tens; more is a page planting text.
pub const MAX_EVIDENCE: usize = 200;
/// Longest value kept, in characters (an address over several lines is the longest real one).
const MAX_VALUE_CHARS: usize = 300;

/// A read field as people name it ("Email", "Account no"): the panel, the options page and samples use these.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "name" => "Name",
        "firstName" => "First name",
        "lastName" => "Last name",
        "position" => "Position",
        "email" => "Email",
        "mobile" => "Mobile",
        "landline" | "phone" => "Phone",
        "accountNumber" => "Account no",
        "address" => "Address",
        "company" => "Company",
        _ => "Field",
    }
}

/// The fields the agent can point at with "This isn't right", and what each button says (a mobile is "Phone": the
/// agent points at a number, whichever kind).
const PICKABLE: &[(&str, &str)] = &[("email", "Email"), ("mobile", "Phone"), ("name", "Name"), ("address", "Address")];

/// The fields a record can have, in the order they are reported.
pub const FIELDS: &[&str] =
    &["name", "firstName", "lastName", "email", "mobile", "landline", "accountNumber", "address", "company", "position"];

/// One value the content script found: which field it is for, the text as a person sees it, and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// One of [`FIELDS`], or `phone` for a `tel:` link that does not say which phone it is.
    pub field: String,
    pub value: String,
    /// How it was found: `override`, `pair`, `inline`, `aria`, `form`, `link`, or `given` (a caller that already
    /// knows the field, such as the options page's sample record).
    pub via: String,
    /// Where: `section` (inside the record's details, found by its heading), `container` (the record's view,
    /// no heading found) or `page`.
    pub scope: String,
}

impl FromJson for Evidence {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("a value read from the page")?;
        fields.only(&["field", "value", "via", "scope"])?;
        let evidence = Self {
            field: fields.required_text("field"),
            value: fields.required_text("value"),
            via: fields.required_text("via"),
            scope: fields.text("scope").unwrap_or_else(|| "section".to_owned()),
        };
        fields.finish(evidence)
    }
}

impl Evidence {
    pub fn given(field: &str, value: &str) -> Self {
        Self { field: field.to_owned(), value: value.to_owned(), via: "given".to_owned(), scope: "section".to_owned() }
    }

    /// Lower is stronger. `None`: a way or scope the reader does not use (the value is ignored).
    fn rank(&self) -> Option<u8> {
        let way = match self.via.as_str() {
            "given" | "override" => return Some(0),
            "pair" | "inline" | "aria" => 0,
            "form" | "link" => 1,
            _ => return None,
        };
        let scope = match self.scope.as_str() {
            "section" => 1,
            // The edit form is the record's own form wherever it sits.
            _ if self.via == "form" => 1,
            "container" => 3,
            "page" => 5,
            _ => return None,
        };
        Some(scope + way)
    }
}

/// What was read, field by field, and why anything found was not used: the panel's "What was read from this page".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reading {
    pub fields: Vec<ReadField>,
    /// Values found but not used, with the reason, for the agent and for bug reports.
    pub set_aside: Vec<SetAside>,
    /// Enough to look for the GHL contact: an email or a phone number.
    pub usable: bool,
    /// What the agent can do when the reading is not usable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The fields "This isn't right" offers to point at.
    pub pickable: Vec<Pick>,
}

/// A field the agent can point at, and the words of its button.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    pub field: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadField {
    pub field: String,
    /// The field as people name it.
    pub label: &'static str,
    /// As the page shows it (an address keeps its lines, joined by ", ").
    pub value: String,
    /// How the value was found, in words.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetAside {
    pub field: String,
    pub label: &'static str,
    pub value: String,
    pub reason: String,
}

/// The checked value of each field, or `None`. Email is lower-cased; an address keeps its lines (`\n`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolved {
    pub name: Option<String>,
    /// Where the page shows the parts of the name on their own (commonsku's "First Name" / "Last Name").
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub landline: Option<String>,
    pub account_number: Option<String>,
    /// Lines separated by `\n`.
    pub address: Option<String>,
    pub company: Option<String>,
    /// A person's job title (commonsku's "Position").
    pub position: Option<String>,
}

impl Resolved {
    fn slot(&mut self, field: &str) -> Option<&mut Option<String>> {
        Some(match field {
            "name" => &mut self.name,
            "firstName" => &mut self.first_name,
            "lastName" => &mut self.last_name,
            "position" => &mut self.position,
            "email" => &mut self.email,
            "mobile" => &mut self.mobile,
            "landline" => &mut self.landline,
            "accountNumber" => &mut self.account_number,
            "address" => &mut self.address,
            "company" => &mut self.company,
            _ => return None,
        })
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        match field {
            "name" => self.name.as_deref(),
            "firstName" => self.first_name.as_deref(),
            "lastName" => self.last_name.as_deref(),
            "position" => self.position.as_deref(),
            "email" => self.email.as_deref(),
            "mobile" => self.mobile.as_deref(),
            "landline" => self.landline.as_deref(),
            "accountNumber" => self.account_number.as_deref(),
            "address" => self.address.as_deref(),
            "company" => self.company.as_deref(),
            _ => None,
        }
    }
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

/// Why a value is not of its field's kind, or its checked form (the page's text, tidied).
fn checked(field: &str, value: &str, country: &str) -> Result<String, &'static str> {
    let lines = lines_of(value);
    if lines.is_empty() {
        return Err("empty");
    }
    let one_line = lines.join(" ");
    if field != "address" && lines.len() > 1 {
        // "Jane Doe\nEdit" or a whole block read as one value: not the field's value alone.
        // A name or company wrapped over two lines reads as one line; more is a block, not a value.
        return match field {
            "email" | "mobile" | "landline" | "phone" => Err("more than one line"),
            _ if lines.len() > 2 => Err("more than one line"),
            _ => checked(field, &one_line, country),
        };
    }
    match field {
        "email" => normalise_email(&one_line).ok_or("not an email address"),
        "mobile" | "landline" | "phone" => to_e164(&one_line, country).map(|_| one_line).ok_or("not a phone number for this country"),
        "name" | "firstName" | "lastName" => {
            let letters = one_line.chars().filter(|&c| is_letter(c)).count();
            let digits = one_line.chars().filter(char::is_ascii_digit).count();
            if one_line.chars().count() > 100 {
                Err("too long for a name")
            } else if letters < 2 || digits > 0 || one_line.contains('@') {
                Err("does not look like a name")
            } else {
                Ok(one_line)
            }
        }
        "company" | "position" => {
            if one_line.chars().count() > 120 || !one_line.chars().any(is_letter) || one_line.contains('@') {
                Err("does not look like a company name")
            } else {
                Ok(one_line)
            }
        }
        "accountNumber" => {
            if one_line.chars().count() > 40 || !one_line.chars().any(|c| c.is_ascii_digit()) {
                Err("does not look like an account number")
            } else {
                Ok(one_line)
            }
        }
        "address" => {
            if value.chars().count() > MAX_VALUE_CHARS || lines.iter().any(|line| line.contains('@')) {
                Err("does not look like an address")
            } else {
                Ok(lines.join("\n"))
            }
        }
        _ => Err("not a field the extension reads"),
    }
}

/// A letter for the shape checks: ASCII letters, and any non-ASCII character (accented and non-Latin names)
/// — Unicode's letter tables cost kilobytes of wasm.
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || !c.is_ascii()
}

/// The text's lines, each with its whitespace folded, without empty ones and control characters.
pub fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let clean: String = line.chars().filter(|c| !c.is_control()).take(MAX_VALUE_CHARS).collect();
            clean.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .filter(|line| !line.is_empty())
        .collect()
}

/// Comparable form of a checked value: phones in E.164, the rest without case.
fn comparable(field: &str, value: &str, country: &str) -> String {
    match field {
        "mobile" | "landline" | "phone" => to_e164(value, country).unwrap_or_default(),
        // ASCII folding: Unicode case tables cost kilobytes of wasm, and a second spelling only leaves a field unread.
        _ => value.to_ascii_lowercase(),
    }
}

fn source_words(evidence: &Evidence) -> String {
    let way = match evidence.via.as_str() {
        "given" => "given",
        "override" => "your pick on this page",
        "pair" => "label and value",
        "inline" => "\"Label: value\" text",
        "aria" => "accessible label",
        "form" => "edit form",
        _ => "link",
    };
    if matches!(evidence.via.as_str(), "given" | "override" | "form") {
        return way.to_owned();
    }
    match evidence.scope.as_str() {
        "section" => format!("{way}, in the details"),
        "container" => format!("{way}, elsewhere in the record"),
        _ => format!("{way}, elsewhere on the page"),
    }
}

fn clip(text: &str) -> String {
    let mut clipped: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        clipped.push('…');
    }
    clipped.replace('\n', ", ")
}

/// Applies the agreement rule to everything found: per field, the valid values found the strongest way; one
/// distinct value is the field's, two or more leave it unread. A `tel:` link's phone fills the landline slot
/// only when no labelled phone was read and it is the only number linked.
pub fn resolve(evidence: &[Evidence], country: &str) -> (Resolved, Reading) {
    let mut resolved = Resolved::default();
    let mut reading = Reading { pickable: PICKABLE.iter().map(|&(field, label)| Pick { field, label }).collect(), ..Reading::default() };
    for field in FIELDS.iter().copied().chain(["phone"]) {
        let mut best: Option<u8> = None;
        let mut valid: Vec<(u8, String, &Evidence)> = Vec::new();
        for item in evidence.iter().filter(|e| e.field == field) {
            let Some(rank) = item.rank() else { continue };
            match checked(field, &item.value, country) {
                Ok(value) => {
                    best = Some(best.map_or(rank, |b| b.min(rank)));
                    valid.push((rank, value, item));
                }
                Err(reason) => {
                    let aside = SetAside {
                        field: field.to_owned(),
                        label: field_label(field),
                        value: clip(&item.value),
                        reason: reason.to_owned(),
                    };
                    if !reading.set_aside.contains(&aside) {
                        reading.set_aside.push(aside);
                    }
                }
            }
        }
        let Some(best) = best else { continue };
        let strongest: Vec<&(u8, String, &Evidence)> = valid.iter().filter(|(rank, ..)| *rank == best).collect();
        let mut distinct: Vec<(String, &String, &Evidence)> = Vec::new();
        for (_, value, item) in &strongest {
            let key = comparable(field, value, country);
            if !distinct.iter().any(|(known, ..)| *known == key) {
                distinct.push((key, value, item));
            }
        }
        if distinct.len() > 1 {
            let values = distinct.iter().map(|(_, value, _)| clip(value)).collect::<Vec<_>>().join(" / ");
            reading.set_aside.push(SetAside {
                field: field.to_owned(),
                label: field_label(field),
                value: values,
                reason: "the page shows different values here; none was used".to_owned(),
            });
            continue;
        }
        let (_, value, item) = &distinct[0];
        let target = if field == "phone" {
            // A bare `tel:` link: only when no labelled phone was read and it is not one of them already.
            let known = [&resolved.mobile, &resolved.landline]
                .into_iter()
                .flatten()
                .any(|phone| comparable("phone", phone, country) == comparable("phone", value, country));
            if known || resolved.mobile.is_some() || resolved.landline.is_some() {
                continue;
            }
            "landline"
        } else {
            field
        };
        if let Some(slot) = resolved.slot(target) {
            *slot = Some((*value).clone());
        }
        reading.fields.push(ReadField {
            field: target.to_owned(),
            label: field_label(target),
            value: clip(value),
            source: source_words(item),
        });
    }
    // A page that shows the name only in parts still has a name.
    if resolved.name.is_none() {
        let parts: Vec<&str> = [&resolved.first_name, &resolved.last_name].into_iter().flatten().map(String::as_str).collect();
        if !parts.is_empty() {
            resolved.name = Some(parts.join(" "));
        }
    }
    reading.usable = resolved.email.is_some() || resolved.mobile.is_some() || resolved.landline.is_some();
    if !reading.usable {
        let conflicting = reading.set_aside.iter().any(|aside| aside.reason.contains("different values"));
        reading.problem = Some(if conflicting {
            "This page shows more than one email or phone here, so none was used. Point at the right one with “This isn\u{2019}t right” under “What was read from this page”, or use “Link existing”."
        } else {
            "No email address or phone number was found on this page. If the record shows one, point at it with “This isn\u{2019}t right” under “What was read from this page”."
        }.to_owned());
    }
    (resolved, reading)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(field: &str, value: &str, via: &str, scope: &str) -> Evidence {
        Evidence { field: field.into(), value: value.into(), via: via.into(), scope: scope.into() }
    }

    #[test]
    fn each_value_is_checked_for_its_kind() {
        let (resolved, reading) = resolve(
            &[
                found("email", "Edit", "pair", "section"),
                found("email", "Jane.Doe@Example.com", "pair", "section"),
                found("mobile", "07700 900123", "pair", "section"),
                found("landline", "n/a", "pair", "section"),
                found("name", "jane@example.com", "pair", "section"),
                found("name", "Mrs Jane Doe", "pair", "section"),
            ],
            "GB",
        );
        assert_eq!(resolved.email.as_deref(), Some("jane.doe@example.com"));
        assert_eq!(resolved.mobile.as_deref(), Some("07700 900123"));
        assert_eq!(resolved.landline, None);
        assert_eq!(resolved.name.as_deref(), Some("Mrs Jane Doe"));
        assert!(reading.usable);
        assert_eq!(reading.set_aside.len(), 3, "{:?}", reading.set_aside);
    }

    #[test]
    fn the_strongest_way_wins_and_disagreement_reads_nothing() {
        let (resolved, _) = resolve(
            &[found("email", "office@trades.example", "link", "container"), found("email", "jane@example.com", "pair", "section")],
            "GB",
        );
        assert_eq!(resolved.email.as_deref(), Some("jane@example.com"));

        let (resolved, reading) = resolve(
            &[found("email", "jane@example.com", "pair", "container"), found("email", "bob@example.com", "pair", "container")],
            "GB",
        );
        assert_eq!(resolved.email, None, "two different emails found the same way: neither is taken");
        assert!(!reading.usable);
        assert!(reading.set_aside[0].reason.contains("different values"));

        let (resolved, _) =
            resolve(&[found("email", "JANE@example.com", "pair", "section"), found("email", "jane@example.com", "link", "section")], "GB");
        assert_eq!(resolved.email.as_deref(), Some("jane@example.com"), "the same address twice agrees");
    }

    #[test]
    fn an_override_beats_what_the_page_suggests() {
        let (resolved, _) =
            resolve(&[found("email", "a@example.com", "pair", "section"), found("email", "b@example.com", "override", "page")], "GB");
        assert_eq!(resolved.email.as_deref(), Some("b@example.com"));
    }

    #[test]
    fn a_bare_tel_link_is_a_phone_only_when_nothing_labelled_was_read() {
        let (resolved, _) = resolve(&[found("phone", "+44 20 7946 0123", "link", "section")], "GB");
        assert_eq!(resolved.landline.as_deref(), Some("+44 20 7946 0123"));
        let (resolved, reading) =
            resolve(&[found("mobile", "07700 900123", "pair", "section"), found("phone", "tel:+447700900123", "link", "section")], "GB");
        assert_eq!((resolved.mobile.as_deref(), resolved.landline), (Some("07700 900123"), None));
        assert_eq!(reading.fields.len(), 1);
    }

    #[test]
    fn an_address_keeps_its_lines_and_a_value_with_a_button_beside_it_is_not_taken_whole() {
        let (resolved, _) = resolve(&[found("address", "14 Orchard Way\nAshford\nTN23 4PL", "pair", "section")], "GB");
        assert_eq!(resolved.address.as_deref(), Some("14 Orchard Way\nAshford\nTN23 4PL"));
        let (resolved, _) = resolve(&[found("email", "jane@example.com\nCopy", "pair", "section")], "GB");
        assert_eq!(resolved.email, None);
        let (resolved, _) = resolve(&[found("name", "Jane\nDoe", "pair", "section")], "GB");
        assert_eq!(resolved.name.as_deref(), Some("Jane Doe"));
        let (resolved, _) = resolve(&[found("name", "Jane Doe\n14 Orchard Way\nAshford", "pair", "section")], "GB");
        assert_eq!(resolved.name, None, "a block of lines is not a name");
    }

    #[test]
    fn unknown_ways_and_scopes_are_ignored() {
        let (resolved, _) = resolve(&[found("email", "jane@example.com", "guess", "section")], "GB");
        assert_eq!(resolved.email, None);
        let (resolved, _) = resolve(&[found("email", "jane@example.com", "pair", "elsewhere")], "GB");
        assert_eq!(resolved.email, None);
    }
}
