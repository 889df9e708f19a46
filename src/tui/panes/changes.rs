//! The attacker's changes (`!`): what the incident's principals changed
//! since the window opened — keys, users, policies, roles and trust, the
//! trail — with who, when, from where and whether it is still in place.
//! Gathered on a task (`crate::changes::gather`); this pane asks for it and
//! draws it. It belongs to the CloudTrail pane of the Tab ring.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::aws::AwsError;
use crate::changes::Gathered;
use crate::model::changes::{Found, Standing};
use crate::tui::keymap::Action;
use crate::tui::msg::Command;
use crate::tui::state::{Awaiting, State, View, error, info, waiting};
use crate::tui::text::{fit, untrusted};
use crate::tui::theme::Theme;

pub const HINTS: &[Action] = &[
    Action::Revert,
    Action::Changes,
    Action::Back,
    Action::SwitchPane,
    Action::Help,
    Action::Quit,
];

/// Open the view and gather (again): the state may have changed since.
pub fn open(state: &mut State) -> Vec<Command> {
    state.view = View::Changes;
    state.dirty = true;
    if state.context.incident.is_none() {
        state.status = Some(error(
            "no incident directory: the changes are looked for from the incident's journal",
        ));
        return Vec::new();
    }
    if state.changes.loading {
        return Vec::new();
    }
    state.changes.loading = true;
    state.status = Some(waiting(
        "reading what the incident's principals changed (CloudTrail and IAM)…",
        Awaiting::Changes,
    ));
    vec![Command::LoadChanges {
        since: state.window_start,
    }]
}

/// The gather's answer.
pub fn on_loaded(state: &mut State, since: i64, gathered: Result<Gathered, AwsError>) {
    let c = &mut state.changes;
    c.loading = false;
    c.loaded = true;
    state.dirty = true;
    match gathered {
        Ok(g) => {
            // The gather read the trails afresh: the banner and the header
            // take the newer word.
            if let Some(trails) = g.trails {
                state.trail.trails = Some(Ok(trails));
            }
            let c = &mut state.changes;
            c.rows = g.changes;
            c.problems = g.problems;
            c.events_read = g.events_read;
            c.error = None;
            c.since = Some(since);
            c.selected = c.selected.min(c.rows.len().saturating_sub(1));
            let in_place = c
                .rows
                .iter()
                .filter(|r| r.standing == Standing::InPlace)
                .count();
            // A re-read after an action keeps the action's result on the
            // status line; only the pane's own "reading…" is answered.
            let asked = state
                .status
                .as_ref()
                .is_some_and(|s| s.awaiting == Some(Awaiting::Changes));
            if !asked {
                return;
            }
            state.status = Some(if in_place > 0 {
                error(format!(
                    "{in_place} change(s) by the incident's principals still in place"
                ))
            } else {
                info(format!("{} change(s), none still in place", c.rows.len()))
            });
        }
        Err(e) => {
            c.error = Some(e.said());
            state.status = Some(error(format!("changes not read: {}", untrusted(&e.said()))));
        }
    }
}

/// Keys while the view is open; `None`: not the view's.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    let c = &mut state.changes;
    let last = c.rows.len().saturating_sub(1);
    match action {
        Action::Back => state.view = View::Trail,
        Action::Down => c.selected = (c.selected + 1).min(last),
        Action::Up => c.selected = c.selected.saturating_sub(1),
        Action::Top => c.selected = 0,
        Action::Bottom => c.selected = last,
        Action::Changes | Action::Rescan => return Some(open(state)),
        Action::Revert => {
            let me = match &state.identity {
                Some(Ok(id)) => Some(id.arn.as_str()),
                _ => None,
            };
            let asked = match c.rows.get(c.selected) {
                None => Err("no change selected".to_string()),
                Some(row) => crate::tui::offers::revert(row, me),
            };
            return Some(match asked {
                Ok(spec) => crate::tui::gate::request(state, spec),
                Err(why) => {
                    state.status = Some(error(why));
                    state.dirty = true;
                    Vec::new()
                }
            });
        }
        _ => return None,
    }
    state.dirty = true;
    Some(Vec::new())
}

fn standing_span(s: &Standing, theme: &Theme) -> Span<'static> {
    match s {
        Standing::InPlace => Span::styled("IN PLACE", theme.error()),
        Standing::Gone => Span::styled("gone", theme.ok()),
        Standing::Partly(_) => Span::styled("partly", theme.warn()),
        Standing::Unknown(_) => Span::styled("unknown", theme.dim()),
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let c = &state.changes;
    let [top, table_area, detail_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(area.height.saturating_sub(5).min(6)),
    ])
    .areas(area);
    let in_place = c
        .rows
        .iter()
        .filter(|r| r.standing == Standing::InPlace)
        .count();
    let mut spans = vec![Span::styled(
        format!(
            " {} change(s), {in_place} in place{} ",
            c.rows.len(),
            c.since
                .map(|s| format!(", since {}", crate::time::iso_time(s)))
                .unwrap_or_default()
        ),
        theme.title(),
    )];
    if c.loading {
        spans.push(Span::styled(" reading… ", theme.dim()));
    }
    for p in &c.problems {
        spans.push(Span::styled(format!(" {} ", untrusted(p)), theme.warn()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), top);

    let what_w = usize::from(area.width.saturating_sub(2))
        .saturating_sub(8 + 9 + 16 + 4)
        .max(16);
    let rows: Vec<Row> = c
        .rows
        .iter()
        .map(|r| {
            let what = format!(
                "{}{}",
                r.what.describe(),
                if r.found == Found::Sweep {
                    " (sweep)"
                } else {
                    ""
                }
            );
            // The time of day: the window is hours, the date is in the
            // title; the What column gets the room.
            let when = r
                .when
                .get(11..19)
                .filter(|_| r.when.len() >= 19)
                .unwrap_or(&r.when);
            Row::new(vec![
                Cell::from(untrusted(when)),
                Cell::from(standing_span(&r.standing, theme)),
                Cell::from(fit(&untrusted(&what), what_w)),
                Cell::from(untrusted(r.from.as_deref().unwrap_or("-"))),
            ])
        })
        .collect();
    let empty = c.rows.is_empty();
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Min(16),
            Constraint::Length(16),
        ],
    )
    .header(Row::new(["When", "Standing", "What", "From"]).style(theme.title()))
    .row_highlight_style(theme.selected())
    .block(
        Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" The attacker's changes ", theme.title())),
    );
    let mut ts = TableState::default().with_selected((!empty).then_some(c.selected));
    frame.render_stateful_widget(table, table_area, &mut ts);
    if empty {
        let text = match (&c.error, c.loaded) {
            (Some(e), _) => format!("Could not read the changes: {}", untrusted(e)),
            (None, false) => "Reading…".to_string(),
            (None, true) => format!(
                "No change by the incident's principals in {} record(s), nor in the sweep of IAM.",
                c.events_read
            ),
        };
        let inner = table_area.inner(ratatui::layout::Margin::new(2, 2));
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim())
                .wrap(Wrap { trim: true }),
            inner,
        );
    }
    if let Some(r) = c.rows.get(c.selected) {
        let mut lines = vec![Line::from(format!(
            "{} · {}",
            untrusted(&r.when),
            untrusted(&r.what.describe())
        ))];
        lines.push(Line::from(format!(
            "by {}{}",
            untrusted(if r.who.is_empty() { "?" } else { &r.who }),
            r.with_key
                .as_deref()
                .map(|k| format!(" with {}", untrusted(k)))
                .unwrap_or_default()
        )));
        lines.push(Line::from(format!(
            "standing: {} · found: {}",
            untrusted(&r.standing.label()),
            match r.found {
                Found::Trail => "CloudTrail",
                Found::Sweep => "the sweep only (no record seen: the trail may have been stopped)",
                Found::Both => "CloudTrail and the sweep",
            }
        )));
        if let crate::model::changes::What::TrustChanged {
            document: Some(d), ..
        } = &r.what
        {
            lines.push(Line::from(format!("new trust policy: {}", untrusted(d))));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(Block::default().borders(Borders::TOP)),
            detail_area,
        );
    }
}
