//! Actions: recovery of object versions — undelete (remove delete markers),
//! restore one version of a key, and point-in-time restore of a bucket or
//! prefix. One module for the three: they differ only in the planning goal
//! (`model::restore::Goal`).
//!
//! Never is an object version permanently deleted. A rollback is a
//! server-side copy of the old version (a new version); an undelete
//! removes delete markers; hiding a key created after T adds a delete
//! marker. So every change can be undone the same way.
//!
//! Bulk and resumable, like the object-ACL reset: the journal is the
//! progress record. Each batch journals its keys' state before any write
//! (`started`, with what undo needs), then what it did (`done`). A re-run
//! plans again from a fresh listing — a key already as it should be (same
//! ETag, or its markers gone) needs nothing — and skips keys of `done`
//! batches without a request. So no key is restored twice.

use std::collections::HashSet;
use std::time::Instant;

use futures::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Progress, Verification};
use crate::aws::exposure::bucket_region;
use crate::aws::versions::{self, CopyOptions, DELETE_BATCH};
use crate::aws::{AwsError, Clients};
use crate::model::restore::{Current, Goal, Planner, ReplicaPlanner, RestorePlan, Step, Work};

use super::object_acls::{BATCH_KIND, done_earlier, journal_error, record_batch, retry_later};

/// Copies in flight at once.
pub const CONCURRENCY: usize = 32;
/// Keys per journal batch (and at most this many marker deletions, one
/// `DeleteObjects` call).
pub const BATCH: usize = DELETE_BATCH;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub bucket: String,
    /// Every key under this prefix (one key for a version restore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub goal: Goal,
    /// The responder's reason to restore before the steps that should
    /// come first (events preserved, a planted rule removed, SSE-C
    /// blocked): journaled with the action, as part of its spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_order: Option<String>,
}

impl Args {
    pub fn target(&self) -> String {
        match (&self.goal, &self.prefix) {
            (Goal::Version { .. }, Some(k)) => format!("s3://{}/{k}", self.bucket),
            (_, Some(p)) => format!("s3://{}/{p}*", self.bucket),
            (_, None) => format!("s3://{}/*", self.bucket),
        }
    }

    fn scope(&self) -> String {
        match (&self.goal, &self.prefix) {
            (Goal::Version { .. }, Some(k)) => k.to_string(),
            (_, Some(p)) => format!("every key under {p}"),
            (_, None) => "every key in the bucket".to_string(),
        }
    }
}

/// How long a plan's listing is reused by the apply that follows it. A
/// listing of a large prefix takes many requests; the responder usually
/// confirms within seconds. Older than this, apply lists again.
const PLAN_FRESH: std::time::Duration = std::time::Duration::from_secs(120);

/// The last plan made in this process, per target: apply reuses it while
/// fresh. A new process (a re-run after a crash) always lists again.
fn plan_cache()
-> &'static std::sync::Mutex<std::collections::HashMap<String, (Instant, RestorePlan)>> {
    static CACHE: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, (Instant, RestorePlan)>>,
    > = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn cache_key(a: &Args) -> String {
    serde_json::to_string(a).unwrap_or_default()
}

/// Read the listing and plan. A version restore reads only its key; a
/// replica restore reads this bucket's current state, then the replica's
/// listing (in its own Region).
pub async fn plan_restore(c: &Clients, region: &str, a: &Args) -> Result<RestorePlan, AwsError> {
    let mut rp = plan_listing(c, region, a).await?;
    // Archived versions S3 has brought back (restore-archived) are copied
    // now; the rest stay held until it has.
    if !rp.archived_versions.is_empty() {
        let asked = rp
            .archived_versions
            .iter()
            .map(|v| (v.key.clone(), v.version_id.clone()))
            .collect();
        let ready: HashSet<String> = versions::restore_states(&c.s3_in(region), &a.bucket, asked)
            .await
            .into_iter()
            .filter(|(_, r)| matches!(r, Ok(versions::RestoreState::Restored)))
            .map(|(id, _)| id)
            .collect();
        rp.take_restored(&ready);
    }
    Ok(rp)
}

/// The plan from the listings alone (archived versions all held).
async fn plan_listing(c: &Clients, region: &str, a: &Args) -> Result<RestorePlan, AwsError> {
    let s3 = c.s3_in(region);
    if let (Some(mut p), Goal::FromReplica { replica, .. }) =
        (ReplicaPlanner::new(&a.goal), &a.goal)
    {
        let replica = replica.as_str();
        versions::list(&s3, &a.bucket, a.prefix.as_deref(), |page| {
            p.source_page(page)
        })
        .await?;
        let there = bucket_region(c, replica).await.map_err(|e| {
            let said = if e.message.is_empty() {
                "no such bucket, or not readable with these credentials".to_string()
            } else {
                e.message.clone()
            };
            AwsError::new(
                e.code.clone(),
                format!("the replica s3://{replica}: {said}"),
            )
        })?;
        versions::list(&c.s3_in(&there), replica, a.prefix.as_deref(), |page| {
            p.replica_page(page)
        })
        .await?;
        return Ok(p.finish());
    }
    let s3 = &s3;
    let mut planner = Planner::new(a.goal.clone());
    let only = match &a.goal {
        Goal::Version { .. } => a.prefix.clone(),
        _ => None,
    };
    versions::list(s3, &a.bucket, a.prefix.as_deref(), |page| {
        planner.page(
            page.into_iter()
                .filter(|v| only.as_ref().is_none_or(|k| &v.key == k)),
        )
    })
    .await?;
    Ok(planner.finish())
}

/// The plan's archived versions, for `restore-archived`: the same listing
/// a point-in-time restore reads.
pub async fn archived_versions(
    c: &Clients,
    region: &str,
    a: &Args,
) -> Result<Vec<crate::model::restore::ArchivedVersion>, AwsError> {
    Ok(plan_listing(c, region, a).await?.archived_versions)
}

fn mib(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{bytes} B")
    }
}

/// The plan's counts, one line per category that has keys.
pub fn describe(p: &RestorePlan) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = |what: &str, t: crate::model::restore::Tally| {
        if t.keys > 0 {
            lines.push(format!("{what}: {} key(s), {}", t.keys, mib(t.bytes)));
        }
    };
    line("undelete (remove delete markers)", p.undelete);
    line("roll back (copy the earlier version)", p.roll_back);
    line("hide (add a delete marker)", p.hide);
    line("created after the time, left as they are", p.created_after);
    // Not hidden unless asked: say how (a ransom note is such a key).
    let left_newer = p.created_after.keys > 0;
    line("already as they should be, skipped", p.unchanged);
    line(
        "in Glacier/Deep Archive: restore-archived (Ctrl-g) asks S3 for them first",
        p.archived,
    );
    line(
        "not recoverable (only delete markers remain)",
        p.not_recoverable,
    );
    if left_newer {
        lines.push(
            "to hide the keys created after the time: add `hide` after the time (console), or --hide-newer".into(),
        );
    }
    lines
}

/// A lifecycle rule that deletes within this many days of a write is on
/// a fuse short enough to be an attack's (the January 2025 campaign used
/// seven): the restore waits for it to be removed.
const SHORT_FUSE_DAYS: i32 = 30;

/// The steps that should come before this restore, and whether the bucket
/// shows a destructive attack at all. Enforced (`first:`, the engine
/// refuses the restore without an override while any is missing): a
/// short-fuse lifecycle rule over the keys restored (the restored versions
/// would go on the same clock), and SSE-C writes still allowed where SSE-C
/// rewrites were seen (the attacker's key would encrypt the restore
/// again). Said only (`note:`): a long-fuse rule, SSE-C allowed with no
/// sign of its use. What cannot be read is said too.
async fn first_steps(c: &Clients, a: &Args, region: &str, rp: &RestorePlan) -> (Vec<String>, bool) {
    let bucket = a.bucket.as_str();
    let (rules, encryption) = tokio::join!(
        crate::aws::lifecycle::rules(c, bucket, region),
        crate::aws::containment::encryption(c, bucket, region)
    );
    let scope = a.prefix.as_deref().unwrap_or("");
    let mut out = Vec::new();
    let mut destructive = false;
    match rules {
        Ok(r) => {
            let over_scope = |r: &crate::model::lifecycle::LifecycleRule| {
                let p = r.prefix();
                p.starts_with(scope) || scope.starts_with(p)
            };
            let deleting: Vec<&crate::model::lifecycle::LifecycleRule> = r
                .iter()
                .filter(|r| r.enabled && r.deletes() && over_scope(r))
                .collect();
            let now = crate::time::now_secs();
            let (short, long): (Vec<_>, Vec<_>) = deleting.iter().partition(|r| {
                r.expiration.as_ref().is_some_and(|e| {
                    e.days.is_some_and(|d| d <= SHORT_FUSE_DAYS)
                        || e.date
                            .is_some_and(|d| d - now <= i64::from(SHORT_FUSE_DAYS) * 86_400)
                }) || r
                    .noncurrent_expiration
                    .as_ref()
                    .and_then(|n| n.noncurrent_days)
                    .is_some_and(|d| d <= SHORT_FUSE_DAYS)
            });
            let names = |v: &[&&crate::model::lifecycle::LifecycleRule]| {
                v.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
            };
            if !short.is_empty() {
                destructive = true;
                out.push(format!(
                    "first: lifecycle rule(s) {} delete data in {bucket} within {SHORT_FUSE_DAYS} days: remove a planted one (y, or remove-lifecycle-rules) before restoring",
                    names(&short)
                ));
            }
            if !long.is_empty() {
                out.push(format!(
                    "note: lifecycle rule(s) {} delete data in {bucket}: the restored versions are on their clock too",
                    names(&long)
                ));
            }
        }
        Err(e) => out.push(format!("lifecycle rules not read ({})", e.code)),
    }
    let sse_c_seen = rp.skipped_sse_c > 0
        || matches!(&a.goal, Goal::PointInTime { skip_versions, .. } | Goal::FromReplica { skip_versions, .. } if !skip_versions.is_empty())
        || current_sse_c(c, a, region, rp).await;
    destructive |= sse_c_seen;
    match encryption {
        Ok(rules) if rules.as_deref().is_some_and(|r| r.iter().any(|x| x.blocks_sse_c())) => {}
        Ok(_) if sse_c_seen => out.push(format!(
            "first: SSE-C writes are allowed on {bucket}: block them (z, or block-sse-c) or a live attacker key can encrypt what is restored again"
        )),
        Ok(_) => out.push(format!(
            "note: SSE-C writes are allowed on {bucket} (z blocks them)"
        )),
        Err(e) => out.push(format!("default encryption not read ({})", e.code)),
    }
    (out, destructive)
}

/// Keys probed for SSE-C among those the restore changes.
const SSE_C_SAMPLE: usize = 20;

/// Whether any of the first keys the restore would change is, now, a
/// version only an SSE-C key reads (a HEAD answers a bare 400).
async fn current_sse_c(c: &Clients, a: &Args, region: &str, rp: &RestorePlan) -> bool {
    let asked: Vec<(String, String)> = rp
        .steps
        .iter()
        .filter_map(|s| match &s.current {
            Current::Version { version_id, .. } => Some((s.key.clone(), version_id.clone())),
            _ => None,
        })
        .take(SSE_C_SAMPLE)
        .collect();
    if asked.is_empty() {
        return false;
    }
    let (found, _) = versions::sse_c_versions(&c.s3_in(region), &a.bucket, asked).await;
    !found.is_empty()
}

/// What the restore waits for, from its plan and the journal: the plan's
/// `first:` steps, and (when the bucket shows a destructive attack) the
/// CloudTrail events preserved as evidence before the bucket changes.
pub fn missing_first(plan: &Plan, entries: &[crate::incident::Entry]) -> Vec<String> {
    let mut missing: Vec<String> = plan
        .before
        .iter()
        .filter(|l| l.starts_with("first:"))
        .cloned()
        .collect();
    let preserved = entries.iter().any(|e| e.kind == "trail_preserved");
    if plan.prior["destructive"] == Value::Bool(true) && !preserved {
        missing.insert(
            0,
            "first: the CloudTrail events are not preserved: E in the console's CloudTrail pane keeps them as evidence before the restore changes the bucket".into(),
        );
    }
    missing
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let bucket = a.bucket.as_str();
    if matches!(a.goal, Goal::Version { .. }) && a.prefix.is_none() {
        return Err(ActionError::NotPossible(
            "name the key whose version to restore: s3://bucket/key".into(),
        ));
    }
    let region = bucket_region(c, bucket).await?;
    let s3 = c.s3_in(&region);
    let status = versions::versioning(&s3, bucket).await?;
    if status.is_empty() {
        return Err(ActionError::NotPossible(format!(
            "{bucket} has never had versioning on, so S3 kept no earlier versions: what was overwritten or deleted is gone from S3 (look for copies in backups or replicas). Turn versioning on now (v in the console, or `warroom act enable-versioning {bucket}`) so the next incident can be undone."
        )));
    }
    let rp = plan_restore(c, &region, a).await?;
    let mut counts = describe(&rp);
    let (first, destructive) = first_steps(c, a, &region, &rp).await;
    counts.extend(first);
    if let Ok(mut cache) = plan_cache().lock() {
        cache.insert(cache_key(a), (Instant::now(), rp.clone()));
    }
    if rp.is_empty() {
        return Err(ActionError::NothingToDo(format!(
            "{} of {} needs restoring ({} versions read): {}",
            a.scope(),
            bucket,
            rp.versions_seen,
            counts.join("; ")
        )));
    }
    let goal = match &a.goal {
        Goal::PointInTime { to, .. } => {
            format!("as it was at {}", crate::time::iso_time(*to))
        }
        Goal::Undelete { .. } => "with its delete markers removed".to_string(),
        Goal::Version { version_id } => format!("at version {version_id}"),
        Goal::FromReplica { replica, to, .. } => format!(
            "as the replica s3://{replica} held it at {}",
            crate::time::iso_time(*to)
        ),
    };
    let mut held: Vec<String> = rp
        .held
        .iter()
        .map(|h| format!("held: {} — {}", h.key, h.why))
        .collect();
    if (rp.archived.keys + rp.not_recoverable.keys) as usize > rp.held.len() {
        held.push("…and more (counts above)".into());
    }
    // The keys hidden by name (an incident principal wrote them): the
    // responder sees which, not only how many.
    if matches!(&a.goal, Goal::PointInTime { hide_keys, .. } if !hide_keys.is_empty()) {
        let hidden: Vec<&str> = rp
            .steps
            .iter()
            .filter(|s| s.work == crate::model::restore::Work::Hide)
            .map(|s| s.key.as_str())
            .collect();
        for k in hidden.iter().take(5) {
            held.push(format!(
                "hides {k}: written by an incident principal after the time"
            ));
        }
        if hidden.len() > 5 {
            held.push(format!("…and {} more hidden", hidden.len() - 5));
        }
    }
    if let Goal::FromReplica { replica, .. } = &a.goal {
        held.push(format!(
            "copies come from s3://{replica} (the replica's version of each key at the time, copied server-side); keys it did not hold then are left as they are"
        ));
    }
    if rp.skipped_sse_c > 0 {
        held.push(format!(
            "skips {} version(s) written with SSE-C by an incident principal: never restored to (ciphertext only the attacker can read)",
            rp.skipped_sse_c
        ));
    }
    let n = rp.steps.len();
    Ok(Plan {
        spec: spec_of(a),
        summary: format!("restore {} {goal}", a.scope()),
        before: counts.clone(),
        after: vec![format!(
            "{n} key(s) {goal}: {} copies, {} delete-marker changes in batches of up to {DELETE_BATCH}",
            rp.roll_back.keys,
            rp.deletes()
        )],
        diff: held,
        blast_radius: format!(
            "Changes what {n} key(s) in {bucket} read as now: applications and users see the restored content at once. No version is deleted: rollbacks add a new version, undeletes remove delete markers, hides add one. Runs in batches of {BATCH} keys with {CONCURRENCY} copies at a time; if interrupted, running it again finishes the rest and touches no key twice."
        ),
        // One rule for this action, however many keys (see Confirm).
        confirm: Confirm::TypeName {
            text: bucket.to_string(),
        },
        undo: "undo puts every key back as it was before the restore (again by adding versions or markers, never deleting one)".into(),
        undoable: true,
        prior: json!({
            "destructive": destructive,
            "versioning": status,
            "versions_read": rp.versions_seen,
            "counts": counts,
            "keys_to_change": n,
        }),
        region,
    })
}

fn spec_of(a: &Args) -> ActionSpec {
    match a.goal {
        Goal::PointInTime { .. } => ActionSpec::PitRestore(a.clone()),
        Goal::Undelete { .. } => ActionSpec::Undelete(a.clone()),
        Goal::Version { .. } => ActionSpec::RestoreVersion(a.clone()),
        Goal::FromReplica { .. } => ActionSpec::PitRestore(a.clone()),
    }
}

/// Batches of steps: at most [`BATCH`] keys and [`DELETE_BATCH`] deletions
/// each, so marker work takes `ceil(markers / 1000)` calls.
fn batches(steps: Vec<Step>) -> Vec<Vec<Step>> {
    let mut out: Vec<Vec<Step>> = Vec::new();
    let mut deletes = 0;
    for s in steps {
        let d = match &s.work {
            Work::RemoveMarkers { markers } => markers.len(),
            Work::Hide => 1,
            Work::CopyFrom { .. } => 0,
        };
        let full = out
            .last()
            .is_none_or(|b| b.len() >= BATCH || deletes + d > DELETE_BATCH);
        if full {
            out.push(Vec::new());
            deletes = 0;
        }
        deletes += d;
        if let Some(b) = out.last_mut() {
            b.push(s);
        }
    }
    out
}

/// What one step did: for undo, the new version or marker it made.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Did {
    key: String,
    before: Current,
    work: Work,
    /// The version (copy) or delete marker (hide) this step created.
    made: Option<String>,
}

/// Apply one batch's steps: deletions in `DeleteObjects` calls, copies
/// concurrently. Per key: what it made, or the error.
async fn run_batch(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    steps: &[Step],
    opts: CopyOptions,
) -> Vec<(Step, Result<Option<String>, AwsError>)> {
    let mut out = Vec::with_capacity(steps.len());
    let deletes: Vec<(String, Option<String>)> = steps
        .iter()
        .flat_map(|s| match &s.work {
            Work::RemoveMarkers { markers } => markers
                .iter()
                .map(|m| (s.key.clone(), Some(m.clone())))
                .collect(),
            Work::Hide => vec![(s.key.clone(), None)],
            Work::CopyFrom { .. } => Vec::new(),
        })
        .collect();
    let mut deleted: Vec<versions::Deleted> = Vec::new();
    for chunk in deletes.chunks(DELETE_BATCH) {
        match versions::delete_batch(s3, bucket, chunk).await {
            Ok(mut r) => deleted.append(&mut r),
            Err(e) => deleted.extend(chunk.iter().map(|(k, v)| versions::Deleted {
                key: k.clone(),
                version_id: v.clone(),
                result: Err(e.clone()),
            })),
        }
    }
    for s in steps
        .iter()
        .filter(|s| !matches!(s.work, Work::CopyFrom { .. }))
    {
        let mine: Vec<&versions::Deleted> = deleted.iter().filter(|d| d.key == s.key).collect();
        let result = match mine.iter().find_map(|d| d.result.as_ref().err()) {
            Some(e) => Err(e.clone()),
            None => Ok(mine
                .iter()
                .find_map(|d| d.result.as_ref().ok().cloned().flatten())),
        };
        out.push((s.clone(), result));
    }
    let to_copy: Vec<Step> = steps
        .iter()
        .filter(|s| matches!(s.work, Work::CopyFrom { .. }))
        .cloned()
        .collect();
    let (s3, bucket) = (s3.clone(), bucket.to_string());
    let copies: Vec<(Step, Result<Option<String>, AwsError>)> = stream::iter(to_copy)
        .map(|s| copy_one(s3.clone(), bucket.clone(), s, opts))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    out.extend(copies);
    out
}

// Owns its inputs so the future is 'static (see object_acls).
async fn copy_one(
    s3: aws_sdk_s3::Client,
    bucket: String,
    step: Step,
    opts: CopyOptions,
) -> (Step, Result<Option<String>, AwsError>) {
    let Work::CopyFrom {
        version_id,
        etag,
        storage_class,
        from_bucket,
    } = &step.work
    else {
        return (step, Ok(None));
    };
    let src = versions::Source {
        bucket: from_bucket.as_deref(),
        version_id,
        etag,
        storage_class,
        size: step.bytes,
    };
    let r = versions::copy_version(&s3, &bucket, &step.key, &src, opts)
        .await
        .map(Some);
    (step, r)
}

/// How this bucket's copies are made: straight away, checked by ETag,
/// unless it encrypts with KMS by default (then each source is read first).
async fn copy_options(s3: &aws_sdk_s3::Client, bucket: &str) -> CopyOptions {
    CopyOptions {
        head_first: versions::default_is_kms(s3, bucket).await,
        ..CopyOptions::default()
    }
}

pub async fn apply(cx: &Cx<'_>, id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let started = Instant::now();
    let target = a.target();
    let s3 = cx.clients.s3_in(&plan.region);
    let done_before = done_earlier(cx, &plan.spec).await?;
    // The plan just confirmed, if it is fresh; else a new listing: the state
    // may have moved, and a key already as it should be needs nothing
    // (that is what makes a re-run touch no key twice).
    let cached = plan_cache()
        .lock()
        .ok()
        .and_then(|mut c| c.remove(&cache_key(a)))
        .filter(|(at, _)| at.elapsed() < PLAN_FRESH)
        .map(|(_, p)| p);
    let fresh = match cached {
        Some(p) => p,
        None => plan_restore(cx.clients, &plan.region, a).await?,
    };
    let total = fresh.steps.len() as u64;
    let total_bytes: u64 = fresh.steps.iter().map(|s| s.bytes).sum();
    let todo: Vec<Step> = fresh
        .steps
        .into_iter()
        .filter(|s| !done_before.contains(&s.key))
        .collect();
    let mut progress = Progress {
        done: total - todo.len() as u64,
        total,
        total_bytes,
        ..Progress::default()
    };
    (cx.progress)(progress);
    let opts = copy_options(&s3, &a.bucket).await;
    let mut first_error: Option<AwsError> = None;
    for (n, batch) in batches(todo).into_iter().enumerate() {
        // 1. Each key's state before the restore, journaled before any write.
        record_batch(
            cx,
            id,
            &target,
            "started",
            format!(
                "{id}: batch {} started ({} keys, their current versions recorded)",
                n + 1,
                batch.len()
            ),
            json!({"batch": n + 1, "steps": batch}),
        )
        .await?;
        // 2. Do it.
        let results = run_batch(&s3, &a.bucket, &batch, opts).await;
        // 3. What was done, for undo and for a re-run.
        let mut did = Vec::new();
        let mut failed = Vec::new();
        for (step, r) in &results {
            match r {
                Ok(made) => did.push(Did {
                    key: step.key.clone(),
                    before: step.current.clone(),
                    work: step.work.clone(),
                    made: made.clone(),
                }),
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(e.clone());
                    }
                    failed.push(json!({"key": step.key, "error": e}));
                }
            }
        }
        let bytes: u64 = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(s, _)| s.bytes)
            .sum();
        let keys: Vec<&str> = did.iter().map(|d| d.key.as_str()).collect();
        record_batch(
            cx,
            id,
            &target,
            "done",
            format!(
                "{id}: batch {} done: {} restored, {} failed",
                n + 1,
                did.len(),
                failed.len()
            ),
            json!({"batch": n + 1, "did": did, "failed": failed, "keys": keys, "bytes": bytes}),
        )
        .await?;
        progress.done += batch.len() as u64;
        progress.changed += did.len() as u64;
        progress.failed += failed.len() as u64;
        progress.bytes += bytes;
        progress.elapsed_ms = started.elapsed().as_millis() as u64;
        (cx.progress)(progress);
    }
    retry_later(first_error, progress.failed, "key(s) could not be restored")
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let again = plan_restore(c, &plan.region, a).await?;
    let left = again.steps.len();
    Ok(Verification {
        ok: left == 0,
        detail: if left == 0 {
            format!(
                "read back {} versions: {} of {} as asked ({} key(s) checked)",
                again.versions_seen,
                a.scope(),
                a.bucket,
                // After the restore, every key it changed reads as asked
                // too: this counts them all, not the ones untouched.
                again.unchanged.keys
            )
        } else {
            // Name them: a responder must know which objects are still wrong.
            let mut names: Vec<&str> = again.steps.iter().take(5).map(|s| s.key.as_str()).collect();
            if left > names.len() {
                names.push("…");
            }
            format!(
                "read back: {left} key(s) still differ from what was asked: {}",
                names.join(", ")
            )
        },
    })
}

/// Every step this action did, from its `done` batches.
async fn recorded(cx: &Cx<'_>, id: &str) -> Result<Vec<Did>, AwsError> {
    let entries = cx.entries().await.map_err(journal_error)?;
    let mut did = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.kind == BATCH_KIND && e.data["action_id"] == id && e.data["phase"] == "done")
    {
        let batch: Vec<Did> = super::recorded(&e.data["did"], "restore batch")?;
        did.extend(batch);
    }
    Ok(did)
}

/// The step that puts a key back as it was before the restore.
fn undo_step(d: &Did) -> Option<Step> {
    let work = match (&d.work, &d.before) {
        // A hide added marker `made`: remove it.
        (Work::Hide, _) => Work::RemoveMarkers {
            markers: vec![d.made.clone()?],
        },
        // Content was brought back: copy the earlier current version again.
        (_, Current::Version { version_id, etag }) => Work::CopyFrom {
            version_id: version_id.clone(),
            etag: etag.clone(),
            storage_class: String::new(),
            from_bucket: None,
        },
        // The key was deleted (or absent) before the restore: hide it again.
        (_, Current::DeleteMarker { .. } | Current::Absent) => Work::Hide,
    };
    Some(Step {
        key: d.key.clone(),
        current: Current::Absent,
        work,
        bytes: 0,
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    id: &str,
    a: &Args,
    region: &str,
    _prior: &Value,
) -> Result<Verification, AwsError> {
    let did = recorded(cx, id).await?;
    let s3 = cx.clients.s3_in(region);
    let steps: Vec<Step> = did.iter().filter_map(undo_step).collect();
    let total = steps.len() as u64;
    let mut progress = Progress {
        total,
        ..Progress::default()
    };
    let started = Instant::now();
    let mut failed = 0;
    let opts = copy_options(&s3, &a.bucket).await;
    for batch in batches(steps) {
        let results = run_batch(&s3, &a.bucket, &batch, opts).await;
        failed += results.iter().filter(|(_, r)| r.is_err()).count();
        progress.done += batch.len() as u64;
        progress.elapsed_ms = started.elapsed().as_millis() as u64;
        (cx.progress)(progress);
    }
    // Read back: each key's current state is what it was before.
    let mut now: std::collections::HashMap<String, (bool, String)> = Default::default();
    let keys: HashSet<&str> = did.iter().map(|d| d.key.as_str()).collect();
    versions::list(&s3, &a.bucket, a.prefix.as_deref(), |page| {
        for v in page
            .into_iter()
            .filter(|v| v.is_latest && keys.contains(v.key.as_str()))
        {
            now.insert(v.key, (v.is_delete_marker, v.etag));
        }
    })
    .await?;
    let wrong = did
        .iter()
        .filter(|d| {
            let current = now.get(&d.key);
            match &d.before {
                Current::Version { etag, .. } => {
                    !current.is_some_and(|(marker, e)| !marker && e == etag)
                }
                Current::DeleteMarker { .. } | Current::Absent => {
                    current.is_some_and(|(marker, _)| !marker)
                }
            }
        })
        .count();
    Ok(Verification {
        ok: wrong == 0 && failed == 0,
        detail: format!(
            "{} key(s) put back as they were before the restore; read back: {}",
            did.len() - failed,
            if wrong == 0 {
                "all as recorded".to_string()
            } else {
                format!("{wrong} differ from the record")
            }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(key: &str, work: Work) -> Step {
        Step {
            key: key.into(),
            current: Current::Absent,
            work,
            bytes: 0,
        }
    }

    #[test]
    fn batches_hold_at_most_a_thousand_deletions() {
        let one = |i: usize| {
            step(
                &format!("k{i}"),
                Work::RemoveMarkers {
                    markers: vec![format!("m{i}")],
                },
            )
        };
        let b = batches((0..2500).map(one).collect());
        assert_eq!(
            b.iter().map(Vec::len).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        // Two markers a key: 500 keys a batch.
        let two = |i: usize| {
            step(
                &format!("k{i}"),
                Work::RemoveMarkers {
                    markers: vec![format!("a{i}"), format!("b{i}")],
                },
            )
        };
        let b = batches((0..1001).map(two).collect());
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [500, 500, 1]);
    }

    #[test]
    fn undo_puts_back_what_was_there() {
        let d = |before, work, made: Option<&str>| Did {
            key: "k".into(),
            before,
            work,
            made: made.map(str::to_string),
        };
        let copy = Work::CopyFrom {
            version_id: "v1".into(),
            etag: "e1".into(),
            storage_class: "STANDARD".into(),
            from_bucket: None,
        };
        let was = Current::Version {
            version_id: "v2".into(),
            etag: "e2".into(),
        };
        assert!(matches!(
            undo_step(&d(was, copy.clone(), Some("v3"))).map(|s| s.work),
            Some(Work::CopyFrom { version_id, .. }) if version_id == "v2"
        ));
        let deleted = Current::DeleteMarker {
            version_id: "m".into(),
        };
        assert_eq!(
            undo_step(&d(deleted.clone(), copy, Some("v3"))).map(|s| s.work),
            Some(Work::Hide)
        );
        assert_eq!(
            undo_step(&d(
                deleted,
                Work::RemoveMarkers {
                    markers: vec!["m".into()]
                },
                None
            ))
            .map(|s| s.work),
            Some(Work::Hide)
        );
        assert_eq!(
            undo_step(&d(Current::Absent, Work::Hide, Some("m9"))).map(|s| s.work),
            Some(Work::RemoveMarkers {
                markers: vec!["m9".into()]
            })
        );
    }
}
