//! The panel shown inside a host record: which GHL contact it is, as a view model the content script
//! draws without deciding anything.

use crate::error::{Error, ErrorCode, Result};
use crate::ghl::models::Contact;
use crate::ghl::{DuplicateKey, GhlClient};
use crate::host::HostRecord;
use crate::clock::Clock;
use crate::http::Transport;
use crate::store::Store;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum PanelView {
    /// The record's GHL contact.
    #[serde(rename_all = "camelCase")]
    Matched { contact: ContactView, matched_by: MatchedBy },
    /// GHL has no contact for what the record shows; `searched` says what was tried, for the agent.
    #[serde(rename_all = "camelCase")]
    Unmatched { searched: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MatchedBy {
    Email,
}

/// What the panel shows of a contact. Text only: the content script renders it with `textContent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub tags: Vec<String>,
}

impl ContactView {
    fn from_contact(contact: Contact) -> Result<Self> {
        let name = contact.display_name().unwrap_or_else(|| "(no name in GHL)".to_owned());
        let id = contact
            .id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::new(ErrorCode::BadResponse, "GHL sent a contact without an id."))?;
        Ok(Self {
            id,
            name,
            email: contact.email,
            phone: contact.phone,
            company_name: contact.company_name,
            tags: contact.tags.unwrap_or_default(),
        })
    }
}

/// Finds the record's contact: duplicate lookup by email, then the full contact.
pub async fn load(client: &GhlClient<'_, impl Transport, impl Store, impl Clock>, record: &HostRecord) -> Result<PanelView> {
    let Some(email) = record.email.as_deref() else {
        return Err(Error::new(
            ErrorCode::NoIdentity,
            "This customer record shows no email address, so it cannot be matched to a GHL contact. Add an email to the customer in Commusoft and reopen the record.",
        ));
    };
    match client.find_duplicate(DuplicateKey::Email(email)).await? {
        None => Ok(PanelView::Unmatched { searched: vec![format!("email {email}")] }),
        Some(candidate) => {
            let id = candidate.id.unwrap_or_default();
            let contact = client.get_contact(&id).await?;
            Ok(PanelView::Matched { contact: ContactView::from_contact(contact)?, matched_by: MatchedBy::Email })
        }
    }
}
