//! The action log: every action of this incident, its outcome, and which can
//! be undone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use super::app::State;
use super::render::untrusted;
use super::theme::Theme;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        match state.actions.len() {
            1 => " Action log: 1 action in this incident ".to_string(),
            n => format!(" Action log: {n} actions in this incident "),
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
    let rows = state.actions.iter().map(|r| {
        Row::new(vec![
            Cell::from(r.id.clone()),
            Cell::from(r.what.clone()),
            Cell::from(untrusted(&r.target)),
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
            Constraint::Length(5),
            Constraint::Length(20),
            Constraint::Fill(2),
            Constraint::Length(4),
            Constraint::Fill(3),
        ],
    )
    .header(Row::new(vec!["ID", "ACTION", "TARGET", "UNDO", "RESULT"]).style(theme.dim()))
    .block(block)
    .row_highlight_style(theme.selected());
    let mut ts = TableState::default().with_selected(Some(state.log_selected));
    frame.render_stateful_widget(table, area, &mut ts);
}
