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
    /// The `seq` of the last change the event reports (changes of one commit to one source
    /// are one event); 0 for custom sources, which keep no log.
    pub seq: u64,
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

/// Adds a channel that first receives `backlog`.
pub(crate) fn add_channel_with(
    listeners: &SharedListeners,
    backlog: Vec<AssetSourceEvent>,
) -> Receiver<AssetSourceEvent> {
    let (tx, rx) = crossbeam_channel::unbounded();
    for e in backlog {
        let _ = tx.send(e);
    }
    lock(listeners).senders.push(tx);
    rx
}

/// Callbacks still to run for delivered events: run them with no lock held (so a callback
/// may call back into the store or unsubscribe).
#[derive(Default)]
#[must_use = "the callbacks must be run"]
pub(crate) struct Pending(Vec<(Callback, String)>);

impl Pending {
    pub fn run(self) {
        for (c, source) in self.0 {
            c(&source);
        }
    }
}

/// Sends an event to every channel (at once, in the caller's order) and queues the
/// callbacks of its kind in `pending`.
pub(crate) fn deliver(listeners: &SharedListeners, event: AssetSourceEvent, pending: &mut Pending) {
    let mut l = lock(listeners);
    if l.callbacks.is_empty() && l.senders.is_empty() {
        return;
    }
    for (_, k, c) in &l.callbacks {
        if *k == event.kind {
            pending.0.push((c.clone(), event.source_id.clone()));
        }
    }
    l.senders.retain(|s| s.send(event.clone()).is_ok());
}

/// Delivers an event now: channels first, then callbacks.
pub(crate) fn emit(listeners: &SharedListeners, kind: AssetSourceEventKind, source_id: &str) {
    let mut pending = Pending::default();
    let event = AssetSourceEvent {
        kind,
        source_id: source_id.to_string(),
        seq: 0,
    };
    deliver(listeners, event, &mut pending);
    pending.run();
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
