//! Across panes: alarms, Tab and Shift-Tab, re-reads after actions and trail events, quitting.

use super::*;

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
            .help()
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
            result: Err(warroom::actions::ActionError::NothingToDo(
                "test: not now".into(),
            )),
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
