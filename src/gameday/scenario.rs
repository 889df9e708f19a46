//! A Game Day scenario as data (`assets/gameday/*.toml`): what to stage
//! (buckets and their objects, users, roles, instances, the trail), what
//! the attacker did before the responder arrived, what it keeps doing, and
//! per-step hints. Loaded and validated here; nothing here does I/O on AWS.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The scenarios warroom ships, by id.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "leaked-key-public-policy",
        include_str!("../../assets/gameday/leaked-key-public-policy.toml"),
    ),
    (
        "ssrf-instance-role",
        include_str!("../../assets/gameday/ssrf-instance-role.toml"),
    ),
    (
        "side-door-access-point",
        include_str!("../../assets/gameday/side-door-access-point.toml"),
    ),
    (
        "second-key-backdoor-role",
        include_str!("../../assets/gameday/second-key-backdoor-role.toml"),
    ),
    (
        "sse-c-ransomware",
        include_str!("../../assets/gameday/sse-c-ransomware.toml"),
    ),
];

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub briefing: String,
    #[serde(default)]
    pub bucket: Vec<BucketSpec>,
    #[serde(default)]
    pub user: Vec<UserSpec>,
    #[serde(default)]
    pub role: Vec<RoleSpec>,
    #[serde(default)]
    pub instance: Vec<InstanceSpec>,
    pub trail: TrailSpec,
    #[serde(default)]
    pub history: Vec<Op>,
    pub attacker: AttackerSpec,
    /// Extra help per playbook step id, shown by the hint key.
    #[serde(default)]
    pub hints: BTreeMap<String, String>,
    /// Minutes a credential watch lasts in this game (`--watch-minutes`
    /// wins): short enough that a watch started in the game can end in it,
    /// so a trainee sees its verdict rather than "still watching".
    #[serde(default)]
    pub watch_minutes: Option<u32>,
    /// A planted lifecycle rule's expiry, compressed into the game: the
    /// rule must be gone this many minutes after the start, or the data
    /// counts as deleted by it. Required when a step plants one.
    #[serde(default)]
    pub expiry_minutes: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BucketSpec {
    pub name: String,
    #[serde(default)]
    pub versioning: bool,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub object: Vec<ObjectSpec>,
    /// Staged with the bucket policy AWS documents for delegating access
    /// control to the account's access points (a side door waiting for
    /// an access point).
    #[serde(default)]
    pub delegate_to_access_points: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ObjectSpec {
    pub key: String,
    pub body: String,
}

/// What an identity may do, as bucket names: the staged policy is built
/// from these (so names can be suffixed in a sandbox account).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Grants {
    #[serde(default)]
    pub can_read: Vec<String>,
    #[serde(default)]
    pub can_write: Vec<String>,
    /// Bucket policy and ACL changes.
    #[serde(default)]
    pub can_admin: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub name: String,
    /// Its access key is the attacker's.
    #[serde(default)]
    pub leaked: bool,
    #[serde(flatten)]
    pub grants: Grants,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    pub name: String,
    #[serde(flatten)]
    pub grants: Grants,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InstanceSpec {
    pub name: String,
    /// Held through an instance profile of the same name.
    pub role: Option<String>,
    pub key_pair: Option<String>,
    /// The metadata service answers without a token (SSRF-able).
    #[serde(default)]
    pub imdsv1: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TrailSpec {
    pub name: String,
    pub bucket: String,
    /// Buckets whose object reads and writes the trail logs.
    #[serde(default)]
    pub data_buckets: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The leaked user's access key.
    LeakedKey,
    /// Anyone on the internet (works while the bucket is public).
    Anonymous,
    /// The instance role's credentials, taken through the metadata service.
    InstanceRole,
    /// The access key the leaked key made for the attacker (`create_key`):
    /// it works until it is deactivated, whatever happens to the first.
    SecondKey,
    /// A role whose trust the attacker opened to its own account
    /// (`backdoor_trust`), assumed from there: it works while the trust
    /// lets that account in.
    BackdoorRole,
}

impl Actor {
    pub fn label(self) -> &'static str {
        match self {
            Actor::LeakedKey => "the leaked access key",
            Actor::Anonymous => "anonymous readers",
            Actor::InstanceRole => "the stolen role credentials",
            Actor::SecondKey => "the attacker's second access key",
            Actor::BackdoorRole => "the backdoored role",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    Get,
    List,
    Put,
    Delete,
    /// Add a statement to the bucket policy that lets anyone read.
    PublicPolicy,
    /// A side door: an Internet access point (named by `key`) with its own
    /// Block Public Access off and a policy that lets anyone read.
    OpenAccessPoint,
    /// A second access key on the actor's own user (Stratus Red Team's
    /// `aws.persistence.iam-backdoor-user`); the attacker keeps its secret.
    CreateKey,
    /// A new user (named by `key`) with a console password and an admin
    /// policy (`iam-create-admin-user`, `iam-create-user-login-profile`).
    CreateUser,
    /// The trust policy of the role named by `key` opened to the account
    /// in `body` (`iam-backdoor-role`).
    BackdoorTrust,
    /// Logging stopped on the scenario's trail (`cloudtrail-stop`): from
    /// then on nothing reaches the trail bucket.
    StopTrail,
    /// The object named by `key` rewritten in place with SSE-C, under a key
    /// only the attacker holds (the "Codefinger" campaign; Stratus Red
    /// Team's `s3-ransomware-client-side-encryption` family): S3 keeps an
    /// HMAC of the key, so nobody else can read the new version.
    SseC,
    /// A lifecycle rule (its ID in `key`) added to the bucket's, expiring
    /// every object and every noncurrent version after `body` days (1 if
    /// none): the old versions a restore needs go with it.
    Lifecycle,
}

impl OpKind {
    /// The CloudTrail event name.
    pub fn event_name(self) -> &'static str {
        match self {
            OpKind::Get => "GetObject",
            OpKind::List => "ListObjects",
            OpKind::Put => "PutObject",
            OpKind::Delete => "DeleteObject",
            OpKind::PublicPolicy => "PutBucketPolicy",
            OpKind::OpenAccessPoint => "PutAccessPointPolicy",
            OpKind::CreateKey => "CreateAccessKey",
            OpKind::CreateUser => "CreateUser",
            OpKind::BackdoorTrust => "UpdateAssumeRolePolicy",
            OpKind::StopTrail => "StopLogging",
            OpKind::SseC => "PutObject",
            OpKind::Lifecycle => "PutBucketLifecycle",
        }
    }

    /// A change in IAM or CloudTrail rather than S3: no bucket to name.
    pub fn is_persistence(self) -> bool {
        matches!(
            self,
            OpKind::CreateKey | OpKind::CreateUser | OpKind::BackdoorTrust | OpKind::StopTrail
        )
    }

    pub fn read_only(self) -> bool {
        matches!(self, OpKind::Get | OpKind::List)
    }

    /// A data event (object level) rather than a management event.
    pub fn is_data(self) -> bool {
        !matches!(
            self,
            OpKind::PublicPolicy | OpKind::OpenAccessPoint | OpKind::Lifecycle
        ) && !self.is_persistence()
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Op {
    pub actor: Actor,
    pub op: OpKind,
    /// The bucket an S3 step acts on (none for IAM and CloudTrail steps).
    #[serde(default)]
    pub bucket: String,
    pub key: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AttackerSpec {
    /// Where the attacker's requests come from.
    pub ip: String,
    /// Where anonymous reads come from.
    pub anonymous_ip: String,
    pub user_agent: String,
    /// Seconds between rounds.
    pub every_secs: u64,
    pub step: Vec<Op>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("no scenario named {name:?}; the built-in ones are: {known}")]
    Unknown { name: String, known: String },
}

impl Scenario {
    /// A built-in scenario by id, or a file by path.
    pub fn find(name: &str) -> Result<Self, ScenarioError> {
        if let Some((id, text)) = BUILTIN.iter().find(|(id, _)| *id == name) {
            return Self::parse(text, &format!("assets/gameday/{id}.toml"));
        }
        let path = Path::new(name);
        if path.extension().is_some_and(|e| e == "toml") || path.exists() {
            return Self::load(path);
        }
        Err(ScenarioError::Unknown {
            name: name.to_string(),
            known: BUILTIN
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, path: &str) -> Result<Self, ScenarioError> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |s| crate::playbook::position(text, s.start));
            ScenarioError::Syntax {
                path: path.to_string(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        scenario
            .validate()
            .map_err(|message| ScenarioError::Invalid {
                path: path.to_string(),
                message,
            })?;
        Ok(scenario)
    }

    /// The cross-references TOML cannot check: every bucket named exists,
    /// each actor has someone to play it, names are plausible.
    fn validate(&self) -> Result<(), String> {
        let buckets: Vec<&str> = self.bucket.iter().map(|b| b.name.as_str()).collect();
        for b in &self.bucket {
            if !valid_bucket_name(&b.name) {
                return Err(format!("bucket {:?}: not a valid S3 bucket name", b.name));
            }
        }
        if self
            .watch_minutes
            .is_some_and(|m| m == 0 || m > crate::config::MAX_WATCH_MINUTES)
        {
            return Err(format!(
                "watch_minutes must be 1 to {}",
                crate::config::MAX_WATCH_MINUTES
            ));
        }
        if buckets.contains(&self.trail.bucket.as_str()) {
            return Err("trail.bucket must not be one of the incident's buckets".into());
        }
        if !valid_bucket_name(&self.trail.bucket) {
            return Err(format!(
                "trail.bucket {:?}: not a valid S3 bucket name",
                self.trail.bucket
            ));
        }
        let known = |name: &str, what: &str| {
            if buckets.contains(&name) {
                Ok(())
            } else {
                Err(format!("{what}: no [[bucket]] named {name:?}"))
            }
        };
        for name in &self.trail.data_buckets {
            known(name, "trail.data_buckets")?;
        }
        let grants = self
            .user
            .iter()
            .map(|u| (&u.name, &u.grants))
            .chain(self.role.iter().map(|r| (&r.name, &r.grants)));
        for (who, g) in grants {
            for name in g.can_read.iter().chain(&g.can_write).chain(&g.can_admin) {
                known(name, &format!("{who}'s grants"))?;
            }
        }
        let leaked = self.user.iter().filter(|u| u.leaked).count();
        if leaked > 1 {
            return Err("at most one [[user]] can be leaked".into());
        }
        if self.instance.len() > 1 {
            return Err("at most one [[instance]] is supported".into());
        }
        for i in &self.instance {
            if let Some(role) = &i.role
                && !self.role.iter().any(|r| &r.name == role)
            {
                return Err(format!("instance {:?}: no [[role]] named {role:?}", i.name));
            }
        }
        let with_role = self.instance.iter().any(|i| i.role.is_some());
        if self.attacker.step.is_empty() {
            return Err("attacker.step: the attacker needs at least one step".into());
        }
        if !(1..=3600).contains(&self.attacker.every_secs) {
            return Err("attacker.every_secs must be 1 to 3600".into());
        }
        let ops = self
            .history
            .iter()
            .map(|o| ("history", o))
            .chain(self.attacker.step.iter().map(|o| ("attacker.step", o)));
        for (i, (list, op)) in ops.enumerate() {
            let at = format!("{list} #{}", i + 1);
            if op.op.is_persistence() {
                Self::op_persistence(self, op, &at)?;
            } else {
                known(&op.bucket, &at)?;
            }
            match op.actor {
                Actor::LeakedKey if leaked == 0 => {
                    return Err(format!(
                        "{at}: leaked_key needs a [[user]] with leaked = true"
                    ));
                }
                Actor::InstanceRole if !with_role => {
                    return Err(format!(
                        "{at}: instance_role needs an [[instance]] with a role"
                    ));
                }
                Actor::SecondKey | Actor::BackdoorRole
                    if !Self::made_by_then(self, op.actor, i) =>
                {
                    return Err(format!(
                        "{at}: {} acts before a step makes it ({})",
                        op.actor.label(),
                        if op.actor == Actor::SecondKey {
                            "create_key"
                        } else {
                            "backdoor_trust"
                        }
                    ));
                }
                Actor::Anonymous if op.op != OpKind::Get && op.op != OpKind::List => {
                    return Err(format!("{at}: anonymous readers can only get or list"));
                }
                _ => {}
            }
            if matches!(
                op.op,
                OpKind::Get
                    | OpKind::Put
                    | OpKind::Delete
                    | OpKind::OpenAccessPoint
                    | OpKind::SseC
                    | OpKind::Lifecycle
            ) && op.key.is_none()
            {
                return Err(format!("{at}: {:?} needs a key", op.op));
            }
            if op.op == OpKind::Put && op.body.is_none() {
                return Err(format!("{at}: put needs a body"));
            }
            if op.op == OpKind::Lifecycle {
                if op
                    .body
                    .as_deref()
                    .is_some_and(|d| d.parse::<u16>().map_or(true, |d| d == 0))
                {
                    return Err(format!(
                        "{at}: lifecycle's body is the days to expiry, 1 to 65535"
                    ));
                }
                if self.expiry_minutes.is_none_or(|m| m == 0) {
                    return Err(format!(
                        "{at}: a planted lifecycle rule needs expiry_minutes (its deadline in the game)"
                    ));
                }
            }
        }
        Ok(())
    }

    /// A persistence step's own checks: what it names must be there.
    fn op_persistence(s: &Scenario, op: &Op, at: &str) -> Result<(), String> {
        if op.actor == Actor::Anonymous {
            return Err(format!("{at}: anonymous readers can only get or list"));
        }
        match op.op {
            OpKind::CreateKey if op.actor != Actor::LeakedKey => Err(format!(
                "{at}: create_key is the leaked key's move (a second key on its own user)"
            )),
            OpKind::CreateKey
                if s.history
                    .iter()
                    .chain(&s.attacker.step)
                    .filter(|o| o.op == OpKind::CreateKey)
                    .count()
                    > 1 =>
            {
                Err(format!(
                    "{at}: at most one create_key: the attacker holds one second key"
                ))
            }
            OpKind::CreateUser => match &op.key {
                Some(name) if crate::model::ids::parse_iam_name(name).is_ok() => Ok(()),
                _ => Err(format!("{at}: create_user needs key = the new user's name")),
            },
            OpKind::BackdoorTrust => {
                let role = op.key.as_deref().unwrap_or_default();
                if !s.role.iter().any(|r| r.name == role) {
                    return Err(format!(
                        "{at}: backdoor_trust needs key = a [[role]]'s name"
                    ));
                }
                match &op.body {
                    Some(a) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
                    _ => Err(format!(
                        "{at}: backdoor_trust needs body = the attacker's 12-digit account id"
                    )),
                }
            }
            _ => Ok(()),
        }
    }

    /// Whether a step before the `i`-th (history, then the attacker's steps,
    /// in order) makes `actor`: its key or its backdoor.
    fn made_by_then(s: &Scenario, actor: Actor, i: usize) -> bool {
        let makes = match actor {
            Actor::SecondKey => OpKind::CreateKey,
            _ => OpKind::BackdoorTrust,
        };
        s.history
            .iter()
            .chain(&s.attacker.step)
            .take(i)
            .any(|o| o.op == makes)
    }

    /// The same scenario with every created name suffixed (for a sandbox
    /// account, where bucket names are global and names may be taken).
    pub fn with_suffix(mut self, suffix: &str) -> Self {
        let s = |n: &mut String| {
            n.push('-');
            n.push_str(suffix);
        };
        for b in &mut self.bucket {
            s(&mut b.name);
        }
        for u in &mut self.user {
            s(&mut u.name);
            suffix_grants(&mut u.grants, suffix);
        }
        for r in &mut self.role {
            s(&mut r.name);
            suffix_grants(&mut r.grants, suffix);
        }
        for i in &mut self.instance {
            s(&mut i.name);
            if let Some(r) = &mut i.role {
                s(r);
            }
            if let Some(k) = &mut i.key_pair {
                s(k);
            }
        }
        s(&mut self.trail.name);
        s(&mut self.trail.bucket);
        for b in &mut self.trail.data_buckets {
            s(b);
        }
        for op in self.history.iter_mut().chain(&mut self.attacker.step) {
            if op.op.is_persistence() {
                // The user it makes and the role it backdoors are names too.
                if let Some(k) = op
                    .key
                    .as_mut()
                    .filter(|_| matches!(op.op, OpKind::CreateUser | OpKind::BackdoorTrust))
                {
                    s(k);
                }
            } else {
                s(&mut op.bucket);
            }
        }
        self
    }

    /// The leaked user, if the scenario has one.
    pub fn leaked_user(&self) -> Option<&UserSpec> {
        self.user.iter().find(|u| u.leaked)
    }

    /// The actors the scenario uses (each must be contained).
    pub fn actors(&self) -> Vec<Actor> {
        let mut out: Vec<Actor> = self
            .history
            .iter()
            .chain(&self.attacker.step)
            .map(|o| o.actor)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

fn suffix_grants(g: &mut Grants, suffix: &str) {
    for n in g
        .can_read
        .iter_mut()
        .chain(&mut g.can_write)
        .chain(&mut g.can_admin)
    {
        n.push('-');
        n.push_str(suffix);
    }
}

/// 3 to 63 lowercase letters, digits, dots and hyphens, starting and
/// ending with a letter or digit.
fn valid_bucket_name(name: &str) -> bool {
    let ok_end = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && ok_end(name.chars().next())
        && ok_end(name.chars().last())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_scenarios_load() {
        for (id, _) in BUILTIN {
            let s = Scenario::find(id).expect(id);
            assert_eq!(&s.id, id);
            assert!(!s.attacker.step.is_empty());
        }
        let s = Scenario::find("leaked-key-public-policy").expect("scenario 1");
        assert_eq!(s.actors(), vec![Actor::LeakedKey, Actor::Anonymous]);
        assert_eq!(s.leaked_user().map(|u| u.name.as_str()), Some("ci-deploy"));
        let s = Scenario::find("ssrf-instance-role").expect("scenario 2");
        assert_eq!(s.actors(), vec![Actor::InstanceRole]);
        assert!(s.instance[0].imdsv1);
        let s = Scenario::find("sse-c-ransomware").expect("scenario 5");
        assert_eq!(s.actors(), vec![Actor::LeakedKey]);
        assert_eq!(s.expiry_minutes, Some(10));
        assert!(s.attacker.step.iter().any(|o| o.op == OpKind::SseC));
        // Every shipped game's watch can end within the game.
        for (id, _) in BUILTIN {
            let m = Scenario::find(id).expect(id).watch_minutes;
            assert!(m.is_some_and(|m| m <= 5), "{id}: {m:?}");
        }
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let text = "id = \"x\"\ntitle = \"t\"\nbriefing = 3\n";
        match Scenario::parse(text, "bad.toml") {
            Err(ScenarioError::Syntax { line, column, .. }) => {
                assert_eq!((line, column), (3, 12));
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn references_to_unknown_buckets_and_missing_actors_are_refused() {
        let (_, text) = BUILTIN[0];
        let bad = text.replace(
            "bucket = \"acme-customer-records\"\nkey = \"exports/contracts.csv\"",
            "bucket = \"acme-nope\"\nkey = \"exports/contracts.csv\"",
        );
        let e = Scenario::parse(&bad, "s.toml").expect_err("unknown bucket");
        assert!(e.to_string().contains("acme-nope"), "{e}");
        let bad = text.replace("leaked = true", "leaked = false");
        let e = Scenario::parse(&bad, "s.toml").expect_err("no leaked user");
        assert!(e.to_string().contains("leaked_key needs"), "{e}");
        let bad = text.replace("watch_minutes = 5", "watch_minutes = 0");
        let e = Scenario::parse(&bad, "s.toml").expect_err("no watch window");
        assert!(e.to_string().contains("watch_minutes must be 1"), "{e}");
        let (_, five) = BUILTIN[4];
        let bad = five.replace("expiry_minutes = 10\n", "");
        let e = Scenario::parse(&bad, "s.toml").expect_err("no deadline");
        assert!(e.to_string().contains("needs expiry_minutes"), "{e}");
        let bad = five.replace("body = \"7\"", "body = \"seven\"");
        let e = Scenario::parse(&bad, "s.toml").expect_err("bad days");
        assert!(e.to_string().contains("days to expiry"), "{e}");
        let e = Scenario::find("no-such-scenario").expect_err("unknown");
        assert!(e.to_string().contains("leaked-key-public-policy"), "{e}");
    }

    #[test]
    fn a_sandbox_suffix_renames_every_created_thing_consistently() {
        let s = Scenario::find("ssrf-instance-role")
            .expect("scenario")
            .with_suffix("gd1a2b");
        assert_eq!(s.bucket[0].name, "acme-invoices-gd1a2b");
        assert_eq!(s.role[0].grants.can_read[0], "acme-invoices-gd1a2b");
        assert_eq!(s.instance[0].role.as_deref(), Some("acme-web-app-gd1a2b"));
        assert_eq!(
            s.instance[0].key_pair.as_deref(),
            Some("acme-web-ops-gd1a2b")
        );
        assert_eq!(s.trail.data_buckets, vec!["acme-invoices-gd1a2b"]);
        assert!(
            s.attacker
                .step
                .iter()
                .all(|o| o.bucket.ends_with("-gd1a2b"))
        );
        assert!(s.validate().is_ok());
    }
}
