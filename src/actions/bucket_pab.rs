//! Action: turn on Block Public Access for one bucket — all four settings, or
//! the chosen ones (the others are left as they are). Undo puts back the
//! bucket's exact prior configuration (or removes it, if it had none).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_read_with_prior};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::facts::PublicAccessBlock;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// The settings to turn on (`true`); `None` means all four.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<PublicAccessBlock>,
}

impl Args {
    pub fn all(bucket: impl Into<String>) -> Self {
        Args {
            bucket: bucket.into(),
            only: None,
        }
    }
}

pub const ALL_ON: PublicAccessBlock = PublicAccessBlock::ALL_ON;

/// The prior settings with the chosen ones turned on.
pub fn target_state(
    prior: Option<&PublicAccessBlock>,
    only: Option<&PublicAccessBlock>,
) -> PublicAccessBlock {
    let p = prior.copied().unwrap_or_default();
    let on = only.copied().unwrap_or(ALL_ON);
    PublicAccessBlock {
        block_public_acls: p.block_public_acls || on.block_public_acls,
        ignore_public_acls: p.ignore_public_acls || on.ignore_public_acls,
        block_public_policy: p.block_public_policy || on.block_public_policy,
        restrict_public_buckets: p.restrict_public_buckets || on.restrict_public_buckets,
    }
}

/// One line per setting, for the before/after diff.
pub fn describe(p: Option<&PublicAccessBlock>) -> Vec<String> {
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

fn prior_of(plan: &Plan) -> Result<Option<PublicAccessBlock>, AwsError> {
    super::recorded(&plan.prior, "bucket Block Public Access")
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = containment::bucket_pab(c, bucket, &region).await?;
    let target = target_state(prior.as_ref(), a.only.as_ref());
    let objects = match containment::object_count_up_to(c, bucket, &region, 1000).await {
        Ok((0, false)) => "its objects (it is empty now)".to_string(),
        Ok((1, false)) => "its one object".to_string(),
        Ok((n, false)) => format!("all {n} objects"),
        Ok((n, true)) => format!("every object (more than {n})"),
        Err(e) => format!("every object (count {e})"),
    };
    let summary = if prior == Some(target) {
        "the chosen settings are already on; this re-asserts them".to_string()
    } else if target == ALL_ON && a.only.is_none() {
        "turn on all four Block Public Access settings".to_string()
    } else {
        "turn on the chosen Block Public Access settings".to_string()
    };
    Ok(Plan {
        spec: ActionSpec::BlockPublicAccess(a.clone()),
        summary,
        before: describe(prior.as_ref()),
        after: describe(Some(&target)),
        diff: Vec::new(),
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
        undoable: true,
        prior: serde_json::to_value(prior).unwrap_or(Value::Null),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let target = target_state(prior_of(plan)?.as_ref(), a.only.as_ref());
    containment::set_bucket_pab(cx.clients, &a.bucket, &plan.region, Some(&target)).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let target = target_state(prior_of(plan)?.as_ref(), a.only.as_ref());
    let now = containment::bucket_pab(c, &a.bucket, &plan.region).await?;
    Ok(if now == Some(target) {
        Verification {
            ok: true,
            detail: format!("read back: {}", describe(now.as_ref()).join(", ")),
        }
    } else {
        Verification {
            ok: false,
            detail: format!(
                "read back differs from the plan: {}",
                describe(now.as_ref()).join(", ")
            ),
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
    let was: Option<PublicAccessBlock> = super::recorded(prior, "bucket Block Public Access")?;
    containment::set_bucket_pab(cx.clients, &a.bucket, region, was.as_ref()).await?;
    let now = containment::bucket_pab(cx.clients, &a.bucket, region).await;
    Ok(compare_read_with_prior(now, prior))
}
