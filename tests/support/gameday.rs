//! Game Day for the tests: the console driven without a terminal, and a
//! whole scripted game of scenario 1 (used by the Game Day test and by the
//! least-privilege test, which plays it as a user holding only the
//! responder policy).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use tokio::sync::{Mutex, mpsc};
use warroom::actions::Confirm;
use warroom::gameday::attacker::{Attacker, TrailWriter};
use warroom::gameday::scenario::Scenario;
use warroom::gameday::{Game, record_start, stage};
use warroom::incident::Incident;
use warroom::tui::app::{Context, Msg, State, View, update};
use warroom::tui::keymap::Keymap;
use warroom::tui::runner::Runner;

/// The console without a terminal: keys in, commands run by the real
/// runner, messages back into `update()`.
pub struct Driver {
    pub state: State,
    pub runner: Runner,
    pub rx: mpsc::UnboundedReceiver<Msg>,
    /// Secrets no frame may show: the console's own secret key and session
    /// token from the start, and whatever a test adds (`forbid`).
    forbidden: Vec<String>,
    /// Frames drawn and checked so far.
    pub frames: u64,
}

impl Driver {
    /// A console on the emulator at `endpoint`, journaling to `incident`
    /// (with its directory) if given, opened as the terminal one opens.
    pub async fn headless(
        clients: warroom::aws::Clients,
        endpoint: &str,
        incident: Option<(Arc<Mutex<Incident>>, &std::path::Path)>,
        tune: impl FnOnce(&mut Runner),
    ) -> Driver {
        let (tx, rx) = mpsc::unbounded_channel();
        let own = clients.clone();
        let mut runner = Runner::new(clients, tx, incident.as_ref().map(|(i, _)| i.clone()));
        tune(&mut runner);
        let mut state = State::new(
            Context {
                region: "us-east-1".into(),
                endpoint: Some(endpoint.to_string()),
                incident: incident.map(|(_, dir)| dir.display().to_string()),
                ..Default::default()
            },
            Keymap::defaults(),
            true,
            (120, 40),
        );
        warroom::tui::open(&mut state, &mut runner, None).await;
        Driver::opened(state, runner, rx, &own).await
    }

    /// A console already opened with `clients`, whose own secret key and
    /// session token no frame may show.
    pub async fn opened(
        state: State,
        runner: Runner,
        rx: mpsc::UnboundedReceiver<Msg>,
        clients: &warroom::aws::Clients,
    ) -> Driver {
        let mut forbidden = Vec::new();
        if let Some(p) = clients.sdk.credentials_provider() {
            use aws_sdk_s3::config::ProvideCredentials;
            let creds = p.provide_credentials().await.expect("credentials");
            forbidden.push(creds.secret_access_key().to_string());
            forbidden.extend(creds.session_token().map(str::to_string));
        }
        let mut d = Driver {
            state,
            runner,
            rx,
            forbidden,
            frames: 0,
        };
        d.draw();
        d
    }

    /// No frame from now on may show `secret`.
    pub fn forbid(&mut self, secret: &str) {
        assert!(secret.len() >= 8, "too short to search for");
        self.forbidden.push(secret.to_string());
    }

    /// Draw the console as it is now (every state it reaches is drawn),
    /// check the frame for `forbidden` text, and return the text.
    pub fn draw(&mut self) -> String {
        let text = super::frame(&self.state, 120, 40);
        self.frames += 1;
        for secret in &self.forbidden {
            assert!(
                !text.contains(secret.as_str()),
                "frame {} ({:?}) shows a secret",
                self.frames,
                self.state.view
            );
        }
        text
    }

    pub fn send(&mut self, msg: Msg) {
        for cmd in update(&mut self.state, msg) {
            self.runner.spawn(cmd);
        }
        if let Some(msg) = self.runner.health(&self.state) {
            update(&mut self.state, msg);
        }
        self.draw();
    }

    pub fn key(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }

    pub fn code(&mut self, k: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)));
    }

    pub fn type_line(&mut self, text: &str) {
        for _ in 0..80 {
            self.code(KeyCode::Backspace);
        }
        for c in text.chars() {
            self.key(c);
        }
        self.code(KeyCode::Enter);
    }

    /// Feed messages until `done` holds (a liveness guard, not a timing
    /// assertion: `secs` is generous).
    pub async fn until(&mut self, what: &str, secs: u64, done: impl Fn(&State) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !done(&self.state) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; status: {:?}; notice: {:?}; watch alerts: {:?}",
                self.state.status,
                self.state.notice.as_ref().map(|n| &n.title),
                self.state.watches.alerts
            );
            match tokio::time::timeout(left.min(Duration::from_millis(500)), self.rx.recv()).await {
                Ok(Some(msg)) => self.send(msg),
                Ok(None) => panic!("the runner's channel closed"),
                Err(_) => self.send(Msg::Tick(warroom::time::now_secs())),
            }
        }
    }

    /// Answer the open confirmation as a responder would.
    /// Answer the open confirmation as a responder would, and let it run.
    pub async fn answer(&mut self, what: &str) {
        self.until(&format!("the {what} plan"), 30, |s| s.dialog.is_some())
            .await;
        let confirm = self
            .state
            .dialog
            .as_ref()
            .map(|d| d.plan.confirm.clone())
            .expect("a dialog");
        match confirm {
            Confirm::YesNo => self.key('y'),
            Confirm::TypeName { text } => {
                for c in text.chars() {
                    self.key(c);
                }
                self.code(KeyCode::Enter);
            }
        }
    }

    /// Answer the confirmation, wait for the action, and check it is done.
    pub async fn confirm(&mut self, what: &str) {
        self.answer(what).await;
        let needle = format!("{what} on");
        // A bulk action on a loaded CI machine (several emulators with
        // injected latency at once) can take minutes: this is a timeout,
        // not a speed assertion.
        self.until(&format!("{what} to finish"), 240, move |s| {
            s.status
                .as_ref()
                .is_some_and(|st| st.text.contains(&needle) && !st.text.contains("planning"))
                && s.busy.is_empty()
        })
        .await;
        let status = self.state.status.clone().expect("a status");
        assert!(
            !status.is_error && status.text.contains("done"),
            "{what}: {}",
            status.text
        );
    }
}

/// Plan and apply one action through the engine, confirmed.
pub async fn apply(
    c: &warroom::aws::Clients,
    incident: &Arc<Mutex<Incident>>,
    spec: &warroom::actions::ActionSpec,
) {
    let cx = warroom::actions::Cx::new(c, incident);
    let plan = warroom::actions::plan(c, spec).await.expect("plan");
    let outcome = warroom::actions::execute(&cx, &plan, true, "test", false)
        .await
        .expect("applied");
    assert!(
        matches!(outcome, warroom::actions::Outcome::Done { .. }),
        "{outcome:?}"
    );
}

/// Every log file in a trail bucket: (key, its JSON, gunzipped).
pub async fn trail_files(c: &warroom::aws::Clients, bucket: &str) -> Vec<(String, Vec<u8>)> {
    let listed =
        c.s3.list_objects_v2()
            .bucket(bucket)
            .send()
            .await
            .expect("list");
    let mut out = Vec::new();
    for o in listed.contents() {
        let key = o.key().expect("key").to_string();
        let body =
            c.s3.get_object()
                .bucket(bucket)
                .key(&key)
                .send()
                .await
                .expect("get")
                .body
                .collect()
                .await
                .expect("body")
                .into_bytes();
        out.push((key, warroom::aws::trail::gunzip(&body).expect("gzip")));
    }
    out
}

/// Every file under `dir`.
pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The game's attacker in the emulator, signing as `c` (and with the
/// leaked key if given), writing its CloudTrail files into the game's trail
/// bucket, its opening moves already played.
pub async fn emulator_attacker(
    game: &Game,
    c: &warroom::aws::Clients,
    leaked: Option<warroom::aws::Clients>,
    incident: Arc<Mutex<Incident>>,
) -> Attacker {
    let mut attacker = Attacker::new(
        game.scenario.clone(),
        game.staged.clone(),
        c.clone(),
        leaked,
        Some(TrailWriter::new(&game.scenario.trail.bucket)),
        incident,
    );
    let opening = attacker.replay_history().await.expect("the opening moves");
    assert!(opening.iter().all(|r| r.error.is_none()), "{opening:?}");
    attacker
}

pub async fn staged_game(
    c: &warroom::aws::Clients,
    name: &str,
    run: &str,
) -> (Arc<Game>, tempfile::TempDir, Arc<Mutex<Incident>>, i64) {
    let scenario = Scenario::find(name).expect("scenario");
    let staged = stage::stage(c, &scenario, run, true, |_| {})
        .await
        .expect("staged");
    // The attack starts on a later second than the data (S3 keeps seconds).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut incident = Incident::open(Some(dir.path())).expect("incident");
    incident
        .record(
            "session_start",
            json!({"summary": "gameday test", "caller": {"arn": "arn:aws:iam::123456789012:user/trainee", "account": "123456789012"}}),
        )
        .expect("session");
    let game = Arc::new(Game { scenario, staged });
    let started = record_start(&mut incident, &game).expect("start");
    (game, dir, Arc::new(Mutex::new(incident)), started)
}

/// What a played game leaves behind, for the tests to read back.
pub struct Played {
    pub game: Arc<Game>,
    pub dir: tempfile::TempDir,
    pub incident: Arc<Mutex<Incident>>,
    pub leaked_key: warroom::gameday::stage::LeakedKey,
    pub score: warroom::gameday::score::Score,
    pub d: Driver,
}

/// Play scenario 1 as a responder would, with `responder`'s clients for
/// the console (the attacker and the staging use `admin`): find who in
/// CloudTrail, preserve it, deactivate the key, block and fix the bucket,
/// restore, wait for a clean watch, finish.
pub async fn play_leaked_key_game(
    endpoint: &str,
    admin: &warroom::aws::Clients,
    responder: &warroom::aws::Clients,
    run: &str,
) -> Played {
    let c = admin;
    let (game, dir, incident, started) = staged_game(c, "leaked-key-public-policy", run).await;
    let leaked_key = game.staged.leaked.clone().expect("a leaked key");
    let leaked = super::clients_with(
        endpoint,
        &leaked_key.access_key_id,
        leaked_key.secret.expose(),
    )
    .await;
    let attacker = emulator_attacker(&game, c, Some(leaked), incident.clone()).await;

    let (tx, rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(responder.clone(), tx, Some(incident.clone()));
    // A short watch, polled often, so the game ends in seconds.
    runner.watch_timing = warroom::model::watch::Timing {
        window_secs: 8,
        allowance_secs: 2,
    };
    runner.watch_poll = Duration::from_secs(1);
    runner.tail_poll = Duration::from_secs(1);
    let mut state = State::new(
        Context {
            region: "us-east-1".into(),
            endpoint: Some(endpoint.to_string()),
            incident: Some(dir.path().display().to_string()),
            ..Default::default()
        },
        Keymap::defaults(),
        true,
        (120, 40),
    );
    state.checklist = warroom::tui::state::ChecklistState::new(
        warroom::playbook::Playbook::builtin().expect("playbook"),
    );
    warroom::tui::open(
        &mut state,
        &mut runner,
        Some(warroom::tui::GameDayOptions {
            game: game.clone(),
            attacker,
            every: Duration::from_secs(1),
            started,
        }),
    )
    .await;
    let mut d = Driver::opened(state, runner, rx, responder).await;
    d.forbid(leaked_key.secret.expose());
    // The briefing first; any key starts.
    assert!(
        d.state
            .notice
            .as_ref()
            .is_some_and(|n| n.title.contains("leaked CI key"))
    );
    d.key(' ');
    d.until("the exposure scan", 60, |s| {
        !s.scan.running
            && s.buckets
                .iter()
                .any(|b| b.facts.name == "acme-customer-records")
    })
    .await;
    let bucket = "acme-customer-records";
    assert_eq!(
        d.state.selected.as_deref(),
        Some(bucket),
        "the public bucket is on top"
    );
    // The hint explains the next open step.
    d.key('H');
    let hint = d.state.notice.clone().expect("a hint");
    assert!(hint.title.starts_with("Hint:"), "{}", hint.title);
    // With the bucket public and the attacker active, the first hint is
    // containment, and it names the key that does it.
    let step = hint.title.trim_start_matches("Hint: ").to_string();
    let contain: Vec<String> = d
        .state
        .checklist
        .playbook
        .parts
        .iter()
        .filter(|p| p.id == "contain" || p.id == "eradicate")
        .flat_map(|p| p.steps.iter().map(|s| s.id.clone()))
        .collect();
    assert!(contain.contains(&step), "{step}: {:?}", hint.lines);
    assert!(
        hint.lines.iter().any(|l| l.starts_with("How: ")),
        "{:?}",
        hint.lines
    );
    d.key(' ');

    // Find who: the CloudTrail pane, filtered to policy changes on the bucket.
    d.code(KeyCode::Tab);
    d.code(KeyCode::Tab);
    assert_eq!(d.state.view, View::Trail);
    d.until("the attacker's policy change in the tail", 60, |s| {
        s.trail
            .ring
            .newest_first()
            .any(|e| e.name == "PutBucketPolicy" && e.actor.label().contains("ci-deploy"))
    })
    .await;
    d.key('/');
    d.type_line(&format!("bucket:{bucket} name:PutBucketPolicy"));
    // Preserve them before changing anything.
    d.key('E');
    d.until("the events preserved", 30, |s| {
        s.checklist.evidence_preserved
    })
    .await;
    // Pivot to the principal's key, and deactivate it.
    d.key('w');
    assert_eq!(d.state.view, View::Credentials);
    assert_eq!(d.state.creds.filter, leaked_key.access_key_id);
    d.until("the credentials", 30, |s| s.creds.facts.is_some())
        .await;
    d.key('d');
    d.confirm("deactivate-key").await;

    // Contain the bucket: Block Public Access, then the policy statement.
    d.code(KeyCode::Tab);
    d.code(KeyCode::Tab);
    d.code(KeyCode::Tab);
    d.code(KeyCode::Tab);
    assert_eq!(d.state.view, View::Dashboard);
    d.key('b');
    d.confirm("block-public-access").await;
    d.until("the bucket re-read", 30, |s| {
        s.checklist.state_of("block-public").status == warroom::playbook::progress::Status::Done
    })
    .await;
    // Blocked is not eradicated: the public statement is still there.
    assert_ne!(
        d.state.checklist.state_of("policy").status,
        warroom::playbook::progress::Status::Done
    );
    d.key('p');
    d.confirm("remove-policy-statements").await;

    // Recover: the restore time is guessed from CloudTrail's first write.
    d.key('R');
    let guess = d.state.prompt.clone().expect("the restore prompt").text;
    let at = warroom::cli::parse_when(&guess).expect("a time");
    assert!(
        at >= game.staged.clean_at - 3 && at < game.staged.clean_at + 5,
        "guessed {guess}, the data was clean at {}; the tail holds {:?}",
        game.staged.clean_at,
        d.state
            .trail
            .ring
            .newest_first()
            .map(|e| (
                e.name.clone(),
                e.bucket.clone(),
                e.read_only,
                e.time.clone()
            ))
            .collect::<Vec<_>>()
    );
    d.code(KeyCode::Enter);
    d.confirm("pit-restore").await;

    // The watch on the revoked key ends clean (the attacker's tries are
    // denied), and the containment steps have ticked themselves.
    d.until("a clean final watch verdict", 60, |s| {
        s.watches
            .rows
            .iter()
            .any(|r| r.verdict.as_deref() == Some("clean"))
    })
    .await;
    d.until("every attacker contained", 30, |s| {
        s.checklist.state_of("watch").status == warroom::playbook::progress::Status::Done
    })
    .await;
    for step in [
        "scan",
        "preserve",
        "revoke-keys",
        "block-public",
        "policy",
        "watch",
    ] {
        assert_eq!(
            d.state.checklist.state_of(step).status,
            warroom::playbook::progress::Status::Done,
            "step {step}"
        );
    }
    // Let the attacker try again after containment.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    d.key('F');
    d.until("the score", 60, |s| {
        s.gameday.as_ref().is_some_and(|g| g.score.is_some())
    })
    .await;
    let score = d
        .state
        .gameday
        .as_ref()
        .and_then(|g| g.score.clone())
        .expect("a score");
    assert!(
        d.state
            .notice
            .as_ref()
            .is_some_and(|n| n.title.contains("score")),
        "the score is shown"
    );
    Played {
        game,
        dir,
        incident,
        leaked_key,
        score,
        d,
    }
}
