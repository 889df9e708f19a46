//! Command-line interface. Flags shared by every command behave as in the
//! AWS CLI, and the standard environment (AWS_PROFILE, AWS_REGION,
//! AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, SSO and assume-role profiles) is read
//! by aws-config exactly as the AWS CLI reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "warroom",
    version,
    about = "Incident console for unintended access to Amazon S3 buckets",
    long_about = "warroom is a full-screen terminal console for responding to unintended access \
to an Amazon S3 bucket: which buckets are public or shared and exactly why.\n\n\
With no command it opens the console. Credentials come from the standard AWS chain \
(environment, profile, SSO, assume-role, instance metadata).",
    after_help = "Examples:\n  warroom --profile ir --region eu-west-1\n  warroom scan --json | jq '.buckets[] | select(.verdict != \"private\")'\n  warroom demo            # the console against a local emulator with demo buckets"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Named profile from ~/.aws/config (default: AWS_PROFILE, then "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region).
    #[arg(long, global = true, value_name = "REGION", value_parser = parse_region)]
    pub region: Option<String>,
    /// Send every request to this endpoint instead of AWS (default: AWS_ENDPOINT_URL).
    /// S3 then uses path-style addressing.
    #[arg(long, global = true, value_name = "URL", value_parser = parse_endpoint)]
    pub endpoint_url: Option<String>,
    /// Never send a request that changes anything.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Show and journal every plan; apply nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// More regions to read EC2 instances and key pairs from, comma-separated
    /// (the --region one is always read).
    #[arg(long, global = true, value_name = "REGIONS", value_delimiter = ',', value_parser = parse_region)]
    pub ec2_regions: Vec<String>,
    /// How long a credential watch runs after a revocation, in minutes
    /// (default: [watch] minutes in the config file, else 30).
    #[arg(long, global = true, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::config::MAX_WATCH_MINUTES)))]
    pub watch_minutes: Option<u32>,
    /// How late CloudTrail may deliver an event and still count, in minutes:
    /// a watch is final only after its window plus this (default: [watch]
    /// allowance_minutes in the config file, else 15).
    #[arg(long, global = true, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::config::MAX_ALLOWANCE_MINUTES)))]
    pub watch_allowance: Option<u32>,
    /// A playbook file for the checklist instead of the built-in one (see
    /// assets/playbooks/s3-unintended-access.toml for the format).
    #[arg(long, global = true, value_name = "FILE")]
    pub playbook: Option<PathBuf>,
    /// Incident directory for the journal and evidence (default: ./warroom-<UTC time>/).
    #[arg(long, global = true, value_name = "DIR")]
    pub incident: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the full-screen console (the default).
    Console(ConsoleArgs),
    /// Scan bucket exposure once and print it. Exit code: 0 nothing public or
    /// shared, 1 something is, 2 on error or when a verdict is unknown.
    Scan(ScanArgs),
    /// Start a local emulator, seed demo buckets and open the console on it.
    Demo(DemoArgs),
    /// Game Day: stage an incident (in a local emulator it starts, or a
    /// sandbox account), play the attacker live, guide and score the
    /// response. `gameday teardown` removes what a sandbox run created.
    Gameday(GamedayArgs),
    /// Run one action without the console: plan, confirm, apply, verify,
    /// all journaled. Exit code: 0 applied and verified (or dry run),
    /// 1 not confirmed, 2 failed or not verified.
    #[command(subcommand)]
    Act(ActCommand),
    /// Print CloudTrail events (management events from LookupEvents, S3
    /// data events from the trail's log files), optionally following.
    Trail(TrailArgs),
    /// Run the incident's open credential watches without the console: one
    /// line per change. Exit code 0 when every watch is final and clean, 3
    /// when any saw a successful use after revocation, 4 when a trail that
    /// would see a use stopped logging during a window (unconfirmed), 2 on
    /// error.
    Watch(WatchArgs),
    /// What the incident's principals changed since the window opened: new
    /// keys, users, policies, roles and trust, trail tampering, bucket-side
    /// grants, each with who, when, from where and whether it is still in
    /// place (CloudTrail, backed by a sweep of IAM). Needs --incident DIR.
    /// Exit code 0 when nothing found is still in place, 1 when something
    /// is, 2 on error.
    Changes(ChangesArgs),
    /// Every key under a prefix changed since a time, with its version
    /// history; keys whose versions are gone are flagged. Exit code 1 when
    /// the bucket has never had versioning on.
    Versions(VersionsArgs),
    /// The exposure ledger from CloudTrail log files: every object an
    /// unauthorised principal (anonymous, another account, the incident's
    /// keys and roles from --incident's journal, --mark-ip addresses) read,
    /// wrote or deleted, with counts, bytes out, who and from where.
    Ledger(LedgerArgs),
    /// The after-action report of an incident (--incident DIR): timeline,
    /// actions with before/after and who, watch verdicts, data restored,
    /// evidence with hashes, the checklist, and the review's questions.
    /// Exit code 1 when the journal does not verify (the report says so).
    Report(ReportArgs),
    /// Check or print an incident's journal.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Print shell completions.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// The bucket an action is about.
#[derive(Debug, Clone, Args)]
pub struct BucketArg {
    /// The bucket.
    #[arg(value_name = "BUCKET", value_parser = parse_bucket)]
    pub bucket: String,
}

/// The access point an action is about, and its bucket.
#[derive(Debug, Clone, Args)]
pub struct AccessPointArg {
    #[command(flatten)]
    pub target: BucketArg,
    /// The access point's name.
    #[arg(long, value_name = "NAME")]
    pub access_point: String,
}

impl From<AccessPointArg> for crate::actions::AccessPointRef {
    fn from(a: AccessPointArg) -> Self {
        Self {
            bucket: a.target.bucket,
            access_point: a.access_point,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ActCommand {
    /// Turn on Block Public Access for a bucket: all four settings, or those
    /// named with --only (the others stay as they are).
    BlockPublicAccess {
        #[command(flatten)]
        target: BucketArg,
        /// Only these settings, comma-separated: block-public-acls,
        /// ignore-public-acls, block-public-policy, restrict-public-buckets.
        #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = ["block-public-acls", "ignore-public-acls", "block-public-policy", "restrict-public-buckets"])]
        only: Vec<String>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Turn on all four account-level Block Public Access settings.
    BlockPublicAccessAccount {
        #[command(flatten)]
        how: ActArgs,
    },
    /// Remove the public and cross-account statements of a bucket policy.
    /// Without --step: the control plane first (a Deny on configuration
    /// changes from outside the account), then, run again, the data plane.
    RemovePolicyStatements {
        #[command(flatten)]
        target: BucketArg,
        /// control-plane or data-plane (default: whichever comes next).
        #[arg(long, value_name = "STEP", value_parser = ["control-plane", "data-plane"])]
        step: Option<String>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete a bucket's policy (undo puts the exact document back).
    DeleteBucketPolicy {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Quarantine a bucket: one policy statement denies every S3 action to
    /// everyone but the break-glass principals (default: you), through
    /// every door (undo puts the exact prior policy back).
    Quarantine {
        #[command(flatten)]
        target: BucketArg,
        /// A principal ARN that keeps access (repeat for more); default:
        /// the caller's role or user.
        #[arg(long, value_name = "ARN")]
        keep: Vec<String>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete an access point's policy: the door it opens on its bucket
    /// (undo puts the recorded policy back).
    DeleteAccessPointPolicy {
        #[command(flatten)]
        target: AccessPointArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete an access point on the bucket, the door itself (undo creates
    /// it again from the recorded configuration, with a new alias).
    DeleteAccessPoint {
        #[command(flatten)]
        target: AccessPointArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Disable a CloudFront distribution that serves the bucket (undo
    /// enables it again).
    DisableDistribution {
        #[command(flatten)]
        target: BucketArg,
        /// The distribution's id (E…).
        #[arg(long, value_name = "ID")]
        distribution: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Remove one statement of the bucket's KMS key policy: the one that
    /// lets another account decrypt (undo puts the recorded policy back).
    RemoveKeyStatement {
        #[command(flatten)]
        target: BucketArg,
        /// The key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).
        #[arg(long, value_name = "ARN")]
        key: String,
        /// The statement's number, from 1, as the scan's reasons name it.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        statement: u16,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Revoke a grant on the bucket's KMS key that lets another account
    /// decrypt (undo creates an equivalent grant with a new id).
    RevokeGrant {
        #[command(flatten)]
        target: BucketArg,
        /// The key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).
        #[arg(long, value_name = "ARN")]
        key: String,
        /// The grant's id.
        #[arg(long, value_name = "ID")]
        grant: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Disable one replication rule (new objects stop leaving for its
    /// destination; the rule stays as evidence; undo sets its status back).
    DisableReplicationRule {
        #[command(flatten)]
        target: BucketArg,
        /// The replication rule's id.
        #[arg(long, value_name = "ID")]
        rule: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Remove the event notifications to one destination (undo adds the
    /// recorded ones back).
    RemoveNotification {
        #[command(flatten)]
        target: BucketArg,
        /// The SNS topic, SQS queue or Lambda function ARN.
        #[arg(long, value_name = "ARN")]
        destination: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Turn off static website hosting (undo puts the recorded
    /// configuration back).
    DisableWebsite {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Remove the CORS rules allowing any origin (undo puts the recorded
    /// rules back).
    ResetCors {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Remove the server access log target grants to anyone but the owner
    /// (logging stays on; undo puts the recorded configuration back).
    RemoveLogGrants {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Reset the bucket ACL to FULL_CONTROL for the bucket owner only.
    ResetBucketAcl {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Reset object ACLs to owner-only: one object (--key), a prefix
    /// (--prefix) or every object. Resumable: run it again after an
    /// interruption and it skips what is done.
    ResetObjectAcls {
        #[command(flatten)]
        target: BucketArg,
        /// One object.
        #[arg(long, value_name = "KEY", conflicts_with = "prefix")]
        key: Option<String>,
        /// Every object under this prefix.
        #[arg(long, value_name = "PREFIX")]
        prefix: Option<String>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Disable ACLs (Object Ownership = BucketOwnerEnforced).
    DisableAcls {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Enable versioning (there is no undo to "never versioned").
    EnableVersioning {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Enable default encryption: SSE-S3, or SSE-KMS with --kms-key.
    EnableEncryption {
        #[command(flatten)]
        target: BucketArg,
        /// KMS key id, ARN or alias (SSE-KMS); without it, SSE-S3.
        #[arg(long, value_name = "KEY")]
        kms_key: Option<String>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Deny deleting objects and versions and changing lifecycle, versioning
    /// and default encryption to everyone but the break-glass principals
    /// (--keep, default: you); reads and writes go on. Undo restores the
    /// exact prior policy.
    DenyDestruction {
        #[command(flatten)]
        target: BucketArg,
        /// A principal ARN that keeps these rights (repeatable).
        #[arg(long, value_name = "ARN", value_parser = parse_principal_arn)]
        keep: Vec<String>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Remove lifecycle rules: --rule ID (repeatable), --planted (the rules
    /// an incident principal wrote since the window opened, read from
    /// CloudTrail), or, with neither, every rule. The other rules are
    /// written back exactly; undo restores the whole recorded document.
    RemoveLifecycleRules {
        #[command(flatten)]
        target: BucketArg,
        /// The ID of a rule to remove (repeatable).
        #[arg(long = "rule", value_name = "ID", conflicts_with = "planted")]
        rules: Vec<String>,
        /// Only the rules the incident's principals wrote in the window.
        #[arg(long)]
        planted: bool,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Refuse SSE-C writes (objects encrypted with a key only the writer
    /// holds, the ransomware door); the default encryption stays. Undo
    /// writes the recorded configuration back.
    BlockSseC {
        #[command(flatten)]
        target: BucketArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Turn Object Lock on for a versioned bucket: every version written
    /// from now on is locked in governance mode for DAYS (deletes,
    /// overwrites in place and lifecycle expiry refused). S3 cannot turn
    /// Object Lock off again; undo removes the default retention only.
    EnableObjectLock {
        #[command(flatten)]
        target: BucketArg,
        /// The default retention in days (governance mode), 1 to 3650.
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Ask S3 to bring back the archived versions (Glacier Flexible
    /// Retrieval, Deep Archive) a restore to --to needs: one RestoreObject
    /// each, journaled, resumable. Then run pit-restore again: it copies
    /// each version once S3 has restored it. No undo (S3 cannot cancel).
    RestoreArchived {
        /// s3://BUCKET or s3://BUCKET/PREFIX
        #[arg(value_name = "S3_URL", value_parser = parse_s3_url)]
        target: S3Url,
        /// The restore's time, e.g. 2026-11-20T09:00Z.
        #[arg(long, value_name = "TIME", value_parser = parse_when)]
        to: i64,
        /// Expedited (minutes; not Deep Archive), Standard or Bulk.
        #[arg(long, default_value = "Standard", value_parser = ["Expedited", "Standard", "Bulk"])]
        tier: String,
        /// Days each restored copy stays readable.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=365))]
        days: u32,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Deactivate an IAM access key (undo reactivates it). The owner is
    /// found from the key id.
    DeactivateKey {
        #[arg(value_name = "ACCESS_KEY_ID", value_parser = parse_access_key_id)]
        key_id: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete an IAM access key: irreversible, asks for the key id typed.
    DeleteKey {
        #[arg(value_name = "ACCESS_KEY_ID", value_parser = parse_access_key_id)]
        key_id: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Deny a role's sessions issued before now (inline policy
    /// AWSRevokeOlderSessions, as the IAM console does).
    RevokeRoleSessions {
        #[arg(value_name = "ROLE", value_parser = parse_iam_name)]
        role: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Deny an IAM user's temporary credentials issued before now.
    RevokeUserSessions {
        #[arg(value_name = "USER", value_parser = parse_iam_name)]
        user: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Escalation: an inline policy on the role that denies everything.
    DenyAllRole {
        #[arg(value_name = "ROLE", value_parser = parse_iam_name)]
        role: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Escalation: rewrite the role's trust policy so nobody can assume it.
    LockTrustPolicy {
        #[arg(value_name = "ROLE", value_parser = parse_iam_name)]
        role: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Escalation: detach every managed policy from the role.
    DetachManagedPolicies {
        #[arg(value_name = "ROLE", value_parser = parse_iam_name)]
        role: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Require IMDSv2 on an instance (i-…), or with --role on every
    /// instance whose instance profile carries that role.
    RequireImdsv2 {
        #[arg(value_name = "INSTANCE_ID", value_parser = parse_instance_id, required_unless_present = "role", conflicts_with = "role")]
        instance: Option<String>,
        #[arg(long, value_name = "ROLE", value_parser = parse_iam_name)]
        role: Option<String>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Rotate an EC2 key pair: a new key pair (private key saved once to
    /// keys/<name>.pem in the incident directory, mode 0600) and new default
    /// launch template versions that use it.
    RotateKeyPair {
        #[arg(value_name = "NAME", value_parser = parse_key_pair_name)]
        name: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete an EC2 key pair: irreversible (its public key is recorded).
    DeleteKeyPair {
        #[arg(value_name = "NAME", value_parser = parse_key_pair_name)]
        name: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Remove the delete markers that hide keys' newest versions: one
    /// DeleteObjects call per 1,000 markers. Undo adds markers back.
    Undelete {
        /// s3://BUCKET or s3://BUCKET/PREFIX
        #[arg(value_name = "S3_URL", value_parser = parse_s3_url)]
        target: S3Url,
        /// Only markers made at or after this time (the incident window),
        /// e.g. 2026-11-20T09:00Z.
        #[arg(long, value_name = "TIME", value_parser = parse_when)]
        since: Option<i64>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Make an earlier version of one key current again, by a server-side
    /// copy of it (a new version; metadata, tags, storage class and
    /// encryption kept; multipart above 5 GB).
    RestoreVersion {
        /// s3://BUCKET/KEY
        #[arg(value_name = "S3_URL", value_parser = parse_s3_url)]
        target: S3Url,
        #[arg(long, value_name = "VERSION_ID")]
        version_id: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Point-in-time restore: every key under the prefix as it was at
    /// --to. Deleted keys are undeleted, changed keys rolled back by copy,
    /// keys created later left alone (or hidden with --hide-newer). Nothing
    /// is permanently deleted; resumable; undo puts everything back.
    PitRestore {
        /// s3://BUCKET or s3://BUCKET/PREFIX
        #[arg(value_name = "S3_URL", value_parser = parse_s3_url)]
        target: S3Url,
        /// The moment to restore to, e.g. 2026-11-20T09:00Z.
        #[arg(long, value_name = "TIME", value_parser = parse_when)]
        to: i64,
        /// Hide keys created after --to behind a (removable) delete marker.
        #[arg(long)]
        hide_newer: bool,
        /// A version never to restore to, e.g. one the attacker wrote with
        /// SSE-C (repeatable; `warroom trail --json` has each write's
        /// `responseElements."x-amz-version-id"`).
        #[arg(long = "skip-version", value_name = "VERSION_ID")]
        skip_versions: Vec<String>,
        /// Copy each key back from this replication destination (this
        /// account or another): the replica's newest version at or before
        /// --to, for keys whose own versions are gone.
        #[arg(long, value_name = "REPLICA", value_parser = parse_bucket, conflicts_with = "hide_newer")]
        from_bucket: Option<String>,
        /// Restore before the steps that should come first (events
        /// preserved, a planted lifecycle rule removed, SSE-C blocked),
        /// for this reason: journaled with the action.
        #[arg(long, value_name = "REASON")]
        override_order: Option<String>,
        /// Print the plan (counts and bytes per kind of key) and stop.
        #[arg(long)]
        plan: bool,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Start logging again on a trail (name or ARN) the attacker stopped;
    /// undo stops it.
    StartLogging {
        #[arg(value_name = "TRAIL", value_parser = parse_trail)]
        trail: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete a user's console password: irreversible (a new one can be
    /// made; the old one is not known).
    DeleteLoginProfile {
        #[arg(value_name = "USER", value_parser = parse_iam_name)]
        user: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Detach one managed policy (its ARN) from a user (--user) or a role
    /// (--role); undo attaches it again.
    DetachPolicy {
        #[arg(value_name = "POLICY_ARN", value_parser = parse_policy_arn)]
        policy: String,
        #[command(flatten)]
        on: PrincipalArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete one inline policy (its name) of a user (--user) or a role
    /// (--role); undo puts the recorded document back.
    DeleteInlinePolicy {
        #[arg(value_name = "POLICY_NAME", value_parser = parse_iam_name)]
        policy: String,
        #[command(flatten)]
        on: PrincipalArg,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Take a user out of a group; undo puts it back.
    RemoveFromGroup {
        #[arg(value_name = "USER", value_parser = parse_iam_name)]
        user: String,
        #[arg(value_name = "GROUP", value_parser = parse_iam_name)]
        group: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Put a role's trust policy back: the document in --document FILE (the
    /// one before the attacker's change), or without it the current one
    /// less every principal outside this account. Undo puts the recorded
    /// document back.
    RestoreTrustPolicy {
        #[arg(value_name = "ROLE", value_parser = parse_iam_name)]
        role: String,
        #[arg(long, value_name = "FILE")]
        document: Option<std::path::PathBuf>,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Delete a user and everything on it (keys, console password, MFA
    /// devices, certificates, SSH keys, groups, policies): irreversible;
    /// what was on it is recorded as evidence. Refuses warroom's own user.
    DeleteUser {
        #[arg(value_name = "USER", value_parser = parse_iam_name)]
        user: String,
        #[command(flatten)]
        how: ActArgs,
    },
    /// Explain how to turn on MFA delete (only the root user can), with the
    /// exact command. Changes nothing.
    MfaDelete {
        #[command(flatten)]
        target: BucketArg,
    },
    /// Every action this command can take: its name, what it changes, how
    /// much it risks and what it does (the one table the console uses too).
    List {
        /// One JSON object per action instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Reverse an earlier action of this incident from its recorded prior state.
    Undo {
        /// The action id, as printed when it ran (e.g. A4).
        action_id: String,
        #[command(flatten)]
        how: ActArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ActArgs {
    /// Do not ask: the confirmation is given.
    #[arg(long)]
    pub yes: bool,
    /// Print the plan and outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check the hash chain, the head and every evidence file. Exit code 0
    /// when everything verifies, 1 on any mismatch, 2 when it cannot be read.
    Verify {
        /// The incident directory.
        dir: PathBuf,
    },
    /// Print the incident's timeline.
    Show {
        /// The incident directory.
        dir: PathBuf,
        /// One JSON object per entry, as stored.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Args, Default)]
pub struct ConsoleArgs {
    /// How many buckets to scan at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Ring the terminal bell when a watch sees a revoked credential used
    /// successfully (default: [watch] bell in the config file, else off).
    #[arg(long)]
    pub bell: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// One JSON document on stdout (field names are stable; see README).
    #[arg(long)]
    pub json: bool,
    /// Only this bucket (repeatable).
    #[arg(long = "bucket", value_name = "NAME", value_parser = parse_bucket)]
    pub buckets: Vec<String>,
    /// How many buckets to scan at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Print time-to-first-result and total time on stderr (for benchmarks).
    #[arg(long, hide = true)]
    pub timings: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// md (Markdown, readable as text) or json.
    #[arg(long, default_value = "md", value_parser = ["md", "json"])]
    pub format: String,
}

#[derive(Debug, Clone, Args)]
pub struct LedgerArgs {
    /// CloudTrail log files with data events (.json.gz as delivered, or
    /// .json); many paths, repeatable. Without them: the trail events
    /// preserved in --incident's evidence.
    #[arg(long = "file", value_name = "PATH", num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Only events at or after this time, e.g. 2026-11-20T09:00Z.
    #[arg(long, value_name = "TIME", value_parser = parse_when)]
    pub since: Option<i64>,
    /// The account the buckets belong to (else the incident's).
    #[arg(long, value_name = "ACCOUNT_ID", value_parser = parse_account_id)]
    pub account: Option<String>,
    /// An address whose calls count as unauthorised (repeatable).
    #[arg(long = "mark-ip", value_name = "ADDRESS", value_parser = parse_ip)]
    pub mark_ip: Vec<String>,
    /// One JSON object: objects, principals, counts, buckets logged.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// The objects as CSV a spreadsheet opens safely.
    #[arg(long)]
    pub csv: bool,
}

fn parse_account_id(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("{s:?} is not a 12-digit account id"))
    }
}

fn parse_ip(s: &str) -> Result<String, String> {
    s.parse::<std::net::IpAddr>()
        .map(|a| a.to_string())
        .map_err(|_| format!("{s:?} is not an IP address"))
}

#[derive(Debug, Clone, Args)]
pub struct VersionsArgs {
    /// s3://BUCKET or s3://BUCKET/PREFIX
    #[arg(value_name = "S3_URL", value_parser = parse_s3_url)]
    pub target: S3Url,
    /// Keys changed at or after this time (default: 24 hours ago), e.g.
    /// 2026-11-20T09:00Z.
    #[arg(long, value_name = "TIME", value_parser = parse_when)]
    pub since: Option<i64>,
    /// One JSON object per key.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct TrailArgs {
    /// How far back to start: 90s, 30m, 2h, 7d (at most 90d).
    #[arg(long, default_value = "1h", value_name = "AGE", value_parser = crate::time::parse_duration)]
    pub since: i64,
    /// Only events on this bucket.
    #[arg(long, value_name = "NAME", value_parser = parse_bucket)]
    pub bucket: Option<String>,
    /// Only events signed with this access key.
    #[arg(long, value_name = "ACCESS_KEY_ID", value_parser = parse_access_key_id)]
    pub access_key: Option<String>,
    /// More filters, as in the console: "principal:P ip:A name:N errors data mgmt".
    #[arg(long, value_name = "FILTER", value_parser = parse_trail_filter)]
    pub filter: Option<crate::model::trail::TrailFilter>,
    /// More regions to read, comma-separated (the --region one always is).
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', value_parser = parse_region)]
    pub regions: Vec<String>,
    /// One JSON object per line (NDJSON): the normalised event and its record.
    #[arg(long)]
    pub json: bool,
    /// Keep polling and print new events as they arrive (Ctrl-C stops).
    #[arg(long)]
    pub follow: bool,
    /// Read these CloudTrail log files (.json.gz, as downloaded from the
    /// trail bucket, or .json) instead of asking AWS; filters apply. Takes
    /// many paths (`--file ~/Downloads/*.json.gz`) and may be repeated.
    #[arg(long = "file", value_name = "PATH", num_args = 1.., conflicts_with = "follow")]
    pub files: Vec<PathBuf>,
    /// Ask CloudTrail Lake (the first event data store in --region) instead:
    /// everything matching --bucket, --access-key and the filter's
    /// principal since --since, searched by AWS over the whole history.
    #[arg(long, conflicts_with_all = ["follow", "files"])]
    pub lake: bool,
    /// Print only how many events match.
    #[arg(long, conflicts_with = "json")]
    pub count: bool,
    /// Seconds between polls with --follow.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(5..=3600))]
    pub every: u64,
}

fn parse_trail_filter(s: &str) -> Result<crate::model::trail::TrailFilter, String> {
    let f = crate::model::trail::TrailFilter::parse(s)?;
    if f.marked_only {
        return Err(
            "`marked` is the console's filter (it needs the incident's buckets and credentials); name what to match instead, e.g. bucket:B key:AKIA…".into(),
        );
    }
    Ok(f)
}

#[derive(Debug, Clone, Args)]
pub struct ChangesArgs {
    /// How far back (e.g. 90m, 6h, 2d; default: since the incident's
    /// journal began, or 24h for a new one).
    #[arg(long, value_name = "AGE", value_parser = crate::time::parse_duration)]
    pub since: Option<i64>,
    /// Another access key the incident involves (repeatable).
    #[arg(long, value_name = "ACCESS_KEY_ID", value_parser = parse_access_key_id)]
    pub key: Vec<String>,
    /// Another principal (user or role ARN) the incident involves (repeatable).
    #[arg(long, value_name = "ARN", value_parser = parse_principal_arn)]
    pub principal: Vec<String>,
    /// One JSON object per change.
    #[arg(long)]
    pub json: bool,
    /// More regions to read CloudTrail and EC2 from, comma-separated.
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', value_parser = parse_region)]
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Start a watch on this access key first (revoked now).
    #[arg(long, value_name = "ACCESS_KEY_ID", value_parser = parse_access_key_id)]
    pub key: Option<String>,
    /// Start a watch on this principal (user or role ARN) first.
    #[arg(long, value_name = "ARN", value_parser = parse_principal_arn)]
    pub principal: Option<String>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Seconds between polls.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(5..=600))]
    pub every: u64,
    /// More regions to read CloudTrail from, comma-separated.
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', value_parser = parse_region)]
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Python interpreter that has moto installed (default: .venv/bin/python).
    #[arg(long, value_name = "PATH", env = "WARROOM_PYTHON")]
    pub python: Option<PathBuf>,
    #[command(flatten)]
    pub console: ConsoleArgs,
}

#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GamedayArgs {
    #[command(subcommand)]
    pub command: Option<GamedayCommand>,
    /// The scenario: a built-in id (see --list) or a scenario file.
    #[arg(
        long,
        default_value = "leaked-key-public-policy",
        value_name = "ID|FILE"
    )]
    pub scenario: String,
    /// List the built-in scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// Required with --profile or --endpoint-url: the game creates users,
    /// keys, buckets and an instance in that account (all tagged
    /// warroom:gameday; `warroom gameday teardown` removes them).
    #[arg(long)]
    pub i_understand_this_creates_resources: bool,
    /// Seconds between the attacker's moves (default: the scenario's).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub attacker_every: Option<u64>,
    /// Python interpreter that has moto installed (default: .venv/bin/python).
    #[arg(long, value_name = "PATH", env = "WARROOM_PYTHON")]
    pub python: Option<PathBuf>,
    #[command(flatten)]
    pub console: ConsoleArgs,
}

#[derive(Debug, Clone, Subcommand)]
pub enum GamedayCommand {
    /// Remove every resource a Game Day run created in a sandbox account
    /// (found by the warroom:gameday tag; nothing else is touched).
    Teardown(TeardownArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TeardownArgs {
    /// The run to remove (printed when the game started), e.g. gd1a2b3c4d.
    #[arg(long, value_name = "RUN", required_unless_present = "all")]
    pub run: Option<String>,
    /// Remove every Game Day run's resources.
    #[arg(long, conflicts_with = "run")]
    pub all: bool,
}

pub use crate::model::ids::{
    parse_access_key_id, parse_bucket, parse_iam_name, parse_instance_id, parse_key_pair_name,
    parse_policy_arn, parse_principal_arn, parse_region, parse_trail,
};

/// A user or a role, named with --user or --role (one of the two).
#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = false)]
pub struct PrincipalArg {
    #[arg(long, value_name = "USER", value_parser = parse_iam_name)]
    pub user: Option<String>,
    #[arg(long, value_name = "ROLE", value_parser = parse_iam_name)]
    pub role: Option<String>,
}

impl PrincipalArg {
    pub fn principal(self) -> crate::aws::iam::Principal {
        match (self.user, self.role) {
            (Some(u), _) => crate::aws::iam::Principal::User(u),
            // clap requires one of the two.
            (None, r) => crate::aws::iam::Principal::Role(r.unwrap_or_default()),
        }
    }
}

/// A bucket and an optional key or prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub path: Option<String>,
}

/// `s3://bucket` or `s3://bucket/key-or-prefix`.
pub fn parse_s3_url(s: &str) -> Result<S3Url, String> {
    let rest = s
        .strip_prefix("s3://")
        .ok_or("an S3 URL looks like s3://bucket/prefix")?;
    let (bucket, path) = match rest.split_once('/') {
        Some((b, p)) => (b, (!p.is_empty()).then(|| p.to_string())),
        None => (rest, None),
    };
    Ok(S3Url {
        bucket: parse_bucket(bucket)?,
        path,
    })
}

/// A UTC time: 2026-11-20T09:00:00Z, 2026-11-20T09:00Z or 2026-11-20.
pub fn parse_when(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let full = match t.len() {
        10 => format!("{t}T00:00:00Z"),
        17 if t.ends_with('Z') => format!("{}:00Z", &t[..16]),
        _ => t.to_string(),
    };
    crate::time::parse_time(&full)
        .filter(|_| full.ends_with('Z'))
        .ok_or_else(|| {
            "a UTC time looks like 2026-11-20T09:00Z (or with seconds, or a date)".into()
        })
}

fn parse_endpoint(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or("the endpoint must start with http:// or https://")?;
    if rest.is_empty() || rest.starts_with('/') || rest.chars().any(char::is_whitespace) {
        return Err("the endpoint needs a host, e.g. http://127.0.0.1:5000".into());
    }
    Ok(s.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `warroom act`'s subcommands are the table's actions (and the three
    /// that are not actions): an action is named once, in the catalog.
    #[test]
    fn act_subcommands_are_the_table_of_actions() {
        use strum::IntoEnumIterator;
        let cli = Cli::command();
        let act = cli.find_subcommand("act").expect("act");
        let mut named: Vec<&str> = act
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|n| !matches!(*n, "list" | "undo" | "mfa-delete"))
            .collect();
        named.sort_unstable();
        let mut table: Vec<&str> = crate::actions::ActionKind::iter()
            .map(|k| k.name())
            .collect();
        table.sort_unstable();
        assert_eq!(named, table);
    }

    #[test]
    fn credential_arguments_are_checked() {
        assert!(parse_access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(parse_access_key_id("akiaiosfodnn7example").is_err());
        assert!(parse_access_key_id("AKIA\u{1b}[2J").is_err());
        assert!(parse_iam_name("app-role").is_ok());
        assert!(parse_iam_name("arn:aws:iam::123456789012:role/x").is_err());
        assert!(parse_instance_id("i-0123456789abcdef0").is_ok());
        assert!(parse_instance_id("i-xyz").is_err());
        assert!(parse_key_pair_name("ops key").is_ok());
        assert!(parse_key_pair_name("bad\nname").is_err());
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(parse_endpoint("localhost:5000").is_err());
        assert!(parse_endpoint("http://").is_err());
        assert_eq!(
            parse_endpoint("http://127.0.0.1:5000/").as_deref(),
            Ok("http://127.0.0.1:5000")
        );
        assert!(parse_region("EU West").is_err());
        assert!(parse_bucket("Bad_Bucket").is_err());
        assert!(parse_bucket(&"a".repeat(63)).is_ok());
        assert!(parse_bucket(&"a".repeat(64)).is_err());
    }
}
