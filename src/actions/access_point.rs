//! Action: delete an access point, the door itself (for an access point
//! the attacker created, where deleting only its policy would leave the
//! door standing for a later policy).
//!
//! The plan records the whole configuration S3 Control reports: bucket,
//! network origin (and VPC id), Block Public Access and policy. Undo
//! creates an access point of the same name from that record and puts the
//! policy back. AWS gives a re-created access point a new alias, so undo
//! cannot be exact there: the plan says so, and the undo's read-back
//! compares everything but the alias.

use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients};

/// The access point and its bucket.
pub type Args = super::AccessPointRef;

pub use crate::aws::access_points::Configured as Recorded;

impl Recorded {
    fn same_door(&self, other: &Recorded) -> bool {
        self.bucket == other.bucket
            && self.vpc_id == other.vpc_id
            && self.public_access_block == other.public_access_block
            && match (&self.policy, &other.policy) {
                (Some(a), Some(b)) => super::same_json(a, b),
                (a, b) => a == b,
            }
    }
}

use crate::aws::access_points::configured as read;

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let region = bucket_region(c, &a.bucket).await?;
    let account = c.identity().await?.account;
    let Some(rec) = read(c, &account, &region, &a.access_point).await? else {
        return Err(ActionError::NothingToDo(format!(
            "access point {} does not exist",
            a.access_point
        )));
    };
    if rec.bucket != a.bucket {
        return Err(ActionError::NotPossible(format!(
            "access point {} is on bucket {}, not {}",
            a.access_point, rec.bucket, a.bucket
        )));
    }
    let origin = match rec.vpc_id.as_deref() {
        None => "Internet".to_string(),
        Some("") => "VPC (id not reported)".to_string(),
        Some(v) => format!("VPC {v}"),
    };
    let pab = match &rec.public_access_block {
        Some(p) if p.all_on() => "Block Public Access on".to_string(),
        Some(_) => "Block Public Access partly off".to_string(),
        None => "Block Public Access off".to_string(),
    };
    let alias = rec.alias.clone().unwrap_or_else(|| "(no alias)".into());
    let mut undo = format!(
        "undo creates access point {} again on {} with the same network origin, Block Public Access and policy; AWS gives it a NEW alias (today {alias}), so anything that used the old alias must be told the new one",
        a.access_point, a.bucket
    );
    let undoable = rec.vpc_id.as_deref() != Some("");
    if let Some(v) = rec.vpc_id.as_deref().filter(|v| !v.is_empty()) {
        undo.push_str(&format!(
            "; it is VPC-only, so undo needs VPC {v} to still exist"
        ));
    }
    if !undoable {
        undo = "no undo: S3 did not report the VPC id of this VPC-only access point, so it cannot be created again as it was".into();
    }
    let before = vec![
        format!("access point {} on {}", a.access_point, a.bucket),
        format!("origin: {origin}; {pab}"),
        format!("alias: {alias}"),
        format!(
            "policy: {}",
            if rec.policy.is_some() { "yes" } else { "none" }
        ),
    ];
    let prior = serde_json::to_value(&rec).map_err(|e| ActionError::NotPossible(e.to_string()))?;
    Ok(Plan {
        spec: ActionSpec::DeleteAccessPoint(a.clone()),
        summary: format!("delete access point {} on {}", a.access_point, a.bucket),
        after: vec!["(access point deleted)".into()],
        before,
        diff: Vec::new(),
        blast_radius: format!(
            "Every request through access point {} (alias {alias}) fails at once: anyone its policy let in, and this account's own applications that use its ARN or alias. The bucket, its policy and its other access points are unchanged.",
            a.access_point
        ),
        confirm: Confirm::TypeName {
            text: a.bucket.clone(),
        },
        undo,
        undoable,
        prior,
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let account = cx.clients.identity().await?.account;
    crate::aws::access_points::delete(cx.clients, &account, &plan.region, &a.access_point).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let account = c.identity().await?.account;
    Ok(
        match read(c, &account, &plan.region, &a.access_point).await? {
            None => Verification {
                ok: true,
                detail: format!("read back: access point {} is gone", a.access_point),
            },
            Some(_) => Verification {
                ok: false,
                detail: format!("read back: access point {} still exists", a.access_point),
            },
        },
    )
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let rec: Recorded = super::recorded(prior, "access point")?;
    if rec.vpc_id.as_deref() == Some("") {
        return Err(AwsError::new(
            "NotUndoable",
            "the recorded access point is VPC-only with no VPC id",
        ));
    }
    let account = cx.clients.identity().await?.account;
    crate::aws::access_points::create(cx.clients, &account, region, &a.access_point, &rec).await?;
    Ok(
        match read(cx.clients, &account, region, &a.access_point).await {
            Ok(Some(now)) if now.same_door(&rec) => Verification {
                ok: true,
                detail: format!(
                    "read back: access point {} is back as recorded, with a new alias {}",
                    a.access_point,
                    now.alias.as_deref().unwrap_or("(none reported)")
                ),
            },
            Ok(Some(now)) => Verification {
                ok: false,
                detail: format!(
                    "read back: access point {} differs from the record: now {}, recorded {}",
                    a.access_point,
                    serde_json::to_string(&now).unwrap_or_default(),
                    serde_json::to_string(&rec).unwrap_or_default()
                ),
            },
            Ok(None) => Verification {
                ok: false,
                detail: format!("read back: access point {} does not exist", a.access_point),
            },
            Err(e) => Verification {
                ok: false,
                detail: format!("could not read back: {e}"),
            },
        },
    )
}
