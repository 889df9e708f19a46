//! The panes: one file each, holding its keys and its drawing (its state
//! is in `state/`). This module is the one registration: which pane owns
//! a view's keys, its typed line, its drawing and its hints.

pub mod action_log;
pub mod changes;
pub mod checklist;
pub mod credentials;
pub mod detail;
pub mod dialog;
pub mod exposure;
pub mod gameday;
pub mod prompt;
pub mod trail;
pub mod versions;
pub mod watches;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::keymap::Action;
use crate::tui::line_input;
use crate::tui::msg::Command;
use crate::tui::state::{State, View};
use crate::tui::theme::Theme;

/// The open view's pane takes a key: `None` when it is not one of its
/// keys, so the console's own keys (and a bucket's) still work there.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    match state.view {
        View::Dashboard => exposure::on_action(state, action),
        View::Detail => detail::on_action(state, action),
        View::ActionLog => action_log::on_action(state, action),
        View::Credentials | View::CredentialDetail => credentials::on_action(state, action),
        View::Trail | View::TrailDetail => trail::on_action(state, action),
        View::Watches => watches::on_action(state, action),
        View::Versions => versions::on_action(state, action),
        View::Checklist => checklist::on_action(state, action),
        View::Changes => changes::on_action(state, action),
    }
}

/// Whether the open pane has a line being typed (a filter, a note, a
/// watch target): then that line takes every key ([`on_input_key`]).
pub fn typing(state: &State) -> bool {
    match state.view {
        View::Credentials => state.creds.input.is_some(),
        View::Trail => state.trail.input.is_some(),
        View::Checklist => state.checklist.note.is_some(),
        View::Watches => state.watches.input.is_some(),
        _ => false,
    }
}

/// A key for the line being typed. Ctrl-C quits from any line, as
/// everywhere.
pub fn on_input_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    state.dirty = true;
    if line_input::is_quit(&key) {
        state.quit = true;
        return Vec::new();
    }
    match state.view {
        View::Credentials => credentials::on_input_key(state, key),
        View::Trail => trail::on_input_key(state, key),
        View::Checklist => checklist::on_input_key(state, key),
        View::Watches => watches::on_input_key(state, key),
        _ => Vec::new(),
    }
}

/// Draw the open view.
pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    match state.view {
        View::Dashboard => exposure::render(state, frame, area, theme),
        View::Detail => detail::render(state, frame, area, theme),
        View::ActionLog => action_log::render(state, frame, area, theme),
        View::Credentials => credentials::render(state, frame, area, theme),
        View::CredentialDetail => credentials::render_detail(state, frame, area, theme),
        View::Trail => trail::render(state, frame, area, theme),
        View::TrailDetail => trail::render_detail(state, frame, area, theme),
        View::Watches => watches::render(state, frame, area, theme),
        View::Versions => versions::render(state, frame, area, theme),
        View::Checklist => checklist::render(state, frame, area, theme),
        View::Changes => changes::render(state, frame, area, theme),
    }
}

/// The keys the status line offers on a view.
pub fn hints(view: View) -> &'static [Action] {
    match view {
        View::Dashboard => exposure::HINTS,
        View::Detail => detail::HINTS,
        View::ActionLog => action_log::HINTS,
        View::Credentials => credentials::HINTS,
        View::CredentialDetail => credentials::DETAIL_HINTS,
        View::Trail => trail::HINTS,
        View::TrailDetail => trail::DETAIL_HINTS,
        View::Watches => watches::HINTS,
        View::Versions => versions::HINTS,
        View::Checklist => checklist::HINTS,
        View::Changes => changes::HINTS,
    }
}
