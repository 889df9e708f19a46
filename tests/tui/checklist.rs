//! The playbook checklist.

use super::*;

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
