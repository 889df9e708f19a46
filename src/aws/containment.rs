//! The SDK calls behind containment actions. Plain functions: the action
//! engine (`crate::actions`) decides when they may run and records them.

use super::acl::{access_control_policy, acl_from};
use super::error::{aws_error, done, optional};
use super::{AwsError, Clients};
use crate::model::facts::{Acl, EncryptionRule, LockConfig, PublicAccessBlock};

/// The bucket's own Public Access Block; `None` when it has none.
pub async fn bucket_pab(
    c: &Clients,
    bucket: &str,
    region: &str,
) -> Result<Option<PublicAccessBlock>, AwsError> {
    optional(
        c.s3_in(region)
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await,
    )
    .map(|o| {
        o.and_then(|o| {
            o.public_access_block_configuration()
                .map(|p| PublicAccessBlock {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                })
        })
    })
}

/// Set the bucket's Public Access Block to exactly `pab`, or remove it.
pub async fn set_bucket_pab(
    c: &Clients,
    bucket: &str,
    region: &str,
    pab: Option<&PublicAccessBlock>,
) -> Result<(), AwsError> {
    let s3 = c.s3_in(region);
    match pab {
        Some(p) => s3
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(super::pab::to_s3(p))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_error(&e)),
        None => s3
            .delete_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_error(&e)),
    }
}

/// How many objects the bucket holds, counted up to `limit` (one page).
pub async fn object_count_up_to(
    c: &Clients,
    bucket: &str,
    region: &str,
    limit: i32,
) -> Result<(usize, bool), AwsError> {
    let out = c
        .s3_in(region)
        .list_objects_v2()
        .bucket(bucket)
        .max_keys(limit)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok((out.contents().len(), out.is_truncated().unwrap_or(false)))
}

/// The bucket policy document exactly as S3 returns it; `None` without one.
pub async fn bucket_policy(
    c: &Clients,
    bucket: &str,
    region: &str,
) -> Result<Option<String>, AwsError> {
    optional(
        c.s3_in(region)
            .get_bucket_policy()
            .bucket(bucket)
            .send()
            .await,
    )
    .map(|o| o.and_then(|o| o.policy().map(str::to_string)))
}

/// Put `document` back as the bucket policy, or delete the policy.
pub async fn set_bucket_policy(
    c: &Clients,
    bucket: &str,
    region: &str,
    document: Option<&str>,
) -> Result<(), AwsError> {
    let s3 = c.s3_in(region);
    match document {
        Some(doc) => s3
            .put_bucket_policy()
            .bucket(bucket)
            .policy(doc)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_error(&e)),
        None => s3
            .delete_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_error(&e)),
    }
}

/// The account-level Public Access Block (S3 Control); `None` without one.
pub async fn account_pab(
    c: &Clients,
    account: &str,
) -> Result<Option<PublicAccessBlock>, AwsError> {
    optional(
        c.s3control
            .get_public_access_block()
            .account_id(account)
            .send()
            .await,
    )
    .map(|o| {
        o.and_then(|o| {
            o.public_access_block_configuration()
                .map(|p| PublicAccessBlock {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                })
        })
    })
}

/// Set the account-level Public Access Block to exactly `pab`, or remove it.
pub async fn set_account_pab(
    c: &Clients,
    account: &str,
    pab: Option<&PublicAccessBlock>,
) -> Result<(), AwsError> {
    let control = &c.s3control;
    match pab {
        Some(p) => done(
            control
                .put_public_access_block()
                .account_id(account)
                .public_access_block_configuration(super::pab::to_control(p))
                .send()
                .await,
        ),
        None => done(
            control
                .delete_public_access_block()
                .account_id(account)
                .send()
                .await,
        ),
    }
}

/// The bucket's ACL, as read.
pub async fn bucket_acl(c: &Clients, bucket: &str, region: &str) -> Result<Acl, AwsError> {
    c.s3_in(region)
        .get_bucket_acl()
        .bucket(bucket)
        .send()
        .await
        .map(|o| acl_from(o.owner(), o.grants()))
        .map_err(|e| aws_error(&e))
}

/// Write `acl` as the bucket's ACL, exactly.
pub async fn set_bucket_acl(
    c: &Clients,
    bucket: &str,
    region: &str,
    acl: &Acl,
) -> Result<(), AwsError> {
    done(
        c.s3_in(region)
            .put_bucket_acl()
            .bucket(bucket)
            .access_control_policy(access_control_policy(acl)?)
            .send()
            .await,
    )
}

/// One object's ACL, as read.
pub async fn object_acl(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<Acl, AwsError> {
    s3.get_object_acl()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map(|o| acl_from(o.owner(), o.grants()))
        .map_err(|e| aws_error(&e))
}

/// Write `acl` as one object's ACL, exactly (the owner cannot change).
///
/// The grants go in the `x-amz-grant-*` headers rather than an XML body:
/// S3 treats both the same (the ACL becomes exactly these grants), and
/// emulators that ignore an object-ACL body (moto) honour the headers.
pub async fn set_object_acl(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    acl: &Acl,
) -> Result<(), AwsError> {
    let req = s3.put_object_acl().bucket(bucket).key(key);
    if acl.grants.is_empty() {
        return done(
            req.access_control_policy(access_control_policy(acl)?)
                .send()
                .await,
        );
    }
    let headers = grant_headers(acl);
    let get = |p: &str| headers.get(p).cloned();
    done(
        req.set_grant_read(get("READ"))
            .set_grant_write(get("WRITE"))
            .set_grant_read_acp(get("READ_ACP"))
            .set_grant_write_acp(get("WRITE_ACP"))
            .set_grant_full_control(get("FULL_CONTROL"))
            .send()
            .await,
    )
}

/// `{"READ": "uri=\"…\", id=\"…\""}`: the grant headers of an ACL.
pub fn grant_headers(acl: &Acl) -> std::collections::BTreeMap<String, String> {
    use crate::model::facts::Grantee;
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for g in &acl.grants {
        let who = match &g.grantee {
            Grantee::AllUsers => format!("uri=\"{}\"", super::acl::ALL_USERS),
            Grantee::AuthenticatedUsers => format!("uri=\"{}\"", super::acl::AUTHENTICATED_USERS),
            Grantee::LogDelivery => format!("uri=\"{}\"", super::acl::LOG_DELIVERY),
            Grantee::OtherGroup { uri } => format!("uri=\"{uri}\""),
            Grantee::Email { address } => format!("emailAddress=\"{address}\""),
            Grantee::CanonicalUser { id, .. } => format!("id=\"{id}\""),
        };
        out.entry(g.permission.clone()).or_default().push(who);
    }
    out.into_iter().map(|(p, w)| (p, w.join(", "))).collect()
}

/// Every object key under `prefix` (all pages), in listing order.
pub async fn list_keys(
    c: &Clients,
    bucket: &str,
    region: &str,
    prefix: Option<&str>,
) -> Result<Vec<String>, AwsError> {
    list_keys_after(&c.s3_in(region), bucket, prefix, None).await
}

/// Every key under `prefix` (all pages), starting after `start_after`.
pub async fn list_keys_after(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
    start_after: Option<String>,
) -> Result<Vec<String>, AwsError> {
    let mut keys = Vec::new();
    let mut after = start_after;
    loop {
        let (page, more) = list_page(s3, bucket, prefix, after.take()).await?;
        after = page.last().cloned();
        keys.extend(page);
        if !more || after.is_none() {
            return Ok(keys);
        }
    }
}

/// One page of keys (up to 1,000) under `prefix` after `after`, and
/// whether more follow. Each page starts after the last key of the one
/// before, so a reader that stops between pages can resume from a key it
/// keeps (the trail reader does).
pub async fn list_page(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
    after: Option<String>,
) -> Result<(Vec<String>, bool), AwsError> {
    let page = s3
        .list_objects_v2()
        .bucket(bucket)
        .set_prefix(prefix.map(str::to_string))
        .set_start_after(after.filter(|a| !a.is_empty()))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let keys = page
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    Ok((keys, page.is_truncated().unwrap_or(false)))
}

/// The bucket's Object Ownership setting; `None` without ownership controls.
pub async fn ownership(
    c: &Clients,
    bucket: &str,
    region: &str,
) -> Result<Option<String>, AwsError> {
    optional(
        c.s3_in(region)
            .get_bucket_ownership_controls()
            .bucket(bucket)
            .send()
            .await,
    )
    .map(|o| {
        o.and_then(|o| {
            o.ownership_controls()
                .and_then(|c| c.rules().first())
                .map(|r| r.object_ownership().as_str().to_string())
        })
    })
}

/// Set Object Ownership to `setting`, or remove the ownership controls.
pub async fn set_ownership(
    c: &Clients,
    bucket: &str,
    region: &str,
    setting: Option<&str>,
) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};
    let s3 = c.s3_in(region);
    let bad = |e: aws_sdk_s3::error::BuildError| AwsError::new("InvalidRequest", e.to_string());
    match setting {
        Some(s) => {
            let rule = OwnershipControlsRule::builder()
                .object_ownership(ObjectOwnership::from(s))
                .build()
                .map_err(bad)?;
            let controls = OwnershipControls::builder()
                .rules(rule)
                .build()
                .map_err(bad)?;
            done(
                s3.put_bucket_ownership_controls()
                    .bucket(bucket)
                    .ownership_controls(controls)
                    .send()
                    .await,
            )
        }
        None => done(
            s3.delete_bucket_ownership_controls()
                .bucket(bucket)
                .send()
                .await,
        ),
    }
}

/// The bucket's versioning status: `None` when it was never versioned.
pub async fn versioning_status(
    c: &Clients,
    bucket: &str,
    region: &str,
) -> Result<Option<String>, AwsError> {
    c.s3_in(region)
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .map(|o| o.status().map(|s| s.as_str().to_string()))
        .map_err(|e| aws_error(&e))
}

/// Set versioning to "Enabled" or "Suspended".
pub async fn set_versioning(
    c: &Clients,
    bucket: &str,
    region: &str,
    status: &str,
) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    done(
        c.s3_in(region)
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::from(status))
                    .build(),
            )
            .send()
            .await,
    )
}

/// The bucket's Object Lock configuration; off when it has none.
pub async fn object_lock(c: &Clients, bucket: &str, region: &str) -> Result<LockConfig, AwsError> {
    let got = optional(
        c.s3_in(region)
            .get_object_lock_configuration()
            .bucket(bucket)
            .send()
            .await,
    )?;
    let Some(conf) = got.as_ref().and_then(|o| o.object_lock_configuration()) else {
        return Ok(LockConfig::default());
    };
    let retention = conf.rule().and_then(|r| r.default_retention());
    // A period of 0 is no period (the emulator writes both elements).
    let positive = |n: Option<i32>| n.filter(|n| *n > 0);
    Ok(LockConfig {
        enabled: conf
            .object_lock_enabled()
            .is_some_and(|e| e.as_str() == "Enabled"),
        mode: retention
            .and_then(|d| d.mode())
            .map(|m| m.as_str().to_string()),
        days: positive(retention.and_then(|d| d.days())),
        years: positive(retention.and_then(|d| d.years())),
    })
}

/// Write the Object Lock configuration: enabled, with this default
/// retention (none: no default). S3 cannot turn Object Lock off, so
/// `enabled: false` is refused here rather than sent.
pub async fn set_object_lock(
    c: &Clients,
    bucket: &str,
    region: &str,
    conf: &LockConfig,
) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{
        DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode,
        ObjectLockRule,
    };
    if !conf.enabled {
        return Err(AwsError::new(
            "InvalidRequest",
            "S3 cannot turn Object Lock off once it is on",
        ));
    }
    let rule = conf.mode.as_deref().map(|m| {
        ObjectLockRule::builder()
            .default_retention(
                DefaultRetention::builder()
                    .mode(ObjectLockRetentionMode::from(m))
                    .set_days(conf.days)
                    .set_years(conf.years)
                    .build(),
            )
            .build()
    });
    done(
        c.s3_in(region)
            .put_object_lock_configuration()
            .bucket(bucket)
            .object_lock_configuration(
                ObjectLockConfiguration::builder()
                    .object_lock_enabled(ObjectLockEnabled::Enabled)
                    .set_rule(rule)
                    .build(),
            )
            .send()
            .await,
    )
}

/// The default-encryption rules; `None` when the bucket has none configured.
pub async fn encryption(
    c: &Clients,
    bucket: &str,
    region: &str,
) -> Result<Option<Vec<EncryptionRule>>, AwsError> {
    optional(
        c.s3_in(region)
            .get_bucket_encryption()
            .bucket(bucket)
            .send()
            .await,
    )
    .map(|o| {
        o.and_then(|o| {
            o.server_side_encryption_configuration().map(|conf| {
                conf.rules()
                    .iter()
                    .filter_map(|r| {
                        let d = r.apply_server_side_encryption_by_default()?;
                        Some(EncryptionRule {
                            sse_algorithm: d.sse_algorithm().as_str().to_string(),
                            kms_master_key_id: d.kms_master_key_id().map(str::to_string),
                            // "false" and absent mean the same; emulators
                            // differ in which they return.
                            bucket_key_enabled: r.bucket_key_enabled().filter(|on| *on),
                            blocked_encryption_types: blocked_types(r),
                        })
                    })
                    .collect()
            })
        })
    })
}

/// The encryption types a rule blocks ("SSE-C"), as S3 spells them.
pub fn blocked_types(r: &aws_sdk_s3::types::ServerSideEncryptionRule) -> Vec<String> {
    r.blocked_encryption_types()
        .map(|b| {
            b.encryption_type()
                .iter()
                .map(|t| t.as_str().to_string())
                .filter(|t| t != "NONE")
                .collect()
        })
        .unwrap_or_default()
}

/// Write the default-encryption rules exactly, or remove them.
pub async fn set_encryption(
    c: &Clients,
    bucket: &str,
    region: &str,
    rules: Option<&[EncryptionRule]>,
) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
        ServerSideEncryptionRule,
    };
    let s3 = c.s3_in(region);
    let bad = |e: aws_sdk_s3::error::BuildError| AwsError::new("InvalidRequest", e.to_string());
    let Some(rules) = rules else {
        return done(s3.delete_bucket_encryption().bucket(bucket).send().await);
    };
    let mut built = Vec::with_capacity(rules.len());
    for r in rules {
        let default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::from(r.sse_algorithm.as_str()))
            .set_kms_master_key_id(r.kms_master_key_id.clone())
            .build()
            .map_err(bad)?;
        // "Nothing blocked" is written as S3 spells it (NONE) only when a
        // rule had a block to lift; otherwise the element stays out.
        let blocked = (!r.blocked_encryption_types.is_empty()).then(|| {
            aws_sdk_s3::types::BlockedEncryptionTypes::builder()
                .set_encryption_type(Some(
                    r.blocked_encryption_types
                        .iter()
                        .map(|t| aws_sdk_s3::types::EncryptionType::from(t.as_str()))
                        .collect(),
                ))
                .build()
        });
        built.push(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .set_bucket_key_enabled(r.bucket_key_enabled)
                .set_blocked_encryption_types(blocked)
                .build(),
        );
    }
    let conf = ServerSideEncryptionConfiguration::builder()
        .set_rules(Some(built))
        .build()
        .map_err(bad)?;
    done(
        s3.put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(conf)
            .send()
            .await,
    )
}
