//! The action gate: whether an action may start now (read-only, expired
//! credentials, the target busy), the plan it asks for, the dialog that
//! confirms it, and what its outcome changes. Every key that acts on AWS
//! comes through here.

use crate::actions::{ActionError, ActionSpec, Outcome, Plan};
use crate::tui::fold::{quiet_rescan, refresh_bucket};
use crate::tui::msg::Command;
use crate::tui::state::{ConfirmDialog, Notice, State, Status, error, info};

/// What the responder is told once the credentials have expired.
pub const EXPIRED: &str = "the credentials have expired: actions are refused. Re-authenticate (e.g. aws sso login), then start warroom again with the same --incident DIR: the journal, the checklist and the watches resume";

/// Why an action on `key` cannot start now, if it cannot.
pub fn action_refusal(state: &State, key: &str) -> Option<String> {
    if state.credentials_expired {
        Some(EXPIRED.into())
    } else if state.context.read_only {
        Some("--read-only: actions are off".into())
    } else if state.busy.contains(key) {
        Some(format!(
            "an action on {key} is still running; it can take the next one when it finishes"
        ))
    } else if state.context.incident.is_none() {
        Some("no incident directory: actions need one to record prior state".into())
    } else {
        None
    }
}

/// Start planning an action.
pub fn request(state: &mut State, spec: ActionSpec) -> Vec<Command> {
    let key = spec.lock_key();
    if let Some(why) = action_refusal(state, &key) {
        state.status = Some(error(why));
        return Vec::new();
    }
    state.busy.insert(key);
    state.status = Some(info(format!(
        "planning {}: reading the current state of {}…",
        spec.name(),
        spec.target()
    )));
    vec![Command::PlanAction(spec)]
}

/// A plan (or an undo's plan) has arrived: show it for confirmation. One
/// dialog at a time: a plan that arrives while another waits for an answer
/// is dropped, and its target freed.
pub fn open_dialog(
    state: &mut State,
    key: String,
    result: Result<Box<Plan>, ActionError>,
    undo_of: Option<(String, Option<String>)>,
) -> Vec<Command> {
    state.dirty = true;
    match result {
        Ok(_) if state.dialog.is_some() => {
            state.busy.remove(&key);
            state.status = Some(error(
                "another confirmation is open: answer it first, then ask again",
            ));
        }
        Ok(plan) => {
            state.status = Some(info(match (&undo_of, state.context.dry_run) {
                (Some((id, _)), _) => format!("undo {id}: type {id} to confirm, or Esc to cancel"),
                (None, true) => {
                    "DRY RUN: confirm to journal the plan (nothing is applied), or Esc".into()
                }
                (None, false) => "confirm the plan, or Esc to cancel".into(),
            }));
            state.dialog = Some(ConfirmDialog {
                plan: *plan,
                typed: String::new(),
                scroll: 0,
                undo_of,
            });
        }
        Err(e) => {
            state.busy.remove(&key);
            state.status = Some(match &undo_of {
                Some((id, _)) => error(format!("cannot undo {id}: {e}")),
                // Nothing to do is an answer, not a failure.
                None if matches!(e, ActionError::NothingToDo(_)) => info(e.to_string()),
                None => error(format!("cannot plan: {e}")),
            });
        }
    }
    Vec::new()
}

/// Shift-Tab: the pane before this one in Tab's round (buckets →
/// credentials → CloudTrail → watches → playbook → buckets).
pub fn request_undo(state: &mut State) -> Vec<Command> {
    let Some(record) = state.actions.get(state.log_selected) else {
        return Vec::new();
    };
    if let Some(why) = action_refusal(state, &record.key) {
        state.status = Some(error(why));
        return Vec::new();
    }
    if !record.undoable {
        state.status = Some(error(format!(
            "{} cannot be undone ({})",
            record.id, record.result
        )));
        return Vec::new();
    }
    state.status = Some(info(format!(
        "planning the undo of {}: reading its record…",
        record.id
    )));
    let key = record.key.clone();
    let cmd = Command::PlanUndo {
        action_id: record.id.clone(),
        key: key.clone(),
        bucket: record.bucket.clone(),
    };
    state.busy.insert(key);
    vec![cmd]
}

pub fn on_action_finished(
    state: &mut State,
    what: String,
    target: String,
    bucket: Option<String>,
    undo_of: Option<String>,
    result: Result<Outcome, ActionError>,
) -> Vec<Command> {
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            state.status = Some(error(format!("{what} on {target}: {e}")));
            return Vec::new();
        }
    };
    let (text, ok) = match &outcome {
        Outcome::Done { verification, .. } => (
            format!(
                "{} — {}",
                if undo_of.is_some() { "undone" } else { "done" },
                verification.detail
            ),
            true,
        ),
        Outcome::NotVerified { verification, .. } => {
            (format!("NOT verified — {}", verification.detail), false)
        }
        Outcome::DryRun { .. } => ("dry run".to_string(), true),
        Outcome::Cancelled { .. } => ("cancelled".to_string(), true),
        Outcome::Failed { stage, error, .. } => (
            format!("failed at {stage}: {} ({})", error.message, error.code),
            false,
        ),
    };
    let id = outcome.action_id().to_string();
    state.status = Some(Status {
        text: match &undo_of {
            // "A1 undo on A1" says nothing: the undo names its action.
            Some(of) => format!("undo of {of}: {text}"),
            None => format!("{id} {what} on {target}: {text}"),
        },
        is_error: !ok,
        awaiting: None,
    });
    if !ok {
        let doing = if undo_of.is_some() { "undo" } else { "action" };
        state.alarm = Some(Notice {
            title: format!("{id} {what} on {target}: NOT DONE AS ASKED"),
            lines: vec![
                format!("The {doing} {id} ({what} on {target}) did not end as asked:"),
                String::new(),
                text,
                String::new(),
                "Until it is put right, do not count this door as closed. Look at the target (r re-reads it), run the action again, or do it by hand.".into(),
                "The action log (a, then Enter on the action) keeps every step of it.".into(),
            ],
        });
    }
    // An account-wide change (account Block Public Access, or its undo)
    // can change every bucket's verdict and the header: read it all again,
    // keeping the action's result on the status line.
    let kind = match &undo_of {
        Some(id) => state
            .actions
            .iter()
            .find(|r| &r.id == id)
            .map_or(what.as_str(), |r| r.what.as_str()),
        None => what.as_str(),
    };
    let touched = !matches!(outcome, Outcome::DryRun { .. } | Outcome::Cancelled { .. });
    // The changes view says whether each change stands: after anything
    // that may have taken one back, it reads them again rather than keep
    // saying IN PLACE.
    let mut cmds = if touched && state.changes.loaded && !state.changes.loading {
        state.changes.loading = true;
        vec![Command::LoadChanges {
            since: state.window_start,
        }]
    } else {
        Vec::new()
    };
    if touched && kind == crate::actions::ActionKind::StartLogging.name() {
        cmds.push(Command::RefreshTrails);
    }
    if touched && kind == "block-public-access-account" {
        cmds.extend(quiet_rescan(state));
        return cmds;
    }
    // Show the verdict change at once: re-read the bucket the action touched.
    cmds.extend(match (&outcome, bucket) {
        (
            Outcome::Done { .. } | Outcome::NotVerified { .. } | Outcome::Failed { .. },
            Some(bucket),
        ) => {
            let mut cmds = vec![refresh_bucket(state, &bucket)];
            // The versions view of that bucket shows the restore's result.
            if let Some(v) = state.versions.as_mut().filter(|v| v.bucket == bucket) {
                v.list = None;
                cmds.push(Command::LoadVersions {
                    bucket,
                    since: v.since,
                });
            }
            cmds
        }
        // A credential action (or its undo): re-read the credentials pane,
        // so the key's status or the role's policies show the change.
        (Outcome::Done { .. } | Outcome::NotVerified { .. } | Outcome::Failed { .. }, None)
            if state.creds.facts.is_some() && !state.creds.loading =>
        {
            state.creds.load()
        }
        _ => Vec::new(),
    });
    cmds
}
