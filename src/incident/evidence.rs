//! `evidence/`: files named by their SHA-256, written once, then read-only.
//! The journal refers to them by hash, so `journal verify` can prove none
//! was altered.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::hash::sha256_hex;
use super::{IncidentError, fsync_dir};

/// A reference to an evidence file, as recorded in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    pub evidence_sha256: String,
    pub file: String,
    pub bytes: u64,
}

pub fn file_name(sha: &str, extension: &str) -> String {
    format!("{sha}.{extension}")
}

/// Store `bytes` under `dir`; idempotent (the same content is stored once).
/// Written to a temporary name, fsync'd, made read-only, then renamed into
/// place, so a crash never leaves a partial file under a hash name.
pub fn store(dir: &Path, bytes: &[u8], extension: &str) -> Result<EvidenceRef, IncidentError> {
    let sha = sha256_hex(bytes);
    let name = file_name(&sha, extension);
    let path = dir.join(&name);
    let reference = EvidenceRef {
        evidence_sha256: sha.clone(),
        file: format!("evidence/{name}"),
        bytes: bytes.len() as u64,
    };
    if path.exists() {
        let existing = fs::read(&path).map_err(|e| IncidentError::io(&path, e))?;
        if sha256_hex(&existing) == sha {
            return Ok(reference);
        }
        return Err(IncidentError::Tampered(format!(
            "{} exists but its content does not match its name",
            path.display()
        )));
    }
    let tmp: PathBuf = dir.join(format!(".{name}.tmp"));
    {
        let mut f = fs::File::create(&tmp).map_err(|e| IncidentError::io(&tmp, e))?;
        f.write_all(bytes).map_err(|e| IncidentError::io(&tmp, e))?;
        f.sync_all().map_err(|e| IncidentError::io(&tmp, e))?;
    }
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o400))
        .map_err(|e| IncidentError::io(&tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| IncidentError::io(&path, e))?;
    fsync_dir(dir)?;
    Ok(reference)
}
