//! One exposure scan, as a sequence of events. The console turns each event
//! into a message as it happens (rows stream in); `warroom scan` collects them
//! into a [`ScanReport`] and prints it.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::aws::exposure::{self, BucketRef};
use crate::aws::{AwsError, Clients, Identity};
use crate::incident::{EvidenceRef, Incident, IncidentError, kind};
use crate::model::exposure::{Assessment, Verdict, assess};
use crate::model::facts::{AccountFacts, BucketFacts};
use crate::time::now_rfc3339;

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Empty: every bucket in the account.
    pub buckets: Vec<String>,
    pub concurrency: usize,
    /// Per bucket, objects whose ACL must be read (see `BucketRef`).
    pub watch: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
pub enum ScanEvent {
    Identity(Result<Identity, AwsError>),
    Account(AccountFacts),
    Listed(usize),
    Bucket(Box<BucketFacts>),
    /// The scan could not go on (e.g. ListBuckets denied).
    Failed(AwsError),
    Finished,
}

/// Run a scan, handing each event to `emit` in order. Stops early when
/// `emit` returns false (the receiver is gone).
pub async fn run(clients: &Clients, opts: &ScanOptions, mut emit: impl FnMut(ScanEvent) -> bool) {
    // Who we are (and so the account-level setting) and which buckets exist
    // are independent: ask both at once, then report them in order.
    let who = async {
        let identity = clients.identity().await;
        let account_id = identity.as_ref().ok().map(|i| i.account.clone());
        let account = exposure::account_facts(clients, account_id.as_deref()).await;
        (identity, account)
    };
    let list = async {
        if opts.buckets.is_empty() {
            exposure::list_buckets(clients).await
        } else {
            Ok(opts
                .buckets
                .iter()
                .map(|name| BucketRef {
                    name: name.clone(),
                    ..Default::default()
                })
                .collect())
        }
    };
    let ((identity, account), listed) = tokio::join!(who, list);
    if !emit(ScanEvent::Identity(identity)) || !emit(ScanEvent::Account(account)) {
        return;
    }
    let mut buckets = match listed {
        Ok(b) => b,
        Err(e) => {
            emit(ScanEvent::Failed(e));
            return;
        }
    };
    for b in &mut buckets {
        if let Some(keys) = opts.watch.get(&b.name) {
            b.watch_keys = keys.clone();
        }
    }
    if !emit(ScanEvent::Listed(buckets.len())) {
        return;
    }
    let mut stream = std::pin::pin!(exposure::scan_buckets(
        clients.clone(),
        buckets,
        opts.concurrency
    ));
    while let Some(facts) = stream.next().await {
        if !emit(ScanEvent::Bucket(Box::new(facts))) {
            return;
        }
    }
    emit(ScanEvent::Finished);
}

/// What a scan saw, as stored in the incident's evidence: facts only (the
/// verdicts are recomputed from them, so a resumed console judges with the
/// rules of the version running it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub account: AccountFacts,
    pub buckets: Vec<BucketFacts>,
}

impl Snapshot {
    pub fn summary(&self) -> Summary {
        let reports: Vec<BucketReport> = self
            .buckets
            .iter()
            .map(|b| BucketReport::new(&self.account, b.clone()))
            .collect();
        Summary::of(&reports)
    }
}

/// Store a snapshot as evidence and journal it (with its summary, so
/// `journal show` reads well without opening the evidence).
pub fn journal_snapshot(
    incident: &mut Incident,
    snapshot: &Snapshot,
) -> Result<String, IncidentError> {
    let bytes = serde_json::to_vec(snapshot).map_err(|e| IncidentError::Encode(e.to_string()))?;
    let evidence = incident.store_evidence(&bytes, "json")?;
    let s = snapshot.summary();
    let summary = format!(
        "scan of {} buckets: {} public, {} shared, {} unknown, {} private",
        snapshot.buckets.len(),
        s.public,
        s.shared,
        s.unknown,
        s.private
    );
    incident.record(
        kind::SCAN_SNAPSHOT,
        serde_json::json!({ "summary": summary, "counts": s, "evidence": evidence }),
    )?;
    Ok(summary)
}

/// The most recent scan snapshot in the journal, with its time.
pub fn last_snapshot(incident: &Incident) -> Option<Result<(Snapshot, String), IncidentError>> {
    let entry = incident
        .earlier_entries()
        .iter()
        .rev()
        .find(|e| e.kind == kind::SCAN_SNAPSHOT)?;
    let load = || {
        let reference: EvidenceRef = serde_json::from_value(entry.data["evidence"].clone())
            .map_err(|e| IncidentError::Tampered(format!("entry {}: {e}", entry.seq)))?;
        let bytes = incident.read_evidence(&reference)?;
        let snapshot = serde_json::from_slice(&bytes)
            .map_err(|e| IncidentError::Tampered(format!("snapshot {}: {e}", reference.file)))?;
        Ok((snapshot, entry.time.clone()))
    };
    Some(load())
}

/// A bucket's facts with the verdict drawn from them.
#[derive(Debug, Clone, Serialize)]
pub struct BucketReport {
    #[serde(flatten)]
    pub assessment: Assessment,
    #[serde(flatten)]
    pub facts: BucketFacts,
    /// The account the bucket belongs to, when STS said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl BucketReport {
    pub fn new(account: &AccountFacts, facts: BucketFacts) -> Self {
        Self {
            assessment: assess(account, &facts),
            facts,
            account: account.account_id.clone(),
        }
    }

    /// Worst verdict first, then by name.
    pub fn sort_key(&self) -> (Verdict, &str) {
        (self.assessment.verdict, self.facts.name.as_str())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub public: usize,
    pub shared: usize,
    pub unknown: usize,
    pub private: usize,
}

impl Summary {
    pub fn of<'a>(buckets: impl IntoIterator<Item = &'a BucketReport>) -> Self {
        let mut s = Summary::default();
        for b in buckets {
            match b.assessment.verdict {
                Verdict::Public => s.public += 1,
                Verdict::Shared => s.shared += 1,
                Verdict::Unknown => s.unknown += 1,
                Verdict::Private => s.private += 1,
            }
        }
        s
    }
}

/// The `warroom scan --json` document. Field names are part of the CLI's
/// contract (documented in the README); add fields, never rename them.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub generated_at: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub caller: Option<Identity>,
    pub caller_error: Option<AwsError>,
    pub account: Option<AccountFacts>,
    pub error: Option<AwsError>,
    pub summary: Summary,
    pub buckets: Vec<BucketReport>,
}

pub struct Timings {
    pub first_bucket: Option<Duration>,
    pub total: Duration,
}

/// Collect a whole scan into a report (the headless path).
pub async fn collect(clients: &Clients, opts: &ScanOptions) -> (ScanReport, Timings) {
    let start = Instant::now();
    let mut first_bucket = None;
    let mut report = ScanReport {
        schema_version: 1,
        generated_at: now_rfc3339(),
        region: clients.region().to_string(),
        endpoint: clients.endpoint().map(str::to_string),
        caller: None,
        caller_error: None,
        account: None,
        error: None,
        summary: Summary::default(),
        buckets: Vec::new(),
    };
    let mut account = AccountFacts {
        account_id: None,
        public_access_block: crate::model::facts::Fact::Unknown(AwsError::new(
            "NotRead", "not read",
        )),
    };
    run(clients, opts, |event| {
        match event {
            ScanEvent::Identity(Ok(id)) => report.caller = Some(id),
            ScanEvent::Identity(Err(e)) => report.caller_error = Some(e),
            ScanEvent::Account(a) => account = a,
            ScanEvent::Listed(n) => report.buckets.reserve(n),
            ScanEvent::Bucket(facts) => {
                first_bucket.get_or_insert_with(|| start.elapsed());
                report.buckets.push(BucketReport::new(&account, *facts));
            }
            ScanEvent::Failed(e) => report.error = Some(e),
            ScanEvent::Finished => {}
        }
        true
    })
    .await;
    report.account = Some(account);
    report
        .buckets
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report.summary = Summary::of(&report.buckets);
    (
        report,
        Timings {
            first_bucket,
            total: start.elapsed(),
        },
    )
}

impl ScanReport {
    /// What this scan saw, in the form stored as incident evidence (facts
    /// only; `None` if the scan stopped before the account was read).
    pub fn snapshot(&self) -> Option<Snapshot> {
        self.account.clone().map(|account| Snapshot {
            account,
            buckets: self.buckets.iter().map(|b| b.facts.clone()).collect(),
        })
    }

    /// 0: nothing public or shared; 1: something is; 2: the scan failed or a
    /// verdict is unknown (a pipeline gate must not pass what it could not see).
    pub fn exit_code(&self) -> u8 {
        if self.summary.public > 0 || self.summary.shared > 0 {
            1
        } else if self.error.is_some() || self.summary.unknown > 0 {
            2
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn incident_directories_are_named_by_their_start() {
        let dir = crate::incident::default_dir();
        let name = dir.to_string_lossy();
        assert!(
            name.starts_with("warroom-")
                && name.ends_with('Z')
                && name.len() == "warroom-20261122T144333Z".len(),
            "{name}"
        );
    }
}
