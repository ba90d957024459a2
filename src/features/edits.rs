//! What the agent does from the panel: link, unlink, search, create, and edit notes, tasks and tags.
//!
//! Edits name the record, not a contact id: the core edits only the contact the record is linked to, and a note or
//! task id must be one of that contact's. A record is linked to another contact only by the agent's own "Link
//! existing" or "Create", which a page script cannot press (the panel is in a closed shadow root and acts on trusted
//! events only; a tab's searches are paced).

use crate::features::delivery::{Deliverer, EditAnswer};
use crate::features::edit::Edit;
use crate::features::panel::{self, ContactSummary, PanelView};
use crate::ghl::DuplicateKey;
use crate::hosts::HostRecord;
use crate::links::{self, Link, MatchedBy};
use crate::outbox::{self, Ctx, OutboxItem, Snapshot};
use crate::platform::clock::Clock;
use crate::platform::dates::parse_timestamp;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::store::Store;

/// Longest note or task text we send (GHL's own limits are not documented; this keeps requests sane).
const MAX_TEXT_CHARS: usize = 20_000;

/// A note or task id from a message, refused unless it is one (never a path: see `ghl::client::path_segment`),
/// before anything is stored.
fn ghl_id(id: &str) -> Result<String> {
    crate::ghl::client::path_segment(id)?;
    Ok(id.trim().to_owned())
}

/// The GHL contact the record is linked to.
pub async fn linked_contact(store: &impl Store, record: &HostRecord, location_id: &str) -> Result<String> {
    match links::find(store, record, location_id).await? {
        Some(Link { contact_id: Some(id), .. }) => Ok(id),
        _ => Err(Error::new(ErrorCode::InvalidMessage, "This customer is not linked to a GHL contact any more. Reload the page.")),
    }
}

/// Links the record to a contact the agent chose, after checking it exists.
pub async fn link<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord, contact_id: &str) -> Result<PanelView> {
    panel::load_contact(client, record, contact_id, MatchedBy::Manual, None, None).await
}

/// Unlinks: remembered, so the record is not matched automatically again until the agent links it.
pub async fn unlink<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<PanelView> {
    let store = client.store();
    let link = Link {
        contact_id: None,
        matched_by: MatchedBy::Manual,
        business_id: None,
        linked_at_ms: client.now_ms(),
        evidence: None,
        location_id: Some(client.location_id().to_owned()),
    };
    links::save(store, record, &link).await?;
    crate::links::remember(client.store(), &client.locks.storage, record, &link, client.now_ms()).await?;
    links::forget_view(store, record).await?;
    panel::load(client, record).await
}

/// Contacts matching what the agent typed ("Link existing").
pub async fn search<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, query: &str) -> Result<Vec<ContactSummary>> {
    let query = query.trim();
    if query.chars().count() < 2 || query.len() > 200 {
        return Err(Error::new(ErrorCode::Validation, "Type at least two characters to search GHL."));
    }
    let page = client.search_contacts(Some(query), 20, None).await?;
    Ok(page.contacts.into_iter().filter_map(ContactSummary::from_contact).collect())
}

/// "Create in GHL": a contact from the record, unless GHL already has one with its email or phone — then that
/// one is linked instead (no duplicates).
pub async fn create_contact<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<PanelView> {
    let prefill = panel::prefill(record);
    if prefill.first_name.is_none() && prefill.email.is_none() && prefill.phone.is_none() {
        return Err(Error::new(ErrorCode::Validation, "This record shows no name, email or phone to create a GHL contact from."));
    }
    // GHL may have the contact already: one is linked; several are offered to the agent, never one picked.
    if prefill.email.is_some() || prefill.phone.is_some() {
        let mut found = panel::matches(client, record).await?;
        if found.contacts.len() == 1 {
            let only = found.contacts.remove(0);
            return panel::load_contact(client, record, &only.contact.id, only.matched_by, None, Some(only.evidence)).await;
        }
        if !found.contacts.is_empty() {
            return Ok(panel::unmatched_view(record, found, false));
        }
    }
    // What the contact is created with follows the field mapping (Options), like "Sync this contact".
    let mapping = crate::mapping::load_mapping(client.store(), record.host.spec).await?;
    let (fields, company) = crate::mapping::ghl_fields(&crate::mapping::ghl_changes(&crate::mapping::plan(&mapping, record, None)));
    if fields.is_empty() {
        return Err(Error::new(
            ErrorCode::Validation,
            format!("The field mapping sends no field to GHL. In Options, map at least the name or email {} → GHL.", record.host.spec.name),
        ));
    }
    let created = match client.create_contact(&fields, company.as_deref()).await {
        // GHL refused a duplicate that appeared since our lookup (another agent, or the browser silently
        // re-sending our own create): link the contact it already has.
        Err(error) if error.code == ErrorCode::Duplicate => {
            let key = match (fields.email.as_deref(), fields.phone.as_deref()) {
                (Some(email), _) => DuplicateKey::Email(email),
                (None, Some(phone)) => DuplicateKey::Phone(phone),
                (None, None) => return Err(error),
            };
            client.find_duplicate(key).await?.ok_or(error)?
        }
        other => other?,
    };
    let id = created
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Error::new(ErrorCode::BadResponse, "GHL created the contact but sent no id."))?;
    panel::load_contact(client, record, &id, MatchedBy::Created, None, None).await
}

pub(crate) fn text(value: &str, what: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::new(ErrorCode::Validation, format!("The {what} is empty.")));
    }
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::new(ErrorCode::Validation, format!("The {what} is longer than {MAX_TEXT_CHARS} characters.")));
    }
    Ok(trimmed.to_owned())
}

fn due_date(value: &str) -> Result<String> {
    match parse_timestamp(value) {
        Some(timestamp) if timestamp.has_zone => Ok(crate::platform::dates::format_utc(timestamp.epoch_ms)),
        _ => Err(Error::new(ErrorCode::Validation, "The due date is not a valid date and time.")),
    }
}

/// An edit of the record's linked contact as the outbox stores it (`base`: what the agent edited from).
async fn outbox_item<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    edit_id: Option<&str>,
    edit: Edit,
    base: Option<Snapshot>,
) -> Result<OutboxItem> {
    let contact_id = linked_contact(client.store(), record, client.location_id()).await?;
    let mut item = OutboxItem::new(client, record, &contact_id, edit.op(), edit_id)?;
    edit.write_to(&mut item);
    item.base = base;
    Ok(item)
}

/// A note or task id from a message must be the linked contact's: one the panel showed for this record (its saved
/// view), or, when no view has it, one GHL answers for this contact. Another contact's item is refused before
/// anything is stored.
async fn ensure_owned<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    list: &str,
    id: &str,
) -> Result<()> {
    if snapshot(client.store(), record, list, id).await.is_some() {
        return Ok(());
    }
    let contact_id = linked_contact(client.store(), record, client.location_id()).await?;
    let owner = match list {
        "notes" => client.get_note(&contact_id, id).await.map(|note| note.contact_id),
        _ => client.get_task(&contact_id, id).await.map(|task| task.contact_id),
    };
    let what = if list == "notes" { "note" } else { "task" };
    match owner {
        Ok(Some(owner)) if owner == contact_id => Ok(()),
        Ok(_) => Err(Error::invalid_message(format!("That {what} is not one of this contact's."))),
        Err(error) if error.code == ErrorCode::NotFound => {
            Err(Error::new(ErrorCode::NotFound, format!("GHL has no such {what} for this contact. Reload the panel.")))
        }
        Err(error) => Err(error),
    }
}

/// The note or task as the panel last showed it (the saved view): the snapshot an update is checked against.
async fn snapshot(store: &impl Store, record: &HostRecord, list: &str, id: &str) -> Option<Snapshot> {
    let view = crate::platform::json::parse(&links::cached_view(store, record).await.ok()??).ok()?;
    let Some(crate::platform::json::Json::Array(items)) = view.get(list) else { return None };
    let item = items.iter().find(|item| item.get("id").and_then(crate::platform::json::Json::as_str) == Some(id))?;
    let text = |name: &str| item.get(name).and_then(crate::platform::json::Json::as_str).map(str::to_owned);
    Some(Snapshot { body: text("body"), title: text("title"), due_date: text("dueDate") })
}

/// Note and task edits answer the contact's notes or tasks as the panel lists them (the order is the core's rule,
/// not the panel's); tag edits the contact's tags. All of them go through the outbox.
pub async fn create_note<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    body: &str,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let body = text(body, "note")?;
    let item = outbox_item(client, record, edit_id, Edit::NoteCreate { body }, None).await?;
    outbox::submit(client, item, &Deliverer).await
}

pub async fn update_note<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    note_id: &str,
    body: &str,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let body = text(body, "note")?;
    let note_id = ghl_id(note_id)?;
    ensure_owned(client, record, "notes", &note_id).await?;
    let base = snapshot(client.store(), record, "notes", &note_id).await.map(|b| Snapshot { title: None, due_date: None, ..b });
    let item = outbox_item(client, record, edit_id, Edit::NoteUpdate { note_id, body }, base).await?;
    outbox::submit(client, item, &Deliverer).await
}

pub async fn delete_note<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    note_id: &str,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let note_id = ghl_id(note_id)?;
    ensure_owned(client, record, "notes", &note_id).await?;
    let item = outbox_item(client, record, edit_id, Edit::NoteDelete { note_id }, None).await?;
    outbox::submit(client, item, &Deliverer).await
}

/// A task's fields as the agent edits them; `None` leaves a field as it is.
pub struct TaskEdit<'a> {
    pub title: Option<&'a str>,
    pub body: Option<&'a str>,
    pub due_date: Option<&'a str>,
}

pub async fn create_task<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    edit: TaskEdit<'_>,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let (Some(title), Some(due)) = (edit.title, edit.due_date) else {
        return Err(Error::new(ErrorCode::Validation, "A task needs a title and a due date."));
    };
    let task = Edit::TaskCreate {
        title: text(title, "task title")?,
        body: edit.body.map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned),
        due_date: due_date(due)?,
    };
    let item = outbox_item(client, record, edit_id, task, None).await?;
    outbox::submit(client, item, &Deliverer).await
}

pub async fn update_task<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    task_id: &str,
    edit: TaskEdit<'_>,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let title = edit.title.map(|t| text(t, "task title")).transpose()?;
    let body = edit.body.map(|b| b.trim().to_owned());
    let due_date = edit.due_date.map(due_date).transpose()?;
    if title.is_none() && body.is_none() && due_date.is_none() {
        return Err(Error::new(ErrorCode::Validation, "Nothing to change."));
    }
    let task_id = ghl_id(task_id)?;
    ensure_owned(client, record, "tasks", &task_id).await?;
    let base = snapshot(client.store(), record, "tasks", &task_id).await;
    let item = outbox_item(client, record, edit_id, Edit::TaskUpdate { task_id, title, body, due_date }, base).await?;
    outbox::submit(client, item, &Deliverer).await
}

pub async fn complete_task<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    task_id: &str,
    completed: bool,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let task_id = ghl_id(task_id)?;
    ensure_owned(client, record, "tasks", &task_id).await?;
    let item = outbox_item(client, record, edit_id, Edit::TaskComplete { task_id, completed }, None).await?;
    outbox::submit(client, item, &Deliverer).await
}

pub async fn delete_task<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    task_id: &str,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let task_id = ghl_id(task_id)?;
    ensure_owned(client, record, "tasks", &task_id).await?;
    let item = outbox_item(client, record, edit_id, Edit::TaskDelete { task_id }, None).await?;
    outbox::submit(client, item, &Deliverer).await
}

/// Adds or removes tags (set operations in GHL, never a rewrite of the whole set); answers the contact's tags.
pub async fn change_tags<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    tags: &[String],
    add: bool,
    edit_id: Option<&str>,
) -> Result<EditAnswer> {
    let tags: Vec<String> = tags.iter().map(|tag| tag.trim().to_owned()).filter(|tag| !tag.is_empty()).collect();
    if tags.is_empty() || tags.len() > 20 || tags.iter().any(|tag| tag.chars().count() > 100) {
        return Err(Error::new(ErrorCode::Validation, "Give one to twenty tags of up to 100 characters."));
    }
    let edit = if add { Edit::TagsAdd { tags } } else { Edit::TagsRemove { tags } };
    let item = outbox_item(client, record, edit_id, edit, None).await?;
    outbox::submit(client, item, &Deliverer).await
}
