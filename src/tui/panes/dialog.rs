//! The confirmation dialog: the plan's before/after, its blast radius and
//! how to undo it, and what the responder must type.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::actions::Confirm;
use crate::tui::msg::Command;
use crate::tui::state::{ConfirmDialog, State, error, info};
use crate::tui::text::untrusted;
use crate::tui::theme::Theme;

pub fn render(dialog: &ConfirmDialog, frame: &mut Frame, area: Rect, theme: &Theme) {
    let plan = &dialog.plan;
    let mut lines = vec![Line::raw(untrusted(&plan.summary)), Line::raw("")];
    if plan.before.len() != plan.after.len() {
        // Not setting-by-setting (a restore's counts): what is, then what will be.
        for (label, texts) in [("Now: ", &plan.before), ("After: ", &plan.after)] {
            for t in texts {
                lines.push(Line::from(vec![
                    Span::styled(label, theme.title()),
                    Span::raw(untrusted(t)),
                ]));
            }
        }
    }
    for (before, after) in plan
        .before
        .iter()
        .zip(&plan.after)
        .filter(|_| plan.before.len() == plan.after.len())
    {
        let changed = before != after;
        lines.push(Line::from(vec![
            Span::styled(if changed { " ~ " } else { "   " }, theme.warn()),
            Span::raw(format!("{:<28}", untrusted(before))),
            Span::raw(" → "),
            Span::styled(
                untrusted(after),
                if changed { theme.ok() } else { theme.dim() },
            ),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("Blast radius: ", theme.warn()),
        Span::raw(untrusted(&plan.blast_radius)),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Undo: ", theme.title()),
        Span::raw(untrusted(&plan.undo)),
    ]));
    if plan.spec.starts_watch() {
        lines.push(Line::from(vec![
            Span::styled("Then: ", theme.title()),
            Span::raw(
                "a credential watch starts, counting any further use of it in CloudTrail (W shows it)",
            ),
        ]));
    }
    if !plan.diff.is_empty() {
        lines.push(Line::raw(""));
        for l in &plan.diff {
            let style = if l.starts_with("+ ") {
                theme.ok()
            } else if l.starts_with("- ") {
                theme.error()
            } else {
                theme.dim()
            };
            lines.push(Line::styled(untrusted(l), style));
        }
    }
    // The prompt is pinned to the bottom rows so it is always visible,
    // however much the plan text above it has to wrap.
    let prompt: Vec<Line> = match &plan.confirm {
        Confirm::TypeName { text } => vec![
            Line::raw(format!(
                "Type {} to confirm, Enter applies, Esc cancels:",
                untrusted(text)
            )),
            Line::from(vec![
                Span::styled("> ", theme.key()),
                Span::raw(untrusted(&dialog.typed)),
                Span::styled("▏", theme.key()),
            ]),
        ],
        Confirm::YesNo => vec![Line::raw("Apply? y / n (Esc cancels)")],
    };
    let width = area.width.saturating_sub(4).min(100);
    let height = area.height.saturating_sub(2).min(40);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let title = match &dialog.undo_of {
        Some((id, _)) => format!(
            " Confirm UNDO of {id}: {} on {} ",
            plan.spec.name(),
            untrusted(&plan.spec.target())
        ),
        None => format!(
            " Confirm: {} on {} ",
            plan.spec.name(),
            untrusted(&plan.spec.target())
        ),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.warn())
        .title(Span::styled(title, theme.warn()));
    let inner = block.inner(popup);
    let prompt_height = u16::try_from(prompt.len()).unwrap_or(2);
    let [body, gap, input] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(prompt_height),
    ])
    .areas(inner);
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = u16::try_from(text.line_count(body.width)).unwrap_or(u16::MAX);
    // Clamped here rather than in update(), which does not know the size.
    let max_scroll = total.saturating_sub(body.height);
    let scroll = dialog.scroll.min(max_scroll);
    let block = if max_scroll > 0 {
        block.title_bottom(Span::styled(
            format!(
                " lines {}-{} of {total}: ↑↓ PgUp PgDn scroll ",
                scroll + 1,
                (scroll + body.height).min(total)
            ),
            theme.warn(),
        ))
    } else {
        block
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let _ = gap;
    frame.render_widget(text.scroll((scroll, 0)), body);
    frame.render_widget(Paragraph::new(prompt).wrap(Wrap { trim: false }), input);
}

/// Keys while a plan waits for confirmation: typed text, not bindings.
pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    state.dirty = true;
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.quit = true;
        return Vec::new();
    }
    let Some(dialog) = state.dialog.as_mut() else {
        return Vec::new();
    };
    let confirm_now = match (&dialog.plan.confirm, key.code) {
        // Arrows and pages scroll the plan; letters are for typing the name.
        (_, KeyCode::Down) => {
            dialog.scroll = dialog.scroll.saturating_add(1);
            None
        }
        (_, KeyCode::Up) => {
            dialog.scroll = dialog.scroll.saturating_sub(1);
            None
        }
        (_, KeyCode::PageDown) => {
            dialog.scroll = dialog.scroll.saturating_add(10);
            None
        }
        (_, KeyCode::PageUp) => {
            dialog.scroll = dialog.scroll.saturating_sub(10);
            None
        }
        (_, KeyCode::Esc) | (Confirm::YesNo, KeyCode::Char('n' | 'N')) => Some(false),
        (Confirm::YesNo, KeyCode::Char('y' | 'Y')) => Some(true),
        (Confirm::TypeName { text }, KeyCode::Enter) => {
            if dialog.typed == *text {
                Some(true)
            } else {
                state.status = Some(error(
                    "that does not match: type it exactly as shown, or Esc to cancel",
                ));
                None
            }
        }
        (Confirm::TypeName { .. }, KeyCode::Backspace) => {
            dialog.typed.pop();
            None
        }
        (Confirm::TypeName { .. }, KeyCode::Char(c))
            if !key.modifiers.contains(KeyModifiers::CONTROL) =>
        {
            if dialog.typed.len() < 256 {
                dialog.typed.push(c);
            }
            None
        }
        _ => None,
    };
    let Some(confirmed) = confirm_now else {
        return Vec::new();
    };
    let Some(dialog) = state.dialog.take() else {
        return Vec::new();
    };
    let how = match (&dialog.plan.confirm, confirmed) {
        (_, false) => "cancelled in the console".to_string(),
        // What was typed, said as it was: a bucket name, an account id or
        // an action id.
        (Confirm::TypeName { text }, true) => format!("typed {text} in the console"),
        (Confirm::YesNo, true) => "answered yes in the console".to_string(),
    };
    if let Some((action_id, bucket)) = dialog.undo_of {
        let key = dialog.plan.spec.lock_key();
        if !confirmed {
            state.busy.remove(&key);
            state.status = Some(info(format!("cancelled: {action_id} not undone")));
            return Vec::new();
        }
        state.status = Some(info(format!("undoing {action_id}…")));
        return vec![Command::Undo {
            action_id,
            key,
            bucket,
            how,
        }];
    }
    let dry_run = state.context.dry_run;
    state.status = Some(info(match (confirmed, dry_run) {
        (false, _) => "cancelled: nothing applied",
        (true, true) => "dry run: journaling the plan, applying nothing…",
        (true, false) => "applying…",
    }));
    // Cancellation is journaled too, so the record shows what was proposed.
    vec![Command::Execute {
        plan: Box::new(dialog.plan),
        confirmed,
        how,
        dry_run,
    }]
}
