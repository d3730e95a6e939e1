//! Source events: synchronous callbacks and crossbeam channels.

use crossbeam_channel::{Receiver, Sender};
use std::sync::{Arc, Mutex, Weak};

/// What happened to a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssetSourceEventKind {
    /// A source was added.
    Added,
    /// A source was removed.
    Removed,
    /// A source's contents changed.
    Updated,
}

/// One change to one source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssetSourceEvent {
    /// What happened.
    pub kind: AssetSourceEventKind,
    /// To which source.
    pub source_id: String,
}

type Callback = Arc<dyn Fn(&str) + Send + Sync>;

#[derive(Default)]
pub(crate) struct Listeners {
    next_id: u64,
    callbacks: Vec<(u64, AssetSourceEventKind, Callback)>,
    senders: Vec<Sender<AssetSourceEvent>>,
}

pub(crate) type SharedListeners = Arc<Mutex<Listeners>>;

fn lock(l: &Mutex<Listeners>) -> std::sync::MutexGuard<'_, Listeners> {
    // A panicking callback runs outside the lock, so poisoning cannot leave bad state.
    l.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn add_callback(
    listeners: &SharedListeners,
    kind: AssetSourceEventKind,
    callback: Callback,
) -> Subscription {
    let mut l = lock(listeners);
    l.next_id += 1;
    let id = l.next_id;
    l.callbacks.push((id, kind, callback));
    Subscription {
        id,
        listeners: Arc::downgrade(listeners),
    }
}

pub(crate) fn add_channel(listeners: &SharedListeners) -> Receiver<AssetSourceEvent> {
    let (tx, rx) = crossbeam_channel::unbounded();
    lock(listeners).senders.push(tx);
    rx
}

/// Delivers an event: channels first, then callbacks, with no lock held while callbacks run
/// (so a callback may call back into the store or unsubscribe).
pub(crate) fn emit(listeners: &SharedListeners, kind: AssetSourceEventKind, source_id: &str) {
    let callbacks: Vec<Callback> = {
        let mut l = lock(listeners);
        if l.callbacks.is_empty() && l.senders.is_empty() {
            return;
        }
        let event = AssetSourceEvent {
            kind,
            source_id: source_id.to_string(),
        };
        l.senders.retain(|s| s.send(event.clone()).is_ok());
        l.callbacks
            .iter()
            .filter(|(_, k, _)| *k == kind)
            .map(|(_, _, c)| c.clone())
            .collect()
    };
    for c in callbacks {
        c(source_id);
    }
}

/// A callback registration. Dropping it, or calling [`Subscription::unsubscribe`], stops
/// the callback.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    id: u64,
    listeners: Weak<Mutex<Listeners>>,
}

impl Subscription {
    /// Stops the callback (same as dropping).
    pub fn unsubscribe(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(l) = self.listeners.upgrade() {
            lock(&l).callbacks.retain(|(id, _, _)| *id != self.id);
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}
