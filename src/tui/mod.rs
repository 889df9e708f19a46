//! The console. `app` holds state and `update()`; `render` draws; this module
//! is the runtime that connects them to the terminal, signals and AWS.

pub mod app;
pub mod fold;
pub mod gate;
pub mod keymap;
pub mod line_input;
pub mod msg;
pub mod offers;
pub mod panes;
pub mod render;
pub mod runner;
pub mod state;
pub mod text;
pub mod theme;

use std::io::{Write, stdout};

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use std::sync::Arc;

use tokio::sync::Mutex;

use crate::aws::Clients;
use crate::incident::Incident;
use crate::scan;
use keymap::Keymap;
use msg::Msg;
use runner::Runner;
use state::{Context, State};

pub struct ConsoleOptions {
    pub context: Context,
    /// Where this session is journaled; None only in tests and benchmarks.
    pub incident: Option<Arc<Mutex<Incident>>>,
    pub keymap: Keymap,
    pub concurrency: usize,
    /// How long a watch runs (by hand or after a revocation).
    pub watch_timing: crate::model::watch::Timing,
    /// Ring the terminal bell on a watch alert.
    pub bell: bool,
    /// The playbook the checklist follows.
    pub playbook: crate::playbook::Playbook,
    /// Set for `warroom gameday`.
    pub gameday: Option<GameDayOptions>,
}

/// A Game Day to play in this console.
pub struct GameDayOptions {
    pub game: Arc<crate::gameday::Game>,
    pub attacker: crate::gameday::attacker::Attacker,
    /// Seconds between the attacker's rounds.
    pub every: std::time::Duration,
    /// When the game started (the timer counts from here).
    pub started: i64,
}

/// What the console does when it opens, with a terminal or without (the
/// tests drive `update()` and this runner directly): show the last scan
/// and the action log, start the scan, the watches and the checklist, and
/// the Game Day if there is one.
pub async fn open(state: &mut State, runner: &mut Runner, gameday: Option<GameDayOptions>) {
    if let Some(incident) = &runner.incident {
        let restored = scan::last_snapshot(&*incident.lock().await);
        match restored {
            Some(Ok((snapshot, time))) => state.restore(snapshot, &time),
            Some(Err(e)) => {
                let _ = app::update(
                    state,
                    Msg::Journaled(Err(msg::JournalError::new(
                        "cannot restore the last scan",
                        e,
                    ))),
                );
            }
            None => {}
        }
        // A resumed incident shows its earlier actions (and their undo keys).
        let (log_tx, mut log_rx) = mpsc::unbounded_channel::<Msg>();
        runner::send_action_log(incident, &log_tx).await;
        if let Ok(msg) = log_rx.try_recv() {
            let _ = app::update(state, msg);
        }
    }
    for cmd in state.init() {
        runner.spawn(cmd);
    }
    // Open watches resume (and new ones run) for as long as the console is up.
    runner.start_watches();
    // The checklist as journaled; its checks run from then on.
    let (steps, preserved) = match &runner.incident {
        Some(incident) => match incident.lock().await.all_entries() {
            Ok(entries) => (
                crate::playbook::progress::replay(&entries),
                entries.iter().any(|e| e.kind == "trail_preserved"),
            ),
            Err(_) => Default::default(),
        },
        None => Default::default(),
    };
    for cmd in app::update(state, Msg::ChecklistReplayed { steps, preserved }) {
        runner.spawn(cmd);
    }
    if let Some(g) = gameday {
        state.gameday = Some(state::GameDayView {
            title: g.game.scenario.title.clone(),
            started: g.started,
            hints: g.game.scenario.hints.clone(),
            expiry_at: g
                .game
                .scenario
                .expiry_minutes
                .map(|m| g.started + i64::from(m) * 60),
            ..Default::default()
        });
        state.notice = Some(panes::gameday::briefing(
            &g.game.scenario.title,
            &g.game.scenario.briefing,
        ));
        runner.gameday = Some(g.game);
        runner.start_attacker(g.attacker, g.every);
    }
}

/// Restores the terminal when dropped: on normal return, on `?` error paths
/// and during unwinding. (ratatui's panic hook restores it before the panic
/// message prints.)
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// NO_COLOR: present and not empty (https://no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

pub async fn run(clients: Clients, opts: ConsoleOptions) -> Result<()> {
    // Signals are set up before the terminal changes, so a failure here
    // leaves the terminal as it was.
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("installing SIGTERM handler")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("installing SIGHUP handler")?;
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("installing SIGINT handler")?;

    let mut terminal = ratatui::try_init().wrap_err("opening the terminal")?;
    let _guard = TerminalGuard;
    let size = terminal.size().wrap_err("reading the terminal size")?;

    let ec2_regions = opts.context.ec2_regions.clone();
    let mut state = State::new(
        opts.context,
        opts.keymap,
        no_color_requested(),
        (size.width, size.height),
    );
    state.watches.bell = opts.bell;
    state.checklist = state::ChecklistState::new(opts.playbook);
    state.watches.now = crate::time::now_secs();
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut runner = Runner::new(clients, tx, opts.incident.clone());
    runner.ec2_regions = ec2_regions;
    runner.concurrency = opts.concurrency;
    runner.watch_timing = opts.watch_timing;
    open(&mut state, &mut runner, opts.gameday).await;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    loop {
        // Draw only when something changed: idle costs nothing over SSH.
        if state.dirty {
            let mut out = stdout();
            crossterm::queue!(out, BeginSynchronizedUpdate)?;
            terminal.draw(|f| render::render(&state, f))?;
            crossterm::queue!(out, EndSynchronizedUpdate)?;
            out.flush()?;
            state.dirty = false;
        }
        if std::mem::take(&mut state.watches.ring) {
            let mut out = stdout();
            out.write_all(b"\x07")?;
            out.flush()?;
        }
        if state.quit {
            break;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => Msg::Key(k),
                Some(Ok(Event::Resize(w, h))) => Msg::Resized(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e).wrap_err("reading terminal input"),
                None => break, // stdin closed
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick() => Msg::Tick(crate::time::now_secs()),
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
        };
        for cmd in app::update(&mut state, msg) {
            runner.spawn(cmd);
        }
        if let Some(msg) = runner.health(&state) {
            let _ = app::update(&mut state, msg);
        }
    }
    Ok(())
}
