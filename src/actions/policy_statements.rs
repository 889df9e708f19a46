//! Action: take the public and cross-account access out of a bucket policy,
//! in the playbook's order.
//!
//! Step 1, **control plane**: while someone outside the account can still
//! change the bucket's policy, ACL or Block Public Access, any other fix can
//! be reverted by them. So the first step adds one Deny statement: nobody
//! outside the owner's account may call the permission-changing actions on
//! this bucket. Nothing else changes, so nothing the business relies on
//! breaks.
//!
//! Step 2, **data plane**: the Allow statements that make the bucket public
//! or shared with other accounts are removed; every other statement (and the
//! step-1 Deny) stays exactly as written.
//!
//! Both steps show a line diff of the document. Undo puts the exact prior
//! document back.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::policy::{self, Effect, Owner, PolicyAnalysis, StatementExposure};

/// The Sid of the statement step 1 adds (and how warroom recognises it).
pub const DENY_SID: &str = crate::model::policy::CONTROL_LOCK_SID;

/// A bucket without a policy, as a document the lock can be added to.
pub(crate) const NO_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;

/// The bucket-configuration actions an outsider must not keep: with any of
/// them they could undo the containment.
pub const CONTROL_PLANE_ACTIONS: &[&str] = &[
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutReplicationConfiguration",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketWebsite",
    "s3:PutBucketCORS",
    "s3:PutBucketLogging",
    "s3:PutBucketNotification",
    "s3:DeleteBucket",
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Whichever comes next: control plane if not yet locked, else data.
    #[default]
    Next,
    ControlPlane,
    DataPlane,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    #[serde(default)]
    pub step: Step,
}

fn is_outside(exposure: &StatementExposure) -> bool {
    matches!(
        exposure,
        StatementExposure::Public { .. } | StatementExposure::CrossAccount { .. }
    )
}

fn has_lock(doc: &Value) -> bool {
    statements(doc)
        .iter()
        .any(|s| s.get("Sid").and_then(Value::as_str) == Some(DENY_SID))
}

pub(crate) fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(item @ Value::Object(_)) => vec![item.clone()],
        _ => Vec::new(),
    }
}

/// Does any outside statement let its principals change permissions?
fn outsiders_control(analysis: &PolicyAnalysis) -> bool {
    analysis.statements.iter().any(|s| {
        s.effect == Effect::Allow && is_outside(&s.exposure) && s.access.change_permissions
    })
}

/// The new document for `step`, and what it changes (one line each).
pub fn rewrite(
    document: &str,
    bucket: &str,
    account: &str,
    step: Step,
) -> Result<(Value, Vec<String>), String> {
    let mut doc: Value = serde_json::from_str(document).map_err(|e| e.to_string())?;
    let owner = Owner {
        account_id: Some(account),
        canonical_id: None,
        org_id: None,
    };
    let analysis = policy::analyze(document, &owner).map_err(|e| e.to_string())?;
    let mut items = statements(&doc);
    let mut changes = Vec::new();
    match step {
        Step::ControlPlane => {
            items.push(json!({
                "Sid": DENY_SID,
                "Effect": "Deny",
                "Principal": "*",
                "Action": CONTROL_PLANE_ACTIONS,
                "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
                "Condition": {"StringNotEquals": {"aws:PrincipalAccount": account}},
            }));
            changes.push(format!(
                "add Deny {DENY_SID}: only account {account} may change this bucket's policy, ACLs, Block Public Access and other configuration"
            ));
        }
        Step::DataPlane | Step::Next => {
            let mut kept = Vec::new();
            for (item, st) in items.into_iter().zip(&analysis.statements) {
                if st.effect == Effect::Allow && is_outside(&st.exposure) {
                    let who = match &st.exposure {
                        StatementExposure::Public { .. } => "public".to_string(),
                        StatementExposure::CrossAccount { accounts, .. } => {
                            format!("shared with {}", accounts.join(", "))
                        }
                        _ => String::new(),
                    };
                    changes.push(format!(
                        "remove {} [{who}]: {}",
                        st.label(),
                        st.access.describe()
                    ));
                } else {
                    kept.push(item);
                }
            }
            items = kept;
        }
    }
    if let Some(obj) = doc.as_object_mut() {
        // Keep the key as the document spelled it (S3 accepts any case).
        let key = obj
            .keys()
            .find(|k| k.eq_ignore_ascii_case("Statement"))
            .cloned()
            .unwrap_or_else(|| "Statement".to_string());
        obj.insert(key, Value::Array(items));
    }
    Ok((doc, changes))
}

/// A line diff of two documents, pretty-printed: changed lines with two
/// lines of context, "…" where unchanged lines are left out.
pub fn line_diff(before: &Value, after: &Value) -> Vec<String> {
    let a = serde_json::to_string_pretty(before).unwrap_or_default();
    let b = serde_json::to_string_pretty(after).unwrap_or_default();
    let diff = similar::TextDiff::from_lines(&a, &b);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(2).iter().enumerate() {
        if i > 0 {
            out.push("  …".to_string());
        }
        for op in group {
            for c in diff.iter_changes(op) {
                let sign = match c.tag() {
                    similar::ChangeTag::Delete => "- ",
                    similar::ChangeTag::Insert => "+ ",
                    similar::ChangeTag::Equal => "  ",
                };
                out.push(format!("{sign}{}", c.value().trim_end_matches('\n')));
            }
        }
    }
    out
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let found = containment::bucket_policy(c, bucket, &region).await?;
    // What undo goes back to: the document, or no policy at all.
    let prior = found.clone().map_or(Value::Null, Value::String);
    let document = match found {
        Some(d) => d,
        // The lock needs no policy to sit in: it becomes the policy (an
        // outsider with an ACL grant of WRITE_ACP is stopped by it too).
        None if a.step == Step::ControlPlane => NO_POLICY.into(),
        None => {
            return Err(ActionError::NothingToDo(format!(
                "{bucket} has no bucket policy"
            )));
        }
    };
    let account = c.identity().await?.account;
    let unreadable = |e: String| {
        ActionError::NothingToDo(format!(
            "the policy of {bucket} cannot be analysed ({e}); delete-bucket-policy removes it whole"
        ))
    };
    let doc: Value = serde_json::from_str(&document).map_err(|e| unreadable(e.to_string()))?;
    let analysis = policy::analyze(
        &document,
        &Owner {
            account_id: Some(&account),
            canonical_id: None,
            org_id: None,
        },
    )
    .map_err(|e| unreadable(e.to_string()))?;
    let outside = analysis
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && is_outside(&s.exposure))
        .count();
    let control_needed = outsiders_control(&analysis) && !has_lock(&doc);
    let step = match a.step {
        Step::Next if control_needed => Step::ControlPlane,
        Step::Next => Step::DataPlane,
        s => s,
    };
    match step {
        Step::ControlPlane if has_lock(&doc) => {
            return Err(ActionError::NothingToDo(format!(
                "the control plane of {bucket} is already locked to account {account}"
            )));
        }
        Step::DataPlane | Step::Next if outside == 0 => {
            return Err(ActionError::NothingToDo(format!(
                "no statement in the policy of {bucket} grants public or cross-account access"
            )));
        }
        _ => {}
    }
    let (new_doc, changes) = rewrite(&document, bucket, &account, step).map_err(unreadable)?;
    let empties = statements(&new_doc).is_empty();
    let (summary, blast) = match step {
        Step::ControlPlane => (
            format!("step 1 of 2: lock the control plane of {bucket} to account {account}"),
            format!(
                "Principals outside account {account} can no longer change the policy, ACLs, Block Public Access or other configuration of {bucket}. Their data access is unchanged until step 2. Nothing inside the account is affected."
            ),
        ),
        _ => (
            format!(
                "{}remove {outside} public/shared statement(s) from the policy",
                if has_lock(&doc) || control_needed {
                    "step 2 of 2: "
                } else {
                    ""
                }
            ),
            format!(
                "Access granted by {} stops at once: {}. Statements that only grant this account, AWS services or a VPC stay.{}",
                if outside == 1 {
                    "that statement"
                } else {
                    "those statements"
                },
                changes.join("; "),
                if empties {
                    " No statement would remain, so the policy is deleted instead."
                } else {
                    ""
                }
            ),
        ),
    };
    Ok(Plan {
        spec: ActionSpec::RemovePolicyStatements(Args {
            bucket: bucket.to_string(),
            step,
        }),
        summary,
        before: changes
            .iter()
            .map(|_| "(current policy)".to_string())
            .collect(),
        after: changes.clone(),
        // With no statement left the policy is deleted: the diff says so
        // rather than showing an empty "Statement": [] that never exists.
        diff: if empties {
            let mut d: Vec<String> = line_diff(&doc, &Value::Null)
                .into_iter()
                .filter(|l| !l.starts_with("+ "))
                .collect();
            d.push("+ (no policy: the bucket policy is deleted)".to_string());
            d
        } else {
            line_diff(&doc, &new_doc)
        },
        blast_radius: blast,
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo puts the exact recorded policy document back".into(),
        undoable: true,
        prior,
        region,
    })
}

/// The document the plan intends, recomputed from the recorded prior one.
fn intended(a: &Args, plan: &Plan, account: &str) -> Result<Option<String>, AwsError> {
    let prior = plan.prior.as_str().unwrap_or(NO_POLICY);
    let (doc, _) = rewrite(prior, &a.bucket, account, a.step)
        .map_err(|e| AwsError::new("UnreadablePriorState", e))?;
    Ok(if statements(&doc).is_empty() {
        None
    } else {
        Some(serde_json::to_string(&doc).unwrap_or_default())
    })
}

/// The account id is inside the step-1 Deny; read it again at apply (same
/// credentials as at plan) rather than trust a cached one.
async fn account(c: &Clients) -> Result<String, AwsError> {
    Ok(c.identity().await?.account)
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let doc = intended(a, plan, &account(cx.clients).await?)?;
    containment::set_bucket_policy(cx.clients, &a.bucket, &plan.region, doc.as_deref()).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let account = account(c).await?;
    let now = containment::bucket_policy(c, &a.bucket, &plan.region).await?;
    let Some(now) = now else {
        return Ok(Verification {
            ok: intended(a, plan, &account)?.is_none(),
            detail: "read back: the bucket has no policy".into(),
        });
    };
    let owner = Owner {
        account_id: Some(&account),
        canonical_id: None,
        org_id: None,
    };
    let analysis = policy::analyze(&now, &owner)
        .map_err(|e| AwsError::new("UnreadablePolicy", e.to_string()))?;
    let doc: Value = serde_json::from_str(&now).unwrap_or(Value::Null);
    Ok(match a.step {
        Step::ControlPlane => Verification {
            ok: has_lock(&doc),
            detail: if has_lock(&doc) {
                "read back: the control-plane Deny is in the policy".into()
            } else {
                "read back: the control-plane Deny is missing".into()
            },
        },
        _ => {
            let left = analysis
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow && is_outside(&s.exposure))
                .count();
            Verification {
                ok: left == 0,
                detail: format!(
                    "read back: {left} public/shared statement(s) left, {} statement(s) in the policy",
                    analysis.statements.len()
                ),
            }
        }
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    super::bucket_policy::restore_policy(cx, &a.bucket, region, prior).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Public","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::b/*"},
        {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
        {"Sid":"Internal","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/app"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"},
        {"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}
    ]}"#;

    #[test]
    fn control_plane_step_adds_one_deny_and_changes_nothing_else() {
        let (doc, changes) =
            rewrite(DOC, "b", "111111111111", Step::ControlPlane).expect("rewrites");
        let items = statements(&doc);
        assert_eq!(items.len(), 5);
        let before: Value = serde_json::from_str(DOC).expect("json");
        assert_eq!(items[..4], statements(&before)[..]);
        assert_eq!(items[4]["Sid"], DENY_SID);
        assert_eq!(items[4]["Effect"], "Deny");
        assert_eq!(
            items[4]["Condition"]["StringNotEquals"]["aws:PrincipalAccount"],
            "111111111111"
        );
        assert_eq!(changes.len(), 1);
        // The analyser sees the new statement as a Deny, not a grant.
        let text = serde_json::to_string(&doc).expect("json");
        let owner = Owner {
            account_id: Some("111111111111"),
            canonical_id: None,
            org_id: None,
        };
        let a = policy::analyze(&text, &owner).expect("analyses");
        assert!(matches!(
            a.statements[4].exposure,
            StatementExposure::Deny { .. }
        ));
    }

    #[test]
    fn data_plane_step_removes_public_and_shared_statements_only() {
        let (doc, changes) = rewrite(DOC, "b", "111111111111", Step::DataPlane).expect("rewrites");
        let kept = statements(&doc);
        let sids: Vec<&str> = kept.iter().filter_map(|s| s["Sid"].as_str()).collect();
        assert_eq!(sids, ["Internal", "TLS"]);
        assert_eq!(changes.len(), 2);
        assert!(changes[0].contains("public"), "{changes:?}");
        assert!(changes[1].contains("999999999999"), "{changes:?}");
    }

    #[test]
    fn diff_marks_added_and_removed_lines() {
        let before: Value = serde_json::from_str(DOC).expect("json");
        let (after, _) = rewrite(DOC, "b", "111111111111", Step::DataPlane).expect("rewrites");
        let diff = line_diff(&before, &after);
        assert!(
            diff.iter()
                .any(|l| l.starts_with("- ") && l.contains("\"Public\""))
        );
        assert!(
            !diff
                .iter()
                .any(|l| l.starts_with("- ") && l.contains("\"Internal\""))
        );
        assert!(!diff.iter().any(|l| l.starts_with("+ ")));
    }
}
