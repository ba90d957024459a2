//! Host apps (Commusoft today, commonsku next) and the records their content scripts report.
//! Everything a content script sends was read from a page we do not control: it is checked and bounded here.

pub mod overrides;
pub mod phone;
pub mod reading;
pub mod record;

pub use record::{HostRecord, RecordInput};

/// A host application the extension works inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostApp {
    Commusoft,
}

impl HostApp {
    /// The app's id in storage and messages.
    pub fn id(self) -> &'static str {
        match self {
            Self::Commusoft => "commusoft",
        }
    }
}

/// Every host app's id.
pub const APPS: &[&str] = &["commusoft"];

/// A hostname the content script runs on, with what follows from it.
#[derive(Debug, PartialEq, Eq)]
pub struct KnownHost {
    pub hostname: &'static str,
    pub app: HostApp,
    /// ISO 3166 country for phone numbers written without a country code.
    pub default_country: &'static str,
}

/// Must match the manifest's `content_scripts.matches` and `host_permissions`.
pub const KNOWN_HOSTS: &[KnownHost] = &[
    KnownHost { hostname: "app.commusoft.co.uk", app: HostApp::Commusoft, default_country: "GB" },
    KnownHost { hostname: "app.commusoft.us", app: HostApp::Commusoft, default_country: "US" },
];

pub fn known_host(hostname: &str) -> Option<&'static KnownHost> {
    KNOWN_HOSTS.iter().find(|host| host.hostname.eq_ignore_ascii_case(hostname))
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
