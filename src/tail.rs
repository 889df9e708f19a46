//! The live CloudTrail tail: LookupEvents (management events, every
//! requested region, through the shared limiter) and the trail log files in
//! S3 (data events), polled together and reported as messages. The console's
//! trail pane and `warroom trail` both run it.

use std::time::Duration;

use crate::aws::trail::{self, LogReader, LookupPoller};
use crate::aws::{AwsError, Clients};
use crate::model::trail::{TrailEvent, TrailInfo};
use crate::time::now_secs;

#[derive(Debug, Clone)]
pub struct TailOptions {
    /// Start this many seconds ago.
    pub since: i64,
    /// Regions for LookupEvents and for log folders (the clients' region
    /// is always included).
    pub regions: Vec<String>,
    /// Wait between polls when following.
    pub every: Duration,
    pub follow: bool,
}

/// What the tail reports.
#[derive(Debug)]
pub enum TailMsg {
    /// Trails found, and which log data events for which buckets.
    Trails(Result<Vec<TrailInfo>, AwsError>),
    Events {
        source: Source,
        events: Vec<TrailEvent>,
    },
    /// A source failed (it keeps trying, backing off) or recovered.
    SourceStatus {
        source: Source,
        error: Option<String>,
    },
    /// One round of the trail's log files done (LookupEvents keeps its
    /// own pace).
    Round,
    /// The trail bucket holds more log files than one round reads (a
    /// backlog, or a flood): how many were read so far, and whether some
    /// are still unread. Sent each round while behind, and once when
    /// caught up.
    Backlog { files_read: u64, behind: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Lookup,
    Logs,
    /// A CloudTrail Lake history search the responder asked for.
    Lake,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Lookup => "LookupEvents",
            Source::Logs => "trail logs in S3",
            Source::Lake => "CloudTrail Lake",
        }
    }
}

/// Both CloudTrail sources for a set of regions, from one moment on: a
/// LookupEvents poller per region (each through the account+region's
/// shared limiter) and a reader per trail log location. The tail and the
/// credential watch both poll through these.
pub struct Sources {
    pub regions: Vec<String>,
    pub pollers: Vec<LookupPoller>,
    pub readers: Vec<LogReader>,
}

impl Sources {
    /// The client's region first, then `extra` (deduplicated); trails as
    /// discovered (or why not), for the caller to report.
    pub async fn open(
        c: &Clients,
        extra: &[String],
        since: i64,
    ) -> (Self, Result<Vec<TrailInfo>, AwsError>) {
        let mut regions = vec![c.region().to_string()];
        for r in extra {
            if !regions.contains(r) {
                regions.push(r.clone());
            }
        }
        let account = c.identity().await.map(|i| i.account).unwrap_or_default();
        let pollers = regions
            .iter()
            .map(|r| {
                LookupPoller::new(
                    c.cloudtrail_in(r),
                    trail::lookup_limiter(&account, r),
                    since,
                )
            })
            .collect();
        let trails = trail::discover_trails(c).await;
        // One reader per log location (a multi-region trail shows up once
        // per region as a shadow trail).
        let mut readers = Vec::new();
        if let Ok(list) = &trails {
            let mut seen = std::collections::HashSet::new();
            for t in list {
                if seen.insert((t.bucket.clone(), t.prefix.clone()))
                    && let Some(r) = LogReader::new(t)
                {
                    readers.push(r);
                }
            }
        }
        (
            Sources {
                regions,
                pollers,
                readers,
            },
            trails,
        )
    }
}

/// Run until `send` returns false (the receiver is gone) or, without
/// `follow`, after one read of each source (the trail bucket is read to the
/// end, however many rounds that takes, so a one-off read is complete).
///
/// The two sources run side by side, each on its own schedule, so neither
/// holds the other up: LookupEvents every `every` (backing off while it
/// fails, when each attempt can take the SDK's retries), and the log files
/// every `every`, or at once again while a backlog is being read.
pub async fn run(c: &Clients, opts: &TailOptions, send: impl FnMut(TailMsg) -> bool + Send) {
    let start = now_secs() - opts.since;
    let (mut sources, trails) = Sources::open(c, &opts.regions, start).await;
    // Both loops run in this one task and call it between awaits, never
    // across one: the lock is never contended.
    let send = std::sync::Mutex::new(send);
    let say = |m: TailMsg| {
        (send
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))(m)
    };
    if !say(TailMsg::Trails(trails)) {
        return;
    }
    let Sources {
        regions,
        pollers,
        readers,
    } = &mut sources;
    let lookup = lookup_loop(pollers, opts, &say);
    let logs = logs_loop(c, regions, readers, start, opts, &say);
    if opts.follow {
        // Each loop ends only when the receiver is gone: that ends all.
        tokio::select! {
            () = lookup => {}
            () = logs => {}
            () = trails_loop(c, &say) => {}
        }
    } else {
        tokio::join!(lookup, logs);
    }
}

/// How often a following tail reads the trails again: an attacker who
/// stops logging or drops the data selectors mid-incident is seen within
/// this, whatever records reach the tail (a stopped trail writes none).
const TRAILS_EVERY: Duration = Duration::from_secs(60);

/// The trails, read again every [`TRAILS_EVERY`]; a failed read keeps the
/// last good answer on screen rather than blanking it.
async fn trails_loop(c: &Clients, say: &(dyn Fn(TailMsg) -> bool + Sync)) {
    loop {
        tokio::time::sleep(TRAILS_EVERY).await;
        if let Ok(list) = trail::discover_trails(c).await
            && !say(TailMsg::Trails(Ok(list)))
        {
            return;
        }
    }
}

/// LookupEvents, region by region, every `every` (longer while it fails).
async fn lookup_loop(
    pollers: &mut [LookupPoller],
    opts: &TailOptions,
    say: &(dyn Fn(TailMsg) -> bool + Sync),
) {
    let mut failures = 0u32;
    loop {
        let now = now_secs();
        let mut error = None;
        for p in pollers.iter_mut() {
            match p.poll(now).await {
                Ok(events) => {
                    if !events.is_empty()
                        && !say(TailMsg::Events {
                            source: Source::Lookup,
                            events,
                        })
                    {
                        return;
                    }
                }
                Err(e) => {
                    error = Some(format!(
                        "{}{}: {}",
                        e.error.code,
                        if e.throttled { " (backing off)" } else { "" },
                        e.error.message
                    ));
                }
            }
        }
        failures = if error.is_some() { failures + 1 } else { 0 };
        if !say(TailMsg::SourceStatus {
            source: Source::Lookup,
            error,
        }) || !opts.follow
        {
            return;
        }
        let wait = if failures > 0 {
            trail::backoff(failures - 1).max(opts.every)
        } else {
            opts.every
        };
        tokio::time::sleep(wait).await;
    }
}

/// The trail's log files, every `every`, or at once again while the bucket
/// holds more than one poll reads (each poll is bounded: see `Budget`).
async fn logs_loop(
    c: &Clients,
    regions: &[String],
    readers: &mut [LogReader],
    start: i64,
    opts: &TailOptions,
    say: &(dyn Fn(TailMsg) -> bool + Sync),
) {
    let mut first_round = true;
    let mut was_behind = false;
    loop {
        let now = now_secs();
        // Log folders are per day: after the first round only today and
        // yesterday can get new files (a reader resumes older ones it did
        // not finish on its own).
        let days = crate::time::days_between(if first_round { start } else { now - 86_400 }, now);
        let mut error = None;
        for r in readers.iter_mut() {
            match r.poll(c, regions, &days).await {
                Ok(batch) => {
                    if let Some(p) = batch.problems.first() {
                        error = Some(format!(
                            "{} file(s) skipped, e.g. {}: {}",
                            batch.problems.len(),
                            p.key,
                            p.error
                        ));
                    }
                    if !batch.events.is_empty()
                        && !say(TailMsg::Events {
                            source: Source::Logs,
                            events: batch.events,
                        })
                    {
                        return;
                    }
                }
                Err(e) => error = Some(format!("s3://{}: {} {}", r.bucket, e.code, e.message)),
            }
        }
        let behind = readers.iter().any(LogReader::behind);
        if behind || was_behind {
            let files_read = readers.iter().map(|r| r.files_read).sum();
            if !say(TailMsg::Backlog { files_read, behind }) {
                return;
            }
        }
        was_behind = behind;
        // A failing read is retried at the normal pace, not in a tight loop.
        let catching_up = behind && error.is_none();
        if !say(TailMsg::SourceStatus {
            source: Source::Logs,
            error,
        }) || !say(TailMsg::Round)
        {
            return;
        }
        first_round = false;
        if !opts.follow && !catching_up {
            return;
        }
        if !catching_up {
            tokio::time::sleep(opts.every).await;
        }
    }
}

/// The filtered events as one evidence file in CloudTrail's own format
/// (`{"Records": [...]}`, gzip'd), hashed and referenced from the journal.
pub async fn preserve(
    incident: &tokio::sync::Mutex<crate::incident::Incident>,
    records: &[String],
    filter: &str,
) -> Result<String, crate::incident::JournalError> {
    use crate::incident::JournalError;
    // As CloudTrail wrote them, less any session token they carry.
    let records: Vec<String> = records
        .iter()
        .map(|r| crate::model::trail::without_secrets(r))
        .collect();
    let bytes = crate::model::trail::log_file_gz(&records)
        .map_err(|e| JournalError::new("compressing", e))?;
    let mut inc = incident.lock().await;
    let evidence = inc
        .store_evidence(&bytes, "json.gz")
        .map_err(|e| JournalError::new("evidence", e))?;
    let summary = format!(
        "preserved {} CloudTrail events{}",
        records.len(),
        if filter.is_empty() {
            String::new()
        } else {
            format!(" (filter: {filter})")
        }
    );
    inc.record(
        "trail_preserved",
        serde_json::json!({
            "summary": summary,
            "count": records.len(),
            "filter": filter,
            "evidence": evidence,
        }),
    )
    .map_err(|e| JournalError::new("journal", e))?;
    Ok(summary)
}

/// One Lake history search for the question's bucket, principal and access
/// key over the last `since` seconds, on the region's first event data store.
/// Progress and the outcome come back as `SourceStatus` messages, the
/// events as one `Events` message.
pub async fn lake_search(
    c: &Clients,
    question: crate::model::trail::LakeQuestion,
    since: i64,
    mut send: impl FnMut(TailMsg) -> bool,
) {
    let status = |error: Option<String>| TailMsg::SourceStatus {
        source: Source::Lake,
        error,
    };
    let store = match trail::event_data_stores(c).await {
        Ok(stores) => stores.into_iter().next(),
        Err(e) => {
            send(status(Some(e.said())));
            return;
        }
    };
    let Some(store) = store else {
        send(status(Some(format!(
            "NoEventDataStore: no CloudTrail Lake event data store in {}",
            c.region()
        ))));
        return;
    };
    let now = now_secs();
    let at = |secs: i64| {
        aws_smithy_types::DateTime::from_secs(secs)
            .fmt(aws_smithy_types::date_time::Format::DateTime)
            .unwrap_or_default()
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_string()
    };
    let sql = match question.sql(&store, &at(now), &at(now - since)) {
        Ok(sql) => sql,
        Err(e) => {
            send(status(Some(format!("BadQuery: {e}"))));
            return;
        }
    };
    let ct = c.cloudtrail_in(c.region());
    match trail::lake_query(&ct, &sql, Duration::from_secs(2), |_, _| {}).await {
        Ok(events) => {
            if send(TailMsg::Events {
                source: Source::Lake,
                events,
            }) {
                send(status(None));
            }
        }
        Err(e) => {
            send(status(Some(e.said())));
        }
    }
}
