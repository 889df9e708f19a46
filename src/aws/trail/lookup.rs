use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudtrail::primitives::DateTime;

use crate::aws::AwsError;
use crate::aws::error::aws_error;
use crate::model::trail::{self, TrailEvent};

use super::limiter::Limiter;

/// Event ids seen recently, at most `capacity` (the oldest are forgotten).
#[derive(Debug)]
pub struct SeenIds {
    order: VecDeque<String>,
    set: HashSet<String>,
    capacity: usize,
}

impl SeenIds {
    pub fn new(capacity: usize) -> Self {
        SeenIds {
            order: VecDeque::new(),
            set: HashSet::new(),
            capacity: capacity.max(1),
        }
    }

    /// True the first time an id is offered.
    pub fn first_time(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        self.set.insert(id.to_string());
        self.order.push_back(id.to_string());
        if self.order.len() > self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }

    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// Polls LookupEvents. Each poll starts `overlap` before the previous one
/// ended (CloudTrail delivers late), so events are not missed, and drops
/// the ones already returned by id.
pub struct LookupPoller {
    client: aws_sdk_cloudtrail::Client,
    limiter: Arc<Limiter>,
    /// Where the next poll starts (seconds since the epoch).
    from: i64,
    overlap: i64,
    seen: SeenIds,
}

/// A failed poll: the error, and whether it was throttling (back off).
#[derive(Debug, Clone)]
pub struct PollError {
    pub error: AwsError,
    pub throttled: bool,
}

impl LookupPoller {
    pub fn new(client: aws_sdk_cloudtrail::Client, limiter: Arc<Limiter>, since_secs: i64) -> Self {
        LookupPoller {
            client,
            limiter,
            from: since_secs,
            overlap: 15 * 60,
            seen: SeenIds::new(200_000),
        }
    }

    /// One poll up to `now_secs`: every page, each through the limiter.
    /// Events come back new only, in no particular order.
    pub async fn poll(&mut self, now_secs: i64) -> Result<Vec<TrailEvent>, PollError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            self.limiter.acquire().await;
            let page = self
                .client
                .lookup_events()
                .start_time(DateTime::from_secs(self.from))
                .end_time(DateTime::from_secs(now_secs))
                .max_results(50)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| {
                    let error = aws_error(&e);
                    let throttled = error.code.contains("Throttl")
                        || error.code == "TooManyRequestsException"
                        || error.code == "HTTP429";
                    PollError { error, throttled }
                })?;
            for ev in page.events() {
                let Some(json) = ev.cloud_trail_event() else {
                    continue;
                };
                let id = ev.event_id().unwrap_or_default();
                if !id.is_empty() && !self.seen.first_time(id) {
                    continue;
                }
                if let Ok(e) = trail::normalise_str(json) {
                    out.push(e);
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        self.from = (now_secs - self.overlap).max(self.from);
        Ok(out)
    }
}

/// Back-off after failed polls: 2 s doubling to 60 s; reset by a success.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_secs((2u64 << failures.min(5)).min(60))
}
