//! Action: turn versioning on, so an overwrite or delete keeps the previous
//! version (what recovery needs). S3 has no way back to "never versioned":
//! the plan says so, and undo is offered only when versioning was Suspended.

use serde_json::Value;

use super::{ActionError, ActionSpec, Bucket, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};

fn describe(status: Option<&str>) -> Vec<String> {
    vec![format!("Versioning: {}", status.unwrap_or("never enabled"))]
}

pub async fn plan(c: &Clients, a: &Bucket) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let prior = containment::versioning_status(c, bucket, &region).await?;
    if prior.as_deref() == Some("Enabled") {
        return Err(ActionError::NothingToDo(format!(
            "versioning is already enabled on {bucket}"
        )));
    }
    let (undo, undoable) = match prior.as_deref() {
        Some(p) => (format!("undo sets versioning back to {p}"), true),
        None => (
            format!(
                "no undo: S3 cannot return a bucket to \"never versioned\". Versioning can later be suspended (aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Suspended), but versions already kept remain"
            ),
            false,
        ),
    };
    Ok(Plan {
        spec: ActionSpec::EnableVersioning(a.clone()),
        summary: "enable versioning".into(),
        before: describe(prior.as_deref()),
        after: describe(Some("Enabled")),
        diff: Vec::new(),
        blast_radius: format!(
            "From now on every overwrite or delete in {bucket} keeps the previous version, so an attacker's deletes and overwrites can be undone. Storage grows with every change until a lifecycle rule expires old versions. Existing objects are unchanged."
        ),
        // One rule for this action, whatever the state (see Confirm).
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo,
        undoable,
        prior: prior.map_or(Value::Null, Value::String),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Bucket, plan: &Plan) -> Result<(), AwsError> {
    containment::set_versioning(cx.clients, &a.bucket, &plan.region, "Enabled").await
}

pub async fn verify(c: &Clients, a: &Bucket, plan: &Plan) -> Result<Verification, AwsError> {
    let now = containment::versioning_status(c, &a.bucket, &plan.region).await?;
    Ok(Verification {
        ok: now.as_deref() == Some("Enabled"),
        detail: format!("read back: {}", describe(now.as_deref()).join("")),
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Bucket,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    // The engine refuses to undo a plan marked not undoable; this guards the
    // function on its own too.
    let Some(status) = prior.as_str() else {
        return Err(AwsError::new(
            "CannotUndo",
            "S3 cannot return a bucket to never versioned",
        ));
    };
    containment::set_versioning(cx.clients, &a.bucket, region, status).await?;
    let now = containment::versioning_status(cx.clients, &a.bucket, region)
        .await
        .map(|s| s.map_or(Value::Null, Value::String));
    Ok(compare_with_prior(now, prior))
}
