//! The bucket exposure pane: one row per bucket, worst first, and below it
//! the reasons for the selected bucket's verdict.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::app::State;
use super::render::untrusted;
use super::theme::{Theme, severity_mark};
use crate::model::facts::{BucketFacts, Fact};
use crate::scan::BucketReport;

/// Below this width, only the essential columns are shown.
const WIDE: u16 = 120;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let why_height = (area.height / 3).clamp(5, 14);
    let [table_area, why_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(why_height)]).areas(area);
    render_table(state, frame, table_area, theme);
    render_why(state, frame, why_area, theme);
}

fn title(state: &State) -> String {
    let s = state.summary();
    let mut t = format!(
        " Bucket exposure: {} public · {} shared · {} unknown · {} private ",
        s.public, s.shared, s.unknown, s.private
    );
    if state.scan.running {
        t.push_str(&format!("(scanning {}) ", state.scan.fraction()));
    }
    t
}

fn render_table(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title(state), theme.title()));
    if state.buckets.is_empty() {
        let msg = if state.scan.running {
            "Scanning buckets…"
        } else if state.status.as_ref().is_some_and(|s| s.is_error) {
            "No buckets could be read: see the status line."
        } else {
            "No buckets in this account."
        };
        frame.render_widget(Paragraph::new(msg).block(block), area);
        return;
    }
    let wide = area.width >= WIDE;
    // Only the rows that fit are built: the table stays cheap to draw with
    // thousands of buckets. The selection is kept centred when scrolling.
    let visible = usize::from(area.height.saturating_sub(3)).max(1);
    let selected = state.selected_index().unwrap_or(0);
    let max_offset = state.buckets.len().saturating_sub(visible);
    let offset = selected.saturating_sub(visible / 2).min(max_offset);
    let rows = state.buckets[offset..]
        .iter()
        .take(visible)
        .map(|b| row(b, wide, theme));

    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec![
                "VERDICT",
                "BUCKET",
                "REGION",
                "PAB",
                "VERSIONING",
                "ENCRYPTION",
                "CLASS",
                "WHY",
            ],
            vec![
                Constraint::Length(7),
                Constraint::Fill(2),
                Constraint::Length(14),
                Constraint::Length(5),
                Constraint::Length(10),
                Constraint::Length(10),
                Constraint::Length(12),
                Constraint::Fill(4),
            ],
        )
    } else {
        (
            vec!["VERDICT", "BUCKET", "REGION", "WHY"],
            vec![
                Constraint::Length(7),
                Constraint::Fill(2),
                Constraint::Length(12),
                Constraint::Fill(3),
            ],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .block(block)
        .row_highlight_style(theme.selected());
    let mut table_state = TableState::default().with_selected(Some(selected - offset));
    frame.render_stateful_widget(table, area, &mut table_state);
}

fn row<'a>(b: &'a BucketReport, wide: bool, theme: &Theme) -> Row<'a> {
    let verdict = b.assessment.verdict;
    let why = b
        .assessment
        .reasons
        .first()
        .map(|r| untrusted(&r.text))
        .unwrap_or_else(|| "no grants beyond the owner".to_string());
    let region = fact_text(&b.facts.region, |r| r.clone());
    let mut cells = vec![
        Cell::from(Span::styled(b.assessment.label(), theme.verdict(verdict))),
        Cell::from(untrusted(&b.facts.name)),
        Cell::from(untrusted(&region)),
    ];
    if wide {
        cells.push(Cell::from(pab_summary(b)));
        cells.push(Cell::from(versioning_summary(&b.facts)));
        cells.push(Cell::from(encryption_summary(&b.facts)));
        cells.push(Cell::from(untrusted(&classification(&b.facts))));
    }
    cells.push(Cell::from(why));
    Row::new(cells)
}

pub fn fact_text<T>(f: &Fact<T>, show: impl Fn(&T) -> String) -> String {
    match f {
        Fact::Known(v) => show(v),
        Fact::Unknown(e) => e.to_string(),
    }
}

fn pab_summary(b: &BucketReport) -> String {
    let p = &b.assessment.effective_pab;
    let all = [
        &p.block_public_acls,
        &p.ignore_public_acls,
        &p.block_public_policy,
        &p.restrict_public_buckets,
    ];
    if all
        .iter()
        .any(|t| matches!(t, crate::model::exposure::Tri::Unknown { .. }))
    {
        return "?".into();
    }
    format!("{}/4", all.iter().filter(|t| t.is_on()).count())
}

fn versioning_summary(f: &BucketFacts) -> String {
    fact_text(&f.versioning, |v| match v.status.as_deref() {
        Some("Enabled") => "on".into(),
        Some("Suspended") => "suspended".into(),
        _ => "off".into(),
    })
}

fn encryption_summary(f: &BucketFacts) -> String {
    fact_text(&f.encryption, |e| match e {
        None => "none".into(),
        Some(e) if e.rules.iter().any(|r| r.starts_with("aws:kms")) => "KMS".into(),
        Some(_) => "SSE-S3".into(),
    })
}

/// The data classification usually lives in a tag; show the first match.
pub fn classification(f: &BucketFacts) -> String {
    if f.tags.error().is_some() {
        return "?".into();
    }
    fact_text(&f.tags, |tags| {
        tags.iter()
            .find(|t| {
                let k = t.key.to_ascii_lowercase();
                k.contains("classification") || k == "sensitivity" || k == "confidentiality"
            })
            .map(|t| t.value.clone())
            .unwrap_or_else(|| "-".into())
    })
}

fn render_why(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(b) = state.selected_bucket() else {
        frame.render_widget(Block::default().borders(Borders::ALL).title(" Why "), area);
        return;
    };
    let verdict = b.assessment.verdict;
    let title = Line::from(vec![
        Span::styled(" Why ", theme.title()),
        Span::raw(untrusted(&b.facts.name)),
        Span::raw(" is "),
        Span::styled(b.assessment.label(), theme.verdict(verdict)),
        Span::raw(" "),
    ]);
    let mut lines: Vec<Line> = b
        .assessment
        .reasons
        .iter()
        .map(|r| {
            Line::from(vec![
                Span::styled(
                    format!("{} ", severity_mark(r.severity)),
                    theme.severity(r.severity),
                ),
                Span::raw(untrusted(&r.text)),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(
            "No policy, ACL or setting grants access beyond the owner.",
            theme.ok(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}
