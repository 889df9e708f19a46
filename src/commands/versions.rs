//! `warroom versions s3://bucket/prefix`: the versions view, headless —
//! every key changed since a time, with its version history (time, size,
//! ETag, storage class, delete markers, which is current), and keys whose
//! versions are gone flagged as not recoverable. The listing is streamed:
//! a key is printed as soon as its history is complete.

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

fn print_key(history: &[Version], json_out: bool) {
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
    let (mut shown, mut gone) = (0u64, 0u64);
    versions::changed_since(&s3, bucket, args.target.path.as_deref(), since, |history| {
        shown += 1;
        gone += u64::from(history.iter().all(|v| v.is_delete_marker));
        print_key(&history, args.json);
    })
    .await
    .map_err(|e| color_eyre::eyre::eyre!("{}", e.said()))?;
    if !args.json {
        eprintln!("warroom: {shown} key(s) changed, {gone} not recoverable here");
    }
    Ok(ExitCode::SUCCESS)
}
