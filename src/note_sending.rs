//! "Send to GHL" on a note written in Commusoft. Each Commusoft note is remembered with the GHL note it became,
//! so sending it again after an edit updates that note instead of adding another, and sending it unchanged does
//! nothing. The follow-up rule (Options) adds one GHL task per version of a note sent.

use crate::actions::{linked_contact, text};
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::ghl::dates::format_utc;
use crate::ghl::requests::{NoteInput, TaskInput};
use crate::ghl::GhlClient;
use crate::host::HostRecord;
use crate::http::Transport;
use crate::json::read_fields;
use crate::outbox::{self, EditAnswer, OutboxItem};
use crate::preferences::Preferences;
use crate::store::{self, Store};
use crate::sync_log::{self, LogEntry};
use serde::Serialize;

const DAY_MS: u64 = 86_400_000;

/// A Commusoft note that was sent: which GHL note it is, and the text GHL has.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct SentNote {
    ghl_note_id: String,
    body: String,
    /// The outbox edit that sent this text: its follow-up task, if any, belongs to this version.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_up_task_id: Option<String>,
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

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteSent {
    pub outcome: SendOutcome,
    pub ghl_note_id: Option<String>,
    pub follow_up_task_id: Option<String>,
    pub message: String,
}

fn sent_key(record: &HostRecord, source_id: &str) -> String {
    format!("sent:{}:{}:{}", record.host.hostname, record.record_id, source_id)
}

fn check_source_id(source_id: &str) -> Result<&str> {
    let id = source_id.trim();
    if id.is_empty() || id.len() > 100 || id.chars().any(char::is_control) {
        return Err(Error::invalid_message("A Commusoft note id must be 1 to 100 characters."));
    }
    Ok(id)
}

// A note's version is the fingerprint of its text, so sending the same text again is the same outbox edit.
use crate::hash::fingerprint;

/// Sends (or re-sends) one Commusoft note. `automatic`: the content script saw a new note appear; it is sent only
/// when Options says so. The note and its follow-up task go through the outbox together: stored first, sent
/// once, and kept to be sent automatically when GHL cannot take them now.
pub async fn send_note<T: Transport, S: Store, C: Clock>(
    client: &GhlClient<'_, T, S, C>,
    record: &HostRecord,
    source_id: &str,
    body: &str,
    automatic: bool,
) -> Result<NoteSent> {
    let store = client.store();
    let preferences = Preferences::load(store).await?;
    if automatic && !preferences.send_new_notes {
        let message = "New notes are sent to GHL only with “Send to GHL” (Options can send them automatically).".to_owned();
        return Ok(NoteSent { outcome: SendOutcome::Skipped, ghl_note_id: None, follow_up_task_id: None, message });
    }
    let key = sent_key(record, check_source_id(source_id)?);
    let body = text(body, "note")?;
    let contact_id = linked_contact(store, record).await?;
    // Unchanged only when no other version waits to be sent (it would change GHL's text after this answer).
    let sent = store::read::<SentNote>(store, &key).await.ok().flatten().filter(|sent| sent.body == body);
    if let (Some(sent), false) = (sent, outbox::has_source(store, &key).await?) {
        let message = "GHL already has this note.";
        sync_log::append(store, LogEntry::success("note.send", Some(&contact_id), message)).await?;
        return Ok(NoteSent {
            outcome: SendOutcome::Unchanged,
            ghl_note_id: Some(sent.ghl_note_id),
            follow_up_task_id: None,
            message: message.to_owned(),
        });
    }
    let version = format!("{key}#{}", fingerprint(&body));
    let note = OutboxItem {
        body: Some(body),
        source: Some(key.clone()),
        ..OutboxItem::new(client, record, &contact_id, "note.send", Some(&version))?
    };
    let mut items = vec![note];
    if preferences.follow_up.enabled {
        let rule = &preferences.follow_up;
        let excerpt: String = items[0].body.as_deref().unwrap_or_default().chars().take(300).collect();
        let due_ms = client.now_ms() + u64::from(rule.due_in_days) * DAY_MS;
        items.push(OutboxItem {
            title: Some(rule.title.clone()),
            body: Some(format!("Follow-up of the Commusoft note: {excerpt}")),
            due_date: Some(format_utc(due_ms as i64)),
            target_id: Some(version.clone()),
            source: Some(key.clone()),
            ..OutboxItem::new(client, record, &contact_id, "note.followUp", Some(&format!("{version}:follow-up")))?
        });
    }
    let outcome = match outbox::submit_all(client, items).await? {
        EditAnswer::Sent(outcome) => outcome,
        _ => return Err(Error::internal("the outbox answered a note send with something else")),
    };
    let sent = store::read::<SentNote>(store, &key).await?;
    let follow_up_task_id =
        sent.as_ref().filter(|sent| sent.version.as_deref() == Some(&version)).and_then(|sent| sent.follow_up_task_id.clone());
    let follow_up = outbox::find(store, &format!("{version}:follow-up")).await?;
    let message = match outcome {
        SendOutcome::Created => "Sent to GHL as a new note",
        SendOutcome::Updated => "Updated the note in GHL",
        _ => "GHL already has this note",
    };
    let message = match (&follow_up_task_id, follow_up.and_then(|item| item.failure)) {
        (Some(_), _) => format!("{message}, with a follow-up task."),
        (None, Some(failure)) if !failure.retryable => {
            format!(
                "{message}, but GHL refused its follow-up task: {} It waits in the GHL panel to be sent again or discarded.",
                failure.message
            )
        }
        (None, Some(_)) => format!("{message}; the follow-up task is saved and will be sent automatically."),
        (None, None) => format!("{message}."),
    };
    Ok(NoteSent { outcome, ghl_note_id: sent.map(|sent| sent.ghl_note_id), follow_up_task_id, message })
}

/// Sends one version of a Commusoft note (the outbox's `note.send`): an update of the GHL note it became, or a new
/// note the first time — and again when the GHL note was deleted since, rather than losing the text.
pub async fn deliver<T: Transport, S: Store, C: Clock>(
    client: &GhlClient<'_, T, S, C>,
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
    Ok(outcome)
}

async fn created<T: Transport, S: Store, C: Clock>(
    client: &GhlClient<'_, T, S, C>,
    item: &OutboxItem,
    input: &NoteInput,
    resumed: Option<u64>,
) -> Result<String> {
    let (note, _) = client.create_note_listed(&item.contact_id, input, resumed).await?;
    note.id.filter(|id| !id.is_empty()).ok_or_else(|| Error::new(ErrorCode::BadResponse, "GHL created the note but sent no id."))
}

/// The follow-up task of one version of a note (the outbox's `note.followUp`): created once, and only when that
/// version is the one GHL has (a version GHL refused gets no task).
pub async fn follow_up<T: Transport, S: Store, C: Clock>(
    client: &GhlClient<'_, T, S, C>,
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
