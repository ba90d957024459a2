//! Request bodies, after the spec's DTOs. Optional fields are left out when unset: GHL answers 422 to any
//! property a DTO does not define, so each struct carries exactly its DTO's fields and no more.

use serde::Serialize;

/// `NotesDTO` (create) and `UpdateNoteDTO` (update, every field optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}

/// `CreateTaskParams` needs title, dueDate and completed; `UpdateTaskBody` makes all five optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// UTC, ISO 8601 (`2026-11-24T09:00:00Z`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

/// `TagsDTO`: the body of both adding and removing tags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagsInput<'a> {
    pub tags: &'a [String],
}

/// `UpdateTaskStatusParams`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CompletedInput {
    pub completed: bool,
}
