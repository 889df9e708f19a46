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

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification};
use crate::aws::error::aws_error;
use crate::aws::exposure::bucket_region;
use crate::aws::pab::{from_control as pab_control, to_control as control_pab};
use crate::aws::{AwsError, Clients};
use crate::model::facts::PublicAccessBlock;

/// The access point and its bucket.
pub type Args = super::AccessPointRef;

/// An access point's configuration as recorded before deletion: what
/// `CreateAccessPoint` needs to make it again, plus its policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub bucket: String,
    /// `None`: reachable from the Internet; `Some(id)`: from that VPC only.
    pub vpc_id: Option<String>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub policy: Option<String>,
    /// Not part of the comparison: AWS gives a new one on re-creation.
    pub alias: Option<String>,
}

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

/// The access point as S3 Control reports it now; `None` when there is none.
async fn read(
    c: &Clients,
    account: &str,
    region: &str,
    name: &str,
) -> Result<Option<Recorded>, AwsError> {
    let control = c.s3control_in(region);
    let ap = match control
        .get_access_point()
        .account_id(account)
        .name(name)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) => {
            let err = aws_error(&e);
            return if err.code == "NoSuchAccessPoint" {
                Ok(None)
            } else {
                Err(err)
            };
        }
    };
    let policy = crate::aws::access_points::policy_of(c, account, region, name).await?;
    let vpc = ap
        .network_origin()
        .is_some_and(|n| n.as_str().eq_ignore_ascii_case("vpc"));
    Ok(Some(Recorded {
        bucket: ap.bucket().unwrap_or_default().to_string(),
        vpc_id: if vpc {
            // A VPC access point whose id S3 did not report: keep the
            // origin known (an empty id) so undo refuses rather than
            // re-creating it open to the Internet.
            Some(
                ap.vpc_configuration()
                    .map(|v| v.vpc_id().to_string())
                    .unwrap_or_default(),
            )
        } else {
            None
        },
        public_access_block: ap.public_access_block_configuration().map(pab_control),
        policy,
        alias: ap.alias().map(str::to_string),
    }))
}

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
    cx.clients
        .s3control_in(&plan.region)
        .delete_access_point()
        .account_id(account)
        .name(&a.access_point)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
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
    let control = cx.clients.s3control_in(region);
    let pab = rec.public_access_block.as_ref().map(control_pab);
    let vpc = match rec.vpc_id.as_deref() {
        Some(v) => Some(
            aws_sdk_s3control::types::VpcConfiguration::builder()
                .vpc_id(v)
                .build()
                .map_err(|e| AwsError::new("BadRequest", e.to_string()))?,
        ),
        None => None,
    };
    control
        .create_access_point()
        .account_id(&account)
        .name(&a.access_point)
        .bucket(&rec.bucket)
        .set_vpc_configuration(vpc)
        .set_public_access_block_configuration(pab)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    if let Some(doc) = &rec.policy {
        control
            .put_access_point_policy()
            .account_id(&account)
            .name(&a.access_point)
            .policy(doc)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
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
