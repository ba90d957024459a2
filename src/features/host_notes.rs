//! "Send to GHL" on a note written in Commusoft. Each Commusoft note is remembered with the GHL note it became,
//! so sending it again after an edit updates that note instead of adding another, and sending it unchanged does
//! nothing. The follow-up rule (Options) adds one GHL task per version of a note sent.

use crate::features::delivery::{Deliverer, EditAnswer, SendOutcome, SentNote};
use crate::features::edit::Edit;
use crate::features::edits::{linked_contact, text};
use crate::features::preferences::Preferences;
use crate::hosts::HostRecord;
use crate::outbox::{self, Ctx, OutboxItem};
use crate::platform::clock::Clock;
use crate::platform::dates::format_utc;
use crate::platform::error::{Error, Result};
use crate::platform::http::Transport;
use crate::platform::log::{self, LogEntry};
use crate::platform::store::{self, Store};
use serde::Serialize;

const DAY_MS: u64 = 86_400_000;

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
        return Err(Error::invalid_message("A host note id must be 1 to 100 characters."));
    }
    Ok(id)
}

// A note's version is the fingerprint of its text, so sending the same text again is the same outbox edit.
use crate::platform::hash::fingerprint;

/// Sends (or re-sends) one Commusoft note. `automatic`: the content script saw a new note appear; it is sent only
/// when Options says so. The note and its follow-up task go through the outbox together: stored first, sent
/// once, and kept to be sent automatically when GHL cannot take them now.
pub async fn send_note<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
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
    let contact_id = linked_contact(store, record, client.location_id()).await?;
    // Unchanged only when no other version waits to be sent (it would change GHL's text after this answer).
    let sent = store::read::<SentNote>(store, &key).await.ok().flatten().filter(|sent| sent.body == body);
    if let (Some(sent), false) = (sent, outbox::has_source(store, &key).await?) {
        let message = "GHL already has this note.";
        let _ = log::append(store, LogEntry::success("note.send", Some(&contact_id), message)).await; // best effort
        return Ok(NoteSent {
            outcome: SendOutcome::Unchanged,
            ghl_note_id: Some(sent.ghl_note_id),
            follow_up_task_id: None,
            message: message.to_owned(),
        });
    }
    let version = format!("{key}#{}", fingerprint(&body));
    let excerpt: String = body.chars().take(300).collect();
    let stored = |edit: Edit, id: &str| -> Result<OutboxItem> {
        let mut item = OutboxItem::new(client, record, &contact_id, edit.op(), Some(id))?;
        edit.write_to(&mut item);
        Ok(item)
    };
    let mut items = vec![stored(Edit::HostNoteSend { source: key.clone(), body }, &version)?];
    if preferences.follow_up.enabled {
        let rule = &preferences.follow_up;
        let due_ms = client.now_ms() + u64::from(rule.due_in_days) * DAY_MS;
        let follow_up = Edit::HostNoteFollowUp {
            source: key.clone(),
            version: version.clone(),
            title: rule.title.clone(),
            body: format!("Follow-up of the {} note: {excerpt}", record.host.spec.name),
            due_date: format_utc(due_ms as i64),
        };
        items.push(stored(follow_up, &format!("{version}:follow-up"))?);
    }
    let outcome = match outbox::submit_all(client, items, &Deliverer).await? {
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
