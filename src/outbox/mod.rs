//! The outbox: every edit an agent makes in the panel is stored before it is sent, sent in order per contact, and
//! kept until GHL has it — across GHL errors, 429s, being offline and the service worker being stopped.
//!
//! Exactly once: edits carry an id from the panel (a "Try again" re-sends the same id, which is not queued twice);
//! updates, deletes, completions and tag changes are repeatable in GHL; a create whose first attempt began and
//! whose outcome is unknown looks for the record before it is sent again (`GhlClient::create_once`).
//!
//! The queue keeps storage, order, backoff and states; what an edit *does* is the caller's [`Delivery`] (the
//! features layer), so the queue knows nothing of panels, notes sent from host apps or contact sync.

use crate::ghl::GhlClient;
use crate::links::LocationScope;
use crate::mapping::FieldChange;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::Transport;
use crate::platform::json::read_fields;
use crate::platform::lock::Locks;
use crate::platform::log::{self, LogEntry};
use crate::platform::store::{self, Store};
use serde::Serialize;

pub const OUTBOX_KEY: &str = "outbox";

/// What the queue works with: the GHL client and the locks one extension instance shares. Features take it too
/// (it derefs to the client), so an edit's path from the panel to GHL carries one value.
pub struct Ctx<'a, T, S, C> {
    pub client: GhlClient<'a, T, S, C>,
    pub locks: &'a Locks,
}

impl<'a, T, S, C> std::ops::Deref for Ctx<'a, T, S, C> {
    type Target = GhlClient<'a, T, S, C>;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

/// Why a stored edit did not reach GHL: the error, and on a conflict GHL's version now (`Some(None)`: deleted).
pub struct Undelivered {
    pub error: Error,
    pub theirs: Option<Option<Snapshot>>,
}

impl From<Error> for Undelivered {
    fn from(error: Error) -> Self {
        Self { error, theirs: None }
    }
}

/// What sending one kind of edit means: implemented above the queue (the features layer).
#[allow(async_fn_in_trait)] // used with concrete types only, on one thread
pub trait Delivery<T: Transport, S: Store, C: Clock> {
    /// What the sender of an edit is answered once GHL has it (the list the panel redraws).
    type Answer;
    /// Sends one stored edit (after checking it does not overwrite a change made in GHL meanwhile).
    async fn deliver(&self, cx: &Ctx<'_, T, S, C>, item: &OutboxItem) -> std::result::Result<Self::Answer, Undelivered>;
    /// GHL has the edit: what else follows from that (the saved view updated).
    async fn delivered(&self, cx: &Ctx<'_, T, S, C>, item: &OutboxItem, answer: &Self::Answer) -> Result<()>;
    /// The agent settles a conflict with `choice`: the item to send instead (`None`: drop it, GHL's version stays).
    fn settle(&self, item: OutboxItem, choice: &str) -> Result<Option<OutboxItem>>;
}

/// The `chrome.alarms` alarm that sends what waits (every minute; Chrome allows 30 s at the least).
pub const ALARM: &str = "ghl-bridge-outbox";

/// Waits before an edit GHL could not take is tried again: doubling from 15 s, at most 15 minutes.
const FIRST_WAIT_MS: u64 = 15_000;
const LONGEST_WAIT_MS: u64 = 15 * 60_000;
/// Unanswered requests (offline, most often) cost GHL nothing: they are tried again at most a minute apart, so
/// edits go out within about a minute of the computer being back online.
const LONGEST_OFFLINE_WAIT_MS: u64 = 60_000;

/// How long a failed edit waits before it is tried again (GHL's own `Retry-After` when longer).
fn wait_after(error: &Error, attempts: u64) -> u64 {
    let longest = if error.code == ErrorCode::Network { LONGEST_OFFLINE_WAIT_MS } else { LONGEST_WAIT_MS };
    let wait = (FIRST_WAIT_MS << attempts.saturating_sub(1).min(10)).min(longest);
    error.retry_after_ms.unwrap_or(0).max(wait)
}

/// One stored edit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    /// The panel's id for this edit.
    pub id: String,
    pub host: String,
    pub record_id: String,
    pub contact_id: String,
    /// `note.create`, `note.update`, `note.delete`, `task.create`, `task.update`, `task.complete`, `task.delete`,
    /// `tags.add`, `tags.remove`; `contact.update` ("Sync this contact"); `note.send` and `note.followUp` (a
    /// Commusoft note sent to GHL, and its follow-up task).
    pub op: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// `contact.update`: the GHL fields and their new values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldChange>>,
    /// `note.send`, `note.followUp`: the storage key of the Commusoft note's record of what GHL has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub created_at_ms: u64,
    pub attempts: u64,
    /// When the first attempt began (set before it is sent): a later attempt of a create looks for it first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at_ms: Option<u64>,
    pub next_at_ms: u64,
    /// The last failure; `retryable: false` means it waits for the agent (retry or discard).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// What GHL had when the agent last saw it (the saved view): an update first checks GHL still has this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Snapshot>,
    /// The agent chose "keep mine": sent without the check.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub force: bool,
    /// Stored, it replaces a waiting edit of the same kind for the same contact.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replaces_waiting: bool,
    /// The GHL location it was made in (`None`: stored before items carried it). After the Location ID changes it
    /// is held — never sent to the new location — until the agent switches back or discards it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
}

/// The fields of a note or task as last synced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}
read_fields!(Snapshot, "a synced snapshot" { body: text("body"), title: text("title"), due_date: text("dueDate") });

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub retryable: bool,
    /// On a conflict: GHL's version now (`None` with `deleted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theirs: Option<Snapshot>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}
read_fields!(Failure, "an outbox failure" {
    code: required_text("code"),
    message: required_text("message"),
    retryable: flag_or_false("retryable"),
    theirs: item("theirs"),
    deleted: flag_or_false("deleted"),
});

read_fields!(OutboxItem, "an outbox item" {
    id: required_text("id"),
    host: required_text("host"),
    record_id: required_text("recordId"),
    contact_id: required_text("contactId"),
    op: required_text("op"),
    target_id: text("targetId"),
    body: text("body"),
    title: text("title"),
    due_date: text("dueDate"),
    completed: flag("completed"),
    tags: texts("tags"),
    fields: items("fields"),
    source: text("source"),
    created_at_ms: count_or_zero("createdAtMs"),
    attempts: count_or_zero("attempts"),
    sent_at_ms: count("sentAtMs"),
    next_at_ms: count_or_zero("nextAtMs"),
    failure: item("failure"),
    base: item("base"),
    force: flag_or_false("force"),
    replaces_waiting: flag_or_false("replacesWaiting"),
    location_id: text("locationId"),
});

impl OutboxItem {
    /// An edit of `contact_id` from the panel of `record`; `edit_id` is the panel's id for it (a fresh one when the
    /// sender gave none).
    pub fn new<T: Transport, S: Store, C: Clock>(
        client: &GhlClient<'_, T, S, C>,
        record: &crate::hosts::HostRecord,
        contact_id: &str,
        op: &str,
        edit_id: Option<&str>,
    ) -> Result<Self> {
        let id = match edit_id.map(str::trim) {
            Some(id) if !id.is_empty() && id.len() <= 100 && !id.chars().any(char::is_control) => id.to_owned(),
            Some(_) => return Err(Error::invalid_message("An edit id must be 1 to 100 characters.")),
            None => client.unguessable(),
        };
        Ok(OutboxItem {
            id,
            host: record.host.hostname.to_owned(),
            record_id: record.record_id.clone(),
            contact_id: contact_id.to_owned(),
            op: op.to_owned(),
            created_at_ms: client.now_ms(),
            location_id: Some(client.location_id().to_owned()),
            ..Self::empty()
        })
    }

    /// An item with no edit in it yet, outside any record (tests, and what [`OutboxItem::new`] starts from).
    pub fn empty() -> Self {
        Self {
            id: String::new(),
            host: String::new(),
            record_id: String::new(),
            contact_id: String::new(),
            op: String::new(),
            target_id: None,
            body: None,
            title: None,
            due_date: None,
            completed: None,
            tags: None,
            fields: None,
            source: None,
            created_at_ms: 0,
            attempts: 0,
            sent_at_ms: None,
            next_at_ms: 0,
            failure: None,
            base: None,
            force: false,
            replaces_waiting: false,
            location_id: None,
        }
    }

    /// The other location it was made in, when that is not the connected one (`scope`'s): it is held, not sent.
    pub fn held_in<'a>(&'a self, scope: &'a LocationScope) -> Option<&'a str> {
        scope.other(self.location_id.as_deref())
    }

    /// Waits for the agent: GHL refused it for a reason a retry will not change.
    pub fn needs_agent(&self) -> bool {
        self.failure.as_ref().is_some_and(|failure| !failure.retryable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_to_fifteen_minutes_but_offline_ones_stay_within_a_minute() {
        let server = Error::new(ErrorCode::ServerError, "GHL is having trouble (HTTP 503).");
        let offline = Error::new(ErrorCode::Network, "Could not reach GHL.");
        assert_eq!([1, 2, 3].map(|attempts| wait_after(&server, attempts)), [15_000, 30_000, 60_000]);
        assert_eq!(wait_after(&server, 12), LONGEST_WAIT_MS);
        assert_eq!([1, 2, 3, 12].map(|attempts| wait_after(&offline, attempts)), [15_000, 30_000, 60_000, 60_000]);
        let limited = Error::new(ErrorCode::RateLimited, "Too many requests.").with_retry_after(120_000);
        assert_eq!(wait_after(&limited, 1), 120_000, "GHL's Retry-After when longer");
    }
}

#[derive(Debug, Default, Serialize)]
struct Outbox {
    items: Vec<OutboxItem>,
}

read_fields!(Outbox, "the outbox" { items: items_or_empty("items") });

async fn load(store: &impl Store) -> Result<Outbox> {
    // An unreadable outbox is an error, never silently empty: that would lose edits.
    Ok(store::read::<Outbox>(store, OUTBOX_KEY).await?.unwrap_or_default())
}

async fn save(store: &impl Store, outbox: &Outbox) -> Result<()> {
    store::write(store, OUTBOX_KEY, outbox).await
}

/// Stores `item` (unless an edit with its id is already stored) and sends what is due for its contact, in order.
/// Answers the list to redraw when GHL took this edit; else the error, marked `queued` when the edit stays stored
/// to be sent automatically.
pub async fn submit<T: Transport, S: Store, C: Clock, D: Delivery<T, S, C>>(
    cx: &Ctx<'_, T, S, C>,
    item: OutboxItem,
    delivery: &D,
) -> Result<D::Answer> {
    submit_all(cx, vec![item], delivery).await
}

/// Stores `items` together (a note and its follow-up: both or neither) and sends what is due for their contact.
/// Answers for the first item, as [`submit`] does.
pub async fn submit_all<T: Transport, S: Store, C: Clock, D: Delivery<T, S, C>>(
    cx: &Ctx<'_, T, S, C>,
    items: Vec<OutboxItem>,
    delivery: &D,
) -> Result<D::Answer> {
    let Some(first) = items.first() else { return Err(Error::internal("nothing to send")) };
    let (id, contact_id) = (first.id.clone(), first.contact_id.clone());
    {
        let _guard = cx.locks.storage.lock().await;
        let mut outbox = load(cx.store()).await?;
        for item in items {
            store_item(&mut outbox, item);
        }
        save(cx.store(), &outbox).await?;
    }
    match flush_contact(cx, &contact_id, Some(&id), delivery).await? {
        Some(answer) => answer,
        None => Err(Error::new(
            ErrorCode::ServerError,
            "An earlier change to this contact is waiting for GHL; this one is saved and follows it automatically.",
        )
        .queued()),
    }
}

fn store_item(outbox: &mut Outbox, mut item: OutboxItem) {
    let id = item.id.clone();
    // An edit that says so replaces a waiting one of its kind for the contact (a newer "Sync this contact" was
    // planned from fresher data, and a PUT sent twice would only repeat itself).
    if item.replaces_waiting {
        outbox.items.retain(|stored| !(stored.op == item.op && stored.contact_id == item.contact_id && stored.id != id));
    }
    match outbox.items.iter_mut().find(|stored| stored.id == id) {
        // "Try again" on an edit that waits: send it now.
        Some(stored) => {
            stored.next_at_ms = 0;
            if stored.needs_agent() {
                stored.failure = None;
            }
        }
        None => {
            // An edit of an item that already has an unsent edit builds on that edit, not on GHL's older text:
            // it is checked against what the earlier edit will have made it.
            let earlier = outbox.items.iter().rev().find(|stored| {
                stored.op == item.op && stored.target_id == item.target_id && item.target_id.is_some() && !stored.needs_agent()
            });
            if let (Some(earlier), Some(_)) = (earlier, &item.base) {
                let base = earlier.base.clone();
                item.base = Some(Snapshot {
                    body: earlier.body.clone().or_else(|| base.as_ref().and_then(|b| b.body.clone())),
                    title: earlier.title.clone().or_else(|| base.as_ref().and_then(|b| b.title.clone())),
                    due_date: earlier.due_date.clone().or_else(|| base.and_then(|b| b.due_date)),
                });
            }
            outbox.items.push(item);
        }
    }
}

/// Sends the due edits of every contact (the background alarm). Returns how many were sent.
pub async fn flush_all<T: Transport, S: Store, C: Clock, D: Delivery<T, S, C>>(cx: &Ctx<'_, T, S, C>, delivery: &D) -> Result<usize> {
    let client = cx;
    let outbox = load(client.store()).await?;
    let scope = LocationScope::load(client.store(), client.location_id()).await;
    let mut contacts: Vec<String> = Vec::new();
    for item in &outbox.items {
        let due = !item.needs_agent() && item.held_in(&scope).is_none() && item.next_at_ms <= client.now_ms();
        if due && !contacts.contains(&item.contact_id) {
            contacts.push(item.contact_id.clone());
        }
    }
    let before = outbox.items.len();
    for contact_id in &contacts {
        flush_contact(cx, contact_id, None, delivery).await?;
    }
    Ok(before.saturating_sub(load(client.store()).await?.items.len()))
}

/// Sends the contact's due edits in order until one cannot be sent. Returns the outcome of `wanted` when it was
/// attempted. Edits that wait for the agent do not block the ones after them; edits waiting to retry do.
async fn flush_contact<T: Transport, S: Store, C: Clock, D: Delivery<T, S, C>>(
    cx: &Ctx<'_, T, S, C>,
    contact_id: &str,
    wanted: Option<&str>,
    delivery: &D,
) -> Result<Option<Result<D::Answer>>> {
    let client = cx;
    // One sender per contact at a time: a second one waits (an edit must never be sent by two at once).
    let _busy = cx.locks.per_contact.lock(contact_id).await;
    let scope = LocationScope::load(client.store(), client.location_id()).await;
    let mut outcome = None;
    loop {
        let item = {
            let _guard = cx.locks.storage.lock().await;
            let mut outbox = load(client.store()).await?;
            let now = client.now_ms();
            let sendable = |item: &OutboxItem| item.contact_id == contact_id && !item.needs_agent() && item.held_in(&scope).is_none();
            let Some(item) = outbox.items.iter_mut().find(|item| sendable(item)) else {
                return Ok(outcome);
            };
            if item.next_at_ms > now {
                return Ok(outcome);
            }
            item.attempts += 1;
            if item.sent_at_ms.is_none() {
                item.sent_at_ms = Some(now);
            }
            let item = item.clone();
            // Stored before it is sent: a stopped worker resumes knowing an attempt began.
            save(client.store(), &outbox).await?;
            item
        };
        let started_ms = client.now_ms();
        let mut theirs = None;
        let result = delivery.deliver(cx, &item).await.map_err(|undelivered| {
            theirs = undelivered.theirs;
            undelivered.error
        });
        let entry = match &result {
            Ok(_) => LogEntry::success(&item.op, Some(contact_id), &format!("Sent to GHL (attempt {}).", item.attempts)),
            Err(error) => LogEntry::failure(&item.op, Some(contact_id), error),
        };
        // Best effort: a log that cannot be written (a full storage) must not leave a delivered edit looking unsent.
        let _ = log::append(client.store(), entry.took(started_ms, client.now_ms())).await;
        let _guard = cx.locks.storage.lock().await;
        let mut outbox = load(client.store()).await?;
        let stop = match &result {
            Ok(answer) => {
                outbox.items.retain(|stored| stored.id != item.id);
                delivery.delivered(cx, &item, answer).await?;
                false
            }
            Err(error) => {
                if let Some(stored) = outbox.items.iter_mut().find(|stored| stored.id == item.id) {
                    stored.next_at_ms = client.now_ms() + wait_after(error, stored.attempts);
                    let deleted = matches!(theirs, Some(None));
                    stored.failure = Some(Failure {
                        code: error.code.as_str().to_owned(),
                        message: error.message.clone(),
                        retryable: error.retryable,
                        theirs: theirs.clone().flatten(),
                        deleted,
                    });
                }
                error.retryable
            }
        };
        save(client.store(), &outbox).await?;
        if Some(item.id.as_str()) == wanted {
            outcome = Some(result.map_err(|error| if error.retryable { error.queued() } else { error }));
        }
        if stop {
            return Ok(outcome);
        }
    }
}

/// The stored edits of one record, oldest first (the panel shows them as waiting or failed).
pub async fn of_record(store: &impl Store, host: &str, record_id: &str) -> Result<Vec<OutboxItem>> {
    Ok(load(store).await?.items.into_iter().filter(|item| item.host == host && item.record_id == record_id).collect())
}

/// The stored edit with this id, if it is still stored.
pub async fn find(store: &impl Store, id: &str) -> Result<Option<OutboxItem>> {
    Ok(load(store).await?.items.into_iter().find(|item| item.id == id))
}

/// Whether an edit of the Commusoft note behind storage key `source` is still stored.
pub async fn has_source(store: &impl Store, source: &str) -> Result<bool> {
    Ok(load(store).await?.items.iter().any(|item| item.source.as_deref() == Some(source)))
}

/// Counts for the toolbar badge: (waiting to be sent, needing the agent). Edits of another location than the
/// connected one (`location_id`; none before a connection) need the agent: switch back, or discard them.
pub async fn counts(store: &impl Store, location_id: Option<&str>) -> Result<(usize, usize)> {
    let records = by_record(store, location_id).await?;
    Ok(records.iter().fold((0, 0), |(waiting, failed), record| (waiting + record.waiting, failed + record.need_agent)))
}

/// One record's stored edits: how many wait to be sent, and how many wait for the agent (failed for good, in a
/// conflict, or made in another location).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordEdits {
    pub host: String,
    pub record_id: String,
    pub waiting: usize,
    pub need_agent: usize,
}

/// The outbox by record, in the order the records' first edits were made.
pub async fn by_record(store: &impl Store, location_id: Option<&str>) -> Result<Vec<RecordEdits>> {
    let outbox = load(store).await?;
    let scope = match location_id {
        Some(location_id) => Some(LocationScope::load(store, location_id).await),
        None => None,
    };
    let held = |item: &OutboxItem| scope.as_ref().is_some_and(|scope| item.held_in(scope).is_some());
    let mut records: Vec<RecordEdits> = Vec::new();
    for item in &outbox.items {
        let position = match records.iter().position(|known| known.host == item.host && known.record_id == item.record_id) {
            Some(position) => position,
            None => {
                records.push(RecordEdits { host: item.host.clone(), record_id: item.record_id.clone(), waiting: 0, need_agent: 0 });
                records.len() - 1
            }
        };
        if item.needs_agent() || held(item) {
            records[position].need_agent += 1;
        } else {
            records[position].waiting += 1;
        }
    }
    Ok(records)
}

/// The agent gave up on a stored edit. Only edits of the given record can be discarded from its panel.
pub async fn discard<T: Transport, S: Store, C: Clock>(cx: &Ctx<'_, T, S, C>, host: &str, record_id: &str, id: &str) -> Result<()> {
    let client = cx;
    let _guard = cx.locks.storage.lock().await;
    let mut outbox = load(client.store()).await?;
    let before = outbox.items.len();
    outbox.items.retain(|item| !(item.id == id && item.host == host && item.record_id == record_id));
    if outbox.items.len() == before {
        return Err(Error::new(ErrorCode::NotFound, "That change is no longer waiting to be sent."));
    }
    save(client.store(), &outbox).await
}

/// "Retry" on a stored edit of the record: send it (and what waits behind it) now.
pub async fn retry<T: Transport, S: Store, C: Clock, D: Delivery<T, S, C>>(
    cx: &Ctx<'_, T, S, C>,
    record: &crate::hosts::HostRecord,
    id: &str,
    delivery: &D,
) -> Result<D::Answer> {
    let item = sendable_of_record(cx, record, id).await?;
    submit(cx, item, delivery).await
}

/// A stored edit of the record the agent acts on ("Send now", a conflict's choice): refused when it is gone, or
/// when it was made in another location than the connected one (it is held; "Discard" still works).
async fn sendable_of_record<T: Transport, S: Store, C: Clock>(
    cx: &Ctx<'_, T, S, C>,
    record: &crate::hosts::HostRecord,
    id: &str,
) -> Result<OutboxItem> {
    let stored = of_record(cx.store(), &record.host.hostname, &record.record_id).await?.into_iter().find(|item| item.id == id);
    let Some(item) = stored else {
        return Err(Error::new(ErrorCode::NotFound, "That change is no longer waiting to be sent."));
    };
    match item.held_in(&LocationScope::load(cx.store(), cx.location_id()).await) {
        Some(other) => Err(held_error(other)),
        None => Ok(item),
    }
}

/// Why an edit made in another location is not sent to this one.
pub fn held_error(location_id: &str) -> Error {
    Error::new(
        ErrorCode::InvalidSettings,
        format!("This change was made while connected to GHL location {location_id}. Switch the Location ID in Options back to it to send the change, or discard it."),
    )
}

/// The agent settles a conflict on a stored edit of the record: what each choice means is the delivery's.
pub async fn resolve<T: Transport, S: Store, C: Clock, D: Delivery<T, S, C>>(
    cx: &Ctx<'_, T, S, C>,
    record: &crate::hosts::HostRecord,
    id: &str,
    choice: &str,
    delivery: &D,
) -> Result<Option<D::Answer>> {
    let client = cx;
    let item = sendable_of_record(cx, record, id).await?;
    let Some(mut item) = delivery.settle(item, choice)? else {
        discard(cx, &record.host.hostname, &record.record_id, id).await?;
        return Ok(None);
    };
    item.failure = None;
    {
        let _guard = cx.locks.storage.lock().await;
        let mut outbox = load(client.store()).await?;
        if let Some(stored) = outbox.items.iter_mut().find(|stored| stored.id == id) {
            *stored = OutboxItem { next_at_ms: 0, ..item.clone() };
        }
        save(client.store(), &outbox).await?;
    }
    submit(cx, item, delivery).await.map(Some)
}
