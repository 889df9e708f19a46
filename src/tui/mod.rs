//! The console. `app` holds state and `update()`; `render` draws; this module
//! is the runtime that connects them to the terminal, signals and AWS.

pub mod action_log;
pub mod app;
pub mod checklist_pane;
pub mod credentials_pane;
pub mod detail;
pub mod dialog;
pub mod exposure_pane;
pub mod keymap;
pub mod line_input;
pub mod render;
pub mod theme;
pub mod trail_pane;
pub mod versions_pane;
pub mod watch_pane;

use std::io::{Write, stdout};

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use std::sync::Arc;

use tokio::sync::Mutex;

use crate::actions;
use crate::aws::{Clients, exposure};
use crate::incident::Incident;
use crate::scan::{self, ScanOptions};
use app::{Command, Context, Msg, State};
use keymap::Keymap;

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
    state.checklist = checklist_pane::ChecklistState::new(opts.playbook);
    state.watches.now = crate::tail::now_secs();
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let runner = Runner {
        ec2_regions,
        clients,
        tx,
        concurrency: opts.concurrency,
        incident: opts.incident.clone(),
        watch_timing: opts.watch_timing,
        watch_wake: Arc::new(tokio::sync::Notify::new()),
    };
    if let Some(incident) = &opts.incident {
        let restored = scan::last_snapshot(&*incident.lock().await);
        match restored {
            Some(Ok((snapshot, time))) => state.restore(snapshot, &time),
            Some(Err(e)) => {
                let _ = app::update(
                    &mut state,
                    Msg::Journaled(Err(format!("cannot restore the last scan: {e}"))),
                );
            }
            None => {}
        }
        // A resumed incident shows its earlier actions (and their undo keys).
        let (log_tx, mut log_rx) = mpsc::unbounded_channel::<Msg>();
        send_action_log(incident, &log_tx).await;
        if let Ok(msg) = log_rx.try_recv() {
            let _ = app::update(&mut state, msg);
        }
    }
    for cmd in state.init() {
        runner.spawn(cmd);
    }
    // Open watches resume (and new ones run) for as long as the console is up.
    runner.start_watches();
    // The checklist as journaled; its checks run from then on.
    let (steps, preserved) = match &opts.incident {
        Some(incident) => match incident.lock().await.all_entries() {
            Ok(entries) => (
                crate::playbook::progress::replay(&entries),
                entries.iter().any(|e| e.kind == "trail_preserved"),
            ),
            Err(_) => Default::default(),
        },
        None => Default::default(),
    };
    for cmd in app::update(&mut state, Msg::ChecklistReplayed { steps, preserved }) {
        runner.spawn(cmd);
    }
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
            _ = tick.tick() => Msg::Tick(crate::tail::now_secs()),
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
        };
        for cmd in app::update(&mut state, msg) {
            runner.spawn(cmd);
        }
    }
    Ok(())
}

/// Runs commands on tokio tasks; results come back as messages.
struct Runner {
    clients: Clients,
    ec2_regions: Vec<String>,
    tx: mpsc::UnboundedSender<Msg>,
    concurrency: usize,
    incident: Option<Arc<Mutex<Incident>>>,
    watch_timing: crate::model::watch::Timing,
    /// Wakes the watch runner when a watch starts, so it does not wait
    /// out its poll interval.
    watch_wake: Arc<tokio::sync::Notify>,
}

/// How often the console's watch runner polls its sources.
const WATCH_POLL: std::time::Duration = std::time::Duration::from_secs(15);

impl Runner {
    /// Show the journal's watches, then run the open ones (and any started
    /// later) on a task.
    fn start_watches(&self) {
        let Some(incident) = self.incident.clone() else {
            return;
        };
        let (clients, tx) = (self.clients.clone(), self.tx.clone());
        let opts = crate::watch::WatchOptions {
            every: WATCH_POLL,
            regions: self.ec2_regions.clone(),
            follow: true,
            wake: Some(self.watch_wake.clone()),
        };
        tokio::spawn(async move {
            let entries = incident.lock().await.all_entries();
            match entries {
                Ok(entries) => {
                    let _ = tx.send(Msg::WatchesReplayed(crate::watch::replay(&entries)));
                }
                Err(e) => {
                    let _ = tx.send(Msg::Journaled(Err(format!("cannot read the watches: {e}"))));
                    return;
                }
            }
            let result = crate::watch::run(&clients, &incident, &opts, |m| {
                tx.send(Msg::Watch(m)).is_ok()
            })
            .await;
            if let Err(e) = result {
                let _ = tx.send(Msg::Journaled(Err(format!(
                    "the credential watch stopped: {e}"
                ))));
            }
        });
    }

    fn spawn(&self, cmd: Command) {
        match cmd {
            Command::StartScan { generation } => {
                let clients = self.clients.clone();
                let tx = self.tx.clone();
                let opts = ScanOptions {
                    buckets: Vec::new(),
                    concurrency: self.concurrency,
                };
                tokio::spawn(async move {
                    scan::run(&clients, &opts, |event| {
                        tx.send(Msg::Scan { generation, event }).is_ok()
                    })
                    .await;
                });
            }
            Command::PlanAction(spec) => {
                let clients = self.clients.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let key = spec.lock_key();
                    let msg = match actions::plan(&clients, &spec).await {
                        Ok(plan) => Msg::Planned {
                            key,
                            result: Ok(Box::new(plan)),
                        },
                        Err(actions::ActionError::NotPossible(why)) => Msg::CannotDo {
                            key,
                            what: spec.name().to_string(),
                            why,
                        },
                        Err(e) => Msg::Planned {
                            key,
                            result: Err(e.to_string()),
                        },
                    };
                    let _ = tx.send(msg);
                });
            }
            Command::Execute {
                plan,
                confirmed,
                how,
                dry_run,
            } => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                let (timing, wake) = (self.watch_timing, self.watch_wake.clone());
                tokio::spawn(async move {
                    let target = plan.spec.target();
                    let progress_tx = tx.clone();
                    let progress_target = target.clone();
                    let progress = move |progress| {
                        let _ = progress_tx.send(Msg::ActionProgress {
                            target: progress_target.clone(),
                            progress,
                        });
                    };
                    let cx = actions::Cx::new(&clients, &incident)
                        .with_progress(&progress)
                        .with_watch_timing(timing);
                    let result = actions::execute(&cx, &plan, confirmed, &how, dry_run)
                        .await
                        .map_err(|e| e.to_string());
                    // A revocation may have started a watch.
                    wake.notify_one();
                    let _ = tx.send(Msg::ActionFinished {
                        key: plan.spec.lock_key(),
                        what: plan.spec.name().to_string(),
                        target,
                        bucket: plan.spec.bucket().map(str::to_string),
                        undo_of: None,
                        result,
                    });
                    send_action_log(&incident, &tx).await;
                });
            }
            Command::Undo {
                action_id,
                key,
                bucket,
            } => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let progress_tx = tx.clone();
                    let progress_target = action_id.clone();
                    let progress = move |progress| {
                        let _ = progress_tx.send(Msg::ActionProgress {
                            target: progress_target.clone(),
                            progress,
                        });
                    };
                    let cx = actions::Cx::new(&clients, &incident).with_progress(&progress);
                    let result = actions::undo(&cx, &action_id)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::ActionFinished {
                        key,
                        what: "undo".to_string(),
                        target: action_id.clone(),
                        bucket,
                        undo_of: Some(action_id),
                        result,
                    });
                    send_action_log(&incident, &tx).await;
                });
            }
            Command::RefreshBucket { bucket } => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let facts = exposure::bucket_facts(
                        &clients,
                        exposure::BucketRef {
                            name: bucket,
                            region: None,
                        },
                    )
                    .await;
                    let _ = tx.send(Msg::BucketRefreshed(Box::new(facts)));
                });
            }
            Command::LoadCredentials { generation } => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                let regions = self.ec2_regions.clone();
                tokio::spawn(async move {
                    let account = clients
                        .identity()
                        .await
                        .map(|i| i.account)
                        .unwrap_or_default();
                    let facts = crate::credentials::load(&clients, &account, &regions).await;
                    let _ = tx.send(Msg::Credentials {
                        generation,
                        facts: Box::new(facts),
                    });
                });
            }
            Command::StartTail => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                let opts = crate::tail::TailOptions {
                    since: 3600,
                    regions: self.ec2_regions.clone(),
                    every: std::time::Duration::from_secs(30),
                    follow: true,
                };
                tokio::spawn(async move {
                    crate::tail::run(&clients, &opts, |m| tx.send(Msg::Tail(m)).is_ok()).await;
                });
            }
            Command::LakeSearch(question) => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                tokio::spawn(async move {
                    crate::tail::lake_search(
                        &clients,
                        question.clone(),
                        i64::from(question.days) * 86_400,
                        |m| tx.send(Msg::Tail(m)).is_ok(),
                    )
                    .await;
                });
            }
            Command::PreserveEvents { records, filter } => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result = crate::tail::preserve(&incident, &records, &filter).await;
                    let _ = tx.send(Msg::Journaled(result));
                });
            }
            Command::LoadVersions { bucket, since } => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let list = load_versions(&clients, &bucket, since).await;
                    let _ = tx.send(Msg::Versions { bucket, list });
                });
            }
            Command::StartWatch(target) => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let (tx, timing, wake) =
                    (self.tx.clone(), self.watch_timing, self.watch_wake.clone());
                tokio::spawn(async move {
                    let result = crate::watch::start(
                        &mut *incident.lock().await,
                        target,
                        crate::tail::now_secs(),
                        "by hand",
                        timing,
                    );
                    match result {
                        Ok(spec) => {
                            // Shown at once; counted from the next round.
                            let _ = tx.send(Msg::WatchesReplayed(vec![(
                                crate::model::watch::Watch::new(spec.clone()),
                                None,
                            )]));
                            let _ = tx.send(Msg::Journaled(Ok(format!("{} started", spec.id))));
                            wake.notify_one();
                        }
                        Err(e) => {
                            let _ = tx.send(Msg::Journaled(Err(format!("no watch started: {e}"))));
                        }
                    }
                });
            }
            Command::Note {
                kind,
                summary,
                data,
            } => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let mut data = data;
                    if let Some(map) = data.as_object_mut() {
                        map.insert("summary".into(), serde_json::Value::String(summary.clone()));
                    }
                    let result = incident
                        .lock()
                        .await
                        .record(&kind, data)
                        .map(|_| summary)
                        .map_err(|e| format!("write failed: {e}"));
                    let _ = tx.send(Msg::Journaled(result));
                });
            }
            Command::RecordSnapshot(snapshot) => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let tx = self.tx.clone();
                // A few fsyncs: on a worker task, never on the UI loop.
                tokio::spawn(async move {
                    let result = scan::journal_snapshot(&mut *incident.lock().await, &snapshot)
                        .map_err(|e| format!("write failed: {e}"));
                    let _ = tx.send(Msg::Journaled(result));
                });
            }
        }
    }
}

/// The versions view's listing: changed keys' histories, at most
/// `versions_pane::MAX_KEYS` of them.
async fn load_versions(
    c: &Clients,
    bucket: &str,
    since: i64,
) -> Result<versions_pane::VersionsList, String> {
    let text = |e: crate::aws::AwsError| format!("{}: {}", e.code, e.message);
    let region = exposure::bucket_region(c, bucket).await.map_err(text)?;
    let s3 = c.s3_in(&region);
    let versioning = crate::aws::versions::versioning(&s3, bucket)
        .await
        .map_err(text)?;
    let mut out = versions_pane::VersionsList {
        versioning,
        keys: Vec::new(),
        more: 0,
    };
    if out.versioning.is_empty() {
        return Ok(out);
    }
    crate::aws::versions::changed_since(&s3, bucket, None, since, |history| {
        if out.keys.len() < versions_pane::MAX_KEYS {
            out.keys.push(history);
        } else {
            out.more += 1;
        }
    })
    .await
    .map_err(text)?;
    Ok(out)
}

/// Rebuild the action log from the journal and hand it to the console.
async fn send_action_log(incident: &Mutex<Incident>, tx: &mpsc::UnboundedSender<Msg>) {
    let entries = incident.lock().await.all_entries();
    match entries {
        Ok(entries) => {
            let _ = tx.send(Msg::ActionLog(actions::history::from_entries(&entries)));
        }
        Err(e) => {
            let _ = tx.send(Msg::Journaled(Err(format!(
                "cannot read the action log: {e}"
            ))));
        }
    }
}
