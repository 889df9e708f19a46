//! Action: delete a bucket policy. The prior document is recorded exactly as
//! S3 returned it; undo puts that document back and checks the one read back
//! is identical.

use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Plan, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::policy::{self, Owner, StatementExposure};

pub async fn plan(c: &Clients, bucket: &str) -> Result<Plan, ActionError> {
    let region = bucket_region(c, bucket)
        .await
        .map_err(ActionError::Capture)?;
    let Some(document) = containment::bucket_policy(c, bucket, &region)
        .await
        .map_err(ActionError::Capture)?
    else {
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
        spec: ActionSpec::DeleteBucketPolicy {
            bucket: bucket.to_string(),
        },
        summary: "delete the bucket policy".into(),
        before: statements.clone(),
        after: statements.iter().map(|_| "(removed)".to_string()).collect(),
        blast_radius: blast,
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo puts the exact recorded policy document back".into(),
        prior: Value::String(document),
        region,
    })
}

pub async fn apply(c: &Clients, bucket: &str, region: &str) -> Result<(), AwsError> {
    containment::set_bucket_policy(c, bucket, region, None).await
}

pub async fn verify(c: &Clients, bucket: &str, region: &str) -> Result<Verification, AwsError> {
    Ok(match containment::bucket_policy(c, bucket, region).await? {
        None => Verification {
            ok: true,
            detail: "read back: the bucket has no policy".into(),
        },
        Some(_) => Verification {
            ok: false,
            detail: "read back: a policy is still present".into(),
        },
    })
}

pub async fn current(c: &Clients, bucket: &str, region: &str) -> Result<Value, AwsError> {
    Ok(containment::bucket_policy(c, bucket, region)
        .await?
        .map_or(Value::Null, Value::String))
}

pub async fn restore(
    c: &Clients,
    bucket: &str,
    region: &str,
    prior: &Value,
) -> Result<(), AwsError> {
    containment::set_bucket_policy(c, bucket, region, prior.as_str()).await
}
