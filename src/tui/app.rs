//! The console's state and its one mutator, `update()`. It never awaits and
//! never touches the network: AWS work is requested as a [`Command`] and comes
//! back later as a [`Msg`]. That makes every behaviour here testable by
//! feeding messages and reading the state.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{Action, Keymap};
use crate::actions::{self, ActionSpec, Confirm, Outcome, Plan, Progress};
use crate::aws::{AwsError, Identity};
use crate::model::facts::{AccountFacts, BucketFacts};
use crate::scan::{BucketReport, ScanEvent, Snapshot, Summary};

/// What the console runs against, shown in the header.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub region: String,
    pub endpoint: Option<String>,
    pub profile: Option<String>,
    pub read_only: bool,
    /// Plans are shown and journaled; nothing is applied.
    pub dry_run: bool,
    /// The incident directory this session journals to.
    pub incident: Option<String>,
    /// More regions to read EC2 from (the console's region always is).
    pub ec2_regions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Dashboard,
    Detail,
    ActionLog,
    /// IAM keys, roles, EC2 key pairs and instances (Tab from the dashboard).
    Credentials,
    CredentialDetail,
    /// The live CloudTrail tail (Tab from the credentials pane).
    Trail,
    TrailDetail,
    /// The credential watches (Tab from the CloudTrail pane, or W).
    Watches,
    /// A bucket's changed keys and their versions (V).
    Versions,
    /// The playbook checklist (C, or Tab after the watches).
    Checklist,
}

impl View {
    /// The Tab ring, in order: each pane once. Every other view belongs to
    /// the pane it is opened from ([`View::pane`]); Tab and Backtab move
    /// along this ring and nowhere else.
    pub const RING: [View; 5] = [
        View::Dashboard,
        View::Credentials,
        View::Trail,
        View::Watches,
        View::Checklist,
    ];

    /// The ring pane this view belongs to (`None`: the action log, which
    /// returns to where it was opened from).
    pub fn pane(self) -> Option<View> {
        match self {
            View::Dashboard | View::Detail | View::Versions => Some(View::Dashboard),
            View::Credentials | View::CredentialDetail => Some(View::Credentials),
            View::Trail | View::TrailDetail => Some(View::Trail),
            View::Watches => Some(View::Watches),
            View::Checklist => Some(View::Checklist),
            View::ActionLog => None,
        }
    }

    /// The pane Tab (`forward`) or Backtab leads to from this view.
    pub fn neighbour(self, forward: bool) -> Option<View> {
        let here = self.pane()?;
        let i = Self::RING.iter().position(|v| *v == here)?;
        let n = Self::RING.len();
        Some(
            Self::RING[if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }],
        )
    }

    /// What the help and the hints call a ring pane.
    pub fn pane_name(self) -> &'static str {
        match self.pane() {
            Some(View::Dashboard) => "buckets",
            Some(View::Credentials) => "credentials",
            Some(View::Trail) => "CloudTrail",
            Some(View::Watches) => "watches",
            Some(View::Checklist) => "playbook",
            _ => "action log",
        }
    }
}

/// Open a ring pane, with what it needs the first time (the credentials
/// read, the CloudTrail tail).
fn open_pane(state: &mut State, pane: View) -> Vec<Command> {
    match pane {
        View::Credentials => {
            state.view = View::Credentials;
            if state.creds.facts.is_none() && !state.creds.loading {
                state.status = Some(waiting(
                    "reading IAM users, roles and EC2 key pairs…",
                    Awaiting::Credentials,
                ));
                return state.creds.load();
            }
        }
        View::Trail => return open_trail(state),
        View::Watches => super::watch_pane::open(state),
        View::Checklist => super::checklist_pane::open(state),
        other => state.view = other,
    }
    Vec::new()
}

/// A line typed for an action that needs more than a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The bucket a point-in-time restore is for.
    pub bucket: String,
    pub text: String,
    /// How many keys of the bucket the CloudTrail pane saw an incident
    /// principal write (hidden by default if made after the time).
    pub incident_written: usize,
}

/// A plan waiting for the responder's confirmation.
#[derive(Debug, Clone)]
pub struct ConfirmDialog {
    pub plan: Plan,
    /// What has been typed so far (for plans that need the bucket name).
    pub typed: String,
    /// Lines scrolled off the top of the plan (arrows, PgUp/PgDn): a long
    /// policy diff must be readable before it is confirmed.
    pub scroll: u16,
    /// Set when the plan is an undo: the action it reverses, and the
    /// bucket to re-read afterwards.
    pub undo_of: Option<(String, Option<String>)>,
}

pub use crate::actions::history::ActionRecord;

/// A read-only explanation (e.g. how to turn on MFA delete).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
    /// The answer this line waits for, if it waits: only that answer
    /// replaces it. Any other status (an action's result) clears it, so a
    /// reload in the background never overwrites that result.
    pub awaiting: Option<Awaiting>,
}

/// What a status line can be waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    /// The IAM users, roles and key pairs the responder asked to read.
    Credentials,
    /// A bucket's versions the responder asked to read.
    Versions,
    /// The incident's events being written to the evidence store.
    Preserving,
    /// A watch the responder started by hand, being journaled.
    Watch,
}

#[derive(Debug, Clone, Default)]
pub struct ScanProgress {
    /// Bumped by every new scan; events from older scans are dropped.
    pub generation: u64,
    pub running: bool,
    pub total: Option<usize>,
    pub done: usize,
    /// Buckets reported by the scan in progress (to drop deleted ones at the end).
    seen: HashSet<String>,
    /// A re-read after an account-wide action: it leaves the action's result
    /// on the status line (a failure still says so).
    pub quiet: bool,
    /// An account-wide action finished while a scan (which read the account
    /// before it) was running: scan again when it ends.
    pub again: bool,
    /// When the latest scan began (epoch seconds; 0 until the first clock
    /// tick): trail events from then on may postdate what it read.
    pub started_at: i64,
    /// When the incident's buckets were last read again (see `reverify`).
    pub reverified_at: i64,
}

impl ScanProgress {
    /// "12/41", or "12/?" before the bucket list is known.
    pub fn fraction(&self) -> String {
        match self.total {
            Some(t) => format!("{}/{t}", self.done),
            None => format!("{}/?", self.done),
        }
    }
}

#[derive(Debug)]
pub struct State {
    pub context: Context,
    pub keymap: Keymap,
    pub no_color: bool,
    pub size: (u16, u16),
    pub identity: Option<Result<Identity, AwsError>>,
    pub account: Option<AccountFacts>,
    /// Sorted worst verdict first, then by name.
    pub buckets: Vec<BucketReport>,
    /// The selected bucket, by name, so streaming rows never move the cursor
    /// to a different bucket.
    pub selected: Option<String>,
    /// Until the responder moves, the cursor stays on the worst bucket as
    /// rows stream in.
    pub cursor_moved: bool,
    pub view: View,
    pub help: bool,
    pub help_scroll: u16,
    pub detail_scroll: u16,
    pub scan: ScanProgress,
    pub dialog: Option<ConfirmDialog>,
    pub actions: Vec<ActionRecord>,
    pub log_selected: usize,
    /// Where the action log returns to.
    pub log_return: View,
    /// Targets (lock keys) with an action being planned, applied or undone:
    /// another action on the same target waits; other targets do not.
    pub busy: BTreeSet<String>,
    /// Progress of long actions, by target.
    pub progress: BTreeMap<String, Progress>,
    /// An explanation shown over everything until a key is pressed.
    pub notice: Option<Notice>,
    /// An action that did not verify (or failed): shown over everything,
    /// in the alarm colour, until a key acknowledges it. Unlike the status
    /// line, nothing that happens later replaces it.
    pub alarm: Option<Notice>,
    /// `q` was pressed while a game runs or a watch is open: the next key
    /// answers.
    pub quit_asked: bool,
    pub status: Option<Status>,
    /// The credentials pane.
    pub creds: super::credentials_pane::CredState,
    /// The CloudTrail pane.
    pub trail: super::trail_pane::TrailState,
    /// The credential watches.
    pub watches: super::watch_pane::WatchState,
    /// A line being typed for a bucket action (the restore time).
    pub prompt: Option<Prompt>,
    /// The incident window's start, once a restore time has been typed:
    /// the versions view shows changes from here.
    pub window_start: Option<i64>,
    /// The versions view.
    pub versions: Option<super::versions_pane::VersionsState>,
    /// The playbook checklist.
    pub checklist: super::checklist_pane::ChecklistState,
    /// Set when this console is a Game Day.
    pub gameday: Option<super::gameday::GameDayView>,
    /// AWS has said the session's credentials expired: a banner says so and
    /// actions are refused until warroom is restarted with fresh ones.
    pub credentials_expired: bool,
    /// Something changed since the last draw.
    pub dirty: bool,
    pub quit: bool,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resized(u16, u16),
    Scan {
        generation: u64,
        event: ScanEvent,
    },
    /// A journal write finished: Ok(what was recorded) or the error.
    Journaled(Result<String, String>),
    Planned {
        /// The lock key of the target being planned for.
        key: String,
        result: Result<Box<Plan>, String>,
    },
    /// The plan of an undo, to confirm like any plan.
    UndoPlanned {
        action_id: String,
        key: String,
        bucket: Option<String>,
        result: Result<Box<Plan>, String>,
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
        result: Result<Outcome, String>,
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
        list: Result<super::versions_pane::VersionsList, String>,
    },
    /// The checklist as journaled, when the console opens; and whether
    /// CloudTrail events were preserved as evidence.
    ChecklistReplayed {
        steps: std::collections::BTreeMap<String, crate::playbook::progress::StepState>,
        preserved: bool,
    },
    /// One move of the Game Day attacker (or why it could not move).
    Attacker(Result<crate::gameday::attacker::StepResult, String>),
    /// The Game Day's score, once finished.
    GameDayScore(Result<Box<crate::gameday::score::Score>, String>),
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
    /// Run one CloudTrail Lake history search (answered as `Msg::Tail`).
    LakeSearch(crate::model::trail::LakeQuestion),
    /// Store these raw records as one gzip'd evidence file, journaled.
    PreserveEvents {
        records: Vec<String>,
        filter: String,
    },
    /// List a bucket's versions for the versions view.
    LoadVersions { bucket: String, since: i64 },
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

impl State {
    pub fn new(context: Context, keymap: Keymap, no_color: bool, size: (u16, u16)) -> Self {
        Self {
            context,
            keymap,
            no_color,
            size,
            identity: None,
            account: None,
            buckets: Vec::new(),
            selected: None,
            cursor_moved: false,
            view: View::Dashboard,
            help: false,
            help_scroll: 0,
            detail_scroll: 0,
            scan: ScanProgress::default(),
            dialog: None,
            actions: Vec::new(),
            log_selected: 0,
            log_return: View::Dashboard,
            busy: BTreeSet::new(),
            progress: BTreeMap::new(),
            notice: None,
            alarm: None,
            quit_asked: false,
            status: None,
            creds: Default::default(),
            trail: Default::default(),
            watches: Default::default(),
            prompt: None,
            window_start: None,
            versions: None,
            checklist: Default::default(),
            gameday: None,
            credentials_expired: false,
            dirty: true,
            quit: false,
        }
    }

    /// The commands to run when the console opens.
    pub fn init(&mut self) -> Vec<Command> {
        self.start_scan()
    }

    pub fn selected_index(&self) -> Option<usize> {
        let name = self.selected.as_deref()?;
        self.buckets.iter().position(|b| b.facts.name == name)
    }

    pub fn selected_bucket(&self) -> Option<&BucketReport> {
        self.selected_index().map(|i| &self.buckets[i])
    }

    pub fn summary(&self) -> Summary {
        Summary::of(&self.buckets)
    }

    /// Rows of the bucket table that fit on screen (for paging).
    pub fn page_rows(&self) -> usize {
        usize::from(self.size.1.saturating_sub(14)).max(1)
    }

    /// Show what an earlier session last saw, until the new scan replaces it.
    pub fn restore(&mut self, snapshot: Snapshot, taken_at: &str) {
        self.buckets = snapshot
            .buckets
            .into_iter()
            .map(|b| BucketReport::new(&snapshot.account, b))
            .collect();
        self.buckets.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
        self.account = Some(snapshot.account);
        self.select_index(0);
        self.status = Some(Status {
            text: format!(
                "restored {} buckets from the journal (scan of {taken_at}); rescanning…",
                self.buckets.len()
            ),
            is_error: false,
            awaiting: None,
        });
        self.dirty = true;
    }

    fn start_scan(&mut self) -> Vec<Command> {
        self.scan.generation += 1;
        self.scan.running = true;
        self.scan.total = None;
        self.scan.done = 0;
        self.scan.seen.clear();
        self.scan.quiet = false;
        self.scan.again = false;
        self.scan.started_at = self.watches.now;
        self.status = Some(Status {
            text: "scanning…".into(),
            is_error: false,
            awaiting: None,
        });
        self.dirty = true;
        vec![Command::StartScan {
            generation: self.scan.generation,
            watch: self
                .trail
                .public_acl_keys
                .iter()
                .map(|(b, keys)| (b.clone(), keys.iter().cloned().collect()))
                .collect(),
        }]
    }

    fn select_index(&mut self, i: usize) {
        if let Some(b) = self
            .buckets
            .get(i.min(self.buckets.len().saturating_sub(1)))
        {
            self.selected = Some(b.facts.name.clone());
        }
    }
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    // Anything but a key, a tick or a resize may change what the checks
    // see: run them after it (they journal only what changed).
    let facts_may_change = !matches!(msg, Msg::Key(_) | Msg::Tick(_) | Msg::Resized(..));
    let mut cmds = handle(state, msg);
    if facts_may_change {
        cmds.extend(super::checklist_pane::refresh(state));
        state.trail.incident = super::trail_pane::incident_of(state);
    }
    // A pivot's filter (`w` from the tail) is for that look only: leaving
    // the credentials pane drops it.
    if state.creds.pivoted && !matches!(state.view, View::Credentials | View::CredentialDetail) {
        state.creds.pivoted = false;
        state.creds.filter.clear();
    }
    cmds
}

fn handle(state: &mut State, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Resized(w, h) => {
            state.size = (w, h);
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) if state.alarm.is_some() => {
            // Any key acknowledges the alarm; Ctrl-C still quits.
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                state.quit = true;
            }
            state.alarm = None;
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) if state.notice.is_some() => {
            // Any key closes the notice; Ctrl-C still quits.
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                state.quit = true;
            }
            state.notice = None;
            state.dirty = true;
            Vec::new()
        }
        Msg::Key(key) if state.dialog.is_some() => on_dialog_key(state, key),
        Msg::Key(key) if state.prompt.is_some() => on_prompt_key(state, key),
        Msg::Key(key) if state.creds.input.is_some() && state.view == View::Credentials => {
            super::credentials_pane::on_input_key(state, key)
        }
        Msg::Key(key) if state.trail.input.is_some() && state.view == View::Trail => {
            super::trail_pane::on_input_key(state, key)
        }
        Msg::Key(key) if state.checklist.note.is_some() && state.view == View::Checklist => {
            super::checklist_pane::on_input_key(state, key)
        }
        Msg::Key(key) if state.watches.input.is_some() && state.view == View::Watches => {
            super::watch_pane::on_input_key(state, key)
        }
        Msg::Tail(msg) => {
            // The trail shows an access change (or an object made public)
            // since the scan: read it again, so no verdict stays behind.
            let reread = super::trail_pane::on_tail(state, msg);
            if reread.everything {
                return quiet_rescan(state);
            }
            reread
                .buckets
                .iter()
                .filter(|b| state.buckets.iter().any(|r| &r.facts.name == *b))
                .map(|b| refresh_bucket(state, b))
                .collect()
        }
        Msg::WatchesReplayed(watches) => {
            super::watch_pane::on_replayed(state, watches);
            Vec::new()
        }
        Msg::Watch(msg) => {
            super::watch_pane::on_watch(state, msg);
            Vec::new()
        }
        Msg::ChecklistReplayed { steps, preserved } => {
            super::checklist_pane::on_replayed(state, steps, preserved)
        }
        Msg::Versions { bucket, list } => {
            super::versions_pane::on_loaded(state, bucket, list);
            Vec::new()
        }
        Msg::Tick(now) => {
            state.watches.now = now;
            // The first scan starts before the clock's first tick: date it
            // from the tick, with slack for the seconds before.
            if state.scan.started_at == 0 {
                state.scan.started_at = now - 60;
            }
            // Redraw only what counts down: an open watch on screen, the
            // Game Day timer.
            if state.view == View::Watches && state.watches.any_open() {
                state.dirty = true;
            }
            if state.gameday.as_ref().is_some_and(|g| g.score.is_none()) {
                state.dirty = true;
            }
            reverify(state, now)
        }
        Msg::CredentialsExpired => {
            state.credentials_expired = true;
            state.status = Some(error(EXPIRED));
            state.dirty = true;
            Vec::new()
        }
        Msg::Attacker(result) => {
            super::gameday::on_attacker(state, result);
            Vec::new()
        }
        Msg::GameDayScore(result) => {
            super::gameday::on_score(state, result.map(|s| *s));
            Vec::new()
        }
        Msg::Key(key)
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) =>
        {
            // Ctrl-C always quits at once, from anywhere.
            state.quit = true;
            Vec::new()
        }
        Msg::Key(key) if state.quit_asked => {
            // The answer to "quit?": the quit key again quits, any other
            // key stays.
            state.quit_asked = false;
            state.dirty = true;
            if state.keymap.action(&key) == Some(Action::Quit) {
                state.quit = true;
            } else {
                state.status = Some(info("not quitting"));
            }
            Vec::new()
        }
        Msg::Key(key) => match state.keymap.action(&key) {
            Some(action) => on_action(state, action),
            None if state.help => {
                // Any key closes help, bound or not.
                state.help = false;
                state.dirty = true;
                Vec::new()
            }
            None => Vec::new(),
        },
        Msg::Scan { generation, event } => {
            if generation == state.scan.generation {
                state.dirty = true;
                return on_scan_event(state, event);
            }
            Vec::new()
        }
        Msg::Planned { key, result } => open_dialog(state, key, result, None),
        Msg::UndoPlanned {
            action_id,
            key,
            bucket,
            result,
        } => open_dialog(state, key, result, Some((action_id, bucket))),
        Msg::ActionProgress { target, progress } => {
            state.dirty = true;
            state.progress.insert(target, progress);
            Vec::new()
        }
        Msg::ActionFinished {
            key,
            what,
            target,
            bucket,
            undo_of,
            result,
        } => {
            state.dirty = true;
            state.busy.remove(&key);
            state.progress.remove(&target);
            on_action_finished(state, what, target, bucket, undo_of, result)
        }
        Msg::ActionLog(records) => {
            state.dirty = true;
            let follow = state.log_selected + 1 >= state.actions.len();
            state.actions = records;
            if follow {
                state.log_selected = state.actions.len().saturating_sub(1);
            }
            Vec::new()
        }
        Msg::BucketRefreshed(facts) => {
            state.dirty = true;
            upsert_bucket(state, *facts);
            Vec::new()
        }
        Msg::CannotDo { key, what, why } => {
            state.dirty = true;
            state.busy.remove(&key);
            state.status = Some(error(format!("{what}: not possible on this target")));
            state.notice = Some(Notice {
                title: format!("{what}: not possible here"),
                lines: vec![why],
            });
            Vec::new()
        }
        Msg::Credentials { generation, facts } => {
            if generation == state.creds.generation {
                state.dirty = true;
                state.creds.loading = false;
                state.creds.facts = Some(*facts);
                // Only answer a load the responder asked for: a reload after
                // an action keeps that action's result in the status line.
                if state
                    .status
                    .as_ref()
                    .is_some_and(|s| s.awaiting == Some(Awaiting::Credentials))
                {
                    state.status = Some(info("credentials read"));
                }
            }
            Vec::new()
        }
        Msg::Journaled(Ok(what)) => {
            // Answer a write the responder is waiting for (e.g. preserving
            // events); routine writes stay quiet.
            let awaiting = state.status.as_ref().and_then(|s| s.awaiting);
            if awaiting == Some(Awaiting::Preserving) {
                state.checklist.evidence_preserved = true;
                state.status = Some(info(format!(
                    "{what}: in the evidence folder, hash in the journal"
                )));
                state.dirty = true;
            } else if awaiting == Some(Awaiting::Watch) {
                state.status = Some(info(format!(
                    "{what}: the watches pane (W) shows it; it is in the journal"
                )));
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::Journaled(Err(e)) => {
            state.status = Some(Status {
                text: format!("journal: {e}"),
                is_error: true,
                awaiting: None,
            });
            state.dirty = true;
            Vec::new()
        }
    }
}

fn on_action(state: &mut State, action: Action) -> Vec<Command> {
    state.dirty = true;
    if state.help {
        // Motion keys scroll help; any other key closes it, `q` and Esc
        // included: the overlay says so, and a quit from help once ended a
        // Game Day by accident (Ctrl-C, handled before this, still quits).
        match action {
            Action::Down => state.help_scroll = state.help_scroll.saturating_add(1),
            Action::Up => state.help_scroll = state.help_scroll.saturating_sub(1),
            Action::PageDown => state.help_scroll = state.help_scroll.saturating_add(10),
            Action::PageUp => state.help_scroll = state.help_scroll.saturating_sub(10),
            _ => state.help = false,
        }
        return Vec::new();
    }
    match action {
        Action::Hint => {
            super::gameday::on_hint(state);
            return Vec::new();
        }
        Action::Finish => return super::gameday::on_finish(state),
        _ => {}
    }
    // Tab and Backtab: the one ring, whichever pane is open.
    if matches!(action, Action::SwitchPane | Action::PrevPane) {
        return match state.view.neighbour(action == Action::SwitchPane) {
            Some(pane) => open_pane(state, pane),
            None => Vec::new(),
        };
    }
    let in_creds = matches!(state.view, View::Credentials | View::CredentialDetail);
    let global = matches!(action, Action::Quit | Action::Help | Action::ActionLog);
    if in_creds
        && !global
        && let Some(cmds) = super::credentials_pane::on_action(state, action)
    {
        return cmds;
    }
    if state.view == View::Watches
        && !global
        && let Some(cmds) = super::watch_pane::on_action(state, action)
    {
        return cmds;
    }
    if state.view == View::Checklist
        && !global
        && let Some(cmds) = super::checklist_pane::on_action(state, action)
    {
        return cmds;
    }
    if action == Action::Checklist {
        super::checklist_pane::open(state);
        return Vec::new();
    }
    if state.view == View::Versions
        && !global
        && let Some(cmds) = super::versions_pane::on_action(state, action)
    {
        return cmds;
    }
    if action == Action::Versions && matches!(state.view, View::Dashboard | View::Detail) {
        return super::versions_pane::open(state);
    }
    if action == Action::Watch && !in_creds {
        super::watch_pane::open(state);
        return Vec::new();
    }
    let in_trail = matches!(state.view, View::Trail | View::TrailDetail);
    if in_trail
        && !global
        && let Some(cmds) = super::trail_pane::on_action(state, action)
    {
        return cmds;
    }
    match (state.view, action) {
        (_, Action::Quit) => match quit_warning(state) {
            // A running game or an open watch: quitting by accident costs
            // something, so ask once.
            Some(why) => {
                state.quit_asked = true;
                state.status = Some(error(format!("{why}. q again quits, any other key stays")));
            }
            None => state.quit = true,
        },
        (_, Action::Help) => {
            state.help = true;
            state.help_scroll = 0;
        }
        (View::ActionLog, Action::ActionLog | Action::Back) => state.view = state.log_return,
        (view, Action::ActionLog) => {
            // Back from the log returns to the pane it was opened from.
            state.log_return = match view {
                View::CredentialDetail => View::Credentials,
                View::TrailDetail => View::Trail,
                other => other,
            };
            state.view = View::ActionLog;
            state.log_selected = state.actions.len().saturating_sub(1);
        }
        (View::ActionLog, Action::Undo) => return request_undo(state),
        (View::ActionLog, Action::Open) => {
            if let Some(r) = state.actions.get(state.log_selected) {
                state.notice = Some(Notice {
                    title: format!("{} {} on {}", r.id, r.what, r.target),
                    lines: r.detail.clone(),
                });
            }
        }
        (_, Action::Undo) => {
            state.status = Some(info(
                "open the action log (a) and choose the action to undo",
            ))
        }
        (View::ActionLog, Action::Down) => {
            state.log_selected =
                (state.log_selected + 1).min(state.actions.len().saturating_sub(1));
        }
        (View::ActionLog, Action::Up) => state.log_selected = state.log_selected.saturating_sub(1),
        (View::ActionLog, _) => {}
        // The credentials pane took its own keys above; bucket keys do
        // nothing there.
        (View::Credentials | View::CredentialDetail, _) => {}
        (View::Trail | View::TrailDetail | View::Watches, _) => {}
        (_, Action::BlockPublicAccessAccount) => {
            return request(
                state,
                ActionSpec::BlockPublicAccessAccount(actions::Account {}),
            );
        }
        (_, Action::MfaDelete) => {
            if let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) {
                let account = state
                    .account
                    .as_ref()
                    .and_then(|a| a.account_id.clone())
                    .unwrap_or_else(|| "ACCOUNT_ID".into());
                state.notice = Some(Notice {
                    title: "MFA delete".into(),
                    lines: actions::mfa_delete_explanation(&bucket, &account),
                });
            }
        }
        (_, Action::Restore) => {
            let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
                return Vec::new();
            };
            if let Some(why) = action_refusal(state, &format!("s3://{bucket}")) {
                state.status = Some(error(why));
                return Vec::new();
            }
            let text = restore_time_guess(state, &bucket);
            let incident_written = incident_written(state, &bucket).len();
            state.prompt = Some(Prompt {
                bucket,
                text,
                incident_written,
            });
        }
        (View::Dashboard | View::Detail, Action::CloseAccessPoint) => {
            let Some(b) = state.selected_bucket() else {
                return Vec::new();
            };
            let bucket = b.facts.name.clone();
            match open_access_point(b) {
                // One the tail saw made during the incident is the
                // attacker's own door: removed whole (its policy alone
                // could be put back by the same key).
                Some(name) if made_in_tail(state, &name) => {
                    return request(
                        state,
                        ActionSpec::DeleteAccessPoint(actions::access_point::Args {
                            bucket,
                            access_point: name,
                        }),
                    );
                }
                Some(name) => {
                    return request(
                        state,
                        ActionSpec::DeleteAccessPointPolicy(actions::access_point_policy::Args {
                            bucket,
                            access_point: name,
                        }),
                    );
                }
                None => {
                    state.status = Some(info(format!(
                        "no access point of {bucket} lets anyone outside the account in"
                    )))
                }
            }
        }
        (View::Dashboard | View::Detail, Action::CloseSideDoor) => {
            let Some(b) = state.selected_bucket() else {
                return Vec::new();
            };
            match open_side_door(b) {
                Some(spec) => return request(state, spec),
                None => {
                    state.status = Some(info(format!(
                        "{} has no side door to close: no replication or notification to another account, no website, no CORS for any origin",
                        b.facts.name
                    )))
                }
            }
        }
        (_, a) if bucket_action(a, "").is_some() => {
            let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
                return Vec::new();
            };
            if let Some(spec) = bucket_action(a, &bucket) {
                return request(state, spec);
            }
        }
        (_, Action::Rescan) => {
            if state.scan.running {
                state.status = Some(Status {
                    text: format!("a scan is already running ({})", state.scan.fraction()),
                    is_error: false,
                    awaiting: None,
                });
            } else {
                return state.start_scan();
            }
        }
        (View::Dashboard | View::Detail, Action::TailBucket) => {
            let Some(bucket) = state.selected_bucket().map(|b| b.facts.name.clone()) else {
                return Vec::new();
            };
            state.trail.filter = crate::model::trail::TrailFilter {
                bucket: Some(bucket.clone()),
                ..Default::default()
            };
            state.trail.selected = 0;
            state.trail.follow = true;
            let cmds = open_trail(state);
            state.status = Some(info(format!(
                "the tail, filtered to bucket:{} (/ then Esc clears)",
                super::render::untrusted(&bucket)
            )));
            return cmds;
        }
        (View::Dashboard, Action::Open) => {
            if state.selected_bucket().is_some() {
                state.view = View::Detail;
                state.detail_scroll = 0;
            }
        }
        (View::Dashboard, motion) => {
            let len = state.buckets.len();
            if len == 0 {
                return Vec::new();
            }
            let cur = state.selected_index().unwrap_or(0);
            let page = state.page_rows();
            let next = match motion {
                Action::Down => (cur + 1).min(len - 1),
                Action::Up => cur.saturating_sub(1),
                Action::PageDown => (cur + page).min(len - 1),
                Action::PageUp => cur.saturating_sub(page),
                Action::Top => 0,
                Action::Bottom => len - 1,
                _ => cur,
            };
            state.cursor_moved = true;
            state.select_index(next);
        }
        (View::Detail, Action::Back) => state.view = View::Dashboard,
        (View::Detail, motion) => {
            scroll_detail(state, motion);
        }
        // The versions view and the checklist took their own keys above.
        (View::Versions | View::Checklist, _) => {}
    }
    Vec::new()
}

/// Motion keys in a full-screen detail view scroll it; false for any other
/// key. The end is clamped to the content when drawn.
pub(crate) fn scroll_detail(state: &mut State, motion: Action) -> bool {
    let page = state.size.1.saturating_sub(6).max(1);
    state.detail_scroll = match motion {
        Action::Down => state.detail_scroll.saturating_add(1),
        Action::Up => state.detail_scroll.saturating_sub(1),
        Action::PageDown => state.detail_scroll.saturating_add(page),
        Action::PageUp => state.detail_scroll.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => u16::MAX,
        _ => return false,
    };
    true
}

/// Open the trail pane, starting the tail the first time.
pub(crate) fn open_trail(state: &mut State) -> Vec<Command> {
    state.view = View::Trail;
    if state.trail.started {
        return Vec::new();
    }
    state.trail.started = true;
    state.status = Some(info(
        "tailing CloudTrail: LookupEvents and trail log files…",
    ));
    vec![Command::StartTail]
}

pub(crate) fn info(text: impl Into<String>) -> Status {
    Status {
        text: text.into(),
        is_error: false,
        awaiting: None,
    }
}

/// A status line that waits for `what` (see [`Status::awaiting`]).
pub(crate) fn waiting(text: impl Into<String>, what: Awaiting) -> Status {
    Status {
        text: text.into(),
        is_error: false,
        awaiting: Some(what),
    }
}

pub(crate) fn error(text: impl Into<String>) -> Status {
    Status {
        text: text.into(),
        is_error: true,
        awaiting: None,
    }
}

/// The bucket action `warroom act` calls `name`, on `bucket`.
pub(crate) fn bucket_action_named(name: &str, bucket: &str) -> Option<ActionSpec> {
    let action = match name {
        "lock-control-plane" => {
            return Some(ActionSpec::RemovePolicyStatements(
                actions::policy_statements::Args {
                    bucket: bucket.to_string(),
                    step: actions::policy_statements::Step::ControlPlane,
                },
            ));
        }
        "block-public-access" => Action::BlockPublicAccess,
        "remove-policy-statements" => Action::RemovePolicyStatements,
        "reset-object-acls" => Action::ResetObjectAcls,
        "enable-versioning" => Action::EnableVersioning,
        _ => return None,
    };
    bucket_action(action, bucket)
}

/// Whether the tail holds a successful `CreateAccessPoint` of this name.
fn made_in_tail(state: &State, access_point: &str) -> bool {
    state.trail.ring.newest_first().any(|e| {
        e.name == "CreateAccessPoint"
            && e.error_code.is_none()
            && e.request_parameter("name").as_deref() == Some(access_point)
    })
}

/// The bucket's access point that lets outsiders in, the worst first
/// (public before shared before unknown): what `A` closes.
pub(crate) fn open_access_point(b: &crate::scan::BucketReport) -> Option<String> {
    use crate::model::exposure::{Severity, Source};
    b.assessment
        .reasons
        .iter()
        .filter(|r| {
            matches!(
                r.severity,
                Severity::Public | Severity::Shared | Severity::Unknown
            )
        })
        .find_map(|r| match &r.source {
            Source::AccessPoint {
                name,
                statement: Some(_),
            } => Some(name.clone()),
            _ => None,
        })
}

/// The side door `Z` closes on a bucket, the worst first: a distribution
/// serving it to anyone, the KMS lock, replication to another account,
/// notifications to another account, access log grants to others, website
/// hosting, CORS for any origin (read from the facts, as the Why shows them).
pub fn open_side_door(b: &crate::scan::BucketReport) -> Option<ActionSpec> {
    use crate::model::exposure::{Severity, Source};
    let bucket = b.facts.name.clone();
    // An item the verdict counts as reaching another account.
    let shared = |kind: &str| {
        b.assessment.reasons.iter().find_map(|r| match &r.source {
            Source::SideDoor {
                door,
                item: Some(item),
            } if *door == kind && r.severity == Severity::Shared => Some(item.clone()),
            _ => None,
        })
    };
    // A distribution serving the bucket to anyone is the worst door.
    if let Some(id) = b.assessment.reasons.iter().find_map(|r| match &r.source {
        Source::Distribution { id } if r.severity == Severity::Public => Some(id.clone()),
        _ => None,
    }) {
        return Some(ActionSpec::DisableDistribution(
            actions::distribution::Args {
                bucket,
                distribution: id,
            },
        ));
    }
    // Both locks open: the key's side is closed from here (the bucket's
    // side is `p`). A grant is revoked before a key policy statement goes.
    if let Some(spec) = open_key_lock(b) {
        return Some(spec);
    }
    if let Some(rule) = shared("replication") {
        return Some(ActionSpec::DisableReplicationRule(
            actions::side_doors::Rule { bucket, rule },
        ));
    }
    if let Some(destination) = shared("notification") {
        return Some(ActionSpec::RemoveNotification(
            actions::side_doors::Destination {
                bucket,
                destination,
            },
        ));
    }
    if b.assessment.reasons.iter().any(|r| {
        r.severity == Severity::Shared
            && matches!(&r.source, Source::SideDoor { door, .. } if *door == "logging")
    }) {
        return Some(ActionSpec::RemoveLogGrants(actions::Bucket { bucket }));
    }
    let doors = b.facts.side_doors.known()?;
    if doors.website {
        return Some(ActionSpec::DisableWebsite(actions::Bucket { bucket }));
    }
    if !doors.cors_any_origin.is_empty() {
        return Some(ActionSpec::ResetCors(actions::Bucket { bucket }));
    }
    None
}

/// The KMS lock that lets an account the bucket shares with decrypt (a
/// `both locks open` reason), as the action that closes it.
fn open_key_lock(b: &crate::scan::BucketReport) -> Option<ActionSpec> {
    use crate::model::exposure::{Severity, Source};
    let key = b.facts.kms.known()?.as_ref()?.arn.clone()?;
    let items: Vec<&str> = b
        .assessment
        .reasons
        .iter()
        .filter(|r| r.severity == Severity::Shared)
        .filter_map(|r| match &r.source {
            Source::Kms { item: Some(item) } => Some(item.as_str()),
            _ => None,
        })
        .collect();
    let bucket = b.facts.name.clone();
    if let Some(grant) = items.iter().find_map(|i| i.strip_prefix("grant ")) {
        return Some(ActionSpec::RevokeGrant(actions::kms::grant::Args {
            bucket,
            key,
            grant: grant.to_string(),
        }));
    }
    // "key policy statement N" or "key policy statement N (Sid)".
    let statement = items.iter().find_map(|i| {
        i.strip_prefix("key policy statement ")?
            .split(' ')
            .next()?
            .parse::<usize>()
            .ok()
    })?;
    Some(ActionSpec::RemoveKeyStatement(
        actions::kms::statement::Args {
            bucket,
            key,
            statement,
        },
    ))
}

/// The action a key asks for on `bucket`, if the key is a bucket action.
fn bucket_action(action: Action, bucket: &str) -> Option<ActionSpec> {
    let b = || actions::Bucket {
        bucket: bucket.to_string(),
    };
    Some(match action {
        Action::BlockPublicAccess => {
            ActionSpec::BlockPublicAccess(actions::bucket_pab::Args::all(bucket))
        }
        Action::RemovePolicyStatements => {
            ActionSpec::RemovePolicyStatements(actions::policy_statements::Args {
                bucket: bucket.to_string(),
                step: actions::policy_statements::Step::Next,
            })
        }
        Action::DeletePolicy => ActionSpec::DeleteBucketPolicy(b()),
        // Which access point is decided from the bucket's reasons (see
        // `open_access_point`), not here.
        Action::CloseAccessPoint | Action::CloseSideDoor => return None,
        Action::Quarantine => ActionSpec::Quarantine(actions::quarantine::Args {
            bucket: bucket.to_string(),
            keep: Vec::new(),
        }),
        Action::ResetBucketAcl => ActionSpec::ResetBucketAcl(b()),
        Action::ResetObjectAcls => ActionSpec::ResetObjectAcls(actions::object_acls::Args {
            bucket: bucket.to_string(),
            key: None,
            prefix: None,
        }),
        Action::DisableAcls => ActionSpec::DisableAcls(b()),
        Action::EnableVersioning => ActionSpec::EnableVersioning(b()),
        Action::EnableEncryption => ActionSpec::EnableEncryption(actions::encryption::Args {
            bucket: bucket.to_string(),
            kms_key: None,
        }),
        _ => return None,
    })
}

/// What the responder is told once the credentials have expired.
pub const EXPIRED: &str = "the credentials have expired: actions are refused. Re-authenticate (e.g. aws sso login), then start warroom again with the same --incident DIR: the journal, the checklist and the watches resume";

/// Why an action on `key` cannot start now, if it cannot.
fn action_refusal(state: &State, key: &str) -> Option<String> {
    if state.credentials_expired {
        Some(EXPIRED.into())
    } else if state.context.read_only {
        Some("--read-only: actions are off".into())
    } else if state.busy.contains(key) {
        Some(format!(
            "an action on {key} is still running; it can take the next one when it finishes"
        ))
    } else if state.context.incident.is_none() {
        Some("no incident directory: actions need one to record prior state".into())
    } else {
        None
    }
}

/// A first guess at the moment to restore to: one second before the
/// earliest change to the bucket the CloudTrail pane has seen (S3 and
/// CloudTrail both keep whole seconds, so that is the last moment before
/// it), else an hour ago.
fn restore_time_guess(state: &State, bucket: &str) -> String {
    let earliest = state
        .trail
        .ring
        .newest_first()
        .filter(|e| e.bucket.as_deref() == Some(bucket) && e.read_only == Some(false))
        .filter_map(|e| crate::time::parse_time(&e.time))
        .min();
    if let Some(t) = state.window_start {
        return crate::time::iso_time(t);
    }
    match earliest {
        Some(t) => crate::time::iso_time(t - 1),
        None => {
            let t = crate::time::now_secs() - 3600;
            crate::time::iso_time(t - t % 60)
        }
    }
}

/// The keys of `bucket` the CloudTrail pane saw an incident principal
/// write, sorted: a restore hides those made after its time by default
/// (the ransom note), and leaves the application's new keys.
fn incident_written(state: &State, bucket: &str) -> Vec<String> {
    let keys: std::collections::BTreeSet<String> = state
        .trail
        .ring
        .newest_first()
        .filter(|e| e.bucket.as_deref() == Some(bucket))
        .filter(|e| crate::model::trail::written_by_incident(e, &state.trail.incident))
        .filter_map(|e| e.key.clone())
        .collect();
    keys.into_iter().collect()
}

/// Keys while the restore time is typed: "TIME [PREFIX] [hide|keep]".
fn on_prompt_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    state.dirty = true;
    let Some(p) = state.prompt.as_mut() else {
        return Vec::new();
    };
    match super::line_input::edit(&mut p.text, key, 1100) {
        super::line_input::Edit::Quit => state.quit = true,
        super::line_input::Edit::Cancel => {
            state.prompt = None;
            state.status = None;
        }
        super::line_input::Edit::Submit => {
            let text = p.text.clone();
            let bucket = p.bucket.clone();
            let mut words = text.split_whitespace();
            let when = words.next().map(crate::cli::parse_when);
            // After the time: a prefix, and/or `hide` (every key created
            // after the time gets a removable delete marker, as
            // --hide-newer) or `keep` (none does). By default only the
            // keys an incident principal wrote are hidden.
            let rest: Vec<&str> = words.collect();
            let hide_newer = rest.contains(&"hide");
            let keep = rest.contains(&"keep");
            let prefix = rest
                .iter()
                .find(|w| !matches!(**w, "hide" | "keep"))
                .map(|w| w.to_string());
            match when {
                Some(Ok(to)) => {
                    let hide_keys = if hide_newer || keep {
                        Vec::new()
                    } else {
                        incident_written(state, &bucket)
                            .into_iter()
                            .filter(|k| prefix.as_ref().is_none_or(|p| k.starts_with(p.as_str())))
                            .collect()
                    };
                    state.prompt = None;
                    state.window_start = Some(to);
                    return request(
                        state,
                        ActionSpec::PitRestore(actions::restore::Args {
                            bucket,
                            prefix,
                            goal: crate::model::restore::Goal::PointInTime {
                                to,
                                hide_newer,
                                hide_keys,
                            },
                        }),
                    );
                }
                // The text stays, to be corrected.
                Some(Err(e)) => state.status = Some(error(e)),
                None => state.status = Some(error("type the time to restore to")),
            }
        }
        super::line_input::Edit::Changed | super::line_input::Edit::Ignored => {}
    }
    Vec::new()
}

/// Start planning an action.
pub(crate) fn request(state: &mut State, spec: ActionSpec) -> Vec<Command> {
    let key = spec.lock_key();
    if let Some(why) = action_refusal(state, &key) {
        state.status = Some(error(why));
        return Vec::new();
    }
    state.busy.insert(key);
    state.status = Some(info(format!(
        "planning {}: reading the current state of {}…",
        spec.name(),
        spec.target()
    )));
    vec![Command::PlanAction(spec)]
}

/// Why quitting now needs a second `q`, if it does.
fn quit_warning(state: &State) -> Option<String> {
    if state.gameday.as_ref().is_some_and(|g| g.score.is_none()) {
        return Some("a Game Day is running (F finishes and scores it)".into());
    }
    let open: Vec<&str> = state
        .watches
        .rows
        .iter()
        .filter(|r| !r.is_final())
        .map(|r| r.watch.spec.id.as_str())
        .collect();
    (!open.is_empty()).then(|| {
        format!(
            "watch {} still open: it stops until warroom runs on this incident again (it resumes from the journal)",
            open.join(", ")
        )
    })
}

/// A plan (or an undo's plan) has arrived: show it for confirmation. One
/// dialog at a time: a plan that arrives while another waits for an answer
/// is dropped, and its target freed.
fn open_dialog(
    state: &mut State,
    key: String,
    result: Result<Box<Plan>, String>,
    undo_of: Option<(String, Option<String>)>,
) -> Vec<Command> {
    state.dirty = true;
    match result {
        Ok(_) if state.dialog.is_some() => {
            state.busy.remove(&key);
            state.status = Some(error(
                "another confirmation is open: answer it first, then ask again",
            ));
        }
        Ok(plan) => {
            state.status = Some(info(match (&undo_of, state.context.dry_run) {
                (Some((id, _)), _) => format!("undo {id}: type {id} to confirm, or Esc to cancel"),
                (None, true) => {
                    "DRY RUN: confirm to journal the plan (nothing is applied), or Esc".into()
                }
                (None, false) => "confirm the plan, or Esc to cancel".into(),
            }));
            state.dialog = Some(ConfirmDialog {
                plan: *plan,
                typed: String::new(),
                scroll: 0,
                undo_of,
            });
        }
        Err(e) => {
            state.busy.remove(&key);
            state.status = Some(match &undo_of {
                Some((id, _)) => error(format!("cannot undo {id}: {e}")),
                // Nothing to do is an answer, not a failure.
                None if e.starts_with("nothing to do") => info(e),
                None => error(format!("cannot plan: {e}")),
            });
        }
    }
    Vec::new()
}

/// Shift-Tab: the pane before this one in Tab's round (buckets →
/// credentials → CloudTrail → watches → playbook → buckets).
fn request_undo(state: &mut State) -> Vec<Command> {
    let Some(record) = state.actions.get(state.log_selected) else {
        return Vec::new();
    };
    if let Some(why) = action_refusal(state, &record.key) {
        state.status = Some(error(why));
        return Vec::new();
    }
    if !record.undoable {
        state.status = Some(error(format!(
            "{} cannot be undone ({})",
            record.id, record.result
        )));
        return Vec::new();
    }
    state.status = Some(info(format!(
        "planning the undo of {}: reading its record…",
        record.id
    )));
    let key = record.key.clone();
    let cmd = Command::PlanUndo {
        action_id: record.id.clone(),
        key: key.clone(),
        bucket: record.bucket.clone(),
    };
    state.busy.insert(key);
    vec![cmd]
}

/// Keys while a plan waits for confirmation: typed text, not bindings.
fn on_dialog_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    state.dirty = true;
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.quit = true;
        return Vec::new();
    }
    let Some(dialog) = state.dialog.as_mut() else {
        return Vec::new();
    };
    let confirm_now = match (&dialog.plan.confirm, key.code) {
        // Arrows and pages scroll the plan; letters are for typing the name.
        (_, KeyCode::Down) => {
            dialog.scroll = dialog.scroll.saturating_add(1);
            None
        }
        (_, KeyCode::Up) => {
            dialog.scroll = dialog.scroll.saturating_sub(1);
            None
        }
        (_, KeyCode::PageDown) => {
            dialog.scroll = dialog.scroll.saturating_add(10);
            None
        }
        (_, KeyCode::PageUp) => {
            dialog.scroll = dialog.scroll.saturating_sub(10);
            None
        }
        (_, KeyCode::Esc) | (Confirm::YesNo, KeyCode::Char('n' | 'N')) => Some(false),
        (Confirm::YesNo, KeyCode::Char('y' | 'Y')) => Some(true),
        (Confirm::TypeName { text }, KeyCode::Enter) => {
            if dialog.typed == *text {
                Some(true)
            } else {
                state.status = Some(error(
                    "that does not match: type it exactly as shown, or Esc to cancel",
                ));
                None
            }
        }
        (Confirm::TypeName { .. }, KeyCode::Backspace) => {
            dialog.typed.pop();
            None
        }
        (Confirm::TypeName { .. }, KeyCode::Char(c))
            if !key.modifiers.contains(KeyModifiers::CONTROL) =>
        {
            if dialog.typed.len() < 256 {
                dialog.typed.push(c);
            }
            None
        }
        _ => None,
    };
    let Some(confirmed) = confirm_now else {
        return Vec::new();
    };
    let Some(dialog) = state.dialog.take() else {
        return Vec::new();
    };
    let how = match (&dialog.plan.confirm, confirmed) {
        (_, false) => "cancelled in the console".to_string(),
        // What was typed, said as it was: a bucket name, an account id or
        // an action id.
        (Confirm::TypeName { text }, true) => format!("typed {text} in the console"),
        (Confirm::YesNo, true) => "answered yes in the console".to_string(),
    };
    if let Some((action_id, bucket)) = dialog.undo_of {
        let key = dialog.plan.spec.lock_key();
        if !confirmed {
            state.busy.remove(&key);
            state.status = Some(info(format!("cancelled: {action_id} not undone")));
            return Vec::new();
        }
        state.status = Some(info(format!("undoing {action_id}…")));
        return vec![Command::Undo {
            action_id,
            key,
            bucket,
            how,
        }];
    }
    let dry_run = state.context.dry_run;
    state.status = Some(info(match (confirmed, dry_run) {
        (false, _) => "cancelled: nothing applied",
        (true, true) => "dry run: journaling the plan, applying nothing…",
        (true, false) => "applying…",
    }));
    // Cancellation is journaled too, so the record shows what was proposed.
    vec![Command::Execute {
        plan: Box::new(dialog.plan),
        confirmed,
        how,
        dry_run,
    }]
}

fn on_action_finished(
    state: &mut State,
    what: String,
    target: String,
    bucket: Option<String>,
    undo_of: Option<String>,
    result: Result<Outcome, String>,
) -> Vec<Command> {
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            state.status = Some(error(format!("{what} on {target}: {e}")));
            return Vec::new();
        }
    };
    let (text, ok) = match &outcome {
        Outcome::Done { verification, .. } => (
            format!(
                "{} — {}",
                if undo_of.is_some() { "undone" } else { "done" },
                verification.detail
            ),
            true,
        ),
        Outcome::NotVerified { verification, .. } => {
            (format!("NOT verified — {}", verification.detail), false)
        }
        Outcome::DryRun { .. } => ("dry run".to_string(), true),
        Outcome::Cancelled { .. } => ("cancelled".to_string(), true),
        Outcome::Failed { stage, error, .. } => (
            format!("failed at {stage}: {} ({})", error.message, error.code),
            false,
        ),
    };
    let id = outcome.action_id().to_string();
    state.status = Some(Status {
        text: match &undo_of {
            // "A1 undo on A1" says nothing: the undo names its action.
            Some(of) => format!("undo of {of}: {text}"),
            None => format!("{id} {what} on {target}: {text}"),
        },
        is_error: !ok,
        awaiting: None,
    });
    if !ok {
        let doing = if undo_of.is_some() { "undo" } else { "action" };
        state.alarm = Some(Notice {
            title: format!("{id} {what} on {target}: NOT DONE AS ASKED"),
            lines: vec![
                format!("The {doing} {id} ({what} on {target}) did not end as asked:"),
                String::new(),
                text,
                String::new(),
                "Until it is put right, do not count this door as closed. Look at the target (r re-reads it), run the action again, or do it by hand.".into(),
                "The action log (a, then Enter on the action) keeps every step of it.".into(),
            ],
        });
    }
    // An account-wide change (account Block Public Access, or its undo)
    // can change every bucket's verdict and the header: read it all again,
    // keeping the action's result on the status line.
    let kind = match &undo_of {
        Some(id) => state
            .actions
            .iter()
            .find(|r| &r.id == id)
            .map_or(what.as_str(), |r| r.what.as_str()),
        None => what.as_str(),
    };
    let touched = !matches!(outcome, Outcome::DryRun { .. } | Outcome::Cancelled { .. });
    if touched && kind == "block-public-access-account" {
        return quiet_rescan(state);
    }
    // Show the verdict change at once: re-read the bucket the action touched.
    match (&outcome, bucket) {
        (
            Outcome::Done { .. } | Outcome::NotVerified { .. } | Outcome::Failed { .. },
            Some(bucket),
        ) => {
            let mut cmds = vec![refresh_bucket(state, &bucket)];
            // The versions view of that bucket shows the restore's result.
            if let Some(v) = state.versions.as_mut().filter(|v| v.bucket == bucket) {
                v.list = None;
                cmds.push(Command::LoadVersions {
                    bucket,
                    since: v.since,
                });
            }
            cmds
        }
        // A credential action (or its undo): re-read the credentials pane,
        // so the key's status or the role's policies show the change.
        (Outcome::Done { .. } | Outcome::NotVerified { .. } | Outcome::Failed { .. }, None)
            if state.creds.facts.is_some() && !state.creds.loading =>
        {
            state.creds.load()
        }
        _ => Vec::new(),
    }
}

/// Put a bucket's fresh facts in its sorted place (replacing its old row).
fn upsert_bucket(state: &mut State, facts: BucketFacts) {
    let Some(account) = &state.account else {
        return;
    };
    let report = BucketReport::new(account, facts);
    state.buckets.retain(|b| b.facts.name != report.facts.name);
    let pos = state
        .buckets
        .partition_point(|b| b.sort_key() < report.sort_key());
    state.buckets.insert(pos, report);
    // While rows stream in, the cursor follows the worst bucket; after
    // that it stays on its bucket: a bucket that an action just fixed
    // moves down the list, and the next key must not land on another one.
    if (!state.cursor_moved && state.scan.running) || state.selected.is_none() {
        state.select_index(0);
    }
}

fn on_scan_event(state: &mut State, event: ScanEvent) -> Vec<Command> {
    match event {
        ScanEvent::Identity(r) => {
            if let Err(e) = &r {
                state.status = Some(Status {
                    text: format!("caller identity {e}: {}", e.message),
                    is_error: true,
                    awaiting: None,
                });
            }
            state.identity = Some(r);
        }
        ScanEvent::Account(a) => {
            // A changed account-level setting changes every verdict.
            for b in &mut state.buckets {
                *b = BucketReport::new(&a, b.facts.clone());
            }
            state
                .buckets
                .sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
            state.account = Some(a);
        }
        ScanEvent::Listed(n) => state.scan.total = Some(n),
        ScanEvent::Bucket(facts) => {
            if state.account.is_none() {
                return Vec::new();
            }
            state.scan.done += 1;
            state.scan.seen.insert(facts.name.clone());
            upsert_bucket(state, *facts);
            if !state.scan.quiet {
                state.status = Some(info(format!("scanning… {}", state.scan.fraction())));
            }
        }
        ScanEvent::Failed(e) => {
            state.scan.running = false;
            state.status = Some(Status {
                text: format!("scan stopped: {e}: {}", e.message),
                is_error: true,
                awaiting: None,
            });
        }
        ScanEvent::Finished => {
            state.scan.running = false;
            let seen = std::mem::take(&mut state.scan.seen);
            state.buckets.retain(|b| seen.contains(&b.facts.name));
            if state.selected_index().is_none() {
                state.selected = None;
                state.select_index(0);
            }
            if !state.scan.quiet {
                state.status = Some(Status {
                    text: format!("scan complete: {} buckets", state.buckets.len()),
                    is_error: false,
                    awaiting: None,
                });
            }
            if state.scan.again {
                let quiet = state.scan.quiet;
                let status = state.status.take();
                // It read the account before the change: its verdicts are
                // not kept as the record, the next scan's are.
                let cmds = state.start_scan();
                state.status = status;
                state.scan.quiet = quiet;
                return cmds;
            }
            if let (Some(account), true) = (&state.account, state.context.incident.is_some()) {
                return vec![Command::RecordSnapshot(Box::new(Snapshot {
                    account: account.clone(),
                    buckets: state.buckets.iter().map(|b| b.facts.clone()).collect(),
                }))];
            }
        }
    }
    Vec::new()
}

/// Re-read one bucket, with the objects the tail saw made public.
pub fn refresh_bucket(state: &State, bucket: &str) -> Command {
    Command::RefreshBucket {
        bucket: bucket.to_string(),
        watch_keys: state
            .trail
            .public_acl_keys
            .get(bucket)
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default(),
    }
}

/// Read every bucket again without taking over the status line (or, while
/// a scan runs, once it ends: it may have read things before the change).
fn quiet_rescan(state: &mut State) -> Vec<Command> {
    if state.scan.running {
        state.scan.again = true;
        return Vec::new();
    }
    let status = state.status.take();
    let cmds = state.start_scan();
    state.status = status;
    state.scan.quiet = true;
    cmds
}

/// How often the incident's buckets are read again, in seconds.
pub const REVERIFY_SECS: i64 = 30;
/// At most this many of them per round (the rest wait for the next).
const REVERIFY_MAX: usize = 20;

/// Read the incident's buckets again every [`REVERIFY_SECS`]. An attacker
/// with a key still active can reopen a door after it was closed, and
/// CloudTrail delivers the proof minutes later (if the tail is open at
/// all): a "private" on screen must be at most this old.
fn reverify(state: &mut State, now: i64) -> Vec<Command> {
    if state.scan.reverified_at == 0 {
        // The clock's first tick: the scan that just ran is the first read.
        state.scan.reverified_at = now;
    }
    if state.scan.running
        || state.credentials_expired
        || state.checklist.incident_buckets.is_empty()
        || now - state.scan.reverified_at < REVERIFY_SECS
    {
        return Vec::new();
    }
    state.scan.reverified_at = now;
    let held: Vec<String> = state
        .checklist
        .incident_buckets
        .iter()
        .filter(|b| state.buckets.iter().any(|r| &r.facts.name == *b))
        .cloned()
        .collect();
    // Rotate through a long list, a slice per round.
    let start =
        usize::try_from(now / REVERIFY_SECS).unwrap_or(0) * REVERIFY_MAX % held.len().max(1);
    held.iter()
        .cycle()
        .skip(start)
        .take(held.len().min(REVERIFY_MAX))
        .map(|b| refresh_bucket(state, b))
        .collect()
}
