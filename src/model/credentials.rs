//! Credential facts — IAM users and access keys, roles, EC2 key pairs and
//! the instances that use them — and the pure rules about them: who a trust
//! policy lets in, which roles can take an inline policy, and the exact
//! documents warroom writes to revoke sessions or deny everything.
//!
//! No I/O here: `aws::iam` and `aws::ec2` fill these in, the credentials
//! pane draws them, the actions in `actions::` write the documents.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::facts::Fact;

/// The inline policy name the IAM console uses for "Revoke active sessions";
/// reusing it means the console and warroom update the same policy.
pub const REVOKE_POLICY_NAME: &str = "AWSRevokeOlderSessions";
/// The inline deny-all policy of the "deny everything" escalation.
pub const DENY_ALL_POLICY_NAME: &str = "WarroomDenyAll";

/// Deny every action to sessions issued before `cutoff` (ISO 8601, UTC,
/// e.g. `2026-11-22T18:30:00Z`): the document the IAM console writes.
pub fn revoke_older_sessions(cutoff: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Action": ["*"],
            "Resource": ["*"],
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}
        }]
    })
}

/// The cutoff of a revocation policy, if the document is one.
pub fn revocation_cutoff(doc: &Value) -> Option<String> {
    let statements = match doc.get("Statement")? {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    statements.iter().find_map(|s| {
        (s.get("Effect")?.as_str()? == "Deny")
            .then(|| {
                s.get("Condition")?
                    .get("DateLessThan")?
                    .get("aws:TokenIssueTime")
                    .and_then(|v| match v {
                        Value::String(t) => Some(t.clone()),
                        Value::Array(a) => a.first()?.as_str().map(str::to_string),
                        _ => None,
                    })
            })
            .flatten()
    })
}

/// An explicit deny of everything, with no condition.
pub fn deny_all() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "WarroomIncidentDenyAll",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*"
        }]
    })
}

/// A trust policy nobody can use: an explicit deny of every way to assume
/// the role, for every kind of principal. (A trust policy must keep at
/// least one statement, so the document cannot simply be emptied.)
pub fn trust_nobody() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "WarroomIncidentNoAssume",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": [
                "sts:AssumeRole",
                "sts:AssumeRoleWithSAML",
                "sts:AssumeRoleWithWebIdentity",
                "sts:TagSession",
                "sts:SetSourceIdentity"
            ]
        }]
    })
}

/// What kind of role, for what can be done to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleKind {
    Normal,
    /// Path `/aws-service-role/`: owned by an AWS service, no inline
    /// policies, trust policy and attachments are not editable.
    ServiceLinked,
    /// `AWSReservedSSO_*` under `/aws-reserved/sso.amazonaws.com/`: managed
    /// by IAM Identity Center, which reverts changes made in IAM.
    IdentityCenter,
}

pub fn role_kind(name: &str, path: &str) -> RoleKind {
    if path.starts_with("/aws-service-role/") {
        RoleKind::ServiceLinked
    } else if name.starts_with("AWSReservedSSO_") || path.starts_with("/aws-reserved/") {
        RoleKind::IdentityCenter
    } else {
        RoleKind::Normal
    }
}

impl RoleKind {
    /// Why warroom will not write to this role, and what to do instead.
    pub fn cannot_modify(self, role: &str) -> Option<String> {
        match self {
            RoleKind::Normal => None,
            RoleKind::ServiceLinked => Some(format!(
                "{role} is a service-linked role: AWS owns it, so it cannot take an inline \
                 policy and its trust policy cannot be changed. Stop its sessions at the \
                 service that uses it (disable or delete the resource or integration), or \
                 delete the role with `aws iam delete-service-linked-role --role-name {role}` \
                 once that service no longer needs it."
            )),
            RoleKind::IdentityCenter => Some(format!(
                "{role} is managed by IAM Identity Center: a policy added here is removed \
                 again when the permission set is provisioned. Instead, in Identity Center \
                 remove the user's or group's assignment of this permission set to the \
                 account (or add a deny to the permission set's inline policy and \
                 re-provision), then revoke the user's active portal sessions."
            )),
        }
    }
}

/// The trust policy without what reaches outside the account: AWS
/// principals of other accounts and `*` are taken out of every Allow
/// statement, and a statement left with no principal goes. Services, this
/// account's principals and identity providers stay. When nothing is left
/// the role trusts nobody (a trust policy cannot be empty).
pub fn trust_without_outsiders(doc: &Value, own_account: &str) -> Value {
    let outsider = |kind: &str, value: &str| {
        flagged(kind, value, own_account)
            .flag
            .is_some_and(|f| !f.starts_with("federated"))
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let mut kept = Vec::new();
    for mut s in statements {
        if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
            kept.push(s);
            continue;
        }
        let principal = match s.get("Principal").cloned() {
            Some(Value::String(p)) if outsider("*", &p) => None,
            Some(Value::Object(map)) => {
                let mut left = serde_json::Map::new();
                for (kind, v) in map {
                    let values: Vec<String> = strings(&v)
                        .into_iter()
                        .filter(|value| !outsider(&kind, value))
                        .collect();
                    match values.len() {
                        0 => {}
                        1 => {
                            left.insert(kind, Value::String(values[0].clone()));
                        }
                        _ => {
                            left.insert(kind, json!(values));
                        }
                    }
                }
                (!left.is_empty()).then_some(Value::Object(left))
            }
            other => other,
        };
        if let Some(p) = principal {
            s["Principal"] = p;
            kept.push(s);
        }
    }
    if !kept
        .iter()
        .any(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
    {
        return trust_nobody();
    }
    let mut out = doc.clone();
    out["Statement"] = Value::Array(kept);
    out
}

/// Who a trust policy lets assume the role, one row per principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustPrincipal {
    /// "AWS", "Service", "Federated", or "*".
    pub kind: String,
    pub value: String,
    /// Why this principal deserves a look, if it does.
    pub flag: Option<String>,
}

/// The principals of the Allow statements of a trust policy, flagged:
/// anyone (`*`), another account, or a federated identity provider.
pub fn trust_principals(doc: &Value, own_account: &str) -> Vec<TrustPrincipal> {
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for s in statements
        .iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
    {
        match s.get("Principal") {
            Some(Value::String(p)) => out.push(flagged("*", p, own_account)),
            Some(Value::Object(map)) => {
                for (kind, v) in map {
                    for value in strings(v) {
                        out.push(flagged(kind, &value, own_account));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn flagged(kind: &str, value: &str, own_account: &str) -> TrustPrincipal {
    let flag = if value == "*" || kind == "*" {
        Some("anyone can assume this role".to_string())
    } else if kind.eq_ignore_ascii_case("Federated") {
        Some("federated identity provider".to_string())
    } else if kind.eq_ignore_ascii_case("AWS") {
        super::policy::account_of_principal(value)
            .filter(|account| account != own_account)
            .map(|account| format!("another account ({account})"))
    } else {
        None
    };
    TrustPrincipal {
        kind: kind.to_string(),
        value: value.to_string(),
        flag,
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// When and where an access key was last used (GetAccessKeyLastUsed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsed {
    /// None: never used.
    pub date: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKeyFacts {
    pub user: String,
    pub key_id: String,
    /// Active / Inactive.
    pub status: String,
    pub created: Option<String>,
    pub last_used: Fact<LastUsed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFacts {
    pub name: String,
    pub arn: String,
    pub created: Option<String>,
    pub keys: Fact<Vec<AccessKeyFacts>>,
    pub attached_policies: Fact<Vec<String>>,
    pub inline_policies: Fact<Vec<String>>,
    /// Cutoff of an `AWSRevokeOlderSessions` policy on the user, if any.
    pub revoked_before: Fact<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFacts {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub kind: RoleKind,
    pub trust: Fact<Vec<TrustPrincipal>>,
    pub attached_policies: Fact<Vec<String>>,
    pub inline_policies: Fact<Vec<String>>,
    pub revoked_before: Fact<Option<String>>,
    /// Instances that hold the role through an instance profile.
    pub instances: Fact<Vec<String>>,
}

impl RoleFacts {
    /// Flags worth a responder's look, for the one-line summary.
    pub fn flags(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .trust
            .known()
            .map(|t| t.iter().filter_map(|p| p.flag.clone()).collect())
            .unwrap_or_default();
        out.dedup();
        out
    }
}

/// An instance's metadata service options, every field as read: undo sends
/// them all back, because ModifyInstanceMetadataOptions resets the ones left
/// out on some implementations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImdsOptions {
    /// "required" (IMDSv2 only) or "optional".
    pub http_tokens: Option<String>,
    pub http_endpoint: Option<String>,
    pub http_put_response_hop_limit: Option<i32>,
    pub http_protocol_ipv6: Option<String>,
    pub instance_metadata_tags: Option<String>,
}

impl ImdsOptions {
    pub fn v2_required(&self) -> bool {
        self.http_tokens.as_deref() == Some("required")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceFacts {
    pub id: String,
    pub region: String,
    pub state: Option<String>,
    pub key_name: Option<String>,
    pub instance_profile_arn: Option<String>,
    pub imds: ImdsOptions,
}

/// A launch template version that names a key pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateVersionRef {
    pub template_id: String,
    pub template_name: String,
    pub version: i64,
    pub is_default: bool,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPairFacts {
    pub name: String,
    pub key_pair_id: Option<String>,
    pub fingerprint: Option<String>,
    pub key_type: Option<String>,
    pub created: Option<String>,
    pub region: String,
    pub instances: Vec<InstanceFacts>,
    pub templates: Fact<Vec<TemplateVersionRef>>,
}

/// Everything the credentials pane shows, per source separately fallible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialFacts {
    /// The account every key, user, role and instance here belongs to
    /// (empty when STS did not say).
    #[serde(default)]
    pub account: String,
    pub users: Fact<Vec<UserFacts>>,
    pub roles: Fact<Vec<RoleFacts>>,
    pub key_pairs: Fact<Vec<KeyPairFacts>>,
    pub instances: Fact<Vec<InstanceFacts>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocation_document_is_exactly_the_consoles() {
        let doc = revoke_older_sessions("2026-11-22T18:30:00Z");
        assert_eq!(
            serde_json::to_string(&doc).expect("json"),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-22T18:30:00Z"}}}]}"#
        );
        assert_eq!(
            revocation_cutoff(&doc).as_deref(),
            Some("2026-11-22T18:30:00Z")
        );
    }

    #[test]
    fn cutoff_is_found_in_a_single_statement_and_not_in_other_policies() {
        let one = json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": ["2020-01-01T00:00:00Z"]}}}});
        assert_eq!(
            revocation_cutoff(&one).as_deref(),
            Some("2020-01-01T00:00:00Z")
        );
        assert_eq!(revocation_cutoff(&deny_all()), None);
        let allow = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}}]});
        assert_eq!(revocation_cutoff(&allow), None);
    }

    #[test]
    fn role_kinds() {
        assert_eq!(
            role_kind(
                "AWSServiceRoleForSupport",
                "/aws-service-role/support.amazonaws.com/"
            ),
            RoleKind::ServiceLinked
        );
        assert_eq!(
            role_kind(
                "AWSReservedSSO_Admin_0123456789abcdef",
                "/aws-reserved/sso.amazonaws.com/"
            ),
            RoleKind::IdentityCenter
        );
        assert_eq!(role_kind("app", "/"), RoleKind::Normal);
        assert!(RoleKind::Normal.cannot_modify("app").is_none());
        let why = RoleKind::IdentityCenter
            .cannot_modify("AWSReservedSSO_Admin_1")
            .expect("explained");
        assert!(why.contains("permission set"), "{why}");
        let why = RoleKind::ServiceLinked
            .cannot_modify("AWSServiceRoleForX")
            .expect("explained");
        assert!(why.contains("delete-service-linked-role"), "{why}");
    }

    #[test]
    fn a_backdoored_trust_policy_loses_only_the_outsiders() {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root",
                "arn:aws:iam::123456789012:role/ops"]}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/evil"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
        ]});
        let out = trust_without_outsiders(&doc, "123456789012");
        assert_eq!(
            out["Statement"],
            json!([
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ops"}, "Action": "sts:AssumeRole"}
            ])
        );
        let only_outside = json!({"Version": "2012-10-17", "Statement":
            {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}});
        assert_eq!(
            trust_without_outsiders(&only_outside, "123456789012"),
            trust_nobody()
        );
    }

    #[test]
    fn trust_principals_are_flagged() {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root",
                "arn:aws:iam::123456789012:user/ops"]}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
                "Action": "sts:AssumeRoleWithWebIdentity"},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}
        ]});
        let p = trust_principals(&doc, "123456789012");
        let flags: Vec<(&str, Option<&str>)> = p
            .iter()
            .map(|p| (p.value.as_str(), p.flag.as_deref()))
            .collect();
        assert_eq!(
            flags,
            vec![
                (
                    "arn:aws:iam::111122223333:root",
                    Some("another account (111122223333)")
                ),
                ("arn:aws:iam::123456789012:user/ops", None),
                ("ec2.amazonaws.com", None),
                (
                    "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                    Some("federated identity provider")
                ),
                ("*", Some("anyone can assume this role")),
            ]
        );
    }

    #[test]
    fn imds_v2_required() {
        let mut o = ImdsOptions::default();
        assert!(!o.v2_required());
        o.http_tokens = Some("required".into());
        assert!(o.v2_required());
    }
}
