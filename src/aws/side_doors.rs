//! The S3 configurations the side-door actions change, read and written
//! whole (replication, notifications, CORS, website, server access logs),
//! in the forms the actions record as prior state.

use aws_sdk_s3::types as s3t;
use serde::{Deserialize, Serialize};

use super::AwsError;
use super::error::{aws_error, optional};

/// An SDK result with its error in warroom's form.
fn done<T, E, R>(r: Result<T, aws_sdk_s3::error::SdkError<E, R>>) -> Result<T, AwsError>
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    r.map_err(|e| aws_error(&e))
}

/// One notification entry, as recorded to put it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// `topic`, `queue` or `lambda`.
    pub kind: String,
    pub id: Option<String>,
    pub arn: String,
    pub events: Vec<String>,
    /// Key filter rules: (name, value), e.g. ("prefix", "exports/").
    pub filter: Vec<(String, String)>,
}

/// One CORS rule, as recorded to put it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsRule {
    pub id: Option<String>,
    pub allowed_headers: Vec<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_origins: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age_seconds: Option<i32>,
}

/// A website configuration, as recorded to put it back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Website {
    pub index: Option<String>,
    pub error: Option<String>,
    /// (host, protocol) of a redirect of every request.
    pub redirect_all: Option<(String, Option<String>)>,
    pub routing_rules: Vec<Routing>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    pub if_error_code: Option<String>,
    pub if_key_prefix: Option<String>,
    pub host: Option<String>,
    pub http_code: Option<String>,
    pub protocol: Option<String>,
    pub replace_key_prefix: Option<String>,
    pub replace_key: Option<String>,
}

pub mod replication {
    use super::*;

    pub async fn config(
        s3: &aws_sdk_s3::Client,
        bucket: &str,
    ) -> Result<Option<s3t::ReplicationConfiguration>, AwsError> {
        Ok(
            optional(s3.get_bucket_replication().bucket(bucket).send().await)?
                .and_then(|o| o.replication_configuration().cloned()),
        )
    }

    pub fn status_of(conf: &s3t::ReplicationConfiguration, rule: &str) -> Option<String> {
        conf.rules()
            .iter()
            .find(|r| r.id() == Some(rule))
            .map(|r| r.status().as_str().to_string())
    }

    /// The configuration with `rule`'s status set.
    pub fn with_status(
        conf: &s3t::ReplicationConfiguration,
        rule: &str,
        status: &str,
    ) -> Result<s3t::ReplicationConfiguration, AwsError> {
        let rules = conf
            .rules()
            .iter()
            .map(|r| {
                if r.id() == Some(rule) {
                    let mut b = r.clone();
                    b.status = s3t::ReplicationRuleStatus::from(status);
                    b
                } else {
                    r.clone()
                }
            })
            .collect();
        s3t::ReplicationConfiguration::builder()
            .role(conf.role())
            .set_rules(Some(rules))
            .build()
            .map_err(|e| AwsError::new("BadRequest", e.to_string()))
    }

    pub async fn write(
        s3: &aws_sdk_s3::Client,
        bucket: &str,
        conf: s3t::ReplicationConfiguration,
    ) -> Result<(), AwsError> {
        done(
            s3.put_bucket_replication()
                .bucket(bucket)
                .replication_configuration(conf)
                .send()
                .await,
        )
        .map(|_| ())
    }
}

pub mod notification {
    use super::*;

    pub type Out = aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput;

    pub fn filter_of(f: Option<&s3t::NotificationConfigurationFilter>) -> Vec<(String, String)> {
        f.and_then(|f| f.key())
            .map(|k| {
                k.filter_rules()
                    .iter()
                    .map(|r| {
                        (
                            r.name().map(|n| n.as_str().to_string()).unwrap_or_default(),
                            r.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn events(e: &[s3t::Event]) -> Vec<String> {
        e.iter().map(|e| e.as_str().to_string()).collect()
    }

    pub fn entries(o: &Out) -> Vec<Notice> {
        let mut out = Vec::new();
        for t in o.topic_configurations() {
            out.push(Notice {
                kind: "topic".into(),
                id: t.id().map(str::to_string),
                arn: t.topic_arn().to_string(),
                events: events(t.events()),
                filter: filter_of(t.filter()),
            });
        }
        for q in o.queue_configurations() {
            out.push(Notice {
                kind: "queue".into(),
                id: q.id().map(str::to_string),
                arn: q.queue_arn().to_string(),
                events: events(q.events()),
                filter: filter_of(q.filter()),
            });
        }
        for l in o.lambda_function_configurations() {
            out.push(Notice {
                kind: "lambda".into(),
                id: l.id().map(str::to_string),
                arn: l.lambda_function_arn().to_string(),
                events: events(l.events()),
                filter: filter_of(l.filter()),
            });
        }
        out
    }

    pub fn filter(rules: &[(String, String)]) -> Option<s3t::NotificationConfigurationFilter> {
        if rules.is_empty() {
            return None;
        }
        let key = s3t::S3KeyFilter::builder()
            .set_filter_rules(Some(
                rules
                    .iter()
                    .map(|(n, v)| {
                        s3t::FilterRule::builder()
                            .name(s3t::FilterRuleName::from(n.as_str()))
                            .value(v)
                            .build()
                    })
                    .collect(),
            ))
            .build();
        Some(
            s3t::NotificationConfigurationFilter::builder()
                .key(key)
                .build(),
        )
    }

    /// The whole configuration from entries (EventBridge kept as it was).
    pub fn build(
        list: &[Notice],
        event_bridge: Option<s3t::EventBridgeConfiguration>,
    ) -> Result<s3t::NotificationConfiguration, AwsError> {
        let bad = |e: aws_sdk_s3::error::BuildError| AwsError::new("BadRequest", e.to_string());
        let ev = |n: &Notice| {
            n.events
                .iter()
                .map(|e| s3t::Event::from(e.as_str()))
                .collect::<Vec<_>>()
        };
        let mut b =
            s3t::NotificationConfiguration::builder().set_event_bridge_configuration(event_bridge);
        for n in list {
            match n.kind.as_str() {
                "topic" => {
                    b = b.topic_configurations(
                        s3t::TopicConfiguration::builder()
                            .set_id(n.id.clone())
                            .topic_arn(&n.arn)
                            .set_events(Some(ev(n)))
                            .set_filter(filter(&n.filter))
                            .build()
                            .map_err(bad)?,
                    )
                }
                "queue" => {
                    b = b.queue_configurations(
                        s3t::QueueConfiguration::builder()
                            .set_id(n.id.clone())
                            .queue_arn(&n.arn)
                            .set_events(Some(ev(n)))
                            .set_filter(filter(&n.filter))
                            .build()
                            .map_err(bad)?,
                    )
                }
                _ => {
                    b = b.lambda_function_configurations(
                        s3t::LambdaFunctionConfiguration::builder()
                            .set_id(n.id.clone())
                            .lambda_function_arn(&n.arn)
                            .set_events(Some(ev(n)))
                            .set_filter(filter(&n.filter))
                            .build()
                            .map_err(bad)?,
                    )
                }
            }
        }
        Ok(b.build())
    }

    pub async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Out, AwsError> {
        done(
            s3.get_bucket_notification_configuration()
                .bucket(bucket)
                .send()
                .await,
        )
    }

    pub async fn write(
        s3: &aws_sdk_s3::Client,
        bucket: &str,
        conf: s3t::NotificationConfiguration,
    ) -> Result<(), AwsError> {
        done(
            s3.put_bucket_notification_configuration()
                .bucket(bucket)
                .notification_configuration(conf)
                .send()
                .await,
        )
        .map(|_| ())
    }
}

pub mod cors {
    use super::*;

    pub fn of(r: &s3t::CorsRule) -> CorsRule {
        CorsRule {
            id: r.id().map(str::to_string),
            allowed_headers: r.allowed_headers().to_vec(),
            allowed_methods: r.allowed_methods().to_vec(),
            allowed_origins: r.allowed_origins().to_vec(),
            expose_headers: r.expose_headers().to_vec(),
            max_age_seconds: r.max_age_seconds(),
        }
    }

    pub fn to_sdk(r: &CorsRule) -> Result<s3t::CorsRule, AwsError> {
        s3t::CorsRule::builder()
            .set_id(r.id.clone())
            .set_allowed_headers(Some(r.allowed_headers.clone()).filter(|v| !v.is_empty()))
            .set_allowed_methods(Some(r.allowed_methods.clone()))
            .set_allowed_origins(Some(r.allowed_origins.clone()))
            .set_expose_headers(Some(r.expose_headers.clone()).filter(|v| !v.is_empty()))
            .set_max_age_seconds(r.max_age_seconds)
            .build()
            .map_err(|e| AwsError::new("BadRequest", e.to_string()))
    }

    pub async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Vec<CorsRule>, AwsError> {
        Ok(optional(s3.get_bucket_cors().bucket(bucket).send().await)?
            .map(|o| o.cors_rules().iter().map(of).collect())
            .unwrap_or_default())
    }

    pub async fn write(
        s3: &aws_sdk_s3::Client,
        bucket: &str,
        rules: &[CorsRule],
    ) -> Result<(), AwsError> {
        if rules.is_empty() {
            return done(s3.delete_bucket_cors().bucket(bucket).send().await).map(|_| ());
        }
        let rules = rules.iter().map(to_sdk).collect::<Result<Vec<_>, _>>()?;
        let conf = s3t::CorsConfiguration::builder()
            .set_cors_rules(Some(rules))
            .build()
            .map_err(|e| AwsError::new("BadRequest", e.to_string()))?;
        done(
            s3.put_bucket_cors()
                .bucket(bucket)
                .cors_configuration(conf)
                .send()
                .await,
        )
        .map(|_| ())
    }
}

pub mod website {
    use super::*;

    pub async fn write(s3: &aws_sdk_s3::Client, bucket: &str, w: &Website) -> Result<(), AwsError> {
        done(
            s3.put_bucket_website()
                .bucket(bucket)
                .website_configuration(to_sdk(w)?)
                .send()
                .await,
        )
        .map(|_| ())
    }

    pub async fn delete(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<(), AwsError> {
        done(s3.delete_bucket_website().bucket(bucket).send().await).map(|_| ())
    }

    pub async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<Website>, AwsError> {
        Ok(
            optional(s3.get_bucket_website().bucket(bucket).send().await)?.map(|o| Website {
                index: o.index_document().map(|d| d.suffix().to_string()),
                error: o.error_document().map(|d| d.key().to_string()),
                redirect_all: o.redirect_all_requests_to().map(|r| {
                    (
                        r.host_name().to_string(),
                        r.protocol().map(|p| p.as_str().to_string()),
                    )
                }),
                routing_rules: o
                    .routing_rules()
                    .iter()
                    .map(|r| Routing {
                        if_error_code: r
                            .condition()
                            .and_then(|c| c.http_error_code_returned_equals())
                            .map(str::to_string),
                        if_key_prefix: r
                            .condition()
                            .and_then(|c| c.key_prefix_equals())
                            .map(str::to_string),
                        host: r.redirect().and_then(|d| d.host_name()).map(str::to_string),
                        http_code: r
                            .redirect()
                            .and_then(|d| d.http_redirect_code())
                            .map(str::to_string),
                        protocol: r
                            .redirect()
                            .and_then(|d| d.protocol())
                            .map(|p| p.as_str().to_string()),
                        replace_key_prefix: r
                            .redirect()
                            .and_then(|d| d.replace_key_prefix_with())
                            .map(str::to_string),
                        replace_key: r
                            .redirect()
                            .and_then(|d| d.replace_key_with())
                            .map(str::to_string),
                    })
                    .collect(),
            }),
        )
    }

    pub fn to_sdk(w: &Website) -> Result<s3t::WebsiteConfiguration, AwsError> {
        let bad = |e: aws_sdk_s3::error::BuildError| AwsError::new("BadRequest", e.to_string());
        let mut b = s3t::WebsiteConfiguration::builder();
        if let Some(i) = &w.index {
            b = b.index_document(
                s3t::IndexDocument::builder()
                    .suffix(i)
                    .build()
                    .map_err(bad)?,
            );
        }
        if let Some(e) = &w.error {
            b = b.error_document(s3t::ErrorDocument::builder().key(e).build().map_err(bad)?);
        }
        if let Some((host, protocol)) = &w.redirect_all {
            b = b.redirect_all_requests_to(
                s3t::RedirectAllRequestsTo::builder()
                    .host_name(host)
                    .set_protocol(protocol.as_deref().map(s3t::Protocol::from))
                    .build()
                    .map_err(bad)?,
            );
        }
        for r in &w.routing_rules {
            let condition = (r.if_error_code.is_some() || r.if_key_prefix.is_some()).then(|| {
                s3t::Condition::builder()
                    .set_http_error_code_returned_equals(r.if_error_code.clone())
                    .set_key_prefix_equals(r.if_key_prefix.clone())
                    .build()
            });
            let redirect = s3t::Redirect::builder()
                .set_host_name(r.host.clone())
                .set_http_redirect_code(r.http_code.clone())
                .set_protocol(r.protocol.as_deref().map(s3t::Protocol::from))
                .set_replace_key_prefix_with(r.replace_key_prefix.clone())
                .set_replace_key_with(r.replace_key.clone())
                .build();
            b = b.routing_rules(
                s3t::RoutingRule::builder()
                    .set_condition(condition)
                    .redirect(redirect)
                    .build(),
            );
        }
        Ok(b.build())
    }
}

pub mod log_grants {
    use super::*;
    use crate::aws::acl::{grantee_from, grantee_to_sdk};
    use crate::model::facts::Grant;

    /// A logging configuration, as recorded to put it back.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Logging {
        pub target_bucket: String,
        pub target_prefix: String,
        pub grants: Vec<Grant>,
        /// `simple`, or the partitioned prefix's date source (`EventTime`,
        /// `DeliveryTime`, or `partitioned` when it names none).
        pub key_format: Option<String>,
    }

    pub async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<Logging>, AwsError> {
        let out = done(s3.get_bucket_logging().bucket(bucket).send().await)?;
        Ok(out.logging_enabled().map(|l| Logging {
            target_bucket: l.target_bucket().to_string(),
            target_prefix: l.target_prefix().to_string(),
            grants: l
                .target_grants()
                .iter()
                .filter_map(|g| {
                    Some(Grant {
                        grantee: grantee_from(g.grantee()?),
                        permission: g.permission()?.as_str().to_string(),
                    })
                })
                .collect(),
            key_format: l
                .target_object_key_format()
                .map(|f| match f.partitioned_prefix() {
                    Some(p) => p
                        .partition_date_source()
                        .map_or_else(|| "partitioned".to_string(), |s| s.as_str().to_string()),
                    None => "simple".to_string(),
                }),
        }))
    }

    pub async fn write(s3: &aws_sdk_s3::Client, bucket: &str, l: &Logging) -> Result<(), AwsError> {
        let grants = l
            .grants
            .iter()
            .map(|g| {
                Ok(s3t::TargetGrant::builder()
                    .grantee(grantee_to_sdk(&g.grantee)?)
                    .permission(s3t::BucketLogsPermission::from(g.permission.as_str()))
                    .build())
            })
            .collect::<Result<Vec<_>, AwsError>>()?;
        let format = l.key_format.as_deref().map(|f| match f {
            "simple" => s3t::TargetObjectKeyFormat::builder()
                .simple_prefix(s3t::SimplePrefix::builder().build())
                .build(),
            source => s3t::TargetObjectKeyFormat::builder()
                .partitioned_prefix(
                    s3t::PartitionedPrefix::builder()
                        .set_partition_date_source(
                            (source != "partitioned")
                                .then(|| s3t::PartitionDateSource::from(source)),
                        )
                        .build(),
                )
                .build(),
        });
        let enabled = s3t::LoggingEnabled::builder()
            .target_bucket(&l.target_bucket)
            .target_prefix(&l.target_prefix)
            .set_target_grants(Some(grants).filter(|g| !g.is_empty()))
            .set_target_object_key_format(format)
            .build()
            .map_err(|e| AwsError::new("BadRequest", e.to_string()))?;
        done(
            s3.put_bucket_logging()
                .bucket(bucket)
                .bucket_logging_status(
                    s3t::BucketLoggingStatus::builder()
                        .logging_enabled(enabled)
                        .build(),
                )
                .send()
                .await,
        )
        .map(|_| ())
    }

    /// The bucket owner's canonical id (a grant to the owner shares nothing).
    pub async fn owner(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<String>, AwsError> {
        let out = done(s3.get_bucket_acl().bucket(bucket).send().await)?;
        Ok(out.owner().and_then(|o| o.id()).map(str::to_string))
    }
}
