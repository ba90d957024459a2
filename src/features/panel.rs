//! The panel shown inside a host record: which GHL contact it is, and the contact's notes, tasks and
//! appointments, sorted and ready to draw. The content script renders this without deciding anything.

use crate::ghl::models::{Appointment, Contact, Note, Task, User};
use crate::ghl::DuplicateKey;
use crate::hosts::phone::to_e164;
use crate::hosts::HostRecord;
use crate::links::{self, Link, MatchedBy};
use crate::outbox::Ctx;
use crate::platform::clock::Clock;
use crate::platform::dates::parse_timestamp;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::{encode_component, Transport};
use crate::platform::join::join;
use crate::platform::json::{FromJson, Json, JsonError, JsonResult};
use crate::platform::store::{self, Store};
use serde::Serialize;

/// Where an agent opens a contact in GHL.
const GHL_APP: &str = "https://app.gohighlevel.com";

/// The contact's page in GHL's own app.
pub fn ghl_contact_url(location_id: &str, contact_id: &str) -> String {
    format!("{GHL_APP}/v2/location/{}/contacts/detail/{}", encode_component(location_id), encode_component(contact_id))
}

/// How long the location's user names are reused before asking GHL again.
const USERS_TTL_MS: u64 = 24 * 3_600_000;

// One view is built per message and serialized at once, never held in numbers: boxing the matched view would only
// add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum PanelView {
    /// The record's GHL contact with everything the panel shows.
    #[serde(rename_all = "camelCase")]
    Matched {
        contact: ContactView,
        matched_by: MatchedBy,
        ghl_url: String,
        notes: Vec<NoteView>,
        tasks: Vec<TaskView>,
        appointments: Vec<AppointmentView>,
        /// Other contacts of the same business.
        colleagues: Vec<ContactSummary>,
        /// This record's edits stored in the outbox: waiting to be sent, or failed and waiting for the agent.
        outbox: Vec<WaitingEdit>,
        /// Hosts that show one contact history (commonsku): the notes and appointments together, newest first.
        /// The panel then draws "History" instead of separate notes and appointments.
        #[serde(skip_serializing_if = "Option::is_none")]
        history: Option<Vec<HistoryEntry>>,
        /// Sections switched off in Options (`notes`, `tasks`, `appointments`, `tags`, `colleagues`): not drawn.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        sections_off: Vec<&'static str>,
        /// The locale the panel shows dates in (the host's; none: the browser's).
        #[serde(skip_serializing_if = "Option::is_none")]
        locale: Option<&'static str>,
        /// The location's time zone, which GHL's zoneless appointment times are in (none before "Test connection"
        /// has read it): the panel names it when it is not the agent's.
        #[serde(skip_serializing_if = "Option::is_none")]
        location_time_zone: Option<String>,
        /// While the panel is visible, load again after this many seconds (changes made in GHL show without a
        /// reload); never while the tab is hidden.
        #[serde(skip_serializing_if = "Option::is_none")]
        refresh_every_secs: Option<u32>,
    },
    /// No link yet (or the agent unlinked): what was searched, contacts that could be the one, and what a new
    /// contact would be created with.
    #[serde(rename_all = "camelCase")]
    Unmatched {
        searched: Vec<String>,
        candidates: Vec<ContactSummary>,
        unlinked: bool,
        prefill: Prefill,
        /// What the panel says first ("Several GHL contacts could be this customer — pick one.").
        intro: String,
        /// Edits of this record still stored: those made for a contact of another location (held since the
        /// Location ID changed), or while it was linked.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        outbox: Vec<WaitingEdit>,
    },
}

/// An edit of this record the outbox still holds, as the panel lists it: the stored edit, and the words and
/// choices the panel draws for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingEdit {
    #[serde(flatten)]
    pub item: crate::outbox::OutboxItem,
    /// What it is ("New note", "Commusoft note").
    pub label: String,
    /// What it holds, in one line.
    pub summary: String,
    /// Where it stands ("Waiting to be sent", "GHL refused this: …").
    pub state: String,
    /// What GHL has now, on a conflict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theirs: Option<String>,
    /// The buttons it offers, in order: `retry`, `discard`, or a conflict's `mine`, `theirs`, `merge`, `recreate`.
    pub choices: Vec<EditChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditChoice {
    pub choice: &'static str,
    pub label: &'static str,
}

impl WaitingEdit {
    /// `held_in`: the other GHL location the edit was made in, when the Location ID changed since (it is not sent).
    pub fn of(item: crate::outbox::OutboxItem, host_name: &str, held_in: Option<&str>) -> Self {
        let edit = crate::features::edit::Edit::of(&item).ok();
        let label = edit.as_ref().map_or_else(|| item.op.clone(), |edit| edit.label(host_name));
        let summary = item
            .title
            .clone()
            .or_else(|| item.body.clone())
            .or_else(|| item.tags.as_ref().map(|tags| tags.join(", ")))
            .or_else(|| {
                item.fields.as_ref().map(|fields| fields.iter().map(|f| format!("{}: {}", f.label, f.value)).collect::<Vec<_>>().join(", "))
            })
            .unwrap_or_default();
        let choice = |choice, label| EditChoice { choice, label };
        let (state, theirs, choices) = match (held_in, &item.failure) {
            (Some(other), _) => (crate::outbox::held_error(other).message.clone(), None, vec![choice("discard", "Discard")]),
            (None, None) => ("Waiting to be sent".to_owned(), None, vec![choice("retry", "Send now"), choice("discard", "Discard")]),
            (None, Some(failure)) if failure.code == "conflict" && failure.deleted => {
                (failure.message.clone(), None, vec![choice("recreate", "Send as new"), choice("discard", "Discard")])
            }
            (None, Some(failure)) if failure.code == "conflict" => {
                let mut choices = vec![choice("mine", "Keep mine"), choice("theirs", "Keep GHL's")];
                if edit.as_ref().is_some_and(crate::features::edit::Edit::merges) {
                    choices.push(choice("merge", "Merge"));
                }
                let theirs = failure.theirs.as_ref().map(|theirs| theirs.body.clone().or_else(|| theirs.title.clone()).unwrap_or_default());
                (failure.message.clone(), theirs, choices)
            }
            (None, Some(failure)) => {
                let state = if failure.retryable {
                    format!("Will be sent automatically ({})", failure.message)
                } else {
                    format!("GHL refused this: {}", failure.message)
                };
                (state, None, vec![choice("retry", "Send now"), choice("discard", "Discard")])
            }
        };
        Self { item, label, summary, state, theirs, choices }
    }
}

/// One entry of a contact's history: a note (editable in place) or an appointment, with what marks it and its date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// `note` or `appointment`.
    pub kind: &'static str,
    /// What marks the entry for the agent ("Note", "Appointment").
    pub mark: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<NoteView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentView>,
}

/// Notes and appointments as one list, newest first (an appointment by its start, a note by when it was written);
/// undated entries last.
pub fn history(notes: &[NoteView], appointments: &[AppointmentView]) -> Vec<HistoryEntry> {
    let entries: Vec<(i64, HistoryEntry)> = notes
        .iter()
        .map(|note| {
            (
                newest_first(note.date_added.as_deref()),
                HistoryEntry { kind: "note", mark: "Note", note: Some(note.clone()), appointment: None },
            )
        })
        .chain(appointments.iter().map(|appointment| {
            let entry = HistoryEntry { kind: "appointment", mark: "Appointment", note: None, appointment: Some(appointment.clone()) };
            (newest_first(appointment.start_time.as_deref()), entry)
        }))
        .collect();
    sort_by_rank(entries, |(rank, _)| (0, *rank)).into_iter().map(|(_, entry)| entry).collect()
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
    pub business_id: Option<String>,
    pub tags: Vec<String>,
}

/// A contact in a list (candidates, search results, colleagues).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Known from the lookup, so the colleagues load in the same round as the contact.
    #[serde(skip)]
    pub business_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prefill {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    pub id: String,
    pub title: Option<String>,
    pub body: String,
    pub author: Option<String>,
    /// ISO 8601; the panel shows it in the agent's locale.
    pub date_added: Option<String>,
    pub pinned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub id: String,
    pub title: String,
    pub body: Option<String>,
    /// UTC ISO 8601; the panel shows it in local time.
    pub due_date: Option<String>,
    pub completed: bool,
    pub overdue: bool,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentView {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD HH:MM:SS` in the location's time zone, as GHL sends it.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub status: Option<String>,
    pub upcoming: bool,
}

impl ContactView {
    pub fn from_contact(contact: Contact) -> Result<Self> {
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
            business_id: contact.business_id.filter(|id| !id.is_empty()),
            tags: contact.tags.unwrap_or_default(),
        })
    }
}

impl ContactSummary {
    pub fn from_contact(contact: Contact) -> Option<Self> {
        let name = contact.display_name().unwrap_or_else(|| "(no name in GHL)".to_owned());
        Some(Self {
            id: contact.id.filter(|id| !id.is_empty())?,
            name,
            email: contact.email,
            phone: contact.phone,
            business_id: contact.business_id.filter(|id| !id.is_empty()),
        })
    }
}

/// A user's display name by id, from the location's users.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserNames {
    fetched_at_ms: u64,
    /// `[id, name]` pairs.
    names: Vec<(String, String)>,
}

impl FromJson for UserNames {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the stored user names")?;
        let pair = |item: &Json| match item {
            Json::Array(pair) => match pair.as_slice() {
                [Json::String(id), Json::String(name)] => Ok((id.clone(), name.clone())),
                _ => Err(JsonError::Shape("a stored user name should be [id, name]".to_owned())),
            },
            _ => Err(JsonError::Shape("a stored user name should be [id, name]".to_owned())),
        };
        let names = match fields.get("names") {
            Some(Json::Array(items)) => items.iter().map(pair).collect::<JsonResult<_>>()?,
            _ => Vec::new(),
        };
        fields.finish(Self { fetched_at_ms: fields.count("fetchedAtMs").unwrap_or(0), names })
    }
}

impl UserNames {
    fn from_users(users: Vec<User>, now_ms: u64) -> Self {
        let names = users
            .into_iter()
            .filter_map(|user| {
                let id = user.id?;
                let joined = [user.first_name, user.last_name].into_iter().flatten().collect::<Vec<_>>().join(" ");
                let name = user.name.filter(|n| !n.trim().is_empty()).or((!joined.trim().is_empty()).then_some(joined))?;
                Some((id, name))
            })
            .collect();
        Self { fetched_at_ms: now_ms, names }
    }

    fn name_of(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        self.names.iter().find(|(user, _)| user == id).map(|(_, name)| name.clone())
    }
}

/// The contact a record shows: its stored link, else a match by email, then by phone. A match is taken only when
/// exactly one GHL contact has the record's email (or, without one, its phone); several are offered to the agent.
pub async fn load<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<PanelView> {
    let mut view = find_and_load(client, record).await?;
    if let PanelView::Unmatched { outbox, .. } = &mut view {
        *outbox = waiting_edits(client, record).await;
    }
    Ok(view)
}

async fn find_and_load<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<PanelView> {
    let store = client.store();
    match links::find(store, record, client.location_id()).await? {
        Some(link @ Link { contact_id: Some(_), .. }) => {
            let contact_id = link.contact_id.clone().unwrap_or_default();
            let holds = link.evidence_holds(record);
            if holds != Some(false) {
                let loaded =
                    load_contact(client, record, &contact_id, link.matched_by, link.business_id.clone(), link.evidence.clone()).await;
                match loaded {
                    // Deleted (or merged away) in GHL: forget the link and match again.
                    Err(error) if error.code == ErrorCode::NotFound => {}
                    // A link stored before evidence was kept: it holds while the contact has the record's email or phone.
                    Ok(PanelView::Matched { ref contact, .. }) if holds.is_none() && !shows_contact(record, contact) => {}
                    other => return other,
                }
            }
            // The page no longer shows what the automatic match was made from: match again.
            links::remove(store, record).await?;
            links::forget_view(store, record).await?;
        }
        Some(Link { contact_id: None, .. }) => return unmatched(client, record, true).await,
        None => {}
    }
    let found = matches(client, record).await?;
    match found.contacts.as_slice() {
        [only] => {
            let (id, business) = (only.contact.id.clone(), only.contact.business_id.clone());
            load_contact(client, record, &id, only.matched_by, business, Some(only.evidence.clone())).await
        }
        _ => Ok(unmatched_view(record, found, false)),
    }
}

/// Whether the record shows the contact's email or one of its phone numbers.
fn shows_contact(record: &HostRecord, contact: &ContactView) -> bool {
    let email = contact.email.as_deref().and_then(crate::hosts::record::normalise_email);
    let phone = contact.phone.as_deref().and_then(|phone| to_e164(phone, record.phone_country));
    (email.is_some() && email == record.email) || phone.is_some_and(|phone| record.phones().contains(&phone))
}

/// The unmatched view after an unlink: the automatic matches are offered, not taken.
async fn unmatched<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord, unlinked: bool) -> Result<PanelView> {
    let found = matches(client, record).await?;
    Ok(unmatched_view(record, found, unlinked))
}

/// The unmatched view of what matching found, with the words it opens with.
pub fn unmatched_view(record: &HostRecord, found: Matches, unlinked: bool) -> PanelView {
    let noun = record.kind.noun;
    let intro = match found.contacts.len() {
        _ if unlinked => format!("You unlinked this {noun} from GHL."),
        0 => format!("No GHL contact matches this {noun}."),
        1 => format!("A GHL contact could be this {noun} — link it if it is."),
        _ => format!("Several GHL contacts could be this {noun} — pick one."),
    };
    PanelView::Unmatched {
        searched: found.searched,
        candidates: found.contacts.into_iter().map(|found| found.contact).collect(),
        unlinked,
        prefill: prefill(record),
        intro,
        outbox: Vec::new(),
    }
}

/// A GHL contact that has the record's email or phone.
pub struct Match {
    pub contact: ContactSummary,
    pub matched_by: MatchedBy,
    /// `email:…` or `phone:…`: what the link would be made from (see [`Link::evidence`]).
    pub evidence: String,
}

/// What was searched for and every contact found.
pub struct Matches {
    pub searched: Vec<String>,
    pub contacts: Vec<Match>,
}

/// Adds the contacts `keep` accepts, each once.
fn add(contacts: &mut Vec<Match>, found: Vec<Contact>, matched_by: MatchedBy, evidence: &str, keep: &dyn Fn(&Contact) -> bool) {
    for contact in found.into_iter().filter(|contact| keep(contact)) {
        if let Some(summary) = ContactSummary::from_contact(contact) {
            if !contacts.iter().any(|known| known.contact.id == summary.id) {
                contacts.push(Match { contact: summary, matched_by, evidence: evidence.to_owned() });
            }
        }
    }
}

/// Most contacts asked for per search: more sharing one email is a data problem the agent sorts out by hand.
const MATCH_PAGE: u32 = 20;

/// Every GHL contact with the record's email — by search *and* the duplicate lookup, which answers one contact
/// even when several share it (and search lags writes by seconds) — or, with none, with each of its phones.
pub async fn matches<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<Matches> {
    find_matches(client, record, false).await
}

/// [`matches`] with the phone lookups sent together with the email's: one round trip instead of two, for a page
/// that lists a few people (the phone answers are unused when the email matches, so it costs requests).
pub async fn matches_at_once<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<Matches> {
    find_matches(client, record, true).await
}

async fn find_matches<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord, at_once: bool) -> Result<Matches> {
    if record.email.is_none() && record.phones().is_empty() {
        return Err(Error::new(
            ErrorCode::NoIdentity,
            "This customer record shows no email address or phone number, so it cannot be matched automatically. Use \"Link existing\" to find the GHL contact, or point at the email in \"What was read from this page\".",
        ));
    }
    let mut searched = Vec::new();
    let (by_email, early_phones) = match record.email.as_deref() {
        Some(email) if at_once => {
            let (by_email, by_phones) = join(by_email(client, email), by_phones(client, record)).await;
            (Some(by_email), Some(by_phones))
        }
        Some(email) => (Some(by_email(client, email).await), None),
        None => (None, None),
    };
    if let (Some(email), Some(found)) = (record.email.as_deref(), by_email) {
        searched.push(format!("email {email}"));
        let contacts = found?;
        if !contacts.is_empty() {
            return Ok(Matches { searched, contacts });
        }
    }
    searched.extend(record.phones().iter().map(|phone| format!("phone {phone}")));
    let contacts = match early_phones {
        Some(found) => found?,
        None => by_phones(client, record).await?,
    };
    Ok(Matches { searched, contacts })
}

async fn by_email<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, email: &str) -> Result<Vec<Match>> {
    let mut contacts = Vec::new();
    let (listed, duplicate) =
        join(client.contacts_where("email", email, MATCH_PAGE), client.find_duplicate(DuplicateKey::Email(email))).await;
    // Search may answer loosely: only contacts whose email is the record's (or that do not say) count.
    let same_email = |contact: &Contact| contact.email.as_deref().is_none_or(|other| other.eq_ignore_ascii_case(email));
    add(&mut contacts, duplicate?.into_iter().collect(), MatchedBy::Email, &format!("email:{email}"), &same_email);
    add(&mut contacts, listed?, MatchedBy::Email, &format!("email:{email}"), &same_email);
    Ok(contacts)
}

async fn by_phones<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Result<Vec<Match>> {
    let mut contacts = Vec::new();
    let country = record.phone_country;
    for phone in record.phones() {
        let (listed, duplicate) =
            join(client.contacts_where("phone", &phone, MATCH_PAGE), client.find_duplicate(DuplicateKey::Phone(&phone))).await;
        let same_phone =
            |contact: &Contact| contact.phone.as_deref().is_none_or(|other| to_e164(other, country).as_deref() == Some(phone.as_str()));
        add(&mut contacts, duplicate?.into_iter().collect(), MatchedBy::Phone, &format!("phone:{phone}"), &same_phone);
        // GHL's phone filter has been seen to miss contacts (the duplicate lookup covers them); a failed search
        // only loses the extra candidates.
        if let Ok(listed) = listed {
            add(&mut contacts, listed, MatchedBy::Phone, &format!("phone:{phone}"), &same_phone);
        }
    }
    Ok(contacts)
}

/// What a new GHL contact would be created with. Titles ("Mrs") are not part of a GHL name.
pub fn prefill(record: &HostRecord) -> Prefill {
    let (first_name, last_name) = record.name_parts();
    Prefill { first_name, last_name, email: record.email.clone(), phone: record.phones().into_iter().next() }
}

/// Links the record to the contact (if not yet) and loads everything the panel shows, in one parallel round.
pub async fn load_contact<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    record: &HostRecord,
    contact_id: &str,
    matched_by: MatchedBy,
    known_business: Option<String>,
    evidence: Option<String>,
) -> Result<PanelView> {
    let store = client.store();
    let now_ms = client.now_ms();
    let users_key = users_key(client.location_id());
    let cached_users: Option<UserNames> = store::read(store, &users_key).await.ok().flatten();
    let users_fresh = cached_users.as_ref().is_some_and(|users| users.fetched_at_ms + USERS_TTL_MS > now_ms);
    // Sections switched off in Options for this host app are neither drawn nor asked of GHL.
    let preferences = crate::features::preferences::Preferences::load(store).await?;
    let app = record.host.spec.app;
    let on = |section: &str| preferences.section_on(app, section);
    let sections_off: Vec<&'static str> =
        crate::features::preferences::PANEL_SECTIONS.iter().map(|(id, _)| *id).filter(|section| !on(section)).collect();

    let contact_and_notes = join(client.get_contact(contact_id), when(on("notes"), client.list_notes(contact_id)));
    let users = async {
        if users_fresh || !(on("notes") || on("tasks")) {
            None
        } else {
            // Names are a nicety: without users.readonly the panel shows no author names.
            client.list_users().await.ok()
        }
    };
    let business = async {
        match known_business.as_deref().filter(|_| on("colleagues")) {
            Some(business_id) => Some(client.contacts_of_business(business_id, 50, 0).await),
            None => None,
        }
    };
    let rest = join(
        join(when(on("tasks"), client.list_tasks(contact_id)), when(on("appointments"), client.list_appointments(contact_id))),
        join(users, business),
    );
    let ((contact, notes), ((tasks, appointments), (fetched_users, business))) = join(contact_and_notes, rest).await;

    let contact = ContactView::from_contact(contact?)?;
    let users = match fetched_users {
        Some(users) => {
            let names = UserNames::from_users(users, now_ms);
            store::write(store, &users_key, &names).await?;
            names
        }
        None => cached_users.unwrap_or_default(),
    };
    // First visit to a contact with a business: its colleagues need the business id we only now know.
    let business = match (business, contact.business_id.as_deref().filter(|_| on("colleagues"))) {
        (Some(found), Some(id)) if known_business.as_deref() == Some(id) => Some(found),
        (_, Some(id)) => Some(client.contacts_of_business(id, 50, 0).await),
        (_, None) => None,
    };
    let colleagues = match business {
        // Colleagues are a nicety too: a failure here does not hide the contact.
        Some(Ok(page)) => {
            page.contacts.into_iter().filter_map(ContactSummary::from_contact).filter(|other| other.id != contact.id).collect()
        }
        _ => Vec::new(),
    };
    // A link stored before evidence was kept gets it now, from what the record and the contact share.
    let evidence = evidence.or_else(|| match matched_by {
        MatchedBy::Email => record.email.as_ref().filter(|_| shows_contact(record, &contact)).map(|email| format!("email:{email}")),
        MatchedBy::Phone => {
            record.phones().into_iter().next().filter(|_| shows_contact(record, &contact)).map(|phone| format!("phone:{phone}"))
        }
        _ => None,
    });
    let link = Link {
        contact_id: Some(contact.id.clone()),
        matched_by,
        business_id: contact.business_id.clone(),
        linked_at_ms: now_ms,
        evidence,
        location_id: Some(client.location_id().to_owned()),
    };
    links::save(store, record, &link).await?;
    crate::links::remember(client.store(), &client.locks.storage, record, &link, client.now_ms()).await?;
    let notes = note_views(notes.transpose()?.unwrap_or_default(), &users);
    let appointments = appointment_views(appointments.transpose()?.unwrap_or_default(), now_ms);
    let mut contact = contact;
    if !on("tags") {
        contact.tags.clear();
    }
    let capabilities = &record.host.spec.capabilities;
    let view = PanelView::Matched {
        history: capabilities.unified_history.then(|| history(&notes, &appointments)),
        refresh_every_secs: capabilities.live_refresh_secs,
        locale: record.host.locale(),
        location_time_zone: crate::features::location_facts::load(store, client.location_id()).await.time_zone,
        ghl_url: ghl_contact_url(client.location_id(), &contact.id),
        notes,
        tasks: task_views(tasks.transpose()?.unwrap_or_default(), &users, now_ms),
        sections_off,
        appointments,
        colleagues,
        contact,
        matched_by,
        outbox: waiting_edits(client, record).await,
    };
    let json = crate::platform::json::write(&view, "the panel")?;
    links::save_view(store, &client.locks.storage, record, json).await;
    Ok(view)
}

/// `request`'s answer when `wanted`; otherwise it is never sent (futures do nothing until awaited).
async fn when<F: std::future::Future>(wanted: bool, request: F) -> Option<F::Output> {
    match wanted {
        true => Some(request.await),
        false => None,
    }
}

/// The record's edits the outbox still holds, as the panel lists them.
async fn waiting_edits<T: Transport, S: Store, C: Clock>(client: &Ctx<'_, T, S, C>, record: &HostRecord) -> Vec<WaitingEdit> {
    let store = client.store();
    let scope = crate::links::LocationScope::load(store, client.location_id()).await;
    let waiting = crate::outbox::of_record(store, &record.host.hostname, &record.record_id).await.unwrap_or_default();
    waiting
        .into_iter()
        .map(|item| {
            let held_in = item.held_in(&scope).map(str::to_owned);
            WaitingEdit::of(item, record.host.spec.name, held_in.as_deref())
        })
        .collect()
}

pub fn users_key(location_id: &str) -> String {
    format!("users:{location_id}")
}

/// The user names saved by the last panel load (none before one).
async fn saved_user_names(store: &impl Store, location_id: &str) -> UserNames {
    store::read(store, &users_key(location_id)).await.ok().flatten().unwrap_or_default()
}

/// The contact's notes as the panel lists them after an edit: `listed` when the edit already read them, else
/// read fresh.
pub async fn notes_of<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    contact_id: &str,
    listed: Option<Vec<Note>>,
) -> Result<Vec<NoteView>> {
    let notes = match listed {
        Some(notes) => notes,
        None => client.list_notes(contact_id).await?,
    };
    Ok(note_views(notes, &saved_user_names(client.store(), client.location_id()).await))
}

/// The contact's tasks as the panel lists them after an edit (see [`notes_of`]).
pub async fn tasks_of<T: Transport, S: Store, C: Clock>(
    client: &Ctx<'_, T, S, C>,
    contact_id: &str,
    listed: Option<Vec<Task>>,
) -> Result<Vec<TaskView>> {
    let tasks = match listed {
        Some(tasks) => tasks,
        None => client.list_tasks(contact_id).await?,
    };
    Ok(task_views(tasks, &saved_user_names(client.store(), client.location_id()).await, client.now_ms()))
}

/// Notes to show: pinned first, then newest first.
fn note_views(notes: Vec<Note>, users: &UserNames) -> Vec<NoteView> {
    let views = notes.into_iter().filter_map(|note| note_view(note, users)).collect();
    let newest_first = |note: &NoteView| newest_first(note.date_added.as_deref());
    sort_by_rank(views, |note| (i64::from(!note.pinned), newest_first(note)))
}

/// Sort rank of a timestamp for newest first; undated last.
fn newest_first(timestamp: Option<&str>) -> i64 {
    timestamp.and_then(parse_timestamp).map_or(i64::MAX, |t| t.epoch_ms.saturating_neg())
}

/// Orders `items` by `rank`, ascending; ties keep their order. One sort serves every list: the standard
/// library's sort is instantiated per element type, kilobytes of wasm each.
fn sort_by_rank<T>(items: Vec<T>, rank: impl Fn(&T) -> (i64, i64)) -> Vec<T> {
    let order = stable_order(&items.iter().map(rank).collect::<Vec<_>>());
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|index| slots[index].take()).collect()
}

/// Insertion sort of the indices: stable, and a few hundred bytes of wasm where the standard sort takes
/// kilobytes. Panel lists are tens of items (hundreds at most), so O(n²) does not show.
fn stable_order(ranks: &[(i64, i64)]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(ranks.len());
    for index in 0..ranks.len() {
        let at = order.iter().rposition(|&earlier| ranks[earlier] <= ranks[index]).map_or(0, |p| p + 1);
        order.insert(at, index);
    }
    order
}

fn note_view(note: Note, users: &UserNames) -> Option<NoteView> {
    Some(NoteView {
        id: note.id.filter(|id| !id.is_empty())?,
        title: note.title.filter(|t| !t.trim().is_empty()),
        body: note.body.unwrap_or_default(),
        author: users.name_of(note.user_id.as_deref()),
        date_added: note.date_added,
        pinned: note.pinned.unwrap_or(false),
    })
}

/// Tasks to show: open ones first — overdue, then by due date — then completed ones, latest due first.
fn task_views(tasks: Vec<Task>, users: &UserNames, now_ms: u64) -> Vec<TaskView> {
    let views = tasks.into_iter().filter_map(|task| task_view(task, users, now_ms)).collect();
    sort_by_rank(views, |task| {
        let due = task.due_date.as_deref();
        let within = if task.completed {
            newest_first(due)
        } else {
            // Soonest first; undated open tasks after dated ones.
            due.and_then(parse_timestamp).map_or(i64::MAX, |t| t.epoch_ms)
        };
        (i64::from(task.completed), within)
    })
}

fn task_view(task: Task, users: &UserNames, now_ms: u64) -> Option<TaskView> {
    let completed = task.completed.unwrap_or(false);
    let due_ms = task.due_date.as_deref().and_then(parse_timestamp).map(|t| t.epoch_ms);
    Some(TaskView {
        id: task.id.filter(|id| !id.is_empty())?,
        title: task.title.filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "(untitled task)".to_owned()),
        body: task.body.filter(|b| !b.trim().is_empty()),
        overdue: !completed && due_ms.is_some_and(|due| due < now_ms as i64),
        due_date: task.due_date,
        completed,
        assignee: users.name_of(task.assigned_to.as_deref()),
    })
}

/// Appointments: upcoming first (soonest first), then past ones (latest first). GHL gives their times without
/// a zone (the location's); compared as if UTC, which only blurs "upcoming" within hours of now.
fn appointment_views(appointments: Vec<Appointment>, now_ms: u64) -> Vec<AppointmentView> {
    let start = |a: &AppointmentView| a.start_time.as_deref().and_then(parse_timestamp).map_or(i64::MIN, |t| t.epoch_ms);
    let views: Vec<AppointmentView> = appointments
        .into_iter()
        .filter_map(|appointment| {
            let mut view = AppointmentView {
                id: appointment.id.filter(|id| !id.is_empty())?,
                title: appointment.title.filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "Appointment".to_owned()),
                start_time: appointment.start_time,
                end_time: appointment.end_time,
                status: appointment.appointment_status.or(appointment.status),
                upcoming: false,
            };
            view.upcoming = start(&view) >= now_ms as i64;
            Some(view)
        })
        .collect();
    sort_by_rank(views, |a| if a.upcoming { (0, start(a)) } else { (1, newest_first(a.start_time.as_deref())) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hosts::{HostRecord, RecordInput};

    fn record(name: &str, mobile: Option<&str>, landline: Option<&str>) -> HostRecord {
        HostRecord::from_input(RecordInput {
            host: "app.commusoft.co.uk".into(),
            record_id: "42".into(),
            name: Some(name.into()),
            mobile: mobile.map(Into::into),
            landline: landline.map(Into::into),
            ..RecordInput::default()
        })
        .unwrap()
    }

    #[test]
    fn prefill_drops_titles_and_splits_the_name() {
        let prefill = prefill(&record("Mrs Jane  van Doe", Some("07700 900123"), None));
        assert_eq!(prefill.first_name.as_deref(), Some("Jane"));
        assert_eq!(prefill.last_name.as_deref(), Some("van Doe"));
        assert_eq!(prefill.phone.as_deref(), Some("+447700900123"));
    }

    #[test]
    fn phones_in_e164_mobile_first_without_repeats() {
        let phones = record("X", Some("07700 900123"), Some("+44 7700 900123")).phones();
        assert_eq!(phones, ["+447700900123"]);
        assert_eq!(record("X", Some("n/a"), Some("0161 234 5678")).phones(), ["+441612345678"]);
    }

    #[test]
    fn the_small_sort_is_stable_and_agrees_with_the_standard_one() {
        // A fixed pseudo-random sequence with many ties.
        let mut seed = 7u64;
        let ranks: Vec<(i64, i64)> = (0..300)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (((seed >> 33) % 3) as i64, ((seed >> 40) % 5) as i64 - 2)
            })
            .collect();
        let mut expected: Vec<usize> = (0..ranks.len()).collect();
        expected.sort_by_key(|&index| ranks[index]);
        assert_eq!(stable_order(&ranks), expected);
        assert_eq!(stable_order(&[]), Vec::<usize>::new());
    }

    #[test]
    fn notes_pinned_first_then_newest() {
        let note = |id: &str, date: &str, pinned: bool| Note {
            id: Some(id.into()),
            body: Some(id.into()),
            date_added: Some(date.into()),
            pinned: Some(pinned),
            ..Note::default()
        };
        let views = note_views(
            vec![
                note("old", "2026-01-01T00:00:00Z", false),
                note("pin", "2025-01-01T00:00:00Z", true),
                note("new", "2026-06-01T00:00:00+02:00", false),
            ],
            &UserNames::default(),
        );
        assert_eq!(views.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["pin", "new", "old"]);
    }

    #[test]
    fn tasks_overdue_first_then_due_then_completed() {
        let now = parse_timestamp("2026-11-23T12:00:00Z").unwrap().epoch_ms as u64;
        let task = |id: &str, due: &str, done: bool| Task {
            id: Some(id.into()),
            title: Some(id.into()),
            due_date: Some(due.into()),
            completed: Some(done),
            ..Task::default()
        };
        let views = task_views(
            vec![
                task("later", "2026-12-01T09:00:00Z", false),
                task("done", "2026-11-01T09:00:00Z", true),
                task("overdue", "2026-11-20T09:00:00Z", false),
                task("soon", "2026-11-24T09:00:00Z", false),
            ],
            &UserNames::default(),
            now,
        );
        assert_eq!(views.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["overdue", "soon", "later", "done"]);
        assert!(views[0].overdue && !views[1].overdue && !views[3].overdue);
    }

    #[test]
    fn appointments_upcoming_first() {
        let now = parse_timestamp("2026-11-23T12:00:00Z").unwrap().epoch_ms as u64;
        let appointment =
            |id: &str, start: &str| Appointment { id: Some(id.into()), start_time: Some(start.into()), ..Appointment::default() };
        let views = appointment_views(
            vec![
                appointment("past", "2026-11-01 09:00:00"),
                appointment("far", "2027-01-01 09:00:00"),
                appointment("next", "2026-11-25 09:00:00"),
            ],
            now,
        );
        assert_eq!(views.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["next", "far", "past"]);
    }
}
