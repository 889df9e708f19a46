//! Where each step stands, kept in the incident journal: a
//! `checklist_step` entry each time a step changes (by the responder, or
//! by its check), a `checklist_check` entry each time a check's result
//! changes (the evidence for an automatic tick). Replaying the journal
//! gives the same checklist after a restart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checks::Outcome;
use crate::incident::Entry;

pub const STEP: &str = "checklist_step";
pub const CHECK: &str = "checklist_check";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Todo,
    InProgress,
    Done,
    Skipped,
    NotApplicable,
}

impl Status {
    pub fn mark(self) -> &'static str {
        match self {
            Status::Todo => "[ ]",
            Status::InProgress => "[~]",
            Status::Done => "[x]",
            Status::Skipped => "[-]",
            Status::NotApplicable => "n/a",
        }
    }

    /// The words a person reads: the status line, the journal's summary and
    /// so the after-action report's timeline (never the Rust name).
    pub fn label(self) -> &'static str {
        match self {
            Status::Todo => "to do",
            Status::InProgress => "in progress",
            Status::Done => "done",
            Status::Skipped => "skipped",
            Status::NotApplicable => "not applicable",
        }
    }

    /// Counts as finished for a part's progress.
    pub fn settled(self) -> bool {
        matches!(self, Status::Done | Status::Skipped | Status::NotApplicable)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepState {
    pub status: Status,
    pub note: Option<String>,
    /// Who changed it last ("check" for an automatic tick) and when.
    pub by: Option<String>,
    pub at: Option<String>,
    /// The check's last result.
    pub check: Option<Outcome>,
}

/// Every step's state, as the journal says.
pub fn replay(entries: &[Entry]) -> BTreeMap<String, StepState> {
    let mut steps: BTreeMap<String, StepState> = BTreeMap::new();
    for e in entries {
        let Some(id) = e.data["step"].as_str() else {
            continue;
        };
        match e.kind.as_str() {
            STEP => {
                let s = steps.entry(id.to_string()).or_default();
                if let Ok(status) = serde_json::from_value(e.data["status"].clone()) {
                    s.status = status;
                }
                if let Some(note) = e.data["note"].as_str() {
                    s.note = Some(note.to_string());
                }
                s.by = e.data["by"].as_str().map(str::to_string);
                s.at = Some(e.time.clone());
            }
            CHECK => {
                if let Ok(o) = serde_json::from_value(e.data["outcome"].clone()) {
                    steps.entry(id.to_string()).or_default().check = Some(o);
                }
            }
            _ => {}
        }
    }
    steps
}

/// What a new check result does to a step. `None`: no change.
/// - ticked when it passes (unless the responder settled it another way);
/// - un-ticked whenever it fails: on a regression (someone re-opened the
///   bucket), and on resume, when the journal's last word was a tick but
///   the state read now fails: a ticked step is a promise that holds;
/// - marked not applicable, with the reason, when the check passes only
///   vacuously (no instances to require IMDSv2 on): "done" would claim
///   work that was not done. A step the check marked so follows the check
///   again if the facts change.
pub fn auto_status(step: &StepState, outcome: &Outcome) -> Option<Status> {
    let by_check = step.by.as_deref() == Some("check");
    match (outcome, step.status) {
        (Outcome::Pass(_), Status::Todo | Status::InProgress) => Some(Status::Done),
        (Outcome::Pass(_), Status::NotApplicable) if by_check => Some(Status::Done),
        (Outcome::Fail(_), Status::Done) => Some(Status::InProgress),
        (Outcome::Fail(_), Status::NotApplicable) if by_check => Some(Status::InProgress),
        (Outcome::NotApplicable(_), Status::Todo | Status::InProgress) => {
            Some(Status::NotApplicable)
        }
        (Outcome::NotApplicable(_), Status::Done) if by_check => Some(Status::NotApplicable),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(seq: u64, kind: &str, data: serde_json::Value) -> Entry {
        Entry {
            seq,
            time: format!("2026-11-28T10:00:{seq:02}Z"),
            prev: String::new(),
            kind: kind.into(),
            data,
            hash: String::new(),
        }
    }

    #[test]
    fn ticks_untick_on_regression_and_respect_the_responder() {
        let pass = Outcome::Pass("ok".into());
        let fail = Outcome::Fail("bucket a".into());
        let fresh = StepState::default();
        assert_eq!(auto_status(&fresh, &pass), Some(Status::Done));
        assert_eq!(auto_status(&fresh, &fail), None);
        let ticked = StepState {
            status: Status::Done,
            check: Some(pass.clone()),
            ..Default::default()
        };
        assert_eq!(auto_status(&ticked, &fail), Some(Status::InProgress));
        assert_eq!(auto_status(&ticked, &pass), None);
        // On resume the last recorded result may be "cannot tell yet"
        // (the scan had not finished): a failure still un-ticks.
        let resumed = StepState {
            status: Status::Done,
            check: Some(Outcome::Unknown("scan running".into())),
            ..Default::default()
        };
        assert_eq!(auto_status(&resumed, &fail), Some(Status::InProgress));
        // Vacuous: not applicable, and back to the check's word later.
        let vacuous = Outcome::NotApplicable("no instances".into());
        assert_eq!(auto_status(&fresh, &vacuous), Some(Status::NotApplicable));
        let na_by_check = StepState {
            status: Status::NotApplicable,
            by: Some("check".into()),
            ..Default::default()
        };
        assert_eq!(auto_status(&na_by_check, &fail), Some(Status::InProgress));
        let na = StepState {
            status: Status::NotApplicable,
            ..Default::default()
        };
        assert_eq!(auto_status(&na, &pass), None);
    }

    #[test]
    fn the_journal_replays_into_the_same_checklist() {
        let entries = vec![
            entry(
                1,
                STEP,
                json!({"step": "scan", "status": "in_progress", "by": "ana"}),
            ),
            entry(
                2,
                CHECK,
                json!({"step": "scan", "outcome": {"result": "pass", "detail": "scanned"}}),
            ),
            entry(
                3,
                STEP,
                json!({"step": "scan", "status": "done", "by": "check"}),
            ),
            entry(
                4,
                STEP,
                json!({"step": "owner", "status": "not_applicable", "by": "ana", "note": "our bucket"}),
            ),
            entry(5, "session_start", json!({})),
        ];
        let s = replay(&entries);
        assert_eq!(s["scan"].status, Status::Done);
        assert_eq!(s["scan"].by.as_deref(), Some("check"));
        assert_eq!(s["scan"].check, Some(Outcome::Pass("scanned".into())));
        assert_eq!(s["owner"].status, Status::NotApplicable);
        assert_eq!(s["owner"].note.as_deref(), Some("our bucket"));
        assert_eq!(s["owner"].at.as_deref(), Some("2026-11-28T10:00:04Z"));
    }
}
