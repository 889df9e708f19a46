//! Bucket policy analysis, following S3's documented meaning of "public"
//! (S3 User Guide, "Blocking public access", "The meaning of public").
//!
//! S3 starts from "public" and clears a statement only when it grants access
//! solely to *fixed* values (no `*`, `?` or `${policy variable}`) of:
//! an AWS principal (account, user, role, service); a set of CIDRs in
//! `aws:SourceIp`, none broader than /8 (IPv4) or /32 (IPv6) unless inside an
//! RFC 1918 private range; `aws:SourceArn`; `aws:SourceVpc`;
//! `aws:SourceVpce`; `aws:SourceOwner`; `aws:SourceAccount`;
//! `s3:x-amz-server-side-encryption-aws-kms-key-id`; `aws:userid` (where the
//! pattern `AROLEID:*` still counts as fixed); `s3:DataAccessPointArn` (a
//! wildcard in the access point name is allowed if the account is fixed) and
//! `s3:DataAccessPointAccount`. Only "bad actions" matter: `s3:Get*`,
//! `s3:List*`, `s3:Put*`, `s3:Delete*`, `s3:AbortMultipartUpload`,
//! `s3:RestoreObject`. A `Federated` principal of a public identity provider
//! (the guide's own example is `graph.facebook.com`) is anyone with a login
//! there: public.
//!
//! We also accept `aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` (whose organisation id
//! is fixed) as limiting: they name the caller as a fixed `Principal` would
//! (the guide names `aws:PrincipalOrgID` as one). They are reported as
//! *shared* (not private) when they reach beyond the bucket owner's account
//! or organisation.
//!
//! Only Allow statements grant. S3's documented rule judges a policy by what
//! its grants are limited to and says nothing of Deny statements, so a Deny
//! never makes a public grant non-public here either: the verdict stays the
//! one `GetBucketPolicyStatus` would give. When a Deny provably removes
//! everything an Allow grants (everyone, no condition, every action and
//! resource of the grant), the analysis records it so the WHY can say so.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

/// The Sid of the Deny warroom adds to lock a bucket's configuration to
/// its own account (the playbook's control-plane step).
pub const CONTROL_LOCK_SID: &str = "WarroomDenyControlPlaneOutsideAccount";

/// The Sid of warroom's quarantine: Deny every S3 action to all but the
/// break-glass principals.
pub const QUARANTINE_SID: &str = "WarroomQuarantine";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Allow,
    Deny,
}

/// What one statement does to the bucket's exposure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StatementExposure {
    /// Anyone (anonymous or any AWS account) gets data access.
    Public { why: String },
    /// Named principals outside the owner's account get data access.
    CrossAccount { accounts: Vec<String>, why: String },
    /// Only the owner's account, AWS services, or a network/VPC restriction.
    Restricted { why: String },
    /// Allow without any data-exposing ("bad") action.
    NoDataAccess,
    /// A Deny statement.
    Deny { why: String },
}

/// The kinds of access a statement grants, for the responder's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Access {
    pub read_objects: bool,
    pub read_config: bool,
    pub list: bool,
    pub write: bool,
    pub delete: bool,
    pub change_permissions: bool,
}

impl Access {
    pub fn any(&self) -> bool {
        self.read_objects
            || self.read_config
            || self.list
            || self.write
            || self.delete
            || self.change_permissions
    }

    /// Short human summary, e.g. "read, list, write".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (on, name) in [
            (self.read_objects, "read objects"),
            (self.list, "list"),
            (self.write, "write"),
            (self.delete, "delete"),
            (self.change_permissions, "change permissions"),
            (self.read_config, "read config"),
        ] {
            if on {
                parts.push(name);
            }
        }
        if parts.is_empty() {
            "no data access".to_string()
        } else {
            parts.join(", ")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementAnalysis {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub exposure: StatementExposure,
    pub access: Access,
    pub resources: Vec<String>,
    /// For a public or cross-account Allow: the Deny statement (its label)
    /// that removes every access it grants, for everyone, unconditionally.
    pub denied_by: Option<String>,
    /// The statement as it appears in the document, for the detail view.
    #[serde(skip)]
    pub raw: Value,
}

impl StatementAnalysis {
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("statement {} ({sid})", self.index + 1),
            _ => format!("statement {}", self.index + 1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyAnalysis {
    pub statements: Vec<StatementAnalysis>,
}

impl PolicyAnalysis {
    pub fn is_public(&self) -> bool {
        self.statements
            .iter()
            .any(|s| matches!(s.exposure, StatementExposure::Public { .. }))
    }

    pub fn shared_accounts(&self) -> BTreeSet<String> {
        self.statements
            .iter()
            .filter_map(|s| match &s.exposure {
                StatementExposure::CrossAccount { accounts, .. } => Some(accounts.iter().cloned()),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy is not valid JSON: {0}")]
    NotJson(String),
    #[error("policy has no Statement")]
    NoStatement,
}

/// Who the bucket belongs to, so grants can be told apart as internal or not.
#[derive(Debug, Clone, Default)]
pub struct Owner<'a> {
    pub account_id: Option<&'a str>,
    pub canonical_id: Option<&'a str>,
    /// The owner's AWS Organization (`o-…`), when known: a grant limited to
    /// it stays inside the owner's organisation.
    pub org_id: Option<&'a str>,
}

pub fn analyze(document: &str, owner: &Owner<'_>) -> Result<PolicyAnalysis, PolicyError> {
    let doc: Value =
        serde_json::from_str(document).map_err(|e| PolicyError::NotJson(e.to_string()))?;
    let statements = match get_ci(&doc, "Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(item @ Value::Object(_)) => vec![item.clone()],
        _ => return Err(PolicyError::NoStatement),
    };
    let mut statements: Vec<StatementAnalysis> = statements
        .into_iter()
        .enumerate()
        .map(|(index, raw)| analyze_statement(index, raw, owner))
        .collect();
    mark_denied_grants(&mut statements);
    Ok(PolicyAnalysis { statements })
}

fn analyze_statement(index: usize, raw: Value, owner: &Owner<'_>) -> StatementAnalysis {
    let sid = get_ci(&raw, "Sid")
        .and_then(Value::as_str)
        .map(str::to_string);
    let effect = match get_ci(&raw, "Effect").and_then(Value::as_str) {
        Some(e) if e.eq_ignore_ascii_case("deny") => Effect::Deny,
        _ => Effect::Allow,
    };
    let access = match (get_ci(&raw, "Action"), get_ci(&raw, "NotAction")) {
        (Some(a), _) => access_of_actions(&strings(a)),
        (None, Some(na)) => access_of_not_actions(&strings(na)),
        (None, None) => Access::default(),
    };
    let resources = get_ci(&raw, "Resource")
        .or_else(|| get_ci(&raw, "NotResource"))
        .map(strings)
        .unwrap_or_default();
    let conditions = conditions(get_ci(&raw, "Condition"));

    let exposure = if effect == Effect::Deny {
        StatementExposure::Deny {
            why: format!("denies {}", access.describe()),
        }
    } else if !access.any() {
        StatementExposure::NoDataAccess
    } else if let Some(np) = get_ci(&raw, "NotPrincipal") {
        let _ = np;
        // Allow + NotPrincipal grants to everyone except the listed principals.
        limited_or(
            &conditions,
            owner,
            "NotPrincipal with Allow grants to everyone not listed",
        )
    } else {
        match get_ci(&raw, "Principal") {
            None => StatementExposure::Restricted {
                why: "no Principal (not valid in a bucket policy; grants nothing)".into(),
            },
            Some(p) => {
                let principals = principals(p);
                if let Some(open) = principals.iter().find(|p| p.is_open()) {
                    let why = format!("Principal {} is not a fixed principal", open.display());
                    limited_or(&conditions, owner, &why)
                } else {
                    fixed_principals(&principals, owner)
                }
            }
        }
    };

    StatementAnalysis {
        index,
        sid,
        effect,
        exposure,
        access,
        resources,
        denied_by: None,
        raw,
    }
}

/// Record, on each public or cross-account Allow, a Deny that provably takes
/// all of it away: it applies to everyone (`"*"`), has no condition, and its
/// actions and resources cover every action and resource the Allow names.
/// Anything less (a condition, NotPrincipal, NotAction, NotResource) might
/// leave some of the grant standing, so it is not claimed.
fn mark_denied_grants(statements: &mut [StatementAnalysis]) {
    let blanket_denies: Vec<(String, Vec<String>, Vec<String>)> = statements
        .iter()
        .filter(|s| s.effect == Effect::Deny)
        .filter_map(|s| {
            let raw = &s.raw;
            let everyone = get_ci(raw, "Principal").is_some_and(|p| {
                principals(p)
                    .iter()
                    .all(|p| p.kind == "*" || (p.kind == "aws" && p.value == "*"))
            });
            let plain = get_ci(raw, "Condition")
                .is_none_or(|c| c.as_object().is_some_and(|m| m.is_empty()))
                && get_ci(raw, "NotPrincipal").is_none()
                && get_ci(raw, "NotAction").is_none()
                && get_ci(raw, "NotResource").is_none();
            (everyone && plain).then(|| {
                (
                    s.label(),
                    get_ci(raw, "Action").map(strings).unwrap_or_default(),
                    get_ci(raw, "Resource").map(strings).unwrap_or_default(),
                )
            })
        })
        .collect();
    if blanket_denies.is_empty() {
        return;
    }
    // Pattern `d` covers every string pattern `p` can match when `d` matches
    // `p`'s own text, `*` against `*`; a `?` in `d` could match a `*` of `p`
    // without covering what it stands for, so such a `d` is not trusted.
    let covers = |ds: &[String], ps: &[String]| {
        !ps.is_empty()
            && ps
                .iter()
                .all(|p| ds.iter().any(|d| !d.contains('?') && glob_match(d, p)))
    };
    for st in statements.iter_mut() {
        if !matches!(
            st.exposure,
            StatementExposure::Public { .. } | StatementExposure::CrossAccount { .. }
        ) {
            continue;
        }
        let Some(actions) = get_ci(&st.raw, "Action").map(strings) else {
            continue; // NotAction: what it grants is open-ended
        };
        let Some(resources) = get_ci(&st.raw, "Resource").map(strings) else {
            continue; // NotResource
        };
        st.denied_by = blanket_denies
            .iter()
            .find(|(_, da, dr)| covers(da, &actions) && covers(dr, &resources))
            .map(|(label, _, _)| label.clone());
    }
}

/// For a statement whose principal is open: a limiting condition makes it
/// non-public (perhaps shared); otherwise it is public.
fn limited_or(conds: &[Condition], owner: &Owner<'_>, open_why: &str) -> StatementExposure {
    let limits: Vec<Limit> = conds.iter().filter_map(limit_of).collect();
    if limits.is_empty() {
        let unlimited = if conds.is_empty() {
            "and there is no condition".to_string()
        } else {
            "and no condition limits it to fixed values of a key S3 accepts".to_string()
        };
        return StatementExposure::Public {
            why: format!("{open_why} {unlimited}"),
        };
    }
    let mut external: Vec<String> = Vec::new();
    let mut whys: Vec<String> = Vec::new();
    for limit in &limits {
        whys.push(limit.describe.clone());
        for account in &limit.accounts {
            if Some(account.as_str()) != owner.account_id {
                external.push(account.clone());
            }
        }
        for org in &limit.orgs {
            if Some(org.as_str()) != owner.org_id {
                external.push(format!("organization {org}"));
            }
        }
    }
    external.sort();
    external.dedup();
    let why = format!("open principal limited by {}", whys.join("; "));
    if external.is_empty() {
        StatementExposure::Restricted { why }
    } else {
        StatementExposure::CrossAccount {
            accounts: external,
            why,
        }
    }
}

fn fixed_principals(principals: &[PrincipalRef], owner: &Owner<'_>) -> StatementExposure {
    let mut external: Vec<String> = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    for p in principals {
        match p.kind.as_str() {
            "aws" if cloudfront_oai(&p.value).is_some() => {
                let id = cloudfront_oai(&p.value).unwrap_or_default();
                external.push(format!("CloudFront origin access identity {id}"));
                kinds.push(format!(
                    "CloudFront origin access identity {id} (not another account: CloudFront reads for the distribution's viewers, so whoever can reach the distribution can read)"
                ));
            }
            "aws" => match account_of_principal(&p.value) {
                Some(acct) if Some(acct.as_str()) == owner.account_id => {
                    kinds.push(format!("own account principal {}", p.value))
                }
                Some(acct) => {
                    external.push(acct.clone());
                    kinds.push(format!("{} (account {acct})", p.value));
                }
                None => {
                    // A unique id (AIDA…/AROA…) or something we cannot place:
                    // treat it as external rather than guess.
                    external.push(p.value.clone());
                    kinds.push(format!("principal {}", p.value));
                }
            },
            "canonicaluser" => {
                if Some(p.value.as_str()) != owner.canonical_id {
                    external.push(format!("canonical user {}", p.value));
                }
                kinds.push(format!("canonical user {}", p.value));
            }
            "federated" => {
                external.push(format!("federated {}", p.value));
                kinds.push(format!("federated {}", p.value));
            }
            _ => kinds.push(format!("service {}", p.value)),
        }
    }
    external.sort();
    external.dedup();
    if external.is_empty() {
        StatementExposure::Restricted {
            why: format!("granted to {}", kinds.join(", ")),
        }
    } else {
        StatementExposure::CrossAccount {
            why: format!("granted to {}", kinds.join(", ")),
            accounts: external,
        }
    }
}

/// The id of a CloudFront origin access identity principal,
/// `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QW…`.
fn cloudfront_oai(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let id = rest
        .strip_prefix("iam::cloudfront:user/CloudFront Origin Access Identity ")?
        .trim();
    (!id.is_empty()).then_some(id)
}

/// Web identity providers anyone can sign in to: a `Federated` principal
/// naming one grants to every user of it.
const PUBLIC_IDENTITY_PROVIDERS: &[&str] = &[
    "graph.facebook.com",
    "accounts.google.com",
    "www.amazon.com",
    "cognito-identity.amazonaws.com",
    "appleid.apple.com",
];

/// The 12-digit account of `123456789012` or `arn:aws:iam::123456789012:…`.
pub fn account_of_principal(value: &str) -> Option<String> {
    let candidate = if value.starts_with("arn:") {
        value.split(':').nth(4)?
    } else {
        value
    };
    (candidate.len() == 12 && candidate.bytes().all(|b| b.is_ascii_digit()))
        .then(|| candidate.to_string())
}

#[derive(Debug)]
struct PrincipalRef {
    kind: String, // lower-case: "*", aws, service, federated, canonicaluser
    value: String,
}

impl PrincipalRef {
    fn is_open(&self) -> bool {
        self.kind == "*"
            || self.value.contains('*')
            || self.value.contains('?')
            || self.is_public_identity_provider()
    }

    fn is_public_identity_provider(&self) -> bool {
        self.kind == "federated"
            && PUBLIC_IDENTITY_PROVIDERS
                .iter()
                .any(|idp| self.value.eq_ignore_ascii_case(idp))
    }

    fn display(&self) -> String {
        if self.kind == "*" {
            "\"*\"".to_string()
        } else if self.is_public_identity_provider() {
            format!(
                "{{\"Federated\": \"{}\"}} (a public identity provider: anyone with a login there)",
                self.value
            )
        } else {
            format!("{{\"{}\": \"{}\"}}", self.kind_name(), self.value)
        }
    }

    fn kind_name(&self) -> &str {
        match self.kind.as_str() {
            "aws" => "AWS",
            "service" => "Service",
            "federated" => "Federated",
            "canonicaluser" => "CanonicalUser",
            other => other,
        }
    }
}

/// Does this bucket policy statement let requests through the access
/// point `ap_arn` (owned by `ap_account`, reached from the Internet when
/// `internet`)? The delegation AWS documents: an Allow to everyone limited
/// only by `s3:DataAccessPointAccount`, `s3:DataAccessPointArn` or
/// `s3:AccessPointNetworkOrigin`, so the access point's own policy decides
/// (or no condition at all: then it is public on its own).
pub fn delegates_to_access_point(
    st: &StatementAnalysis,
    ap_arn: &str,
    ap_account: &str,
    internet: bool,
) -> bool {
    if st.effect != Effect::Allow || !st.access.any() {
        return false;
    }
    let everyone = get_ci(&st.raw, "Principal")
        .map(principals)
        .is_some_and(|ps| {
            ps.iter()
                .any(|p| p.value == "*" && (p.kind == "*" || p.kind == "aws"))
        });
    if !everyone || get_ci(&st.raw, "NotPrincipal").is_some() {
        return false;
    }
    let conds = conditions(get_ci(&st.raw, "Condition"));
    if conds.is_empty() {
        // Open to everyone outright: the statement is public on its own.
        return true;
    }
    conds.iter().all(|c| {
        let op = c.operator.to_ascii_lowercase();
        let like = op.contains("like");
        let equals = matches!(
            op.as_str(),
            "stringequals" | "stringlike" | "arnequals" | "arnlike" | "stringequalsignorecase"
        );
        if !equals {
            return false;
        }
        let hit = |target: &str| {
            c.values.iter().any(|v| {
                if like {
                    glob_match(v, target)
                } else {
                    v.eq_ignore_ascii_case(target)
                }
            })
        };
        match c.key.as_str() {
            "s3:dataaccesspointaccount" => hit(ap_account),
            "s3:dataaccesspointarn" => hit(ap_arn),
            "s3:accesspointnetworkorigin" => hit(if internet { "Internet" } else { "VPC" }),
            _ => false,
        }
    })
}

/// Does this statement let CloudFront fetch objects for distribution
/// `distribution_arn`? Through origin access control (the service
/// principal `cloudfront.amazonaws.com`, with an `AWS:SourceArn` that
/// matches the distribution, or none), or through origin access identity
/// `oai` (its IAM-style principal), or because it grants everyone.
/// Other conditions are taken as met: a door is never assumed shut.
pub fn lets_cloudfront_read(
    st: &StatementAnalysis,
    distribution_arn: &str,
    oai: Option<&str>,
) -> bool {
    if st.effect != Effect::Allow
        || !st.access.read_objects
        || get_ci(&st.raw, "NotPrincipal").is_some()
    {
        return false;
    }
    let Some(ps) = get_ci(&st.raw, "Principal").map(principals) else {
        return false;
    };
    let service = ps
        .iter()
        .any(|p| p.kind == "service" && p.value.eq_ignore_ascii_case("cloudfront.amazonaws.com"));
    let identity = oai.is_some_and(|id| {
        ps.iter()
            .any(|p| p.kind == "aws" && cloudfront_oai(&p.value) == Some(id))
    });
    let everyone = ps.iter().any(|p| p.value == "*");
    if identity || everyone {
        return true;
    }
    if !service {
        return false;
    }
    conditions(get_ci(&st.raw, "Condition"))
        .iter()
        .filter(|c| c.key == "aws:sourcearn")
        .all(|c| {
            let op = c.operator.to_ascii_lowercase();
            if op.starts_with("forallvalues:") || op.contains("not") {
                return true;
            }
            let like = op.contains("like");
            c.values.iter().any(|v| {
                if like {
                    glob_match(v, distribution_arn)
                } else {
                    v == distribution_arn
                }
            })
        })
}

fn principals(p: &Value) -> Vec<PrincipalRef> {
    match p {
        Value::String(s) if s == "*" => vec![PrincipalRef {
            kind: "*".into(),
            value: "*".into(),
        }],
        // A bare string other than "*" is not valid; treat it as an AWS principal.
        Value::String(s) => vec![PrincipalRef {
            kind: "aws".into(),
            value: s.clone(),
        }],
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| {
                let kind = k.to_ascii_lowercase();
                strings(v).into_iter().map(move |value| PrincipalRef {
                    kind: kind.clone(),
                    value,
                })
            })
            .collect(),
        other => vec![PrincipalRef {
            kind: "aws".into(),
            value: other.to_string(),
        }],
    }
}

#[derive(Debug)]
struct Condition {
    operator: String, // as written
    key: String,      // lower-case
    values: Vec<String>,
}

fn conditions(c: Option<&Value>) -> Vec<Condition> {
    let Some(Value::Object(ops)) = c else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (operator, keys) in ops {
        if let Value::Object(keys) = keys {
            for (key, values) in keys {
                out.push(Condition {
                    operator: operator.clone(),
                    key: key.to_ascii_lowercase(),
                    values: strings(values),
                });
            }
        }
    }
    out
}

struct Limit {
    describe: String,
    accounts: Vec<String>,
    /// The AWS Organizations the grant is limited to.
    orgs: Vec<String>,
}

/// Whether one condition limits an open grant to fixed values, per S3's rules.
fn limit_of(c: &Condition) -> Option<Limit> {
    let op = c.operator.to_ascii_lowercase();
    // `…IfExists` passes when the key is absent (anonymous requests carry no
    // VPC or account keys); ForAllValues passes on an empty set; negated
    // operators match "everything but". None of those limit the grant.
    if op.ends_with("ifexists") || op.starts_with("forallvalues:") {
        return None;
    }
    let base = op.strip_prefix("foranyvalue:").unwrap_or(&op);
    let positive_string = matches!(
        base,
        "stringequals" | "stringequalsignorecase" | "stringlike" | "arnequals" | "arnlike"
    );
    if c.values.is_empty() {
        return None;
    }
    let fixed = |v: &str| !(v.contains('*') || v.contains('?') || v.contains("${"));
    let all_fixed = c.values.iter().all(|v| fixed(v));
    let list = c.values.join(", ");
    let simple = |accounts: Vec<String>| {
        Some(Limit {
            describe: format!("{} = {}", c.key, list),
            accounts,
            orgs: Vec::new(),
        })
    };
    match c.key.as_str() {
        "aws:sourceip" => {
            if base != "ipaddress" {
                return None;
            }
            // S3 counts a range broader than /8 (IPv4) or /32 (IPv6) as
            // public, 0.0.0.0/1 as much as 0.0.0.0/0; one such value opens
            // the whole condition.
            if c.values.iter().any(|v| !narrow_cidr(v)) {
                return None;
            }
            simple(Vec::new())
        }
        "aws:sourcevpc" | "aws:sourcevpce" | "s3:x-amz-server-side-encryption-aws-kms-key-id"
            if positive_string && all_fixed =>
        {
            simple(Vec::new())
        }
        "aws:sourcearn" if positive_string && all_fixed => {
            simple(c.values.iter().filter_map(|v| account_of_arn(v)).collect())
        }
        "aws:sourceowner"
        | "aws:sourceaccount"
        | "s3:dataaccesspointaccount"
        | "aws:principalaccount"
            if positive_string && all_fixed =>
        {
            simple(c.values.clone())
        }
        "aws:principalarn" if positive_string && all_fixed => simple(
            c.values
                .iter()
                .filter_map(|v| account_of_principal(v))
                .collect(),
        ),
        "aws:principalorgid" if positive_string && all_fixed => Some(Limit {
            describe: format!("{} = {}", c.key, list),
            accounts: Vec::new(),
            orgs: c.values.clone(),
        }),
        "aws:principalorgpaths" if positive_string => {
            // `o-a1b2c3/r-ab12/ou-ab12-11111111/*`: a path inside one fixed
            // organisation; a wildcard below the organisation id only
            // narrows it further.
            let orgs: Option<Vec<String>> = c
                .values
                .iter()
                .map(|v| {
                    let org = v.split('/').next()?;
                    (org.starts_with("o-") && org.len() > 2 && fixed(org) && v.contains('/'))
                        .then(|| org.to_string())
                })
                .collect();
            orgs.map(|orgs| Limit {
                describe: format!("{} = {}", c.key, list),
                accounts: Vec::new(),
                orgs,
            })
        }
        "aws:userid" if positive_string => {
            // "AROLEID:*" (a role's unique id, any session) counts as fixed.
            let ok = c.values.iter().all(|v| {
                fixed(v)
                    || v.strip_suffix(":*")
                        .is_some_and(|id| id.starts_with("AROA") && fixed(id) && id.len() > 4)
            });
            ok.then(|| Limit {
                describe: format!("{} = {}", c.key, list),
                accounts: Vec::new(),
                orgs: Vec::new(),
            })
        }
        "s3:dataaccesspointarn" if positive_string => {
            // A wildcard in the access point name is fine if the account is fixed.
            let accounts: Option<Vec<String>> = c
                .values
                .iter()
                .map(|v| {
                    let parts: Vec<&str> = v.splitn(6, ':').collect();
                    let acct = parts.get(4)?;
                    (parts.len() == 6
                        && fixed(parts[..5].join(":").as_str())
                        && account_of_principal(acct).is_some())
                    .then(|| acct.to_string())
                })
                .collect();
            accounts.and_then(simple)
        }
        _ => None,
    }
}

/// Whether an `aws:SourceIp` value is narrow enough for S3 to call the grant
/// non-public: an address, or a CIDR of /8 or longer (IPv4), /32 or longer
/// (IPv6). Anything unreadable is not narrow.
fn narrow_cidr(value: &str) -> bool {
    use std::net::IpAddr;
    let value = value.trim();
    let (addr, len) = match value.split_once('/') {
        Some((a, l)) => match l.parse::<u8>() {
            Ok(l) => (a, Some(l)),
            Err(_) => return false,
        },
        None => (value, None),
    };
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => {
            let len = len.unwrap_or(32);
            if len > 32 {
                return false;
            }
            // RFC 1918 excludes 10/8, 172.16/12 and 192.168/16 from the
            // rule, but each is /8 or narrower, so they pass this test anyway.
            len >= 8
        }
        Ok(IpAddr::V6(_)) => len.is_none_or(|l| (32..=128).contains(&l)),
        Err(_) => false,
    }
}

fn account_of_arn(arn: &str) -> Option<String> {
    let acct = arn.split(':').nth(4)?;
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then(|| acct.to_string())
}

// --- actions -------------------------------------------------------------

/// Prefixes of S3's "bad actions" (those that can expose data).
const BAD_PREFIXES: [&str; 4] = ["s3:get", "s3:list", "s3:put", "s3:delete"];
const BAD_EXACT: [&str; 2] = ["s3:abortmultipartupload", "s3:restoreobject"];

/// Representative concrete actions, used to say *what kind* of access a
/// pattern grants and to evaluate NotAction.
const CATALOGUE: &[(&str, Class)] = &[
    ("s3:GetObject", Class::ReadObjects),
    ("s3:GetObjectVersion", Class::ReadObjects),
    ("s3:GetObjectAttributes", Class::ReadObjects),
    ("s3:GetObjectTorrent", Class::ReadObjects),
    ("s3:GetObjectAcl", Class::ReadConfig),
    ("s3:GetObjectTagging", Class::ReadConfig),
    ("s3:GetBucketPolicy", Class::ReadConfig),
    ("s3:GetBucketAcl", Class::ReadConfig),
    ("s3:GetBucketLocation", Class::ReadConfig),
    ("s3:GetBucketTagging", Class::ReadConfig),
    ("s3:GetBucketVersioning", Class::ReadConfig),
    ("s3:GetEncryptionConfiguration", Class::ReadConfig),
    ("s3:ListBucket", Class::List),
    ("s3:ListBucketVersions", Class::List),
    ("s3:ListBucketMultipartUploads", Class::List),
    ("s3:ListMultipartUploadParts", Class::List),
    ("s3:PutObject", Class::Write),
    ("s3:PutObjectTagging", Class::Write),
    ("s3:PutBucketTagging", Class::Write),
    ("s3:PutBucketVersioning", Class::Write),
    ("s3:PutLifecycleConfiguration", Class::Write),
    ("s3:PutEncryptionConfiguration", Class::Write),
    ("s3:AbortMultipartUpload", Class::Write),
    ("s3:RestoreObject", Class::Write),
    ("s3:DeleteObject", Class::Delete),
    ("s3:DeleteObjectVersion", Class::Delete),
    ("s3:DeleteObjectTagging", Class::Delete),
    ("s3:DeleteBucket", Class::Delete),
    ("s3:PutBucketPolicy", Class::Permissions),
    ("s3:DeleteBucketPolicy", Class::Permissions),
    ("s3:PutBucketAcl", Class::Permissions),
    ("s3:PutObjectAcl", Class::Permissions),
    ("s3:PutBucketPublicAccessBlock", Class::Permissions),
    ("s3:PutBucketOwnershipControls", Class::Permissions),
];

#[derive(Debug, Clone, Copy)]
enum Class {
    ReadObjects,
    ReadConfig,
    List,
    Write,
    Delete,
    Permissions,
}

fn mark(access: &mut Access, class: Class) {
    match class {
        Class::ReadObjects => access.read_objects = true,
        Class::ReadConfig => access.read_config = true,
        Class::List => access.list = true,
        Class::Write => access.write = true,
        Class::Delete => access.delete = true,
        Class::Permissions => access.change_permissions = true,
    }
}

/// An Object Lambda access point's policy names S3's object actions under
/// their own service prefix (`s3-object-lambda:GetObject`): the same access
/// to the same objects, so they are judged as the `s3:` actions.
fn as_s3_action(pattern: &str) -> std::borrow::Cow<'_, str> {
    const OBJECT_LAMBDA: &str = "s3-object-lambda:";
    match pattern.get(..OBJECT_LAMBDA.len()) {
        Some(p) if p.eq_ignore_ascii_case(OBJECT_LAMBDA) => {
            format!("s3:{}", &pattern[OBJECT_LAMBDA.len()..]).into()
        }
        _ => pattern.into(),
    }
}

fn access_of_actions(patterns: &[String]) -> Access {
    let mut access = Access::default();
    for pattern in patterns {
        let pattern = &*as_s3_action(pattern);
        for (action, class) in CATALOGUE {
            if glob_match(pattern, action) {
                mark(&mut access, *class);
            }
        }
        // A bad action outside our catalogue (a future s3:GetSomethingNew)
        // still counts: S3's rule is by prefix.
        if !access.any() && is_bad_pattern(pattern) {
            access.read_config = true;
        }
    }
    access
}

fn access_of_not_actions(excluded: &[String]) -> Access {
    let mut access = Access::default();
    for (action, class) in CATALOGUE {
        if !excluded
            .iter()
            .any(|p| glob_match(&as_s3_action(p), action))
        {
            mark(&mut access, *class);
        }
    }
    access
}

/// Can this action pattern match any of S3's bad actions?
pub fn is_bad_pattern(pattern: &str) -> bool {
    let pattern = &*as_s3_action(pattern);
    BAD_PREFIXES.iter().any(|p| glob_can_extend(pattern, p))
        || BAD_EXACT.iter().any(|a| glob_match(pattern, a))
}

/// IAM-style glob (`*`, `?`), case-insensitive, whole string.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let states = glob_states(pattern, text);
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    states.iter().any(|&i| p[i..].iter().all(|&c| c == '*'))
}

/// Is there any string starting with `prefix` that `pattern` matches? After
/// consuming the prefix, any live state can be completed (literals can be
/// typed, wildcards can match anything), so a live state is enough.
fn glob_can_extend(pattern: &str, prefix: &str) -> bool {
    !glob_states(pattern, prefix).is_empty()
}

/// The set of pattern positions reachable after consuming all of `text`.
fn glob_states(pattern: &str, text: &str) -> Vec<usize> {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let closure = |set: &mut Vec<usize>| {
        let mut i = 0;
        while i < set.len() {
            let s = set[i];
            if s < p.len() && p[s] == '*' && !set.contains(&(s + 1)) {
                set.push(s + 1);
            }
            i += 1;
        }
    };
    let mut states = vec![0usize];
    closure(&mut states);
    for c in text.to_lowercase().chars() {
        let mut next = Vec::new();
        for &s in &states {
            if s >= p.len() {
                continue;
            }
            match p[s] {
                '*' => next.push(s), // deduplicated below
                '?' => next.push(s + 1),
                pc if pc == c => next.push(s + 1),
                _ => {}
            }
        }
        next.sort_unstable();
        next.dedup();
        closure(&mut next);
        states = next;
        if states.is_empty() {
            break;
        }
    }
    states
}

// --- JSON helpers ------------------------------------------------------------

/// Policy element names are case-sensitive in IAM, but S3 accepts documents
/// written by hand; look the key up exactly first, then case-insensitively.
fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let map = v.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A string or list of strings (numbers and booleans as written).
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}
