//! The GHL API v2 client: one typed method per endpoint, over any [`Transport`].

use super::models::{Contact, ContactEnvelope};
use super::response::{parse_body, status_error, transport_error, CallContext};
use super::{API_VERSION, REQUEST_TIMEOUT_MS};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{encode_component, query_string, HttpRequest, HttpResponse, Method, Transport};
use serde::de::DeserializeOwned;

/// Where and as whom the client talks to GHL.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// `https://services.leadconnectorhq.com` in production; a sandbox in tests.
    pub base_url: String,
    pub location_id: String,
    /// A Private Integration Token or an OAuth access token (both are Bearer tokens).
    pub access_token: String,
}

/// How to look a contact up in GHL's duplicate search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKey<'a> {
    Email(&'a str),
    /// A phone number in E.164 form (`+447700900123`).
    Phone(&'a str),
}

pub struct GhlClient<T> {
    transport: T,
    config: ClientConfig,
}

impl<T: Transport> GhlClient<T> {
    pub fn new(transport: T, mut config: ClientConfig) -> Self {
        while config.base_url.ends_with('/') {
            config.base_url.pop();
        }
        Self { transport, config }
    }

    pub fn location_id(&self) -> &str {
        &self.config.location_id
    }

    /// `GET /contacts/{contactId}`.
    pub async fn get_contact(&self, contact_id: &str) -> Result<Contact> {
        let path = format!("/contacts/{}", path_segment(contact_id)?);
        let envelope: ContactEnvelope = self.call(Method::Get, &path, None, "contact").await?;
        envelope.contact.ok_or_else(|| missing("contact"))
    }

    /// `GET /contacts/search/duplicate` — the contact GHL's duplicate rule would match, if any.
    pub async fn find_duplicate(&self, key: DuplicateKey<'_>) -> Result<Option<Contact>> {
        let (name, value) = match key {
            DuplicateKey::Email(email) => ("email", email),
            DuplicateKey::Phone(phone) => ("number", phone),
        };
        let query = query_string(&[("locationId", &self.config.location_id), (name, value)]);
        let envelope: ContactEnvelope =
            self.call(Method::Get, &format!("/contacts/search/duplicate{query}"), None, "contact").await?;
        Ok(envelope.contact.filter(|contact| contact.id.as_deref().is_some_and(|id| !id.is_empty())))
    }

    pub(crate) async fn call<R: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
        resource: &str,
    ) -> Result<R> {
        // Only the parsing is generic: one copy of the request state machine serves every endpoint.
        parse_body(&self.exchange(method, path_and_query, body, resource).await?)
    }

    /// Sends a request and returns its 2xx response, or the error that explains a non-2xx one.
    pub(crate) async fn exchange(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
        resource: &str,
    ) -> Result<HttpResponse> {
        let response = self.send(method, path_and_query, body).await?;
        if (200..300).contains(&response.status) {
            Ok(response)
        } else {
            Err(status_error(&response, CallContext { resource, location_id: &self.config.location_id }))
        }
    }

    async fn send(&self, method: Method, path_and_query: &str, body: Option<String>) -> Result<HttpResponse> {
        let mut headers = vec![
            ("Authorization".to_owned(), format!("Bearer {}", self.config.access_token)),
            ("Version".to_owned(), API_VERSION.to_owned()),
            ("Accept".to_owned(), "application/json".to_owned()),
        ];
        if body.is_some() {
            // GHL needs it on every body, DELETE /contacts/{id}/tags included.
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        let request = HttpRequest {
            method,
            url: format!("{}{}", self.config.base_url, path_and_query),
            headers,
            body,
            timeout_ms: REQUEST_TIMEOUT_MS,
        };
        self.transport.send(request).await.map_err(|error| transport_error(&error))
    }
}

/// The error for a 2xx answer that lacks the record it should carry.
pub(crate) fn missing(what: &str) -> Error {
    Error::new(ErrorCode::BadResponse, format!("GHL answered without the {what} it was asked for."))
}

/// Encodes a request body.
pub(crate) fn json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|error| Error::internal(format!("could not encode a request: {error}")))
}

/// Encodes an id for a URL path. Ids come from storage and pages, so `../` or `?` must not reshape the request.
pub(crate) fn path_segment(id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() || id.len() > 100 {
        return Err(Error::invalid_message("A GHL id must be 1 to 100 characters long."));
    }
    Ok(encode_component(id))
}
