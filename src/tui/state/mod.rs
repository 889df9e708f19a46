//! The console's state: everything `update()` changes and `render` draws.
//! Plain data and its pure methods; no keys are handled and nothing is
//! drawn here, and nothing here imports a pane, the router or the runner,
//! so every part of the console can read it.

pub mod changes;
pub mod checklist;
pub mod creds;
pub mod deadline;
pub mod gameday;
pub mod status;
pub mod trail;
pub mod versions;
pub mod view;
pub mod watches;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::keymap::{Action, Keymap};
use super::msg::Command;
pub use crate::actions::history::ActionRecord;
use crate::actions::{Plan, Progress};
use crate::aws::{AwsError, Identity};
use crate::model::facts::AccountFacts;
use crate::scan::{BucketReport, Snapshot, Summary};
pub use checklist::ChecklistState;
pub use creds::{CredRow, CredState, Section};
pub use gameday::GameDayView;
pub use status::{Awaiting, Notice, Status, error, info, waiting};
pub use trail::TrailState;
pub use versions::VersionsState;
pub use view::View;
pub use watches::{WatchRow, WatchState};

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

#[derive(Debug, Clone, Default)]
pub struct ScanProgress {
    /// Bumped by every new scan; events from older scans are dropped.
    pub generation: u64,
    pub running: bool,
    pub total: Option<usize>,
    pub done: usize,
    /// Buckets reported by the scan in progress (to drop deleted ones at the end).
    pub seen: HashSet<String>,
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
    pub creds: CredState,
    /// The CloudTrail pane.
    pub trail: TrailState,
    /// The credential watches.
    pub watches: WatchState,
    /// The attacker's changes.
    pub changes: changes::ChangesState,
    /// A line being typed for a bucket action (the restore time).
    pub prompt: Option<Prompt>,
    /// The incident window's start, once a restore time has been typed:
    /// the versions view shows changes from here.
    pub window_start: Option<i64>,
    /// The versions view.
    pub versions: Option<VersionsState>,
    /// The playbook checklist.
    pub checklist: ChecklistState,
    /// Set when this console is a Game Day.
    pub gameday: Option<GameDayView>,
    /// AWS has said the session's credentials expired: a banner says so and
    /// actions are refused until warroom is restarted with fresh ones.
    pub credentials_expired: bool,
    /// Something changed since the last draw.
    pub dirty: bool,
    pub quit: bool,
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
            changes: Default::default(),
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

    pub fn start_scan(&mut self) -> Vec<Command> {
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

    pub fn select_index(&mut self, i: usize) {
        if let Some(b) = self
            .buckets
            .get(i.min(self.buckets.len().saturating_sub(1)))
        {
            self.selected = Some(b.facts.name.clone());
        }
    }

    /// Scroll a detail view by a motion key; false if it is not one.
    pub fn scroll_detail(&mut self, motion: Action) -> bool {
        let page = self.size.1.saturating_sub(6).max(1);
        self.detail_scroll = match motion {
            Action::Down => self.detail_scroll.saturating_add(1),
            Action::Up => self.detail_scroll.saturating_sub(1),
            Action::PageDown => self.detail_scroll.saturating_add(page),
            Action::PageUp => self.detail_scroll.saturating_sub(page),
            Action::Top => 0,
            Action::Bottom => u16::MAX,
            _ => return false,
        };
        true
    }
}
