//! The host registry — one spec per host app the extension works inside — and the records their content scripts
//! report. Everything a content script sends was read from a page we do not control: it is checked and bounded here.

pub mod commonsku;
pub mod commusoft;
pub mod overrides;
pub mod phone;
pub mod reading;
pub mod record;
pub mod seen;

pub use record::{HostRecord, RecordInput};

/// Where a host app runs: one hostname, or every subdomain of a domain but some.
#[derive(Debug, PartialEq, Eq)]
pub enum HostPattern {
    Exact { hostname: &'static str, country: &'static str },
    Subdomains { domain: &'static str, except: &'static [&'static str], country: &'static str },
}

impl HostPattern {
    fn matches(&self, hostname: &str) -> bool {
        match self {
            Self::Exact { hostname: known, .. } => known.eq_ignore_ascii_case(hostname),
            Self::Subdomains { domain, except, .. } => {
                let host = hostname.to_ascii_lowercase();
                let Some(label) = host.strip_suffix(domain).and_then(|rest| rest.strip_suffix('.')) else { return false };
                !label.is_empty()
                    && !label.contains('.')
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !except.contains(&label)
            }
        }
    }

    fn country(&self) -> &'static str {
        match self {
            Self::Exact { country, .. } | Self::Subdomains { country, .. } => country,
        }
    }

    /// The manifest match pattern (`https://app.commusoft.co.uk/*`, `https://*.commonsku.com/*`).
    pub fn match_pattern(&self) -> String {
        match self {
            Self::Exact { hostname, .. } => format!("https://{hostname}/*"),
            Self::Subdomains { domain, .. } => format!("https://*.{domain}/*"),
        }
    }
}

/// How a record kind's ids look in its URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdRule {
    /// Up to 20 digits (Commusoft).
    Numeric,
    /// A UUID, 8-4-4-4-12 hex digits.
    Uuid,
}

impl IdRule {
    pub fn accepts(self, id: &str) -> bool {
        match self {
            Self::Numeric => !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()),
            Self::Uuid => {
                let groups: Vec<&str> = id.split('-').collect();
                groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
            }
        }
    }

    /// An id of this shape, for sample records (options preview).
    pub fn sample(self) -> &'static str {
        match self {
            Self::Numeric => "0",
            Self::Uuid => "00000000-0000-0000-0000-000000000000",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::Numeric => "a number of up to 20 digits",
            Self::Uuid => "a UUID",
        }
    }
}

/// A kind of record of a host app (a Commusoft customer; a commonsku client or contact).
#[derive(Debug, PartialEq, Eq)]
pub struct RecordKind {
    pub kind: &'static str,
    pub ids: IdRule,
    /// What the agent calls one ("customer").
    pub noun: &'static str,
    /// A company whose page lists its people (a commonsku client): the panel lists them, each with its GHL
    /// contact, instead of showing one contact.
    pub lists_people: bool,
}

/// Where a mapped host field's value comes from on the record read from the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A field as read (`email`, `mobile`, `company`).
    Field(&'static str),
    /// The first name of the record's full name, titles dropped.
    FirstName,
    /// The rest of the full name.
    LastName,
    /// The parts of the record's address (split only with confidence).
    AddressLine1,
    Town,
    Postcode,
}

/// A host field the mapping can use: id, label, where its value comes from, and how it is changed on its way.
#[derive(Debug, PartialEq, Eq)]
pub struct HostField {
    pub id: &'static str,
    pub label: &'static str,
    pub source: Source,
    pub transform: Option<&'static str>,
}

/// What the extension can do on the host's pages besides the panel.
#[derive(Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// GHL values can be put into the host's open edit form for the agent to save.
    pub edit_form_fill: bool,
    /// The host's own notes get "Send to GHL".
    pub host_notes: bool,
    /// GHL notes and appointments shown as one "History", newest first (commonsku's contact history).
    pub unified_history: bool,
    /// While the panel is visible, GHL's side is loaded again this often, so changes made in GHL show without a
    /// reload (never while the tab is hidden).
    pub live_refresh_secs: Option<u32>,
    /// The host's add- and edit-contact forms get "Fill from GHL".
    pub fill_from_ghl: bool,
}

/// Everything the core knows about one host app. Adding a host is one such spec (in its own file) in [`HOSTS`],
/// plus its folder `extension/hosts/<app>/` (ARCHITECTURE.md, "How to add a host").
#[derive(Debug, PartialEq, Eq)]
pub struct HostSpec {
    /// The app's id in messages, storage keys and `extension/hosts/<app>/`.
    pub app: &'static str,
    /// Its name for people ("Commusoft").
    pub name: &'static str,
    pub hosts: &'static [HostPattern],
    /// The first kind is the one a record without a kind is.
    pub record_kinds: &'static [RecordKind],
    /// The fields the mapping offers, in the order the editor lists them.
    pub fields: &'static [HostField],
    /// `(host field, GHL field, direction)` rows of the mapping before the admin changes it.
    pub default_mapping: &'static [(&'static str, &'static str, &'static str)],
    /// What the agent opens to edit a record in the host app ("Edit customer").
    pub edit_form_name: &'static str,
    /// Sample values for the options page's mapping preview: `(read field, value)`.
    pub sample: &'static [(&'static str, &'static str)],
    pub capabilities: Capabilities,
}

impl HostSpec {
    pub fn field(&self, id: &str) -> Option<&'static HostField> {
        self.fields.iter().find(|field| field.id == id)
    }

    /// The record kind named `kind`, or the app's first kind when none is named.
    pub fn record_kind(&self, kind: Option<&str>) -> Option<&'static RecordKind> {
        match kind {
            Some(kind) => self.record_kinds.iter().find(|known| known.kind == kind),
            None => self.record_kinds.first(),
        }
    }

    /// A hostname of this app, for sample records (options preview).
    pub fn sample_hostname(&self) -> String {
        match self.hosts.first() {
            Some(HostPattern::Exact { hostname, .. }) => (*hostname).to_owned(),
            Some(HostPattern::Subdomains { domain, .. }) => format!("sample.{domain}"),
            None => String::new(),
        }
    }

    /// The country of numbers without a country code on a host of this app that is not known (options preview).
    pub fn default_country(&self) -> &'static str {
        self.hosts.first().map_or("US", HostPattern::country)
    }
}

/// Every host app the extension works in. Must agree with `extension/hosts/*/host.json` (a native test checks).
pub static HOSTS: &[&HostSpec] = &[&commusoft::SPEC, &commonsku::SPEC];

/// The spec of a host app by id.
pub fn app(id: &str) -> Option<&'static HostSpec> {
    HOSTS.iter().copied().find(|spec| spec.app == id)
}

/// A hostname the content script runs on, with what follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHost {
    pub hostname: String,
    pub spec: &'static HostSpec,
    /// ISO 3166 country for phone numbers written without a country code.
    pub default_country: &'static str,
}

impl KnownHost {
    /// The locale dates are shown in on this host: the site's country's English (`.co.uk` → en-GB, `.us` and
    /// commonsku → en-US); none for a country without one here (the browser's then).
    pub fn locale(&self) -> Option<&'static str> {
        match self.default_country {
            "GB" => Some("en-GB"),
            "US" => Some("en-US"),
            _ => None,
        }
    }
}

pub fn known_host(hostname: &str) -> Option<KnownHost> {
    HOSTS.iter().find_map(|spec| {
        let pattern = spec.hosts.iter().find(|pattern| pattern.matches(hostname))?;
        Some(KnownHost { hostname: hostname.to_ascii_lowercase(), spec, default_country: pattern.country() })
    })
}

/// Why an id is not one of this kind's.
pub fn id_problem(kind: &RecordKind) -> String {
    format!("A {} id must be {}.", kind.noun, kind.ids.words())
}

/// The hostname of an `https:` URL without port or credentials; anything else is `None`.
pub fn https_hostname(url: &str) -> Option<&str> {
    let rest = url.get(..8).filter(|scheme| scheme.eq_ignore_ascii_case("https://")).map(|_| &url[8..])?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains(['@', ':', '\\']) {
        return None;
    }
    Some(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_commusoft_hosts_with_their_countries() {
        assert_eq!(known_host("app.commusoft.co.uk").unwrap().default_country, "GB");
        assert_eq!(known_host("APP.Commusoft.US").unwrap().default_country, "US");
        assert!(known_host("app.commusoft.co.uk.evil.example").is_none());
        assert!(known_host("stage.commusoft.co.uk").is_none());
    }

    #[test]
    fn recognises_commonsku_tenants_but_not_its_other_sites() {
        assert_eq!(known_host("acme.commonsku.com").unwrap().spec.app, "commonsku");
        assert_eq!(known_host("login.commonsku.com").unwrap().spec.app, "commonsku");
        for host in [
            "commonsku.com",
            "www.commonsku.com",
            "help.commonsku.com",
            "files.commonsku.com",
            "social.commonsku.com",
            "commonsku.com.evil",
        ] {
            assert!(known_host(host).is_none(), "{host}");
        }
    }

    #[test]
    fn subdomain_patterns_take_tenants_and_refuse_the_rest() {
        let pattern = HostPattern::Subdomains { domain: "example.com", except: &["www", "help"], country: "US" };
        assert!(pattern.matches("acme.example.com") && pattern.matches("ACME.Example.com"));
        for host in ["example.com", "www.example.com", "help.example.com", "a.b.example.com", "evil-example.com", "acme.example.com.evil"] {
            assert!(!pattern.matches(host), "{host}");
        }
        assert_eq!(pattern.match_pattern(), "https://*.example.com/*");
    }

    #[test]
    fn ids_follow_their_kinds_rule() {
        assert!(IdRule::Numeric.accepts("5164") && !IdRule::Numeric.accepts("12/../3") && !IdRule::Numeric.accepts(""));
        assert!(IdRule::Uuid.accepts("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
        assert!(!IdRule::Uuid.accepts("3f2504e0-4f89-11d3-9a0c-0305e82c330") && !IdRule::Uuid.accepts("../..-4f89-11d3-9a0c-0305e82c3301"));
    }

    #[test]
    fn reads_only_plain_https_hostnames() {
        assert_eq!(https_hostname("https://app.commusoft.co.uk/customers/1"), Some("app.commusoft.co.uk"));
        assert_eq!(https_hostname("HTTPS://app.commusoft.us?x#y"), Some("app.commusoft.us"));
        assert_eq!(https_hostname("http://app.commusoft.co.uk/"), None);
        assert_eq!(https_hostname("https://user@app.commusoft.co.uk/"), None);
        assert_eq!(https_hostname("https://app.commusoft.co.uk:8443/"), None);
        assert_eq!(https_hostname("chrome-extension://abc/options.html"), None);
        assert_eq!(https_hostname("https:"), None);
    }
}
