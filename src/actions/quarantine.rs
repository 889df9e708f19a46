//! Action: quarantine a bucket, the containment AWS's own runbook uses.
//! One bucket policy statement denies every S3 action on the bucket and its
//! objects to everyone except named break-glass principals (by default the
//! responder's own role or user). A bucket policy applies to requests
//! through access points too, and to replication and CloudFront's reads, so
//! every door shuts at once; the rest of the policy stays as written.
//! Undo puts the exact prior document back (or no policy).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::policy_statements::{NO_POLICY, line_diff, statements};
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::policy::{self, Owner, StatementExposure};

/// The Sid of the quarantine statement (and how warroom recognises it).
pub const QUARANTINE_SID: &str = crate::model::policy::QUARANTINE_SID;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// Principal ARNs that keep access (break-glass). Empty: the caller.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
}

/// The ARN `aws:PrincipalArn` carries for a caller: for an assumed-role
/// session that is the role, not the session.
pub fn principal_arn(caller: &str) -> String {
    let Some(rest) = caller.strip_prefix("arn:aws:sts::") else {
        return caller.to_string();
    };
    let mut parts = rest.splitn(2, ':');
    let (Some(account), Some(res)) = (parts.next(), parts.next()) else {
        return caller.to_string();
    };
    match res
        .strip_prefix("assumed-role/")
        .and_then(|r| r.split('/').next())
    {
        Some(role) => format!("arn:aws:iam::{account}:role/{role}"),
        None => caller.to_string(),
    }
}

fn quarantine_statement(bucket: &str, keep: &[String]) -> Value {
    json!({
        "Sid": QUARANTINE_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": keep}},
    })
}

fn has_quarantine(doc: &Value) -> bool {
    statements(doc)
        .iter()
        .any(|s| s.get("Sid").and_then(Value::as_str) == Some(QUARANTINE_SID))
}

/// The policy with the quarantine statement added.
fn intended(prior: Option<&str>, bucket: &str, keep: &[String]) -> Result<Value, String> {
    with_statement(prior, quarantine_statement(bucket, keep))
}

/// The policy (or none) with one statement added; the rest stays as
/// written. Shared by the actions that add one Deny to a bucket policy.
pub(super) fn with_statement(prior: Option<&str>, statement: Value) -> Result<Value, String> {
    let mut doc: Value =
        serde_json::from_str(prior.unwrap_or(NO_POLICY)).map_err(|e| e.to_string())?;
    let mut items = statements(&doc);
    items.push(statement);
    doc["Statement"] = Value::Array(items);
    if doc.get("Version").is_none() {
        doc["Version"] = json!("2012-10-17");
    }
    Ok(doc)
}

async fn keepers(c: &Clients, a: &Args) -> Result<Vec<String>, AwsError> {
    break_glass(c, &a.keep).await
}

/// The break-glass principals: those named, or else the caller (by its
/// role, for a session).
pub(super) async fn break_glass(c: &Clients, keep: &[String]) -> Result<Vec<String>, AwsError> {
    if !keep.is_empty() {
        return Ok(keep.to_vec());
    }
    Ok(vec![principal_arn(&c.identity().await?.arn)])
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = containment::bucket_policy(c, bucket, &region).await?;
    let before: Value =
        serde_json::from_str(prior.as_deref().unwrap_or(NO_POLICY)).map_err(|e| {
            ActionError::NotPossible(format!(
                "the policy of {bucket} is not JSON ({e}); delete-bucket-policy removes it whole"
            ))
        })?;
    if has_quarantine(&before) {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} is already quarantined"
        )));
    }
    let keep = keepers(c, a).await?;
    let after = intended(prior.as_deref(), bucket, &keep).map_err(ActionError::NotPossible)?;
    // Who loses access: everyone the policy names, and every principal of
    // the account, AWS service and access point that reaches the bucket.
    let account = c.identity().await?.account;
    let owner = Owner {
        account_id: Some(&account),
        canonical_id: None,
        org_id: None,
    };
    let mut losers: Vec<String> = prior
        .as_deref()
        .and_then(|d| policy::analyze(d, &owner).ok())
        .map(|p| {
            p.statements
                .iter()
                .filter(|s| s.effect == policy::Effect::Allow && s.access.any())
                .map(|s| {
                    let who = match &s.exposure {
                        StatementExposure::Public { .. } => "anyone".to_string(),
                        StatementExposure::CrossAccount { accounts, .. } => accounts.join(", "),
                        _ => "this account's principals named there".to_string(),
                    };
                    format!("loses access: {who} (granted by policy {})", s.label())
                })
                .collect()
        })
        .unwrap_or_default();
    losers.push(format!(
        "loses access: every other IAM user and role of account {account}, applications included"
    ));
    losers.push("loses access: AWS services reading it (replication, CloudFront, log delivery, inventory) and every access point".into());
    losers.push(format!("keeps access: {}", keep.join(", ")));
    Ok(Plan {
        spec: ActionSpec::Quarantine(Args {
            bucket: a.bucket.clone(),
            keep: keep.clone(),
        }),
        summary: format!(
            "quarantine {bucket}: deny every S3 action to everyone but {}",
            keep.join(", ")
        ),
        before: losers,
        after: vec![format!(
            "add Deny {QUARANTINE_SID}; every other statement stays as written"
        )],
        diff: line_diff(&before, &after),
        blast_radius: format!(
            "Nothing but {} can read, write, list or reconfigure {bucket}, through any door: the business's own applications stop too. Use it when the way in is not yet known; lift it with undo once the doors are closed one by one.",
            keep.join(", ")
        ),
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo puts the exact recorded policy back (or no policy)".into(),
        undoable: true,
        prior: prior.map_or(Value::Null, Value::String),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let doc = intended(plan.prior.as_str(), &a.bucket, &a.keep)
        .map_err(|e| AwsError::new("UnreadablePriorState", e))?;
    let text = serde_json::to_string(&doc).map_err(|e| AwsError::new("Encode", e.to_string()))?;
    containment::set_bucket_policy(cx.clients, &a.bucket, &plan.region, Some(&text)).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let now = containment::bucket_policy(c, &a.bucket, &plan.region).await?;
    let doc: Value = now
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(Value::Null);
    let ok = statements(&doc).iter().any(|s| {
        s.get("Sid").and_then(Value::as_str) == Some(QUARANTINE_SID)
            && *s == quarantine_statement(&a.bucket, &a.keep)
    });
    Ok(Verification {
        ok,
        detail: if ok {
            format!(
                "read back: the quarantine statement is in the policy; only {} keeps access",
                a.keep.join(", ")
            )
        } else {
            "read back: the quarantine statement is missing or changed".into()
        },
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

    #[test]
    fn a_session_keeps_access_by_its_role_and_the_rest_of_the_policy_stays() {
        assert_eq!(
            principal_arn("arn:aws:sts::123456789012:assumed-role/ir-responder/ana"),
            "arn:aws:iam::123456789012:role/ir-responder"
        );
        assert_eq!(
            principal_arn("arn:aws:iam::123456789012:user/ana"),
            "arn:aws:iam::123456789012:user/ana"
        );
        let prior = r#"{"Version":"2012-10-17","Statement":[{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        let keep = vec!["arn:aws:iam::123456789012:role/ir".to_string()];
        let doc = intended(Some(prior), "b", &keep).expect("doc");
        let items = statements(&doc);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["Sid"], "App");
        assert_eq!(items[1]["Effect"], "Deny");
        assert_eq!(
            items[1]["Condition"]["ArnNotLike"]["aws:PrincipalArn"][0],
            keep[0]
        );
        assert!(has_quarantine(&doc));
        let fresh = intended(None, "b", &keep).expect("doc");
        assert_eq!(statements(&fresh).len(), 1);
    }
}
