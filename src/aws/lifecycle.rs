//! A bucket's lifecycle configuration, read into the model's rules and
//! written back from them, element for element, so that removing a rule
//! and undoing it leaves exactly the document that was there.

use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types as s3t;

use super::error::{done, optional};
use super::{AwsError, Clients};
use crate::model::lifecycle::{
    AndFilter, Expiration, LifecycleRule, NoncurrentExpiration, NoncurrentTransition, RuleFilter,
    Transition,
};

fn tag_of(t: &s3t::Tag) -> (String, String) {
    (t.key().to_string(), t.value().to_string())
}

fn rule_of(r: &s3t::LifecycleRule) -> LifecycleRule {
    LifecycleRule {
        id: r.id().map(str::to_string),
        enabled: r.status().as_str() == "Enabled",
        #[allow(deprecated)]
        legacy_prefix: r.prefix().map(str::to_string),
        filter: r.filter().map(|f| RuleFilter {
            prefix: f.prefix().map(str::to_string),
            tag: f.tag().map(tag_of),
            size_greater_than: f.object_size_greater_than(),
            size_less_than: f.object_size_less_than(),
            and: f.and().map(|a| AndFilter {
                prefix: a.prefix().map(str::to_string),
                tags: a.tags().iter().map(tag_of).collect(),
                size_greater_than: a.object_size_greater_than(),
                size_less_than: a.object_size_less_than(),
            }),
        }),
        expiration: r.expiration().map(|e| Expiration {
            days: e.days(),
            date: e.date().map(DateTime::secs),
            expired_object_delete_marker: e.expired_object_delete_marker(),
        }),
        transitions: r
            .transitions()
            .iter()
            .map(|t| Transition {
                days: t.days(),
                date: t.date().map(DateTime::secs),
                storage_class: t.storage_class().map(|c| c.as_str().to_string()),
            })
            .collect(),
        noncurrent_transitions: r
            .noncurrent_version_transitions()
            .iter()
            .map(|t| NoncurrentTransition {
                noncurrent_days: t.noncurrent_days(),
                newer_noncurrent_versions: t.newer_noncurrent_versions(),
                storage_class: t.storage_class().map(|c| c.as_str().to_string()),
            })
            .collect(),
        noncurrent_expiration: r
            .noncurrent_version_expiration()
            .map(|n| NoncurrentExpiration {
                noncurrent_days: n.noncurrent_days(),
                newer_noncurrent_versions: n.newer_noncurrent_versions(),
            }),
        abort_incomplete_days: r
            .abort_incomplete_multipart_upload()
            .and_then(|a| a.days_after_initiation()),
    }
}

fn sdk_tag(k: &str, v: &str) -> Result<s3t::Tag, AwsError> {
    s3t::Tag::builder()
        .key(k)
        .value(v)
        .build()
        .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))
}

fn storage_class(c: &Option<String>) -> Option<s3t::TransitionStorageClass> {
    c.as_deref().map(s3t::TransitionStorageClass::from)
}

fn sdk_rule(r: &LifecycleRule) -> Result<s3t::LifecycleRule, AwsError> {
    let filter = match &r.filter {
        None => None,
        Some(f) => Some(
            s3t::LifecycleRuleFilter::builder()
                .set_prefix(f.prefix.clone())
                .set_tag(match &f.tag {
                    Some((k, v)) => Some(sdk_tag(k, v)?),
                    None => None,
                })
                .set_object_size_greater_than(f.size_greater_than)
                .set_object_size_less_than(f.size_less_than)
                .set_and(match &f.and {
                    None => None,
                    Some(a) => Some(
                        s3t::LifecycleRuleAndOperator::builder()
                            .set_prefix(a.prefix.clone())
                            .set_tags(if a.tags.is_empty() {
                                None
                            } else {
                                Some(
                                    a.tags
                                        .iter()
                                        .map(|(k, v)| sdk_tag(k, v))
                                        .collect::<Result<_, _>>()?,
                                )
                            })
                            .set_object_size_greater_than(a.size_greater_than)
                            .set_object_size_less_than(a.size_less_than)
                            .build(),
                    ),
                })
                .build(),
        ),
    };
    #[allow(deprecated)]
    let builder = s3t::LifecycleRule::builder()
        .set_id(r.id.clone())
        .set_prefix(r.legacy_prefix.clone());
    builder
        .status(if r.enabled {
            s3t::ExpirationStatus::Enabled
        } else {
            s3t::ExpirationStatus::Disabled
        })
        .set_filter(filter)
        .set_expiration(r.expiration.as_ref().map(|e| {
            s3t::LifecycleExpiration::builder()
                .set_days(e.days)
                .set_date(e.date.map(DateTime::from_secs))
                .set_expired_object_delete_marker(e.expired_object_delete_marker)
                .build()
        }))
        .set_transitions((!r.transitions.is_empty()).then(|| {
            r.transitions
                .iter()
                .map(|t| {
                    s3t::Transition::builder()
                        .set_days(t.days)
                        .set_date(t.date.map(DateTime::from_secs))
                        .set_storage_class(storage_class(&t.storage_class))
                        .build()
                })
                .collect()
        }))
        .set_noncurrent_version_transitions((!r.noncurrent_transitions.is_empty()).then(|| {
            r.noncurrent_transitions
                .iter()
                .map(|t| {
                    s3t::NoncurrentVersionTransition::builder()
                        .set_noncurrent_days(t.noncurrent_days)
                        .set_newer_noncurrent_versions(t.newer_noncurrent_versions)
                        .set_storage_class(storage_class(&t.storage_class))
                        .build()
                })
                .collect()
        }))
        .set_noncurrent_version_expiration(r.noncurrent_expiration.as_ref().map(|n| {
            s3t::NoncurrentVersionExpiration::builder()
                .set_noncurrent_days(n.noncurrent_days)
                .set_newer_noncurrent_versions(n.newer_noncurrent_versions)
                .build()
        }))
        .set_abort_incomplete_multipart_upload(r.abort_incomplete_days.map(|d| {
            s3t::AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(d)
                .build()
        }))
        .build()
        .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))
}

/// The bucket's lifecycle rules; empty when it has none.
pub async fn rules(
    c: &Clients,
    bucket: &str,
    region: &str,
) -> Result<Vec<LifecycleRule>, AwsError> {
    read(&c.s3_in(region), bucket).await
}

/// The same read on a client the caller already holds (the scan's).
pub async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Vec<LifecycleRule>, AwsError> {
    optional(
        s3.get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await,
    )
    .map(|o| {
        o.map(|o| o.rules().iter().map(rule_of).collect())
            .unwrap_or_default()
    })
}

/// Write exactly these rules; none removes the configuration.
pub async fn set_rules(
    c: &Clients,
    bucket: &str,
    region: &str,
    rules: &[LifecycleRule],
) -> Result<(), AwsError> {
    let s3 = c.s3_in(region);
    if rules.is_empty() {
        return done(s3.delete_bucket_lifecycle().bucket(bucket).send().await);
    }
    let built = rules.iter().map(sdk_rule).collect::<Result<Vec<_>, _>>()?;
    let conf = s3t::BucketLifecycleConfiguration::builder()
        .set_rules(Some(built))
        .build()
        .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))?;
    done(
        s3.put_bucket_lifecycle_configuration()
            .bucket(bucket)
            .lifecycle_configuration(conf)
            .send()
            .await,
    )
}
