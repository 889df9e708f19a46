//! The restore's deadline, seen from every pane: the header counts it
//! down and the versions view names its key. Read from the scan's facts,
//! the attacker's changes, the tail and (when open) the versions listing.

use std::collections::{BTreeSet, HashMap};

use super::State;
use crate::model::lifecycle::{self, Deadline};

/// The soonest moment S3 deletes for good something a restore of the
/// incident's buckets needs (their lifecycle rules; the buckets an
/// incident principal wrote rules on, or the tail saw destruction on): the
/// header's countdown. With the
/// versions view's listing at hand the deadline of that bucket is exact
/// (per needed version); otherwise it is the soonest any version replaced
/// since the window opened can go.
/// What the tail saw done to each bucket's data, by bucket, each as a
/// short phrase ("SSE-C write", "lifecycle rules written"): the dashboard
/// says it beside the verdict, and the deadline looks at those buckets.
pub fn struck(state: &State) -> HashMap<&str, BTreeSet<&'static str>> {
    let mut out: HashMap<&str, BTreeSet<&'static str>> = HashMap::new();
    for e in state.trail.ring.newest_first() {
        if let (Some(what), Some(bucket)) =
            (crate::model::trail::destruction(e), e.bucket.as_deref())
        {
            // The phrase before its explanation ("SSE-C write: a key…").
            let short = what.split([':', '(']).next().unwrap_or(what).trim_end();
            out.entry(bucket).or_default().insert(short);
        }
    }
    out
}

pub fn deadline(state: &State) -> Option<(String, Deadline)> {
    use crate::model::changes::What;
    let since = state
        .window_start
        .or(state.changes.since)
        .unwrap_or(state.watches.now);
    let planted_on = |name: &str| {
        state
            .changes
            .rows
            .iter()
            .any(|c| matches!(&c.what, What::Lifecycle { bucket, .. } if bucket == name))
    };
    // Ransomware works on private buckets: a bucket the tail saw an
    // SSE-C write, a lifecycle write or a bulk delete on is in it too.
    let struck = struck(state);
    let mut best: Option<(String, Deadline)> = None;
    for b in &state.buckets {
        let name = &b.facts.name;
        if !state.checklist.incident_buckets.contains(name)
            && !planted_on(name)
            && !struck.contains_key(name.as_str())
        {
            continue;
        }
        let Some(rules) = b.facts.lifecycle.known().filter(|r| !r.is_empty()) else {
            continue;
        };
        let listed = state
            .versions
            .as_ref()
            .filter(|v| v.bucket == *name)
            .and_then(|v| v.list.as_ref()?.as_ref().ok().map(|l| (v.since, l)));
        let d = match listed {
            Some((to, l)) => lifecycle::restore_deadline(
                rules,
                l.keys.iter().filter_map(|h| lifecycle::needed_of(h, to)),
            ),
            None => {
                let versioned = b
                    .facts
                    .versioning
                    .known()
                    .is_some_and(|v| v.status.is_some());
                lifecycle::bucket_deadline(rules, since, versioned)
            }
        };
        if let Some(d) = d
            && best.as_ref().is_none_or(|(_, b)| d.at < b.at)
        {
            best = Some((name.clone(), d));
        }
    }
    // A Game Day compresses the rule's days into its own clock.
    if let (Some((_, d)), Some(at)) = (
        best.as_mut(),
        state.gameday.as_ref().and_then(|g| g.expiry_at),
    ) {
        d.at = at;
    }
    best
}
