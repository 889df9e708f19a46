//! Action: reset the bucket ACL to FULL_CONTROL for the bucket owner only.
//! Undo writes the recorded ACL back exactly.

use serde_json::Value;

use super::{
    ActionError, ActionSpec, Bucket, Confirm, Cx, Plan, Verification, compare_read_with_prior,
};
use crate::aws::acl::{is_owner_only, owner_only};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::facts::{Acl, Grant, Grantee};

/// One line per grant, for the before/after diff.
pub fn describe(acl: &Acl) -> Vec<String> {
    acl.grants
        .iter()
        .map(|g| {
            let who = match &g.grantee {
                Grantee::AllUsers => "Everyone (AllUsers)".to_string(),
                Grantee::AuthenticatedUsers => "any AWS account (AuthenticatedUsers)".to_string(),
                Grantee::LogDelivery => "S3 log delivery".to_string(),
                Grantee::OtherGroup { uri } => format!("group {uri}"),
                Grantee::Email { address } => format!("account of {address}"),
                Grantee::CanonicalUser { id, .. } if Some(id) == acl.owner_id.as_ref() => {
                    "the bucket owner".to_string()
                }
                Grantee::CanonicalUser { id, .. } => format!("canonical user {id}"),
            };
            format!("{who}: {}", g.permission)
        })
        .collect()
}

fn owner_id(acl: &Acl, bucket: &str) -> Result<String, ActionError> {
    acl.owner_id.clone().ok_or_else(|| {
        ActionError::Capture(AwsError::new(
            "NoOwner",
            format!("the ACL of {bucket} names no owner, so owner-only cannot be written"),
        ))
    })
}

pub async fn plan(c: &Clients, a: &Bucket) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = containment::bucket_acl(c, bucket, &region).await?;
    let owner = owner_id(&prior, bucket)?;
    if is_owner_only(&prior, &owner) {
        return Err(ActionError::NothingToDo(format!(
            "the ACL of {bucket} already grants FULL_CONTROL to the owner only"
        )));
    }
    let target = owner_only(&prior, &owner);
    let losing: Vec<&Grant> = prior
        .grants
        .iter()
        .filter(|g| !matches!(&g.grantee, Grantee::CanonicalUser { id, .. } if *id == owner))
        .collect();
    let log_delivery = losing
        .iter()
        .any(|g| matches!(g.grantee, Grantee::LogDelivery));
    let mut blast = format!(
        "Removes {} grant(s) from the ACL of {bucket}; only the bucket owner keeps access through the bucket ACL. Object ACLs and the bucket policy are not changed.",
        losing.len()
    );
    if log_delivery {
        blast.push_str(
            " S3 server access logging into this bucket stops (LogDelivery loses its grant).",
        );
    }
    Ok(Plan {
        spec: ActionSpec::ResetBucketAcl(a.clone()),
        summary: "reset the bucket ACL to owner-only FULL_CONTROL".into(),
        before: describe(&prior),
        after: describe(&target),
        diff: Vec::new(),
        blast_radius: blast,
        // One rule for this action, whatever the state (see Confirm).
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo writes the recorded ACL back exactly".into(),
        undoable: true,
        prior: serde_json::to_value(&prior).unwrap_or(Value::Null),
        region,
    })
}

fn prior_acl(v: &Value) -> Result<Acl, AwsError> {
    super::recorded(v, "bucket ACL")
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Bucket, plan: &Plan) -> Result<(), AwsError> {
    let prior = prior_acl(&plan.prior)?;
    let owner = prior.owner_id.clone().unwrap_or_default();
    containment::set_bucket_acl(
        cx.clients,
        &a.bucket,
        &plan.region,
        &owner_only(&prior, &owner),
    )
    .await
}

pub async fn verify(c: &Clients, a: &Bucket, plan: &Plan) -> Result<Verification, AwsError> {
    let owner = prior_acl(&plan.prior)?.owner_id.unwrap_or_default();
    let now = containment::bucket_acl(c, &a.bucket, &plan.region).await?;
    Ok(Verification {
        ok: is_owner_only(&now, &owner),
        detail: format!("read back: {}", describe(&now).join(", ")),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Bucket,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    containment::set_bucket_acl(cx.clients, &a.bucket, region, &prior_acl(prior)?).await?;
    let now = containment::bucket_acl(cx.clients, &a.bucket, region).await;
    Ok(compare_read_with_prior(now, prior))
}
