//! The CloudTrail pane's state: the ring of events, the filter, the sources.

use crate::aws::AwsError;
use crate::model::trail::{self, EventRing, TrailEvent, TrailFilter, TrailInfo};
use crate::tail::Source;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How many events the pane holds (the newest); older ones are dropped
/// from view and counted.
pub const RING_CAPACITY: usize = 100_000;

#[derive(Debug)]
pub struct TrailState {
    pub started: bool,
    pub ring: EventRing,
    /// Follow the newest event; off once the responder scrolls.
    pub follow: bool,
    /// Index into the filtered, newest-first list.
    pub selected: usize,
    pub filter: TrailFilter,
    /// The filter line being typed, if any.
    pub input: Option<String>,
    pub sources: BTreeMap<Source, Option<String>>,
    pub trails: Option<Result<Vec<TrailInfo>, AwsError>>,
    pub rounds: u64,
    /// Log files read so far while the trail bucket has a backlog.
    pub backlog: Option<u64>,
    /// What the incident is about, for the `marked` filter (kept current
    /// by `update`, from `incident_of`).
    pub incident: trail::Incident,
    /// Objects a call in the tail gave a public ACL (`AllUsers` or
    /// `AuthenticatedUsers`), per bucket: their ACLs are read on every
    /// scan and refresh, whatever the sample picks.
    pub public_acl_keys: BTreeMap<String, BTreeSet<String>>,
}

impl Default for TrailState {
    fn default() -> Self {
        TrailState {
            started: false,
            ring: EventRing::new(RING_CAPACITY),
            follow: true,
            selected: 0,
            filter: TrailFilter::default(),
            input: None,
            sources: BTreeMap::new(),
            trails: None,
            rounds: 0,
            backlog: None,
            incident: trail::Incident::default(),
            public_acl_keys: BTreeMap::new(),
        }
    }
}

impl TrailState {
    /// The filtered events, newest first.
    pub fn visible(&self) -> impl Iterator<Item = &Arc<TrailEvent>> {
        self.ring.newest_first().filter(move |e| {
            self.filter.matches(e)
                && (!self.filter.marked_only || trail::relevance(e, &self.incident).is_some())
        })
    }

    pub fn selected_event(&self) -> Option<&Arc<TrailEvent>> {
        self.visible().nth(self.selected)
    }
}
