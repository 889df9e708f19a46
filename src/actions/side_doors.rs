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

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    ActionError, ActionSpec, Confirm, Plan, Verification, compare_read_with_prior,
    compare_with_prior,
};
use crate::aws::exposure::bucket_region;
pub use crate::aws::side_doors::{CorsRule, Notice, Routing, Website};
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

// ---- replication ----

pub mod replication {
    use super::*;
    use crate::aws::side_doors::replication::*;

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

pub mod notification {
    use super::*;
    use crate::aws::side_doors::notification::*;

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

pub mod cors {
    use super::*;
    use crate::aws::side_doors::cors::*;

    pub fn any_origin(r: &CorsRule) -> bool {
        r.allowed_origins.iter().any(|o| o.trim() == "*")
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
        let now = read(&s3, &a.bucket).await;
        Ok(compare_read_with_prior(now, prior))
    }
}

// ---- website ----

pub mod website {
    use super::*;
    use crate::aws::side_doors::website::*;

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
        delete(&cx.clients.s3_in(&plan.region), &a.bucket).await
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
        write(&s3, &a.bucket, &w).await?;
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
    use crate::aws::side_doors::log_grants::*;

    use crate::model::facts::Grant;

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
        let now = read(&s3, &a.bucket).await;
        Ok(compare_read_with_prior(now, prior))
    }
}
