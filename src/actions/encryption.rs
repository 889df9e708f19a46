//! Action: default encryption — SSE-S3, or SSE-KMS with a chosen key (with
//! an S3 Bucket Key, to keep KMS request costs down). Only new objects are
//! affected. Undo writes the recorded rules back exactly.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_read_with_prior};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::facts::EncryptionRule;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// A KMS key id, ARN or alias for SSE-KMS; `None` for SSE-S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
}

/// The rule to write. A block on SSE-C writes already there is kept:
/// changing the default algorithm must not reopen the ransomware door.
fn target(a: &Args, prior: Option<&[EncryptionRule]>) -> Vec<EncryptionRule> {
    let blocked: Vec<String> = prior
        .unwrap_or_default()
        .iter()
        .flat_map(|r| r.blocked_encryption_types.iter().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    vec![match &a.kms_key {
        Some(key) => EncryptionRule {
            sse_algorithm: "aws:kms".into(),
            kms_master_key_id: Some(key.clone()),
            bucket_key_enabled: Some(true),
            blocked_encryption_types: blocked,
        },
        None => EncryptionRule {
            sse_algorithm: "AES256".into(),
            kms_master_key_id: None,
            bucket_key_enabled: None,
            blocked_encryption_types: blocked,
        },
    }]
}

/// The rules as recorded in a plan's prior state.
fn prior_rules(plan: &Plan) -> Option<Vec<EncryptionRule>> {
    serde_json::from_value(plan.prior.clone()).ok().flatten()
}

fn describe(rules: Option<&[EncryptionRule]>) -> Vec<String> {
    match rules {
        None | Some([]) => vec!["Default encryption: none configured".into()],
        Some(rules) => rules
            .iter()
            .map(|r| match &r.kms_master_key_id {
                Some(k) => format!("Default encryption: {} ({k})", r.sse_algorithm),
                None => format!("Default encryption: {}", r.sse_algorithm),
            })
            .chain(
                rules
                    .iter()
                    .any(EncryptionRule::blocks_sse_c)
                    .then(|| "SSE-C writes: blocked".to_string()),
            )
            .collect(),
    }
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = containment::encryption(c, bucket, &region).await?;
    let want = target(a, prior.as_deref());
    if prior.as_deref() == Some(want.as_slice()) {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} already has this default encryption"
        )));
    }
    let mut blast = format!(
        "New objects written to {bucket} are encrypted by default; existing objects keep their current encryption (re-encrypting them means copying each object)."
    );
    if let Some(key) = &a.kms_key {
        blast.push_str(&format!(
            " With SSE-KMS, anyone reading new objects also needs kms:Decrypt on {key}; readers without it lose access to new objects, and a key the bucket's writers cannot use makes uploads fail."
        ));
    }
    Ok(Plan {
        spec: ActionSpec::EnableEncryption(a.clone()),
        summary: match &a.kms_key {
            Some(_) => "enable default encryption with SSE-KMS".into(),
            None => "enable default encryption with SSE-S3".into(),
        },
        before: describe(prior.as_deref()),
        after: describe(Some(&want)),
        diff: Vec::new(),
        blast_radius: blast,
        confirm: Confirm::YesNo,
        undo: match &prior {
            Some(_) => "undo writes the previous encryption rules back exactly".into(),
            None => "undo removes the default-encryption configuration again".into(),
        },
        undoable: true,
        prior: serde_json::to_value(&prior).unwrap_or(Value::Null),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let want = target(a, prior_rules(plan).as_deref());
    containment::set_encryption(cx.clients, &a.bucket, &plan.region, Some(&want)).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let now = containment::encryption(c, &a.bucket, &plan.region).await?;
    Ok(Verification {
        ok: now.as_deref() == Some(target(a, prior_rules(plan).as_deref()).as_slice()),
        detail: format!("read back: {}", describe(now.as_deref()).join(", ")),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let was: Option<Vec<EncryptionRule>> = super::recorded(prior, "default encryption")?;
    containment::set_encryption(cx.clients, &a.bucket, region, was.as_deref()).await?;
    let now = containment::encryption(cx.clients, &a.bucket, region).await;
    Ok(compare_read_with_prior(now, prior))
}
