//! The checklist's state: the playbook, each step's progress, the note being typed.

use crate::playbook::progress::StepState;
use crate::playbook::{Playbook, Step};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug)]
pub struct ChecklistState {
    pub playbook: Playbook,
    pub steps: BTreeMap<String, StepState>,
    /// Index into the playbook's steps, in order.
    pub selected: usize,
    /// A note being typed for the selected step.
    pub note: Option<String>,
    /// Every bucket seen public or shared in this session: the incident's
    /// buckets, still checked after they are fixed.
    pub incident_buckets: BTreeSet<String>,
    pub evidence_preserved: bool,
    /// The journal has been replayed: checks may tick steps from now on.
    pub loaded: bool,
}

impl Default for ChecklistState {
    fn default() -> Self {
        Self::new(Playbook::builtin().unwrap_or(Playbook { parts: Vec::new() }))
    }
}

impl ChecklistState {
    pub fn new(playbook: Playbook) -> Self {
        ChecklistState {
            playbook,
            steps: BTreeMap::new(),
            selected: 0,
            note: None,
            incident_buckets: BTreeSet::new(),
            evidence_preserved: false,
            loaded: false,
        }
    }

    pub fn step_at(&self, i: usize) -> Option<&Step> {
        self.playbook.steps().nth(i).map(|(_, s)| s)
    }

    pub fn state_of(&self, id: &str) -> StepState {
        self.steps.get(id).cloned().unwrap_or_default()
    }
}
