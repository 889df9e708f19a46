//! The exposure ledger: every object read, written or deleted by an
//! unauthorised principal, from CloudTrail data events — per object (first
//! and last access, count, bytes out, who, from where, how) and per
//! principal. What legal asks first: which data left, to whom, how much,
//! and when it stopped. Pure: events in, rows out.
//!
//! Unauthorised: anonymous callers, principals of another account, the
//! incident's access keys and roles (marked or revoked), and addresses the
//! responder names. A refused call is counted apart (denied), never as
//! data that left.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::trail::{Incident, TrailEvent};

/// Why a call counts against the data, or that it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Anonymous,
    OtherAccount,
    IncidentPrincipal,
    MarkedAddress,
    /// Refused by AWS: nothing was read or changed.
    Denied,
    Authorised,
}

impl Class {
    pub fn unauthorised(self) -> bool {
        !matches!(self, Class::Denied | Class::Authorised)
    }

    pub fn label(self) -> &'static str {
        match self {
            Class::Anonymous => "anonymous",
            Class::OtherAccount => "another account",
            Class::IncidentPrincipal => "an incident principal",
            Class::MarkedAddress => "a marked address",
            Class::Denied => "denied",
            Class::Authorised => "authorised",
        }
    }
}

/// Who is not allowed: the incident's principals, and addresses named.
#[derive(Debug, Clone, Default)]
pub struct Unauthorised {
    pub incident: Incident,
    pub addresses: BTreeSet<String>,
}

/// The class of one event.
pub fn classify(e: &TrailEvent, who: &Unauthorised) -> Class {
    if e.error_code.is_some() {
        return Class::Denied;
    }
    caller_class(e, who)
}

/// Who made the call, whatever AWS answered.
fn caller_class(e: &TrailEvent, who: &Unauthorised) -> Class {
    let a = &e.actor;
    if a.is_anonymous() {
        return Class::Anonymous;
    }
    if matches!((&who.incident.own_account, &a.account), (Some(own), Some(acct)) if own != acct) {
        return Class::OtherAccount;
    }
    let key = a
        .access_key_id
        .as_ref()
        .is_some_and(|k| who.incident.access_keys.contains(k));
    let role = a
        .session_issuer
        .as_ref()
        .is_some_and(|r| who.incident.role_arns.contains(r));
    if key || role {
        return Class::IncidentPrincipal;
    }
    if e.source_ip
        .as_ref()
        .is_some_and(|ip| who.addresses.contains(ip))
    {
        return Class::MarkedAddress;
    }
    Class::Authorised
}

/// What a data event did to the object.
fn verb(name: &str) -> Option<&'static str> {
    match name {
        "GetObject"
        | "GetObjectVersion"
        | "HeadObject"
        | "GetObjectAttributes"
        | "SelectObjectContent"
        | "GetObjectTorrent" => Some("read"),
        "PutObject"
        | "CopyObject"
        | "CompleteMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "RestoreObject" => Some("write"),
        "DeleteObject" | "DeleteObjects" => Some("delete"),
        _ => None,
    }
}

/// `additionalEventData.bytesTransferredOut`, where the record has it (a
/// number, or a string of one in some deliveries).
fn bytes_out(e: &TrailEvent) -> u64 {
    let Ok(record) = serde_json::from_str::<serde_json::Value>(&e.raw.get()) else {
        return 0;
    };
    match &record["additionalEventData"]["bytesTransferredOut"] {
        serde_json::Value::Number(n) => n.as_u64().unwrap_or(0),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectRow {
    pub bucket: String,
    pub key: String,
    pub first: String,
    pub last: String,
    pub reads: u64,
    pub writes: u64,
    pub deletes: u64,
    pub bytes_out: u64,
    pub principals: BTreeSet<String>,
    pub addresses: BTreeSet<String>,
    pub user_agents: BTreeSet<String>,
    /// How: "direct", "presigned URL".
    pub ways: BTreeSet<String>,
    pub classes: BTreeSet<Class>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrincipalRow {
    pub principal: String,
    pub class: Option<Class>,
    pub objects: BTreeSet<String>,
    pub calls: u64,
    pub bytes_out: u64,
    pub first: String,
    pub last: String,
}

/// The ledger as it is built.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub objects: BTreeMap<(String, String), ObjectRow>,
    pub principals: BTreeMap<String, PrincipalRow>,
    /// Unauthorised calls AWS refused (nothing left through them).
    pub denied: u64,
    /// Data events read, of every class.
    pub events: u64,
    /// Buckets some data event named: a bucket missing here was not
    /// logged, which is "unknown", never zero.
    pub logged_buckets: BTreeSet<String>,
}

fn widen(first: &mut String, last: &mut String, t: &str) {
    if first.is_empty() || t < first.as_str() {
        *first = t.to_string();
    }
    if t > last.as_str() {
        *last = t.to_string();
    }
}

impl Ledger {
    pub fn add(&mut self, e: &TrailEvent, who: &Unauthorised) {
        if !e.data {
            return;
        }
        let Some(verb) = verb(&e.name) else {
            return;
        };
        self.events += 1;
        if let Some(b) = &e.bucket {
            self.logged_buckets.insert(b.clone());
        }
        let class = classify(e, who);
        if class == Class::Denied {
            // Refused, but tried by someone who should not have.
            self.denied += u64::from(caller_class(e, who).unauthorised());
            return;
        }
        if !class.unauthorised() {
            return;
        }
        let (Some(bucket), Some(key)) = (&e.bucket, &e.key) else {
            return;
        };
        let bytes = if verb == "read" { bytes_out(e) } else { 0 };
        let principal = e.actor.label();
        let row = self
            .objects
            .entry((bucket.clone(), key.clone()))
            .or_insert_with(|| ObjectRow {
                bucket: bucket.clone(),
                key: key.clone(),
                ..Default::default()
            });
        widen(&mut row.first, &mut row.last, &e.time);
        match verb {
            "read" => row.reads += 1,
            "write" => row.writes += 1,
            _ => row.deletes += 1,
        }
        row.bytes_out += bytes;
        row.principals.insert(principal.clone());
        row.classes.insert(class);
        if let Some(ip) = &e.source_ip {
            row.addresses.insert(ip.clone());
        }
        if let Some(ua) = &e.user_agent {
            row.user_agents.insert(ua.clone());
        }
        row.ways.insert(
            if e.presigned {
                "presigned URL"
            } else {
                "direct"
            }
            .into(),
        );
        let p = self
            .principals
            .entry(principal.clone())
            .or_insert_with(|| PrincipalRow {
                principal,
                class: Some(class),
                ..Default::default()
            });
        p.objects.insert(format!("s3://{bucket}/{key}"));
        p.calls += 1;
        p.bytes_out += bytes;
        widen(&mut p.first, &mut p.last, &e.time);
    }
}

/// A spreadsheet-safe CSV field: quoted when it must be, and a value a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a
/// carriage return first) made text with a leading `'`.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("; ")
}

/// The objects as CSV, one row each, with a header.
pub fn objects_csv(l: &Ledger) -> String {
    let mut out = String::from(
        "bucket,key,first,last,reads,writes,deletes,bytes_out,principals,addresses,user_agents,ways,classes\n",
    );
    for r in l.objects.values() {
        let classes: BTreeSet<String> = r.classes.iter().map(|c| c.label().to_string()).collect();
        let fields = [
            csv_field(&r.bucket),
            csv_field(&r.key),
            csv_field(&r.first),
            csv_field(&r.last),
            r.reads.to_string(),
            r.writes.to_string(),
            r.deletes.to_string(),
            r.bytes_out.to_string(),
            csv_field(&join(&r.principals)),
            csv_field(&join(&r.addresses)),
            csv_field(&join(&r.user_agents)),
            csv_field(&join(&r.ways)),
            csv_field(&join(&classes)),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::trail::normalise_str;

    fn ev(who: &str, name: &str, key: &str, extra: &str) -> TrailEvent {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let id = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let rec = format!(
            r#"{{"eventID":"e{id}","eventTime":"2026-11-22T10:00:0{n}Z","eventSource":"s3.amazonaws.com","eventName":"{name}","eventCategory":"Data","readOnly":true,"sourceIPAddress":"203.0.113.9","userAgent":"curl/8","userIdentity":{who},"requestParameters":{{"bucketName":"exports","key":"{key}"}}{extra}}}"#,
            n = key.len() % 10
        );
        normalise_str(&rec).unwrap_or_else(|e| panic!("{e}: {rec}"))
    }

    const ANON: &str = r#"{"type":"AWSAccount","principalId":"","accountId":"anonymous"}"#;
    const LEAKED: &str = r#"{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci","accountId":"123456789012","accessKeyId":"AKIALEAKED0000000001"}"#;
    const STAFF: &str = r#"{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/analyst","accountId":"123456789012","accessKeyId":"AKIASTAFF00000000001"}"#;
    const PARTNER: &str = r#"{"type":"AssumedRole","arn":"arn:aws:sts::999988887777:assumed-role/x/y","accountId":"999988887777"}"#;

    #[test]
    fn unauthorised_reads_are_counted_with_bytes_and_authorised_ones_are_not() {
        let who = Unauthorised {
            incident: Incident {
                own_account: Some("123456789012".into()),
                access_keys: ["AKIALEAKED0000000001".to_string()].into_iter().collect(),
                ..Default::default()
            },
            ..Default::default()
        };
        let bytes = r#","additionalEventData":{"bytesTransferredOut":1024,"AuthenticationMethod":"QueryString"}"#;
        let events = [
            ev(ANON, "GetObject", "a.csv", bytes),
            ev(
                ANON,
                "GetObject",
                "a.csv",
                r#","additionalEventData":{"bytesTransferredOut":"10"}"#,
            ),
            ev(LEAKED, "DeleteObject", "b.csv", ""),
            ev(PARTNER, "GetObject", "c.csv", ""),
            ev(STAFF, "GetObject", "d.csv", bytes),
            ev(ANON, "GetObject", "e.csv", r#","errorCode":"AccessDenied""#),
        ];
        let mut l = Ledger::default();
        for e in &events {
            l.add(e, &who);
        }
        assert_eq!(l.events, 6);
        assert_eq!(l.denied, 1);
        let a = &l.objects[&("exports".to_string(), "a.csv".to_string())];
        assert_eq!((a.reads, a.bytes_out), (2, 1034));
        assert!(a.ways.contains("presigned URL") && a.ways.contains("direct"));
        assert!(a.classes.contains(&Class::Anonymous));
        let b = &l.objects[&("exports".to_string(), "b.csv".to_string())];
        assert_eq!((b.deletes, b.bytes_out), (1, 0));
        assert!(b.classes.contains(&Class::IncidentPrincipal));
        assert!(
            l.objects
                .contains_key(&("exports".to_string(), "c.csv".to_string()))
        );
        assert!(
            !l.objects
                .contains_key(&("exports".to_string(), "d.csv".to_string())),
            "the analyst is authorised"
        );
        assert_eq!(l.objects.len(), 3);
        assert_eq!(
            l.logged_buckets,
            ["exports".to_string()].into_iter().collect()
        );
        // A marked address makes the analyst's read count.
        let mut marked = who.clone();
        marked.addresses.insert("203.0.113.9".into());
        assert_eq!(classify(&events[4], &marked), Class::MarkedAddress);
    }

    #[test]
    fn csv_is_quoted_and_formulas_are_made_text() {
        assert_eq!(csv_field("plain.csv"), "plain.csv");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        let mut l = Ledger::default();
        let who = Unauthorised::default();
        l.add(&ev(ANON, "GetObject", "=cmd.csv", ""), &who);
        let csv = objects_csv(&l);
        assert!(
            csv.lines()
                .nth(1)
                .is_some_and(|r| r.starts_with("exports,'=cmd.csv,")),
            "{csv}"
        );
    }
}
