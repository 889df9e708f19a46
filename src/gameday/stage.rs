//! Stages a scenario into the target: buckets with their data, users and
//! their keys, roles, the instance and its key pair, and (in the emulator)
//! a trail. Everything created carries the tag `warroom:gameday = <run>`,
//! which is what `warroom gameday teardown` looks for and all it removes.

use std::collections::BTreeMap;

use serde_json::json;

use super::scenario::{Grants, Scenario};
use crate::aws::game;
use crate::aws::seed::{create_bucket, create_logging_trail, versioning};
use crate::aws::{AwsError, Clients};

/// The tag every staged resource carries; its value is the run id.
pub use crate::aws::game::TAG;

/// A secret kept in memory for the attacker's requests: never printed,
/// never journaled, never drawn (`Debug` shows nothing of it).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The leaked user's key: the id is evidence; the secret is the attacker's.
#[derive(Debug, Clone)]
pub struct LeakedKey {
    pub user: String,
    pub access_key_id: String,
    pub secret: Secret,
}

#[derive(Debug, Clone)]
pub struct StagedInstance {
    pub instance_id: String,
    pub role: Option<String>,
    pub key_pair: Option<String>,
}

/// What was staged, for the attacker and the score.
#[derive(Debug, Clone)]
pub struct Staged {
    pub run_id: String,
    pub account: String,
    pub region: String,
    pub leaked: Option<LeakedKey>,
    pub instance: Option<StagedInstance>,
    /// (bucket, key) → the body before the attack: what "restored" means.
    pub originals: BTreeMap<(String, String), String>,
    /// When the original data was in place and the attack had not begun
    /// (seconds): the moment a restore should go back to.
    pub clean_at: i64,
}

fn tags(run_id: &str, extra: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        extra.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    out.push((TAG.to_string(), run_id.to_string()));
    out
}

fn invalid(e: impl std::fmt::Display) -> AwsError {
    AwsError::new("InvalidRequest", e.to_string())
}

/// The identity policy for a set of grants (bucket names → statements).
pub fn grants_policy(g: &Grants) -> String {
    let objects = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .map(|b| format!("arn:aws:s3:::{b}/*"))
            .collect()
    };
    let buckets = |names: &[String]| -> Vec<String> {
        names.iter().map(|b| format!("arn:aws:s3:::{b}")).collect()
    };
    let mut statements = Vec::new();
    if !g.can_read.is_empty() {
        let mut resources = buckets(&g.can_read);
        resources.extend(objects(&g.can_read));
        statements.push(json!({"Sid": "Read", "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
            "Resource": resources}));
    }
    if !g.can_write.is_empty() {
        statements.push(json!({"Sid": "Write", "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": objects(&g.can_write)}));
    }
    if !g.can_admin.is_empty() {
        statements.push(json!({"Sid": "Admin", "Effect": "Allow",
            "Action": ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketAcl"],
            "Resource": buckets(&g.can_admin)}));
    }
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// A role's trust policy with the attacker's account let in, added to what
/// it says (`iam-backdoor-role`): the role's own users keep working, so the
/// change goes unnoticed.
pub fn backdoored_trust(existing: &str, outsider: &str) -> String {
    let grant = json!({
        "Sid": "CrossAccountSupport", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{outsider}:root")},
        "Action": "sts:AssumeRole"});
    let mut doc: serde_json::Value = serde_json::from_str(existing)
        .unwrap_or_else(|_| json!({"Version": "2012-10-17", "Statement": []}));
    let mut items = match doc.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(one @ serde_json::Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    items.push(grant);
    doc["Statement"] = serde_json::Value::Array(items);
    doc.to_string()
}

/// The policy the attacker puts on a bucket: anyone may read its objects.
/// Added to what the policy already says (`existing`), as an attacker who
/// wants to go unnoticed would.
pub fn public_policy(bucket: &str, existing: Option<&str>) -> String {
    let grant = json!({
        "Sid": "AllowCdnRead", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")});
    let mut doc: serde_json::Value = existing
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}));
    let mut items = match doc.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(one @ serde_json::Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    items.retain(|s| s.get("Sid").and_then(|x| x.as_str()) != Some("AllowCdnRead"));
    items.push(grant);
    doc["Statement"] = serde_json::Value::Array(items);
    doc.to_string()
}

/// The bucket policy AWS documents for delegating access control to the
/// account's access points.
pub fn delegating_policy(bucket: &str, account: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "DelegateToAccessPoints", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": "*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"StringEquals": {"s3:DataAccessPointAccount": account}}}]})
    .to_string()
}

/// The access point policy the attacker puts on its side door.
pub fn public_access_point_policy(region: &str, account: &str, name: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "PartnerPortal", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:{region}:{account}:accesspoint/{name}/object/*")}]})
    .to_string()
}

/// Stage everything but the attack. `with_trail`: the target has no
/// CloudTrail of its own (the emulator), so a trail and its bucket are
/// created for the attacker's log files.
pub async fn stage(
    c: &Clients,
    scenario: &Scenario,
    run_id: &str,
    with_trail: bool,
    mut progress: impl FnMut(&str),
) -> Result<Staged, AwsError> {
    let identity = c.identity().await?;
    let account = identity.account;
    let region = c.region().to_string();
    let mut originals = BTreeMap::new();
    for b in &scenario.bucket {
        progress(&format!("bucket {}", b.name));
        create_bucket(c, &b.name, &region).await?;
        crate::aws::seed::tag_bucket(c, &b.name, &tags(run_id, &b.tags)).await?;
        if b.versioning {
            versioning(c, &b.name).await?;
        }
        if b.delegate_to_access_points {
            game::put_bucket_policy(&c.s3, &b.name, &delegating_policy(&b.name, &account)).await?;
        }
        for o in &b.object {
            game::put_object(&c.s3, &b.name, &o.key, o.body.clone().into_bytes()).await?;
            originals.insert((b.name.clone(), o.key.clone()), o.body.clone());
        }
    }
    if with_trail {
        progress(&format!("trail {}", scenario.trail.name));
        create_bucket(c, &scenario.trail.bucket, &region).await?;
        crate::aws::seed::tag_bucket(c, &scenario.trail.bucket, &tags(run_id, &BTreeMap::new()))
            .await?;
        let Some(data) = scenario.trail.data_buckets.first() else {
            return Err(invalid("the trail needs at least one data bucket"));
        };
        create_logging_trail(c, &scenario.trail.name, &scenario.trail.bucket, data).await?;
        let arn = format!(
            "arn:aws:cloudtrail:{region}:{account}:trail/{}",
            scenario.trail.name
        );
        game::tag_trail(c, &region, &arn, run_id).await?;
    }
    let mut leaked = None;
    for u in &scenario.user {
        progress(&format!("user {}", u.name));
        let key = game::create_user(c, &u.name, &grants_policy(&u.grants), run_id).await?;
        if u.leaked
            && let Some(k) = key
        {
            leaked = Some(LeakedKey {
                user: u.name.clone(),
                access_key_id: k.access_key_id,
                secret: Secret(k.secret_access_key),
            });
        }
    }
    for r in &scenario.role {
        progress(&format!("role {}", r.name));
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        game::create_role(
            c,
            &r.name,
            &trust.to_string(),
            &grants_policy(&r.grants),
            run_id,
        )
        .await?;
    }
    let mut instance = None;
    for i in &scenario.instance {
        progress(&format!("instance {}", i.name));
        instance = Some(stage_instance(c, i, run_id).await?);
    }
    Ok(Staged {
        run_id: run_id.to_string(),
        account,
        region,
        leaked,
        instance,
        originals,
        clean_at: crate::time::now_secs(),
    })
}

async fn stage_instance(
    c: &Clients,
    spec: &super::scenario::InstanceSpec,
    run_id: &str,
) -> Result<StagedInstance, AwsError> {
    let launch = game::Launch {
        name: &spec.name,
        role: spec.role.as_deref(),
        key_pair: spec.key_pair.as_deref(),
        imdsv1: spec.imdsv1,
    };
    let instance_id = game::launch_instance(c, &launch, run_id).await?;
    Ok(StagedInstance {
        instance_id,
        role: spec.role.clone(),
        key_pair: spec.key_pair.clone(),
    })
}

/// A run id: `gd` and 8 hex digits from the clock and the process, short
/// enough to suffix names (bucket names stop at 63 characters).
pub fn new_run_id() -> String {
    use sha2::Digest;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let digest = sha2::Sha256::digest(format!("{nanos}:{}", std::process::id()));
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("gd{hex}")
}
