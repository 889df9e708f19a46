//! The console without a terminal: drive `update()` with messages, assert on
//! the state and the commands it asks for, and snapshot rendered frames.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::aws::{AwsError, Identity};
use warroom::fixtures;
use warroom::model::exposure::Verdict;
use warroom::scan::ScanEvent;
use warroom::tui::app::{Command, Context, Msg, State, View, update};
use warroom::tui::keymap::Keymap;
use warroom::tui::render::render;

fn new_state(size: (u16, u16)) -> State {
    State::new(
        Context {
            region: "us-east-1".into(),
            endpoint: Some("http://127.0.0.1:5000".into()),
            profile: None,
            read_only: false,
            dry_run: false,
            incident: None,
            ec2_regions: Vec::new(),
        },
        Keymap::defaults(),
        true,
        size,
    )
}

fn scan_msg(generation: u64, event: ScanEvent) -> Msg {
    Msg::Scan { generation, event }
}

fn identity() -> Identity {
    Identity {
        account: fixtures::ACCOUNT.into(),
        arn: format!("arn:aws:iam::{}:user/responder", fixtures::ACCOUNT),
        user_id: "AIDAEXAMPLE".into(),
    }
}

/// A state that has finished scanning the fixture account.
fn scanned(size: (u16, u16)) -> State {
    let mut s = new_state(size);
    let cmds = s.init();
    assert_eq!(
        cmds,
        vec![Command::StartScan {
            generation: 1,
            watch: Default::default()
        }]
    );
    let buckets = fixtures::buckets();
    update(&mut s, scan_msg(1, ScanEvent::Identity(Ok(identity()))));
    update(&mut s, scan_msg(1, ScanEvent::Account(fixtures::account())));
    update(&mut s, scan_msg(1, ScanEvent::Listed(buckets.len())));
    for b in buckets {
        update(&mut s, scan_msg(1, ScanEvent::Bucket(Box::new(b))));
    }
    update(&mut s, scan_msg(1, ScanEvent::Finished));
    s
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(k: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(k, KeyModifiers::NONE))
}

fn draw(s: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(s.size.0, s.size.1)).expect("test terminal");
    t.draw(|f| render(s, f)).expect("draw");
    t
}

fn screen_text(t: &Terminal<TestBackend>) -> String {
    t.backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

#[test]
fn rows_stream_in_sorted_worst_first_and_cursor_stays_on_top() {
    let s = scanned((80, 24));
    let verdicts: Vec<Verdict> = s.buckets.iter().map(|b| b.assessment.verdict).collect();
    let mut sorted = verdicts.clone();
    sorted.sort();
    assert_eq!(verdicts, sorted);
    assert_eq!(s.buckets[0].assessment.verdict, Verdict::Public);
    // The first bucket to arrive was private, but the cursor follows the top.
    assert_eq!(s.selected_index(), Some(0));
    assert!(!s.scan.running);
}

#[test]
fn cursor_keeps_its_bucket_while_rows_arrive() {
    let mut s = new_state((80, 24));
    s.init();
    update(&mut s, scan_msg(1, ScanEvent::Account(fixtures::account())));
    let mut buckets = fixtures::buckets().into_iter();
    for b in buckets.by_ref().take(3) {
        update(&mut s, scan_msg(1, ScanEvent::Bucket(Box::new(b))));
    }
    update(&mut s, key('j'));
    let chosen = s.selected.clone();
    for b in buckets {
        update(&mut s, scan_msg(1, ScanEvent::Bucket(Box::new(b))));
    }
    assert_eq!(
        s.selected, chosen,
        "streaming rows must not move the cursor to another bucket"
    );
}

#[test]
fn navigation_detail_help_and_quit() {
    let mut s = scanned((80, 24));
    update(&mut s, key('j'));
    assert_eq!(s.selected_index(), Some(1));
    update(&mut s, code(KeyCode::End));
    assert_eq!(s.selected_index(), Some(s.buckets.len() - 1));
    update(&mut s, key('g'));
    assert_eq!(s.selected_index(), Some(0));
    update(&mut s, code(KeyCode::Up));
    assert_eq!(s.selected_index(), Some(0), "no wrap past the top");

    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.view, View::Detail);
    update(&mut s, key('j'));
    assert_eq!(s.detail_scroll, 1);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.view, View::Dashboard);

    update(&mut s, key('?'));
    assert!(s.help);
    update(&mut s, key('x'));
    assert!(!s.help, "any key closes help");
    assert!(!s.quit);
    update(&mut s, key('?'));
    update(&mut s, key('q'));
    assert!(!s.help, "q closes help");
    assert!(!s.quit, "q in help does not quit the console");
    update(&mut s, key('?'));
    update(&mut s, code(KeyCode::Esc));
    assert!(!s.help && !s.quit, "Esc closes help");
    update(&mut s, key('?'));
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit, "Ctrl-C quits even from help");
    s.quit = false;

    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit);
}

#[test]
fn rescan_is_one_job_at_a_time_and_stale_results_are_dropped() {
    let mut s = scanned((80, 24));
    let cmds = update(&mut s, key('r'));
    assert_eq!(
        cmds,
        vec![Command::StartScan {
            generation: 2,
            watch: Default::default()
        }]
    );
    // A second `r` while scanning starts nothing and says why.
    assert!(update(&mut s, key('r')).is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("already running"))
    );
    // A late result from scan 1 is ignored.
    let before = s.buckets.len();
    update(
        &mut s,
        scan_msg(
            1,
            ScanEvent::Bucket(Box::new(fixtures::private_bucket("ghost"))),
        ),
    );
    assert_eq!(s.buckets.len(), before);
    // Scan 2 sees only two buckets: the others are gone when it finishes.
    update(&mut s, scan_msg(2, ScanEvent::Account(fixtures::account())));
    for name in ["acme-access-logs", "acme-eu-archive"] {
        update(
            &mut s,
            scan_msg(
                2,
                ScanEvent::Bucket(Box::new(fixtures::private_bucket(name))),
            ),
        );
    }
    update(&mut s, scan_msg(2, ScanEvent::Finished));
    assert_eq!(s.buckets.len(), 2);
    assert!(s.selected_bucket().is_some());
}

#[test]
fn scan_failure_is_shown_and_console_keeps_running() {
    let mut s = new_state((80, 24));
    s.init();
    update(
        &mut s,
        scan_msg(
            1,
            ScanEvent::Identity(Err(AwsError::new(
                "ExpiredToken",
                "The security token included in the request is expired",
            ))),
        ),
    );
    update(&mut s, scan_msg(1, ScanEvent::Account(fixtures::account())));
    update(
        &mut s,
        scan_msg(
            1,
            ScanEvent::Failed(AwsError::new("AccessDenied", "not allowed to ListBuckets")),
        ),
    );
    assert!(!s.quit && !s.scan.running);
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("scan stopped: unknown (AccessDenied)"),
        "{text}"
    );
    assert!(text.contains("account unknown (ExpiredToken)"), "{text}");
    // `r` retries.
    assert_eq!(
        update(&mut s, key('r')),
        vec![Command::StartScan {
            generation: 2,
            watch: Default::default()
        }]
    );
}

#[test]
fn escape_sequence_in_policy_sid_renders_inert() {
    let mut s = scanned((160, 48));
    let idx = s
        .buckets
        .iter()
        .position(|b| b.facts.name == "acme-analytics-tmp")
        .expect("fixture");
    s.selected = Some(s.buckets[idx].facts.name.clone());
    for view in [View::Dashboard, View::Detail] {
        s.view = view;
        let text = screen_text(&draw(&s));
        assert!(
            !text.chars().any(warroom::sanitize::is_dangerous),
            "raw control character drawn in {view:?}"
        );
        assert!(
            text.contains("tmp\\x1b[2J"),
            "escape shown as text in {view:?}: {text}"
        );
    }
}

#[test]
fn tiny_terminal_says_so_instead_of_panicking() {
    for (w, h) in [(1, 1), (20, 5), (59, 30), (100, 14)] {
        let s = scanned((w, h));
        let text = screen_text(&draw(&s));
        assert!(text.contains("too small") || w < 20, "{w}x{h}: {text}");
    }
}

#[test]
fn snapshot_dashboard_80x24() {
    insta::assert_snapshot!(draw(&scanned((80, 24))).backend());
}

#[test]
fn snapshot_dashboard_160x48() {
    insta::assert_snapshot!(draw(&scanned((160, 48))).backend());
}

#[test]
fn snapshot_detail_public_policy_80x24() {
    let mut s = scanned((80, 24));
    s.selected = Some("acme-public-website".into());
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, code(KeyCode::End));
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn snapshot_detail_160x48() {
    let mut s = scanned((160, 48));
    s.selected = Some("acme-customer-exports".into());
    update(&mut s, code(KeyCode::Enter));
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn snapshot_help_80x24() {
    let mut s = scanned((80, 24));
    update(&mut s, key('?'));
    insta::assert_snapshot!(draw(&s).backend());
}

fn plan_for(bucket: &str) -> warroom::actions::Plan {
    warroom::actions::Plan {
        spec: warroom::actions::ActionSpec::BlockPublicAccess(
            warroom::actions::bucket_pab::Args::all(bucket),
        ),
        summary: "turn on all four Block Public Access settings".into(),
        before: vec![
            "BlockPublicAcls: off".into(),
            "IgnorePublicAcls: off".into(),
            "BlockPublicPolicy: off".into(),
            "RestrictPublicBuckets: off".into(),
        ],
        after: vec![
            "BlockPublicAcls: on".into(),
            "IgnorePublicAcls: on".into(),
            "BlockPublicPolicy: on".into(),
            "RestrictPublicBuckets: on".into(),
        ],
        diff: Vec::new(),
        blast_radius: format!("Blocks public access to all 2 objects in {bucket}."),
        confirm: warroom::actions::Confirm::TypeName {
            text: bucket.into(),
        },
        undo: "undo removes the bucket's Public Access Block again (it had none)".into(),
        undoable: true,
        prior: serde_json::Value::Null,
        region: "us-east-1".into(),
    }
}

fn with_incident(mut s: State) -> State {
    s.context.incident = Some("/tmp/ir".into());
    s
}

#[test]
fn block_asks_with_typed_name_then_applies_and_refreshes_the_bucket() {
    use warroom::actions::{Outcome, Verification};
    let mut s = with_incident(scanned((80, 24)));
    s.selected = Some("acme-customer-exports".into());
    let cmds = update(&mut s, key('b'));
    assert_eq!(
        cmds,
        vec![Command::PlanAction(
            warroom::actions::ActionSpec::BlockPublicAccess(
                warroom::actions::bucket_pab::Args::all("acme-customer-exports")
            )
        )]
    );
    assert!(
        update(&mut s, key('b')).is_empty(),
        "one action at a time on the same target"
    );
    // Another bucket is not held up by this one.
    s.selected = Some("acme-analytics-tmp".into());
    assert_eq!(
        update(&mut s, key('v')).len(),
        1,
        "a different target may run"
    );
    update(
        &mut s,
        Msg::Planned {
            key: "s3://acme-analytics-tmp".into(),
            result: Err("test: not now".into()),
        },
    );
    assert!(!s.busy.contains("s3://acme-analytics-tmp"));
    s.selected = Some("acme-customer-exports".into());

    update(
        &mut s,
        Msg::Planned {
            key: "s3://acme-customer-exports".into(),
            result: Ok(Box::new(plan_for("acme-customer-exports"))),
        },
    );
    assert!(s.dialog.is_some());
    // Keys go to the text field, not to bindings: `q` does not quit here.
    for c in "acme-q".chars() {
        update(&mut s, key(c));
    }
    assert!(!s.quit);
    assert!(
        update(&mut s, code(KeyCode::Enter)).is_empty(),
        "wrong name does not apply"
    );
    assert!(s.status.as_ref().is_some_and(|st| st.is_error));
    update(&mut s, code(KeyCode::Backspace));
    for c in "customer-exports".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(
            &cmds[..],
            [Command::Execute {
                confirmed: true,
                ..
            }]
        ),
        "{cmds:?}"
    );
    assert!(s.dialog.is_none());

    let cmds = update(
        &mut s,
        Msg::ActionFinished {
            key: "s3://acme-customer-exports".into(),
            what: "block-public-access".into(),
            target: "s3://acme-customer-exports".into(),
            bucket: Some("acme-customer-exports".into()),
            undo_of: None,
            result: Ok(Outcome::Done {
                action_id: "A3".into(),
                verification: Verification {
                    ok: true,
                    detail: "read back: all four Block Public Access settings are on".into(),
                },
            }),
        },
    );
    assert_eq!(
        cmds,
        vec![Command::RefreshBucket {
            bucket: "acme-customer-exports".into(),
            watch_keys: vec![],
        }]
    );
    assert!(
        !s.busy.contains("s3://acme-customer-exports"),
        "target freed"
    );
    // The log comes from the journal (the runtime rebuilds it after each action).
    update(
        &mut s,
        Msg::ActionLog(journal_log(&[("acme-customer-exports", true)])),
    );
    assert_eq!(s.actions.len(), 1);
    assert!(s.actions[0].undoable);
    let first_id = s.actions[0].id.clone();

    // The refreshed facts move the bucket to its new verdict.
    let mut fixed = fixtures::buckets()
        .into_iter()
        .find(|b| b.name == "acme-customer-exports")
        .expect("fixture");
    fixed.public_access_block =
        warroom::model::facts::Fact::Known(Some(warroom::model::facts::PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }));
    update(&mut s, Msg::BucketRefreshed(Box::new(fixed)));
    let b = s
        .buckets
        .iter()
        .find(|b| b.facts.name == "acme-customer-exports")
        .expect("row");
    assert_eq!(b.assessment.verdict, Verdict::Private);

    // Undo from the action log.
    update(&mut s, key('a'));
    assert_eq!(s.view, View::ActionLog);
    // `u` plans the undo first; nothing runs until it is confirmed.
    let cmds = update(&mut s, key('u'));
    assert_eq!(
        cmds,
        vec![Command::PlanUndo {
            action_id: first_id.clone(),
            key: "s3://acme-customer-exports".into(),
            bucket: Some("acme-customer-exports".into())
        }]
    );
    let mut undo_plan = plan_for("acme-customer-exports");
    undo_plan.summary = format!("undo {first_id}: put s3://acme-customer-exports back");
    undo_plan.confirm = warroom::actions::Confirm::TypeName {
        text: first_id.clone(),
    };
    update(
        &mut s,
        Msg::UndoPlanned {
            action_id: first_id.clone(),
            key: "s3://acme-customer-exports".into(),
            bucket: Some("acme-customer-exports".into()),
            result: Ok(Box::new(undo_plan)),
        },
    );
    assert!(s.dialog.is_some(), "the undo is shown as a plan");
    let frame = format!("{:?}", draw(&s).backend());
    assert!(frame.contains("undo"), "{frame}");
    // y does not confirm a typed rule; the id typed and Enter does.
    assert!(update(&mut s, key('y')).is_empty());
    update(&mut s, code(KeyCode::Backspace));
    for c in first_id.chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::Undo {
            action_id: first_id.clone(),
            key: "s3://acme-customer-exports".into(),
            bucket: Some("acme-customer-exports".into()),
            how: format!("typed {first_id} in the console"),
        }]
    );
}

#[test]
fn esc_cancels_and_read_only_refuses() {
    let mut s = with_incident(scanned((80, 24)));
    update(&mut s, key('b'));
    update(
        &mut s,
        Msg::Planned {
            key: "s3://acme-analytics-tmp".into(),
            result: Ok(Box::new(plan_for("acme-analytics-tmp"))),
        },
    );
    let cmds = update(&mut s, code(KeyCode::Esc));
    assert!(
        matches!(
            &cmds[..],
            [Command::Execute {
                confirmed: false,
                ..
            }]
        ),
        "cancellation is journaled: {cmds:?}"
    );

    let mut ro = with_incident(scanned((80, 24)));
    ro.context.read_only = true;
    assert!(update(&mut ro, key('b')).is_empty());
    assert!(
        ro.status
            .as_ref()
            .is_some_and(|st| st.text.contains("--read-only"))
    );
    let screen = screen_text(&draw(&ro));
    assert!(
        !screen.contains("b block"),
        "read-only does not offer actions: {screen}"
    );
    assert!(screen_text(&draw(&s)).contains("b block"));
}

#[test]
fn snapshot_confirm_dialog_80x24() {
    let mut s = with_incident(scanned((80, 24)));
    update(&mut s, key('b'));
    update(
        &mut s,
        Msg::Planned {
            key: "s3://acme-analytics-tmp".into(),
            result: Ok(Box::new(plan_for("acme-analytics-tmp"))),
        },
    );
    for c in "acme-an".chars() {
        update(&mut s, key(c));
    }
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn snapshot_action_log_80x24() {
    let mut s = with_incident(scanned((80, 24)));
    update(
        &mut s,
        Msg::ActionLog(journal_log(&[("bucket-a", true), ("bucket-b", false)])),
    );
    update(&mut s, key('a'));
    insta::assert_snapshot!(draw(&s).backend());
}

/// The action log as the runtime builds it: from a real journal in which
/// each bucket had block-public-access applied (verified) or refused.
fn journal_log(runs: &[(&str, bool)]) -> Vec<warroom::actions::history::ActionRecord> {
    use serde_json::json;
    let tmp = tempfile::tempdir().expect("tmp");
    let mut inc =
        warroom::incident::Incident::open(Some(&tmp.path().join("inc"))).expect("incident");
    for (bucket, ok) in runs {
        let spec = warroom::actions::ActionSpec::BlockPublicAccess(
            warroom::actions::bucket_pab::Args::all(*bucket),
        );
        let planned = inc
            .record(
                "action_planned",
                json!({"summary": "planned", "spec": spec}),
            )
            .expect("record");
        let id = format!("A{}", planned.seq);
        inc.record(
            "action_confirmed",
            json!({"summary": format!("{id}: confirmed (test)"), "action_id": id}),
        )
        .expect("record");
        if *ok {
            inc.record(
                "action_applied",
                json!({"summary": format!("{id}: applied"), "action_id": id}),
            )
            .expect("record");
            inc.record("action_verified", json!({"summary": format!("{id}: read back: all four on"), "action_id": id, "ok": true}))
                .expect("record");
        } else {
            inc.record("action_failed", json!({"summary": format!("{id}: apply failed: not allowed (AccessDenied)"), "action_id": id}))
                .expect("record");
        }
    }
    let entries = inc.all_entries().expect("entries");
    warroom::actions::history::from_entries(&entries)
}

#[test]
fn snapshot_policy_statements_dialog_shows_the_diff_80x24() {
    use warroom::actions::policy_statements::{self, Args, Step};
    let mut s = with_incident(scanned((80, 24)));
    s.selected = Some("acme-analytics-tmp".into());
    let cmds = update(&mut s, key('p'));
    assert!(
        matches!(
            &cmds[..],
            [Command::PlanAction(
                warroom::actions::ActionSpec::RemovePolicyStatements(Args {
                    step: Step::Next,
                    ..
                })
            )]
        ),
        "{cmds:?}"
    );
    let doc = r#"{"Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-analytics-tmp/*"}]}"#;
    let before: serde_json::Value = serde_json::from_str(doc).expect("json");
    let (after, changes) = policy_statements::rewrite(
        doc,
        "acme-analytics-tmp",
        "123456789012",
        Step::ControlPlane,
    )
    .expect("rewrite");
    let mut plan = plan_for("acme-analytics-tmp");
    plan.spec = warroom::actions::ActionSpec::RemovePolicyStatements(Args {
        bucket: "acme-analytics-tmp".into(),
        step: Step::ControlPlane,
    });
    plan.summary = "step 1 of 2: lock the control plane".into();
    plan.before = vec!["(current policy)".into()];
    plan.after = changes;
    plan.blast_radius = "Outsiders can no longer change the configuration.".into();
    plan.diff = policy_statements::line_diff(&before, &after);
    plan.undo = "undo puts the recorded policy back".into();
    update(
        &mut s,
        Msg::Planned {
            key: "s3://acme-analytics-tmp".into(),
            result: Ok(Box::new(plan)),
        },
    );
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("+ "), "the diff is drawn: {text}");
    assert!(
        text.contains("PgDn scroll"),
        "it says the plan scrolls: {text}"
    );
    insta::assert_snapshot!(t.backend());
    // The added Deny is below the fold at 80x24; paging down shows it,
    // and the typed-name prompt stays where it was.
    let added_sid = format!("\"Sid\": \"{}\"", policy_statements::DENY_SID);
    assert!(!text.contains(&added_sid), "{text}");
    update(&mut s, Msg::Key(KeyEvent::from(KeyCode::PageDown)));
    let text = screen_text(&draw(&s));
    assert!(text.contains(&added_sid), "{text}");
    assert!(
        text.contains("Type acme-analytics-tmp to confirm"),
        "{text}"
    );
}

#[test]
fn bulk_progress_shows_in_the_status_line_and_clears_when_done() {
    let mut s = with_incident(scanned((80, 24)));
    update(
        &mut s,
        Msg::ActionProgress {
            target: "s3://acme-analytics-tmp/*".into(),
            progress: warroom::actions::Progress {
                done: 2500,
                total: 5000,
                changed: 2400,
                skipped: 100,
                failed: 0,
                elapsed_ms: 10_000,
                ..Default::default()
            },
        },
    );
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("[#####     ] 2500/5000 (50%), ETA 10s"),
        "{text}"
    );
    update(
        &mut s,
        Msg::ActionFinished {
            key: "s3://acme-analytics-tmp".into(),
            what: "reset-object-acls".into(),
            target: "s3://acme-analytics-tmp/*".into(),
            bucket: Some("acme-analytics-tmp".into()),
            undo_of: None,
            result: Err("test".into()),
        },
    );
    assert!(!screen_text(&draw(&s)).contains("2500/5000"));
}

#[test]
fn mfa_delete_explains_with_the_exact_command_and_changes_nothing() {
    let mut s = with_incident(scanned((80, 24)));
    s.selected = Some("acme-analytics-tmp".into());
    assert!(update(&mut s, key('M')).is_empty(), "no AWS request");
    let text = screen_text(&draw(&s));
    assert!(text.contains("put-bucket-versioning"), "{text}");
    assert!(text.contains("root"), "{text}");
    update(&mut s, key('x'));
    assert!(s.notice.is_none(), "any key closes it");
    assert!(s.busy.is_empty(), "and that key did nothing else");
}

#[test]
fn dry_run_console_marks_the_header_and_executes_as_dry_run() {
    let mut s = with_incident(scanned((80, 24)));
    s.context.dry_run = true;
    assert!(screen_text(&draw(&s)).contains("DRY-RUN"));
    update(&mut s, key('b'));
    update(
        &mut s,
        Msg::Planned {
            key: "s3://acme-analytics-tmp".into(),
            result: Ok(Box::new(plan_for("acme-analytics-tmp"))),
        },
    );
    for c in "acme-analytics-tmp".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Command::Execute { dry_run: true, .. }]),
        "{cmds:?}"
    );
}

// ---- The credentials pane ----

/// Tab from the dashboard opens the credentials pane and asks for them once.
fn with_credentials(size: (u16, u16)) -> State {
    let mut s = with_incident(scanned(size));
    let cmds = update(&mut s, code(KeyCode::Tab));
    assert_eq!(cmds, vec![Command::LoadCredentials { generation: 1 }]);
    assert_eq!(s.view, View::Credentials);
    assert!(screen_text(&draw(&s)).contains("Reading IAM users"));
    update(
        &mut s,
        Msg::Credentials {
            generation: 1,
            facts: Box::new(fixtures::credentials()),
        },
    );
    s
}

#[test]
fn snapshot_credentials_keys_80x24() {
    let s = with_credentials((80, 24));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("AKIAEXAMPLECIDEPLOY1"), "{text}");
    // The hostile user name is drawn inert.
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("analyst\\x1b"), "{text}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn snapshot_credentials_roles_and_key_pairs_160x48() {
    let mut s = with_credentials((160, 48));
    update(&mut s, code(KeyCode::Right));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("another account (999988887777)"), "{text}");
    assert!(text.contains("Identity Center"), "{text}");
    insta::assert_snapshot!("credentials_roles_160x48", t.backend());
    update(&mut s, code(KeyCode::Right));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("lt-0123456789abcdef0"), "{text}");
    insta::assert_snapshot!("credentials_key_pairs_160x48", t.backend());
}

#[test]
fn credential_keys_plan_the_action_for_the_selected_row() {
    use warroom::actions::ActionSpec;
    let mut s = with_credentials((80, 24));
    let cmds = update(&mut s, key('d'));
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::DeactivateAccessKey(a))]
            if a.key_id == "AKIAEXAMPLECIDEPLOY1" && a.user.as_deref() == Some("ci-deploy")),
        "{cmds:?}"
    );
    // A key that does not apply to the row says so and asks nothing.
    let mut s = with_credentials((80, 24));
    let cmds = update(&mut s, key('K'));
    assert!(cmds.is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("not on this row"))
    );
    // Roles: s revokes the role's sessions; T locks its trust policy.
    update(&mut s, code(KeyCode::Right));
    let cmds = update(&mut s, key('T'));
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::LockTrustPolicy(r))] if r.role == "web"),
        "{cmds:?}"
    );
}

#[test]
fn identity_center_role_explains_instead_of_failing() {
    let mut s = with_credentials((80, 24));
    update(&mut s, code(KeyCode::Right));
    update(&mut s, key('j'));
    let cmds = update(&mut s, key('s'));
    let [Command::PlanAction(spec)] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(spec.name(), "revoke-role-sessions");
    // What the runner answers for a role warroom must not change.
    let why = warroom::model::credentials::RoleKind::IdentityCenter
        .cannot_modify("AWSReservedSSO_Admin_0123456789abcdef")
        .expect("explained");
    update(
        &mut s,
        Msg::CannotDo {
            key: spec.lock_key(),
            what: spec.name().into(),
            why,
        },
    );
    let text = screen_text(&draw(&s));
    assert!(text.contains("permission set"), "{text}");
    assert!(s.busy.is_empty(), "the target is free again");
}

#[test]
fn mark_a_key_by_hand_lists_it_first_and_journals_it() {
    let mut s = with_credentials((80, 24));
    update(&mut s, key('j'));
    // The prompt starts with the selected key's id.
    update(&mut s, key('m'));
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Command::Note { kind, data, .. }]
            if kind == "key_marked" && data["access_key_id"] == "AKIAEXAMPLEANALYST01"),
        "{cmds:?}"
    );
    let text = screen_text(&draw(&s));
    let marked = text.find("AKIAEXAMPLEANALYST01").expect("shown");
    let other = text.find("AKIAEXAMPLECIDEPLOY1").expect("shown");
    assert!(marked < other, "the marked key is listed first");
    assert!(text.contains('★'));
    // A key id from a ticket that is not valid is refused politely.
    update(&mut s, key('m'));
    for _ in 0..20 {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "not-a-key".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(cmds.is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("not marked"))
    );
}

#[test]
fn filter_narrows_rows_and_esc_clears_it() {
    let mut s = with_credentials((80, 24));
    update(&mut s, key('/'));
    for c in "ci-dep".chars() {
        update(&mut s, key(c));
    }
    let text = screen_text(&draw(&s));
    assert!(text.contains("AKIAEXAMPLECIDEPLOY1"));
    assert!(!text.contains("AKIAEXAMPLEANALYST01"), "{text}");
    // Typed letters went to the filter, not to the keymap (d is deactivate).
    assert!(s.busy.is_empty());
    update(&mut s, code(KeyCode::Esc));
    assert!(screen_text(&draw(&s)).contains("AKIAEXAMPLEANALYST01"));
}

#[test]
fn snapshot_key_pair_rotation_plan_80x24() {
    use warroom::actions::key_pair;
    use warroom::model::credentials::KeyPairFacts;
    let mut s = with_credentials((80, 24));
    let facts = fixtures::credentials();
    let kp: KeyPairFacts = facts.key_pairs.known().expect("pairs")[0].clone();
    let usage = key_pair::Usage {
        region: kp.region.clone(),
        record: warroom::aws::ec2::KeyPairRecord {
            name: kp.name.clone(),
            key_pair_id: kp.key_pair_id.clone(),
            fingerprint: kp.fingerprint.clone(),
            key_type: kp.key_type.clone(),
            created: kp.created.clone(),
            public_key: Some("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ".into()),
        },
        instances: kp.instances.clone(),
        templates: kp.templates.known().cloned().unwrap_or_default(),
    };
    let plan = key_pair::rotation_plan(
        &key_pair::Args::named("ops-key"),
        usage,
        "ops-key-20261122183000",
    );
    assert!(
        plan.blast_radius.contains("i-0abc1234def567890"),
        "{}",
        plan.blast_radius
    );
    update(
        &mut s,
        Msg::Planned {
            key: plan.spec.lock_key(),
            result: Ok(Box::new(plan)),
        },
    );
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("Type ops-key to confirm"), "{text}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn action_log_and_help_open_from_the_credentials_pane_and_back_returns_there() {
    let mut s = with_credentials((80, 24));
    update(&mut s, key('a'));
    assert_eq!(s.view, View::ActionLog);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.view, View::Credentials);
    update(&mut s, key('?'));
    assert!(s.help);
    // The credential keys are in help, further down at 80x24.
    let mut seen = String::new();
    for _ in 0..6 {
        seen.push_str(&screen_text(&draw(&s)));
        update(&mut s, code(KeyCode::PageDown));
    }
    assert!(seen.contains("rotate the EC2 key pair"), "{seen}");
}

// ---- The CloudTrail pane ----

fn trail_event(id: &str, time: &str, name: &str, extra: &str) -> warroom::model::trail::TrailEvent {
    warroom::model::trail::normalise_str(&format!(
        r#"{{"eventID":"{id}","eventTime":"2026-11-22T{time}Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci-deploy","accountId":"123456789012","accessKeyId":"AKIAEXAMPLECIDEPLOY1"}},"requestParameters":{{"bucketName":"acme-customer-exports","key":"exports/q3.csv"}},"eventCategory":"Data","readOnly":true{extra}}}"#
    ))
    .expect("event")
}

fn with_trail(size: (u16, u16)) -> State {
    use warroom::tail::{Source, TailMsg};
    let mut s = with_credentials(size);
    let cmds = update(&mut s, code(KeyCode::Tab));
    assert_eq!(cmds, vec![Command::StartTail]);
    assert_eq!(s.view, View::Trail);
    update(&mut s, Msg::Tail(TailMsg::Trails(Ok(Vec::new()))));
    update(
        &mut s,
        Msg::Tail(TailMsg::Events {
            source: Source::Logs,
            events: vec![
                trail_event("e1", "10:00:00", "GetObject", ""),
                trail_event("e2", "10:01:00", "PutBucketAcl", ""),
                trail_event(
                    "e3",
                    "10:02:00",
                    "GetObject",
                    r#","errorCode":"AccessDenied","userAgent":"curl\u001b]0;owned\u0007","responseElements":{"credentials":{"sessionToken":"SECRETTOKENBODY12345"}}"#,
                ),
                warroom::model::trail::normalise_str(r#"{"eventID":"e4","eventTime":"2026-11-22T10:03:00Z","eventName":"GetObject","userIdentity":{"type":"AWSAccount","accountId":"anonymous"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::acme-customer-exports/evil\u001b[2Jkey"}]}"#).expect("e4"),
            ],
        }),
    );
    update(
        &mut s,
        Msg::Tail(TailMsg::SourceStatus {
            source: Source::Lookup,
            error: Some("HTTP500: not served by this emulator".into()),
        }),
    );
    update(
        &mut s,
        Msg::Tail(TailMsg::SourceStatus {
            source: Source::Logs,
            error: None,
        }),
    );
    s
}

#[test]
fn history_search_needs_a_filter_first() {
    let mut s = with_trail((80, 24));
    assert!(update(&mut s, key('L')).is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("filter first"))
    );
}

#[test]
fn snapshot_trail_pane_80x24_and_160x48() {
    let s = with_trail((80, 24));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("CloudTrail: 4 events"), "{text}");
    assert!(text.contains("following"));
    assert!(text.contains("no trail in this region"), "{text}");
    assert!(!text.contains('\u{1b}'), "the object key's escape is inert");
    insta::assert_snapshot!("trail_80x24", t.backend());
    let s = with_trail((160, 48));
    insta::assert_snapshot!("trail_160x48", draw(&s).backend());
}

#[test]
fn trail_filter_pause_detail_pivot_and_preserve() {
    let mut s = with_trail((100, 30));
    // Newest first, following.
    assert_eq!(
        s.trail.selected_event().map(|e| e.event_id.as_str()),
        Some("e4")
    );
    // Scrolling pauses; new events arrive above and the cursor stays put.
    update(&mut s, key('j'));
    assert!(!s.trail.follow);
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::Events {
            source: warroom::tail::Source::Lookup,
            events: vec![trail_event("e5", "10:04:00", "DeleteObject", "")],
        }),
    );
    assert_eq!(
        s.trail.selected_event().map(|e| e.event_id.as_str()),
        Some("e3")
    );
    assert!(screen_text(&draw(&s)).contains("paused"));

    // The detail view shows the record, sanitised.
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.view, View::TrailDetail);
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("access denied"), "why it matters: {text}");
    assert!(text.contains("curl\\x1b]0;owned\\x07"), "{text}");
    insta::assert_snapshot!("trail_detail_100x30", t.backend());
    // Further down the record: the session token CloudTrail logged is not drawn.
    update(&mut s, key('G'));
    let text = screen_text(&draw(&s));
    assert!(
        !text.contains("SECRETTOKENBODY"),
        "a session token is not drawn: {text}"
    );
    assert!(text.contains("(redacted, 20 characters)"), "{text}");
    update(&mut s, code(KeyCode::Esc));

    // A filter typed with / composes and shows in the title.
    update(&mut s, key('/'));
    for _ in 0..40 {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "errors bucket:acme-customer-exports".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(KeyCode::Enter));
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("filter: bucket:acme-customer-exports errors"),
        "{text}"
    );
    assert_eq!(s.trail.visible().count(), 1);
    insta::assert_snapshot!("trail_filtered_100x30", draw(&s).backend());
    // The filter is also the history search: L asks CloudTrail Lake.
    let cmds = update(&mut s, key('L'));
    assert!(
        matches!(&cmds[..], [Command::LakeSearch(q)]
            if q.bucket.as_deref() == Some("acme-customer-exports") && q.days == 30),
        "{cmds:?}"
    );
    // On an emulator that does not serve Lake, the answer ends the
    // "asking…" line and says so plainly.
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("asking CloudTrail Lake"))
    );
    s.context.endpoint = Some("http://127.0.0.1:5000".into());
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::SourceStatus {
            source: warroom::tail::Source::Lake,
            error: Some("HTTP500: the service answered HTTP500 without an error code".into()),
        }),
    );
    let st = s.status.clone().expect("status");
    assert!(st.text.contains("not available here"), "{st:?}");
    assert!(!st.text.contains("asking"), "{st:?}");
    let text = screen_text(&draw(&s));
    assert!(text.contains("Lake: not available here"), "{text}");
    s.context.endpoint = None;
    // A bad filter is refused politely and kept for correction.
    update(&mut s, key('/'));
    for c in " colour:red".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(KeyCode::Enter));
    assert!(s.trail.input.is_some());
    assert!(s.status.as_ref().is_some_and(|st| st.is_error));
    // Corrected (Esc would clear the whole filter, the one rule).
    for _ in " colour:red".chars() {
        update(&mut s, code(KeyCode::Backspace));
    }
    update(&mut s, code(KeyCode::Enter));
    assert!(s.trail.input.is_none());

    // Preserve what the filter shows.
    let cmds = update(&mut s, key('E'));
    assert!(
        matches!(&cmds[..], [Command::PreserveEvents { records, filter }]
            if records.len() == 1 && filter.contains("errors")),
        "{cmds:?}"
    );

    // Pivot: this account's key → the credentials pane, filtered to it.
    update(&mut s, key('w'));
    assert_eq!(s.view, View::Credentials);
    assert_eq!(s.creds.filter, "AKIAEXAMPLECIDEPLOY1");
}

// ---- The credential watches pane ----

const CUTOFF: i64 = 1_795_860_000; // 2026-11-28T10:00:00Z

fn watch(id: &str, target: warroom::model::watch::Target) -> warroom::model::watch::Watch {
    warroom::model::watch::Watch::new(warroom::model::watch::WatchSpec {
        id: id.into(),
        target,
        cutoff: CUTOFF,
        window_secs: 30 * 60,
        allowance_secs: 15 * 60,
        started_by: "A2".into(),
    })
}

fn use_event(
    id: &str,
    at: i64,
    key: &str,
    error: Option<&str>,
) -> warroom::model::trail::TrailEvent {
    let err = error
        .map(|e| format!(r#","errorCode":"{e}""#))
        .unwrap_or_default();
    warroom::model::trail::normalise_str(&format!(
        r#"{{"eventID":"{id}","eventTime":"{}","eventName":"GetObject","sourceIPAddress":"185.220.101.7","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci","accessKeyId":"{key}"}}{err}}}"#,
        warroom::time::iso_time(at)
    ))
    .expect("event")
}

/// Two watches from the journal: W1 on a key, with a denied and then a
/// successful use; W2 on a role, final and clean.
fn with_watches() -> State {
    use warroom::model::watch::Target;
    use warroom::watch::WatchMsg;
    let mut s = with_incident(scanned((80, 24)));
    s.watches.bell = true;
    s.watches.now = CUTOFF + 12 * 60 + 5;
    let mut w1 = watch(
        "W1",
        Target::AccessKey {
            key_id: "AKIAEXAMPLECIDEPLOY1".into(),
        },
    );
    w1.offer(&use_event(
        "e1",
        CUTOFF + 60,
        "AKIAEXAMPLECIDEPLOY1",
        Some("InvalidAccessKeyId"),
    ));
    let w2 = watch(
        "W2",
        Target::Role {
            arn: "arn:aws:iam::123456789012:role/web".into(),
        },
    );
    update(
        &mut s,
        Msg::WatchesReplayed(vec![(w1.clone(), None), (w2, Some("clean".into()))]),
    );
    // The runner's next round: a successful use.
    w1.offer(&use_event(
        "e2",
        CUTOFF + 7 * 60,
        "AKIAEXAMPLECIDEPLOY1",
        None,
    ));
    let status = w1.status(s.watches.now);
    update(
        &mut s,
        Msg::Watch(WatchMsg::Alert {
            watch_id: "W1".into(),
            text: "access key AKIAEXAMPLECIDEPLOY1 was used successfully after the revocation: GetObject at 2026-11-28T10:07:00Z from 185.220.101.7".into(),
        }),
    );
    update(
        &mut s,
        Msg::Watch(WatchMsg::Status {
            watch: Box::new(w1),
            status,
        }),
    );
    s
}

#[test]
fn an_alert_shows_a_banner_everywhere_rings_once_and_turns_the_verdict_red() {
    let mut s = with_watches();
    assert!(s.watches.ring, "the bell is asked for");
    // The runtime rings it and clears it; a second alert would ask again.
    s.watches.ring = false;
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("ALERT W1: access key AKIAEXAMPLECIDEPLOY1"),
        "{text}"
    );
    // Still there on another pane.
    update(&mut s, code(KeyCode::Tab));
    let text = screen_text(&draw(&s));
    assert!(text.contains("ALERT W1"), "{text}");
    // W (outside the credentials pane, where it watches the row) opens
    // the watches; the banner has been seen and goes.
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('W'));
    assert_eq!(s.view, View::Watches);
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(!text.contains("ALERT W1:"), "{text}");
    assert!(text.contains("ACTIVITY"), "{text}");
    assert!(text.contains("CLEAN"), "{text}");
    // Both clocks of W1, 12:05 after the cutoff: 17:55 of the window and
    // 32:55 to final.
    assert!(text.contains("17:55"), "{text}");
    assert!(text.contains("32:55"), "{text}");
    // Last seen: time, IP, event.
    assert!(
        text.contains("2026-11-28T10:07:00Z GetObject from 185.220.101.7"),
        "{text}"
    );
    insta::assert_snapshot!("watches_80x24", t.backend());
    // The verdict cell is drawn in the error style (red with colour on).
    let mut colour = with_watches();
    colour.no_color = false;
    update(&mut colour, key('W'));
    let t = draw(&colour);
    let buf = t.backend().buffer();
    let (x, y) = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .find(|&(x, y)| {
            (0..8).all(|i| {
                buf.cell((x + i, y))
                    .is_some_and(|c| c.symbol() == &"ACTIVITY"[i as usize..=i as usize])
            })
        })
        .expect("ACTIVITY drawn");
    assert_eq!(
        buf.cell((x, y)).map(|c| c.fg),
        Some(ratatui::style::Color::Red)
    );
}

#[test]
fn the_clock_ticks_only_redraw_an_open_watch_on_screen() {
    let mut s = with_watches();
    update(&mut s, key('W'));
    s.dirty = false;
    update(&mut s, Msg::Tick(CUTOFF + 13 * 60));
    assert!(s.dirty);
    assert!(screen_text(&draw(&s)).contains("17:00"));
    update(&mut s, code(KeyCode::Tab));
    s.dirty = false;
    update(&mut s, Msg::Tick(CUTOFF + 14 * 60));
    assert!(!s.dirty, "nothing counts down on the dashboard");
}

#[test]
fn a_watch_is_started_by_hand_from_the_credentials_pane_or_typed_in() {
    use warroom::model::watch::Target;
    let mut s = with_credentials((80, 24));
    let cmds = update(&mut s, key('W'));
    assert_eq!(
        cmds,
        vec![Command::StartWatch(Target::AccessKey {
            key_id: "AKIAEXAMPLECIDEPLOY1".into()
        })]
    );
    // Roles section: the role, with the role semantics.
    update(&mut s, code(KeyCode::Right));
    let cmds = update(&mut s, key('W'));
    assert!(
        matches!(&cmds[..], [Command::StartWatch(Target::Role { arn })] if arn.ends_with(":role/web")),
        "{cmds:?}"
    );
    // In the watches pane, W asks for a target; bad input is refused and
    // stays to be corrected.
    let mut s = with_watches();
    update(&mut s, key('W'));
    assert!(update(&mut s, key('W')).is_empty());
    for c in "AKIA-nope".chars() {
        update(&mut s, key(c));
    }
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(
        s.status.as_ref().is_some_and(|st| st.is_error),
        "{:?}",
        s.status
    );
    assert_eq!(s.watches.input.as_deref(), Some("AKIA-nope"));
    for _ in 0..9 {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "arn:aws:iam::123456789012:user/ci".chars() {
        update(&mut s, key(c));
    }
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("watch: arn:aws:iam::123456789012:user/ci"),
        "{text}"
    );
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::StartWatch(Target::User {
            arn: "arn:aws:iam::123456789012:user/ci".into()
        })]
    );
    assert!(s.watches.input.is_none());
    // Without an incident directory there is no journal to keep it in.
    let mut s = scanned((80, 24));
    update(&mut s, key('W'));
    assert!(update(&mut s, key('W')).is_empty());
    assert!(s.watches.input.is_none());
    assert!(s.status.as_ref().is_some_and(|st| st.is_error));
}

#[test]
fn tab_reaches_the_watches_after_the_trail_and_a_final_verdict_is_shown() {
    use warroom::watch::WatchMsg;
    let mut s = with_watches();
    update(&mut s, code(KeyCode::Tab)); // credentials
    update(&mut s, code(KeyCode::Tab)); // trail
    assert_eq!(s.view, View::Trail);
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Watches);
    update(
        &mut s,
        Msg::Watch(WatchMsg::Final {
            watch_id: "W1".into(),
            verdict: "activity".into(),
        }),
    );
    assert!(!s.watches.any_open());
    let text = screen_text(&draw(&s));
    assert!(text.contains("final verdict ACTIVITY"), "{text}");
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Checklist);
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Dashboard);
}

// ---- Recovery from the console ----

#[test]
fn r_asks_for_the_restore_time_and_plans_a_point_in_time_restore() {
    use warroom::actions::ActionSpec;
    use warroom::model::restore::Goal;
    let mut s = with_incident(scanned((80, 24)));
    let bucket = s
        .selected_bucket()
        .map(|b| b.facts.name.clone())
        .expect("a bucket");
    assert!(update(&mut s, key('R')).is_empty());
    let p = s.prompt.clone().expect("a prompt");
    assert_eq!(p.bucket, bucket);
    // Pre-filled with a time (an hour ago: the trail pane has seen nothing).
    assert!(warroom::cli::parse_when(&p.text).is_ok(), "{}", p.text);
    let text = screen_text(&draw(&s));
    assert!(text.contains(&format!("restore {bucket} to")), "{text}");
    // Replace it: a bad time is refused and stays to be corrected.
    for _ in 0..p.text.len() {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "yesterday".chars() {
        update(&mut s, key(c));
    }
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(s.status.as_ref().is_some_and(|st| st.is_error));
    assert!(s.prompt.is_some());
    for _ in 0.."yesterday".len() {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "2026-11-20T09:00Z exports/".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::PlanAction(ActionSpec::PitRestore(
            warroom::actions::restore::Args {
                bucket: bucket.clone(),
                prefix: Some("exports/".into()),
                goal: Goal::PointInTime {
                    to: warroom::cli::parse_when("2026-11-20T09:00:00Z").expect("time"),
                    hide_newer: false,
                    hide_keys: Vec::new(),
                },
            }
        ))]
    );
    assert!(s.prompt.is_none());
    // `hide` after the time hides the keys made after it (a ransom note).
    let mut s = with_incident(scanned((80, 24)));
    update(&mut s, key('R'));
    let p = s.prompt.clone().expect("a prompt");
    for _ in 0..p.text.len() {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "2026-11-20T09:00Z hide".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::PitRestore(a))]
            if a.prefix.is_none() && matches!(a.goal, Goal::PointInTime { hide_newer: true, .. })),
        "{cmds:?}"
    );
    // Esc gives up the prompt; --read-only refuses before asking.
    let mut s = with_incident(scanned((80, 24)));
    update(&mut s, key('R'));
    update(&mut s, code(KeyCode::Esc));
    assert!(s.prompt.is_none());
    let mut s = with_incident(scanned((80, 24)));
    s.context.read_only = true;
    assert!(update(&mut s, key('R')).is_empty());
    assert!(s.prompt.is_none());
    assert!(s.status.as_ref().is_some_and(|st| st.is_error));
}

#[test]
fn r_hides_by_default_only_the_keys_an_incident_principal_wrote() {
    use warroom::actions::ActionSpec;
    use warroom::model::restore::Goal;
    use warroom::tail::{Source, TailMsg};
    let setup = || {
        let mut s = with_incident(scanned((80, 24)));
        let bucket = s
            .selected_bucket()
            .map(|b| b.facts.name.clone())
            .expect("a bucket");
        let put = |id: &str, key: &str, access_key: &str| {
            warroom::model::trail::normalise_str(&format!(
            r#"{{"eventID":"{id}","eventTime":"2026-11-22T10:00:00Z","eventName":"PutObject","readOnly":false,"userIdentity":{{"type":"IAMUser","accountId":"123456789012","arn":"arn:aws:iam::123456789012:user/u","accessKeyId":"{access_key}"}},"requestParameters":{{"bucketName":"{bucket}","key":"{key}"}}}}"#
        ))
        .expect("event")
        };
        update(
            &mut s,
            Msg::Tail(TailMsg::Events {
                source: Source::Logs,
                events: vec![
                    put("w1", "README-RESTORE.txt", "AKIASTOLEN0000000001"),
                    put("w2", "exports/new.csv", "AKIAAPPLICATION00001"),
                ],
            }),
        );
        s.trail
            .incident
            .access_keys
            .insert("AKIASTOLEN0000000001".into());
        s
    };
    let mut s = setup();
    update(&mut s, key('R'));
    let p = s.prompt.clone().expect("a prompt");
    assert_eq!(p.incident_written, 1);
    let text = screen_text(&draw(&s));
    assert!(text.contains("hides the 1 key(s) the incident"), "{text}");
    let cmds = update(&mut s, code(KeyCode::Enter));
    let [Command::PlanAction(ActionSpec::PitRestore(a))] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert!(
        matches!(&a.goal, Goal::PointInTime { hide_newer: false, hide_keys, .. }
            if hide_keys == &vec!["README-RESTORE.txt".to_string()]),
        "{a:?}"
    );
    // `keep` hides nothing; a prefix narrows the default to keys under it.
    for words in [" keep", " exports/"] {
        let mut t = setup();
        update(&mut t, key('R'));
        for c in words.chars() {
            update(&mut t, key(c));
        }
        let cmds = update(&mut t, code(KeyCode::Enter));
        let [Command::PlanAction(ActionSpec::PitRestore(a))] = &cmds[..] else {
            panic!("{words}: {cmds:?}")
        };
        assert!(
            matches!(&a.goal, Goal::PointInTime { hide_newer: false, hide_keys, .. } if hide_keys.is_empty()),
            "{words}: {a:?}"
        );
    }
}

#[test]
fn snapshot_restore_plan_dialog_80x24() {
    use warroom::actions::{ActionSpec, Confirm, Plan};
    let mut s = with_incident(scanned((80, 24)));
    let bucket = s
        .selected_bucket()
        .map(|b| b.facts.name.clone())
        .expect("a bucket");
    let spec = ActionSpec::PitRestore(warroom::actions::restore::Args {
        bucket: bucket.clone(),
        prefix: Some("exports/".into()),
        goal: warroom::model::restore::Goal::PointInTime {
            to: 1_795_860_000,
            hide_newer: false,
            hide_keys: Vec::new(),
        },
    });
    let plan = Plan {
        spec,
        summary: "restore every key under exports/ as it was at 2026-11-28T10:00:00Z".into(),
        before: vec![
            "undelete (remove delete markers): 4000 key(s), 35.2 MiB".into(),
            "roll back (copy the earlier version): 4000 key(s), 35.2 MiB".into(),
            "not recoverable (only delete markers remain): 3 key(s), 0 B".into(),
        ],
        after: vec!["8000 key(s) as it was at 2026-11-28T10:00:00Z: 4000 copies, 4000 delete-marker changes in batches of up to 1000".into()],
        diff: vec!["held: exports/x.csv — only delete markers remain: no version to restore".into()],
        blast_radius: "Changes what 8000 key(s) read as now.".into(),
        confirm: Confirm::TypeName {
            text: bucket.clone(),
        },
        undo: "undo puts every key back as it was before the restore".into(),
        undoable: true,
        prior: serde_json::Value::Null,
        region: "us-east-1".into(),
    };
    update(
        &mut s,
        Msg::Planned {
            key: format!("s3://{bucket}"),
            result: Ok(Box::new(plan)),
        },
    );
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(
        text.contains("Now: undelete (remove delete markers): 4000"),
        "{text}"
    );
    assert!(text.contains("After: 8000 key(s)"), "{text}");
    insta::assert_snapshot!("restore_plan_dialog_80x24", t.backend());
}

#[test]
fn the_versions_view_lists_changed_keys_with_history_and_who_changed_them() {
    use warroom::model::restore::Version;
    use warroom::tui::msg::VersionsList;
    let mut s = with_incident(scanned((80, 24)));
    let bucket = s
        .selected_bucket()
        .map(|b| b.facts.name.clone())
        .expect("a bucket");
    // The incident window, as a typed restore time sets it.
    s.window_start = Some(CUTOFF);
    let cmds = update(&mut s, key('V'));
    let [Command::LoadVersions { bucket: b, since }] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(b, &bucket);
    assert_eq!(s.view, View::Versions);
    let t = *since + 600;
    // The CloudTrail pane saw who overwrote a.csv.
    let put = warroom::model::trail::normalise_str(&format!(
        r#"{{"eventID":"p1","eventTime":"{}","eventName":"PutObject","readOnly":false,"sourceIPAddress":"185.220.101.7","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/leaky"}},"requestParameters":{{"bucketName":"{bucket}","key":"a.csv"}}}}"#,
        warroom::time::iso_time(t)
    ))
    .expect("event");
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::Events {
            source: warroom::tail::Source::Logs,
            events: vec![put],
        }),
    );
    let v = |key: &str, id: &str, at: i64, latest: bool, marker: bool| Version {
        key: key.into(),
        version_id: id.into(),
        is_latest: latest,
        is_delete_marker: marker,
        last_modified: at,
        size: if marker { 0 } else { 10 },
        etag: if marker {
            String::new()
        } else {
            format!("\"e-{id}\"")
        },
        storage_class: if marker {
            String::new()
        } else {
            "STANDARD".into()
        },
    };
    update(
        &mut s,
        Msg::Versions {
            bucket: bucket.clone(),
            list: Ok(VersionsList {
                versioning: "Enabled".into(),
                keys: vec![
                    vec![
                        v("a.csv", "a2", t, true, false),
                        v("a.csv", "a1", t - 7200, false, false),
                    ],
                    vec![
                        v("b.csv", "bm", t + 5, true, true),
                        v("b.csv", "b1", t - 7200, false, false),
                    ],
                    vec![v("gone.csv", "gm", t + 9, true, true)],
                ],
                more: 0,
            }),
        },
    );
    let tb = draw(&s);
    let text = screen_text(&tb);
    assert!(text.contains("deleted"), "{text}");
    assert!(text.contains("NOT RECOVERABLE"), "{text}");
    assert_eq!(*since, CUTOFF);
    assert!(text.contains("PutObject by"), "{text}");
    assert!(text.contains("user/leaky from 185.220.101.7"), "{text}");
    insta::assert_snapshot!("versions_view_80x24", tb.backend());
    update(&mut s, code(KeyCode::Down));
    assert!(screen_text(&draw(&s)).contains("delete marker"));
    // A reload after an action keeps the action's result on the status line.
    s.status = Some(warroom::tui::app::Status {
        text: "A3 pit-restore: done".into(),
        is_error: false,
        awaiting: None,
    });
    update(
        &mut s,
        Msg::Versions {
            bucket: bucket.clone(),
            list: Ok(VersionsList {
                versioning: "Enabled".into(),
                keys: Vec::new(),
                more: 0,
            }),
        },
    );
    assert_eq!(
        s.status.as_ref().map(|st| st.text.as_str()),
        Some("A3 pit-restore: done")
    );
    // R from here plans the restore of this bucket; Esc goes back.
    update(&mut s, key('R'));
    assert!(s.prompt.is_some());
    update(&mut s, code(KeyCode::Esc));
    // Esc goes back to where the view was opened from (the bucket list).
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.view, View::Dashboard);
    // A bucket never versioned says so.
    update(&mut s, key('V'));
    update(
        &mut s,
        Msg::Versions {
            bucket: bucket.clone(),
            list: Ok(VersionsList {
                versioning: String::new(),
                keys: Vec::new(),
                more: 0,
            }),
        },
    );
    assert!(screen_text(&draw(&s)).contains("never had versioning"));
}

// ---- The playbook checklist ----

/// The journal entries a list of commands asks for: (kind, step, status).
fn checklist_notes(cmds: &[Command]) -> Vec<(String, String, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Note { kind, data, .. } if kind.starts_with("checklist") => Some((
                kind.clone(),
                data["step"].as_str().unwrap_or_default().to_string(),
                data["status"]
                    .as_str()
                    .or_else(|| data["outcome"]["result"].as_str())
                    .unwrap_or_default()
                    .to_string(),
            )),
            _ => None,
        })
        .collect()
}

fn with_checklist() -> (State, Vec<Command>) {
    let mut s = with_incident(scanned((80, 24)));
    let cmds = update(
        &mut s,
        Msg::ChecklistReplayed {
            steps: Default::default(),
            preserved: false,
        },
    );
    (s, cmds)
}

/// "Lock the bucket's configuration first" has a live check: not
/// applicable while no outsider can change an incident bucket's policy,
/// ACL or Block Public Access; failing (and its Enter locks the bucket)
/// when one can; done once the lock is read back.
#[test]
fn the_control_plane_step_is_checked_live_and_enter_locks_the_bucket() {
    use warroom::actions::ActionSpec;
    use warroom::actions::policy_statements::{Args, DENY_SID, Step};
    use warroom::playbook::checks::Outcome;
    use warroom::playbook::progress::Status;
    let (mut s, _) = with_checklist();
    // The fixtures' public statements only read and write objects.
    assert!(
        matches!(&s.checklist.steps["control-plane"].check, Some(Outcome::NotApplicable(w)) if w.contains("nobody outside")),
        "{:?}",
        s.checklist.steps["control-plane"]
    );
    assert_eq!(
        s.checklist.steps["control-plane"].status,
        Status::NotApplicable
    );
    // Someone makes the bucket's policy rewritable by anyone.
    let bucket = "acme-analytics-tmp";
    let mut b = fixtures::buckets()
        .into_iter()
        .find(|b| b.name == bucket)
        .expect("fixture");
    b.policy = warroom::model::facts::Fact::Known(Some(format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutBucketPolicy"],"Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"]}}]}}"#
    )));
    update(&mut s, Msg::BucketRefreshed(Box::new(b.clone())));
    assert!(
        matches!(&s.checklist.steps["control-plane"].check, Some(Outcome::Fail(w)) if w.contains(bucket)),
        "{:?}",
        s.checklist.steps["control-plane"]
    );
    assert!(!s.checklist.steps["control-plane"].status.settled());
    // Enter on the step plans the lock for that bucket, even with another
    // bucket selected on the dashboard.
    s.selected = Some("acme-customer-exports".into());
    update(&mut s, key('C'));
    let at = (0..200)
        .find(|i| {
            s.checklist
                .step_at(*i)
                .is_some_and(|st| st.id == "control-plane")
        })
        .expect("the step");
    s.checklist.selected = at;
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::PlanAction(ActionSpec::RemovePolicyStatements(
            Args {
                bucket: bucket.into(),
                step: Step::ControlPlane,
            }
        ))]
    );
    // The lock read back: the step ticks itself.
    b.policy = warroom::model::facts::Fact::Known(Some(format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::{bucket}/*"}},{{"Sid":"{DENY_SID}","Effect":"Deny","Principal":"*","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::{bucket}","Condition":{{"StringNotEquals":{{"aws:PrincipalAccount":"123456789012"}}}}}}]}}"#
    )));
    s.busy.clear();
    update(&mut s, Msg::BucketRefreshed(Box::new(b)));
    assert!(
        matches!(
            &s.checklist.steps["control-plane"].check,
            Some(Outcome::Pass(_))
        ),
        "{:?}",
        s.checklist.steps["control-plane"]
    );
    assert_eq!(s.checklist.steps["control-plane"].status, Status::Done);
}

#[test]
fn steps_tick_themselves_when_their_check_passes_and_untick_on_regression() {
    use warroom::playbook::progress::Status;
    let (mut s, cmds) = with_checklist();
    let notes = checklist_notes(&cmds);
    // The scan is done: its step ticks, with the check's result journaled first.
    let scan_check = notes
        .iter()
        .position(|n| n == &("checklist_check".into(), "scan".into(), "pass".into()))
        .expect("scan check journaled");
    let scan_tick = notes
        .iter()
        .position(|n| n == &("checklist_step".into(), "scan".into(), "done".into()))
        .expect("scan ticked");
    assert!(scan_check < scan_tick);
    assert_eq!(s.checklist.steps["scan"].status, Status::Done);
    assert_eq!(s.checklist.steps["scan"].by.as_deref(), Some("check"));
    // No key marked or revoked yet: the key step cannot tell.
    assert!(matches!(
        s.checklist.steps["revoke-keys"].check,
        Some(warroom::playbook::checks::Outcome::Unknown(_))
    ));
    // Public buckets: block-public fails and stays to do.
    assert!(notes.contains(&(
        "checklist_check".into(),
        "block-public".into(),
        "fail".into()
    )));
    assert_eq!(s.checklist.steps["block-public"].status, Status::Todo);
    // The same facts again journal nothing.
    assert!(checklist_notes(&update(&mut s, Msg::Journaled(Ok("x".into())))).is_empty());

    // Every incident bucket fixed: the step ticks.
    let exposed: Vec<String> = s.checklist.incident_buckets.iter().cloned().collect();
    assert!(!exposed.is_empty());
    let mut notes = Vec::new();
    for b in &exposed {
        notes.extend(checklist_notes(&update(
            &mut s,
            Msg::BucketRefreshed(Box::new(fixtures::private_bucket(b))),
        )));
    }
    assert!(
        notes.contains(&(
            "checklist_step".into(),
            "block-public".into(),
            "done".into()
        )),
        "{notes:?}"
    );
    // Someone re-opens one: the step is un-ticked, and that is journaled.
    let public = fixtures::buckets()
        .into_iter()
        .find(|b| b.name == exposed[0])
        .expect("fixture");
    let notes = checklist_notes(&update(&mut s, Msg::BucketRefreshed(Box::new(public))));
    assert!(
        notes.contains(&(
            "checklist_step".into(),
            "block-public".into(),
            "in_progress".into()
        )),
        "{notes:?}"
    );
    assert_eq!(s.checklist.steps["block-public"].status, Status::InProgress);
}

#[test]
fn the_responder_marks_steps_notes_them_and_opens_their_action() {
    use warroom::actions::ActionSpec;
    use warroom::playbook::progress::Status;
    let (mut s, _) = with_checklist();
    update(&mut s, key('C'));
    assert_eq!(s.view, View::Checklist);
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(
        text.contains("Evidence: capture, preserve, record — 1/6"),
        "{text}"
    );
    assert!(text.contains("[x] Establish what is exposed"), "{text}");
    insta::assert_snapshot!("checklist_80x24", t.backend());
    // Down to "owner" (the fifth step): not applicable, in one key.
    for _ in 0..4 {
        update(&mut s, code(KeyCode::Down));
    }
    let notes = checklist_notes(&update(&mut s, key('n')));
    assert_eq!(
        notes,
        [(
            "checklist_step".into(),
            "owner".into(),
            "not_applicable".into()
        )]
    );
    // A note on it.
    update(&mut s, key('N'));
    for c in "our own account".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Command::Note { data, .. }] if data["note"] == "our own account" && data["step"] == "owner"),
        "{cmds:?}"
    );
    assert_eq!(
        s.checklist.steps["owner"].note.as_deref(),
        Some("our own account")
    );
    assert_eq!(s.checklist.steps["owner"].status, Status::NotApplicable);
    // Space: to do -> in progress -> done.
    update(&mut s, code(KeyCode::Down));
    let cmds = update(&mut s, key(' '));
    assert_eq!(s.checklist.steps["ticket"].status, Status::InProgress);
    // The journal's summary (the after-action report's timeline) is in
    // words, not the enum's Rust name ("InProgress").
    assert!(
        matches!(&cmds[..], [Command::Note { summary, .. }]
            if summary == "checklist ticket: in progress"),
        "{cmds:?}"
    );
    update(&mut s, key(' '));
    assert_eq!(s.checklist.steps["ticket"].status, Status::Done);
    // Enter on "Block public access" plans it on the selected bucket.
    let bucket = s
        .selected_bucket()
        .map(|b| b.facts.name.clone())
        .expect("bucket");
    while s
        .checklist
        .step_at(s.checklist.selected)
        .map(|st| st.id.as_str())
        != Some("block-public")
    {
        update(&mut s, code(KeyCode::Down));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::BlockPublicAccess(a))] if a.bucket == bucket),
        "{cmds:?}"
    );
}

#[test]
fn a_key_the_responder_revoked_counts_as_involved_without_marking_it() {
    let mut s = with_credentials((80, 24));
    assert_eq!(
        warroom::tui::panes::checklist::facts(&s).marked_keys_active,
        Some(Vec::new())
    );
    let w = watch(
        "W1",
        warroom::model::watch::Target::AccessKey {
            key_id: "AKIAEXAMPLECIDEPLOY1".into(),
        },
    );
    update(&mut s, Msg::WatchesReplayed(vec![(w, None)]));
    let f = warroom::tui::panes::checklist::facts(&s);
    // The fixture's key is still Active: the step fails, naming it.
    assert_eq!(f.marked_keys, 1);
    assert_eq!(
        f.marked_keys_active,
        Some(vec!["AKIAEXAMPLECIDEPLOY1".to_string()])
    );
}

#[test]
fn a_field_denied_by_iam_names_the_permission_it_needs() {
    let mut s = scanned((120, 48));
    let denied = s
        .buckets
        .iter()
        .find(|b| matches!(b.facts.policy, warroom::model::facts::Fact::Unknown(_)))
        .map(|b| b.facts.name.clone())
        .expect("a bucket whose policy could not be read");
    s.selected = Some(denied);
    s.view = View::Detail;
    let text = screen_text(&draw(&s));
    assert!(text.contains("needs s3:GetBucketPolicy"), "{text}");
    assert!(text.contains("needs s3:GetBucketTagging"), "{text}");
}

/// An action that does not verify is an alarm: it stays over everything
/// until a key acknowledges it, later messages do not replace it, and it
/// names what differs; the action log's Enter shows every step.
#[test]
fn a_failed_read_back_stays_on_screen_until_acknowledged() {
    let mut s = with_incident(scanned((80, 24)));
    update(
        &mut s,
        Msg::ActionFinished {
            key: "s3://acme-customer-exports".into(),
            what: "pit-restore".into(),
            target: "s3://acme-customer-exports/*".into(),
            bucket: None,
            undo_of: None,
            result: Ok(warroom::actions::Outcome::NotVerified {
                action_id: "A2".into(),
                verification: warroom::actions::Verification {
                    ok: false,
                    detail: "read back: 1 key(s) still differ from what was asked: orders.csv"
                        .into(),
                },
            }),
        },
    );
    let frame = format!("{:?}", draw(&s).backend());
    assert!(frame.contains("NOT DONE AS ASKED"), "{frame}");
    assert!(frame.contains("orders.csv"), "{frame}");
    // A later message (a watch, a scan) does not take it away…
    update(
        &mut s,
        Msg::ActionLog(journal_log(&[("acme-customer-exports", false)])),
    );
    let frame = format!("{:?}", draw(&s).backend());
    assert!(frame.contains("orders.csv"), "{frame}");
    // …a key does, and does nothing else.
    assert!(update(&mut s, key('b')).is_empty());
    assert!(s.alarm.is_none());
    assert!(s.dialog.is_none());
    let frame = format!("{:?}", draw(&s).backend());
    assert!(!frame.contains("NOT DONE AS ASKED"), "{frame}");

    // The action log's Enter: every journaled step of the action.
    update(&mut s, key('a'));
    update(&mut s, code(KeyCode::Enter));
    let frame = format!("{:?}", draw(&s).backend());
    assert!(frame.contains("planned"), "{frame}");
    assert!(frame.contains("AccessDenied"), "{frame}");
}

/// Shift-Tab walks Tab's round backwards; at 60x15 every pane keeps at
/// least one row of its table; a cut watch target keeps the role's name.
#[test]
fn shift_tab_goes_back_and_the_smallest_screen_keeps_a_row_per_pane() {
    let mut s = with_watches();
    s.view = View::Dashboard;
    let back = || Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    let mut seen = Vec::new();
    for _ in 0..5 {
        update(&mut s, back());
        seen.push(s.view);
    }
    assert_eq!(
        seen,
        vec![
            View::Checklist,
            View::Watches,
            View::Trail,
            View::Credentials,
            View::Dashboard
        ]
    );
    // Tab's own round, for comparison: the same ring, forwards, from any
    // view of a pane (a detail view belongs to its pane).
    let mut seen = Vec::new();
    for _ in 0..5 {
        update(&mut s, code(KeyCode::Tab));
        seen.push(s.view);
    }
    assert_eq!(
        seen[..],
        View::RING[1..]
            .iter()
            .chain(&View::RING[..1])
            .copied()
            .collect::<Vec<_>>()[..]
    );
    s.view = View::Detail;
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Credentials);
    s.view = View::TrailDetail;
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Watches);
    // The help's Tab line names the ring, in order.
    let ring = View::RING
        .iter()
        .map(|v| v.pane_name())
        .collect::<Vec<_>>()
        .join(" → ");
    assert!(
        warroom::tui::keymap::Action::SwitchPane
            .describe()
            .ends_with(&ring),
        "{ring}"
    );
    s.view = View::Dashboard;
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Credentials);

    s.view = View::Watches;
    update(&mut s, Msg::Resized(60, 15));
    let text = screen_text(&draw(&s));
    assert!(text.contains("W1"), "{text}");
    assert!(text.contains("MPLECIDEPLOY1"), "{text}");
    s.view = View::Checklist;
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("[ ]") || text.contains("[x]") || text.contains("[~]"),
        "{text}"
    );
}

/// After account-wide Block Public Access (and after its undo), the console
/// reads the account and every bucket again: the header and the verdicts
/// show the new state without `r`, and the action's result stays on the
/// status line while it does.
#[test]
fn account_block_public_access_rereads_the_account_and_every_verdict() {
    let mut s = with_incident(scanned((100, 30)));
    let before = screen_text(&draw(&s));
    assert!(before.contains("not set (all four off)"), "{before}");
    assert!(before.contains("PUBLIC"), "{before}");
    let cmds = update(
        &mut s,
        Msg::ActionFinished {
            key: "this account".into(),
            what: "block-public-access-account".into(),
            target: "this account".into(),
            bucket: None,
            undo_of: None,
            result: Ok(warroom::actions::Outcome::Done {
                action_id: "A1".into(),
                verification: warroom::actions::Verification {
                    ok: true,
                    detail: "read back: all four on for the account".into(),
                },
            }),
        },
    );
    assert_eq!(
        cmds,
        vec![Command::StartScan {
            generation: 2,
            watch: Default::default()
        }]
    );
    let on = warroom::model::facts::PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
    let mut account = fixtures::account();
    account.public_access_block = warroom::model::facts::Fact::Known(Some(on));
    update(&mut s, scan_msg(2, ScanEvent::Account(account)));
    let buckets = fixtures::buckets();
    update(&mut s, scan_msg(2, ScanEvent::Listed(buckets.len())));
    for b in buckets {
        update(&mut s, scan_msg(2, ScanEvent::Bucket(Box::new(b))));
    }
    update(&mut s, scan_msg(2, ScanEvent::Finished));
    let after = screen_text(&draw(&s));
    assert!(after.contains("all four on"), "{after}");
    assert!(
        !after.contains("PUBLIC"),
        "every verdict re-derived: {after}"
    );
    assert!(after.contains("A1 block-public-access-account"), "{after}");
}

/// Resumed with a journal whose last word on "block-public" was a tick
/// (and even a recorded failure after it), while the bucket is public
/// again: the step is un-ticked, with the reason journaled.
#[test]
fn a_resumed_checklist_unticks_a_step_whose_check_fails_now() {
    use warroom::playbook::checks::Outcome;
    use warroom::playbook::progress::{Status, StepState};
    let mut s = with_incident(scanned((80, 24)));
    let mut steps = std::collections::BTreeMap::new();
    steps.insert(
        "block-public".to_string(),
        StepState {
            status: Status::Done,
            by: Some("check".into()),
            check: Some(Outcome::Fail(
                "still public or shared: acme-customer-exports".into(),
            )),
            ..Default::default()
        },
    );
    let cmds = update(
        &mut s,
        Msg::ChecklistReplayed {
            steps,
            preserved: false,
        },
    );
    assert_eq!(s.checklist.steps["block-public"].status, Status::InProgress);
    let notes = checklist_notes(&cmds);
    assert!(
        notes.contains(&(
            "checklist_step".into(),
            "block-public".into(),
            "in_progress".into()
        )),
        "{notes:?}"
    );
    // Not applicable, not done: no instances to require IMDSv2 on is
    // only known once credentials are read; and no role or user involved.
    assert_eq!(
        s.checklist.steps["revoke-sessions"].status,
        Status::NotApplicable,
        "{:?}",
        s.checklist.steps["revoke-sessions"]
    );
}

/// One rule for filters: `/` then Esc clears the tail's filter as it does
/// the credentials'; a pivot's filter lasts only while its pane is open;
/// counts say "N of M"; `t` on a bucket opens the tail filtered to it, `f`
/// on an event filters to its principal, and `marked` keeps the `!` rows.
#[test]
fn filters_follow_one_rule_and_common_looks_take_one_key() {
    let mut s = with_trail((120, 32));
    // `f` on the selected (anonymous) event: its principal.
    update(&mut s, key('f'));
    assert_eq!(s.trail.filter.principal.as_deref(), Some("anonymous"));
    let text = screen_text(&draw(&s));
    assert!(text.contains("CloudTrail: 1 of 4 events"), "{text}");
    // `/` then Esc clears it.
    update(&mut s, key('/'));
    update(&mut s, code(KeyCode::Esc));
    assert!(s.trail.filter.is_empty(), "{:?}", s.trail.filter);
    let text = screen_text(&draw(&s));
    assert!(text.contains("CloudTrail: 4 events"), "{text}");
    // `marked`: only the `!` rows (the access change, the denial, the
    // anonymous read), not the user's own plain read.
    update(&mut s, key('/'));
    for c in "marked".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(KeyCode::Enter));
    let ids: Vec<&str> = s.trail.visible().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, vec!["e4", "e3", "e2"], "{ids:?}");
    update(&mut s, key('/'));
    update(&mut s, code(KeyCode::Esc));

    // A pivot's filter is dropped when its pane is left.
    let e1 = s
        .trail
        .visible()
        .position(|e| e.event_id == "e1")
        .expect("e1");
    s.trail.selected = e1;
    update(&mut s, key('w'));
    assert_eq!(s.view, View::Credentials);
    assert_eq!(s.creds.filter, "AKIAEXAMPLECIDEPLOY1");
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.view, View::Dashboard);
    assert!(s.creds.filter.is_empty(), "{:?}", s.creds.filter);

    // `t` on a bucket: the tail filtered to it.
    s.selected = Some("acme-customer-exports".into());
    update(&mut s, key('t'));
    assert_eq!(s.view, View::Trail);
    assert_eq!(
        s.trail.filter.bucket.as_deref(),
        Some("acme-customer-exports")
    );
}

/// `q` with a watch still open asks first (q again quits, another key
/// stays); Ctrl-C quits at once.
#[test]
fn quitting_with_an_open_watch_asks_first() {
    let mut s = with_watches();
    s.view = View::Dashboard;
    update(&mut s, key('q'));
    assert!(!s.quit);
    let st = s.status.clone().expect("status");
    assert!(
        st.text.contains("W1") && st.text.contains("q again quits"),
        "{st:?}"
    );
    update(&mut s, key('j'));
    assert!(!s.quit);
    update(&mut s, key('q'));
    assert!(!s.quit, "asked again");
    update(&mut s, key('q'));
    assert!(s.quit);
    let mut s = with_watches();
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit);
}

/// The checklist's Enter on "Preserve the events" preserves the tail's
/// events about the incident, whatever the pane's filter.
#[test]
fn the_checklist_preserve_step_preserves_the_incident_events() {
    let mut s = with_trail((100, 30));
    update(
        &mut s,
        Msg::ChecklistReplayed {
            steps: Default::default(),
            preserved: false,
        },
    );
    // A filter on the pane that shows nothing does not matter here.
    s.trail.filter.name = Some("NoSuchEvent".into());
    update(&mut s, key('C'));
    assert_eq!(s.view, View::Checklist);
    let at = s
        .checklist
        .playbook
        .steps()
        .position(|(_, st)| st.id == "preserve")
        .expect("preserve step");
    s.checklist.selected = at;
    let cmds = update(&mut s, code(KeyCode::Enter));
    match &cmds[..] {
        [Command::PreserveEvents { records, filter }] => {
            assert_eq!(records.len(), 4, "{records:?}");
            assert!(filter.contains("acme-customer-exports"), "{filter}");
        }
        other => panic!("{other:?}"),
    }
}

/// A public access point is a door the dashboard shows, the detail view
/// lists under "Ways in", and `A` closes (through the engine's plan). A
/// hostile access point name is drawn inert.
#[test]
fn an_open_access_point_is_shown_as_the_way_in_and_a_closes_it() {
    use warroom::actions::ActionSpec;
    use warroom::model::facts::{AccessPoint, Fact, NetworkOrigin};
    let mut s = with_incident(scanned((100, 30)));
    let bucket = "acme-access-logs";
    let mut b = fixtures::buckets()
        .into_iter()
        .find(|b| b.name == bucket)
        .expect("fixture");
    b.policy = Fact::Known(Some(format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"*","Resource":"arn:aws:s3:::{bucket}/*","Condition":{{"StringEquals":{{"s3:DataAccessPointAccount":"123456789012"}}}}}}]}}"#
    )));
    let name = "ext\u{1b}[2Jap\u{202e}";
    b.access_points = Fact::Known(vec![AccessPoint {
        name: name.into(),
        account: "123456789012".into(),
        region: "us-east-1".into(),
        alias: Some("ext-ap-0123-s3alias".into()),
        network_origin: Fact::Known(NetworkOrigin::Internet),
        public_access_block: Fact::Known(None),
        policy: Fact::Known(Some(format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/{}/object/*"}}]}}"#,
            "ext-ap"
        ))),
        multi_region: false,
        s3_says_public: None,
    }]);
    update(&mut s, Msg::BucketRefreshed(Box::new(b)));
    s.selected = Some(bucket.into());
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("PUBLIC  acme-access-logs"), "{text}");
    assert!(text.contains("access point ext"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    update(&mut s, code(KeyCode::Enter));
    for _ in 0..6 {
        update(&mut s, Msg::Key(KeyEvent::from(KeyCode::PageDown)));
    }
    let mut seen = String::new();
    update(&mut s, key('g'));
    for _ in 0..8 {
        seen.push_str(&screen_text(&draw(&s)));
        update(&mut s, Msg::Key(KeyEvent::from(KeyCode::PageDown)));
    }
    assert!(seen.contains("Ways in: access points"), "{seen}");
    assert!(
        seen.contains("Internet · alias ext-ap-0123-s3alias"),
        "{seen}"
    );
    let cmds = update(&mut s, key('A'));
    assert_eq!(
        cmds,
        vec![Command::PlanAction(ActionSpec::DeleteAccessPointPolicy(
            warroom::actions::access_point_policy::Args {
                bucket: bucket.into(),
                access_point: name.into(),
            }
        ))]
    );
    // Once the tail shows the access point being made (a record as
    // CloudTrail writes it, pretty-printed), it is the attacker's own door:
    // `A` removes it whole.
    let made = warroom::model::trail::normalise_str(
        r#"{
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "accountId": "123456789012",
                         "accessKeyId": "AKIAEXAMPLECIDEPLOY1"},
        "eventTime": "2026-11-22T10:07:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "CreateAccessPoint",
        "awsRegion": "us-east-1",
        "requestParameters": {
            "CreateAccessPointRequest": {
                "xmlns": "http://awss3control.amazonaws.com/doc/2018-08-20/",
                "Bucket": "acme-access-logs"
            },
            "name": "ext\u001b[2Jap\u202e",
            "x-amz-account-id": "123456789012"
        },
        "responseElements": null,
        "eventID": "ap-made-1",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "eventCategory": "Management"
    }"#,
    )
    .expect("event");
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::Events {
            source: warroom::tail::Source::Logs,
            events: vec![made],
        }),
    );
    // The first plan answers (refused, here), freeing the bucket.
    update(
        &mut s,
        Msg::Planned {
            key: format!("s3://{bucket}"),
            result: Err("test: not now".into()),
        },
    );
    let cmds = update(&mut s, key('A'));
    assert!(
        cmds.contains(&Command::PlanAction(ActionSpec::DeleteAccessPoint(
            warroom::actions::access_point::Args {
                bucket: bucket.into(),
                access_point: name.into(),
            }
        ))),
        "{cmds:?}"
    );
}

/// A PutObjectAcl granting everyone in the tail makes the console read
/// that object's ACL at once, and on every later scan, whatever the
/// scan's sample picks.
#[test]
fn an_object_made_public_in_the_tail_is_read_now_and_on_every_scan() {
    use warroom::tail::{Source, TailMsg};
    let mut s = with_trail((100, 30));
    let public_put = warroom::model::trail::normalise_str(r#"{"eventID":"acl1","eventTime":"2026-11-22T10:05:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObjectAcl","userIdentity":{"type":"IAMUser","accountId":"123456789012","accessKeyId":"AKIAEXAMPLECIDEPLOY1"},"requestParameters":{"bucketName":"acme-customer-exports","key":"exports/q3.csv","acl":"","x-amz-acl":["public-read"]},"eventCategory":"Data","readOnly":false}"#).expect("event");
    let tail = |e: &warroom::model::trail::TrailEvent| {
        Msg::Tail(TailMsg::Events {
            source: Source::Logs,
            events: vec![e.clone()],
        })
    };
    let cmds = update(&mut s, tail(&public_put));
    assert_eq!(
        cmds,
        vec![Command::RefreshBucket {
            bucket: "acme-customer-exports".into(),
            watch_keys: vec!["exports/q3.csv".into()],
        }]
    );
    // Seen again (LookupEvents and the log files both deliver it): once.
    let mut again = public_put.clone();
    again.event_id = "acl1-copy".into();
    assert!(update(&mut s, tail(&again)).is_empty());
    // A refused call, or a bucket the console does not hold, reads nothing.
    let mut refused = public_put.clone();
    refused.event_id = "acl2".into();
    refused.key = Some("other.csv".into());
    refused.error_code = Some("AccessDenied".into());
    assert!(update(&mut s, tail(&refused)).is_empty());
    let mut elsewhere = public_put.clone();
    elsewhere.event_id = "acl3".into();
    elsewhere.bucket = Some("not-ours".into());
    assert!(update(&mut s, tail(&elsewhere)).is_empty());

    // The detail of the event says what it did.
    let shown = screen_text(&draw(&s));
    assert!(shown.contains("PutObjectAcl"), "{shown}");

    // A rescan reads the watched objects too.
    s.view = View::Dashboard;
    let cmds = update(&mut s, key('r'));
    let Some(Command::StartScan { watch, .. }) = cmds.first() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        watch.get("acme-customer-exports"),
        Some(&vec!["exports/q3.csv".to_string()])
    );
    assert_eq!(
        watch.len(),
        2,
        "a bucket not scanned yet is watched too: {watch:?}"
    );
}

/// The trail shows the attacker changing access after the scan (seen in a
/// Game Day: the access point's policy put back with a key still active):
/// the console reads that bucket again, or everything when the change names
/// no bucket, so the verdict on screen is never behind the tail.
#[test]
fn an_access_change_in_the_tail_after_the_scan_is_read_again() {
    use warroom::tail::{Source, TailMsg};
    let mut s = with_trail((100, 30));
    let at = |t: &str| warroom::time::parse_time(t).expect("time");
    update(&mut s, Msg::Tick(at("2026-11-22T10:04:00Z")));
    assert_eq!(s.scan.started_at, at("2026-11-22T10:03:00Z"));
    let tail = |e: warroom::model::trail::TrailEvent| {
        Msg::Tail(TailMsg::Events {
            source: Source::Logs,
            events: vec![e],
        })
    };
    // Before the scan began: what the scan read already.
    let old = trail_event("p0", "09:00:00", "PutBucketPolicy", "");
    assert!(update(&mut s, tail(old)).is_empty());
    // After: that bucket is read again.
    let new = trail_event("p1", "10:05:00", "PutBucketPolicy", "");
    assert_eq!(
        update(&mut s, tail(new)),
        vec![Command::RefreshBucket {
            bucket: "acme-customer-exports".into(),
            watch_keys: vec![],
        }]
    );
    // A refused change changed nothing.
    let refused = trail_event(
        "p2",
        "10:05:30",
        "PutBucketPolicy",
        r#","errorCode":"AccessDenied""#,
    );
    assert!(update(&mut s, tail(refused)).is_empty());
    // An access point's policy names no bucket: every bucket, quietly.
    let ap = warroom::model::trail::normalise_str(r#"{"eventID":"ap1","eventTime":"2026-11-22T10:06:00Z","eventSource":"s3.amazonaws.com","eventName":"PutAccessPointPolicy","userIdentity":{"type":"IAMUser","accountId":"123456789012"},"requestParameters":{"name":"partner-portal","accountId":"123456789012"}}"#).expect("event");
    let status = s.status.clone();
    let cmds = update(&mut s, tail(ap));
    assert!(
        matches!(cmds.as_slice(), [Command::StartScan { .. }]),
        "{cmds:?}"
    );
    assert!(s.scan.quiet);
    assert_eq!(s.status, status, "the status line is kept");
}

/// The incident's buckets are read again every 30 seconds: the attacker
/// may reopen a door with a key still active, and CloudTrail says so
/// minutes later. Nothing while a scan runs; nothing when no bucket was
/// ever exposed.
#[test]
fn the_incident_buckets_are_read_again_every_thirty_seconds() {
    let mut s = scanned((80, 24));
    let incident: Vec<String> = s.checklist.incident_buckets.iter().cloned().collect();
    assert!(!incident.is_empty(), "the fixtures have exposed buckets");
    let t0 = 1_790_000_000;
    assert!(
        update(&mut s, Msg::Tick(t0)).is_empty(),
        "the scan was the first read"
    );
    assert!(update(&mut s, Msg::Tick(t0 + 29)).is_empty());
    let cmds = update(&mut s, Msg::Tick(t0 + 30));
    let mut read: Vec<String> = cmds
        .iter()
        .map(|c| match c {
            Command::RefreshBucket { bucket, .. } => bucket.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    read.sort();
    assert_eq!(read, incident);
    assert!(
        update(&mut s, Msg::Tick(t0 + 31)).is_empty(),
        "once per period"
    );
    // A scan running reads everything anyway.
    update(&mut s, key('r'));
    assert!(update(&mut s, Msg::Tick(t0 + 90)).is_empty());
    // No exposed bucket: nothing to watch.
    let mut quiet = new_state((80, 24));
    assert!(update(&mut quiet, Msg::Tick(t0)).is_empty());
    assert!(update(&mut quiet, Msg::Tick(t0 + 60)).is_empty());
}
