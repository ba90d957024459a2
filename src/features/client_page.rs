//! A host page of a company that lists its people (a commonsku client): each person read from the page with its
//! GHL state — linked, one match, several candidates, not in GHL — and the other GHL contacts of the businesses
//! they belong to. Every person is matched at once; the businesses follow in one more round. The list is loaded
//! again when the page's list changes, not on a timer: matching every person costs two requests each.

use crate::features::panel::{self, ContactSummary};
use crate::hosts::{HostRecord, RecordInput};
use crate::links::{self, Link};
use crate::outbox::Ctx;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, Result};
use crate::platform::http::Transport;
use crate::platform::join::join_all;
use crate::platform::store::Store;
use serde::Serialize;

/// Most people one client page may list: more is a page planting rows.
pub const MAX_PEOPLE: usize = 50;
/// Businesses whose other contacts are listed: the first few the matched contacts name.
const MAX_BUSINESSES: usize = 3;

/// The panel of a client page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientView {
    /// The list's name ("Contacts").
    pub heading: &'static str,
    /// One line for the agent: how many people and their states.
    pub summary: String,
    pub people: Vec<Person>,
    /// "In GHL, not on this client": other GHL contacts of the businesses the people belong to.
    pub others_heading: &'static str,
    pub others: Vec<ContactSummary>,
    /// The control on each of `others` ("Fill a new commonsku contact") and what the panel says once chosen.
    pub fill_label: String,
    pub fill_hint: String,
}

/// A person the page lists, with its GHL state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The person's own record id, when the page links to it: the panel can then open the person's view.
    pub record_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub position: Option<String>,
    /// `linked`, `unlinked`, `match`, `candidates`, `none`, `unreadable` or `failed` (its message says why).
    pub state: &'static str,
    /// The state in words ("Linked", "3 possible GHL contacts — choose").
    pub state_label: String,
    /// The GHL contact when exactly one is known (linked or one match).
    pub contact: Option<ContactSummary>,
    /// The control that opens the person's view, when it can be opened.
    pub open_label: Option<&'static str>,
}

/// What one person's lookup found.
/// Clients with at most this many people are matched in one round: at four requests each they stay inside GHL's
/// burst of 100 requests per 10 seconds.
const MATCH_AT_ONCE_UP_TO: usize = 12;

enum Found {
    Linked(Link),
    Unlinked,
    Matches(panel::Matches),
    Unreadable,
    Failed(Error),
}

/// The client page's people with their GHL states. `people` are the rows as read, each a contact record (its
/// `recordId` empty when the page does not link to the person).
pub async fn load<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    page: &HostRecord,
    people: Vec<HostRecord>,
    own_ids: Vec<bool>,
) -> Result<ClientView> {
    let store = client.store();
    let at_once = people.len() <= MATCH_AT_ONCE_UP_TO;
    let lookups = people.iter().zip(&own_ids).map(|(person, own_id)| async move {
        if *own_id {
            match links::find(store, person, client.location_id()).await {
                Ok(Some(link)) if link.contact_id.is_none() => return Found::Unlinked,
                Ok(Some(link)) if link.evidence_holds(person) != Some(false) => return Found::Linked(link),
                _ => {}
            }
        }
        if person.email.is_none() && person.phones().is_empty() {
            return Found::Unreadable;
        }
        // A page of a few people is matched in one round (email and phone together); a long one email first, so
        // the location's burst budget is not spent on phone lookups an email match makes unneeded.
        let found = if at_once { panel::matches_at_once(client, person).await } else { panel::matches(client, person).await };
        match found {
            Ok(found) => Found::Matches(found),
            Err(error) => Found::Failed(error),
        }
    });
    // Businesses already known from stored links load in the same round as the matches.
    let found = join_all(lookups.collect()).await;
    let mut businesses: Vec<String> = Vec::new();
    for item in &found {
        let business = match item {
            Found::Linked(link) => link.business_id.clone(),
            Found::Matches(matches) if matches.contacts.len() == 1 => matches.contacts[0].contact.business_id.clone(),
            _ => None,
        };
        if let Some(business) = business.filter(|id| !businesses.contains(id)) {
            businesses.push(business);
        }
    }
    businesses.truncate(MAX_BUSINESSES);
    let pages = join_all(businesses.iter().map(|id| client.contacts_of_business(id, 50, 0)).collect()).await;

    let mut people_out = Vec::new();
    let mut known_ids: Vec<String> = Vec::new();
    let mut counts = [0usize; 4]; // linked, match, candidates, none
    for ((person, own_id), item) in people.iter().zip(&own_ids).zip(found) {
        let (state, state_label, contact) = match item {
            Found::Linked(link) => {
                counts[0] += 1;
                let id = link.contact_id.clone().unwrap_or_default();
                known_ids.push(id.clone());
                let summary = ContactSummary {
                    id,
                    name: person.name.clone().unwrap_or_default(),
                    email: person.email.clone(),
                    phone: None,
                    business_id: link.business_id,
                };
                ("linked", "Linked".to_owned(), Some(summary))
            }
            Found::Unlinked => ("unlinked", "Unlinked — not matched automatically".to_owned(), None),
            Found::Matches(mut matches) => match matches.contacts.len() {
                0 => {
                    counts[3] += 1;
                    ("none", "Not in GHL".to_owned(), None)
                }
                1 => {
                    counts[1] += 1;
                    let only = matches.contacts.remove(0).contact;
                    known_ids.push(only.id.clone());
                    ("match", "One match in GHL".to_owned(), Some(only))
                }
                several => {
                    counts[2] += 1;
                    known_ids.extend(matches.contacts.iter().map(|found| found.contact.id.clone()));
                    ("candidates", format!("{several} possible GHL contacts — choose"), None)
                }
            },
            Found::Unreadable => ("unreadable", "No email or phone on the page".to_owned(), None),
            Found::Failed(error) => ("failed", error.message.clone(), None),
        };
        people_out.push(Person {
            record_id: own_id.then(|| person.record_id.clone()),
            name: person.name.clone().unwrap_or_else(|| "(no name on the page)".to_owned()),
            email: person.email.clone(),
            phone: person.phones().into_iter().next(),
            position: person.position.clone(),
            state,
            state_label,
            contact,
            open_label: own_id.then_some("Open"),
        });
    }
    let emails: Vec<&str> = people.iter().filter_map(|person| person.email.as_deref()).collect();
    let mut others: Vec<ContactSummary> = Vec::new();
    // Colleagues are a nicety: a business that fails to load is left out.
    for page in pages.into_iter().flatten() {
        for other in page.contacts.into_iter().filter_map(ContactSummary::from_contact) {
            let on_page = known_ids.contains(&other.id)
                || other.email.as_deref().is_some_and(|email| emails.iter().any(|known| known.eq_ignore_ascii_case(email)));
            if !on_page && !others.iter().any(|known| known.id == other.id) {
                others.push(other);
            }
        }
    }
    let noun = page.host.spec.record_kind(Some("contact")).map_or("contact", |kind| kind.noun);
    let total = people_out.len();
    let summary = format!(
        "{total} {noun}{}: {} linked, {} with one match, {} with several, {} not in GHL",
        if total == 1 { "" } else { "s" },
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    Ok(ClientView {
        heading: "Contacts",
        summary,
        people: people_out,
        others_heading: "In GHL, not on this client",
        others,
        fill_label: format!("Fill a new {} {noun}", page.host.spec.name),
        fill_hint: format!(
            "Open \u{201c}Add Contact\u{201d} in {}, then use \u{201c}Fill from GHL\u{201d}: this contact is offered first.",
            page.host.spec.name
        ),
    })
}

/// The people of a client page as records: each row read from the page is a contact of the page's host; a row
/// without its own id borrows the page's (it can be matched but not linked). Returns the records and whether each
/// has its own id.
pub fn people_records(page: &HostRecord, rows: Vec<RecordInput>, phone_country: &'static str) -> Result<(Vec<HostRecord>, Vec<bool>)> {
    if rows.len() > MAX_PEOPLE {
        return Err(Error::invalid_message(format!("A page lists at most {MAX_PEOPLE} people.")));
    }
    let mut records = Vec::new();
    let mut own = Vec::new();
    for mut row in rows {
        row.host = page.host.hostname.clone();
        row.app = Some(page.host.spec.app.to_owned());
        let has_own = !row.record_id.trim().is_empty();
        if !has_own {
            row.record_id = page.record_id.clone();
        }
        records.push(HostRecord::from_input_in(row, phone_country)?);
        own.push(has_own);
    }
    Ok((records, own))
}
