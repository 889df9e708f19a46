//! The incident directory: the hash-chained journal, the evidence store,
//! and resuming an incident after a crash or a dropped SSH session.
//!
//! ```text
//! warroom-20261122T143000Z/      (0700: evidence can be sensitive)
//!   journal.jsonl                append-only, hash-chained, fsync'd
//!   journal.head                 last seq and line hash (detects truncation)
//!   evidence/<sha256>.<ext>      written once, read-only
//! ```

pub mod evidence;
pub mod hash;
pub mod journal;
pub mod verify;

use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

pub use evidence::EvidenceRef;
pub use journal::Entry;
use journal::{JOURNAL_FILE, Journal};

/// Journal entry kinds written by this version.
pub mod kind {
    pub const SESSION_START: &str = "session_start";
    pub const SESSION_END: &str = "session_end";
    pub const SCAN_SNAPSHOT: &str = "scan_snapshot";
    pub const TORN_TAIL_RECOVERED: &str = "torn_tail_recovered";
}

#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not an incident directory (no journal.jsonl)")]
    NotAnIncident(PathBuf),
    #[error("{0} is in use by another warroom (its journal is locked)")]
    Locked(PathBuf),
    #[error("the journal in {dir} does not verify, so nothing more will be written to it:\n  {problems}\nRun `warroom journal verify {dir}` for details, or start a new incident directory.", dir = .dir.display())]
    DoesNotVerify { dir: PathBuf, problems: String },
    #[error("tampering detected: {0}")]
    Tampered(String),
    #[error("cannot encode a journal entry: {0}")]
    Encode(String),
}

impl IncidentError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        IncidentError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Make a rename or a new file durable: fsync the directory holding it.
pub(crate) fn fsync_dir(dir: &Path) -> Result<(), IncidentError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| IncidentError::io(dir, e))
}

/// `./warroom-<UTC timestamp>/`, e.g. `warroom-20261122T143000Z`.
pub fn default_dir() -> PathBuf {
    let stamp: String = crate::time::now_rfc3339()
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    PathBuf::from(format!("warroom-{stamp}Z"))
}

pub struct Incident {
    dir: PathBuf,
    journal: Journal,
    resumed: bool,
    /// Entries found when the incident was opened (for resuming state).
    earlier: Vec<Entry>,
}

impl Incident {
    /// Create `dir` (or a default directory), or resume it if it already
    /// holds a journal. A journal that does not verify is never appended to.
    pub fn open(dir: Option<&Path>) -> Result<Self, IncidentError> {
        let dir = dir.map(Path::to_path_buf).unwrap_or_else(default_dir);
        let journal_path = dir.join(JOURNAL_FILE);
        let resumed = journal_path.exists();
        if !resumed {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(|e| IncidentError::io(&dir, e))?;
        }
        let evidence_dir = dir.join("evidence");
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&evidence_dir)
            .map_err(|e| IncidentError::io(&evidence_dir, e))?;

        let (earlier, next_seq, last_hash, torn) = if resumed {
            let report = verify::verify(&dir)?;
            if !report.ok() {
                return Err(IncidentError::DoesNotVerify {
                    dir,
                    problems: report.problems.join("\n  "),
                });
            }
            let next = report.entries.len() as u64 + 1;
            let last = report
                .last_line_hash
                .clone()
                .unwrap_or_else(journal::genesis);
            let torn = report.torn_tail.clone().map(|t| (t, report.complete_len));
            (report.entries, next, last, torn)
        } else {
            (Vec::new(), 1, journal::genesis(), None)
        };

        let mut incident = Self {
            journal: Journal::open(&dir, next_seq, last_hash)?,
            dir,
            resumed,
            earlier,
        };
        if let Some((bytes, complete_len)) = torn {
            // Never drop it silently: keep the bytes as evidence, cut the
            // file back to its last full entry, and journal what happened.
            let saved = incident.store_evidence(&bytes, "torn")?;
            journal::truncate_to(&incident.dir.join(JOURNAL_FILE), complete_len)?;
            incident.record(
                kind::TORN_TAIL_RECOVERED,
                json!({
                    "summary": format!("an interrupted write left {} bytes after entry {}; kept as evidence", bytes.len(), next_seq - 1),
                    "bytes": bytes.len(),
                    "evidence": saved,
                }),
            )?;
        }
        Ok(incident)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// Entries that were already in the journal when it was opened.
    pub fn earlier_entries(&self) -> &[Entry] {
        &self.earlier
    }

    /// Append and fsync an entry. Call this *before* doing what it records.
    pub fn record(&mut self, kind: &str, data: Value) -> Result<Entry, IncidentError> {
        self.journal.append(kind, data)
    }

    /// Every entry so far, this session's included (read back and checked).
    pub fn all_entries(&self) -> Result<Vec<Entry>, IncidentError> {
        let report = verify::verify(&self.dir)?;
        if !report.ok() {
            return Err(IncidentError::DoesNotVerify {
                dir: self.dir.clone(),
                problems: report.problems.join("\n  "),
            });
        }
        Ok(report.entries)
    }

    pub fn store_evidence(
        &mut self,
        bytes: &[u8],
        extension: &str,
    ) -> Result<EvidenceRef, IncidentError> {
        evidence::store(&self.dir.join("evidence"), bytes, extension)
    }

    pub fn read_evidence(&self, reference: &EvidenceRef) -> Result<Vec<u8>, IncidentError> {
        let path = self.dir.join(&reference.file);
        let bytes = fs::read(&path).map_err(|e| IncidentError::io(&path, e))?;
        if hash::sha256_hex(&bytes) != reference.evidence_sha256 {
            return Err(IncidentError::Tampered(format!(
                "{} does not match its hash",
                path.display()
            )));
        }
        Ok(bytes)
    }
}

/// True when `path` has only owner permissions (used by tests and `verify`).
pub fn is_private(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
}

/// A journal read or write (or the evidence it stores) that failed, and
/// what it was for. The error keeps its type (it can be downcast) until it
/// is drawn.
#[derive(Debug, thiserror::Error)]
#[error("{doing}: {error}")]
pub struct JournalError {
    pub doing: &'static str,
    pub error: Box<dyn std::error::Error + Send + Sync>,
}

impl JournalError {
    pub fn new(
        doing: &'static str,
        error: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        JournalError {
            doing,
            error: error.into(),
        }
    }
}
