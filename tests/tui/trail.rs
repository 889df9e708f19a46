//! The CloudTrail pane.

use super::*;

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

// ---- the attacker's changes ----

fn change(
    what: warroom::model::changes::What,
    standing: warroom::model::changes::Standing,
) -> warroom::model::changes::Change {
    warroom::model::changes::Change {
        what,
        who: "IAMUser leaked".into(),
        with_key: Some("AKIALEAKED0000000000".into()),
        when: "2026-11-28T10:05:00Z".into(),
        from: Some("203.0.113.9".into()),
        event_id: None,
        found: warroom::model::changes::Found::Trail,
        standing,
    }
}

/// `!` gathers, the rows say what stands, `U` offers the selected row's
/// revert through the gate (never on the responder's own user), and an
/// action's end reads the changes again without hiding its result.
#[test]
fn changes_pane_offers_each_revert_and_rereads_after_the_action() {
    use warroom::actions::ActionSpec;
    use warroom::model::changes::{Standing, What};
    let mut s = with_incident(scanned((100, 30)));
    let cmds = update(&mut s, key('!'));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::LoadChanges { .. })),
        "{cmds:?}"
    );
    let rows = vec![
        change(
            What::UserCreated {
                user: "backdoor".into(),
            },
            Standing::InPlace,
        ),
        change(
            What::LoginProfile {
                user: "responder".into(),
                created: false,
            },
            Standing::InPlace,
        ),
        change(
            What::LoggingStopped {
                trail: "main".into(),
            },
            Standing::Gone,
        ),
    ];
    update(
        &mut s,
        Msg::Changes {
            since: 1_764_324_000,
            gathered: Ok(warroom::changes::Gathered {
                changes: rows,
                problems: Vec::new(),
                trails: None,
                events_read: 12,
            }),
        },
    );
    let text = screen_text(&draw(&s));
    assert!(text.contains("new user backdoor"), "{text}");
    assert!(text.contains("IN PLACE"), "{text}");
    assert!(text.contains("revert"), "hint line: {text}");
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("2 change(s)")),
        "{:?}",
        s.status
    );

    // The new user: delete-user, planned through the gate.
    let cmds = update(&mut s, key('U'));
    let [Command::PlanAction(ActionSpec::DeleteUser(u))] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(u.user, "backdoor");
    // The responder's own user is refused, with the reason.
    s.busy.clear();
    update(&mut s, key('j'));
    let cmds = update(&mut s, key('U'));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("runs as")),
        "{:?}",
        s.status
    );
    // What is gone already is not offered.
    update(&mut s, key('j'));
    assert!(update(&mut s, key('U')).is_empty());

    // The action ends: the changes are read again, its result stays shown.
    let cmds = update(
        &mut s,
        Msg::ActionFinished {
            key: "user backdoor".into(),
            what: "delete-user".into(),
            target: "user backdoor".into(),
            bucket: None,
            undo_of: None,
            result: Ok(warroom::actions::Outcome::Done {
                action_id: "A1".into(),
                verification: warroom::actions::Verification {
                    ok: true,
                    detail: "user backdoor is gone".into(),
                },
            }),
        },
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::LoadChanges { .. })),
        "{cmds:?}"
    );
    update(
        &mut s,
        Msg::Changes {
            since: 1_764_324_000,
            gathered: Ok(warroom::changes::Gathered {
                changes: Vec::new(),
                problems: Vec::new(),
                trails: None,
                events_read: 12,
            }),
        },
    );
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("A1 delete-user")),
        "{:?}",
        s.status
    );
}

/// A trail the attacker stopped: the CloudTrail pane's banner and every
/// pane's header say which trail, since when and by whom; the evidence
/// step does not pass while it is blind, and passes once it logs again.
#[test]
fn a_stopped_trail_is_said_everywhere_and_holds_the_evidence_step() {
    use warroom::model::trail::{DataSelector, TrailInfo};
    use warroom::playbook::checks::{Check, Outcome, evaluate};
    use warroom::tail::{Source, TailMsg};
    let mut s = with_trail((100, 30));
    let main = |logging: bool| TrailInfo {
        name: "main".into(),
        arn: format!(
            "arn:aws:cloudtrail:us-east-1:{}:trail/main",
            fixtures::ACCOUNT
        ),
        home_region: Some("us-east-1".into()),
        bucket: Some("trail-logs".into()),
        prefix: None,
        organisation: false,
        multi_region: true,
        logging: Some(logging),
        stopped_at: None,
        data: vec![DataSelector {
            arn_prefixes: Vec::new(),
            reads: true,
            writes: true,
        }],
    };
    let stop = warroom::model::trail::normalise_str(&format!(
        r#"{{"eventID":"s1","eventTime":"2026-11-22T10:04:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::{0}:user/ci-deploy","accountId":"{0}","accessKeyId":"AKIAI44QH8DHBEXAMPLE"}},"requestParameters":{{"name":"arn:aws:cloudtrail:us-east-1:{0}:trail/main"}},"responseElements":null}}"#,
        fixtures::ACCOUNT
    ))
    .expect("record");
    update(
        &mut s,
        Msg::Tail(TailMsg::Events {
            source: Source::Lookup,
            events: vec![stop],
        }),
    );
    update(&mut s, Msg::Tail(TailMsg::Trails(Ok(vec![main(false)]))));
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("TRAIL BLINDED: trail main not logging since 2026-11-22T10:04:00Z"),
        "{text}"
    );
    let banner = text
        .lines()
        .find(|l| l.contains("TRAIL BLINDED: trail main"))
        .unwrap_or_default();
    assert!(
        banner.contains("(by") && banner.contains("ci-deploy"),
        "who stopped it: {banner}"
    );
    s.checklist.evidence_preserved = true;
    let facts = warroom::tui::panes::checklist::facts(&s);
    assert!(
        matches!(evaluate(Check::EvidencePreserved, &facts), Outcome::Fail(ref w) if w.contains("main")),
        "{:?}",
        evaluate(Check::EvidencePreserved, &facts)
    );
    assert!(matches!(
        evaluate(Check::TrailLogsDataEvents, &facts),
        Outcome::Fail(_)
    ));
    // The header says it on another pane too.
    update(&mut s, code(KeyCode::Tab));
    assert_ne!(s.view, View::Trail);
    let text = screen_text(&draw(&s));
    assert!(text.contains("TRAIL BLINDED: main not logging"), "{text}");

    // The responder starts it again: the trails are read at once, not at
    // the tail's next minute.
    let cmds = update(
        &mut s,
        Msg::ActionFinished {
            key: "trail main".into(),
            what: "start-logging".into(),
            target: "trail main".into(),
            bucket: None,
            undo_of: None,
            result: Ok(warroom::actions::Outcome::Done {
                action_id: "A1".into(),
                verification: warroom::actions::Verification {
                    ok: true,
                    detail: "read back: trail main is logging".into(),
                },
            }),
        },
    );
    assert!(cmds.contains(&Command::RefreshTrails), "{cmds:?}");
    // Logging again: no banner, the evidence step passes.
    update(&mut s, Msg::Tail(TailMsg::Trails(Ok(vec![main(true)]))));
    let text = screen_text(&draw(&s));
    assert!(!text.contains("BLINDED"), "{text}");
    let facts = warroom::tui::panes::checklist::facts(&s);
    assert!(matches!(
        evaluate(Check::EvidencePreserved, &facts),
        Outcome::Pass(_)
    ));
}
