//! Action: remove lifecycle rules from a bucket — the planted expiry of a
//! ransomware actor (rewrite with SSE-C, then a rule that deletes what is
//! left within days), or any rule the responder names. The rest of the
//! configuration is written back element for element; undo writes the
//! exact recorded document back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::policy_statements::line_diff;
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_read_with_prior};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, lifecycle};
use crate::model::lifecycle::LifecycleRule;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// The IDs of the rules to remove; empty: every rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// Whether the rule is one of those to remove.
fn removed(a: &Args, r: &LifecycleRule) -> bool {
    a.rules.is_empty() || r.id.as_ref().is_some_and(|id| a.rules.contains(id))
}

fn remaining(a: &Args, prior: &[LifecycleRule]) -> Vec<LifecycleRule> {
    prior.iter().filter(|r| !removed(a, r)).cloned().collect()
}

fn lines(rules: &[LifecycleRule]) -> Vec<String> {
    if rules.is_empty() {
        return vec!["Lifecycle: no rules".into()];
    }
    rules
        .iter()
        .map(|r| format!("Lifecycle: {}", r.describe()))
        .collect()
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = lifecycle::rules(c, bucket, &region).await?;
    if prior.is_empty() {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} has no lifecycle rules"
        )));
    }
    let rules_now = |r: &[LifecycleRule]| {
        r.iter()
            .map(LifecycleRule::label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Named rules no longer there (already removed, or mistyped) are said
    // in the plan; with none of them there, there is nothing to do.
    let (present, unknown): (Vec<String>, Vec<String>) = a
        .rules
        .iter()
        .cloned()
        .partition(|id| prior.iter().any(|r| r.id.as_ref() == Some(id)));
    if !a.rules.is_empty() && present.is_empty() {
        return Err(ActionError::NothingToDo(format!(
            "{bucket} has no lifecycle rule {}; its rules: {}",
            unknown.join(", "),
            rules_now(&prior)
        )));
    }
    let a = &Args {
        bucket: a.bucket.clone(),
        rules: present,
    };
    let after = remaining(a, &prior);
    let gone: Vec<String> = prior
        .iter()
        .filter(|r| removed(a, r))
        .map(LifecycleRule::label)
        .collect();
    let as_json = |r: &[LifecycleRule]| serde_json::to_value(r).unwrap_or(Value::Null);
    Ok(Plan {
        spec: ActionSpec::RemoveLifecycleRules(a.clone()),
        summary: format!(
            "remove lifecycle rule{} {} from {bucket}",
            if gone.len() == 1 { "" } else { "s" },
            gone.join(", ")
        ),
        before: lines(&prior),
        after: {
            let mut l = lines(&after);
            if !unknown.is_empty() {
                l.push(format!(
                    "not on the bucket (already gone?): {}",
                    unknown.join(", ")
                ));
            }
            l
        },
        diff: line_diff(&as_json(&prior), &as_json(&after)),
        blast_radius: format!(
            "S3 stops expiring, transitioning and cleaning up what {} did in {bucket}: the \
             versions a restore needs are no longer on a clock. Storage those rules would have \
             freed stays (and costs) until a rule is put back. {}",
            gone.join(", "),
            if after.is_empty() {
                "No rule is left: the lifecycle configuration is deleted."
            } else {
                "The other rules are written back exactly as they were."
            }
        ),
        // Typed: `y` opens the plan, and a second `y` must not apply it.
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo writes the recorded lifecycle configuration back exactly".into(),
        undoable: true,
        prior: as_json(&prior),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let prior: Vec<LifecycleRule> = super::recorded(&plan.prior, "lifecycle configuration")?;
    lifecycle::set_rules(cx.clients, &a.bucket, &plan.region, &remaining(a, &prior)).await
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let now = lifecycle::rules(c, &a.bucket, &plan.region).await?;
    let prior: Vec<LifecycleRule> = super::recorded(&plan.prior, "lifecycle configuration")?;
    let want = remaining(a, &prior);
    let ok = now == want;
    Ok(Verification {
        ok,
        detail: if ok {
            format!(
                "read back: {} lifecycle rule(s) left, each as it was",
                now.len()
            )
        } else {
            format!(
                "read back: the rules differ from the plan: {}",
                lines(&now).join("; ")
            )
        },
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let was: Vec<LifecycleRule> = super::recorded(prior, "lifecycle configuration")?;
    lifecycle::set_rules(cx.clients, &a.bucket, region, &was).await?;
    let now = lifecycle::rules(cx.clients, &a.bucket, region).await;
    Ok(compare_read_with_prior(now, prior))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str) -> LifecycleRule {
        LifecycleRule {
            id: Some(id.into()),
            enabled: true,
            ..Default::default()
        }
    }

    #[test]
    fn named_rules_go_and_the_others_stay_in_order() {
        let prior = vec![rule("keep-1"), rule("planted"), rule("keep-2")];
        let a = Args {
            bucket: "b".into(),
            rules: vec!["planted".into()],
        };
        assert_eq!(remaining(&a, &prior), vec![rule("keep-1"), rule("keep-2")]);
        let all = Args {
            bucket: "b".into(),
            rules: Vec::new(),
        };
        assert!(remaining(&all, &prior).is_empty());
    }
}
