//! The after-action report, built from the incident journal alone (so it
//! can be written on any machine, long after): the timeline, every action
//! with its before/after and who ran it, the watch verdicts, the data
//! restored, the evidence with its hashes and whether the journal verifies,
//! the checklist with its notes, and the post-incident questions as
//! sections to fill in. Markdown for people, JSON for tools.

use serde::Serialize;
use serde_json::Value;

use crate::incident::Entry;
use crate::incident::verify::VerifyReport;
use crate::playbook::Playbook;
use crate::playbook::progress::{self, Status};
use crate::sanitize::clean;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub incident: String,
    pub first_entry: Option<String>,
    pub last_entry: Option<String>,
    /// Who ran warroom on this incident (callers of each session).
    pub responders: Vec<String>,
    pub journal_verified: bool,
    pub journal_problems: Vec<String>,
    pub timeline: Vec<TimelineItem>,
    pub actions: Vec<ActionItem>,
    pub watches: Vec<String>,
    pub restored: Restored,
    pub evidence: Vec<EvidenceItem>,
    pub checklist: Vec<ChecklistItem>,
    pub questions: Vec<&'static str>,
    /// Every Game Day played in this incident, in order, each scored alone.
    pub gamedays: Vec<GameDaySection>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GameDaySection {
    pub scenario: String,
    pub run_id: String,
    pub score: Option<crate::gameday::score::Score>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    pub time: String,
    pub kind: String,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItem {
    pub id: String,
    pub time: String,
    pub action: String,
    pub target: String,
    pub by: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub outcome: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Restored {
    pub keys: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceItem {
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    pub part: String,
    pub step: String,
    pub status: Status,
    pub note: Option<String>,
    pub by: Option<String>,
    pub at: Option<String>,
}

/// The questions the review answers (its sections to fill in).
pub const QUESTIONS: &[&str] = &[
    "What would have helped us respond faster?",
    "What would have detected this sooner?",
    "What would have prevented it?",
    "What would have made the investigation easier?",
];

/// Kinds that belong on the timeline, and the rest are left out as detail.
const TIMELINE: &[&str] = &[
    "session_start",
    "scan_snapshot",
    "trail_preserved",
    "key_marked",
    "action_applied",
    "action_verified",
    "action_failed",
    "action_cancelled",
    "action_undone",
    "watch_started",
    "watch_use",
    "watch_last_used",
    "watch_verdict",
    progress::STEP,
    crate::gameday::attacker::kind::STARTED,
    crate::gameday::attacker::kind::CONTAINED,
    crate::gameday::attacker::kind::SCORE,
];

fn summary(e: &Entry) -> String {
    e.data["summary"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind.clone())
}

/// Every evidence reference anywhere in an entry's data.
fn evidence_in(v: &Value, out: &mut Vec<(String, String, u64)>) {
    match v {
        Value::Object(map) => {
            if let (Some(sha), Some(file)) = (
                map.get("evidence_sha256").and_then(Value::as_str),
                map.get("file").and_then(Value::as_str),
            ) {
                out.push((
                    file.to_string(),
                    sha.to_string(),
                    map.get("bytes").and_then(Value::as_u64).unwrap_or(0),
                ));
            }
            for x in map.values() {
                evidence_in(x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| evidence_in(x, out)),
        _ => {}
    }
}

pub fn build(dir: &str, verified: &VerifyReport, playbook: &Playbook) -> Report {
    let entries = &verified.entries;
    // The caller of the session each entry was written in.
    let mut caller = String::from("?");
    let mut by_seq = std::collections::HashMap::new();
    let mut responders = Vec::new();
    for e in entries {
        if e.kind == "session_start" {
            caller = e.data["caller"]["arn"].as_str().unwrap_or("?").to_string();
            if !responders.contains(&caller) {
                responders.push(caller.clone());
            }
        }
        by_seq.insert(e.seq, caller.clone());
    }
    let outcome_of = |id: &str| -> String {
        let mut last = "planned".to_string();
        for e in entries.iter().filter(|e| e.data["action_id"] == id) {
            last = match e.kind.as_str() {
                "action_verified" if e.data["ok"] == true => "applied and verified".into(),
                "action_verified" => "applied, NOT verified".into(),
                "action_failed" => format!("failed: {}", summary(e)),
                "action_cancelled" => "not confirmed".into(),
                "action_dry_run" => "dry run".into(),
                "action_undone" => "undone".into(),
                _ => continue,
            };
        }
        last
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let actions = entries
        .iter()
        .filter(|e| e.kind == "action_planned")
        .map(|e| {
            let id = crate::actions::planned_id(e);
            ActionItem {
                outcome: outcome_of(&id),
                time: e.time.clone(),
                action: e.data["spec"]["action"].as_str().unwrap_or("?").to_string(),
                target: summary(e),
                by: by_seq.get(&e.seq).cloned().unwrap_or_default(),
                before: strings(&e.data["before"]),
                after: strings(&e.data["after"]),
                id,
            }
        })
        .collect();
    let mut restored = Restored::default();
    for e in entries
        .iter()
        .filter(|e| e.kind == "action_batch" && e.data["phase"] == "done")
    {
        if let Some(did) = e.data["did"].as_array() {
            restored.keys += did.len() as u64;
            restored.bytes += e.data["bytes"].as_u64().unwrap_or(0);
        }
    }
    let mut evidence = Vec::new();
    for e in entries {
        let mut found = Vec::new();
        evidence_in(&e.data, &mut found);
        for (file, sha256, bytes) in found {
            if !evidence.iter().any(|x: &EvidenceItem| x.sha256 == sha256) {
                evidence.push(EvidenceItem {
                    file,
                    sha256,
                    bytes,
                    recorded_by: format!("{} ({})", e.kind, e.time),
                });
            }
        }
    }
    let steps = progress::replay(entries);
    let checklist = playbook
        .steps()
        .map(|(part, s)| {
            let st = steps.get(&s.id).cloned().unwrap_or_default();
            ChecklistItem {
                part: part.title.clone(),
                step: s.title.clone(),
                status: st.status,
                note: st.note,
                by: st.by,
                at: st.at,
            }
        })
        .collect();
    Report {
        incident: dir.to_string(),
        first_entry: entries.first().map(|e| e.time.clone()),
        last_entry: entries.last().map(|e| e.time.clone()),
        responders,
        journal_verified: verified.ok(),
        journal_problems: verified.problems.clone(),
        timeline: entries
            .iter()
            .filter(|e| TIMELINE.contains(&e.kind.as_str()))
            .filter(|e| {
                e.kind != progress::STEP || e.data["by"] != "check" || e.data["status"] == "done"
            })
            .map(|e| TimelineItem {
                time: e.time.clone(),
                kind: e.kind.clone(),
                what: summary(e),
            })
            .collect(),
        actions,
        watches: entries
            .iter()
            .filter(|e| e.kind == "watch_verdict")
            .map(summary)
            .collect(),
        restored,
        evidence,
        checklist,
        questions: QUESTIONS.to_vec(),
        gamedays: gameday_sections(entries),
    }
}

/// Every Game Day recorded, each with its own score if it was scored: a
/// game runs from its start to the next game's start.
fn gameday_sections(entries: &[Entry]) -> Vec<GameDaySection> {
    use crate::gameday::attacker::kind;
    let starts: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == kind::STARTED)
        .map(|(i, _)| i)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| {
            let end = starts.get(n + 1).copied().unwrap_or(entries.len());
            let score = entries[start..end]
                .iter()
                .rev()
                .find(|e| e.kind == kind::SCORE)
                .and_then(|e| serde_json::from_value(e.data["score"].clone()).ok());
            let data = &entries[start].data;
            GameDaySection {
                scenario: data["scenario"].as_str().unwrap_or("?").to_string(),
                run_id: data["run_id"].as_str().unwrap_or("?").to_string(),
                score,
            }
        })
        .collect()
}

/// Markdown: readable as plain text in a terminal, and rendered.
pub fn markdown(r: &Report) -> String {
    let c = |s: &str| clean(s).replace('|', "\\|");
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("# After-action report: {}", c(&r.incident)));
    line(String::new());
    line(format!(
        "- Recorded from {} to {}",
        r.first_entry.as_deref().unwrap_or("?"),
        r.last_entry.as_deref().unwrap_or("?")
    ));
    line(format!(
        "- Responders: {}",
        r.responders
            .iter()
            .map(|x| c(x))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "- Journal: {}",
        if r.journal_verified {
            "verified (hash chain and every evidence file intact)".to_string()
        } else {
            format!(
                "DOES NOT VERIFY — {}",
                r.journal_problems
                    .iter()
                    .map(|p| c(p))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
    ));
    line(format!(
        "- Data restored: {} key(s), {} bytes",
        r.restored.keys, r.restored.bytes
    ));
    for g in &r.gamedays {
        line(String::new());
        line(format!(
            "## Game Day: {} (run {})",
            c(&g.scenario),
            c(&g.run_id)
        ));
        line(String::new());
        match &g.score {
            Some(score) => {
                line("```".into());
                for l in score.lines() {
                    line(c(&l));
                }
                line("```".into());
            }
            None => line("Not scored (the game did not finish).".into()),
        }
    }
    line(String::new());
    line("## Timeline".into());
    line(String::new());
    for t in &r.timeline {
        line(format!("- `{}` {}", t.time, c(&t.what)));
    }
    line(String::new());
    line("## Actions".into());
    line(String::new());
    if r.actions.is_empty() {
        line("None.".into());
    } else {
        line("| id | when | action | by | outcome |".into());
        line("|---|---|---|---|---|".into());
        for a in &r.actions {
            line(format!(
                "| {} | {} | {} | {} | {} |",
                a.id,
                a.time,
                c(&a.target),
                c(&a.by),
                c(&a.outcome)
            ));
        }
        line(String::new());
        for a in r
            .actions
            .iter()
            .filter(|a| !a.before.is_empty() || !a.after.is_empty())
        {
            line(format!("**{}** {}", a.id, c(&a.action)));
            for b in &a.before {
                line(format!("- before: {}", c(b)));
            }
            for x in &a.after {
                line(format!("- after: {}", c(x)));
            }
            line(String::new());
        }
    }
    line("## Credential watches".into());
    line(String::new());
    if r.watches.is_empty() {
        line("None.".into());
    }
    for w in &r.watches {
        line(format!("- {}", c(w)));
    }
    line(String::new());
    line("## Evidence".into());
    line(String::new());
    line("| file | bytes | sha256 | recorded by |".into());
    line("|---|---:|---|---|".into());
    for e in &r.evidence {
        line(format!(
            "| {} | {} | `{}` | {} |",
            c(&e.file),
            e.bytes,
            e.sha256,
            c(&e.recorded_by)
        ));
    }
    line(String::new());
    line("## Checklist".into());
    line(String::new());
    line(
        "`[x]` done · `[~]` in progress · `[-]` skipped · `n/a` not applicable · `[ ]` not started"
            .into(),
    );
    line(String::new());
    let mut part = String::new();
    for s in &r.checklist {
        if s.part != part {
            part = s.part.clone();
            line(format!("### {}", c(&part)));
            line(String::new());
        }
        let who = match (&s.by, &s.at) {
            (Some(by), Some(at)) => format!(" — {} at {at}", c(by)),
            _ => String::new(),
        };
        line(format!("- {} {}{who}", s.status.mark(), c(&s.step)));
        if let Some(n) = &s.note {
            line(format!("  - note: {}", c(n)));
        }
    }
    line(String::new());
    line("## Review".into());
    for q in &r.questions {
        line(String::new());
        line(format!("### {q}"));
        line(String::new());
        line("_(to fill in)_".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(seq: u64, kind: &str, data: Value) -> Entry {
        Entry {
            seq,
            time: format!("2026-11-28T10:{seq:02}:00Z"),
            prev: String::new(),
            kind: kind.into(),
            data,
            hash: String::new(),
        }
    }

    #[test]
    fn the_report_tells_the_incident_from_the_journal() {
        let sha = "ab".repeat(32);
        let entries = vec![
            entry(
                1,
                "session_start",
                json!({"summary": "console started", "caller": {"arn": "arn:aws:iam::1:user/ana"}}),
            ),
            entry(
                2,
                "action_planned",
                json!({"summary": "block-public-access on s3://b: block it", "spec": {"action": "block-public-access", "bucket": "b"}, "before": ["BlockPublicAcls: off"], "after": ["BlockPublicAcls: on"], "prior_evidence": {"evidence_sha256": sha, "file": format!("evidence/{sha}.json"), "bytes": 10}}),
            ),
            entry(
                3,
                "action_applied",
                json!({"summary": "A2: applied", "action_id": "A2"}),
            ),
            entry(
                4,
                "action_verified",
                json!({"summary": "A2: ok", "action_id": "A2", "ok": true}),
            ),
            entry(
                5,
                "watch_verdict",
                json!({"summary": "W1: CLEAN — 0 succeeded"}),
            ),
            entry(
                6,
                "checklist_step",
                json!({"step": "owner", "status": "not_applicable", "by": "arn:aws:iam::1:user/ana", "note": "our bucket|yes"}),
            ),
            entry(
                7,
                "action_batch",
                json!({"phase": "done", "did": [{}, {}], "bytes": 300}),
            ),
        ];
        let v = VerifyReport {
            entries,
            problems: Vec::new(),
            warnings: Vec::new(),
            evidence_files: 1,
            complete_len: 0,
            torn_tail: None,
            last_line_hash: None,
        };
        let pb = Playbook::builtin().expect("playbook");
        let r = build("ir-42", &v, &pb);
        assert_eq!(r.actions.len(), 1);
        assert_eq!(r.actions[0].id, "A2");
        assert_eq!(r.actions[0].outcome, "applied and verified");
        assert_eq!(r.actions[0].by, "arn:aws:iam::1:user/ana");
        assert_eq!(r.evidence.len(), 1);
        assert_eq!(r.restored.keys, 2);
        let md = markdown(&r);
        assert!(md.contains("| A2 | 2026-11-28T10:02:00Z | block-public-access on s3://b: block it | arn:aws:iam::1:user/ana | applied and verified |"), "{md}");
        assert!(md.contains("- before: BlockPublicAcls: off"));
        assert!(md.contains("W1: CLEAN"));
        assert!(md.contains(&format!("`{sha}`")));
        assert!(md.contains("n/a Reach the bucket's owner"));
        assert!(md.contains("`[~]` in progress"), "the marks are explained");
        assert!(
            md.contains("note: our bucket\\|yes"),
            "a | in a note cannot break a table"
        );
        assert!(md.contains("### What would have detected this sooner?"));
        assert!(md.contains("Journal: verified"));
    }
}
