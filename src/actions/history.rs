//! The action log, rebuilt from the journal alone: every action of the
//! incident (this session's and earlier ones'), its latest outcome, and
//! whether it can still be undone. The console shows this; because it is
//! derived from the journal, a resumed incident shows the same log.

use serde_json::Value;

use super::{ActionSpec, object_acls};
use crate::incident::Entry;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    pub id: String,
    pub what: String,
    pub target: String,
    /// The latest outcome, one line.
    pub result: String,
    pub ok: bool,
    pub undoable: bool,
    pub bucket: Option<String>,
    /// The lock key of its target.
    pub key: String,
    /// Every journaled step of it, oldest first ("time  summary"): what the
    /// action log's Enter shows, so a failed read-back can be read whole.
    pub detail: Vec<String>,
}

/// The entry's summary without its leading "A12: ".
fn summary(e: &Entry) -> String {
    let s = e.data["summary"].as_str().unwrap_or(&e.kind);
    match s.split_once(": ") {
        Some((id, rest)) if id.starts_with('A') && id[1..].chars().all(|c| c.is_ascii_digit()) => {
            rest.to_string()
        }
        _ => s.to_string(),
    }
}

pub fn from_entries(entries: &[Entry]) -> Vec<ActionRecord> {
    let mut records: Vec<ActionRecord> = Vec::new();
    // Whether each action's plan allows an undo at all.
    let mut can_undo: Vec<bool> = Vec::new();
    for e in entries {
        if e.kind == "action_planned" {
            let Ok(spec) = serde_json::from_value::<ActionSpec>(e.data["spec"].clone()) else {
                continue;
            };
            records.push(ActionRecord {
                id: super::planned_id(e),
                what: spec.name().to_string(),
                target: spec.target(),
                result: "planned".into(),
                ok: true,
                undoable: false,
                bucket: spec.bucket().map(str::to_string),
                key: spec.lock_key(),
                detail: vec![
                    format!("{}  planned: {}", e.time, summary(e)),
                    format!(
                        "  blast radius: {}",
                        e.data["blast_radius"].as_str().unwrap_or("-")
                    ),
                ],
            });
            can_undo.push(e.data["undoable"] != Value::Bool(false));
            continue;
        }
        let Some(id) = e.data["action_id"].as_str() else {
            continue;
        };
        let Some(i) = records.iter().position(|r| r.id == id) else {
            continue;
        };
        let r = &mut records[i];
        r.detail.push(format!("{}  {}", e.time, summary(e)));
        if let Some(failed) = e.data["failed"].as_array().filter(|f| !f.is_empty()) {
            for f in failed.iter().take(20) {
                r.detail.push(format!(
                    "    failed: {} ({})",
                    f["key"].as_str().unwrap_or("?"),
                    f["error"]["code"].as_str().unwrap_or("?")
                ));
            }
        }
        match e.kind.as_str() {
            "action_dry_run" | "action_cancelled" | "action_confirmed" | "undo_started" => {
                r.result = summary(e);
            }
            "action_applied" => {
                r.result = summary(e);
                r.undoable = can_undo[i];
            }
            k if k == object_acls::BATCH_KIND => {
                r.result = summary(e);
                r.undoable = can_undo[i];
            }
            "action_verified" => {
                r.ok = e.data["ok"] == Value::Bool(true);
                r.result = summary(e);
            }
            "action_failed" => {
                r.ok = false;
                r.result = summary(e);
            }
            "action_undone" => {
                let ok = e.data["ok"] == Value::Bool(true);
                r.ok = ok;
                r.result = summary(e);
                r.undoable = false;
            }
            _ => {}
        }
    }
    records
}
