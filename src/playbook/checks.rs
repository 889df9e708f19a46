//! The live checks a step can name, evaluated against facts the console
//! has already read (no I/O here): each passes, fails with what is still
//! wrong, or cannot say yet (not read, or unreadable).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    ExposureScanned,
    TrailLogsDataEvents,
    EvidencePreserved,
    AccessKeysInactive,
    RoleSessionsRevoked,
    WatchClean,
    ControlPlaneLocked,
    BucketNotPublic,
    AccountPabOn,
    PolicyHasNoPublicStatements,
    ObjectAclsPrivate,
    ImdsV2Required,
    VersioningOn,
    AttackerChangesUndone,
}

impl Check {
    pub const ALL: &'static [Check] = &[
        Check::ExposureScanned,
        Check::TrailLogsDataEvents,
        Check::EvidencePreserved,
        Check::AccessKeysInactive,
        Check::RoleSessionsRevoked,
        Check::WatchClean,
        Check::ControlPlaneLocked,
        Check::BucketNotPublic,
        Check::AccountPabOn,
        Check::PolicyHasNoPublicStatements,
        Check::ObjectAclsPrivate,
        Check::ImdsV2Required,
        Check::VersioningOn,
        Check::AttackerChangesUndone,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::ExposureScanned => "exposure_scanned",
            Check::TrailLogsDataEvents => "trail_logs_data_events",
            Check::EvidencePreserved => "evidence_preserved",
            Check::AccessKeysInactive => "access_keys_inactive",
            Check::RoleSessionsRevoked => "role_sessions_revoked",
            Check::WatchClean => "watch_clean",
            Check::ControlPlaneLocked => "control_plane_locked",
            Check::BucketNotPublic => "bucket_not_public",
            Check::AccountPabOn => "account_pab_on",
            Check::PolicyHasNoPublicStatements => "policy_has_no_public_statements",
            Check::ObjectAclsPrivate => "object_acls_private",
            Check::ImdsV2Required => "imdsv2_required",
            Check::VersioningOn => "versioning_on",
            Check::AttackerChangesUndone => "attacker_changes_undone",
        }
    }

    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// What the console knows, reduced to what the checks need. `None`: not
/// read yet (or unreadable), so a check on it cannot pass or fail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveFacts {
    pub scan_finished: bool,
    /// The incident's buckets: those found public or shared when the
    /// console first scanned (they stay the incident's after they are fixed).
    pub incident_buckets: Vec<String>,
    /// Incident buckets still public or shared now.
    pub still_exposed: Vec<String>,
    /// Incident buckets whose policy still has public/shared statements.
    pub public_statements: Vec<String>,
    /// Incident buckets whose ACL still grants beyond the owner.
    pub acl_grants: Vec<String>,
    /// Incident buckets whose policy, ACL or Block Public Access someone
    /// outside the account can still change (None: not all readable).
    pub control_open: Option<Vec<String>>,
    /// Incident buckets locked to the account by warroom's Deny.
    pub control_locked: usize,
    /// Incident buckets without versioning on (None: not all known).
    pub unversioned: Option<Vec<String>>,
    pub account_pab_on: Option<bool>,
    /// None: no trail information yet.
    pub data_events_logged: Option<bool>,
    pub evidence_preserved: bool,
    /// Trails blinded now, one line each (logging stopped, deleted, data
    /// events dropped): evidence since then is missing.
    pub trail_tampered: Vec<String>,
    /// The attacker's changes still in place (None: not gathered yet).
    pub changes_in_place: Option<Vec<String>>,
    /// Access keys marked as involved that are still active (None:
    /// credentials not read; empty: none marked or all inactive).
    pub marked_keys_active: Option<Vec<String>>,
    pub marked_keys: usize,
    /// Roles whose sessions were revoked.
    pub roles_revoked: usize,
    /// Users whose sessions were revoked.
    pub users_revoked: usize,
    /// Roles the incident involves (revoked, or watched after an action).
    pub roles_involved: usize,
    /// EC2 instances read (0 with `imds_optional` known: none exist).
    pub instances: usize,
    /// Instances whose metadata service still allows IMDSv1.
    pub imds_optional: Option<Vec<String>>,
    /// Watches: (open, final clean, with a successful use).
    pub watches: (usize, usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "detail")]
pub enum Outcome {
    Pass(String),
    Fail(String),
    Unknown(String),
    /// Nothing for the step to do here (no instances, no role involved):
    /// the step is marked not applicable with this reason, never done.
    NotApplicable(String),
}

fn list(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
    let more = names.len().saturating_sub(3);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Pass when `bad` is empty; fail naming what is still wrong.
fn none_left(bad: &[String], ok: &str, wrong: &str) -> Outcome {
    if bad.is_empty() {
        Outcome::Pass(ok.to_string())
    } else {
        Outcome::Fail(format!("{wrong}: {}", list(bad)))
    }
}

pub fn evaluate(check: Check, f: &LiveFacts) -> Outcome {
    let needs_buckets = matches!(
        check,
        Check::BucketNotPublic
            | Check::ControlPlaneLocked
            | Check::PolicyHasNoPublicStatements
            | Check::ObjectAclsPrivate
            | Check::VersioningOn
    );
    if needs_buckets && !f.scan_finished {
        return Outcome::Unknown("the exposure scan has not finished".into());
    }
    // With no bucket ever public or shared, the clean-up steps have nothing
    // to clean (BucketNotPublic's pass is real: nothing is exposed).
    if needs_buckets && check != Check::BucketNotPublic && f.incident_buckets.is_empty() {
        return Outcome::NotApplicable("no bucket was found public or shared".into());
    }
    match check {
        Check::ExposureScanned => {
            if f.scan_finished {
                // The incident's buckets are those *ever* found exposed:
                // say how many still are, so the line stays true after a fix.
                Outcome::Pass(format!(
                    "scanned: {} bucket(s) found public or shared in this incident, {} still",
                    f.incident_buckets.len(),
                    f.still_exposed.len()
                ))
            } else {
                Outcome::Unknown("the exposure scan is running".into())
            }
        }
        Check::TrailLogsDataEvents if !f.trail_tampered.is_empty() => {
            Outcome::Fail(format!("{}: start it again (! then U)", list(&f.trail_tampered)))
        }
        Check::TrailLogsDataEvents => match f.data_events_logged {
            Some(true) => Outcome::Pass("a trail records S3 data events".into()),
            Some(false) => Outcome::Fail("no trail records S3 data events".into()),
            None => Outcome::Unknown("open the CloudTrail pane to read the trails".into()),
        },
        Check::EvidencePreserved => {
            // Evidence kept while a trail is blind has a hole from the
            // blinding on: the step is not done until the trail sees again.
            if !f.trail_tampered.is_empty() {
                Outcome::Fail(format!(
                    "{}: nothing since is recorded",
                    list(&f.trail_tampered)
                ))
            } else if f.evidence_preserved {
                Outcome::Pass("CloudTrail events preserved as evidence".into())
            } else {
                Outcome::Fail(
                    "no CloudTrail events preserved yet (E in the CloudTrail pane)".into(),
                )
            }
        }
        Check::AccessKeysInactive => match &f.marked_keys_active {
            None => Outcome::Unknown("credentials not read yet".into()),
            Some(_) if f.marked_keys == 0 => {
                Outcome::Unknown("no access key marked as involved (m)".into())
            }
            Some(active) => none_left(active, "every marked key is inactive", "still active"),
        },
        Check::RoleSessionsRevoked => {
            if f.roles_revoked > 0 {
                Outcome::Pass(format!("{} role(s) with sessions revoked", f.roles_revoked))
            } else if f.users_revoked > 0 {
                // A user's key was the way in: its sessions are what to end.
                Outcome::Pass(format!("{} user(s) with sessions revoked", f.users_revoked))
            } else if f.roles_involved == 0 && f.marked_keys == 0 {
                Outcome::NotApplicable("no role or user credential is involved".into())
            } else if f.roles_involved == 0 {
                Outcome::Fail(
                    "the involved key's user still has its sessions: s on the key in the credentials pane".into(),
                )
            } else {
                Outcome::Fail(
                    "no involved role has had its sessions revoked: s on the role in the credentials pane".into(),
                )
            }
        }
        Check::WatchClean => match f.watches {
            (0, 0, 0) => Outcome::Unknown("no credential watch yet".into()),
            (_, _, bad) if bad > 0 => {
                Outcome::Fail(format!("{bad} watch(es) saw the credential used"))
            }
            (open, _, _) if open > 0 => Outcome::Unknown(format!("{open} watch(es) still open")),
            (_, clean, _) => Outcome::Pass(format!("{clean} watch(es) final and clean")),
        },
        Check::ControlPlaneLocked => match &f.control_open {
            None => Outcome::Unknown(
                "the policy or ACL of an incident bucket could not be read".into(),
            ),
            Some(open) if !open.is_empty() => Outcome::Fail(format!(
                "outsiders can still change the configuration of {}: p on the bucket locks it",
                list(open)
            )),
            Some(_) if f.control_locked > 0 => Outcome::Pass(format!(
                "{} incident bucket(s) locked to the account",
                f.control_locked
            )),
            Some(_) => Outcome::NotApplicable(
                "nobody outside the account can change an incident bucket's policy, ACLs or Block Public Access".into(),
            ),
        },
        Check::BucketNotPublic => none_left(
            &f.still_exposed,
            "no incident bucket is public or shared",
            "still public or shared",
        ),
        Check::AccountPabOn => match f.account_pab_on {
            Some(true) => Outcome::Pass("all four account settings on".into()),
            Some(false) => Outcome::Fail("not all four account settings are on".into()),
            None => Outcome::Unknown("account settings not read".into()),
        },
        Check::PolicyHasNoPublicStatements => none_left(
            &f.public_statements,
            "no public or cross-account statement left",
            "policy still grants access",
        ),
        Check::ObjectAclsPrivate => none_left(
            &f.acl_grants,
            "bucket ACLs grant only the owner",
            "ACL still grants beyond the owner",
        ),
        Check::ImdsV2Required => match &f.imds_optional {
            None => Outcome::Unknown("instances not read yet".into()),
            Some(_) if f.instances == 0 => {
                Outcome::NotApplicable("no EC2 instances in this region".into())
            }
            Some(v) => none_left(v, "every instance requires IMDSv2", "IMDSv1 still allowed"),
        },
        Check::AttackerChangesUndone => match &f.changes_in_place {
            None => Outcome::Unknown(
                "the attacker's changes not read yet: ! lists them".into(),
            ),
            Some(left) => none_left(
                left,
                "nothing the incident's principals changed is still in place",
                "still in place (U on the changes pane)",
            ),
        },
        Check::VersioningOn => match &f.unversioned {
            None => Outcome::Unknown("versioning not known for every incident bucket".into()),
            Some(v) => none_left(
                v,
                "versioning on for every incident bucket",
                "versioning off",
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_pass_fail_or_wait() {
        let mut f = LiveFacts::default();
        assert!(matches!(
            evaluate(Check::BucketNotPublic, &f),
            Outcome::Unknown(_)
        ));
        f.scan_finished = true;
        f.incident_buckets = vec!["a".into(), "b".into()];
        f.still_exposed = vec!["a".into()];
        assert_eq!(
            evaluate(Check::BucketNotPublic, &f),
            Outcome::Fail("still public or shared: a".into())
        );
        f.still_exposed.clear();
        assert!(matches!(
            evaluate(Check::BucketNotPublic, &f),
            Outcome::Pass(_)
        ));
        assert!(matches!(
            evaluate(Check::AccessKeysInactive, &f),
            Outcome::Unknown(_)
        ));
        f.marked_keys_active = Some(vec!["AKIA1".into()]);
        f.marked_keys = 1;
        assert!(matches!(
            evaluate(Check::AccessKeysInactive, &f),
            Outcome::Fail(_)
        ));
        f.marked_keys_active = Some(Vec::new());
        assert!(matches!(
            evaluate(Check::AccessKeysInactive, &f),
            Outcome::Pass(_)
        ));
        f.watches = (1, 0, 0);
        assert!(matches!(
            evaluate(Check::WatchClean, &f),
            Outcome::Unknown(_)
        ));
        f.watches = (0, 1, 1);
        assert!(matches!(evaluate(Check::WatchClean, &f), Outcome::Fail(_)));
        f.watches = (0, 2, 0);
        assert!(matches!(evaluate(Check::WatchClean, &f), Outcome::Pass(_)));
        f.unversioned = Some((0..5).map(|i| format!("b{i}")).collect());
        assert_eq!(
            evaluate(Check::VersioningOn, &f),
            Outcome::Fail("versioning off: b0, b1, b2 and 2 more".into())
        );
    }
}
