//! Action: turn on all four account-level Block Public Access settings (S3
//! Control). They override every bucket's own settings, so this is the
//! widest containment there is. Undo restores the exact prior configuration.

use serde_json::Value;

use super::bucket_pab::{ALL_ON, describe};
use super::{
    Account, ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior,
};
use crate::aws::{AwsError, Clients, containment};
use crate::model::facts::PublicAccessBlock;

/// The account id is part of the recorded prior state, so undo writes to the
/// account the plan was made for even if the credentials changed since.
#[derive(serde::Serialize, serde::Deserialize)]
struct Prior {
    account: String,
    public_access_block: Option<PublicAccessBlock>,
}

fn prior_of(v: &Value) -> Result<Prior, AwsError> {
    super::recorded(v, "account Block Public Access")
}

pub async fn plan(c: &Clients, a: &Account) -> Result<Plan, ActionError> {
    let account = c.identity().await?.account;
    let prior = containment::account_pab(c, &account).await?;
    let buckets = match crate::aws::exposure::list_buckets(c).await {
        Ok(b) if b.len() == 1 => "its 1 bucket".to_string(),
        Ok(b) => format!("all {} of its buckets", b.len()),
        Err(e) => format!("every bucket (count {e})"),
    };
    Ok(Plan {
        spec: ActionSpec::BlockPublicAccessAccount(a.clone()),
        summary: if prior.as_ref().is_some_and(PublicAccessBlock::all_on) {
            "all four account-level settings are already on; this re-asserts them".into()
        } else {
            "turn on all four account-level Block Public Access settings".into()
        },
        before: describe(prior.as_ref()),
        after: describe(Some(&ALL_ON)),
        diff: Vec::new(),
        blast_radius: format!(
            "Overrides the settings of {buckets} in account {account}, and of any bucket created later: no public ACL or public policy works anywhere in the account. Every public website, download link or anonymous reader in this account stops working."
        ),
        confirm: Confirm::TypeName {
            text: account.clone(),
        },
        undo: match &prior {
            None => "undo removes the account-level configuration again (it had none)".into(),
            Some(_) => "undo restores the previous four account-level settings exactly".into(),
        },
        undoable: true,
        prior: serde_json::to_value(Prior {
            account,
            public_access_block: prior,
        })
        .unwrap_or(Value::Null),
        region: c.region().to_string(),
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, _a: &Account, plan: &Plan) -> Result<(), AwsError> {
    let prior = prior_of(&plan.prior)?;
    containment::set_account_pab(cx.clients, &prior.account, Some(&ALL_ON)).await
}

pub async fn verify(c: &Clients, _a: &Account, plan: &Plan) -> Result<Verification, AwsError> {
    let prior = prior_of(&plan.prior)?;
    let now = containment::account_pab(c, &prior.account).await?;
    Ok(Verification {
        ok: now == Some(ALL_ON),
        detail: format!("read back (account): {}", describe(now.as_ref()).join(", ")),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    _a: &Account,
    _region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let was = prior_of(prior)?;
    containment::set_account_pab(cx.clients, &was.account, was.public_access_block.as_ref())
        .await?;
    let now = containment::account_pab(cx.clients, &was.account)
        .await
        .map(|p| {
            serde_json::to_value(Prior {
                account: was.account.clone(),
                public_access_block: p,
            })
            .unwrap_or(Value::Null)
        });
    Ok(compare_with_prior(now, prior))
}
