//! The exposure verdict for a bucket: how policy, ACL, Object Ownership and
//! the account- and bucket-level Public Access Block combine.
//!
//! Rules (from S3's documentation of Block Public Access):
//! - Each PAB setting is effective if it is on at the account *or* the bucket.
//! - `BlockPublicAcls` and `BlockPublicPolicy` only refuse *future* changes;
//!   they do not make an existing public ACL or policy private.
//! - `IgnorePublicAcls` makes S3 ignore public ACL grants (AllUsers,
//!   AuthenticatedUsers) on the bucket and its objects.
//! - `RestrictPublicBuckets` limits a bucket whose policy is public to AWS
//!   service principals and the owner's account — which also cuts off
//!   cross-account grants *in that same policy*.
//! - Object Ownership `BucketOwnerEnforced` disables ACLs entirely.

use serde::Serialize;

use super::facts::{
    AccountFacts, Acl, BucketFacts, Fact, FieldError, Grant, Grantee, NetworkOrigin,
    PublicAccessBlock,
};
use super::policy::{self, Owner, PolicyAnalysis, StatementExposure};

/// Worst first: the derived `Ord` sorts Public before Shared before Unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Public,
    Shared,
    Unknown,
    Private,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Public => "PUBLIC",
            Verdict::Shared => "SHARED",
            Verdict::Unknown => "UNKNOWN",
            Verdict::Private => "private",
        }
    }
}

/// How much a reason weighs. `Public`/`Shared`/`Unknown` drive the verdict;
/// `Mitigated` explains a grant that a setting neutralises; `Note` informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Public,
    Shared,
    Unknown,
    Mitigated,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum Source {
    Policy {
        statement: usize,
    },
    PolicyStatus,
    Acl,
    PublicAccessBlock,
    Ownership,
    Field {
        field: &'static str,
    },
    /// A door other than the bucket's own policy and ACL: an access point
    /// (and its policy statement, when one grants).
    AccessPoint {
        name: String,
        statement: Option<usize>,
    },
    /// A Multi-Region Access Point reaching the bucket (its own policy
    /// statement, when one grants). Kept apart from `AccessPoint`: its
    /// policy is replaced, never deleted, so `A` does not apply.
    MultiRegionAccessPoint {
        name: String,
        statement: Option<usize>,
    },
    /// An Object Lambda access point in front of one of the bucket's access
    /// points (its policy statement, when one grants).
    ObjectLambdaAccessPoint {
        name: String,
        statement: Option<usize>,
    },
    /// A configuration through which data or its names leave the bucket:
    /// `replication`, `notification`, `inventory`, `analytics`, `logging`,
    /// `website`, `cors`.
    SideDoor {
        door: &'static str,
        /// The replication rule id, notification destination or inventory
        /// id the reason is about, when it is about one.
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
    /// A CloudFront distribution with an origin on the bucket.
    Distribution {
        id: String,
    },
    /// The KMS key of the bucket's default encryption: the second lock.
    Kms {
        /// What opens it to an outsider (`grant ID` or `key policy
        /// statement N (Sid)`), when the reason is about one: what `Z`
        /// closes.
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
    /// An object's own ACL (`key` empty: the note on objects not read).
    ObjectAcl {
        key: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub severity: Severity,
    #[serde(flatten)]
    pub source: Source,
    pub text: String,
}

/// The four effective PAB settings, each on / off / unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectivePab {
    pub block_public_acls: Tri,
    pub ignore_public_acls: Tri,
    pub block_public_policy: Tri,
    pub restrict_public_buckets: Tri,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    On { by: &'static str },
    Off,
    Unknown { code: String },
}

impl Tri {
    pub fn is_on(&self) -> bool {
        matches!(self, Tri::On { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub verdict: Verdict,
    /// What limits a verdict (`objects not all checked`); `None`: it is
    /// the whole truth as read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
    /// Most severe first.
    pub reasons: Vec<Reason>,
    pub effective_pab: EffectivePab,
    #[serde(skip)]
    pub policy: Option<PolicyAnalysis>,
}

impl Assessment {
    /// The verdict as shown: `private?` when objects were not all checked.
    pub fn label(&self) -> &'static str {
        match (&self.caveat, self.verdict) {
            (Some(_), Verdict::Private) => "private?",
            (_, v) => v.label(),
        }
    }
}

pub fn effective_pab(account: &AccountFacts, bucket: &BucketFacts) -> EffectivePab {
    let pick = |f: fn(&PublicAccessBlock) -> bool| -> Tri {
        let level = |fact: &Fact<Option<PublicAccessBlock>>| match fact {
            Fact::Known(Some(p)) => Ok(f(p)),
            Fact::Known(None) => Ok(false),
            Fact::Unknown(e) => Err(e.code.clone()),
        };
        match (
            level(&account.public_access_block),
            level(&bucket.public_access_block),
        ) {
            (Ok(true), _) => Tri::On { by: "account" },
            (_, Ok(true)) => Tri::On { by: "bucket" },
            (Ok(false), Ok(false)) => Tri::Off,
            (Err(code), _) | (_, Err(code)) => Tri::Unknown { code },
        }
    };
    EffectivePab {
        block_public_acls: pick(|p| p.block_public_acls),
        ignore_public_acls: pick(|p| p.ignore_public_acls),
        block_public_policy: pick(|p| p.block_public_policy),
        restrict_public_buckets: pick(|p| p.restrict_public_buckets),
    }
}

pub fn assess(account: &AccountFacts, bucket: &BucketFacts) -> Assessment {
    let pab = effective_pab(account, bucket);
    let mut reasons = Vec::new();
    let owner_canonical = bucket.acl.known().and_then(|a| a.owner_id.clone());
    let owner = Owner {
        account_id: account.account_id.as_deref(),
        canonical_id: owner_canonical.as_deref(),
        org_id: None,
    };

    let policy = assess_policy(bucket, &owner, &pab, &mut reasons);
    assess_policy_status(bucket, policy.as_ref(), &mut reasons);
    assess_acl(bucket, &pab, &mut reasons);
    for (aps, field) in [
        (&bucket.access_points, "access_points"),
        (
            &bucket.multi_region_access_points,
            "multi_region_access_points",
        ),
    ] {
        assess_access_points(
            bucket,
            (aps, field),
            &owner,
            &pab,
            policy.as_ref(),
            &mut reasons,
        );
    }
    assess_object_lambda(bucket, &owner, &mut reasons);
    assess_side_doors(bucket, account.account_id.as_deref(), &mut reasons);
    assess_log_grants(bucket, &mut reasons);
    let unchecked = assess_object_acls(bucket, owner.canonical_id, &pab, &mut reasons);
    assess_distributions(bucket, policy.as_ref(), &mut reasons);
    assess_kms(
        bucket,
        account.account_id.as_deref(),
        policy.as_ref(),
        &mut reasons,
    );
    // A quarantine stops every door while it stands, but S3 judges the
    // grants alone, and they are still there: say both.
    if let Some(q) = policy.as_ref().and_then(|p| {
        p.statements.iter().find(|s| {
            s.effect == policy::Effect::Deny && s.sid.as_deref() == Some(policy::QUARANTINE_SID)
        })
    }) {
        reasons.push(Reason {
            severity: Severity::Note,
            source: Source::Policy { statement: q.index },
            text: format!(
                "quarantined: policy {} denies every S3 action to all but the break-glass principals; the grants it overrides still count (remove them before lifting it)",
                q.label()
            ),
        });
    }
    note_future_only_blocks(&pab, &mut reasons);

    reasons.sort_by_key(|r| r.severity);
    let verdict = if reasons.iter().any(|r| r.severity == Severity::Public) {
        Verdict::Public
    } else if reasons.iter().any(|r| r.severity == Severity::Unknown) {
        // Unknown outranks Shared only when it could hide a public grant;
        // we cannot tell, so say so rather than guess.
        Verdict::Unknown
    } else if reasons.iter().any(|r| r.severity == Severity::Shared) {
        Verdict::Shared
    } else {
        Verdict::Private
    };
    // Private with objects unread is only "nothing found": say so.
    let caveat =
        (unchecked && verdict == Verdict::Private).then(|| OBJECTS_NOT_ALL_CHECKED.to_string());
    Assessment {
        verdict,
        caveat,
        reasons,
        effective_pab: pab,
        policy,
    }
}

/// The caveat on a private verdict when object ACLs were only sampled.
pub const OBJECTS_NOT_ALL_CHECKED: &str = "objects not all checked";

fn assess_policy(
    bucket: &BucketFacts,
    owner: &Owner<'_>,
    pab: &EffectivePab,
    reasons: &mut Vec<Reason>,
) -> Option<PolicyAnalysis> {
    let doc = match &bucket.policy {
        Fact::Known(None) => return None,
        Fact::Known(Some(doc)) => doc,
        Fact::Unknown(e) => {
            reasons.push(unknown("policy", "bucket policy", e));
            return None;
        }
    };
    let analysis = match policy::analyze(doc, owner) {
        Ok(a) => a,
        Err(e) => {
            reasons.push(Reason {
                severity: Severity::Unknown,
                source: Source::Field { field: "policy" },
                text: format!("bucket policy could not be analysed: {e}"),
            });
            return None;
        }
    };
    let public_policy = analysis.is_public();
    // RestrictPublicBuckets only acts on a policy that is public; then it
    // also cuts off the cross-account grants in that policy.
    let restricted = public_policy && pab.restrict_public_buckets.is_on();
    let restrict_unknown =
        public_policy && matches!(pab.restrict_public_buckets, Tri::Unknown { .. });
    let restrict_by = match &pab.restrict_public_buckets {
        Tri::On { by } => *by,
        _ => "",
    };
    for st in &analysis.statements {
        let resources = if st.resources.is_empty() {
            String::new()
        } else {
            format!(" on {}", st.resources.join(", "))
        };
        let source = Source::Policy {
            statement: st.index,
        };
        // A blanket Deny does not change S3's verdict (its rule looks only at
        // the grants), but the responder should know the grant is dead.
        let denied = st
            .denied_by
            .as_ref()
            .map(|d| {
                format!(
                    " — but {d} denies all of it to everyone, with no condition (S3 judges a policy by its grants alone, so it still counts this one)"
                )
            })
            .unwrap_or_default();
        let (severity, text) = match &st.exposure {
            StatementExposure::Public { why } if restricted => (
                Severity::Mitigated,
                format!(
                    "policy {} would let anyone {}{resources} ({why}), but RestrictPublicBuckets ({restrict_by}) limits it to this account and AWS services",
                    st.label(),
                    st.access.describe()
                ),
            ),
            StatementExposure::Public { why } if restrict_unknown => (
                Severity::Unknown,
                format!(
                    "policy {} lets anyone {}{resources} ({why}){denied} unless RestrictPublicBuckets is on, which could not be read ({})",
                    st.label(),
                    st.access.describe(),
                    pab.restrict_public_buckets_code()
                ),
            ),
            StatementExposure::Public { why } => (
                Severity::Public,
                format!(
                    "policy {} lets anyone {}{resources}: {why}{denied}",
                    st.label(),
                    st.access.describe()
                ),
            ),
            StatementExposure::CrossAccount { accounts, why } if restricted => (
                Severity::Mitigated,
                format!(
                    "policy {} shares with {} ({why}), but RestrictPublicBuckets ({restrict_by}) blocks cross-account access while the policy is public",
                    st.label(),
                    accounts.join(", ")
                ),
            ),
            StatementExposure::CrossAccount { accounts, why } => (
                Severity::Shared,
                format!(
                    "policy {} lets {} {}{resources} ({why}){denied}",
                    st.label(),
                    accounts.join(", "),
                    st.access.describe()
                ),
            ),
            StatementExposure::Restricted { why } => (
                Severity::Note,
                format!("policy {}: {} — {why}", st.label(), st.access.describe()),
            ),
            StatementExposure::NoDataAccess => (
                Severity::Note,
                format!("policy {} grants no data access", st.label()),
            ),
            StatementExposure::Deny { why } => (
                Severity::Note,
                format!("policy {} {why}{resources}", st.label()),
            ),
        };
        reasons.push(Reason {
            severity,
            source,
            text,
        });
    }
    Some(analysis)
}

/// Every access point on the bucket is a door. A request through one must
/// be allowed by the access point's policy *and* the bucket's (which can
/// delegate to its access points), from the network the access point
/// accepts, and RestrictPublicBuckets of the access point, the bucket or
/// the account closes a public one (S3 User Guide, "Access points").
/// Multi-Region Access Points follow the same rules (their own policy and
/// Block Public Access, the bucket's policy, always the Internet): S3 User
/// Guide, "Permissions" for Multi-Region Access Points.
fn assess_access_points(
    bucket: &BucketFacts,
    (aps, field): (&Fact<Vec<crate::model::facts::AccessPoint>>, &'static str),
    owner: &Owner<'_>,
    pab: &EffectivePab,
    bucket_policy: Option<&PolicyAnalysis>,
    reasons: &mut Vec<Reason>,
) {
    let aps = match aps {
        Fact::Known(aps) => aps,
        Fact::Unknown(e) => {
            let what = if field == "access_points" {
                "access points"
            } else {
                "Multi-Region Access Points"
            };
            reasons.push(unknown(field, what, e));
            return;
        }
    };
    for ap in aps {
        let door = |statement| {
            if ap.multi_region {
                Source::MultiRegionAccessPoint {
                    name: ap.name.clone(),
                    statement,
                }
            } else {
                Source::AccessPoint {
                    name: ap.name.clone(),
                    statement,
                }
            }
        };
        let kind = ap.kind();
        let mut push = |severity, statement, text: String| {
            reasons.push(Reason {
                severity,
                source: door(statement),
                text,
            })
        };
        let name = &ap.name;
        let internet = match &ap.network_origin {
            Fact::Known(NetworkOrigin::Internet) => true,
            Fact::Known(NetworkOrigin::Vpc { vpc_id }) => {
                push(
                    Severity::Note,
                    None,
                    format!(
                        "{kind} {name} accepts requests only from VPC {}: not reachable from the Internet",
                        vpc_id.as_deref().unwrap_or("(id not given)")
                    ),
                );
                continue;
            }
            Fact::Unknown(e) => {
                push(
                    Severity::Unknown,
                    None,
                    format!("{kind} {name}: its network origin is {}", e.explained()),
                );
                continue;
            }
        };
        let doc = match &ap.policy {
            Fact::Known(None) => {
                push(
                    Severity::Note,
                    None,
                    format!(
                        "{kind} {name} (Internet) has no policy: only this account's own principals, by their IAM policies"
                    ),
                );
                continue;
            }
            Fact::Known(Some(doc)) => doc,
            Fact::Unknown(e) => {
                push(
                    Severity::Unknown,
                    None,
                    format!("{kind} {name} (Internet): its policy is {}", e.explained()),
                );
                continue;
            }
        };
        let analysis = match policy::analyze(doc, owner) {
            Ok(a) => a,
            Err(e) => {
                push(
                    Severity::Unknown,
                    None,
                    format!("{kind} {name}: its policy could not be analysed: {e}"),
                );
                continue;
            }
        };
        // S3's own judgement corroborates: warroom follows its analyser
        // (which explains itself) but never stays silent when S3 disagrees.
        if let Some(s3_says) = ap.s3_says_public
            && s3_says != analysis.is_public()
        {
            push(
                Severity::Note,
                None,
                format!(
                    "S3 reports {kind} {name}'s policy as {} (GetAccessPointPolicyStatus) but warroom's analysis says {}: read the policy",
                    if s3_says { "public" } else { "not public" },
                    if analysis.is_public() {
                        "public"
                    } else {
                        "not public"
                    }
                ),
            );
        }
        // The access point's own RestrictPublicBuckets, fixed at creation.
        let ap_restrict = match &ap.public_access_block {
            Fact::Known(p) => Ok(p.as_ref().is_some_and(|p| p.restrict_public_buckets)),
            Fact::Unknown(e) => Err(e.code.clone()),
        };
        let bpa = match &ap.public_access_block {
            Fact::Known(Some(p)) if p.restrict_public_buckets => "BPA on",
            Fact::Known(_) => "BPA off",
            Fact::Unknown(_) => "BPA unknown",
        };
        let arn = ap.arn();
        // Does the bucket's policy let requests through this access point?
        let through = match &bucket.policy {
            Fact::Known(None) => Some(false),
            Fact::Known(Some(_)) => bucket_policy.map(|p| {
                p.statements
                    .iter()
                    .any(|s| policy::delegates_to_access_point(s, &arn, &ap.account, internet))
            }),
            Fact::Unknown(_) => None,
        };
        let public = analysis.is_public();
        for st in &analysis.statements {
            let grants = match &st.exposure {
                StatementExposure::Public { why } => {
                    format!("lets anyone {}: {why}", st.access.describe())
                }
                StatementExposure::CrossAccount { accounts, why } => format!(
                    "lets {} {} ({why})",
                    accounts.join(", "),
                    st.access.describe()
                ),
                _ => continue,
            };
            if st.effect != policy::Effect::Allow || st.denied_by.is_some() {
                continue;
            }
            let shared = matches!(st.exposure, StatementExposure::CrossAccount { .. });
            let head = format!(
                "{kind} {name} (Internet, {bpa}) policy {} {grants}",
                st.label()
            );
            let (severity, text) = if public
                && (pab.restrict_public_buckets.is_on() || ap_restrict == Ok(true))
            {
                (
                    Severity::Mitigated,
                    format!(
                        "{head} — but RestrictPublicBuckets ({}) limits it to this account and AWS services",
                        if ap_restrict == Ok(true) {
                            "access point"
                        } else {
                            "bucket or account"
                        }
                    ),
                )
            } else if public
                && (ap_restrict.is_err()
                    || matches!(pab.restrict_public_buckets, Tri::Unknown { .. }))
            {
                (
                    Severity::Unknown,
                    format!("{head}, unless RestrictPublicBuckets is on, which could not be read"),
                )
            } else {
                match through {
                    Some(true) => (
                        if shared {
                            Severity::Shared
                        } else {
                            Severity::Public
                        },
                        format!("{head}; the bucket policy lets access point requests through"),
                    ),
                    Some(false) => (
                        Severity::Mitigated,
                        format!(
                            "{head} — but the bucket policy does not delegate to access points, so S3 refuses those requests (one bucket policy change would open this door)"
                        ),
                    ),
                    None => (
                        Severity::Unknown,
                        format!(
                            "{head}; whether the bucket policy lets it through is unknown (the bucket policy could not be read)"
                        ),
                    ),
                }
            };
            push(severity, Some(st.index), text);
        }
    }
}

/// The account an ARN names (`arn:aws:sns:REGION:ACCOUNT:topic`), if any.
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// Replication, notifications, inventory and analytics exports that reach
/// another account share the bucket's data, its key names or its shape; website hosting and
/// CORS serve only what is already public, so they are noted.
fn assess_side_doors(bucket: &BucketFacts, own: Option<&str>, reasons: &mut Vec<Reason>) {
    let doors = match &bucket.side_doors {
        Fact::Known(d) => d,
        Fact::Unknown(e) => {
            reasons.push(Reason {
                severity: Severity::Unknown,
                source: Source::SideDoor {
                    door: "replication",
                    item: None,
                },
                text: format!(
                    "replication, notifications, inventory, analytics, website or CORS: {}",
                    e.explained()
                ),
            });
            return;
        }
    };
    let outside = |acct: Option<&str>| match (acct, own) {
        (Some(a), Some(o)) => a != o,
        _ => false,
    };
    let mut push = |severity, door, item: Option<&str>, text: String| {
        reasons.push(Reason {
            severity,
            source: Source::SideDoor {
                door,
                item: item.map(str::to_string),
            },
            text,
        })
    };
    for r in &doors.replication {
        let id = r.id.as_deref().unwrap_or("(no id)");
        if !r.enabled {
            continue;
        }
        if outside(r.account.as_deref()) {
            push(
                Severity::Shared,
                "replication",
                r.id.as_deref(),
                format!(
                    "replication rule {id} copies new objects to {} in account {}",
                    r.destination,
                    r.account.as_deref().unwrap_or("?")
                ),
            );
        } else if r.account.is_none() {
            push(
                Severity::Note,
                "replication",
                r.id.as_deref(),
                format!(
                    "replication rule {id} copies new objects to {} (the rule names no account: check who owns it)",
                    r.destination
                ),
            );
        }
    }
    for arn in &doors.notifications {
        if outside(arn_account(arn)) {
            push(
                Severity::Shared,
                "notification",
                Some(arn),
                format!(
                    "event notifications (key names, sizes, who wrote them) go to {arn} in account {}",
                    arn_account(arn).unwrap_or("?")
                ),
            );
        }
    }
    for (id, dest, acct) in &doors.inventory {
        if outside(acct.as_deref()) {
            push(
                Severity::Shared,
                "inventory",
                Some(id),
                format!(
                    "inventory {id} lists every key to {dest} in account {}",
                    acct.as_deref().unwrap_or("?")
                ),
            );
        }
    }
    for (id, dest, acct) in &doors.analytics {
        if outside(acct.as_deref()) {
            push(
                Severity::Shared,
                "analytics",
                Some(id),
                format!(
                    "storage class analysis {id} exports object counts and sizes by age to {dest} in account {}",
                    acct.as_deref().unwrap_or("?")
                ),
            );
        }
    }
    if doors.website {
        push(
            Severity::Note,
            "website",
            None,
            "static website hosting is on: whatever is public here is also served at the bucket's website endpoint".into(),
        );
    }
    if !doors.cors_any_origin.is_empty() {
        push(
            Severity::Note,
            "cors",
            None,
            format!(
                "CORS rule {} allows any origin: any web page may read, from a visitor's browser, what that visitor can read",
                doors
                    .cors_any_origin
                    .iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

/// Object Lambda access points in front of the bucket's access points. A
/// request through one needs its own policy, its supporting access point's
/// and the bucket's to allow it (S3 User Guide, "Configuring IAM policies
/// for Object Lambda Access Points"), so it opens nothing its supporting
/// access point keeps shut; but every object it serves is handed to its
/// Lambda functions, and a function of another account takes the data out.
fn assess_object_lambda(bucket: &BucketFacts, owner: &Owner<'_>, reasons: &mut Vec<Reason>) {
    let points = match &bucket.object_lambda_access_points {
        Fact::Known(p) => p,
        Fact::Unknown(e) => {
            reasons.push(unknown(
                "object_lambda_access_points",
                "Object Lambda access points",
                e,
            ));
            return;
        }
    };
    for o in points {
        let name = &o.name;
        let via = &o.supporting_access_point;
        let source = |statement| Source::ObjectLambdaAccessPoint {
            name: name.clone(),
            statement,
        };
        for f in &o.functions {
            let acct = arn_account(f);
            if acct.is_some() && acct != owner.account_id {
                reasons.push(Reason {
                    severity: Severity::Shared,
                    source: source(None),
                    text: format!(
                        "Object Lambda access point {name} hands every object it serves to function {f} in account {}",
                        acct.unwrap_or("?")
                    ),
                });
            }
        }
        // Whether the supporting access point lets outsiders through, as
        // its own reasons (judged above) say.
        let via_open = reasons.iter().any(|r| {
            matches!(&r.source, Source::AccessPoint { name, .. } if name == via)
                && matches!(r.severity, Severity::Public | Severity::Shared)
        });
        let doc = match &o.policy {
            Fact::Known(None) => {
                reasons.push(Reason {
                    severity: Severity::Note,
                    source: source(None),
                    text: format!(
                        "Object Lambda access point {name} (through access point {via}) has no policy: only this account's own principals, by their IAM policies"
                    ),
                });
                continue;
            }
            Fact::Known(Some(doc)) => doc,
            Fact::Unknown(e) => {
                reasons.push(Reason {
                    severity: if via_open {
                        Severity::Unknown
                    } else {
                        Severity::Note
                    },
                    source: source(None),
                    text: format!(
                        "Object Lambda access point {name} (through access point {via}): its policy is {}",
                        e.explained()
                    ),
                });
                continue;
            }
        };
        let analysis = match policy::analyze(doc, owner) {
            Ok(a) => a,
            Err(e) => {
                reasons.push(Reason {
                    severity: Severity::Unknown,
                    source: source(None),
                    text: format!(
                        "Object Lambda access point {name}: its policy could not be analysed: {e}"
                    ),
                });
                continue;
            }
        };
        for st in &analysis.statements {
            if st.effect != policy::Effect::Allow || st.denied_by.is_some() {
                continue;
            }
            let (open, grants) = match &st.exposure {
                StatementExposure::Public { why } => (
                    Severity::Public,
                    format!("lets anyone {}: {why}", st.access.describe()),
                ),
                StatementExposure::CrossAccount { accounts, why } => (
                    Severity::Shared,
                    format!(
                        "lets {} {} ({why})",
                        accounts.join(", "),
                        st.access.describe()
                    ),
                ),
                _ => continue,
            };
            let head = format!(
                "Object Lambda access point {name} (through access point {via}) policy {} {grants}",
                st.label()
            );
            reasons.push(if via_open {
                Reason {
                    severity: open,
                    source: source(Some(st.index)),
                    text: format!("{head}; access point {via} lets them through"),
                }
            } else {
                Reason {
                    severity: Severity::Mitigated,
                    source: source(Some(st.index)),
                    text: format!(
                        "{head} — but access point {via} does not let them through (opening it would open this door)"
                    ),
                }
            });
        }
    }
}

/// Server access logs name every key, requester and source IP. S3 puts a
/// configuration's target grants on every log object it delivers, so a
/// grant to anyone but the bucket owner shares them (the target bucket
/// itself must be this account's: S3 User Guide, "Enabling server access
/// logging").
fn assess_log_grants(bucket: &BucketFacts, reasons: &mut Vec<Reason>) {
    let Fact::Known(Some(logging)) = &bucket.logging else {
        return;
    };
    let owner = bucket.acl.known().and_then(|a| a.owner_id.as_deref());
    for g in &logging.target_grants {
        if !g.grantee.is_outsider(owner) {
            continue;
        }
        let who = g.grantee.describe();
        reasons.push(Reason {
            severity: Severity::Shared,
            source: Source::SideDoor {
                door: "logging",
                item: None,
            },
            text: format!(
                "server access logs (every key, requester and IP) go to s3://{}/{} with {} granted to {who}",
                logging.target_bucket, logging.target_prefix, g.permission
            ),
        });
    }
}

impl EffectivePab {
    fn restrict_public_buckets_code(&self) -> String {
        match &self.restrict_public_buckets {
            Tri::Unknown { code } => code.clone(),
            _ => String::new(),
        }
    }
}

fn assess_policy_status(
    bucket: &BucketFacts,
    analysis: Option<&PolicyAnalysis>,
    reasons: &mut Vec<Reason>,
) {
    // S3's own verdict on the policy. We follow our analyser (which explains
    // itself) but never stay silent when S3 disagrees.
    if let (Fact::Known(Some(s3_says)), Some(a)) = (&bucket.policy_status_is_public, analysis)
        && *s3_says != a.is_public()
    {
        reasons.push(Reason {
            severity: if *s3_says {
                Severity::Public
            } else {
                Severity::Note
            },
            source: Source::PolicyStatus,
            text: format!(
                "S3 reports the policy as {} (GetBucketPolicyStatus) but warroom's analysis says {}",
                if *s3_says { "public" } else { "not public" },
                if a.is_public() { "public" } else { "not public" }
            ),
        });
    }
}

fn assess_acl(bucket: &BucketFacts, pab: &EffectivePab, reasons: &mut Vec<Reason>) {
    let acl: &Acl = match &bucket.acl {
        Fact::Known(acl) => acl,
        Fact::Unknown(e) => {
            reasons.push(unknown("acl", "bucket ACL", e));
            return;
        }
    };
    let acls_disabled = acls_disabled(bucket);
    for grant in &acl.grants {
        let Some((severity, who)) = judge_grant(grant, acl.owner_id.as_deref(), acls_disabled, pab)
        else {
            continue;
        };
        let what = acl_permission_meaning(&grant.permission);
        reasons.push(Reason {
            severity,
            source: Source::Acl,
            text: who.text(&format!("ACL grants {} to", grant.permission), what),
        });
    }
    if let Fact::Unknown(e) = &bucket.object_ownership {
        reasons.push(Reason {
            severity: Severity::Note,
            source: Source::Ownership,
            text: format!("Object Ownership {e}: whether ACLs are disabled is not known"),
        });
    }
}

fn acls_disabled(bucket: &BucketFacts) -> bool {
    matches!(&bucket.object_ownership, Fact::Known(Some(o)) if o == "BucketOwnerEnforced")
}

/// Who an ACL grant reaches, and why it weighs what it does.
struct Judged {
    who: String,
    /// What neutralises it (`ignored: …`), or what it depends on.
    rider: Option<String>,
}

impl Judged {
    fn text(&self, head: &str, what: &str) -> String {
        let base = format!("{head} {}: {what}", self.who);
        match &self.rider {
            Some(r) => format!("{base}{r}"),
            None => base,
        }
    }
}

/// One ACL grant (a bucket's or an object's) weighed against Object
/// Ownership and IgnorePublicAcls; `None` for the owner's own grant and
/// the log delivery group.
fn judge_grant(
    grant: &Grant,
    owner_id: Option<&str>,
    acls_disabled: bool,
    pab: &EffectivePab,
) -> Option<(Severity, Judged)> {
    let (is_public, who) = match &grant.grantee {
        Grantee::AllUsers => (true, "everyone (AllUsers)".to_string()),
        Grantee::AuthenticatedUsers => (true, "any AWS account (AuthenticatedUsers)".to_string()),
        Grantee::CanonicalUser { id, display_name } => {
            if owner_id == Some(id.as_str()) {
                return None; // the owner's own grant
            }
            let name = display_name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            (false, format!("canonical user {id}{name}"))
        }
        Grantee::Email { address } => (false, format!("account with email {address}")),
        Grantee::LogDelivery => return None, // S3 server access logging
        Grantee::OtherGroup { uri } => (false, format!("group {uri}")),
    };
    let (severity, rider) = if acls_disabled {
        (
            Severity::Mitigated,
            Some(" — ignored: Object Ownership is BucketOwnerEnforced (ACLs disabled)".to_string()),
        )
    } else if is_public {
        match &pab.ignore_public_acls {
            Tri::On { by } => (
                Severity::Mitigated,
                Some(format!(" — ignored: IgnorePublicAcls is on ({by})")),
            ),
            Tri::Unknown { code } => (
                Severity::Unknown,
                Some(format!(
                    ", unless IgnorePublicAcls is on, which could not be read ({code})"
                )),
            ),
            Tri::Off => (Severity::Public, None),
        }
    } else {
        (Severity::Shared, None)
    };
    Some((severity, Judged { who, rider }))
}

/// Objects' own ACLs, as far as they were read. Returns whether some
/// objects were not checked (the verdict then says so).
fn assess_object_acls(
    bucket: &BucketFacts,
    bucket_owner: Option<&str>,
    pab: &EffectivePab,
    reasons: &mut Vec<Reason>,
) -> bool {
    let read = match &bucket.object_acls {
        Fact::Known(r) => r,
        Fact::Unknown(e) => {
            reasons.push(unknown("object_acls", "object ACLs", e));
            return false;
        }
    };
    if read.skipped.is_some() {
        return false;
    }
    let disabled = acls_disabled(bucket);
    // One reason per kind of grant, naming the first objects: a bucket
    // with ten thousand public objects needs one line, not ten thousand.
    const NAMED: usize = 3;
    let mut groups: Vec<((Severity, String), Vec<&str>, String)> = Vec::new();
    for og in &read.grants {
        // The object's own owner is already dropped by the reader; a grant
        // back to the bucket's owner reaches no one new.
        let Some((severity, judged)) = judge_grant(&og.grant, bucket_owner, disabled, pab) else {
            continue;
        };
        let what = object_permission_meaning(&og.grant.permission);
        let text = judged.text(&format!("grants {} to", og.grant.permission), what);
        match groups
            .iter_mut()
            .find(|(k, _, _)| k.0 == severity && k.1 == text)
        {
            Some((_, keys, _)) => keys.push(&og.key),
            None => groups.push(((severity, text.clone()), vec![&og.key], text)),
        }
    }
    for ((severity, _), keys, text) in groups {
        let named: Vec<String> = keys.iter().take(NAMED).map(|k| format!("'{k}'")).collect();
        let more = keys.len().saturating_sub(NAMED);
        let subject = match (keys.len(), more) {
            (1, _) => format!("object {}", named.join(", ")),
            (_, 0) => format!("objects {}", named.join(", ")),
            (_, m) => format!("objects {} and {m} more", named.join(", ")),
        };
        reasons.push(Reason {
            severity,
            source: Source::ObjectAcl {
                key: keys.first().map(|k| k.to_string()).unwrap_or_default(),
            },
            text: format!("{subject}: its ACL {text}"),
        });
    }
    if read.all_checked {
        return false;
    }
    let failed = match (&read.first_error, read.failed) {
        (Some(e), n) if n > 0 => format!("; {n} could not be read ({})", e.code),
        _ => String::new(),
    };
    reasons.push(Reason {
        severity: Severity::Note,
        source: Source::ObjectAcl { key: String::new() },
        text: format!(
            "objects not all checked: {} object ACLs read (the objects the tail saw made public, and a sample){failed}; any other object may grant access of its own",
            read.checked
        ),
    });
    true
}

/// CloudFront distributions serving the bucket. A distribution whose
/// bucket policy lets it read, with a behaviour that asks viewers for no
/// signed URL or cookie, serves the objects to anyone: public, whatever
/// the policy's own verdict on the CloudFront grant (RestrictPublicBuckets
/// does not stop it either: CloudFront is an AWS service principal).
fn assess_distributions(
    bucket: &BucketFacts,
    policy: Option<&PolicyAnalysis>,
    reasons: &mut Vec<Reason>,
) {
    use super::facts::OriginAccess;
    let dists = match &bucket.distributions {
        Fact::Known(d) => d,
        Fact::Unknown(e) => {
            reasons.push(unknown("distributions", "CloudFront distributions", e));
            return;
        }
    };
    for d in dists {
        let mut push = |severity, text: String| {
            reasons.push(Reason {
                severity,
                source: Source::Distribution { id: d.id.clone() },
                text,
            })
        };
        let aliases = if d.aliases.is_empty() {
            String::new()
        } else {
            format!(", {}", d.aliases.join(", "))
        };
        let head = format!("CloudFront distribution {} ({}{aliases})", d.id, d.domain);
        if !d.enabled {
            push(
                Severity::Note,
                format!("{head} is disabled: it serves nothing while it stays off"),
            );
            continue;
        }
        let (how, oai) = match &d.origin_access {
            OriginAccess::Oac { id } => (format!("origin access control {id}"), None),
            OriginAccess::Oai { id } => (format!("origin access identity {id}"), Some(id.as_str())),
            OriginAccess::Anonymous => {
                ("no origin access control (anonymous requests)".into(), None)
            }
        };
        // Can CloudFront read the bucket at all?
        let can_read = match (&bucket.policy, policy) {
            (Fact::Unknown(e), _) => {
                push(
                    Severity::Unknown,
                    format!(
                        "{head} fetches with {how}; whether the bucket policy lets it read is {e}"
                    ),
                );
                continue;
            }
            (_, Some(p)) => p
                .statements
                .iter()
                .any(|st| policy::lets_cloudfront_read(st, &d.arn, oai)),
            (_, None) => false,
        };
        if !can_read {
            let why = match d.origin_access {
                OriginAccess::Anonymous => {
                    "it reads only what is public already (the ACL and policy verdicts above)"
                }
                _ => {
                    "the bucket policy does not let it read, so CloudFront gets 403 (one policy statement would open this door)"
                }
            };
            push(
                Severity::Note,
                format!("{head} has the bucket as an origin with {how}: {why}"),
            );
            continue;
        }
        let open: Vec<&str> = d
            .behaviours
            .iter()
            .filter(|b| !b.signed)
            .map(|b| b.path.as_str())
            .collect();
        let waf = match &d.web_acl {
            Some(w) => format!(
                "; web ACL {w} is attached (its rules may limit who gets through; warroom does not read them)"
            ),
            None => String::new(),
        };
        if d.behaviours.is_empty() {
            push(
                Severity::Note,
                format!(
                    "{head} can read the bucket ({how}) but no behaviour routes requests to it"
                ),
            );
        } else if open.is_empty() {
            push(
                Severity::Mitigated,
                format!(
                    "{head} serves the bucket ({how}) only to viewers with a signed URL or cookie{waf}"
                ),
            );
        } else {
            let paths: Vec<String> = open
                .iter()
                .map(|p| {
                    if *p == "*" {
                        "the default (*)".to_string()
                    } else {
                        format!("'{p}'")
                    }
                })
                .collect();
            let (noun, verb) = if paths.len() == 1 {
                ("behaviour", "asks")
            } else {
                ("behaviours", "ask")
            };
            push(
                Severity::Public,
                format!(
                    "{head} serves the bucket to anyone: {noun} {} {verb} no signed URL or cookie, and the bucket policy lets it read ({how}){waf}",
                    paths.join(", "),
                ),
            );
        }
    }
}

/// The second lock on an SSE-KMS bucket. An outside account that the
/// bucket lets read, and that the key lets decrypt, reads the objects
/// (shared, said with both locks); one the key refuses reads only
/// ciphertext of the objects under that key (said as mitigating, though
/// the verdict stays: objects under other keys or SSE-S3 are readable).
fn assess_kms(
    bucket: &BucketFacts,
    own: Option<&str>,
    policy: Option<&PolicyAnalysis>,
    reasons: &mut Vec<Reason>,
) {
    let key = match &bucket.kms {
        Fact::Known(Some(k)) => k,
        Fact::Known(None) => return,
        Fact::Unknown(e) => {
            reasons.push(Reason {
                severity: Severity::Note,
                source: Source::Kms { item: None },
                text: format!(
                    "KMS key: {}; whether anyone outside can decrypt is not known",
                    e.explained()
                ),
            });
            return;
        }
    };
    // The 12-digit accounts the bucket policy lets in (not OAIs or orgs).
    let shared: Vec<String> = policy
        .map(|p| p.shared_accounts())
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let mut push = |severity, item: Option<&str>, text: String| {
        reasons.push(Reason {
            severity,
            source: Source::Kms {
                item: item.map(str::to_string),
            },
            text,
        })
    };
    let name = key.arn.as_deref().unwrap_or(&key.named);
    if key.aws_managed {
        if !shared.is_empty() {
            push(
                Severity::Mitigated,
                None,
                format!(
                    "KMS key {name} is AWS managed (usable only in this account): accounts {} read only the objects not encrypted with it",
                    shared
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        return;
    }
    let own_account = own.unwrap_or_default();
    let mut outsiders = Vec::new();
    let mut unknown = Vec::new();
    match &key.policy {
        Fact::Known(Some(doc)) => match super::kms::policy_outsiders(doc, own_account) {
            Ok(o) => outsiders.extend(o),
            Err(e) => unknown.push(format!("its key policy could not be read as JSON ({e})")),
        },
        Fact::Known(None) => {}
        Fact::Unknown(e) => unknown.push(format!("its key policy is {}", e.explained())),
    }
    match &key.grants {
        Fact::Known(g) => outsiders.extend(super::kms::grant_outsiders(g, own_account)),
        Fact::Unknown(e) => unknown.push(format!("its grants are {}", e.explained())),
    }
    if !unknown.is_empty() {
        push(
            Severity::Note,
            None,
            format!(
                "KMS key {name}: {}; whether anyone outside can decrypt is not known",
                unknown.join("; ")
            ),
        );
    }
    let anyone = outsiders.iter().any(|o| o.who == "*");
    for o in &outsiders {
        let lets = if o.who == "*" {
            "lets anyone decrypt".to_string()
        } else {
            format!("lets account {} decrypt", o.who)
        };
        let both = o.who == "*" || shared.contains(&o.who);
        if both {
            push(
                Severity::Shared,
                Some(&o.by),
                format!(
                    "KMS key {name} {lets} ({}), and the bucket lets it read: both locks open",
                    o.by
                ),
            );
        } else {
            push(
                Severity::Note,
                Some(&o.by),
                format!(
                    "KMS key {name} {lets} ({}); the bucket itself does not let that account read (one bucket grant would open both locks)",
                    o.by
                ),
            );
        }
    }
    if anyone {
        return;
    }
    let refused: Vec<&str> = shared
        .iter()
        .filter(|a| !outsiders.iter().any(|o| &o.who == *a))
        .map(|a| a.as_str())
        .collect();
    if !refused.is_empty() && unknown.is_empty() {
        push(
            Severity::Mitigated,
            None,
            format!(
                "KMS key {name} lets no one in account {} decrypt: its bucket grant reads only the objects not encrypted with this key",
                refused.join(", ")
            ),
        );
    }
}

fn object_permission_meaning(permission: &str) -> &'static str {
    match permission {
        "READ" => "read the object",
        "READ_ACP" => "read the object's ACL",
        "WRITE_ACP" => "rewrite the object's ACL",
        "FULL_CONTROL" => "read it and rewrite its ACL",
        _ => "unrecognised permission",
    }
}

fn acl_permission_meaning(permission: &str) -> &'static str {
    match permission {
        "READ" => "list the objects",
        "WRITE" => "create, overwrite and delete objects",
        "READ_ACP" => "read the bucket ACL",
        "WRITE_ACP" => "rewrite the bucket ACL (take over access)",
        "FULL_CONTROL" => "list, write, read and rewrite the ACL",
        _ => "unrecognised permission",
    }
}

fn note_future_only_blocks(pab: &EffectivePab, reasons: &mut Vec<Reason>) {
    let future_only = [
        (
            &pab.block_public_acls,
            &pab.ignore_public_acls,
            "BlockPublicAcls",
            "IgnorePublicAcls",
            "ACLs",
        ),
        (
            &pab.block_public_policy,
            &pab.restrict_public_buckets,
            "BlockPublicPolicy",
            "RestrictPublicBuckets",
            "policies",
        ),
    ];
    for (blocks, neutralises, block_name, neutral_name, what) in future_only {
        if blocks.is_on() && !neutralises.is_on() {
            reasons.push(Reason {
                severity: Severity::Note,
                source: Source::PublicAccessBlock,
                text: format!(
                    "{block_name} only refuses new public {what}; existing ones stay in force unless {neutral_name} is on"
                ),
            });
        }
    }
}

fn unknown(field: &'static str, what: &str, e: &FieldError) -> Reason {
    Reason {
        severity: Severity::Unknown,
        source: Source::Field { field },
        text: format!("{what}: {}", e.explained()),
    }
}

/// Who can change a bucket's own configuration (policy, ACL, Block Public
/// Access …) from outside the account: the playbook locks that before
/// anything else, since such a principal could undo every later fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlPlane {
    /// The bucket policy holds warroom's Deny for everyone outside the
    /// account ([`policy::CONTROL_LOCK_SID`]).
    Locked,
    /// Nobody outside the account has such a grant.
    Closed,
    /// These grants let an outsider change the configuration.
    Open(Vec<String>),
    /// The policy or the ACL could not be read.
    Unknown(String),
}

pub fn control_plane(bucket: &BucketFacts, a: &Assessment) -> ControlPlane {
    let policy = match &bucket.policy {
        Fact::Known(p) => p.is_some().then_some(a.policy.as_ref()).flatten(),
        Fact::Unknown(e) => return ControlPlane::Unknown(format!("bucket policy: {}", e.code)),
    };
    // A document that could not be analysed is not known to be closed.
    if matches!(bucket.policy, Fact::Known(Some(_))) && policy.is_none() {
        return ControlPlane::Unknown("the bucket policy could not be analysed".into());
    }
    if policy.is_some_and(|p| {
        p.statements.iter().any(|s| {
            s.effect == policy::Effect::Deny && s.sid.as_deref() == Some(policy::CONTROL_LOCK_SID)
        })
    }) {
        return ControlPlane::Locked;
    }
    let mut open = Vec::new();
    for s in policy.map(|p| p.statements.as_slice()).unwrap_or_default() {
        let outside = match &s.exposure {
            // RestrictPublicBuckets leaves a public statement to the
            // account's own principals and AWS services only.
            StatementExposure::Public { .. } => !a.effective_pab.restrict_public_buckets.is_on(),
            StatementExposure::CrossAccount { .. } => true,
            _ => false,
        };
        if s.effect == policy::Effect::Allow
            && outside
            && s.access.change_permissions
            && s.denied_by.is_none()
        {
            open.push(format!(
                "policy statement {}{} lets outsiders change permissions",
                s.index + 1,
                s.sid
                    .as_ref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            ));
        }
    }
    let acl = match &bucket.acl {
        Fact::Known(acl) => acl,
        Fact::Unknown(e) => return ControlPlane::Unknown(format!("bucket ACL: {}", e.code)),
    };
    let enforced =
        bucket.object_ownership.known().and_then(|o| o.as_deref()) == Some("BucketOwnerEnforced");
    for g in &acl.grants {
        if enforced || !matches!(g.permission.as_str(), "WRITE_ACP" | "FULL_CONTROL") {
            continue;
        }
        let who = match &g.grantee {
            Grantee::AllUsers | Grantee::AuthenticatedUsers
                if !a.effective_pab.ignore_public_acls.is_on() =>
            {
                Some(if g.grantee == Grantee::AllUsers {
                    "everyone"
                } else {
                    "any AWS account"
                })
            }
            Grantee::CanonicalUser { id, .. } if acl.owner_id.as_deref() != Some(id.as_str()) => {
                Some("another account")
            }
            Grantee::Email { .. } => Some("another account"),
            _ => None,
        };
        if let Some(who) = who {
            open.push(format!("ACL grants {} to {who}", g.permission));
        }
    }
    if open.is_empty() {
        ControlPlane::Closed
    } else {
        ControlPlane::Open(open)
    }
}
