//! Lifecycle rules: what S3 will delete on its own, and when.
//!
//! A rule planted by an attacker ("Codefinger", January 2025: SSE-C
//! rewrite, then a rule expiring everything within days) turns the
//! versions a restore needs into a countdown. This module holds the rules
//! as S3 returns them (every element, so undo writes back exactly what
//! was there) and the arithmetic of that countdown, as the S3 User Guide
//! states it: an object expires `Days` after its creation, a noncurrent
//! version `NoncurrentDays` after its successor was written — each
//! rounded up to the next midnight UTC — and a `NewerNoncurrentVersions`
//! count keeps that many newer noncurrent versions out of reach.
//!
//! Pure: rules and times in, deadlines out.

use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// One lifecycle rule, with every element S3 takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub enabled: bool,
    /// The top-level `Prefix` of rules written before `Filter` existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<RuleFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Expiration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noncurrent_transitions: Vec<NoncurrentTransition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_expiration: Option<NoncurrentExpiration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_incomplete_days: Option<i32>,
}

/// A rule's filter: one condition, or several under `and`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_greater_than: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_less_than: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub and: Option<AndFilter>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AndFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_greater_than: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_less_than: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    /// Seconds since the epoch (S3 takes a midnight UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_object_delete_marker: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentTransition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentExpiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i32>,
}

/// The next midnight UTC at or after `t`: S3 rounds every lifecycle time up
/// to it.
fn midnight_after(t: i64) -> i64 {
    t.div_euclid(DAY) * DAY + if t.rem_euclid(DAY) == 0 { 0 } else { DAY }
}

impl LifecycleRule {
    /// The rule's name for the responder.
    pub fn label(&self) -> String {
        match self.id.as_deref() {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => "(rule without an ID)".into(),
        }
    }

    /// The key prefix the rule is limited to ("" is the whole bucket).
    pub fn prefix(&self) -> &str {
        if let Some(f) = &self.filter {
            if let Some(a) = &f.and {
                return a.prefix.as_deref().unwrap_or("");
            }
            return f.prefix.as_deref().unwrap_or("");
        }
        self.legacy_prefix.as_deref().unwrap_or("")
    }

    /// Whether the rule narrows by tag or size too: then a key under its
    /// prefix may or may not be in it, and the deadline counts it as if it
    /// were (the soonest it could be).
    pub fn narrows_beyond_prefix(&self) -> bool {
        self.filter.as_ref().is_some_and(|f| {
            f.tag.is_some()
                || f.size_greater_than.is_some()
                || f.size_less_than.is_some()
                || f.and.as_ref().is_some_and(|a| {
                    !a.tags.is_empty()
                        || a.size_greater_than.is_some()
                        || a.size_less_than.is_some()
                })
        })
    }

    /// Whether the rule may apply to `key`.
    pub fn may_apply_to(&self, key: &str) -> bool {
        self.enabled && key.starts_with(self.prefix())
    }

    /// Whether the rule deletes anything: objects, noncurrent versions.
    pub fn deletes(&self) -> bool {
        self.expiration
            .as_ref()
            .is_some_and(|e| e.days.is_some() || e.date.is_some())
            || self
                .noncurrent_expiration
                .as_ref()
                .is_some_and(|n| n.noncurrent_days.is_some())
    }

    /// When a noncurrent version of a key the rule covers is deleted for
    /// good: `NoncurrentDays` after its successor was written
    /// (`noncurrent_since`), rounded up to midnight UTC — unless fewer
    /// than `NewerNoncurrentVersions` newer noncurrent versions exist
    /// (`newer_noncurrent`), which keep it.
    pub fn noncurrent_expiry(&self, noncurrent_since: i64, newer_noncurrent: usize) -> Option<i64> {
        if !self.enabled {
            return None;
        }
        let n = self.noncurrent_expiration.as_ref()?;
        let days = i64::from(n.noncurrent_days?);
        if let Some(keep) = n.newer_noncurrent_versions
            && newer_noncurrent < usize::try_from(keep).unwrap_or(0)
        {
            return None;
        }
        Some(midnight_after(noncurrent_since + days * DAY))
    }

    /// When the current version of an object created at `created` expires:
    /// `Days` after creation rounded up to midnight UTC, or on `Date`. In a
    /// versioned bucket that only adds a delete marker; in an unversioned
    /// one the object is gone.
    pub fn current_expiry(&self, created: i64) -> Option<i64> {
        if !self.enabled {
            return None;
        }
        let e = self.expiration.as_ref()?;
        match (e.days, e.date) {
            (Some(d), _) => Some(midnight_after(created + i64::from(d) * DAY)),
            (None, Some(date)) => Some(midnight_after(created.max(date))),
            _ => None,
        }
    }

    /// One line: what the rule does, in the responder's words.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(e) = &self.expiration {
            if let Some(d) = e.days {
                parts.push(format!("objects expire after {d} d"));
            }
            if let Some(t) = e.date {
                parts.push(format!(
                    "objects expire on {}",
                    &crate::time::iso_time(t)[..10]
                ));
            }
            if e.expired_object_delete_marker == Some(true) {
                parts.push("lone delete markers removed".into());
            }
        }
        if let Some(n) = &self.noncurrent_expiration
            && let Some(d) = n.noncurrent_days
        {
            parts.push(match n.newer_noncurrent_versions {
                Some(k) => {
                    format!("old versions deleted {d} d after replaced, beyond the newest {k}")
                }
                None => format!("old versions deleted {d} d after replaced"),
            });
        }
        for t in &self.transitions {
            parts.push(format!(
                "to {} after {}",
                t.storage_class.as_deref().unwrap_or("?"),
                t.days
                    .map(|d| format!("{d} d"))
                    .unwrap_or_else(|| "a date".into())
            ));
        }
        for t in &self.noncurrent_transitions {
            parts.push(format!(
                "old versions to {} after {} d",
                t.storage_class.as_deref().unwrap_or("?"),
                t.noncurrent_days.unwrap_or(0)
            ));
        }
        if let Some(d) = self.abort_incomplete_days {
            parts.push(format!("unfinished uploads aborted after {d} d"));
        }
        if parts.is_empty() {
            parts.push("no action".into());
        }
        let scope = match self.prefix() {
            "" => "all keys".to_string(),
            p => format!("keys under {p}"),
        };
        let narrowed = if self.narrows_beyond_prefix() {
            " (also by tag or size)"
        } else {
            ""
        };
        format!(
            "{}{}: {scope}{narrowed}: {}",
            self.label(),
            if self.enabled { "" } else { " (disabled)" },
            parts.join(", ")
        )
    }
}

/// The soonest moment S3 deletes, for good, something the restore needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Seconds since the epoch.
    pub at: i64,
    /// The rule that deletes it.
    pub rule: String,
    /// The key, when a version listing said which.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl Deadline {
    /// "5d 3h left" / "23h 10m left" / "PASSED".
    pub fn countdown(&self, now: i64) -> String {
        let left = self.at - now;
        if left <= 0 {
            return "PASSED".into();
        }
        let (d, h, m) = (left / DAY, (left % DAY) / 3600, (left % 3600) / 60);
        if d > 0 {
            format!("{d}d {h}h left")
        } else {
            format!("{h}h {m}m left")
        }
    }
}

/// A version the restore needs: the key, when it became noncurrent (its
/// successor's time) and how many noncurrent versions are newer than it.
#[derive(Debug, Clone, Copy)]
pub struct Needed<'a> {
    pub key: &'a str,
    pub noncurrent_since: i64,
    pub newer_noncurrent: usize,
}

fn soonest(a: Option<Deadline>, b: Deadline) -> Option<Deadline> {
    match a {
        Some(a) if a.at <= b.at => Some(a),
        _ => Some(b),
    }
}

/// From a version listing: the soonest any needed version is deleted.
pub fn restore_deadline<'a>(
    rules: &[LifecycleRule],
    needed: impl IntoIterator<Item = Needed<'a>>,
) -> Option<Deadline> {
    let mut best = None;
    for n in needed {
        for r in rules.iter().filter(|r| r.may_apply_to(n.key)) {
            if let Some(at) = r.noncurrent_expiry(n.noncurrent_since, n.newer_noncurrent) {
                best = soonest(
                    best,
                    Deadline {
                        at,
                        rule: r.label(),
                        key: Some(n.key.to_string()),
                    },
                );
            }
        }
    }
    best
}

/// Without a listing: the soonest a version that became noncurrent at or
/// after `since` (the incident window's start: the attacker's overwrites
/// come after it) can be deleted, by any enabled rule, whatever its
/// prefix, as if every newer-noncurrent count were already exceeded. For
/// an unversioned bucket (`versioned` false) the objects themselves go:
/// the soonest current-version expiry of an object written at `since`.
pub fn bucket_deadline(rules: &[LifecycleRule], since: i64, versioned: bool) -> Option<Deadline> {
    let mut best = None;
    for r in rules.iter().filter(|r| r.enabled) {
        let at = if versioned {
            r.noncurrent_expiration
                .as_ref()
                .and_then(|n| n.noncurrent_days)
                .map(|d| midnight_after(since + i64::from(d) * DAY))
        } else {
            r.current_expiry(since)
        };
        if let Some(at) = at {
            best = soonest(
                best,
                Deadline {
                    at,
                    rule: r.label(),
                    key: None,
                },
            );
        }
    }
    best
}

/// The version of a key the restore to `to` needs, from its history
/// (newest first, as a version listing gives it): the newest version at or
/// before `to`, if it is no longer current — the entry before it in the
/// history replaced it, and those newer noncurrent entries are counted.
pub fn needed_of(history: &[super::restore::Version], to: i64) -> Option<Needed<'_>> {
    let idx = history
        .iter()
        .position(|v| !v.is_delete_marker && v.last_modified <= to)?;
    let successor = history.get(idx.checked_sub(1)?)?;
    Some(Needed {
        key: &history[idx].key,
        noncurrent_since: successor.last_modified,
        newer_noncurrent: idx - 1,
    })
}

/// The rules that are in `now` and were written by the attacker: their ID
/// is among `planted_ids` (from the records of the window's lifecycle
/// writes). A rule without an ID cannot be named and is never "planted".
pub fn planted<'a>(now: &'a [LifecycleRule], planted_ids: &[String]) -> Vec<&'a LifecycleRule> {
    now.iter()
        .filter(|r| r.id.as_ref().is_some_and(|id| planted_ids.contains(id)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_time;

    fn t(s: &str) -> i64 {
        parse_time(s).expect("a test time")
    }

    /// The User Guide's example: a noncurrent-version rule of 30 days.
    fn noncurrent(days: i32, keep: Option<i32>) -> LifecycleRule {
        LifecycleRule {
            id: Some("nc".into()),
            enabled: true,
            filter: Some(RuleFilter {
                prefix: Some("exports/".into()),
                ..Default::default()
            }),
            noncurrent_expiration: Some(NoncurrentExpiration {
                noncurrent_days: Some(days),
                newer_noncurrent_versions: keep,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_noncurrent_version_goes_its_days_after_its_successor_at_the_next_midnight() {
        let r = noncurrent(1, None);
        // Replaced at 10:30 on the 2nd: deleted at midnight starting the 4th.
        assert_eq!(
            r.noncurrent_expiry(t("2026-12-02T10:30:00Z"), 0),
            Some(t("2026-12-04T00:00:00Z"))
        );
        // Exactly at midnight: no rounding.
        assert_eq!(
            r.noncurrent_expiry(t("2026-12-02T00:00:00Z"), 0),
            Some(t("2026-12-03T00:00:00Z"))
        );
    }

    /// AWS's own worked example (re:Post, S3 lifecycle): a version made
    /// noncurrent on 2 January 2020 at 11:30 UTC by a one-day rule is
    /// marked for deletion on 4 January at 00:00 UTC.
    #[test]
    fn the_worked_example_aws_gives() {
        let r = noncurrent(1, None);
        assert_eq!(
            r.noncurrent_expiry(t("2020-01-02T11:30:00Z"), 0),
            Some(t("2020-01-04T00:00:00Z"))
        );
    }

    #[test]
    fn newer_noncurrent_versions_keep_a_version_until_enough_newer_ones_exist() {
        let r = noncurrent(1, Some(2));
        let since = t("2026-12-02T10:30:00Z");
        assert_eq!(r.noncurrent_expiry(since, 0), None);
        assert_eq!(r.noncurrent_expiry(since, 1), None);
        assert_eq!(
            r.noncurrent_expiry(since, 2),
            Some(t("2026-12-04T00:00:00Z"))
        );
    }

    #[test]
    fn expiry_by_days_and_by_date() {
        let days = LifecycleRule {
            id: Some("seven".into()),
            enabled: true,
            expiration: Some(Expiration {
                days: Some(7),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            days.current_expiry(t("2026-12-02T10:30:00Z")),
            Some(t("2026-12-10T00:00:00Z"))
        );
        let date = LifecycleRule {
            expiration: Some(Expiration {
                date: Some(t("2026-12-20T00:00:00Z")),
                ..Default::default()
            }),
            ..days.clone()
        };
        assert_eq!(
            date.current_expiry(t("2026-12-02T10:30:00Z")),
            Some(t("2026-12-20T00:00:00Z"))
        );
        let off = LifecycleRule {
            enabled: false,
            ..days
        };
        assert_eq!(off.current_expiry(t("2026-12-02T10:30:00Z")), None);
    }

    #[test]
    fn the_restore_deadline_is_the_soonest_needed_version_a_rule_covers() {
        let rules = vec![noncurrent(3, None), {
            let mut r = noncurrent(1, Some(1));
            r.id = Some("planted".into());
            r.filter = None;
            r
        }];
        let needed = [
            // Covered by both; the planted rule keeps it (no newer one yet).
            Needed {
                key: "exports/a.csv",
                noncurrent_since: t("2026-12-02T10:00:00Z"),
                newer_noncurrent: 0,
            },
            // Outside exports/: only the planted rule, which now applies.
            Needed {
                key: "other/b.csv",
                noncurrent_since: t("2026-12-02T12:00:00Z"),
                newer_noncurrent: 1,
            },
        ];
        let d = restore_deadline(&rules, needed).expect("a deadline");
        assert_eq!(d.at, t("2026-12-04T00:00:00Z"));
        assert_eq!(d.rule, "planted");
        assert_eq!(d.key.as_deref(), Some("other/b.csv"));
        assert_eq!(restore_deadline(&[], needed), None);
    }

    #[test]
    fn the_bucket_deadline_without_a_listing_and_the_countdown() {
        let since = t("2026-12-02T10:00:00Z");
        let rules = vec![noncurrent(30, None), noncurrent(2, Some(5))];
        let d = bucket_deadline(&rules, since, true).expect("a deadline");
        assert_eq!(d.at, t("2026-12-05T00:00:00Z"));
        assert_eq!(d.countdown(t("2026-12-03T21:30:00Z")), "1d 2h left");
        assert_eq!(d.countdown(t("2026-12-04T23:00:00Z")), "1h 0m left");
        assert_eq!(d.countdown(d.at), "PASSED");
        // Unversioned: only current-version expiry deletes anything.
        assert_eq!(bucket_deadline(&rules, since, false), None);
    }

    #[test]
    fn the_needed_version_is_the_newest_at_or_before_t_and_its_successor_starts_the_clock() {
        use crate::model::restore::Version;
        let v = |id: &str, at: &str, marker: bool| Version {
            key: "exports/a.csv".into(),
            version_id: id.into(),
            is_latest: id == "v3",
            is_delete_marker: marker,
            last_modified: t(at),
            size: 1,
            etag: String::new(),
            storage_class: "STANDARD".into(),
        };
        // Newest first: the attacker's SSE-C rewrite, a marker, the good one.
        let history = [
            v("v3", "2026-12-02T12:00:00Z", false),
            v("m2", "2026-12-02T11:00:00Z", true),
            v("v1", "2026-12-01T09:00:00Z", false),
        ];
        let n = needed_of(&history, t("2026-12-02T10:00:00Z")).expect("needed");
        assert_eq!(n.noncurrent_since, t("2026-12-02T11:00:00Z"));
        assert_eq!(n.newer_noncurrent, 1);
        // Still current at T: nothing is on a clock.
        assert!(needed_of(&history[..1], t("2026-12-02T13:00:00Z")).is_none());
        let d = restore_deadline(&[noncurrent(1, None)], [n]).expect("deadline");
        assert_eq!(d.at, t("2026-12-04T00:00:00Z"));
    }

    #[test]
    fn the_description_says_scope_and_actions() {
        let r = noncurrent(1, Some(2));
        assert_eq!(
            r.describe(),
            "nc: keys under exports/: old versions deleted 1 d after replaced, beyond the newest 2"
        );
        assert!(r.deletes());
        let planted_ids = vec!["nc".to_string()];
        assert_eq!(planted(std::slice::from_ref(&r), &planted_ids).len(), 1);
        assert!(planted(&[LifecycleRule::default()], &planted_ids).is_empty());
    }
}
