//! The location's reference data: the location itself, its users (author and assignee names) and its
//! contact custom-field definitions (for the field mapping).

use super::client::{missing, path_segment, GhlClient};
use super::models::{CustomFieldDefinition, Location, User};
use crate::platform::clock::Clock;
use crate::platform::error::Result;
use crate::platform::http::{query_string, Method, Transport};
use crate::platform::json::read_fields;
use crate::platform::store::Store;

struct LocationEnvelope {
    location: Option<Location>,
}
read_fields!(LocationEnvelope, "the location answer" { location: item("location") });

struct UsersEnvelope {
    users: Option<Vec<User>>,
}
read_fields!(UsersEnvelope, "the users answer" { users: items("users") });

struct CustomFieldsEnvelope {
    custom_fields: Option<Vec<CustomFieldDefinition>>,
}
read_fields!(CustomFieldsEnvelope, "the custom fields answer" { custom_fields: items("customFields") });

impl<T: Transport, S: Store, C: Clock> GhlClient<'_, T, S, C> {
    /// `GET /locations/{locationId}` — the configured location.
    pub async fn get_location(&self) -> Result<Location> {
        let path = format!("/locations/{}", path_segment(self.location_id())?);
        let envelope: LocationEnvelope = self.call(Method::Get, &path, None, "location").await?;
        envelope.location.ok_or_else(|| missing("location"))
    }

    /// `GET /users/?locationId=` — the location's users.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        let path = format!("/users/{}", query_string(&[("locationId", self.location_id())]));
        let envelope: UsersEnvelope = self.call(Method::Get, &path, None, "user").await?;
        Ok(envelope.users.unwrap_or_default())
    }

    /// `GET /locations/{locationId}/customFields?model=contact` — contact custom-field definitions.
    pub async fn list_custom_fields(&self) -> Result<Vec<CustomFieldDefinition>> {
        let path = format!("/locations/{}/customFields?model=contact", path_segment(self.location_id())?);
        let envelope: CustomFieldsEnvelope = self.call(Method::Get, &path, None, "location").await?;
        Ok(envelope.custom_fields.unwrap_or_default())
    }
}
