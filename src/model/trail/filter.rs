use std::collections::{HashMap, HashSet};

use super::event::TrailEvent;

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
    /// Only the events marked `!` (see [`relevance`]); the caller checks
    /// it, since it needs the incident.
    pub marked_only: bool,
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
                "marked" | "!" => f.marked_only = true,
                "data" => f.category = Some(Category::Data),
                "mgmt" | "management" => f.category = Some(Category::Management),
                other => {
                    return Err(format!(
                        "unknown filter {other:?}: use bucket: principal: key: ip: name: errors marked data mgmt"
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
        if self.marked_only {
            parts.push("marked".into());
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
        (has(&e.bucket, &self.bucket)
            || self.bucket.is_some() && has(&e.source_bucket, &self.bucket))
            && has(&e.actor.access_key_id, &self.access_key)
            && self.source_ip.as_ref().is_none_or(|want| {
                // CloudTrail may list several addresses ("a, b"): any one.
                e.source_ip.as_deref().is_some_and(|ips| {
                    ips.split([',', ' '])
                        .map(str::trim)
                        .any(|ip| ip.eq_ignore_ascii_case(want))
                })
            })
            && self
                .name
                .as_ref()
                .is_none_or(|n| e.name.eq_ignore_ascii_case(n))
            && self.principal.as_ref().is_none_or(|p| {
                let p = p.to_ascii_lowercase();
                e.actor.label().to_ascii_lowercase().contains(&p)
                    || [&e.actor.user_name, &e.actor.on_behalf_of]
                        .into_iter()
                        .flatten()
                        .any(|v| v.to_ascii_lowercase().contains(&p))
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
    /// Every bucket the incident is about: those found public or shared,
    /// and they stay so after they are contained (what the attacker did to
    /// them stays marked).
    pub buckets: HashSet<String>,
    /// The incident's roles (their sessions revoked).
    pub role_arns: HashSet<String>,
    /// The incident's access keys: marked as involved, or revoked.
    pub access_keys: HashSet<String>,
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
    "CreateAccessPoint",
    "PutAccessPointPolicy",
    "DeleteAccessPointPolicy",
    "DeleteAccessPoint",
    "PutBucketReplication",
    "PutBucketNotification",
    "PutBucketInventoryConfiguration",
];

/// Changes that let data be destroyed or made unreadable, on any bucket:
/// lifecycle rules (a planted expiry), default encryption, Object Lock.
const DESTRUCTION: &[&str] = &[
    "PutBucketLifecycle",
    "PutBucketLifecycleConfiguration",
    "DeleteBucketLifecycle",
    "PutBucketEncryption",
    "DeleteBucketEncryption",
    "PutObjectLockConfiguration",
    "PutObjectRetention",
    "PutObjectLegalHold",
];

/// Why a call could destroy data or hold it to ransom, on any bucket, if
/// it could: these are marked whether or not the bucket is exposed (the
/// Codefinger campaign used keys with only GetObject and PutObject on
/// private buckets).
pub fn destruction(e: &TrailEvent) -> Option<&'static str> {
    if e.error_code.is_some() {
        return None;
    }
    if e.sse_c {
        return Some("SSE-C write: a key only the writer holds");
    }
    if e.suspends_versioning {
        return Some("versioning suspended");
    }
    if e.deletes_version {
        return Some("a version deleted for good");
    }
    match e.name.as_str() {
        "DeleteObjects" => Some("objects deleted in bulk"),
        "PutBucketLifecycle" | "PutBucketLifecycleConfiguration" => {
            Some("lifecycle rules written (expiry?)")
        }
        n if DESTRUCTION.contains(&n) => Some("changes encryption, lifecycle or Object Lock"),
        _ => None,
    }
}

/// A delete that destroys in bulk or for good: `DeleteObjects` (up to
/// 1,000 keys a call, which CloudTrail does not name) or a
/// version-specific delete (no marker: gone).
pub fn is_destructive_delete(e: &TrailEvent) -> bool {
    e.error_code.is_none() && (e.name == "DeleteObjects" || e.deletes_version)
}

/// Destructive delete calls per (bucket, minute since the epoch): a burst
/// is the sign of a wiper at work.
pub fn delete_bursts<'a>(
    events: impl IntoIterator<Item = &'a TrailEvent>,
) -> HashMap<(String, i64), usize> {
    let mut out: HashMap<(String, i64), usize> = HashMap::new();
    for e in events.into_iter().filter(|e| is_destructive_delete(e)) {
        if let (Some(b), Some(t)) = (&e.bucket, crate::time::parse_time(&e.time)) {
            *out.entry((b.clone(), t.div_euclid(60))).or_default() += 1;
        }
    }
    out
}

/// "12 delete calls on B that minute", for an event in a burst.
pub fn burst_of(e: &TrailEvent, bursts: &HashMap<(String, i64), usize>) -> Option<String> {
    if !is_destructive_delete(e) {
        return None;
    }
    let (b, t) = (e.bucket.as_ref()?, crate::time::parse_time(&e.time)?);
    let n = bursts.get(&(b.clone(), t.div_euclid(60)))?;
    Some(format!("{n} destructive delete call(s) on {b} that minute"))
}

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
/// A call that succeeded and changed who can reach a bucket (its policy,
/// ACL, Block Public Access, an access point, a side door, or an object's
/// ACL made public): what the console must read again.
pub fn changes_access(e: &TrailEvent) -> bool {
    e.error_code.is_none()
        && (e.public_acl.is_some()
            || ACCESS_CHANGES.contains(&e.name.as_str())
            || DESTRUCTION.contains(&e.name.as_str())
            || e.suspends_versioning)
}

pub fn relevance(e: &TrailEvent, incident: &Incident) -> Option<&'static str> {
    // A write that set a public ACL opens that object (or bucket) to
    // everyone, whichever call did it (PutObject with x-amz-acl too).
    if e.public_acl.is_some() && e.error_code.is_none() {
        return Some("sets an ACL granting everyone");
    }
    if ACCESS_CHANGES.contains(&e.name.as_str()) {
        return Some("changes access");
    }
    if let Some(why) = destruction(e) {
        return Some(why);
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
    if e.actor
        .access_key_id
        .as_ref()
        .is_some_and(|k| incident.access_keys.contains(k))
    {
        return Some(if e.presigned {
            "a presigned URL signed by an incident credential"
        } else {
            "used an incident credential"
        });
    }
    if e.presigned
        && e.bucket
            .as_ref()
            .is_some_and(|b| incident.buckets.contains(b))
    {
        return Some("a presigned URL on an affected bucket");
    }
    // A session of an incident role (the stolen role) reading or writing
    // an incident bucket.
    if e.actor
        .session_issuer
        .as_ref()
        .is_some_and(|r| incident.role_arns.contains(r))
        && e.bucket
            .as_ref()
            .is_some_and(|b| incident.buckets.contains(b))
    {
        return Some("the incident's role on an affected bucket");
    }
    if e.name.starts_with("AssumeRole")
        && e.role_arn
            .as_ref()
            .is_some_and(|r| incident.role_arns.contains(r))
    {
        return Some("assumed an affected role");
    }
    if e.source_bucket
        .as_ref()
        .is_some_and(|b| incident.buckets.contains(b))
        && e.bucket.as_ref() != e.source_bucket.as_ref()
    {
        return Some("copies out of an affected bucket");
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

/// Calls that create or replace an object at `key`.
const OBJECT_WRITES: &[&str] = &["PutObject", "CopyObject", "CompleteMultipartUpload"];

/// Did an incident principal write this object? Anonymous callers, another
/// account, an incident access key, or a session of an incident role, and
/// the call succeeded. What a point-in-time restore hides by default: the
/// attacker's ransom note, not the application's new keys.
pub fn written_by_incident(e: &TrailEvent, incident: &Incident) -> bool {
    if !OBJECT_WRITES.contains(&e.name.as_str()) || e.error_code.is_some() || e.key.is_none() {
        return false;
    }
    let a = &e.actor;
    a.is_anonymous()
        || matches!((&incident.own_account, &a.account), (Some(own), Some(acct)) if own != acct)
        || a.access_key_id
            .as_ref()
            .is_some_and(|k| incident.access_keys.contains(k))
        || a.session_issuer
            .as_ref()
            .is_some_and(|r| incident.role_arns.contains(r))
}
