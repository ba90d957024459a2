//! The connection settings: which GHL location, and the credential to reach it.
//! They live only in extension-private storage; the public view never carries the token.

use crate::ghl::auth::SESSION_KEY;
use crate::ghl::{Credential, OAuthEndpoint};
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::json::{FromJson, Json, JsonError, JsonResult};
use crate::platform::store::{self, Store};
use serde::Serialize;

/// Storage key of the settings record.
/// A credential item (the token): see [`store::SECRET_PREFIX`].
pub const SETTINGS_KEY: &str = "secret.settings";
/// Options at the guided connect step: where a new install starts, and where "Connect GHL" buttons lead.
pub const CONNECT_PAGE: &str = "options/options.html#connect";

/// Where versions before the secret store kept the settings (moved on first read).
const LEGACY_SETTINGS_KEY: &str = "settings";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub location_id: String,
    pub auth: Auth,
}

/// `{"kind": "pit", "token"}` or `{"kind": "oauth", "tokenEndpoint", "clientId"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "AuthFields")]
pub enum Auth {
    /// A sub-account Private Integration Token (`pit-…`): static, no refresh.
    PrivateIntegrationToken { token: String },
    /// OAuth through the user's own token endpoint; the tokens themselves are kept under
    /// [`crate::ghl::auth::SESSION_KEY`].
    OAuth { token_endpoint: String, client_id: String },
}

/// [`Auth`] as stored and sent: flat, because serde's tagged enums cost kilobytes of wasm.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthFields {
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
}

impl FromJson for Settings {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the settings")?;
        fields.only(&["locationId", "auth"])?;
        let location_id = fields.required_text("locationId");
        let auth = fields.item("auth");
        match fields.finish(auth)? {
            Some(auth) => Ok(Self { location_id, auth }),
            None => Err(JsonError::Shape("the settings lack `auth`".to_owned())),
        }
    }
}

impl FromJson for Auth {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("the credential")?;
        fields.only(&["kind", "token", "tokenEndpoint", "clientId"])?;
        let read = (fields.text("kind"), fields.text("token"), fields.text("tokenEndpoint"), fields.text("clientId"));
        let (kind, token, token_endpoint, client_id) = fields.finish(read)?;
        let refuse = |message: &str| Err(JsonError::Shape(message.to_owned()));
        match (kind.as_deref(), token, token_endpoint, client_id) {
            (Some("pit"), Some(token), None, None) => Ok(Self::PrivateIntegrationToken { token }),
            (Some("oauth"), None, Some(token_endpoint), Some(client_id)) => Ok(Self::OAuth { token_endpoint, client_id }),
            (Some("pit"), ..) => refuse("a \"pit\" credential takes exactly a token"),
            (Some("oauth"), ..) => refuse("an \"oauth\" credential takes exactly a tokenEndpoint and a clientId"),
            _ => refuse("the credential kind must be \"pit\" or \"oauth\""),
        }
    }
}

impl From<Auth> for AuthFields {
    fn from(auth: Auth) -> Self {
        match auth {
            Auth::PrivateIntegrationToken { token } => {
                Self { kind: "pit".to_owned(), token: Some(token), token_endpoint: None, client_id: None }
            }
            Auth::OAuth { token_endpoint, client_id } => {
                Self { kind: "oauth".to_owned(), token: None, token_endpoint: Some(token_endpoint), client_id: Some(client_id) }
            }
        }
    }
}

impl Auth {
    pub fn credential(&self) -> Credential {
        match self {
            Self::PrivateIntegrationToken { token } => Credential::PrivateIntegrationToken(token.clone()),
            Self::OAuth { token_endpoint, client_id } => {
                Credential::OAuth(OAuthEndpoint { token_endpoint: token_endpoint.clone(), client_id: client_id.clone() })
            }
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::PrivateIntegrationToken { .. } => "pit",
            Self::OAuth { .. } => "oauth",
        }
    }
}

/// What the options page may see of the settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub configured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_kind: Option<&'static str>,
    /// The token's last four characters, so a person can tell which token is saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

impl Settings {
    /// Checks and normalises settings typed by a person.
    pub fn validated(mut self) -> Result<Self> {
        self.location_id = self.location_id.trim().to_owned();
        let location_ok = !self.location_id.is_empty()
            && self.location_id.len() <= 64
            && self.location_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !location_ok {
            return Err(Error::new(
                ErrorCode::InvalidSettings,
                "The Location ID should be the sub-account id from GHL (Settings → Business Profile), letters and digits only.",
            ));
        }
        match &mut self.auth {
            Auth::PrivateIntegrationToken { token } => {
                *token = token.trim().to_owned();
                if token.is_empty() || token.len() > 4096 || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(Error::new(
                        ErrorCode::InvalidSettings,
                        "Paste the Private Integration Token exactly as GHL shows it (Settings → Private Integrations).",
                    ));
                }
            }
            Auth::OAuth { token_endpoint, client_id } => {
                let endpoint = OAuthEndpoint { token_endpoint: token_endpoint.clone(), client_id: client_id.clone() };
                let endpoint = endpoint.validated()?;
                (*token_endpoint, *client_id) = (endpoint.token_endpoint, endpoint.client_id);
            }
        }
        Ok(self)
    }

    pub fn view(settings: Option<&Self>) -> SettingsView {
        match settings {
            None => SettingsView {
                configured: false,
                location_id: None,
                auth_kind: None,
                token_hint: None,
                token_endpoint: None,
                client_id: None,
            },
            Some(settings) => {
                let mut view = SettingsView {
                    configured: true,
                    location_id: Some(settings.location_id.clone()),
                    auth_kind: Some(settings.auth.kind()),
                    token_hint: None,
                    token_endpoint: None,
                    client_id: None,
                };
                match &settings.auth {
                    Auth::PrivateIntegrationToken { token } => {
                        let tail: String = token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
                        view.token_hint = Some(format!("…{tail}"));
                    }
                    Auth::OAuth { token_endpoint, client_id } => {
                        view.token_endpoint = Some(token_endpoint.clone());
                        view.client_id = Some(client_id.clone());
                    }
                }
                view
            }
        }
    }

    /// The saved settings, or `None` before the first save.
    pub async fn load(store: &impl Store) -> Result<Option<Self>> {
        store::read_moved::<Self>(store, SETTINGS_KEY, LEGACY_SETTINGS_KEY)
            .await
            .map_err(|_| Error::new(ErrorCode::InvalidSettings, "The saved settings could not be read. Open Options and save them again."))
    }

    /// The saved settings, or the error that tells the agent to set them up.
    pub async fn require(store: &impl Store) -> Result<Self> {
        Self::load(store).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::NotConfigured,
                "GHL is not connected yet. Open the extension's Options and enter your Private Integration Token and Location ID.",
            )
        })
    }

    /// Stores validated settings; answers them and the settings they replaced. Changing the credential or location
    /// forgets the OAuth tokens: they belong to the old connection.
    /// An empty token keeps the saved one, so a person can change the location without pasting it again.
    pub async fn save(mut self, store: &impl Store) -> Result<(Self, Option<Self>)> {
        let previous = Self::load(store).await.ok().flatten();
        if let (Auth::PrivateIntegrationToken { token }, Some(Auth::PrivateIntegrationToken { token: saved })) =
            (&mut self.auth, previous.as_ref().map(|p| &p.auth))
        {
            if token.trim().is_empty() {
                token.clone_from(saved);
            }
        }
        let settings = self.validated()?;
        if previous.as_ref() != Some(&settings) {
            store.remove(SESSION_KEY).await?;
        }
        store::write(store, SETTINGS_KEY, &settings).await?;
        Ok((settings, previous))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pit(location: &str, token: &str) -> Settings {
        Settings { location_id: location.into(), auth: Auth::PrivateIntegrationToken { token: token.into() } }
    }

    #[test]
    fn trims_and_accepts_good_settings() {
        let settings = pit(" Loc123 ", " pit-fake-token ").validated().unwrap();
        assert_eq!(settings.location_id, "Loc123");
        assert_eq!(settings.auth.credential(), Credential::PrivateIntegrationToken("pit-fake-token".into()));
    }

    #[test]
    fn refuses_bad_location_ids_and_tokens() {
        for (location, token) in [("", "t"), ("a/b", "t"), ("../x", "t"), ("L", ""), ("L", "two words"), ("L", "tab\tin")] {
            let error = pit(location, token).validated().unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidSettings, "{location:?} {token:?}");
        }
    }

    #[test]
    fn the_view_hides_the_token() {
        let settings = pit("Loc", "pit-fake-abcd1234");
        let json = serde_json::to_string(&Settings::view(Some(&settings))).unwrap();
        assert!(!json.contains("pit-fake"), "{json}");
        assert!(json.contains("…1234"));
        assert_eq!(serde_json::to_string(&Settings::view(None)).unwrap(), r#"{"configured":false}"#);
    }

    #[test]
    fn oauth_settings_show_their_endpoint_and_check_it() {
        let json = r#"{"locationId":"L","auth":{"kind":"oauth","tokenEndpoint":" https://auth.example.test/token ","clientId":"c1"}}"#;
        let settings = crate::platform::json::read::<Settings>(json).unwrap().validated().unwrap();
        let view = serde_json::to_value(Settings::view(Some(&settings))).unwrap();
        assert_eq!(view["authKind"], "oauth");
        assert_eq!(view["tokenEndpoint"], "https://auth.example.test/token");
        let bad = r#"{"locationId":"L","auth":{"kind":"oauth","tokenEndpoint":"http://evil.example/","clientId":"c1"}}"#;
        let error = crate::platform::json::read::<Settings>(bad).unwrap().validated().unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidSettings);
    }

    #[test]
    fn refuses_unknown_fields_in_stored_or_sent_settings() {
        let result = crate::platform::json::read::<Settings>(r#"{"locationId":"L","auth":{"kind":"pit","token":"t"},"x":1}"#);
        assert!(result.is_err());
        for auth in [
            r#"{"kind":"pit","token":"t","clientId":"c"}"#,
            r#"{"kind":"oauth","clientId":"c"}"#,
            r#"{"kind":"magic"}"#,
            r#"{"token":"t"}"#,
        ] {
            let json = format!(r#"{{"locationId":"L","auth":{auth}}}"#);
            assert!(crate::platform::json::read::<Settings>(&json).is_err(), "{auth}");
        }
        let stored = serde_json::to_string(&pit("L", "t")).unwrap();
        assert_eq!(stored, r#"{"locationId":"L","auth":{"kind":"pit","token":"t"}}"#);
    }
}
