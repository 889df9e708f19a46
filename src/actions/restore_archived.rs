//! Action: ask S3 to bring back the archived versions a point-in-time
//! restore needs (Glacier Flexible Retrieval, Deep Archive): one
//! `RestoreObject` per version, at the tier the responder chooses, each
//! temporary copy kept for some days. Nothing the bucket serves changes:
//! S3 makes a readable copy beside each version, hours later, and the
//! point-in-time restore (`pit-restore`, the console's `R`) then copies
//! the ones that are ready and holds the rest, run after run.
//!
//! Every request is journaled in batches as it is made, so an interrupted
//! run started again asks only for what it has not asked for (and S3
//! answers `RestoreAlreadyInProgress` for one in progress, which counts as
//! asked). S3 cannot cancel a restore request: there is no undo, and each
//! copy expires by itself.

use futures::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::object_acls::{CONCURRENCY, done_earlier, record_batch, retry_later};
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Progress, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::versions::{self, RestoreState};
use crate::aws::{AwsError, Clients};
use crate::model::restore::{ArchivedVersion, Goal};

/// S3's retrieval tiers, as the API spells them.
pub const TIERS: &[&str] = &["Expedited", "Standard", "Bulk"];
/// Requests journaled per batch.
const BATCH: usize = 250;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The restore's time: the versions current then are the ones needed.
    pub to: i64,
    pub tier: String,
    /// How long each restored copy stays readable.
    pub days: u32,
}

impl Args {
    pub fn target(&self) -> String {
        format!(
            "s3://{}/{}*",
            self.bucket,
            self.prefix.as_deref().unwrap_or("")
        )
    }

    fn restore_args(&self) -> super::restore::Args {
        super::restore::Args {
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
            goal: Goal::PointInTime {
                to: self.to,
                hide_newer: false,
                hide_keys: Vec::new(),
                skip_versions: Vec::new(),
            },
            override_order: None,
        }
    }
}

/// How long a tier takes, as AWS documents it, per archive class.
fn tier_time(tier: &str, deep: bool) -> &'static str {
    match (tier, deep) {
        ("Expedited", _) => "1–5 minutes",
        ("Standard", false) => "3–5 hours",
        ("Standard", true) => "within 12 hours",
        ("Bulk", false) => "5–12 hours",
        _ => "within 48 hours",
    }
}

/// The archived versions the restore needs, each with where S3 is.
async fn states(
    c: &Clients,
    region: &str,
    a: &Args,
) -> Result<Vec<(ArchivedVersion, RestoreState)>, AwsError> {
    let needed = super::restore::archived_versions(c, region, &a.restore_args()).await?;
    let asked = needed
        .iter()
        .map(|v| (v.key.clone(), v.version_id.clone()))
        .collect();
    let mut read: std::collections::HashMap<String, Result<RestoreState, AwsError>> =
        versions::restore_states(&c.s3_in(region), &a.bucket, asked)
            .await
            .into_iter()
            .collect();
    let mut out = Vec::with_capacity(needed.len());
    for v in needed {
        let state = match read.remove(&v.version_id) {
            Some(Ok(s)) => s,
            Some(Err(e)) => return Err(e),
            None => RestoreState::NotRequested,
        };
        out.push((v, state));
    }
    Ok(out)
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    if !TIERS.contains(&a.tier.as_str()) {
        return Err(ActionError::NotPossible(format!(
            "tier {}: choose Expedited, Standard or Bulk",
            a.tier
        )));
    }
    if !(1..=365).contains(&a.days) {
        return Err(ActionError::NotPossible(
            "keep each restored copy 1 to 365 days".into(),
        ));
    }
    let region = bucket_region(c, bucket).await?;
    let all = states(c, &region, a).await?;
    let count = |s: RestoreState| all.iter().filter(|(_, x)| *x == s).count();
    let (todo, going, ready) = (
        count(RestoreState::NotRequested),
        count(RestoreState::InProgress),
        count(RestoreState::Restored),
    );
    if all.is_empty() {
        return Err(ActionError::NothingToDo(format!(
            "no version the restore of {} to {} needs is archived (Glacier Flexible Retrieval, Deep Archive)",
            a.target(),
            crate::time::iso_time(a.to)
        )));
    }
    if todo == 0 {
        return Err(ActionError::NothingToDo(format!(
            "{} archived version(s) the restore of {} needs: {going} being restored, {ready} restored (pit-restore copies those now)",
            all.len(),
            a.target()
        )));
    }
    let deep = all
        .iter()
        .any(|(v, s)| *s == RestoreState::NotRequested && v.storage_class == "DEEP_ARCHIVE");
    if deep && a.tier == "Expedited" {
        return Err(ActionError::NotPossible(
            "Deep Archive has no Expedited retrieval: choose Standard (within 12 hours) or Bulk (within 48 hours)".into(),
        ));
    }
    let bytes: u64 = all
        .iter()
        .filter(|(_, s)| *s == RestoreState::NotRequested)
        .map(|(v, _)| v.size)
        .sum();
    let named: Vec<String> = all
        .iter()
        .filter(|(_, s)| *s == RestoreState::NotRequested)
        .take(5)
        .map(|(v, _)| format!("requests {} ({}, {} B)", v.key, v.storage_class, v.size))
        .collect();
    Ok(Plan {
        spec: ActionSpec::RestoreArchived(a.clone()),
        summary: format!(
            "ask S3 to restore {todo} archived version(s) of {} at {} tier, for {} day(s)",
            a.target(),
            a.tier,
            a.days
        ),
        before: vec![format!(
            "archived versions the restore to {} needs: {todo} not requested, {going} being restored, {ready} restored",
            crate::time::iso_time(a.to)
        )],
        after: vec![format!(
            "{todo} RestoreObject request(s), {bytes} B: ready {} (then R, or pit-restore, copies them)",
            tier_time(&a.tier, deep)
        )],
        diff: named,
        blast_radius: format!(
            "Nothing {bucket} serves changes: S3 makes a temporary readable copy of each archived \
             version, kept {} day(s), and bills the retrieval ({} tier) and the copies' storage. \
             The point-in-time restore copies each once it is ready and holds the rest; run it \
             again later (each run copies what has become ready). Requests already made are \
             skipped on a re-run.",
            a.days, a.tier
        ),
        confirm: Confirm::YesNo,
        undo: "no undo: S3 cannot cancel a restore request; each restored copy expires by itself"
            .into(),
        undoable: false,
        prior: json!({"needed": all.len(), "not_requested": todo, "in_progress": going, "restored": ready}),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let target = a.target();
    let done_before = done_earlier(cx, &plan.spec).await?;
    let all = states(cx.clients, &plan.region, a).await?;
    let todo: Vec<ArchivedVersion> = all
        .into_iter()
        .filter(|(v, s)| *s == RestoreState::NotRequested && !done_before.contains(&v.version_id))
        .map(|(v, _)| v)
        .collect();
    let s3 = cx.clients.s3_in(&plan.region);
    let mut progress = Progress {
        total: todo.len() as u64,
        ..Progress::default()
    };
    (cx.progress)(progress);
    let mut first_error = None;
    let days = i32::try_from(a.days).unwrap_or(1);
    for (n, batch) in todo.chunks(BATCH).enumerate() {
        // Owned requests: a borrowing closure here is not `Send` enough
        // for the runner's spawned task.
        let requests: Vec<_> = batch
            .iter()
            .map(|v| {
                let s3 = s3.clone();
                let (bucket, tier) = (a.bucket.clone(), a.tier.clone());
                let (key, vid) = (v.key.clone(), v.version_id.clone());
                async move {
                    let r = versions::request_restore(&s3, &bucket, &key, &vid, days, &tier).await;
                    // One in progress already is one asked for.
                    let r = match r {
                        Err(e) if e.code == "RestoreAlreadyInProgress" => Ok(()),
                        other => other,
                    };
                    (key, vid, r)
                }
            })
            .collect();
        let results: Vec<(String, String, Result<(), AwsError>)> = stream::iter(requests)
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        // The journal keys a batch by version id: a re-run asks for none twice.
        let asked: Vec<&str> = results
            .iter()
            .filter(|(_, _, r)| r.is_ok())
            .map(|(_, v, _)| v.as_str())
            .collect();
        let failed: Vec<Value> = results
            .iter()
            .filter_map(|(k, v, r)| {
                r.as_ref()
                    .err()
                    .map(|e| json!({"key": k, "version_id": v, "error": e}))
            })
            .collect();
        if first_error.is_none() {
            first_error = results.iter().find_map(|(_, _, r)| r.clone().err());
        }
        let requested: Vec<Value> = results
            .iter()
            .filter(|(_, _, r)| r.is_ok())
            .map(|(k, v, _)| json!({"key": k, "version_id": v}))
            .collect();
        record_batch(
            cx,
            id,
            &target,
            "done",
            format!(
                "{id}: batch {}: {} restore request(s) made, {} failed",
                n + 1,
                asked.len(),
                failed.len()
            ),
            json!({"batch": n + 1, "requested": requested, "failed": failed, "keys": asked,
                "tier": a.tier, "days": a.days}),
        )
        .await?;
        progress.done += batch.len() as u64;
        progress.changed += asked.len() as u64;
        progress.failed += failed.len() as u64;
        (cx.progress)(progress);
    }
    retry_later(
        first_error,
        progress.failed,
        "restore request(s) were refused",
    )
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let all = states(c, &plan.region, a).await?;
    let left = all
        .iter()
        .filter(|(_, s)| *s == RestoreState::NotRequested)
        .count();
    let ready = all
        .iter()
        .filter(|(_, s)| *s == RestoreState::Restored)
        .count();
    Ok(Verification {
        ok: left == 0,
        detail: format!(
            "read back: {} of {} archived version(s) requested ({ready} already restored: R, or pit-restore, copies them now){}",
            all.len() - left,
            all.len(),
            if left > 0 {
                format!("; {left} not requested")
            } else {
                String::new()
            }
        ),
    })
}

pub async fn undo(
    _cx: &Cx<'_>,
    id: &str,
    _a: &Args,
    _region: &str,
    _prior: &Value,
) -> Result<Verification, AwsError> {
    Err(AwsError::new(
        "CannotUndo",
        format!("{id}: S3 cannot cancel a restore request; each restored copy expires by itself"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tier_says_how_long_as_aws_documents() {
        assert_eq!(tier_time("Expedited", false), "1–5 minutes");
        assert_eq!(tier_time("Standard", false), "3–5 hours");
        assert_eq!(tier_time("Standard", true), "within 12 hours");
        assert_eq!(tier_time("Bulk", true), "within 48 hours");
    }
}
