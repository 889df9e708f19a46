use serde::{Deserialize, Serialize};

use super::packed::Raw;

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
    /// A write that asked for SSE-C (`x-amz-server-side-encryption-customer-
    /// algorithm`): encrypted with a key only the writer holds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sse_c: bool,
    /// PutBucketVersioning to `Suspended`: new writes overwrite for good.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspends_versioning: bool,
    /// DeleteObject of one version (`versionId`): gone for good, no marker.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deletes_version: bool,
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

    /// The version a successful write made, as S3's response names it
    /// (`responseElements["x-amz-version-id"]`); `None` for a failed call
    /// or an unversioned bucket.
    pub fn version_written(&self) -> Option<String> {
        if self.error_code.is_some() {
            return None;
        }
        let record: serde_json::Value = serde_json::from_str(&self.raw.get()).ok()?;
        record
            .get("responseElements")?
            .get("x-amz-version-id")?
            .as_str()
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// What the list, filters and relevance need stays; what only the
    /// detail view shows (it re-reads the record) goes, to hold many events
    /// in little memory.
    pub(super) fn compact(&mut self) {
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
