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
    /// The follow-up task for this version of the note is still to be created (kept across a failed attempt).
    follow_up_due: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_up_task_id: Option<String>,
}
read_fields!(SentNote, "a sent note" {
    ghl_note_id: required_text("ghlNoteId"),
    body: required_text("body"),
    follow_up_due: flag_or_false("followUpDue"),
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

/// Sends (or re-sends) one Commusoft note. `automatic`: the content script saw a new note appear; it is sent only
/// when Options says so.
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
    let started_ms = client.now_ms();
    let result = deliver(client, &contact_id, &key, body, &preferences).await;
    let entry = match &result {
        Ok(sent) => LogEntry::success("note.send", Some(&contact_id), &sent.message),
        Err(error) => LogEntry::failure("note.send", Some(&contact_id), error),
    };
    sync_log::append(store, entry.took(started_ms, client.now_ms())).await?;
    result
}

async fn deliver<T: Transport, S: Store, C: Clock>(
    client: &GhlClient<'_, T, S, C>,
    contact_id: &str,
    key: &str,
    body: String,
    preferences: &Preferences,
) -> Result<NoteSent> {
    let store = client.store();
    let input = NoteInput { body: Some(body.clone()), ..NoteInput::default() };
    let sent = store::read::<SentNote>(store, key).await.ok().flatten();
    let (mut sent, outcome) = match sent {
        Some(sent) if sent.body == body => (sent, SendOutcome::Unchanged),
        Some(sent) => match client.update_note(contact_id, &sent.ghl_note_id, &input).await {
            Ok(_) => (SentNote { body, follow_up_due: true, follow_up_task_id: None, ..sent }, SendOutcome::Updated),
            // Deleted in GHL since: the note goes back as a new one rather than being lost.
            Err(error) if error.code == ErrorCode::NotFound => (created(client, contact_id, &input, body).await?, SendOutcome::Created),
            Err(error) => return Err(error),
        },
        None => (created(client, contact_id, &input, body).await?, SendOutcome::Created),
    };
    sent.follow_up_due &= preferences.follow_up.enabled;
    // Remembered before the follow-up: a failure there must not send the note twice.
    store::write(store, key, &sent).await?;
    if sent.follow_up_due {
        let rule = &preferences.follow_up;
        let due_ms = client.now_ms() + u64::from(rule.due_in_days) * DAY_MS;
        let excerpt: String = sent.body.chars().take(300).collect();
        let task = TaskInput {
            title: Some(rule.title.clone()),
            body: Some(format!("Follow-up of the Commusoft note: {excerpt}")),
            due_date: Some(format_utc(due_ms as i64)),
            ..TaskInput::default()
        };
        let created_task = client.create_task(contact_id, &task).await?;
        sent.follow_up_due = false;
        sent.follow_up_task_id = created_task.id;
        store::write(store, key, &sent).await?;
    }
    let message = match (outcome, sent.follow_up_task_id.is_some() && outcome != SendOutcome::Unchanged) {
        (SendOutcome::Created, false) => "Sent to GHL as a new note.",
        (SendOutcome::Created, true) => "Sent to GHL as a new note, with a follow-up task.",
        (SendOutcome::Updated, false) => "Updated the note in GHL.",
        (SendOutcome::Updated, true) => "Updated the note in GHL, with a follow-up task.",
        _ => "GHL already has this note.",
    };
    Ok(NoteSent { outcome, ghl_note_id: Some(sent.ghl_note_id), follow_up_task_id: sent.follow_up_task_id, message: message.to_owned() })
}

async fn created<T: Transport, S: Store, C: Clock>(
    client: &GhlClient<'_, T, S, C>,
    contact_id: &str,
    input: &NoteInput,
    body: String,
) -> Result<SentNote> {
    let note = client.create_note(contact_id, input).await?;
    let ghl_note_id = note.id.filter(|id| !id.is_empty()).ok_or_else(|| Error::new(ErrorCode::BadResponse, "GHL created the note but sent no id."))?;
    Ok(SentNote { ghl_note_id, body, follow_up_due: true, follow_up_task_id: None })
}
