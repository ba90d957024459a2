//! commonsku (promotional-products distributors): a React app on one subdomain per distributor, plus
//! `login.commonsku.com` for legacy pages. A **client** is a company whose page lists its **contacts** (people); a
//! GHL contact is a person. Record URLs are not publicly known: a record is a page whose URL carries a UUID and
//! whose content shows a client or a contact (`extension/hosts/commonsku/`). Tenants are mostly in the US and
//! Canada (+1).

use super::{Capabilities, HostField, HostPattern, HostSpec, IdRule, RecordKind, Source};

pub static SPEC: HostSpec = HostSpec {
    app: "commonsku",
    name: "commonsku",
    // Its help centre, file CDN, social directory and marketing site are not the app.
    hosts: &[HostPattern::Subdomains { domain: "commonsku.com", except: &["www", "help", "files", "social"], country: "US" }],
    record_kinds: &[
        RecordKind { kind: "contact", ids: IdRule::Uuid, noun: "contact", lists_people: false },
        RecordKind { kind: "client", ids: IdRule::Uuid, noun: "client", lists_people: true },
    ],
    fields: &[
        HostField { id: "firstName", label: "First name", source: Source::FirstName, transform: None },
        HostField { id: "lastName", label: "Last name", source: Source::LastName, transform: None },
        HostField { id: "email", label: "Email", source: Source::Field("email"), transform: Some("Lower-cased; compared without case") },
        HostField { id: "phone", label: "Phone", source: Source::Field("mobile"), transform: Some("Phone in E.164 (+1…) for GHL") },
        HostField { id: "position", label: "Position", source: Source::Field("position"), transform: None },
        HostField {
            id: "client",
            label: "Client name",
            source: Source::Field("company"),
            transform: Some("The contact's client (company)"),
        },
    ],
    // GHL has no job-title field: the position is off until the admin maps it to a custom field.
    default_mapping: &[
        ("firstName", "firstName", "bothHostWins"),
        ("lastName", "lastName", "bothHostWins"),
        ("email", "email", "bothHostWins"),
        ("phone", "phone", "bothHostWins"),
        ("position", "companyName", "off"),
        ("client", "companyName", "toGhl"),
    ],
    edit_form_name: "Edit Contact",
    sample: &[
        ("firstName", "Dana"),
        ("lastName", "Reyes"),
        ("email", "dana.reyes@example.com"),
        ("mobile", "(415) 555-0132"),
        ("position", "Purchasing Manager"),
        ("company", "Hooli Promotions"),
    ],
    capabilities: Capabilities {
        edit_form_fill: true,
        host_notes: false,
        unified_history: true,
        live_refresh_secs: Some(30),
        fill_from_ghl: true,
    },
};
