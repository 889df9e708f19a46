use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use futures::StreamExt;

use crate::aws::error::aws_error;
use crate::aws::{AwsError, Clients};
use crate::model::trail::{self, TrailEvent, TrailInfo};

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
                let r = crate::aws::exposure::bucket_region(c, &self.bucket).await?;
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
                crate::aws::containment::list_page(s3, &self.bucket, Some(prefix), after.clone())
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
pub(super) fn is_account_folder(prefix: &str) -> bool {
    let name = prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit())
}

/// A key the listing can start after and still return `key`: `key` less
/// its last character (a prefix sorts before everything it begins).
pub(super) fn before(key: &str) -> Option<String> {
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
                "NoSuchKey" | "InvalidObjectState" => ReadFailure::Unreadable(e.said()),
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
