//! `warroom versions s3://bucket/prefix`: the versions view, headless —
//! every key changed since a time, with its version history (time, size,
//! ETag, storage class, delete markers, which is current), and keys whose
//! versions are gone flagged as not recoverable. The listing is streamed:
//! a key is printed as soon as its history is complete.

use std::collections::BTreeSet;
use std::process::ExitCode;

use color_eyre::eyre::Result;
use serde_json::json;
use warroom::aws::versions;
use warroom::cli::{GlobalArgs, VersionsArgs};
use warroom::model::restore::Version;
use warroom::report::write_json_line;
use warroom::sanitize::clean;
use warroom::time::iso_time;

use super::clients;

fn print_key(history: &[Version], sse_c: &BTreeSet<String>, json_out: bool) {
    let locked = |v: &Version| !v.is_delete_marker && sse_c.contains(&v.version_id);
    let gone = history.iter().all(|v| v.is_delete_marker);
    if json_out {
        let _ = write_json_line(
            &json!({
                "key": history[0].key,
                "not_recoverable": gone,
                "versions": history.iter().map(|v| json!({
                    "version_id": v.version_id,
                    "time": iso_time(v.last_modified),
                    "delete_marker": v.is_delete_marker,
                    "current": v.is_latest,
                    "size": v.size,
                    "etag": v.etag,
                    "storage_class": v.storage_class,
                    "sse_c": locked(v),
                })).collect::<Vec<_>>(),
            }),
            &mut std::io::stdout().lock(),
        );
        return;
    }
    println!(
        "{}{}",
        clean(&history[0].key),
        if gone {
            "  NOT RECOVERABLE HERE: only delete markers remain"
        } else {
            ""
        }
    );
    for v in history {
        println!(
            "  {} {} {:<32} {:>12} {:<34} {:<12} {}",
            if v.is_latest { "*" } else { " " },
            iso_time(v.last_modified),
            if v.is_delete_marker {
                "delete marker".to_string()
            } else {
                // Whole: it is pasted into `restore-version --version-id`.
                clean(&v.version_id).into_owned()
            },
            if v.is_delete_marker {
                String::new()
            } else {
                v.size.to_string()
            },
            clean(&v.etag),
            clean(&v.storage_class),
            if v.is_delete_marker {
                clean(&v.version_id).into_owned()
            } else if locked(v) {
                "SSE-C: only the writer's key reads it".to_string()
            } else {
                String::new()
            }
        );
    }
}

pub async fn run(global: &GlobalArgs, args: VersionsArgs) -> Result<ExitCode> {
    let c = clients(global).await?;
    let bucket = &args.target.bucket;
    let region = warroom::aws::exposure::bucket_region(&c, bucket)
        .await
        .map_err(|e| color_eyre::eyre::eyre!("{}", e.said()))?;
    let s3 = c.s3_in(&region);
    let status = versions::versioning(&s3, bucket)
        .await
        .map_err(|e| color_eyre::eyre::eyre!("{}", e.said()))?;
    if status.is_empty() {
        eprintln!(
            "warroom: {bucket} has never had versioning on: S3 kept no earlier versions, so what was overwritten or deleted cannot be restored from S3. Turn it on for the future: warroom act enable-versioning {bucket}"
        );
        return Ok(ExitCode::from(1));
    }
    let since = args
        .since
        .unwrap_or_else(|| warroom::time::now_secs() - 24 * 3600);
    if !args.json {
        eprintln!(
            "warroom: keys of s3://{bucket}/{} changed since {} (* = current; versioning {status})",
            args.target.path.as_deref().unwrap_or(""),
            iso_time(since)
        );
    }
    let (mut shown, mut gone, mut locked, mut unprobed) = (0u64, 0u64, 0usize, 0usize);
    // The listing streams keys; each key's new versions are probed for
    // SSE-C (a HEAD each, capped over the run) as it arrives, then printed.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<Version>>();
    let listing = async {
        let r = versions::changed_since(&s3, bucket, args.target.path.as_deref(), since, |h| {
            let _ = tx.send(h);
        })
        .await;
        drop(tx);
        r
    };
    let printing = async {
        let mut budget = versions::SSE_C_PROBES;
        while let Some(history) = rx.recv().await {
            let histories = [history];
            let mut asked = versions::probe_candidates(&histories, since);
            let over = asked.len().saturating_sub(budget);
            asked.truncate(budget);
            budget -= asked.len();
            let (sse_c, _) = versions::sse_c_versions(&s3, bucket, asked).await;
            let [history] = histories;
            shown += 1;
            gone += u64::from(history.iter().all(|v| v.is_delete_marker));
            locked += sse_c.len();
            unprobed += over;
            print_key(&history, &sse_c, args.json);
        }
    };
    let (listed, ()) = tokio::join!(listing, printing);
    listed.map_err(|e| color_eyre::eyre::eyre!("{}", e.said()))?;
    if !args.json {
        let mut said = format!("warroom: {shown} key(s) changed, {gone} not recoverable here");
        if locked > 0 {
            said.push_str(&format!(
                "; {locked} version(s) written with SSE-C, unreadable without the writer's key"
            ));
        }
        if unprobed > 0 {
            said.push_str(&format!(
                "; {unprobed} version(s) past the first {} not probed for SSE-C",
                versions::SSE_C_PROBES
            ));
        }
        eprintln!("{said}");
    }
    Ok(ExitCode::SUCCESS)
}
