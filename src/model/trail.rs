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
    /// A federated person (SAMLUser, WebIdentityUser): their name at the
    /// identity provider, and the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
    /// Identity Center: the person (`onBehalfOf.userId`) and their identity
    /// store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_store: Option<String>,
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

    /// The best one-line name, never blank: the ARN (with the person behind
    /// an Identity Center session), else the federated person, else the
    /// kind and account.
    pub fn label(&self) -> String {
        if self.is_anonymous() {
            return "anonymous".into();
        }
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let person = self.person();
        if let Some(arn) = nonempty(&self.arn) {
            return match person {
                Some(p) if !arn.contains(&p) => format!("{arn} ({p})"),
                _ => arn,
            };
        }
        if let Some(p) = person {
            return p;
        }
        let kind = nonempty(&self.kind);
        match (kind, nonempty(&self.account), nonempty(&self.invoked_by)) {
            (_, _, Some(service)) => service,
            (Some(k), Some(a), None) => format!("{k} (account {a})"),
            (None, Some(a), None) => format!("account {a}"),
            (Some(k), None, None) => k,
            (None, None, None) => "unknown caller (no userIdentity)".into(),
        }
    }

    /// The person behind a federated session, as CloudTrail names them:
    /// `jdoe (SAML via MyIdP)`, `Identity Center user 5448… (d-9067…)`.
    pub fn person(&self) -> Option<String> {
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        if let Some(user) = nonempty(&self.on_behalf_of) {
            let store = nonempty(&self.identity_store)
                .map(|s| {
                    let id = s.rsplit('/').next().unwrap_or(&s).to_string();
                    format!(" ({id})")
                })
                .unwrap_or_default();
            return Some(format!("Identity Center user {user}{store}"));
        }
        let user = nonempty(&self.user_name)?;
        let via = match self.kind.as_deref() {
            Some("SAMLUser") => "SAML",
            Some("WebIdentityUser") => "web identity",
            Some("IdentityCenterUser") => "Identity Center",
            _ => return None,
        };
        Some(match nonempty(&self.identity_provider) {
            Some(idp) => format!("{user} ({via} via {idp})"),
            None => format!("{user} ({via})"),
        })
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
    /// Made with a presigned URL (`additionalEventData.AuthenticationMethod`
    /// = `QueryString`): the URL works until the signing credential dies.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub presigned: bool,
    /// The ACL this call wrote grants to a public group: `AllUsers` or
    /// `AuthenticatedUsers` (PutObjectAcl, PutObject with `x-amz-acl`,
    /// PutBucketAcl, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_acl: Option<String>,
    /// CopyObject: the object copied from (`x-amz-copy-source`, or the
    /// other object in `resources[]`). `bucket:` finds the copy under
    /// either bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_bucket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_key: Option<String>,
    /// For AssumeRole*: the role asked for.
    pub role_arn: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub event_id: String,
    /// Fields of the record that were of an unexpected type and were left
    /// empty, each said precisely (`requestParameters.key is an object, not
    /// a string: left empty`). The record itself is kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub odd: Vec<String>,
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
    /// One string of the record's `requestParameters`, read from the record
    /// itself (e.g. the `name` of a `CreateAccessPoint`); `None` when the
    /// record has no such string.
    pub fn request_parameter(&self, key: &str) -> Option<String> {
        let record: serde_json::Value = serde_json::from_str(&self.raw.get()).ok()?;
        record
            .get("requestParameters")?
            .get(key)?
            .as_str()
            .map(str::to_string)
    }

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
/// in the raw text. Every field is read leniently ([`Loose`], [`LooseObj`],
/// [`LooseList`]): records from real trails have fields of other types than
/// the common ones (DynamoDB data events have a map in
/// `requestParameters.key`), and one odd field must not cost the record.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_time: Option<Loose>,
    event_source: Option<Loose>,
    event_name: Option<Loose>,
    event_type: Option<Loose>,
    read_only: Option<serde_json::Value>,
    event_category: Option<Loose>,
    management_event: Option<serde_json::Value>,
    aws_region: Option<Loose>,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: Option<Loose>,
    user_agent: Option<Loose>,
    error_code: Option<Loose>,
    error_message: Option<Loose>,
    #[serde(rename = "eventID")]
    event_id: Option<Loose>,
    user_identity: Option<LooseObj<Identity>>,
    request_parameters: Option<LooseObj<Params>>,
    resources: Option<LooseList<Resource>>,
    additional_event_data: Option<LooseObj<Additional>>,
    insight_details: Option<LooseObj<InsightDetails>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(rename = "type")]
    kind: Option<Loose>,
    arn: Option<Loose>,
    account_id: Option<Loose>,
    access_key_id: Option<Loose>,
    invoked_by: Option<Loose>,
    /// SAMLUser, WebIdentityUser: the person's name at the provider.
    user_name: Option<Loose>,
    identity_provider: Option<Loose>,
    /// Identity Center: the person a session acts for.
    on_behalf_of: Option<LooseObj<OnBehalfOf>>,
    session_context: Option<LooseObj<SessionContext>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OnBehalfOf {
    user_id: Option<Loose>,
    identity_store_arn: Option<Loose>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionContext {
    session_issuer: Option<LooseObj<Issuer>>,
    attributes: Option<LooseObj<Attributes>>,
}

#[derive(Deserialize)]
struct Issuer {
    arn: Option<Loose>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attributes {
    creation_date: Option<Loose>,
    mfa_authenticated: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    bucket_name: Option<Loose>,
    key: Option<Loose>,
    role_arn: Option<Loose>,
    /// CopyObject / UploadPartCopy: `source-bucket/key[?versionId=…]`.
    #[serde(rename = "x-amz-copy-source")]
    copy_source: Option<Loose>,
    /// The ACL a write set, in whichever form it came: a canned ACL
    /// header, grant headers, or an `AccessControlPolicy` body (read only
    /// for a grant to everyone, so any shape is accepted).
    #[serde(rename = "x-amz-acl")]
    canned_acl: Option<serde_json::Value>,
    #[serde(rename = "x-amz-grant-read")]
    grant_read: Option<serde_json::Value>,
    #[serde(rename = "x-amz-grant-read-acp")]
    grant_read_acp: Option<serde_json::Value>,
    #[serde(rename = "x-amz-grant-write-acp")]
    grant_write_acp: Option<serde_json::Value>,
    #[serde(rename = "x-amz-grant-full-control")]
    grant_full_control: Option<serde_json::Value>,
    #[serde(rename = "AccessControlPolicy")]
    access_control_policy: Option<serde_json::Value>,
}

/// The public group an ACL written by this call grants to, if any:
/// `AllUsers` (a canned `public-read`/`public-read-write`, or a grant to
/// the AllUsers URI) or `AuthenticatedUsers` (`authenticated-read`, or
/// its URI). Values may be strings, lists or nested objects.
fn public_grant(values: &[&Option<serde_json::Value>]) -> Option<&'static str> {
    fn walk(v: &serde_json::Value, found: &mut Option<&'static str>) {
        match v {
            serde_json::Value::String(s) => {
                let s = s.trim();
                if s.contains("acs.amazonaws.com/groups/global/AllUsers")
                    || s == "public-read"
                    || s == "public-read-write"
                {
                    *found = Some("AllUsers");
                } else if found.is_none()
                    && (s.contains("acs.amazonaws.com/groups/global/AuthenticatedUsers")
                        || s == "authenticated-read")
                {
                    *found = Some("AuthenticatedUsers");
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, found)),
            serde_json::Value::Object(map) => map.values().for_each(|i| walk(i, found)),
            _ => {}
        }
    }
    let mut found = None;
    for v in values.iter().filter_map(|v| v.as_ref()) {
        walk(v, &mut found);
    }
    found
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "type")]
    kind: Option<Loose>,
    #[serde(rename = "ARN")]
    arn: Option<Loose>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Additional {
    #[serde(rename = "MFAUsed")]
    mfa_used: Option<Loose>,
    /// `QueryString` for a presigned URL, `AuthHeader` otherwise.
    authentication_method: Option<Loose>,
}

/// A CloudTrail Insights event names the API whose rate went unusual.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InsightDetails {
    state: Option<Loose>,
    event_source: Option<Loose>,
    event_name: Option<Loose>,
    insight_type: Option<Loose>,
}

/// What a JSON value was, for saying what was odd about a field.
fn kind_name<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<&'static str, A::Error> {
    while map
        .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
        .is_some()
    {}
    Ok("an object")
}

fn drain_seq<'de, A: serde::de::SeqAccess<'de>>(mut seq: A) -> Result<&'static str, A::Error> {
    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
    Ok("a list")
}

/// A string field: a string (a number is taken as written), or the kind of
/// value found instead.
struct Loose(Result<String, &'static str>);

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose(Ok(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Loose, E> {
                Ok(Loose(Ok(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose(Ok(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose(Ok(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose(Ok(v.to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Loose, E> {
                Ok(Loose(Err("a boolean")))
            }
            fn visit_unit<E>(self) -> Result<Loose, E> {
                Ok(Loose(Err("null")))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Loose, A::Error> {
                Ok(Loose(Err(kind_name(map)?)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Loose, A::Error> {
                Ok(Loose(Err(drain_seq(seq)?)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A container field that came as a scalar: the visitor arms that say which
/// kind it was, for [`LooseObj`] and [`LooseList`] alike.
macro_rules! scalars_are_odd {
    ($wrap:ident) => {
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($wrap(Err("a string")))
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($wrap(Err("a number")))
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($wrap(Err("a number")))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($wrap(Err("a number")))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrap(Err("a boolean")))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($wrap(Err("null")))
        }
    };
}

/// An object field whose own fields are all lenient, or the kind of value
/// found instead.
struct LooseObj<T>(Result<T, &'static str>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LooseObj<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = LooseObj<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|t| LooseObj(Ok(t)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                Ok(LooseObj(Err(drain_seq(seq)?)))
            }
            scalars_are_odd!(LooseObj);
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A list of objects; an element of another kind is skipped and said.
struct LooseList<T>(Result<Vec<LooseObj<T>>, &'static str>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LooseList<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = LooseList<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<LooseObj<T>>()? {
                    items.push(item);
                }
                Ok(LooseList(Ok(items)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                Ok(LooseList(Err(kind_name(map)?)))
            }
            scalars_are_odd!(LooseList);
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Collects what was odd about a record while its fields are taken.
#[derive(Default)]
struct Oddities(Vec<String>);

impl Oddities {
    fn str(&mut self, field: Option<Loose>, path: &str, expected: &str) -> Option<String> {
        match field?.0 {
            Ok(s) => Some(s),
            Err(found) => {
                self.0
                    .push(format!("{path} is {found}, not {expected}: left empty"));
                None
            }
        }
    }

    fn obj<T>(&mut self, field: Option<LooseObj<T>>, path: &str) -> Option<T> {
        match field?.0 {
            Ok(t) => Some(t),
            Err(found) => {
                self.0
                    .push(format!("{path} is {found}, not an object: left empty"));
                None
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("not a CloudTrail record: {0}")]
    Json(String),
    #[error("the record has no eventID")]
    NoEventId,
    #[error("a CloudTrail digest file (log file integrity validation), not events: skipped")]
    Digest,
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

/// `arn:PARTITION:s3:::rest` → `rest`, in every partition (`aws`,
/// `aws-cn`, `aws-us-gov`, …).
fn s3_arn_path(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    if !partition.starts_with("aws") {
        return None;
    }
    rest.strip_prefix("s3:::")
}

/// `x-amz-copy-source`: `bucket/key`, `/bucket/key`, URL-encoded, perhaps
/// with `?versionId=…`.
fn copy_source(value: &str) -> Option<(String, String)> {
    let value = value.split_once('?').map_or(value, |(v, _)| v);
    let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
    let path = decoded.trim_start_matches('/');
    let (b, k) = path.split_once('/')?;
    (!b.is_empty() && !k.is_empty()).then(|| (b.to_string(), k.to_string()))
}

/// Normalise one record (its JSON text).
pub fn normalise(raw: &RawValue) -> Result<TrailEvent, RecordError> {
    let r: Record =
        serde_json::from_str(raw.get()).map_err(|e| RecordError::Json(e.to_string()))?;
    let mut odd = Oddities::default();
    let event_id = odd
        .str(r.event_id, "eventID", "a string")
        .ok_or(RecordError::NoEventId)?;
    let id = odd.obj(r.user_identity, "userIdentity");
    let (mut kind, mut arn, mut account, mut access_key_id, mut invoked_by) =
        (None, None, None, None, None);
    let (mut user_name, mut identity_provider, mut on_behalf_of, mut identity_store) =
        (None, None, None, None);
    let (mut session_issuer, mut session_created, mut mfa_authenticated) = (None, None, None);
    if let Some(id) = id {
        kind = odd.str(id.kind, "userIdentity.type", "a string");
        arn = odd
            .str(id.arn, "userIdentity.arn", "a string")
            .filter(|a| !a.is_empty());
        account = odd.str(id.account_id, "userIdentity.accountId", "a string");
        access_key_id = odd.str(id.access_key_id, "userIdentity.accessKeyId", "a string");
        invoked_by = odd.str(id.invoked_by, "userIdentity.invokedBy", "a string");
        user_name = odd.str(id.user_name, "userIdentity.userName", "a string");
        identity_provider = odd.str(
            id.identity_provider,
            "userIdentity.identityProvider",
            "a string",
        );
        if let Some(obo) = odd.obj(id.on_behalf_of, "userIdentity.onBehalfOf") {
            on_behalf_of = odd.str(obo.user_id, "userIdentity.onBehalfOf.userId", "a string");
            identity_store = odd.str(
                obo.identity_store_arn,
                "userIdentity.onBehalfOf.identityStoreArn",
                "a string",
            );
        }
        if let Some(ctx) = odd.obj(id.session_context, "userIdentity.sessionContext") {
            if let Some(issuer) = odd.obj(
                ctx.session_issuer,
                "userIdentity.sessionContext.sessionIssuer",
            ) {
                session_issuer = odd.str(
                    issuer.arn,
                    "userIdentity.sessionContext.sessionIssuer.arn",
                    "a string",
                );
            }
            if let Some(attrs) = odd.obj(ctx.attributes, "userIdentity.sessionContext.attributes") {
                session_created = odd.str(
                    attrs.creation_date,
                    "userIdentity.sessionContext.attributes.creationDate",
                    "a string",
                );
                mfa_authenticated = attrs.mfa_authenticated;
            }
        }
    }
    let additional = odd.obj(r.additional_event_data, "additionalEventData");
    let (mfa_used, auth_method) = match additional {
        Some(a) => (Some(a.mfa_used), Some(a.authentication_method)),
        None => (None, None),
    };
    let mfa_used = mfa_used.and_then(|m| odd.str(m, "additionalEventData.MFAUsed", "a string"));
    // A presigned URL: whoever holds the URL acts as the credential that
    // signed it, until it expires or that credential is revoked.
    let presigned = auth_method
        .and_then(|m| odd.str(m, "additionalEventData.AuthenticationMethod", "a string"))
        .is_some_and(|m| m == "QueryString");
    let mfa = mfa_authenticated
        .as_ref()
        .and_then(truthy)
        .or_else(|| mfa_used.as_deref().map(|m| m == "Yes"));
    let params = odd.obj(r.request_parameters, "requestParameters");
    let (mut bucket, mut key, mut role_arn, mut source) = (None, None, None, None);
    let mut public_acl = None;
    if let Some(p) = params {
        public_acl = public_grant(&[
            &p.canned_acl,
            &p.grant_read,
            &p.grant_read_acp,
            &p.grant_write_acp,
            &p.grant_full_control,
            &p.access_control_policy,
        ])
        .map(str::to_string);
        bucket = odd.str(p.bucket_name, "requestParameters.bucketName", "a string");
        key = odd.str(p.key, "requestParameters.key", "a string");
        role_arn = odd.str(p.role_arn, "requestParameters.roleArn", "a string");
        source = odd
            .str(
                p.copy_source,
                "requestParameters.x-amz-copy-source",
                "a string",
            )
            .and_then(|c| copy_source(&c));
    }
    // Bucket and key: request parameters first, then the resources list
    // (data events name the object there; a copy names both its source and
    // its destination, the destination first).
    let resources = match r.resources.map(|l| l.0) {
        None => Vec::new(),
        Some(Ok(items)) => items,
        Some(Err(found)) => {
            odd.0
                .push(format!("resources is {found}, not a list: left empty"));
            Vec::new()
        }
    };
    let mut objects: Vec<(String, String)> = Vec::new();
    let mut buckets: Vec<String> = Vec::new();
    for (i, res) in resources.into_iter().enumerate() {
        let Some(res) = odd.obj(Some(res), &format!("resources[{i}]")) else {
            continue;
        };
        let res_kind = odd.str(res.kind, &format!("resources[{i}].type"), "a string");
        let Some(res_arn) = odd.str(res.arn, &format!("resources[{i}].ARN"), "a string") else {
            continue;
        };
        let Some(path) = s3_arn_path(&res_arn) else {
            continue;
        };
        match res_kind.as_deref() {
            Some("AWS::S3::Object") => {
                if let Some((b, k)) = path.split_once('/') {
                    objects.push((b.to_string(), k.to_string()));
                }
            }
            Some("AWS::S3::Bucket") => buckets.push(path.to_string()),
            _ => {}
        }
    }
    if let Some((b, k)) = objects.first() {
        bucket.get_or_insert_with(|| b.clone());
        key.get_or_insert_with(|| k.clone());
    }
    if let Some(b) = buckets.first() {
        bucket.get_or_insert_with(|| b.clone());
    }
    let name = odd.str(r.event_name, "eventName", "a string");
    let is_copy = name
        .as_deref()
        .is_some_and(|n| n == "CopyObject" || n == "UploadPartCopy");
    if source.is_none() && is_copy {
        // No copy-source header recorded: the other object of the resources.
        source = objects
            .iter()
            .find(|(b, k)| Some(b) != bucket.as_ref() || Some(k) != key.as_ref())
            .cloned();
    }
    let category = odd.str(r.event_category, "eventCategory", "a string");
    let data = match (&category, r.management_event.as_ref().and_then(truthy)) {
        (Some(c), _) => c == "Data",
        (None, Some(m)) => !m,
        (None, None) => false,
    };
    let event_type = odd.str(r.event_type, "eventType", "a string");
    let mut event_source = odd.str(r.event_source, "eventSource", "a string");
    let mut name = name;
    // CloudTrail Insights: no caller, and the API is inside insightDetails.
    if let Some(insight) = odd.obj(r.insight_details, "insightDetails") {
        let state = odd.str(insight.state, "insightDetails.state", "a string");
        let api = odd.str(insight.event_name, "insightDetails.eventName", "a string");
        let itype = odd.str(
            insight.insight_type,
            "insightDetails.insightType",
            "a string",
        );
        event_source = event_source.or(odd.str(
            insight.event_source,
            "insightDetails.eventSource",
            "a string",
        ));
        if name.is_none() {
            name = Some(format!(
                "Insight {}: {}",
                state.as_deref().unwrap_or("?"),
                api.as_deref().unwrap_or("?")
            ));
        }
        if kind.is_none() {
            kind = Some(match itype {
                Some(t) => format!("CloudTrail Insights ({t})"),
                None => "CloudTrail Insights".into(),
            });
        }
    } else if event_type.as_deref() == Some("AwsCloudTrailInsight") && kind.is_none() {
        kind = Some("CloudTrail Insights".into());
    }
    let (source_bucket, source_key) = source.map_or((None, None), |(b, k)| (Some(b), Some(k)));
    Ok(TrailEvent {
        presigned,
        public_acl,
        time: odd
            .str(r.event_time, "eventTime", "a string")
            .unwrap_or_default(),
        source: event_source.unwrap_or_default(),
        name: name.unwrap_or_default(),
        read_only: r.read_only.as_ref().and_then(truthy),
        data,
        actor: Actor {
            kind,
            arn,
            account,
            access_key_id,
            session_issuer,
            session_created,
            mfa,
            invoked_by,
            user_name,
            identity_provider,
            on_behalf_of,
            identity_store,
        },
        source_ip: odd.str(r.source_ip_address, "sourceIPAddress", "a string"),
        user_agent: odd.str(r.user_agent, "userAgent", "a string"),
        region: odd.str(r.aws_region, "awsRegion", "a string"),
        bucket,
        key,
        source_bucket,
        source_key,
        role_arn,
        error_code: odd.str(r.error_code, "errorCode", "a string"),
        error_message: odd.str(r.error_message, "errorMessage", "a string"),
        event_id,
        odd: odd.0,
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
    e.error_code.is_none() && (e.public_acl.is_some() || ACCESS_CHANGES.contains(&e.name.as_str()))
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
    fn the_incident_credentials_and_role_are_marked() {
        let mut inc = Incident {
            own_account: Some("123456789012".into()),
            buckets: ["acme-customer-exports".to_string()].into(),
            ..Default::default()
        };
        // An own-account read by the key: unmarked until the key is the
        // incident's.
        let read = normalise_str(&record("r", "GetObject", "")).expect("e");
        assert_eq!(relevance(&read, &inc), None);
        inc.access_keys.insert("AKIAEXAMPLE0000000001".into());
        assert_eq!(relevance(&read, &inc), Some("used an incident credential"));
        // A session of the stolen role reading an affected bucket.
        let role = normalise_str(r#"{"eventID":"s","eventName":"GetObject","readOnly":true,"sourceIPAddress":"198.51.100.7","userIdentity":{"type":"AssumedRole","accountId":"123456789012","arn":"arn:aws:sts::123456789012:assumed-role/web/i-0abc","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/web"}}},"requestParameters":{"bucketName":"acme-customer-exports","key":"a.csv"}}"#).expect("e");
        assert_eq!(relevance(&role, &inc), None);
        inc.role_arns
            .insert("arn:aws:iam::123456789012:role/web".into());
        assert_eq!(
            relevance(&role, &inc),
            Some("the incident's role on an affected bucket")
        );
    }

    #[test]
    fn objects_written_by_an_incident_principal_are_told_apart() {
        let mut inc = Incident {
            own_account: Some("123456789012".into()),
            ..Default::default()
        };
        let put = normalise_str(&record("w", "PutObject", "")).expect("e");
        assert!(!written_by_incident(&put, &inc), "the app's own key");
        inc.access_keys.insert("AKIAEXAMPLE0000000001".into());
        assert!(written_by_incident(&put, &inc));
        let read = normalise_str(&record("r", "GetObject", "")).expect("e");
        assert!(!written_by_incident(&read, &inc), "a read writes nothing");
        let denied =
            normalise_str(&record("d", "PutObject", r#","errorCode":"AccessDenied""#)).expect("e");
        assert!(!written_by_incident(&denied, &inc), "a refused write");
        let anon = normalise_str(r#"{"eventID":"a","eventName":"PutObject","userIdentity":{"type":"AWSAccount","principalId":"","accountId":"anonymous"},"requestParameters":{"bucketName":"b","key":"README-RESTORE.txt"}}"#).expect("e");
        assert!(written_by_incident(&anon, &Incident::default()));
    }

    /// An ACL granting everyone, in each shape CloudTrail writes it: a
    /// canned ACL header (a string, or a one-element list), grant headers,
    /// and an `AccessControlPolicy` body whose `Grant` is one object or a
    /// list (the User Guide's PutBucketAcl example nests it that way).
    #[test]
    fn a_public_acl_is_read_from_every_shape_of_request() {
        let shapes = [
            (r#""x-amz-acl": "public-read""#, Some("AllUsers")),
            (r#""x-amz-acl": ["public-read-write"]"#, Some("AllUsers")),
            (
                r#""x-amz-acl": "authenticated-read""#,
                Some("AuthenticatedUsers"),
            ),
            (r#""x-amz-acl": "bucket-owner-full-control""#, None),
            (
                r#""x-amz-grant-read": "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"""#,
                Some("AllUsers"),
            ),
            (
                r#""acl": "", "AccessControlPolicy": {"AccessControlList": {"Grant": {"Grantee": {"xsi:type": "Group", "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}, "Permission": "READ"}}, "Owner": {"ID": "abc"}}"#,
                Some("AuthenticatedUsers"),
            ),
            (
                r#""AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"xsi:type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}, {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}}"#,
                Some("AllUsers"),
            ),
            (
                r#""AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"xsi:type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}]}}"#,
                None,
            ),
        ];
        for (params, want) in shapes {
            let rec = format!(
                r#"{{"eventID": "x", "eventName": "PutObjectAcl", "eventSource": "s3.amazonaws.com",
                   "userIdentity": {{"type": "IAMUser", "accountId": "123456789012"}},
                   "requestParameters": {{"bucketName": "b", "key": "exports/q3.csv", {params}}}}}"#
            );
            let e = normalise_str(&rec).unwrap_or_else(|e| panic!("{e:?} in {rec}"));
            assert_eq!(e.public_acl.as_deref(), want, "{params}");
            assert!(e.odd.is_empty(), "{:?}", e.odd);
            assert_eq!(e.key.as_deref(), Some("exports/q3.csv"));
            if want.is_some() {
                assert_eq!(
                    relevance(&e, &Incident::default()),
                    Some("sets an ACL granting everyone")
                );
            }
        }
        // A refused call set nothing.
        let refused = normalise_str(r#"{"eventID": "y", "eventName": "PutObjectAcl", "errorCode": "AccessDenied", "requestParameters": {"bucketName": "b", "key": "k", "x-amz-acl": "public-read"}}"#).expect("event");
        assert_eq!(refused.public_acl.as_deref(), Some("AllUsers"));
        assert_ne!(
            relevance(&refused, &Incident::default()),
            Some("sets an ACL granting everyone")
        );
    }

    /// A data event as the CloudTrail User Guide prints one for a
    /// presigned GET (additionalEventData with numbers and strings mixed).
    #[test]
    fn a_presigned_url_is_told_and_points_at_its_signing_key() {
        let rec = r#"{
          "eventVersion": "1.09",
          "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::123456789012:user/ci", "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLE0000000001", "userName": "ci"},
          "eventTime": "2026-11-22T10:00:00Z",
          "eventSource": "s3.amazonaws.com",
          "eventName": "GetObject",
          "awsRegion": "us-east-1",
          "sourceIPAddress": "198.51.100.7",
          "userAgent": "curl/8.5.0",
          "requestParameters": {"bucketName": "acme-customer-exports", "Host": "acme-customer-exports.s3.amazonaws.com", "key": "a.csv", "X-Amz-Expires": "604800"},
          "responseElements": null,
          "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "QueryString", "x-amz-id-2": "abc", "bytesTransferredOut": 1024},
          "eventID": "p1",
          "readOnly": true,
          "eventType": "AwsApiCall",
          "eventCategory": "Data"
        }"#;
        let e = normalise_str(rec).expect("event");
        assert!(e.presigned);
        assert!(e.odd.is_empty(), "{:?}", e.odd);
        let mut inc = Incident {
            own_account: Some("123456789012".into()),
            buckets: ["acme-customer-exports".to_string()].into(),
            ..Default::default()
        };
        assert_eq!(
            relevance(&e, &inc),
            Some("a presigned URL on an affected bucket")
        );
        inc.access_keys.insert("AKIAEXAMPLE0000000001".into());
        assert_eq!(
            relevance(&e, &inc),
            Some("a presigned URL signed by an incident credential")
        );
        let plain = normalise_str(&record(
            "h",
            "GetObject",
            r#","additionalEventData":{"AuthenticationMethod":"AuthHeader"}"#,
        ))
        .expect("e");
        assert!(!plain.presigned);
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

/// Records as AWS documents them (CloudTrail User Guide: userIdentity
/// element, Insights events, digest files; DynamoDB and S3 data events),
/// including the shapes real trails deliver: pretty-printed, missing fields,
/// fields of another type.
#[cfg(test)]
mod documented_record_tests {
    use super::*;

    fn one(json: &str) -> TrailEvent {
        normalise_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    /// A DynamoDB data event: `requestParameters.key` is a map of the item's
    /// key attributes, not an S3 key.
    const DYNAMODB_GETITEM: &str = r#"{
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLEID:session",
            "arn": "arn:aws:sts::111122223333:assumed-role/app/session",
            "accountId": "111122223333",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEID", "arn": "arn:aws:iam::111122223333:role/app", "accountId": "111122223333", "userName": "app"},
                "attributes": {"creationDate": "2026-11-22T09:00:00Z", "mfaAuthenticated": "false"}
            }
        },
        "eventTime": "2026-11-22T10:00:00Z",
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": "GetItem",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "aws-sdk-java",
        "requestParameters": {
            "tableName": "Music",
            "key": {"Artist": "No One You Know", "SongTitle": "Call Me Today"},
            "consistentRead": true
        },
        "responseElements": null,
        "requestID": "R1",
        "eventID": "dynamo-1",
        "readOnly": true,
        "resources": [{"accountId": "111122223333", "type": "AWS::DynamoDB::Table", "ARN": "arn:aws:dynamodb:us-east-1:111122223333:table/Music"}],
        "eventType": "AwsApiCall",
        "managementEvent": false,
        "recipientAccountId": "111122223333",
        "eventCategory": "Data"
    }"#;

    #[test]
    fn a_field_of_another_type_leaves_only_that_field_empty() {
        let e = one(DYNAMODB_GETITEM);
        assert_eq!(e.name, "GetItem");
        assert!(e.data);
        assert_eq!(e.key, None);
        assert_eq!(
            e.actor.session_issuer.as_deref(),
            Some("arn:aws:iam::111122223333:role/app")
        );
        assert_eq!(e.source_ip.as_deref(), Some("192.0.2.10"));
        assert_eq!(
            e.odd,
            vec!["requestParameters.key is an object, not a string: left empty".to_string()]
        );
        // And in a log file: kept, counted and said, not "skipped".
        let file = format!(r#"{{"Records":[{DYNAMODB_GETITEM}]}}"#);
        let parsed = parse_log_file(file.as_bytes()).expect("file");
        assert_eq!(
            (parsed.events.len(), parsed.bad_records, parsed.odd_records),
            (1, 0, 1)
        );
        let said = parsed.problems().expect("said");
        assert!(
            said.contains("requestParameters.key is an object"),
            "{said}"
        );
        assert!(!said.contains("skipped"), "{said}");
    }

    #[test]
    fn odd_types_anywhere_keep_the_record() {
        for (field, json) in [
            (
                "userIdentity",
                r#"{"eventID":"x","eventName":"GetObject","userIdentity":"someone"}"#,
            ),
            (
                "userIdentity.arn",
                r#"{"eventID":"x","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":["a"],"accountId":123456789012}}"#,
            ),
            (
                "resources",
                r#"{"eventID":"x","eventName":"GetObject","resources":{"ARN":"arn:aws:s3:::b"}}"#,
            ),
            (
                "resources[0]",
                r#"{"eventID":"x","eventName":"GetObject","resources":["arn:aws:s3:::b"]}"#,
            ),
            (
                "sourceIPAddress",
                r#"{"eventID":"x","eventName":"GetObject","sourceIPAddress":true}"#,
            ),
            (
                "requestParameters",
                r#"{"eventID":"x","eventName":"GetObject","requestParameters":"bucketName=b"}"#,
            ),
        ] {
            let e = one(json);
            assert_eq!(e.name, "GetObject", "{field}");
            assert!(
                e.odd.iter().any(|o| o.starts_with(&format!("{field} is "))),
                "{field}: {:?}",
                e.odd
            );
        }
        // A number where a string is expected is taken as written.
        let e =
            one(r#"{"eventID":"x","userIdentity":{"type":"IAMUser","accountId":123456789012}}"#);
        assert_eq!(e.actor.account.as_deref(), Some("123456789012"));
        assert!(e.odd.is_empty());
    }

    #[test]
    fn federated_people_are_named_and_found() {
        // AssumeRoleWithSAML, as the userIdentity documentation shows it.
        let saml = one(
            r#"{"eventVersion":"1.08","userIdentity":{"type":"SAMLUser","principalId":"SampleUkh1i4+ExamplexL/jEvs=:SamlExample","userName":"SamlExample","identityProvider":"bdGOnTesti4+ExamplexL/jEvs="},"eventTime":"2026-11-22T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","requestParameters":{"sAMLAssertionID":"_c0046cEXAMPLEb9d4b8eEXAMPLE2619aEXAMPLE","roleSessionName":"MyAssignedRoleSessionName","principalArn":"arn:aws:iam::444455556666:saml-provider/Shibboleth","roleArn":"arn:aws:iam::444455556666:role/SAMLTestRoleShibboleth","durationSeconds":3600},"eventID":"saml-1","eventType":"AwsApiCall","recipientAccountId":"444455556666"}"#,
        );
        assert_eq!(
            saml.actor.label(),
            "SamlExample (SAML via bdGOnTesti4+ExamplexL/jEvs=)"
        );
        assert_eq!(
            saml.role_arn.as_deref(),
            Some("arn:aws:iam::444455556666:role/SAMLTestRoleShibboleth")
        );
        let web = one(
            r#"{"userIdentity":{"type":"WebIdentityUser","principalId":"accounts.google.com:application-id.apps.googleusercontent.com:user-id","userName":"user-id","identityProvider":"accounts.google.com"},"eventName":"AssumeRoleWithWebIdentity","eventSource":"sts.amazonaws.com","eventID":"web-1"}"#,
        );
        assert_eq!(
            web.actor.label(),
            "user-id (web identity via accounts.google.com)"
        );
        let idc = one(
            r#"{"userIdentity":{"type":"IdentityCenterUser","accountId":"111122223333","onBehalfOf":{"userId":"544894e8-80c1-707f-60e3-3ba6510dfac1","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9067642ac7"},"credentialId":"EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"},"eventName":"ListAccounts","eventSource":"sso.amazonaws.com","eventID":"idc-1"}"#,
        );
        assert_eq!(
            idc.actor.label(),
            "Identity Center user 544894e8-80c1-707f-60e3-3ba6510dfac1 (d-9067642ac7)"
        );
        // An empty arn falls back to the type and account, never a blank.
        let blank = one(
            r#"{"userIdentity":{"type":"AWSService","arn":"","accountId":"111122223333"},"eventName":"X","eventID":"b-1"}"#,
        );
        assert_eq!(blank.actor.label(), "AWSService (account 111122223333)");
        let none = one(r#"{"eventName":"X","eventID":"n-1"}"#);
        assert!(!none.actor.label().trim().is_empty());

        for (word, e, want) in [
            ("principal:SamlExample", &saml, true),
            ("principal:user-id", &web, true),
            ("principal:544894e8", &idc, true),
            ("principal:someone-else", &saml, false),
        ] {
            assert_eq!(
                TrailFilter::parse(word).expect("filter").matches(e),
                want,
                "{word}"
            );
        }
    }

    #[test]
    fn insights_events_show_their_insight() {
        let e = one(
            r#"{"eventVersion":"1.07","eventTime":"2026-11-14T00:51:00Z","awsRegion":"us-east-1","eventID":"EXAMPLE8-9621-4d00-b913-beca2EXAMPLE","eventType":"AwsCloudTrailInsight","recipientAccountId":"123456789012","sharedEventID":"12345678-abcd-efab-1234-abcdefabcdef","insightDetails":{"state":"Start","eventSource":"ssm.amazonaws.com","eventName":"UpdateInstanceAssociationStatus","insightType":"ApiCallRateInsight","insightContext":{"statistics":{"baseline":{"average":85.4202380952},"insight":{"average":664}}}},"eventCategory":"Insight"}"#,
        );
        assert_eq!(e.name, "Insight Start: UpdateInstanceAssociationStatus");
        assert_eq!(e.source, "ssm.amazonaws.com");
        assert_eq!(e.actor.label(), "CloudTrail Insights (ApiCallRateInsight)");
        assert!(e.odd.is_empty());
    }

    #[test]
    fn a_digest_file_is_named_as_one() {
        let digest = br#"{"awsAccountId":"111122223333","digestStartTime":"2026-11-22T09:00:00Z","digestEndTime":"2026-11-22T10:00:00Z","digestS3Bucket":"trail","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/22/x.json.gz","digestPublicKeyFingerprint":"abc","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":"2026-11-22T09:59:59Z","oldestEventTime":"2026-11-22T09:00:00Z","previousDigestS3Bucket":null,"previousDigestSignature":null,"logFiles":[]}"#;
        assert_eq!(parse_log_file(digest).err(), Some(RecordError::Digest));
        assert!(is_digest_name(
            "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261122T100000Z.json.gz"
        ));
        assert!(matches!(
            parse_log_file(br#"{"something":1}"#),
            Err(RecordError::Json(_))
        ));
    }

    #[test]
    fn ip_matches_any_listed_address() {
        let e = one(
            r#"{"eventID":"i","eventName":"GetObject","sourceIPAddress":"198.51.100.7, 203.0.113.9"}"#,
        );
        for (ip, want) in [
            ("ip:203.0.113.9", true),
            ("ip:198.51.100.7", true),
            ("ip:203.0.113.1", false),
        ] {
            assert_eq!(
                TrailFilter::parse(ip).expect("filter").matches(&e),
                want,
                "{ip}"
            );
        }
    }

    /// CopyObject as a data event: the destination in requestParameters,
    /// the source in `x-amz-copy-source` and again in resources[].
    #[test]
    fn a_copy_is_found_under_its_source_bucket() {
        let copy = r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::444455556666:user/x","accountId":"444455556666"},"eventTime":"2026-11-22T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"CopyObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","requestParameters":{"bucketName":"attacker-drop","Host":"attacker-drop.s3.amazonaws.com","x-amz-copy-source":"victim-data/exports%2Fcustomers.csv?versionId=abc","key":"loot.csv"},"eventID":"copy-1","readOnly":false,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::attacker-drop/loot.csv"},{"accountId":"444455556666","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::attacker-drop"},{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::victim-data/exports/customers.csv"},{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::victim-data"}],"eventCategory":"Data"}"#;
        let e = one(copy);
        assert_eq!(
            (e.bucket.as_deref(), e.key.as_deref()),
            (Some("attacker-drop"), Some("loot.csv"))
        );
        assert_eq!(
            (e.source_bucket.as_deref(), e.source_key.as_deref()),
            (Some("victim-data"), Some("exports/customers.csv"))
        );
        assert!(
            TrailFilter::parse("bucket:victim-data")
                .expect("f")
                .matches(&e)
        );
        assert!(
            TrailFilter::parse("bucket:attacker-drop")
                .expect("f")
                .matches(&e)
        );
        let incident = Incident {
            buckets: ["victim-data".to_string()].into(),
            ..Default::default()
        };
        assert_eq!(
            relevance(&e, &incident),
            Some("copies out of an affected bucket")
        );
        // Without the header, resources[] still names the source.
        let no_header = copy.replace(
            r#""x-amz-copy-source":"victim-data/exports%2Fcustomers.csv?versionId=abc","#,
            "",
        );
        let e = one(&no_header);
        assert_eq!(e.source_bucket.as_deref(), Some("victim-data"));
    }

    #[test]
    fn resources_of_every_partition_are_read() {
        for partition in ["aws", "aws-us-gov", "aws-cn"] {
            let e = one(&format!(
                r#"{{"eventID":"p","eventName":"GetObject","resources":[{{"type":"AWS::S3::Object","ARN":"arn:{partition}:s3:::gov-bucket/a/b.txt"}},{{"type":"AWS::S3::Bucket","ARN":"arn:{partition}:s3:::gov-bucket"}}]}}"#
            ));
            assert_eq!(e.bucket.as_deref(), Some("gov-bucket"), "{partition}");
            assert_eq!(e.key.as_deref(), Some("a/b.txt"), "{partition}");
        }
    }

    #[test]
    fn a_pretty_printed_log_file_keeps_every_record() {
        let file = format!(
            "{{\n  \"Records\": [\n    {DYNAMODB_GETITEM},\n    {DYNAMODB_GETITEM}\n  ]\n}}\n"
        )
        .replacen("dynamo-1", "dynamo-2", 1);
        let parsed = parse_log_file(file.as_bytes()).expect("file");
        assert_eq!(parsed.events.len(), 2);
        assert!(parsed.events[0].raw.get().contains('\n'), "kept as written");
    }
}
