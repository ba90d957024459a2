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
    parsed(key, get_moved(store, key, legacy).await?)
}

/// The keys of a bounded family of items, least recently written first (saved views, sent-note records).
#[derive(Debug, Default, Serialize)]
struct RecentKeys {
    keys: Vec<String>,
}

impl FromJson for RecentKeys {
    fn from_json(value: &json::Json) -> json::JsonResult<Self> {
        let fields = value.object("an index of keys")?;
        let keys = fields.texts("keys").unwrap_or_default();
        fields.finish(Self { keys })
    }
}

/// Notes in the index `index_key` that `key` was just written, and removes the least recently written items beyond
/// `max`. Call under the caller's storage lock; the index is read, changed and written back.
pub async fn keep_recent(store: &impl Store, index_key: &str, key: &str, max: usize) -> Result<()> {
    let mut index = read::<RecentKeys>(store, index_key).await.ok().flatten().unwrap_or_default();
    index.keys.retain(|known| known != key);
    index.keys.push(key.to_owned());
    let excess = index.keys.len().saturating_sub(max);
    for old in index.keys.drain(..excess) {
        // Best effort: an item that cannot be removed now is gone from the index, not from the budget's count.
        let _ = store.remove(&old).await;
    }
    write(store, index_key, &index).await
}

/// The keys `index_key` lists ([`keep_recent`]), least recently written first.
pub async fn recent_keys(store: &impl Store, index_key: &str) -> Vec<String> {
    read::<RecentKeys>(store, index_key).await.ok().flatten().unwrap_or_default().keys
}

/// Reads a typed item; `None` when absent, `Err` when it cannot be read as `T`.
pub async fn read<T: FromJson>(store: &impl Store, key: &str) -> Result<Option<T>> {
    parsed(key, store.get(key).await?)
}

fn parsed<T: FromJson>(key: &str, text: Option<String>) -> Result<Option<T>> {
    match text {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_recent_removes_the_least_recently_written_beyond_the_cap() {
        let store = MemoryStore::new();
        for key in ["a", "b", "c", "a", "d"] {
            block_on(store.set(key, "1".into())).unwrap();
            block_on(keep_recent(&store, "index", key, 3)).unwrap();
        }
        // "b" was the least recently written when "d" came: it went; "a", written again, stayed.
        assert_eq!(block_on(recent_keys(&store, "index")), ["c", "a", "d"]);
        assert!(block_on(store.get("b")).unwrap().is_none());
        assert!(block_on(store.get("a")).unwrap().is_some());
    }

    /// Polls a future that never waits (the memory store's) to its end.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(value) = future.as_mut().poll(&mut context) {
                return value;
            }
        }
    }
}
