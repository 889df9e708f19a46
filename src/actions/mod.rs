//! The action engine: plan → confirm → apply → verify → journal → undo.
//!
//! An action is a value ([`ActionSpec`]). [`plan`] reads the exact prior
//! state (if that read fails, there is no plan and nothing runs) and
//! describes the change and its blast radius. [`execute`] journals every
//! stage *before* it happens (the prior state goes to evidence first), applies
//! through the normal clients (so `--read-only` is enforced at its one choke
//! point), then reads the state back and compares it with the plan. [`undo`]
//! is built only from the prior state recorded in the journal.
//!
//! The console and `warroom act` both drive this module; the journal records
//! their actions identically. Two actions on the same target never run at
//! once (see [`TargetLock`]); actions on different targets may.

pub mod access_key;
pub mod access_point;
pub mod access_point_policy;
pub mod account_pab;
pub mod bucket_acl;
pub mod bucket_pab;
pub mod bucket_policy;
pub mod catalog;
pub mod deny_destruction;
pub mod distribution;
pub mod encryption;
pub mod history;
pub mod imds;
pub mod inline_policy;
pub mod key_pair;
pub mod kms;
pub mod lifecycle_rules;
pub mod object_acls;
pub mod object_lock;
pub mod ownership;
pub mod permissions;
pub mod persistence;
pub mod policy_statements;
pub mod quarantine;
pub mod restore;
pub mod restore_archived;
pub mod role_escalation;
pub mod sessions;
pub mod side_doors;
pub mod sse_c;
pub mod versioning;

pub use catalog::{ActionKind, Risk, TargetKind};

/// The one place that maps an action to the module implementing it. Every
/// action module has the same four functions — `plan`, `apply`, `verify`
/// and `undo` — taking its own argument type. A new action is a variant of
/// [`ActionSpec`], an arm here, and its module; the engine does not change.
macro_rules! with_module {
    ($spec:expr, |$m:ident, $args:ident| $body:expr) => {
        match $spec {
            ActionSpec::BlockPublicAccess($args) => {
                use bucket_pab as $m;
                $body
            }
            ActionSpec::BlockPublicAccessAccount($args) => {
                use account_pab as $m;
                $body
            }
            ActionSpec::RemovePolicyStatements($args) => {
                use policy_statements as $m;
                $body
            }
            ActionSpec::DeleteBucketPolicy($args) => {
                use bucket_policy as $m;
                $body
            }
            ActionSpec::Quarantine($args) => {
                use quarantine as $m;
                $body
            }
            ActionSpec::DeleteAccessPointPolicy($args) => {
                use access_point_policy as $m;
                $body
            }
            ActionSpec::DeleteAccessPoint($args) => {
                use access_point as $m;
                $body
            }
            ActionSpec::ResetBucketAcl($args) => {
                use bucket_acl as $m;
                $body
            }
            ActionSpec::DisableDistribution($args) => {
                use distribution as $m;
                $body
            }
            ActionSpec::RemoveKeyStatement($args) => {
                use kms::statement as $m;
                $body
            }
            ActionSpec::RevokeGrant($args) => {
                use kms::grant as $m;
                $body
            }
            ActionSpec::DisableReplicationRule($args) => {
                use side_doors::replication as $m;
                $body
            }
            ActionSpec::RemoveNotification($args) => {
                use side_doors::notification as $m;
                $body
            }
            ActionSpec::DisableWebsite($args) => {
                use side_doors::website as $m;
                $body
            }
            ActionSpec::ResetCors($args) => {
                use side_doors::cors as $m;
                $body
            }
            ActionSpec::RemoveLogGrants($args) => {
                use side_doors::log_grants as $m;
                $body
            }
            ActionSpec::ResetObjectAcls($args) => {
                use object_acls as $m;
                $body
            }
            ActionSpec::DisableAcls($args) => {
                use ownership as $m;
                $body
            }
            ActionSpec::EnableVersioning($args) => {
                use versioning as $m;
                $body
            }
            ActionSpec::EnableEncryption($args) => {
                use encryption as $m;
                $body
            }
            ActionSpec::BlockSseC($args) => {
                use sse_c as $m;
                $body
            }
            ActionSpec::DenyDestruction($args) => {
                use deny_destruction as $m;
                $body
            }
            ActionSpec::RemoveLifecycleRules($args) => {
                use lifecycle_rules as $m;
                $body
            }
            ActionSpec::EnableObjectLock($args) => {
                use object_lock as $m;
                $body
            }
            ActionSpec::RestoreArchived($args) => {
                use restore_archived as $m;
                $body
            }
            ActionSpec::DeactivateAccessKey($args) => {
                use access_key as $m;
                $body
            }
            ActionSpec::DeleteAccessKey($args) => {
                use access_key::delete as $m;
                $body
            }
            ActionSpec::RevokeSessions($args) => {
                use sessions as $m;
                $body
            }
            ActionSpec::DenyAllRole($args) => {
                use role_escalation::deny_all_policy as $m;
                $body
            }
            ActionSpec::LockTrustPolicy($args) => {
                use role_escalation::lock_trust as $m;
                $body
            }
            ActionSpec::DetachManagedPolicies($args) => {
                use role_escalation::detach_managed as $m;
                $body
            }
            ActionSpec::RequireImdsV2($args) => {
                use imds as $m;
                $body
            }
            ActionSpec::RotateKeyPair($args) => {
                use key_pair as $m;
                $body
            }
            ActionSpec::DeleteKeyPair($args) => {
                use key_pair::delete as $m;
                $body
            }
            ActionSpec::StartLogging($args) => {
                use persistence::start_logging as $m;
                $body
            }
            ActionSpec::DeleteLoginProfile($args) => {
                use persistence::delete_login_profile as $m;
                $body
            }
            ActionSpec::DetachPolicy($args) => {
                use persistence::detach_policy as $m;
                $body
            }
            ActionSpec::DeleteInlinePolicy($args) => {
                use persistence::delete_inline_policy as $m;
                $body
            }
            ActionSpec::RemoveFromGroup($args) => {
                use persistence::remove_from_group as $m;
                $body
            }
            ActionSpec::RestoreTrustPolicy($args) => {
                use persistence::restore_trust as $m;
                $body
            }
            ActionSpec::DeleteUser($args) => {
                use persistence::delete_user as $m;
                $body
            }
            ActionSpec::Undelete($args)
            | ActionSpec::RestoreVersion($args)
            | ActionSpec::PitRestore($args) => {
                use restore as $m;
                $body
            }
        }
    };
}

use crate::model::watch::Target as WatchTarget;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::aws::{AwsError, Clients};
use crate::incident::{Incident, IncidentError};

/// An action whose target is one bucket and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub bucket: String,
}

/// An action on one access point of a bucket (the action is one of the
/// bucket's, and shares its lock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPointRef {
    pub bucket: String,
    pub access_point: String,
}

/// An action on the account itself (the account id is read at plan time).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {}

/// What to do, to what. Serialised flat (`{"action": "...", "bucket": ...}`)
/// into the journal, so an entry reads on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum ActionSpec {
    /// Turn on Block Public Access for one bucket (all four settings, or
    /// the chosen ones).
    BlockPublicAccess(bucket_pab::Args),
    /// Turn on all four account-level Block Public Access settings.
    BlockPublicAccessAccount(Account),
    /// Remove the public/shared statements of a bucket policy (control
    /// plane first, then the rest).
    RemovePolicyStatements(policy_statements::Args),
    /// Delete the bucket policy (undo puts the recorded document back).
    DeleteBucketPolicy(Bucket),
    /// Deny every S3 action on the bucket to all but break-glass principals.
    Quarantine(quarantine::Args),
    /// Delete an access point's policy (undo puts the recorded one back).
    DeleteAccessPointPolicy(access_point_policy::Args),
    /// Delete an access point (undo creates it again from the record, with
    /// a new alias).
    DeleteAccessPoint(access_point::Args),
    /// Reset the bucket ACL to FULL_CONTROL for the bucket owner only.
    ResetBucketAcl(Bucket),
    /// Disable a CloudFront distribution serving the bucket (undo enables).
    DisableDistribution(distribution::Args),
    /// Remove the key policy statement that lets another account decrypt
    /// with the bucket's KMS key (undo: the recorded policy).
    RemoveKeyStatement(kms::statement::Args),
    /// Revoke the KMS grant that lets another account decrypt (undo: an
    /// equivalent grant with a new id).
    RevokeGrant(kms::grant::Args),
    /// A replication rule's status to Disabled (undo: the recorded status).
    DisableReplicationRule(side_doors::Rule),
    /// Remove the event notifications to one destination.
    RemoveNotification(side_doors::Destination),
    /// Delete the website configuration (undo puts it back).
    DisableWebsite(Bucket),
    /// Remove the CORS rules that allow any origin.
    ResetCors(Bucket),
    RemoveLogGrants(Bucket),
    /// Reset object ACLs to owner-only: one object, a prefix or all.
    ResetObjectAcls(object_acls::Args),
    /// Object Ownership = BucketOwnerEnforced (ACLs stop granting access).
    DisableAcls(Bucket),
    /// Turn versioning on.
    EnableVersioning(Bucket),
    /// Default encryption: SSE-S3, or SSE-KMS with a chosen key.
    EnableEncryption(encryption::Args),
    /// Refuse SSE-C writes (customer-provided keys: the ransomware door);
    /// the default encryption stays.
    BlockSseC(Bucket),
    /// Deny deletes and lifecycle, versioning and encryption changes to all
    /// but the break-glass principals.
    DenyDestruction(deny_destruction::Args),
    /// Remove lifecycle rules (named, or all): a planted expiry stops.
    RemoveLifecycleRules(lifecycle_rules::Args),
    /// Object Lock on, with a governance-mode default retention.
    EnableObjectLock(object_lock::Args),
    /// Ask S3 to bring back the archived versions a restore needs.
    RestoreArchived(restore_archived::Args),
    /// Deactivate an IAM access key (undo: reactivate).
    DeactivateAccessKey(access_key::Args),
    /// Delete an IAM access key (irreversible).
    DeleteAccessKey(access_key::Args),
    /// Deny a role's or user's sessions issued before now.
    RevokeSessions(sessions::Args),
    /// Escalation: an inline deny-all policy on a role.
    DenyAllRole(role_escalation::Role),
    /// Escalation: a trust policy nobody can use.
    LockTrustPolicy(role_escalation::Role),
    /// Escalation: detach every managed policy of a role.
    DetachManagedPolicies(role_escalation::Role),
    /// Require IMDSv2 on an instance, or on every instance of a role.
    RequireImdsV2(imds::Args),
    /// Rotate an EC2 key pair: new key pair, new template defaults.
    RotateKeyPair(key_pair::Args),
    /// Delete an EC2 key pair (irreversible).
    DeleteKeyPair(key_pair::Args),
    /// Start logging on a trail the attacker stopped (undo: stop it).
    StartLogging(persistence::Trail),
    /// Delete a user's console password (irreversible).
    DeleteLoginProfile(persistence::User),
    /// Detach one managed policy from a user or role (undo: attach).
    DetachPolicy(persistence::PolicyOn),
    /// Delete one inline policy of a user or role (undo: the recorded one).
    DeleteInlinePolicy(persistence::PolicyOn),
    /// Take a user out of a group (undo: back in).
    RemoveFromGroup(persistence::Membership),
    /// Put a role's trust policy back as it was before the attacker's
    /// change (undo: the recorded document).
    RestoreTrustPolicy(persistence::Trust),
    /// Delete a user and everything on it (irreversible).
    DeleteUser(persistence::User),
    /// Remove the delete markers hiding keys' newest versions.
    Undelete(restore::Args),
    /// Make an earlier version of a key current again (a copy of it).
    RestoreVersion(restore::Args),
    /// Every key under a prefix as it was at a moment.
    PitRestore(restore::Args),
}

impl ActionSpec {
    /// The action's row in the one table ([`catalog`]).
    pub fn kind(&self) -> ActionKind {
        match self {
            ActionSpec::BlockPublicAccess(_) => ActionKind::BlockPublicAccess,
            ActionSpec::BlockPublicAccessAccount(_) => ActionKind::BlockPublicAccessAccount,
            ActionSpec::RemovePolicyStatements(_) => ActionKind::RemovePolicyStatements,
            ActionSpec::DeleteBucketPolicy(_) => ActionKind::DeleteBucketPolicy,
            ActionSpec::DeleteAccessPointPolicy(_) => ActionKind::DeleteAccessPointPolicy,
            ActionSpec::DeleteAccessPoint(_) => ActionKind::DeleteAccessPoint,
            ActionSpec::Quarantine(_) => ActionKind::Quarantine,
            ActionSpec::ResetBucketAcl(_) => ActionKind::ResetBucketAcl,
            ActionSpec::DisableDistribution(_) => ActionKind::DisableDistribution,
            ActionSpec::RemoveKeyStatement(_) => ActionKind::RemoveKeyStatement,
            ActionSpec::RevokeGrant(_) => ActionKind::RevokeGrant,
            ActionSpec::DisableReplicationRule(_) => ActionKind::DisableReplicationRule,
            ActionSpec::RemoveNotification(_) => ActionKind::RemoveNotification,
            ActionSpec::DisableWebsite(_) => ActionKind::DisableWebsite,
            ActionSpec::ResetCors(_) => ActionKind::ResetCors,
            ActionSpec::RemoveLogGrants(_) => ActionKind::RemoveLogGrants,
            ActionSpec::ResetObjectAcls(_) => ActionKind::ResetObjectAcls,
            ActionSpec::DisableAcls(_) => ActionKind::DisableAcls,
            ActionSpec::EnableVersioning(_) => ActionKind::EnableVersioning,
            ActionSpec::EnableEncryption(_) => ActionKind::EnableEncryption,
            ActionSpec::BlockSseC(_) => ActionKind::BlockSseC,
            ActionSpec::DenyDestruction(_) => ActionKind::DenyDestruction,
            ActionSpec::RemoveLifecycleRules(_) => ActionKind::RemoveLifecycleRules,
            ActionSpec::EnableObjectLock(_) => ActionKind::EnableObjectLock,
            ActionSpec::RestoreArchived(_) => ActionKind::RestoreArchived,
            ActionSpec::DeactivateAccessKey(_) => ActionKind::DeactivateKey,
            ActionSpec::DeleteAccessKey(_) => ActionKind::DeleteKey,
            ActionSpec::RevokeSessions(sessions::Args {
                principal: crate::aws::iam::Principal::Role(_),
            }) => ActionKind::RevokeRoleSessions,
            ActionSpec::RevokeSessions(_) => ActionKind::RevokeUserSessions,
            ActionSpec::DenyAllRole(_) => ActionKind::DenyAllRole,
            ActionSpec::LockTrustPolicy(_) => ActionKind::LockTrustPolicy,
            ActionSpec::DetachManagedPolicies(_) => ActionKind::DetachManagedPolicies,
            ActionSpec::RequireImdsV2(_) => ActionKind::RequireImdsV2,
            ActionSpec::RotateKeyPair(_) => ActionKind::RotateKeyPair,
            ActionSpec::DeleteKeyPair(_) => ActionKind::DeleteKeyPair,
            ActionSpec::StartLogging(_) => ActionKind::StartLogging,
            ActionSpec::DeleteLoginProfile(_) => ActionKind::DeleteLoginProfile,
            ActionSpec::DetachPolicy(_) => ActionKind::DetachPolicy,
            ActionSpec::DeleteInlinePolicy(_) => ActionKind::DeleteInlinePolicy,
            ActionSpec::RemoveFromGroup(_) => ActionKind::RemoveFromGroup,
            ActionSpec::RestoreTrustPolicy(_) => ActionKind::RestoreTrustPolicy,
            ActionSpec::DeleteUser(_) => ActionKind::DeleteUser,
            ActionSpec::Undelete(_) => ActionKind::Undelete,
            ActionSpec::RestoreVersion(_) => ActionKind::RestoreVersion,
            ActionSpec::PitRestore(_) => ActionKind::PitRestore,
        }
    }

    /// The name the journal and `warroom act` use, from the one table.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The bucket the action is about, if any (to refresh its row after).
    pub fn bucket(&self) -> Option<&str> {
        match self {
            ActionSpec::BlockPublicAccess(bucket_pab::Args { bucket, .. })
            | ActionSpec::RemovePolicyStatements(policy_statements::Args { bucket, .. })
            | ActionSpec::DeleteBucketPolicy(Bucket { bucket })
            | ActionSpec::DeleteAccessPointPolicy(access_point_policy::Args { bucket, .. })
            | ActionSpec::DeleteAccessPoint(access_point::Args { bucket, .. })
            | ActionSpec::Quarantine(quarantine::Args { bucket, .. })
            | ActionSpec::ResetBucketAcl(Bucket { bucket })
            | ActionSpec::DisableDistribution(distribution::Args { bucket, .. })
            | ActionSpec::RemoveKeyStatement(kms::statement::Args { bucket, .. })
            | ActionSpec::RevokeGrant(kms::grant::Args { bucket, .. })
            | ActionSpec::DisableReplicationRule(side_doors::Rule { bucket, .. })
            | ActionSpec::RemoveNotification(side_doors::Destination { bucket, .. })
            | ActionSpec::DisableWebsite(Bucket { bucket })
            | ActionSpec::ResetCors(Bucket { bucket })
            | ActionSpec::RemoveLogGrants(Bucket { bucket })
            | ActionSpec::ResetObjectAcls(object_acls::Args { bucket, .. })
            | ActionSpec::DisableAcls(Bucket { bucket })
            | ActionSpec::EnableVersioning(Bucket { bucket })
            | ActionSpec::EnableEncryption(encryption::Args { bucket, .. })
            | ActionSpec::BlockSseC(Bucket { bucket })
            | ActionSpec::DenyDestruction(deny_destruction::Args { bucket, .. })
            | ActionSpec::RemoveLifecycleRules(lifecycle_rules::Args { bucket, .. })
            | ActionSpec::EnableObjectLock(object_lock::Args { bucket, .. })
            | ActionSpec::RestoreArchived(restore_archived::Args { bucket, .. })
            | ActionSpec::Undelete(restore::Args { bucket, .. })
            | ActionSpec::RestoreVersion(restore::Args { bucket, .. })
            | ActionSpec::PitRestore(restore::Args { bucket, .. }) => Some(bucket),
            _ => None,
        }
    }

    /// What the action changes, as shown to the responder. Two actions with
    /// the same target never run at once.
    pub fn target(&self) -> String {
        match self {
            ActionSpec::ResetObjectAcls(a) => a.target(),
            ActionSpec::Undelete(a) | ActionSpec::RestoreVersion(a) | ActionSpec::PitRestore(a) => {
                a.target()
            }
            ActionSpec::BlockPublicAccessAccount(_) => "this account".to_string(),
            ActionSpec::DeactivateAccessKey(a) | ActionSpec::DeleteAccessKey(a) => a.target(),
            ActionSpec::RevokeSessions(a) => a.target(),
            ActionSpec::DenyAllRole(a)
            | ActionSpec::LockTrustPolicy(a)
            | ActionSpec::DetachManagedPolicies(a) => a.target(),
            ActionSpec::RequireImdsV2(a) => a.target(),
            ActionSpec::RotateKeyPair(a) | ActionSpec::DeleteKeyPair(a) => a.target(),
            ActionSpec::StartLogging(a) => a.target(),
            ActionSpec::DeleteLoginProfile(a) | ActionSpec::DeleteUser(a) => a.target(),
            ActionSpec::DetachPolicy(a) | ActionSpec::DeleteInlinePolicy(a) => a.target(),
            ActionSpec::RemoveFromGroup(a) => format!("user {}", a.user),
            ActionSpec::RestoreTrustPolicy(a) => a.target(),
            _ => format!("s3://{}", self.bucket().unwrap_or_default()),
        }
    }

    /// Does applying this revoke a credential (and so start a watch)?
    pub fn starts_watch(&self) -> bool {
        matches!(
            self,
            ActionSpec::DeactivateAccessKey(_)
                | ActionSpec::DeleteAccessKey(_)
                | ActionSpec::RevokeSessions(_)
                | ActionSpec::RotateKeyPair(_)
        )
    }

    /// The lock key: everything on one bucket shares it, so a bucket's
    /// policy and its Public Access Block are never changed at the same time.
    pub fn lock_key(&self) -> String {
        match self.bucket() {
            Some(b) => format!("s3://{b}"),
            None => self.target(),
        }
    }
}

/// How the responder must confirm. One rule per action, whatever the state
/// or the number of items, so a responder learns what each action asks and
/// text typed for one dialog never answers another:
/// - y/n: deactivate an access key, default encryption, require IMDSv2 —
///   reversible changes that do not cut anyone off data;
/// - type the bucket name: every bucket action (Block Public Access,
///   policy, ACLs, ownership, versioning, restores);
/// - type the account id: account-wide Block Public Access;
/// - type the key id, role or key-pair name: deleting a key, revoking
///   sessions, role escalations, key pairs;
/// - type the action id: every undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Confirm {
    /// y/n.
    YesNo,
    /// Type this text (the bucket name) exactly.
    TypeName { text: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub spec: ActionSpec,
    /// One line: what will change.
    pub summary: String,
    /// Before/after, one line each per setting that changes.
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// A line diff of a document the action rewrites ("+ "/"- "/"  "
    /// prefixed), when before/after lines are not enough.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<String>,
    pub blast_radius: String,
    pub confirm: Confirm,
    /// How it can be undone, or why it cannot.
    pub undo: String,
    /// False when S3 offers no way back (e.g. to "never versioned").
    #[serde(default = "yes")]
    pub undoable: bool,
    /// The exact prior state, as read (also saved as evidence).
    pub prior: Value,
    /// Where the target lives.
    pub region: String,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub ok: bool,
    pub detail: String,
}

impl Verification {
    /// For deletions: read back, `what` must no longer exist.
    pub fn gone(what: &str, gone: bool) -> Self {
        Verification {
            ok: gone,
            detail: if gone {
                format!("read back: {what} no longer exists")
            } else {
                format!("read back: {what} still exists")
            },
        }
    }
}

/// The `undo` of an irreversible action. The engine refuses earlier (the
/// plan says `undoable: false`); this is what a direct call gets.
pub(crate) fn not_undoable(what: &str) -> Result<Verification, AwsError> {
    Err(AwsError::new(
        "NotUndoable",
        format!("{what} cannot be undone"),
    ))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Applied and read back as planned.
    Done {
        action_id: String,
        verification: Verification,
    },
    /// Applied, but the state read back is not what was planned.
    NotVerified {
        action_id: String,
        verification: Verification,
    },
    DryRun {
        action_id: String,
    },
    Cancelled {
        action_id: String,
    },
    Failed {
        action_id: String,
        stage: String,
        error: AwsError,
    },
}

impl Outcome {
    fn verified(action_id: String, verification: Verification) -> Self {
        if verification.ok {
            Outcome::Done {
                action_id,
                verification,
            }
        } else {
            Outcome::NotVerified {
                action_id,
                verification,
            }
        }
    }

    pub fn action_id(&self) -> &str {
        match self {
            Outcome::Done { action_id, .. }
            | Outcome::NotVerified { action_id, .. }
            | Outcome::DryRun { action_id }
            | Outcome::Cancelled { action_id }
            | Outcome::Failed { action_id, .. } => action_id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The prior state could not be read: the action must not run.
    #[error("cannot read the current state, so the action will not run: {0} — {msg}", msg = .0.message)]
    Capture(AwsError),
    #[error(transparent)]
    Journal(#[from] IncidentError),
    /// AWS does not let this be done to this target; the message says what
    /// to do instead (e.g. a service-linked or Identity Center role).
    #[error("{0}")]
    NotPossible(String),
    /// Nothing to change (e.g. no policy to delete): no plan, nothing runs.
    #[error("nothing to do: {0}")]
    NothingToDo(String),
    #[error("no action {0} in this incident")]
    UnknownAction(String),
    #[error("action {id} cannot be undone: {why}")]
    CannotUndo { id: String, why: String },
    /// Another action on the same target is still running.
    #[error("another action on {0} is still running; wait for it to finish")]
    Busy(String),
}

/// An AWS error while planning is a failure to read the prior state: the
/// action must not run (`?` in a plan says so).
impl From<AwsError> for ActionError {
    fn from(e: AwsError) -> Self {
        ActionError::Capture(e)
    }
}

/// A recorded prior state read back from the journal, for undo; one that
/// does not parse is `UnreadablePriorState`, naming what it was.
pub(crate) fn recorded<T: serde::de::DeserializeOwned>(
    prior: &Value,
    what: &str,
) -> Result<T, AwsError> {
    serde_json::from_value(prior.clone())
        .map_err(|e| AwsError::new("UnreadablePriorState", format!("the recorded {what}: {e}")))
}

/// Progress of a long action (bulk object ACLs), reported as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Objects finished (changed, already right, or failed).
    pub done: u64,
    pub total: u64,
    pub changed: u64,
    pub skipped: u64,
    pub failed: u64,
    pub elapsed_ms: u64,
    /// Bytes done and to do, for work measured in bytes (restores); 0 else.
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub total_bytes: u64,
}

impl Progress {
    /// Time left at the rate so far; `None` before there is a rate.
    pub fn eta(&self) -> Option<std::time::Duration> {
        if self.done == 0 || self.elapsed_ms == 0 || self.done > self.total {
            return None;
        }
        let per_item = self.elapsed_ms as f64 / self.done as f64;
        Some(std::time::Duration::from_millis(
            (per_item * (self.total - self.done) as f64) as u64,
        ))
    }
}

/// The incident, shared by concurrent actions: each journal append takes the
/// lock briefly, so a long action never holds up another one's journaling.
pub type SharedIncident = tokio::sync::Mutex<Incident>;

/// What an action runs with.
pub struct Cx<'a> {
    pub clients: &'a Clients,
    pub incident: &'a SharedIncident,
    pub progress: &'a (dyn Fn(Progress) + Send + Sync),
    /// How long the watch a revocation starts runs.
    pub watch_timing: crate::model::watch::Timing,
}

impl<'a> Cx<'a> {
    pub fn new(clients: &'a Clients, incident: &'a SharedIncident) -> Self {
        Cx {
            clients,
            incident,
            progress: &|_| {},
            watch_timing: crate::model::watch::Timing::default(),
        }
    }

    pub fn with_watch_timing(mut self, timing: crate::model::watch::Timing) -> Self {
        self.watch_timing = timing;
        self
    }

    pub fn with_progress(mut self, progress: &'a (dyn Fn(Progress) + Send + Sync)) -> Self {
        self.progress = progress;
        self
    }

    /// Every entry of the incident's journal.
    pub async fn entries(&self) -> Result<Vec<crate::incident::Entry>, IncidentError> {
        self.incident.lock().await.all_entries()
    }

    /// Append one journal entry (flushed and fsync'd before this returns).
    pub async fn record(
        &self,
        kind: &str,
        data: Value,
    ) -> Result<crate::incident::Entry, IncidentError> {
        self.incident.lock().await.record(kind, data)
    }
}

/// Held while an action runs on a target; a second action on the same
/// target is refused rather than queued, so nothing surprising happens later.
struct TargetLock(String);

static IN_FLIGHT: std::sync::Mutex<std::collections::BTreeSet<String>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

impl TargetLock {
    fn take(spec: &ActionSpec) -> Result<Self, ActionError> {
        let key = spec.lock_key();
        let mut set = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner());
        if !set.insert(key.clone()) {
            return Err(ActionError::Busy(spec.target()));
        }
        Ok(TargetLock(key))
    }
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

/// Journal a failure at `stage` and return it as the outcome.
async fn failed(
    cx: &Cx<'_>,
    action_id: &str,
    stage: &str,
    what: &str,
    error: AwsError,
) -> Result<Outcome, ActionError> {
    cx.record(
        "action_failed",
        json!({
            "summary": format!("{action_id}: {what}: {} ({})", error.message, error.code),
            "action_id": action_id,
            "stage": stage,
            "error": error,
        }),
    )
    .await?;
    Ok(Outcome::Failed {
        action_id: action_id.to_string(),
        stage: stage.to_string(),
        error,
    })
}

/// The id of the action an `action_planned` entry starts: its `action_id`
/// (A1, A2, … per incident), or, in a journal written before actions were
/// numbered so, `A` and the entry's seq.
pub fn planned_id(e: &crate::incident::Entry) -> String {
    e.data["action_id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("A{}", e.seq))
}

/// Read the prior state and describe the change.
pub async fn plan(clients: &Clients, spec: &ActionSpec) -> Result<Plan, ActionError> {
    let mut plan =
        with_module!(spec, |m, args| m::plan(clients, args).await).map_err(|e| match e {
            // A prior state that cannot be read for lack of a permission says which.
            ActionError::Capture(error) => {
                ActionError::Capture(permissions::explain(error, spec.name()))
            }
            other => other,
        })?;
    // The table's risk is the last word: a final action is never offered
    // an undo, whatever its module wrote.
    if spec.kind().risk() == Risk::Final {
        plan.undoable = false;
    }
    Ok(plan)
}

/// Journal, apply, verify. `confirmed` says the responder confirmed as the
/// plan required (the caller checks the typed name); `how` records how.
pub async fn execute(
    cx: &Cx<'_>,
    plan: &Plan,
    confirmed: bool,
    how: &str,
    dry_run: bool,
) -> Result<Outcome, ActionError> {
    let _lock = TargetLock::take(&plan.spec)?;
    // A restore waits for what comes first (evidence kept, the planted
    // rule off, SSE-C blocked) unless the responder gave a reason, which
    // is journaled with what was skipped.
    if let ActionSpec::PitRestore(a) = &plan.spec {
        let entries = cx.incident.lock().await.all_entries()?;
        let missing = restore::missing_first(plan, &entries);
        if !missing.is_empty() {
            let Some(reason) = a.override_order.as_deref().filter(|r| !r.trim().is_empty()) else {
                return Err(ActionError::NotPossible(format!(
                    "the restore waits for what comes first — {}. To restore now anyway, give the reason: --override-order REASON (in the console, `override REASON` after the time)",
                    missing
                        .iter()
                        .map(|m| m.trim_start_matches("first: "))
                        .collect::<Vec<_>>()
                        .join("; ")
                )));
            };
            cx.incident.lock().await.record(
                "order_overridden",
                json!({
                    "summary": format!("{} on {} before what comes first: {reason}", plan.spec.name(), plan.spec.target()),
                    "reason": reason,
                    "skipped": missing,
                    "spec": plan.spec,
                }),
            )?;
        }
    }
    // The account the action acts in, journaled with it (an organisation's
    // incident spans many). Unknown is said, not guessed.
    let account = cx.clients.account_id().await.ok();
    // The prior state goes to evidence and the journal before anything else.
    let prior_bytes =
        serde_json::to_vec_pretty(&plan.prior).map_err(|e| IncidentError::Encode(e.to_string()))?;
    let evidence = cx
        .incident
        .lock()
        .await
        .store_evidence(&prior_bytes, "json")?;
    // Actions are numbered A1, A2, … in each incident; the entry's journal
    // seq stays the link between the two. Counted and written under one
    // lock, so two actions started at once cannot share a number.
    let planned = {
        let mut incident = cx.incident.lock().await;
        let n = incident
            .all_entries()?
            .iter()
            .filter(|e| e.kind == "action_planned")
            .count()
            + 1;
        incident.record(
            "action_planned",
            json!({
                "summary": format!("{} on {}: {}", plan.spec.name(), plan.spec.target(), plan.summary),
                "action_id": format!("A{n}"),
                "account": account,
                "spec": plan.spec,
                "region": plan.region,
                "before": plan.before,
                "after": plan.after,
                "diff": plan.diff,
                "blast_radius": plan.blast_radius,
                "undo": plan.undo,
                "undoable": plan.undoable,
                "prior": plan.prior,
                "prior_evidence": evidence,
                "dry_run": dry_run,
            }),
        )?
    };
    let action_id = planned_id(&planned);
    let id = json!(action_id);
    if dry_run {
        cx.record(
            "action_dry_run",
            json!({"summary": format!("{action_id}: dry run, nothing applied"), "action_id": id}),
        )
        .await?;
        return Ok(Outcome::DryRun { action_id });
    }
    if !confirmed {
        cx.record(
            "action_cancelled",
            json!({"summary": format!("{action_id}: not confirmed"), "action_id": id}),
        )
        .await?;
        return Ok(Outcome::Cancelled { action_id });
    }
    cx.record(
        "action_confirmed",
        json!({"summary": format!("{action_id}: confirmed ({how})"), "action_id": id, "how": how}),
    )
    .await?;
    // A credential revoked from this moment on is what a watch looks for.
    let applied_at = crate::time::now_secs();
    let applied = with_module!(&plan.spec, |m, args| m::apply(cx, &action_id, args, plan)
        .await);
    if let Err(error) = applied {
        let error = permissions::explain(error, plan.spec.name());
        return failed(cx, &action_id, "apply", "apply failed", error).await;
    }
    cx.record(
        "action_applied",
        json!({"summary": format!("{action_id}: applied"), "action_id": id}),
    )
    .await?;
    let verified = with_module!(&plan.spec, |m, args| m::verify(cx.clients, args, plan)
        .await);
    let verification = match verified {
        Ok(v) => v,
        Err(error) => {
            let error = permissions::explain(error, plan.spec.name());
            return failed(cx, &action_id, "verify", "could not read back", error).await;
        }
    };
    cx.record(
        "action_verified",
        json!({"summary": format!("{action_id}: {}", verification.detail), "action_id": id, "ok": verification.ok}),
    )
    .await?;
    let ok = verification.ok;
    let outcome = Outcome::verified(action_id, verification);
    if ok {
        start_watch(cx, plan, outcome.action_id(), applied_at).await?;
    }
    Ok(outcome)
}

/// After a revocation, watch for further use of the credential (see
/// `crate::watch`). Not being able to name the target (its ARN could not
/// be read) is journaled; it does not undo the action.
async fn start_watch(
    cx: &Cx<'_>,
    plan: &Plan,
    action_id: &str,
    cutoff: i64,
) -> Result<(), ActionError> {
    let arn = match &plan.spec {
        ActionSpec::RevokeSessions(s) => match &s.principal {
            crate::aws::iam::Principal::Role(r) => {
                crate::aws::iam::role(cx.clients, r).await.map(|r| r.arn)
            }
            crate::aws::iam::Principal::User(u) => crate::aws::iam::user_arn(cx.clients, u).await,
        }
        .map(Some),
        _ => Ok(None),
    };
    let arn = match arn {
        Ok(a) => a,
        Err(e) => {
            cx.record(
                "action_note",
                json!({"summary": format!("{action_id}: no watch started: cannot read the ARN ({})", e.code), "action_id": action_id}),
            )
            .await?;
            return Ok(());
        }
    };
    if let Some(target) = watch_target(&plan.spec, plan, arn) {
        crate::watch::start(
            &mut *cx.incident.lock().await,
            target,
            cx.clients.account_id().await.ok(),
            cutoff,
            action_id,
            cx.watch_timing,
        )?;
    }
    Ok(())
}

/// The watch an applied action calls for, if it revoked a credential.
/// `arn` is the revoked role's or user's ARN (read from IAM by the caller:
/// a role's ARN carries its path).
fn watch_target(spec: &ActionSpec, plan: &Plan, arn: Option<String>) -> Option<WatchTarget> {
    use crate::aws::iam::Principal;
    match spec {
        ActionSpec::DeactivateAccessKey(a) | ActionSpec::DeleteAccessKey(a) => {
            Some(WatchTarget::AccessKey {
                key_id: a.key_id.clone(),
            })
        }
        ActionSpec::RevokeSessions(s) => {
            let arn = arn?;
            Some(match s.principal {
                Principal::Role(_) => WatchTarget::Role { arn },
                Principal::User(_) => WatchTarget::User { arn },
            })
        }
        ActionSpec::RotateKeyPair(k) => Some(WatchTarget::KeyPair {
            name: k.name.clone(),
            instances: instances_in(&plan.blast_radius),
        }),
        _ => None,
    }
}

/// Instance ids named in a blast-radius text.
fn instances_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| {
            w.strip_prefix("i-").is_some_and(|h| {
                matches!(h.len(), 8 | 17) && h.bytes().all(|b| b.is_ascii_hexdigit())
            })
        })
        .map(str::to_string)
        .collect();
    out.dedup();
    out
}

/// Two policy documents are the same (AWS re-spaces what it returns); one
/// that is not JSON equals nothing.
pub(crate) fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// For undo: the state read back, as the journal records it, compared
/// with the recorded prior state.
pub(crate) fn compare_read_with_prior<T: Serialize>(
    now: Result<T, AwsError>,
    prior: &Value,
) -> Verification {
    compare_with_prior(
        now.map(|r| serde_json::to_value(r).unwrap_or(Value::Null)),
        prior,
    )
}

/// For undo: compare the state read back with the recorded prior state.
pub(crate) fn compare_with_prior(now: Result<Value, AwsError>, prior: &Value) -> Verification {
    match now {
        Ok(state) if state == *prior => Verification {
            ok: true,
            detail: "state read back equals the recorded prior state".into(),
        },
        Ok(state) => Verification {
            ok: false,
            detail: format!(
                "state read back differs from the recorded prior state: now {state}, recorded {prior}"
            ),
        },
        Err(e) => Verification {
            ok: false,
            detail: format!("could not read back: {e}"),
        },
    }
}

/// What undoing an action will do, from its journal entry alone, shown and
/// confirmed like any action's plan: the state it returns to, and that
/// whatever the action closed opens again. Undo is confirmed by typing the
/// action's id, for every action: one rule, and never a y/n that a name
/// typed for another dialog could answer.
pub fn plan_undo(incident: &Incident, action_id: &str) -> Result<Plan, ActionError> {
    let (spec, region, prior) = undo_record(incident, action_id)?;
    let entries = incident.all_entries()?;
    let planned = entries
        .iter()
        .find(|e| e.kind == "action_planned" && planned_id(e) == action_id)
        .ok_or_else(|| ActionError::UnknownAction(action_id.to_string()))?;
    let lines = |field: &str| -> Vec<String> {
        planned.data[field]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The action's diff, the other way round.
    let diff = lines("diff")
        .into_iter()
        .map(|l| match l.split_at_checked(2) {
            Some(("+ ", rest)) => format!("- {rest}"),
            Some(("- ", rest)) => format!("+ {rest}"),
            _ => l,
        })
        .collect();
    let how = planned.data["undo"]
        .as_str()
        .unwrap_or("the recorded prior state is written back");
    Ok(Plan {
        summary: format!(
            "undo {action_id}: put {} back as it was before {action_id} ({})",
            spec.target(),
            spec.name()
        ),
        before: lines("after"),
        after: lines("before"),
        diff,
        blast_radius: format!(
            "Reverses {action_id} ({} on {}): {how}. Whatever {action_id} closed opens again: if the state before it let someone in, it does again, at once.",
            spec.name(),
            spec.target()
        ),
        confirm: Confirm::TypeName {
            text: action_id.to_string(),
        },
        undo: format!("to close it again, run {} again", spec.name()),
        undoable: false,
        prior,
        region,
        spec,
    })
}

/// Reverse an applied action from the prior state in its journal entry,
/// then read back and check the state equals that prior state. `how` says
/// how the responder confirmed it (journaled).
pub async fn undo(cx: &Cx<'_>, action_id: &str, how: &str) -> Result<Outcome, ActionError> {
    let (spec, region, prior) = undo_record(&*cx.incident.lock().await, action_id)?;
    let _lock = TargetLock::take(&spec)?;
    let id = json!(action_id);
    cx.record("undo_started", json!({"summary": format!("{action_id}: undo started (restoring the recorded prior state; confirmed: {how})"), "action_id": id, "how": how}))
        .await?;
    let result = with_module!(&spec, |m, args| m::undo(
        cx, action_id, args, &region, &prior
    )
    .await);
    let verification = match result {
        Ok(v) => v,
        Err(error) => {
            let error = permissions::explain(error, spec.name());
            return failed(cx, action_id, "undo", "undo failed", error).await;
        }
    };
    cx.record(
        "action_undone",
        json!({"summary": format!("{action_id}: undone — {}", verification.detail), "action_id": id, "ok": verification.ok}),
    )
    .await?;
    Ok(Outcome::verified(action_id.to_string(), verification))
}

/// The spec, region and prior state of an action that was applied (wholly,
/// or in part for a bulk action) and not yet undone, from the journal alone.
fn undo_record(
    incident: &Incident,
    action_id: &str,
) -> Result<(ActionSpec, String, Value), ActionError> {
    let entries = incident.all_entries()?;
    let planned = entries
        .iter()
        .find(|e| e.kind == "action_planned" && planned_id(e) == action_id)
        .ok_or_else(|| ActionError::UnknownAction(action_id.to_string()))?;
    let about = |kind: &str| {
        entries
            .iter()
            .any(|e| e.kind == kind && e.data["action_id"] == action_id)
    };
    let cannot = |why: &str| ActionError::CannotUndo {
        id: action_id.to_string(),
        why: why.to_string(),
    };
    if planned.data["undoable"] == Value::Bool(false) {
        return Err(cannot(
            planned.data["undo"]
                .as_str()
                .unwrap_or("S3 offers no way back"),
        ));
    }
    if !about("action_applied") && !about(object_acls::BATCH_KIND) {
        return Err(cannot("it was never applied"));
    }
    if about("action_undone") {
        return Err(cannot("it has already been undone"));
    }
    let spec: ActionSpec = serde_json::from_value(planned.data["spec"].clone())
        .map_err(|e| cannot(&format!("unreadable plan: {e}")))?;
    let region = planned.data["region"]
        .as_str()
        .unwrap_or("us-east-1")
        .to_string();
    Ok((spec, region, planned.data["prior"].clone()))
}

/// MFA delete cannot be turned on by warroom: S3 accepts the change only from
/// the root user, with the root user's MFA code in the same request. So the
/// console explains and gives the exact command instead of pretending.
pub fn mfa_delete_explanation(bucket: &str, account: &str) -> Vec<String> {
    vec![
        format!("MFA delete on {bucket} makes deleting a version, or suspending versioning, require a one-time code from the root user's MFA device."),
        String::new(),
        "warroom does not turn it on: AWS accepts this change only from the account's root user, signing in with root access keys and passing the root MFA code in the same request. No IAM user or role can do it, and the console cannot.".into(),
        String::new(),
        "Run this as the root user (versioning must be, and stays, enabled):".into(),
        String::new(),
        format!("  aws s3api put-bucket-versioning --bucket {bucket} \\"),
        "    --versioning-configuration Status=Enabled,MFADelete=Enabled \\".into(),
        format!("    --mfa \"arn:aws:iam::{account}:mfa/root-account-mfa-device 123456\""),
        String::new(),
        "Replace 123456 with the current code, and the ARN with your root MFA device's serial if it differs. Delete the root access keys again afterwards.".into(),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn instance_ids_are_taken_from_the_blast_radius() {
        assert_eq!(
            super::instances_in(
                "launched with it: i-0abc1234def567890 (running), i-12345678 (stopped)."
            ),
            vec!["i-0abc1234def567890".to_string(), "i-12345678".to_string()]
        );
    }
}
