//! Action: disable a CloudFront distribution that serves a bucket to
//! anyone. The configuration is read with its ETag and written back whole
//! with only `Enabled` changed, so undo (enable again) is exact.
//!
//! A disabled distribution stops serving once the change has deployed to
//! every edge location (minutes); edge caches may answer from copies until
//! then, which an invalidation of `/*` cuts short (the plan says so; warroom
//! does not invalidate on its own: that costs money and is not undoable).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::{AwsError, Clients};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    /// The bucket the distribution serves (the action is one of the
    /// bucket's, and shares its lock).
    pub bucket: String,
    /// The distribution's id.
    pub distribution: String,
}

use crate::aws::cloudfront::{config, set_enabled};

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let (conf, _) = config(c, &a.distribution).await?;
    let serves = conf
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .any(|o| crate::aws::cloudfront::serves_bucket(o.domain_name(), &a.bucket));
    if !serves {
        return Err(ActionError::NotPossible(format!(
            "distribution {} has no origin on bucket {}",
            a.distribution, a.bucket
        )));
    }
    if !conf.enabled() {
        return Err(ActionError::NothingToDo(format!(
            "distribution {} is already disabled",
            a.distribution
        )));
    }
    let aliases: Vec<String> = conf
        .aliases()
        .map(|a| a.items().to_vec())
        .unwrap_or_default();
    let origins = conf.origins().map(|o| o.items().len()).unwrap_or(0);
    Ok(Plan {
        spec: ActionSpec::DisableDistribution(a.clone()),
        summary: format!(
            "disable CloudFront distribution {} (serves {})",
            a.distribution, a.bucket
        ),
        before: vec![format!("distribution {}: enabled", a.distribution)],
        after: vec![format!("distribution {}: disabled", a.distribution)],
        diff: Vec::new(),
        blast_radius: format!(
            "Everything the distribution serves stops: {} origin(s), {}. Disabling deploys to every edge location in minutes; until then, and for cached copies until their TTL, edges may still answer — an invalidation of /* (aws cloudfront create-invalidation --distribution-id {} --paths '/*') cuts that short. The bucket itself is unchanged.",
            origins,
            if aliases.is_empty() {
                "no alternate domain names".to_string()
            } else {
                format!("domains {}", aliases.join(", "))
            },
            a.distribution
        ),
        confirm: Confirm::TypeName {
            text: a.bucket.clone(),
        },
        undo: "undo enables the distribution again (same configuration)".into(),
        undoable: true,
        prior: Value::Bool(true),
        region: "us-east-1".into(),
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, _plan: &Plan) -> Result<(), AwsError> {
    set_enabled(cx.clients, &a.distribution, false).await
}

pub async fn verify(c: &Clients, a: &Args, _plan: &Plan) -> Result<Verification, AwsError> {
    let (conf, _) = config(c, &a.distribution).await?;
    Ok(Verification {
        ok: !conf.enabled(),
        detail: format!(
            "read back: distribution {} is {}",
            a.distribution,
            if conf.enabled() {
                "still enabled"
            } else {
                "disabled (deploying to the edges)"
            }
        ),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    _region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    set_enabled(cx.clients, &a.distribution, prior.as_bool().unwrap_or(true)).await?;
    let now = config(cx.clients, &a.distribution)
        .await
        .map(|(c, _)| Value::Bool(c.enabled()));
    Ok(compare_with_prior(now, prior))
}
