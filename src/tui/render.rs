//! `render(&State, &mut Frame)`: pure. Everything drawn comes from the state,
//! so a snapshot test can draw any state. Untrusted text goes through
//! `sanitize` (see `untrusted`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::keymap::Action;
use super::panes::dialog;
use super::text::{fit, untrusted};
use super::theme::Theme;
use crate::model::facts::Fact;
use crate::tui::state::State;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::new(state.no_color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, &theme);
        return;
    }
    let [header, body, status] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(5),
        Constraint::Length(status_rows(state, area.width)),
    ])
    .areas(area);
    render_header(state, frame, header, &theme);
    // An alert not yet looked at stays over every view.
    let banner = if state.credentials_expired {
        Some("CREDENTIALS EXPIRED: AWS refuses this session. Actions are off; re-authenticate and restart with the same --incident".to_string())
    } else {
        super::panes::watches::banner(state)
    };
    let body = match banner {
        Some(text) => {
            let [line, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(4)]).areas(body);
            frame.render_widget(Paragraph::new(Line::styled(text, theme.error())), line);
            rest
        }
        None => body,
    };
    super::panes::render(state, frame, body, &theme);
    render_status(state, frame, status, &theme);
    if let Some(d) = &state.dialog {
        dialog::render(d, frame, body, &theme);
    }
    if let Some(n) = &state.notice {
        render_notice(n, frame, body, theme.title());
    }
    if let Some(n) = &state.alarm {
        render_notice(n, frame, body, theme.error());
    }
    if state.help {
        render_help(state, frame, area, &theme);
    }
}

/// "[#####     ] 2400/5000 (48%), ETA 32s"
pub fn progress_text(p: &crate::actions::Progress) -> String {
    let total = p.total.max(1);
    let filled = usize::try_from(p.done.min(total) * 10 / total).unwrap_or(10);
    let eta = p
        .eta()
        .map(|d| format!(", ETA {}s", d.as_secs()))
        .unwrap_or_default();
    let bytes = if p.total_bytes > 0 {
        format!(
            ", {:.1}/{:.1} MiB",
            p.bytes as f64 / 1_048_576.0,
            p.total_bytes as f64 / 1_048_576.0
        )
    } else {
        String::new()
    };
    format!(
        "[{}{}] {}/{} ({}%){bytes}{eta}{}",
        "#".repeat(filled),
        " ".repeat(10 - filled),
        p.done,
        p.total,
        p.done * 100 / total,
        if p.failed > 0 {
            format!(", {} failed", p.failed)
        } else {
            String::new()
        }
    )
}

fn render_notice(
    n: &crate::tui::state::Notice,
    frame: &mut Frame,
    area: Rect,
    title: ratatui::style::Style,
) {
    let width = area.width.saturating_sub(4).min(100);
    let height = area.height.saturating_sub(2);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let lines: Vec<Line> = n.lines.iter().map(|l| Line::raw(untrusted(l))).collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default().borders(Borders::ALL).title(Span::styled(
                format!(" {} — any key closes ", untrusted(&n.title)),
                title,
            )),
        ),
        popup,
    );
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = vec![
        Line::styled("warroom: terminal too small", theme.warn()),
        Line::raw(format!(
            "need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}",
            area.width, area.height
        )),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

fn render_header(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let ctx = &state.context;
    let sep = || Span::styled(" │ ", theme.dim());
    let mut first = vec![Span::styled(" warroom", theme.title()), sep()];
    if let Some(game) = &state.gameday {
        // First, so a narrow terminal cuts the endpoint, not the clock.
        first.push(Span::styled(
            format!("GAME DAY {}", game.clock(state.watches.now)),
            theme.warn(),
        ));
        if game.score.is_none() {
            first.push(Span::styled(" H hint F finish", theme.dim()));
        }
        first.push(sep());
    }
    let mut second = vec![Span::raw(" caller ")];
    match &state.identity {
        Some(Ok(id)) => {
            first.push(Span::styled(untrusted(&id.account), theme.title()));
            // The caller's name (the ARN's end) whole, leaving room for the
            // incident's directory.
            let room = usize::from(area.width).saturating_sub(8).max(20) * 2 / 3;
            second.push(Span::raw(fit(&untrusted(&id.arn), room)));
        }
        Some(Err(e)) => {
            first.push(Span::styled(format!("account {e}"), theme.error()));
            second.push(Span::styled(
                format!("{e}: {}", untrusted(&e.message)),
                theme.error(),
            ));
        }
        None => {
            first.push(Span::styled("account …", theme.dim()));
            second.push(Span::styled("…", theme.dim()));
        }
    }
    first.push(sep());
    first.push(Span::raw(untrusted(&ctx.region)));
    if let Some(p) = &ctx.profile {
        first.push(sep());
        first.push(Span::raw(format!("profile {}", untrusted(p))));
    }
    if ctx.read_only {
        first.push(sep());
        first.push(Span::styled("READ-ONLY", theme.warn()));
    }
    if ctx.dry_run {
        first.push(sep());
        first.push(Span::styled("DRY-RUN", theme.warn()));
    }
    // The endpoint last, in what is left of the line, cut in the middle:
    // its port (which emulator) is the part that tells one from another.
    let width = usize::from(area.width);
    let used = |spans: &[Span]| spans.iter().map(|s| s.width()).sum::<usize>();
    if let Some(e) = &ctx.endpoint {
        let room = width.saturating_sub(used(&first) + 3);
        if room >= 6 {
            first.push(sep());
            first.push(Span::raw(fit(&untrusted(e), room)));
        }
    }
    if let Some(dir) = &ctx.incident {
        let room = width.saturating_sub(used(&second) + 3 + "incident ".len());
        if room >= 6 {
            second.push(sep());
            second.push(Span::raw(format!(
                "incident {}",
                fit(&untrusted(dir), room)
            )));
        }
    }
    let third = account_pab_line(state, theme);
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second), third]),
        area,
    );
}

fn account_pab_line(state: &State, theme: &Theme) -> Line<'static> {
    // The alerts seen from every pane: a blinded trail means nothing since
    // is recorded; a planted expiry puts the restore on a clock. With one
    // to say, the account setting is said short so the alert fits 80
    // columns.
    let mut alerts: Vec<String> = Vec::new();
    if let Some(first) = crate::tui::panes::trail::tampering(state).first() {
        alerts.push(format!(
            "TRAIL BLINDED: {} {}",
            untrusted(&first.trail),
            untrusted(&first.how)
        ));
    }
    if let Some((bucket, d)) = crate::tui::state::deadline::deadline(state) {
        alerts.push(format!(
            "DATA EXPIRES {}: {} ({})",
            untrusted(&bucket),
            d.countdown(state.watches.now),
            untrusted(&d.rule)
        ));
    }
    let short = !alerts.is_empty();
    let mut spans = vec![Span::raw(if short {
        " account PAB "
    } else {
        " account Public Access Block "
    })];
    match state.account.as_ref().map(|a| &a.public_access_block) {
        None => spans.push(Span::styled("…", theme.dim())),
        Some(Fact::Unknown(e)) => spans.push(Span::styled(e.to_string(), theme.error())),
        Some(Fact::Known(None)) => spans.push(Span::styled(
            if short {
                "not set"
            } else {
                "not set (all four off)"
            },
            theme.warn(),
        )),
        Some(Fact::Known(Some(p))) if p.all_on() => {
            spans.push(Span::styled("all four on", theme.ok()))
        }
        Some(Fact::Known(Some(p))) if short => {
            let on = [
                p.block_public_acls,
                p.ignore_public_acls,
                p.block_public_policy,
                p.restrict_public_buckets,
            ]
            .iter()
            .filter(|b| **b)
            .count();
            spans.push(Span::styled(format!("{on} of 4 on"), theme.warn()));
        }
        Some(Fact::Known(Some(p))) => {
            for (on, name) in [
                (p.block_public_acls, "BlockAcls"),
                (p.ignore_public_acls, "IgnoreAcls"),
                (p.block_public_policy, "BlockPolicy"),
                (p.restrict_public_buckets, "RestrictBuckets"),
            ] {
                let style = if on { theme.ok() } else { theme.warn() };
                spans.push(Span::styled(
                    format!("{name} {} ", if on { "on" } else { "off" }),
                    style,
                ));
            }
        }
    }
    for a in alerts {
        spans.push(Span::styled(" │ ", theme.dim()));
        spans.push(Span::styled(a, theme.error()));
    }
    Line::from(spans)
}

fn render_status(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    // With a dialog open, keys go to the dialog, which says what they do.
    let actions: &[Action] = if state.dialog.is_some() {
        &[]
    } else {
        super::panes::hints(state.view)
    };
    // In --read-only, actions that would change AWS are not offered.
    let mut offered: Vec<Action> = actions
        .iter()
        .copied()
        .filter(|a| !(state.context.read_only && a.mutates()))
        .collect();
    let left_line = if let Some(p) = &state.prompt {
        Some(Line::styled(prompt_text(p), theme.key()))
    } else if let Some((target, p)) = state.progress.iter().next() {
        Some(Line::styled(
            format!(" {} {}", untrusted(target), progress_text(p)),
            theme.warn(),
        ))
    } else {
        state.status.as_ref().map(|status| {
            let style = if status.is_error {
                theme.error()
            } else {
                ratatui::style::Style::new()
            };
            Line::styled(format!(" {}", untrusted(&status.text)), style)
        })
    };
    // Progress and errors matter more than hints: when both do not fit,
    // hints go, the least useful first, down to "? help", which lists all.
    let needed = left_line.as_ref().map_or(0, |l| l.width() + 2);
    let mut hints = hint_spans(state, &offered, theme);
    // Hints are listed most useful first: drop from the end, keeping "help".
    while needed + spans_width(&hints) > usize::from(area.width) && offered.len() > 1 {
        match offered.iter().rposition(|a| *a != Action::Help) {
            Some(i) => offered.remove(i),
            None => break,
        };
        hints = hint_spans(state, &offered, theme);
    }
    let hint_width = u16::try_from(spans_width(&hints)).unwrap_or(u16::MAX);
    let [left, right] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(hint_width)]).areas(area);
    if let Some(line) = left_line {
        // A long message wraps onto the rows `status_rows` gave it: a
        // read-back's detail is never cut mid-word.
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), left);
    }
    frame.render_widget(Paragraph::new(Line::from(hints)), right);
}

/// Rows for the status line: one, or up to three when the message would
/// not fit beside "? help" (the hint that is always kept).
fn status_rows(state: &State, width: u16) -> u16 {
    let len = if let Some(p) = &state.prompt {
        prompt_text(p).chars().count()
    } else if !state.progress.is_empty() {
        return 1;
    } else if let Some(status) = &state.status {
        crate::sanitize::clean(&status.text).chars().count() + 1
    } else {
        return 1;
    };
    let room = usize::from(width.saturating_sub(12)).max(10);
    (len.div_ceil(room) as u16).clamp(1, 3)
}

/// The restore prompt: the typed text first (on a narrow terminal the
/// help after it wraps onto the status rows), then what the words do.
fn prompt_text(p: &crate::tui::state::Prompt) -> String {
    format!(
        " restore {} to: {}▏  (UTC time [prefix] [{}] [from REPLICA] [override REASON] · ⏎ plans · Esc)",
        untrusted(&p.bucket),
        untrusted(&p.text),
        match p.incident_written {
            0 => "hide: every key made after it".to_string(),
            n => format!(
                "hides the {n} key(s) the incident wrote if made after it; hide: all, keep: none"
            ),
        }
    )
}

fn hint_spans(state: &State, offered: &[Action], theme: &Theme) -> Vec<Span<'static>> {
    let mut hints = Vec::new();
    for (key, word) in state.keymap.hints(offered) {
        hints.push(Span::styled(key, theme.key()));
        hints.push(Span::raw(format!(" {word}  ")));
    }
    hints
}

fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

fn render_help(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let rows = state.keymap.help_rows();
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(4);
    let footer = " Keys come from assets/keymap.toml and ~/.config/warroom/config.toml.";
    // As wide as its longest line needs, up to the screen; a description
    // that does not fit wraps under itself, never under the keys.
    let indent = key_width + 3;
    let widest = rows
        .iter()
        .map(|(_, what)| indent + what.chars().count())
        .chain([footer.chars().count()])
        .max()
        .unwrap_or(40);
    let width = (widest as u16 + 2).min(area.width);
    let room = usize::from(width.saturating_sub(2))
        .saturating_sub(indent)
        .max(10);
    let mut lines: Vec<Line> = Vec::new();
    for (keys, what) in rows {
        for (i, part) in wrap_words(&what, room).into_iter().enumerate() {
            let lead = if i == 0 {
                format!(" {keys:<key_width$}  ")
            } else {
                " ".repeat(indent)
            };
            lines.push(Line::from(vec![
                Span::styled(lead, theme.key()),
                Span::raw(part),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(footer, theme.dim()));
    let total = lines.len() as u16 + 2;
    let height = total.min(area.height);
    // Scrolls when it does not fit; clamp so the last line stays reachable.
    let max_scroll = total.saturating_sub(height);
    let scroll = state.help_scroll.min(max_scroll);
    let title = if max_scroll > 0 {
        " Help — j/k scroll, any other key closes "
    } else {
        " Help — any key closes "
    };
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(title, theme.title())),
            ),
        popup,
    );
}

/// Words of `text` in lines of at most `width` columns (a word longer than
/// that stands alone, and the paragraph's wrap cuts it).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in text.split(' ') {
        let Some(line) = out.last_mut() else { break };
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(word.to_string());
        } else {
            if len > 0 {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    out
}
