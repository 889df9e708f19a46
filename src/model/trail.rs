//! One event model for everything CloudTrail says, whichever way it
//! arrived (LookupEvents, trail log files in S3, CloudTrail Lake), the
//! filters the tail applies, and which events matter for this incident.
//!
//! Pure: records come in as JSON text, events go out. The raw record is
//! kept verbatim for the detail view and for evidence.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Who made the call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// IAMUser, AssumedRole, Root, AWSService, AWSAccount (anonymous), …
    pub kind: Option<String>,
    pub arn: Option<String>,
    pub account: Option<String>,
    pub access_key_id: Option<String>,
    /// The role (or user) a session was issued from.
    pub session_issuer: Option<String>,
    pub session_created: Option<String>,
    /// MFA on the session, or (ConsoleLogin) whether MFA was used.
    pub mfa: Option<bool>,
    /// An AWS service acting for the caller.
    pub invoked_by: Option<String>,
}

impl Actor {
    /// Anonymous S3 access: no credentials at all.
    pub fn is_anonymous(&self) -> bool {
        self.account.as_deref() == Some("anonymous")
            || self.kind.as_deref() == Some("AWSAccount")
                && self.arn.is_none()
                && self.access_key_id.is_none()
                && self.account.as_deref().is_none_or(|a| a == "anonymous")
    }

    /// The best one-line name: ARN, else account, else kind.
    pub fn label(&self) -> String {
        if self.is_anonymous() {
            return "anonymous".into();
        }
        self.arn
            .clone()
            .or_else(|| self.account.clone().map(|a| format!("account {a}")))
            .or_else(|| self.invoked_by.clone())
            .or_else(|| self.kind.clone())
            .unwrap_or_else(|| "?".into())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrailEvent {
    pub time: String,
    pub source: String,
    pub name: String,
    pub read_only: Option<bool>,
    /// A data event (object-level S3 call); management otherwise.
    pub data: bool,
    pub actor: Actor,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub region: Option<String>,
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// For AssumeRole*: the role asked for.
    pub role_arn: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub event_id: String,
    /// The record exactly as CloudTrail wrote it.
    pub raw: Raw,
}

/// A record's JSON text, exactly as written: on its own, or packed with its
/// neighbours into a compressed block once it is held by an [`EventRing`]
/// (CloudTrail JSON compresses about tenfold in blocks, which is what keeps
/// 100,000 held events small).
#[derive(Clone)]
pub struct Raw(RawRepr);

#[derive(Clone)]
enum RawRepr {
    Text(Box<str>),
    Packed { block: Arc<PackedBlock>, index: u32 },
}

/// Records concatenated and deflated; `ends[i]` is where record i ends.
struct PackedBlock {
    deflated: Vec<u8>,
    ends: Vec<u32>,
}

impl PackedBlock {
    fn pack(texts: &[&str]) -> Option<Self> {
        use std::io::Write;
        let mut ends = Vec::with_capacity(texts.len());
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut end = 0u32;
        for t in texts {
            z.write_all(t.as_bytes()).ok()?;
            end = end.checked_add(u32::try_from(t.len()).ok()?)?;
            ends.push(end);
        }
        let mut deflated = z.finish().ok()?;
        deflated.shrink_to_fit();
        Some(PackedBlock { deflated, ends })
    }

    fn text(&self, index: u32) -> String {
        use std::io::Read;
        let i = index as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let mut all = Vec::with_capacity(end);
        let _ = flate2::read::DeflateDecoder::new(&self.deflated[..])
            .take(end as u64)
            .read_to_end(&mut all);
        all.get(start..end)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }
}

impl Raw {
    pub fn new(text: &str) -> Self {
        Raw(RawRepr::Text(text.into()))
    }

    /// The record's JSON text.
    pub fn get(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            RawRepr::Text(t) => std::borrow::Cow::Borrowed(t),
            RawRepr::Packed { block, index } => std::borrow::Cow::Owned(block.text(*index)),
        }
    }

    fn text(&self) -> Option<&str> {
        match &self.0 {
            RawRepr::Text(t) => Some(t),
            RawRepr::Packed { .. } => None,
        }
    }
}

impl std::fmt::Debug for Raw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            RawRepr::Text(t) => write!(f, "Raw({} bytes)", t.len()),
            RawRepr::Packed { index, .. } => write!(f, "Raw(packed #{index})"),
        }
    }
}

impl Serialize for Raw {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value =
            RawValue::from_string(self.get().into_owned()).map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value: Box<RawValue> = Deserialize::deserialize(d)?;
        Ok(Raw::new(value.get()))
    }
}

/// Pack the records of these events into blocks of `BLOCK` records.
fn pack(events: &mut [TrailEvent]) {
    const BLOCK: usize = 256;
    for chunk in events.chunks_mut(BLOCK) {
        let texts: Option<Vec<&str>> = chunk.iter().map(|e| e.raw.text()).collect();
        let Some(block) = texts.and_then(|t| PackedBlock::pack(&t)) else {
            continue;
        };
        let block = Arc::new(block);
        for (i, e) in chunk.iter_mut().enumerate() {
            e.raw = Raw(RawRepr::Packed {
                block: block.clone(),
                index: i as u32,
            });
        }
    }
}

impl TrailEvent {
    /// What the list, filters and relevance need stays; what only the
    /// detail view shows (it re-reads the record) goes, to hold many events
    /// in little memory.
    fn compact(&mut self) {
        self.user_agent = None;
        self.error_message = None;
        self.actor.session_created = None;
        self.source.clear();
        self.source.shrink_to_fit();
        self.region = None;
    }
}

impl PartialEq for TrailEvent {
    fn eq(&self, other: &Self) -> bool {
        // Every other field is derived from the raw record.
        self.event_id == other.event_id && *self.raw.get() == *other.raw.get()
    }
}

impl Eq for TrailEvent {}

/// The fields of a CloudTrail record the model reads. Everything else stays
/// in the raw text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_time: Option<String>,
    event_source: Option<String>,
    event_name: Option<String>,
    read_only: Option<serde_json::Value>,
    event_category: Option<String>,
    management_event: Option<bool>,
    aws_region: Option<String>,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: Option<String>,
    user_agent: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    #[serde(rename = "eventID")]
    event_id: Option<String>,
    user_identity: Option<Identity>,
    request_parameters: Option<Params>,
    resources: Option<Vec<Resource>>,
    additional_event_data: Option<Additional>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(rename = "type")]
    kind: Option<String>,
    arn: Option<String>,
    account_id: Option<String>,
    access_key_id: Option<String>,
    invoked_by: Option<String>,
    session_context: Option<SessionContext>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionContext {
    session_issuer: Option<Issuer>,
    attributes: Option<Attributes>,
}

#[derive(Deserialize)]
struct Issuer {
    arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attributes {
    creation_date: Option<String>,
    mfa_authenticated: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    bucket_name: Option<String>,
    key: Option<String>,
    role_arn: Option<String>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "ARN")]
    arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Additional {
    #[serde(rename = "MFAUsed")]
    mfa_used: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("not a CloudTrail record: {0}")]
    Json(String),
    #[error("the record has no eventID")]
    NoEventId,
}

fn truthy(v: &serde_json::Value) -> Option<bool> {
    match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => match s.as_str() {
            "true" | "Yes" => Some(true),
            "false" | "No" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Normalise one record (its JSON text).
pub fn normalise(raw: &RawValue) -> Result<TrailEvent, RecordError> {
    let r: Record =
        serde_json::from_str(raw.get()).map_err(|e| RecordError::Json(e.to_string()))?;
    let event_id = r.event_id.ok_or(RecordError::NoEventId)?;
    let id = r.user_identity;
    let session = id.as_ref().and_then(|i| i.session_context.as_ref());
    let mfa = session
        .and_then(|s| s.attributes.as_ref())
        .and_then(|a| a.mfa_authenticated.as_ref())
        .and_then(truthy)
        .or_else(|| {
            r.additional_event_data
                .as_ref()
                .and_then(|a| a.mfa_used.as_deref())
                .map(|m| m == "Yes")
        });
    // Bucket and key: request parameters first, then the resources list
    // (data events name the object there).
    let mut bucket = r
        .request_parameters
        .as_ref()
        .and_then(|p| p.bucket_name.clone());
    let mut key = r.request_parameters.as_ref().and_then(|p| p.key.clone());
    for res in r.resources.iter().flatten() {
        let Some(arn) = res
            .arn
            .as_deref()
            .and_then(|a| a.strip_prefix("arn:aws:s3:::"))
        else {
            continue;
        };
        match res.kind.as_deref() {
            Some("AWS::S3::Object") => {
                if let Some((b, k)) = arn.split_once('/') {
                    bucket.get_or_insert_with(|| b.to_string());
                    key.get_or_insert_with(|| k.to_string());
                }
            }
            Some("AWS::S3::Bucket") => {
                bucket.get_or_insert_with(|| arn.to_string());
            }
            _ => {}
        }
    }
    let data = match (&r.event_category, r.management_event) {
        (Some(c), _) => c == "Data",
        (None, Some(m)) => !m,
        (None, None) => false,
    };
    let account = id.as_ref().and_then(|i| i.account_id.clone());
    Ok(TrailEvent {
        time: r.event_time.unwrap_or_default(),
        source: r.event_source.unwrap_or_default(),
        name: r.event_name.unwrap_or_default(),
        read_only: r.read_only.as_ref().and_then(truthy),
        data,
        actor: Actor {
            kind: id.as_ref().and_then(|i| i.kind.clone()),
            arn: id.as_ref().and_then(|i| i.arn.clone()),
            account,
            access_key_id: id.as_ref().and_then(|i| i.access_key_id.clone()),
            session_issuer: session
                .and_then(|s| s.session_issuer.as_ref())
                .and_then(|s| s.arn.clone()),
            session_created: session
                .and_then(|s| s.attributes.as_ref())
                .and_then(|a| a.creation_date.clone()),
            mfa,
            invoked_by: id.as_ref().and_then(|i| i.invoked_by.clone()),
        },
        source_ip: r.source_ip_address,
        user_agent: r.user_agent,
        region: r.aws_region,
        bucket,
        key,
        role_arn: r.request_parameters.and_then(|p| p.role_arn),
        error_code: r.error_code,
        error_message: r.error_message,
        event_id,
        raw: Raw::new(raw.get()),
    })
}

/// Normalise a record given as a JSON string (LookupEvents' CloudTrailEvent).
pub fn normalise_str(json: &str) -> Result<TrailEvent, RecordError> {
    let raw: Box<RawValue> =
        serde_json::from_str(json).map_err(|e| RecordError::Json(e.to_string()))?;
    normalise(&raw)
}

/// Credential material CloudTrail itself records: AssumeRole and
/// GetSessionToken answers carry the new session's token. It is never
/// drawn, journaled or stored as evidence.
const SECRET_FIELDS: &[&str] = &["sessionToken", "secretAccessKey", "password", "privateKey"];

/// Replace every secret field's value (at any depth) by its length.
pub fn redact_secrets(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_FIELDS.iter().any(|s| k.eq_ignore_ascii_case(s)) && val.is_string() {
                    let n = val.as_str().map_or(0, str::len);
                    *val = serde_json::Value::String(format!("(redacted, {n} characters)"));
                } else {
                    redact_secrets(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// A record's text without its secrets. A record that names no secret
/// field is returned exactly as written (most are).
pub fn without_secrets(raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    if !SECRET_FIELDS
        .iter()
        .any(|f| lower.contains(&f.to_ascii_lowercase()))
    {
        return raw.to_string();
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(mut v) => {
            redact_secrets(&mut v);
            v.to_string()
        }
        // Not JSON: nothing can be told apart, so nothing is kept.
        Err(_) => "(unreadable record with a secret field, not kept)".to_string(),
    }
}

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
}

/// Parse a (decompressed) CloudTrail log file: `{"Records": [...]}`.
pub fn parse_log_file(json: &[u8]) -> Result<ParsedFile, RecordError> {
    let file: LogFile =
        serde_json::from_slice(json).map_err(|e| RecordError::Json(e.to_string()))?;
    let mut out = ParsedFile {
        events: Vec::with_capacity(file.records.len()),
        ..Default::default()
    };
    for raw in file.records {
        match normalise(raw) {
            Ok(e) => out.events.push(e),
            Err(e) => {
                out.bad_records += 1;
                out.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    Ok(out)
}

/// Management or data events only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Management,
    Data,
}

/// The tail's filters; all set ones must match. Written and shown as
/// `bucket:B principal:P key:AKIA… ip:1.2.3.4 name:GetObject errors data`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailFilter {
    pub bucket: Option<String>,
    /// A substring of the principal's ARN (or "anonymous").
    pub principal: Option<String>,
    pub access_key: Option<String>,
    pub source_ip: Option<String>,
    pub name: Option<String>,
    pub errors_only: bool,
    pub category: Option<Category>,
}

impl TrailFilter {
    /// Parse the filter line; unknown words are refused with the reason.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut f = TrailFilter::default();
        for word in text.split_whitespace() {
            let (k, v) = word.split_once(':').unwrap_or((word, ""));
            let value = || {
                if v.is_empty() {
                    Err(format!("{k}: needs a value, e.g. {k}:something"))
                } else {
                    Ok(Some(v.to_string()))
                }
            };
            match k {
                "bucket" | "b" => f.bucket = value()?,
                "principal" | "p" | "who" => f.principal = value()?,
                "key" | "access-key" | "k" => f.access_key = value()?,
                "ip" => f.source_ip = value()?,
                "name" | "event" | "n" => f.name = value()?,
                "errors" | "error" | "denied" => f.errors_only = true,
                "data" => f.category = Some(Category::Data),
                "mgmt" | "management" => f.category = Some(Category::Management),
                other => {
                    return Err(format!(
                        "unknown filter {other:?}: use bucket: principal: key: ip: name: errors data mgmt"
                    ));
                }
            }
        }
        Ok(f)
    }

    pub fn is_empty(&self) -> bool {
        *self == TrailFilter::default()
    }

    /// The same text `parse` reads, for the pane title.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("bucket", &self.bucket),
            ("principal", &self.principal),
            ("key", &self.access_key),
            ("ip", &self.source_ip),
            ("name", &self.name),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}:{v}"));
            }
        }
        if self.errors_only {
            parts.push("errors".into());
        }
        match self.category {
            Some(Category::Data) => parts.push("data".into()),
            Some(Category::Management) => parts.push("mgmt".into()),
            None => {}
        }
        parts.join(" ")
    }

    pub fn matches(&self, e: &TrailEvent) -> bool {
        let has = |field: &Option<String>, want: &Option<String>| match want {
            None => true,
            Some(w) => field.as_deref().is_some_and(|f| f.eq_ignore_ascii_case(w)),
        };
        has(&e.bucket, &self.bucket)
            && has(&e.actor.access_key_id, &self.access_key)
            && has(&e.source_ip, &self.source_ip)
            && self
                .name
                .as_ref()
                .is_none_or(|n| e.name.eq_ignore_ascii_case(n))
            && self.principal.as_ref().is_none_or(|p| {
                let p = p.to_ascii_lowercase();
                e.actor.label().to_ascii_lowercase().contains(&p)
                    || e.actor
                        .session_issuer
                        .as_deref()
                        .is_some_and(|s| s.to_ascii_lowercase().contains(&p))
            })
            && (!self.errors_only || e.error_code.is_some())
            && match self.category {
                None => true,
                Some(Category::Data) => e.data,
                Some(Category::Management) => !e.data,
            }
    }
}

/// What the incident is about, for highlighting.
#[derive(Debug, Clone, Default)]
pub struct Incident {
    pub own_account: Option<String>,
    pub buckets: HashSet<String>,
    pub role_arns: HashSet<String>,
}

/// Calls that change who can reach a bucket or mint credentials.
const ACCESS_CHANGES: &[&str] = &[
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutObjectAcl",
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutPublicAccessBlock",
    "DeletePublicAccessBlock",
    "PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock",
    "PutBucketOwnershipControls",
    "DeleteBucketOwnershipControls",
    "CreateAccessKey",
];

const READS: &[&str] = &[
    "GetObject",
    "HeadObject",
    "ListBucket",
    "ListObjects",
    "ListObjectsV2",
    "ListObjectVersions",
    "GetObjectVersion",
];

/// Why an event matters for this incident, if it does.
pub fn relevance(e: &TrailEvent, incident: &Incident) -> Option<&'static str> {
    if ACCESS_CHANGES.contains(&e.name.as_str()) {
        return Some("changes access");
    }
    if e.error_code
        .as_deref()
        .is_some_and(|c| c.contains("AccessDenied"))
    {
        return Some("access denied");
    }
    if READS.contains(&e.name.as_str()) {
        if e.actor.is_anonymous() {
            return Some("anonymous read");
        }
        if let (Some(own), Some(acct)) = (&incident.own_account, &e.actor.account)
            && own != acct
        {
            return Some("read from another account");
        }
    }
    if e.name == "ConsoleLogin" && e.actor.mfa == Some(false) {
        return Some("console login without MFA");
    }
    if e.name.starts_with("AssumeRole")
        && e.role_arn
            .as_ref()
            .is_some_and(|r| incident.role_arns.contains(r))
    {
        return Some("assumed an affected role");
    }
    if e.bucket
        .as_ref()
        .is_some_and(|b| incident.buckets.contains(b))
        && e.read_only == Some(false)
    {
        return Some("writes to an affected bucket");
    }
    None
}

/// The newest events, at most `capacity`, de-duplicated by event id (the
/// same management event arrives from LookupEvents and from log files).
/// Counts what it had to drop from view.
#[derive(Debug)]
pub struct EventRing {
    events: VecDeque<Arc<TrailEvent>>,
    ids: HashSet<String>,
    capacity: usize,
    pub dropped: u64,
    pub duplicates: u64,
}

impl EventRing {
    pub fn new(capacity: usize) -> Self {
        EventRing {
            events: VecDeque::new(),
            ids: HashSet::new(),
            capacity: capacity.max(1),
            dropped: 0,
            duplicates: 0,
        }
    }

    /// Add events; returns how many were new. Kept in time order (oldest
    /// first); a late event is placed where its time says.
    pub fn extend(&mut self, events: impl IntoIterator<Item = TrailEvent>) -> usize {
        let mut fresh: Vec<TrailEvent> = events
            .into_iter()
            .filter(|e| {
                let new = self.ids.insert(e.event_id.clone());
                if !new {
                    self.duplicates += 1;
                }
                new
            })
            .collect();
        for e in &mut fresh {
            e.compact();
        }
        pack(&mut fresh);
        let added = fresh.len();
        for e in fresh {
            let at = self
                .events
                .iter()
                .rposition(|x| x.time <= e.time)
                .map_or(0, |i| i + 1);
            self.events.insert(at, Arc::new(e));
            if self.events.len() > self.capacity {
                if let Some(old) = self.events.pop_front() {
                    self.ids.remove(&old.event_id);
                }
                self.dropped += 1;
            }
        }
        added
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Arc<TrailEvent>> {
        self.events.iter().rev()
    }
}

/// Which S3 object events a trail's selector logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSelector {
    /// `arn:aws:s3:::bucket/prefix` starts; empty: every bucket.
    pub arn_prefixes: Vec<String>,
    /// Read events (GetObject) are logged.
    pub reads: bool,
    /// Write events (PutObject, DeleteObject) are logged.
    pub writes: bool,
}

impl DataSelector {
    pub fn covers(&self, bucket: &str) -> bool {
        self.arn_prefixes.is_empty()
            || self.arn_prefixes.iter().any(|p| {
                let p = p.strip_prefix("arn:aws:s3:::").unwrap_or(p);
                // "bucket/" or "bucket/prefix" or "bucket" (advanced StartsWith).
                let b = p.split('/').next().unwrap_or(p);
                b == bucket
                    || (p.len() <= bucket.len() && bucket.starts_with(p) && !p.contains('/'))
            })
    }
}

/// A trail and whether it logs S3 data events for a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailInfo {
    pub name: String,
    pub arn: String,
    pub home_region: Option<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub organisation: bool,
    pub multi_region: bool,
    pub logging: Option<bool>,
    pub data: Vec<DataSelector>,
}

impl TrailInfo {
    /// Does this trail write GetObject records for `bucket` to S3?
    pub fn logs_reads_of(&self, bucket: &str) -> bool {
        self.logging != Some(false)
            && self.bucket.is_some()
            && self.data.iter().any(|d| d.reads && d.covers(bucket))
    }
}

/// A CloudTrail Lake question: what a principal (or access key) did to a
/// bucket in the last N days. Values are checked and quoted here, so no
/// typed text can change the SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LakeQuestion {
    pub bucket: Option<String>,
    /// A substring of the principal ARN.
    pub principal: Option<String>,
    pub access_key: Option<String>,
    pub days: u32,
}

/// The columns asked for; each becomes a field of the record rebuilt for
/// [`normalise`].
pub const LAKE_COLUMNS: &[(&str, &str)] = &[
    ("eventID", "eventID"),
    ("eventTime", "eventTime"),
    ("eventSource", "eventSource"),
    ("eventName", "eventName"),
    ("awsRegion", "awsRegion"),
    ("sourceIPAddress", "sourceIPAddress"),
    ("userAgent", "userAgent"),
    ("errorCode", "errorCode"),
    ("errorMessage", "errorMessage"),
    ("eventCategory", "eventCategory"),
    ("userIdentity.arn", "arn"),
    ("userIdentity.accountId", "accountId"),
    ("userIdentity.accessKeyId", "accessKeyId"),
    ("element_at(requestParameters, 'bucketName')", "bucketName"),
    ("element_at(requestParameters, 'key')", "key"),
];

fn sql_literal(value: &str, allowed: impl Fn(char) -> bool) -> Result<String, String> {
    if value.is_empty() || value.len() > 256 || !value.chars().all(allowed) {
        return Err(format!(
            "{value:?}: only letters, digits and -_.:/@+=, are allowed in a query value"
        ));
    }
    Ok(format!("'{}'", value.replace('\'', "''")))
}

impl LakeQuestion {
    /// The SQL for an event data store (its id or ARN).
    pub fn sql(
        &self,
        event_data_store: &str,
        now_iso: &str,
        since_iso: &str,
    ) -> Result<String, String> {
        let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:/@+=,".contains(c);
        let store = event_data_store
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .ok_or_else(|| format!("{event_data_store:?} is not an event data store id"))?;
        let columns: Vec<String> = LAKE_COLUMNS
            .iter()
            .map(|(expr, alias)| format!("{expr} AS {alias}"))
            .collect();
        let time = |c: char| c.is_ascii_digit() || "-: .TZ".contains(c);
        let mut conditions = vec![
            format!("eventTime >= {}", sql_literal(since_iso, time)?),
            format!("eventTime <= {}", sql_literal(now_iso, time)?),
        ];
        if let Some(b) = &self.bucket {
            conditions.push(format!(
                "element_at(requestParameters, 'bucketName') = {}",
                sql_literal(b, safe)?
            ));
        }
        if let Some(p) = &self.principal {
            // LIKE wildcards in the value would widen the question: refused by `safe`.
            conditions.push(format!(
                "userIdentity.arn LIKE {}",
                sql_literal(&format!("%{p}%"), |c| safe(c) || c == '%')?
            ));
        }
        if let Some(k) = &self.access_key {
            conditions.push(format!(
                "userIdentity.accessKeyId = {}",
                sql_literal(k, safe)?
            ));
        }
        Ok(format!(
            "SELECT {} FROM {store} WHERE {} ORDER BY eventTime DESC",
            columns.join(", "),
            conditions.join(" AND ")
        ))
    }
}

/// Rebuild a record from one Lake result row (column → value) and
/// normalise it like any other.
pub fn from_lake_row(row: &[(String, String)]) -> Result<TrailEvent, RecordError> {
    let get = |k: &str| row.iter().find(|(c, _)| c == k).map(|(_, v)| v.clone());
    let mut record = serde_json::Map::new();
    for key in [
        "eventID",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "errorMessage",
        "eventCategory",
    ] {
        if let Some(v) = get(key).filter(|v| !v.is_empty()) {
            record.insert(key.into(), v.into());
        }
    }
    let mut identity = serde_json::Map::new();
    for key in ["arn", "accountId", "accessKeyId"] {
        if let Some(v) = get(key).filter(|v| !v.is_empty()) {
            identity.insert(key.into(), v.into());
        }
    }
    record.insert("userIdentity".into(), identity.into());
    let mut params = serde_json::Map::new();
    for key in ["bucketName", "key"] {
        if let Some(v) = get(key).filter(|v| !v.is_empty()) {
            params.insert(key.into(), v.into());
        }
    }
    record.insert("requestParameters".into(), params.into());
    normalise_str(&serde_json::Value::Object(record).to_string())
}

#[cfg(test)]
mod tests {

    #[test]
    fn secrets_are_cut_and_everything_else_kept_as_written() {
        let plain = r#"{"eventName":"GetObject",  "b":1}"#;
        assert_eq!(without_secrets(plain), plain, "byte for byte");
        let out = without_secrets(r#"{"responseElements":{"credentials":{"SessionToken":"abc"}}}"#);
        assert!(
            !out.contains("abc") && out.contains("redacted, 3 characters"),
            "{out}"
        );
        assert!(!without_secrets("sessionToken=abc not json").contains("abc"));
    }
    use super::*;

    pub fn record(id: &str, name: &str, extra: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDA","arn":"arn:aws:iam::123456789012:user/ci","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE0000000001","userName":"ci"}},"eventTime":"2026-11-22T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2","requestParameters":{{"bucketName":"acme-customer-exports","key":"a.csv"}},"eventID":"{id}","readOnly":true,"eventCategory":"Data"{extra}}}"#
        )
    }

    #[test]
    fn a_data_event_is_normalised() {
        let e = normalise_str(&record("e1", "GetObject", "")).expect("event");
        assert_eq!(e.name, "GetObject");
        assert!(e.data);
        assert_eq!(e.read_only, Some(true));
        assert_eq!(e.bucket.as_deref(), Some("acme-customer-exports"));
        assert_eq!(e.key.as_deref(), Some("a.csv"));
        assert_eq!(
            e.actor.access_key_id.as_deref(),
            Some("AKIAEXAMPLE0000000001")
        );
        assert_eq!(e.source_ip.as_deref(), Some("203.0.113.9"));
        assert!(e.raw.get().contains("\"eventVersion\""));
    }

    #[test]
    fn anonymous_and_foreign_reads_and_access_changes_are_relevant() {
        let inc = Incident {
            own_account: Some("123456789012".into()),
            ..Default::default()
        };
        let anon = normalise_str(r#"{"eventID":"a","eventName":"GetObject","userIdentity":{"type":"AWSAccount","principalId":"","accountId":"anonymous"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"}]}"#).expect("e");
        assert_eq!(anon.bucket.as_deref(), Some("b"));
        assert_eq!(anon.key.as_deref(), Some("k"));
        assert_eq!(relevance(&anon, &inc), Some("anonymous read"));
        let foreign = normalise_str(r#"{"eventID":"f","eventName":"GetObject","userIdentity":{"type":"AssumedRole","accountId":"999988887777","arn":"arn:aws:sts::999988887777:assumed-role/x/y"}}"#).expect("e");
        assert_eq!(relevance(&foreign, &inc), Some("read from another account"));
        let own = normalise_str(&record("o", "GetObject", "")).expect("e");
        assert_eq!(relevance(&own, &inc), None);
        let policy = normalise_str(&record("p", "PutBucketPolicy", "")).expect("e");
        assert_eq!(relevance(&policy, &inc), Some("changes access"));
        let login = normalise_str(
            r#"{"eventID":"l","eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"}}"#,
        )
        .expect("e");
        assert_eq!(relevance(&login, &inc), Some("console login without MFA"));
    }

    #[test]
    fn filters_compose_and_round_trip() {
        let f = TrailFilter::parse(
            "bucket:acme-customer-exports key:AKIAEXAMPLE0000000001 errors data",
        )
        .expect("parse");
        assert_eq!(
            TrailFilter::parse(&f.describe()).expect("again"),
            f,
            "describe() is what parse() reads"
        );
        let ok = normalise_str(&record("x", "GetObject", "")).expect("e");
        assert!(!f.matches(&ok), "errors only");
        let denied =
            normalise_str(&record("y", "GetObject", r#","errorCode":"AccessDenied""#)).expect("e");
        assert!(f.matches(&denied));
        assert!(!TrailFilter::parse("mgmt").expect("p").matches(&denied));
        assert!(
            TrailFilter::parse("principal:user/ci")
                .expect("p")
                .matches(&denied)
        );
        assert!(TrailFilter::parse("colour:red").is_err());
        assert!(TrailFilter::parse("bucket:").is_err());
    }

    #[test]
    fn ring_drops_duplicates_and_the_oldest() {
        let mut ring = EventRing::new(2);
        let mk = |id: &str, t: &str| {
            let mut e = normalise_str(&record(id, "GetObject", "")).expect("e");
            e.time = t.into();
            e
        };
        assert_eq!(ring.extend([mk("a", "1"), mk("b", "3"), mk("a", "1")]), 2);
        assert_eq!(ring.duplicates, 1);
        // A late event lands in time order; the oldest goes.
        ring.extend([mk("c", "2")]);
        let ids: Vec<&str> = ring.newest_first().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["b", "c"]);
        assert_eq!(ring.dropped, 1);
        // Once dropped, an id is forgotten (memory stays bounded).
        assert_eq!(ring.extend([mk("a", "0")]), 1);
    }

    #[test]
    fn held_records_are_packed_and_read_back_byte_for_byte() {
        let originals: Vec<String> = (0..600)
            .map(|i| record(&format!("id{i}"), "GetObject", &format!(r#","n":{i}"#)))
            .collect();
        let mut ring = EventRing::new(1000);
        ring.extend(originals.iter().map(|r| normalise_str(r).expect("e")));
        let mut held: Vec<String> = ring
            .newest_first()
            .map(|e| e.raw.get().into_owned())
            .collect();
        held.sort();
        let mut want = originals.clone();
        want.sort();
        assert_eq!(held, want);
        assert!(
            ring.newest_first().all(|e| e.raw.text().is_none()),
            "all packed"
        );
    }

    #[test]
    fn a_log_file_with_a_bad_record_keeps_the_good_ones() {
        let file = format!(
            r#"{{"Records":[{},{{"eventName":"NoId"}},{}]}}"#,
            record("1", "GetObject", ""),
            record("2", "PutObject", "")
        );
        let parsed = parse_log_file(file.as_bytes()).expect("file");
        assert_eq!(parsed.events.len(), 2);
        assert_eq!(parsed.bad_records, 1);
        assert!(parse_log_file(b"{\"Records\": [").is_err());
    }
}

#[cfg(test)]
mod coverage_tests {
    use super::*;

    #[test]
    fn selectors_cover_buckets_and_reads() {
        let all = DataSelector {
            arn_prefixes: vec![],
            reads: true,
            writes: true,
        };
        assert!(all.covers("anything"));
        let one = DataSelector {
            arn_prefixes: vec!["arn:aws:s3:::acme-exports/".into()],
            reads: true,
            writes: false,
        };
        assert!(one.covers("acme-exports"));
        assert!(!one.covers("acme-exports-2"));
        let mut t = TrailInfo {
            name: "t".into(),
            arn: "arn".into(),
            home_region: None,
            bucket: Some("logs".into()),
            prefix: None,
            organisation: false,
            multi_region: true,
            logging: Some(true),
            data: vec![DataSelector {
                reads: false,
                ..one.clone()
            }],
        };
        assert!(
            !t.logs_reads_of("acme-exports"),
            "write-only selectors miss reads"
        );
        t.data = vec![one];
        assert!(t.logs_reads_of("acme-exports"));
        t.logging = Some(false);
        assert!(
            !t.logs_reads_of("acme-exports"),
            "a stopped trail logs nothing"
        );
    }
}

#[cfg(test)]
mod lake_tests {
    use super::*;

    #[test]
    fn lake_sql_quotes_values_and_refuses_injection() {
        let q = LakeQuestion {
            bucket: Some("acme-customer-exports".into()),
            principal: Some("user/ci-deploy".into()),
            access_key: None,
            days: 7,
        };
        let sql = q
            .sql("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", "2026-11-22 10:00:00", "2026-11-15 10:00:00")
            .expect("sql");
        assert!(
            sql.contains("FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE WHERE"),
            "{sql}"
        );
        assert!(
            sql.contains("element_at(requestParameters, 'bucketName') = 'acme-customer-exports'")
        );
        assert!(sql.contains("userIdentity.arn LIKE '%user/ci-deploy%'"));
        let evil = LakeQuestion {
            bucket: Some("x' OR '1'='1".into()),
            ..q.clone()
        };
        assert!(evil.sql("eds", "a", "b").is_err());
        let wildcard = LakeQuestion {
            principal: Some("%".into()),
            ..q
        };
        assert!(wildcard.sql("eds", "a", "b").is_err());
    }

    #[test]
    fn a_lake_row_becomes_an_event() {
        let row: Vec<(String, String)> = [
            ("eventID", "l1"),
            ("eventName", "GetObject"),
            ("arn", "arn:aws:iam::123456789012:user/ci"),
            ("accessKeyId", "AKIAEXAMPLE0000000001"),
            ("bucketName", "acme-customer-exports"),
            ("eventCategory", "Data"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let e = from_lake_row(&row).expect("event");
        assert_eq!(e.bucket.as_deref(), Some("acme-customer-exports"));
        assert_eq!(
            e.actor.access_key_id.as_deref(),
            Some("AKIAEXAMPLE0000000001")
        );
        assert!(e.data);
    }
}
