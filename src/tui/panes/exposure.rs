//! The bucket exposure pane: one row per bucket, worst first, and below it
//! the reasons for the selected bucket's verdict.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::actions::{self, ActionSpec};
use crate::model::facts::{BucketFacts, Fact};
use crate::scan::BucketReport;
use crate::tui::gate::{action_refusal, request};
use crate::tui::keymap::Action;
use crate::tui::msg::Command;
use crate::tui::offers::{bucket_action, made_in_tail, open_access_point, open_side_door};
use crate::tui::state::{Notice, Prompt, State, Status, View, error, info};
use crate::tui::text::untrusted;
use crate::tui::theme::{Theme, severity_mark};

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
    let struck = crate::tui::state::deadline::struck(state);
    let rows = state.buckets[offset..]
        .iter()
        .take(visible)
        .map(|b| row(b, wide, theme, struck.get(b.facts.name.as_str())));

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

/// `seen`: what the tail saw done to the bucket's data (SSE-C writes,
/// lifecycle writes, bulk deletes), said first: a private bucket can be
/// under a destructive attack, and its verdict alone would not say so.
fn row<'a>(
    b: &'a BucketReport,
    wide: bool,
    theme: &Theme,
    seen: Option<&std::collections::BTreeSet<&'static str>>,
) -> Row<'a> {
    let verdict = b.assessment.verdict;
    let mut why = b
        .assessment
        .reasons
        .first()
        .map(|r| untrusted(&r.text))
        .unwrap_or_else(|| "no grants beyond the owner".to_string());
    if let Some(seen) = seen.filter(|s| !s.is_empty()) {
        let said: Vec<&str> = seen.iter().copied().collect();
        why = format!("tail saw {}; {why}", said.join(", "));
    }
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
    let why_style = if seen.is_some_and(|s| !s.is_empty()) {
        theme.warn()
    } else {
        theme.plain()
    };
    cells.push(Cell::from(Span::styled(why, why_style)));
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
    // Who can get in is one question; what was done to the data is
    // another: say it first, with the keys that answer it.
    if let Some(seen) = crate::tui::state::deadline::struck(state)
        .get(b.facts.name.as_str())
        .filter(|s| !s.is_empty())
    {
        let said: Vec<&str> = seen.iter().copied().collect();
        lines.insert(
            0,
            Line::styled(
                format!(
                    "The tail saw: {}. Enter shows lifecycle and SSE-C; z blocks SSE-C, y removes a planted rule, V lists the versions.",
                    said.join(", ")
                ),
                theme.warn(),
            ),
        );
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}

/// Keys on the bucket table: Enter opens the detail, motion moves.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    match action {
        Action::Open => {
            if state.selected_bucket().is_some() {
                state.view = View::Detail;
                state.detail_scroll = 0;
            }
        }
        motion @ (Action::Down
        | Action::Up
        | Action::PageDown
        | Action::PageUp
        | Action::Top
        | Action::Bottom) => {
            let len = state.buckets.len();
            if len == 0 {
                return Some(Vec::new());
            }
            let cur = state.selected_index().unwrap_or(0);
            let page = state.page_rows();
            let next = match motion {
                Action::Down => (cur + 1).min(len - 1),
                Action::Up => cur.saturating_sub(1),
                Action::PageDown => (cur + page).min(len - 1),
                Action::PageUp => cur.saturating_sub(page),
                Action::Top => 0,
                Action::Bottom => len - 1,
                _ => cur,
            };
            state.cursor_moved = true;
            state.select_index(next);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// A bucket's action keys, from the bucket table, its detail, its versions
/// and the checklist (`A` and `Z` and the tail's filter only from the
/// table and the detail).
pub fn on_bucket_key(state: &mut State, action: Action) -> Vec<Command> {
    match (state.view, action) {
        (_, Action::BlockPublicAccessAccount) => {
            return request(
                state,
                ActionSpec::BlockPublicAccessAccount(actions::Account {}),
            );
        }
        (_, Action::MfaDelete) => {
            if let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) {
                let account = state
                    .account
                    .as_ref()
                    .and_then(|a| a.account_id.clone())
                    .unwrap_or_else(|| "ACCOUNT_ID".into());
                state.notice = Some(Notice {
                    title: "MFA delete".into(),
                    lines: actions::mfa_delete_explanation(&bucket, &account),
                });
            }
        }
        (_, Action::Restore) => {
            let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
                return Vec::new();
            };
            if let Some(why) = action_refusal(state, &format!("s3://{bucket}")) {
                state.status = Some(error(why));
                return Vec::new();
            }
            let text = super::prompt::restore_time_guess(state, &bucket);
            let incident_written = super::prompt::incident_written(state, &bucket).len();
            state.prompt = Some(Prompt {
                bucket,
                text,
                incident_written,
            });
        }
        (_, Action::RestoreArchived) => {
            let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
                return Vec::new();
            };
            // The restore's time: the one last typed, else the console's
            // guess (just before the incident's first write).
            let to = state.window_start.or_else(|| {
                crate::cli::parse_when(&super::prompt::restore_time_guess(state, &bucket)).ok()
            });
            let Some(to) = to else {
                state.status = Some(error("type the restore's time first: R on the bucket"));
                return Vec::new();
            };
            return request(
                state,
                ActionSpec::RestoreArchived(actions::restore_archived::Args {
                    bucket,
                    prefix: None,
                    to,
                    tier: "Standard".into(),
                    days: 7,
                }),
            );
        }
        (View::Dashboard | View::Detail, Action::CloseAccessPoint) => {
            let Some(b) = state.selected_bucket() else {
                return Vec::new();
            };
            let bucket = b.facts.name.clone();
            match open_access_point(b) {
                // One the tail saw made during the incident is the
                // attacker's own door: removed whole (its policy alone
                // could be put back by the same key).
                Some(name) if made_in_tail(state, &name) => {
                    return request(
                        state,
                        ActionSpec::DeleteAccessPoint(actions::access_point::Args {
                            bucket,
                            access_point: name,
                        }),
                    );
                }
                Some(name) => {
                    return request(
                        state,
                        ActionSpec::DeleteAccessPointPolicy(actions::access_point_policy::Args {
                            bucket,
                            access_point: name,
                        }),
                    );
                }
                None => {
                    state.status = Some(info(format!(
                        "no access point of {bucket} lets anyone outside the account in"
                    )))
                }
            }
        }
        (View::Dashboard | View::Detail, Action::CloseSideDoor) => {
            let Some(b) = state.selected_bucket() else {
                return Vec::new();
            };
            match open_side_door(b) {
                Some(spec) => return request(state, spec),
                None => {
                    state.status = Some(info(format!(
                        "{} has no side door to close: no replication or notification to another account, no website, no CORS for any origin",
                        b.facts.name
                    )))
                }
            }
        }
        (View::Dashboard | View::Detail, Action::RemoveLifecycleRules) => {
            let Some(b) = state.selected_bucket() else {
                return Vec::new();
            };
            match lifecycle_rules_to_remove(b, &state.changes.rows) {
                Ok(spec) => return request(state, spec),
                Err(why) => state.status = Some(info(why)),
            }
        }
        (_, a) if bucket_action(a, "").is_some() => {
            let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
                return Vec::new();
            };
            if let Some(spec) = bucket_action(a, &bucket) {
                return request(state, spec);
            }
        }
        (_, Action::Rescan) => {
            if state.scan.running {
                state.status = Some(Status {
                    text: format!("a scan is already running ({})", state.scan.fraction()),
                    is_error: false,
                    awaiting: None,
                });
            } else {
                return state.start_scan();
            }
        }
        (View::Dashboard | View::Detail, Action::TailBucket) => {
            let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
                return Vec::new();
            };
            state.trail.filter = crate::model::trail::TrailFilter {
                bucket: Some(bucket.clone()),
                ..Default::default()
            };
            state.trail.selected = 0;
            state.trail.follow = true;
            let cmds = super::trail::open(state);
            state.status = Some(info(format!(
                "the tail, filtered to bucket:{} (/ then Esc clears)",
                untrusted(&bucket)
            )));
            return cmds;
        }
        _ => {}
    }
    Vec::new()
}

/// The lifecycle rules `y` removes: those an incident principal wrote in
/// the window (the attacker's changes name them) and still on the bucket;
/// without such a record, every rule that expires objects or versions.
/// The plan shows which, with the diff, before anything changes.
fn lifecycle_rules_to_remove(
    b: &BucketReport,
    changes: &[crate::model::changes::Change],
) -> Result<ActionSpec, String> {
    use crate::model::changes::What;
    let name = &b.facts.name;
    let rules = b
        .facts
        .lifecycle
        .known()
        .ok_or_else(|| format!("the lifecycle rules of {} were not read", untrusted(name)))?;
    let written: Vec<String> = changes
        .iter()
        .filter_map(|c| match &c.what {
            What::Lifecycle {
                bucket, rule_ids, ..
            } if bucket == name => Some(rule_ids.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let planted: Vec<String> = crate::model::lifecycle::planted(rules, &written)
        .into_iter()
        .filter_map(|r| r.id.clone())
        .collect();
    let ids: Vec<String> = if planted.is_empty() {
        rules
            .iter()
            .filter(|r| r.deletes())
            .filter_map(|r| r.id.clone())
            .collect()
    } else {
        planted
    };
    if ids.is_empty() {
        return Err(if rules.is_empty() {
            format!("{} has no lifecycle rules", untrusted(name))
        } else {
            format!(
                "no lifecycle rule of {} expires anything; `warroom act remove-lifecycle-rules --rule ID` removes a named one",
                untrusted(name)
            )
        });
    }
    Ok(ActionSpec::RemoveLifecycleRules(
        actions::lifecycle_rules::Args {
            bucket: name.clone(),
            rules: ids,
        },
    ))
}

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[
    Action::Open,
    Action::BlockPublicAccess,
    Action::TailBucket,
    Action::SwitchPane,
    Action::ActionLog,
    Action::Help,
    Action::Quit,
];
