//! `warroom trail`: CloudTrail events on stdout, as a table or NDJSON, once
//! or following. Status and coverage (which trail logs the bucket's reads)
//! go to stderr, so stdout stays clean for scripts.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::Result;
use serde::Serialize;
use warroom::cli::{GlobalArgs, TrailArgs};
use warroom::model::trail::{TrailEvent, TrailFilter};
use warroom::report::write_json_line;
use warroom::sanitize::clean;
use warroom::tail::{self, TailMsg, TailOptions};

use super::clients;

/// One NDJSON line: the normalised fields and the record as CloudTrail
/// wrote it (parsed, so every string goes through the safe formatter).
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    event: &'a TrailEvent,
    record: serde_json::Value,
}

fn print(events: &mut [TrailEvent], json: bool, out: &mut impl Write) -> std::io::Result<()> {
    events.sort_by(|a, b| a.time.cmp(&b.time));
    let bursts = warroom::model::trail::delete_bursts(events.iter());
    for e in events.iter() {
        if json {
            // Printed output is a log too: no session token leaves here.
            let raw = warroom::model::trail::without_secrets(&e.raw.get());
            let record: serde_json::Value =
                serde_json::from_str(&raw).unwrap_or(serde_json::Value::Null);
            // One line per event: a record saved pretty-printed is written
            // again compactly, or `jq` and every line-based tool break.
            let compact = serde_json::to_string(&record).unwrap_or_else(|_| "null".into());
            let mut event = e.clone();
            event.raw = warroom::model::trail::Raw::new(&compact);
            write_json_line(
                &Line {
                    event: &event,
                    record,
                },
                out,
            )?;
        } else {
            let target = match (&e.bucket, &e.key) {
                (Some(b), Some(k)) => format!("s3://{b}/{k}"),
                (Some(b), None) => format!("s3://{b}"),
                _ => String::new(),
            };
            // Destruction is marked on any bucket, a burst of deletes with
            // its count per minute.
            let mark = match (
                warroom::model::trail::destruction(e),
                warroom::model::trail::burst_of(e, &bursts),
            ) {
                (Some(_), Some(burst)) => format!("  ! {burst}"),
                (Some(why), None) => format!("  ! {why}"),
                _ => String::new(),
            };
            writeln!(
                out,
                "{}  {:<28} {:<4} {:<60} {:<15} {} {}{}",
                clean(&e.time),
                clean(&e.name),
                if e.data { "data" } else { "mgmt" },
                clean(&e.actor.label()),
                clean(e.source_ip.as_deref().unwrap_or("-")),
                clean(&target),
                e.error_code
                    .as_deref()
                    .map(|c| format!("ERROR {}", clean(c)))
                    .unwrap_or_default(),
                clean(&mark)
            )?;
        }
    }
    out.flush()
}

/// Local log files: read one after another on this thread (so a benchmark
/// measures one core), each event handed to `each` as it is read. A bad
/// file is reported and skipped. Returns (unreadable files, digest files).
pub fn read_log_files(
    paths: &[std::path::PathBuf],
    mut each: impl FnMut(TrailEvent),
) -> (usize, usize) {
    let mut bad = 0;
    let mut digests = 0;
    for path in paths {
        if path
            .file_name()
            .is_some_and(|n| warroom::model::trail::is_digest_name(&n.to_string_lossy()))
        {
            eprintln!(
                "warroom: {}: {}",
                path.display(),
                warroom::model::trail::RecordError::Digest
            );
            digests += 1;
            continue;
        }
        use warroom::model::trail::RecordError;
        // Err(true): a digest file (named by its content), not a failure.
        let parsed = std::fs::read(path)
            .map_err(|e| (false, e.to_string()))
            .and_then(|bytes| {
                if path.extension().is_some_and(|x| x == "gz") {
                    warroom::aws::trail::gunzip(&bytes).map_err(|e| (false, e))
                } else {
                    Ok(bytes)
                }
            })
            .and_then(|json| {
                warroom::model::trail::parse_log_file(&json)
                    .map_err(|e| (e == RecordError::Digest, e.to_string()))
            });
        match parsed {
            Ok(p) => {
                if let Some(problems) = p.problems() {
                    eprintln!("warroom: {}: {}", path.display(), clean(&problems));
                }
                for e in p.events {
                    each(e);
                }
            }
            Err((digest, e)) => {
                if digest {
                    digests += 1;
                } else {
                    bad += 1;
                }
                eprintln!("warroom: {}: {}", path.display(), clean(&e));
            }
        }
    }
    (bad, digests)
}

/// Local log files, filtered as they are read.
fn run_files(args: &TrailArgs, filter: &TrailFilter) -> Result<ExitCode> {
    let mut held = Vec::new();
    let mut matched = 0u64;
    let (bad, digests) = read_log_files(&args.files, |e| {
        if filter.matches(&e) {
            matched += 1;
            if !args.count {
                held.push(e);
            }
        }
    });
    if args.count {
        println!("{matched}");
    } else {
        match print(&mut held, args.json, &mut std::io::stdout().lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    }
    // Digest files are not events; only unreadable files count as failures.
    Ok(if bad > 0 && bad + digests == args.files.len() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The history search: one Lake query, AWS does the scanning.
async fn run_lake(
    clients: &warroom::aws::Clients,
    args: &TrailArgs,
    filter: &TrailFilter,
) -> Result<ExitCode> {
    let question = warroom::model::trail::LakeQuestion {
        bucket: filter.bucket.clone(),
        principal: filter.principal.clone(),
        access_key: filter.access_key.clone(),
        days: u32::try_from((args.since + 86_399) / 86_400).unwrap_or(90),
    };
    eprintln!("warroom: querying CloudTrail Lake…");
    let mut held: Vec<TrailEvent> = Vec::new();
    let mut failed = None;
    tail::lake_search(clients, question, args.since, |msg| {
        match msg {
            TailMsg::Events { events, .. } => {
                held.extend(events.into_iter().filter(|e| filter.matches(e)))
            }
            TailMsg::SourceStatus { error: Some(e), .. } => failed = Some(e),
            _ => {}
        }
        true
    })
    .await;
    if let Some(e) = failed {
        eprintln!("warroom: CloudTrail Lake: {}", clean(&e));
        return Ok(ExitCode::from(2));
    }
    if args.count {
        println!("{}", held.len());
    } else {
        match print(&mut held, args.json, &mut std::io::stdout().lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run(global: &GlobalArgs, args: TrailArgs) -> Result<ExitCode> {
    let mut filter = args.filter.clone().unwrap_or_default();
    if args.bucket.is_some() {
        filter.bucket = args.bucket.clone();
    }
    if args.access_key.is_some() {
        filter.access_key = args.access_key.clone();
    }
    if !args.files.is_empty() {
        return run_files(&args, &filter);
    }
    let clients = clients(global).await?;
    if args.lake {
        return run_lake(&clients, &args, &filter).await;
    }
    let opts = TailOptions {
        since: args.since,
        regions: args.regions.clone(),
        every: Duration::from_secs(args.every),
        follow: args.follow,
    };
    let mut held: Vec<TrailEvent> = Vec::new();
    let mut failed_sources = 0;
    let stdout = std::io::stdout();
    let mut io_error = None;
    let mut warned = std::collections::HashSet::new();
    tail::run(&clients, &opts, |msg| {
        match msg {
            TailMsg::Trails(Ok(trails)) => {
                // A following tail reads the trails again each minute: each
                // warning is said once, when it first becomes true.
                let mut now = Vec::new();
                if trails.is_empty() {
                    now.push("no trail in this account and region: S3 data events (who read objects) are not recorded anywhere".to_string());
                }
                for t in trails.iter().filter(|t| t.logging == Some(false)) {
                    now.push(format!(
                        "trail {} is NOT logging{}: nothing since is recorded",
                        clean(&t.name),
                        t.stopped_at
                            .map(|s| format!(" (stopped {})", warroom::time::iso_time(s)))
                            .unwrap_or_default()
                    ));
                }
                if let Some(b) = &filter.bucket
                    && !trails.iter().any(|t| t.logs_reads_of(b))
                {
                    now.push(format!(
                        "no trail logs S3 data events for reads of {}: GetObject calls on it are not in CloudTrail",
                        clean(b)
                    ));
                }
                for w in now {
                    if warned.insert(w.clone()) {
                        eprintln!("warroom: {w}");
                    }
                }
            }
            TailMsg::Trails(Err(e)) => {
                eprintln!("warroom: cannot list trails: {} ({})", clean(&e.message), e.code)
            }
            TailMsg::Events { events, .. } => {
                held.extend(events.into_iter().filter(|e| filter.matches(e)));
                if opts.follow
                    && let Err(e) = print(&mut held, args.json, &mut stdout.lock())
                {
                    io_error = Some(e);
                    return false;
                }
                if opts.follow {
                    held.clear();
                }
            }
            TailMsg::SourceStatus { source, error } => {
                if let Some(e) = error {
                    failed_sources += 1;
                    eprintln!("warroom: {}: {}", source.label(), clean(&e));
                }
            }
            TailMsg::Round => {}
            TailMsg::Backlog { files_read, behind } => {
                if behind {
                    eprintln!("warroom: trail bucket backlog: {files_read} log files read so far…");
                }
            }
        }
        true
    })
    .await;
    if let Some(e) = io_error {
        // A closed pipe (`| head`) is a normal end.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(e.into());
    }
    if args.count && !opts.follow {
        println!("{}", held.len());
    } else if !opts.follow {
        match print(&mut held, args.json, &mut stdout.lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    }
    // Both sources failing means nothing could be read: say so in the code.
    Ok(if failed_sources >= 2 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
