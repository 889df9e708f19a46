//! Actions on one IAM access key: deactivate it (undo: reactivate), or
//! delete it (irreversible). The key's owner is looked up from the key id
//! when not given, so a key id from a ticket or a finding is enough.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::{AwsError, Clients, iam};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub key_id: String,
    /// The owning user; found from the key id when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl Args {
    pub fn key(key_id: &str) -> Self {
        Args {
            key_id: key_id.to_string(),
            user: None,
        }
    }

    pub fn target(&self) -> String {
        format!("access key {}", self.key_id)
    }
}

/// The key's state as recorded: owner, id, status, created.
async fn read(c: &Clients, user: &str, key_id: &str) -> Result<Value, AwsError> {
    match iam::access_key(c, user, key_id).await? {
        Some((status, created)) => {
            Ok(json!({"user": user, "key_id": key_id, "status": status, "created": created}))
        }
        None => Ok(Value::Null),
    }
}

/// The owner and recorded state of a key that must exist.
async fn current(c: &Clients, a: &Args) -> Result<(String, Value), ActionError> {
    let user = match &a.user {
        Some(u) => u.clone(),
        None => iam::access_key_owner(c, &a.key_id).await?,
    };
    let state = read(c, &user, &a.key_id).await?;
    if state.is_null() {
        return Err(ActionError::NothingToDo(format!(
            "user {user} has no access key {}",
            a.key_id
        )));
    }
    Ok((user, state))
}

fn status(state: &Value) -> &str {
    state.get("status").and_then(Value::as_str).unwrap_or("?")
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let (user, prior) = current(c, a).await?;
    if status(&prior) == "Inactive" {
        return Err(ActionError::NothingToDo(format!(
            "access key {} of {user} is already inactive",
            a.key_id
        )));
    }
    Ok(Plan {
        spec: ActionSpec::DeactivateAccessKey(Args {
            key_id: a.key_id.clone(),
            user: Some(user.clone()),
        }),
        summary: format!("deactivate access key {} of user {user}", a.key_id),
        before: vec![format!("{}: {}", a.key_id, status(&prior))],
        after: vec![format!("{}: Inactive", a.key_id)],
        diff: Vec::new(),
        blast_radius: format!(
            "Every request signed with {} fails from now on, including any application \
             of {user}'s that still uses it. Sessions already minted from it with \
             sts:GetSessionToken or AssumeRole keep working until they expire: revoke \
             {user}'s temporary credentials too.",
            a.key_id
        ),
        confirm: Confirm::YesNo,
        undo: "undo reactivates the key (same id, same secret)".into(),
        undoable: true,
        prior,
        region: c.region().to_string(),
    })
}

fn user_of(plan: &Plan) -> Result<&str, AwsError> {
    plan.prior
        .get("user")
        .and_then(Value::as_str)
        .ok_or_else(|| AwsError::new("BadPlan", "the plan has no key owner"))
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    iam::set_access_key_status(cx.clients, user_of(plan)?, &a.key_id, false).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let now = read(c, user_of(plan)?, &a.key_id).await?;
    Ok(Verification {
        ok: status(&now) == "Inactive",
        detail: format!("read back: {} is {}", a.key_id, status(&now)),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    _region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let user = prior
        .get("user")
        .and_then(Value::as_str)
        .ok_or_else(|| AwsError::new("BadRecord", "the recorded prior state has no user"))?;
    iam::set_access_key_status(cx.clients, user, &a.key_id, status(prior) == "Active").await?;
    Ok(compare_with_prior(
        read(cx.clients, user, &a.key_id).await,
        prior,
    ))
}

/// Delete the key: irreversible.
pub mod delete {
    use super::*;

    pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
        let (user, prior) = current(c, a).await?;
        Ok(Plan {
            spec: ActionSpec::DeleteAccessKey(Args {
                key_id: a.key_id.clone(),
                user: Some(user.clone()),
            }),
            summary: format!(
                "DELETE access key {} of user {user} (irreversible)",
                a.key_id
            ),
            before: vec![format!("{}: {}", a.key_id, status(&prior))],
            after: vec![format!("{}: deleted", a.key_id)],
            diff: Vec::new(),
            blast_radius: format!(
                "The key {} and its secret are gone for good; anything of {user}'s that \
                 still uses it fails. Deactivating first keeps the way back open.",
                a.key_id
            ),
            confirm: Confirm::TypeName {
                text: a.key_id.clone(),
            },
            undo: "cannot be undone: a deleted key cannot be restored (a new key has a new \
                   id and secret)"
                .into(),
            undoable: false,
            prior,
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
        iam::delete_access_key(cx.clients, user_of(plan)?, &a.key_id).await
    }

    pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
        let gone = read(c, user_of(plan)?, &a.key_id).await?.is_null();
        Ok(Verification::gone(&a.key_id, gone))
    }

    pub async fn undo(
        _cx: &Cx<'_>,
        _id: &str,
        a: &Args,
        _region: &str,
        _prior: &Value,
    ) -> Result<Verification, AwsError> {
        super::super::not_undoable(&format!("deleting {}", a.key_id))
    }
}
