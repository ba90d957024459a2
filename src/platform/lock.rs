//! A lock for one thread's futures: the service worker runs every message on one thread, but two messages can
//! both be waiting on the network, and some work (an OAuth refresh) must not run twice at once.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::task::{Poll, Waker};

#[derive(Debug, Default)]
pub struct AsyncLock {
    held: Cell<bool>,
    waiting: RefCell<Vec<Waker>>,
}

/// Holds the lock until dropped.
#[must_use]
pub struct LockGuard<'a>(&'a AsyncLock);

impl AsyncLock {
    pub const fn new() -> Self {
        Self { held: Cell::new(false), waiting: RefCell::new(Vec::new()) }
    }

    /// Waits until no one else holds the lock, then takes it.
    pub async fn lock(&self) -> LockGuard<'_> {
        poll_fn(|context| {
            if self.held.replace(true) {
                self.waiting.borrow_mut().push(context.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(LockGuard(self))
            }
        })
        .await
    }
}

/// Exclusive roles by key — one sender per contact: a second taker of the same key waits until the first lets go.
#[derive(Debug, Default)]
pub struct KeyedLock {
    held: RefCell<Vec<String>>,
    waiting: RefCell<Vec<Waker>>,
}

/// Holds one key of a [`KeyedLock`] until dropped.
#[must_use]
pub struct KeyedGuard<'a> {
    lock: &'a KeyedLock,
    key: String,
}

impl KeyedLock {
    /// Waits until no one holds `key`, then holds it.
    pub async fn lock(&self, key: &str) -> KeyedGuard<'_> {
        poll_fn(|context| {
            if self.held.borrow().iter().any(|held| held == key) {
                self.waiting.borrow_mut().push(context.waker().clone());
                Poll::Pending
            } else {
                self.held.borrow_mut().push(key.to_owned());
                Poll::Ready(KeyedGuard { lock: self, key: key.to_owned() })
            }
        })
        .await
    }
}

impl Drop for KeyedGuard<'_> {
    fn drop(&mut self) {
        self.lock.held.borrow_mut().retain(|held| *held != self.key);
        for waker in self.lock.waiting.take() {
            waker.wake();
        }
    }
}

/// What one extension instance shares across its messages so stored state changes one at a time: a lock for
/// read-modify-write of shared storage (the outbox, the linked-records index) and one sender per contact.
#[derive(Debug, Default)]
pub struct Locks {
    pub storage: AsyncLock,
    pub per_contact: KeyedLock,
    /// One data-check step at a time: Options' steps and the scheduled check's alarm take turns.
    pub data_check: AsyncLock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        self.0.held.set(false);
        // Wake everyone: one takes the lock, the rest queue again. Waiters are few (concurrent panel calls).
        for waker in self.0.waiting.take() {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Waker};

    #[test]
    fn a_second_locker_waits_until_the_first_lets_go() {
        let lock = AsyncLock::new();
        let order = RefCell::new(Vec::new());
        let mut context = Context::from_waker(Waker::noop());
        let first = lock.lock();
        let mut first = pin!(first);
        let Poll::Ready(guard) = first.as_mut().poll(&mut context) else { panic!("free lock is taken at once") };
        let second = async {
            let _guard = lock.lock().await;
            order.borrow_mut().push("second");
        };
        let mut second = pin!(second);
        assert!(second.as_mut().poll(&mut context).is_pending());
        order.borrow_mut().push("first");
        drop(guard);
        assert!(second.as_mut().poll(&mut context).is_ready());
        assert_eq!(*order.borrow(), ["first", "second"]);
    }

    #[test]
    fn a_key_is_held_once_and_other_keys_are_free() {
        let lock = KeyedLock::default();
        let mut context = Context::from_waker(Waker::noop());
        let Poll::Ready(jane) = pin!(lock.lock("jane")).as_mut().poll(&mut context) else { panic!("free key") };
        assert!(pin!(lock.lock("bob")).as_mut().poll(&mut context).is_ready(), "another key is free");
        let mut again = pin!(lock.lock("jane"));
        assert!(again.as_mut().poll(&mut context).is_pending());
        drop(jane);
        assert!(again.as_mut().poll(&mut context).is_ready());
    }
}
