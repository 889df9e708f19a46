use serde::Deserialize;
use serde_json::value::RawValue;

use super::event::TrailEvent;
use super::record::{RecordError, normalise};

/// Records (their JSON texts) as one gzip'd file in CloudTrail's delivery
/// format, `{"Records": [...]}`: what evidence files and the demo write.
pub fn log_file_gz(records: &[String]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"Records\":[")?;
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            gz.write_all(b",")?;
        }
        gz.write_all(r.as_bytes())?;
    }
    gz.write_all(b"]}")?;
    gz.finish()
}

#[derive(Deserialize)]
struct LogFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

/// What one log file held: its events, and the records that could not be
/// read (counted, with the first reason).
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub events: Vec<TrailEvent>,
    pub bad_records: usize,
    pub first_error: Option<String>,
    /// Records kept with a field left empty (see [`TrailEvent::odd`]).
    pub odd_records: usize,
    pub first_odd: Option<String>,
}

impl ParsedFile {
    /// One line on what was not read as written, if anything.
    pub fn problems(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.bad_records > 0 {
            parts.push(format!(
                "{} record(s) skipped: {}",
                self.bad_records,
                self.first_error.as_deref().unwrap_or_default()
            ));
        }
        if self.odd_records > 0 {
            parts.push(format!(
                "{} record(s) kept with a field of an unexpected type, e.g. {}",
                self.odd_records,
                self.first_odd.as_deref().unwrap_or_default()
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The top-level fields of a digest file (log file integrity validation).
#[derive(Deserialize)]
struct DigestProbe {
    #[serde(rename = "digestStartTime")]
    digest_start_time: Option<serde::de::IgnoredAny>,
    #[serde(rename = "logFiles")]
    log_files: Option<serde::de::IgnoredAny>,
}

/// Whether a key or file name is one of CloudTrail's digest files.
pub fn is_digest_name(name: &str) -> bool {
    name.contains("CloudTrail-Digest")
}

/// Parse a (decompressed) CloudTrail log file: `{"Records": [...]}`.
pub fn parse_log_file(json: &[u8]) -> Result<ParsedFile, RecordError> {
    let file: LogFile = match serde_json::from_slice(json) {
        Ok(f) => f,
        Err(e) => {
            // A digest file is valid JSON of another shape: name it.
            if let Ok(DigestProbe {
                digest_start_time,
                log_files,
            }) = serde_json::from_slice(json)
                && (digest_start_time.is_some() || log_files.is_some())
            {
                return Err(RecordError::Digest);
            }
            return Err(RecordError::Json(e.to_string()));
        }
    };
    let mut out = ParsedFile {
        events: Vec::with_capacity(file.records.len()),
        ..Default::default()
    };
    for raw in file.records {
        match normalise(raw) {
            Ok(e) => {
                if let Some(first) = e.odd.first() {
                    out.odd_records += 1;
                    out.first_odd.get_or_insert_with(|| first.clone());
                }
                out.events.push(e)
            }
            Err(e) => {
                out.bad_records += 1;
                out.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    Ok(out)
}
