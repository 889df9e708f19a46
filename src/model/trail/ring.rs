use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use super::event::TrailEvent;
use super::packed::{Raw, pack};

/// The newest events, at most `capacity`, de-duplicated by event id (the
/// same management event arrives from LookupEvents and from log files).
/// Counts what it had to drop from view.
#[derive(Debug)]
pub struct EventRing {
    events: VecDeque<Arc<TrailEvent>>,
    ids: HashSet<String>,
    capacity: usize,
    pub dropped: u64,
    pub duplicates: u64,
}

impl EventRing {
    pub fn new(capacity: usize) -> Self {
        EventRing {
            events: VecDeque::new(),
            ids: HashSet::new(),
            capacity: capacity.max(1),
            dropped: 0,
            duplicates: 0,
        }
    }

    /// Add events; returns how many were new. Kept in time order (oldest
    /// first); a late event is placed where its time says.
    pub fn extend(&mut self, events: impl IntoIterator<Item = TrailEvent>) -> usize {
        let mut fresh: Vec<TrailEvent> = events
            .into_iter()
            .filter(|e| {
                let new = self.ids.insert(e.event_id.clone());
                if !new {
                    self.duplicates += 1;
                }
                new
            })
            .collect();
        for e in &mut fresh {
            e.compact();
        }
        let mut raws: Vec<&mut Raw> = fresh.iter_mut().map(|e| &mut e.raw).collect();
        pack(&mut raws);
        let added = fresh.len();
        for e in fresh {
            let at = self
                .events
                .iter()
                .rposition(|x| x.time <= e.time)
                .map_or(0, |i| i + 1);
            self.events.insert(at, Arc::new(e));
            if self.events.len() > self.capacity {
                if let Some(old) = self.events.pop_front() {
                    self.ids.remove(&old.event_id);
                }
                self.dropped += 1;
            }
        }
        added
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Arc<TrailEvent>> {
        self.events.iter().rev()
    }
}
