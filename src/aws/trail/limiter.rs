use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// CloudTrail allows LookupEvents 2 requests per second per account per
/// region. Everything in the process that calls it for one account+region
/// takes turns through one of these: each call waits for the next free
/// slot, slots 500 ms apart. It runs on tokio's clock, so a test with a
/// paused clock can count calls per second exactly.
#[derive(Debug)]
pub struct Limiter {
    next: tokio::sync::Mutex<Option<Instant>>,
    interval: Duration,
}

impl Limiter {
    pub fn new(per_second: u32) -> Self {
        Limiter {
            next: tokio::sync::Mutex::new(None),
            interval: Duration::from_millis(1000 / u64::from(per_second.max(1))),
        }
    }

    /// Wait for this caller's slot.
    pub async fn acquire(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.interval);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

static LIMITERS: Mutex<BTreeMap<(String, String), Arc<Limiter>>> = Mutex::new(BTreeMap::new());

/// The process-wide LookupEvents limiter for an account and region.
pub fn lookup_limiter(account: &str, region: &str) -> Arc<Limiter> {
    LIMITERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry((account.to_string(), region.to_string()))
        .or_insert_with(|| Arc::new(Limiter::new(2)))
        .clone()
}
