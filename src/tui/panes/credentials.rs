//! The credentials pane: IAM access keys, roles, EC2 key pairs and
//! instances, one section at a time, with a filter, keys the incident points
//! at marked, and the revocation actions bound to keys.
//!
//! Its state lives in [`CredState`]; `update()` hands it the keys while the
//! pane is open ([`on_action`], [`on_input_key`]), and it answers with
//! commands like every other part of the console.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::actions::{self, ActionSpec};
use crate::aws::iam::Principal;
use crate::model::credentials::{RoleFacts, RoleKind, UserFacts};
use crate::model::facts::Fact;
use crate::tui::keymap::Action;
use crate::tui::line_input::{self, Edit};
use crate::tui::msg::Command;
use crate::tui::state::creds::Input;
use crate::tui::state::{CredRow, CredState, Section, State, View};
use crate::tui::text::untrusted;
use crate::tui::theme::Theme;

/// Keys while the pane is open. `None`: not the pane's key, let the
/// console handle it (help, quit, action log…).
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    let c = &mut state.creds;
    let rows = c.rows().len();
    let sel = &mut c.selected[c.section.index()];
    let page = usize::from(state.size.1.saturating_sub(14)).max(1);
    match action {
        Action::Back if state.view == View::Credentials => state.view = View::Dashboard,
        Action::Back => state.view = View::Credentials,
        Action::Open if state.view == View::Credentials => {
            if rows > 0 {
                state.view = View::CredentialDetail;
                state.detail_scroll = 0;
            }
        }
        Action::Rescan => {
            if c.loading {
                state.status = Some(crate::tui::state::info("credentials are still loading"));
                return Some(Vec::new());
            }
            state.status = Some(crate::tui::state::info("reading credentials…"));
            return Some(c.load());
        }
        Action::NextSection | Action::PrevSection => {
            let i = c.section.index();
            let n = Section::ALL.len();
            let next = if action == Action::NextSection {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            c.section = Section::ALL[next];
            state.view = View::Credentials;
        }
        Action::Filter => {
            c.input = Some(Input::Filter);
            state.status = Some(crate::tui::state::info(
                "filter: type to narrow the rows, Enter keeps it, Esc clears it",
            ));
        }
        Action::MarkKey => {
            let prefill = match c.selected_row() {
                Some(CredRow::Key(_, k)) => k.key_id.clone(),
                _ => String::new(),
            };
            c.input = Some(Input::Mark(prefill));
            state.status = Some(crate::tui::state::info(
                "mark an access key the incident points at: type or edit its id, Enter marks or unmarks",
            ));
        }
        Action::Down if state.view == View::Credentials => {
            *sel = (*sel + 1).min(rows.saturating_sub(1))
        }
        Action::Up if state.view == View::Credentials => *sel = sel.saturating_sub(1),
        Action::PageDown if state.view == View::Credentials => {
            *sel = (*sel + page).min(rows.saturating_sub(1))
        }
        Action::PageUp if state.view == View::Credentials => *sel = sel.saturating_sub(page),
        Action::Top if state.view == View::Credentials => *sel = 0,
        Action::Bottom if state.view == View::Credentials => *sel = rows.saturating_sub(1),
        Action::Down
        | Action::Up
        | Action::PageDown
        | Action::PageUp
        | Action::Top
        | Action::Bottom => {
            state.scroll_detail(action);
        }
        Action::Watch => {
            let target = c
                .selected_row()
                .as_ref()
                .and_then(super::watches::target_of);
            return Some(match target {
                Some(t) => super::watches::start(state, t),
                None => {
                    state.status = Some(crate::tui::state::error(
                        "select an access key, user, role or key pair to watch (an instance is watched through its key pair or role)",
                    ));
                    Vec::new()
                }
            });
        }
        a if a.is_credential_action() => {
            return Some(match credential_action(state, a) {
                Ok(spec) => crate::tui::gate::request(state, spec),
                Err(why) => {
                    state.status = Some(crate::tui::state::error(why));
                    Vec::new()
                }
            });
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// The action a key asks for on the selected row, or why it does not apply.
fn credential_action(state: &State, action: Action) -> Result<ActionSpec, String> {
    let row = state
        .creds
        .selected_row()
        .ok_or_else(|| "nothing selected".to_string())?;
    let role = |r: &RoleFacts| actions::role_escalation::Role {
        role: r.name.clone(),
    };
    Ok(match (action, row) {
        (Action::Deactivate, CredRow::Key(u, k)) => {
            ActionSpec::DeactivateAccessKey(actions::access_key::Args {
                key_id: k.key_id.clone(),
                user: Some(u.name.clone()),
            })
        }
        (Action::Delete, CredRow::Key(u, k)) => {
            ActionSpec::DeleteAccessKey(actions::access_key::Args {
                key_id: k.key_id.clone(),
                user: Some(u.name.clone()),
            })
        }
        (Action::Delete, CredRow::KeyPair(k)) => {
            ActionSpec::DeleteKeyPair(actions::key_pair::Args {
                name: k.name.clone(),
                region: Some(k.region.clone()),
                new_name: None,
            })
        }
        (Action::RevokeSessions, CredRow::Key(u, _) | CredRow::User(u)) => {
            ActionSpec::RevokeSessions(actions::sessions::Args {
                principal: Principal::User(u.name.clone()),
            })
        }
        (Action::RevokeSessions, CredRow::Role(r)) => {
            ActionSpec::RevokeSessions(actions::sessions::Args {
                principal: Principal::Role(r.name.clone()),
            })
        }
        (Action::DenyAll, CredRow::Role(r)) => ActionSpec::DenyAllRole(role(r)),
        (Action::LockTrust, CredRow::Role(r)) => ActionSpec::LockTrustPolicy(role(r)),
        (Action::DetachPolicies, CredRow::Role(r)) => ActionSpec::DetachManagedPolicies(role(r)),
        (Action::RequireImdsV2, CredRow::Instance(i)) => {
            ActionSpec::RequireImdsV2(actions::imds::Args {
                scope: actions::imds::Scope::Instance(i.id.clone()),
                region: Some(i.region.clone()),
            })
        }
        (Action::RequireImdsV2, CredRow::Role(r)) => {
            ActionSpec::RequireImdsV2(actions::imds::Args {
                scope: actions::imds::Scope::Role(r.name.clone()),
                region: None,
            })
        }
        (Action::RotateKeyPair, CredRow::KeyPair(k)) => {
            ActionSpec::RotateKeyPair(actions::key_pair::Args {
                name: k.name.clone(),
                region: Some(k.region.clone()),
                new_name: None,
            })
        }
        (a, _) => {
            return Err(format!(
                "{} — not on this row ({} section)",
                a.describe(),
                state.creds.section.title()
            ));
        }
    })
}

/// Keys while text is being typed into the pane.
/// A key for the line being typed (Ctrl-C and the redraw are
/// [`super::on_input_key`]'s).
pub fn on_input_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let c = &mut state.creds;
    let Some(input) = c.input.as_mut() else {
        return Vec::new();
    };
    let text = match input {
        Input::Filter => &mut c.filter,
        Input::Mark(t) => t,
    };
    match line_input::edit(text, key, 128) {
        Edit::Changed => {
            c.selected = [0; 4];
            c.pivoted = false;
        }
        Edit::Cancel => {
            if matches!(input, Input::Filter) {
                c.filter.clear();
            }
            c.input = None;
            state.status = None;
        }
        Edit::Submit => {
            let done = c.input.take();
            state.status = None;
            if let Some(Input::Mark(id)) = done {
                return mark(state, id.trim());
            }
        }
        Edit::Ignored | Edit::Quit => {}
    }
    Vec::new()
}

fn mark(state: &mut State, id: &str) -> Vec<Command> {
    if let Err(e) = crate::model::ids::parse_access_key_id(id) {
        state.status = Some(crate::tui::state::error(format!("not marked: {e}")));
        return Vec::new();
    }
    let marked = state.creds.marked.insert(id.to_string());
    if !marked {
        state.creds.marked.remove(id);
    }
    let known = state.creds.facts.as_ref().is_some_and(|f| {
        f.users.known().is_some_and(|u| {
            u.iter().any(|u| {
                u.keys
                    .known()
                    .is_some_and(|k| k.iter().any(|k| k.key_id == id))
            })
        })
    });
    state.status = Some(crate::tui::state::info(match (marked, known) {
        (true, true) => format!("{id} marked: it is listed first"),
        (true, false) => format!(
            "{id} marked; no user of this account has it (another account's key, or deleted)"
        ),
        (false, _) => format!("{id} unmarked"),
    }));
    vec![Command::Note {
        kind: if marked { "key_marked" } else { "key_unmarked" }.into(),
        summary: format!(
            "access key {id} {} as involved in the incident",
            if marked { "marked" } else { "unmarked" }
        ),
        data: serde_json::json!({"access_key_id": id}),
    }]
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let c = &state.creds;
    let detail_height = (area.height / 3).clamp(5, 12);
    let [tabs, table_area, detail_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(detail_height),
    ])
    .areas(area);
    let mut spans = Vec::new();
    // While a line is typed, the line is the prompt alone: the tabs would
    // push what is typed off a narrow screen.
    let typing = c.input.is_some();
    for s in Section::ALL.into_iter().filter(|_| !typing) {
        let label = format!(
            " {} ({}) ",
            s.title(),
            c.count(s).map_or("…".to_string(), |n| n.to_string())
        );
        spans.push(if s == c.section {
            Span::styled(label, theme.selected())
        } else {
            Span::styled(label, theme.dim())
        });
    }
    match &c.input {
        Some(Input::Filter) => spans.push(Span::styled(
            format!(" /{}▏", untrusted(&c.filter)),
            theme.key(),
        )),
        Some(Input::Mark(t)) => spans.push(Span::styled(
            format!(" mark key: {}▏", untrusted(t)),
            theme.key(),
        )),
        None if !c.filter.is_empty() => spans.push(Span::styled(
            format!(" filter: {}", untrusted(&c.filter)),
            theme.warn(),
        )),
        None => {}
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
    render_table(state, frame, table_area, theme);
    let lines = c
        .selected_row()
        .map(|r| detail_lines(state, r, theme))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Detail (⏎ opens) ", theme.title())),
        ),
        detail_area,
    );
}

/// The selected row's every field, full screen.
pub fn render_detail(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let lines = state
        .creds
        .selected_row()
        .map(|r| detail_lines(state, r, theme))
        .unwrap_or_default();
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let inner_height = area.height.saturating_sub(2);
    let total = u16::try_from(text.line_count(area.width.saturating_sub(2))).unwrap_or(u16::MAX);
    let scroll = state.detail_scroll.min(total.saturating_sub(inner_height));
    frame.render_widget(
        text.scroll((scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(Span::styled(
                " Credential detail (Esc back) ",
                theme.title(),
            ))),
        area,
    );
}

fn fact_list(f: &Fact<Vec<String>>) -> String {
    match f {
        Fact::Known(v) if v.is_empty() => "none".into(),
        Fact::Known(v) => v.join(", "),
        Fact::Unknown(e) => e.to_string(),
    }
}

fn short_policy(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn policies_summary(attached: &Fact<Vec<String>>, inline: &Fact<Vec<String>>) -> String {
    let a = match attached {
        Fact::Known(v) => v
            .iter()
            .map(|a| short_policy(a))
            .collect::<Vec<_>>()
            .join(","),
        Fact::Unknown(e) => e.to_string(),
    };
    let i = match inline {
        Fact::Known(v) => v.join(","),
        Fact::Unknown(e) => e.to_string(),
    };
    match (a.is_empty(), i.is_empty()) {
        (true, true) => "none".into(),
        (false, true) => a,
        (true, false) => format!("inline: {i}"),
        (false, false) => format!("{a}; inline: {i}"),
    }
}

/// The date part of an ISO timestamp (no clock in render: frames stay
/// reproducible).
fn day(date: Option<&str>) -> String {
    date.and_then(|d| d.get(..10))
        .unwrap_or("never")
        .to_string()
}

/// Each section's columns: heading and width, one pair per column.
type Columns = &'static [(&'static str, Constraint)];
const KEYS_WIDE: Columns = &[
    ("", Constraint::Length(1)),
    ("USER", Constraint::Fill(1)),
    ("ACCESS KEY", Constraint::Length(20)),
    ("STATUS", Constraint::Length(8)),
    ("CREATED", Constraint::Length(10)),
    ("LAST USED", Constraint::Fill(1)),
    ("POLICIES", Constraint::Fill(1)),
];
const KEYS: Columns = &[
    ("", Constraint::Length(1)),
    ("USER", Constraint::Fill(1)),
    ("ACCESS KEY", Constraint::Length(20)),
    ("STATUS", Constraint::Length(8)),
    ("LAST USED", Constraint::Fill(2)),
];
const ROLES: Columns = &[
    ("ROLE", Constraint::Fill(2)),
    ("TRUST", Constraint::Fill(2)),
    ("POLICIES", Constraint::Fill(1)),
    ("REVOKED BEFORE", Constraint::Length(20)),
    ("INSTANCES", Constraint::Length(9)),
];
const KEY_PAIRS: Columns = &[
    ("KEY PAIR", Constraint::Fill(1)),
    ("REGION", Constraint::Length(12)),
    ("INSTANCES", Constraint::Length(9)),
    ("TEMPLATES", Constraint::Length(9)),
    ("FINGERPRINT", Constraint::Fill(2)),
];
const INSTANCES: Columns = &[
    ("INSTANCE", Constraint::Length(19)),
    ("REGION", Constraint::Length(12)),
    ("STATE", Constraint::Length(10)),
    ("KEY PAIR", Constraint::Fill(1)),
    ("IMDS", Constraint::Length(8)),
    ("PROFILE", Constraint::Fill(2)),
];

fn render_table(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let c = &state.creds;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", c.section.title()),
        theme.title(),
    ));
    let rows = c.rows();
    if rows.is_empty() {
        let msg = if c.facts.is_none() {
            if c.loading {
                "Reading IAM users, roles and EC2 key pairs…".to_string()
            } else {
                "Press r to read credentials.".to_string()
            }
        } else if let Some(e) = c.section_error() {
            untrusted(&e)
        } else if !c.filter.is_empty() {
            "Nothing matches the filter (Esc in / clears it).".into()
        } else {
            "None in this account and region.".into()
        };
        frame.render_widget(
            Paragraph::new(msg).wrap(Wrap { trim: false }).block(block),
            area,
        );
        return;
    }
    let visible = usize::from(area.height.saturating_sub(3)).max(1);
    let selected = c.selected[c.section.index()].min(rows.len() - 1);
    let offset = selected
        .saturating_sub(visible / 2)
        .min(rows.len().saturating_sub(visible));
    let wide = area.width >= 120;
    let columns = match c.section {
        Section::Keys if wide => KEYS_WIDE,
        Section::Keys => KEYS,
        Section::Roles => ROLES,
        Section::KeyPairs => KEY_PAIRS,
        Section::Instances => INSTANCES,
    };
    let (header, widths): (Vec<&str>, Vec<Constraint>) = columns.iter().copied().unzip();
    let table_rows = rows[offset..]
        .iter()
        .take(visible)
        .map(|r| row(c, r, wide, theme));
    let table = Table::new(table_rows, widths)
        .header(Row::new(header).style(theme.title()))
        .row_highlight_style(theme.selected())
        .block(block);
    let mut ts = TableState::default().with_selected(Some(selected - offset));
    frame.render_stateful_widget(table, area, &mut ts);
}

fn row<'a>(c: &CredState, r: &CredRow<'a>, wide: bool, theme: &Theme) -> Row<'a> {
    let cells: Vec<Cell> = match r {
        CredRow::Key(u, k) => {
            let used = match &k.last_used {
                Fact::Known(l) => match &l.date {
                    Some(d) => format!(
                        "{} {} {}",
                        day(Some(d)),
                        l.service.as_deref().unwrap_or(""),
                        l.region.as_deref().unwrap_or("")
                    ),
                    None => "never".into(),
                },
                Fact::Unknown(e) => e.to_string(),
            };
            let marked = c.marked.contains(&k.key_id);
            let mut cells = vec![
                Cell::from(if marked { "★" } else { " " }).style(theme.error()),
                Cell::from(untrusted(&u.name)),
                Cell::from(untrusted(&k.key_id)).style(if marked {
                    theme.error()
                } else {
                    theme.plain()
                }),
                Cell::from(untrusted(&k.status)).style(if k.status == "Active" {
                    theme.warn()
                } else {
                    theme.dim()
                }),
                Cell::from(day(k.created.as_deref())),
                Cell::from(untrusted(&used)),
                Cell::from(untrusted(&policies_summary(
                    &u.attached_policies,
                    &u.inline_policies,
                ))),
            ];
            if !wide {
                cells.remove(6);
                cells.remove(4);
            }
            cells
        }
        CredRow::User(u) => {
            let mut cells = vec![
                Cell::from(" "),
                Cell::from(untrusted(&u.name)),
                Cell::from(match &u.keys {
                    Fact::Unknown(e) => e.to_string(),
                    Fact::Known(_) => "(no keys)".into(),
                })
                .style(theme.dim()),
                Cell::from(""),
                Cell::from(day(u.created.as_deref())),
                Cell::from(""),
                Cell::from(untrusted(&policies_summary(
                    &u.attached_policies,
                    &u.inline_policies,
                ))),
            ];
            if !wide {
                cells.remove(6);
                cells.remove(4);
            }
            cells
        }
        CredRow::Role(role) => {
            let flags = role.flags();
            let trust = match (&role.trust, role.kind) {
                (_, RoleKind::ServiceLinked) => "service-linked".to_string(),
                (_, RoleKind::IdentityCenter) => "Identity Center".to_string(),
                (Fact::Unknown(e), _) => e.to_string(),
                (Fact::Known(_), _) if flags.is_empty() => "this account / services".into(),
                (Fact::Known(_), _) => flags.join("; "),
            };
            vec![
                Cell::from(untrusted(&role.name)),
                Cell::from(untrusted(&trust)).style(if flags.is_empty() {
                    theme.plain()
                } else {
                    theme.warn()
                }),
                Cell::from(untrusted(&policies_summary(
                    &role.attached_policies,
                    &role.inline_policies,
                ))),
                Cell::from(match &role.revoked_before {
                    Fact::Known(Some(t)) => untrusted(t),
                    Fact::Known(None) => "-".into(),
                    Fact::Unknown(e) => e.to_string(),
                }),
                Cell::from(match &role.instances {
                    Fact::Known(i) => i.len().to_string(),
                    Fact::Unknown(e) => e.to_string(),
                }),
            ]
        }
        CredRow::KeyPair(k) => vec![
            Cell::from(untrusted(&k.name)),
            Cell::from(untrusted(&k.region)),
            Cell::from(k.instances.len().to_string()),
            Cell::from(match &k.templates {
                Fact::Known(t) => t.len().to_string(),
                Fact::Unknown(e) => e.to_string(),
            }),
            Cell::from(untrusted(k.fingerprint.as_deref().unwrap_or("?"))),
        ],
        CredRow::Instance(i) => vec![
            Cell::from(untrusted(&i.id)),
            Cell::from(untrusted(&i.region)),
            Cell::from(untrusted(i.state.as_deref().unwrap_or("?"))),
            Cell::from(untrusted(i.key_name.as_deref().unwrap_or("-"))),
            Cell::from(if i.imds.v2_required() {
                "v2 only"
            } else {
                "v1+v2"
            })
            .style(if i.imds.v2_required() {
                theme.ok()
            } else {
                theme.warn()
            }),
            Cell::from(untrusted(
                i.instance_profile_arn.as_deref().map_or("-", short_policy),
            )),
        ],
    };
    Row::new(cells)
}

fn kv(k: &str, v: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:<16}"), theme.dim()),
        Span::raw(untrusted(&v)),
    ])
}

fn detail_lines(state: &State, r: CredRow, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    match r {
        CredRow::Key(u, k) => {
            out.push(kv(
                "access key",
                format!(
                    "{}{}",
                    k.key_id,
                    if state.creds.marked.contains(&k.key_id) {
                        "  ★ marked: the incident points at it"
                    } else {
                        ""
                    }
                ),
                theme,
            ));
            out.push(kv("user", u.arn.clone(), theme));
            out.push(kv("status", k.status.clone(), theme));
            out.push(kv(
                "created",
                k.created.clone().unwrap_or_else(|| "?".into()),
                theme,
            ));
            out.push(kv(
                "last used",
                match &k.last_used {
                    Fact::Known(l) => match &l.date {
                        Some(d) => format!(
                            "{d} — {} in {}",
                            l.service.as_deref().unwrap_or("?"),
                            l.region.as_deref().unwrap_or("?")
                        ),
                        None => "never".into(),
                    },
                    Fact::Unknown(e) => format!("{e}: {}", e.message),
                },
                theme,
            ));
            user_lines(u, &mut out, theme);
            out.push(Line::styled(
                "d deactivate · D delete · s revoke the user's sessions · m mark",
                theme.dim(),
            ));
        }
        CredRow::User(u) => {
            out.push(kv("user", u.arn.clone(), theme));
            out.push(kv(
                "access keys",
                match &u.keys {
                    Fact::Known(_) => "none".into(),
                    Fact::Unknown(e) => format!("{e}: {}", e.message),
                },
                theme,
            ));
            user_lines(u, &mut out, theme);
            out.push(Line::styled("s revoke the user's sessions", theme.dim()));
        }
        CredRow::Role(role) => {
            out.push(kv("role", role.arn.clone(), theme));
            if let Some(why) = role.kind.cannot_modify(&role.name) {
                out.push(Line::styled(untrusted(&why), theme.warn()));
            }
            match &role.trust {
                Fact::Known(ps) => {
                    for p in ps {
                        out.push(Line::from(vec![
                            Span::styled(format!("{:<16}", "trusts"), theme.dim()),
                            Span::raw(untrusted(&format!("{}: {}", p.kind, p.value))),
                            Span::styled(
                                p.flag
                                    .as_ref()
                                    .map(|f| format!("  ⚠ {}", untrusted(f)))
                                    .unwrap_or_default(),
                                theme.warn(),
                            ),
                        ]));
                    }
                }
                Fact::Unknown(e) => out.push(kv("trusts", format!("{e}: {}", e.message), theme)),
            }
            out.push(kv("managed", fact_list(&role.attached_policies), theme));
            out.push(kv("inline", fact_list(&role.inline_policies), theme));
            out.push(kv(
                "sessions",
                match &role.revoked_before {
                    Fact::Known(Some(t)) => format!("revoked for sessions issued before {t}"),
                    Fact::Known(None) => "no revocation policy".into(),
                    Fact::Unknown(e) => e.to_string(),
                },
                theme,
            ));
            out.push(kv("instances", fact_list(&role.instances), theme));
            out.push(Line::styled("s revoke sessions · X deny all · T lock trust · P detach managed · i require IMDSv2", theme.dim()));
        }
        CredRow::KeyPair(k) => {
            out.push(kv(
                "key pair",
                format!("{} ({})", k.name, k.key_pair_id.as_deref().unwrap_or("?")),
                theme,
            ));
            out.push(kv(
                "fingerprint",
                k.fingerprint.clone().unwrap_or_else(|| "?".into()),
                theme,
            ));
            out.push(kv(
                "type, created",
                format!(
                    "{}, {}",
                    k.key_type.as_deref().unwrap_or("?"),
                    k.created.as_deref().unwrap_or("?")
                ),
                theme,
            ));
            if k.instances.is_empty() {
                out.push(kv("instances", "none launched with it".into(), theme));
            }
            for i in &k.instances {
                out.push(kv(
                    "instance",
                    format!(
                        "{} ({}, {}) IMDS {}",
                        i.id,
                        i.region,
                        i.state.as_deref().unwrap_or("?"),
                        if i.imds.v2_required() {
                            "v2 only"
                        } else {
                            "v1 allowed"
                        }
                    ),
                    theme,
                ));
            }
            match &k.templates {
                Fact::Known(t) if t.is_empty() => {
                    out.push(kv("templates", "none reference it".into(), theme))
                }
                Fact::Known(t) => {
                    for t in t {
                        out.push(kv(
                            "template",
                            format!(
                                "{} ({}) v{}{}",
                                t.template_id,
                                t.template_name,
                                t.version,
                                if t.is_default { " default" } else { "" }
                            ),
                            theme,
                        ));
                    }
                }
                Fact::Unknown(e) => out.push(kv("templates", format!("{e}: {}", e.message), theme)),
            }
            out.push(Line::styled(
                "K rotate · D delete (irreversible)",
                theme.dim(),
            ));
        }
        CredRow::Instance(i) => {
            out.push(kv("instance", format!("{} in {}", i.id, i.region), theme));
            out.push(kv(
                "state",
                i.state.clone().unwrap_or_else(|| "?".into()),
                theme,
            ));
            out.push(kv(
                "key pair",
                i.key_name.clone().unwrap_or_else(|| "none".into()),
                theme,
            ));
            out.push(kv(
                "profile",
                i.instance_profile_arn
                    .clone()
                    .unwrap_or_else(|| "none".into()),
                theme,
            ));
            let o = &i.imds;
            out.push(kv(
                "IMDS",
                format!(
                    "tokens {}, endpoint {}, hop limit {}, IPv6 {}, tags {}",
                    o.http_tokens.as_deref().unwrap_or("?"),
                    o.http_endpoint.as_deref().unwrap_or("?"),
                    o.http_put_response_hop_limit
                        .map_or("?".into(), |h| h.to_string()),
                    o.http_protocol_ipv6.as_deref().unwrap_or("?"),
                    o.instance_metadata_tags.as_deref().unwrap_or("?"),
                ),
                theme,
            ));
            out.push(Line::styled("i require IMDSv2", theme.dim()));
        }
    }
    out
}

fn user_lines(u: &UserFacts, out: &mut Vec<Line<'static>>, theme: &Theme) {
    out.push(kv("managed", fact_list(&u.attached_policies), theme));
    out.push(kv("inline", fact_list(&u.inline_policies), theme));
    out.push(kv(
        "sessions",
        match &u.revoked_before {
            Fact::Known(Some(t)) => format!("temporary credentials issued before {t} revoked"),
            Fact::Known(None) => "no revocation policy".into(),
            Fact::Unknown(e) => e.to_string(),
        },
        theme,
    ));
}

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[
    Action::Open,
    Action::NextSection,
    Action::Filter,
    Action::SwitchPane,
    Action::Help,
    Action::Quit,
];

/// The keys the status line offers on the detail.
pub const DETAIL_HINTS: &[Action] = &[Action::Back, Action::Help, Action::Quit];
