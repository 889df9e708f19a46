//! The SDK calls behind containment actions. Plain functions: the action
//! engine (`crate::actions`) decides when they may run and records them.

use aws_sdk_s3::types::PublicAccessBlockConfiguration;

use super::error::{aws_error, optional};
use super::{AwsError, Clients};
use crate::model::facts::PublicAccessBlock;

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
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(p.block_public_acls)
                    .ignore_public_acls(p.ignore_public_acls)
                    .block_public_policy(p.block_public_policy)
                    .restrict_public_buckets(p.restrict_public_buckets)
                    .build(),
            )
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
