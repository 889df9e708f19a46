//! Revoke a role's (or a user's) active sessions the way the IAM console
//! does: the inline policy `AWSRevokeOlderSessions` denies everything to
//! sessions issued before a cutoff. An existing one gets a new cutoff rather
//! than a second policy. Undo puts back what was there (nothing, or the
//! earlier cutoff).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::inline_policy::{self, now_utc};
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification};
use crate::aws::iam::Principal;
use crate::aws::{AwsError, Clients};
use crate::model::credentials::{REVOKE_POLICY_NAME, revocation_cutoff, revoke_older_sessions};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub principal: Principal,
}

impl Args {
    pub fn target(&self) -> String {
        match &self.principal {
            Principal::Role(r) => format!("role {r}"),
            Principal::User(u) => format!("user {u}"),
        }
    }
}

fn cutoff_of(doc: &Value) -> Option<String> {
    doc.as_str()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|d| revocation_cutoff(&d))
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    inline_policy::check_principal(c, &a.principal).await?;
    let prior = inline_policy::read(c, &a.principal, REVOKE_POLICY_NAME).await?;
    let name = a.principal.name();
    let before = match (&prior, cutoff_of(&prior)) {
        (Value::Null, _) => "no session revocation policy".to_string(),
        (_, Some(t)) => format!("{REVOKE_POLICY_NAME}: sessions issued before {t} denied"),
        (_, None) => format!("{REVOKE_POLICY_NAME} exists (no cutoff found; it is replaced)"),
    };
    let (who, escalate) = match &a.principal {
        Principal::Role(_) => (
            format!(
                "Every current session of {name} is cut, legitimate ones too: instances, \
                 functions and people that use it fail until they assume it again (SDKs \
                 and instance profiles do so by themselves within minutes)."
            ),
            "Anyone who can still assume the role gets a fresh, valid session: lock \
             the trust policy or remove the attacker's way in as well.",
        ),
        Principal::User(_) => (
            format!(
                "Temporary credentials {name} minted (GetSessionToken, GetFederationToken) \
                 stop working."
            ),
            "The user's access keys still work and can mint new sessions: deactivate \
             them as well.",
        ),
    };
    Ok(Plan {
        spec: ActionSpec::RevokeSessions(a.clone()),
        summary: format!(
            "revoke every session of {} issued before the moment you confirm",
            a.target()
        ),
        before: vec![before],
        after: vec![format!(
            "{REVOKE_POLICY_NAME}: sessions issued before confirmation denied"
        )],
        diff: Vec::new(),
        blast_radius: format!(
            "{who} Sessions issued after the cutoff still work. {escalate} IAM takes a \
             few seconds to apply the policy everywhere."
        ),
        confirm: Confirm::TypeName {
            text: name.to_string(),
        },
        undo: match prior {
            Value::Null => "undo removes the revocation policy".into(),
            _ => "undo puts the earlier revocation policy (and its cutoff) back".into(),
        },
        undoable: true,
        prior,
        region: c.region().to_string(),
    })
}

/// The cutoff is taken when the change is applied, not when it was planned,
/// so sessions issued while the responder read the plan are revoked too.
pub async fn apply(cx: &Cx<'_>, id: &str, a: &Args, _plan: &Plan) -> Result<(), AwsError> {
    let cutoff = now_utc();
    let doc = revoke_older_sessions(&cutoff).to_string();
    crate::aws::iam::set_inline_policy(cx.clients, &a.principal, REVOKE_POLICY_NAME, Some(&doc))
        .await?;
    cx.record(
        "action_note",
        serde_json::json!({
            "summary": format!("{id}: sessions of {} issued before {cutoff} are denied", a.target()),
            "action_id": id,
            "cutoff": cutoff,
        }),
    )
    .await
    .map_err(|e| AwsError::new("Journal", e.to_string()))?;
    Ok(())
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let now = inline_policy::read(c, &a.principal, REVOKE_POLICY_NAME).await?;
    let cutoff = cutoff_of(&now);
    let earlier = cutoff_of(&plan.prior);
    // ISO 8601 in one format compares as text.
    let ok = match (&cutoff, &earlier) {
        (Some(new), Some(old)) => new >= old,
        (Some(_), None) => true,
        _ => false,
    };
    Ok(Verification {
        ok,
        detail: match cutoff {
            Some(t) => format!("read back: {REVOKE_POLICY_NAME} denies sessions issued before {t}"),
            None => format!("read back: no {REVOKE_POLICY_NAME} policy with a cutoff"),
        },
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    _region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    inline_policy::restore(cx, &a.principal, REVOKE_POLICY_NAME, prior).await
}
