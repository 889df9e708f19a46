//! Action: delete an access point's policy, the door an access point opens
//! on its bucket. The prior document is recorded exactly as S3 Control
//! returned it; undo puts it back and compares the one read back.
//!
//! The access point itself stays (its alias keeps working for this
//! account's principals whose IAM policies allow it): deleting the policy
//! ends the grants to everyone else, and is the one change undo can take
//! back exactly (an access point's network origin and Block Public Access
//! are fixed at creation, and a re-created one gets a new alias).

use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::access_points::policy_of;
use crate::aws::access_points::set_policy;
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients};
use crate::model::policy::{self, Owner, StatementExposure};

/// The access point and its bucket.
pub type Args = super::AccessPointRef;

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let region = bucket_region(c, &a.bucket).await?;
    let account = c.identity().await?.account;
    let (on, alias) =
        crate::aws::access_points::bucket_of_point(c, &account, &region, &a.access_point).await?;
    if on.as_deref() != Some(a.bucket.as_str()) {
        return Err(ActionError::NotPossible(format!(
            "access point {} is on bucket {}, not {}",
            a.access_point,
            on.as_deref().unwrap_or("?"),
            a.bucket
        )));
    }
    let Some(document) = policy_of(c, &account, &region, &a.access_point).await? else {
        return Err(ActionError::NothingToDo(format!(
            "access point {} has no policy",
            a.access_point
        )));
    };
    let owner = Owner {
        account_id: Some(&account),
        canonical_id: None,
        org_id: None,
    };
    let statements: Vec<String> = match policy::analyze(&document, &owner) {
        Ok(p) => p
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
    let alias = alias.unwrap_or_default();
    Ok(Plan {
        spec: ActionSpec::DeleteAccessPointPolicy(a.clone()),
        summary: format!(
            "delete the policy of access point {} on {}",
            a.access_point, a.bucket
        ),
        before: statements.clone(),
        after: statements.iter().map(|_| "(removed)".to_string()).collect(),
        diff: Vec::new(),
        blast_radius: format!(
            "Requests through access point {} ({}) stop being granted by its policy: anyone and any other account it let in lose that access at once. Principals of account {account} whose IAM policies allow it keep using the access point. The bucket's own policy and ACL are unchanged.",
            a.access_point,
            if alias.is_empty() {
                "no alias given".to_string()
            } else {
                format!("alias {alias}")
            }
        ),
        confirm: Confirm::TypeName {
            text: a.bucket.clone(),
        },
        undo: "undo puts the exact recorded access point policy back".into(),
        undoable: true,
        prior: Value::String(document),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let account = cx.clients.identity().await?.account;
    set_policy(cx.clients, &account, &plan.region, &a.access_point, None).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let account = c.identity().await?.account;
    Ok(
        match policy_of(c, &account, &plan.region, &a.access_point).await? {
            None => Verification {
                ok: true,
                detail: format!("read back: access point {} has no policy", a.access_point),
            },
            Some(_) => Verification {
                ok: false,
                detail: format!(
                    "read back: access point {} still has a policy",
                    a.access_point
                ),
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
    let account = cx.clients.identity().await?.account;
    set_policy(
        cx.clients,
        &account,
        region,
        &a.access_point,
        prior.as_str(),
    )
    .await?;
    let now = policy_of(cx.clients, &account, region, &a.access_point)
        .await
        .map(|d| d.map_or(Value::Null, Value::String));
    Ok(compare_with_prior(now, prior))
}
