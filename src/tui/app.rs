//! The console's state and its one mutator, `update()`. It never awaits and
//! never touches the network: AWS work is requested as a [`Command`] and comes
//! back later as a [`Msg`]. That makes every behaviour here testable by
//! feeding messages and reading the state.

use crossterm::event::{KeyCode, KeyModifiers};

use super::fold::{on_scan_event, quiet_rescan, refresh_bucket, reverify, upsert_bucket};
use super::gate::{EXPIRED, on_action_finished, open_dialog};
use super::keymap::Action;
pub use super::msg::{Command, Msg};
use super::panes;
pub use super::state::{Awaiting, Context, Notice, State, Status, View, error, info, waiting};

/// Open a ring pane, with what it needs the first time (the credentials
/// read, the CloudTrail tail).
fn open_pane(state: &mut State, pane: View) -> Vec<Command> {
    match pane {
        View::Credentials => {
            state.view = View::Credentials;
            if state.creds.facts.is_none() && !state.creds.loading {
                state.status = Some(waiting(
                    "reading IAM users, roles and EC2 key pairs…",
                    Awaiting::Credentials,
                ));
                return state.creds.load();
            }
        }
        View::Trail => return panes::trail::open(state),
        View::Watches => panes::watches::open(state),
        View::Checklist => panes::checklist::open(state),
        other => state.view = other,
    }
    Vec::new()
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    // Anything but a key, a tick or a resize may change what the checks
    // see: run them after it (they journal only what changed).
    let facts_may_change = !matches!(msg, Msg::Key(_) | Msg::Tick(_) | Msg::Resized(..));
    let mut cmds = handle(state, msg);
    if facts_may_change {
        cmds.extend(panes::checklist::refresh(state));
        state.trail.incident = panes::trail::incident_of(state);
    }
    // A pivot's filter (`w` from the tail) is for that look only: leaving
    // the credentials pane drops it.
    if state.creds.pivoted && !matches!(state.view, View::Credentials | View::CredentialDetail) {
        state.creds.pivoted = false;
        state.creds.filter.clear();
    }
    cmds
}

fn handle(state: &mut State, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Resized(w, h) => {
            state.size = (w, h);
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) if state.alarm.is_some() => {
            // Any key acknowledges the alarm; Ctrl-C still quits.
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                state.quit = true;
            }
            state.alarm = None;
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) if state.notice.is_some() => {
            // Any key closes the notice; Ctrl-C still quits.
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                state.quit = true;
            }
            state.notice = None;
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) if state.dialog.is_some() => panes::dialog::on_key(state, key),
        Msg::Key(key) if state.prompt.is_some() => panes::prompt::on_key(state, key),
        Msg::Key(key) if panes::typing(state) => panes::on_input_key(state, key),
        Msg::Tail(msg) => {
            // The trail shows an access change (or an object made public)
            // since the scan: read it again, so no verdict stays behind.
            let reread = panes::trail::on_tail(state, msg);
            if reread.everything {
                return quiet_rescan(state);
            }
            reread
                .buckets
                .iter()
                .filter(|b| state.buckets.iter().any(|r| &r.facts.name == *b))
                .map(|b| refresh_bucket(state, b))
                .collect()
        }
        Msg::WatchesReplayed(watches) => {
            panes::watches::on_replayed(state, watches);
            Vec::new()
        }
        Msg::Watch(msg) => {
            panes::watches::on_watch(state, msg);
            Vec::new()
        }
        Msg::ChecklistReplayed { steps, preserved } => {
            panes::checklist::on_replayed(state, steps, preserved)
        }
        Msg::Versions { bucket, list } => {
            panes::versions::on_loaded(state, bucket, list);
            Vec::new()
        }
        Msg::Changes { since, gathered } => {
            panes::changes::on_loaded(state, since, gathered);
            Vec::new()
        }
        Msg::Tick(now) => {
            state.watches.now = now;
            // The first scan starts before the clock's first tick: date it
            // from the tick, with slack for the seconds before.
            if state.scan.started_at == 0 {
                state.scan.started_at = now - 60;
            }
            // Redraw only what counts down: an open watch on screen, the
            // Game Day timer.
            if state.view == View::Watches && state.watches.any_open() {
                state.dirty = true;
            }
            if state.gameday.as_ref().is_some_and(|g| g.score.is_none()) {
                state.dirty = true;
            }
            reverify(state, now)
        }
        Msg::CredentialsExpired => {
            state.credentials_expired = true;
            state.status = Some(error(EXPIRED));
            state.dirty = true;
            Vec::new()
        }
        Msg::Attacker(result) => {
            panes::gameday::on_attacker(state, result);
            Vec::new()
        }
        Msg::GameDayScore(result) => {
            panes::gameday::on_score(state, result.map(|s| *s));
            Vec::new()
        }
        Msg::Key(key)
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) =>
        {
            // Ctrl-C always quits at once, from anywhere.
            state.quit = true;
            Vec::new()
        }
        Msg::Key(key) if state.quit_asked => {
            // The answer to "quit?": the quit key again quits, any other
            // key stays.
            state.quit_asked = false;
            state.dirty = true;
            if state.keymap.action(&key) == Some(Action::Quit) {
                state.quit = true;
            } else {
                state.status = Some(info("not quitting"));
            }
            Vec::new()
        }
        Msg::Key(key) => match state.keymap.action(&key) {
            Some(action) => on_action(state, action),
            None if state.help => {
                // Any key closes help, bound or not.
                state.help = false;
                state.dirty = true;
                Vec::new()
            }
            None => Vec::new(),
        },
        Msg::Scan { generation, event } => {
            if generation == state.scan.generation {
                state.dirty = true;
                return on_scan_event(state, event);
            }
            Vec::new()
        }
        Msg::Planned { key, result } => open_dialog(state, key, result, None),
        Msg::UndoPlanned {
            action_id,
            key,
            bucket,
            result,
        } => open_dialog(state, key, result, Some((action_id, bucket))),
        Msg::ActionProgress { target, progress } => {
            state.dirty = true;
            state.progress.insert(target, progress);
            Vec::new()
        }
        Msg::ActionFinished {
            key,
            what,
            target,
            bucket,
            undo_of,
            result,
        } => {
            state.dirty = true;
            state.busy.remove(&key);
            state.progress.remove(&target);
            on_action_finished(state, what, target, bucket, undo_of, result)
        }
        Msg::ActionLog(records) => {
            state.dirty = true;
            let follow = state.log_selected + 1 >= state.actions.len();
            state.actions = records;
            if follow {
                state.log_selected = state.actions.len().saturating_sub(1);
            }
            Vec::new()
        }
        Msg::BucketRefreshed(facts) => {
            state.dirty = true;
            upsert_bucket(state, *facts);
            Vec::new()
        }
        Msg::CannotDo { key, what, why } => {
            state.dirty = true;
            state.busy.remove(&key);
            state.status = Some(error(format!("{what}: not possible on this target")));
            state.notice = Some(Notice {
                title: format!("{what}: not possible here"),
                lines: vec![why],
            });
            Vec::new()
        }
        Msg::Credentials { generation, facts } => {
            if generation == state.creds.generation {
                state.dirty = true;
                state.creds.loading = false;
                state.creds.facts = Some(*facts);
                // Only answer a load the responder asked for: a reload after
                // an action keeps that action's result in the status line.
                if state
                    .status
                    .as_ref()
                    .is_some_and(|s| s.awaiting == Some(Awaiting::Credentials))
                {
                    state.status = Some(info("credentials read"));
                }
            }
            Vec::new()
        }
        Msg::Journaled(Ok(what)) => {
            // Answer a write the responder is waiting for (e.g. preserving
            // events); routine writes stay quiet.
            let awaiting = state.status.as_ref().and_then(|s| s.awaiting);
            if awaiting == Some(Awaiting::Preserving) {
                state.checklist.evidence_preserved = true;
                state.status = Some(info(format!(
                    "{what}: in the evidence folder, hash in the journal"
                )));
                state.dirty = true;
            } else if awaiting == Some(Awaiting::Watch) {
                state.status = Some(info(format!(
                    "{what}: the watches pane (W) shows it; it is in the journal"
                )));
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::Journaled(Err(e)) => {
            state.status = Some(Status {
                text: format!("journal: {e}"),
                is_error: true,
                awaiting: None,
            });
            state.dirty = true;
            Vec::new()
        }
    }
}

fn on_action(state: &mut State, action: Action) -> Vec<Command> {
    state.dirty = true;
    if state.help {
        // Motion keys scroll help; any other key closes it, `q` and Esc
        // included: the overlay says so, and a quit from help once ended a
        // Game Day by accident (Ctrl-C, handled before this, still quits).
        match action {
            Action::Down => state.help_scroll = state.help_scroll.saturating_add(1),
            Action::Up => state.help_scroll = state.help_scroll.saturating_sub(1),
            Action::PageDown => state.help_scroll = state.help_scroll.saturating_add(10),
            Action::PageUp => state.help_scroll = state.help_scroll.saturating_sub(10),
            _ => state.help = false,
        }
        return Vec::new();
    }
    match action {
        Action::Hint => {
            panes::gameday::on_hint(state);
            return Vec::new();
        }
        Action::Finish => return panes::gameday::on_finish(state),
        _ => {}
    }
    // Tab and Backtab: the one ring, whichever pane is open.
    if matches!(action, Action::SwitchPane | Action::PrevPane) {
        return match state.view.neighbour(action == Action::SwitchPane) {
            Some(pane) => open_pane(state, pane),
            None => Vec::new(),
        };
    }
    // The open view's pane takes its keys first; quit, help and the action
    // log are the console's everywhere.
    let global = matches!(action, Action::Quit | Action::Help | Action::ActionLog);
    if !global && let Some(cmds) = panes::on_action(state, action) {
        return cmds;
    }
    // Keys that open a view from elsewhere.
    let in_creds = matches!(state.view, View::Credentials | View::CredentialDetail);
    match action {
        Action::Checklist => {
            panes::checklist::open(state);
            return Vec::new();
        }
        Action::Versions if matches!(state.view, View::Dashboard | View::Detail) => {
            return panes::versions::open(state);
        }
        Action::Changes if state.view != View::Changes => {
            return panes::changes::open(state);
        }
        Action::Watch if !in_creds => {
            panes::watches::open(state);
            return Vec::new();
        }
        _ => {}
    }
    match (state.view, action) {
        (_, Action::Quit) => match quit_warning(state) {
            // A running game or an open watch: quitting by accident costs
            // something, so ask once.
            Some(why) => {
                state.quit_asked = true;
                state.status = Some(error(format!("{why}. q again quits, any other key stays")));
            }
            None => state.quit = true,
        },
        (_, Action::Help) => {
            state.help = true;
            state.help_scroll = 0;
        }
        (View::ActionLog, Action::ActionLog) => state.view = state.log_return,
        (view, Action::ActionLog) => panes::action_log::open(state, view),
        (View::ActionLog, _) => {}
        (_, Action::Undo) => {
            state.status = Some(info(
                "open the action log (a) and choose the action to undo",
            ))
        }
        // A bucket's actions, from the bucket table, its detail, its
        // versions and the checklist.
        (View::Dashboard | View::Detail | View::Versions | View::Checklist, a) => {
            return panes::exposure::on_bucket_key(state, a);
        }
        (
            View::Credentials
            | View::CredentialDetail
            | View::Trail
            | View::TrailDetail
            | View::Watches
            | View::Changes,
            _,
        ) => {}
    }
    Vec::new()
}

/// Why quitting now needs a second `q`, if it does.
fn quit_warning(state: &State) -> Option<String> {
    if state.gameday.as_ref().is_some_and(|g| g.score.is_none()) {
        return Some("a Game Day is running (F finishes and scores it)".into());
    }
    let open: Vec<&str> = state
        .watches
        .rows
        .iter()
        .filter(|r| !r.is_final())
        .map(|r| r.watch.spec.id.as_str())
        .collect();
    (!open.is_empty()).then(|| {
        format!(
            "watch {} still open: it stops until warroom runs on this incident again (it resumes from the journal)",
            open.join(", ")
        )
    })
}
