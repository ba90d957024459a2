//! The typed messages the extension's scripts send to the core, and who may send which.
//!
//! The service worker forwards every `chrome.runtime.onMessage` message here together with what Chrome says
//! about the sender. Only our own content scripts (top frame, on a known host) and our own extension pages
//! are served, and content scripts only get what a panel needs — never settings.

use crate::error::{Error, ErrorCode, Result};
use crate::ghl::response::clip;
use crate::host::{https_hostname, known_host, KnownHost, RecordInput};
use crate::settings::Settings;
use serde::Deserialize;

/// Every message the core understands. Unknown types and unknown fields are refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Find the GHL contact for a host record and return the panel's view model.
    PanelLoad { record: RecordInput },
    /// Save connection settings (extension pages only).
    SettingsSave { settings: Settings },
    /// The settings without secrets (extension pages only).
    SettingsGet {},
    /// Probe the saved connection: location, scopes, rate-limit headroom (extension pages only).
    ConnectionCheck {},
}

/// Every field any message may carry. One flat struct rather than a serde-tagged enum: tagged enums buffer the
/// whole message in serde's generic `Content` tree, which costs kilobytes of wasm.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    record: Option<RecordInput>,
    settings: Option<Settings>,
}

impl Request {
    /// Parses a message from its JSON text.
    pub fn parse(message: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Kind {
            #[serde(rename = "type")]
            kind: Option<String>,
        }
        let envelope: Envelope = serde_json::from_str(message).map_err(|error| match serde_json::from_str::<Kind>(message) {
            Ok(Kind { kind: Some(kind) }) => Error::invalid_message(format!("The \"{kind}\" message is not valid: {error}")),
            _ => Error::invalid_message("The message has no type."),
        })?;
        let Envelope { kind, record, settings } = envelope;
        let refuse = |detail: &str| Error::invalid_message(format!("The \"{kind}\" message is not valid: {detail}."));
        let request = match (kind.as_str(), record, settings) {
            ("panel.load", Some(record), None) => Self::PanelLoad { record },
            ("settings.save", None, Some(settings)) => Self::SettingsSave { settings },
            ("settings.get", None, None) => Self::SettingsGet {},
            ("connection.check", None, None) => Self::ConnectionCheck {},
            ("panel.load", None, _) => return Err(refuse("missing field `record`")),
            ("settings.save", _, None) => return Err(refuse("missing field `settings`")),
            ("panel.load" | "settings.save" | "settings.get" | "connection.check", _, _) => {
                return Err(refuse("it carries a field it does not take"));
            }
            _ => return Err(Error::invalid_message(format!("Unknown message type \"{}\".", clip(&kind, 60)))),
        };
        Ok(request)
    }

    /// Whether a content script may send this message.
    fn allowed_from_content_script(&self) -> bool {
        matches!(self, Self::PanelLoad { .. })
    }
}

/// What the service worker reports about a message's sender (from `chrome.runtime.MessageSender`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderInput {
    /// `chrome.runtime.id` of the receiving extension.
    pub extension_id: String,
    /// `chrome.runtime.getURL("")` of the receiving extension (`moz-extension://<uuid>/` differs from the id).
    pub extension_origin: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub tab_id: Option<i64>,
    #[serde(default)]
    pub frame_id: Option<i64>,
}

/// A sender the core serves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sender {
    /// The options page or another page of our own extension.
    ExtensionPage,
    /// Our content script in the top frame of a known host's tab.
    ContentScript { host: &'static KnownHost },
}

impl Sender {
    pub fn classify(input: &SenderInput) -> Result<Self> {
        let forbidden = |why: &str| Error::new(ErrorCode::ForbiddenSender, format!("Message refused: {why}."));
        if input.extension_id.is_empty() || input.id.as_deref() != Some(input.extension_id.as_str()) {
            return Err(forbidden("it did not come from this extension"));
        }
        let url = input.url.as_deref().unwrap_or("");
        // Our own pages, whether in the options dialog or opened as a tab.
        if !input.extension_origin.is_empty() && url.starts_with(&input.extension_origin) {
            return Ok(Self::ExtensionPage);
        }
        if input.tab_id.is_some() && input.frame_id == Some(0) {
            if let Some(host) = https_hostname(url).and_then(known_host) {
                return Ok(Self::ContentScript { host });
            }
        }
        Err(forbidden("the sending page is not one the extension works on"))
    }

    /// Refuses messages this sender may not send, and records that claim another host than the sender's.
    pub fn authorize(self, request: &Request) -> Result<()> {
        match self {
            Self::ExtensionPage => Ok(()),
            Self::ContentScript { host } => {
                if !request.allowed_from_content_script() {
                    return Err(Error::new(
                        ErrorCode::ForbiddenSender,
                        "Message refused: web pages may not read or change the extension's settings.",
                    ));
                }
                match request {
                    Request::PanelLoad { record } if !record.host.trim().eq_ignore_ascii_case(host.hostname) => Err(
                        Error::new(ErrorCode::ForbiddenSender, "Message refused: the record is not from the sending page's host."),
                    ),
                    _ => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EXTENSION: &str = "abcdefghijklmnopabcdefghijklmnop";

    fn sender(url: &str, tab: Option<i64>, frame: Option<i64>) -> SenderInput {
        SenderInput {
            extension_id: EXTENSION.into(),
            extension_origin: format!("chrome-extension://{EXTENSION}/"),
            id: Some(EXTENSION.into()),
            url: Some(url.into()),
            tab_id: tab,
            frame_id: frame,
        }
    }

    fn parse(message: serde_json::Value) -> Result<Request> {
        Request::parse(&message.to_string())
    }

    fn panel_load(host: &str) -> Request {
        parse(json!({"type": "panel.load", "record": {"host": host, "recordId": "42"}})).unwrap()
    }

    #[test]
    fn parses_known_messages_and_refuses_others() {
        assert!(matches!(panel_load("app.commusoft.co.uk"), Request::PanelLoad { .. }));
        assert_eq!(parse(json!({"type": "settings.get"})).unwrap(), Request::SettingsGet {});
        for bad in [json!({}), json!({"type": "nope"}), json!({"type": "settings.get", "extra": 1}), json!("text"), json!(null)] {
            assert_eq!(parse(bad.clone()).unwrap_err().code, ErrorCode::InvalidMessage, "{bad}");
        }
        assert!(Request::parse("{not json").is_err());
        assert_eq!(parse(json!({"type": "connection.check"})).unwrap(), Request::ConnectionCheck {});
        let wrong_field = parse(json!({"type": "settings.get", "record": {"host": "h", "recordId": "1"}})).unwrap_err();
        assert!(wrong_field.message.contains("does not take"), "{}", wrong_field.message);
        assert!(parse(json!({"type": "panel.load"})).unwrap_err().message.contains("record"));
    }

    #[test]
    fn content_scripts_on_known_hosts_may_load_panels_for_their_own_host() {
        let from_page = Sender::classify(&sender("https://app.commusoft.co.uk/customers/1", Some(3), Some(0))).unwrap();
        assert!(from_page.authorize(&panel_load("app.commusoft.co.uk")).is_ok());
        assert_eq!(from_page.authorize(&panel_load("app.commusoft.us")).unwrap_err().code, ErrorCode::ForbiddenSender);
    }

    #[test]
    fn content_scripts_may_not_touch_settings() {
        let from_page = Sender::classify(&sender("https://app.commusoft.co.uk/", Some(3), Some(0))).unwrap();
        let save = parse(json!({"type":"settings.save","settings":{"locationId":"L","auth":{"kind":"pit","token":"t"}}})).unwrap();
        assert_eq!(from_page.authorize(&save).unwrap_err().code, ErrorCode::ForbiddenSender);
        assert_eq!(from_page.authorize(&Request::SettingsGet {}).unwrap_err().code, ErrorCode::ForbiddenSender);
    }

    #[test]
    fn extension_pages_may_do_everything() {
        let page = Sender::classify(&sender(&format!("chrome-extension://{EXTENSION}/options.html"), None, None)).unwrap();
        assert_eq!(page, Sender::ExtensionPage);
        let as_tab = Sender::classify(&sender(&format!("chrome-extension://{EXTENSION}/options.html"), Some(9), Some(0)));
        assert_eq!(as_tab.unwrap(), Sender::ExtensionPage);
        assert!(page.authorize(&Request::SettingsGet {}).is_ok());
    }

    #[test]
    fn refuses_other_extensions_frames_and_hosts() {
        let mut other = sender("https://app.commusoft.co.uk/", Some(1), Some(0));
        other.id = Some("another-extension".into());
        let cases = [
            other,
            sender("https://app.commusoft.co.uk/", Some(1), Some(7)),
            sender("https://evil.example/", Some(1), Some(0)),
            sender("http://app.commusoft.co.uk/", Some(1), Some(0)),
            sender("https://app.commusoft.co.uk.evil.example/", Some(1), Some(0)),
            sender("chrome-extension://someotherextensionid/options.html", None, None),
            SenderInput::default(),
        ];
        for input in cases {
            assert_eq!(Sender::classify(&input).unwrap_err().code, ErrorCode::ForbiddenSender, "{input:?}");
        }
    }
}
