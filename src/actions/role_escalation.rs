//! The escalations on a role, for when revoking its sessions is not enough:
//! an explicit deny-all inline policy, a trust policy nobody can use, and
//! detaching its managed policies. Each stops the role's legitimate users
//! too, and each plan says so.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::inline_policy::{self, legitimate_users_warning};
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::iam::{self, Principal};
use crate::aws::{AwsError, Clients};
use crate::model::credentials::{DENY_ALL_POLICY_NAME, deny_all, trust_nobody};

/// An action on one IAM role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub role: String,
}

impl Role {
    pub fn target(&self) -> String {
        format!("role {}", self.role)
    }

    fn principal(&self) -> Principal {
        Principal::Role(self.role.clone())
    }
}

fn typed(role: &str) -> Confirm {
    Confirm::TypeName {
        text: role.to_string(),
    }
}

/// Attach an explicit deny of everything as an inline policy.
pub mod deny_all_policy {
    use super::*;

    pub async fn plan(c: &Clients, a: &Role) -> Result<Plan, ActionError> {
        inline_policy::check_principal(c, &a.principal()).await?;
        let prior = inline_policy::read(c, &a.principal(), DENY_ALL_POLICY_NAME).await?;
        Ok(Plan {
            spec: ActionSpec::DenyAllRole(a.clone()),
            summary: format!(
                "deny every action to role {} (inline policy {DENY_ALL_POLICY_NAME})",
                a.role
            ),
            before: vec![if prior.is_null() {
                "no deny-all policy".to_string()
            } else {
                format!("{DENY_ALL_POLICY_NAME} exists (it is replaced)")
            }],
            after: vec![format!("{DENY_ALL_POLICY_NAME}: Deny * on *")],
            diff: Vec::new(),
            blast_radius: format!(
                "Every session of {} — current and future — is denied every action, \
                 whatever its other policies allow. {}",
                a.role,
                legitimate_users_warning(&a.role)
            ),
            confirm: typed(&a.role),
            undo: if prior.is_null() {
                "undo removes the deny-all policy".into()
            } else {
                "undo puts the earlier policy of that name back".into()
            },
            undoable: true,
            prior,
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Role, _plan: &Plan) -> Result<(), AwsError> {
        let doc = deny_all().to_string();
        iam::set_inline_policy(cx.clients, &a.principal(), DENY_ALL_POLICY_NAME, Some(&doc)).await
    }

    pub async fn verify(c: &Clients, a: &Role, _plan: &Plan) -> Result<Verification, AwsError> {
        let now = inline_policy::read(c, &a.principal(), DENY_ALL_POLICY_NAME).await?;
        let ok = now
            .as_str()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .is_some_and(|d| d == deny_all());
        Ok(Verification {
            ok,
            detail: if ok {
                format!("read back: {DENY_ALL_POLICY_NAME} denies everything")
            } else {
                format!("read back: {DENY_ALL_POLICY_NAME} is not the deny-all document")
            },
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Role,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        inline_policy::restore(cx, &a.principal(), DENY_ALL_POLICY_NAME, prior).await
    }
}

/// Rewrite the trust policy so nobody can assume the role.
pub mod lock_trust {
    use super::*;

    pub async fn plan(c: &Clients, a: &Role) -> Result<Plan, ActionError> {
        let info = iam::role(c, &a.role).await?;
        inline_policy::check_role_kind(&info.name, &info.path)?;
        let before = serde_json::from_str::<Value>(&info.trust_document).unwrap_or(Value::Null);
        let diff = super::super::policy_statements::line_diff(&before, &trust_nobody());
        Ok(Plan {
            spec: ActionSpec::LockTrustPolicy(a.clone()),
            summary: format!(
                "replace the trust policy of role {}: nobody may assume it",
                a.role
            ),
            before: vec!["trust policy as recorded".into()],
            after: vec!["explicit Deny of sts:AssumeRole* to everyone".into()],
            diff,
            blast_radius: format!(
                "No one can assume {} any more — not the attacker, not an EC2 instance \
                 profile, not a Lambda function, not a person. Sessions already issued keep \
                 working until they expire: revoke them too. {}",
                a.role,
                legitimate_users_warning(&a.role)
            ),
            confirm: typed(&a.role),
            undo: "undo puts the recorded trust policy back, byte for byte".into(),
            undoable: true,
            prior: Value::String(info.trust_document),
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Role, _plan: &Plan) -> Result<(), AwsError> {
        iam::set_trust_document(cx.clients, &a.role, &trust_nobody().to_string()).await
    }

    pub async fn verify(c: &Clients, a: &Role, _plan: &Plan) -> Result<Verification, AwsError> {
        let now = iam::role(c, &a.role).await?;
        let ok =
            serde_json::from_str::<Value>(&now.trust_document).is_ok_and(|d| d == trust_nobody());
        Ok(Verification {
            ok,
            detail: if ok {
                "read back: the trust policy denies every assume".into()
            } else {
                "read back: the trust policy is not the locked one".into()
            },
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Role,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        let doc = prior
            .as_str()
            .ok_or_else(|| AwsError::new("BadRecord", "no recorded trust policy"))?;
        iam::set_trust_document(cx.clients, &a.role, doc).await?;
        let now = iam::role(cx.clients, &a.role)
            .await
            .map(|r| Value::String(r.trust_document));
        Ok(compare_with_prior(now, prior))
    }
}

/// Detach every managed policy from the role.
pub mod detach_managed {
    use super::*;

    async fn attached(c: &Clients, a: &Role) -> Result<Value, AwsError> {
        let mut arns = iam::attached_policies(c, &a.principal()).await?;
        // IAM does not promise an order; the record is sorted so it compares.
        arns.sort();
        Ok(json!(arns))
    }

    fn arns(v: &Value) -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn plan(c: &Clients, a: &Role) -> Result<Plan, ActionError> {
        inline_policy::check_principal(c, &a.principal()).await?;
        let prior = attached(c, a).await?;
        let list = arns(&prior);
        if list.is_empty() {
            return Err(ActionError::NothingToDo(format!(
                "role {} has no managed policies attached",
                a.role
            )));
        }
        Ok(Plan {
            spec: ActionSpec::DetachManagedPolicies(a.clone()),
            summary: format!(
                "detach {} managed polic{} from role {}",
                list.len(),
                if list.len() == 1 { "y" } else { "ies" },
                a.role
            ),
            before: list.iter().map(|p| format!("attached: {p}")).collect(),
            after: list.iter().map(|_| "(detached)".to_string()).collect(),
            diff: Vec::new(),
            blast_radius: format!(
                "The role keeps only what its inline policies allow. {}",
                legitimate_users_warning(&a.role)
            ),
            confirm: typed(&a.role),
            undo: "undo re-attaches every recorded policy".into(),
            undoable: true,
            prior,
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Role, plan: &Plan) -> Result<(), AwsError> {
        for arn in arns(&plan.prior) {
            iam::detach_role_policy(cx.clients, &a.role, &arn).await?;
        }
        Ok(())
    }

    pub async fn verify(c: &Clients, a: &Role, _plan: &Plan) -> Result<Verification, AwsError> {
        let left = arns(&attached(c, a).await?);
        Ok(Verification {
            ok: left.is_empty(),
            detail: if left.is_empty() {
                "read back: no managed policies attached".into()
            } else {
                format!("read back: still attached: {}", left.join(", "))
            },
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Role,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        for arn in arns(prior) {
            iam::attach_role_policy(cx.clients, &a.role, &arn).await?;
        }
        Ok(compare_with_prior(attached(cx.clients, a).await, prior))
    }
}
