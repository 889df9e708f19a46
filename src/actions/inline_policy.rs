//! What the IAM actions that put an inline policy on a role or user share:
//! recording the policy that was there, putting it back, and refusing roles
//! that cannot take one (with what to do instead).

use serde_json::Value;

use super::{ActionError, Cx, Verification, compare_with_prior};
use crate::aws::iam::{self, Principal};
use crate::aws::{AwsError, Clients};
use crate::model::credentials::role_kind;

/// The inline policy's document exactly as stored, or null if absent.
pub async fn read(c: &Clients, who: &Principal, name: &str) -> Result<Value, AwsError> {
    Ok(iam::inline_policy(c, who, name)
        .await?
        .map_or(Value::Null, Value::String))
}

/// Put the recorded document back (or delete the policy if there was none)
/// and compare what is read back with the record.
pub async fn restore(
    cx: &Cx<'_>,
    who: &Principal,
    name: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    iam::set_inline_policy(cx.clients, who, name, prior.as_str()).await?;
    Ok(compare_with_prior(read(cx.clients, who, name).await, prior))
}

/// Check the principal exists, and that a role is one warroom may change:
/// service-linked and Identity Center roles get an explanation instead.
pub async fn check_principal(c: &Clients, who: &Principal) -> Result<(), ActionError> {
    match who {
        Principal::User(user) => iam::user_exists(c, user)
            .await
            .map_err(ActionError::Capture),
        Principal::Role(role) => {
            let info = iam::role(c, role).await?;
            check_role_kind(&info.name, &info.path)
        }
    }
}

pub fn check_role_kind(name: &str, path: &str) -> Result<(), ActionError> {
    match role_kind(name, path).cannot_modify(name) {
        Some(why) => Err(ActionError::NotPossible(why)),
        None => Ok(()),
    }
}

/// The playbook's warning for every escalation on a role.
pub fn legitimate_users_warning(role: &str) -> String {
    format!(
        "Every legitimate user and application of {role} stops too (EC2 instances, \
         Lambda functions, CI jobs, people who assume it) until this is undone."
    )
}

/// Now, to the second, as IAM conditions write it: `2026-11-22T18:30:00Z`.
pub fn now_utc() -> String {
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    aws_smithy_types::DateTime::from_secs(now.secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}
