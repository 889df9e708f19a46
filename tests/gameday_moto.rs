//! Game Day against the real emulator (moto): staging, the live attacker,
//! a whole scripted game driven through `update()` with key presses (no
//! terminal; the same runner the console uses), and teardown by tag.
//!
//! Nothing is mocked here: the attacker's CloudTrail log files are read
//! back from moto's S3 by the real tail and the real watch (moto has no
//! CloudTrail of its own; its LookupEvents answers HTTP 500, which the
//! console reports and works around).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use tokio::sync::{Mutex, mpsc};
use warroom::actions::Confirm;
use warroom::gameday::attacker::{Attacker, TrailWriter, kind};
use warroom::gameday::scenario::Scenario;
use warroom::gameday::{Game, record_start, stage, teardown};
use warroom::incident::Incident;
use warroom::tui::app::{Context, Msg, State, View, update};
use warroom::tui::keymap::Keymap;
use warroom::tui::runner::Runner;

/// The console without a terminal: keys in, commands run by the real
/// runner, messages back into `update()`.
struct Driver {
    state: State,
    runner: Runner,
    rx: mpsc::UnboundedReceiver<Msg>,
}

impl Driver {
    fn send(&mut self, msg: Msg) {
        for cmd in update(&mut self.state, msg) {
            self.runner.spawn(cmd);
        }
    }

    fn key(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }

    fn code(&mut self, k: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)));
    }

    fn type_line(&mut self, text: &str) {
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
    async fn until(&mut self, what: &str, secs: u64, done: impl Fn(&State) -> bool) {
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
                Err(_) => self.send(Msg::Tick(warroom::tail::now_secs())),
            }
        }
    }

    /// Answer the open confirmation as a responder would.
    async fn confirm(&mut self, what: &str) {
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
        let needle = format!("{what} on");
        self.until(&format!("{what} to finish"), 60, move |s| {
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

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
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

async fn staged_game(
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_game_day_is_contained_restored_watched_and_scored() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let (game, dir, incident, started) =
        staged_game(&c, "leaked-key-public-policy", "gdtest0001").await;
    let leaked_key = game.staged.leaked.clone().expect("a leaked key");
    let leaked = support::clients_with(
        &emu.endpoint(),
        &leaked_key.access_key_id,
        leaked_key.secret.expose(),
    )
    .await;
    let mut attacker = Attacker::new(
        game.scenario.clone(),
        game.staged.clone(),
        c.clone(),
        Some(leaked),
        Some(TrailWriter::new(&game.scenario.trail.bucket)),
        incident.clone(),
    );
    let opening = attacker.replay_history().await.expect("the opening moves");
    assert!(opening.iter().all(|r| r.error.is_none()), "{opening:?}");

    let (tx, rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(c.clone(), tx, Some(incident.clone()));
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
            endpoint: Some(emu.endpoint()),
            incident: Some(dir.path().display().to_string()),
            ..Default::default()
        },
        Keymap::defaults(),
        true,
        (120, 40),
    );
    state.checklist = warroom::tui::checklist_pane::ChecklistState::new(
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
    let mut d = Driver { state, runner, rx };
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

    // The emulator's state, read back.
    let keys = c
        .iam
        .list_access_keys()
        .user_name("ci-deploy")
        .send()
        .await
        .expect("keys");
    assert!(
        keys.access_key_metadata()
            .iter()
            .all(|k| k.status() == Some(&aws_sdk_iam::types::StatusType::Inactive))
    );
    let analyst = c
        .iam
        .list_access_keys()
        .user_name("analyst")
        .send()
        .await
        .expect("keys");
    assert!(
        analyst
            .access_key_metadata()
            .iter()
            .all(|k| k.status() == Some(&aws_sdk_iam::types::StatusType::Active)),
        "the uninvolved colleague keeps working"
    );
    let pab =
        c.s3.get_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .expect("pab");
    let pab = pab.public_access_block_configuration().expect("config");
    assert_eq!(
        (
            pab.block_public_acls(),
            pab.ignore_public_acls(),
            pab.block_public_policy(),
            pab.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    match c.s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(p) => assert!(
            !p.policy().unwrap_or_default().contains("\"*\""),
            "{:?}",
            p.policy()
        ),
        Err(e) => assert_eq!(
            warroom::aws::error::aws_error(&e).code,
            "NoSuchBucketPolicy"
        ),
    }
    for ((b, k), body) in &game.staged.originals {
        let got =
            c.s3.get_object()
                .bucket(b)
                .key(k)
                .send()
                .await
                .expect("object")
                .body
                .collect()
                .await
                .expect("body")
                .into_bytes();
        assert_eq!(got, body.as_bytes(), "s3://{b}/{k} is as before the attack");
    }

    // The score.
    assert_eq!(score.scenario, "leaked-key-public-policy");
    assert_eq!((score.objects_intact, score.objects_total), (4, 4));
    assert!(score.first_containment_secs.is_some());
    assert!(score.full_containment_secs.is_some());
    assert!(score.evidence_preserved);
    assert!(score.mistakes.is_empty(), "{:?}", score.mistakes);
    assert!(score.watches_clean >= 1 && score.watches_activity == 0);
    assert!(score.attacks_denied >= 1, "the attacker kept trying");
    assert!(score.steps_done >= 6);
    assert!(score.points >= 80, "{:?}", score.lines());

    // The journal: the score, the containment, the checks as evidence.
    let entries = incident.lock().await.all_entries().expect("entries");
    assert!(
        entries
            .iter()
            .any(|e| e.kind == kind::SCORE && e.data["score"]["points"] == json!(score.points))
    );
    assert!(
        entries
            .iter()
            .any(|e| e.kind == kind::CONTAINED && e.data["all_contained"] == json!(true))
    );
    assert!(
        entries
            .iter()
            .any(|e| e.kind == "checklist_check" && e.data["step"] == "revoke-keys")
    );
    let denied_after = entries
        .iter()
        .skip_while(|e| {
            !(e.kind == kind::CONTAINED
                && e.data["actor"] == "leaked_key"
                && e.data["contained"] == json!(true))
        })
        .filter(|e| e.kind == kind::ATTACK && e.data["actor"] == "leaked_key")
        .collect::<Vec<_>>();
    assert!(
        !denied_after.is_empty() && denied_after.iter().all(|e| !e.data["error"].is_null()),
        "after containment every attempt with the key is denied"
    );

    // The leaked secret is the attacker's: it is in no file warroom wrote,
    // nor on any screen.
    let secret = leaked_key.secret.expose().to_string();
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).expect("read");
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{} holds the leaked secret",
            entry.display()
        );
    }
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("t");
    for view in [
        View::Dashboard,
        View::Credentials,
        View::Trail,
        View::Watches,
        View::Checklist,
    ] {
        d.state.view = view;
        d.state.notice = None;
        t.draw(|f| warroom::tui::render::render(&d.state, f))
            .expect("draw");
        let screen: String = t
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(!screen.contains(&secret), "{view:?} shows the secret");
    }

    // The after-action report, from the journal alone.
    let report = warroom::incident::verify::verify(dir.path()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    let md = warroom::after_action::markdown(&warroom::after_action::build(
        &dir.path().display().to_string(),
        &report,
        &warroom::playbook::Playbook::builtin().expect("playbook"),
    ));
    assert!(
        md.contains("## Game Day: leaked-key-public-policy (run gdtest0001)"),
        "{md}"
    );
    assert!(
        md.contains(&format!("Score {} / 100", score.points)),
        "{md}"
    );
    assert!(md.contains("deactivate-key"), "{md}");
    assert!(md.contains("attacker contained"), "{md}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_attacker_steals_again_until_imdsv2_is_required() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let (game, _dir, incident, _) = staged_game(&c, "ssrf-instance-role", "gdtest0002").await;
    let instance = game.staged.instance.clone().expect("an instance");
    let mut attacker = Attacker::new(
        game.scenario.clone(),
        game.staged.clone(),
        c.clone(),
        None,
        Some(TrailWriter::new(&game.scenario.trail.bucket)),
        incident.clone(),
    );
    attacker.replay_history().await.expect("history");
    let first = attacker.round().await.expect("round");
    assert_eq!(first.error, None, "the stolen session works");
    // Revoke the role's sessions through the action engine.
    let cx = warroom::actions::Cx::new(&c, &incident);
    let spec = warroom::actions::ActionSpec::RevokeSessions(warroom::actions::sessions::Args {
        principal: warroom::aws::iam::Principal::Role("acme-web-app".into()),
    });
    let plan = warroom::actions::plan(&c, &spec).await.expect("plan");
    warroom::actions::execute(&cx, &plan, true, "test", false)
        .await
        .expect("revoked");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // IMDSv1 still answers: the attacker takes fresh credentials.
    let again = attacker.round().await.expect("round");
    assert_eq!(again.error, None, "re-stolen through IMDSv1");
    // IMDSv2 required: no more fresh credentials, but the session taken
    // after the revocation still works until it is revoked too.
    let spec = warroom::actions::ActionSpec::RequireImdsV2(warroom::actions::imds::Args {
        scope: warroom::actions::imds::Scope::Instance(instance.instance_id.clone()),
        region: None,
    });
    let plan = warroom::actions::plan(&c, &spec).await.expect("plan");
    warroom::actions::execute(&cx, &plan, true, "test", false)
        .await
        .expect("imdsv2");
    let still = attacker.round().await.expect("round");
    assert_eq!(still.error, None, "the re-stolen session outlives IMDSv2");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let spec = warroom::actions::ActionSpec::RevokeSessions(warroom::actions::sessions::Args {
        principal: warroom::aws::iam::Principal::Role("acme-web-app".into()),
    });
    let plan = warroom::actions::plan(&c, &spec).await.expect("plan");
    warroom::actions::execute(&cx, &plan, true, "test", false)
        .await
        .expect("revoked again");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let last = attacker.round().await.expect("round");
    assert_eq!(last.error.as_deref(), Some("AccessDenied"));
    let entries = incident.lock().await.all_entries().expect("entries");
    let contained: Vec<bool> = entries
        .iter()
        .filter(|e| e.kind == kind::CONTAINED)
        .filter_map(|e| e.data["contained"].as_bool())
        .collect();
    assert_eq!(contained, vec![false, true]);
    // The trail bucket holds the log files, with the two sessions' key ids.
    let files =
        c.s3.list_objects_v2()
            .bucket(&game.scenario.trail.bucket)
            .send()
            .await
            .expect("list");
    let mut key_ids = std::collections::BTreeSet::new();
    for o in files.contents() {
        let key = o.key().expect("key");
        assert!(
            key.starts_with(&format!(
                "AWSLogs/{}/CloudTrail/us-east-1/",
                game.staged.account
            )) && key.ends_with(".json.gz"),
            "{key}"
        );
        let body =
            c.s3.get_object()
                .bucket(&game.scenario.trail.bucket)
                .key(key)
                .send()
                .await
                .expect("get")
                .body
                .collect()
                .await
                .expect("body")
                .into_bytes();
        let json = warroom::aws::trail::gunzip(&body).expect("gzip");
        let parsed = warroom::model::trail::parse_log_file(&json).expect("parse");
        for e in parsed.events {
            if let Some(k) = e
                .actor
                .access_key_id
                .clone()
                .filter(|k| k.starts_with("ASIA"))
            {
                key_ids.insert(k);
            }
        }
    }
    assert_eq!(
        key_ids.len(),
        2,
        "the first session and the re-stolen one: {key_ids:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_removes_exactly_what_the_run_tagged() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    // Someone else's bucket and user, with similar names, untagged.
    support::create_bucket(&c, "acme-invoices-keep").await;
    c.iam
        .create_user()
        .user_name("acme-web-app-keep")
        .send()
        .await
        .expect("user");
    let scenario = Scenario::find("ssrf-instance-role")
        .expect("scenario")
        .with_suffix("gdtest0003");
    let staged = stage::stage(&c, &scenario, "gdtest0003", true, |_| {})
        .await
        .expect("staged");
    let removed = teardown::teardown(&c, Some("gdtest0003"), |_| {})
        .await
        .expect("teardown");
    let text = removed.join("\n");
    for name in [
        "bucket acme-invoices-gdtest0003",
        "bucket acme-web-static-gdtest0003",
        "bucket acme-trail-logs-gdtest0003",
        "role acme-web-app-gdtest0003",
        "key pair acme-web-ops-gdtest0003",
        "trail acme-main-gdtest0003",
    ] {
        assert!(text.contains(name), "{name} not in:\n{text}");
    }
    let instance = staged.instance.expect("instance").instance_id;
    assert!(text.contains(&instance), "{text}");
    // Read back: what was tagged is gone, the rest is there.
    let buckets: Vec<String> =
        c.s3.list_buckets()
            .send()
            .await
            .expect("buckets")
            .buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_string))
            .collect();
    assert_eq!(buckets, vec!["acme-invoices-keep".to_string()]);
    let users: Vec<String> = c
        .iam
        .list_users()
        .send()
        .await
        .expect("users")
        .users()
        .iter()
        .map(|u| u.user_name().to_string())
        .collect();
    assert_eq!(users, vec!["acme-web-app-keep".to_string()]);
    assert!(
        c.iam
            .list_roles()
            .send()
            .await
            .expect("roles")
            .roles()
            .iter()
            .all(|r| !r.role_name().ends_with("gdtest0003"))
    );
    // A second run removes nothing more (and does not fail).
    let again = teardown::teardown(&c, Some("gdtest0003"), |_| {})
        .await
        .expect("teardown again");
    assert!(again.is_empty(), "{again:?}");
}
