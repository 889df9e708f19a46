//! Action: disable ACLs (Object Ownership = BucketOwnerEnforced). Every ACL on
//! the bucket and its objects stops granting access, and the bucket owner
//! owns every object. Undo restores the prior setting exactly.

use serde_json::Value;

use super::{ActionError, ActionSpec, Bucket, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::acl::is_owner_only;
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};

const ENFORCED: &str = "BucketOwnerEnforced";

fn describe(setting: Option<&str>) -> Vec<String> {
    vec![format!(
        "Object Ownership: {}",
        setting.unwrap_or("not set (ObjectWriter: ACLs apply)")
    )]
}

pub async fn plan(c: &Clients, a: &Bucket) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = containment::ownership(c, bucket, &region).await?;
    if prior.as_deref() == Some(ENFORCED) {
        return Err(ActionError::NothingToDo(format!(
            "ACLs are already disabled on {bucket} (BucketOwnerEnforced)"
        )));
    }
    let mut blast = format!(
        "ACLs on {bucket} and on every object in it stop granting access: public or cross-account object ACLs no longer work, and objects uploaded by other accounts become the bucket owner's. Access then comes from policies alone."
    );
    // S3 refuses BucketOwnerEnforced while the bucket ACL grants anyone but
    // the owner; say so now rather than fail at apply.
    if let Ok(acl) = containment::bucket_acl(c, bucket, &region).await
        && !is_owner_only(&acl, acl.owner_id.as_deref().unwrap_or_default())
    {
        blast.push_str(" Note: the bucket ACL grants access to others; AWS refuses this change until the bucket ACL is reset to owner-only (reset-bucket-acl).");
    }
    Ok(Plan {
        spec: ActionSpec::DisableAcls(a.clone()),
        summary: "disable ACLs (Object Ownership = BucketOwnerEnforced)".into(),
        before: describe(prior.as_deref()),
        after: describe(Some(ENFORCED)),
        diff: Vec::new(),
        blast_radius: blast,
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: match &prior {
            Some(p) => format!("undo sets Object Ownership back to {p}"),
            None => "undo removes the ownership controls again (there were none)".into(),
        },
        undoable: true,
        prior: prior.map_or(Value::Null, Value::String),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Bucket, plan: &Plan) -> Result<(), AwsError> {
    containment::set_ownership(cx.clients, &a.bucket, &plan.region, Some(ENFORCED)).await
}

pub async fn verify(c: &Clients, a: &Bucket, plan: &Plan) -> Result<Verification, AwsError> {
    let now = containment::ownership(c, &a.bucket, &plan.region).await?;
    Ok(Verification {
        ok: now.as_deref() == Some(ENFORCED),
        detail: format!("read back: {}", describe(now.as_deref()).join("")),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Bucket,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    containment::set_ownership(cx.clients, &a.bucket, region, prior.as_str()).await?;
    let now = containment::ownership(cx.clients, &a.bucket, region)
        .await
        .map(|o| o.map_or(Value::Null, Value::String));
    Ok(compare_with_prior(now, prior))
}
