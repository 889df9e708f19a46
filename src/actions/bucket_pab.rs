//! Action: turn on all four Block Public Access settings for one bucket.
//! Undo puts back the bucket's exact prior configuration (or removes it, if
//! the bucket had none).

use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Plan, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::facts::PublicAccessBlock;

const ALL_ON: PublicAccessBlock = PublicAccessBlock {
    block_public_acls: true,
    ignore_public_acls: true,
    block_public_policy: true,
    restrict_public_buckets: true,
};

fn describe(p: Option<&PublicAccessBlock>) -> Vec<String> {
    let p = p.copied().unwrap_or_default();
    [
        ("BlockPublicAcls", p.block_public_acls),
        ("IgnorePublicAcls", p.ignore_public_acls),
        ("BlockPublicPolicy", p.block_public_policy),
        ("RestrictPublicBuckets", p.restrict_public_buckets),
    ]
    .iter()
    .map(|(name, on)| format!("{name}: {}", if *on { "on" } else { "off" }))
    .collect()
}

pub async fn plan(c: &Clients, bucket: &str) -> Result<Plan, ActionError> {
    let region = bucket_region(c, bucket)
        .await
        .map_err(ActionError::Capture)?;
    let prior = containment::bucket_pab(c, bucket, &region)
        .await
        .map_err(ActionError::Capture)?;
    let objects = match containment::object_count_up_to(c, bucket, &region, 1000).await {
        Ok((0, false)) => "its objects (it is empty now)".to_string(),
        Ok((1, false)) => "its one object".to_string(),
        Ok((n, false)) => format!("all {n} objects"),
        Ok((n, true)) => format!("every object (more than {n})"),
        Err(e) => format!("every object (count {e})"),
    };
    let summary = if prior.as_ref().is_some_and(PublicAccessBlock::all_on) {
        "all four settings are already on; this re-asserts them".to_string()
    } else {
        "turn on all four Block Public Access settings".to_string()
    };
    Ok(Plan {
        spec: ActionSpec::BlockPublicAccess {
            bucket: bucket.to_string(),
        },
        summary,
        before: describe(prior.as_ref()),
        after: describe(Some(&ALL_ON)),
        blast_radius: format!(
            "Blocks public access to {objects} in {bucket}: public ACLs are ignored and a public policy stops working. Anything that reads this bucket anonymously (a website, a public download link) stops working; access by this account and by AWS services is unaffected."
        ),
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: match &prior {
            None => "undo removes the bucket's Public Access Block again (it had none)".into(),
            Some(_) => "undo restores the bucket's previous four settings exactly".into(),
        },
        prior: serde_json::to_value(prior).unwrap_or(Value::Null),
        region,
    })
}

pub async fn apply(c: &Clients, bucket: &str, region: &str) -> Result<(), AwsError> {
    containment::set_bucket_pab(c, bucket, region, Some(&ALL_ON)).await
}

pub async fn verify(c: &Clients, bucket: &str, region: &str) -> Result<Verification, AwsError> {
    let now = containment::bucket_pab(c, bucket, region).await?;
    Ok(if now == Some(ALL_ON) {
        Verification {
            ok: true,
            detail: "read back: all four Block Public Access settings are on".into(),
        }
    } else {
        Verification {
            ok: false,
            detail: format!("read back: {}", describe(now.as_ref()).join(", ")),
        }
    })
}

/// The current state, in the same JSON form as the recorded prior state.
pub async fn current(c: &Clients, bucket: &str, region: &str) -> Result<Value, AwsError> {
    let now = containment::bucket_pab(c, bucket, region).await?;
    Ok(serde_json::to_value(now).unwrap_or(Value::Null))
}

pub async fn restore(
    c: &Clients,
    bucket: &str,
    region: &str,
    prior: &Value,
) -> Result<(), AwsError> {
    let prior: Option<PublicAccessBlock> = serde_json::from_value(prior.clone())
        .map_err(|e| AwsError::new("UnreadablePriorState", e.to_string()))?;
    containment::set_bucket_pab(c, bucket, region, prior.as_ref()).await
}
