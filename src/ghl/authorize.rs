//! "Connect" in Options: GHL's chooselocation authorization, run by the browser
//! (`chrome.identity.launchWebAuthFlow`), then the code exchanged at the user's token endpoint.
//!
//! `start` makes the authorization URL and remembers what it asked for; `finish` takes the URL the flow was
//! redirected to, checks it answers that request, and exchanges the code. Only these two steps happen here: the
//! browser shows GHL's pages, the user's backend holds the client secret.

use super::auth::OAuthSession;
use super::client::GhlClient;
use crate::platform::clock::Clock;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::http::{encode_component, query_value, Transport};
use crate::platform::json::read_fields;
use crate::platform::store::{self, Store};
use serde::Serialize;

/// GHL's authorization page (the `/v2/` path since 2026-05-27).
pub const AUTHORIZE_URL: &str = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation";

/// What the extension asks for: contacts (read and write), and the location, its users and custom fields for the
/// connection check, author names and the field mapping.
pub const SCOPES: &[&str] =
    &["contacts.readonly", "contacts.write", "locations.readonly", "users.readonly", "locations/customFields.readonly"];

/// Storage key of the authorization in progress.
const PENDING_KEY: &str = "secret.oauth.pending";

/// An authorization not finished within this time must be started again.
const PENDING_TTL_MS: u64 = 15 * 60_000;

/// The authorization in progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Pending {
    state: String,
    redirect_uri: String,
    started_at_ms: Option<u64>,
}
read_fields!(Pending, "the pending authorization" {
    state: required_text("state"),
    redirect_uri: required_text("redirectUri"),
    started_at_ms: count("startedAtMs"),
});

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeStart {
    pub authorize_url: String,
}

/// The browser's redirect address for the flow: `https://<extension id>.chromiumapp.org/…` in Chrome and Edge,
/// `https://<hash>.extensions.allizom.org/…` in Firefox. Anything else would send the code elsewhere.
pub fn check_redirect_uri(uri: &str) -> Result<String> {
    let uri = uri.trim();
    let host = uri.strip_prefix("https://").and_then(|rest| rest.split('/').next()).unwrap_or_default();
    let (label, domain) = host.split_once('.').unwrap_or_default();
    let plausible = !label.is_empty()
        && label.bytes().all(|b| b.is_ascii_alphanumeric())
        && (domain == "chromiumapp.org" || domain == "extensions.allizom.org")
        && uri.len() <= 300
        && !uri.contains(['?', '#', ' ']);
    if !plausible {
        return Err(Error::invalid_message("The OAuth redirect address must be the browser's own (chrome.identity.getRedirectURL())."));
    }
    Ok(uri.to_owned())
}

/// Starts an authorization: remembers `state` and the redirect address, returns the URL to open.
pub async fn start(store: &impl Store, client_id: &str, redirect_uri: &str, state: String, now_ms: u64) -> Result<AuthorizeStart> {
    let redirect_uri = check_redirect_uri(redirect_uri)?;
    let authorize_url = format!(
        "{AUTHORIZE_URL}?response_type=code&redirect_uri={}&client_id={}&scope={}&state={}",
        encode_component(&redirect_uri),
        encode_component(client_id),
        encode_component(&SCOPES.join(" ")),
        encode_component(&state),
    );
    store::write(store, PENDING_KEY, &Pending { state, redirect_uri, started_at_ms: Some(now_ms) }).await?;
    Ok(AuthorizeStart { authorize_url })
}

fn refused(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ReconnectNeeded, message)
}

impl<T: Transport, S: Store, C: Clock> GhlClient<'_, T, S, C> {
    /// Finishes the authorization [`start`] began, from the address GHL redirected to: checks it, exchanges the
    /// code at the token endpoint and stores the tokens. A code is single-use, so the pending request is dropped
    /// whatever happens.
    pub async fn finish_authorization(&self, redirected_to: &str) -> Result<OAuthSession> {
        let store = self.store();
        let pending = store::read::<Pending>(store, PENDING_KEY).await.ok().flatten();
        store.remove(PENDING_KEY).await?;
        let Some(pending) = pending.filter(|p| self.now_ms() < p.started_at_ms.unwrap_or(0).saturating_add(PENDING_TTL_MS)) else {
            return Err(refused("This connection attempt has expired. Click Connect again."));
        };
        if !redirected_to.starts_with(&pending.redirect_uri) {
            return Err(refused("GHL answered at an unexpected address. Click Connect again."));
        }
        if let Some(error) = query_value(redirected_to, "error") {
            let detail = query_value(redirected_to, "error_description").unwrap_or(error);
            return Err(refused(format!("GHL did not authorize the connection ({}). Click Connect to try again.", clip(&detail))));
        }
        // launchWebAuthFlow hands back only the redirect of the flow we opened; its `state` must be ours too.
        if query_value(redirected_to, "state").as_deref() != Some(pending.state.as_str()) {
            return Err(refused("GHL's answer belongs to another connection attempt. Click Connect again."));
        }
        let code = query_value(redirected_to, "code").filter(|code| !code.is_empty());
        let Some(code) = code else {
            return Err(Error::new(ErrorCode::BadResponse, "GHL redirected without an authorization code. Click Connect again."));
        };
        // The location is checked before the tokens are stored (see `obtain`).
        let session = self.connect_with_code(&code, &pending.redirect_uri).await?;
        Ok(session)
    }
}

fn clip(text: &str) -> String {
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_browsers_redirect_addresses() {
        for good in ["https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/", "https://a1b2.extensions.allizom.org/cb"] {
            assert!(check_redirect_uri(good).is_ok(), "{good}");
        }
        for bad in [
            "http://abc.chromiumapp.org/",
            "https://evil.example/",
            "https://abc.chromiumapp.org.evil.example/",
            "https://a.b.chromiumapp.org/",
            "https://abc.chromiumapp.org/?x=1",
            "",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
