//! Undoing the attacker's ways back: start logging on a stopped trail,
//! delete a console password, detach or delete a policy, take a user out of
//! a group, put a backdoored trust policy back, delete an attacker-made
//! user with everything on it. Each reads its prior state first, and each
//! is undone from that record where IAM or CloudTrail allows.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::inline_policy::{self, check_principal};
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::iam::{self, Principal};
use crate::aws::{AwsError, Clients, trail};

fn typed(name: &str) -> Confirm {
    Confirm::TypeName {
        text: name.to_string(),
    }
}

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a str, AwsError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| AwsError::new("BadRecord", format!("the recorded state has no {key}")))
}

/// A trail, by name or ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    pub trail: String,
}

impl Trail {
    pub fn target(&self) -> String {
        format!("trail {}", self.trail)
    }
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub user: String,
}

impl User {
    pub fn target(&self) -> String {
        format!("user {}", self.user)
    }
}

/// A policy on a user or role: a managed policy's ARN, or an inline
/// policy's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOn {
    pub principal: Principal,
    pub policy: String,
}

impl PolicyOn {
    pub fn target(&self) -> String {
        self.principal.describe()
    }
}

/// A user's membership of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub user: String,
    pub group: String,
}

/// A role's trust policy to put back: the document to restore, when the
/// record of the attacker's change gave the earlier one; without it, the
/// current document less every principal outside the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trust {
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

impl Trust {
    pub fn target(&self) -> String {
        format!("role {}", self.role)
    }
}

/// Start logging again on a trail.
pub mod start_logging {
    use super::*;

    async fn read(c: &Clients, a: &Trail) -> Result<Value, AwsError> {
        let (on, stopped) = trail::logging_status(c, &a.trail).await?;
        Ok(json!({"trail": a.trail, "logging": on, "stopped_at": stopped}))
    }

    fn logging(v: &Value) -> bool {
        v.get("logging").and_then(Value::as_bool).unwrap_or(false)
    }

    pub async fn plan(c: &Clients, a: &Trail) -> Result<Plan, ActionError> {
        let prior = read(c, a).await?;
        if logging(&prior) {
            return Err(ActionError::NothingToDo(format!(
                "trail {} is logging",
                a.trail
            )));
        }
        let since = prior
            .get("stopped_at")
            .and_then(Value::as_i64)
            .map(|t| format!(" since {}", crate::time::iso_time(t)))
            .unwrap_or_default();
        Ok(Plan {
            spec: ActionSpec::StartLogging(a.clone()),
            summary: format!("start logging on trail {}", a.trail),
            before: vec![format!("{}: not logging{since}", a.trail)],
            after: vec![format!("{}: logging", a.trail)],
            diff: Vec::new(),
            blast_radius: format!(
                "CloudTrail delivers {}'s events again from now on (storage and, for data \
                 events, per-event charges resume). What happened while it was stopped is \
                 not recovered: Event history still holds the management events of the gap, \
                 S3 data events of the gap are lost.",
                a.trail
            ),
            confirm: Confirm::YesNo,
            undo: "undo stops logging again (it blinds the trail: only for a mistaken start)"
                .into(),
            undoable: true,
            prior,
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Trail, _plan: &Plan) -> Result<(), AwsError> {
        trail::set_logging(cx.clients, &a.trail, true).await
    }

    pub async fn verify(c: &Clients, a: &Trail, _plan: &Plan) -> Result<Verification, AwsError> {
        let ok = logging(&read(c, a).await?);
        Ok(Verification {
            ok,
            detail: format!(
                "read back: trail {} is {}",
                a.trail,
                if ok { "logging" } else { "not logging" }
            ),
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Trail,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        trail::set_logging(cx.clients, &a.trail, logging(prior)).await?;
        let now = read(cx.clients, a).await?;
        Ok(Verification {
            ok: logging(&now) == logging(prior),
            detail: format!(
                "read back: trail {} is {}",
                a.trail,
                if logging(&now) {
                    "logging"
                } else {
                    "not logging"
                }
            ),
        })
    }
}

/// Delete a user's console password: irreversible (the password is not
/// known, so it cannot be put back; a new one can be made).
pub mod delete_login_profile {
    use super::*;

    pub async fn plan(c: &Clients, a: &User) -> Result<Plan, ActionError> {
        iam::user_exists(c, &a.user).await?;
        let Some(created) = iam::login_profile(c, &a.user).await? else {
            return Err(ActionError::NothingToDo(format!(
                "user {} has no console password",
                a.user
            )));
        };
        Ok(Plan {
            spec: ActionSpec::DeleteLoginProfile(a.clone()),
            summary: format!("delete the console password of user {}", a.user),
            before: vec![format!("console password (made {created})")],
            after: vec!["no console password".into()],
            diff: Vec::new(),
            blast_radius: format!(
                "Nobody can sign in to the console as {} with a password any more; console \
                 sessions already open keep working until they expire (revoke the user's \
                 sessions too). Its access keys are not touched.",
                a.user
            ),
            confirm: typed(&a.user),
            undo: "cannot be undone: the password is not known (a new one can be made)".into(),
            undoable: false,
            prior: json!({"user": a.user, "created": created}),
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &User, _plan: &Plan) -> Result<(), AwsError> {
        iam::delete_login_profile(cx.clients, &a.user).await
    }

    pub async fn verify(c: &Clients, a: &User, _plan: &Plan) -> Result<Verification, AwsError> {
        let gone = iam::login_profile(c, &a.user).await?.is_none();
        Ok(Verification::gone(
            &format!("the console password of {}", a.user),
            gone,
        ))
    }

    pub async fn undo(
        _cx: &Cx<'_>,
        _id: &str,
        _a: &User,
        _region: &str,
        _prior: &Value,
    ) -> Result<Verification, AwsError> {
        super::super::not_undoable("deleting a console password")
    }
}

/// Detach one managed policy from a user or role.
pub mod detach_policy {
    use super::*;

    async fn attached(c: &Clients, a: &PolicyOn) -> Result<bool, AwsError> {
        Ok(iam::attached_policies(c, &a.principal)
            .await?
            .contains(&a.policy))
    }

    pub async fn plan(c: &Clients, a: &PolicyOn) -> Result<Plan, ActionError> {
        check_principal(c, &a.principal).await?;
        if !attached(c, a).await? {
            return Err(ActionError::NothingToDo(format!(
                "{} is not attached to {}",
                a.policy,
                a.principal.describe()
            )));
        }
        Ok(Plan {
            spec: ActionSpec::DetachPolicy(a.clone()),
            summary: format!("detach {} from {}", a.policy, a.principal.describe()),
            before: vec![format!("{} attached", a.policy)],
            after: vec![format!("{} not attached", a.policy)],
            diff: Vec::new(),
            blast_radius: format!(
                "{} loses what {} grants at once, for every session and key it has. \
                 Anything legitimate that relied on it stops too.",
                a.principal.describe(),
                a.policy
            ),
            confirm: typed(a.principal.name()),
            undo: "undo attaches the policy again".into(),
            undoable: true,
            prior: json!({"attached": true}),
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &PolicyOn, _plan: &Plan) -> Result<(), AwsError> {
        iam::detach_policy(cx.clients, &a.principal, &a.policy).await
    }

    pub async fn verify(c: &Clients, a: &PolicyOn, _plan: &Plan) -> Result<Verification, AwsError> {
        let still = attached(c, a).await?;
        Ok(Verification {
            ok: !still,
            detail: format!(
                "read back: {} is {}attached to {}",
                a.policy,
                if still { "still " } else { "not " },
                a.principal.describe()
            ),
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &PolicyOn,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        iam::attach_policy(cx.clients, &a.principal, &a.policy).await?;
        let now = attached(cx.clients, a)
            .await
            .map(|on| json!({"attached": on}));
        Ok(compare_with_prior(now, prior))
    }
}

/// Delete one inline policy of a user or role (its document is recorded).
pub mod delete_inline_policy {
    use super::*;

    pub async fn plan(c: &Clients, a: &PolicyOn) -> Result<Plan, ActionError> {
        check_principal(c, &a.principal).await?;
        let prior = inline_policy::read(c, &a.principal, &a.policy).await?;
        if prior.is_null() {
            return Err(ActionError::NothingToDo(format!(
                "{} has no inline policy {}",
                a.principal.describe(),
                a.policy
            )));
        }
        let before = prior
            .as_str()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .unwrap_or(Value::Null);
        Ok(Plan {
            spec: ActionSpec::DeleteInlinePolicy(a.clone()),
            summary: format!(
                "delete inline policy {} of {}",
                a.policy,
                a.principal.describe()
            ),
            before: vec![format!("inline policy {} (document recorded)", a.policy)],
            after: vec![format!("no inline policy {}", a.policy)],
            diff: super::super::policy_statements::line_diff(&before, &Value::Null),
            blast_radius: format!(
                "{} loses what {} grants at once, for every session and key it has.",
                a.principal.describe(),
                a.policy
            ),
            confirm: typed(a.principal.name()),
            undo: "undo puts the recorded document back, byte for byte".into(),
            undoable: true,
            prior,
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &PolicyOn, _plan: &Plan) -> Result<(), AwsError> {
        iam::set_inline_policy(cx.clients, &a.principal, &a.policy, None).await
    }

    pub async fn verify(c: &Clients, a: &PolicyOn, _plan: &Plan) -> Result<Verification, AwsError> {
        let gone = inline_policy::read(c, &a.principal, &a.policy)
            .await?
            .is_null();
        Ok(Verification::gone(
            &format!("inline policy {} of {}", a.policy, a.principal.describe()),
            gone,
        ))
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &PolicyOn,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        inline_policy::restore(cx, &a.principal, &a.policy, prior).await
    }
}

/// Take a user out of a group.
pub mod remove_from_group {
    use super::*;

    async fn member(c: &Clients, a: &Membership) -> Result<bool, AwsError> {
        Ok(iam::groups_of(c, &a.user).await?.contains(&a.group))
    }

    pub async fn plan(c: &Clients, a: &Membership) -> Result<Plan, ActionError> {
        iam::user_exists(c, &a.user).await?;
        if !member(c, a).await? {
            return Err(ActionError::NothingToDo(format!(
                "user {} is not in group {}",
                a.user, a.group
            )));
        }
        Ok(Plan {
            spec: ActionSpec::RemoveFromGroup(a.clone()),
            summary: format!("take user {} out of group {}", a.user, a.group),
            before: vec![format!("{} in {}", a.user, a.group)],
            after: vec![format!("{} not in {}", a.user, a.group)],
            diff: Vec::new(),
            blast_radius: format!(
                "{} loses every permission group {} gives it, for every key and session.",
                a.user, a.group
            ),
            confirm: typed(&a.user),
            undo: "undo puts the user back in the group".into(),
            undoable: true,
            prior: json!({"member": true}),
            region: c.region().to_string(),
        })
    }

    pub async fn apply(
        cx: &Cx<'_>,
        _id: &str,
        a: &Membership,
        _plan: &Plan,
    ) -> Result<(), AwsError> {
        iam::set_group_member(cx.clients, &a.user, &a.group, false).await
    }

    pub async fn verify(
        c: &Clients,
        a: &Membership,
        _plan: &Plan,
    ) -> Result<Verification, AwsError> {
        let still = member(c, a).await?;
        Ok(Verification {
            ok: !still,
            detail: format!(
                "read back: {} is {}in {}",
                a.user,
                if still { "still " } else { "not " },
                a.group
            ),
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Membership,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        iam::set_group_member(cx.clients, &a.user, &a.group, true).await?;
        let now = member(cx.clients, a).await.map(|m| json!({"member": m}));
        Ok(compare_with_prior(now, prior))
    }
}

/// Put a role's trust policy back as it was before the attacker's change.
pub mod restore_trust {
    use super::*;
    use crate::model::credentials::{trust_nobody, trust_without_outsiders};

    pub async fn plan(c: &Clients, a: &Trust) -> Result<Plan, ActionError> {
        let info = iam::role(c, &a.role).await?;
        inline_policy::check_role_kind(&info.name, &info.path)?;
        let before = serde_json::from_str::<Value>(&info.trust_document).unwrap_or(Value::Null);
        // The responder's own lock is undone from the action log, where the
        // document it replaced is recorded: restoring here would guess.
        if before == trust_nobody() {
            return Err(ActionError::NotPossible(format!(
                "the trust policy of {} is warroom's own lock (lock-trust-policy): undo that \
                 action from the action log to put the recorded document back",
                a.role
            )));
        }
        let (target, how) = match &a.document {
            Some(doc) => (
                serde_json::from_str::<Value>(doc).map_err(|e| {
                    ActionError::NotPossible(format!(
                        "the earlier trust policy is not JSON ({e}): nothing was changed"
                    ))
                })?,
                "the document before the attacker's change",
            ),
            None => {
                let own = c.account_id().await?;
                (
                    trust_without_outsiders(&before, &own),
                    "the current document without the principals outside this account",
                )
            }
        };
        if target == before {
            return Err(ActionError::NothingToDo(format!(
                "the trust policy of {} already is {how}",
                a.role
            )));
        }
        let diff = super::super::policy_statements::line_diff(&before, &target);
        Ok(Plan {
            spec: ActionSpec::RestoreTrustPolicy(Trust {
                role: a.role.clone(),
                document: Some(target.to_string()),
            }),
            summary: format!("put back the trust policy of role {}: {how}", a.role),
            before: vec!["trust policy as it is now (recorded)".into()],
            after: vec![format!("trust policy: {how}")],
            diff,
            blast_radius: format!(
                "Whoever the removed lines let assume {} can no longer; sessions already \
                 issued keep working until they expire (revoke the role's sessions too).",
                a.role
            ),
            confirm: typed(&a.role),
            undo: "undo puts the recorded trust policy back, byte for byte".into(),
            undoable: true,
            prior: Value::String(info.trust_document),
            region: c.region().to_string(),
        })
    }

    fn wanted(a: &Trust) -> Result<Value, AwsError> {
        a.document
            .as_deref()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .ok_or_else(|| AwsError::new("BadPlan", "the plan has no trust policy to put"))
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Trust, _plan: &Plan) -> Result<(), AwsError> {
        iam::set_trust_document(cx.clients, &a.role, &wanted(a)?.to_string()).await
    }

    pub async fn verify(c: &Clients, a: &Trust, _plan: &Plan) -> Result<Verification, AwsError> {
        let now = iam::role(c, &a.role).await?;
        let ok = serde_json::from_str::<Value>(&now.trust_document)
            .is_ok_and(|d| wanted(a).is_ok_and(|w| w == d));
        Ok(Verification {
            ok,
            detail: if ok {
                "read back: the trust policy is the one put back".into()
            } else {
                "read back: the trust policy is not the one put back".into()
            },
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Trust,
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

/// Delete a user with everything IAM wants gone first: irreversible.
pub mod delete_user {
    use super::*;

    /// Everything on the user, as recorded (and in the order it goes).
    async fn dependents(c: &Clients, user: &str) -> Result<Value, AwsError> {
        let who = Principal::User(user.to_string());
        let mut inline = serde_json::Map::new();
        for name in iam::inline_policy_names(c, &who).await? {
            inline.insert(name.clone(), inline_policy::read(c, &who, &name).await?);
        }
        let (certificates, ssh_keys) = iam::certificates_and_ssh_keys(c, user).await?;
        Ok(json!({
            "user": user,
            "access_keys": iam::access_key_ids(c, user).await?,
            "login_profile": iam::login_profile(c, user).await?,
            "mfa_devices": iam::mfa_devices(c, user).await?,
            "signing_certificates": certificates,
            "ssh_public_keys": ssh_keys,
            "groups": iam::groups_of(c, user).await?,
            "attached_policies": iam::attached_policies(c, &who).await?,
            "inline_policies": inline,
        }))
    }

    fn list(v: &Value, key: &str) -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One line per thing that goes with the user.
    fn lines(v: &Value) -> Vec<String> {
        let mut out = Vec::new();
        for (key, what) in [
            ("access_keys", "access key"),
            ("mfa_devices", "MFA device"),
            ("signing_certificates", "signing certificate"),
            ("ssh_public_keys", "SSH public key"),
            ("groups", "member of group"),
            ("attached_policies", "attached policy"),
        ] {
            out.extend(list(v, key).into_iter().map(|x| format!("{what} {x}")));
        }
        if let Some(map) = v.get("inline_policies").and_then(Value::as_object) {
            out.extend(map.keys().map(|k| format!("inline policy {k}")));
        }
        if v.get("login_profile").is_some_and(|p| !p.is_null()) {
            out.push("console password".into());
        }
        out
    }

    pub async fn plan(c: &Clients, a: &User) -> Result<Plan, ActionError> {
        iam::user_exists(c, &a.user).await?;
        // Never the responder's own user: warroom would lock itself out.
        let me = c.identity().await?;
        if me.arn.contains(":user/") && me.arn.rsplit('/').next() == Some(a.user.as_str()) {
            return Err(ActionError::NotPossible(format!(
                "user {} is the identity warroom runs as: it will not delete itself",
                a.user
            )));
        }
        let prior = dependents(c, &a.user).await?;
        let mut before = vec![format!("user {}", a.user)];
        before.extend(lines(&prior));
        Ok(Plan {
            spec: ActionSpec::DeleteUser(a.clone()),
            summary: format!(
                "delete user {} and everything on it ({} items)",
                a.user,
                before.len() - 1
            ),
            before,
            after: vec![format!("no user {}", a.user)],
            diff: Vec::new(),
            blast_radius: format!(
                "Every access key of {} stops working, its console password and MFA devices \
                 go, it leaves its groups and its policies are removed, then the user is \
                 deleted. Sessions already issued from its keys keep working until they \
                 expire. What was on it is recorded as evidence; the user, its keys and \
                 its password cannot be made again as they were.",
                a.user
            ),
            confirm: typed(&a.user),
            undo: "cannot be undone: IAM cannot recreate a user's keys or password".into(),
            undoable: false,
            prior,
            region: c.region().to_string(),
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &User, plan: &Plan) -> Result<(), AwsError> {
        let c = cx.clients;
        let user = a.user.as_str();
        let who = Principal::User(user.to_string());
        // What was read at plan time, and anything added since (the
        // attacker may still be at work): read again, all of it goes.
        let now = dependents(c, user).await?;
        for v in [&plan.prior, &now] {
            for key in list(v, "access_keys") {
                match iam::delete_access_key(c, user, &key).await {
                    Err(e) if e.code != "NoSuchEntity" => return Err(e),
                    _ => {}
                }
            }
        }
        iam::delete_login_profile(c, user).await?;
        for serial in list(&now, "mfa_devices") {
            iam::remove_mfa_device(c, user, &serial).await?;
        }
        for id in list(&now, "signing_certificates") {
            iam::delete_signing_certificate(c, user, &id).await?;
        }
        for id in list(&now, "ssh_public_keys") {
            iam::delete_ssh_public_key(c, user, &id).await?;
        }
        for group in list(&now, "groups") {
            iam::set_group_member(c, user, &group, false).await?;
        }
        for arn in list(&now, "attached_policies") {
            iam::detach_policy(c, &who, &arn).await?;
        }
        if let Some(map) = now.get("inline_policies").and_then(Value::as_object) {
            for name in map.keys() {
                iam::set_inline_policy(c, &who, name, None).await?;
            }
        }
        iam::delete_user(c, user).await
    }

    pub async fn verify(c: &Clients, a: &User, _plan: &Plan) -> Result<Verification, AwsError> {
        let gone = !iam::user_present(c, &a.user).await?;
        Ok(Verification::gone(&format!("user {}", a.user), gone))
    }

    pub async fn undo(
        _cx: &Cx<'_>,
        _id: &str,
        _a: &User,
        _region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        super::super::not_undoable(&format!(
            "deleting user {}",
            field(prior, "user").unwrap_or("?")
        ))
    }
}
