//! The two messages of the console's loop: a [`Msg`] is what happened (a
//! key, a scan event, an answer from AWS), a [`Command`] is work
//! `update()` asks the runner to do. Both are plain data: this module
//! imports nothing else of the console.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use crate::actions::history::ActionRecord;
use crate::actions::{ActionError, ActionSpec, Outcome, Plan, Progress};
use crate::aws::AwsError;
pub use crate::incident::JournalError;
use crate::model::facts::BucketFacts;
use crate::model::restore::Version;
use crate::scan::{ScanEvent, Snapshot};

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resized(u16, u16),
    Scan {
        generation: u64,
        event: ScanEvent,
    },
    /// A journal write finished: Ok(what was recorded) or the error.
    Journaled(Result<String, JournalError>),
    Planned {
        /// The lock key of the target being planned for.
        key: String,
        result: Result<Box<Plan>, ActionError>,
    },
    /// The plan of an undo, to confirm like any plan.
    UndoPlanned {
        action_id: String,
        key: String,
        bucket: Option<String>,
        result: Result<Box<Plan>, ActionError>,
    },
    ActionProgress {
        target: String,
        progress: Progress,
    },
    ActionFinished {
        key: String,
        what: String,
        target: String,
        bucket: Option<String>,
        /// Set when this was the undo of that action.
        undo_of: Option<String>,
        result: Result<Outcome, ActionError>,
    },
    BucketRefreshed(Box<BucketFacts>),
    /// The action log, rebuilt from the journal (at start and after each
    /// action), so it always says what the journal says.
    ActionLog(Vec<ActionRecord>),
    /// AWS does not allow the action on this target; `why` says what to do
    /// instead (e.g. a service-linked or Identity Center role).
    CannotDo {
        key: String,
        what: String,
        why: String,
    },
    Credentials {
        generation: u64,
        facts: Box<crate::model::credentials::CredentialFacts>,
    },
    Tail(crate::tail::TailMsg),
    /// The incident's watches as journaled, when the console opens.
    WatchesReplayed(Vec<(crate::model::watch::Watch, Option<String>)>),
    Watch(crate::watch::WatchMsg),
    /// The wall clock, once a second (the watch clocks count down).
    Tick(i64),
    Versions {
        bucket: String,
        list: Result<VersionsList, AwsError>,
    },
    /// The attacker's changes, gathered from `since`.
    Changes {
        since: i64,
        gathered: Result<crate::changes::Gathered, AwsError>,
    },
    /// The checklist as journaled, when the console opens; and whether
    /// CloudTrail events were preserved as evidence.
    ChecklistReplayed {
        steps: std::collections::BTreeMap<String, crate::playbook::progress::StepState>,
        preserved: bool,
    },
    /// One move of the Game Day attacker (or why it could not move).
    Attacker(Result<crate::gameday::attacker::StepResult, AwsError>),
    /// The Game Day's score, once finished.
    GameDayScore(Result<Box<crate::gameday::score::Score>, crate::gameday::FinishError>),
    /// AWS answered that the credentials expired.
    CredentialsExpired,
}

/// Work for the runtime to do on update()'s behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    StartScan {
        generation: u64,
        /// Objects whose ACL must be read, per bucket (from the tail).
        watch: BTreeMap<String, Vec<String>>,
    },
    /// Store the finished scan as evidence and journal it.
    RecordSnapshot(Box<Snapshot>),
    /// Read the prior state and plan (answered by `Msg::Planned`).
    PlanAction(ActionSpec),
    /// Journal, then (if confirmed) apply and verify.
    Execute {
        plan: Box<Plan>,
        confirmed: bool,
        how: String,
        dry_run: bool,
    },
    /// The undo's plan, from the journal (answered by `Msg::UndoPlanned`).
    PlanUndo {
        action_id: String,
        key: String,
        bucket: Option<String>,
    },
    /// Undo a confirmed action; `how` says how it was confirmed.
    Undo {
        action_id: String,
        key: String,
        bucket: Option<String>,
        how: String,
    },
    /// Re-read one bucket after an action changed it.
    RefreshBucket {
        bucket: String,
        watch_keys: Vec<String>,
    },
    /// Read IAM users, roles, EC2 key pairs and instances.
    LoadCredentials { generation: u64 },
    /// Start the CloudTrail tail (once; it runs until the console quits).
    StartTail,
    /// Read the trails again now (answered as `Msg::Tail(Trails)`): after
    /// an action on a trail, the banner and the header must not wait for
    /// the tail's next minute.
    RefreshTrails,
    /// Run one CloudTrail Lake history search (answered as `Msg::Tail`).
    LakeSearch(crate::model::trail::LakeQuestion),
    /// Store these raw records as one gzip'd evidence file, journaled.
    PreserveEvents {
        records: Vec<String>,
        filter: String,
    },
    /// List a bucket's versions for the versions view.
    LoadVersions { bucket: String, since: i64 },
    /// Gather the attacker's changes since the window opened (`None`: the
    /// journal's first entry).
    LoadChanges { since: Option<i64> },
    /// Start a credential watch by hand, cutoff now (journaled; the
    /// watch runner picks it up).
    StartWatch(crate::model::watch::Target),
    /// Score the Game Day (reads the data back), journal the score, and
    /// answer with `Msg::GameDayScore`.
    FinishGameDay(Box<crate::playbook::Playbook>),
    /// Journal a note (e.g. a key marked as involved).
    Note {
        kind: String,
        summary: String,
        data: serde_json::Value,
    },
}

/// The view holds at most this many keys (the first, in key order); the
/// rest are counted, and `warroom versions` lists them all.
pub const MAX_KEYS: usize = 2_000;

/// What the runtime read for the view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionsList {
    /// "Enabled", "Suspended", or "" (never).
    pub versioning: String,
    /// Histories of changed keys, newest entry first.
    pub keys: Vec<Vec<Version>>,
    /// Changed keys beyond [`MAX_KEYS`].
    pub more: u64,
    /// Version ids S3 will not serve without the writer's SSE-C key (a
    /// HEAD answered 400), and the versions not probed (past the cap).
    pub sse_c: std::collections::BTreeSet<String>,
    pub sse_c_unprobed: usize,
}
