//! The render pool: a fixed number of threads with a short queue, off the async runtime.
//! Work past the queue is refused at once (the caller answers 503 with `Retry-After`)
//! rather than piling up latency.

use crossbeam_channel::{Sender, TrySendError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send>;

/// Why a job did not produce its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// Every thread is busy and the queue is full.
    Full,
    /// The job ran past the timeout (it still finishes on its thread; its result is dropped).
    Timeout,
    /// The job panicked.
    Panicked,
}

/// A fixed pool of render threads.
pub struct RenderPool {
    tx: Sender<Job>,
    running: Arc<AtomicUsize>,
    threads: usize,
}

impl RenderPool {
    /// Starts `threads` threads (at least one) with room for `queue` waiting jobs.
    pub fn new(threads: usize, queue: usize) -> RenderPool {
        let threads = threads.max(1);
        let (tx, rx) = crossbeam_channel::bounded::<Job>(queue);
        let running = Arc::new(AtomicUsize::new(0));
        for i in 0..threads {
            let rx = rx.clone();
            let running = running.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("easel-render-{i}"))
                .spawn(move || {
                    for job in rx {
                        running.fetch_add(1, Ordering::Relaxed);
                        // A panicking job drops its result sender: the caller sees Panicked.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        running.fetch_sub(1, Ordering::Relaxed);
                    }
                });
            // Without the thread the pool is smaller; the jobs still run on the others.
            drop(spawned);
        }
        RenderPool {
            tx,
            running,
            threads,
        }
    }

    /// Runs `f` on a pool thread and waits (asynchronously) up to `timeout` for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
        timeout: Duration,
    ) -> Result<T, PoolError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        match self.tx.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                return Err(PoolError::Full);
            }
        }
        match tokio::time::timeout(timeout, result).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(PoolError::Panicked),
            Err(_) => Err(PoolError::Timeout),
        }
    }

    /// Jobs waiting for a thread.
    pub fn queued(&self) -> usize {
        self.tx.len()
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Relaxed)
    }

    /// The number of threads.
    pub fn threads(&self) -> usize {
        self.threads
    }
}
