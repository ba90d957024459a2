//! What sending each kind of stored edit means (the outbox queue's [`Delivery`]): the GHL calls, the conflict
//! check against the snapshot the agent edited from, what the panel redraws afterwards, and the record of which
//! GHL note a host-app note became.

use crate::features::edit::Edit;
use crate::features::panel::{self, NoteView, TaskView};
use crate::ghl::requests::{NoteInput, TaskInput};
use crate::outbox::{Ctx, Delivery, OutboxItem, Snapshot, Undelivered};
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::json::{read_fields, Json};
use crate::platform::store::{self, Store};
use serde::Serialize;

/// What an edit answers once GHL has it: the list the panel redraws.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EditAnswer {
    Notes(Vec<NoteView>),
    Tasks(Vec<TaskView>),
    Tags(Vec<String>),
    /// A host-app note sent (`note.send`) or its follow-up task (`note.followUp`).
    Sent(SendOutcome),
    /// `contact.update`: GHL has the fields.
    Contact,
}

/// Sends the edits of the panel, of "Sync this contact" and of host-app notes.
pub struct Deliverer;

impl<T: Transport, S: Store, C: Clock> Delivery<T, S, C> for Deliverer {
    type Answer = EditAnswer;

    async fn deliver(&self, cx: &Ctx<'_, T, S, C>, item: &OutboxItem) -> std::result::Result<EditAnswer, Undelivered> {
        match changed_in_ghl(cx, item).await? {
            None => Ok(execute(cx, item).await?),
            Some(conflict) => Err(Undelivered { error: Error::new(ErrorCode::Conflict, conflict.message), theirs: Some(conflict.theirs) }),
        }
    }

    async fn delivered(&self, cx: &Ctx<'_, T, S, C>, item: &OutboxItem, answer: &EditAnswer) -> Result<()> {
        // The saved view is the snapshot later edits are checked against: it now has this edit.
        refresh_snapshot(cx.store(), item, answer).await
    }

    /// Keep mine (sent without the check), keep GHL's (dropped), merge the two notes, or — deleted in GHL — send it
    /// again as a new note or task.
    fn settle(&self, mut item: OutboxItem, choice: &str) -> Result<Option<OutboxItem>> {
        let edit = Edit::of(&item)?;
        let failure = item.failure.take();
        let theirs = failure.as_ref().and_then(|failure| failure.theirs.clone());
        match (choice, edit) {
            ("theirs", _) => return Ok(None),
            ("mine", _) => item.force = true,
            ("merge", Edit::NoteUpdate { note_id, body: mine }) => {
                let ghl = theirs.and_then(|theirs| theirs.body).unwrap_or_default();
                let body = if ghl.trim().is_empty() { mine } else { format!("{}\n\n{}", ghl.trim_end(), mine) };
                Edit::NoteUpdate { note_id, body }.write_to(&mut item);
                item.force = true;
            }
            ("recreate", edit) if failure.as_ref().is_some_and(|failure| failure.deleted) => {
                let Some(created) = edit.recreated(item.base.take()) else {
                    return Err(Error::invalid_message("Only a changed note or task can be sent again as a new one."));
                };
                created.write_to(&mut item);
                item.sent_at_ms = None;
                item.attempts = 0;
            }
            _ => return Err(Error::invalid_message("Choose mine, theirs, merge (notes) or recreate (deleted in GHL).")),
        }
        Ok(Some(item))
    }
}

/// A Commusoft note that was sent: which GHL note it is, and the text GHL has.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentNote {
    pub ghl_note_id: String,
    pub body: String,
    /// The outbox edit that sent this text: its follow-up task, if any, belongs to this version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_task_id: Option<String>,
}
read_fields!(SentNote, "a sent note" {
    ghl_note_id: required_text("ghlNoteId"),
    body: required_text("body"),
    version: text("version"),
    follow_up_task_id: text("followUpTaskId"),
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SendOutcome {
    Created,
    Updated,
    /// GHL already has this text.
    Unchanged,
    /// Sent automatically, but Options does not send new notes on their own.
    Skipped,
}

/// Puts the lists an edit answered into the record's saved view, so the agent's next edit of the same item is
/// checked against what GHL has now, not against what it had before this edit.
async fn refresh_snapshot(store: &impl Store, item: &OutboxItem, answer: &EditAnswer) -> Result<()> {
    let key = crate::links::view_key_of(&item.host, &item.record_id);
    let Some(text) = store.get(&key).await? else { return Ok(()) };
    let Ok(Json::Object(mut members)) = crate::platform::json::parse(&text) else { return Ok(()) };
    let (name, value) = match answer {
        EditAnswer::Notes(notes) => ("notes", crate::platform::json::write(notes, "notes")?),
        EditAnswer::Tasks(tasks) => ("tasks", crate::platform::json::write(tasks, "tasks")?),
        // The contact's fields changed: the saved view is drawn again from GHL.
        EditAnswer::Contact => return store.remove(&key).await,
        EditAnswer::Tags(_) | EditAnswer::Sent(_) => return Ok(()),
    };
    let value = crate::platform::json::parse(&value).map_err(|_| Error::internal("could not re-read the edited list"))?;
    match members.iter_mut().find(|(key, _)| key == name) {
        Some((_, slot)) => *slot = value,
        None => return Ok(()),
    }
    store.set(&key, crate::platform::json::write(&Json::Object(members), "the panel")?).await
}

/// GHL changed or deleted an item after the agent saw it.
struct Conflict {
    message: String,
    /// GHL's version now; `None`: deleted.
    theirs: Option<Snapshot>,
}

/// GHL notes and tasks carry no `dateUpdated`: an update compares GHL's item now with the snapshot the agent
/// edited from. `Some` when GHL changed or deleted it meanwhile (unless the agent chose "keep mine").
async fn changed_in_ghl<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, item: &OutboxItem) -> Result<Option<Conflict>> {
    let (Some(base), false) = (&item.base, item.force) else { return Ok(None) };
    let (now, what) = match Edit::of(item)? {
        Edit::NoteUpdate { note_id, .. } => (
            client.get_note(&item.contact_id, &note_id).await.map(|note| Snapshot { body: note.body, title: None, due_date: None }),
            "note",
        ),
        Edit::TaskUpdate { task_id, .. } => (
            client.get_task(&item.contact_id, &task_id).await.map(|task| Snapshot {
                body: task.body,
                title: task.title,
                due_date: task
                    .due_date
                    .as_deref()
                    .and_then(crate::platform::dates::parse_timestamp)
                    .map(|t| crate::platform::dates::format_utc(t.epoch_ms)),
            }),
            "task",
        ),
        _ => return Ok(None),
    };
    match now {
        Err(error) if error.code == ErrorCode::NotFound => {
            Ok(Some(Conflict { message: format!("This {what} was deleted in GHL after you opened it."), theirs: None }))
        }
        Err(error) => Err(error),
        Ok(now) if same_as_base(base, &now) => Ok(None),
        Ok(now) => Ok(Some(Conflict {
            message: format!("This {what} was changed in GHL after you opened it: keep yours, keep GHL's, or merge."),
            theirs: Some(now),
        })),
    }
}

fn same_as_base(base: &Snapshot, now: &Snapshot) -> bool {
    let same = |a: &Option<String>, b: &Option<String>| a.as_deref().unwrap_or_default().trim() == b.as_deref().unwrap_or_default().trim();
    same(&base.body, &now.body)
        && (base.title.is_none() || same(&base.title, &now.title))
        && (base.due_date.is_none() || base.due_date == now.due_date)
}

/// Sends one edit and reads back what the panel redraws.
async fn execute<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, item: &OutboxItem) -> Result<EditAnswer> {
    let contact = item.contact_id.as_str();
    let edit = Edit::of(item)?;
    // A create that began before and whose outcome is unknown: look for it first.
    let resumed = if edit.creates() && item.attempts > 1 { item.sent_at_ms } else { None };
    let note = |body: &str| NoteInput { body: Some(body.to_owned()), ..NoteInput::default() };
    Ok(match &edit {
        Edit::NoteCreate { body } => {
            let (_, listed) = client.create_note_listed(contact, &note(body), resumed).await?;
            EditAnswer::Notes(panel::notes_of(client, contact, listed).await?)
        }
        Edit::NoteUpdate { note_id, body } => {
            client.update_note(contact, note_id, &note(body)).await?;
            EditAnswer::Notes(panel::notes_of(client, contact, None).await?)
        }
        Edit::NoteDelete { note_id } => {
            client.delete_note(contact, note_id).await?;
            EditAnswer::Notes(panel::notes_of(client, contact, None).await?)
        }
        Edit::TaskCreate { title, body, due_date } => {
            let input = TaskInput {
                title: Some(title.clone()),
                body: body.clone(),
                due_date: Some(due_date.clone()),
                completed: Some(false),
                ..TaskInput::default()
            };
            let (_, listed) = client.create_task_listed(contact, &input, resumed).await?;
            EditAnswer::Tasks(panel::tasks_of(client, contact, listed).await?)
        }
        Edit::TaskUpdate { task_id, title, body, due_date } => {
            let input = TaskInput { title: title.clone(), body: body.clone(), due_date: due_date.clone(), ..TaskInput::default() };
            client.update_task(contact, task_id, &input).await?;
            EditAnswer::Tasks(panel::tasks_of(client, contact, None).await?)
        }
        Edit::TaskComplete { task_id, completed } => {
            client.set_task_completed(contact, task_id, *completed).await?;
            EditAnswer::Tasks(panel::tasks_of(client, contact, None).await?)
        }
        Edit::TaskDelete { task_id } => {
            client.delete_task(contact, task_id).await?;
            EditAnswer::Tasks(panel::tasks_of(client, contact, None).await?)
        }
        Edit::TagsAdd { tags } => EditAnswer::Tags(client.add_tags(contact, tags).await?),
        Edit::TagsRemove { tags } => EditAnswer::Tags(client.remove_tags(contact, tags).await?),
        Edit::ContactUpdate { fields } => {
            client.update_contact(contact, &crate::mapping::contact_fields(fields)).await?;
            EditAnswer::Contact
        }
        Edit::HostNoteSend { .. } => EditAnswer::Sent(deliver_host_note(client, item, resumed).await?),
        Edit::HostNoteFollowUp { .. } => EditAnswer::Sent(follow_up(client, item, resumed).await?),
    })
}

/// Sends one version of a Commusoft note (the outbox's `note.send`): an update of the GHL note it became, or a new
/// note the first time — and again when the GHL note was deleted since, rather than losing the text.
async fn deliver_host_note<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    item: &OutboxItem,
    resumed: Option<u64>,
) -> Result<SendOutcome> {
    let store = client.store();
    let key = item.source.as_deref().unwrap_or_default();
    let body = item.body.clone().unwrap_or_default();
    let input = NoteInput { body: Some(body.clone()), ..NoteInput::default() };
    let sent = store::read::<SentNote>(store, key).await.ok().flatten();
    let (ghl_note_id, outcome) = match sent {
        Some(sent) if sent.body == body => return Ok(SendOutcome::Unchanged),
        Some(sent) => match client.update_note(&item.contact_id, &sent.ghl_note_id, &input).await {
            Ok(_) => (sent.ghl_note_id, SendOutcome::Updated),
            // Deleted in GHL since: the text goes back as a new note rather than being lost.
            Err(error) if error.code == ErrorCode::NotFound => (created(client, item, &input, resumed).await?, SendOutcome::Created),
            Err(error) => return Err(error),
        },
        None => (created(client, item, &input, resumed).await?, SendOutcome::Created),
    };
    let sent = SentNote { ghl_note_id, body, version: Some(item.id.clone()), follow_up_task_id: None };
    store::write(store, key, &sent).await?;
    {
        let _guard = client.locks.storage.lock().await;
        // Best effort, like the saved views: the note is in GHL whether or not the index could be written.
        let _ = store::keep_recent(store, SENT_INDEX_KEY, key, MAX_SENT_NOTES).await;
    }
    Ok(outcome)
}

/// Most sent-note records kept (each says which GHL note a host note became): beyond it the least recently sent
/// go, and sending one of those notes again makes a new GHL note instead of "GHL already has this note".
pub const MAX_SENT_NOTES: usize = 3000;
const SENT_INDEX_KEY: &str = "sent.index";

async fn created<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    item: &OutboxItem,
    input: &NoteInput,
    resumed: Option<u64>,
) -> Result<String> {
    let (note, _) = client.create_note_listed(&item.contact_id, input, resumed).await?;
    note.id.filter(|id| !id.is_empty()).ok_or_else(|| Error::new(ErrorCode::BadResponse, "GHL created the note but sent no id."))
}

/// The follow-up task of one version of a note (the outbox's `note.followUp`): created once, and only when that
/// version is the one GHL has (a version GHL refused gets no task).
async fn follow_up<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    item: &OutboxItem,
    resumed: Option<u64>,
) -> Result<SendOutcome> {
    let store = client.store();
    let key = item.source.as_deref().unwrap_or_default();
    let Some(mut sent) = store::read::<SentNote>(store, key).await? else { return Ok(SendOutcome::Skipped) };
    if sent.version != item.target_id || sent.follow_up_task_id.is_some() {
        return Ok(SendOutcome::Skipped);
    }
    let task = TaskInput {
        title: item.title.clone(),
        body: item.body.clone(),
        due_date: item.due_date.clone(),
        completed: Some(false),
        ..TaskInput::default()
    };
    let (created, _) = client.create_task_listed(&item.contact_id, &task, resumed).await?;
    sent.follow_up_task_id = created.id;
    store::write(store, key, &sent).await?;
    Ok(SendOutcome::Created)
}
