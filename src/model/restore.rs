//! Recovery planning, pure: from a bucket's version listing to what must be
//! done so that every key is as it was at a moment T (point-in-time), as
//! it was before its delete markers (undelete), or as one chosen version.
//!
//! The listing is fed page by page ([`Planner::page`]); a key's history is
//! held only until the listing moves past the key, and only keys that need
//! something are kept, in a compact [`Step`]. So planning a prefix of
//! millions of versions holds one key's versions at a time plus the steps.
//!
//! Nothing planned here deletes an object version: a restore writes a new
//! version (a server-side copy of the old one), removes delete markers, or
//! adds a delete marker. Each of those can itself be undone.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// One entry of a version listing: a version, or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub key: String,
    pub version_id: String,
    pub is_latest: bool,
    pub is_delete_marker: bool,
    /// Seconds since the epoch.
    pub last_modified: i64,
    pub size: u64,
    pub etag: String,
    pub storage_class: String,
}

/// What the restore is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Goal {
    /// Every key as it was at `to`. Keys created after `to` are left alone
    /// unless `hide_newer` (then a removable delete marker hides them all)
    /// or they are among `hide_keys` (the keys an incident principal wrote,
    /// such as a ransom note: only those are hidden).
    PointInTime {
        to: i64,
        hide_newer: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        hide_keys: Vec<String>,
        /// Versions never to restore to: written with SSE-C by an
        /// incident principal (ciphertext only the attacker can read),
        /// whatever their time.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skip_versions: Vec<String>,
    },
    /// Remove the delete markers that hide a key's newest version (only
    /// markers made at or after `since`, when given).
    Undelete { since: Option<i64> },
    /// Make this version of the key current again.
    Version { version_id: String },
    /// Every key as a replication destination (`replica`, this account or
    /// another) held it at `to`: its newest version then is copied back
    /// onto the key here, for keys whose own versions are gone (deleted
    /// for good, expired by a planted rule, rewritten with SSE-C).
    FromReplica {
        replica: String,
        to: i64,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skip_versions: Vec<String>,
    },
}

/// What the key is now, before the restore (what undo goes back to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "is")]
pub enum Current {
    Version { version_id: String, etag: String },
    DeleteMarker { version_id: String },
    Absent,
}

/// What one key needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "do")]
pub enum Work {
    /// Remove these delete markers (newest first): the version under them
    /// becomes current again.
    RemoveMarkers { markers: Vec<String> },
    /// Server-side copy of this version onto the key: a new current version
    /// with the old content.
    CopyFrom {
        version_id: String,
        etag: String,
        storage_class: String,
        /// Another bucket the version is in (a replica); none: this one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_bucket: Option<String>,
    },
    /// Add a delete marker (the key was created after T).
    Hide,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub key: String,
    pub current: Current,
    pub work: Work,
    /// Bytes the step brings back (0 for a hide).
    pub bytes: u64,
}

/// Keys and bytes in one category of the plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub keys: u64,
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, bytes: u64) {
        self.keys += 1;
        self.bytes += bytes;
    }
}

/// A key that cannot be acted on, and why (listed in the plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub key: String,
    pub why: String,
}

/// The plan, compact: the steps, the counts, and the keys held back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestorePlan {
    pub steps: Vec<Step>,
    pub undelete: Tally,
    pub roll_back: Tally,
    pub hide: Tally,
    /// Created after T and left as they are.
    pub created_after: Tally,
    /// Already as they should be: nothing to do.
    pub unchanged: Tally,
    /// In Glacier Flexible Retrieval or Deep Archive: they need a
    /// RestoreObject (hours) before they can be copied.
    pub archived: Tally,
    /// Only delete markers remain: every version was permanently deleted.
    pub not_recoverable: Tally,
    /// The first few archived and unrecoverable keys, by name.
    pub held: Vec<Held>,
    /// Versions and markers read from the listing.
    pub versions_seen: u64,
    /// Versions passed over because the attacker wrote them with SSE-C.
    #[serde(default)]
    pub skipped_sse_c: u64,
    /// Every archived version the restore needs (in this bucket): what
    /// `restore-archived` asks S3 to bring back, and what a later
    /// restore copies once S3 has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub archived_versions: Vec<ArchivedVersion>,
}

/// A version in Glacier Flexible Retrieval or Deep Archive that a restore
/// needs, with the step that copies it once S3 has restored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedVersion {
    pub key: String,
    pub version_id: String,
    pub storage_class: String,
    pub size: u64,
    pub current: Current,
    pub etag: String,
}

impl ArchivedVersion {
    /// The copy that brings it back once restored: written as STANDARD,
    /// so the restored content is readable (a copy in the archive class
    /// would be as unreadable as the original).
    pub fn step(&self) -> Step {
        Step {
            key: self.key.clone(),
            current: self.current.clone(),
            work: Work::CopyFrom {
                version_id: self.version_id.clone(),
                etag: self.etag.clone(),
                storage_class: "STANDARD".into(),
                from_bucket: None,
            },
            bytes: self.size,
        }
    }
}

impl RestorePlan {
    /// Archived versions S3 has restored are copied now: each becomes a
    /// roll-back step, out of the archived count and the held list.
    pub fn take_restored(&mut self, ready: &HashSet<String>) {
        let (now, later): (Vec<ArchivedVersion>, Vec<ArchivedVersion>) =
            std::mem::take(&mut self.archived_versions)
                .into_iter()
                .partition(|a| ready.contains(&a.version_id));
        for a in &now {
            self.archived.keys = self.archived.keys.saturating_sub(1);
            self.archived.bytes = self.archived.bytes.saturating_sub(a.size);
            self.held.retain(|h| h.key != a.key);
            self.roll_back.add(a.size);
            self.steps.push(a.step());
        }
        self.archived_versions = later;
    }
}

/// How many held keys the plan names (the counts cover all of them).
pub const HELD_NAMED: usize = 100;

impl RestorePlan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Requests the steps need: copies one each, marker removals and hides
    /// in `DeleteObjects` batches of up to 1,000.
    pub fn deletes(&self) -> u64 {
        self.steps
            .iter()
            .map(|s| match &s.work {
                Work::RemoveMarkers { markers } => markers.len() as u64,
                Work::Hide => 1,
                Work::CopyFrom { .. } => 0,
            })
            .sum()
    }

    /// A roll back: a copy of `from` (in `from_bucket`, a replica, or this
    /// bucket) onto the key.
    fn roll_back_to(
        &mut self,
        key: String,
        current: Current,
        from: &Version,
        from_bucket: Option<String>,
    ) {
        self.roll_back.add(from.size);
        self.steps.push(Step {
            key,
            current,
            work: Work::CopyFrom {
                version_id: from.version_id.clone(),
                etag: from.etag.clone(),
                storage_class: from.storage_class.clone(),
                from_bucket,
            },
            bytes: from.size,
        });
    }

    fn hold(&mut self, key: &str, why: &str) {
        if self.held.len() < HELD_NAMED {
            self.held.push(Held {
                key: key.to_string(),
                why: why.to_string(),
            });
        }
    }
}

fn archived(storage_class: &str) -> bool {
    matches!(storage_class, "GLACIER" | "DEEP_ARCHIVE")
}

/// Turns listing pages into whole key histories: a key's entries may
/// continue on the next page, so the last key of a page is held back.
#[derive(Debug, Default)]
pub struct Grouper {
    pending: Vec<Version>,
}

impl Grouper {
    /// The keys this page completes, each newest first.
    pub fn page(&mut self, entries: impl IntoIterator<Item = Version>) -> Vec<Vec<Version>> {
        let mut page: Vec<Version> = entries.into_iter().collect();
        // Stable: within a key, keep S3's newest-first order.
        page.sort_by(|a, b| a.key.cmp(&b.key));
        let mut done = Vec::new();
        for v in page {
            if self.pending.first().is_some_and(|p| p.key != v.key) {
                done.push(newest_first(std::mem::take(&mut self.pending)));
            }
            self.pending.push(v);
        }
        done
    }

    /// The last key, once the listing has ended.
    pub fn finish(self) -> Option<Vec<Version>> {
        (!self.pending.is_empty()).then(|| newest_first(self.pending))
    }
}

/// Newest first; S3's `IsLatest` breaks a tie in the same second.
fn newest_first(mut history: Vec<Version>) -> Vec<Version> {
    history.sort_by(|a, b| {
        b.last_modified
            .cmp(&a.last_modified)
            .then(b.is_latest.cmp(&a.is_latest))
    });
    history
}

/// Builds a [`RestorePlan`] from listing pages, one key at a time.
#[derive(Debug)]
pub struct Planner {
    /// The goal, its `hide_keys` moved out into `hide` (the goal is
    /// cloned per key, and the set is looked up per key).
    goal: Goal,
    hide: std::collections::HashSet<String>,
    skip: std::collections::HashSet<String>,
    keys: Grouper,
    plan: RestorePlan,
}

impl Planner {
    pub fn new(mut goal: Goal) -> Self {
        let (hide, skip) = match &mut goal {
            Goal::PointInTime {
                hide_keys,
                skip_versions,
                ..
            } => (
                std::mem::take(hide_keys).into_iter().collect(),
                std::mem::take(skip_versions).into_iter().collect(),
            ),
            _ => Default::default(),
        };
        Planner {
            goal,
            hide,
            skip,
            keys: Grouper::default(),
            plan: RestorePlan::default(),
        }
    }

    /// One page of the listing, in S3's order (by key; versions and
    /// markers may come in separate lists, as ListObjectVersions gives
    /// them).
    pub fn page(&mut self, entries: impl IntoIterator<Item = Version>) {
        let entries: Vec<Version> = entries.into_iter().collect();
        self.plan.versions_seen += entries.len() as u64;
        for history in self.keys.page(entries) {
            self.key(history);
        }
    }

    pub fn finish(mut self) -> RestorePlan {
        let keys = std::mem::take(&mut self.keys);
        if let Some(last) = keys.finish() {
            self.key(last);
        }
        self.plan
    }

    /// Decide one key from its whole history (newest first).
    fn key(&mut self, history: Vec<Version>) {
        let Some(latest) = history.first() else {
            return;
        };
        let key = latest.key.clone();
        let current = if latest.is_delete_marker {
            Current::DeleteMarker {
                version_id: latest.version_id.clone(),
            }
        } else {
            Current::Version {
                version_id: latest.version_id.clone(),
                etag: latest.etag.clone(),
            }
        };
        let newest_data = history.iter().find(|v| !v.is_delete_marker);
        if newest_data.is_none() {
            // Markers only: whatever was there was permanently deleted (or,
            // rarely, a marker was put on a key that never existed).
            self.plan.not_recoverable.add(0);
            self.plan
                .hold(&key, "only delete markers remain: no version to restore");
            return;
        }
        let goal = self.goal.clone();
        match goal {
            // Planned by [`ReplicaPlanner`], from two listings.
            Goal::FromReplica { .. } => {}
            Goal::Undelete { since } => {
                let markers: Vec<&Version> =
                    history.iter().take_while(|v| v.is_delete_marker).collect();
                let under = history.iter().find(|v| !v.is_delete_marker);
                match under {
                    Some(v)
                        if !markers.is_empty()
                            && since
                                .is_none_or(|s| markers.iter().all(|m| m.last_modified >= s)) =>
                    {
                        self.undelete(key, current, &markers, v);
                    }
                    _ => self.plan.unchanged.add(0),
                }
            }
            Goal::Version { version_id } => {
                let Some(v) = history
                    .iter()
                    .find(|v| v.version_id == version_id && !v.is_delete_marker)
                else {
                    self.plan.not_recoverable.add(0);
                    self.plan.hold(&key, "no such version of the key");
                    return;
                };
                if latest.version_id == v.version_id
                    || (!latest.is_delete_marker && latest.etag == v.etag && latest.size == v.size)
                {
                    self.plan.unchanged.add(v.size);
                } else {
                    let v = v.clone();
                    self.copy(key, current, &v);
                }
            }
            Goal::PointInTime { to, hide_newer, .. } => {
                let poisoned = |v: &Version| self.skip.contains(&v.version_id);
                let skipped = history
                    .iter()
                    .filter(|v| v.last_modified <= to && poisoned(v))
                    .count() as u64;
                let at_t = history
                    .iter()
                    .find(|v| v.last_modified <= to && !poisoned(v));
                self.plan.skipped_sse_c += skipped;
                if at_t.is_none() && skipped > 0 {
                    // Every version at or before T is the attacker's
                    // ciphertext: nothing good is left in S3.
                    self.plan.not_recoverable.add(0);
                    self.plan.hold(
                        &key,
                        "every version at or before the time was rewritten with SSE-C by an incident principal: no good version left (backups, replicas)",
                    );
                    return;
                }
                match at_t {
                    // The key existed at T with this content.
                    Some(v) if !v.is_delete_marker => {
                        if !latest.is_delete_marker
                            && latest.etag == v.etag
                            && latest.size == v.size
                        {
                            self.plan.unchanged.add(v.size);
                            return;
                        }
                        let markers: Vec<&Version> =
                            history.iter().take_while(|x| x.is_delete_marker).collect();
                        let under = history.iter().find(|x| !x.is_delete_marker);
                        if !markers.is_empty()
                            && under.is_some_and(|u| u.version_id == v.version_id)
                        {
                            // Deleted since, not changed: removing the
                            // markers brings it back without a copy.
                            let v = v.clone();
                            self.undelete(key, current, &markers, &v);
                        } else {
                            let v = v.clone();
                            self.copy(key, current, &v);
                        }
                    }
                    // Absent at T (deleted before it, or not yet created).
                    _ => {
                        if latest.is_delete_marker {
                            self.plan.unchanged.add(0);
                        } else if hide_newer || self.hide.contains(&key) {
                            self.plan.hide.add(0);
                            self.plan.steps.push(Step {
                                key,
                                current,
                                work: Work::Hide,
                                bytes: 0,
                            });
                        } else {
                            self.plan.created_after.add(latest.size);
                        }
                    }
                }
            }
        }
    }

    fn undelete(&mut self, key: String, current: Current, markers: &[&Version], under: &Version) {
        // Removing the markers works for an archived object too: it is
        // current again, still archived.
        self.plan.undelete.add(under.size);
        self.plan.steps.push(Step {
            key,
            current,
            work: Work::RemoveMarkers {
                markers: markers.iter().map(|m| m.version_id.clone()).collect(),
            },
            bytes: under.size,
        });
    }

    fn copy(&mut self, key: String, current: Current, from: &Version) {
        if archived(&from.storage_class) {
            self.plan.archived.add(from.size);
            self.plan.archived_versions.push(ArchivedVersion {
                key: key.clone(),
                version_id: from.version_id.clone(),
                storage_class: from.storage_class.clone(),
                size: from.size,
                current: current.clone(),
                etag: from.etag.clone(),
            });
            self.plan.hold(
                &key,
                &format!(
                    "the version to restore is in {}: restore-archived asks S3 to bring it back (hours); run the restore again once it has",
                    from.storage_class
                ),
            );
            return;
        }
        self.plan.roll_back_to(key, current, from, None);
    }
}

/// A restore from a replica: the bucket's current state first (only each
/// key's latest entry is kept), then the replica's listing, each key
/// decided once its history there is whole. Keys the replica does not hold
/// at the time are left as they are (and counted).
pub struct ReplicaPlanner {
    replica: String,
    to: i64,
    skip: HashSet<String>,
    now: std::collections::HashMap<String, Version>,
    seen: HashSet<String>,
    keys: Grouper,
    plan: RestorePlan,
}

impl ReplicaPlanner {
    /// None unless the goal is a replica restore.
    pub fn new(goal: &Goal) -> Option<Self> {
        let Goal::FromReplica {
            replica,
            to,
            skip_versions,
        } = goal
        else {
            return None;
        };
        Some(Self {
            replica: replica.clone(),
            to: *to,
            skip: skip_versions.iter().cloned().collect(),
            now: Default::default(),
            seen: Default::default(),
            keys: Grouper::default(),
            plan: RestorePlan::default(),
        })
    }

    /// A page of the bucket being restored.
    pub fn source_page(&mut self, entries: impl IntoIterator<Item = Version>) {
        for v in entries {
            self.plan.versions_seen += 1;
            if v.is_latest {
                self.now.insert(v.key.clone(), v);
            }
        }
    }

    /// A page of the replica's listing.
    pub fn replica_page(&mut self, entries: impl IntoIterator<Item = Version>) {
        let entries: Vec<Version> = entries.into_iter().collect();
        self.plan.versions_seen += entries.len() as u64;
        for history in self.keys.page(entries) {
            self.key(history);
        }
    }

    pub fn finish(mut self) -> RestorePlan {
        let keys = std::mem::take(&mut self.keys);
        if let Some(last) = keys.finish() {
            self.key(last);
        }
        // Keys here the replica never held: nothing to bring back.
        for (key, v) in &self.now {
            if !self.seen.contains(key) && !v.is_delete_marker {
                self.plan.created_after.add(v.size);
            }
        }
        self.plan
    }

    fn key(&mut self, history: Vec<Version>) {
        let Some(key) = history.first().map(|v| v.key.clone()) else {
            return;
        };
        self.seen.insert(key.clone());
        let poisoned = |v: &Version| self.skip.contains(&v.version_id);
        let skipped = history
            .iter()
            .filter(|v| v.last_modified <= self.to && poisoned(v))
            .count() as u64;
        self.plan.skipped_sse_c += skipped;
        let at_t = history
            .iter()
            .find(|v| v.last_modified <= self.to && !poisoned(v));
        let current = match self.now.get(&key) {
            Some(c) if c.is_delete_marker => Current::DeleteMarker {
                version_id: c.version_id.clone(),
            },
            Some(c) => Current::Version {
                version_id: c.version_id.clone(),
                etag: c.etag.clone(),
            },
            None => Current::Absent,
        };
        let Some(v) = at_t.filter(|v| !v.is_delete_marker) else {
            // The replica did not hold it then: left as it is.
            self.plan.unchanged.add(0);
            return;
        };
        let same = self
            .now
            .get(&key)
            .is_some_and(|c| !c.is_delete_marker && c.etag == v.etag && c.size == v.size);
        if same {
            self.plan.unchanged.add(v.size);
            return;
        }
        if archived(&v.storage_class) {
            self.plan.archived.add(v.size);
            self.plan.hold(
                &key,
                &format!(
                    "the replica's version is in {}: it needs RestoreObject there first",
                    v.storage_class
                ),
            );
            return;
        }
        let replica = self.replica.clone();
        self.plan.roll_back_to(key, current, v, Some(replica));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_000_000;

    fn v(key: &str, id: &str, at: i64, etag: &str) -> Version {
        Version {
            key: key.into(),
            version_id: id.into(),
            is_latest: false,
            is_delete_marker: false,
            last_modified: at,
            size: 10,
            etag: etag.into(),
            storage_class: "STANDARD".into(),
        }
    }

    fn marker(key: &str, id: &str, at: i64) -> Version {
        Version {
            is_delete_marker: true,
            size: 0,
            etag: String::new(),
            ..v(key, id, at, "")
        }
    }

    fn latest(mut x: Version) -> Version {
        x.is_latest = true;
        x
    }

    fn plan(goal: Goal, pages: Vec<Vec<Version>>) -> RestorePlan {
        let mut p = Planner::new(goal);
        for page in pages {
            p.page(page);
        }
        p.finish()
    }

    fn pit(hide_newer: bool) -> Goal {
        Goal::PointInTime {
            to: T,
            hide_newer,
            hide_keys: Vec::new(),
            skip_versions: Vec::new(),
        }
    }

    #[test]
    fn point_in_time_sorts_every_kind_of_key() {
        let listing = vec![
            // overwritten after T: roll back to v1
            latest(v("a", "a2", T + 10, "e-a2")),
            v("a", "a1", T - 10, "e-a1"),
            // deleted after T: remove the marker
            latest(marker("b", "bm", T + 5)),
            v("b", "b1", T - 10, "e-b1"),
            // untouched
            latest(v("c", "c1", T - 10, "e-c1")),
            // created after T: left alone
            latest(v("d", "d1", T + 1, "e-d1")),
            // overwritten then deleted after T: copy v1 back
            latest(marker("e", "em", T + 20)),
            v("e", "e2", T + 10, "e-e2"),
            v("e", "e1", T - 10, "e-e1"),
            // rewritten with the same bytes after T: nothing to do
            latest(v("f", "f2", T + 10, "e-f1")),
            v("f", "f1", T - 10, "e-f1"),
            // deleted before T and still deleted
            latest(marker("g", "gm", T - 5)),
            v("g", "g1", T - 10, "e-g1"),
            // every version permanently deleted, a marker left
            latest(marker("h", "hm", T + 5)),
            marker("h", "hm0", T - 50),
        ];
        let p = plan(pit(false), vec![listing]);
        let work: Vec<(&str, &Work)> = p.steps.iter().map(|s| (s.key.as_str(), &s.work)).collect();
        assert_eq!(
            work,
            vec![
                (
                    "a",
                    &Work::CopyFrom {
                        version_id: "a1".into(),
                        etag: "e-a1".into(),
                        storage_class: "STANDARD".into(),
                        from_bucket: None,
                    }
                ),
                (
                    "b",
                    &Work::RemoveMarkers {
                        markers: vec!["bm".into()]
                    }
                ),
                (
                    "e",
                    &Work::CopyFrom {
                        version_id: "e1".into(),
                        etag: "e-e1".into(),
                        storage_class: "STANDARD".into(),
                        from_bucket: None,
                    }
                ),
            ]
        );
        assert_eq!(p.unchanged.keys, 3, "c, f and g");
        assert_eq!(p.created_after.keys, 1);
        assert_eq!(p.not_recoverable.keys, 1);
        assert_eq!(p.held[0].key, "h");
        assert_eq!(p.roll_back, Tally { keys: 2, bytes: 20 });
        assert_eq!(p.undelete.keys, 1);
        assert_eq!(p.versions_seen, 15);
        assert_eq!(
            p.steps[0].current,
            Current::Version {
                version_id: "a2".into(),
                etag: "e-a2".into()
            }
        );
        // With hide_newer, d gets a delete marker instead.
        let p = plan(pit(true), vec![vec![latest(v("d", "d1", T + 1, "e-d1"))]]);
        assert_eq!(p.steps[0].work, Work::Hide);
        assert_eq!(p.hide.keys, 1);
        // Named keys only: the attacker's note is hidden, the
        // application's new key is left.
        let named = Goal::PointInTime {
            to: T,
            hide_newer: false,
            hide_keys: vec!["note".into()],
            skip_versions: Vec::new(),
        };
        let p = plan(
            named,
            vec![vec![
                latest(v("app", "p1", T + 1, "e-p1")),
                latest(v("note", "n1", T + 2, "e-n1")),
            ]],
        );
        assert_eq!(p.steps.len(), 1);
        assert_eq!(
            (p.steps[0].key.as_str(), &p.steps[0].work),
            ("note", &Work::Hide)
        );
        assert_eq!(p.created_after.keys, 1, "app is left");
    }

    #[test]
    fn a_key_split_across_pages_is_decided_once_with_its_whole_history() {
        let one = plan(
            pit(false),
            vec![vec![
                latest(v("a", "a3", T + 20, "e3")),
                v("a", "a2", T + 10, "e2"),
                v("a", "a1", T - 10, "e1"),
            ]],
        );
        let split = plan(
            pit(false),
            vec![
                vec![
                    latest(v("a", "a3", T + 20, "e3")),
                    v("a", "a2", T + 10, "e2"),
                ],
                vec![
                    v("a", "a1", T - 10, "e1"),
                    latest(v("b", "b1", T - 1, "eb")),
                ],
            ],
        );
        assert_eq!(one.steps, split.steps[..1]);
        assert_eq!(split.steps.len(), 1);
        assert_eq!(split.unchanged.keys, 1);
        // Markers listed apart from versions (as ListObjectVersions does)
        // merge into one history.
        let apart = plan(
            pit(false),
            vec![vec![
                v("k", "k1", T - 10, "e1"),
                latest(v("z", "z1", T - 10, "ez")),
                latest(marker("k", "km", T + 3)),
            ]],
        );
        assert_eq!(
            apart.steps[0].work,
            Work::RemoveMarkers {
                markers: vec!["km".into()]
            }
        );
    }

    #[test]
    fn undelete_and_restore_one_version() {
        let listing = || {
            vec![
                latest(marker("a", "am2", T + 9)),
                marker("a", "am1", T + 8),
                v("a", "a1", T - 10, "e1"),
                latest(v("b", "b1", T - 10, "eb")),
            ]
        };
        let p = plan(Goal::Undelete { since: None }, vec![listing()]);
        assert_eq!(
            p.steps[0].work,
            Work::RemoveMarkers {
                markers: vec!["am2".into(), "am1".into()]
            }
        );
        assert_eq!(p.deletes(), 2);
        assert_eq!(p.unchanged.keys, 1);
        // Markers older than the window are not this incident's.
        let p = plan(Goal::Undelete { since: Some(T + 9) }, vec![listing()]);
        assert!(p.is_empty());
        let p = plan(
            Goal::Version {
                version_id: "a1".into(),
            },
            vec![listing()],
        );
        assert!(
            matches!(&p.steps[0].work, Work::CopyFrom { version_id, .. } if version_id == "a1")
        );
    }

    #[test]
    fn archived_versions_are_listed_not_copied() {
        let mut old = v("a", "a1", T - 10, "e1");
        old.storage_class = "DEEP_ARCHIVE".into();
        let p = plan(
            pit(false),
            vec![vec![latest(v("a", "a2", T + 10, "e2")), old]],
        );
        assert!(p.is_empty());
        assert_eq!(p.archived, Tally { keys: 1, bytes: 10 });
        assert!(p.held[0].why.contains("restore-archived"));
        // Kept for restore-archived, and copied (readable) once S3 has it.
        assert_eq!(p.archived_versions.len(), 1);
        let mut p = p;
        p.take_restored(&["a1".to_string()].into_iter().collect());
        assert_eq!(p.archived, Tally::default());
        assert!(p.held.is_empty());
        assert!(matches!(&p.steps[0].work,
            Work::CopyFrom { version_id, storage_class, .. } if version_id == "a1" && storage_class == "STANDARD"));
    }

    /// The attacker rewrote a key with SSE-C before T (the responder's T
    /// was late): the restore goes past it to the good version; a key
    /// whose every version at T is the attacker's is held, not "restored"
    /// to ciphertext.
    #[test]
    fn versions_written_with_sse_c_by_the_attacker_are_never_restored_to() {
        let goal = Goal::PointInTime {
            to: T,
            hide_newer: false,
            hide_keys: Vec::new(),
            skip_versions: vec!["a-ssec".into(), "b-ssec".into()],
        };
        let p = plan(
            goal,
            vec![vec![
                latest(v("a", "a-note", T + 50, "n")),
                v("a", "a-ssec", T - 10, "x"),
                v("a", "a-good", T - 100, "g"),
                latest(v("b", "b-ssec", T - 10, "y")),
            ]],
        );
        assert_eq!(p.skipped_sse_c, 2);
        assert_eq!(p.roll_back.keys, 1);
        assert!(matches!(
            &p.steps[0].work,
            Work::CopyFrom { version_id, .. } if version_id == "a-good"
        ));
        assert_eq!(p.not_recoverable.keys, 1);
        assert!(
            p.held
                .iter()
                .any(|h| h.key == "b" && h.why.contains("SSE-C"))
        );
    }

    /// From a replica: the replica's newest good version at or before T
    /// for each key (an SSE-C one the attacker replicated is passed over),
    /// copied from the replica unless the bucket already reads the same; a
    /// replica version in Glacier is held; keys here the replica never had
    /// are counted and left.
    #[test]
    fn a_replica_restore_picks_the_replicas_version_at_t() {
        let goal = Goal::FromReplica {
            replica: "dr".into(),
            to: T,
            skip_versions: vec!["r-a-bad".into()],
        };
        let mut p = ReplicaPlanner::new(&goal).expect("a replica goal");
        // The bucket now: a.csv rewritten, b.csv gone for good, c.csv as
        // it was, d.csv only here.
        p.source_page(vec![
            latest(v("a.csv", "s-a2", T + 5, "e-bad")),
            latest(v("c.csv", "s-c1", T - 9, "e-c")),
            latest(v("d.csv", "s-d1", T - 9, "e-d")),
        ]);
        let mut archived = v("e.csv", "r-e1", T - 9, "e-e");
        archived.storage_class = "GLACIER".into();
        p.replica_page(vec![
            latest(v("a.csv", "r-a-bad", T - 1, "e-bad")),
            v("a.csv", "r-a1", T - 9, "e-a"),
            latest(v("b.csv", "r-b1", T - 9, "e-b")),
            latest(v("c.csv", "r-c1", T - 9, "e-c")),
            latest(archived),
        ]);
        let plan = p.finish();
        let copies: Vec<(&str, &str, Option<&str>)> = plan
            .steps
            .iter()
            .filter_map(|s| match &s.work {
                Work::CopyFrom {
                    version_id,
                    from_bucket,
                    ..
                } => Some((s.key.as_str(), version_id.as_str(), from_bucket.as_deref())),
                _ => None,
            })
            .collect();
        assert_eq!(
            copies,
            [("a.csv", "r-a1", Some("dr")), ("b.csv", "r-b1", Some("dr"))]
        );
        assert_eq!(plan.steps[1].current, Current::Absent);
        assert_eq!(plan.skipped_sse_c, 1);
        assert_eq!(plan.unchanged.keys, 1, "c.csv reads the same");
        assert_eq!(plan.archived.keys, 1);
        assert!(
            plan.held
                .iter()
                .any(|h| h.key == "e.csv" && h.why.contains("GLACIER"))
        );
        assert_eq!(
            plan.created_after.keys, 1,
            "d.csv: the replica never had it"
        );
        assert!(ReplicaPlanner::new(&Goal::Undelete { since: None }).is_none());
    }
}
