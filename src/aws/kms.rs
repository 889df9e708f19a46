//! Reading the KMS key behind a bucket's SSE-KMS default encryption: who
//! its key policy and grants let decrypt (the second lock on the objects).

use super::error::aws_error;
use super::{AwsError, Clients};
use crate::model::facts::{Encryption, Fact, KmsGrant, KmsKey};

/// The key a bucket's default encryption names: `Some(None)` for SSE-KMS
/// with no key named (the AWS managed `aws/s3`), `None` when the default
/// is not SSE-KMS. Rules read as `aws:kms (KEY)` (see `aws::exposure`).
pub fn named_key(enc: &Encryption) -> Option<Option<String>> {
    let rule = enc.rules.iter().find(|r| r.starts_with("aws:kms"))?;
    Some(
        rule.split_once(" (")
            .map(|(_, k)| k.trim_end_matches(')').trim().to_string())
            .filter(|k| !k.is_empty()),
    )
}

pub async fn of_bucket(
    c: &Clients,
    region: &str,
    encryption: &Fact<Option<Encryption>>,
) -> Fact<Option<KmsKey>> {
    let named = match encryption {
        Fact::Unknown(e) => return Fact::Unknown(e.clone()),
        Fact::Known(None) => return Fact::Known(None),
        Fact::Known(Some(enc)) => match named_key(enc) {
            None => return Fact::Known(None),
            Some(named) => named,
        },
    };
    let Some(named) = named else {
        // The AWS managed key: its policy lets only this account's
        // principals use it, through S3. Nothing to read.
        return Fact::Known(Some(KmsKey {
            named: "aws/s3".into(),
            arn: None,
            aws_managed: true,
            policy: Fact::Known(None),
            grants: Fact::Known(Vec::new()),
        }));
    };
    // A key ARN says its region; an id or alias is in the bucket's.
    let key_region = named
        .strip_prefix("arn:")
        .and_then(|r| r.split(':').nth(2))
        .filter(|r| !r.is_empty())
        .unwrap_or(region)
        .to_string();
    let kms = c.kms_in(&key_region);
    let described = kms
        .describe_key()
        .key_id(&named)
        .send()
        .await
        .map_err(|e| aws_error(&e));
    let meta = match described {
        Ok(out) => out.key_metadata().cloned(),
        Err(e) => {
            return Fact::Known(Some(KmsKey {
                named,
                arn: None,
                aws_managed: false,
                policy: Fact::Unknown(e.clone()),
                grants: Fact::Unknown(e),
            }));
        }
    };
    let arn = meta.as_ref().and_then(|m| m.arn()).map(str::to_string);
    let aws_managed = meta
        .as_ref()
        .and_then(|m| m.key_manager())
        .is_some_and(|m| m.as_str() == "AWS");
    let id = arn.clone().unwrap_or_else(|| named.clone());
    let (policy, grants) = tokio::join!(
        async {
            kms.get_key_policy()
                .key_id(&id)
                .policy_name("default")
                .send()
                .await
                .map(|o| o.policy().map(str::to_string))
                .map_err(|e| aws_error(&e))
        },
        list_grants(&kms, &id)
    );
    Fact::Known(Some(KmsKey {
        named,
        arn,
        aws_managed,
        policy: policy.into(),
        grants: grants.into(),
    }))
}

async fn list_grants(kms: &aws_sdk_kms::Client, key: &str) -> Result<Vec<KmsGrant>, AwsError> {
    Ok(grant_entries(kms, key)
        .await?
        .iter()
        .map(|g| KmsGrant {
            id: g.grant_id().unwrap_or_default().to_string(),
            grantee: g.grantee_principal().unwrap_or_default().to_string(),
            operations: g
                .operations()
                .iter()
                .map(|o| o.as_str().to_string())
                .collect(),
        })
        .collect())
}

/// Every grant of `key` as KMS lists it, following `NextMarker` (the scan
/// and the revoke-grant action both read them).
pub async fn grant_entries(
    kms: &aws_sdk_kms::Client,
    key: &str,
) -> Result<Vec<aws_sdk_kms::types::GrantListEntry>, AwsError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = kms
            .list_grants()
            .key_id(key)
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        out.extend(page.grants().iter().cloned());
        match page.next_marker() {
            Some(m) if page.truncated() && !m.is_empty() && Some(m) != marker.as_deref() => {
                marker = Some(m.to_string())
            }
            _ => break,
        }
    }
    Ok(out)
}

/// A key's policy document (the `default` policy, the only one KMS has).
pub async fn key_policy(c: &Clients, region: &str, key: &str) -> Result<String, AwsError> {
    c.kms_in(region)
        .get_key_policy()
        .key_id(key)
        .policy_name("default")
        .send()
        .await
        .map_err(|e| aws_error(&e))?
        .policy()
        .map(str::to_string)
        .ok_or_else(|| AwsError::new("BadResponse", "GetKeyPolicy answered no policy"))
}

/// Replace a key's policy document.
pub async fn set_key_policy(
    c: &Clients,
    region: &str,
    key: &str,
    document: &str,
) -> Result<(), AwsError> {
    c.kms_in(region)
        .put_key_policy()
        .key_id(key)
        .policy_name("default")
        .policy(document)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// Revoke one grant of a key.
pub async fn revoke_grant(
    c: &Clients,
    region: &str,
    key: &str,
    grant: &str,
) -> Result<(), AwsError> {
    c.kms_in(region)
        .revoke_grant()
        .key_id(key)
        .grant_id(grant)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// A new grant of `key` with the grantee, operations, retiring principal,
/// name and constraints of a recorded one (`revoke-grant`'s prior state:
/// KMS cannot bring a revoked grant id back).
pub async fn create_grant_like(
    c: &Clients,
    region: &str,
    key: &str,
    prior: &serde_json::Value,
) -> Result<(), AwsError> {
    use serde_json::Value;
    let text = |k: &str| prior[k].as_str().map(str::to_string);
    let map = |k: &str| {
        prior[k].as_object().map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect::<std::collections::HashMap<_, _>>()
        })
    };
    let constraints = match (map("context_equals"), map("context_subset")) {
        (None, None) => None,
        (eq, sub) => Some(
            aws_sdk_kms::types::GrantConstraints::builder()
                .set_encryption_context_equals(eq)
                .set_encryption_context_subset(sub)
                .build(),
        ),
    };
    let ops: Vec<aws_sdk_kms::types::GrantOperation> = prior["operations"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter_map(Value::as_str)
                .map(aws_sdk_kms::types::GrantOperation::from)
                .collect()
        })
        .unwrap_or_default();
    c.kms_in(region)
        .create_grant()
        .key_id(key)
        .set_grantee_principal(text("grantee"))
        .set_operations(Some(ops))
        .set_retiring_principal(text("retiring_principal"))
        .set_name(text("name"))
        .set_constraints(constraints)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::named_key;
    use crate::model::facts::Encryption;

    #[test]
    fn the_key_is_read_from_the_encryption_rule() {
        let enc = |r: &str| Encryption {
            rules: vec![r.to_string()],
            sse_c_blocked: false,
        };
        assert_eq!(named_key(&enc("AES256")), None);
        assert_eq!(named_key(&enc("aws:kms")), Some(None));
        assert_eq!(
            named_key(&enc(
                "aws:kms (arn:aws:kms:us-east-1:111122223333:key/1234abcd)"
            )),
            Some(Some(
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd".into()
            ))
        );
        assert_eq!(
            named_key(&enc("aws:kms:dsse (alias/exports)")),
            Some(Some("alias/exports".into()))
        );
    }
}
