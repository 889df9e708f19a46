//! Folding what was read into the bucket table: scan events as they
//! stream, one bucket re-read after an action or a trail event, and the
//! periodic re-verification of the incident's buckets.

use crate::model::facts::BucketFacts;
use crate::scan::{BucketReport, ScanEvent, Snapshot};
use crate::tui::msg::Command;
use crate::tui::state::{State, Status, info};

/// Put a bucket's fresh facts in its sorted place (replacing its old row).
pub fn upsert_bucket(state: &mut State, facts: BucketFacts) {
    let Some(account) = &state.account else {
        return;
    };
    let report = BucketReport::new(account, facts);
    state.buckets.retain(|b| b.facts.name != report.facts.name);
    let pos = state
        .buckets
        .partition_point(|b| b.sort_key() < report.sort_key());
    state.buckets.insert(pos, report);
    // While rows stream in, the cursor follows the worst bucket; after
    // that it stays on its bucket: a bucket that an action just fixed
    // moves down the list, and the next key must not land on another one.
    if (!state.cursor_moved && state.scan.running) || state.selected.is_none() {
        state.select_index(0);
    }
}

pub fn on_scan_event(state: &mut State, event: ScanEvent) -> Vec<Command> {
    match event {
        ScanEvent::Identity(r) => {
            if let Err(e) = &r {
                state.status = Some(Status {
                    text: format!("caller identity {e}: {}", e.message),
                    is_error: true,
                    awaiting: None,
                });
            }
            state.identity = Some(r);
        }
        ScanEvent::Account(a) => {
            // A changed account-level setting changes every verdict.
            for b in &mut state.buckets {
                *b = BucketReport::new(&a, b.facts.clone());
            }
            state
                .buckets
                .sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
            state.account = Some(a);
        }
        ScanEvent::Listed(n) => state.scan.total = Some(n),
        ScanEvent::Bucket(facts) => {
            if state.account.is_none() {
                return Vec::new();
            }
            state.scan.done += 1;
            state.scan.seen.insert(facts.name.clone());
            upsert_bucket(state, *facts);
            if !state.scan.quiet {
                state.status = Some(info(format!("scanning… {}", state.scan.fraction())));
            }
        }
        ScanEvent::Failed(e) => {
            state.scan.running = false;
            state.status = Some(Status {
                text: format!("scan stopped: {e}: {}", e.message),
                is_error: true,
                awaiting: None,
            });
        }
        ScanEvent::Finished => {
            state.scan.running = false;
            let seen = std::mem::take(&mut state.scan.seen);
            state.buckets.retain(|b| seen.contains(&b.facts.name));
            if state.selected_index().is_none() {
                state.selected = None;
                state.select_index(0);
            }
            if !state.scan.quiet {
                state.status = Some(Status {
                    text: format!("scan complete: {} buckets", state.buckets.len()),
                    is_error: false,
                    awaiting: None,
                });
            }
            if state.scan.again {
                let quiet = state.scan.quiet;
                let status = state.status.take();
                // It read the account before the change: its verdicts are
                // not kept as the record, the next scan's are.
                let cmds = state.start_scan();
                state.status = status;
                state.scan.quiet = quiet;
                return cmds;
            }
            let mut cmds = Vec::new();
            // The tail runs from the first scan on, whatever pane is open:
            // the dashboard's marks, the header's deadline and the
            // tampering banner read it, and a ransomware attack on a
            // private bucket shows nowhere else.
            if !state.trail.started {
                state.trail.started = true;
                cmds.push(Command::StartTail);
            }
            if let (Some(account), true) = (&state.account, state.context.incident.is_some()) {
                cmds.push(Command::RecordSnapshot(Box::new(Snapshot {
                    account: account.clone(),
                    buckets: state.buckets.iter().map(|b| b.facts.clone()).collect(),
                })));
            }
            return cmds;
        }
    }
    Vec::new()
}

/// Re-read one bucket, with the objects the tail saw made public.
pub fn refresh_bucket(state: &State, bucket: &str) -> Command {
    Command::RefreshBucket {
        bucket: bucket.to_string(),
        watch_keys: state
            .trail
            .public_acl_keys
            .get(bucket)
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default(),
    }
}

/// Read every bucket again without taking over the status line (or, while
/// a scan runs, once it ends: it may have read things before the change).
pub fn quiet_rescan(state: &mut State) -> Vec<Command> {
    if state.scan.running {
        state.scan.again = true;
        return Vec::new();
    }
    let status = state.status.take();
    let cmds = state.start_scan();
    state.status = status;
    state.scan.quiet = true;
    cmds
}

/// How often the incident's buckets are read again, in seconds.
pub const REVERIFY_SECS: i64 = 30;
/// At most this many of them per round (the rest wait for the next).
pub const REVERIFY_MAX: usize = 20;

/// Read the incident's buckets again every [`REVERIFY_SECS`]. An attacker
/// with a key still active can reopen a door after it was closed, and
/// CloudTrail delivers the proof minutes later (if the tail is open at
/// all): a "private" on screen must be at most this old.
pub fn reverify(state: &mut State, now: i64) -> Vec<Command> {
    if state.scan.reverified_at == 0 {
        // The clock's first tick: the scan that just ran is the first read.
        state.scan.reverified_at = now;
    }
    if state.scan.running
        || state.credentials_expired
        || state.checklist.incident_buckets.is_empty()
        || now - state.scan.reverified_at < REVERIFY_SECS
    {
        return Vec::new();
    }
    state.scan.reverified_at = now;
    let held: Vec<String> = state
        .checklist
        .incident_buckets
        .iter()
        .filter(|b| state.buckets.iter().any(|r| &r.facts.name == *b))
        .cloned()
        .collect();
    // Rotate through a long list, a slice per round.
    let start =
        usize::try_from(now / REVERIFY_SECS).unwrap_or(0) * REVERIFY_MAX % held.len().max(1);
    held.iter()
        .cycle()
        .skip(start)
        .take(held.len().min(REVERIFY_MAX))
        .map(|b| refresh_bucket(state, b))
        .collect()
}
