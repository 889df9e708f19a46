//! Action: block SSE-C writes to a bucket (`BlockedEncryptionTypes` in its
//! default-encryption rule). SSE-C encrypts an object with a key only the
//! writer holds — AWS keeps an HMAC of it, not the key — so an attacker
//! with `s3:PutObject` can rewrite every object into something only they
//! can read (the "Codefinger" campaign of January 2025). Blocking it keeps
//! the bucket's default encryption as it is and stops such writes; objects
//! already written with SSE-C stay readable by whoever holds their key.
//! Undo writes the recorded configuration back exactly.

use serde_json::Value;

use super::{
    ActionError, ActionSpec, Bucket, Confirm, Cx, Plan, Verification, compare_read_with_prior,
};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::model::facts::EncryptionRule;

/// What S3 calls a customer-provided key's encryption type.
const SSE_C: &str = "SSE-C";

/// The rules with SSE-C blocked in each; a bucket with none configured
/// gets S3's default (SSE-S3) with the block.
fn target(prior: Option<&[EncryptionRule]>) -> Vec<EncryptionRule> {
    let rules = match prior {
        Some(r) if !r.is_empty() => r.to_vec(),
        _ => vec![EncryptionRule {
            sse_algorithm: "AES256".into(),
            kms_master_key_id: None,
            bucket_key_enabled: None,
            blocked_encryption_types: Vec::new(),
        }],
    };
    rules
        .into_iter()
        .map(|mut r| {
            r.blocked_encryption_types.retain(|t| t != "NONE");
            if !r.blocks_sse_c() {
                r.blocked_encryption_types.push(SSE_C.into());
            }
            r
        })
        .collect()
}

fn describe(rules: Option<&[EncryptionRule]>) -> Vec<String> {
    let blocked = rules.is_some_and(|r| r.iter().any(EncryptionRule::blocks_sse_c));
    let mut out: Vec<String> = match rules {
        None | Some([]) => vec!["Default encryption: none configured".into()],
        Some(rules) => rules
            .iter()
            .map(|r| format!("Default encryption: {}", r.sse_algorithm))
            .collect(),
    };
    out.push(format!(
        "SSE-C writes: {}",
        if blocked { "blocked" } else { "allowed" }
    ));
    out
}

pub async fn plan(c: &Clients, a: &Bucket) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = containment::encryption(c, bucket, &region).await?;
    if prior
        .as_deref()
        .is_some_and(|r| !r.is_empty() && r.iter().all(EncryptionRule::blocks_sse_c))
    {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} already refuses SSE-C writes"
        )));
    }
    Ok(Plan {
        spec: ActionSpec::BlockSseC(a.clone()),
        summary: format!("block SSE-C writes to {bucket}"),
        before: describe(prior.as_deref()),
        after: describe(Some(&target(prior.as_deref()))),
        diff: Vec::new(),
        blast_radius: format!(
            "PutObject, CopyObject, multipart uploads and replication into {bucket} that ask for \
             SSE-C (a key the writer supplies) are refused from now on: an attacker can no \
             longer rewrite objects into ciphertext only they can read. Writers that use SSE-C \
             legitimately fail too. Objects already written with SSE-C stay as they are and \
             read only with their key: restore them from earlier versions. {}",
            if prior.as_deref().is_none_or(<[EncryptionRule]>::is_empty) {
                "The bucket has no default encryption rule, so S3's own default (SSE-S3) is \
                 written as its rule, to carry the block; undo removes it again."
            } else {
                "The default encryption itself does not change."
            }
        ),
        confirm: Confirm::YesNo,
        undo: match &prior {
            Some(_) => "undo writes the previous encryption configuration back exactly".into(),
            None => "undo removes the encryption configuration again".into(),
        },
        undoable: true,
        prior: serde_json::to_value(&prior).unwrap_or(Value::Null),
        region,
    })
}

fn recorded_rules(plan: &Plan) -> Option<Vec<EncryptionRule>> {
    serde_json::from_value(plan.prior.clone()).ok().flatten()
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Bucket, plan: &Plan) -> Result<(), AwsError> {
    let want = target(recorded_rules(plan).as_deref());
    containment::set_encryption(cx.clients, &a.bucket, &plan.region, Some(&want)).await
}

pub async fn verify(c: &Clients, a: &Bucket, plan: &Plan) -> Result<Verification, AwsError> {
    let now = containment::encryption(c, &a.bucket, &plan.region).await?;
    let blocked = now
        .as_deref()
        .is_some_and(|r| !r.is_empty() && r.iter().all(EncryptionRule::blocks_sse_c));
    Ok(Verification {
        ok: blocked,
        detail: format!("read back: {}", describe(now.as_deref()).join(", ")),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Bucket,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let was: Option<Vec<EncryptionRule>> = super::recorded(prior, "encryption configuration")?;
    // A rule that had no block is written with none: S3 reads an absent
    // element as nothing blocked.
    containment::set_encryption(cx.clients, &a.bucket, region, was.as_deref()).await?;
    let now = containment::encryption(cx.clients, &a.bucket, region).await;
    Ok(compare_read_with_prior(now, prior))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_keeps_the_rule_and_adds_sse_c_once() {
        let kms = EncryptionRule {
            sse_algorithm: "aws:kms".into(),
            kms_master_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
            bucket_key_enabled: Some(true),
            blocked_encryption_types: vec!["NONE".into()],
        };
        let t = target(Some(std::slice::from_ref(&kms)));
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].kms_master_key_id, kms.kms_master_key_id);
        assert_eq!(t[0].blocked_encryption_types, ["SSE-C"]);
        assert_eq!(target(Some(&t)), t, "blocking twice changes nothing");
        let none = target(None);
        assert_eq!(none[0].sse_algorithm, "AES256");
        assert!(none[0].blocks_sse_c());
    }
}
