use serde::Deserialize;
use serde_json::value::RawValue;

use super::event::{Actor, TrailEvent};
use super::packed::Raw;

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
    #[serde(rename = "x-amz-server-side-encryption-customer-algorithm")]
    sse_customer_algorithm: Option<serde_json::Value>,
    #[serde(rename = "VersioningConfiguration")]
    versioning: Option<serde_json::Value>,
    version_id: Option<serde_json::Value>,
}

/// A versioning document (`{"Status": "Suspended", …}`, sometimes nested
/// or with an `xmlns`) that suspends versioning.
fn suspends(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.trim() == "Suspended",
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| (k == "Status" || k.ends_with("Status")) && suspends(v)),
        _ => false,
    }
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
    /// `SSE_C` when the write used a customer-provided key.
    #[serde(rename = "SSEApplied")]
    sse_applied: Option<Loose>,
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
    let (mfa_used, auth_method, sse_applied) = match additional {
        Some(a) => (
            Some(a.mfa_used),
            Some(a.authentication_method),
            Some(a.sse_applied),
        ),
        None => (None, None, None),
    };
    let sse_applied = sse_applied
        .and_then(|s| odd.str(s, "additionalEventData.SSEApplied", "a string"))
        .is_some_and(|s| s == "SSE_C");
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
    let (mut sse_c, mut suspends_versioning, mut deletes_version) = (false, false, false);
    if let Some(p) = params {
        sse_c = p
            .sse_customer_algorithm
            .as_ref()
            .is_some_and(|v| !v.is_null());
        suspends_versioning = p.versioning.as_ref().is_some_and(suspends);
        deletes_version = p
            .version_id
            .as_ref()
            .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty() && s != "null"));
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
        sse_c: sse_c || sse_applied,
        suspends_versioning,
        deletes_version: deletes_version && name.as_deref() == Some("DeleteObject"),
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
