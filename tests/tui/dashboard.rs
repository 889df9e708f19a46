//! The bucket table, its detail, help, and the actions planned, confirmed and undone from it.

use super::*;

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
            result: Err(warroom::actions::ActionError::NothingToDo(
                "test: not now".into(),
            )),
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
            result: Err(warroom::actions::ActionError::NothingToDo("test".into())),
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
