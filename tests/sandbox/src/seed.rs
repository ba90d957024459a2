//! Seeded data: the demo location from the README, and generated contacts for paging tests.
//! Dates are relative to the start time, so "overdue" and "upcoming" stay true.

use serde_json::{json, Map, Value};

use crate::state::{Contact, CustomField, Location, Note, Task, World, MAX_CONTACTS};
use crate::time::{self, DAY_MS};

pub const DEMO_LOCATION: &str = "SandboxLocation00001";
pub const OTHER_LOCATION: &str = "OtherLocation000002";
pub const COMPANY: &str = "SandboxCompany000001";
pub const ALEX: &str = "DemoUserAlex000001";
pub const SAM: &str = "DemoUserSam0000001";
pub const BUSINESS: &str = "64f0c0ffee00000000000001";
pub const FIELD_BOILER: &str = "DemoFieldBoilerModel";
pub const FIELD_PLAN: &str = "DemoFieldServicePlan";
pub const FIELD_LAST_SERVICE: &str = "DemoFieldLastService";

const HOUR_MS: i64 = 3_600_000;

fn scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn user(id: &str, first: &str, last: &str, email: &str, phone: &str, role: &str) -> Value {
    json!({
        "id": id, "name": format!("{first} {last}"), "firstName": first, "lastName": last,
        "email": email, "phone": phone, "extension": "",
        "permissions": {"contactsEnabled": true, "appointmentsEnabled": true, "conversationsEnabled": true},
        "scopes": "", "roles": {"type": "account", "role": role, "locationIds": [DEMO_LOCATION], "restrictSubAccount": false},
        "deleted": false, "lcPhone": {}, "platformLanguage": "en_GB",
    })
}

fn contact(id: &str, added: i64, fields: Value) -> Contact {
    Contact { id: id.into(), date_added: added, date_updated: added, fields: obj(fields), custom: Vec::new() }
}

/// The README's demo data.
pub fn demo(w: &mut World) {
    let now = w.start_ms;
    // Midnight UTC today: appointment times land on round hours.
    let today = now.div_euclid(DAY_MS) * DAY_MS;

    let mut loc = Location::new(DEMO_LOCATION, "Sandbox Heating Ltd", "Europe/London", COMPANY);
    loc.profile = obj(json!({
        "domain": "", "address": "1 Boiler Lane", "city": "Manchester", "state": "Greater Manchester",
        "country": "GB", "postalCode": "M1 2AB", "website": "https://sandbox-heating.example",
        "firstName": "Sam", "lastName": "Scheduler", "email": "office@sandbox-heating.example", "phone": "+441612345678",
        "business": {"name": "Sandbox Heating Ltd", "address": "1 Boiler Lane", "city": "Manchester",
            "state": "Greater Manchester", "country": "GB", "postalCode": "M1 2AB",
            "website": "https://sandbox-heating.example", "timezone": "Europe/London",
            "email": "office@sandbox-heating.example"},
        "social": {},
        "settings": {"allowDuplicateContact": false, "allowDuplicateOpportunity": false,
            "allowFacebookNameMerge": false, "disableContactTimezone": false},
    }));
    loc.users = vec![
        user(ALEX, "Alex", "Agent", "alex.agent@sandbox-heating.example", "+447700900901", "user"),
        user(SAM, "Sam", "Scheduler", "sam.scheduler@sandbox-heating.example", "+447700900902", "admin"),
    ];
    loc.custom_fields = vec![
        CustomField {
            id: FIELD_BOILER.into(),
            name: "Boiler Model".into(),
            field_key: "contact.boiler_model".into(),
            data_type: "TEXT".into(),
            options: vec![],
            position: 0,
        },
        CustomField {
            id: FIELD_PLAN.into(),
            name: "Service Plan".into(),
            field_key: "contact.service_plan".into(),
            data_type: "SINGLE_OPTIONS".into(),
            options: vec!["Basic".into(), "Premium".into()],
            position: 50,
        },
        CustomField {
            id: FIELD_LAST_SERVICE.into(),
            name: "Last Service Date".into(),
            field_key: "contact.last_service_date".into(),
            data_type: "DATE".into(),
            options: vec![],
            position: 100,
        },
    ];

    let mut jane = contact(
        "DemoContactJane0001",
        now - 400 * DAY_MS,
        json!({
            "firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com", "phone": "+447700900123",
            "address1": "12 Acacia Avenue", "city": "Manchester", "state": "Greater Manchester", "postalCode": "M14 5TP",
            "country": "GB", "timezone": "Europe/London", "source": "commusoft", "assignedTo": ALEX,
            "tags": ["boiler-service", "vip"], "businessId": BUSINESS, "dnd": false,
        }),
    );
    jane.date_updated = now - 10 * DAY_MS;
    jane.custom = vec![
        (FIELD_BOILER.into(), Value::from("Worcester Bosch Greenstar 30i")),
        (FIELD_PLAN.into(), Value::from("Premium")),
        (FIELD_LAST_SERVICE.into(), Value::from(time::date_only(now - 10 * DAY_MS))),
    ];
    let robert = contact(
        "DemoContactRobert01",
        now - 300 * DAY_MS,
        json!({
            "firstName": "Robert", "lastName": "Smith", "email": "robert.smith@example.com", "phone": "+447700900234",
            "companyName": "Smith Plumbing", "address1": "3 Mill Street", "city": "Salford", "postalCode": "M3 6AA",
            "country": "GB", "timezone": "Europe/London", "source": "commusoft", "tags": ["trade"], "businessId": BUSINESS,
        }),
    );
    let priya = contact(
        "DemoContactPriya001",
        now - 200 * DAY_MS,
        json!({
            "firstName": "Priya", "lastName": "Patel", "email": "priya.patel@example.com", "phone": "+447700900456",
            "address1": "45 Oak Road", "city": "Stockport", "postalCode": "SK4 1AA", "country": "GB",
            "timezone": "Europe/London", "source": "commusoft", "tags": [],
        }),
    );
    let maria = contact(
        "DemoContactMaria001",
        now - 100 * DAY_MS,
        json!({
            "firstName": "Maria", "lastName": "Garcia", "email": "maria.garcia@example.com", "phone": "+12025550143",
            "address1": "1600 Example Ave NW", "city": "Washington", "state": "DC", "postalCode": "20500",
            "country": "US", "timezone": "America/New_York", "source": "commusoft", "tags": ["us-customer"],
        }),
    );
    for c in [jane, robert, priya, maria] {
        loc.insert_contact(c);
    }

    let jane_id = "DemoContactJane0001";
    let note = |n: u32, body: &str, title: &str, color: Option<&str>, pinned: bool, user: &str, added: i64| Note {
        id: format!("DemoNoteJane0000000{n}"),
        contact_id: jane_id.into(),
        body: body.into(),
        user_id: Some(user.into()),
        title: Some(title.into()),
        color: color.map(str::to_string),
        pinned,
        date_added: added,
    };
    loc.notes = vec![
        note(1, "Prefers morning visits. Side gate code 4721.", "Customer preferences", Some("#FFAA00"), true, ALEX, now - 30 * DAY_MS),
        note(2, "Annual service done; system pressure topped up to 1.5 bar.", "Annual service", None, false, SAM, now - 10 * DAY_MS),
        note(3, "Called about a dripping valve on the hall radiator.", "Phone call", None, false, ALEX, now - DAY_MS),
    ];
    let task = |n: u32, title: &str, body: &str, due: i64, completed: bool, user: &str| Task {
        id: format!("DemoTaskJane0000000{n}"),
        contact_id: jane_id.into(),
        title: title.into(),
        body: Some(body.into()),
        assigned_to: Some(user.into()),
        due_date: due,
        completed,
    };
    loc.tasks = vec![
        task(1, "Send service reminder", "Annual service is due; email the reminder.", now - 2 * DAY_MS, false, ALEX),
        task(2, "Book annual boiler service", "Offer a morning slot.", now + 7 * DAY_MS, false, SAM),
        task(3, "Order replacement valve", "15 mm TRV for the hall radiator.", now - 5 * DAY_MS, true, ALEX),
    ];
    let appt = |n: u32, title: &str, start: i64, status: &str, user: &str, notes: &str| {
        json!({
            "id": format!("DemoApptJane0000000{n}"), "calendarId": "DemoCalendarService1", "status": "booked",
            "title": title, "assignedUserId": user, "notes": notes,
            "startTime": time::zoneless(start), "endTime": time::zoneless(start + HOUR_MS),
            "address": "12 Acacia Avenue, Manchester M14 5TP", "locationId": DEMO_LOCATION,
            "contactId": jane_id, "groupId": "DemoGroupEngineers01", "appointmentStatus": status,
            "users": [user], "dateAdded": time::zoneless(start - 14 * DAY_MS),
            "dateUpdated": time::zoneless(start - 14 * DAY_MS), "assignedResources": [],
        })
    };
    loc.appointments = vec![
        appt(1, "Annual boiler service", today - 7 * DAY_MS + 10 * HOUR_MS, "showed", SAM, "Service completed."),
        appt(2, "Radiator valve replacement", today + 3 * DAY_MS + 14 * HOUR_MS, "confirmed", ALEX, "Bring the 15 mm TRV."),
    ];
    w.locations.insert(loc.id.clone(), loc);

    let mut other = Location::new(OTHER_LOCATION, "Other Sandbox Location", "America/New_York", "OtherCompany00000002");
    other.profile = obj(json!({"country": "US", "email": "office@other-location.example"}));
    w.locations.insert(other.id.clone(), other);

    w.add_token(
        "pit-sandbox-demo-token",
        DEMO_LOCATION,
        scopes("contacts.readonly contacts.write locations.readonly users.readonly locations/customFields.readonly"),
        None,
    );
    w.add_token("pit-sandbox-readonly-token", DEMO_LOCATION, scopes("contacts.readonly locations.readonly users.readonly"), None);
    w.add_token("pit-sandbox-other-location", OTHER_LOCATION, scopes("contacts.readonly contacts.write"), None);
}

const FIRST: [&str; 20] = [
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy", "Leo", "Lily", "Arthur", "Freya", "Muhammad",
    "Grace", "Oscar", "Sophia", "Charlie", "Rosie",
];
const LAST: [&str; 20] = [
    "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright",
    "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis",
];

/// Adds `count` generated contacts: deterministic names, unique emails and phones, dates one
/// minute apart ending at the start time. Returns how many the location now has.
pub fn generate_contacts(w: &mut World, location_id: &str, count: usize) -> Result<usize, String> {
    let base = w.start_ms;
    let existing = w.locations.get(location_id).map_or(0, |l| l.contacts.len());
    if existing + count > MAX_CONTACTS {
        return Err(format!("a location holds at most {MAX_CONTACTS} contacts"));
    }
    let ids: Vec<String> = (0..count).map(|_| w.ids.next('c')).collect();
    let loc = w.location_or_create(location_id);
    for (i, id) in ids.into_iter().enumerate() {
        let k = loc.generated;
        loc.generated += 1;
        let first = FIRST[(k % 20) as usize];
        let last = LAST[((k / 20) % 20) as usize];
        let mut tags = vec!["generated".to_string()];
        if k % 10 == 0 {
            tags.push("vip".into());
        }
        let added = base - (count - i) as i64 * 60_000;
        loc.insert_contact(Contact {
            id,
            date_added: added,
            date_updated: added,
            fields: obj(json!({
                "firstName": first, "lastName": last,
                "email": format!("{}.{}.{k}@example.test", first.to_lowercase(), last.to_lowercase()),
                "phone": format!("+1555{:07}", k % 10_000_000),
                "country": if k % 2 == 0 { "GB" } else { "US" }, "source": "sandbox seed", "tags": tags,
            })),
            custom: Vec::new(),
        });
    }
    Ok(loc.contacts.len())
}
