//! The edits the extension makes in GHL, typed. The outbox queue stores them in its items without knowing what they
//! are (an item's `op` and its fields are this enum written out); [`Edit::of`] reads one back, and delivery,
//! the panel's words for a waiting edit and the conflict choices all match on it.

use crate::mapping::FieldChange;
use crate::outbox::OutboxItem;
use crate::platform::error::{Error, Result};

/// One edit of a GHL contact.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    NoteCreate {
        body: String,
    },
    NoteUpdate {
        note_id: String,
        body: String,
    },
    NoteDelete {
        note_id: String,
    },
    TaskCreate {
        title: String,
        body: Option<String>,
        due_date: String,
    },
    /// `None` leaves a field as it is.
    TaskUpdate {
        task_id: String,
        title: Option<String>,
        body: Option<String>,
        due_date: Option<String>,
    },
    TaskComplete {
        task_id: String,
        completed: bool,
    },
    TaskDelete {
        task_id: String,
    },
    TagsAdd {
        tags: Vec<String>,
    },
    TagsRemove {
        tags: Vec<String>,
    },
    /// "Sync this contact": the contact's fields.
    ContactUpdate {
        fields: Vec<FieldChange>,
    },
    /// A host app's note sent to GHL (`source`: the storage key of what GHL has of it).
    HostNoteSend {
        source: String,
        body: String,
    },
    /// The follow-up task of one version of a host note.
    HostNoteFollowUp {
        source: String,
        version: String,
        title: String,
        body: String,
        due_date: String,
    },
}

impl Edit {
    /// The edit an item holds.
    pub fn of(item: &OutboxItem) -> Result<Self> {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let target = || text(&item.target_id);
        Ok(match item.op.as_str() {
            "note.create" => Self::NoteCreate { body: text(&item.body) },
            "note.update" => Self::NoteUpdate { note_id: target(), body: text(&item.body) },
            "note.delete" => Self::NoteDelete { note_id: target() },
            "task.create" => Self::TaskCreate { title: text(&item.title), body: item.body.clone(), due_date: text(&item.due_date) },
            "task.update" => {
                Self::TaskUpdate { task_id: target(), title: item.title.clone(), body: item.body.clone(), due_date: item.due_date.clone() }
            }
            "task.complete" => Self::TaskComplete { task_id: target(), completed: item.completed.unwrap_or(true) },
            "task.delete" => Self::TaskDelete { task_id: target() },
            "tags.add" => Self::TagsAdd { tags: item.tags.clone().unwrap_or_default() },
            "tags.remove" => Self::TagsRemove { tags: item.tags.clone().unwrap_or_default() },
            "contact.update" => Self::ContactUpdate { fields: item.fields.clone().unwrap_or_default() },
            "note.send" => Self::HostNoteSend { source: text(&item.source), body: text(&item.body) },
            "note.followUp" => Self::HostNoteFollowUp {
                source: text(&item.source),
                version: target(),
                title: text(&item.title),
                body: text(&item.body),
                due_date: text(&item.due_date),
            },
            other => return Err(Error::internal(format!("unknown stored edit {other}"))),
        })
    }

    /// The item's `op` for this edit (the stored format).
    pub fn op(&self) -> &'static str {
        match self {
            Self::NoteCreate { .. } => "note.create",
            Self::NoteUpdate { .. } => "note.update",
            Self::NoteDelete { .. } => "note.delete",
            Self::TaskCreate { .. } => "task.create",
            Self::TaskUpdate { .. } => "task.update",
            Self::TaskComplete { .. } => "task.complete",
            Self::TaskDelete { .. } => "task.delete",
            Self::TagsAdd { .. } => "tags.add",
            Self::TagsRemove { .. } => "tags.remove",
            Self::ContactUpdate { .. } => "contact.update",
            Self::HostNoteSend { .. } => "note.send",
            Self::HostNoteFollowUp { .. } => "note.followUp",
        }
    }

    /// Writes the edit into an item (its `op` and fields; the queue's own fields are left as they are).
    pub fn write_to(self, item: &mut OutboxItem) {
        item.op = self.op().to_owned();
        (item.target_id, item.body, item.title, item.due_date, item.completed, item.tags, item.fields, item.source) =
            (None, None, None, None, None, None, None, None);
        match self {
            Self::NoteCreate { body } => item.body = Some(body),
            Self::NoteUpdate { note_id, body } => (item.target_id, item.body) = (Some(note_id), Some(body)),
            Self::NoteDelete { note_id } | Self::TaskDelete { task_id: note_id } => item.target_id = Some(note_id),
            Self::TaskCreate { title, body, due_date } => (item.title, item.body, item.due_date) = (Some(title), body, Some(due_date)),
            Self::TaskUpdate { task_id, title, body, due_date } => {
                (item.target_id, item.title, item.body, item.due_date) = (Some(task_id), title, body, due_date)
            }
            Self::TaskComplete { task_id, completed } => (item.target_id, item.completed) = (Some(task_id), Some(completed)),
            Self::TagsAdd { tags } | Self::TagsRemove { tags } => item.tags = Some(tags),
            Self::ContactUpdate { fields } => item.fields = Some(fields),
            Self::HostNoteSend { source, body } => (item.source, item.body) = (Some(source), Some(body)),
            Self::HostNoteFollowUp { source, version, title, body, due_date } => {
                (item.source, item.target_id, item.title, item.body, item.due_date) =
                    (Some(source), Some(version), Some(title), Some(body), Some(due_date))
            }
        }
    }

    /// Its effect is a new record in GHL (once): a resumed attempt looks for it before sending it again.
    pub fn creates(&self) -> bool {
        matches!(self, Self::NoteCreate { .. } | Self::TaskCreate { .. } | Self::HostNoteSend { .. } | Self::HostNoteFollowUp { .. })
    }

    /// What the agent sees it as in "Waiting to send".
    pub fn label(&self, host_name: &str) -> String {
        match self {
            Self::NoteCreate { .. } => "New note".to_owned(),
            Self::NoteUpdate { .. } => "Note change".to_owned(),
            Self::NoteDelete { .. } => "Note deletion".to_owned(),
            Self::TaskCreate { .. } => "New task".to_owned(),
            Self::TaskUpdate { .. } => "Task change".to_owned(),
            Self::TaskComplete { .. } => "Task completion".to_owned(),
            Self::TaskDelete { .. } => "Task deletion".to_owned(),
            Self::TagsAdd { .. } => "Tags to add".to_owned(),
            Self::TagsRemove { .. } => "Tags to remove".to_owned(),
            Self::ContactUpdate { .. } => "Contact fields".to_owned(),
            Self::HostNoteSend { .. } => format!("{host_name} note"),
            Self::HostNoteFollowUp { .. } => "Follow-up task".to_owned(),
        }
    }

    /// The edit of a note or task deleted in GHL meanwhile, sent again as a new one (`theirs`: what the agent last
    /// saw of it). `None` for other edits.
    pub fn recreated(self, seen: Option<crate::outbox::Snapshot>) -> Option<Self> {
        let seen = seen.unwrap_or(crate::outbox::Snapshot { body: None, title: None, due_date: None });
        match self {
            Self::NoteUpdate { body, .. } => Some(Self::NoteCreate { body }),
            Self::NoteDelete { .. } => None,
            Self::TaskUpdate { title, body, due_date, .. } => Some(Self::TaskCreate {
                title: title.or(seen.title).unwrap_or_default(),
                body: body.or(seen.body),
                due_date: due_date.or(seen.due_date).unwrap_or_default(),
            }),
            _ => None,
        }
    }

    /// Whether the agent may merge their text with GHL's on a conflict.
    pub fn merges(&self) -> bool {
        matches!(self, Self::NoteUpdate { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_reads_back_as_written() {
        let edits = [
            Edit::NoteUpdate { note_id: "N1".into(), body: "b".into() },
            Edit::TaskUpdate { task_id: "T1".into(), title: Some("t".into()), body: None, due_date: Some("2026-12-01T09:00:00Z".into()) },
            Edit::TaskComplete { task_id: "T1".into(), completed: false },
            Edit::TagsRemove { tags: vec!["vip".into()] },
            Edit::HostNoteFollowUp {
                source: "sent:h:1:2".into(),
                version: "v".into(),
                title: "t".into(),
                body: "b".into(),
                due_date: "d".into(),
            },
        ];
        for edit in edits {
            let mut item = OutboxItem::empty();
            edit.clone().write_to(&mut item);
            assert_eq!(Edit::of(&item).unwrap(), edit);
        }
    }
}
