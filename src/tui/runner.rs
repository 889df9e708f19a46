//! Runs the console's commands on tokio tasks; results come back to
//! `update()` as messages. The terminal loop (`tui::run`) and the headless
//! driver the tests use (`Runner` + a channel) share it, so a scripted
//! session exercises the same code a responder does.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};

use super::msg::{JournalError, MAX_KEYS, VersionsList};
use crate::actions;
use crate::aws::AwsError;
use crate::aws::{Clients, exposure};
use crate::incident::Incident;
use crate::scan::{self, ScanOptions};
use crate::tui::msg::{Command, Msg};

/// Runs commands on tokio tasks; results come back as messages.
pub struct Runner {
    pub clients: Clients,
    pub ec2_regions: Vec<String>,
    pub tx: mpsc::UnboundedSender<Msg>,
    pub concurrency: usize,
    pub incident: Option<Arc<Mutex<Incident>>>,
    pub watch_timing: crate::model::watch::Timing,
    /// How often the watch runner polls its sources.
    pub watch_poll: std::time::Duration,
    /// How often the CloudTrail tail polls.
    pub tail_poll: std::time::Duration,
    /// Wakes the watch runner when a watch starts, so it does not wait
    /// out its poll interval.
    pub watch_wake: Arc<tokio::sync::Notify>,
    /// The Game Day being played, if any.
    pub gameday: Option<Arc<crate::gameday::Game>>,
    /// Dropping the runner drops this, which stops its long-running tasks
    /// (the watch runner, the tail, the Game Day attacker): they hold the
    /// incident, and a console that goes away must let go of it.
    stop: tokio::sync::watch::Sender<bool>,
    /// Asks the Game Day attacker for a containment check now (at finish).
    attacker_check: Option<mpsc::Sender<tokio::sync::oneshot::Sender<()>>>,
}

/// How often the console's watch runner polls its sources.
pub const WATCH_POLL: std::time::Duration = std::time::Duration::from_secs(15);
/// How often the console's CloudTrail tail polls.
pub const TAIL_POLL: std::time::Duration = std::time::Duration::from_secs(30);

impl Runner {
    pub fn new(
        clients: Clients,
        tx: mpsc::UnboundedSender<Msg>,
        incident: Option<Arc<Mutex<Incident>>>,
    ) -> Self {
        Runner {
            clients,
            ec2_regions: Vec::new(),
            tx,
            concurrency: 16,
            incident,
            watch_timing: Default::default(),
            watch_poll: WATCH_POLL,
            tail_poll: TAIL_POLL,
            watch_wake: Arc::new(tokio::sync::Notify::new()),
            gameday: None,
            stop: tokio::sync::watch::channel(false).0,
            attacker_check: None,
        }
    }

    /// Run `task` until it ends or this runner is dropped.
    fn until_dropped<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let mut stop = self.stop.subscribe();
        tokio::spawn(async move {
            tokio::select! {
                () = task => {}
                _ = stop.changed() => {}
            }
        });
    }

    /// Play the Game Day attacker every `every`, until this runner is
    /// dropped; each move (or failure) comes back as `Msg::Attacker`.
    pub fn start_attacker(
        &mut self,
        attacker: crate::gameday::attacker::Attacker,
        every: std::time::Duration,
    ) {
        let tx = self.tx.clone();
        let (check_tx, check_rx) = mpsc::channel(1);
        self.attacker_check = Some(check_tx);
        tokio::spawn(
            attacker.run(every, self.stop.subscribe(), check_rx, move |r| {
                let _ = tx.send(Msg::Attacker(r));
            }),
        );
    }

    /// Show the journal's watches, then run the open ones (and any started
    /// later) on a task.
    pub fn start_watches(&self) {
        let Some(incident) = self.incident.clone() else {
            return;
        };
        let (clients, tx) = (self.clients.clone(), self.tx.clone());
        let opts = crate::watch::WatchOptions {
            every: self.watch_poll,
            regions: self.ec2_regions.clone(),
            follow: true,
            wake: Some(self.watch_wake.clone()),
        };
        self.until_dropped(async move {
            let entries = incident.lock().await.all_entries();
            match entries {
                Ok(entries) => {
                    let _ = tx.send(Msg::WatchesReplayed(crate::watch::replay(&entries)));
                }
                Err(e) => {
                    let _ = tx.send(Msg::Journaled(Err(JournalError::new(
                        "cannot read the watches",
                        e,
                    ))));
                    return;
                }
            }
            let result = crate::watch::run(&clients, &incident, &opts, |m| {
                tx.send(Msg::Watch(m)).is_ok()
            })
            .await;
            if let Err(e) = result {
                let _ = tx.send(Msg::Journaled(Err(JournalError::new(
                    "the credential watch stopped",
                    e,
                ))));
            }
        });
    }

    /// What the runtime must tell `update()` on its own: the credentials
    /// expired (seen by the clients' interceptor on any request).
    pub fn health(&self, state: &crate::tui::state::State) -> Option<Msg> {
        (!state.credentials_expired && self.clients.credentials_expired())
            .then_some(Msg::CredentialsExpired)
    }

    pub fn spawn(&self, cmd: Command) {
        match cmd {
            Command::StartScan { generation, watch } => {
                let clients = self.clients.clone();
                let tx = self.tx.clone();
                let opts = ScanOptions {
                    buckets: Vec::new(),
                    concurrency: self.concurrency,
                    watch,
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
                            result: Err(e),
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
                    let progress = progress_to(&tx, target.clone());
                    let cx = actions::Cx::new(&clients, &incident)
                        .with_progress(&progress)
                        .with_watch_timing(timing);
                    let result = actions::execute(&cx, &plan, confirmed, &how, dry_run).await;
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
            Command::PlanUndo {
                action_id,
                key,
                bucket,
            } => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result =
                        actions::plan_undo(&*incident.lock().await, &action_id).map(Box::new);
                    let _ = tx.send(Msg::UndoPlanned {
                        action_id,
                        key,
                        bucket,
                        result,
                    });
                });
            }
            Command::Undo {
                action_id,
                key,
                bucket,
                how,
            } => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let progress = progress_to(&tx, action_id.clone());
                    let cx = actions::Cx::new(&clients, &incident).with_progress(&progress);
                    let result = actions::undo(&cx, &action_id, &how).await;
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
            Command::RefreshBucket { bucket, watch_keys } => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let facts = exposure::bucket_facts(
                        &clients,
                        exposure::BucketRef {
                            name: bucket,
                            region: None,
                            watch_keys,
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
            Command::RefreshTrails => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let trails = crate::aws::trail::discover_trails(&clients).await;
                    let _ = tx.send(Msg::Tail(crate::tail::TailMsg::Trails(trails)));
                });
            }
            Command::StartTail => {
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                let opts = crate::tail::TailOptions {
                    since: 3600,
                    regions: self.ec2_regions.clone(),
                    every: self.tail_poll,
                    follow: true,
                };
                self.until_dropped(async move {
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
            Command::LoadChanges { since } => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                let regions = self.ec2_regions.clone();
                tokio::spawn(async move {
                    let entries = incident.lock().await.all_entries().unwrap_or_default();
                    let account = clients.account_id().await.ok();
                    let suspects = crate::changes::suspects_from_journal(&entries, account);
                    let since = since
                        .or_else(|| crate::changes::window_opened(&entries))
                        .unwrap_or_else(|| crate::time::now_secs() - 86_400);
                    let gathered =
                        crate::changes::gather(&clients, &suspects, since, &regions).await;
                    let _ = tx.send(Msg::Changes { since, gathered });
                });
            }
            Command::StartWatch(target) => {
                let Some(incident) = self.incident.clone() else {
                    return;
                };
                let (tx, timing, wake) =
                    (self.tx.clone(), self.watch_timing, self.watch_wake.clone());
                let clients = self.clients.clone();
                tokio::spawn(async move {
                    let account = clients.account_id().await.ok();
                    let result = crate::watch::start(
                        &mut *incident.lock().await,
                        target,
                        account,
                        crate::time::now_secs(),
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
                            let _ = tx.send(Msg::Journaled(Err(JournalError::new(
                                "no watch started",
                                e,
                            ))));
                        }
                    }
                });
            }
            Command::FinishGameDay(playbook) => {
                let (Some(incident), Some(game)) = (self.incident.clone(), self.gameday.clone())
                else {
                    return;
                };
                let (clients, tx) = (self.clients.clone(), self.tx.clone());
                let check = self.attacker_check.clone();
                tokio::spawn(async move {
                    // The attacker's own check of this moment first (bounded:
                    // a stuck emulator must not hang the finish).
                    if let Some(check) = check {
                        let (done, answered) = tokio::sync::oneshot::channel();
                        if check.send(done).await.is_ok() {
                            let _ =
                                tokio::time::timeout(std::time::Duration::from_secs(30), answered)
                                    .await;
                        }
                    }
                    let result =
                        crate::gameday::finish(&clients, &game, &incident, &playbook).await;
                    let _ = tx.send(Msg::GameDayScore(result.map(Box::new)));
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
                        .map_err(|e| JournalError::new("write failed", e));
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
                        .map_err(|e| JournalError::new("write failed", e));
                    let _ = tx.send(Msg::Journaled(result));
                });
            }
        }
    }
}

/// A long action's progress, sent to the console under `target`.
fn progress_to(
    tx: &mpsc::UnboundedSender<Msg>,
    target: String,
) -> impl Fn(actions::Progress) + Send + Sync + use<> {
    let tx = tx.clone();
    move |progress| {
        let _ = tx.send(Msg::ActionProgress {
            target: target.clone(),
            progress,
        });
    }
}

/// The versions view's listing: changed keys' histories, at most
/// `MAX_KEYS` of them.
async fn load_versions(c: &Clients, bucket: &str, since: i64) -> Result<VersionsList, AwsError> {
    let region = exposure::bucket_region(c, bucket).await?;
    let s3 = c.s3_in(&region);
    let versioning = crate::aws::versions::versioning(&s3, bucket).await?;
    let mut out = VersionsList {
        versioning,
        keys: Vec::new(),
        more: 0,
        sse_c: Default::default(),
        sse_c_unprobed: 0,
    };
    if out.versioning.is_empty() {
        return Ok(out);
    }
    crate::aws::versions::changed_since(&s3, bucket, None, since, |history| {
        if out.keys.len() < MAX_KEYS {
            out.keys.push(history);
        } else {
            out.more += 1;
        }
    })
    .await?;
    let asked = crate::aws::versions::probe_candidates(&out.keys, since);
    let (sse_c, unprobed) = crate::aws::versions::sse_c_versions(&s3, bucket, asked).await;
    out.sse_c = sse_c;
    out.sse_c_unprobed = unprobed;
    Ok(out)
}

/// Rebuild the action log from the journal and hand it to the console.
pub async fn send_action_log(incident: &Mutex<Incident>, tx: &mpsc::UnboundedSender<Msg>) {
    let entries = incident.lock().await.all_entries();
    match entries {
        Ok(entries) => {
            let _ = tx.send(Msg::ActionLog(actions::history::from_entries(&entries)));
        }
        Err(e) => {
            let _ = tx.send(Msg::Journaled(Err(JournalError::new(
                "cannot read the action log",
                e,
            ))));
        }
    }
}
