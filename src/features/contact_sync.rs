//! "Sync this contact": the field-level plan under the host app's mapping, then one click applies it — GHL through
//! `PUT /contacts/{id}` with only the changed fields, the host app by handing the content script the values to put
//! into its own edit form (the extension never saves host forms itself). A record without a GHL contact gets one
//! first (duplicate-checked), through the same path as "Create in GHL".

use crate::features::delivery::Deliverer;
use crate::features::edit::Edit;
use crate::features::edits;
use crate::hosts::HostRecord;
use crate::hosts::HostSpec;
use crate::links::{self, Link};
use crate::mapping::{self, Action, FieldPlan, Mapping, CUSTOM_FIELD_PREFIX};
use crate::mapping::{ghl_changes, load_mapping, FieldChange};
use crate::outbox::{self, Ctx, OutboxItem};
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::log::{self, LogEntry};
use crate::platform::store::{self, Store};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPreview {
    /// `None`: no GHL contact yet; applying creates one (or links GHL's duplicate).
    pub contact_id: Option<String>,
    pub rows: Vec<FieldPlan>,
    pub ghl_changes: usize,
    pub host_changes: usize,
    /// Names exactly what this preview writes: Apply sends it back and writes only this plan.
    pub fingerprint: String,
    /// Nothing to change on either side: the panel says so and offers no Apply.
    pub in_sync: bool,
    /// The preview's heading and the Apply button's words, for the panel.
    pub heading: String,
    pub apply_label: String,
    /// The two sides' names for the rows ("Commusoft", "GHL").
    pub host_name: &'static str,
}

/// A value for the host app's edit form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostFill {
    pub field: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncResult {
    pub contact_id: String,
    /// One sentence for the agent.
    pub summary: String,
    pub rows: Vec<FieldPlan>,
    /// Labels of the GHL fields written (or waiting to be, with `ghl_waiting`).
    pub ghl_updated: Vec<String>,
    /// GHL could not take the changes now: they are stored and sent automatically.
    pub ghl_waiting: bool,
    /// Values for the agent to review and save in the host app's edit form.
    pub host_fill: Vec<HostFill>,
    pub created: bool,
    /// The panel reloads its view afterwards (the contact was created or GHL's fields changed).
    pub reload: bool,
    /// When the host's edit form is not open: what to open to take `host_fill` ("Open “Edit customer” in Commusoft…").
    pub open_form_hint: String,
}

fn count(rows: &[FieldPlan], action: Action) -> usize {
    rows.iter().filter(|row| row.action == action).count()
}

async fn linked_id(store: &impl Store, record: &HostRecord, location_id: &str) -> Result<Option<String>> {
    Ok(match links::find(store, record, location_id).await? {
        Some(Link { contact_id: Some(id), .. }) => Some(id),
        _ => None,
    })
}

/// "Fill from GHL": what goes into the host's contact form from a GHL contact the agent picked.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormFill {
    /// `[{field, value}]` by host field, for the content script's form filler.
    pub fills: Vec<HostFill>,
    /// What the panel says once filled.
    pub message: String,
}

/// The GHL contact's values for the host's contact form, through the host app's mapping (every row that GHL may
/// write to the host). Nothing is saved: the agent reviews and saves the form.
pub async fn fill_from_ghl<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    contact_id: &str,
) -> Result<FormFill> {
    let spec = record.host.spec;
    if !spec.capabilities.fill_from_ghl {
        return Err(Error::invalid_message(format!("{} has no contact form to fill.", spec.name)));
    }
    let mapping = load_mapping(client.store(), spec).await?;
    let contact = client.get_contact(contact_id).await?;
    let fills: Vec<HostFill> =
        mapping::host_fills(&mapping, &contact).into_iter().map(|(field, value)| HostFill { field, value }).collect();
    let message = if fills.is_empty() {
        "This GHL contact has none of the mapped fields: nothing was filled.".to_owned()
    } else {
        format!(
            "Filled from GHL ({} field{}) — review the highlighted fields, then save.",
            fills.len(),
            if fills.len() == 1 { "" } else { "s" }
        )
    };
    Ok(FormFill { fills, message })
}

/// What "Sync this contact" would do, field by field.
pub async fn preview<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<SyncPreview> {
    let mapping = load_mapping(client.store(), record.host.spec).await?;
    let contact_id = linked_id(client.store(), record, client.location_id()).await?;
    let contact = match &contact_id {
        Some(id) => Some(client.get_contact(id).await?),
        None => None,
    };
    let rows = mapping::plan(&mapping, record, contact.as_ref());
    let (ghl_changes, host_changes) = (count(&rows, Action::UpdateGhl), count(&rows, Action::UpdateHost));
    let host_name = record.host.spec.name;
    let (heading, apply_label) = match &contact_id {
        Some(_) => ("Sync with GHL".to_owned(), "Apply sync".to_owned()),
        None => ("Create in GHL from this record".to_owned(), "Create contact".to_owned()),
    };
    Ok(SyncPreview {
        in_sync: contact_id.is_some() && ghl_changes + host_changes == 0,
        ghl_changes,
        host_changes,
        fingerprint: mapping::plan_fingerprint(&rows),
        heading,
        apply_label,
        host_name,
        contact_id,
        rows,
    })
}

/// Applies the plan. Computed again here from fresh data — never taken from the page — so a second click with
/// nothing changed sends no write. `previewed`: the fingerprint of the preview the agent saw; when the plan is no
/// longer that one (the page or GHL changed meanwhile), nothing is written and the agent reviews it again.
pub async fn apply<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    previewed: Option<&str>,
) -> Result<SyncResult> {
    let started_ms = client.now_ms();
    let result = apply_plan(client, record, previewed).await;
    let entry = match &result {
        Ok(done) => LogEntry::success("contact.sync", Some(&done.contact_id), &done.summary),
        Err(error) => LogEntry::failure(
            "contact.sync",
            linked_id(client.store(), record, client.location_id()).await.ok().flatten().as_deref(),
            error,
        ),
    };
    // Best effort: a log that cannot be written must not turn an applied sync into an error.
    let _ = log::append(client.store(), entry.took(started_ms, client.now_ms())).await;
    result
}

async fn apply_plan<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    previewed: Option<&str>,
) -> Result<SyncResult> {
    let store = client.store();
    let mapping = load_mapping(store, record.host.spec).await?;
    let linked = linked_id(store, record, client.location_id()).await?;
    let mut contact = None;
    if let Some(previewed) = previewed {
        if let Some(id) = &linked {
            contact = Some(client.get_contact(id).await?);
        }
        if mapping::plan_fingerprint(&mapping::plan(&mapping, record, contact.as_ref())) != previewed {
            return Err(Error::new(
                ErrorCode::PlanChanged,
                "The record or the GHL contact changed since this preview, so nothing was written. Review the new preview, then apply it.",
            ));
        }
    }
    let (contact_id, created) = match linked {
        Some(id) => (id, false),
        None => {
            let view = edits::create_contact(client, record).await?;
            let id = linked_id(store, record, client.location_id()).await?.unwrap_or_default();
            let created = matches!(view, crate::features::panel::PanelView::Matched { matched_by: links::MatchedBy::Created, .. });
            (id, created)
        }
    };
    let contact = match contact.filter(|_| !created) {
        Some(contact) => contact,
        None => client.get_contact(&contact_id).await?,
    };
    let rows = mapping::plan(&mapping, record, Some(&contact));
    let changes: Vec<FieldChange> = ghl_changes(&rows).into_iter().filter(|change| change.field != "companyName").collect();
    let ghl_updated: Vec<String> = changes.iter().map(|change| change.label.clone()).collect();
    // Through the outbox like every write: stored first, sent in order with the contact's other edits, and kept
    // to be sent automatically when GHL cannot take it now.
    let mut ghl_waiting = None;
    if !changes.is_empty() {
        // A newer sync replaces one still waiting: it was planned from fresher data.
        let edit = Edit::ContactUpdate { fields: changes };
        let mut item = OutboxItem { replaces_waiting: true, ..OutboxItem::new(client, record, &contact_id, edit.op(), None)? };
        edit.write_to(&mut item);
        match outbox::submit(client, item, &Deliverer).await {
            Ok(_) => {}
            Err(error) if error.queued => ghl_waiting = Some(error.message.clone()),
            Err(error) => return Err(error),
        }
    }
    let host_fill: Vec<HostFill> = rows
        .iter()
        .filter(|row| row.action == Action::UpdateHost)
        .filter_map(|row| Some(HostFill { field: row.host_field.clone(), value: row.new_value.clone()? }))
        .collect();
    let spec = record.host.spec;
    let host = spec.name;
    let summary = match (created, ghl_updated.len(), host_fill.len()) {
        (_, g, c) if ghl_waiting.is_some() => {
            let waiting = ghl_waiting.as_deref().unwrap_or_default();
            let for_host = if c > 0 { format!(" {c} field(s) for {host} to review and save.") } else { String::new() };
            format!("{g} field(s) for GHL are waiting: {waiting}{for_host}")
        }
        (true, _, 0) => "Created the contact in GHL from this record.".to_owned(),
        (true, _, n) => format!("Created the contact in GHL; {n} field(s) for {host} to review."),
        (false, 0, 0) => "Already in sync: nothing to change.".to_owned(),
        (false, g, 0) => format!("Updated {g} field(s) in GHL."),
        (false, 0, c) => format!("GHL has {c} newer field(s) for {host}: review them in the edit form and save."),
        (false, g, c) => format!("Updated {g} field(s) in GHL; {c} field(s) for {host} to review and save."),
    };
    let reload = created || !ghl_updated.is_empty();
    let open_form_hint = format!("Open “{}” in {host}, then click Sync this contact again to fill in:", spec.edit_form_name);
    Ok(SyncResult {
        contact_id,
        summary,
        rows,
        ghl_updated,
        ghl_waiting: ghl_waiting.is_some(),
        host_fill,
        created,
        reload,
        open_form_hint,
    })
}

/// One field of the options page's sample record: the read field, its label and a value to start from.
#[derive(Debug, Serialize)]
pub struct SampleField {
    pub field: &'static str,
    pub label: String,
    pub value: &'static str,
}

/// A field or direction the mapping editor offers (and any other choice Options offers by id and name).
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// What the options page's mapping editor draws.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingEditor {
    /// The host app this mapping is for, and the others the editor can switch to.
    pub app: &'static str,
    pub app_name: &'static str,
    pub apps: Vec<Choice>,
    pub rows: Vec<mapping::MappingRow>,
    pub host_fields: Vec<Choice>,
    pub ghl_fields: Vec<Choice>,
    pub directions: Vec<Choice>,
    /// By host field: how its value is transformed.
    pub transforms: Vec<Choice>,
    /// The sample record the preview starts from.
    pub sample: Vec<SampleField>,
    /// Why the location's custom fields are not offered, when they are not.
    pub custom_fields_note: Option<String>,
    /// The panel's sections Options can switch off per host app.
    pub panel_sections: Vec<Choice>,
}

pub fn choices(list: &[(&str, &str)]) -> Vec<Choice> {
    list.iter().map(|(id, label)| Choice { id: (*id).to_owned(), label: (*label).to_owned() }).collect()
}

/// The location's contact custom fields as mapping choices; `Err` says why they could not be read.
pub async fn custom_field_choices<T: Transport, S: Store, C: Clock>(
    client: Option<&Ctx<'_, T, S, C>>,
) -> std::result::Result<Vec<Choice>, String> {
    let Some(client) = client else {
        return Err("Connect GHL above to map its custom fields too.".to_owned());
    };
    let definitions =
        client.list_custom_fields().await.map_err(|error| format!("GHL's custom fields could not be read: {}", error.message))?;
    Ok(definitions
        .into_iter()
        .filter_map(|field| {
            let id = field.id.filter(|id| !id.is_empty())?;
            let label = format!("{} (custom field)", field.name.unwrap_or_else(|| id.clone()));
            Some(Choice { id: format!("{CUSTOM_FIELD_PREFIX}{id}"), label })
        })
        .collect())
}

pub async fn mapping_editor<T: Transport, S: Store, C: Clock>(
    store: &impl Store,
    client: Option<&Ctx<'_, T, S, C>>,
    spec: &'static HostSpec,
) -> Result<MappingEditor> {
    let mut ghl_fields = choices(mapping::GHL_FIELDS);
    let custom_fields_note = match custom_field_choices(client).await {
        Ok(custom) => {
            ghl_fields.extend(custom);
            None
        }
        Err(note) => Some(note),
    };
    let choice = |id: &str, label: &str| Choice { id: id.to_owned(), label: label.to_owned() };
    Ok(MappingEditor {
        app: spec.app,
        app_name: spec.name,
        apps: crate::hosts::HOSTS.iter().map(|other| choice(other.app, other.name)).collect(),
        panel_sections: choices(crate::features::preferences::PANEL_SECTIONS),
        rows: load_mapping(store, spec).await?.rows,
        host_fields: spec.fields.iter().map(|field| choice(field.id, field.label)).collect(),
        ghl_fields,
        directions: mapping::DIRECTIONS.iter().map(|(id, words)| choice(id, &words.replace("{host}", spec.name))).collect(),
        transforms: spec.fields.iter().filter_map(|field| Some(choice(field.id, field.transform?))).collect(),
        sample: spec
            .sample
            .iter()
            .map(|(field, value)| SampleField {
                field,
                label: format!("{} {}", spec.name, crate::hosts::reading::field_label(field).to_ascii_lowercase()),
                value,
            })
            .collect(),
        custom_fields_note,
    })
}

/// Checks and saves a mapping; custom fields are checked against the location's when GHL can be asked.
pub async fn save_mapping<T: Transport, S: Store, C: Clock>(
    store: &impl Store,
    client: Option<&Ctx<'_, T, S, C>>,
    spec: &HostSpec,
    mapping: Mapping,
) -> Result<Mapping> {
    let known: Option<Vec<String>> = match custom_field_choices(client).await {
        Ok(custom) => Some(custom.into_iter().filter_map(|c| c.id.strip_prefix(CUSTOM_FIELD_PREFIX).map(str::to_owned)).collect()),
        Err(_) => None,
    };
    let mapping = mapping.validated(spec, known.as_deref())?;
    store::write(store, &mapping::mapping_key(spec.app), &mapping).await?;
    Ok(mapping)
}

/// The options page's preview: the plan, and which GHL contact it was made against (`None`: a new one).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingPreview {
    pub contact_id: Option<String>,
    pub rows: Vec<FieldPlan>,
    /// One sentence for the options page's status line.
    pub summary: String,
}

impl MappingPreview {
    pub fn new(contact_id: Option<String>, rows: Vec<FieldPlan>) -> Self {
        let changes = rows.iter().filter(|row| matches!(row.action, Action::UpdateGhl | Action::UpdateHost)).count();
        Self { contact_id, rows, summary: format!("Preview ready: {changes} field(s) would change.") }
    }
}
