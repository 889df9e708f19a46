//! The restore prompt (`R`): the time to restore to, typed, with a first
//! guess from the tail, and which of the incident's new keys to hide.

use crossterm::event::KeyEvent;

use crate::actions::{self, ActionSpec};
use crate::tui::gate::request;
use crate::tui::msg::Command;
use crate::tui::state::{State, error};

/// A first guess at the moment to restore to: one second before the
/// earliest change to the bucket the CloudTrail pane has seen (S3 and
/// CloudTrail both keep whole seconds, so that is the last moment before
/// it), else an hour ago.
pub fn restore_time_guess(state: &State, bucket: &str) -> String {
    let earliest = state
        .trail
        .ring
        .newest_first()
        .filter(|e| e.bucket.as_deref() == Some(bucket) && e.read_only == Some(false))
        .filter_map(|e| crate::time::parse_time(&e.time))
        .min();
    if let Some(t) = state.window_start {
        return crate::time::iso_time(t);
    }
    match earliest {
        Some(t) => crate::time::iso_time(t - 1),
        None => {
            let t = crate::time::now_secs() - 3600;
            crate::time::iso_time(t - t % 60)
        }
    }
}

/// The keys of `bucket` the CloudTrail pane saw an incident principal
/// write, sorted: a restore hides those made after its time by default
/// (the ransom note), and leaves the application's new keys.
pub fn incident_written(state: &State, bucket: &str) -> Vec<String> {
    let keys: std::collections::BTreeSet<String> = state
        .trail
        .ring
        .newest_first()
        .filter(|e| e.bucket.as_deref() == Some(bucket))
        .filter(|e| crate::model::trail::written_by_incident(e, &state.trail.incident))
        .filter_map(|e| e.key.clone())
        .collect();
    keys.into_iter().collect()
}

/// The versions of `bucket` an incident principal wrote with SSE-C, as
/// the tail's records name them (`x-amz-version-id` in the response): the
/// restore never picks one, whatever its time.
pub fn incident_sse_c_versions(state: &State, bucket: &str) -> Vec<String> {
    sse_c_versions_seen(state, bucket, true)
        .into_iter()
        .collect()
}

/// The version ids the tail saw written with SSE-C on `bucket` (by an
/// incident principal only, or by anyone).
pub fn sse_c_versions_seen(
    state: &State,
    bucket: &str,
    incident_only: bool,
) -> std::collections::BTreeSet<String> {
    state
        .trail
        .ring
        .newest_first()
        .filter(|e| e.sse_c && e.bucket.as_deref() == Some(bucket))
        .filter(|e| {
            !incident_only || crate::model::trail::written_by_incident(e, &state.trail.incident)
        })
        .filter_map(|e| e.version_written())
        .collect()
}

/// Keys while the restore time is typed: "TIME [PREFIX] [hide|keep]".
pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    state.dirty = true;
    let Some(p) = state.prompt.as_mut() else {
        return Vec::new();
    };
    match crate::tui::line_input::edit(&mut p.text, key, 1100) {
        crate::tui::line_input::Edit::Quit => state.quit = true,
        crate::tui::line_input::Edit::Cancel => {
            state.prompt = None;
            state.status = None;
        }
        crate::tui::line_input::Edit::Submit => {
            let text = p.text.clone();
            let bucket = p.bucket.clone();
            // `override REASON…` ends the line: the rest is the reason to
            // restore before what comes first (journaled with the action).
            let (text, override_order) = match text.split_once(" override") {
                Some((head, reason)) => (head.to_string(), Some(reason.trim().to_string())),
                None => (text.clone(), None),
            };
            if override_order.as_deref().is_some_and(str::is_empty) {
                state.status = Some(error(
                    "override needs a reason after it, e.g. `override customers down, legal approved`",
                ));
                return Vec::new();
            }
            let mut words = text.split_whitespace();
            let when = words.next().map(crate::cli::parse_when);
            // After the time: a prefix, and/or `hide` (every key created
            // after the time gets a removable delete marker, as
            // --hide-newer) or `keep` (none does). By default only the
            // keys an incident principal wrote are hidden.
            // `from REPLICA`: copy back from a replication destination.
            let mut rest: Vec<&str> = words.collect();
            let replica = rest.iter().position(|w| *w == "from").map(|i| {
                let name = rest.get(i + 1).map(|n| n.to_string());
                rest.drain(i..(i + 2).min(rest.len()));
                name
            });
            let hide_newer = rest.contains(&"hide");
            let keep = rest.contains(&"keep");
            let prefix = rest
                .iter()
                .find(|w| !matches!(**w, "hide" | "keep"))
                .map(|w| w.to_string());
            let replica = match replica.map(|r| r.map(|n| crate::model::ids::parse_bucket(&n))) {
                Some(None) => {
                    state.status = Some(error(
                        "from what? type the replica bucket's name after `from`",
                    ));
                    return Vec::new();
                }
                Some(Some(Err(e))) => {
                    state.status = Some(error(format!("the replica's name: {e}")));
                    return Vec::new();
                }
                Some(Some(Ok(name))) => Some(name),
                None => None,
            };
            match when {
                Some(Ok(to)) => {
                    let skip_versions = incident_sse_c_versions(state, &bucket);
                    let goal = match replica {
                        Some(replica) => crate::model::restore::Goal::FromReplica {
                            replica,
                            to,
                            skip_versions,
                        },
                        None => crate::model::restore::Goal::PointInTime {
                            to,
                            hide_newer,
                            hide_keys: if hide_newer || keep {
                                Vec::new()
                            } else {
                                incident_written(state, &bucket)
                                    .into_iter()
                                    .filter(|k| {
                                        prefix.as_ref().is_none_or(|p| k.starts_with(p.as_str()))
                                    })
                                    .collect()
                            },
                            skip_versions,
                        },
                    };
                    state.prompt = None;
                    state.window_start = Some(to);
                    return request(
                        state,
                        ActionSpec::PitRestore(actions::restore::Args {
                            bucket,
                            prefix,
                            goal,
                            override_order,
                        }),
                    );
                }
                // The text stays, to be corrected.
                Some(Err(e)) => state.status = Some(error(e)),
                None => state.status = Some(error("type the time to restore to")),
            }
        }
        crate::tui::line_input::Edit::Changed | crate::tui::line_input::Edit::Ignored => {}
    }
    Vec::new()
}
