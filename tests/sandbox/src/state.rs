//! The sandbox's in-memory world: locations with their contacts, notes, tasks, appointments,
//! users and custom fields, plus tokens, OAuth grants, rate limits, faults and the request log.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::faults::Faults;
use crate::ids::IdGen;
use crate::log::RequestLog;
use crate::ratelimit::{RateConfig, RateLimiter};
use crate::time;

/// Which data a fresh state starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// The demo location, tokens, contacts and activity described in the README.
    #[default]
    Demo,
    /// Nothing: add tokens and contacts through the admin API.
    None,
}

impl std::str::FromStr for Seed {
    type Err = String;
    fn from_str(s: &str) -> Result<Seed, String> {
        match s {
            "demo" => Ok(Seed::Demo),
            "none" => Ok(Seed::None),
            other => Err(format!("unknown seed {other:?} (expected demo or none)")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub location_id: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<Instant>,
}

impl Token {
    pub fn is_valid(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|t| now < t)
    }
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// What an OAuth refresh token or authorization code grants.
#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: Option<String>,
    pub location_id: String,
    pub scopes: Vec<String>,
    pub access_ttl_seconds: u64,
}

#[derive(Debug, Clone)]
pub struct CustomField {
    pub id: String,
    pub name: String,
    /// `contact.boiler_model`
    pub field_key: String,
    pub data_type: String,
    pub options: Vec<String>,
    pub position: u32,
}

impl CustomField {
    pub fn to_json(&self, location_id: &str) -> Value {
        json!({
            "id": self.id, "name": self.name, "fieldKey": self.field_key, "placeholder": "",
            "dataType": self.data_type, "position": self.position, "picklistOptions": self.options,
            "picklistImageOptions": [], "isAllowedCustomOption": false, "isMultiFileAllowed": false,
            "maxFileLimit": 0, "locationId": location_id, "model": "contact",
        })
    }

    /// Matches an input `key`: the full `contact.x` key or the bare `x`.
    pub fn matches_key(&self, key: &str) -> bool {
        self.field_key == key || self.field_key.strip_prefix("contact.") == Some(key)
    }
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: String,
    pub date_added: i64,
    pub date_updated: i64,
    /// Writable GHL fields as JSON (firstName, email, tags, dndSettings, businessId, ...).
    pub fields: Map<String, Value>,
    /// Custom field values by field id, in the order they were first set.
    pub custom: Vec<(String, Value)>,
}

impl Contact {
    pub fn str_field(&self, k: &str) -> Option<&str> {
        self.fields.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    pub fn tags(&self) -> Vec<String> {
        self.fields
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    pub fn set_tags(&mut self, tags: Vec<String>) {
        self.fields.insert("tags".into(), Value::from(tags));
    }

    /// "First Last", or the `name` given at creation.
    pub fn display_name(&self) -> String {
        let full = [self.str_field("firstName"), self.str_field("lastName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
        if full.is_empty() {
            self.str_field("name").unwrap_or("").to_string()
        } else {
            full
        }
    }

    pub fn email_lower(&self) -> Option<String> {
        self.str_field("email").map(str::to_lowercase)
    }

    pub fn phone_digits(&self) -> Option<String> {
        self.str_field("phone").map(digits).filter(|d| !d.is_empty())
    }

    /// The contact as GHL returns it (`GetContectByIdSchema`): custom fields as `{id, value}`.
    pub fn to_json(&self, location_id: &str) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(self.id.clone()));
        m.insert("locationId".into(), Value::from(location_id));
        let name = self.display_name();
        if !name.is_empty() {
            m.insert("name".into(), Value::from(name.clone()));
            m.insert("fullNameLowerCase".into(), Value::from(name.to_lowercase()));
        }
        for (k, v) in &self.fields {
            if k == "name" || v.is_null() {
                continue;
            }
            m.insert(k.clone(), v.clone());
        }
        for (k, lower) in [("firstName", "firstNameLowerCase"), ("lastName", "lastNameLowerCase"), ("email", "emailLowerCase")] {
            if let Some(s) = self.str_field(k) {
                m.insert(lower.into(), Value::from(s.to_lowercase()));
            }
        }
        if let Some(dob) = self.str_field("dateOfBirth").and_then(time::parse_iso) {
            let (_, month, day) = time::civil_from_days(dob.div_euclid(time::DAY_MS));
            // GHL's birthMonth is zero-based (September is 8 in its example).
            m.insert("birthMonth".into(), Value::from(month - 1));
            m.insert("birthDay".into(), Value::from(day));
        }
        m.entry("tags").or_insert_with(|| json!([]));
        m.entry("dnd").or_insert(Value::Bool(false));
        m.insert("type".into(), Value::from("lead"));
        m.insert("customFields".into(), Value::from(self.custom.iter().map(|(id, v)| json!({"id": id, "value": v})).collect::<Vec<_>>()));
        m.insert("dateAdded".into(), Value::from(time::iso(self.date_added)));
        m.insert("dateUpdated".into(), Value::from(time::iso(self.date_updated)));
        Value::Object(m)
    }
}

pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[derive(Debug, Clone)]
pub struct Note {
    pub id: String,
    pub contact_id: String,
    pub body: String,
    pub user_id: Option<String>,
    pub title: Option<String>,
    pub color: Option<String>,
    pub pinned: bool,
    pub date_added: i64,
}

impl Note {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id, "body": self.body, "dateAdded": time::iso(self.date_added),
            "contactId": self.contact_id, "pinned": self.pinned,
        });
        for (k, f) in [("userId", &self.user_id), ("title", &self.title), ("color", &self.color)] {
            if let Some(s) = f {
                v[k] = Value::from(s.clone());
            }
        }
        v
    }
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub contact_id: String,
    pub title: String,
    pub body: Option<String>,
    pub assigned_to: Option<String>,
    pub due_date: i64,
    pub completed: bool,
}

impl Task {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id, "title": self.title, "dueDate": time::iso(self.due_date),
            "completed": self.completed, "contactId": self.contact_id,
        });
        if let Some(b) = &self.body {
            v["body"] = Value::from(b.clone());
        }
        if let Some(a) = &self.assigned_to {
            v["assignedTo"] = Value::from(a.clone());
        }
        v
    }
}

#[derive(Debug, Clone)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub company_id: String,
    pub allow_duplicates: bool,
    /// Other `GET /locations/{id}` fields (address, email, business, ...).
    pub profile: Map<String, Value>,
    /// Contacts by creation sequence (stable order); `contact_seq` maps ids to keys.
    pub contacts: BTreeMap<u64, Contact>,
    pub contact_seq: HashMap<String, u64>,
    pub next_seq: u64,
    pub notes: Vec<Note>,
    pub tasks: Vec<Task>,
    pub appointments: Vec<Value>,
    pub users: Vec<Value>,
    pub custom_fields: Vec<CustomField>,
    /// How many contacts `/__admin/seed` has generated here (keeps emails and phones unique).
    pub generated: u64,
}

/// Upper bound on contacts per location, so a runaway loop cannot eat the machine.
pub const MAX_CONTACTS: usize = 200_000;

impl Location {
    pub fn new(id: &str, name: &str, timezone: &str, company_id: &str) -> Location {
        Location {
            id: id.into(),
            name: name.into(),
            timezone: timezone.into(),
            company_id: company_id.into(),
            allow_duplicates: false,
            profile: Map::new(),
            contacts: BTreeMap::new(),
            contact_seq: HashMap::new(),
            next_seq: 0,
            notes: Vec::new(),
            tasks: Vec::new(),
            appointments: Vec::new(),
            users: Vec::new(),
            custom_fields: Vec::new(),
            generated: 0,
        }
    }

    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contact_seq.get(id).and_then(|s| self.contacts.get(s))
    }

    pub fn contact_mut(&mut self, id: &str) -> Option<&mut Contact> {
        match self.contact_seq.get(id) {
            Some(s) => self.contacts.get_mut(s),
            None => None,
        }
    }

    pub fn insert_contact(&mut self, c: Contact) {
        self.next_seq += 1;
        self.contact_seq.insert(c.id.clone(), self.next_seq);
        self.contacts.insert(self.next_seq, c);
    }

    /// Removes a contact with its notes, tasks and appointments.
    pub fn remove_contact(&mut self, id: &str) -> bool {
        let Some(seq) = self.contact_seq.remove(id) else { return false };
        self.contacts.remove(&seq);
        self.notes.retain(|n| n.contact_id != id);
        self.tasks.retain(|t| t.contact_id != id);
        self.appointments.retain(|a| a.get("contactId").and_then(Value::as_str) != Some(id));
        true
    }

    /// The first other contact with this email (case-insensitive) or phone (digits).
    pub fn find_duplicate(&self, email: Option<&str>, phone: Option<&str>, except: Option<&str>) -> Option<(&Contact, &'static str)> {
        let email = email.map(str::to_lowercase).filter(|e| !e.is_empty());
        let phone = phone.map(digits).filter(|d| !d.is_empty());
        let others = || self.contacts.values().filter(|c| Some(c.id.as_str()) != except);
        if let Some(e) = &email {
            if let Some(c) = others().find(|c| c.email_lower().as_deref() == Some(e.as_str())) {
                return Some((c, "email"));
            }
        }
        if let Some(p) = &phone {
            if let Some(c) = others().find(|c| c.phone_digits().as_deref() == Some(p.as_str())) {
                return Some((c, "phone"));
            }
        }
        None
    }

    pub fn to_json(&self) -> Value {
        let mut m = self.profile.clone();
        m.insert("id".into(), Value::from(self.id.clone()));
        m.insert("companyId".into(), Value::from(self.company_id.clone()));
        m.insert("name".into(), Value::from(self.name.clone()));
        m.insert("timezone".into(), Value::from(self.timezone.clone()));
        let settings = m.entry("settings").or_insert_with(|| json!({}));
        if let Some(s) = settings.as_object_mut() {
            s.insert("allowDuplicateContact".into(), Value::Bool(self.allow_duplicates));
        }
        Value::Object(m)
    }

    /// Everything in the location, for `GET /__admin/state`.
    pub fn dump(&self) -> Value {
        json!({
            "location": self.to_json(),
            "contacts": self.contacts.values().map(|c| c.to_json(&self.id)).collect::<Vec<_>>(),
            "notes": self.notes.iter().map(Note::to_json).collect::<Vec<_>>(),
            "tasks": self.tasks.iter().map(Task::to_json).collect::<Vec<_>>(),
            "appointments": self.appointments,
            "users": self.users,
            "customFields": self.custom_fields.iter().map(|f| f.to_json(&self.id)).collect::<Vec<_>>(),
        })
    }
}

/// Everything behind the one lock.
#[derive(Debug)]
pub struct World {
    pub started: Instant,
    /// Wall clock at start; seeded dates are relative to it.
    pub start_ms: i64,
    pub ids: IdGen,
    pub trace_counter: u64,
    pub locations: BTreeMap<String, Location>,
    pub tokens: HashMap<String, Token>,
    pub refresh_tokens: HashMap<String, Grant>,
    pub auth_codes: HashMap<String, Grant>,
    pub rate: RateLimiter,
    pub faults: Faults,
    pub log: RequestLog,
}

impl World {
    pub fn new(started: Instant, seed: Seed) -> World {
        let mut w = World {
            started,
            start_ms: time::now_ms(),
            ids: IdGen::default(),
            trace_counter: 0,
            locations: BTreeMap::new(),
            tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            auth_codes: HashMap::new(),
            rate: RateLimiter::new(RateConfig::default()),
            faults: Faults::default(),
            log: RequestLog::default(),
        };
        w.reset(seed);
        w
    }

    /// Fresh data, tokens, limits and faults; the log is cleared (its sequence keeps counting).
    pub fn reset(&mut self, seed: Seed) {
        self.start_ms = time::now_ms();
        self.ids = IdGen::default();
        self.locations.clear();
        self.tokens.clear();
        self.refresh_tokens.clear();
        self.auth_codes.clear();
        self.rate = RateLimiter::new(RateConfig::default());
        self.faults.clear();
        self.log.clear();
        if seed == Seed::Demo {
            crate::seed::demo(self);
        }
    }

    pub fn trace_id(&mut self) -> String {
        self.trace_counter += 1;
        crate::ids::trace_id(self.trace_counter)
    }

    /// The location, created empty if unknown (admin calls may name new locations).
    pub fn location_or_create(&mut self, id: &str) -> &mut Location {
        self.locations.entry(id.to_string()).or_insert_with(|| Location::new(id, &format!("Location {id}"), "UTC", "SandboxCompany000001"))
    }

    pub fn add_token(&mut self, token: &str, location_id: &str, scopes: Vec<String>, expires_in: Option<Duration>) {
        self.location_or_create(location_id);
        let expires_at = expires_in.map(|d| Instant::now() + d);
        self.tokens.insert(token.to_string(), Token { location_id: location_id.to_string(), scopes, expires_at });
    }
}
