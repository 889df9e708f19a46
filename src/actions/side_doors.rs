//! Actions that close a bucket's side doors, each undone from exactly what
//! it took away:
//!
//! - `disable-replication-rule`: one replication rule's Status becomes
//!   Disabled (new objects stop leaving for its destination; the rule stays
//!   as evidence). Undo sets the recorded status back.
//! - `remove-notification`: the event notifications to one destination go
//!   (key names, sizes and writers stop reaching it). Undo adds back the
//!   recorded entries.
//! - `disable-website`: website hosting is deleted (the website endpoint
//!   stops answering). Undo puts the recorded configuration back.
//! - `reset-cors`: the CORS rules allowing any origin go (other rules
//!   stay). Undo puts the recorded rules back.
//! - `remove-log-grants`: the server access log target grants to anyone
//!   but the owner go (logging stays on). Undo puts the recorded
//!   configuration back.
//!
//! Each reads the configuration, changes only its part, and writes the
//! configuration back whole, so nothing else in it moves.

use aws_sdk_s3::types as s3t;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Plan, Verification, compare_with_prior};
use crate::aws::error::{aws_error, optional};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub bucket: String,
    /// The replication rule's id.
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub bucket: String,
    /// The SNS topic, SQS queue or Lambda function ARN.
    pub destination: String,
}

/// An SDK result with its error in warroom's form.
fn done<T, E, R>(r: Result<T, aws_sdk_s3::error::SdkError<E, R>>) -> Result<T, AwsError>
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    r.map_err(|e| aws_error(&e))
}

// ---- replication ----

pub mod replication {
    use super::*;

    async fn config(
        s3: &aws_sdk_s3::Client,
        bucket: &str,
    ) -> Result<Option<s3t::ReplicationConfiguration>, AwsError> {
        Ok(
            optional(s3.get_bucket_replication().bucket(bucket).send().await)?
                .and_then(|o| o.replication_configuration().cloned()),
        )
    }

    fn status_of(conf: &s3t::ReplicationConfiguration, rule: &str) -> Option<String> {
        conf.rules()
            .iter()
            .find(|r| r.id() == Some(rule))
            .map(|r| r.status().as_str().to_string())
    }

    /// The configuration with `rule`'s status set.
    fn with_status(
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

    async fn write(
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

    pub async fn plan(c: &Clients, a: &Rule) -> Result<Plan, ActionError> {
        let region = bucket_region(c, &a.bucket).await?;
        let conf = config(&c.s3_in(&region), &a.bucket).await?.ok_or_else(|| {
            ActionError::NothingToDo(format!("{} has no replication configuration", a.bucket))
        })?;
        let Some(status) = status_of(&conf, &a.rule) else {
            return Err(ActionError::NotPossible(format!(
                "{} has no replication rule with id {}",
                a.bucket, a.rule
            )));
        };
        if status == "Disabled" {
            return Err(ActionError::NothingToDo(format!(
                "replication rule {} is already disabled",
                a.rule
            )));
        }
        let destination = conf
            .rules()
            .iter()
            .find(|r| r.id() == Some(a.rule.as_str()))
            .and_then(|r| r.destination())
            .map(|d| d.bucket().to_string())
            .unwrap_or_default();
        Ok(Plan {
            spec: ActionSpec::DisableReplicationRule(a.clone()),
            summary: format!("disable replication rule {} of {}", a.rule, a.bucket),
            before: vec![format!("rule {}: {status} → {destination}", a.rule)],
            after: vec![format!("rule {}: Disabled (kept as evidence)", a.rule)],
            diff: Vec::new(),
            blast_radius: format!(
                "New and changed objects stop being copied to {destination}. Objects already copied stay there: ask that bucket's owner, or note them for legal. The other rules ({}) and the replication role are unchanged.",
                conf.rules().len().saturating_sub(1)
            ),
            confirm: Confirm::TypeName {
                text: a.bucket.clone(),
            },
            undo: format!("undo sets rule {} back to {status}", a.rule),
            undoable: true,
            prior: Value::String(status),
            region,
        })
    }

    pub async fn apply(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &Rule,
        plan: &Plan,
    ) -> Result<(), AwsError> {
        let s3 = cx.clients.s3_in(&plan.region);
        let conf = config(&s3, &a.bucket).await?.ok_or_else(|| {
            AwsError::new(
                "NoSuchReplicationConfiguration",
                "the configuration is gone",
            )
        })?;
        write(&s3, &a.bucket, with_status(&conf, &a.rule, "Disabled")?).await
    }

    pub async fn verify(c: &Clients, a: &Rule, plan: &Plan) -> Result<Verification, AwsError> {
        let now = config(&c.s3_in(&plan.region), &a.bucket)
            .await?
            .and_then(|conf| status_of(&conf, &a.rule));
        Ok(Verification {
            ok: now.as_deref() == Some("Disabled"),
            detail: format!(
                "read back: rule {} is {}",
                a.rule,
                now.as_deref().unwrap_or("gone")
            ),
        })
    }

    pub async fn undo(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &Rule,
        region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        let s3 = cx.clients.s3_in(region);
        let status = prior.as_str().unwrap_or("Enabled");
        let conf = config(&s3, &a.bucket).await?.ok_or_else(|| {
            AwsError::new(
                "NoSuchReplicationConfiguration",
                "the configuration is gone: nothing to set back",
            )
        })?;
        write(&s3, &a.bucket, with_status(&conf, &a.rule, status)?).await?;
        let now = config(&s3, &a.bucket).await.map(|c| {
            c.and_then(|c| status_of(&c, &a.rule))
                .map_or(Value::Null, Value::String)
        });
        Ok(compare_with_prior(now, prior))
    }
}

// ---- notifications ----

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

pub mod notification {
    use super::*;

    type Out = aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput;

    fn filter_of(f: Option<&s3t::NotificationConfigurationFilter>) -> Vec<(String, String)> {
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

    fn events(e: &[s3t::Event]) -> Vec<String> {
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

    fn filter(rules: &[(String, String)]) -> Option<s3t::NotificationConfigurationFilter> {
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
    fn build(
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

    async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Out, AwsError> {
        done(
            s3.get_bucket_notification_configuration()
                .bucket(bucket)
                .send()
                .await,
        )
    }

    async fn write(
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

    pub async fn plan(c: &Clients, a: &Destination) -> Result<Plan, ActionError> {
        let region = bucket_region(c, &a.bucket).await?;
        let out = read(&c.s3_in(&region), &a.bucket).await?;
        let all = entries(&out);
        let removed: Vec<Notice> = all
            .iter()
            .filter(|n| n.arn == a.destination)
            .cloned()
            .collect();
        if removed.is_empty() {
            return Err(ActionError::NothingToDo(format!(
                "{} sends no notification to {}",
                a.bucket, a.destination
            )));
        }
        let line = |n: &Notice| format!("{} {}: {}", n.kind, n.arn, n.events.join(", "));
        Ok(Plan {
            spec: ActionSpec::RemoveNotification(a.clone()),
            summary: format!(
                "remove the notifications of {} to {}",
                a.bucket, a.destination
            ),
            before: removed.iter().map(line).collect(),
            after: removed.iter().map(|_| "(removed)".to_string()).collect(),
            diff: Vec::new(),
            blast_radius: format!(
                "{} stops receiving this bucket's events (key names, sizes, who wrote them). {} other notification(s) stay. Anything already delivered is in its owner's hands.",
                a.destination,
                all.len() - removed.len()
            ),
            confirm: Confirm::TypeName {
                text: a.bucket.clone(),
            },
            undo: "undo adds the recorded notifications back".into(),
            undoable: true,
            prior: serde_json::to_value(&removed).unwrap_or(Value::Null),
            region,
        })
    }

    pub async fn apply(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &Destination,
        plan: &Plan,
    ) -> Result<(), AwsError> {
        let s3 = cx.clients.s3_in(&plan.region);
        let out = read(&s3, &a.bucket).await?;
        let kept: Vec<Notice> = entries(&out)
            .into_iter()
            .filter(|n| n.arn != a.destination)
            .collect();
        write(
            &s3,
            &a.bucket,
            build(&kept, out.event_bridge_configuration().cloned())?,
        )
        .await
    }

    pub async fn verify(
        c: &Clients,
        a: &Destination,
        plan: &Plan,
    ) -> Result<Verification, AwsError> {
        let out = read(&c.s3_in(&plan.region), &a.bucket).await?;
        let left = entries(&out)
            .iter()
            .filter(|n| n.arn == a.destination)
            .count();
        Ok(Verification {
            ok: left == 0,
            detail: format!(
                "read back: {left} notification(s) to {} remain",
                a.destination
            ),
        })
    }

    pub async fn undo(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &Destination,
        region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        let s3 = cx.clients.s3_in(region);
        let removed: Vec<Notice> = super::super::recorded(prior, "notifications")?;
        let out = read(&s3, &a.bucket).await?;
        let mut list: Vec<Notice> = entries(&out)
            .into_iter()
            .filter(|n| n.arn != a.destination)
            .collect();
        list.extend(removed);
        write(
            &s3,
            &a.bucket,
            build(&list, out.event_bridge_configuration().cloned())?,
        )
        .await?;
        let now = read(&s3, &a.bucket).await.map(|o| {
            let back: Vec<Notice> = entries(&o)
                .into_iter()
                .filter(|n| n.arn == a.destination)
                .collect();
            serde_json::to_value(back).unwrap_or(Value::Null)
        });
        Ok(compare_with_prior(now, prior))
    }
}

// ---- CORS ----

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

pub mod cors {
    use super::*;

    fn of(r: &s3t::CorsRule) -> CorsRule {
        CorsRule {
            id: r.id().map(str::to_string),
            allowed_headers: r.allowed_headers().to_vec(),
            allowed_methods: r.allowed_methods().to_vec(),
            allowed_origins: r.allowed_origins().to_vec(),
            expose_headers: r.expose_headers().to_vec(),
            max_age_seconds: r.max_age_seconds(),
        }
    }

    fn to_sdk(r: &CorsRule) -> Result<s3t::CorsRule, AwsError> {
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

    pub fn any_origin(r: &CorsRule) -> bool {
        r.allowed_origins.iter().any(|o| o.trim() == "*")
    }

    async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Vec<CorsRule>, AwsError> {
        Ok(optional(s3.get_bucket_cors().bucket(bucket).send().await)?
            .map(|o| o.cors_rules().iter().map(of).collect())
            .unwrap_or_default())
    }

    async fn write(
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

    pub async fn plan(c: &Clients, a: &super::super::Bucket) -> Result<Plan, ActionError> {
        let region = bucket_region(c, &a.bucket).await?;
        let rules = read(&c.s3_in(&region), &a.bucket).await?;
        let open: Vec<&CorsRule> = rules.iter().filter(|r| any_origin(r)).collect();
        if open.is_empty() {
            return Err(ActionError::NothingToDo(format!(
                "{} has no CORS rule allowing any origin",
                a.bucket
            )));
        }
        let line = |r: &CorsRule| {
            format!(
                "rule {}: {} from {}",
                r.id.as_deref().unwrap_or("(no id)"),
                r.allowed_methods.join(", "),
                r.allowed_origins.join(", ")
            )
        };
        Ok(Plan {
            spec: ActionSpec::ResetCors(a.clone()),
            summary: format!(
                "remove the CORS rules of {} that allow any origin",
                a.bucket
            ),
            before: open.iter().map(|r| line(r)).collect(),
            after: open.iter().map(|_| "(removed)".to_string()).collect(),
            diff: Vec::new(),
            blast_radius: format!(
                "Browsers on other sites stop being allowed to read this bucket's responses in scripts. {} other rule(s) stay. CORS grants no access by itself: what S3 serves is still the policy's and ACLs' say.",
                rules.len() - open.len()
            ),
            confirm: Confirm::TypeName {
                text: a.bucket.clone(),
            },
            undo: "undo puts the exact recorded CORS rules back".into(),
            undoable: true,
            prior: serde_json::to_value(&rules).unwrap_or(Value::Null),
            region,
        })
    }

    pub async fn apply(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &super::super::Bucket,
        plan: &Plan,
    ) -> Result<(), AwsError> {
        let s3 = cx.clients.s3_in(&plan.region);
        let kept: Vec<CorsRule> = read(&s3, &a.bucket)
            .await?
            .into_iter()
            .filter(|r| !any_origin(r))
            .collect();
        write(&s3, &a.bucket, &kept).await
    }

    pub async fn verify(
        c: &Clients,
        a: &super::super::Bucket,
        plan: &Plan,
    ) -> Result<Verification, AwsError> {
        let open = read(&c.s3_in(&plan.region), &a.bucket)
            .await?
            .iter()
            .filter(|r| any_origin(r))
            .count();
        Ok(Verification {
            ok: open == 0,
            detail: format!("read back: {open} CORS rule(s) allow any origin"),
        })
    }

    pub async fn undo(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &super::super::Bucket,
        region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        let s3 = cx.clients.s3_in(region);
        let rules: Vec<CorsRule> = super::super::recorded(prior, "CORS rules")?;
        write(&s3, &a.bucket, &rules).await?;
        let now = read(&s3, &a.bucket)
            .await
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null));
        Ok(compare_with_prior(now, prior))
    }
}

// ---- website ----

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

pub mod website {
    use super::*;

    async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<Website>, AwsError> {
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

    fn to_sdk(w: &Website) -> Result<s3t::WebsiteConfiguration, AwsError> {
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

    pub async fn plan(c: &Clients, a: &super::super::Bucket) -> Result<Plan, ActionError> {
        let region = bucket_region(c, &a.bucket).await?;
        let Some(w) = read(&c.s3_in(&region), &a.bucket).await? else {
            return Err(ActionError::NothingToDo(format!(
                "{} has no website configuration",
                a.bucket
            )));
        };
        let mut before = Vec::new();
        if let Some(i) = &w.index {
            before.push(format!("index document {i}"));
        }
        if let Some(e) = &w.error {
            before.push(format!("error document {e}"));
        }
        if let Some((h, _)) = &w.redirect_all {
            before.push(format!("every request redirected to {h}"));
        }
        if !w.routing_rules.is_empty() {
            before.push(format!("{} routing rule(s)", w.routing_rules.len()));
        }
        Ok(Plan {
            spec: ActionSpec::DisableWebsite(a.clone()),
            summary: format!("turn off website hosting on {}", a.bucket),
            after: before.iter().map(|_| "(removed)".to_string()).collect(),
            before,
            diff: Vec::new(),
            blast_radius: format!(
                "The website endpoint of {} stops answering (links to it break; a CloudFront distribution using it as an origin gets errors). The bucket's REST endpoint, policy and ACLs are unchanged.",
                a.bucket
            ),
            confirm: Confirm::TypeName {
                text: a.bucket.clone(),
            },
            undo: "undo puts the exact recorded website configuration back".into(),
            undoable: true,
            prior: serde_json::to_value(&w).unwrap_or(Value::Null),
            region,
        })
    }

    pub async fn apply(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &super::super::Bucket,
        plan: &Plan,
    ) -> Result<(), AwsError> {
        done(
            cx.clients
                .s3_in(&plan.region)
                .delete_bucket_website()
                .bucket(&a.bucket)
                .send()
                .await,
        )
        .map(|_| ())
    }

    pub async fn verify(
        c: &Clients,
        a: &super::super::Bucket,
        plan: &Plan,
    ) -> Result<Verification, AwsError> {
        let now = read(&c.s3_in(&plan.region), &a.bucket).await?;
        Ok(Verification {
            ok: now.is_none(),
            detail: if now.is_none() {
                "read back: no website configuration".into()
            } else {
                "read back: website hosting is still configured".into()
            },
        })
    }

    pub async fn undo(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &super::super::Bucket,
        region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        let s3 = cx.clients.s3_in(region);
        let w: Website = super::super::recorded(prior, "website")?;
        done(
            s3.put_bucket_website()
                .bucket(&a.bucket)
                .website_configuration(to_sdk(&w)?)
                .send()
                .await,
        )?;
        let now = read(&s3, &a.bucket).await.map(|w| {
            w.map_or(Value::Null, |w| {
                serde_json::to_value(w).unwrap_or(Value::Null)
            })
        });
        Ok(compare_with_prior(now, prior))
    }
}

// ---- server access log grants ----

/// `remove-log-grants`: the target grants that hand a bucket's server
/// access logs (every key, requester and IP) to anyone but the owner go;
/// logging stays on, to the same place. Undo puts the recorded grants back.
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

    async fn read(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<Logging>, AwsError> {
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

    async fn write(s3: &aws_sdk_s3::Client, bucket: &str, l: &Logging) -> Result<(), AwsError> {
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
    async fn owner(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<String>, AwsError> {
        let out = done(s3.get_bucket_acl().bucket(bucket).send().await)?;
        Ok(out.owner().and_then(|o| o.id()).map(str::to_string))
    }

    fn shares(g: &Grant, owner: Option<&str>) -> bool {
        g.grantee.is_outsider(owner)
    }

    fn who(g: &Grant) -> String {
        format!("{} to {}", g.permission, g.grantee.describe())
    }

    pub async fn plan(c: &Clients, a: &super::super::Bucket) -> Result<Plan, ActionError> {
        let region = bucket_region(c, &a.bucket).await?;
        let s3 = c.s3_in(&region);
        let Some(logging) = read(&s3, &a.bucket).await? else {
            return Err(ActionError::NothingToDo(format!(
                "{} has server access logging off",
                a.bucket
            )));
        };
        let owner = owner(&s3, &a.bucket).await?;
        let open: Vec<&Grant> = logging
            .grants
            .iter()
            .filter(|g| shares(g, owner.as_deref()))
            .collect();
        if open.is_empty() {
            return Err(ActionError::NothingToDo(format!(
                "the access logs of {} carry no grant to anyone but the owner",
                a.bucket
            )));
        }
        Ok(Plan {
            spec: ActionSpec::RemoveLogGrants(a.clone()),
            summary: format!(
                "remove the grants that share the server access logs of {}",
                a.bucket
            ),
            before: open.iter().map(|g| who(g)).collect(),
            after: open.iter().map(|_| "(removed)".to_string()).collect(),
            diff: Vec::new(),
            blast_radius: format!(
                "Log files delivered to s3://{}/{} from now on carry no grant to {}. Logging stays on, to the same place. Log files already delivered keep their ACLs: reset them with `warroom act reset-object-acls {} --prefix {}`.",
                logging.target_bucket,
                logging.target_prefix,
                open.iter().map(|g| who(g)).collect::<Vec<_>>().join(", "),
                logging.target_bucket,
                logging.target_prefix
            ),
            confirm: Confirm::TypeName {
                text: a.bucket.clone(),
            },
            undo: "undo puts the exact recorded logging configuration back, grants included".into(),
            undoable: true,
            prior: serde_json::to_value(&logging).unwrap_or(Value::Null),
            region,
        })
    }

    pub async fn apply(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &super::super::Bucket,
        plan: &Plan,
    ) -> Result<(), AwsError> {
        let s3 = cx.clients.s3_in(&plan.region);
        // Read again: only the sharing grants go, whatever else changed.
        let Some(mut logging) = read(&s3, &a.bucket).await? else {
            return Ok(());
        };
        let owner = owner(&s3, &a.bucket).await?;
        logging.grants.retain(|g| !shares(g, owner.as_deref()));
        write(&s3, &a.bucket, &logging).await
    }

    pub async fn verify(
        c: &Clients,
        a: &super::super::Bucket,
        plan: &Plan,
    ) -> Result<Verification, AwsError> {
        let s3 = c.s3_in(&plan.region);
        let owner = owner(&s3, &a.bucket).await?;
        let open = read(&s3, &a.bucket)
            .await?
            .map(|l| {
                l.grants
                    .iter()
                    .filter(|g| shares(g, owner.as_deref()))
                    .count()
            })
            .unwrap_or(0);
        Ok(Verification {
            ok: open == 0,
            detail: format!("read back: {open} log target grant(s) to anyone but the owner"),
        })
    }

    pub async fn undo(
        cx: &super::super::Cx<'_>,
        _id: &str,
        a: &super::super::Bucket,
        region: &str,
        prior: &Value,
    ) -> Result<Verification, AwsError> {
        let s3 = cx.clients.s3_in(region);
        let logging: Logging = super::super::recorded(prior, "logging configuration")?;
        write(&s3, &a.bucket, &logging).await?;
        let now = read(&s3, &a.bucket)
            .await
            .map(|l| serde_json::to_value(l).unwrap_or(Value::Null));
        Ok(compare_with_prior(now, prior))
    }
}
