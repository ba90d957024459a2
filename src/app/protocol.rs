//! The typed messages the extension's scripts send to the core, and who may send which.
//!
//! The service worker forwards every `chrome.runtime.onMessage` message here together with what Chrome says
//! about the sender. Only our own content scripts (top frame, on a known host) and our own extension pages
//! are served, and content scripts only get what a panel needs — never settings.

use crate::features::data_check::ReportFilter;
use crate::features::preferences::Preferences;
use crate::features::settings::Settings;
use crate::ghl::response::clip;
use crate::hosts::overrides::{Override, Overrides};
use crate::hosts::{https_hostname, known_host, KnownHost, RecordInput};
use crate::mapping::Mapping;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::json::{self, FromJson, Json, JsonResult};
use crate::platform::log::LogFilter;

/// Every message the core understands. Unknown types and unknown fields are refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Find the GHL contact for a host record and return the panel's view model.
    PanelLoad {
        record: RecordInput,
    },
    /// The last view drawn for the record, if any (shown while `panel.load` runs).
    PanelCached {
        record: RecordInput,
    },
    /// A page that lists people (a commonsku client): each person's GHL state.
    ClientLoad {
        record: RecordInput,
        people: Vec<RecordInput>,
    },
    /// "Fill from GHL": the values of a GHL contact for the host's contact form, through the mapping.
    ContactFill {
        record: RecordInput,
        contact_id: String,
    },
    /// Link the record to a contact the agent chose.
    LinkSet {
        record: RecordInput,
        contact_id: String,
    },
    /// Unlink the record (no automatic match until linked again).
    LinkRemove {
        record: RecordInput,
    },
    /// Search GHL contacts ("Link existing").
    ContactSearch {
        record: RecordInput,
        query: String,
    },
    /// Create a GHL contact from the record, or link the duplicate GHL already has.
    ContactCreate {
        record: RecordInput,
    },
    // Edits carry the panel's `editId` (optional): a "Try again" sends the same id, which the outbox stores once.
    NoteCreate {
        record: RecordInput,
        body: String,
        edit_id: Option<String>,
    },
    NoteUpdate {
        record: RecordInput,
        note_id: String,
        body: String,
        edit_id: Option<String>,
    },
    NoteDelete {
        record: RecordInput,
        note_id: String,
        edit_id: Option<String>,
    },
    TaskCreate {
        record: RecordInput,
        title: String,
        due_date: String,
        body: Option<String>,
        edit_id: Option<String>,
    },
    TaskUpdate {
        record: RecordInput,
        task_id: String,
        title: Option<String>,
        due_date: Option<String>,
        body: Option<String>,
        edit_id: Option<String>,
    },
    TaskComplete {
        record: RecordInput,
        task_id: String,
        completed: bool,
        edit_id: Option<String>,
    },
    TaskDelete {
        record: RecordInput,
        task_id: String,
        edit_id: Option<String>,
    },
    TagsAdd {
        record: RecordInput,
        tags: Vec<String>,
        edit_id: Option<String>,
    },
    TagsRemove {
        record: RecordInput,
        tags: Vec<String>,
        edit_id: Option<String>,
    },
    /// Send a stored edit of this record now (it failed, or waits to retry).
    OutboxRetry {
        record: RecordInput,
        item_id: String,
    },
    /// Give up a stored edit of this record.
    OutboxDiscard {
        record: RecordInput,
        item_id: String,
    },
    /// Settle a conflict: `mine`, `theirs`, `merge` (notes) or `recreate` (deleted in GHL).
    OutboxResolve {
        record: RecordInput,
        item_id: String,
        choice: String,
    },
    /// The agent pressed "Connect GHL" in a panel: answers the page the worker opens (the connect step).
    ConnectOpen {
        record: RecordInput,
    },
    /// Save connection settings (extension pages only).
    SettingsSave {
        settings: Settings,
    },
    /// The settings without secrets (extension pages only).
    SettingsGet {},
    /// What the toolbar popup shows: the connection, edits waiting, the last background refresh and — given the
    /// record of the tab it opened over — the GHL contact that record is linked to (extension pages only).
    PopupStatus {
        record: Option<RecordInput>,
    },
    /// Probe the saved connection: location, scopes, rate-limit headroom (extension pages only).
    ConnectionCheck {},
    /// The data check (extension pages only): start a run, go on for a few seconds, cancel it, where it is, its
    /// findings (filtered) and their export.
    DataCheckStart {},
    DataCheckStep {},
    DataCheckCancel {},
    DataCheckStatus {},
    DataCheckReport {
        filter: ReportFilter,
    },
    DataCheckExport {
        filter: ReportFilter,
        format: String,
    },
    /// The preferences, defaults before the first save (extension pages only).
    PreferencesGet {},
    PreferencesSave {
        preferences: Preferences,
    },
    /// Begin "Connect" (OAuth): the authorization URL for `chrome.identity.launchWebAuthFlow`.
    OAuthStart {
        redirect_uri: String,
    },
    /// Finish "Connect" with the URL the flow was redirected to.
    OAuthFinish {
        redirect_url: String,
    },
    /// Settings and preferences without secrets, to keep or move to another browser.
    DataExport {},
    /// Forget everything stored: credentials, links, cached views, preferences.
    DataReset {},
    /// "Clear cached data": saved views and cached user names go; links, the outbox and settings stay.
    DataClearCache {},
    /// What "Sync this contact" would change, field by field.
    ContactSyncPreview {
        record: RecordInput,
    },
    /// Apply "Sync this contact": `fingerprint` names the preview the agent saw; only that plan is written.
    ContactSync {
        record: RecordInput,
        fingerprint: Option<String>,
    },
    /// What the core reads from the values the content script found: the panel's "What was read from this page".
    RecordRead {
        record: RecordInput,
    },
    /// The reading overrides of the record's host app (content scripts read with them).
    ReaderOverrides {
        record: RecordInput,
    },
    /// Store where the agent pointed ("This isn't right"): a label or a place, never a value.
    ReaderOverrideAdd {
        record: RecordInput,
        item: Override,
    },
    /// Every host app's overrides, to export (extension pages only).
    ReaderOverridesGet {},
    /// Replace a host app's overrides with imported ones (extension pages only).
    ReaderOverridesImport {
        overrides: Overrides,
    },
    /// Forget a host app's overrides (extension pages only).
    ReaderOverridesClear {
        app: String,
    },
    /// "Send to GHL" on a Commusoft note (`automatic`: a new note the content script saw appear).
    NoteSend {
        record: RecordInput,
        source_id: String,
        body: String,
        automatic: bool,
    },
    /// The mapping with the fields it may use (extension pages only).
    MappingGet {
        app: Option<String>,
    },
    MappingSave {
        app: Option<String>,
        mapping: Mapping,
    },
    /// The plan `mapping` (saved or not) gives for a sample host record and a GHL contact, named by id or email
    /// (none, or none found: a new contact).
    MappingPreview {
        app: Option<String>,
        mapping: Mapping,
        sample: RecordInput,
        contact: Option<String>,
    },
    /// The sync log, oldest first (extension pages only).
    LogGet {},
    /// The log entries a filter keeps, newest first.
    LogQuery {
        filter: LogFilter,
    },
    /// The filtered log as a file's text: `json` or `csv`.
    LogExport {
        filter: LogFilter,
        format: String,
    },
}

impl Request {
    /// Parses a message from its JSON text. Each type has its required and optional fields; anything else, a
    /// field given twice or of the wrong type refuses the whole message.
    pub fn parse(message: &str) -> Result<Self> {
        let value = json::parse(message).unwrap_or(Json::Null);
        let Some(kind) = value.get("type").and_then(Json::as_str) else {
            return Err(Error::invalid_message("The message has no type."));
        };
        let (required, optional): (&[&str], &[&str]) = match kind {
            "panel.load" | "panel.cached" | "link.remove" | "contact.create" | "record.read" | "reader.overrides" => (&["record"], &[]),
            "reader.overrideAdd" => (&["record", "override"], &[]),
            "reader.overridesGet" => (&[], &[]),
            "reader.overridesImport" => (&["overrides"], &[]),
            "reader.overridesClear" => (&["app"], &[]),
            "link.set" | "contact.fill" => (&["record", "contactId"], &[]),
            "client.load" => (&["record", "people"], &[]),
            "contact.search" => (&["record", "query"], &[]),
            "note.create" => (&["record", "body"], &["editId"]),
            "note.update" => (&["record", "noteId", "body"], &["editId"]),
            "note.delete" => (&["record", "noteId"], &["editId"]),
            "task.create" => (&["record", "title", "dueDate"], &["body", "editId"]),
            "task.update" => (&["record", "taskId"], &["title", "dueDate", "body", "editId"]),
            "task.complete" => (&["record", "taskId", "completed"], &["editId"]),
            "task.delete" => (&["record", "taskId"], &["editId"]),
            "tags.add" | "tags.remove" => (&["record", "tags"], &["editId"]),
            "outbox.retry" | "outbox.discard" => (&["record", "itemId"], &[]),
            "outbox.resolve" => (&["record", "itemId", "choice"], &[]),
            "settings.save" => (&["settings"], &[]),
            "mapping.get" => (&[], &["app"]),
            "settings.get" | "connection.check" | "preferences.get" | "data.export" | "data.reset" | "data.clearCache" | "log.get" => {
                (&[], &[])
            }
            "dataCheck.start" | "dataCheck.step" | "dataCheck.cancel" | "dataCheck.status" => (&[], &[]),
            "dataCheck.report" => (&[], &["filter"]),
            "dataCheck.export" => (&["format"], &["filter"]),
            "contact.syncPreview" | "connect.open" => (&["record"], &[]),
            "contact.sync" => (&["record"], &["fingerprint"]),
            "note.send" => (&["record", "sourceId", "body"], &["automatic"]),
            "mapping.save" => (&["mapping"], &["app"]),
            "log.query" => (&[], &["filter"]),
            "log.export" => (&["format"], &["filter"]),
            "mapping.preview" => (&["mapping", "sample"], &["contact", "app"]),
            "preferences.save" => (&["preferences"], &[]),
            "oauth.start" => (&["redirectUri"], &[]),
            "popup.status" => (&[], &["record"]),
            "oauth.finish" => (&["redirectUrl"], &[]),
            other => return Err(Error::invalid_message(format!("Unknown message type \"{}\".", clip(other, 60)))),
        };
        let refuse = |detail: String| Error::invalid_message(format!("The \"{kind}\" message is not valid: {detail}."));
        // Named "it" in errors: "The \"x\" message is not valid: it does not take `y`."
        let fields = value.object("it").map_err(|error| refuse(error.to_string()))?;
        // The panel gives every action an `editId` (kept by "Try again"); only edits use it, the rest ignore it.
        let any_action: &[&str] = if required.contains(&"record") { &["editId"] } else { &[] };
        let allowed: Vec<&str> = ["type"].iter().chain(required).chain(optional).chain(any_action).copied().collect();
        fields.only(&allowed).map_err(|error| refuse(error.to_string()))?;
        if let Some(missing) = required.iter().find(|name| fields.get(name).is_none()) {
            return Err(refuse(format!("missing field `{missing}`")));
        }
        let record = || fields.item::<RecordInput>("record").unwrap_or_default();
        let text = |name: &str| fields.text(name).unwrap_or_default();
        let edit_id = || fields.text("editId");
        let request = match kind {
            "panel.load" => Self::PanelLoad { record: record() },
            "panel.cached" => Self::PanelCached { record: record() },
            "link.set" => Self::LinkSet { record: record(), contact_id: text("contactId") },
            "contact.fill" => Self::ContactFill { record: record(), contact_id: text("contactId") },
            "client.load" => match fields.items::<RecordInput>("people") {
                Some(people) if people.len() <= crate::features::client_page::MAX_PEOPLE => Self::ClientLoad { record: record(), people },
                Some(_) => return Err(refuse(format!("a page lists at most {} people", crate::features::client_page::MAX_PEOPLE))),
                None => Self::ClientLoad { record: record(), people: Vec::new() },
            },
            "link.remove" => Self::LinkRemove { record: record() },
            "contact.search" => Self::ContactSearch { record: record(), query: text("query") },
            "contact.create" => Self::ContactCreate { record: record() },
            "note.create" => Self::NoteCreate { record: record(), body: text("body"), edit_id: edit_id() },
            "note.update" => Self::NoteUpdate { record: record(), note_id: text("noteId"), body: text("body"), edit_id: edit_id() },
            "note.delete" => Self::NoteDelete { record: record(), note_id: text("noteId"), edit_id: edit_id() },
            "task.create" => Self::TaskCreate {
                record: record(),
                title: text("title"),
                due_date: text("dueDate"),
                body: fields.text("body"),
                edit_id: edit_id(),
            },
            "task.update" => Self::TaskUpdate {
                record: record(),
                task_id: text("taskId"),
                title: fields.text("title"),
                due_date: fields.text("dueDate"),
                body: fields.text("body"),
                edit_id: edit_id(),
            },
            "task.complete" => Self::TaskComplete {
                record: record(),
                task_id: text("taskId"),
                completed: fields.flag("completed").unwrap_or(false),
                edit_id: edit_id(),
            },
            "task.delete" => Self::TaskDelete { record: record(), task_id: text("taskId"), edit_id: edit_id() },
            "tags.add" => Self::TagsAdd { record: record(), tags: fields.texts("tags").unwrap_or_default(), edit_id: edit_id() },
            "tags.remove" => Self::TagsRemove { record: record(), tags: fields.texts("tags").unwrap_or_default(), edit_id: edit_id() },
            "outbox.retry" => Self::OutboxRetry { record: record(), item_id: text("itemId") },
            "outbox.discard" => Self::OutboxDiscard { record: record(), item_id: text("itemId") },
            "outbox.resolve" => Self::OutboxResolve { record: record(), item_id: text("itemId"), choice: text("choice") },
            "settings.save" => match fields.item::<Settings>("settings") {
                Some(settings) => Self::SettingsSave { settings },
                None => Self::SettingsGet {}, // only with a problem recorded, refused just below
            },
            "settings.get" => Self::SettingsGet {},
            "popup.status" => Self::PopupStatus { record: fields.item::<RecordInput>("record") },
            "preferences.get" => Self::PreferencesGet {},
            "preferences.save" => match fields.item::<Preferences>("preferences") {
                Some(preferences) => Self::PreferencesSave { preferences },
                None => Self::PreferencesGet {}, // only with a problem recorded, refused just below
            },
            "oauth.start" => Self::OAuthStart { redirect_uri: text("redirectUri") },
            "oauth.finish" => Self::OAuthFinish { redirect_url: text("redirectUrl") },
            "data.export" => Self::DataExport {},
            "dataCheck.start" => Self::DataCheckStart {},
            "dataCheck.step" => Self::DataCheckStep {},
            "dataCheck.cancel" => Self::DataCheckCancel {},
            "dataCheck.status" => Self::DataCheckStatus {},
            "dataCheck.report" => Self::DataCheckReport { filter: fields.item::<ReportFilter>("filter").unwrap_or_default() },
            "dataCheck.export" => {
                Self::DataCheckExport { filter: fields.item::<ReportFilter>("filter").unwrap_or_default(), format: text("format") }
            }
            "data.reset" => Self::DataReset {},
            "data.clearCache" => Self::DataClearCache {},
            "contact.syncPreview" => Self::ContactSyncPreview { record: record() },
            "connect.open" => Self::ConnectOpen { record: record() },
            "contact.sync" => Self::ContactSync { record: record(), fingerprint: fields.text("fingerprint") },
            "record.read" => Self::RecordRead { record: record() },
            "reader.overrides" => Self::ReaderOverrides { record: record() },
            "reader.overrideAdd" => match fields.item::<Override>("override") {
                Some(item) => Self::ReaderOverrideAdd { record: record(), item },
                None => Self::ReaderOverridesGet {}, // only with a problem recorded, refused just below
            },
            "reader.overridesGet" => Self::ReaderOverridesGet {},
            "reader.overridesImport" => match fields.item::<Overrides>("overrides") {
                Some(overrides) => Self::ReaderOverridesImport { overrides },
                None => Self::ReaderOverridesGet {}, // only with a problem recorded, refused just below
            },
            "reader.overridesClear" => Self::ReaderOverridesClear { app: text("app") },
            "note.send" => Self::NoteSend {
                record: record(),
                source_id: text("sourceId"),
                body: text("body"),
                automatic: fields.flag("automatic").unwrap_or(false),
            },
            "mapping.get" => Self::MappingGet { app: fields.text("app") },
            "log.get" => Self::LogGet {},
            "log.query" => Self::LogQuery { filter: fields.item::<LogFilter>("filter").unwrap_or_default() },
            "log.export" => Self::LogExport { filter: fields.item::<LogFilter>("filter").unwrap_or_default(), format: text("format") },
            "mapping.save" | "mapping.preview" => match fields.item::<Mapping>("mapping") {
                Some(mapping) if kind == "mapping.save" => Self::MappingSave { app: fields.text("app"), mapping },
                Some(mapping) => Self::MappingPreview {
                    app: fields.text("app"),
                    mapping,
                    sample: fields.item::<RecordInput>("sample").unwrap_or_default(),
                    contact: fields.text("contact"),
                },
                None => Self::MappingGet { app: None }, // only with a problem recorded, refused just below
            },
            _ => Self::ConnectionCheck {},
        };
        fields.finish(request).map_err(|error| refuse(error.to_string()))
    }

    /// The host record a panel message is about.
    pub fn record(&self) -> Option<&RecordInput> {
        match self {
            Self::PanelLoad { record }
            | Self::PanelCached { record }
            | Self::LinkSet { record, .. }
            | Self::ClientLoad { record, .. }
            | Self::ContactFill { record, .. }
            | Self::LinkRemove { record }
            | Self::ContactSearch { record, .. }
            | Self::ContactCreate { record }
            | Self::NoteCreate { record, .. }
            | Self::NoteUpdate { record, .. }
            | Self::NoteDelete { record, .. }
            | Self::TaskCreate { record, .. }
            | Self::TaskUpdate { record, .. }
            | Self::TaskComplete { record, .. }
            | Self::TaskDelete { record, .. }
            | Self::TagsAdd { record, .. }
            | Self::TagsRemove { record, .. }
            | Self::OutboxRetry { record, .. }
            | Self::OutboxDiscard { record, .. }
            | Self::OutboxResolve { record, .. }
            | Self::ContactSyncPreview { record }
            | Self::ConnectOpen { record }
            | Self::ContactSync { record, .. }
            | Self::RecordRead { record }
            | Self::ReaderOverrides { record }
            | Self::ReaderOverrideAdd { record, .. }
            | Self::NoteSend { record, .. } => Some(record),
            Self::ReaderOverridesGet {} | Self::ReaderOverridesImport { .. } | Self::ReaderOverridesClear { .. } => None,
            Self::SettingsSave { .. }
            | Self::SettingsGet {}
            | Self::PopupStatus { .. }
            | Self::ConnectionCheck {}
            | Self::PreferencesGet {}
            | Self::PreferencesSave { .. }
            | Self::OAuthStart { .. }
            | Self::OAuthFinish { .. }
            | Self::DataExport {}
            | Self::DataCheckStart {}
            | Self::DataCheckStep {}
            | Self::DataCheckCancel {}
            | Self::DataCheckStatus {}
            | Self::DataCheckReport { .. }
            | Self::DataCheckExport { .. }
            | Self::DataReset {}
            | Self::DataClearCache {}
            | Self::MappingGet { .. }
            | Self::MappingSave { .. }
            | Self::MappingPreview { .. }
            | Self::LogGet {}
            | Self::LogQuery { .. }
            | Self::LogExport { .. } => None,
        }
    }

    /// Whether a content script may send this message.
    fn allowed_from_content_script(&self) -> bool {
        self.record().is_some()
    }
}

/// What the service worker reports about a message's sender (from `chrome.runtime.MessageSender`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SenderInput {
    /// `chrome.runtime.id` of the receiving extension.
    pub extension_id: String,
    /// `chrome.runtime.getURL("")` of the receiving extension (`moz-extension://<uuid>/` differs from the id).
    pub extension_origin: String,
    pub id: Option<String>,
    pub url: Option<String>,
    pub tab_id: Option<i64>,
    pub frame_id: Option<i64>,
}

impl FromJson for SenderInput {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the sender")?;
        let sender = Self {
            extension_id: fields.required_text("extensionId"),
            extension_origin: fields.required_text("extensionOrigin"),
            id: fields.text("id"),
            url: fields.text("url"),
            tab_id: fields.integer("tabId"),
            frame_id: fields.integer("frameId"),
        };
        fields.finish(sender)
    }
}

/// A sender the core serves.
#[derive(Debug, Clone, PartialEq)]
pub enum Sender {
    /// The options page or another page of our own extension.
    ExtensionPage,
    /// Our content script in the top frame of a known host's tab.
    ContentScript { host: KnownHost },
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
    pub fn authorize(&self, request: &Request) -> Result<()> {
        match self {
            Self::ExtensionPage => Ok(()),
            Self::ContentScript { host } => {
                if !request.allowed_from_content_script() {
                    return Err(Error::new(
                        ErrorCode::ForbiddenSender,
                        "Message refused: web pages may not read or change the extension's settings.",
                    ));
                }
                match request.record() {
                    Some(record) if !record.host.trim().eq_ignore_ascii_case(&host.hostname) => {
                        Err(Error::new(ErrorCode::ForbiddenSender, "Message refused: the record is not from the sending page's host."))
                    }
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
        let create = parse(json!({"type": "task.create", "record": {"host": "h", "recordId": "1"}, "title": "t", "dueDate": "d"})).unwrap();
        assert!(matches!(create, Request::TaskCreate { body: None, .. }));
        let missing = parse(json!({"type": "task.create", "record": {"host": "h", "recordId": "1"}, "title": "t"})).unwrap_err();
        assert!(missing.message.contains("dueDate"), "{}", missing.message);
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
