//! Commusoft (trades businesses): customer records at `/customers/(customer|customer_list)/{id}/view(_v2)/…`,
//! numeric ids, UK and US editions. Its page reading lives in `extension/hosts/commusoft/`.

use super::{Capabilities, HostField, HostPattern, HostSpec, IdRule, RecordKind, Source};

pub static SPEC: HostSpec = HostSpec {
    app: "commusoft",
    name: "Commusoft",
    hosts: &[
        HostPattern::Exact { hostname: "app.commusoft.co.uk", country: "GB" },
        HostPattern::Exact { hostname: "app.commusoft.us", country: "US" },
    ],
    record_kinds: &[RecordKind { kind: "customer", ids: IdRule::Numeric, noun: "customer", lists_people: false }],
    fields: &[
        HostField {
            id: "firstName",
            label: "First name",
            source: Source::FirstName,
            transform: Some("From Commusoft's full name, titles dropped"),
        },
        HostField {
            id: "lastName",
            label: "Surname",
            source: Source::LastName,
            transform: Some("From Commusoft's full name (the rest after the first name)"),
        },
        HostField { id: "email", label: "Email", source: Source::Field("email"), transform: Some("Lower-cased; compared without case") },
        HostField {
            id: "mobile", label: "Mobile", source: Source::Field("mobile"), transform: Some("Phone in E.164 (+44…, +1…) for GHL")
        },
        HostField {
            id: "landline",
            label: "Landline",
            source: Source::Field("landline"),
            transform: Some("Phone in E.164 (+44…, +1…) for GHL"),
        },
        HostField {
            id: "address1",
            label: "Address line 1",
            source: Source::AddressLine1,
            transform: Some("First part of Commusoft's address"),
        },
        HostField { id: "town", label: "Town", source: Source::Town, transform: Some("Part of Commusoft's address before the postcode") },
        HostField {
            id: "postcode",
            label: "Postcode",
            source: Source::Postcode,
            transform: Some("UK postcode or US state + ZIP at the end of the address"),
        },
        HostField { id: "company", label: "Company name", source: Source::Field("company"), transform: None },
    ],
    // Names, email and mobile both ways with Commusoft winning (it is where the office types); the address and
    // company only to GHL (Commusoft's address is structured, GHL's is looser); the landline off (GHL has one
    // phone field).
    default_mapping: &[
        ("firstName", "firstName", "bothHostWins"),
        ("lastName", "lastName", "bothHostWins"),
        ("email", "email", "bothHostWins"),
        ("mobile", "phone", "bothHostWins"),
        ("landline", "phone", "off"),
        ("address1", "address1", "toGhl"),
        ("town", "city", "toGhl"),
        ("postcode", "postalCode", "toGhl"),
        ("company", "companyName", "toGhl"),
    ],
    edit_form_name: "Edit customer",
    sample: &[
        ("name", "Mrs Jane Doe"),
        ("email", "jane.doe@example.com"),
        ("mobile", "07700 900123"),
        ("landline", "020 7946 0123"),
        ("address", "12 Acacia Avenue, London, N1 7AA"),
    ],
    capabilities: Capabilities {
        edit_form_fill: true,
        host_notes: true,
        unified_history: false,
        live_refresh_secs: None,
        fill_from_ghl: false,
    },
};
