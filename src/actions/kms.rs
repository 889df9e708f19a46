//! Actions on the second lock: the KMS key of a bucket's SSE-KMS default
//! encryption. An outside account that the bucket lets read and the key
//! lets decrypt reads plaintext; closing either lock stops it. These close
//! the key's side, for when the bucket's grant must stay (a partner still
//! lists the bucket) or as a second belt.
//!
//! The key is the account's, not the bucket's: it may encrypt other buckets
//! and services, and the plans say so. Both actions share the bucket's lock
//! (they are started from the bucket) and write only what they planned: a
//! key policy that changed since the plan is refused, not overwritten.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::{AwsError, Clients};

/// The region a key ARN names (keys are regional).
fn key_region(key: &str) -> Result<String, ActionError> {
    key.strip_prefix("arn:")
        .and_then(|r| r.split(':').nth(2))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            ActionError::NotPossible(format!("{key} is not a KMS key ARN (arn:aws:kms:REGION:…)"))
        })
}

/// The blast radius both actions share: whoever uses the key elsewhere.
fn shared_key_warning(key: &str) -> String {
    format!(
        "Key {key} may also encrypt other buckets, volumes or services: whatever this removes, it removes for all of them. The bucket's own policy and ACL are unchanged."
    )
}

pub mod statement {
    //! Remove one statement of the key policy (the one that lets another
    //! account decrypt). Undo puts the exact recorded document back.
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Args {
        /// The bucket whose key this is (the action is started from it).
        pub bucket: String,
        /// The key's ARN.
        pub key: String,
        /// The statement's position, 1-based, as the reasons name it.
        pub statement: usize,
    }

    use crate::aws::kms::{key_policy as read, set_key_policy as write};

    /// The document without statement `n` (1-based), and that statement.
    fn without(document: &str, n: usize) -> Result<(Value, Value), ActionError> {
        let mut doc: Value = serde_json::from_str(document)
            .map_err(|e| ActionError::NotPossible(format!("the key policy is not JSON: {e}")))?;
        let key = doc
            .as_object()
            .and_then(|m| {
                m.keys()
                    .find(|k| k.eq_ignore_ascii_case("Statement"))
                    .cloned()
            })
            .ok_or_else(|| ActionError::NotPossible("the key policy has no Statement".into()))?;
        let removed = match &mut doc[&key] {
            Value::Array(items) if n >= 1 && n <= items.len() => items.remove(n - 1),
            Value::Array(items) => {
                return Err(ActionError::NotPossible(format!(
                    "the key policy has {} statement(s), not a statement {n}",
                    items.len()
                )));
            }
            one @ Value::Object(_) if n == 1 => {
                let st = one.take();
                doc[&key] = Value::Array(Vec::new());
                st
            }
            _ => {
                return Err(ActionError::NotPossible(format!(
                    "the key policy has no statement {n}"
                )));
            }
        };
        Ok((doc, removed))
    }

    pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
        let region = key_region(&a.key)?;
        let document = read(c, &region, &a.key).await?;
        let own = c.identity().await?.account;
        let outsiders = crate::model::kms::policy_outsiders(&document, &own)
            .map_err(|e| ActionError::NotPossible(format!("the key policy is not JSON: {e}")))?;
        let label = format!("key policy statement {}", a.statement);
        let reached: Vec<String> = outsiders
            .iter()
            .filter(|o| o.by == label || o.by.starts_with(&format!("{label} (")))
            .map(|o| o.who.clone())
            .collect();
        if reached.is_empty() {
            return Err(ActionError::NothingToDo(format!(
                "{label} of {} lets no one outside account {own} decrypt",
                a.key
            )));
        }
        let (after, removed) = without(&document, a.statement)?;
        let before_doc: Value = serde_json::from_str(&document).unwrap_or(Value::Null);
        let diff = super::super::policy_statements::line_diff(&before_doc, &after);
        Ok(Plan {
            spec: ActionSpec::RemoveKeyStatement(a.clone()),
            summary: format!(
                "remove {label} from the key policy of {} (the key of {})",
                a.key, a.bucket
            ),
            before: vec![format!("{label}: lets {} decrypt", reached.join(", "))],
            after: vec![format!("{label}: removed")],
            diff,
            blast_radius: format!(
                "{} lose kms:Decrypt (and whatever else the statement allowed: {}) by this statement, so objects the bucket lets them read are ciphertext to them. {}",
                reached.join(", "),
                removed
                    .get("Action")
                    .or_else(|| removed.get("action"))
                    .map(Value::to_string)
                    .unwrap_or_else(|| "?".into()),
                shared_key_warning(&a.key)
            ),
            confirm: Confirm::TypeName {
                text: a.bucket.clone(),
            },
            undo: "undo puts the exact recorded key policy back".into(),
            undoable: true,
            prior: Value::String(document),
            region,
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
        let recorded = plan.prior.as_str().unwrap_or_default();
        let now = read(cx.clients, &plan.region, &a.key).await?;
        // Written from the recorded document: refuse if it moved since, or
        // a change made in between would be silently undone.
        if !super::super::same_json(&now, recorded) {
            return Err(AwsError::new(
                "ChangedSincePlan",
                "the key policy changed since the plan: plan again",
            ));
        }
        let (after, _) = without(recorded, a.statement)
            .map_err(|e| AwsError::new("NotPossible", e.to_string()))?;
        write(cx.clients, &plan.region, &a.key, &after.to_string()).await
    }

    pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
        let now = read(c, &plan.region, &a.key).await?;
        let (want, _) = without(plan.prior.as_str().unwrap_or_default(), a.statement)
            .map_err(|e| AwsError::new("NotPossible", e.to_string()))?;
        let ok = serde_json::from_str::<Value>(&now).ok() == Some(want);
        Ok(Verification {
            ok,
            detail: if ok {
                format!(
                    "read back: the key policy is the recorded one without statement {}",
                    a.statement
                )
            } else {
                "read back: the key policy is not what was asked".into()
            },
        })
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Args,
        region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        let doc = prior.as_str().unwrap_or_default();
        write(cx.clients, region, &a.key, doc).await?;
        // Compared as JSON: KMS may give the document back re-spaced.
        let now = read(cx.clients, region, &a.key).await.map(|d| {
            if super::super::same_json(&d, doc) {
                prior.clone()
            } else {
                Value::String(d)
            }
        });
        Ok(compare_with_prior(now, prior))
    }
}

pub mod grant {
    //! Revoke one grant of the key (the one that lets another account
    //! decrypt). A revoked grant's id cannot come back: undo creates an
    //! equivalent grant (same grantee, operations, retiring principal,
    //! name and constraints) with a new id.
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Args {
        pub bucket: String,
        /// The key's ARN.
        pub key: String,
        /// The grant id.
        pub grant: String,
    }

    async fn grants(
        c: &Clients,
        region: &str,
        key: &str,
    ) -> Result<Vec<aws_sdk_kms::types::GrantListEntry>, AwsError> {
        crate::aws::kms::grant_entries(&c.kms_in(region), key).await
    }

    /// What undo needs to make the grant again, and what read-back compares.
    fn shape(g: &aws_sdk_kms::types::GrantListEntry) -> Value {
        let mut ops: Vec<String> = g
            .operations()
            .iter()
            .map(|o| o.as_str().to_string())
            .collect();
        ops.sort();
        fn sorted(
            m: Option<&std::collections::HashMap<String, String>>,
        ) -> Option<std::collections::BTreeMap<String, String>> {
            m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        json!({
            "grantee": g.grantee_principal(),
            "operations": ops,
            "retiring_principal": g.retiring_principal(),
            "name": g.name(),
            "context_equals": sorted(g.constraints().and_then(|c| c.encryption_context_equals())),
            "context_subset": sorted(g.constraints().and_then(|c| c.encryption_context_subset())),
        })
    }

    pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
        let region = key_region(&a.key)?;
        let all = grants(c, &region, &a.key).await?;
        let Some(g) = all.iter().find(|g| g.grant_id() == Some(a.grant.as_str())) else {
            return Err(ActionError::NothingToDo(format!(
                "key {} has no grant {}",
                a.key, a.grant
            )));
        };
        let prior = shape(g);
        let grantee = g.grantee_principal().unwrap_or("?").to_string();
        let ops = prior["operations"]
            .as_array()
            .map(|o| {
                o.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        Ok(Plan {
            spec: ActionSpec::RevokeGrant(a.clone()),
            summary: format!(
                "revoke grant {} on key {} (the key of {})",
                a.grant, a.key, a.bucket
            ),
            before: vec![format!("grant {}: {grantee} may {ops}", a.grant)],
            after: vec![format!("grant {}: revoked", a.grant)],
            diff: Vec::new(),
            blast_radius: format!(
                "{grantee} loses what the grant gave it ({ops}) at once, everywhere the key is used. {}",
                shared_key_warning(&a.key)
            ),
            confirm: Confirm::TypeName {
                text: a.bucket.clone(),
            },
            undo: "undo creates an equivalent grant (same grantee, operations and constraints) with a NEW id: a revoked grant id cannot be recreated, and anything holding the old grant token must use the new grant".into(),
            undoable: true,
            prior,
            region,
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
        crate::aws::kms::revoke_grant(cx.clients, &plan.region, &a.key, &a.grant).await
    }

    pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
        let all = grants(c, &plan.region, &a.key).await?;
        let gone = !all.iter().any(|g| g.grant_id() == Some(a.grant.as_str()));
        Ok(Verification::gone(&format!("grant {}", a.grant), gone))
    }

    pub async fn undo(
        cx: &Cx<'_>,
        _id: &str,
        a: &Args,
        region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        crate::aws::kms::create_grant_like(cx.clients, region, &a.key, prior).await?;
        let now = grants(cx.clients, region, &a.key).await.map(|all| {
            all.iter()
                .map(shape)
                .find(|s| s == prior)
                .unwrap_or(Value::Null)
        });
        Ok(compare_with_prior(now, prior))
    }
}
