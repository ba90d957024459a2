//! Durable key → JSON storage. On wasm: `chrome.storage.local`, and for credentials ([`SECRET_PREFIX`]) the
//! extension origin's IndexedDB. Natively: memory, for tests.
//!
//! Values cross as JSON text, so `chrome.storage` holds plain, inspectable objects and the core reads them
//! with the same [`crate::platform::json`] readers as everything else.

use crate::platform::error::{Error, Result};
use crate::platform::json::{self, FromJson};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;

#[allow(async_fn_in_trait)]
pub trait Store {
    /// The item's JSON text, or `None` when absent.
    async fn get(&self, key: &str) -> Result<Option<String>>;
    /// Stores JSON text (the caller guarantees it is valid JSON).
    async fn set(&self, key: &str, json: String) -> Result<()>;
    async fn remove(&self, key: &str) -> Result<()>;
    /// Removes everything ("Reset everything" in Options).
    async fn clear(&self) -> Result<()>;
}

impl<S: Store + ?Sized> Store for &S {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        (**self).get(key).await
    }
    async fn set(&self, key: &str, json: String) -> Result<()> {
        (**self).set(key, json).await
    }
    async fn remove(&self, key: &str) -> Result<()> {
        (**self).remove(key).await
    }
    async fn clear(&self) -> Result<()> {
        (**self).clear().await
    }
}

/// Keys of items that hold credentials (the token, the OAuth pair) start with this. The browser binding keeps them
/// in the extension origin's IndexedDB, which a content script cannot open on any browser: Firefox lets content
/// scripts read `storage.local`, and Chrome closes it to them only where `setAccessLevel` exists.
pub const SECRET_PREFIX: &str = "secret.";

/// Whether `key` names a credential item (see [`SECRET_PREFIX`]).
pub fn is_secret(key: &str) -> bool {
    key.starts_with(SECRET_PREFIX)
}

/// An item's JSON text under `key`, moved there first from `legacy` when only the old key holds it (a key an
/// earlier version wrote: the value is written anew, then the old copy removed).
pub async fn get_moved(store: &impl Store, key: &str, legacy: &str) -> Result<Option<String>> {
    if let Some(json) = store.get(key).await? {
        return Ok(Some(json));
    }
    let Some(json) = store.get(legacy).await? else { return Ok(None) };
    store.set(key, json.clone()).await?;
    store.remove(legacy).await?;
    Ok(Some(json))
}

/// [`read`], after [`get_moved`].
pub async fn read_moved<T: FromJson>(store: &impl Store, key: &str, legacy: &str) -> Result<Option<T>> {
    match get_moved(store, key, legacy).await? {
        None => Ok(None),
        Some(text) => json::read(&text).map(Some).map_err(|_| Error::storage(format!("The stored item \"{key}\" could not be read."))),
    }
}

/// Reads a typed item; `None` when absent, `Err` when it cannot be read as `T`.
pub async fn read<T: FromJson>(store: &impl Store, key: &str) -> Result<Option<T>> {
    match store.get(key).await? {
        None => Ok(None),
        Some(text) => json::read(&text).map(Some).map_err(|_| Error::storage(format!("The stored item \"{key}\" could not be read."))),
    }
}

/// Writes a typed item.
pub async fn write<T: Serialize>(store: &impl Store, key: &str, value: &T) -> Result<()> {
    let json = json::write(value, key)?;
    store.set(key, json).await
}

/// In-memory store for native tests and tools.
#[derive(Debug, Default)]
pub struct MemoryStore {
    items: RefCell<BTreeMap<String, String>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything stored (JSON text by key), for assertions.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.items.borrow().clone()
    }
}

impl Store for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.items.borrow().get(key).cloned())
    }
    async fn set(&self, key: &str, json: String) -> Result<()> {
        self.items.borrow_mut().insert(key.to_owned(), json);
        Ok(())
    }
    async fn remove(&self, key: &str) -> Result<()> {
        self.items.borrow_mut().remove(key);
        Ok(())
    }
    async fn clear(&self) -> Result<()> {
        self.items.borrow_mut().clear();
        Ok(())
    }
}
