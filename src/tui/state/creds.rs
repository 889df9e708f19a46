//! The credentials pane's state: the sections, the filter, the marked keys, and the rows they give.

use super::watches::WatchState;
use crate::model::credentials::{
    AccessKeyFacts, CredentialFacts, InstanceFacts, KeyPairFacts, RoleFacts, UserFacts,
};
use crate::tui::msg::Command;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    #[default]
    Keys,
    Roles,
    KeyPairs,
    Instances,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Keys,
        Section::Roles,
        Section::KeyPairs,
        Section::Instances,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Keys => "Access keys",
            Section::Roles => "Roles",
            Section::KeyPairs => "EC2 key pairs",
            Section::Instances => "Instances",
        }
    }
}

/// Text being typed into the pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `/`: narrows the rows of every section as it is typed.
    Filter,
    /// `m`: an access key id the incident points at (from a ticket, a
    /// finding), marked wherever it shows.
    Mark(String),
}

#[derive(Debug, Default)]
pub struct CredState {
    /// Bumped by every load; answers from older loads are dropped.
    pub generation: u64,
    pub loading: bool,
    pub facts: Option<CredentialFacts>,
    pub section: Section,
    /// Selected row per section (index into the filtered rows).
    pub selected: [usize; 4],
    pub filter: String,
    pub input: Option<Input>,
    /// Access key ids the incident points at.
    pub marked: BTreeSet<String>,
    /// The filter was set by a pivot from the tail (dropped on leaving).
    pub pivoted: bool,
}

/// One row of the current section.
#[derive(Debug, Clone, Copy)]
pub enum CredRow<'a> {
    Key(&'a UserFacts, &'a AccessKeyFacts),
    /// A user with no access keys (still has policies and sessions).
    User(&'a UserFacts),
    Role(&'a RoleFacts),
    KeyPair(&'a KeyPairFacts),
    Instance(&'a InstanceFacts),
}

impl CredState {
    /// The access keys the incident is about: those marked as involved,
    /// and those an action revoked (each has a watch its action started).
    /// A watch started by hand (`W`) on another key is only watching: that
    /// key is not made part of the incident by it.
    pub fn incident_keys(&self, watches: &WatchState) -> std::collections::HashSet<String> {
        let mut keys: std::collections::HashSet<String> = self.marked.iter().cloned().collect();
        keys.extend(watches.rows.iter().filter_map(|r| {
            match (&r.watch.spec.target, by_an_action(&r.watch.spec.started_by)) {
                (crate::model::watch::Target::AccessKey { key_id }, true) => Some(key_id.clone()),
                _ => None,
            }
        }));
        keys
    }

    /// Start a (re)load; the runner answers with `Msg::Credentials`.
    pub fn load(&mut self) -> Vec<Command> {
        self.generation += 1;
        self.loading = true;
        vec![Command::LoadCredentials {
            generation: self.generation,
        }]
    }

    /// The rows of the current section, filtered, marked keys first.
    pub fn rows(&self) -> Vec<CredRow<'_>> {
        let Some(f) = &self.facts else {
            return Vec::new();
        };
        let mut rows: Vec<CredRow> = match self.section {
            Section::Keys => f
                .users
                .known()
                .map(|users| {
                    users
                        .iter()
                        .flat_map(|u| match u.keys.known() {
                            Some(keys) if !keys.is_empty() => {
                                keys.iter().map(|k| CredRow::Key(u, k)).collect()
                            }
                            _ => vec![CredRow::User(u)],
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Section::Roles => f
                .roles
                .known()
                .map(|r| r.iter().map(CredRow::Role).collect())
                .unwrap_or_default(),
            Section::KeyPairs => f
                .key_pairs
                .known()
                .map(|k| k.iter().map(CredRow::KeyPair).collect())
                .unwrap_or_default(),
            Section::Instances => f
                .instances
                .known()
                .map(|i| i.iter().map(CredRow::Instance).collect())
                .unwrap_or_default(),
        };
        let needle = self.filter.to_lowercase();
        if !needle.is_empty() {
            rows.retain(|r| search_text(r).to_lowercase().contains(&needle));
        }
        // Stable: marked keys first, otherwise AWS's order.
        rows.sort_by_key(|r| !matches!(r, CredRow::Key(_, k) if self.marked.contains(&k.key_id)));
        rows
    }

    pub fn selected_row(&self) -> Option<CredRow<'_>> {
        let rows = self.rows();
        let i = self.selected[self.section.index()].min(rows.len().saturating_sub(1));
        rows.get(i).copied()
    }

    /// The error that keeps the current section empty, if any.
    pub fn section_error(&self) -> Option<String> {
        let f = self.facts.as_ref()?;
        let e = match self.section {
            Section::Keys => f.users.error(),
            Section::Roles => f.roles.error(),
            Section::KeyPairs => f.key_pairs.error(),
            Section::Instances => f.instances.error(),
        }?;
        Some(format!("{e}: {}", e.message))
    }

    pub fn count(&self, s: Section) -> Option<usize> {
        let f = self.facts.as_ref()?;
        match s {
            Section::Keys => f
                .users
                .known()
                .map(|u| u.iter().map(|u| u.keys.known().map_or(0, Vec::len)).sum()),
            Section::Roles => f.roles.known().map(Vec::len),
            Section::KeyPairs => f.key_pairs.known().map(Vec::len),
            Section::Instances => f.instances.known().map(Vec::len),
        }
    }
}

fn search_text(r: &CredRow) -> String {
    match r {
        CredRow::Key(u, k) => format!("{} {} {}", u.name, k.key_id, k.status),
        CredRow::User(u) => u.name.clone(),
        CredRow::Role(r) => format!("{} {} {}", r.name, r.arn, r.flags().join(" ")),
        CredRow::KeyPair(k) => format!(
            "{} {} {}",
            k.name,
            k.fingerprint.as_deref().unwrap_or(""),
            k.instances
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        CredRow::Instance(i) => format!(
            "{} {} {} {}",
            i.id,
            i.key_name.as_deref().unwrap_or(""),
            i.instance_profile_arn.as_deref().unwrap_or(""),
            i.region
        ),
    }
}

/// Whether a watch was started by an action (`A12`) rather than by hand.
pub fn by_an_action(started_by: &str) -> bool {
    started_by
        .strip_prefix('A')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}
