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

/// The contact fields GHL accepts on update (`UpdateContactDto`) — also the shared part of create and upsert.
/// `companyName`, `gender` and `locationId` are not allowed on update.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Replaces the whole tag set: use the tag endpoints for incremental changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

impl ContactFields {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `CreateContactDto` (and, with `create_new_if_duplicate_allowed`, `UpsertContactDto`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContact {
    pub location_id: String,
    #[serde(flatten)]
    pub fields: ContactFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_new_if_duplicate_allowed: Option<bool>,
}

/// A custom-field value as GHL takes it: `{id | key, field_value}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomFieldInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub field_value: FieldValue,
}

/// The value's JSON type follows the field's data type: text, number, or a list for checkboxes and multi-selects.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    Text(String),
    Number(f64),
    List(Vec<String>),
}

/// The body of `POST /contacts/search`. Paging is by `page` or by the `searchAfter` cursor, never both.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchInput {
    pub location_id: String,
    pub page_limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<crate::platform::json::Json>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<SearchFilter>,
}

/// One `{field, operator, value}` filter of a search (the top level is AND).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchFilter {
    pub field: &'static str,
    pub operator: &'static str,
    pub value: String,
}
