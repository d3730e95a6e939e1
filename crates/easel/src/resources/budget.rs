//! The process-wide budget of pixels being decoded. Every decode reserves its worst-case
//! bytes (the decoder's own buffer plus the RGBA copy) before it allocates any, and waits
//! while other decodes hold the budget, so many large images decoded at once — by one export
//! or by many engines — cannot together exhaust memory.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The default: 1 GiB of decode buffers in flight at once, process-wide.
pub const DEFAULT_DECODE_BUDGET: u64 = 1 << 30;

struct State {
    limit: u64,
    in_use: u64,
}

static STATE: Mutex<State> = Mutex::new(State {
    limit: DEFAULT_DECODE_BUDGET,
    in_use: 0,
});
static FREED: Condvar = Condvar::new();

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sets the process's decode budget in bytes.
pub fn set_decode_budget(bytes: u64) {
    state().limit = bytes.max(1);
    FREED.notify_all();
}

/// The process's decode budget in bytes ([`DEFAULT_DECODE_BUDGET`] unless changed).
pub fn decode_budget() -> u64 {
    state().limit
}

/// Bytes reserved by decodes running now.
pub fn decoding_bytes() -> u64 {
    state().in_use
}

/// Bytes held by one decode until it is dropped.
#[derive(Debug)]
pub(crate) struct Reservation(u64);

impl Drop for Reservation {
    fn drop(&mut self) {
        state().in_use -= self.0;
        FREED.notify_all();
    }
}

/// Why a reservation was refused.
pub(crate) enum Refused {
    /// More than the whole budget.
    TooLarge { limit: u64 },
    /// Other decodes held the budget for the whole wait.
    Busy { limit: u64, in_use: u64 },
}

/// Reserves `bytes`, waiting up to `wait` for other decodes to finish.
pub(crate) fn reserve(bytes: u64, wait: Duration) -> Result<Reservation, Refused> {
    let deadline = Instant::now() + wait;
    let mut s = state();
    loop {
        if bytes > s.limit {
            return Err(Refused::TooLarge { limit: s.limit });
        }
        if s.in_use + bytes <= s.limit {
            s.in_use += bytes;
            return Ok(Reservation(bytes));
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Refused::Busy {
                limit: s.limit,
                in_use: s.in_use,
            });
        }
        s = FREED
            .wait_timeout(s, deadline - now)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_wait_for_each_other_and_never_exceed_the_budget() {
        let limit = decode_budget();
        let a = reserve(limit / 2 + 1, Duration::ZERO).unwrap_or_else(|_| panic!("fits"));
        // A second half does not fit beside the first: it waits, then gives up.
        assert!(matches!(
            reserve(limit / 2 + 1, Duration::from_millis(20)),
            Err(Refused::Busy { .. })
        ));
        // Freed in time, it gets in.
        let waiter =
            std::thread::spawn(move || reserve(limit / 2 + 1, Duration::from_secs(10)).is_ok());
        std::thread::sleep(Duration::from_millis(50));
        drop(a);
        assert!(waiter.join().unwrap_or(false));
        assert!(matches!(
            reserve(limit + 1, Duration::from_secs(10)),
            Err(Refused::TooLarge { .. })
        ));
    }
}
