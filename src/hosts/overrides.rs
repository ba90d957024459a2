//! Reading overrides: when the reader misses a field on a host's pages, the agent points at it once ("This isn't
//! right") and the content script describes *where* it sits — the label beside it, or its place in the page's
//! structure — never the customer's value. Stored per host app, used on every record of that app, and exported
//! and imported in Options so one person's fix serves the team.

use super::phone::to_e164;
use super::record::normalise_email;
use crate::platform::error::{Error, ErrorCode, Result};
use crate::platform::json::{FromJson, Json, JsonResult};
use crate::platform::store::{self, Store};
use serde::Serialize;

/// Most overrides kept per host app; a newer one for the same field and place replaces the older.
const MAX_PER_APP: usize = 30;
const FIELDS: &[&str] = &["name", "email", "mobile", "landline", "address", "company", "accountNumber"];

/// Where a field's value sits on the host's record pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Override {
    pub field: String,
    /// The label shown beside the value ("E-mail address"): read as another label of the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A structural path from the record's container (`div.customer-card > span:nth-of-type(2)`), for values
    /// without a label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl FromJson for Override {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("a reading override")?;
        fields.only(&["field", "label", "path"])?;
        let item = Self { field: fields.required_text("field"), label: fields.text("label"), path: fields.text("path") };
        fields.finish(item)
    }
}

/// The overrides of one host app, as stored and exported.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overrides {
    pub app: String,
    pub items: Vec<Override>,
}

impl FromJson for Overrides {
    fn from_json(value: &Json) -> JsonResult<Self> {
        let fields = value.object("reading overrides")?;
        // `fieldLabels` is what the export adds for people (see [`Exported`]); it is not read back.
        fields.only(&["app", "items", "fieldLabels"])?;
        let overrides = Self { app: fields.required_text("app"), items: fields.items_or_empty("items") };
        fields.finish(overrides)
    }
}

/// A host app's overrides as Options shows and exports them: with the words for each field they name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    #[serde(flatten)]
    pub overrides: Overrides,
    pub field_labels: Vec<(String, &'static str)>,
}

impl From<Overrides> for Exported {
    fn from(overrides: Overrides) -> Self {
        let mut field_labels: Vec<(String, &'static str)> = Vec::new();
        for item in &overrides.items {
            if !field_labels.iter().any(|(field, _)| *field == item.field) {
                field_labels.push((item.field.clone(), super::reading::field_label(&item.field)));
            }
        }
        Self { overrides, field_labels }
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidMessage, message)
}

impl Override {
    /// Refuses anything that is not a place: a label that is itself an email, phone number or long text, a path
    /// outside the small selector grammar the content script builds.
    pub fn checked(self) -> Result<Self> {
        if !FIELDS.contains(&self.field.as_str()) {
            return Err(invalid("An override names one of the fields the extension reads."));
        }
        let label = self.label.map(|label| label.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty());
        let path = self.path.map(|path| path.trim().to_owned()).filter(|p| !p.is_empty());
        if label.is_none() == path.is_none() {
            return Err(invalid("An override gives either the value's label or its place in the page."));
        }
        if let Some(label) = &label {
            let value_like = normalise_email(label).is_some()
                || to_e164(label, "GB").is_some()
                || to_e164(label, "US").is_some()
                || label.chars().filter(char::is_ascii_digit).count() > 2;
            if label.chars().count() > 40 || value_like || label.chars().any(char::is_control) {
                return Err(invalid("That looks like a value, not a label: point at the value's label, or at the value itself."));
            }
        }
        if let Some(path) = &path {
            let allowed = |c: char| c.is_ascii_alphanumeric() || " _-#.:()>".contains(c);
            if path.len() > 300 || !path.chars().all(allowed) || path.contains("::") {
                return Err(invalid("That place in the page cannot be stored."));
            }
        }
        Ok(Self { field: self.field, label, path })
    }
}

fn key(app: &str) -> String {
    format!("readerOverrides:{app}")
}

/// The overrides of a host app (none before the first).
pub async fn load(store: &impl Store, app: &str) -> Result<Overrides> {
    let stored: Option<Overrides> = store::read(store, &key(app)).await.ok().flatten();
    Ok(stored.unwrap_or_else(|| Overrides { app: app.to_owned(), items: Vec::new() }))
}

/// Adds one override (checked), replacing one for the same field and place; answers the app's overrides.
pub async fn add(store: &impl Store, app: &str, item: Override) -> Result<Overrides> {
    let item = item.checked()?;
    let mut overrides = load(store, app).await?;
    overrides.items.retain(|known| !(known.field == item.field && known.label == item.label && known.path == item.path));
    // A newer pick for the same field comes first: the reader tries overrides in order.
    overrides.items.insert(0, item);
    overrides.items.truncate(MAX_PER_APP);
    store::write(store, &key(app), &overrides).await?;
    Ok(overrides)
}

/// Replaces an app's overrides with imported ones (each checked; the import is refused whole on a bad one).
pub async fn import(store: &impl Store, imported: Overrides) -> Result<Overrides> {
    if super::app(&imported.app).is_none() {
        return Err(invalid("These overrides are for a host app this extension does not know."));
    }
    let items = imported.items.into_iter().map(Override::checked).collect::<Result<Vec<_>>>()?;
    if items.len() > MAX_PER_APP {
        return Err(invalid("An import holds at most 30 overrides per host app."));
    }
    let overrides = Overrides { app: imported.app, items };
    store::write(store, &key(&overrides.app), &overrides).await?;
    Ok(overrides)
}

/// Forgets an app's overrides.
pub async fn clear(store: &impl Store, app: &str) -> Result<()> {
    store.remove(&key(app)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_label(field: &str, label: &str) -> Override {
        Override { field: field.into(), label: Some(label.into()), path: None }
    }

    #[test]
    fn a_place_is_stored_never_a_value() {
        assert!(by_label("email", "E-mail address").checked().is_ok());
        for value in ["jane@example.com", "07700 900123", "+1 202 555 0143", "Account 12345"] {
            assert!(by_label("email", value).checked().is_err(), "{value}");
        }
        let path = Override { field: "email".into(), label: None, path: Some("div#card > span:nth-of-type(2)".into()) };
        assert!(path.checked().is_ok());
        let hostile = Override { field: "email".into(), label: None, path: Some("a[href^='mailto:x']".into()) };
        assert!(hostile.checked().is_err());
        assert!(Override { field: "token".into(), label: Some("Token".into()), path: None }.checked().is_err());
        assert!(Override { field: "email".into(), label: None, path: None }.checked().is_err());
    }
}
