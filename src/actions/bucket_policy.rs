//! Action: delete a bucket policy. The prior document is recorded exactly as
//! S3 returned it; undo puts that document back and checks the one read back
//! is identical.

use serde_json::Value;

use super::{ActionError, ActionSpec, Bucket, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::policy::{self, Owner, StatementExposure};

pub async fn plan(c: &Clients, a: &Bucket) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let Some(document) = containment::bucket_policy(c, bucket, &region).await? else {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} has no bucket policy"
        )));
    };
    // What goes away with it: every statement, public ones named first.
    let statements: Vec<String> = match policy::analyze(&document, &Owner::default()) {
        Ok(a) => a
            .statements
            .iter()
            .map(|st| {
                let kind = match st.exposure {
                    StatementExposure::Public { .. } => "PUBLIC",
                    StatementExposure::CrossAccount { .. } => "shared",
                    StatementExposure::Deny { .. } => "deny",
                    _ => "internal",
                };
                format!("{} [{kind}]: {}", st.label(), st.access.describe())
            })
            .collect(),
        Err(e) => vec![format!("(policy not analysable: {e})")],
    };
    let denies = statements.iter().filter(|s| s.contains("[deny]")).count();
    let mut blast = format!(
        "Removes the policy on {bucket} ({}). Public and cross-account grants stop at once; so does any access this account's roles, other accounts or AWS services get only through this policy (log delivery, CloudFront, replication)",
        match statements.len() {
            1 => "1 statement".to_string(),
            n => format!("{n} statements"),
        }
    );
    if denies > 0 {
        blast.push_str(&format!(
            ", and {denies} Deny statement(s) stop protecting the bucket"
        ));
    }
    blast.push('.');
    Ok(Plan {
        spec: ActionSpec::DeleteBucketPolicy(a.clone()),
        summary: "delete the bucket policy".into(),
        before: statements.clone(),
        after: statements.iter().map(|_| "(removed)".to_string()).collect(),
        diff: Vec::new(),
        blast_radius: blast,
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo puts the exact recorded policy document back".into(),
        undoable: true,
        prior: Value::String(document),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Bucket, plan: &Plan) -> Result<(), AwsError> {
    containment::set_bucket_policy(cx.clients, &a.bucket, &plan.region, None).await
}

pub async fn verify(c: &Clients, a: &Bucket, plan: &Plan) -> Result<Verification, AwsError> {
    Ok(
        match containment::bucket_policy(c, &a.bucket, &plan.region).await? {
            None => Verification {
                ok: true,
                detail: "read back: the bucket has no policy".into(),
            },
            Some(_) => Verification {
                ok: false,
                detail: "read back: a policy is still present".into(),
            },
        },
    )
}

/// Put the recorded document back (or remove the policy if there was none)
/// and compare the document read back, byte for byte.
pub async fn restore_policy(
    cx: &Cx<'_>,
    bucket: &str,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    containment::set_bucket_policy(cx.clients, bucket, region, prior.as_str()).await?;
    let now = containment::bucket_policy(cx.clients, bucket, region)
        .await
        .map(|d| d.map_or(Value::Null, Value::String));
    Ok(compare_with_prior(now, prior))
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Bucket,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    restore_policy(cx, &a.bucket, region, prior).await
}
