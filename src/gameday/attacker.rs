//! The attacker, played live: one scenario step per round, with the leaked
//! credentials, for as long as the game runs. Before each step it checks
//! whether the responder has contained the actor that would take it (the
//! key deactivated, the bucket no longer public, the role's sessions
//! revoked with IMDSv2 required); a contained actor's attempts are recorded
//! as denied and change nothing, so the watch has something to see.
//!
//! Where the target has no CloudTrail (the emulator), every request, the
//! attacker's and the responder's, is also written as a CloudTrail record
//! into the trail bucket in the real delivery layout: the tail and the
//! watch read the game from the same source they read in production.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::scenario::{Actor, Op, OpKind, Scenario};
use super::stage::{Staged, public_policy};
use crate::actions::ActionSpec;
use crate::aws::game;
use crate::aws::iam::Principal;
use crate::aws::{AwsError, Clients, exposure};
use crate::incident::Incident;
use crate::model::credentials::DENY_ALL_POLICY_NAME;

/// Journal kinds written by the game.
pub mod kind {
    pub const STARTED: &str = "gameday_started";
    pub const ATTACK: &str = "gameday_attack";
    pub const CONTAINED: &str = "gameday_contained";
    pub const SCORE: &str = "gameday_score";
}

/// The role credentials the attacker holds: taken from the metadata
/// service at `issued`; taken again if revoked while IMDSv1 still answers.
#[derive(Debug, Clone)]
struct Session {
    access_key_id: String,
    issued: i64,
}

/// A way back the attacker made: journaled with the step that made it, so
/// the score can ask at the finish whether each is still there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Made {
    AccessKey {
        user: String,
        key_id: String,
    },
    User {
        user: String,
        policy: String,
    },
    Trust {
        role: String,
        account: String,
        /// The document as the attacker wrote it, for its CloudTrail record.
        #[serde(skip)]
        document: String,
    },
    TrailStopped {
        trail: String,
    },
}

impl Made {
    pub fn describe(&self) -> String {
        match self {
            Made::AccessKey { user, key_id } => format!("access key {key_id} on {user}"),
            Made::User { user, .. } => format!("user {user}"),
            Made::Trust { role, account, .. } => format!("role {role} trusting {account}"),
            Made::TrailStopped { trail } => format!("trail {trail} stopped"),
        }
    }
}

/// The second key the attacker made, with what it signs with.
struct HeldKey {
    user: String,
    access_key_id: String,
    /// Signed with it, against a real account (the emulator does not
    /// refuse an inactive key, so there the game decides and the admin
    /// clients do the work). Its secret lives only in these clients:
    /// never journaled, logged or drawn.
    clients: Option<Clients>,
}

/// Where the attacker's log files go (the emulator only).
#[derive(Debug, Clone)]
pub struct TrailWriter {
    pub bucket: String,
    files: u32,
}

impl TrailWriter {
    pub fn new(bucket: &str) -> Self {
        Self {
            bucket: bucket.to_string(),
            files: 0,
        }
    }
}

pub struct Attacker {
    scenario: Scenario,
    staged: Staged,
    /// Full access: reads the state the responder changes, and acts for
    /// actors with no credentials of their own in the emulator.
    admin: Clients,
    /// Signed with the leaked key.
    leaked: Option<Clients>,
    /// Unsigned, for anonymous reads against a real account (in the
    /// emulator the admin clients do the reading).
    anonymous: Option<aws_sdk_s3::Client>,
    trail: Option<TrailWriter>,
    incident: Arc<Mutex<Incident>>,
    next: usize,
    contained: BTreeMap<Actor, bool>,
    session: Session,
    /// Journal entries already mirrored into CloudTrail, and the actions
    /// planned so far (their specs name the targets).
    journal_seen: u64,
    planned: HashMap<String, ActionSpec>,
    responder: Value,
    records: Vec<Value>,
    events: u64,
    /// Past the opening moves: the game is on.
    live: bool,
    /// When the current step was decided (its CloudTrail eventTime).
    at: i64,
    second_key: Option<HeldKey>,
    /// The role whose trust the attacker opened, and to which account.
    backdoor: Option<(String, String)>,
    /// What the step being taken made (journaled with it).
    made: Option<Made>,
    /// The attacker's SSE-C key: derived from the run, held in memory only.
    sse_c: game::SseCKey,
    /// Objects the attacker has encrypted (read again with its key).
    encrypted: std::collections::BTreeSet<(String, String)>,
    /// What the step being taken adds to its CloudTrail record: request
    /// parameters and response elements, as S3 logs them.
    logged: Option<(Value, Value)>,
    planted_rule: Option<PlantedRule>,
}

/// The rule the attacker plants: every object, current and noncurrent,
/// expired after `days`.
fn planted_lifecycle_rule(id: &str, days: i32) -> crate::model::lifecycle::LifecycleRule {
    use crate::model::lifecycle::{Expiration, LifecycleRule, NoncurrentExpiration, RuleFilter};
    LifecycleRule {
        id: Some(id.to_string()),
        enabled: true,
        filter: Some(RuleFilter {
            prefix: Some(String::new()),
            ..Default::default()
        }),
        expiration: Some(Expiration {
            days: Some(days),
            ..Default::default()
        }),
        noncurrent_expiration: Some(NoncurrentExpiration {
            noncurrent_days: Some(days),
            newer_noncurrent_versions: None,
        }),
        ..Default::default()
    }
}

/// The attacker's SSE-C key for a run: nobody else can derive it without
/// the run id, and the game never writes it anywhere.
fn sse_c_key(run_id: &str) -> game::SseCKey {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("warroom-gameday-sse-c:{run_id}").as_bytes());
    let mut secret = [0u8; 32];
    secret.copy_from_slice(digest.as_slice());
    game::SseCKey::new(secret)
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    pub actor: Actor,
    pub op: OpKind,
    pub event: &'static str,
    pub target: String,
    /// None: it worked; Some(code): refused.
    pub error: Option<String>,
    /// The way back this step made, if it made one.
    pub made: Option<Made>,
    /// The lifecycle rule this step planted, if it planted one.
    pub planted_rule: Option<PlantedRule>,
}

/// A lifecycle rule the attacker added: journaled with its step, so the
/// score can tell when (and whether) it was taken off.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlantedRule {
    pub bucket: String,
    pub rule: String,
}

impl Attacker {
    pub fn new(
        scenario: Scenario,
        staged: Staged,
        admin: Clients,
        leaked: Option<Clients>,
        trail: Option<TrailWriter>,
        incident: Arc<Mutex<Incident>>,
    ) -> Self {
        let staged_run_id = staged.run_id.clone();
        let session = Session {
            access_key_id: session_key_id(&staged.run_id, 0),
            issued: staged.clean_at - 3600,
        };
        Self {
            scenario,
            staged,
            admin,
            leaked,
            anonymous: None,
            trail,
            incident,
            next: 0,
            contained: BTreeMap::new(),
            session,
            journal_seen: 0,
            planned: HashMap::new(),
            responder: json!({"type": "Unknown"}),
            records: Vec::new(),
            events: 0,
            live: false,
            at: 0,
            second_key: None,
            backdoor: None,
            made: None,
            sse_c: sse_c_key(&staged_run_id),
            encrypted: Default::default(),
            logged: None,
            planted_rule: None,
        }
    }

    /// Anonymous reads go out unsigned through this client.
    pub fn with_anonymous(mut self, s3: aws_sdk_s3::Client) -> Self {
        self.anonymous = Some(s3);
        self
    }

    /// What happened before the responder arrived, in order, now.
    pub async fn replay_history(&mut self) -> Result<Vec<StepResult>, AwsError> {
        let mut out = Vec::new();
        for op in self.scenario.history.clone() {
            self.at = crate::time::now_secs();
            let r = self.act(&op, None).await;
            // What the opening moves made is journaled: the score asks at
            // the finish whether each was taken back.
            if r.made.is_some() || r.planted_rule.is_some() {
                self.journal_made(&r).await?;
            }
            out.push(r);
        }
        self.flush().await?;
        Ok(out)
    }

    /// One round: check containment, take the next step, mirror the
    /// responder's new actions, deliver the log file.
    pub async fn round(&mut self) -> Result<StepResult, AwsError> {
        let op = self.scenario.attacker.step[self.next % self.scenario.attacker.step.len()].clone();
        self.next += 1;
        // The acting actor is checked right before it acts: a check made
        // earlier in the round could miss a revocation that lands in between.
        let now = crate::time::now_secs();
        // The request is logged at the moment it was decided.
        self.at = now;
        let refused = self.is_contained(op.actor, now).await?;
        self.live = true;
        let result = self.act(&op, refused.then_some("AccessDenied")).await;
        let mut states = Vec::new();
        for actor in self.scenario.actors() {
            let contained = if actor == op.actor {
                refused
            } else {
                self.is_contained(actor, now).await?
            };
            states.push((actor, contained));
        }
        self.journal_containment(&states).await?;
        self.incident
            .lock()
            .await
            .record(
                kind::ATTACK,
                json!({
                    "summary": format!("{}: {} {} → {}", actor_name(op.actor), result.event, result.target,
                        result.error.as_deref().unwrap_or("succeeded")),
                    "actor": op.actor, "event": result.event, "target": result.target,
                    "error": result.error, "made": result.made, "op": op.op,
                    "planted_rule": result.planted_rule,
                }),
            )
            .map_err(|e| AwsError::new("JournalFailed", e.to_string()))?;
        self.mirror_responder().await;
        self.flush().await?;
        Ok(result)
    }

    /// An opening move's way back, journaled as the attack it was.
    async fn journal_made(&mut self, r: &StepResult) -> Result<(), AwsError> {
        self.incident
            .lock()
            .await
            .record(
                kind::ATTACK,
                json!({
                    "summary": format!("{} (before the game): {} {}", actor_name(r.actor), r.event, r.target),
                    "actor": r.actor, "event": r.event, "target": r.target,
                    "error": null, "made": r.made, "planted_rule": r.planted_rule,
                    "opening": true, "op": r.op,
                }),
            )
            .map(|_| ())
            .map_err(|e| AwsError::new("JournalFailed", e.to_string()))
    }

    /// Journal each actor's containment when it changes.
    async fn journal_containment(&mut self, states: &[(Actor, bool)]) -> Result<(), AwsError> {
        let all = states.iter().all(|(_, c)| *c);
        for (actor, contained) in states {
            if self.contained.get(actor) == Some(contained) {
                continue;
            }
            self.contained.insert(*actor, *contained);
            let summary = if *contained {
                format!("{} contained: its attempts now fail", actor.label())
            } else {
                format!("{} can act", actor.label())
            };
            self.incident
                .lock()
                .await
                .record(
                    kind::CONTAINED,
                    json!({"summary": summary, "actor": actor, "contained": contained, "all_contained": all}),
                )
                .map_err(|e| AwsError::new("JournalFailed", e.to_string()))?;
        }
        Ok(())
    }

    /// Rounds every `every` until `stop` says so. A failing round (the
    /// emulator gone, a throttle) is reported and the next one tried.
    ///
    /// `checks` asks for a containment check now, answered on the oneshot
    /// once journaled: the finish scores with the attacker's own check of
    /// that moment, not with the word of its last round (which may be
    /// seconds before the responder's last containment).
    pub async fn run(
        mut self,
        every: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
        mut checks: tokio::sync::mpsc::Receiver<tokio::sync::oneshot::Sender<()>>,
        mut report: impl FnMut(Result<StepResult, AwsError>) + Send,
    ) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                Some(done) = checks.recv() => {
                    if let Err(e) = self.check_containment().await {
                        report(Err(e));
                    }
                    let _ = done.send(());
                    continue;
                }
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        return;
                    }
                }
            }
            report(self.round().await);
        }
    }

    /// Every actor's containment as of now, journaled where it changed.
    pub async fn check_containment(&mut self) -> Result<(), AwsError> {
        let now = crate::time::now_secs();
        let mut states = Vec::new();
        for actor in self.scenario.actors() {
            states.push((actor, self.is_contained(actor, now).await?));
        }
        self.journal_containment(&states).await
    }

    async fn is_contained(&mut self, actor: Actor, now: i64) -> Result<bool, AwsError> {
        match actor {
            Actor::LeakedKey => {
                let Some(leaked) = &self.staged.leaked else {
                    return Ok(true);
                };
                Ok(!crate::aws::game::access_key_active(
                    &self.admin,
                    &leaked.user,
                    &leaked.access_key_id,
                )
                .await?)
            }
            Actor::Anonymous => {
                let buckets: Vec<String> = self
                    .scenario
                    .history
                    .iter()
                    .chain(&self.scenario.attacker.step)
                    .filter(|o| o.actor == Actor::Anonymous)
                    .map(|o| o.bucket.clone())
                    .collect();
                for b in buckets {
                    if self.is_public(&b).await {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Actor::SecondKey => match &self.second_key {
                // Not made (yet, or its step failed): nothing to act with.
                None => Ok(true),
                Some(k) => Ok(!crate::aws::game::access_key_active(
                    &self.admin,
                    &k.user,
                    &k.access_key_id,
                )
                .await?),
            },
            Actor::BackdoorRole => {
                let Some((role, outsider)) = self.backdoor.clone() else {
                    return Ok(true);
                };
                self.backdoor_contained(&role, &outsider).await
            }
            Actor::InstanceRole => {
                let Some(role) = self.staged.instance.as_ref().and_then(|i| i.role.clone()) else {
                    return Ok(true);
                };
                let who = Principal::Role(role);
                let deny_all =
                    crate::aws::iam::inline_policy(&self.admin, &who, DENY_ALL_POLICY_NAME)
                        .await?
                        .is_some();
                if deny_all {
                    return Ok(true);
                }
                let cutoff = crate::aws::iam::revoked_before(&self.admin, &who)
                    .await?
                    .and_then(|t| crate::time::parse_time(&t));
                let alive = cutoff.is_none_or(|c| self.session.issued >= c);
                if alive {
                    return Ok(false);
                }
                // Revoked: while the metadata service answers a plain GET,
                // the SSRF hands the attacker fresh credentials.
                if self.imdsv1_allowed().await? {
                    self.events += 1;
                    self.session = Session {
                        access_key_id: session_key_id(&self.staged.run_id, self.events),
                        issued: now,
                    };
                    return Ok(false);
                }
                Ok(true)
            }
        }
    }

    /// The backdoored role is shut to the attacker's account when the role
    /// is gone, carries warroom's deny-all, or its trust no longer lets
    /// that account in (restored, or locked). Revoking its sessions alone
    /// does not: the attacker assumes it again.
    async fn backdoor_contained(&self, role: &str, outsider: &str) -> Result<bool, AwsError> {
        Ok(!backdoor_open(&self.admin, role, outsider, &self.staged.account).await?)
    }

    async fn imdsv1_allowed(&self) -> Result<bool, AwsError> {
        let Some(instance) = &self.staged.instance else {
            return Ok(false);
        };
        crate::aws::game::imdsv1_allowed(&self.admin, &self.staged.region, &instance.instance_id)
            .await
    }

    /// Public by warroom's own analysis (the emulator does not enforce
    /// Block Public Access, so the game decides as AWS would).
    async fn is_public(&self, bucket: &str) -> bool {
        let (account, facts) = self.bucket_state(bucket).await;
        crate::model::exposure::assess(&account, &facts).verdict
            == crate::model::exposure::Verdict::Public
    }

    async fn bucket_state(
        &self,
        bucket: &str,
    ) -> (
        crate::model::facts::AccountFacts,
        crate::model::facts::BucketFacts,
    ) {
        let account = exposure::account_facts(&self.admin, Some(&self.staged.account)).await;
        let facts = exposure::bucket_facts(
            &self.admin,
            exposure::BucketRef {
                name: bucket.to_string(),
                region: Some(self.staged.region.clone()),
                ..Default::default()
            },
        )
        .await;
        (account, facts)
    }

    /// Take one step, or record it refused with `refused`.
    async fn act(&mut self, op: &Op, refused: Option<&str>) -> StepResult {
        let leaked_user = self
            .staged
            .leaked
            .as_ref()
            .map(|l| l.user.clone())
            .unwrap_or_default();
        let target = match (&op.key, op.op) {
            (_, OpKind::CreateKey) => format!("user {leaked_user}"),
            (Some(k), OpKind::CreateUser) => format!("user {k}"),
            (Some(k), OpKind::BackdoorTrust) => format!("role {k}"),
            (_, OpKind::StopTrail) => format!("trail {}", self.scenario.trail.name),
            (Some(k), OpKind::OpenAccessPoint) => {
                format!("access point {k} on s3://{}", op.bucket)
            }
            (Some(k), _) => format!("s3://{}/{k}", op.bucket),
            (None, _) => format!("s3://{}", op.bucket),
        };
        self.made = None;
        self.logged = None;
        self.planted_rule = None;
        let mut error = refused.map(str::to_string);
        if error.is_none() && matches!(op.op, OpKind::PublicPolicy | OpKind::OpenAccessPoint) {
            // Block Public Access refuses a public policy (AWS enforces it;
            // the emulator does not, so the game does).
            // A new access point's policy answers to the account's setting
            // (its own is off, by the attacker's choice at creation).
            let (account, facts) = self.bucket_state(&op.bucket).await;
            let blocked = match op.op {
                OpKind::OpenAccessPoint => account
                    .public_access_block
                    .known()
                    .is_some_and(|p| p.as_ref().is_some_and(|p| p.block_public_policy)),
                _ => crate::model::exposure::effective_pab(&account, &facts)
                    .block_public_policy
                    .is_on(),
            };
            if blocked {
                error = Some("AccessDenied".into());
            }
        }
        if error.is_none() {
            error = self.perform(op).await.err().map(|e| e.code);
        }
        self.record(op, error.as_deref());
        let (made, planted_rule) = if error.is_none() {
            (self.made.take(), self.planted_rule.take())
        } else {
            (None, None)
        };
        StepResult {
            actor: op.actor,
            op: op.op,
            planted_rule,
            event: op.op.event_name(),
            target: match &made {
                // The key's id is evidence (never its secret).
                Some(Made::AccessKey { key_id, .. }) => format!("{target}: {key_id}"),
                _ => target,
            },
            error,
            made,
        }
    }

    async fn perform(&mut self, op: &Op) -> Result<(), AwsError> {
        // The leaked key signs the attacker's requests, except in the
        // emulator once the game is on: it does not refuse an inactive
        // key, and a request racing the deactivation would show in IAM's
        // last-used record as a use after it. There the game decides
        // (checked just before) and the emulator only does the work.
        let emulated = self.live && self.trail.is_some();
        let c = match (op.actor, &self.leaked, &self.second_key) {
            (Actor::LeakedKey, Some(leaked), _) if !emulated => leaked,
            (
                Actor::SecondKey,
                _,
                Some(HeldKey {
                    clients: Some(k), ..
                }),
            ) if !emulated => k,
            _ => &self.admin,
        }
        .clone();
        let c = &c;
        let s3 = match (op.actor, &self.anonymous) {
            (Actor::Anonymous, Some(unsigned)) => unsigned.clone(),
            _ => c.s3_in(&self.staged.region),
        };
        let key = op.key.clone().unwrap_or_default();
        match op.op {
            OpKind::Get => {
                game::get_object(&s3, &op.bucket, &key).await?;
            }
            OpKind::List => game::list_objects(&s3, &op.bucket).await?,
            OpKind::Put => {
                let body = op.body.clone().unwrap_or_default().into_bytes();
                game::put_object(&s3, &op.bucket, &key, body).await?;
            }
            OpKind::Delete => game::delete_object(&s3, &op.bucket, &key).await?,
            OpKind::PublicPolicy => {
                let existing =
                    crate::aws::containment::bucket_policy(c, &op.bucket, &self.staged.region)
                        .await?;
                let policy = public_policy(&op.bucket, existing.as_deref());
                game::put_bucket_policy(&s3, &op.bucket, &policy).await?;
            }
            OpKind::OpenAccessPoint => {
                let (account, region) = (&self.staged.account, &self.staged.region);
                let policy = super::stage::public_access_point_policy(region, account, &key);
                // Its own Block Public Access all off: the open door.
                game::open_access_point(c, account, region, &key, &op.bucket, &policy).await?;
            }
            OpKind::CreateKey => {
                let user = self
                    .staged
                    .leaked
                    .as_ref()
                    .map(|l| l.user.clone())
                    .unwrap_or_default();
                let k = game::create_access_key(c, &user).await?;
                let clients = match self.trail {
                    // The emulator: the game decides who is contained.
                    Some(_) => None,
                    None => {
                        let sdk = crate::aws::static_key_sdk_config(
                            self.admin.endpoint(),
                            &self.staged.region,
                            &k.access_key_id,
                            &k.secret_access_key,
                        )
                        .await;
                        Some(Clients::from_sdk_config(sdk, false)?)
                    }
                };
                self.made = Some(Made::AccessKey {
                    user: user.clone(),
                    key_id: k.access_key_id.clone(),
                });
                self.second_key = Some(HeldKey {
                    user,
                    access_key_id: k.access_key_id,
                    clients,
                });
            }
            OpKind::CreateUser => {
                // A password nobody is told: the attacker's, gone with it.
                let password = format!(
                    "Wr{}-{}9!",
                    principal_suffix(&format!("{}:{key}:{}", self.staged.run_id, self.at)),
                    principal_suffix(&key).to_lowercase()
                );
                let policy =
                    game::create_admin_user(c, &key, &password, &self.staged.run_id).await?;
                self.made = Some(Made::User {
                    user: key.clone(),
                    policy,
                });
            }
            OpKind::BackdoorTrust => {
                let outsider = op.body.clone().unwrap_or_default();
                let now = crate::aws::iam::role(c, &key).await?.trust_document;
                let doc = super::stage::backdoored_trust(&now, &outsider);
                crate::aws::iam::set_trust_document(c, &key, &doc).await?;
                self.made = Some(Made::Trust {
                    role: key.clone(),
                    account: outsider.clone(),
                    document: doc,
                });
                self.backdoor = Some((key.clone(), outsider));
            }
            OpKind::StopTrail => {
                let trail = self.scenario.trail.name.clone();
                crate::aws::trail::set_logging(c, &trail, false).await?;
                self.made = Some(Made::TrailStopped { trail });
            }
            OpKind::SseC => {
                // Read as it is now (the attacker's own encryption, if the
                // responder has not put the object back), write it back
                // under the attacker's key.
                let pair = (op.bucket.clone(), key.clone());
                let first = self.encrypted.contains(&pair).then_some(&self.sse_c);
                let body = match game::get_object_with(&s3, &op.bucket, &key, first).await {
                    Ok(b) => b,
                    Err(_) => {
                        let other = if first.is_some() {
                            None
                        } else {
                            Some(&self.sse_c)
                        };
                        game::get_object_with(&s3, &op.bucket, &key, other).await?
                    }
                };
                let version =
                    game::put_object_sse_c(&s3, &op.bucket, &key, body, &self.sse_c).await?;
                self.encrypted.insert(pair);
                let mut response =
                    json!({"x-amz-server-side-encryption-customer-algorithm": "AES256"});
                if let Some(v) = version {
                    response["x-amz-version-id"] = json!(v);
                }
                self.logged = Some((
                    json!({"x-amz-server-side-encryption-customer-algorithm": "AES256"}),
                    response,
                ));
            }
            OpKind::Lifecycle => {
                let days = op
                    .body
                    .as_deref()
                    .and_then(|d| d.parse::<i32>().ok())
                    .unwrap_or(1);
                let region = &self.staged.region;
                let mut rules = crate::aws::lifecycle::rules(c, &op.bucket, region).await?;
                rules.retain(|r| r.id.as_deref() != Some(key.as_str()));
                rules.push(planted_lifecycle_rule(&key, days));
                crate::aws::lifecycle::set_rules(c, &op.bucket, region, &rules).await?;
                // As CloudTrail logs the XML body: one Rule object.
                self.logged = Some((
                    json!({"lifecycle": "", "LifecycleConfiguration": {
                        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                        "Rule": {"ID": key, "Status": "Enabled", "Filter": {"Prefix": ""},
                            "Expiration": {"Days": days.to_string()},
                            "NoncurrentVersionExpiration": {"NoncurrentDays": days.to_string()}}}}),
                    Value::Null,
                ));
                self.planted_rule = Some(PlantedRule {
                    bucket: op.bucket.clone(),
                    rule: key.clone(),
                });
            }
        }
        Ok(())
    }

    fn identity(&self, actor: Actor) -> Value {
        let acct = &self.staged.account;
        match actor {
            Actor::Anonymous => {
                json!({"type": "AWSAccount", "principalId": "", "accountId": "anonymous"})
            }
            Actor::LeakedKey => {
                let (user, key) = self
                    .staged
                    .leaked
                    .as_ref()
                    .map(|l| (l.user.clone(), l.access_key_id.clone()))
                    .unwrap_or_default();
                json!({"type": "IAMUser", "principalId": format!("AIDA{}", principal_suffix(&user)),
                    "arn": format!("arn:aws:iam::{acct}:user/{user}"), "accountId": acct,
                    "accessKeyId": key, "userName": user})
            }
            Actor::SecondKey => {
                let (user, key) = self
                    .second_key
                    .as_ref()
                    .map(|k| (k.user.clone(), k.access_key_id.clone()))
                    .unwrap_or_default();
                json!({"type": "IAMUser", "principalId": format!("AIDA{}", principal_suffix(&user)),
                    "arn": format!("arn:aws:iam::{acct}:user/{user}"), "accountId": acct,
                    "accessKeyId": key, "userName": user})
            }
            Actor::BackdoorRole => {
                let role = self
                    .backdoor
                    .as_ref()
                    .map(|b| b.0.clone())
                    .unwrap_or_default();
                let role_id = format!("AROA{}", principal_suffix(&role));
                // Assumed from the attacker's account: the session is the
                // role's, in this account; the session name is theirs.
                json!({"type": "AssumedRole", "principalId": format!("{role_id}:support"),
                    "arn": format!("arn:aws:sts::{acct}:assumed-role/{role}/support"),
                    "accountId": acct,
                    "accessKeyId": session_key_id(&format!("{}:backdoor", self.staged.run_id), 0),
                    "sessionContext": {
                        "sessionIssuer": {"type": "Role", "principalId": role_id,
                            "arn": format!("arn:aws:iam::{acct}:role/{role}"), "accountId": acct, "userName": role},
                        "attributes": {"creationDate": crate::time::iso_time(self.at), "mfaAuthenticated": "false"}}})
            }
            Actor::InstanceRole => {
                let (role, instance) = self
                    .staged
                    .instance
                    .as_ref()
                    .map(|i| (i.role.clone().unwrap_or_default(), i.instance_id.clone()))
                    .unwrap_or_default();
                let role_id = format!("AROA{}", principal_suffix(&role));
                json!({"type": "AssumedRole", "principalId": format!("{role_id}:{instance}"),
                    "arn": format!("arn:aws:sts::{acct}:assumed-role/{role}/{instance}"),
                    "accountId": acct, "accessKeyId": self.session.access_key_id,
                    "sessionContext": {
                        "sessionIssuer": {"type": "Role", "principalId": role_id,
                            "arn": format!("arn:aws:iam::{acct}:role/{role}"), "accountId": acct, "userName": role},
                        "attributes": {"creationDate": crate::time::iso_time(self.session.issued), "mfaAuthenticated": "false"},
                        "ec2RoleDelivery": "1.0"}})
            }
        }
    }

    fn record(&mut self, op: &Op, error: Option<&str>) {
        self.events += 1;
        let ip = match op.actor {
            Actor::Anonymous => &self.scenario.attacker.anonymous_ip,
            _ => &self.scenario.attacker.ip,
        };
        if op.op.is_persistence() {
            self.record_persistence(op, error, ip.clone());
            return;
        }
        let mut params =
            json!({"bucketName": op.bucket, "Host": format!("{}.s3.amazonaws.com", op.bucket)});
        match (&op.key, op.op) {
            // S3 Control names the access point; the bucket is kept so the
            // console relates the event to it.
            (Some(k), OpKind::OpenAccessPoint) => params["name"] = json!(k),
            // The rule's ID is in the configuration, not a key.
            (_, OpKind::Lifecycle) => {}
            (Some(k), _) => params["key"] = json!(k),
            _ => {}
        }
        let (extra, response) = self.logged.take().unwrap_or((Value::Null, Value::Null));
        if let (Value::Object(extra), Value::Object(p)) = (extra, &mut params) {
            p.extend(extra);
        }
        let mut r = self.base_record(
            self.identity(op.actor),
            op.op.event_name(),
            "s3.amazonaws.com",
            ip.clone(),
            self.scenario.attacker.user_agent.clone(),
            op.op.read_only(),
            op.op.is_data(),
            params,
            self.at,
        );
        if error.is_none() {
            r["responseElements"] = response;
        }
        if let Some(code) = error {
            r["errorCode"] = json!(code);
            r["errorMessage"] = json!(if code == "AccessDenied" {
                "Access Denied"
            } else {
                code
            });
        }
        self.records.push(r);
    }

    /// An IAM or CloudTrail step's records, as those services log them:
    /// `requestParameters` and `responseElements` in the documented shapes
    /// (CreateAccessKey's response carries the key id, never the secret;
    /// CreateLoginProfile's never the password).
    fn record_persistence(&mut self, op: &Op, error: Option<&str>, ip: String) {
        let (acct, region) = (self.staged.account.clone(), self.staged.region.clone());
        let key = op.key.clone().unwrap_or_default();
        let when = crate::time::iso_time(self.at);
        let mut calls: Vec<(&str, &str, Value, Value)> = Vec::new();
        let iam = "iam.amazonaws.com";
        match op.op {
            OpKind::CreateKey => {
                let user = self
                    .staged
                    .leaked
                    .as_ref()
                    .map(|l| l.user.clone())
                    .unwrap_or_default();
                let response = match (&self.made, error) {
                    (Some(Made::AccessKey { key_id, .. }), None) => json!({"accessKey": {
                        "accessKeyId": key_id, "status": "Active", "userName": user,
                        "createDate": when}}),
                    _ => Value::Null,
                };
                calls.push((iam, "CreateAccessKey", json!({"userName": user}), response));
            }
            OpKind::CreateUser => {
                calls.push((
                    iam,
                    "CreateUser",
                    json!({"userName": key}),
                    json!({"user": {"userName": key, "path": "/",
                        "arn": format!("arn:aws:iam::{acct}:user/{key}"),
                        "userId": format!("AIDA{}", principal_suffix(&key)), "createDate": when}}),
                ));
                if error.is_none() {
                    let policy = match &self.made {
                        Some(Made::User { policy, .. }) => policy.clone(),
                        _ => crate::aws::game::ADMIN_POLICY.to_string(),
                    };
                    calls.push((iam, "CreateLoginProfile",
                        json!({"userName": key, "passwordResetRequired": false}),
                        json!({"loginProfile": {"userName": key, "createDate": when, "passwordResetRequired": false}})));
                    calls.push((
                        iam,
                        "AttachUserPolicy",
                        json!({"userName": key, "policyArn": policy}),
                        Value::Null,
                    ));
                }
            }
            OpKind::BackdoorTrust => {
                // The whole new document, as IAM logs it (a refused call
                // logs what was asked: the grant alone is enough to show).
                let doc = match &self.made {
                    Some(Made::Trust { document, .. }) => document.clone(),
                    _ => super::stage::backdoored_trust("", op.body.as_deref().unwrap_or_default()),
                };
                calls.push((
                    iam,
                    "UpdateAssumeRolePolicy",
                    json!({"roleName": key, "policyDocument": doc}),
                    Value::Null,
                ));
            }
            OpKind::StopTrail => {
                let arn = format!(
                    "arn:aws:cloudtrail:{region}:{acct}:trail/{}",
                    self.scenario.trail.name
                );
                calls.push((
                    "cloudtrail.amazonaws.com",
                    "StopLogging",
                    json!({"name": arn}),
                    Value::Null,
                ));
            }
            _ => {}
        }
        for (source, event, params, response) in calls {
            self.events += 1;
            let mut r = self.base_record(
                self.identity(op.actor),
                event,
                source,
                ip.clone(),
                self.scenario.attacker.user_agent.clone(),
                false,
                false,
                params,
                self.at,
            );
            r["responseElements"] = response;
            if let Some(code) = error {
                r["errorCode"] = json!(code);
                r["errorMessage"] = json!(code);
                r["responseElements"] = Value::Null;
            }
            self.records.push(r);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn base_record(
        &self,
        who: Value,
        event: &str,
        source: &str,
        ip: String,
        agent: String,
        read_only: bool,
        data: bool,
        params: Value,
        time: i64,
    ) -> Value {
        json!({
            "eventVersion": "1.09",
            "userIdentity": who,
            "eventTime": crate::time::iso_time(time),
            "eventSource": source,
            "eventName": event,
            "awsRegion": self.staged.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": null,
            "eventID": format!("{}-{:06}", self.staged.run_id, self.events),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "eventCategory": if data { "Data" } else { "Management" },
            "managementEvent": !data,
            "recipientAccountId": self.staged.account,
        })
    }

    /// The responder's actions since the last round, as CloudTrail would
    /// have logged them (the emulator logs nothing).
    async fn mirror_responder(&mut self) {
        if self.trail.is_none() {
            return;
        }
        let entries = match self.incident.lock().await.all_entries() {
            Ok(e) => e,
            Err(_) => return,
        };
        let seen = self.journal_seen;
        for e in entries.iter().filter(|e| e.seq > seen) {
            self.journal_seen = e.seq;
            match e.kind.as_str() {
                "session_start" if e.data["caller"]["arn"].is_string() => {
                    let arn = e.data["caller"]["arn"].as_str().unwrap_or_default();
                    self.responder = json!({"type": "IAMUser", "arn": arn,
                        "accountId": e.data["caller"]["account"], "userName": arn.rsplit('/').next()});
                }
                "action_planned" => {
                    if let Ok(spec) = serde_json::from_value::<ActionSpec>(e.data["spec"].clone()) {
                        self.planned.insert(crate::actions::planned_id(e), spec);
                    }
                }
                "action_applied" | "action_undone" => {
                    let id = e.data["action_id"].as_str().unwrap_or_default();
                    let Some(spec) = self.planned.get(id).cloned() else {
                        continue;
                    };
                    let (source, event) = responder_event(&spec);
                    let mut params = json!({"target": spec.target()});
                    if let Some(b) = spec.bucket() {
                        params["bucketName"] = json!(b);
                    }
                    // The trail a StartLogging names, as CloudTrail logs it.
                    if let ActionSpec::StartLogging(t) = &spec {
                        params["name"] = json!(t.trail);
                    }
                    self.events += 1;
                    let r = self.base_record(
                        self.responder.clone(),
                        event,
                        source,
                        "10.0.0.10".into(),
                        "warroom".into(),
                        false,
                        false,
                        params,
                        crate::time::parse_time(&e.time).unwrap_or(self.at),
                    );
                    self.records.push(r);
                }
                _ => {}
            }
        }
    }

    /// Deliver the records gathered since the last delivery as one log
    /// file: `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<unique>.json.gz`.
    async fn flush(&mut self) -> Result<(), AwsError> {
        let Some(trail) = self.trail.as_mut() else {
            self.records.clear();
            return Ok(());
        };
        if self.records.is_empty() {
            return Ok(());
        }
        // A stopped trail delivers nothing after its StopLogging record:
        // the tail and the watches see the gap the attacker made.
        let trail_name = &self.scenario.trail.name;
        let logging = crate::aws::trail::logging_status(&self.admin, trail_name)
            .await
            .map_or(true, |(on, _)| on);
        if !logging {
            let stop = self
                .records
                .iter()
                .rposition(|r| r["eventName"] == "StopLogging" && r["errorCode"].is_null());
            self.records.truncate(stop.map_or(0, |i| i + 1));
            if self.records.is_empty() {
                return Ok(());
            }
        }
        let records: Vec<String> = self.records.drain(..).map(|r| r.to_string()).collect();
        let bytes = crate::model::trail::log_file_gz(&records)
            .map_err(|e| AwsError::new("WriteFailed", e.to_string()))?;
        trail.files += 1;
        let now = crate::time::now_secs();
        let (y, m, d) = crate::time::days_between(now, now)[0];
        let iso = crate::time::iso_time(now);
        let hhmm = format!("{}{}", &iso[11..13], &iso[14..16]);
        let (acct, region) = (&self.staged.account, &self.staged.region);
        let key = format!(
            "AWSLogs/{acct}/CloudTrail/{region}/{y:04}/{m:02}/{d:02}/{acct}_CloudTrail_{region}_{y:04}{m:02}{d:02}T{hhmm}Z_{}{:05}.json.gz",
            self.staged.run_id, trail.files
        );
        game::put_object(&self.admin.s3, &trail.bucket, &key, bytes).await?;
        Ok(())
    }
}

/// Whether `outsider` can still use the backdoored `role`: the role is
/// there, carries no deny-all, and its trust lets that account in.
pub async fn backdoor_open(
    c: &Clients,
    role: &str,
    outsider: &str,
    own_account: &str,
) -> Result<bool, AwsError> {
    let info = match crate::aws::iam::role(c, role).await {
        Ok(i) => i,
        Err(e) if e.code == "NoSuchEntity" => return Ok(false),
        Err(e) => return Err(e),
    };
    let who = Principal::Role(role.to_string());
    if crate::aws::iam::inline_policy(c, &who, DENY_ALL_POLICY_NAME)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let doc: Value = serde_json::from_str(&info.trust_document).unwrap_or(Value::Null);
    Ok(
        crate::model::credentials::trust_principals(&doc, own_account)
            .iter()
            .any(|p| p.flag.is_some() && p.value.contains(outsider)),
    )
}

/// Whether what the attacker made still stands, read now.
pub async fn still_there(c: &Clients, made: &Made, own_account: &str) -> Result<bool, AwsError> {
    match made {
        Made::AccessKey { user, key_id } => game::access_key_active(c, user, key_id).await,
        Made::User { user, .. } => crate::aws::iam::user_present(c, user).await,
        Made::Trust { role, account, .. } => backdoor_open(c, role, account, own_account).await,
        Made::TrailStopped { trail } => match crate::aws::trail::logging_status(c, trail).await {
            Ok((on, _)) => Ok(!on),
            // Deleted since: not logging either.
            Err(e) if e.code.contains("NotFound") => Ok(true),
            Err(e) => Err(e),
        },
    }
}

/// Each distinct `field` of the attacks journaled in the game that starts
/// at the last `STARTED` entry, in order.
fn in_last_game<T: serde::de::DeserializeOwned + PartialEq>(
    entries: &[crate::incident::Entry],
    field: &str,
) -> Vec<T> {
    let from = entries
        .iter()
        .rposition(|e| e.kind == kind::STARTED)
        .unwrap_or(0);
    let mut out: Vec<T> = Vec::new();
    for e in entries[from..].iter().filter(|e| e.kind == kind::ATTACK) {
        if let Ok(m) = serde_json::from_value::<T>(e.data[field].clone())
            && !out.contains(&m)
        {
            out.push(m);
        }
    }
    out
}

/// The lifecycle rules the attacker planted in the last game, each once.
pub fn rules_planted(entries: &[crate::incident::Entry]) -> Vec<PlantedRule> {
    in_last_game(entries, "planted_rule")
}

/// The ways back made in the last game, each once.
pub fn made_in_game(entries: &[crate::incident::Entry]) -> Vec<Made> {
    in_last_game(entries, "made")
}

fn actor_name(a: Actor) -> &'static str {
    match a {
        Actor::LeakedKey => "leaked key",
        Actor::Anonymous => "anonymous",
        Actor::InstanceRole => "stolen role session",
        Actor::SecondKey => "second key",
        Actor::BackdoorRole => "backdoored role",
    }
}

/// The CloudTrail event a responder's action shows up as.
fn responder_event(spec: &ActionSpec) -> (&'static str, &'static str) {
    let (s3, iam, ec2) = ("s3.amazonaws.com", "iam.amazonaws.com", "ec2.amazonaws.com");
    match spec.name() {
        "block-public-access" => (s3, "PutBucketPublicAccessBlock"),
        "block-public-access-account" => (s3, "PutAccountPublicAccessBlock"),
        "remove-policy-statements" | "quarantine" | "deny-destruction" => (s3, "PutBucketPolicy"),
        "delete-access-point-policy" => (s3, "DeleteAccessPointPolicy"),
        "delete-access-point" => (s3, "DeleteAccessPoint"),
        "disable-distribution" => ("cloudfront.amazonaws.com", "UpdateDistribution"),
        "remove-key-statement" => ("kms.amazonaws.com", "PutKeyPolicy"),
        "revoke-grant" => ("kms.amazonaws.com", "RevokeGrant"),
        "disable-replication-rule" => (s3, "PutBucketReplication"),
        "remove-notification" => (s3, "PutBucketNotification"),
        "disable-website" => (s3, "DeleteBucketWebsite"),
        "reset-cors" => (s3, "PutBucketCors"),
        "remove-log-grants" => (s3, "PutBucketLogging"),
        "delete-bucket-policy" => (s3, "DeleteBucketPolicy"),
        "reset-bucket-acl" => (s3, "PutBucketAcl"),
        "reset-object-acls" => (s3, "PutObjectAcl"),
        "disable-acls" => (s3, "PutBucketOwnershipControls"),
        "enable-versioning" => (s3, "PutBucketVersioning"),
        "enable-encryption" | "block-sse-c" => (s3, "PutBucketEncryption"),
        "remove-lifecycle-rules" => (s3, "PutBucketLifecycle"),
        "enable-object-lock" => (s3, "PutObjectLockConfiguration"),
        "deactivate-key" => (iam, "UpdateAccessKey"),
        "delete-key" => (iam, "DeleteAccessKey"),
        "revoke-role-sessions" | "deny-all-role" => (iam, "PutRolePolicy"),
        "revoke-user-sessions" => (iam, "PutUserPolicy"),
        "lock-trust-policy" => (iam, "UpdateAssumeRolePolicy"),
        "detach-managed-policies" => (iam, "DetachRolePolicy"),
        "require-imdsv2" => (ec2, "ModifyInstanceMetadataOptions"),
        "rotate-key-pair" => (ec2, "CreateKeyPair"),
        "delete-key-pair" => (ec2, "DeleteKeyPair"),
        "start-logging" => ("cloudtrail.amazonaws.com", "StartLogging"),
        "delete-login-profile" => (iam, "DeleteLoginProfile"),
        "detach-policy" => (iam, "DetachUserPolicy"),
        "delete-inline-policy" => (iam, "DeleteUserPolicy"),
        "remove-from-group" => (iam, "RemoveUserFromGroup"),
        "restore-trust-policy" => (iam, "UpdateAssumeRolePolicy"),
        "delete-user" => (iam, "DeleteUser"),
        _ => (s3, "CopyObject"),
    }
}

/// A stable, fake but well-formed principal id suffix.
fn principal_suffix(name: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(name.as_bytes());
    d.iter()
        .take(8)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// A temporary access key id (ASIA…) for the n-th stolen session.
fn session_key_id(run_id: &str, n: u64) -> String {
    format!("ASIA{}", principal_suffix(&format!("{run_id}:{n}"))) + &format!("{n:08}")
}
