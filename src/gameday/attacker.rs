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
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    pub actor: Actor,
    pub event: &'static str,
    pub target: String,
    /// None: it worked; Some(code): refused.
    pub error: Option<String>,
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
            out.push(self.act(&op, None).await);
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
                    "error": result.error,
                }),
            )
            .map_err(|e| AwsError::new("JournalFailed", e.to_string()))?;
        self.mirror_responder().await;
        self.flush().await?;
        Ok(result)
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
        let target = match &op.key {
            Some(k) if op.op == OpKind::OpenAccessPoint => {
                format!("access point {k} on s3://{}", op.bucket)
            }
            Some(k) => format!("s3://{}/{k}", op.bucket),
            None => format!("s3://{}", op.bucket),
        };
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
        StepResult {
            actor: op.actor,
            event: op.op.event_name(),
            target,
            error,
        }
    }

    async fn perform(&self, op: &Op) -> Result<(), AwsError> {
        // The leaked key signs the attacker's requests, except in the
        // emulator once the game is on: it does not refuse an inactive
        // key, and a request racing the deactivation would show in IAM's
        // last-used record as a use after it. There the game decides
        // (checked just before) and the emulator only does the work.
        let c = match (op.actor, &self.leaked) {
            (Actor::LeakedKey, Some(leaked)) if !(self.live && self.trail.is_some()) => leaked,
            _ => &self.admin,
        };
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
        let mut params =
            json!({"bucketName": op.bucket, "Host": format!("{}.s3.amazonaws.com", op.bucket)});
        match (&op.key, op.op) {
            // S3 Control names the access point; the bucket is kept so the
            // console relates the event to it.
            (Some(k), OpKind::OpenAccessPoint) => params["name"] = json!(k),
            (Some(k), _) => params["key"] = json!(k),
            _ => {}
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

fn actor_name(a: Actor) -> &'static str {
    match a {
        Actor::LeakedKey => "leaked key",
        Actor::Anonymous => "anonymous",
        Actor::InstanceRole => "stolen role session",
    }
}

/// The CloudTrail event a responder's action shows up as.
fn responder_event(spec: &ActionSpec) -> (&'static str, &'static str) {
    let (s3, iam, ec2) = ("s3.amazonaws.com", "iam.amazonaws.com", "ec2.amazonaws.com");
    match spec.name() {
        "block-public-access" => (s3, "PutBucketPublicAccessBlock"),
        "block-public-access-account" => (s3, "PutAccountPublicAccessBlock"),
        "remove-policy-statements" | "quarantine" => (s3, "PutBucketPolicy"),
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
        "enable-encryption" => (s3, "PutBucketEncryption"),
        "deactivate-key" => (iam, "UpdateAccessKey"),
        "delete-key" => (iam, "DeleteAccessKey"),
        "revoke-role-sessions" | "deny-all-role" => (iam, "PutRolePolicy"),
        "revoke-user-sessions" => (iam, "PutUserPolicy"),
        "lock-trust-policy" => (iam, "UpdateAssumeRolePolicy"),
        "detach-managed-policies" => (iam, "DetachRolePolicy"),
        "require-imdsv2" => (ec2, "ModifyInstanceMetadataOptions"),
        "rotate-key-pair" => (ec2, "CreateKeyPair"),
        "delete-key-pair" => (ec2, "DeleteKeyPair"),
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
