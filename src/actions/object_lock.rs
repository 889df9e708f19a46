//! Action: turn S3 Object Lock on for an existing, versioned bucket, with
//! a default retention in governance mode for the days the responder
//! chooses. From then on every version written is locked for that long:
//! nobody deletes it or overwrites it in place, and lifecycle cannot
//! expire it, so a ransomware crew can add versions but not destroy the
//! ones the restore needs. Versions already there are not locked by a
//! default retention (S3 applies it at write time).
//!
//! Only governance mode: compliance mode cannot be shortened or lifted by
//! anyone, the account's root included, which is not a choice to make at
//! 3 a.m. Governance retention can be bypassed by principals allowed
//! `s3:BypassGovernanceRetention` (the plan says so).
//!
//! Undo puts the recorded default retention back (none, for a bucket that
//! had Object Lock off). S3 cannot turn Object Lock off once it is on, nor
//! suspend versioning after, and versions written under the retention keep
//! it until it passes: the plan says all three before anything is done.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::facts::LockConfig;

/// The retention the console's key asks for (`warroom act
/// enable-object-lock --days N` chooses another).
pub const CONSOLE_DAYS: u32 = 30;

/// The longest default retention this action sets (S3 allows more; a
/// responder setting more than ten years has mistyped).
pub const MAX_DAYS: u32 = 3650;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// The default retention, in days, governance mode.
    pub days: u32,
}

fn target(a: &Args) -> LockConfig {
    LockConfig {
        enabled: true,
        mode: Some("GOVERNANCE".into()),
        days: i32::try_from(a.days).ok(),
        years: None,
    }
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    if !(1..=MAX_DAYS).contains(&a.days) {
        return Err(ActionError::NotPossible(format!(
            "a retention of {} day(s): choose 1 to {MAX_DAYS}",
            a.days
        )));
    }
    let region = bucket_region(c, bucket).await?;
    let versioning = crate::aws::versions::versioning(&c.s3_in(&region), bucket).await?;
    if versioning != "Enabled" {
        return Err(ActionError::NotPossible(format!(
            "Object Lock needs versioning on, and {bucket}'s is {}: turn it on first (v, or warroom act enable-versioning {bucket})",
            if versioning.is_empty() {
                "off (never enabled)"
            } else {
                versioning.as_str()
            }
        )));
    }
    let prior = containment::object_lock(c, bucket, &region).await?;
    let want = target(a);
    if prior == want {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} already locks new versions: {}",
            want.describe()
        )));
    }
    let mut before = vec![format!("Object Lock: {}", prior.describe())];
    before.push("Versioning: Enabled".into());
    let after = vec![
        format!("Object Lock: {}", want.describe()),
        "Versioning: Enabled, and it can no longer be suspended".into(),
    ];
    Ok(Plan {
        spec: ActionSpec::EnableObjectLock(a.clone()),
        summary: format!(
            "lock every new version of {bucket} for {} day(s) (Object Lock, governance mode)",
            a.days
        ),
        before,
        after,
        diff: Vec::new(),
        blast_radius: format!(
            "Every object version written to {bucket} from now on is locked for {days} day(s): \
             it cannot be deleted or overwritten in place, and lifecycle rules cannot expire \
             it. New versions can still be written on top (an SSE-C rewrite adds one; the \
             locked version under it stays). Versions already in the bucket are not locked by \
             a default retention: S3 applies it when a version is written. Governance mode can \
             be bypassed by anyone allowed s3:BypassGovernanceRetention who asks for it on the \
             request: deny that permission (deny-destruction, or an SCP) to make it hold. \
             Deleting a locked version fails for applications too, and storage is kept and \
             billed until the retention passes. S3 cannot turn Object Lock off once it is on, \
             and versioning can no longer be suspended.",
            days = a.days
        ),
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: if prior.enabled {
            "undo writes the previous default retention back exactly; versions written \
             meanwhile keep their retention until it passes"
                .into()
        } else {
            "undo removes the default retention, but Object Lock itself stays on (S3 cannot \
             turn it off), and versions written meanwhile keep their retention until it passes"
                .into()
        },
        undoable: true,
        prior: serde_json::to_value(&prior).unwrap_or(Value::Null),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    containment::set_object_lock(cx.clients, &a.bucket, &plan.region, &target(a)).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let now = containment::object_lock(c, &a.bucket, &plan.region).await?;
    Ok(Verification {
        ok: now == target(a),
        detail: format!("read back: Object Lock {}", now.describe()),
    })
}

/// What undo can reach from the recorded state: the same configuration if
/// Object Lock was on; on with no default retention if it was off.
fn reachable(prior: &LockConfig) -> LockConfig {
    if prior.enabled {
        prior.clone()
    } else {
        LockConfig {
            enabled: true,
            ..Default::default()
        }
    }
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let was: LockConfig = super::recorded(prior, "Object Lock configuration")?;
    let want = reachable(&was);
    containment::set_object_lock(cx.clients, &a.bucket, region, &want).await?;
    let now = containment::object_lock(cx.clients, &a.bucket, region).await?;
    Ok(Verification {
        ok: now == want,
        detail: if was.enabled {
            format!("read back: Object Lock {}", now.describe())
        } else {
            format!(
                "read back: Object Lock {} (it was off; S3 cannot turn it off)",
                now.describe()
            )
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_reaches_the_prior_retention_or_none_never_off() {
        let off = LockConfig::default();
        assert_eq!(
            reachable(&off),
            LockConfig {
                enabled: true,
                ..Default::default()
            }
        );
        let on = target(&Args {
            bucket: "b".into(),
            days: 30,
        });
        assert_eq!(reachable(&on), on);
        assert_eq!(on.describe(), "on, default retention GOVERNANCE 30 day(s)");
        assert_eq!(off.describe(), "off");
    }
}
