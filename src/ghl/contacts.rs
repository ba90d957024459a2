//! Contacts: create, update, delete, upsert, search, the deprecated list and contacts of a business.

use super::client::{added_since, json, missing, path_segment, DuplicateKey, GhlClient};
use super::models::{Contact, ContactEnvelope};
use super::requests::{ContactFields, NewContact, SearchFilter, SearchInput};
use super::response::parse_body;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::{query_string, HttpResponse, Method, Transport};
use crate::platform::json::read_fields;
use crate::platform::store::Store;

/// GHL's largest search page.
pub const MAX_SEARCH_PAGE: u32 = 500;
/// The deprecated list endpoint's largest page.
pub const MAX_LIST_PAGE: u32 = 100;

/// One page of contacts and what it takes to ask for the next one.
#[derive(Debug, Clone, Default)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    /// All matches, when GHL says.
    pub total: Option<u64>,
    /// `None` on the last page.
    pub next: Option<PageCursor>,
}

/// Where the next page starts.
#[derive(Debug, Clone)]
pub enum PageCursor {
    /// `searchAfter` of the last contact of a search page.
    SearchAfter(Vec<crate::platform::json::Json>),
    /// `startAfterId` + `startAfter` of the deprecated list.
    StartAfter { id: String, timestamp: Option<u64> },
}

struct SearchEnvelope {
    contacts: Option<Vec<Contact>>,
    total: Option<u64>,
}
read_fields!(SearchEnvelope, "the search answer" { contacts: items("contacts"), total: count("total") });

struct ListEnvelope {
    contacts: Option<Vec<Contact>>,
    count: Option<u64>,
    meta: Option<ListMeta>,
}
read_fields!(ListEnvelope, "the list answer" { contacts: items("contacts"), count: count("count"), meta: item("meta") });

#[derive(Default)]
struct ListMeta {
    total: Option<u64>,
    start_after_id: Option<String>,
    start_after: Option<u64>,
}
read_fields!(ListMeta, "the list's meta" { total: count("total"), start_after_id: text("startAfterId"), start_after: count("startAfter") });

struct UpsertEnvelope {
    new: Option<bool>,
    contact: Option<Contact>,
}
read_fields!(UpsertEnvelope, "the upsert answer" { new: flag("new"), contact: item("contact") });

fn read_contact(response: &HttpResponse) -> Result<Contact> {
    parse_body::<ContactEnvelope>(response)?.contact.ok_or_else(|| missing("contact"))
}

impl<T: Transport, S: Store, C: Clock> GhlClient<'_, T, S, C> {
    /// `POST /contacts/` (201). A refused duplicate is `ErrorCode::Duplicate`. Exactly once: after an unclear
    /// failure, GHL's duplicate search (email, then phone) finds the contact if the create landed; without
    /// either, a name search among contacts added since we started.
    pub async fn create_contact(&self, fields: &ContactFields, company_name: Option<&str>) -> Result<Contact> {
        let body = NewContact {
            location_id: self.location_id().to_owned(),
            fields: fields.clone(),
            company_name: company_name.map(str::to_owned),
            create_new_if_duplicate_allowed: None,
        };
        let landed = |started_ms| async move {
            let found = if let Some(email) = fields.email.as_deref().filter(|e| !e.is_empty()) {
                self.find_duplicate(DuplicateKey::Email(email)).await?
            } else if let Some(phone) = fields.phone.as_deref().filter(|p| !p.is_empty()) {
                self.find_duplicate(DuplicateKey::Phone(phone)).await?
            } else {
                let name = [fields.first_name.as_deref(), fields.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                let name = name.trim();
                if name.is_empty() {
                    return Ok(None);
                }
                let page = self.search_contacts(Some(name), 20, None).await?;
                page.contacts.into_iter().find(|contact| {
                    contact.first_name.as_deref() == fields.first_name.as_deref()
                        && contact.last_name.as_deref() == fields.last_name.as_deref()
                })
            };
            Ok(found.filter(|contact| added_since(contact.date_added.as_deref(), started_ms)))
        };
        self.create_once("/contacts/", json(&body)?, "contact", read_contact, landed, None).await
    }

    /// `PUT /contacts/{contactId}` with only the given fields.
    pub async fn update_contact(&self, contact_id: &str, fields: &ContactFields) -> Result<Contact> {
        if fields.is_empty() {
            return Err(Error::new(ErrorCode::Validation, "Nothing to change."));
        }
        let path = format!("/contacts/{}", path_segment(contact_id)?);
        let envelope: ContactEnvelope = self.call(Method::Put, &path, Some(json(fields)?), "contact").await?;
        envelope.contact.ok_or_else(|| missing("contact"))
    }

    /// `DELETE /contacts/{contactId}`.
    pub async fn delete_contact(&self, contact_id: &str) -> Result<()> {
        let path = format!("/contacts/{}", path_segment(contact_id)?);
        self.delete(&path, "contact").await
    }

    /// `POST /contacts/upsert`: updates the contact GHL's duplicate rule matches, or creates one.
    /// Returns the contact and whether it was created.
    pub async fn upsert_contact(&self, fields: &ContactFields, company_name: Option<&str>) -> Result<(Contact, bool)> {
        let body = NewContact {
            location_id: self.location_id().to_owned(),
            fields: fields.clone(),
            company_name: company_name.map(str::to_owned),
            create_new_if_duplicate_allowed: Some(false),
        };
        let envelope: UpsertEnvelope = self.call_repeatable("/contacts/upsert", json(&body)?, "contact").await?;
        Ok((envelope.contact.ok_or_else(|| missing("contact"))?, envelope.new.unwrap_or(false)))
    }

    /// `POST /contacts/search`, one page. Pass the previous page's `next` to continue past 10 000 results.
    pub async fn search_contacts(&self, query: Option<&str>, page_limit: u32, after: Option<PageCursor>) -> Result<ContactPage> {
        let page_limit = page_limit.clamp(1, MAX_SEARCH_PAGE);
        let search_after = match after {
            None => None,
            Some(PageCursor::SearchAfter(cursor)) => Some(cursor),
            Some(PageCursor::StartAfter { .. }) => return Err(Error::internal("a list cursor cannot continue a search")),
        };
        let body = SearchInput {
            location_id: self.location_id().to_owned(),
            page_limit,
            page: if search_after.is_none() { Some(1) } else { None },
            search_after,
            query: query.map(|q| q.chars().take(75).collect()),
            filters: Vec::new(),
        };
        let envelope: SearchEnvelope = self.call_repeatable("/contacts/search", json(&body)?, "contact").await?;
        let contacts = envelope.contacts.unwrap_or_default();
        let next = (contacts.len() as u32 == page_limit)
            .then(|| contacts.last().and_then(|last| last.search_after.clone()).map(PageCursor::SearchAfter))
            .flatten();
        Ok(ContactPage { contacts, total: envelope.total, next })
    }

    /// `POST /contacts/search` with one `eq` filter (`email` or `phone`): every contact with that value, up to
    /// `limit` — unlike the duplicate lookup, which answers one contact even when several share it.
    pub async fn contacts_where(&self, field: &'static str, value: &str, limit: u32) -> Result<Vec<Contact>> {
        let body = SearchInput {
            location_id: self.location_id().to_owned(),
            page_limit: limit.clamp(1, MAX_SEARCH_PAGE),
            page: Some(1),
            search_after: None,
            query: None,
            filters: vec![SearchFilter { field, operator: "eq", value: value.chars().take(75).collect() }],
        };
        let envelope: SearchEnvelope = self.call_repeatable("/contacts/search", json(&body)?, "contact").await?;
        Ok(envelope.contacts.unwrap_or_default())
    }

    /// `GET /contacts/` (deprecated), one page. Every page carries `locationId` again: GHL answers 403 to a
    /// page without it, which is how other tools lose everything after the first 100 contacts.
    pub async fn list_contacts(&self, query: Option<&str>, limit: u32, after: Option<PageCursor>) -> Result<ContactPage> {
        let limit = limit.clamp(1, MAX_LIST_PAGE).to_string();
        let mut pairs: Vec<(&str, String)> = vec![("locationId", self.location_id().to_owned()), ("limit", limit.clone())];
        if let Some(query) = query {
            pairs.push(("query", query.to_owned()));
        }
        match after {
            None => {}
            Some(PageCursor::StartAfter { id, timestamp }) => {
                pairs.push(("startAfterId", id));
                if let Some(timestamp) = timestamp {
                    pairs.push(("startAfter", timestamp.to_string()));
                }
            }
            Some(PageCursor::SearchAfter(_)) => return Err(Error::internal("a search cursor cannot continue a list")),
        }
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let path = format!("/contacts/{}", query_string(&borrowed));
        let envelope: ListEnvelope = self.call(Method::Get, &path, None, "contact").await?;
        let contacts = envelope.contacts.unwrap_or_default();
        let meta = envelope.meta.unwrap_or_default();
        let full = contacts.len().to_string() == limit;
        let next = match (full, meta.start_after_id) {
            (true, Some(id)) if !id.is_empty() => Some(PageCursor::StartAfter { id, timestamp: meta.start_after }),
            _ => None,
        };
        Ok(ContactPage { contacts, total: meta.total.or(envelope.count), next })
    }

    /// `GET /contacts/business/{businessId}`: the contacts of one business, `skip` from the start.
    pub async fn contacts_of_business(&self, business_id: &str, limit: u32, skip: u32) -> Result<ContactPage> {
        let (limit, skip) = (limit.clamp(1, MAX_LIST_PAGE).to_string(), skip.to_string());
        let query = query_string(&[("locationId", self.location_id()), ("limit", &limit), ("skip", &skip)]);
        let path = format!("/contacts/business/{}{query}", path_segment(business_id)?);
        let envelope: ListEnvelope = self.call(Method::Get, &path, None, "business").await?;
        let contacts = envelope.contacts.unwrap_or_default();
        Ok(ContactPage { total: envelope.count, next: None, contacts })
    }
}
