//! Action: deny destruction. One bucket policy statement denies deleting
//! objects and versions, and rewriting lifecycle, versioning and default
//! encryption, to everyone but named break-glass principals (by default the
//! responder's own role or user): the moves of a ransomware actor who
//! deletes the versions a restore needs, plants an expiry rule, suspends
//! versioning or changes the encryption. Reads and writes go on, so the
//! business keeps working; the rest of the policy stays as written. Undo
//! puts the exact prior document back (or no policy).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::policy_statements::{NO_POLICY, line_diff, statements};
use super::quarantine::{break_glass, with_statement};
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};

/// The Sid of the statement (and how warroom recognises it).
pub const DENY_DESTRUCTION_SID: &str = "WarroomDenyDestruction";

/// What the statement denies: the destructive half of S3.
pub const DENIED: &[&str] = &[
    "s3:DeleteObject*",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// Principal ARNs that keep these rights (break-glass). Empty: the caller.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
}

fn statement(bucket: &str, keep: &[String]) -> Value {
    json!({
        "Sid": DENY_DESTRUCTION_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": DENIED,
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": keep}},
    })
}

fn has_it(doc: &Value) -> bool {
    statements(doc)
        .iter()
        .any(|s| s.get("Sid").and_then(Value::as_str) == Some(DENY_DESTRUCTION_SID))
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
    if has_it(&before) {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} already denies destruction"
        )));
    }
    let keep = break_glass(c, &a.keep).await?;
    let after = with_statement(prior.as_deref(), statement(bucket, &keep))
        .map_err(ActionError::NotPossible)?;
    Ok(Plan {
        spec: ActionSpec::DenyDestruction(Args {
            bucket: a.bucket.clone(),
            keep: keep.clone(),
        }),
        summary: format!(
            "deny deletes and lifecycle, versioning and encryption changes on {bucket} to all but {}",
            keep.join(", ")
        ),
        before: vec![
            format!("denied to everyone else: {}", DENIED.join(", ")),
            "still allowed: reads, writes, listing (the business keeps working)".into(),
            format!("keeps every right: {}", keep.join(", ")),
        ],
        after: vec![format!(
            "add Deny {DENY_DESTRUCTION_SID}; every other statement stays as written"
        )],
        diff: line_diff(&before, &after),
        blast_radius: format!(
            "Nobody but {} can delete an object or a version of {bucket}, or change its lifecycle \
             rules, versioning or default encryption: the versions a restore needs stay, a \
             planted expiry cannot be added. Applications that delete objects (clean-up jobs, \
             lifecycle tooling) fail until undo. Lifecycle rules already in place keep running: \
             remove a planted one too.",
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
    let doc = with_statement(plan.prior.as_str(), statement(&a.bucket, &a.keep))
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
    let ok = statements(&doc)
        .iter()
        .any(|s| *s == statement(&a.bucket, &a.keep));
    Ok(Verification {
        ok,
        detail: if ok {
            format!(
                "read back: the deny-destruction statement is in the policy; only {} may delete or reconfigure",
                a.keep.join(", ")
            )
        } else {
            "read back: the deny-destruction statement is missing or changed".into()
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
