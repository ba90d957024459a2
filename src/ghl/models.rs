//! GHL API v2 response models, after `contacts.json`. Tolerant on purpose: every field is optional (GHL omits
//! fields freely and search results lack some), `null` reads as absent, and unknown fields are ignored.

use crate::platform::json::{read_fields, Json};

/// A contact (`GetContectByIdSchema`, sic, and the search/create variants).
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub id: Option<String>,
    pub location_id: Option<String>,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    pub business_id: Option<String>,
    pub assigned_to: Option<String>,
    pub date_added: Option<String>,
    pub date_updated: Option<String>,
    /// The search cursor of this contact (search results only), passed back as `searchAfter`.
    pub search_after: Option<Vec<Json>>,
}

impl Contact {
    /// The name to show: `name`, else first + last, else the email, else the phone.
    pub fn display_name(&self) -> Option<String> {
        let non_empty = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        non_empty(&self.name)
            .or_else(|| {
                let joined = [non_empty(&self.first_name), non_empty(&self.last_name)].into_iter().flatten().collect::<Vec<_>>().join(" ");
                (!joined.is_empty()).then_some(joined)
            })
            .or_else(|| non_empty(&self.email))
            .or_else(|| non_empty(&self.phone))
    }
}

/// A custom-field value as GHL outputs it: `{id, value}` (input uses `{id|key, field_value}`).
/// The value's type depends on the field (text, number, list, file map), so it is kept as received JSON.
#[derive(Debug, Clone, Default)]
pub struct CustomFieldValue {
    pub id: Option<String>,
    pub value: Option<Json>,
}

/// `{"contact": …}` — GET, and the duplicate lookup, where `contact` may be missing or `null`.
#[derive(Debug, Clone, Default)]
pub struct ContactEnvelope {
    pub contact: Option<Contact>,
}

/// A note (`GetNoteSchema`). Notes carry no `dateUpdated`: change detection needs a stored snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Note {
    pub id: Option<String>,
    pub body: Option<String>,
    pub title: Option<String>,
    pub user_id: Option<String>,
    pub contact_id: Option<String>,
    pub date_added: Option<String>,
    pub color: Option<String>,
    pub pinned: Option<bool>,
}

/// A task (`TaskSchema`); no creation or update timestamps either.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Task {
    pub id: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub assigned_to: Option<String>,
    pub due_date: Option<String>,
    pub completed: Option<bool>,
    pub contact_id: Option<String>,
}

/// An appointment of a contact (`GetEventSchema`); times come as `YYYY-MM-DD HH:MM:SS` without a zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Appointment {
    pub id: Option<String>,
    pub calendar_id: Option<String>,
    pub title: Option<String>,
    pub status: Option<String>,
    pub appointment_status: Option<String>,
    pub assigned_user_id: Option<String>,
    pub notes: Option<String>,
    pub address: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub contact_id: Option<String>,
}

/// A user of the location, for author and assignee names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct User {
    pub id: Option<String>,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
}

/// A custom-field definition of the location (`GET /locations/{id}/customFields`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomFieldDefinition {
    pub id: Option<String>,
    pub name: Option<String>,
    pub field_key: Option<String>,
    pub data_type: Option<String>,
    pub placeholder: Option<String>,
    pub picklist_options: Option<Vec<String>>,
    pub model: Option<String>,
}

/// The location (sub-account) record, for the connection check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Location {
    pub id: Option<String>,
    pub name: Option<String>,
    pub company_id: Option<String>,
    pub timezone: Option<String>,
    pub country: Option<String>,
}

read_fields!(Contact, "a contact" {
    id: text("id"),
    location_id: text("locationId"),
    name: text("name"),
    first_name: text("firstName"),
    last_name: text("lastName"),
    email: text("email"),
    phone: text("phone"),
    company_name: text("companyName"),
    address1: text("address1"),
    city: text("city"),
    state: text("state"),
    postal_code: text("postalCode"),
    country: text("country"),
    website: text("website"),
    timezone: text("timezone"),
    tags: texts("tags"),
    custom_fields: items("customFields"),
    business_id: text("businessId"),
    assigned_to: text("assignedTo"),
    date_added: text("dateAdded"),
    date_updated: text("dateUpdated"),
    search_after: items("searchAfter"),
});

read_fields!(CustomFieldValue, "a custom field value" { id: text("id"), value: item("value") });

read_fields!(ContactEnvelope, "the answer" { contact: item("contact") });

read_fields!(Note, "a note" {
    id: text("id"),
    body: text("body"),
    title: text("title"),
    user_id: text("userId"),
    contact_id: text("contactId"),
    date_added: text("dateAdded"),
    color: text("color"),
    pinned: flag("pinned"),
});

read_fields!(Task, "a task" {
    id: text("id"),
    title: text("title"),
    body: text("body"),
    assigned_to: text("assignedTo"),
    due_date: text("dueDate"),
    completed: flag("completed"),
    contact_id: text("contactId"),
});

read_fields!(Appointment, "an appointment" {
    id: text("id"),
    calendar_id: text("calendarId"),
    title: text("title"),
    status: text("status"),
    appointment_status: text("appointmentStatus"),
    assigned_user_id: text("assignedUserId"),
    notes: text("notes"),
    address: text("address"),
    start_time: text("startTime"),
    end_time: text("endTime"),
    contact_id: text("contactId"),
});

read_fields!(User, "a user" {
    id: text("id"),
    name: text("name"),
    first_name: text("firstName"),
    last_name: text("lastName"),
    email: text("email"),
});

read_fields!(CustomFieldDefinition, "a custom field" {
    id: text("id"),
    name: text("name"),
    field_key: text("fieldKey"),
    data_type: text("dataType"),
    placeholder: text("placeholder"),
    picklist_options: texts("picklistOptions"),
    model: text("model"),
});

read_fields!(Location, "the location" {
    id: text("id"),
    name: text("name"),
    company_id: text("companyId"),
    timezone: text("timezone"),
    country: text("country"),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example_and_ignores_unknown_fields() {
        let json = r#"{"contact":{"id":"seD4PfOuKoVMLkEZqohJ","name":"rubika deo","firstName":"rubika","lastName":"Deo",
            "email":"rubika@deos.com","phone":"+18832327657","dnd":true,"dndSettings":{"Call":{"status":"active"}},
            "tags":["a","b"],"customFields":[{"id":"MgobCB14YMVKuE4Ka8p1","value":"name"},{"id":"x","value":["a",1]}],
            "businessId":"641c094001436dbc2081e642","additionalEmails":[{"email":"x@y.z"}],"somethingNew":{"deep":[1]}}}"#;
        let envelope: ContactEnvelope = crate::platform::json::read(json).unwrap();
        let contact = envelope.contact.unwrap();
        assert_eq!(contact.id.as_deref(), Some("seD4PfOuKoVMLkEZqohJ"));
        assert_eq!(contact.tags.unwrap(), vec!["a", "b"]);
        assert_eq!(contact.custom_fields.unwrap()[1].value.as_ref().unwrap(), &crate::platform::json::parse(r#"["a",1]"#).unwrap());
    }

    #[test]
    fn missing_and_null_contacts_read_as_none() {
        for json in ["{}", r#"{"contact":null}"#, r#"{"contact":null,"traceId":"t"}"#] {
            let envelope: ContactEnvelope = crate::platform::json::read(json).unwrap();
            assert!(envelope.contact.is_none(), "{json}");
        }
    }

    #[test]
    fn nulls_inside_a_contact_read_as_absent() {
        let contact: Contact = crate::platform::json::read(r#"{"id":"c1","name":null,"tags":null,"customFields":null}"#).unwrap();
        assert_eq!(contact.display_name(), None);
        assert!(contact.tags.is_none());
    }

    #[test]
    fn display_name_falls_back_sensibly() {
        let mut contact = Contact { first_name: Some("Jane".into()), last_name: Some(" Doe ".into()), ..Default::default() };
        assert_eq!(contact.display_name().as_deref(), Some("Jane Doe"));
        contact.name = Some("  ".into());
        assert_eq!(contact.display_name().as_deref(), Some("Jane Doe"));
        let email_only = Contact { email: Some("a@b.co".into()), ..Default::default() };
        assert_eq!(email_only.display_name().as_deref(), Some("a@b.co"));
    }
}
