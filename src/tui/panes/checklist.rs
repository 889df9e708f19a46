//! The playbook checklist (`C`, or `Tab` after the watches): the five parts
//! with their progress, each step's status, guidance, check result, note,
//! and who changed it when. A step whose check passes against what the
//! console has read ticks itself (the result is journaled as evidence),
//! and un-ticks if the state regresses. Everything is kept in the journal.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};
use serde_json::json;

use crate::model::exposure::{ControlPlane, Source, Verdict, control_plane};
use crate::playbook::checks::{self, LiveFacts, Outcome};
use crate::playbook::progress::{self, Status, StepState};
use crate::tui::keymap::Action;
use crate::tui::line_input::{self, Edit};
use crate::tui::msg::Command;
use crate::tui::state::{State, View, error, info};
use crate::tui::text::untrusted;
use crate::tui::theme::Theme;

/// The journal's checklist, at start.
pub fn on_replayed(
    state: &mut State,
    steps: BTreeMap<String, StepState>,
    preserved: bool,
) -> Vec<Command> {
    let c = &mut state.checklist;
    c.steps = steps;
    c.evidence_preserved |= preserved;
    c.loaded = true;
    state.dirty = true;
    refresh(state)
}

/// The facts the checks need, from what the console has read.
pub fn facts(state: &State) -> LiveFacts {
    let incident = &state.checklist.incident_buckets;
    let ours = || {
        state
            .buckets
            .iter()
            .filter(|b| incident.contains(&b.facts.name))
    };
    let names = |f: &dyn Fn(&crate::scan::BucketReport) -> bool| -> Vec<String> {
        ours()
            .filter(|b| f(b))
            .map(|b| b.facts.name.clone())
            .collect()
    };
    let exposed = |b: &crate::scan::BucketReport| {
        matches!(b.assessment.verdict, Verdict::Public | Verdict::Shared)
    };
    let by_source = |b: &crate::scan::BucketReport, policy: bool| {
        b.assessment.reasons.iter().any(|r| {
            matches!(
                r.severity,
                crate::model::exposure::Severity::Public | crate::model::exposure::Severity::Shared
            ) && if policy {
                // An access point's policy is a policy too: the step that
                // removes public statements is not done while one is open.
                matches!(
                    r.source,
                    Source::Policy { .. }
                        | Source::PolicyStatus
                        | Source::AccessPoint { .. }
                        | Source::MultiRegionAccessPoint { .. }
                        | Source::ObjectLambdaAccessPoint { .. }
                )
            } else {
                // An object's own ACL is an ACL grant like the bucket's.
                matches!(r.source, Source::Acl | Source::ObjectAcl { .. })
            }
        })
    };
    let unversioned = ours()
        .map(|b| {
            b.facts
                .versioning
                .known()
                .map(|v| (v.status.as_deref() != Some("Enabled")).then(|| b.facts.name.clone()))
        })
        .collect::<Option<Vec<Option<String>>>>()
        .map(|v| v.into_iter().flatten().collect());
    let creds = state.creds.facts.as_ref();
    // The keys involved: those marked, and those the responder revoked
    // (each has a watch).
    let marked = &state.creds.incident_keys(&state.watches);
    let marked_keys_active = creds.and_then(|f| f.users.known()).map(|users| {
        users
            .iter()
            .filter_map(|u| u.keys.known())
            .flatten()
            .filter(|k| marked.contains(&k.key_id) && k.status == "Active")
            .map(|k| k.key_id.clone())
            .collect()
    });
    let roles_revoked = creds.and_then(|f| f.roles.known()).map_or(0, |roles| {
        roles
            .iter()
            .filter(|r| matches!(r.revoked_before, crate::model::facts::Fact::Known(Some(_))))
            .count()
    });
    let users_revoked = creds.and_then(|f| f.users.known()).map_or(0, |users| {
        users
            .iter()
            .filter(|u| matches!(u.revoked_before, crate::model::facts::Fact::Known(Some(_))))
            .count()
    });
    let roles_involved = roles_revoked
        + state
            .watches
            .rows
            .iter()
            .filter(|r| {
                matches!(
                    r.watch.spec.target,
                    crate::model::watch::Target::Role { .. }
                )
            })
            .count();
    let instances = creds
        .and_then(|f| f.instances.known())
        .map_or(0, |i| i.len());
    let imds_optional = creds.and_then(|f| f.instances.known()).map(|i| {
        i.iter()
            .filter(|i| !i.imds.v2_required())
            .map(|i| i.id.clone())
            .collect()
    });
    let w = &state.watches;
    let now = w.now;
    let watches = w
        .rows
        .iter()
        .fold((0, 0, 0), |(open, clean, bad), r| match r.verdict(now) {
            crate::model::watch::Verdict::Activity => (open, clean, bad + 1),
            _ if !r.is_final() => (open + 1, clean, bad),
            _ => (open, clean + 1, bad),
        });
    LiveFacts {
        scan_finished: !state.scan.running && state.scan.total.is_some(),
        incident_buckets: incident.iter().cloned().collect(),
        still_exposed: names(&exposed),
        // Eradication reads the document itself: a public statement that
        // Block Public Access neutralises is still there to remove.
        public_statements: names(&|b| {
            by_source(b, true) || b.assessment.policy.as_ref().is_some_and(|p| p.is_public())
        }),
        acl_grants: names(&|b| by_source(b, false)),
        control_open: ours()
            .map(|b| match control_plane(&b.facts, &b.assessment) {
                ControlPlane::Unknown(_) => None,
                ControlPlane::Open(_) => Some(Some(b.facts.name.clone())),
                _ => Some(None),
            })
            .collect::<Option<Vec<Option<String>>>>()
            .map(|v| v.into_iter().flatten().collect()),
        control_locked: ours()
            .filter(|b| control_plane(&b.facts, &b.assessment) == ControlPlane::Locked)
            .count(),
        unversioned,
        account_pab_on: state
            .account
            .as_ref()
            .and_then(|a| a.public_access_block.known())
            .map(|p| {
                p.as_ref().is_some_and(|p| {
                    p.block_public_acls
                        && p.ignore_public_acls
                        && p.block_public_policy
                        && p.restrict_public_buckets
                })
            }),
        data_events_logged: match &state.trail.trails {
            Some(Ok(trails)) => Some(
                incident
                    .iter()
                    .all(|b| trails.iter().any(|t| t.logs_reads_of(b)))
                    && !trails.is_empty(),
            ),
            _ => None,
        },
        evidence_preserved: state.checklist.evidence_preserved,
        trail_tampered: super::trail::tampering(state)
            .iter()
            .map(crate::model::changes::Tampering::line)
            .collect(),
        changes_in_place: state.changes.loaded.then(|| {
            state
                .changes
                .rows
                .iter()
                .filter(|r| r.standing == crate::model::changes::Standing::InPlace)
                .map(|r| r.what.describe())
                .collect()
        }),
        marked_keys_active,
        marked_keys: marked.len(),
        roles_revoked,
        users_revoked,
        roles_involved,
        instances,
        imds_optional,
        watches,
    }
}

fn who(state: &State) -> String {
    match &state.identity {
        Some(Ok(id)) => id.arn.clone(),
        _ => "responder".to_string(),
    }
}

/// Run every step's check against what the console knows now; journal
/// each change of result, and each tick or un-tick it causes.
pub fn refresh(state: &mut State) -> Vec<Command> {
    // Buckets seen exposed stay the incident's.
    for b in &state.buckets {
        if matches!(b.assessment.verdict, Verdict::Public | Verdict::Shared) {
            state
                .checklist
                .incident_buckets
                .insert(b.facts.name.clone());
        }
    }
    if !state.checklist.loaded {
        return Vec::new();
    }
    let f = facts(state);
    let mut cmds = Vec::new();
    let checked: Vec<(String, crate::playbook::Check)> = state
        .checklist
        .playbook
        .steps()
        .filter_map(|(_, s)| s.check.map(|c| (s.id.clone(), c)))
        .collect();
    for (id, check) in checked {
        let outcome = checks::evaluate(check, &f);
        let c = &mut state.checklist;
        let step = c.steps.entry(id.clone()).or_default();
        let new_status = progress::auto_status(step, &outcome);
        let same = step.check.as_ref() == Some(&outcome);
        // A ticked step whose recorded result already failed (an older
        // journal, or resumed mid-way) is still put right.
        if same && new_status.is_none() {
            continue;
        }
        step.check = Some(outcome.clone());
        let text = match &outcome {
            Outcome::Pass(d) => format!("passes: {d}"),
            Outcome::Fail(d) => format!("fails: {d}"),
            Outcome::Unknown(d) => format!("cannot tell yet: {d}"),
            Outcome::NotApplicable(d) => format!("not applicable: {d}"),
        };
        if !same {
            cmds.push(Command::Note {
                kind: progress::CHECK.into(),
                summary: format!("checklist {id}: {} {text}", check.name()),
                data: json!({"step": id, "check": check.name(), "outcome": outcome}),
            });
        }
        if let Some(status) = new_status {
            step.status = status;
            step.by = Some("check".into());
            cmds.push(Command::Note {
                kind: progress::STEP.into(),
                summary: format!(
                    "checklist {id}: {} by its check ({})",
                    match status {
                        Status::Done => "ticked",
                        Status::NotApplicable => "marked not applicable",
                        _ => "un-ticked: the check fails",
                    },
                    check.name()
                ),
                data: json!({"step": id, "status": status, "by": "check"}),
            });
        }
        state.dirty = true;
    }
    cmds
}

/// The responder sets a step's status (or note).
fn set(state: &mut State, status: Status, note: Option<String>) -> Vec<Command> {
    let by = who(state);
    let c = &mut state.checklist;
    let Some(step) = c.step_at(c.selected).cloned() else {
        return Vec::new();
    };
    let s = c.steps.entry(step.id.clone()).or_default();
    s.status = status;
    s.by = Some(by.clone());
    if note.is_some() {
        s.note = note.clone();
    }
    state.status = Some(info(format!(
        "{}: {}",
        untrusted(&step.title),
        status.label()
    )));
    let mut data = json!({"step": step.id, "status": status, "by": by});
    if let Some(n) = note {
        data["note"] = json!(n);
    }
    vec![Command::Note {
        kind: progress::STEP.into(),
        summary: format!("checklist {}: {}", step.id, status.label()),
        data,
    }]
}

pub fn open(state: &mut State) {
    state.view = View::Checklist;
    state.dirty = true;
}

/// Keys while the checklist is open; `None`: not the pane's.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    let n = state.checklist.playbook.steps().count();
    let c = &mut state.checklist;
    let current = c
        .step_at(c.selected)
        .map(|s| c.state_of(&s.id).status)
        .unwrap_or_default();
    match action {
        Action::Back => state.view = View::Dashboard,
        Action::Down => c.selected = (c.selected + 1).min(n.saturating_sub(1)),
        Action::Up => c.selected = c.selected.saturating_sub(1),
        Action::Top => c.selected = 0,
        Action::Bottom => c.selected = n.saturating_sub(1),
        Action::StepDone => {
            let next = match current {
                Status::Done => Status::Todo,
                Status::Todo => Status::InProgress,
                _ => Status::Done,
            };
            return Some(set(state, next, None));
        }
        Action::StepSkip => return Some(set(state, Status::Skipped, None)),
        Action::StepNotApplicable => {
            let next = if current == Status::NotApplicable {
                Status::Todo
            } else {
                Status::NotApplicable
            };
            return Some(set(state, next, None));
        }
        Action::StepNote => {
            if state.context.incident.is_none() {
                state.status = Some(error("no incident directory: notes need a journal"));
            } else {
                let existing = c
                    .step_at(c.selected)
                    .and_then(|s| c.state_of(&s.id).note)
                    .unwrap_or_default();
                c.note = Some(existing);
                state.status = Some(info("note for this step — Enter saves, Esc cancels"));
            }
        }
        Action::Open => return Some(open_action(state)),
        _ => return None,
    }
    Some(Vec::new())
}

/// Enter on a step with an action: open that action on the selected
/// bucket, or send the responder where the credential is chosen.
fn open_action(state: &mut State) -> Vec<Command> {
    let c = &state.checklist;
    let Some(action) = c.step_at(c.selected).and_then(|s| s.action.clone()) else {
        state.status = Some(info("this step has no action: follow its guidance"));
        return Vec::new();
    };
    // The bucket the step is about: one its check still fails on (the
    // selected one if it is among them), else the selected bucket.
    let selected = state.selected_bucket().map(|b| b.facts.name.clone());
    let failing = c.step_at(c.selected).and_then(|s| s.check).map(|check| {
        let f = facts(state);
        match check {
            crate::playbook::Check::BucketNotPublic => f.still_exposed,
            crate::playbook::Check::PolicyHasNoPublicStatements => f.public_statements,
            crate::playbook::Check::ObjectAclsPrivate => f.acl_grants,
            crate::playbook::Check::ControlPlaneLocked => f.control_open.unwrap_or_default(),
            crate::playbook::Check::VersioningOn => f.unversioned.unwrap_or_default(),
            _ => Vec::new(),
        }
    });
    let bucket = match failing {
        Some(names) if !names.is_empty() => Some(
            selected
                .filter(|s| names.contains(s))
                .unwrap_or_else(|| names[0].clone()),
        ),
        _ => selected,
    };
    // The bucket's own policy is clean but an access point's is not: the
    // step's action is to close that door.
    if action == "remove-policy-statements"
        && let Some(b) = bucket
            .as_ref()
            .and_then(|n| state.buckets.iter().find(|b| &b.facts.name == n))
        && !b
            .assessment
            .policy
            .as_ref()
            .is_some_and(|p| p.is_public() || !p.shared_accounts().is_empty())
        && let Some(name) = crate::tui::offers::open_access_point(b)
    {
        let spec = crate::actions::ActionSpec::DeleteAccessPointPolicy(
            crate::actions::access_point_policy::Args {
                bucket: b.facts.name.clone(),
                access_point: name,
            },
        );
        return crate::tui::gate::request(state, spec);
    }
    let spec = match (action.as_str(), bucket) {
        ("block-public-access-account", _) => Some(
            crate::actions::ActionSpec::BlockPublicAccessAccount(crate::actions::Account {}),
        ),
        (_, None) => None,
        (name, Some(bucket)) => crate::tui::offers::bucket_action_named(name, &bucket),
    };
    if let Some(spec) = spec {
        return crate::tui::gate::request(state, spec);
    }
    match action.as_str() {
        "preserve-events" => return super::trail::preserve_incident(state),
        "pit-restore" => {
            state.view = View::Dashboard;
            state.status = Some(info(
                "select the bucket and press R to restore it to a time",
            ));
        }
        "deactivate-key" | "revoke-role-sessions" | "require-imdsv2" | "rotate-key-pair" => {
            state.view = View::Credentials;
            state.status = Some(info(match action.as_str() {
                "deactivate-key" => "select the involved access key and press d",
                "revoke-role-sessions" => "→ to the roles, select the role and press s",
                "require-imdsv2" => "select the instance or role and press i",
                _ => "→ to the key pairs, select it and press K",
            }));
            if state.creds.facts.is_none() && !state.creds.loading {
                return state.creds.load();
            }
        }
        _ => state.status = Some(error("select a bucket on the dashboard first")),
    }
    Vec::new()
}

/// Keys while a note is typed.
/// A key for the line being typed (Ctrl-C and the redraw are
/// [`super::on_input_key`]'s).
pub fn on_input_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Some(text) = state.checklist.note.as_mut() else {
        return Vec::new();
    };
    match line_input::edit(text, key, 500) {
        Edit::Cancel => {
            state.checklist.note = None;
            state.status = None;
        }
        Edit::Submit => {
            let note = state.checklist.note.take().unwrap_or_default();
            let c = &state.checklist;
            let status = c
                .step_at(c.selected)
                .map(|s| c.state_of(&s.id).status)
                .unwrap_or_default();
            return set(state, status, Some(note));
        }
        Edit::Changed | Edit::Ignored | Edit::Quit => {}
    }
    Vec::new()
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let c = &state.checklist;
    let [list_area, detail_area] = Layout::vertical([
        Constraint::Min(3),
        // The detail gives way first: at least one step stays listed.
        Constraint::Length(area.height.saturating_sub(4).min(9)),
    ])
    .areas(area);
    let mut items = Vec::new();
    let mut selected_row = 0;
    let mut i = 0;
    for part in &c.playbook.parts {
        let settled = part
            .steps
            .iter()
            .filter(|s| c.state_of(&s.id).status.settled())
            .count();
        items.push(ListItem::new(Line::styled(
            format!(
                "{} — {settled}/{}",
                untrusted(&part.title),
                part.steps.len()
            ),
            theme.title(),
        )));
        for s in &part.steps {
            let st = c.state_of(&s.id);
            if i == c.selected {
                selected_row = items.len();
            }
            let style = match st.status {
                Status::Done => theme.ok(),
                Status::Skipped | Status::NotApplicable => theme.dim(),
                _ => theme.plain(),
            };
            let auto = if st.by.as_deref() == Some("check") {
                " ✓check"
            } else {
                ""
            };
            let branch = s
                .when
                .as_deref()
                .map(|w| format!(" (if {})", w.replace('_', " ")))
                .unwrap_or_default();
            items.push(ListItem::new(Line::from(vec![
                Span::styled(format!("  {} ", st.status.mark()), style),
                Span::styled(untrusted(&s.title), style),
                Span::styled(format!("{branch}{auto}"), theme.dim()),
            ])));
            i += 1;
        }
    }
    let list = List::new(items).highlight_style(theme.selected()).block(
        Block::default().borders(Borders::ALL).title(Span::styled(
            " Playbook: space next state · n n/a · S skip · N note · ⏎ action ",
            theme.title(),
        )),
    );
    let mut ls = ListState::default().with_selected(Some(selected_row));
    frame.render_stateful_widget(list, list_area, &mut ls);
    let mut lines = Vec::new();
    if let Some(step) = c.step_at(c.selected) {
        let st = c.state_of(&step.id);
        lines.push(Line::raw(untrusted(&step.guidance)));
        if let Some(check) = step.check {
            let (style, text) = match &st.check {
                Some(Outcome::Pass(d)) => (theme.ok(), format!("passes — {d}")),
                Some(Outcome::Fail(d)) => (theme.error(), format!("fails — {d}")),
                Some(Outcome::Unknown(d)) => (theme.dim(), format!("cannot tell yet — {d}")),
                Some(Outcome::NotApplicable(d)) => (theme.dim(), format!("not applicable — {d}")),
                None => (theme.dim(), "not run yet".to_string()),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("check {}: ", check.name()), theme.dim()),
                Span::styled(untrusted(&text), style),
            ]));
        }
        if let Some(t) = &c.note {
            lines.push(Line::styled(
                format!("note: {}▏", untrusted(t)),
                theme.key(),
            ));
        } else if let Some(n) = &st.note {
            lines.push(Line::raw(format!("note: {}", untrusted(n))));
        }
        if let (Some(by), Some(at)) = (&st.by, &st.at) {
            lines.push(Line::styled(
                format!("last changed by {} at {at}", untrusted(by)),
                theme.dim(),
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL)),
        detail_area,
    );
}

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[
    Action::StepDone,
    Action::Open,
    Action::SwitchPane,
    Action::Help,
    Action::Quit,
];
