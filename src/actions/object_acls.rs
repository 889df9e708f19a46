//! Action: reset object ACLs to FULL_CONTROL for the bucket owner only — one
//! object, every object under a prefix, or the whole bucket.
//!
//! This is the one bulk action, so it works in batches, and the journal is
//! its progress record:
//! 1. read the ACL of every object in the batch (bounded concurrency);
//! 2. store those prior ACLs as evidence and journal the batch as
//!    `started` — before any write;
//! 3. write owner-only to each object that is not already owner-only;
//! 4. journal the batch as `done`, with its keys.
//!
//! Killed at any point, a re-run of the same action in the same incident
//! skips every key of a `done` batch without a request, and re-reads the
//! rest: an object already owner-only is not written again. So no object is
//! written twice. Undo writes back every recorded prior ACL.
//!
//! The owner is the *bucket* owner, not the object's (which may be another
//! account): the playbook asks for the bucket owner alone to hold access.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use futures::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Progress, Verification};
use crate::aws::acl::{is_owner_only, owner_only, same_acl};
use crate::aws::exposure::bucket_region;
use crate::aws::{AwsError, Clients, containment};
use crate::incident::{EvidenceRef, IncidentError};
use crate::model::facts::Acl;

/// Journal kind of the per-batch progress entries.
pub const BATCH_KIND: &str = "action_batch";
/// Objects per journal batch: small enough that a kill loses little, large
/// enough that the journal stays short (a few entries per thousand objects).
pub const BATCH: usize = 250;
/// Requests in flight at once.
pub const CONCURRENCY: usize = 32;
/// Verification reads back every changed object up to this many, and an
/// even sample beyond it (the writes themselves each returned success).
pub const VERIFY_SAMPLE: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// One object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Every object under this prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

impl Args {
    pub fn target(&self) -> String {
        match (&self.key, &self.prefix) {
            (Some(k), _) => format!("s3://{}/{k}", self.bucket),
            (None, Some(p)) => format!("s3://{}/{p}*", self.bucket),
            (None, None) => format!("s3://{}/*", self.bucket),
        }
    }

    fn scope(&self) -> String {
        match (&self.key, &self.prefix) {
            (Some(k), _) => format!("object {k}"),
            (None, Some(p)) => format!("every object under {p}"),
            (None, None) => "every object in the bucket".to_string(),
        }
    }
}

/// What the plan records: the owner the ACLs are written for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Prior {
    bucket_owner: String,
    objects_at_plan: usize,
}

async fn keys_in_scope(c: &Clients, a: &Args, region: &str) -> Result<Vec<String>, AwsError> {
    let prefix = a.key.as_deref().or(a.prefix.as_deref());
    let mut keys = containment::list_keys(c, &a.bucket, region, prefix).await?;
    if let Some(k) = &a.key {
        keys.retain(|x| x == k);
    }
    Ok(keys)
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    let region = bucket_region(c, bucket).await?;
    let owner = containment::bucket_acl(c, bucket, &region)
        .await?
        .owner_id
        .ok_or_else(|| {
            ActionError::Capture(AwsError::new(
                "NoOwner",
                format!("the ACL of {bucket} names no owner"),
            ))
        })?;
    let keys = keys_in_scope(c, a, &region).await?;
    if keys.is_empty() {
        return Err(ActionError::NothingToDo(format!(
            "no object matches {}",
            a.target()
        )));
    }
    let n = keys.len();
    Ok(Plan {
        spec: ActionSpec::ResetObjectAcls(a.clone()),
        summary: format!("reset the ACL of {} to owner-only FULL_CONTROL", a.scope()),
        before: vec![format!(
            "{n} object ACL(s): as they are now (each recorded before it is changed)"
        )],
        after: vec![format!(
            "{n} object ACL(s): FULL_CONTROL for the bucket owner only"
        )],
        diff: Vec::new(),
        blast_radius: format!(
            "Rewrites the ACL of {} ({n} object(s) now) in {bucket}: every grant to Everyone, to any AWS account, to other accounts or to the object's uploader is removed; the bucket owner keeps FULL_CONTROL. Objects already owner-only are not written. Runs in batches of {BATCH} with {CONCURRENCY} requests at a time; if interrupted, running it again resumes.",
            a.scope()
        ),
        // One rule for this action, however many keys (see Confirm).
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo writes back every object's recorded prior ACL".into(),
        undoable: true,
        prior: serde_json::to_value(Prior {
            bucket_owner: owner,
            objects_at_plan: n,
        })
        .unwrap_or(Value::Null),
        region,
    })
}

pub(super) fn journal_error(e: IncidentError) -> AwsError {
    AwsError::new("JournalWriteFailed", e.to_string())
}

fn prior_of(v: &Value) -> Result<Prior, AwsError> {
    super::recorded(v, "object ACLs")
}

/// Keys finished by an earlier, interrupted run of the same action (the
/// same spec: kind, target and goal) in this incident: a re-run skips them
/// without a request.
///
/// Only the same spec counts: an object-ACL reset of `s3://b/*` and a
/// restore of `s3://b/*` share a target, and a key whose ACL was reset still
/// needs its content rolled back. Only a run that never completed counts: a
/// completed (or undone) run's keys may have been changed again since, and
/// the fresh plan is what says whether they need work.
pub(super) async fn done_earlier(
    cx: &Cx<'_>,
    spec: &super::ActionSpec,
) -> Result<HashSet<String>, AwsError> {
    let entries = cx.entries().await.map_err(journal_error)?;
    let spec = serde_json::to_value(spec).unwrap_or(Value::Null);
    let ended: HashSet<&Value> = entries
        .iter()
        .filter(|e| e.kind == "action_undone" || e.kind == "action_applied")
        .map(|e| &e.data["action_id"])
        .collect();
    let same: HashSet<&Value> = entries
        .iter()
        .filter(|e| e.kind == "action_planned" && e.data["spec"] == spec)
        .map(|e| &e.data["action_id"])
        .collect();
    Ok(entries
        .iter()
        .filter(|e| {
            e.kind == BATCH_KIND
                && e.data["phase"] == "done"
                && same.contains(&e.data["action_id"])
                && !ended.contains(&e.data["action_id"])
        })
        .flat_map(|e| e.data["keys"].as_array().cloned().unwrap_or_default())
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect())
}

pub async fn apply(cx: &Cx<'_>, id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let started = Instant::now();
    let owner = prior_of(&plan.prior)?.bucket_owner;
    let target = a.target();
    let done_before = done_earlier(cx, &plan.spec).await?;
    let all = keys_in_scope(cx.clients, a, &plan.region).await?;
    let total = all.len() as u64;
    let todo: Vec<String> = all
        .into_iter()
        .filter(|k| !done_before.contains(k))
        .collect();
    let mut progress = Progress {
        done: total - todo.len() as u64,
        total,
        ..Progress::default()
    };
    if progress.done > 0 {
        record_batch(
            cx,
            id,
            &target,
            "resumed",
            format!(
                "{id}: resuming: {} of {total} objects already done earlier in this incident",
                progress.done
            ),
            json!({"already_done": progress.done}),
        )
        .await?;
    }
    (cx.progress)(progress);
    let s3 = cx.clients.s3_in(&plan.region);
    let mut first_error: Option<AwsError> = None;
    for (n, batch) in todo.chunks(BATCH).enumerate() {
        // 1. Read every prior ACL in the batch.
        let read: Vec<(String, Result<Acl, AwsError>)> = stream::iter(batch.iter().cloned())
            .map(|key| read_one(s3.clone(), a.bucket.clone(), key))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let prior: BTreeMap<&str, &Acl> = read
            .iter()
            .filter_map(|(k, r)| r.as_ref().ok().map(|acl| (k.as_str(), acl)))
            .collect();
        // 2. Prior state to evidence and journal, before any write.
        let bytes = serde_json::to_vec(&json!({"bucket": a.bucket, "acls": prior}))
            .map_err(|e| AwsError::new("EncodeFailed", e.to_string()))?;
        let evidence = cx
            .incident
            .lock()
            .await
            .store_evidence(&bytes, "json")
            .map_err(journal_error)?;
        record_batch(
            cx,
            id,
            &target,
            "started",
            format!(
                "{id}: batch {} started ({} objects, prior ACLs recorded)",
                n + 1,
                batch.len()
            ),
            json!({"batch": n + 1, "prior_evidence": evidence}),
        )
        .await?;
        // 3. Write owner-only where it is not already.
        let to_write: Vec<(String, Acl)> = prior
            .iter()
            .filter(|(_, acl)| !is_owner_only(acl, &owner))
            .map(|(k, acl)| (k.to_string(), owner_only(acl, &owner)))
            .collect();
        let skipped = prior.len() - to_write.len();
        let written: Vec<(String, Result<(), AwsError>)> = stream::iter(to_write)
            .map(|(key, acl)| write_one(s3.clone(), a.bucket.clone(), key, acl))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        // 4. Journal what is done; failures stay out of `keys`, so a re-run
        //    tries them again.
        let mut failed: Vec<Value> = read
            .iter()
            .filter_map(|(k, r)| {
                r.as_ref()
                    .err()
                    .map(|e| json!({"key": k, "stage": "read", "error": e}))
            })
            .collect();
        failed.extend(written.iter().filter_map(|(k, r)| {
            r.as_ref()
                .err()
                .map(|e| json!({"key": k, "stage": "write", "error": e}))
        }));
        let bad: HashSet<&str> = failed.iter().filter_map(|f| f["key"].as_str()).collect();
        let keys: Vec<&str> = batch
            .iter()
            .map(String::as_str)
            .filter(|k| !bad.contains(k))
            .collect();
        let changed = written.iter().filter(|(_, r)| r.is_ok()).count();
        if first_error.is_none()
            && let Some(e) = read
                .iter()
                .find_map(|(_, r)| r.as_ref().err())
                .or_else(|| written.iter().find_map(|(_, r)| r.as_ref().err()))
        {
            first_error = Some(e.clone());
        }
        record_batch(
            cx,
            id,
            &target,
            "done",
            format!(
                "{id}: batch {} done: {changed} changed, {skipped} already owner-only, {} failed",
                n + 1,
                failed.len()
            ),
            json!({"batch": n + 1, "changed": changed, "skipped": skipped, "failed": failed, "keys": keys}),
        )
        .await?;
        progress.done += batch.len() as u64;
        progress.changed += changed as u64;
        progress.skipped += skipped as u64;
        progress.failed += failed.len() as u64;
        progress.elapsed_ms = started.elapsed().as_millis() as u64;
        (cx.progress)(progress);
    }
    retry_later(first_error, progress.failed, "object(s) could not be reset")
}

/// One progress entry of a bulk action. Its `action_id`, `phase`,
/// `target` (and, when done, `keys`) are what a re-run and undo read back.
pub(super) async fn record_batch(
    cx: &Cx<'_>,
    id: &str,
    target: &str,
    phase: &str,
    summary: String,
    mut fields: Value,
) -> Result<(), AwsError> {
    if let Some(map) = fields.as_object_mut() {
        map.insert("summary".into(), json!(summary));
        map.insert("action_id".into(), json!(id));
        map.insert("phase".into(), json!(phase));
        map.insert("target".into(), json!(target));
    }
    cx.record(BATCH_KIND, fields)
        .await
        .map(|_| ())
        .map_err(journal_error)
}

/// A bulk action's end: Ok, or how many items failed (with the first
/// error) and that a re-run retries them.
pub(super) fn retry_later(
    first_error: Option<AwsError>,
    failed: u64,
    what: &str,
) -> Result<(), AwsError> {
    match first_error {
        None => Ok(()),
        Some(e) => Err(AwsError::new(
            e.code.clone(),
            format!(
                "{failed} {what} (first: {}); run the action again to retry them",
                e.message
            ),
        )),
    }
}

// The per-object requests own their inputs, so the futures are 'static and
// Send without higher-ranked lifetimes (which the compiler cannot always
// prove for futures borrowing across `buffer_unordered`).

async fn read_one(
    s3: aws_sdk_s3::Client,
    bucket: String,
    key: String,
) -> (String, Result<Acl, AwsError>) {
    let acl = containment::object_acl(&s3, &bucket, &key).await;
    (key, acl)
}

async fn write_one(
    s3: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    acl: Acl,
) -> (String, Result<(), AwsError>) {
    let r = containment::set_object_acl(&s3, &bucket, &key, &acl).await;
    (key, r)
}

/// Write the prior ACL back and read it again: `true` when equal.
async fn restore_one(
    s3: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    acl: Acl,
) -> Result<bool, AwsError> {
    containment::set_object_acl(&s3, &bucket, &key, &acl).await?;
    Ok(same_acl(
        &containment::object_acl(&s3, &bucket, &key).await?,
        &acl,
    ))
}

/// An even sample of at most `n` items.
fn sample<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if items.len() <= n {
        return items.to_vec();
    }
    let step = items.len() as f64 / n as f64;
    (0..n)
        .map(|i| items[(i as f64 * step) as usize].clone())
        .collect()
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let owner = prior_of(&plan.prior)?.bucket_owner;
    let keys = keys_in_scope(c, a, &plan.region).await?;
    let checked = sample(&keys, VERIFY_SAMPLE);
    let s3 = c.s3_in(&plan.region);
    let n_checked = checked.len();
    let results: Vec<Result<Acl, AwsError>> = stream::iter(checked)
        .map(|k| read_one(s3.clone(), a.bucket.clone(), k))
        .map(|f| async move { f.await.1 })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let wrong = results
        .iter()
        .filter(|r| !r.as_ref().is_ok_and(|acl| is_owner_only(acl, &owner)))
        .count();
    let of = if n_checked == keys.len() {
        format!("all {} object(s)", keys.len())
    } else {
        format!("a sample of {n_checked} of {} objects", keys.len())
    };
    Ok(Verification {
        ok: wrong == 0,
        detail: if wrong == 0 {
            format!("read back {of}: owner-only")
        } else {
            format!("read back {of}: {wrong} not owner-only or unreadable")
        },
    })
}

/// Every prior ACL this action recorded, from its batch evidence.
async fn recorded_priors(cx: &Cx<'_>, id: &str) -> Result<BTreeMap<String, Acl>, AwsError> {
    let incident = cx.incident.lock().await;
    let entries = incident.all_entries().map_err(journal_error)?;
    let mut priors = BTreeMap::new();
    for e in entries.iter().filter(|e| {
        e.kind == BATCH_KIND && e.data["action_id"] == id && e.data["phase"] == "started"
    }) {
        let reference: EvidenceRef =
            super::recorded(&e.data["prior_evidence"], "evidence reference")?;
        let bytes = incident.read_evidence(&reference).map_err(journal_error)?;
        let batch: Value = serde_json::from_slice(&bytes)
            .map_err(|e| AwsError::new("UnreadablePriorState", e.to_string()))?;
        let acls: BTreeMap<String, Acl> = super::recorded(&batch["acls"], "object ACL batch")?;
        priors.extend(acls);
    }
    Ok(priors)
}

pub async fn undo(
    cx: &Cx<'_>,
    id: &str,
    a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let started = Instant::now();
    let owner = prior_of(prior)?.bucket_owner;
    // Only the objects this action could have changed: those it found not
    // owner-only. The rest were never written.
    let priors: Vec<(String, Acl)> = recorded_priors(cx, id)
        .await?
        .into_iter()
        .filter(|(_, acl)| !is_owner_only(acl, &owner))
        .collect();
    let s3 = cx.clients.s3_in(region);
    let mut progress = Progress {
        total: priors.len() as u64,
        ..Progress::default()
    };
    let mut differ = 0usize;
    let mut first_error = None;
    for chunk in priors.chunks(BATCH) {
        let results: Vec<Result<bool, AwsError>> = stream::iter(chunk.iter().cloned())
            .map(|(key, acl)| restore_one(s3.clone(), a.bucket.clone(), key, acl))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for r in &results {
            match r {
                Ok(true) => progress.changed += 1,
                Ok(false) => differ += 1,
                Err(e) => {
                    progress.failed += 1;
                    first_error.get_or_insert_with(|| e.clone());
                }
            }
        }
        progress.done += chunk.len() as u64;
        progress.elapsed_ms = started.elapsed().as_millis() as u64;
        (cx.progress)(progress);
    }
    if let Some(e) = first_error {
        return Err(AwsError::new(
            e.code.clone(),
            format!(
                "{} object ACL(s) could not be restored (first: {}); run undo again is not possible, restore them by hand from the evidence",
                progress.failed, e.message
            ),
        ));
    }
    Ok(Verification {
        ok: differ == 0,
        detail: format!(
            "{} object ACL(s) written back and read back equal to the recorded prior ACL{}",
            progress.changed,
            if differ > 0 {
                format!("; {differ} read back different")
            } else {
                String::new()
            }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_all_when_small_and_even_when_large() {
        let v: Vec<u32> = (0..10).collect();
        assert_eq!(sample(&v, 20), v);
        let big: Vec<u32> = (0..10_000).collect();
        let s = sample(&big, 1000);
        assert_eq!(s.len(), 1000);
        assert_eq!(s[0], 0);
        assert_eq!(s[1], 10);
        assert_eq!(s[999], 9990);
    }

    #[test]
    fn targets_name_the_scope() {
        let a = |key: Option<&str>, prefix: Option<&str>| Args {
            bucket: "b".into(),
            key: key.map(str::to_string),
            prefix: prefix.map(str::to_string),
        };
        assert_eq!(a(Some("k"), None).target(), "s3://b/k");
        assert_eq!(a(None, Some("p/")).target(), "s3://b/p/*");
        assert_eq!(a(None, None).target(), "s3://b/*");
    }
}
