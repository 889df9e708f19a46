//! The live CloudTrail pane: newest first, following until the responder
//! scrolls, composable filters shown in the title, incident-relevant
//! events marked, a detail view of the sanitised record, a pivot to the
//! event's principal, and preserving the filtered events as evidence.

use std::collections::BTreeSet;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::model::exposure::Verdict;
use crate::model::trail::{self, TrailEvent, TrailFilter};
use crate::tail::{Source, TailMsg};
use crate::tui::keymap::Action;
use crate::tui::line_input::{self, Edit};
use crate::tui::msg::Command;
use crate::tui::state::{Awaiting, State, TrailState, View, error, info, waiting};
use crate::tui::text::{fit, untrusted};
use crate::tui::theme::Theme;

/// Open the trail pane, starting the tail the first time.
pub fn open(state: &mut State) -> Vec<Command> {
    state.view = View::Trail;
    if state.trail.started {
        return Vec::new();
    }
    state.trail.started = true;
    state.status = Some(info(
        "tailing CloudTrail: LookupEvents and trail log files…",
    ));
    vec![Command::StartTail]
}

/// What the incident is about, from the console's state: the public and
/// shared buckets, and the account.
pub fn incident_of(state: &State) -> trail::Incident {
    trail::Incident {
        own_account: state.account.as_ref().and_then(|a| a.account_id.clone()),
        // Exposed now, or seen exposed earlier in the incident: containing a
        // bucket does not unmark what the attacker did to it.
        buckets: state
            .buckets
            .iter()
            .filter(|b| matches!(b.assessment.verdict, Verdict::Public | Verdict::Shared))
            .map(|b| b.facts.name.clone())
            .chain(state.checklist.incident_buckets.iter().cloned())
            .collect(),
        access_keys: state.creds.incident_keys(&state.watches),
        // The incident's roles: those whose sessions were revoked.
        role_arns: state
            .creds
            .facts
            .as_ref()
            .and_then(|f| f.roles.known())
            .map(|roles| {
                roles
                    .iter()
                    .filter(|r| {
                        matches!(r.revoked_before, crate::model::facts::Fact::Known(Some(_)))
                    })
                    .map(|r| r.arn.clone())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Fold one message from the tail into the state.
/// What the console must read again after events arrive.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reread {
    /// Buckets whose access changed (or got an object made public).
    pub buckets: BTreeSet<String>,
    /// An access change that names no bucket (an access point's policy,
    /// the account's Block Public Access): every bucket may have changed.
    pub everything: bool,
}

/// Takes the tail's news in. Access changes made since the last scan began
/// are returned so the verdicts on screen never stay behind what the
/// trail shows (older ones are what that scan already read).
pub fn on_tail(state: &mut State, msg: TailMsg) -> Reread {
    let since = state.scan.started_at;
    let t = &mut state.trail;
    state.dirty = true;
    let mut reread = Reread::default();
    match msg {
        TailMsg::Trails(trails) => t.trails = Some(trails),
        TailMsg::Events { events, .. } => {
            for e in &events {
                if let (Some(_), None, Some(b), Some(k)) =
                    (&e.public_acl, &e.error_code, &e.bucket, &e.key)
                    && t.public_acl_keys
                        .entry(b.clone())
                        .or_default()
                        .insert(k.clone())
                {
                    reread.buckets.insert(b.clone());
                }
                let fresh =
                    since > 0 && crate::time::parse_time(&e.time).is_some_and(|at| at >= since);
                if fresh && trail::changes_access(e) {
                    match &e.bucket {
                        Some(b) => {
                            reread.buckets.insert(b.clone());
                        }
                        None => reread.everything = true,
                    }
                }
            }
            // Paused: the same event stays under the cursor as new ones
            // arrive above it.
            let keep = if t.follow {
                None
            } else {
                t.selected_event().map(|e| e.event_id.clone())
            };
            t.ring.extend(events);
            if let Some(i) = keep.and_then(|id| t.visible().position(|e| e.event_id == id)) {
                t.selected = i;
            }
        }
        TailMsg::SourceStatus { source, error } => {
            // The Lake search the responder is waiting on ends here: the
            // "asking…" line gives way to its answer.
            if source == Source::Lake && !error.as_deref().is_some_and(|e| e.starts_with("RUNNING"))
            {
                let emulator = state.context.endpoint.is_some();
                state.status = Some(match &error {
                    None => info("CloudTrail Lake: search finished; its events are in the tail"),
                    Some(e) if not_served(e, emulator) => crate::tui::state::error(format!(
                        "CloudTrail Lake is not available here ({}): this endpoint does not serve it; search stopped",
                        untrusted(code_of(e))
                    )),
                    Some(e) => {
                        crate::tui::state::error(format!("CloudTrail Lake: {}", untrusted(e)))
                    }
                });
            }
            t.sources.insert(source, error);
        }
        TailMsg::Round => t.rounds += 1,
        TailMsg::Backlog { files_read, behind } => t.backlog = behind.then_some(files_read),
    }
    reread
}

/// Keys while the pane (or its detail) is open; `None`: not the pane's.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    let page = usize::from(state.size.1.saturating_sub(10)).max(1);
    let t = &mut state.trail;
    match (state.view, action) {
        (View::Trail, Action::Back) => state.view = View::Dashboard,
        (View::TrailDetail, Action::Back) => state.view = View::Trail,
        (View::Trail, Action::Open) => {
            if t.selected_event().is_some() {
                state.view = View::TrailDetail;
                state.detail_scroll = 0;
            }
        }
        (View::Trail, Action::Filter) => {
            t.input = Some(t.filter.describe());
            state.status = Some(info(
                "filter: bucket: principal: key: ip: name: errors marked data mgmt — Enter applies, Esc clears",
            ));
        }
        (View::Trail, Action::Down) => {
            t.follow = false;
            t.selected += 1;
            clamp(t);
        }
        (View::Trail, Action::PageDown) => {
            t.follow = false;
            t.selected += page;
            clamp(t);
        }
        (View::Trail, Action::Up | Action::PageUp) => {
            let step = if action == Action::Up { 1 } else { page };
            t.selected = t.selected.saturating_sub(step);
            t.follow = t.selected == 0;
        }
        (View::Trail, Action::Top) => {
            t.selected = 0;
            t.follow = true;
        }
        (View::Trail, Action::Bottom) => {
            t.follow = false;
            t.selected = usize::MAX;
            clamp(t);
        }
        (View::Trail, Action::Pivot) => return Some(pivot(state)),
        (View::Trail | View::TrailDetail, Action::FilterPrincipal) => {
            let Some(e) = t.selected_event() else {
                return Some(Vec::new());
            };
            // The whole ARN (or "anonymous"): the filter matches it as a
            // substring, so the session's own events all show.
            let who = if e.actor.is_anonymous() {
                "anonymous".to_string()
            } else {
                e.actor
                    .session_issuer
                    .clone()
                    .or_else(|| e.actor.arn.clone())
                    .unwrap_or_else(|| e.actor.label())
            };
            t.filter.principal = Some(who.clone());
            t.selected = 0;
            t.follow = true;
            state.view = View::Trail;
            state.status = Some(info(format!(
                "filter: principal:{} (/ then Esc clears)",
                untrusted(&who)
            )));
        }
        (View::Trail, Action::Preserve) => return Some(preserve(state)),
        (View::Trail, Action::LakeSearch) => return Some(lake_search(state)),
        (View::TrailDetail, motion) => {
            if !state.scroll_detail(motion) {
                return None;
            }
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn clamp(t: &mut TrailState) {
    let n = t.visible().count();
    t.selected = t.selected.min(n.saturating_sub(1));
}

/// From an event to its principal: the credentials pane filtered to its
/// access key when that key is one of this account's, or to its role when
/// it is a session of one of this account's roles; else the tail filtered
/// to the principal.
fn pivot(state: &mut State) -> Vec<Command> {
    let Some(e) = state.trail.selected_event().cloned() else {
        return Vec::new();
    };
    let key = e.actor.access_key_id.clone();
    let known_key = key.as_ref().is_some_and(|k| {
        state.creds.facts.as_ref().is_some_and(|f| {
            f.users.known().is_some_and(|u| {
                u.iter().any(|u| {
                    u.keys
                        .known()
                        .is_some_and(|ks| ks.iter().any(|x| &x.key_id == k))
                })
            })
        })
    });
    if let (true, Some(k)) = (known_key, key) {
        state.creds.filter = k.clone();
        state.creds.pivoted = true;
        state.creds.section = crate::tui::state::Section::Keys;
        state.creds.selected = [0; 4];
        state.view = View::Credentials;
        state.status = Some(info(format!("credentials filtered to {k} (m marks it)")));
        return Vec::new();
    }
    // A role session (an instance's, a federated user's): to the role,
    // where its sessions can be revoked.
    let role = e.actor.session_issuer.as_ref().and_then(|issuer| {
        state.creds.facts.as_ref().and_then(|f| {
            f.roles
                .known()
                .and_then(|roles| roles.iter().find(|r| &r.arn == issuer))
                .map(|r| r.name.clone())
        })
    });
    if let Some(name) = role {
        state.creds.filter = name.clone();
        state.creds.pivoted = true;
        state.creds.section = crate::tui::state::Section::Roles;
        state.creds.selected = [0; 4];
        state.view = View::Credentials;
        state.status = Some(info(format!(
            "credentials filtered to role {} (s revokes its sessions, i requires IMDSv2)",
            untrusted(&name)
        )));
        return Vec::new();
    }
    let who = e
        .actor
        .access_key_id
        .clone()
        .map(|k| (k, true))
        .unwrap_or_else(|| (e.actor.label(), false));
    if who.1 {
        state.trail.filter.access_key = Some(who.0.clone());
    } else {
        state.trail.filter.principal = Some(who.0.clone());
    }
    state.trail.selected = 0;
    state.trail.follow = true;
    state.status = Some(info(format!(
        "filtered to {}",
        untrusted(&state.trail.filter.describe())
    )));
    Vec::new()
}

/// How far back a history search from the console looks.
pub const LAKE_DAYS: u32 = 30;

/// Ask CloudTrail Lake about the filter's bucket, principal and access key
/// over the last [`LAKE_DAYS`] days; the results join the tail.
fn lake_search(state: &mut State) -> Vec<Command> {
    let f = &state.trail.filter;
    if f.bucket.is_none() && f.principal.is_none() && f.access_key.is_none() {
        state.status = Some(error(
            "history search: set a bucket:, principal: or key: filter first (/), then L",
        ));
        return Vec::new();
    }
    let question = trail::LakeQuestion {
        bucket: f.bucket.clone(),
        principal: f.principal.clone(),
        access_key: f.access_key.clone(),
        days: LAKE_DAYS,
    };
    state
        .trail
        .sources
        .insert(Source::Lake, Some("RUNNING: query started".into()));
    state.status = Some(info(format!(
        "asking CloudTrail Lake for {} over the last {LAKE_DAYS} days…",
        untrusted(&f.describe())
    )));
    vec![Command::LakeSearch(question)]
}

/// Preserve what the filter shows as an evidence file.
fn preserve(state: &mut State) -> Vec<Command> {
    if state.context.incident.is_none() {
        state.status = Some(error("no incident directory: nothing can be preserved"));
        return Vec::new();
    }
    let raws: Vec<String> = state
        .trail
        .visible()
        .map(|e| e.raw.get().to_string())
        .collect();
    if raws.is_empty() {
        state.status = Some(error("no events to preserve"));
        return Vec::new();
    }
    state.status = Some(waiting(
        format!("preserving {} events…", raws.len()),
        Awaiting::Preserving,
    ));
    vec![Command::PreserveEvents {
        records: raws,
        filter: state.trail.filter.describe(),
    }]
}

/// The checklist's "preserve the events": every event the tail holds about
/// the incident (on an incident bucket, or marked `!`), whatever the
/// pane's filter. The tail is started first if it is not running yet.
pub fn preserve_incident(state: &mut State) -> Vec<Command> {
    if state.context.incident.is_none() {
        state.status = Some(error("no incident directory: nothing can be preserved"));
        return Vec::new();
    }
    if !state.trail.started {
        let cmds = super::trail::open(state);
        state.status = Some(info(
            "the tail is starting: when its events are in, Enter on this step again (or E here) preserves them",
        ));
        return cmds;
    }
    let incident = incident_of(state);
    let raws: Vec<String> = state
        .trail
        .ring
        .newest_first()
        .filter(|e| {
            trail::relevance(e, &incident).is_some()
                || [&e.bucket, &e.source_bucket]
                    .into_iter()
                    .flatten()
                    .any(|b| incident.buckets.contains(b))
        })
        .map(|e| e.raw.get().to_string())
        .collect();
    if raws.is_empty() {
        state.status = Some(error(
            "no event about the incident's buckets or credentials in the tail yet: wait for the tail, then try again",
        ));
        return Vec::new();
    }
    let mut buckets: Vec<&String> = incident.buckets.iter().collect();
    buckets.sort();
    state.status = Some(waiting(
        format!("preserving {} events…", raws.len()),
        Awaiting::Preserving,
    ));
    vec![Command::PreserveEvents {
        records: raws,
        filter: format!(
            "the incident: buckets {} and marked events",
            buckets
                .iter()
                .map(|b| b.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }]
}

/// Keys while the filter line is typed.
/// A key for the line being typed (Ctrl-C and the redraw are
/// [`super::on_input_key`]'s).
pub fn on_input_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Some(text) = state.trail.input.as_mut() else {
        return Vec::new();
    };
    match line_input::edit(text, key, 256) {
        // One rule for filters everywhere: Esc clears the filter.
        Edit::Cancel => {
            state.trail.input = None;
            state.trail.filter = TrailFilter::default();
            state.trail.selected = 0;
            state.trail.follow = true;
            state.status = Some(info("filter cleared"));
        }
        Edit::Submit => match TrailFilter::parse(text) {
            Ok(f) => {
                state.trail.filter = f;
                state.trail.input = None;
                state.trail.selected = 0;
                state.trail.follow = true;
                state.status = Some(info(if state.trail.filter.is_empty() {
                    "filter cleared".to_string()
                } else {
                    format!("filter: {}", untrusted(&state.trail.filter.describe()))
                }));
            }
            // The typed text stays, to be corrected.
            Err(e) => state.status = Some(error(untrusted(&e))),
        },
        Edit::Changed | Edit::Ignored | Edit::Quit => {}
    }
    Vec::new()
}

/// A source's error's code: its text up to the first ": ".
fn code_of(e: &str) -> &str {
    e.split(": ").next().unwrap_or(e)
}

/// Whether a source's error means the endpoint does not serve the API at
/// all (an emulator answering 500 or "not implemented"), rather than a
/// refusal or an outage: said as "not available here", not as an alarm.
fn not_served(e: &str, emulator: bool) -> bool {
    let code = code_of(e);
    matches!(
        code,
        "NotImplemented" | "InvalidAction" | "UnknownOperationException" | "UnknownOperation"
    ) || (emulator && (code.starts_with("HTTP5") || code == "BadResponse"))
}

/// The trails blinded now: logging stopped, deleted, or no longer logging
/// S3 data events — from the trails as last read and the tail's records
/// (which say who and when).
pub fn tampering(state: &State) -> Vec<crate::model::changes::Tampering> {
    let t = &state.trail;
    let trails = match &t.trails {
        Some(Ok(list)) => Some(list.as_slice()),
        _ => None,
    };
    crate::model::changes::tampering(trails, t.ring.newest_first().map(|e| e.as_ref()))
}

/// Line 1: how each source is doing. Line 2: whether the affected
/// buckets' reads are logged at all (said plainly when not).
fn status_lines(state: &State, theme: &Theme) -> (Line<'static>, Line<'static>) {
    let t = &state.trail;
    let mut spans = vec![Span::styled(" ", theme.dim())];
    let lake = t
        .sources
        .contains_key(&Source::Lake)
        .then_some(Source::Lake);
    for source in [Source::Lookup, Source::Logs].into_iter().chain(lake) {
        let (text, style) = match t.sources.get(&source) {
            None => ("…".to_string(), theme.dim()),
            Some(None) => match t.backlog.filter(|_| source == Source::Logs) {
                Some(n) => (format!("catching up, {n} files read"), theme.warn()),
                None => ("ok".to_string(), theme.ok()),
            },
            Some(Some(e)) if not_served(e, state.context.endpoint.is_some()) => {
                ("not available here".to_string(), theme.dim())
            }
            // The code only: the whole message is in the status of `warroom trail`.
            Some(Some(e)) => (untrusted(code_of(e)), theme.error()),
        };
        spans.push(Span::raw(format!("{}: ", source.label())));
        spans.push(Span::styled(format!("{text}  "), style));
    }
    let coverage = match &t.trails {
        Some(Ok(trails)) if trails.is_empty() => Line::styled(
            " no trail in this region: S3 data events (who read objects) are not recorded",
            theme.error(),
        ),
        Some(Ok(trails)) => {
            let mut missing: Vec<String> = incident_of(state)
                .buckets
                .into_iter()
                .filter(|b| !trails.iter().any(|t| t.logs_reads_of(b)))
                .collect();
            missing.sort();
            if missing.is_empty() {
                Line::styled(
                    format!(
                        " {} trail(s); reads of the affected buckets are logged",
                        trails.len()
                    ),
                    theme.dim(),
                )
            } else {
                Line::styled(
                    format!(
                        " reads NOT logged by any trail for: {}",
                        untrusted(&missing.join(", "))
                    ),
                    theme.error(),
                )
            }
        }
        Some(Err(e)) => Line::styled(format!(" trails: {e}"), theme.error()),
        None => Line::styled(" looking for trails…", theme.dim()),
    };
    (Line::from(spans), coverage)
}

/// "user/ci-deploy", "assumed-role/app/session", "anonymous"; another
/// account's principal gets its account ("… @111122223333").
fn short_principal(e: &TrailEvent, own: Option<&str>) -> String {
    let a = &e.actor;
    let Some(arn) = &a.arn else {
        return a.label();
    };
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    match (&a.account, own) {
        (Some(acct), Some(own)) if acct != own => format!("{resource} @{acct}"),
        _ => resource.to_string(),
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let t = &state.trail;
    let blinded = tampering(state);
    // The banner: a trail the attacker blinded means the tail and the
    // evidence miss everything since; said above all else, one line each
    // (at most two, then a count).
    let banner_h = u16::try_from(blinded.len().min(2)).unwrap_or(2);
    let [banner, top, table_area] = Layout::vertical([
        Constraint::Length(banner_h),
        Constraint::Length(2),
        Constraint::Min(3),
    ])
    .areas(area);
    if !blinded.is_empty() {
        let mut lines: Vec<Line> = blinded
            .iter()
            .take(2)
            .map(|b| {
                Line::styled(
                    format!(" ⚠ TRAIL BLINDED: {}", untrusted(&b.line())),
                    theme.error(),
                )
            })
            .collect();
        if blinded.len() > 2
            && let Some(last) = lines.last_mut()
        {
            last.push_span(Span::styled(
                format!(" (+{} more: ! lists them)", blinded.len() - 2),
                theme.error(),
            ));
        }
        frame.render_widget(Paragraph::new(lines), banner);
    }
    let (sources, coverage) = status_lines(state, theme);
    let top_lines = match &t.input {
        Some(text) => vec![
            Line::from(vec![
                Span::styled(" filter /", theme.key()),
                Span::raw(untrusted(text)),
                Span::styled("▏", theme.key()),
            ]),
            coverage,
        ],
        None => vec![sources, coverage],
    };
    frame.render_widget(Paragraph::new(top_lines), top);
    // Counts say what the rows are: the filter's matches, of how many.
    let shown = t.visible().count();
    let mut title = if t.filter.is_empty() {
        format!(" CloudTrail: {} events", t.ring.len())
    } else {
        format!(" CloudTrail: {shown} of {} events", t.ring.len())
    };
    if t.ring.dropped > 0 {
        title.push_str(&format!(" ({} older dropped from view)", t.ring.dropped));
    }
    if !t.filter.is_empty() {
        title.push_str(&format!(" · filter: {}", untrusted(&t.filter.describe())));
    }
    title.push_str(if t.follow {
        " · following "
    } else {
        " · paused "
    });
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    if t.ring.is_empty() {
        let msg = if t.started {
            "Waiting for events (LookupEvents and trail log files)…"
        } else {
            "Tab here starts the tail."
        };
        frame.render_widget(Paragraph::new(msg).block(block), table_area);
        return;
    }
    let visible_rows = usize::from(table_area.height.saturating_sub(3)).max(1);
    let offset = t.selected.saturating_sub(visible_rows.saturating_sub(1));
    let incident = incident_of(state);
    let wide = area.width >= 120;
    // Column widths, so a cut name keeps its meaningful end (the role or
    // user at the end of a principal, the end of an event name).
    let inner = usize::from(table_area.width.saturating_sub(2));
    let (event_w, fill_w) = if wide {
        (28, inner.saturating_sub(1 + 8 + 28 + 15 + 14 + 6) / 2)
    } else {
        (18, inner.saturating_sub(1 + 8 + 18 + 12 + 5) / 2)
    };
    let rows: Vec<Row> = t
        .visible()
        .skip(offset)
        .take(visible_rows)
        .map(|e| {
            let why = trail::relevance(e, &incident);
            // Narrow: the object key says more than the bucket (the filter
            // and the detail view have the bucket).
            let target = match (&e.bucket, &e.key) {
                (Some(b), Some(k)) if wide => format!("{b}/{k}"),
                (_, Some(k)) => k.clone(),
                (Some(b), None) => b.clone(),
                _ => String::new(),
            };
            let mut cells = vec![
                Cell::from(if why.is_some() { "!" } else { " " }).style(theme.error()),
                Cell::from(untrusted(e.time.get(11..19).unwrap_or(&e.time))),
                Cell::from(fit(&untrusted(&e.name), event_w)).style(if why.is_some() {
                    theme.warn()
                } else {
                    theme.plain()
                }),
                Cell::from(fit(
                    &untrusted(&short_principal(e, incident.own_account.as_deref())),
                    fill_w,
                )),
                Cell::from(fit(&untrusted(&target), fill_w)),
                Cell::from(untrusted(e.error_code.as_deref().unwrap_or(""))).style(theme.error()),
            ];
            if wide {
                cells.insert(
                    4,
                    Cell::from(untrusted(e.source_ip.as_deref().unwrap_or(""))),
                );
            }
            Row::new(cells)
        })
        .collect();
    let (header, widths) = if wide {
        (
            vec![
                "",
                "TIME",
                "EVENT",
                "PRINCIPAL",
                "SOURCE IP",
                "BUCKET/KEY",
                "ERROR",
            ],
            vec![
                Constraint::Length(1),
                Constraint::Length(8),
                Constraint::Length(28),
                Constraint::Fill(2),
                Constraint::Length(15),
                Constraint::Fill(2),
                Constraint::Length(14),
            ],
        )
    } else {
        (
            vec!["", "TIME", "EVENT", "PRINCIPAL", "BUCKET/KEY", "ERROR"],
            vec![
                Constraint::Length(1),
                Constraint::Length(8),
                Constraint::Length(18),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(12),
            ],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .row_highlight_style(theme.selected())
        .block(block);
    let mut ts = TableState::default().with_selected(Some(t.selected - offset));
    frame.render_stateful_widget(table, table_area, &mut ts);
}

/// The selected event: why it matters, its fields, and the record
/// pretty-printed, every string sanitised.
pub fn render_detail(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(held) = state.trail.selected_event() else {
        return;
    };
    // Held events keep only what the list needs: every field again from
    // the record.
    let raw = held.raw.get();
    let full = trail::normalise_str(&raw).unwrap_or_else(|_| (**held).clone());
    let e = &full;
    let mut lines = Vec::new();
    if let Some(why) = trail::relevance(e, &incident_of(state)) {
        lines.push(Line::styled(format!("! {why}"), theme.warn()));
    }
    if trail::is_destructive_delete(e) {
        let bursts = trail::delete_bursts(state.trail.ring.newest_first().map(|e| &**e));
        if let Some(burst) = trail::burst_of(e, &bursts) {
            lines.push(Line::styled(untrusted(&format!("! {burst}")), theme.warn()));
        }
    }
    if e.presigned {
        let key = e
            .actor
            .access_key_id
            .clone()
            .unwrap_or_else(|| "the signing credential".into());
        lines.push(Line::styled(
            untrusted(&format!(
                "presigned URL: whoever holds it acts as {key} until it expires; the only way to kill it is to revoke {key} (d on it in the credentials pane; a session key: s on its role)"
            )),
            theme.warn(),
        ));
    }
    if let Some(group) = &e.public_acl {
        let what = match (&e.key, &e.error_code) {
            (_, Some(_)) => "this call failed: the ACL it asked for was not set".to_string(),
            (Some(_), None) => "this object's ACL now grants it; warroom reads that ACL on every scan (the exposure pane shows it while it stands)".to_string(),
            (None, None) => "the bucket's ACL now grants it".to_string(),
        };
        lines.push(Line::styled(
            untrusted(&format!("public ACL: grants {group}: {what}")),
            theme.warn(),
        ));
    }
    let a = &e.actor;
    for (k, v) in [
        ("event", format!("{} ({})", e.name, e.source)),
        ("time", e.time.clone()),
        ("principal", a.label()),
        ("access key", a.access_key_id.clone().unwrap_or_default()),
        ("session of", a.session_issuer.clone().unwrap_or_default()),
        (
            "mfa",
            a.mfa
                .map_or(String::new(), |m| if m { "yes" } else { "no" }.into()),
        ),
        ("source ip", e.source_ip.clone().unwrap_or_default()),
        ("user agent", e.user_agent.clone().unwrap_or_default()),
        (
            "copied from",
            match (&e.source_bucket, &e.source_key) {
                (Some(b), Some(k)) => format!("s3://{b}/{k}"),
                _ => String::new(),
            },
        ),
        ("error", e.error_code.clone().unwrap_or_default()),
        ("odd fields", e.odd.join("; ")),
    ] {
        if !v.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{k:<12}"), theme.dim()),
                Span::raw(untrusted(&v)),
            ]));
        }
    }
    lines.push(Line::raw(""));
    let pretty = serde_json::from_str::<serde_json::Value>(&raw)
        .map(|mut v| {
            trail::redact_secrets(&mut v);
            v
        })
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| raw.to_string());
    lines.extend(pretty.lines().map(|l| Line::raw(untrusted(l))));
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = u16::try_from(text.line_count(area.width.saturating_sub(2))).unwrap_or(u16::MAX);
    let scroll = state
        .detail_scroll
        .min(total.saturating_sub(area.height.saturating_sub(2)));
    frame.render_widget(
        text.scroll((scroll, 0)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Event (Esc back) ", theme.title())),
        ),
        area,
    );
}

/// The keys the status line offers on the detail.
pub const DETAIL_HINTS: &[Action] = &[Action::Back, Action::Help, Action::Quit];

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[
    Action::Open,
    Action::Filter,
    Action::Pivot,
    Action::Preserve,
    Action::SwitchPane,
    Action::Help,
    Action::Quit,
];
