//! How the extension behaves, as set in Options: background sync, the phone country, the follow-up rule and
//! whether new Commusoft notes go to GHL on their own. Not secret (exported with the settings), kept apart from
//! the credentials so that saving one never touches the other.

use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::json::{FromJson, Json, JsonResult};
use crate::platform::store::{self, Store};
use serde::Serialize;

/// Storage key of the preferences record.
pub const PREFERENCES_KEY: &str = "preferences";

/// Background-sync cadence bounds, in minutes: Chrome fires alarms at most every 30 s, and a day is the longest
/// a linked contact should go stale.
pub const MIN_CADENCE_MINUTES: u32 = 1;
pub const MAX_CADENCE_MINUTES: u32 = 1440;

/// Countries whose numbers the phone normaliser understands (see `host::phone`).
pub const PHONE_COUNTRIES: &[&str] = &["GB", "US"];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub sync_enabled: bool,
    pub cadence_minutes: u32,
    /// Country for numbers written without one; `None` follows the host (`.co.uk` → GB, `.us` → US).
    pub phone_country: Option<String>,
    pub follow_up: FollowUpRule,
    /// Send a note written in Commusoft to GHL without waiting for "Send to GHL".
    pub send_new_notes: bool,
    /// Log reads (panel loads) too, not only what changed GHL.
    pub verbose_log: bool,
    /// Share of the location's daily GHL requests background sync may use, in percent.
    pub refresh_share_percent: u32,
    pub alerts: AlertRule,
    /// Host apps the agent switched off in Options: no panel, no reading, on their pages.
    pub hosts_off: Vec<String>,
    /// Panel sections switched off, as `app.section` (`commusoft.appointments`): not drawn, not asked of GHL.
    pub sections_off: Vec<String>,
    pub data_check: DataCheckRule,
}

/// The panel's sections that can be switched off per host app (each the GHL request it saves), with their names.
pub const PANEL_SECTIONS: &[(&str, &str)] =
    &[("notes", "Notes"), ("tasks", "Tasks"), ("appointments", "Appointments"), ("tags", "Tags"), ("colleagues", "Same business")];

/// The scheduled data check and its alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataCheckRule {
    /// `off`, `cadence` (with background sync's cadence) or `daily`.
    pub schedule: String,
    /// Notify when a check finds more than this many records whose fields disagree (0: never).
    pub alert_over: u32,
    /// Notify when a check finds a link whose GHL contact is gone or whose match no longer holds.
    pub alert_stale: bool,
}

impl Default for DataCheckRule {
    fn default() -> Self {
        Self { schedule: "off".to_owned(), alert_over: 0, alert_stale: true }
    }
}

impl FromJson for DataCheckRule {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the data check rule")?;
        fields.only(&["schedule", "alertOver", "alertStale"])?;
        let defaults = Self::default();
        let read = Self {
            schedule: fields.text("schedule").unwrap_or(defaults.schedule),
            alert_over: small(fields.count("alertOver")).unwrap_or(u32::MAX),
            alert_stale: fields.flag("alertStale").unwrap_or(defaults.alert_stale),
        };
        fields.finish(read)
    }
}

/// When to show a desktop notification: GHL refusing the credentials, or this many failures in a row (0: never),
/// at most one notification per window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    pub on_auth_failure: bool,
    pub after_failures: u32,
    pub window_minutes: u32,
}

/// "Trigger tasks when notes are updated to close loops": a note added or updated from Commusoft creates a GHL
/// task with this title, due this many days later.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpRule {
    pub enabled: bool,
    pub title: String,
    pub due_in_days: u32,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            sync_enabled: true,
            cadence_minutes: 15,
            phone_country: None,
            follow_up: FollowUpRule { enabled: false, title: "Follow up".to_owned(), due_in_days: 2 },
            send_new_notes: false,
            verbose_log: false,
            refresh_share_percent: 10,
            alerts: AlertRule { on_auth_failure: true, after_failures: 3, window_minutes: 60 },
            hosts_off: Vec::new(),
            sections_off: Vec::new(),
            data_check: DataCheckRule::default(),
        }
    }
}

impl FromJson for Preferences {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the preferences")?;
        fields.only(&[
            "syncEnabled",
            "cadenceMinutes",
            "phoneCountry",
            "followUp",
            "sendNewNotes",
            "verboseLog",
            "alerts",
            "refreshSharePercent",
            "hostsOff",
            "sectionsOff",
            "dataCheck",
        ])?;
        let defaults = Self::default();
        let read = Self {
            sync_enabled: fields.flag("syncEnabled").unwrap_or(defaults.sync_enabled),
            cadence_minutes: small(fields.count("cadenceMinutes")).unwrap_or(defaults.cadence_minutes),
            phone_country: fields.text("phoneCountry"),
            follow_up: fields.item("followUp").unwrap_or(defaults.follow_up),
            send_new_notes: fields.flag("sendNewNotes").unwrap_or(defaults.send_new_notes),
            verbose_log: fields.flag("verboseLog").unwrap_or(defaults.verbose_log),
            refresh_share_percent: small(fields.count("refreshSharePercent")).unwrap_or(defaults.refresh_share_percent),
            alerts: fields.item("alerts").unwrap_or(defaults.alerts),
            hosts_off: fields.texts("hostsOff").unwrap_or_default(),
            sections_off: fields.texts("sectionsOff").unwrap_or_default(),
            data_check: fields.item("dataCheck").unwrap_or(defaults.data_check),
        };
        fields.finish(read)
    }
}

impl FromJson for FollowUpRule {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the follow-up rule")?;
        fields.only(&["enabled", "title", "dueInDays"])?;
        let read = Self {
            enabled: fields.flag("enabled").unwrap_or(false),
            title: fields.text("title").unwrap_or_default(),
            due_in_days: small(fields.count("dueInDays")).unwrap_or(u32::MAX),
        };
        fields.finish(read)
    }
}

impl FromJson for AlertRule {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the alert rule")?;
        fields.only(&["onAuthFailure", "afterFailures", "windowMinutes"])?;
        let read = Self {
            on_auth_failure: fields.flag("onAuthFailure").unwrap_or(true),
            after_failures: small(fields.count("afterFailures")).unwrap_or(3),
            window_minutes: small(fields.count("windowMinutes")).unwrap_or(60),
        };
        fields.finish(read)
    }
}

/// Out-of-range counts become `u32::MAX`, which validation then refuses with a message.
fn small(count: Option<u64>) -> Option<u32> {
    count.map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidSettings, message)
}

impl Preferences {
    /// Checks and normalises preferences a person set.
    pub fn validated(mut self) -> Result<Self> {
        if !(MIN_CADENCE_MINUTES..=MAX_CADENCE_MINUTES).contains(&self.cadence_minutes) {
            return Err(invalid(format!(
                "Background sync runs every {MIN_CADENCE_MINUTES} to {MAX_CADENCE_MINUTES} minutes (a day); {} is outside that.",
                self.cadence_minutes
            )));
        }
        self.phone_country = match self.phone_country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(country) => {
                let upper = country.to_ascii_uppercase();
                if !PHONE_COUNTRIES.contains(&upper.as_str()) {
                    return Err(invalid(format!(
                        "Phone numbers can be read as {} numbers; \"{}\" is not one of them.",
                        PHONE_COUNTRIES.join(" or "),
                        country.chars().take(10).collect::<String>()
                    )));
                }
                Some(upper)
            }
        };
        let rule = &mut self.follow_up;
        rule.title = rule.title.trim().to_owned();
        if rule.enabled && rule.title.is_empty() {
            return Err(invalid("Give the follow-up task a title, or turn the follow-up rule off.".to_owned()));
        }
        if rule.title.chars().count() > 200 {
            return Err(invalid("The follow-up task title is longer than 200 characters.".to_owned()));
        }
        if rule.due_in_days > 365 {
            return Err(invalid("The follow-up task can be due 0 to 365 days after the note.".to_owned()));
        }
        if !(1..=50).contains(&self.refresh_share_percent) {
            return Err(invalid("Background sync may use 1 to 50 % of GHL's daily requests.".to_owned()));
        }
        if let Some(unknown) = self.hosts_off.iter().find(|app| crate::hosts::app(app).is_none()) {
            return Err(invalid(format!("\"{}\" is not a host app the extension works in.", unknown.chars().take(40).collect::<String>())));
        }
        self.hosts_off.dedup();
        for entry in &self.sections_off {
            let known = entry
                .split_once('.')
                .is_some_and(|(app, section)| crate::hosts::app(app).is_some() && PANEL_SECTIONS.iter().any(|(id, _)| *id == section));
            if !known {
                return Err(invalid(format!("\"{}\" is not a panel section of a host app.", entry.chars().take(40).collect::<String>())));
            }
        }
        self.sections_off.sort();
        self.sections_off.dedup();
        if !["off", "cadence", "daily"].contains(&self.data_check.schedule.as_str()) {
            return Err(invalid("The data check runs never (off), with background sync (cadence) or daily.".to_owned()));
        }
        if self.data_check.alert_over > 100_000 {
            return Err(invalid("Notify above 1 to 100000 records that disagree (0 turns it off).".to_owned()));
        }
        if self.alerts.after_failures > 100 {
            return Err(invalid("Notify after 1 to 100 failures in a row (0 turns it off).".to_owned()));
        }
        if !(1..=1440).contains(&self.alerts.window_minutes) {
            return Err(invalid("Notifications can be limited to one per 1 to 1440 minutes.".to_owned()));
        }
        Ok(self)
    }

    /// The saved preferences, or the defaults before the first save (or when the saved ones cannot be read).
    pub async fn load(store: &impl Store) -> Result<Self> {
        Ok(store::read::<Self>(store, PREFERENCES_KEY).await.ok().flatten().unwrap_or_default())
    }

    pub async fn save(self, store: &impl Store) -> Result<Self> {
        let preferences = self.validated()?;
        store::write(store, PREFERENCES_KEY, &preferences).await?;
        Ok(preferences)
    }

    /// Whether the agent switched the host app off in Options.
    /// Whether the panel on `app`'s pages shows (and asks GHL for) `section`.
    pub fn section_on(&self, app: &str, section: &str) -> bool {
        !self.sections_off.iter().any(|entry| entry.split_once('.') == Some((app, section)))
    }

    /// Minutes between scheduled data checks (`None`: not scheduled).
    pub fn data_check_every_minutes(&self) -> Option<u32> {
        match self.data_check.schedule.as_str() {
            "cadence" => Some(self.cadence_minutes),
            "daily" => Some(1440),
            _ => None,
        }
    }

    pub fn host_off(&self, app: &str) -> bool {
        self.hosts_off.iter().any(|off| off == app)
    }

    /// The country for a number without one, on a record of a host whose own default is `host_default`.
    pub fn phone_country_for(&self, host_default: &'static str) -> &'static str {
        match self.phone_country.as_deref() {
            Some(country) => PHONE_COUNTRIES.iter().find(|known| **known == country).copied().unwrap_or(host_default),
            None => host_default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::json::read;

    #[test]
    fn missing_fields_take_the_defaults() {
        assert_eq!(read::<Preferences>("{}").unwrap(), Preferences::default());
        let partial =
            read::<Preferences>(r#"{"cadenceMinutes":30,"followUp":{"enabled":true,"title":"Call back","dueInDays":3}}"#).unwrap();
        assert_eq!(partial.cadence_minutes, 30);
        assert_eq!(partial.follow_up, FollowUpRule { enabled: true, title: "Call back".into(), due_in_days: 3 });
        assert!(partial.sync_enabled);
    }

    #[test]
    fn refuses_unknown_fields_and_wrong_types() {
        for bad in [r#"{"cadence":5}"#, r#"{"syncEnabled":"yes"}"#, r#"{"followUp":{"enabled":true,"due":1}}"#, "[]"] {
            assert!(read::<Preferences>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_explains_what_is_wrong() {
        let with = |json: &str| read::<Preferences>(json).unwrap().validated();
        assert!(with(r#"{"cadenceMinutes":0}"#).unwrap_err().message.contains("every 1 to 1440 minutes"));
        assert!(with(r#"{"cadenceMinutes":99999999999}"#).is_err());
        assert!(with(r#"{"phoneCountry":"FR"}"#).unwrap_err().message.contains("GB or US"));
        assert_eq!(with(r#"{"phoneCountry":" us "}"#).unwrap().phone_country.as_deref(), Some("US"));
        assert_eq!(with(r#"{"phoneCountry":""}"#).unwrap().phone_country, None);
        assert!(with(r#"{"followUp":{"enabled":true,"title":"  ","dueInDays":1}}"#).unwrap_err().message.contains("title"));
        assert!(with(r#"{"followUp":{"enabled":false,"title":"","dueInDays":400}}"#).is_err());
    }

    #[test]
    fn the_phone_country_overrides_the_hosts() {
        let mut preferences = Preferences::default();
        assert_eq!(preferences.phone_country_for("GB"), "GB");
        preferences.phone_country = Some("US".into());
        assert_eq!(preferences.phone_country_for("GB"), "US");
    }

    #[test]
    fn writes_what_it_reads() {
        let preferences = read::<Preferences>(r#"{"phoneCountry":"GB","sendNewNotes":true}"#).unwrap();
        let written = serde_json::to_string(&preferences).unwrap();
        assert_eq!(read::<Preferences>(&written).unwrap(), preferences);
    }
}
