//! `journal.jsonl`: append-only, one JSON object per line, hash-chained.
//!
//! Line format (compact JSON, keys in this order):
//!
//! ```text
//! {"seq":1,"time":"…","prev":"<sha256 of the previous line>","kind":"…","data":{…},"hash":"<sha256 of this line without the hash field>"}
//! ```
//!
//! `hash` is computed over the exact bytes of the line up to (not including)
//! `,"hash":…` plus the closing `}`, so verification never depends on how a
//! JSON library would re-serialise the entry. `prev` chains each line to the
//! exact bytes of the one before. `journal.head` holds the last seq and line
//! hash, so cutting whole lines off the end is detected too.
//!
//! Every append is written with one `write_all` and `sync_data`'d before it
//! returns: whatever an entry records has not happened yet when it is written.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::hash::{GENESIS, sha256_hex};
use super::{IncidentError, fsync_dir};

pub const JOURNAL_FILE: &str = "journal.jsonl";
pub const HEAD_FILE: &str = "journal.head";
const HASH_SUFFIX_LEN: usize = r#","hash":""}"#.len() + 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub time: String,
    pub prev: String,
    pub kind: String,
    pub data: Value,
    pub hash: String,
}

#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    time: &'a str,
    prev: &'a str,
    kind: &'a str,
    data: &'a Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub line_sha256: String,
}

/// Build the exact line (without newline) for an entry.
fn encode(
    seq: u64,
    time: &str,
    prev: &str,
    kind: &str,
    data: &Value,
) -> Result<(String, String), IncidentError> {
    let body = serde_json::to_string(&Body {
        seq,
        time,
        prev,
        kind,
        data,
    })
    .map_err(|e| IncidentError::Encode(e.to_string()))?;
    let hash = sha256_hex(body.as_bytes());
    // body ends with '}': splice the hash in before it.
    let line = format!("{},\"hash\":\"{hash}\"}}", &body[..body.len() - 1]);
    Ok((line, hash))
}

/// Check one complete line on its own: its shape and its self-hash.
pub fn check_line(line: &str) -> Result<Entry, String> {
    if line.len() < HASH_SUFFIX_LEN + 2 || !line.ends_with("\"}") {
        return Err("not a journal entry (no hash field at the end)".into());
    }
    let split = line.len() - HASH_SUFFIX_LEN;
    let (body_part, suffix) = line.split_at(split);
    let claimed = suffix
        .strip_prefix(",\"hash\":\"")
        .and_then(|s| s.strip_suffix("\"}"))
        .ok_or("malformed hash field")?;
    let body = format!("{body_part}}}");
    let actual = sha256_hex(body.as_bytes());
    if actual != claimed {
        return Err(format!(
            "content does not match its hash (edited?): hash {claimed}, content hashes to {actual}"
        ));
    }
    serde_json::from_str::<Entry>(line).map_err(|e| format!("not valid JSON: {e}"))
}

/// The file split into complete lines and a possible torn tail (bytes after
/// the last newline: a write interrupted by a crash).
pub struct RawJournal {
    pub lines: Vec<String>,
    pub torn_tail: Option<Vec<u8>>,
    /// Byte length of the complete lines.
    pub complete_len: u64,
}

pub fn read_raw(path: &Path) -> Result<RawJournal, IncidentError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| IncidentError::io(path, e))?;
    let complete_len = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let torn_tail = (complete_len < bytes.len()).then(|| bytes[complete_len..].to_vec());
    let text = String::from_utf8_lossy(&bytes[..complete_len]);
    let lines = text.lines().map(str::to_string).collect();
    Ok(RawJournal {
        lines,
        torn_tail,
        complete_len: complete_len as u64,
    })
}

pub struct Journal {
    file: File,
    dir: PathBuf,
    next_seq: u64,
    last_line_hash: String,
}

impl Journal {
    /// Open for appending. The caller (`Incident::open`) has already checked
    /// the chain and dealt with any torn tail.
    pub(super) fn open(
        dir: &Path,
        next_seq: u64,
        last_line_hash: String,
    ) -> Result<Self, IncidentError> {
        let path = dir.join(JOURNAL_FILE);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| IncidentError::io(&path, e))?;
        // One writer per incident: a second warroom on the same directory
        // would interleave the chain.
        file.try_lock()
            .map_err(|_| IncidentError::Locked(dir.to_path_buf()))?;
        Ok(Self {
            file,
            dir: dir.to_path_buf(),
            next_seq,
            last_line_hash,
        })
    }

    /// Append an entry and make it durable before returning.
    pub fn append(&mut self, kind: &str, data: Value) -> Result<Entry, IncidentError> {
        let time = crate::time::now_rfc3339();
        let seq = self.next_seq;
        let (line, hash) = encode(seq, &time, &self.last_line_hash, kind, &data)?;
        let path = self.dir.join(JOURNAL_FILE);
        let mut buf = line.clone().into_bytes();
        buf.push(b'\n');
        self.file
            .write_all(&buf)
            .map_err(|e| IncidentError::io(&path, e))?;
        self.file
            .sync_data()
            .map_err(|e| IncidentError::io(&path, e))?;
        let entry = Entry {
            seq,
            time,
            prev: std::mem::replace(&mut self.last_line_hash, sha256_hex(line.as_bytes())),
            kind: kind.to_string(),
            data,
            hash,
        };
        self.next_seq += 1;
        write_head(
            &self.dir,
            &Head {
                seq,
                line_sha256: self.last_line_hash.clone(),
            },
        )?;
        Ok(entry)
    }
}

/// Replace `journal.head` atomically (temp file, fsync, rename, fsync dir).
fn write_head(dir: &Path, head: &Head) -> Result<(), IncidentError> {
    let tmp = dir.join(".journal.head.tmp");
    let path = dir.join(HEAD_FILE);
    let text = serde_json::to_string(head).map_err(|e| IncidentError::Encode(e.to_string()))?;
    {
        let mut f = File::create(&tmp).map_err(|e| IncidentError::io(&tmp, e))?;
        f.write_all(text.as_bytes())
            .map_err(|e| IncidentError::io(&tmp, e))?;
        f.sync_data().map_err(|e| IncidentError::io(&tmp, e))?;
    }
    fs::rename(&tmp, &path).map_err(|e| IncidentError::io(&path, e))?;
    fsync_dir(dir)
}

pub fn read_head(dir: &Path) -> Result<Option<Head>, IncidentError> {
    let path = dir.join(HEAD_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| IncidentError::Tampered(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(IncidentError::io(&path, e)),
    }
}

/// Cut a torn tail off the file (its bytes have already been preserved as
/// evidence and are about to be journaled).
pub(super) fn truncate_to(path: &Path, len: u64) -> Result<(), IncidentError> {
    let f = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| IncidentError::io(path, e))?;
    f.set_len(len).map_err(|e| IncidentError::io(path, e))?;
    let mut f = f;
    f.seek(SeekFrom::End(0))
        .map_err(|e| IncidentError::io(path, e))?;
    f.sync_all().map_err(|e| IncidentError::io(path, e))
}

/// The hash the first entry chains to.
pub fn genesis() -> String {
    GENESIS.to_string()
}
