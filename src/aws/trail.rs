//! CloudTrail sources: the LookupEvents poller (management events) behind
//! one shared rate limiter per account and region, trail discovery (which
//! trail logs S3 data events for which bucket), and the incremental reader
//! of trail log files in S3.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudtrail::primitives::DateTime;
use futures::StreamExt;
use tokio::time::Instant;

use super::error::aws_error;
use super::{AwsError, Clients};
use crate::model::trail::{self, DataSelector, TrailEvent, TrailInfo};

/// CloudTrail allows LookupEvents 2 requests per second per account per
/// region. Everything in the process that calls it for one account+region
/// takes turns through one of these: each call waits for the next free
/// slot, slots 500 ms apart. It runs on tokio's clock, so a test with a
/// paused clock can count calls per second exactly.
#[derive(Debug)]
pub struct Limiter {
    next: tokio::sync::Mutex<Option<Instant>>,
    interval: Duration,
}

impl Limiter {
    pub fn new(per_second: u32) -> Self {
        Limiter {
            next: tokio::sync::Mutex::new(None),
            interval: Duration::from_millis(1000 / u64::from(per_second.max(1))),
        }
    }

    /// Wait for this caller's slot.
    pub async fn acquire(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.interval);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

static LIMITERS: Mutex<BTreeMap<(String, String), Arc<Limiter>>> = Mutex::new(BTreeMap::new());

/// The process-wide LookupEvents limiter for an account and region.
pub fn lookup_limiter(account: &str, region: &str) -> Arc<Limiter> {
    LIMITERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry((account.to_string(), region.to_string()))
        .or_insert_with(|| Arc::new(Limiter::new(2)))
        .clone()
}

/// Event ids seen recently, at most `capacity` (the oldest are forgotten).
#[derive(Debug)]
pub struct SeenIds {
    order: VecDeque<String>,
    set: HashSet<String>,
    capacity: usize,
}

impl SeenIds {
    pub fn new(capacity: usize) -> Self {
        SeenIds {
            order: VecDeque::new(),
            set: HashSet::new(),
            capacity: capacity.max(1),
        }
    }

    /// True the first time an id is offered.
    pub fn first_time(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        self.set.insert(id.to_string());
        self.order.push_back(id.to_string());
        if self.order.len() > self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }

    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// Polls LookupEvents. Each poll starts `overlap` before the previous one
/// ended (CloudTrail delivers late), so events are not missed, and drops
/// the ones already returned by id.
pub struct LookupPoller {
    client: aws_sdk_cloudtrail::Client,
    limiter: Arc<Limiter>,
    /// Where the next poll starts (seconds since the epoch).
    from: i64,
    overlap: i64,
    seen: SeenIds,
}

/// A failed poll: the error, and whether it was throttling (back off).
#[derive(Debug, Clone)]
pub struct PollError {
    pub error: AwsError,
    pub throttled: bool,
}

impl LookupPoller {
    pub fn new(client: aws_sdk_cloudtrail::Client, limiter: Arc<Limiter>, since_secs: i64) -> Self {
        LookupPoller {
            client,
            limiter,
            from: since_secs,
            overlap: 15 * 60,
            seen: SeenIds::new(200_000),
        }
    }

    /// One poll up to `now_secs`: every page, each through the limiter.
    /// Events come back new only, in no particular order.
    pub async fn poll(&mut self, now_secs: i64) -> Result<Vec<TrailEvent>, PollError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            self.limiter.acquire().await;
            let page = self
                .client
                .lookup_events()
                .start_time(DateTime::from_secs(self.from))
                .end_time(DateTime::from_secs(now_secs))
                .max_results(50)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| {
                    let error = aws_error(&e);
                    let throttled = error.code.contains("Throttl")
                        || error.code == "TooManyRequestsException"
                        || error.code == "HTTP429";
                    PollError { error, throttled }
                })?;
            for ev in page.events() {
                let Some(json) = ev.cloud_trail_event() else {
                    continue;
                };
                let id = ev.event_id().unwrap_or_default();
                if !id.is_empty() && !self.seen.first_time(id) {
                    continue;
                }
                if let Ok(e) = trail::normalise_str(json) {
                    out.push(e);
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        self.from = (now_secs - self.overlap).max(self.from);
        Ok(out)
    }
}

/// Back-off after failed polls: 2 s doubling to 60 s; reset by a success.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_secs((2u64 << failures.min(5)).min(60))
}

/// Every trail visible from this region (shadow trails of multi-region and
/// organisation trails included), with status and data-event selectors.
pub async fn discover_trails(c: &Clients) -> Result<Vec<TrailInfo>, AwsError> {
    let ct = c.cloudtrail_in(c.region());
    let out = ct
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let mut trails = Vec::new();
    for t in out.trail_list() {
        let arn = t.trail_arn().unwrap_or_default().to_string();
        // Status and selectors are asked of the trail's home region.
        let home = t.home_region().unwrap_or(c.region()).to_string();
        let home_ct = c.cloudtrail_in(&home);
        let logging = home_ct
            .get_trail_status()
            .name(&arn)
            .send()
            .await
            .ok()
            .and_then(|s| s.is_logging());
        let data = match home_ct.get_event_selectors().trail_name(&arn).send().await {
            Ok(sel) => selectors(&sel),
            Err(_) => Vec::new(),
        };
        trails.push(TrailInfo {
            name: t.name().unwrap_or_default().to_string(),
            arn,
            home_region: t.home_region().map(str::to_string),
            bucket: t.s3_bucket_name().map(str::to_string),
            prefix: t.s3_key_prefix().map(str::to_string),
            organisation: t.is_organization_trail().unwrap_or(false),
            multi_region: t.is_multi_region_trail().unwrap_or(false),
            logging,
            data,
        });
    }
    Ok(trails)
}

fn selectors(
    sel: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> Vec<DataSelector> {
    let mut out = Vec::new();
    for s in sel.event_selectors() {
        let rw = s.read_write_type().map(|r| r.as_str().to_string());
        let reads = rw.as_deref() != Some("WriteOnly");
        let writes = rw.as_deref() != Some("ReadOnly");
        for d in s.data_resources() {
            if d.r#type() != Some("AWS::S3::Object") {
                continue;
            }
            let all = d
                .values()
                .iter()
                .any(|v| v == "arn:aws:s3" || v == "arn:aws:s3:::");
            out.push(DataSelector {
                arn_prefixes: if all { Vec::new() } else { d.values().to_vec() },
                reads,
                writes,
            });
        }
    }
    for a in sel.advanced_event_selectors() {
        let field = |name: &str| a.field_selectors().iter().find(|f| f.field() == name);
        let data = field("eventCategory").is_some_and(|f| f.equals().iter().any(|v| v == "Data"));
        let s3 = field("resources.type")
            .is_some_and(|f| f.equals().iter().any(|v| v == "AWS::S3::Object"));
        if !(data && s3) {
            continue;
        }
        let ro = field("readOnly").map(|f| f.equals().to_vec());
        out.push(DataSelector {
            arn_prefixes: field("resources.ARN")
                .map(|f| f.starts_with().iter().chain(f.equals()).cloned().collect())
                .unwrap_or_default(),
            reads: ro.as_ref().is_none_or(|v| v.iter().any(|x| x == "true")),
            writes: ro.as_ref().is_none_or(|v| v.iter().any(|x| x == "false")),
        });
    }
    out
}

/// A log file that could not be read: reported, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub key: String,
    pub error: String,
}

/// What one read of the trail bucket produced.
#[derive(Debug, Default)]
pub struct LogBatch {
    pub events: Vec<TrailEvent>,
    /// Log files fetched (read, or reported as unreadable).
    pub files: usize,
    pub problems: Vec<FileProblem>,
    /// The poll stopped at its budget (or at a file it could not fetch):
    /// poll again soon, there is more to read.
    pub more: bool,
}

/// How much one poll of a trail bucket may do. An attacker who can write to
/// the trail bucket can flood it (100,000 tiny files) to blind the
/// responder; a bounded poll returns in seconds whatever the bucket holds,
/// so the tail keeps drawing and LookupEvents keeps being polled, and the
/// next poll goes on from where this one stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Log files fetched per poll.
    pub files: usize,
    /// List pages (up to 1,000 keys each) per poll, besides each folder's
    /// first.
    pub pages: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            files: 1_000,
            pages: 20,
        }
    }
}

/// Log files fetched at once: S3 serves parallel GETs well, and a poll of
/// 1,000 small files one after the other would take minutes on a bastion
/// far from the bucket's region.
const READ_CONCURRENCY: usize = 8;

/// Reads new log files of one trail, incrementally: per day prefix, the
/// last key read; each list starts a little before it (see [`rewound`]).
/// A poll cut short by its [`Budget`] leaves a cursor for its prefix, and
/// the next poll resumes there first.
pub struct LogReader {
    pub bucket: String,
    /// `<prefix>/AWSLogs/` (or `AWSLogs/`).
    root: String,
    bucket_region: Option<String>,
    last_key: HashMap<String, String>,
    /// Keys read, per day prefix, at or after the point the next listing
    /// can start from: older ones are forgotten (see [`LogReader::forget`]).
    read: HashMap<String, HashSet<String>>,
    /// Prefixes whose listing a poll left unfinished, and the key to list
    /// after (none: from the start). Visited first by the next poll, even
    /// when its day is no longer asked for.
    resume: BTreeMap<String, Option<String>>,
    budget: Budget,
    /// The account folders last listed.
    accounts: Option<Vec<String>>,
    /// Log files fetched since the reader opened (progress, for the tail).
    pub files_read: u64,
}

impl LogReader {
    pub fn new(trail: &TrailInfo) -> Option<Self> {
        let bucket = trail.bucket.clone()?;
        let root = match trail.prefix.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => format!("{}/AWSLogs/", p.trim_end_matches('/')),
            None => "AWSLogs/".to_string(),
        };
        Some(LogReader {
            bucket,
            root,
            bucket_region: None,
            last_key: HashMap::new(),
            read: HashMap::new(),
            resume: BTreeMap::new(),
            budget: Budget::default(),
            accounts: None,
            files_read: 0,
        })
    }

    /// The same reader with another budget (tests and benchmarks use
    /// small ones).
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = Budget {
            files: budget.files.max(1),
            pages: budget.pages.max(1),
        };
        self
    }

    /// Whether a poll stopped at its budget with files left to list.
    pub fn behind(&self) -> bool {
        !self.resume.is_empty()
    }

    /// Keys remembered as read, over every prefix (memory stays bounded by
    /// what one listing can return again, not by what was ever read).
    pub fn remembered(&self) -> usize {
        self.read.values().map(HashSet::len).sum()
    }

    /// `AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/` for each
    /// account folder found, region and day.
    async fn day_prefixes(
        &mut self,
        c: &Clients,
        region: &str,
        regions: &[String],
        days: &[(i32, u32, u32)],
    ) -> Result<Vec<String>, AwsError> {
        // Account folders seldom change: while a backlog is read round
        // after round, the last list of them serves (a delimiter listing
        // is one more request per round, and a full scan in an emulator).
        let accounts = match self.accounts.take().filter(|_| self.behind()) {
            Some(accounts) => accounts,
            None => self.account_folders(c, region).await?,
        };
        let mut out = Vec::new();
        for account in &accounts {
            for r in regions {
                for (y, m, d) in days {
                    out.push(format!("{account}CloudTrail/{r}/{y:04}/{m:02}/{d:02}/"));
                }
            }
        }
        self.accounts = Some(accounts);
        Ok(out)
    }

    /// `AWSLogs/<account>/` and `AWSLogs/o-<org>/<account>/` folders.
    async fn account_folders(&self, c: &Clients, region: &str) -> Result<Vec<String>, AwsError> {
        let s3 = c.s3_in(region);
        let mut accounts = Vec::new();
        for top in common_prefixes(&s3, &self.bucket, &self.root).await? {
            let name = top.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            if name.starts_with("o-") {
                // An organisation trail: one folder per member account.
                accounts.extend(
                    common_prefixes(&s3, &self.bucket, &top)
                        .await?
                        .into_iter()
                        .filter(|p| is_account_folder(p)),
                );
            } else if is_account_folder(&top) {
                accounts.push(top);
            }
        }
        Ok(accounts)
    }

    /// Read log files not read before, in the given regions and days (UTC),
    /// within the budget; `more` says a next poll has files left to list.
    /// A file that cannot be decompressed or parsed is reported once and
    /// skipped. A file that could not be fetched (connection lost,
    /// throttled, credentials expired) is not skipped: the poll stops
    /// before it, returns what it read, and the next poll fetches it again.
    pub async fn poll(
        &mut self,
        c: &Clients,
        regions: &[String],
        days: &[(i32, u32, u32)],
    ) -> Result<LogBatch, AwsError> {
        let region = match &self.bucket_region {
            Some(r) => r.clone(),
            None => {
                let r = super::exposure::bucket_region(c, &self.bucket).await?;
                self.bucket_region = Some(r.clone());
                r
            }
        };
        let s3 = c.s3_in(&region);
        let mut prefixes: Vec<String> = self.resume.keys().cloned().collect();
        for p in self.day_prefixes(c, &region, regions, days).await? {
            if !self.resume.contains_key(&p) {
                prefixes.push(p);
            }
        }
        let mut left = self.budget;
        let mut batch = LogBatch::default();
        for prefix in prefixes {
            let step = self.poll_prefix(&s3, &prefix, &mut left, &mut batch).await;
            self.forget(&prefix);
            if let Err(e) = step {
                return if batch.events.is_empty() && batch.files == 0 {
                    Err(e)
                } else {
                    // What was read is delivered; the error shows next time.
                    batch.more = true;
                    Ok(batch)
                };
            }
        }
        batch.more = self.behind();
        Ok(batch)
    }

    /// List and read one day prefix from its cursor, page by page, until
    /// the listing ends or the budget runs out (then the cursor is kept).
    async fn poll_prefix(
        &mut self,
        s3: &aws_sdk_s3::Client,
        prefix: &str,
        left: &mut Budget,
        batch: &mut LogBatch,
    ) -> Result<(), AwsError> {
        let mut after = match self.resume.get(prefix) {
            Some(cursor) => cursor.clone(),
            None => self
                .last_key
                .get(prefix)
                .map(|k| rewound(k, REWIND_MINUTES)),
        };
        // Each folder's first page is always listed, so every folder is
        // looked at in every poll (an organisation trail has hundreds); the
        // page budget bounds the pages after it.
        let mut first_page = true;
        loop {
            if left.files == 0 || (!first_page && left.pages == 0) {
                self.resume.insert(prefix.to_string(), after);
                return Ok(());
            }
            if !first_page {
                left.pages -= 1;
            }
            first_page = false;
            let (keys, truncated) =
                super::containment::list_page(s3, &self.bucket, Some(prefix), after.clone())
                    .await?;
            let read = self.read.entry(prefix.to_string()).or_default();
            let mut wanted = Vec::new();
            let mut cut = false;
            for key in keys {
                if wanted.len() == left.files {
                    cut = true;
                    break;
                }
                after = Some(key.clone());
                if read.contains(&key) {
                    continue;
                }
                let last = self.last_key.entry(prefix.to_string()).or_default();
                if key > *last {
                    *last = key.clone();
                }
                if !key.ends_with(".json.gz") || crate::model::trail::is_digest_name(&key) {
                    read.insert(key);
                    continue;
                }
                wanted.push(key);
            }
            left.files -= wanted.len();
            let bucket = self.bucket.as_str();
            let results: Vec<(String, Result<trail::ParsedFile, ReadFailure>)> =
                futures::stream::iter(wanted)
                    .map(|key| async move {
                        let got = read_log_file(s3, bucket, &key).await;
                        (key, got)
                    })
                    .buffered(READ_CONCURRENCY)
                    .collect()
                    .await;
            let read = self.read.entry(prefix.to_string()).or_default();
            let mut unfetched: Option<(String, AwsError)> = None;
            for (key, got) in results {
                match got {
                    Ok(parsed) => {
                        read.insert(key.clone());
                        batch.files += 1;
                        self.files_read += 1;
                        if let Some(error) = parsed.problems() {
                            batch.problems.push(FileProblem { key, error });
                        }
                        batch.events.extend(parsed.events);
                    }
                    // Remembered as read: a bad file is reported once,
                    // not on every poll.
                    Err(ReadFailure::Unreadable(error)) => {
                        read.insert(key.clone());
                        batch.files += 1;
                        batch.problems.push(FileProblem { key, error });
                    }
                    Err(ReadFailure::Unfetched(e)) => {
                        if unfetched.as_ref().is_none_or(|(k, _)| key < *k) {
                            unfetched = Some((key, e));
                        }
                    }
                }
            }
            if let Some((first, e)) = unfetched {
                // Resume just before the first file not fetched; the ones
                // after it that were read are remembered and not read again.
                self.resume.insert(prefix.to_string(), before(&first));
                return Err(e);
            }
            if !cut && !truncated {
                self.resume.remove(prefix);
                return Ok(());
            }
            self.resume.insert(prefix.to_string(), after.clone());
        }
    }

    /// Forget the keys of `prefix` the next listing cannot return again:
    /// those before both its cursor and the rewound last key.
    fn forget(&mut self, prefix: &str) {
        let rewind = self
            .last_key
            .get(prefix)
            .map(|k| rewound(k, REWIND_MINUTES));
        let floor = match (self.resume.get(prefix), rewind) {
            (Some(None), _) => return,
            (Some(Some(cursor)), Some(r)) => cursor.clone().min(r),
            (Some(Some(cursor)), None) => cursor.clone(),
            (None, Some(r)) => r,
            (None, None) => return,
        };
        if let Some(set) = self.read.get_mut(prefix) {
            set.retain(|k| *k > floor);
        }
    }
}

/// `…/123456789012/`: CloudTrail names each account's folder by its
/// 12-digit id. Anything else under `AWSLogs/` was not written by
/// CloudTrail, and thousands of such folders would each cost a listing per
/// poll: they are not read.
fn is_account_folder(prefix: &str) -> bool {
    let name = prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit())
}

/// A key the listing can start after and still return `key`: `key` less
/// its last character (a prefix sorts before everything it begins).
fn before(key: &str) -> Option<String> {
    let mut s = key.to_string();
    s.pop();
    (!s.is_empty()).then_some(s)
}

/// How far before the last key read each listing starts again: CloudTrail
/// names a file by its delivery window, and a file can land after a later
/// one (another delivery thread, a retry).
const REWIND_MINUTES: i64 = 20;

/// `…/<acct>_CloudTrail_<region>_20261122T1015Z_x.json.gz` → the same key
/// with its timestamp `minutes` earlier and nothing after it, so a listing
/// that starts after it also returns files delivered late. A key not in
/// that shape is returned as it is.
pub fn rewound(key: &str, minutes: i64) -> String {
    let (dir, name) = key.rsplit_once('/').unwrap_or(("", key));
    let parts: Vec<&str> = name.split('_').collect();
    let Some(ts) = parts.get(3).filter(|t| t.len() == 14 && t.ends_with('Z')) else {
        return key.to_string();
    };
    let iso = format!(
        "{}-{}-{}T{}:{}:00Z",
        &ts[0..4],
        &ts[4..6],
        &ts[6..8],
        &ts[9..11],
        &ts[11..13]
    );
    let Some(secs) = crate::time::parse_time(&iso) else {
        return key.to_string();
    };
    let earlier = aws_smithy_types::DateTime::from_secs(secs - minutes * 60)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    let compact: String = earlier
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(12)
        .collect();
    if compact.len() != 12 {
        return key.to_string();
    }
    let stamp = format!("{}T{}Z", &compact[..8], &compact[8..12]);
    let head = parts[..3].join("_");
    if dir.is_empty() {
        format!("{head}_{stamp}")
    } else {
        format!("{dir}/{head}_{stamp}")
    }
}

async fn common_prefixes(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<String>, AwsError> {
    let mut out = Vec::new();
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .delimiter("/")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| aws_error(&e))?;
        out.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_string)),
        );
    }
    Ok(out)
}

/// Log files larger than this (decompressed) are refused: a hostile or
/// broken object must not take the bastion's memory.
const MAX_LOG_FILE: u64 = 512 * 1024 * 1024;

/// Why a log file was not read.
enum ReadFailure {
    /// Fetched, but not a log file (truncated, not gzip, not JSON), or gone
    /// since it was listed: reported once, then skipped.
    Unreadable(String),
    /// Not fetched (connection lost, throttled, refused, credentials
    /// expired): fetched again by a later poll.
    Unfetched(AwsError),
}

async fn read_log_file(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<trail::ParsedFile, ReadFailure> {
    let obj = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| {
            let e = aws_error(&e);
            match e.code.as_str() {
                "NoSuchKey" | "InvalidObjectState" => {
                    ReadFailure::Unreadable(format!("{}: {}", e.code, e.message))
                }
                _ => ReadFailure::Unfetched(e),
            }
        })?;
    let bytes = obj
        .body
        .collect()
        .await
        .map_err(|e| {
            ReadFailure::Unfetched(AwsError::new(
                "ConnectionFailed",
                format!("reading {key}: {e}"),
            ))
        })?
        .into_bytes();
    let json = gunzip(&bytes).map_err(ReadFailure::Unreadable)?;
    trail::parse_log_file(&json).map_err(|e| ReadFailure::Unreadable(e.to_string()))
}

/// Decompress a gzip member (or several), refusing anything that inflates
/// beyond [`MAX_LOG_FILE`].
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len() * 8);
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_LOG_FILE + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("not a readable gzip file: {e}"))?;
    if out.len() as u64 > MAX_LOG_FILE {
        return Err(format!(
            "larger than {} MB decompressed: skipped",
            MAX_LOG_FILE / 1024 / 1024
        ));
    }
    Ok(out)
}

/// CloudTrail Lake event data stores in this region (ARNs), if any.
pub async fn event_data_stores(c: &Clients) -> Result<Vec<String>, AwsError> {
    let out = c
        .cloudtrail_in(c.region())
        .list_event_data_stores()
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(out
        .event_data_stores()
        .iter()
        .filter_map(|s| s.event_data_store_arn().map(str::to_string))
        .collect())
}

/// Run a Lake query and read every page of its results: AWS scans the
/// organisation's history, not this machine. Polls every `poll` until the
/// query finishes; reports progress through `progress(status, rows so far)`.
pub async fn lake_query(
    ct: &aws_sdk_cloudtrail::Client,
    sql: &str,
    poll: Duration,
    mut progress: impl FnMut(&str, usize),
) -> Result<Vec<TrailEvent>, AwsError> {
    let started = ct
        .start_query()
        .query_statement(sql)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let id = started
        .query_id()
        .ok_or_else(|| AwsError::new("BadResponse", "StartQuery returned no query id"))?
        .to_string();
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ct
            .get_query_results()
            .query_id(&id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        let status = page
            .query_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        match status.as_str() {
            "QUEUED" | "RUNNING" => {
                progress(&status, events.len());
                tokio::time::sleep(poll).await;
                continue;
            }
            "FAILED" | "CANCELLED" | "TIMED_OUT" => {
                return Err(AwsError::new(
                    format!("Query{}", status.replace('_', "")),
                    page.error_message()
                        .unwrap_or("the query did not finish")
                        .to_string(),
                ));
            }
            _ => {}
        }
        for row in page.query_result_rows() {
            let cells: Vec<(String, String)> = row
                .iter()
                .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())))
                .collect();
            if let Ok(e) = trail::from_lake_row(&cells) {
                events.push(e);
            }
        }
        progress(&status, events.len());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(events);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_restarts_twenty_minutes_before_the_last_key() {
        assert_eq!(
            rewound(
                "AWSLogs/1/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T0010Z_abc.json.gz",
                20
            ),
            "AWSLogs/1/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261121T2350Z"
        );
        assert_eq!(rewound("odd-name.json.gz", 20), "odd-name.json.gz");
    }

    #[test]
    fn seen_ids_are_bounded() {
        let mut s = SeenIds::new(2);
        assert!(s.first_time("a"));
        assert!(!s.first_time("a"));
        assert!(s.first_time("b"));
        assert!(s.first_time("c"));
        assert_eq!(s.len(), 2);
        assert!(s.first_time("a"), "forgotten once out of the window");
    }

    #[test]
    fn only_account_id_folders_are_read_and_a_cursor_returns_its_key() {
        assert!(is_account_folder("AWSLogs/123456789012/"));
        assert!(is_account_folder("p/AWSLogs/o-abc/111122223333/"));
        for junk in [
            "AWSLogs/1/",
            "AWSLogs/12345678901x/",
            "AWSLogs/1234567890123/",
        ] {
            assert!(!is_account_folder(junk), "{junk}");
        }
        let key = "d/a_CloudTrail_r_20261122T1000Z_b.json.gz";
        let cursor = before(key).expect("a cursor");
        assert!(cursor.as_str() < key && key.starts_with(&cursor));
        assert_eq!(before("x"), None, "from the start");
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::from_secs(2));
        assert_eq!(backoff(1), Duration::from_secs(4));
        assert_eq!(backoff(9), Duration::from_secs(60));
    }

    #[test]
    fn gunzip_refuses_garbage_and_reads_concatenated_members() {
        use std::io::Write;
        let gz = |s: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(s).expect("write");
            e.finish().expect("finish")
        };
        let mut two = gz(b"ab");
        two.extend(gz(b"cd"));
        assert_eq!(gunzip(&two).expect("two members"), b"abcd");
        let whole = gz(b"{\"Records\":[]}");
        assert!(
            gunzip(&whole[..whole.len() / 2]).is_err(),
            "a truncated file"
        );
        assert!(gunzip(b"not gzip").is_err());
    }
}
