//! Plain facts read from AWS about an account and its buckets. No I/O here:
//! `aws/` fills these in, `model::exposure` judges them, the UI draws them.

use serde::{Deserialize, Serialize};

/// Why a field could not be read: the AWS error code (AccessDenied,
/// Throttling, …) and its message. Shown as `unknown (Code)`.
///
/// The code comes from whatever answered the request, and is printed in many
/// places without further thought, so it is made a plain token here, where
/// every `FieldError` is born (constructed or read back from evidence). The
/// message is kept verbatim (it is evidence) and sanitised when drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    #[serde(deserialize_with = "deserialize_code")]
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code_token(&code.into()),
            message: message.into(),
        }
    }
}

/// An error code as a token: ASCII letters, digits and `._:-`, at most 64
/// characters; anything else is dropped.
pub fn code_token(raw: &str) -> String {
    let token: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'))
        .take(64)
        .collect();
    if token.is_empty() {
        "Unknown".to_string()
    } else {
        token
    }
}

fn deserialize_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d).map(|s| code_token(&s))
}

impl FieldError {
    /// `Code: message`: the line a failed call is reported with.
    pub fn said(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }

    /// `unknown (Code) — message`, or just `unknown (Code)` when AWS sent
    /// no message (a bare dash reads like something was lost).
    pub fn explained(&self) -> String {
        if self.message.trim().is_empty() {
            self.to_string()
        } else {
            format!("{self} — {}", self.message)
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown ({})", self.code)
    }
}

/// One fact about a resource: known, or unknown with the reason.
/// In JSON: `{"known": …}` or `{"unknown": {"code": …, "message": …}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T> {
    Known(T),
    Unknown(FieldError),
}

impl<T> Fact<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Unknown(_) => None,
        }
    }

    pub fn error(&self) -> Option<&FieldError> {
        match self {
            Fact::Known(_) => None,
            Fact::Unknown(e) => Some(e),
        }
    }
}

impl<T> From<Result<T, FieldError>> for Fact<T> {
    fn from(r: Result<T, FieldError>) -> Self {
        match r {
            Ok(v) => Fact::Known(v),
            Err(e) => Fact::Unknown(e),
        }
    }
}

/// The four Public Access Block settings (bucket or account level).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four settings on.
    pub const ALL_ON: Self = Self {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    pub fn all_on(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountFacts {
    pub account_id: Option<String>,
    /// `None`: no account-level configuration (all four settings off).
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    AllUsers,
    AuthenticatedUsers,
    LogDelivery,
    CanonicalUser {
        id: String,
        display_name: Option<String>,
    },
    Email {
        address: String,
    },
    OtherGroup {
        uri: String,
    },
}

impl Grantee {
    /// Who, as a reason names them: `anyone (AllUsers)`, `canonical user
    /// ID (name)`, …
    pub fn describe(&self) -> String {
        match self {
            Grantee::AllUsers => "anyone (AllUsers)".to_string(),
            Grantee::AuthenticatedUsers => "any AWS account (AuthenticatedUsers)".to_string(),
            Grantee::LogDelivery => "the log delivery group".to_string(),
            Grantee::CanonicalUser { id, display_name } => format!(
                "canonical user {id}{}",
                display_name
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
            Grantee::Email { address } => format!("the account with email {address}"),
            Grantee::OtherGroup { uri } => format!("group {uri}"),
        }
    }

    /// Someone other than the bucket owner (`owner`, its canonical id) and
    /// S3's log delivery group: a grant to them shares what it covers.
    pub fn is_outsider(&self, owner: Option<&str>) -> bool {
        match self {
            Grantee::LogDelivery => false,
            Grantee::CanonicalUser { id, .. } => Some(id.as_str()) != owner,
            _ => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    /// READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL.
    pub permission: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    pub owner_id: Option<String>,
    pub owner_display_name: Option<String>,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioning {
    /// "Enabled", "Suspended", or None when never enabled.
    pub status: Option<String>,
    /// "Enabled" / "Disabled" / None.
    pub mfa_delete: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// e.g. ["aws:kms (arn:…)"] or ["AES256"]
    pub rules: Vec<String>,
    /// Whether a rule blocks SSE-C writes (customer-provided keys: the
    /// key only the writer holds).
    #[serde(default)]
    pub sse_c_blocked: bool,
}

/// A bucket's Object Lock configuration as written and read back whole
/// (the `enable-object-lock` action's record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockConfig {
    pub enabled: bool,
    /// The default retention: GOVERNANCE or COMPLIANCE, for days or years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<i32>,
}

impl LockConfig {
    /// "off", "on, no default retention", "on, GOVERNANCE 14 days".
    pub fn describe(&self) -> String {
        if !self.enabled {
            return "off".into();
        }
        match (&self.mode, self.days, self.years) {
            (Some(m), Some(d), _) => format!("on, default retention {m} {d} day(s)"),
            (Some(m), _, Some(y)) => format!("on, default retention {m} {y} year(s)"),
            _ => "on, no default retention".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLock {
    pub enabled: bool,
    pub default_retention: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logging {
    pub target_bucket: String,
    pub target_prefix: String,
    /// Grants S3 puts on every delivered log object (`TargetGrants`): the
    /// logs name every key and requester, so a grant to anyone but the
    /// owner shares them. S3 requires the target in the same account and
    /// Region, so the grants are the way out.
    #[serde(default)]
    pub target_grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Everything read about one bucket. Every field is separately fallible: one
/// AccessDenied does not stop the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketFacts {
    pub name: String,
    pub region: Fact<String>,
    /// `None`: no bucket-level configuration.
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
    /// S3's own judgement (`GetBucketPolicyStatus`); `None` without a policy.
    pub policy_status_is_public: Fact<Option<bool>>,
    /// The policy document as returned; `None` when the bucket has none.
    pub policy: Fact<Option<String>>,
    pub acl: Fact<Acl>,
    /// BucketOwnerEnforced (ACLs disabled), BucketOwnerPreferred,
    /// ObjectWriter; `None` when not configured (ACLs enabled).
    pub object_ownership: Fact<Option<String>>,
    pub versioning: Fact<Versioning>,
    pub encryption: Fact<Option<Encryption>>,
    pub object_lock: Fact<Option<ObjectLock>>,
    /// Lifecycle rules (empty: none): what S3 deletes on its own, and when.
    pub lifecycle: Fact<Vec<crate::model::lifecycle::LifecycleRule>>,
    pub logging: Fact<Option<Logging>>,
    pub tags: Fact<Vec<Tag>>,
    /// The bucket's access points (S3 Control), each a way in with its own
    /// policy and Block Public Access. A snapshot taken before warroom read
    /// them says so (never "none").
    #[serde(default = "not_read")]
    pub access_points: Fact<Vec<AccessPoint>>,
    /// The Multi-Region Access Points with this bucket among their regions
    /// (listed once per account): one global name that reaches it, with a
    /// policy and Block Public Access of its own.
    #[serde(default = "not_read")]
    pub multi_region_access_points: Fact<Vec<AccessPoint>>,
    /// The Object Lambda access points that read through one of this
    /// bucket's access points (listed once per account and region): each
    /// hands the objects it serves to Lambda functions of its own.
    #[serde(default = "not_read")]
    pub object_lambda_access_points: Fact<Vec<ObjectLambdaAccessPoint>>,
    /// The other ways data or its names leave the bucket: replication,
    /// event notifications, inventory reports, website hosting and CORS.
    #[serde(default = "not_read")]
    pub side_doors: Fact<SideDoors>,
    /// Objects' own ACLs, read within a stated bound: with ACLs enabled any
    /// object can grant `public-read` whatever the bucket's ACL says.
    #[serde(default = "not_read")]
    pub object_acls: Fact<ObjectAcls>,
    /// CloudFront distributions with an origin on this bucket (listed once
    /// per account): each serves the bucket's objects to its viewers.
    #[serde(default = "not_read")]
    pub distributions: Fact<Vec<Distribution>>,
    /// The KMS key of SSE-KMS default encryption, and who may use it;
    /// `None`: the bucket's default encryption is not SSE-KMS.
    #[serde(default = "not_read")]
    pub kms: Fact<Option<KmsKey>>,
}

/// A bucket's default KMS key and what decides who can decrypt with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KmsKey {
    /// As the bucket's encryption names it (id, ARN or alias), or
    /// `aws/s3` when it names none.
    pub named: String,
    pub arn: Option<String>,
    /// The AWS managed key (`aws/s3`): usable only within this account.
    pub aws_managed: bool,
    /// The key policy (`default`).
    pub policy: Fact<Option<String>>,
    pub grants: Fact<Vec<KmsGrant>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KmsGrant {
    pub id: String,
    /// The grantee principal's ARN (or service).
    pub grantee: String,
    /// `Decrypt`, `Encrypt`, `GenerateDataKey`, …
    pub operations: Vec<String>,
}

/// A CloudFront distribution that has this bucket as an origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    /// `d111111abcdef8.cloudfront.net`.
    pub domain: String,
    pub aliases: Vec<String>,
    pub enabled: bool,
    /// A WAF web ACL is attached (it may limit who gets through; warroom
    /// does not read its rules).
    pub web_acl: Option<String>,
    /// How CloudFront is allowed to fetch from the bucket.
    pub origin_access: OriginAccess,
    /// The behaviours that route to this bucket's origin.
    pub behaviours: Vec<Behaviour>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginAccess {
    /// Origin access control: CloudFront signs as the service principal
    /// `cloudfront.amazonaws.com`, scoped by the distribution's ARN.
    Oac { id: String },
    /// A legacy origin access identity.
    Oai { id: String },
    /// Neither: CloudFront fetches anonymously (only works on what is
    /// already public), or through the website endpoint.
    Anonymous,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behaviour {
    /// `*` for the default behaviour.
    pub path: String,
    /// Viewers need a signed URL or cookie (trusted key groups or signers).
    pub signed: bool,
}

/// What reading object ACLs found, and how far it looked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectAcls {
    /// Why no object ACL was read, when none needed to be (ACLs disabled:
    /// Object Ownership is BucketOwnerEnforced).
    pub skipped: Option<String>,
    /// How many objects' ACLs were read.
    pub checked: usize,
    /// Every object in the bucket was read (the listing ended and each key
    /// was checked). False: a verdict of private is only "not found".
    pub all_checked: bool,
    /// Grants on objects to anyone but the object's owner.
    pub grants: Vec<ObjectGrant>,
    /// Object ACL reads that failed, and the first failure.
    pub failed: usize,
    pub first_error: Option<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectGrant {
    pub key: String,
    pub grant: Grant,
}

/// Bucket configurations through which objects, or their names, reach
/// someone else (S3 User Guide: replication, event notifications,
/// inventory), or through which anyone reads what is already public
/// (website hosting, CORS).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideDoors {
    pub replication: Vec<ReplicationRule>,
    /// Destination ARNs (SNS topics, SQS queues, Lambda functions).
    pub notifications: Vec<String>,
    /// Inventory report destinations: (configuration id, destination bucket
    /// ARN, the destination's account when the configuration names it).
    pub inventory: Vec<(String, String, Option<String>)>,
    /// Storage class analysis export destinations, the same shape.
    #[serde(default)]
    pub analytics: Vec<(String, String, Option<String>)>,
    pub website: bool,
    /// CORS rules allowing any origin (`*`), by index.
    pub cors_any_origin: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationRule {
    pub id: Option<String>,
    pub enabled: bool,
    /// The destination bucket's ARN.
    pub destination: String,
    /// The account that owns the destination, when the rule names it.
    pub account: Option<String>,
}

fn not_read<T>() -> Fact<T> {
    Fact::Unknown(FieldError::new(
        "NotRead",
        "not read: this snapshot was taken by a warroom that did not read it",
    ))
}

/// An access point on a bucket: a host name of its own with its own
/// policy, network origin and Block Public Access (fixed at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPoint {
    pub name: String,
    /// The account that owns the access point.
    pub account: String,
    pub region: String,
    pub alias: Option<String>,
    /// `Internet`, or `VPC` with the VPC's id: only requests from that VPC
    /// reach the bucket through it.
    pub network_origin: Fact<NetworkOrigin>,
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
    /// The access point policy; `None` when it has none. For a
    /// Multi-Region Access Point, the policy in effect (`Established`).
    pub policy: Fact<Option<String>>,
    /// A Multi-Region Access Point: global (no region in its ARN), named in
    /// policies by its alias, always reachable from the Internet.
    #[serde(default)]
    pub multi_region: bool,
    /// S3's own judgement of the policy (`GetAccessPointPolicyStatus`),
    /// to corroborate warroom's analysis; `None`: not asked or not
    /// answered (a corroboration that fails says nothing).
    #[serde(default)]
    pub s3_says_public: Option<bool>,
}

/// An Object Lambda access point: a name of its own in front of one
/// standard access point (its supporting access point). A request through
/// it needs its policy, the supporting access point's and the bucket's to
/// allow it; the object then passes through its Lambda functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLambdaAccessPoint {
    pub name: String,
    pub arn: String,
    pub alias: Option<String>,
    /// The supporting access point's name (from its ARN).
    pub supporting_access_point: String,
    /// The functions every object it serves is handed to (ARNs).
    pub functions: Vec<String>,
    pub policy: Fact<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkOrigin {
    Internet,
    Vpc { vpc_id: Option<String> },
}

impl AccessPoint {
    /// The ARN policies name it by.
    pub fn arn(&self) -> String {
        if self.multi_region {
            // arn:aws:s3::ACCOUNT:accesspoint/ALIAS (S3 User Guide,
            // "Multi-Region Access Point restrictions and limitations").
            return format!(
                "arn:aws:s3::{}:accesspoint/{}",
                self.account,
                self.alias.as_deref().unwrap_or(&self.name)
            );
        }
        format!(
            "arn:aws:s3:{}:{}:accesspoint/{}",
            self.region, self.account, self.name
        )
    }

    /// What a person calls it in a reason.
    pub fn kind(&self) -> &'static str {
        if self.multi_region {
            "Multi-Region Access Point"
        } else {
            "access point"
        }
    }
}

impl BucketFacts {
    /// A bucket about which nothing could be read (e.g. its region lookup
    /// failed): every field carries the same error.
    pub fn unreadable(name: String, err: FieldError) -> Self {
        fn u<T>(err: &FieldError) -> Fact<T> {
            Fact::Unknown(err.clone())
        }
        Self {
            name,
            region: u(&err),
            public_access_block: u(&err),
            policy_status_is_public: u(&err),
            policy: u(&err),
            acl: u(&err),
            object_ownership: u(&err),
            versioning: u(&err),
            encryption: u(&err),
            object_lock: u(&err),
            lifecycle: u(&err),
            logging: u(&err),
            tags: u(&err),
            access_points: u(&err),
            multi_region_access_points: u(&err),
            object_lambda_access_points: u(&err),
            side_doors: u(&err),
            object_acls: u(&err),
            distributions: u(&err),
            kms: u(&err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FieldError;

    #[test]
    fn error_codes_are_tokens_however_they_arrive() {
        let e = FieldError::new("Access\u{1b}[2JDenied\u{202e}", "msg \u{1b} kept");
        assert_eq!(e.code, "Access2JDenied");
        assert_eq!(e.to_string(), "unknown (Access2JDenied)");
        assert!(
            e.message.contains('\u{1b}'),
            "the message is evidence: kept verbatim"
        );
        let back: FieldError =
            serde_json::from_str(r#"{"code":"X\u001b]0;t\u0007","message":"m"}"#).expect("json");
        assert_eq!(back.code, "X0t");
        assert_eq!(FieldError::new("\u{1b}", "m").code, "Unknown");
    }

    #[test]
    fn an_error_without_a_message_has_no_dangling_dash() {
        assert_eq!(
            FieldError::new("AccessDenied", "").explained(),
            "unknown (AccessDenied)"
        );
        assert_eq!(
            FieldError::new("AccessDenied", "no s3:GetBucketCORS").explained(),
            "unknown (AccessDenied) — no s3:GetBucketCORS"
        );
    }
}

/// One default-encryption rule, in full (enough to write it back exactly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionRule {
    /// "AES256", "aws:kms" or "aws:kms:dsse".
    pub sse_algorithm: String,
    pub kms_master_key_id: Option<String>,
    pub bucket_key_enabled: Option<bool>,
    /// Encryption types new writes may not use ("SSE-C"): the bucket
    /// setting that stops SSE-C ransomware.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_encryption_types: Vec<String>,
}

impl EncryptionRule {
    pub fn blocks_sse_c(&self) -> bool {
        self.blocked_encryption_types.iter().any(|t| t == "SSE-C")
    }
}
