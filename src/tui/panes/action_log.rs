//! The action log: every action of this incident, its outcome, and which can
//! be undone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use crate::tui::gate;
use crate::tui::keymap::Action;
use crate::tui::msg::Command;
use crate::tui::state::{Notice, State, View};
use crate::tui::text::{fit, untrusted};
use crate::tui::theme::Theme;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        match state.actions.len() {
            1 => " Action log: 1 action · Enter every step · u undo ".to_string(),
            n => format!(" Action log: {n} actions · Enter every step · u undo "),
        },
        theme.title(),
    ));
    if state.actions.is_empty() {
        frame.render_widget(
            Paragraph::new("No actions yet. On a bucket, b blocks public access (it asks first).")
                .block(block),
            area,
        );
        return;
    }
    // Whole action names; targets keep their end (a bucket's or a user's
    // name) when cut; the result gets the rest (Enter shows it whole).
    let inner = usize::from(area.width.saturating_sub(2));
    let widest = |len: fn(&crate::tui::state::ActionRecord) -> usize, min: usize, max: usize| {
        state
            .actions
            .iter()
            .map(len)
            .max()
            .unwrap_or(min)
            .clamp(min, max)
    };
    let id_w = widest(|r| r.id.len(), 2, 12);
    let what_w = widest(|r| r.what.len(), 6, 28);
    let rest = inner.saturating_sub(id_w + what_w + 4 + 4);
    let target_w = widest(|r| r.target.chars().count(), 6, (rest * 2 / 3).max(6));
    let rows = state.actions.iter().map(|r| {
        Row::new(vec![
            Cell::from(r.id.clone()),
            Cell::from(fit(&r.what, what_w)),
            Cell::from(fit(&untrusted(&r.target), target_w)),
            Cell::from(if r.undoable { "u" } else { "-" }),
            Cell::from(Span::styled(
                untrusted(&r.result),
                if r.ok { theme.ok() } else { theme.error() },
            )),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(id_w as u16),
            Constraint::Length(what_w as u16),
            Constraint::Length(target_w as u16),
            Constraint::Length(4),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(vec!["ID", "ACTION", "TARGET", "UNDO", "RESULT"]).style(theme.dim()))
    .block(block)
    .row_highlight_style(theme.selected());
    let mut ts = TableState::default().with_selected(Some(state.log_selected));
    frame.render_stateful_widget(table, area, &mut ts);
}

/// Open the log from `from`; Back returns to the pane it was opened from.
pub fn open(state: &mut State, from: View) {
    state.log_return = match from {
        View::CredentialDetail => View::Credentials,
        View::TrailDetail => View::Trail,
        other => other,
    };
    state.view = View::ActionLog;
    state.log_selected = state.actions.len().saturating_sub(1);
}

/// Keys while the log is open.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    match action {
        Action::Back => state.view = state.log_return,
        Action::Undo => return Some(gate::request_undo(state)),
        Action::Open => {
            if let Some(r) = state.actions.get(state.log_selected) {
                state.notice = Some(Notice {
                    title: format!("{} {} on {}", r.id, r.what, r.target),
                    lines: r.detail.clone(),
                });
            }
        }
        Action::Down => {
            state.log_selected =
                (state.log_selected + 1).min(state.actions.len().saturating_sub(1));
        }
        Action::Up => state.log_selected = state.log_selected.saturating_sub(1),
        _ => return None,
    }
    Some(Vec::new())
}

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[Action::Undo, Action::Back, Action::Help, Action::Quit];
