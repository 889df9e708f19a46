//! The attacker's changes: what an incident principal changed since the
//! window opened — keys, users, policies, roles, trust, the trail — read
//! from CloudTrail records, backed by a sweep of the current IAM state
//! (an attacker who stops the trail leaves no events), and joined with
//! that state so each change says whether it is still in place.
//!
//! Pure: the records and the state come in, rows go out.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::credentials::CredentialFacts;
use super::trail::{Actor, TrailEvent, TrailInfo};

/// What an IAM policy is on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Holder {
    User(String),
    Group(String),
    Role(String),
}

impl Holder {
    pub fn label(&self) -> String {
        match self {
            Holder::User(n) => format!("user {n}"),
            Holder::Group(n) => format!("group {n}"),
            Holder::Role(n) => format!("role {n}"),
        }
    }
}

/// One kind of change, with what it was made on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum What {
    /// A new access key (its id from the response; never its secret,
    /// which CloudTrail does not record).
    AccessKeyCreated {
        user: String,
        key_id: Option<String>,
    },
    /// An access key set back to Active.
    AccessKeyActivated {
        user: String,
        key_id: String,
    },
    UserCreated {
        user: String,
    },
    /// A console password made (`created`) or changed.
    LoginProfile {
        user: String,
        created: bool,
    },
    MfaDevice {
        name: String,
    },
    PolicyAttached {
        on: Holder,
        policy: String,
    },
    InlinePolicy {
        on: Holder,
        policy: String,
    },
    AddedToGroup {
        user: String,
        group: String,
    },
    RoleCreated {
        role: String,
    },
    /// A role's trust policy rewritten; the new document when the record
    /// has it.
    TrustChanged {
        role: String,
        document: Option<String>,
    },
    FederationToken {
        name: String,
    },
    LoggingStopped {
        trail: String,
    },
    TrailDeleted {
        trail: String,
    },
    TrailUpdated {
        trail: String,
    },
    /// Event selectors rewritten; `drops_data` when no S3 data events are
    /// selected any more.
    EventSelectors {
        trail: String,
        drops_data: bool,
    },
    /// A lifecycle rule on a bucket a trail writes to: old logs expire.
    TrailBucketLifecycle {
        bucket: String,
    },
    BucketPolicy {
        bucket: String,
    },
    /// Lifecycle rules written on a bucket (not a trail's): `rule_ids` are
    /// the rules the request carried, `deletes` whether any expires
    /// objects or versions — the planted deadline of SSE-C ransomware.
    Lifecycle {
        bucket: String,
        rule_ids: Vec<String>,
        deletes: bool,
    },
    AccessPointCreated {
        name: String,
    },
    Replication {
        bucket: String,
    },
    AccountPublicAccessBlockRemoved,
}

impl What {
    /// One line for the responder.
    pub fn describe(&self) -> String {
        match self {
            What::AccessKeyCreated { user, key_id } => match key_id {
                Some(k) => format!("new access key {k} on user {user}"),
                None => format!("new access key on user {user}"),
            },
            What::AccessKeyActivated { user, key_id } => {
                format!("access key {key_id} of {user} set Active")
            }
            What::UserCreated { user } => format!("new user {user}"),
            What::LoginProfile {
                user,
                created: true,
            } => format!("console password made for {user}"),
            What::LoginProfile { user, .. } => format!("console password changed for {user}"),
            What::MfaDevice { name } => format!("new virtual MFA device {name}"),
            What::PolicyAttached { on, policy } => {
                format!("policy {policy} attached to {}", on.label())
            }
            What::InlinePolicy { on, policy } => {
                format!("inline policy {policy} put on {}", on.label())
            }
            What::AddedToGroup { user, group } => format!("user {user} added to group {group}"),
            What::RoleCreated { role } => format!("new role {role}"),
            What::TrustChanged { role, .. } => format!("trust policy of role {role} rewritten"),
            What::FederationToken { name } => format!("federation token issued ({name})"),
            What::LoggingStopped { trail } => format!("logging stopped on trail {trail}"),
            What::TrailDeleted { trail } => format!("trail {trail} deleted"),
            What::TrailUpdated { trail } => format!("trail {trail} updated"),
            What::EventSelectors {
                trail,
                drops_data: true,
            } => format!("event selectors of {trail} no longer log S3 data events"),
            What::EventSelectors { trail, .. } => format!("event selectors of {trail} rewritten"),
            What::TrailBucketLifecycle { bucket } => {
                format!("lifecycle rule on trail bucket {bucket}: logs expire")
            }
            What::BucketPolicy { bucket } => format!("bucket policy of {bucket} rewritten"),
            What::Lifecycle {
                bucket,
                rule_ids,
                deletes,
            } => format!(
                "lifecycle rule{} {} written on {bucket}{}",
                if rule_ids.len() == 1 { "" } else { "s" },
                if rule_ids.is_empty() {
                    "(no IDs)".to_string()
                } else {
                    rule_ids.join(", ")
                },
                if *deletes {
                    ": objects or versions expire"
                } else {
                    ""
                }
            ),
            What::AccessPointCreated { name } => format!("new access point {name}"),
            What::Replication { bucket } => format!("replication set on {bucket}"),
            What::AccountPublicAccessBlockRemoved => {
                "account-level Block Public Access removed".to_string()
            }
        }
    }

    /// Trail tampering: logging stopped, a trail gone or blinded.
    pub fn is_trail_tampering(&self) -> bool {
        matches!(
            self,
            What::LoggingStopped { .. }
                | What::TrailDeleted { .. }
                | What::TrailUpdated { .. }
                | What::EventSelectors { .. }
                | What::TrailBucketLifecycle { .. }
        )
    }
}

/// Where a change was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// A CloudTrail record.
    Trail,
    /// Only the sweep of the current state: no record of it was seen.
    Sweep,
    Both,
}

/// Whether the change is still in place, read from the current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "standing", content = "detail")]
pub enum Standing {
    InPlace,
    /// Undone, or what it made no longer exists.
    Gone,
    /// Partly undone (a key made Inactive but not deleted).
    Partly(String),
    /// The state that would say was not read.
    Unknown(String),
}

impl Standing {
    pub fn label(&self) -> String {
        match self {
            Standing::InPlace => "IN PLACE".into(),
            Standing::Gone => "gone".into(),
            Standing::Partly(why) => format!("partly: {why}"),
            Standing::Unknown(why) => format!("unknown: {why}"),
        }
    }
}

/// One row of the changes view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub what: What,
    /// Who made it (the actor's label); empty when found by the sweep.
    pub who: String,
    /// The key it was made with, when the record says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_key: Option<String>,
    /// When (the record's time, or the thing's creation date for the sweep).
    pub when: String,
    /// The source IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub found: Found,
    pub standing: Standing,
}

/// The principals the incident is about. An event is the attacker's when
/// its caller is one of these, anonymous, or of another account — and what
/// a suspect makes (a key, a user) becomes a suspect in turn, so the second
/// key is followed once the first is dead.
#[derive(Debug, Clone, Default)]
pub struct Suspects {
    pub keys: BTreeSet<String>,
    pub users: BTreeSet<String>,
    pub roles: BTreeSet<String>,
    /// Full ARNs the responder added.
    pub principals: BTreeSet<String>,
    /// The incident's own account: callers of other accounts are suspects.
    pub own_account: Option<String>,
}

/// The part of an IAM ARN after its last `/` (the user or role name).
fn name_in(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Suspects {
    pub fn involves(&self, a: &Actor) -> bool {
        if a.is_anonymous() {
            return true;
        }
        if let (Some(own), Some(acct)) = (&self.own_account, &a.account)
            && !acct.is_empty()
            && acct != own
        {
            return true;
        }
        if a.access_key_id
            .as_ref()
            .is_some_and(|k| self.keys.contains(k))
        {
            return true;
        }
        if let Some(arn) = &a.arn {
            if self.principals.contains(arn) {
                return true;
            }
            if arn.contains(":user/") && self.users.contains(name_in(arn)) {
                return true;
            }
        }
        if let Some(issuer) = &a.session_issuer {
            if self.principals.contains(issuer) {
                return true;
            }
            if issuer.contains(":role/") && self.roles.contains(name_in(issuer)) {
                return true;
            }
            if issuer.contains(":user/") && self.users.contains(name_in(issuer)) {
                return true;
            }
        }
        false
    }

    /// Follow what a suspect made: its new keys, users and backdoored roles
    /// are suspects from now on.
    fn adopt(&mut self, what: &What) {
        match what {
            What::AccessKeyCreated {
                key_id: Some(k), ..
            } => {
                self.keys.insert(k.clone());
            }
            What::UserCreated { user } => {
                self.users.insert(user.clone());
            }
            What::RoleCreated { role } | What::TrustChanged { role, .. } => {
                self.roles.insert(role.clone());
            }
            _ => {}
        }
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    at(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A trail named by ARN or by name: its name.
fn trail_name(v: &Value) -> String {
    let arn = text(v, &["requestParameters", "name"])
        .or_else(|| text(v, &["requestParameters", "trailName"]))
        .unwrap_or_else(|| "?".into());
    name_in(&arn).to_string()
}

/// Do these event selectors (basic or advanced, as PutEventSelectors takes
/// them) still select any S3 data event?
fn selects_s3_data(params: &Value) -> bool {
    let basic = params
        .get("eventSelectors")
        .and_then(Value::as_array)
        .is_some_and(|sels| {
            sels.iter().any(|s| {
                s.get("dataResources")
                    .and_then(Value::as_array)
                    .is_some_and(|r| {
                        r.iter().any(|d| {
                            d.get("type").and_then(Value::as_str) == Some("AWS::S3::Object")
                        })
                    })
            })
        });
    let advanced = params
        .get("advancedEventSelectors")
        .and_then(Value::as_array)
        .is_some_and(|sels| {
            sels.iter().any(|s| {
                s.get("fieldSelectors")
                    .and_then(Value::as_array)
                    .is_some_and(|f| {
                        f.iter().any(|fs| {
                            fs.get("field").and_then(Value::as_str) == Some("resources.type")
                                && fs.get("equals").and_then(Value::as_array).is_some_and(|e| {
                                    e.iter().any(|x| x.as_str() == Some("AWS::S3::Object"))
                                })
                        })
                    })
            })
        });
    basic || advanced
}

/// The rules a lifecycle write carried: their IDs, and whether any
/// expires objects or versions. CloudTrail records the XML body as JSON:
/// `LifecycleConfiguration.Rule` is one object or a list of them.
pub fn lifecycle_request(record: &Value) -> (Vec<String>, bool) {
    let rules = match at(
        record,
        &["requestParameters", "LifecycleConfiguration", "Rule"],
    ) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let ids = rules
        .iter()
        .filter_map(|r| r.get("ID").and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let deletes = rules.iter().any(|r| {
        r.get("Expiration")
            .is_some_and(|e| e.get("Days").is_some() || e.get("Date").is_some())
            || r.get("NoncurrentVersionExpiration").is_some()
    });
    (ids, deletes)
}

/// The change a CloudTrail record makes, if it is one the attacker's way
/// back could be; `trail_buckets` are the buckets trails write to (a
/// lifecycle rule there is tampering). Failed calls change nothing.
pub fn change_of(e: &TrailEvent, trail_buckets: &BTreeSet<String>) -> Option<What> {
    if e.error_code.is_some() {
        return None;
    }
    let record: Value = serde_json::from_str(&e.raw.get()).ok()?;
    let r = |k: &str| text(&record, &["requestParameters", k]);
    // A call on oneself (CreateAccessKey without a userName) names the
    // caller's user.
    let caller_user = || {
        e.actor
            .arn
            .as_deref()
            .filter(|a| a.contains(":user/"))
            .map(|a| name_in(a).to_string())
            .unwrap_or_else(|| "?".into())
    };
    let holder = |kind: &str| -> Option<Holder> {
        Some(match kind {
            "User" => Holder::User(r("userName")?),
            "Group" => Holder::Group(r("groupName")?),
            _ => Holder::Role(r("roleName")?),
        })
    };
    Some(match e.name.as_str() {
        "CreateAccessKey" => What::AccessKeyCreated {
            user: text(&record, &["responseElements", "accessKey", "userName"])
                .or_else(|| r("userName"))
                .unwrap_or_else(caller_user),
            key_id: text(&record, &["responseElements", "accessKey", "accessKeyId"]),
        },
        "UpdateAccessKey" if r("status").as_deref() == Some("Active") => What::AccessKeyActivated {
            user: r("userName").unwrap_or_else(caller_user),
            key_id: r("accessKeyId")?,
        },
        "CreateUser" => What::UserCreated {
            user: r("userName")?,
        },
        "CreateLoginProfile" | "UpdateLoginProfile" => What::LoginProfile {
            user: r("userName").unwrap_or_else(caller_user),
            created: e.name == "CreateLoginProfile",
        },
        "CreateVirtualMFADevice" => What::MfaDevice {
            name: r("virtualMFADeviceName")?,
        },
        "AttachUserPolicy" | "AttachGroupPolicy" | "AttachRolePolicy" => What::PolicyAttached {
            on: holder(&e.name["Attach".len()..e.name.len() - "Policy".len()])?,
            policy: r("policyArn")?,
        },
        "PutUserPolicy" | "PutGroupPolicy" | "PutRolePolicy" => What::InlinePolicy {
            on: holder(&e.name["Put".len()..e.name.len() - "Policy".len()])?,
            policy: r("policyName")?,
        },
        "AddUserToGroup" => What::AddedToGroup {
            user: r("userName")?,
            group: r("groupName")?,
        },
        "CreateRole" => What::RoleCreated {
            role: r("roleName")?,
        },
        "UpdateAssumeRolePolicy" => What::TrustChanged {
            role: r("roleName")?,
            document: r("policyDocument"),
        },
        "GetFederationToken" => What::FederationToken {
            name: r("name").unwrap_or_else(|| "?".into()),
        },
        "StopLogging" => What::LoggingStopped {
            trail: trail_name(&record),
        },
        "DeleteTrail" => What::TrailDeleted {
            trail: trail_name(&record),
        },
        "UpdateTrail" => What::TrailUpdated {
            trail: trail_name(&record),
        },
        "PutEventSelectors" => What::EventSelectors {
            trail: trail_name(&record),
            drops_data: !record.get("requestParameters").is_some_and(selects_s3_data),
        },
        "PutBucketLifecycle" | "PutBucketLifecycleConfiguration" => {
            let bucket = r("bucketName")?;
            if trail_buckets.contains(&bucket) {
                return Some(What::TrailBucketLifecycle { bucket });
            }
            let (rule_ids, deletes) = lifecycle_request(&record);
            What::Lifecycle {
                bucket,
                rule_ids,
                deletes,
            }
        }
        "PutBucketPolicy" => What::BucketPolicy {
            bucket: r("bucketName")?,
        },
        "CreateAccessPoint" => What::AccessPointCreated { name: r("name")? },
        "PutBucketReplication" => What::Replication {
            bucket: r("bucketName")?,
        },
        "DeleteAccountPublicAccessBlock" | "DeletePublicAccessBlock"
            if e.source.is_empty() || e.source.starts_with("s3") =>
        {
            // The account-level call (S3 Control) has no bucket.
            if e.bucket.is_some() {
                return None;
            }
            What::AccountPublicAccessBlockRemoved
        }
        _ => return None,
    })
}

/// What the changes are joined with: the current IAM state and trails, as
/// read now (`None`: not read).
#[derive(Debug, Clone, Copy, Default)]
pub struct Now<'a> {
    pub creds: Option<&'a CredentialFacts>,
    pub trails: Option<&'a [TrailInfo]>,
}

impl Now<'_> {
    pub fn standing(&self, what: &What) -> Standing {
        let no_creds = || Standing::Unknown("IAM not read".into());
        let users = || self.creds.and_then(|c| c.users.known());
        let roles = || self.creds.and_then(|c| c.roles.known());
        let exists = |yes: bool| {
            if yes {
                Standing::InPlace
            } else {
                Standing::Gone
            }
        };
        match what {
            What::AccessKeyCreated {
                user,
                key_id: Some(k),
            }
            | What::AccessKeyActivated { user, key_id: k } => {
                let Some(users) = users() else {
                    return no_creds();
                };
                let key = users
                    .iter()
                    .filter(|u| u.name == *user)
                    .filter_map(|u| u.keys.known())
                    .flatten()
                    .find(|key| key.key_id == *k);
                match key {
                    None => Standing::Gone,
                    Some(key) if key.status == "Active" => Standing::InPlace,
                    Some(_) => Standing::Partly("inactive, not deleted".into()),
                }
            }
            What::UserCreated { user } => match users() {
                Some(u) => exists(u.iter().any(|x| x.name == *user)),
                None => no_creds(),
            },
            What::RoleCreated { role } => match roles() {
                Some(r) => exists(r.iter().any(|x| x.name == *role)),
                None => no_creds(),
            },
            What::TrustChanged { role, .. } => match roles() {
                Some(r) => match r.iter().find(|x| x.name == *role) {
                    None => Standing::Gone,
                    Some(x) => match x.trust.known() {
                        Some(t) if t.iter().any(|p| p.flag.is_some()) => Standing::InPlace,
                        Some(_) => Standing::Gone,
                        None => Standing::Unknown("trust policy not read".into()),
                    },
                },
                None => no_creds(),
            },
            What::PolicyAttached { on, policy } | What::InlinePolicy { on, policy } => {
                let inline = matches!(what, What::InlinePolicy { .. });
                let held = |attached: &super::facts::Fact<Vec<String>>,
                            inl: &super::facts::Fact<Vec<String>>| {
                    match (if inline { inl } else { attached }).known() {
                        Some(list) => exists(list.iter().any(|p| p == policy)),
                        None => Standing::Unknown("policies not read".into()),
                    }
                };
                match on {
                    Holder::User(n) => match users() {
                        Some(u) => match u.iter().find(|x| x.name == *n) {
                            Some(x) => held(&x.attached_policies, &x.inline_policies),
                            None => Standing::Gone,
                        },
                        None => no_creds(),
                    },
                    Holder::Role(n) => match roles() {
                        Some(r) => match r.iter().find(|x| x.name == *n) {
                            Some(x) => held(&x.attached_policies, &x.inline_policies),
                            None => Standing::Gone,
                        },
                        None => no_creds(),
                    },
                    Holder::Group(_) => Standing::Unknown("groups are not read".into()),
                }
            }
            What::LoggingStopped { trail } => match self.trail(trail) {
                Ok(Some(t)) => match t.logging {
                    Some(false) => Standing::InPlace,
                    Some(true) => Standing::Gone,
                    None => Standing::Unknown("logging status not read".into()),
                },
                Ok(None) => Standing::Partly("the trail no longer exists".into()),
                Err(s) => s,
            },
            What::TrailDeleted { trail } => match self.trail(trail) {
                Ok(t) => exists(t.is_none()),
                Err(s) => s,
            },
            What::EventSelectors {
                trail,
                drops_data: true,
            } => match self.trail(trail) {
                Ok(Some(t)) => exists(t.data.is_empty()),
                Ok(None) => Standing::Partly("the trail no longer exists".into()),
                Err(s) => s,
            },
            // Passwords and groups are not swept (a call per user); a
            // deleted user takes both with it.
            What::LoginProfile { user, .. } | What::AddedToGroup { user, .. } => match users() {
                Some(u) if !u.iter().any(|x| x.name == *user) => Standing::Gone,
                Some(_) => Standing::Unknown("not read back: U plans it and reads it".into()),
                None => no_creds(),
            },
            _ => Standing::Unknown("not read back".into()),
        }
    }

    fn trail(&self, name: &str) -> Result<Option<&TrailInfo>, Standing> {
        let trails = self
            .trails
            .ok_or_else(|| Standing::Unknown("trails not read".into()))?;
        Ok(trails.iter().find(|t| t.name == name || t.arn == name))
    }
}

/// Whether the rules a lifecycle write carried are still on the bucket,
/// from its lifecycle rules read now.
pub fn lifecycle_standing(
    rule_ids: &[String],
    now: &[super::lifecycle::LifecycleRule],
) -> Standing {
    let there = rule_ids
        .iter()
        .filter(|id| now.iter().any(|r| r.id.as_ref() == Some(*id)))
        .count();
    match there {
        0 if rule_ids.is_empty() && !now.is_empty() => {
            Standing::Unknown("the rules carried no ID".into())
        }
        0 => Standing::Gone,
        n if n == rule_ids.len() => Standing::InPlace,
        n => Standing::Partly(format!("{n} of {} rules still there", rule_ids.len())),
    }
}

/// The changes incident principals made since `since` (seconds), in time
/// order, from CloudTrail records; trail tampering by anyone is kept (a
/// blinded trail matters whoever blinded it).
pub fn from_events<'e>(
    events: impl IntoIterator<Item = &'e TrailEvent>,
    suspects: &Suspects,
    since: i64,
    now: Now<'_>,
) -> Vec<Change> {
    let trail_buckets: BTreeSet<String> = now
        .trails
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.bucket.clone())
        .collect();
    let mut sorted: Vec<&TrailEvent> = events
        .into_iter()
        .filter(|e| crate::time::parse_time(&e.time).is_none_or(|t| t >= since))
        .collect();
    sorted.sort_by(|a, b| a.time.cmp(&b.time));
    sorted.dedup_by(|a, b| a.event_id == b.event_id);
    let mut suspects = suspects.clone();
    let mut out = Vec::new();
    for e in sorted {
        let Some(what) = change_of(e, &trail_buckets) else {
            continue;
        };
        if !suspects.involves(&e.actor) && !what.is_trail_tampering() {
            continue;
        }
        suspects.adopt(&what);
        out.push(Change {
            standing: now.standing(&what),
            what,
            who: e.actor.label(),
            with_key: e.actor.access_key_id.clone(),
            when: e.time.clone(),
            from: e.source_ip.clone(),
            event_id: Some(e.event_id.clone()),
            found: Found::Trail,
        });
    }
    out
}

/// The sweep: what the current state shows without CloudTrail — keys and
/// users made since `since`, roles whose trust reaches outside the account,
/// and administrator policies on suspects. Merged into `changes`: a change
/// also in the records becomes `Both`, one only here is added as `Sweep`.
pub fn sweep(changes: &mut Vec<Change>, suspects: &Suspects, since: i64, now: Now<'_>) {
    let Some(creds) = now.creds else {
        return;
    };
    let recent = |created: &Option<String>| {
        created
            .as_deref()
            .and_then(crate::time::parse_time)
            .is_some_and(|t| t >= since)
    };
    let mut found: Vec<(What, String)> = Vec::new();
    for u in creds.users.known().into_iter().flatten() {
        if recent(&u.created) {
            found.push((
                What::UserCreated {
                    user: u.name.clone(),
                },
                u.created.clone().unwrap_or_default(),
            ));
        }
        for k in u.keys.known().into_iter().flatten() {
            if recent(&k.created) {
                found.push((
                    What::AccessKeyCreated {
                        user: u.name.clone(),
                        key_id: Some(k.key_id.clone()),
                    },
                    k.created.clone().unwrap_or_default(),
                ));
            }
        }
        let suspect = suspects.users.contains(&u.name) || suspects.principals.contains(&u.arn);
        for p in u.attached_policies.known().into_iter().flatten() {
            if suspect && p.ends_with("/AdministratorAccess") {
                found.push((
                    What::PolicyAttached {
                        on: Holder::User(u.name.clone()),
                        policy: p.clone(),
                    },
                    String::new(),
                ));
            }
        }
    }
    for r in creds.roles.known().into_iter().flatten() {
        if r.trust.known().is_some_and(|t| {
            t.iter().any(|p| {
                p.flag
                    .as_deref()
                    .is_some_and(|f| f.starts_with("another account") || f.starts_with("anyone"))
            })
        }) {
            found.push((
                What::TrustChanged {
                    role: r.name.clone(),
                    document: None,
                },
                String::new(),
            ));
        }
        let suspect = suspects.roles.contains(&r.name) || suspects.principals.contains(&r.arn);
        for p in r.attached_policies.known().into_iter().flatten() {
            if suspect && p.ends_with("/AdministratorAccess") {
                found.push((
                    What::PolicyAttached {
                        on: Holder::Role(r.name.clone()),
                        policy: p.clone(),
                    },
                    String::new(),
                ));
            }
        }
    }
    for (what, when) in found {
        let same = |c: &Change| match (&c.what, &what) {
            // The record has the document, the sweep only the role.
            (What::TrustChanged { role: a, .. }, What::TrustChanged { role: b, .. }) => a == b,
            (a, b) => a == b,
        };
        if let Some(c) = changes.iter_mut().find(|c| same(c)) {
            c.found = Found::Both;
            continue;
        }
        changes.push(Change {
            standing: now.standing(&what),
            what,
            who: String::new(),
            with_key: None,
            when,
            from: None,
            event_id: None,
            found: Found::Sweep,
        });
    }
}

/// A trail blinded now: which, how, since when and by whom (from the
/// newest record of it in the tail, when the tail holds one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tampering {
    pub trail: String,
    /// "not logging", "deleted", "no longer logs S3 data events".
    pub how: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl Tampering {
    /// One line: "trail main not logging since 10:05:00Z (by user/leaked)".
    pub fn line(&self) -> String {
        format!(
            "trail {} {}{}{}",
            self.trail,
            self.how,
            self.when
                .as_deref()
                .map(|w| format!(" since {w}"))
                .unwrap_or_default(),
            self.by
                .as_deref()
                .map(|b| format!(" (by {b})"))
                .unwrap_or_default()
        )
    }
}

/// The trails blinded now. The current state decides (a trail logging
/// again is not tampered, whatever the records say); the records say who
/// and when. `trails`: None when they have not been read, so only records
/// can speak — and then a stop is reported until a later start is seen.
pub fn tampering<'e>(
    trails: Option<&[TrailInfo]>,
    events: impl IntoIterator<Item = &'e TrailEvent>,
) -> Vec<Tampering> {
    let is = |t: &TrailInfo, name: &str| t.name == name || t.arn == name || name_in(&t.arn) == name;
    // The newest record of each (trail, kind) first; a later StartLogging
    // or a selector put that logs data again settles the earlier one.
    let mut newest: Vec<(String, &'static str, &TrailEvent)> = Vec::new();
    let mut events: Vec<&TrailEvent> = events
        .into_iter()
        .filter(|e| {
            e.error_code.is_none() && (e.source.is_empty() || e.source.starts_with("cloudtrail"))
        })
        .collect();
    events.sort_by(|a, b| b.time.cmp(&a.time));
    for e in events {
        let kind = match e.name.as_str() {
            "StopLogging" | "StartLogging" => "logging",
            "DeleteTrail" | "CreateTrail" => "exists",
            "PutEventSelectors" => "selectors",
            _ => continue,
        };
        // Only these few records are parsed again: the rest of the ring is
        // passed over by name.
        let Ok(record) = serde_json::from_str::<Value>(&e.raw.get()) else {
            continue;
        };
        let trail = trail_name(&record);
        if !newest.iter().any(|(t, k, _)| *t == trail && *k == kind) {
            newest.push((trail, kind, e));
        }
    }
    let by = |e: &TrailEvent| Some(e.actor.label()).filter(|l| !l.is_empty());
    let mut out = Vec::new();
    match trails {
        Some(list) => {
            for t in list {
                if t.logging == Some(false) {
                    let rec = newest
                        .iter()
                        .find(|(n, k, e)| is(t, n) && *k == "logging" && e.name == "StopLogging")
                        .map(|(_, _, e)| *e);
                    out.push(Tampering {
                        trail: t.name.clone(),
                        how: "not logging".into(),
                        when: t
                            .stopped_at
                            .map(crate::time::iso_time)
                            .or_else(|| rec.map(|e| e.time.clone())),
                        by: rec.and_then(by),
                    });
                } else if t.data.is_empty()
                    && let Some(e) = newest
                        .iter()
                        .find(|(n, k, e)| {
                            is(t, n) && *k == "selectors" && e.name == "PutEventSelectors"
                        })
                        .map(|(_, _, e)| *e)
                {
                    out.push(Tampering {
                        trail: t.name.clone(),
                        how: "no longer logs S3 data events".into(),
                        when: Some(e.time.clone()),
                        by: by(e),
                    });
                }
            }
            for (trail, _, e) in newest
                .iter()
                .filter(|(_, k, e)| *k == "exists" && e.name == "DeleteTrail")
            {
                if !list.iter().any(|t| is(t, trail)) {
                    out.push(Tampering {
                        trail: trail.clone(),
                        how: "deleted".into(),
                        when: Some(e.time.clone()),
                        by: by(e),
                    });
                }
            }
        }
        None => {
            for (kind, how, name) in [
                ("logging", "not logging", "StopLogging"),
                ("exists", "deleted", "DeleteTrail"),
            ] {
                for (t, _, e) in newest
                    .iter()
                    .filter(|(_, k, e)| *k == kind && e.name == name)
                {
                    out.push(Tampering {
                        trail: t.clone(),
                        how: how.into(),
                        when: Some(e.time.clone()),
                        by: by(e),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
