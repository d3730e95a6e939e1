//! `GET /v1/events`: every source change as a Server-Sent Event, in `seq` order, to every
//! connected client. A client reconnecting with `Last-Event-ID` gets what it missed from
//! the change log; one too far behind a bounded (in-memory) log gets a `reset` event.
//!
//! One thread relays the store's events into a broadcast channel; each client reads it and,
//! when it falls more than [`crate::ServerConfig::event_buffer`] events behind, catches up
//! from the store's log instead of holding the others back.

use crate::app::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use easel::{AssetSourceEvent, AssetSourceEventKind, AssetStore};
use futures_util::Stream;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use tokio::sync::{broadcast, watch};

/// The relay of the store's events to every client.
pub(crate) struct EventHub {
    tx: broadcast::Sender<AssetSourceEvent>,
}

impl EventHub {
    /// Subscribes to `store` and relays its events on a thread of its own (it ends with the
    /// store).
    pub fn start(store: &AssetStore, buffer: usize) -> EventHub {
        let (tx, _) = broadcast::channel(buffer.max(16));
        let events = store.subscribe();
        let relay = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("easel-events".into())
            .spawn(move || {
                for e in events {
                    // No receiver is fine: nobody is listening yet.
                    let _ = relay.send(e);
                }
            });
        // Without the relay thread, clients still get backlogs on reconnect; live events
        // stop. Starting a thread only fails when the process is out of resources.
        drop(spawned);
        EventHub { tx }
    }
}

/// What a client's stream still has to send.
struct Client {
    backlog: VecDeque<Event>,
    live: broadcast::Receiver<AssetSourceEvent>,
    /// The last seq sent (events at or before it are not sent again).
    last: u64,
    store: AssetStore,
    stopping: watch::Receiver<bool>,
    state: AppState,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.state
            .metrics
            .sse_clients
            .fetch_sub(1, Ordering::Relaxed);
    }
}

fn event(e: &AssetSourceEvent) -> Event {
    let name = match e.kind {
        AssetSourceEventKind::Added => "added",
        AssetSourceEventKind::Removed => "removed",
        _ => "updated",
    };
    Event::default()
        .event(name)
        .id(e.seq.to_string())
        .data(serde_json::json!({ "source": e.source_id, "seq": e.seq }).to_string())
}

fn reset(seq: u64) -> Event {
    Event::default()
        .event("reset")
        .id(seq.to_string())
        .data(serde_json::json!({ "seq": seq }).to_string())
}

/// The events after `since` from the store's log, or a `reset` (with the seq to resume
/// from) when they are no longer kept.
async fn catch_up(store: &AssetStore, since: u64) -> (Vec<Event>, u64) {
    let reader = store.clone();
    let found = tokio::task::spawn_blocking(move || reader.events_after(since)).await;
    match found {
        Ok(Ok(events)) => {
            let last = events.last().map_or(since, |e| e.seq.max(since));
            (
                events.iter().filter(|e| e.seq > since).map(event).collect(),
                last,
            )
        }
        _ => {
            let now = store.last_seq();
            (vec![reset(now)], now)
        }
    }
}

pub(crate) async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let resume_from = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // Subscribe before reading the backlog: an event is then in one or the other (or both,
    // and sent once).
    let live = state.events.tx.subscribe();
    let store = state.store.clone();
    let (backlog, last) = match resume_from {
        Some(since) => catch_up(&store, since).await,
        // A new client starts from now: what a lag skips is read from the log after this.
        None => (Vec::new(), store.last_seq()),
    };
    state.metrics.sse_clients.fetch_add(1, Ordering::Relaxed);
    let client = Client {
        backlog: backlog.into(),
        live,
        last,
        store,
        stopping: state.stopping.clone(),
        state: state.clone(),
    };
    let stream = futures_util::stream::unfold(client, |mut c| async move {
        loop {
            if let Some(e) = c.backlog.pop_front() {
                c.state.metrics.sse_events.fetch_add(1, Ordering::Relaxed);
                return Some((Ok(e), c));
            }
            if *c.stopping.borrow() {
                return None;
            }
            tokio::select! {
                _ = c.stopping.changed() => return None,
                received = c.live.recv() => match received {
                    Ok(e) if e.seq != 0 && e.seq <= c.last => continue,
                    Ok(e) => {
                        c.last = c.last.max(e.seq);
                        c.backlog.push_back(event(&e));
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // Fell behind the buffer: the log has what was skipped.
                        let (events, last) = catch_up(&c.store, c.last).await;
                        c.backlog.extend(events);
                        c.last = last;
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(state.config.keep_alive))
}
