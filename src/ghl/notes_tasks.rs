//! Notes, tasks, appointments and tags of one contact. None of these lists is paged: GHL returns them whole.

use super::client::{added_since, json, missing, path_segment, GhlClient};
use super::models::{Appointment, Note, Task};
use super::requests::{CompletedInput, NoteInput, TagsInput, TaskInput};
use super::response::parse_body;
use super::retry::Replay;
use crate::platform::clock::Clock;
use crate::platform::dates::parse_timestamp;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::{HttpResponse, Method, Transport};
use crate::platform::json::read_fields;
use crate::platform::store::Store;

struct NotesEnvelope {
    notes: Option<Vec<Note>>,
}
read_fields!(NotesEnvelope, "the notes answer" { notes: items("notes") });

struct NoteEnvelope {
    note: Option<Note>,
}
read_fields!(NoteEnvelope, "the note answer" { note: item("note") });

struct TasksEnvelope {
    tasks: Option<Vec<Task>>,
}
read_fields!(TasksEnvelope, "the tasks answer" { tasks: items("tasks") });

struct TaskEnvelope {
    task: Option<Task>,
}
read_fields!(TaskEnvelope, "the task answer" { task: item("task") });

struct EventsEnvelope {
    events: Option<Vec<Appointment>>,
}
read_fields!(EventsEnvelope, "the appointments answer" { events: items("events") });

struct TagsEnvelope {
    tags: Option<Vec<String>>,
}
read_fields!(TagsEnvelope, "the tags answer" { tags: texts("tags") });

fn read_note(response: &HttpResponse) -> Result<Note> {
    parse_body::<NoteEnvelope>(response)?.note.ok_or_else(|| missing("note"))
}

fn read_task(response: &HttpResponse) -> Result<Task> {
    parse_body::<TaskEnvelope>(response)?.task.ok_or_else(|| missing("task"))
}

impl<T: Transport, S: Store, C: Clock> GhlClient<'_, T, S, C> {
    /// `GET /contacts/{contactId}/notes`.
    pub async fn list_notes(&self, contact_id: &str) -> Result<Vec<Note>> {
        let path = format!("/contacts/{}/notes", path_segment(contact_id)?);
        let envelope: NotesEnvelope = self.call(Method::Get, &path, None, "contact").await?;
        Ok(envelope.notes.unwrap_or_default())
    }

    /// `GET /contacts/{contactId}/notes/{id}`.
    pub async fn get_note(&self, contact_id: &str, note_id: &str) -> Result<Note> {
        let path = format!("/contacts/{}/notes/{}", path_segment(contact_id)?, path_segment(note_id)?);
        let envelope: NoteEnvelope = self.call(Method::Get, &path, None, "note").await?;
        envelope.note.ok_or_else(|| missing("note"))
    }

    /// `POST /contacts/{contactId}/notes` (201), exactly once: after an unclear failure the contact's notes are
    /// read, and a note with the same text added since we started counts as this one.
    pub async fn create_note(&self, contact_id: &str, note: &NoteInput) -> Result<Note> {
        Ok(self.create_note_listed(contact_id, note, None).await?.0)
    }

    /// [`Self::create_note`], also answering the contact's notes as read after the create, so a caller showing the
    /// list needs no second read. An error can come after GHL has the note (its twin check could not run): try
    /// again with `resumed_since` (see [`GhlClient::create_once`]), as the outbox does, never without it.
    pub async fn create_note_listed(
        &self,
        contact_id: &str,
        note: &NoteInput,
        resumed_since: Option<u64>,
    ) -> Result<(Note, Option<Vec<Note>>)> {
        let text = note.body.as_deref().unwrap_or_default();
        if text.trim().is_empty() {
            return Err(Error::new(ErrorCode::Validation, "A note needs some text."));
        }
        let path = format!("/contacts/{}/notes", path_segment(contact_id)?);
        let landed = |started_ms| async move {
            let notes = self.list_notes(contact_id).await?;
            Ok(notes.into_iter().find(|found| found.body.as_deref() == Some(text) && added_since(found.date_added.as_deref(), started_ms)))
        };
        let started_ms = resumed_since.unwrap_or_else(|| self.now_ms());
        let created = self.create_once(&path, json(note)?, "contact", read_note, landed, resumed_since).await?;
        // Chrome silently re-sends a POST whose reused connection closed before any answer, so GHL may hold a
        // twin we never saw. A twin has our text and was added within this call's own span of time.
        let span_ms = (self.now_ms() - started_ms + 1_000) as i64;
        let Some(created_at) = created.date_added.as_deref().and_then(parse_timestamp).map(|t| t.epoch_ms) else {
            return Ok((created, None));
        };
        // The check is not optional: when GHL cannot be asked, the error keeps the edit in the outbox, and its next
        // attempt (resumed) finds the note instead of creating it and checks again.
        let mut notes = self.list_notes(contact_id).await?;
        let is_twin = |other: &Note| {
            other.id != created.id
                && other.body.as_deref() == Some(text)
                && other.date_added.as_deref().and_then(parse_timestamp).is_some_and(|t| (t.epoch_ms - created_at).abs() <= span_ms)
        };
        for twin in notes.iter().filter(|other| is_twin(other)) {
            self.delete_note(contact_id, twin.id.as_deref().unwrap_or_default()).await?;
        }
        notes.retain(|other| !is_twin(other));
        Ok((created, Some(notes)))
    }

    /// `PUT /contacts/{contactId}/notes/{id}`.
    pub async fn update_note(&self, contact_id: &str, note_id: &str, note: &NoteInput) -> Result<Note> {
        let path = format!("/contacts/{}/notes/{}", path_segment(contact_id)?, path_segment(note_id)?);
        let envelope: NoteEnvelope = self.call(Method::Put, &path, Some(json(note)?), "note").await?;
        envelope.note.ok_or_else(|| missing("note"))
    }

    /// `DELETE /contacts/{contactId}/notes/{id}`.
    pub async fn delete_note(&self, contact_id: &str, note_id: &str) -> Result<()> {
        let path = format!("/contacts/{}/notes/{}", path_segment(contact_id)?, path_segment(note_id)?);
        self.delete(&path, "note").await
    }

    /// `GET /contacts/{contactId}/tasks`.
    pub async fn list_tasks(&self, contact_id: &str) -> Result<Vec<Task>> {
        let path = format!("/contacts/{}/tasks", path_segment(contact_id)?);
        let envelope: TasksEnvelope = self.call(Method::Get, &path, None, "contact").await?;
        Ok(envelope.tasks.unwrap_or_default())
    }

    /// `GET /contacts/{contactId}/tasks/{taskId}`.
    pub async fn get_task(&self, contact_id: &str, task_id: &str) -> Result<Task> {
        let path = format!("/contacts/{}/tasks/{}", path_segment(contact_id)?, path_segment(task_id)?);
        let envelope: TaskEnvelope = self.call(Method::Get, &path, None, "task").await?;
        envelope.task.ok_or_else(|| missing("task"))
    }

    /// `POST /contacts/{contactId}/tasks` (201): title, due date and completed are required by GHL. Exactly once:
    /// after an unclear failure, an open task with the same title, body and due time counts as this one
    /// (tasks carry no creation date).
    pub async fn create_task(&self, contact_id: &str, task: &TaskInput) -> Result<Task> {
        Ok(self.create_task_listed(contact_id, task, None).await?.0)
    }

    /// [`Self::create_task`], also answering the contact's tasks as read after the create. Like
    /// [`Self::create_note_listed`], an error can come after GHL has the task: try again with `resumed_since`.
    pub async fn create_task_listed(
        &self,
        contact_id: &str,
        task: &TaskInput,
        resumed_since: Option<u64>,
    ) -> Result<(Task, Option<Vec<Task>>)> {
        let title = task.title.as_deref().unwrap_or_default();
        let due = task.due_date.as_deref().and_then(parse_timestamp).map(|t| t.epoch_ms);
        if title.trim().is_empty() || due.is_none() {
            return Err(Error::new(ErrorCode::Validation, "A task needs a title and a due date (ISO 8601, UTC)."));
        }
        // Tasks carry no creation time: identical title, body and due time is what marks the same task.
        let same = |found: &Task| {
            found.title.as_deref() == Some(title)
                && found.body.as_deref().unwrap_or_default() == task.body.as_deref().unwrap_or_default()
                && found.due_date.as_deref().and_then(parse_timestamp).map(|t| t.epoch_ms) == due
        };
        let body = TaskInput { completed: Some(task.completed.unwrap_or(false)), ..task.clone() };
        let path = format!("/contacts/{}/tasks", path_segment(contact_id)?);
        let landed = |_started_ms| async move { Ok(self.list_tasks(contact_id).await?.into_iter().find(|found| same(found))) };
        let created = self.create_once(&path, json(&body)?, "contact", read_task, landed, resumed_since).await?;
        // A silent re-send by the browser (see `create_note_listed`) leaves an identical open task.
        // Not optional either (see `create_note_listed`).
        let mut tasks = self.list_tasks(contact_id).await?;
        let is_twin = |other: &Task| other.id != created.id && other.completed != Some(true) && same(other);
        for twin in tasks.iter().filter(|other| is_twin(other)) {
            self.delete_task(contact_id, twin.id.as_deref().unwrap_or_default()).await?;
        }
        tasks.retain(|other| !is_twin(other));
        Ok((created, Some(tasks)))
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}`.
    pub async fn update_task(&self, contact_id: &str, task_id: &str, task: &TaskInput) -> Result<Task> {
        let path = format!("/contacts/{}/tasks/{}", path_segment(contact_id)?, path_segment(task_id)?);
        let envelope: TaskEnvelope = self.call(Method::Put, &path, Some(json(task)?), "task").await?;
        envelope.task.ok_or_else(|| missing("task"))
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed`.
    pub async fn set_task_completed(&self, contact_id: &str, task_id: &str, completed: bool) -> Result<Task> {
        let path = format!("/contacts/{}/tasks/{}/completed", path_segment(contact_id)?, path_segment(task_id)?);
        let body = json(&CompletedInput { completed })?;
        let envelope: TaskEnvelope = self.call(Method::Put, &path, Some(body), "task").await?;
        envelope.task.ok_or_else(|| missing("task"))
    }

    /// `DELETE /contacts/{contactId}/tasks/{taskId}`.
    pub async fn delete_task(&self, contact_id: &str, task_id: &str) -> Result<()> {
        let path = format!("/contacts/{}/tasks/{}", path_segment(contact_id)?, path_segment(task_id)?);
        self.delete(&path, "task").await
    }

    /// `GET /contacts/{contactId}/appointments`.
    pub async fn list_appointments(&self, contact_id: &str) -> Result<Vec<Appointment>> {
        let path = format!("/contacts/{}/appointments", path_segment(contact_id)?);
        let envelope: EventsEnvelope = self.call(Method::Get, &path, None, "contact").await?;
        Ok(envelope.events.unwrap_or_default())
    }

    /// `POST /contacts/{contactId}/tags` (201); returns the contact's tags. Adding is idempotent in GHL.
    pub async fn add_tags(&self, contact_id: &str, tags: &[String]) -> Result<Vec<String>> {
        self.change_tags(Method::Post, contact_id, tags).await
    }

    /// `DELETE /contacts/{contactId}/tags` with a JSON body; returns the contact's tags.
    pub async fn remove_tags(&self, contact_id: &str, tags: &[String]) -> Result<Vec<String>> {
        self.change_tags(Method::Delete, contact_id, tags).await
    }

    async fn change_tags(&self, method: Method, contact_id: &str, tags: &[String]) -> Result<Vec<String>> {
        if tags.is_empty() || tags.iter().any(|tag| tag.trim().is_empty()) {
            return Err(Error::new(ErrorCode::Validation, "Tags cannot be empty."));
        }
        let path = format!("/contacts/{}/tags", path_segment(contact_id)?);
        // Both are set operations in GHL (adding a present tag or removing an absent one changes nothing),
        // so both are safe to repeat.
        let response = self.exchange_with(method, &path, Some(json(&TagsInput { tags })?), "contact", Replay::Safe).await?;
        let envelope: TagsEnvelope = parse_body(&response)?;
        Ok(envelope.tags.unwrap_or_default())
    }
}
