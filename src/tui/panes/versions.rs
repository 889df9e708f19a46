//! The versions view (`V` on a bucket): every key changed since the
//! incident window's start, with its version history — time, size, ETag,
//! storage class, delete markers, which version is current — and, when the
//! CloudTrail pane has seen the change, who made it. Keys whose versions
//! are gone are flagged as not recoverable. `R` from here plans the
//! point-in-time restore.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::aws::AwsError;
use crate::model::restore::Version;
use crate::time::iso_time;
use crate::tui::keymap::Action;
use crate::tui::msg::{Command, VersionsList};
use crate::tui::state::{Awaiting, State, VersionsState, View, error, info, waiting};
use crate::tui::text::untrusted;
use crate::tui::theme::Theme;
/// Open the view on the selected bucket: changes since the incident
/// window's start (the restore time last typed), else the last 24 hours.
pub fn open(state: &mut State) -> Vec<Command> {
    let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
        return Vec::new();
    };
    let since = state
        .window_start
        .unwrap_or_else(|| crate::time::now_secs() - 24 * 3600);
    let from = match (state.view, &state.versions) {
        (View::Versions, Some(v)) => v.from,
        (View::Versions, None) => View::Dashboard,
        (view, _) => view,
    };
    state.versions = Some(VersionsState {
        bucket: bucket.clone(),
        since,
        list: None,
        selected: 0,
        from,
    });
    state.view = View::Versions;
    state.status = Some(waiting(
        format!("reading the versions of {}…", untrusted(&bucket)),
        Awaiting::Versions,
    ));
    vec![Command::LoadVersions { bucket, since }]
}

pub fn on_loaded(state: &mut State, bucket: String, list: Result<VersionsList, AwsError>) {
    state.dirty = true;
    let Some(v) = state.versions.as_mut().filter(|v| v.bucket == bucket) else {
        return;
    };
    // A reload after an action leaves the action's result on the status
    // line; only a load the responder asked for is answered there.
    let asked = state
        .status
        .as_ref()
        .is_some_and(|s| s.awaiting == Some(Awaiting::Versions));
    let status = match &list {
        Ok(l) if l.versioning.is_empty() => error(format!(
            "{} has never had versioning on: nothing to restore from; v turns it on for the future",
            untrusted(&bucket)
        )),
        Ok(l) => {
            let gone = l
                .keys
                .iter()
                .filter(|h| h.iter().all(|x| x.is_delete_marker))
                .count();
            let mut said = format!(
                "{} key(s) changed since {}",
                l.keys.len() as u64 + l.more,
                iso_time(v.since)
            );
            if !l.sse_c.is_empty() {
                said.push_str(&format!(
                    "; {} version(s) written with SSE-C (unreadable without the writer's key)",
                    l.sse_c.len()
                ));
            }
            if l.sse_c_unprobed > 0 {
                said.push_str(&format!("; {} not probed for SSE-C", l.sse_c_unprobed));
            }
            if gone > 0 {
                said.push_str(&format!("; {gone} with only delete markers left"));
            }
            info(said)
        }
        Err(e) => error(format!("cannot list versions: {}", untrusted(&e.said()))),
    };
    if asked || list.is_err() {
        state.status = Some(status);
    }
    v.list = Some(list);
}

/// Keys while the view is open; `None`: not the view's.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    let v = state.versions.as_mut()?;
    let n = match &v.list {
        Some(Ok(l)) => l.keys.len(),
        _ => 0,
    };
    match action {
        Action::Back => state.view = state.versions.as_ref().map_or(View::Dashboard, |v| v.from),
        Action::Down => v.selected = (v.selected + 1).min(n.saturating_sub(1)),
        Action::Up => v.selected = v.selected.saturating_sub(1),
        Action::Top => v.selected = 0,
        Action::Bottom => v.selected = n.saturating_sub(1),
        Action::Rescan => {
            let (bucket, since) = (v.bucket.clone(), v.since);
            v.list = None;
            return Some(vec![Command::LoadVersions { bucket, since }]);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Who made the change at `at` to `key` (version `version`), if the
/// CloudTrail pane saw it. A record naming the version it wrote
/// (`x-amz-version-id` in its response) answers for that version alone;
/// one naming none is matched by time, within two seconds.
fn who(state: &State, bucket: &str, key: &str, version: &str, at: i64) -> Option<String> {
    let writes = || {
        state
            .trail
            .ring
            .newest_first()
            .filter(|e| e.bucket.as_deref() == Some(bucket) && e.key.as_deref() == Some(key))
            .filter(|e| e.read_only == Some(false))
    };
    writes()
        .find(|e| e.version_written().as_deref() == Some(version))
        .or_else(|| {
            writes()
                .filter(|e| e.version_written().is_none())
                .find(|e| crate::time::parse_time(&e.time).is_some_and(|t| (t - at).abs() <= 2))
        })
        .map(|e| {
            format!(
                "{} by {} from {}",
                e.name,
                e.actor.label(),
                e.source_ip.as_deref().unwrap_or("?")
            )
        })
}

/// The versions of `bucket` S3 serves only with the writer's SSE-C key: as
/// probed (a HEAD answered 400), or as the tail saw them written (whoever
/// wrote them: the record is the fact; the restore's skip list is the
/// incident principals' alone).
fn sse_c_ids(
    state: &State,
    bucket: &str,
    list: &VersionsList,
) -> std::collections::BTreeSet<String> {
    let mut ids = list.sse_c.clone();
    ids.extend(crate::tui::panes::prompt::sse_c_versions_seen(
        state, bucket, false,
    ));
    ids
}

fn state_of(history: &[Version], sse_c: &std::collections::BTreeSet<String>) -> &'static str {
    match history.first() {
        Some(v) if !v.is_delete_marker && sse_c.contains(&v.version_id) => "SSE-C locked",
        _ if history.iter().all(|v| v.is_delete_marker) => "NOT RECOVERABLE",
        Some(v) if v.is_delete_marker => "deleted",
        Some(v) if matches!(v.storage_class.as_str(), "GLACIER" | "DEEP_ARCHIVE") => "archived",
        _ if history.len() > 1 => "changed",
        _ => "new",
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(v) = &state.versions else {
        return;
    };
    let [table_area, detail_area] = Layout::vertical([
        Constraint::Min(4),
        // The detail gives way first: at least one key stays listed.
        Constraint::Length(area.height.saturating_sub(5).min(10)),
    ])
    .areas(area);
    let mut title = format!(
        " Versions of {} changed since {} ",
        untrusted(&v.bucket),
        iso_time(v.since)
    );
    if let Some((_, d)) =
        crate::tui::state::deadline::deadline(state).filter(|(b, _)| *b == v.bucket)
    {
        title.push_str(&format!(
            "· a needed version is deleted {}: {}{} ",
            d.countdown(state.watches.now),
            untrusted(&d.rule),
            d.key
                .as_deref()
                .map(|k| format!(" on {}", untrusted(k)))
                .unwrap_or_default()
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let list = match &v.list {
        None => {
            frame.render_widget(
                Paragraph::new("Reading the version listing…").block(block),
                area,
            );
            return;
        }
        Some(Err(e)) => {
            frame.render_widget(
                Paragraph::new(format!("Cannot list versions: {}", untrusted(&e.said())))
                    .style(theme.error())
                    .wrap(Wrap { trim: true })
                    .block(block),
                area,
            );
            return;
        }
        Some(Ok(l)) if l.versioning.is_empty() => {
            frame.render_widget(
                Paragraph::new(
                    "This bucket has never had versioning on, so S3 kept no earlier versions: \
                     what was overwritten or deleted cannot be restored from S3 (look for \
                     backups or replicas). Press Esc, then v to turn versioning on so the next \
                     incident can be undone.",
                )
                .wrap(Wrap { trim: true })
                .block(block),
                area,
            );
            return;
        }
        Some(Ok(l)) => l,
    };
    let header = Row::new(["KEY", "VERSIONS", "NOW", "LAST CHANGE"]).style(theme.title());
    let sse_c = sse_c_ids(state, &v.bucket, list);
    let rows: Vec<Row> = list
        .keys
        .iter()
        .map(|h| {
            let now = state_of(h, &sse_c);
            let style = match now {
                "NOT RECOVERABLE" | "SSE-C locked" => theme.error(),
                "deleted" | "archived" => theme.warn(),
                _ => theme.plain(),
            };
            Row::new(vec![
                Cell::from(untrusted(&h[0].key)),
                Cell::from(h.len().to_string()),
                Cell::from(now),
                Cell::from(iso_time(h[0].last_modified)),
            ])
            .style(style)
        })
        .collect();
    let more = if list.more > 0 {
        format!(
            " …and {} more (warroom versions s3://{}/ lists all) ",
            list.more,
            untrusted(&v.bucket)
        )
    } else {
        String::new()
    };
    let table = Table::new(
        rows,
        [
            Constraint::Min(20),
            Constraint::Length(8),
            Constraint::Length(15),
            Constraint::Length(20),
        ],
    )
    .header(header)
    .row_highlight_style(theme.selected())
    .block(block.title_bottom(Span::styled(more, theme.dim())));
    let mut ts = TableState::default().with_selected((!list.keys.is_empty()).then_some(v.selected));
    frame.render_stateful_widget(table, table_area, &mut ts);
    let lines: Vec<Line> = list
        .keys
        .get(v.selected)
        .map(|h| {
            h.iter()
                .map(|x| {
                    let what = if x.is_delete_marker {
                        "delete marker".to_string()
                    } else {
                        format!(
                            "{} B {} {}",
                            x.size,
                            untrusted(&x.etag),
                            untrusted(&x.storage_class)
                        )
                    };
                    let by = who(state, &v.bucket, &x.key, &x.version_id, x.last_modified)
                        .map(|w| format!(" — {}", untrusted(&w)))
                        .unwrap_or_default();
                    let mut spans = vec![
                        Span::styled(if x.is_latest { "* " } else { "  " }, theme.key()),
                        Span::raw(format!("{} {what}", iso_time(x.last_modified))),
                    ];
                    if !x.is_delete_marker && sse_c.contains(&x.version_id) {
                        // Said before who wrote it: the width runs out last
                        // on the part that says why the version is lost.
                        spans.push(Span::styled(
                            " SSE-C: only the writer's key reads it",
                            theme.error(),
                        ));
                    }
                    spans.push(Span::raw(by));
                    Line::from(spans)
                })
                .collect()
        })
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default().borders(Borders::ALL).title(Span::styled(
                " History (* current; R restores to a time) ",
                theme.title(),
            )),
        ),
        detail_area,
    );
}

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[Action::Restore, Action::Back, Action::Help, Action::Quit];
