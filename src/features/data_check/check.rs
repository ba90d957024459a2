//! Checking one linked record: what disagrees between the record as last seen and the GHL contact now.

use super::Target;
use crate::features::panel::ghl_contact_url;
use crate::ghl::models::Contact;
use crate::hosts::{known_host, phone::to_e164, record::normalise_email, seen, HostRecord, RecordInput};
use crate::links::{self, MatchedBy};
use crate::mapping::{self, Action, Mapping};
use crate::outbox::{Ctx, RecordEdits};
use crate::platform::clock::Clock;
use crate::platform::error::{ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::json::read_fields;
use crate::platform::store::Store;
use serde::Serialize;

/// Other GHL contacts with the record's email looked for at most (one search page).
const DUPLICATES_LOOKED_FOR: u32 = 5;

/// A record with at least one problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub app: String,
    pub app_name: String,
    pub host: String,
    pub record_id: String,
    /// The record's name as last seen, or its app and id.
    pub label: String,
    pub contact_id: String,
    /// Opens the record in the host app (the page the agent last saw it on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    pub ghl_url: String,
    /// When the agent last saw the record (0: never with its fields).
    pub seen_at_ms: u64,
    pub problems: Vec<Problem>,
    /// "Sync this contact" can be offered: the record was seen, the contact exists, and the mapping would change
    /// something.
    pub syncable: bool,
    /// The record as last seen, for "Sync this contact" from the report (its preview runs on it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// `fields`, `gone`, `evidence`, `duplicate`, `waiting` or `refused`.
    pub kind: String,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDiff>,
}

/// One mapped field whose values differ under the mapping's rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDiff {
    pub label: String,
    pub host_value: String,
    pub ghl_value: String,
}

read_fields!(FieldDiff, "a field that disagrees" {
    label: required_text("label"),
    host_value: required_text("hostValue"),
    ghl_value: required_text("ghlValue"),
});
read_fields!(Problem, "a problem found" { kind: required_text("kind"), text: required_text("text"), fields: items_or_empty("fields") });
read_fields!(Finding, "a data check finding" {
    app: required_text("app"),
    app_name: required_text("appName"),
    host: required_text("host"),
    record_id: required_text("recordId"),
    label: required_text("label"),
    contact_id: required_text("contactId"),
    page_url: text("pageUrl"),
    ghl_url: required_text("ghlUrl"),
    seen_at_ms: count_or_zero("seenAtMs"),
    problems: items_or_empty("problems"),
    syncable: flag_or_false("syncable"),
    record: item("record"),
});

fn problem(kind: &str, text: String) -> Problem {
    Problem { kind: kind.to_owned(), text, fields: Vec::new() }
}

/// Checks one record. `Ok(None)`: nothing disagrees. An error GHL may get over (rate limit, outage) is returned, so
/// the run stops at this record and tries it again later.
pub(super) async fn check<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    target: &Target,
    mappings: &mut Vec<(&'static str, Mapping)>,
    edits: &[RecordEdits],
) -> Result<Option<Finding>> {
    let store = client.store();
    let Some(host) = known_host(&target.host) else { return Ok(None) };
    let seen = seen::load(store, &target.host, &target.record_id).await;
    let input = seen.as_ref().map(seen::Seen::to_input).unwrap_or_else(|| RecordInput {
        host: target.host.clone(),
        record_id: target.record_id.clone(),
        ..RecordInput::default()
    });
    let Ok(record) = HostRecord::from_input(input.clone()) else { return Ok(None) };
    let link = links::find(store, &record, client.location_id()).await?;
    let mut problems = Vec::new();
    let mut syncable = false;

    match client.get_contact(&target.contact_id).await {
        Ok(contact) => {
            if seen.is_some() {
                let mapping = mapping_of(store, mappings, host.spec).await?;
                let rows = mapping::plan(mapping, &record, Some(&contact));
                syncable = rows.iter().any(|row| matches!(row.action, Action::UpdateGhl | Action::UpdateHost));
                let fields: Vec<FieldDiff> = rows
                    .iter()
                    .filter(|row| matches!(row.action, Action::UpdateGhl | Action::UpdateHost))
                    .filter_map(|row| {
                        Some(FieldDiff { label: row.label.clone(), host_value: row.host_value.clone()?, ghl_value: row.ghl_value.clone()? })
                    })
                    .collect();
                if !fields.is_empty() {
                    let text = format!(
                        "{} mapped field{} disagree{}.",
                        fields.len(),
                        plural(fields.len()),
                        if fields.len() == 1 { "s" } else { "" }
                    );
                    problems.push(Problem { kind: "fields".to_owned(), text, fields });
                }
            }
            if let Some(link) = &link {
                if let Some(text) = evidence_problem(link, &record, &contact, seen.is_some()) {
                    problems.push(problem("evidence", text));
                }
            }
            let email = record.email.clone().or_else(|| contact.email.as_deref().and_then(normalise_email));
            if let Some(email) = email {
                let others: Vec<Contact> = client
                    .contacts_where("email", &email, DUPLICATES_LOOKED_FOR)
                    .await?
                    .into_iter()
                    .filter(|other| other.id.as_deref().is_some_and(|id| id != target.contact_id))
                    .collect();
                if !others.is_empty() {
                    let names: Vec<String> =
                        others.iter().map(|other| other.display_name().unwrap_or_else(|| other.id.clone().unwrap_or_default())).collect();
                    problems.push(problem(
                        "duplicate",
                        format!(
                            "{} other GHL contact{} share{} {email}: {}.",
                            others.len(),
                            plural(others.len()),
                            if others.len() == 1 { "s" } else { "" },
                            names.join(", ")
                        ),
                    ));
                }
            }
        }
        Err(error) if error.code == ErrorCode::NotFound => {
            problems.push(problem("gone", "The linked GHL contact is gone (deleted or merged in GHL).".to_owned()));
        }
        Err(error) => return Err(error),
    }

    if let Some(edits) = edits.iter().find(|edits| edits.host == target.host && edits.record_id == target.record_id) {
        if edits.waiting > 0 {
            problems.push(problem("waiting", format!("{} edit{} waiting to be sent.", edits.waiting, plural(edits.waiting))));
        }
        if edits.need_agent > 0 {
            let verb = if edits.need_agent == 1 { "needs" } else { "need" };
            problems.push(problem(
                "refused",
                format!("{} edit{} {verb} the agent: open the record's panel.", edits.need_agent, plural(edits.need_agent)),
            ));
        }
    }
    if problems.is_empty() {
        return Ok(None);
    }
    let name = record.name.clone().or_else(|| {
        let (first, last) = record.name_parts();
        first.map(|first| [first, last.unwrap_or_default()].join(" ").trim().to_owned())
    });
    Ok(Some(Finding {
        app: host.spec.app.to_owned(),
        app_name: host.spec.name.to_owned(),
        host: target.host.clone(),
        record_id: target.record_id.clone(),
        label: name.unwrap_or_else(|| format!("{} {} {}", host.spec.name, record.kind.noun, target.record_id)),
        contact_id: target.contact_id.clone(),
        page_url: seen.as_ref().and_then(|seen| seen.page_url.clone()),
        ghl_url: ghl_contact_url(client.location_id(), &target.contact_id),
        seen_at_ms: seen.as_ref().map_or(0, |seen| seen.seen_at_ms),
        problems,
        syncable,
        record: seen.is_some().then_some(input),
    }))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The app's mapping, loaded once per step.
async fn mapping_of<'m>(
    store: &impl Store,
    mappings: &'m mut Vec<(&'static str, Mapping)>,
    spec: &'static crate::hosts::HostSpec,
) -> Result<&'m Mapping> {
    if !mappings.iter().any(|(app, _)| *app == spec.app) {
        mappings.push((spec.app, mapping::load_mapping(store, spec).await?));
    }
    Ok(&mappings.iter().find(|(app, _)| *app == spec.app).expect("just loaded").1)
}

/// Why an automatic link's evidence no longer holds: GHL's contact no longer has it, or the record no longer showed
/// it when last seen.
fn evidence_problem(link: &links::Link, record: &HostRecord, contact: &Contact, seen: bool) -> Option<String> {
    if !matches!(link.matched_by, MatchedBy::Email | MatchedBy::Phone) {
        return None;
    }
    let (kind, value) = link.evidence.as_deref()?.split_once(':')?;
    let in_ghl = match kind {
        "email" => contact.email.as_deref().and_then(normalise_email).as_deref() == Some(value),
        "phone" => contact.phone.as_deref().and_then(|phone| to_e164(phone, record.phone_country)).as_deref() == Some(value),
        _ => true,
    };
    if !in_ghl {
        return Some(format!("Linked by {kind} {value}, which the GHL contact no longer has."));
    }
    if seen && link.evidence_holds(record) == Some(false) {
        return Some(format!("Linked by {kind} {value}, which the record no longer showed when last seen."));
    }
    None
}
