//! `warroom journal verify`: the chain, the head, and every evidence file.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

use super::IncidentError;
use super::hash::{GENESIS, sha256_hex};
use super::journal::{Entry, JOURNAL_FILE, check_line, read_head, read_raw};

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub entries: Vec<Entry>,
    /// Anything here means the record cannot be trusted: exit non-zero.
    pub problems: Vec<String>,
    /// Worth knowing, not a break in the record (e.g. a torn last line).
    pub warnings: Vec<String>,
    pub evidence_files: usize,
    /// Byte length of the verified, complete lines.
    pub complete_len: u64,
    pub torn_tail: Option<Vec<u8>>,
    pub last_line_hash: Option<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

pub fn verify(dir: &Path) -> Result<VerifyReport, IncidentError> {
    let path = dir.join(JOURNAL_FILE);
    if !path.exists() {
        return Err(IncidentError::NotAnIncident(dir.to_path_buf()));
    }
    let raw = read_raw(&path)?;
    let mut report = VerifyReport {
        complete_len: raw.complete_len,
        ..VerifyReport::default()
    };
    let mut prev = GENESIS.to_string();
    for (i, line) in raw.lines.iter().enumerate() {
        let n = i + 1;
        match check_line(line) {
            Ok(entry) => {
                if entry.seq != n as u64 {
                    report.problems.push(format!(
                        "line {n}: seq is {}, expected {n} (lines removed or reordered)",
                        entry.seq
                    ));
                }
                if entry.prev != prev {
                    report.problems.push(format!("line {n}: does not chain to the line before it (a line before it was edited, removed or inserted)"));
                }
                report.entries.push(entry);
            }
            Err(why) => report.problems.push(format!("line {n}: {why}")),
        }
        prev = sha256_hex(line.as_bytes());
    }
    report.last_line_hash = (!raw.lines.is_empty()).then(|| prev.clone());
    if let Some(tail) = &raw.torn_tail {
        report.warnings.push(format!(
            "the last line is incomplete ({} bytes after the last full entry): a write was interrupted, so what it would have recorded never proceeded",
            tail.len()
        ));
        report.torn_tail = Some(tail.clone());
    }

    let count = raw.lines.len() as u64;
    match read_head(dir) {
        Ok(Some(head)) => {
            if head.seq > count {
                report.problems.push(format!(
                    "journal.head records {} entries but the journal has {count}: entries were cut off the end",
                    head.seq
                ));
            } else if head.seq + 1 == count && count > 0 {
                report.warnings.push("journal.head is one entry behind (a crash between writing an entry and updating the head)".into());
            } else if head.seq + 1 < count {
                report.problems.push(format!(
                    "journal.head records {} entries but the journal has {count}",
                    head.seq
                ));
            } else if head.seq == count && Some(&head.line_sha256) != report.last_line_hash.as_ref()
            {
                report
                    .problems
                    .push("the last entry does not match journal.head (edited or replaced)".into());
            }
        }
        Ok(None) if count > 1 => report.problems.push("journal.head is missing".into()),
        Ok(None) => {}
        Err(e) => report.problems.push(e.to_string()),
    }

    check_evidence(dir, &mut report);
    Ok(report)
}

fn check_evidence(dir: &Path, report: &mut VerifyReport) {
    // Every file in evidence/ must hash to its name…
    let evidence_dir = dir.join("evidence");
    let mut present = BTreeSet::new();
    if let Ok(files) = fs::read_dir(&evidence_dir) {
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue; // an interrupted write, never referenced
            }
            report.evidence_files += 1;
            let sha = name.split('.').next().unwrap_or_default().to_string();
            match fs::read(f.path()) {
                Ok(bytes) if sha256_hex(&bytes) == sha => {
                    present.insert(sha);
                }
                Ok(_) => report.problems.push(format!(
                    "evidence/{name}: content does not match its hash (edited)"
                )),
                Err(e) => report.problems.push(format!("evidence/{name}: {e}")),
            }
        }
    }
    // …and every file the journal refers to must be there.
    let mut referenced = BTreeSet::new();
    for e in &report.entries {
        collect_refs(&e.data, &mut referenced);
    }
    for sha in referenced {
        if !present.contains(&sha) {
            report.problems.push(format!(
                "evidence {sha} is referenced by the journal but missing or altered"
            ));
        }
    }
}

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(sha)) = map.get("evidence_sha256") {
                out.insert(sha.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
