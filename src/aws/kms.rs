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

#[cfg(test)]
mod tests {
    use super::named_key;
    use crate::model::facts::Encryption;

    #[test]
    fn the_key_is_read_from_the_encryption_rule() {
        let enc = |r: &str| Encryption {
            rules: vec![r.to_string()],
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
