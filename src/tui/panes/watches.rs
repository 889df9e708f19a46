//! The credential watches pane: each watch with its target, cutoff, both
//! clocks (the window, and the delivery allowance after it), its counts,
//! the last use seen and its verdict; the alert banner every view shows
//! after a successful use; and starting a watch by hand.
//!
//! The watches themselves run in `crate::watch::run` on a task; this pane
//! only folds its messages into state, so it draws the same after a
//! restart (the runner replays the journal first).

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::model::watch::{Target, Verdict, Watch};
use crate::time::iso_time;
use crate::tui::keymap::Action;
use crate::tui::line_input::{self, Edit};
use crate::tui::msg::Command;
use crate::tui::state::{Awaiting, State, View, WatchRow, error, info, waiting};
use crate::tui::text::{fit, untrusted};
use crate::tui::theme::Theme;
use crate::watch::WatchMsg;

/// The journal's watches, at start (before the runner's first round).
pub fn on_replayed(state: &mut State, watches: Vec<(Watch, Option<String>)>) {
    for (w, verdict) in watches {
        state.watches.upsert(w).verdict = verdict;
    }
    state.dirty = true;
}

/// Fold one message of the watch runner into the state.
pub fn on_watch(state: &mut State, msg: WatchMsg) {
    let s = &mut state.watches;
    state.dirty = true;
    match msg {
        WatchMsg::Status { watch, .. } => {
            s.upsert(*watch);
        }
        WatchMsg::Alert { watch_id, text } => {
            s.alerts.push(format!("{watch_id}: {text}"));
            // Already looking at the watches: nothing to point at.
            s.unseen_alert = state.view != View::Watches;
            s.ring = s.bell;
            state.status = Some(error(format!("ALERT {watch_id}: {}", untrusted(&text))));
        }
        WatchMsg::SourceError { source, error } => {
            s.sources.insert(source, error);
        }
        // As loud as a use: the responder must bring the trail back.
        WatchMsg::Blind { watch_id, text } => {
            s.alerts.push(format!("{watch_id}: {text}"));
            s.unseen_alert = state.view != View::Watches;
            s.ring = s.bell;
            state.status = Some(error(format!("BLIND {watch_id}: {}", untrusted(&text))));
        }
        WatchMsg::Final { watch_id, verdict } => {
            if let Some(r) = s.rows.iter_mut().find(|r| r.watch.spec.id == watch_id) {
                r.verdict = Some(verdict.clone());
            }
            state.status = Some(info(format!(
                "{watch_id}: final verdict {}",
                verdict.to_uppercase()
            )));
        }
    }
}

/// Open the pane (the alert has now been seen).
pub fn open(state: &mut State) {
    state.view = View::Watches;
    state.watches.unseen_alert = false;
    state.dirty = true;
}

/// Keys while the pane is open; `None`: not the pane's.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    let s = &mut state.watches;
    let last = s.rows.len().saturating_sub(1);
    match action {
        Action::Back => state.view = View::Dashboard,
        Action::Down => s.selected = (s.selected + 1).min(last),
        Action::Up => s.selected = s.selected.saturating_sub(1),
        Action::Top => s.selected = 0,
        Action::Bottom => s.selected = last,
        Action::Watch => {
            if state.context.incident.is_none() {
                state.status = Some(error("no incident directory: a watch needs a journal"));
                return Some(Vec::new());
            }
            s.input = Some(String::new());
            state.status = Some(info(
                "watch: type an access key id or an IAM user/role/principal ARN — Enter starts, Esc cancels",
            ));
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Keys while a target is typed in.
/// A key for the line being typed (Ctrl-C and the redraw are
/// [`super::on_input_key`]'s).
pub fn on_input_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Some(text) = state.watches.input.as_mut() else {
        return Vec::new();
    };
    match line_input::edit(text, key, 2048) {
        Edit::Cancel => {
            state.watches.input = None;
            state.status = None;
        }
        Edit::Submit => match Target::parse(text) {
            Ok(target) => {
                state.watches.input = None;
                return start(state, target);
            }
            // The typed text stays, to be corrected.
            Err(e) => state.status = Some(error(e)),
        },
        Edit::Changed | Edit::Ignored | Edit::Quit => {}
    }
    Vec::new()
}

/// Start a watch by hand (journaled by the runtime; the runner picks it
/// up at once).
pub fn start(state: &mut State, target: Target) -> Vec<Command> {
    if state.context.incident.is_none() {
        state.status = Some(error("no incident directory: a watch needs a journal"));
        return Vec::new();
    }
    // One open watch per target: a second `W` opens the one running.
    if let Some(i) = state
        .watches
        .rows
        .iter()
        .position(|r| r.watch.spec.target == target && !r.is_final())
    {
        state.watches.selected = i;
        let id = state.watches.rows[i].watch.spec.id.clone();
        open(state);
        state.status = Some(info(format!(
            "{id} already watches {}: here it is",
            untrusted(&target.label())
        )));
        return Vec::new();
    }
    state.status = Some(waiting(
        format!("starting a watch on {}…", untrusted(&target.label())),
        Awaiting::Watch,
    ));
    vec![Command::StartWatch(target)]
}

/// The target of a credentials-pane row.
pub fn target_of(row: &crate::tui::state::CredRow<'_>) -> Option<Target> {
    use crate::tui::state::CredRow;
    Some(match row {
        CredRow::Key(_, k) => Target::AccessKey {
            key_id: k.key_id.clone(),
        },
        CredRow::User(u) => Target::User { arn: u.arn.clone() },
        CredRow::Role(r) => Target::Role { arn: r.arn.clone() },
        CredRow::KeyPair(k) => Target::KeyPair {
            name: k.name.clone(),
            instances: k.instances.iter().map(|i| i.id.clone()).collect(),
        },
        CredRow::Instance(_) => return None,
    })
}

fn mmss(secs: i64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn verdict_span(v: Verdict, theme: &Theme) -> Span<'static> {
    match v {
        Verdict::Watching => Span::styled("WATCHING", theme.warn()),
        Verdict::Clean => Span::styled("CLEAN", theme.ok()),
        Verdict::Activity => Span::styled("ACTIVITY", theme.error()),
        Verdict::Unconfirmed => Span::styled("UNCONFIRMED", theme.warn()),
    }
}

/// The banner over every view while an alert has not been looked at.
pub fn banner(state: &State) -> Option<String> {
    let s = &state.watches;
    s.unseen_alert.then(|| s.alerts.last()).flatten().map(|a| {
        format!(
            " ALERT {} — W on the dashboard opens the watches",
            untrusted(a)
        )
    })
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let s = &state.watches;
    let [top, table_area, detail_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        // The detail gives way first: the table keeps borders, its header
        // and at least one row at the smallest size.
        Constraint::Length(area.height.saturating_sub(5).min(10)),
    ])
    .areas(area);
    let mut spans = vec![Span::styled(
        format!(
            " {} {}, {} open ",
            s.rows.len(),
            if s.rows.len() == 1 {
                "watch"
            } else {
                "watches"
            },
            s.rows.iter().filter(|r| !r.is_final()).count()
        ),
        theme.title(),
    )];
    if let Some(t) = &s.input {
        spans.push(Span::styled(
            format!(" watch: {}▏", untrusted(t)),
            theme.key(),
        ));
    } else {
        for (source, e) in &s.sources {
            spans.push(Span::styled(
                format!(" {source}: {} ", untrusted(e)),
                theme.dim(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), top);

    let header = Row::new([
        "ID", "Watching", "Window", "Final in", "Den", "Succ", "New", "Verdict",
    ])
    .style(theme.title());
    // The target column's width: a cut ARN keeps the user's or role's name.
    let target_w = usize::from(area.width.saturating_sub(2))
        .saturating_sub(40 + 7)
        .max(20);
    let rows: Vec<Row> = s
        .rows
        .iter()
        .map(|r| {
            let st = r.watch.status(s.now);
            let v = r.verdict(s.now);
            let style = if v == Verdict::Activity {
                theme.error()
            } else {
                theme.plain()
            };
            Row::new(vec![
                Cell::from(r.watch.spec.id.clone()),
                Cell::from(fit(&untrusted(&r.watch.spec.target.label()), target_w)),
                Cell::from(if st.window_left > 0 && !r.is_final() {
                    mmss(st.window_left)
                } else {
                    "closed".into()
                }),
                Cell::from(if r.is_final() {
                    "final".into()
                } else {
                    mmss(st.final_left)
                }),
                Cell::from(r.watch.denied.to_string()),
                Cell::from(r.watch.succeeded.to_string()),
                Cell::from(r.watch.new_sessions.to_string()),
                Cell::from(verdict_span(v, theme)),
            ])
            .style(style)
        })
        .collect();
    let empty = s.rows.is_empty();
    let table = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Min(20),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(9),
        ],
    )
    .header(header)
    .row_highlight_style(theme.selected())
    .block(
        Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Credential watches ", theme.title())),
    );
    let mut ts = TableState::default().with_selected((!empty).then_some(s.selected));
    frame.render_stateful_widget(table, table_area, &mut ts);
    if empty {
        let inner = table_area.inner(ratatui::layout::Margin::new(2, 2));
        frame.render_widget(
            Paragraph::new(
                "No watch yet. One starts by itself when a key is deactivated, sessions are \
                 revoked or a key pair is rotated; W starts one by hand.",
            )
            .style(theme.dim())
            .wrap(Wrap { trim: true }),
            inner,
        );
    }
    let lines = s
        .rows
        .get(s.selected)
        .map(|r| detail_lines(r, s.now, theme))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Watch ", theme.title())),
        ),
        detail_area,
    );
}

fn detail_lines(r: &WatchRow, now: i64, theme: &Theme) -> Vec<Line<'static>> {
    let w = &r.watch;
    let st = w.status(now);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Target   ", theme.dim()),
            Span::raw(untrusted(&w.spec.target.label())),
        ]),
        Line::from(vec![
            Span::styled("Cutoff   ", theme.dim()),
            Span::raw(format!(
                "{} (started by {})",
                iso_time(w.spec.cutoff),
                untrusted(&w.spec.started_by)
            )),
        ]),
        Line::from(vec![
            Span::styled("Clocks   ", theme.dim()),
            Span::raw(if r.is_final() {
                format!(
                    "window {}m and late-delivery allowance {}m: over, verdict final",
                    w.spec.window_secs / 60,
                    w.spec.allowance_secs / 60
                )
            } else {
                format!(
                    "window {}m: {} left · final in {} ({}m allowance for late delivery)",
                    w.spec.window_secs / 60,
                    mmss(st.window_left),
                    mmss(st.final_left),
                    w.spec.allowance_secs / 60
                )
            }),
        ]),
        Line::from(vec![
            Span::styled("Uses     ", theme.dim()),
            Span::raw(format!(
                "{} denied, {} succeeded, {} new sessions issued after the cutoff",
                w.denied, w.succeeded, w.new_sessions
            )),
        ]),
    ];
    if let Some(l) = &w.last {
        lines.push(Line::from(vec![
            Span::styled("Last     ", theme.dim()),
            Span::raw(format!(
                "{} {} from {} ({:?})",
                iso_time(l.time),
                untrusted(&l.name),
                untrusted(l.source_ip.as_deref().unwrap_or("?")),
                l.class
            )),
        ]));
    }
    if let Some(u) = &w.iam_last_used {
        lines.push(Line::from(vec![
            Span::styled("IAM      ", theme.dim()),
            Span::styled(
                format!(
                    "last used {} ({} in {}), after the cutoff",
                    iso_time(u.time),
                    untrusted(&u.service),
                    untrusted(&u.region)
                ),
                theme.error(),
            ),
        ]));
    }
    if let Some(b) = &w.blind {
        lines.push(Line::from(vec![
            Span::styled("Blind    ", theme.dim()),
            Span::styled(
                format!(
                    "{} (from {}): this watch cannot read CLEAN; start logging again (!)",
                    untrusted(&b.why),
                    iso_time(b.since)
                ),
                theme.warn(),
            ),
        ]));
    }
    let v = r.verdict(now);
    lines.push(Line::from(vec![
        Span::styled("Verdict  ", theme.dim()),
        verdict_span(v, theme),
        Span::raw(match (v, r.is_final()) {
            (Verdict::Activity, _) => {
                " — used after revocation: not taken, not yet propagated, or another way in"
            }
            (Verdict::Unconfirmed, _) => {
                " — a trail stopped seeing during the window: silence proves nothing"
            }
            (_, true) => " — journaled with its evidence",
            _ => "",
        }),
    ]));
    lines
}

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[
    Action::Watch,
    Action::SwitchPane,
    Action::ActionLog,
    Action::Help,
    Action::Quit,
];
