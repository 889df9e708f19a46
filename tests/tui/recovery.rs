//! Recovery from the console: the restore prompt and the versions view.

use super::*;

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
                    skip_versions: Vec::new(),
                },
                override_order: None,
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
    // `from REPLICA` copies back from a replication destination; a name
    // that is no bucket's is refused, the text kept.
    let typed = |text: &str| {
        let mut s = with_incident(scanned((80, 24)));
        update(&mut s, key('R'));
        let p = s.prompt.clone().expect("a prompt");
        for _ in 0..p.text.len() {
            update(&mut s, code(KeyCode::Backspace));
        }
        for c in text.chars() {
            update(&mut s, key(c));
        }
        let cmds = update(&mut s, code(KeyCode::Enter));
        (s, cmds)
    };
    let (_, cmds) = typed("2026-11-20T09:00Z exports/ from orders-dr");
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::PitRestore(a))]
            if a.prefix.as_deref() == Some("exports/")
                && matches!(&a.goal, Goal::FromReplica { replica, .. } if replica == "orders-dr")),
        "{cmds:?}"
    );
    let (s, cmds) = typed("2026-11-20T09:00Z from Not_A_Bucket");
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(s.prompt.is_some(), "kept to be corrected");
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("replica"))
    );
    let (s, cmds) = typed("2026-11-20T09:00Z from");
    assert!(cmds.is_empty() && s.status.as_ref().is_some_and(|st| st.is_error));
    // `override REASON…` ends the line: the reason travels with the spec.
    let (_, cmds) = typed("2026-11-20T09:00Z hide override billing is down, SOC has the trail");
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::PitRestore(a))]
            if a.override_order.as_deref() == Some("billing is down, SOC has the trail")
                && matches!(a.goal, Goal::PointInTime { hide_newer: true, .. })),
        "{cmds:?}"
    );
    let (s, cmds) = typed("2026-11-20T09:00Z override");
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("reason"))
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
        // SSE-C writes as CloudTrail records them: the algorithm header in
        // the request, the version made in the response.
        let sse_c = |id: &str, access_key: &str, version: &str| {
            warroom::model::trail::normalise_str(&format!(
            r#"{{"eventID":"{id}","eventTime":"2026-11-22T10:01:00Z","eventName":"PutObject","readOnly":false,"userIdentity":{{"type":"IAMUser","accountId":"123456789012","arn":"arn:aws:iam::123456789012:user/u","accessKeyId":"{access_key}"}},"requestParameters":{{"bucketName":"{bucket}","key":"README-RESTORE.txt","x-amz-server-side-encryption-customer-algorithm":"AES256"}},"responseElements":{{"x-amz-version-id":"{version}","x-amz-server-side-encryption-customer-algorithm":"AES256"}}}}"#
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
                    sse_c("w3", "AKIASTOLEN0000000001", "v-attacker"),
                    sse_c("w4", "AKIAAPPLICATION00001", "v-application"),
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
    // Only the incident's SSE-C rewrite is never restored to.
    assert!(
        matches!(&a.goal, Goal::PointInTime { skip_versions, .. }
            if skip_versions == &vec!["v-attacker".to_string()]),
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
            skip_versions: Vec::new(),
        },
        override_order: None,
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
                ..Default::default()
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
                ..Default::default()
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
                ..Default::default()
            }),
        },
    );
    assert!(screen_text(&draw(&s)).contains("never had versioning"));
}

/// A planted expiry on an incident bucket: the header counts down to the
/// moment the first replaced version goes, the detail view lists the
/// rules, and `y` plans the removal of exactly the rule the attacker's
/// changes name — or, with no record of who wrote what, of every rule
/// that deletes data.
#[test]
fn a_planted_lifecycle_rule_counts_down_in_the_header_and_y_plans_its_removal() {
    use warroom::actions::ActionSpec;
    use warroom::actions::lifecycle_rules::Args;
    use warroom::model::changes::{Change, Found, Standing, What};
    use warroom::model::facts::{Fact, Versioning};
    use warroom::model::lifecycle::{Expiration, LifecycleRule, NoncurrentExpiration};
    let mut s = with_incident(scanned((160, 48)));
    let bucket = s
        .selected_bucket()
        .map(|b| b.facts.name.clone())
        .expect("a bucket");
    let rule = |id: &str, days: i32, noncurrent: Option<i32>| LifecycleRule {
        id: Some(id.into()),
        enabled: true,
        expiration: Some(Expiration {
            days: Some(days),
            ..Default::default()
        }),
        noncurrent_expiration: noncurrent.map(|d| NoncurrentExpiration {
            noncurrent_days: Some(d),
            newer_noncurrent_versions: None,
        }),
        ..Default::default()
    };
    let b = s
        .buckets
        .iter_mut()
        .find(|b| b.facts.name == bucket)
        .expect("the bucket");
    b.facts.lifecycle = Fact::Known(vec![
        rule("keep-logs", 365, None),
        rule("planted", 1, Some(1)),
    ]);
    b.facts.versioning = Fact::Known(Versioning {
        status: Some("Enabled".into()),
        mfa_delete: None,
    });
    let now = warroom::time::parse_time("2026-12-02T10:00:00Z").expect("time");
    s.watches.now = now;
    s.window_start = Some(now - 3600);
    s.checklist.incident_buckets.insert(bucket.clone());
    let text = screen_text(&draw(&s));
    // Replaced from 09:00 on: deleted a day later, at the next midnight.
    assert!(
        text.contains(&format!("DATA EXPIRES {bucket}: 1d 14h left (planted)")),
        "{text}"
    );
    s.changes.rows = vec![Change {
        what: What::Lifecycle {
            bucket: bucket.clone(),
            rule_ids: vec!["planted".into()],
            deletes: true,
        },
        who: "ci-deploy".into(),
        with_key: None,
        when: "2026-12-02T09:30:00Z".into(),
        from: None,
        event_id: Some("l1".into()),
        found: Found::Trail,
        standing: Standing::InPlace,
    }];
    // The detail marks the rule written in the window, and only it.
    update(&mut s, code(KeyCode::Enter));
    let text = screen_text(&draw(&s));
    assert_eq!(
        text.matches("written in the incident window").count(),
        1,
        "{text}"
    );
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(
        update(&mut s, key('y')),
        vec![Command::PlanAction(ActionSpec::RemoveLifecycleRules(
            Args {
                bucket: bucket.clone(),
                rules: vec!["planted".into()],
            }
        ))]
    );
    // No record of who wrote which rule: every rule that deletes data.
    s.changes.rows.clear();
    s.busy.clear();
    update(&mut s, code(KeyCode::Enter));
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("2 rule(s), 2 delete data (y removes them)"),
        "{text}"
    );
    assert!(
        text.contains("planted: all keys: objects expire after 1 d"),
        "{text}"
    );
    assert_eq!(
        update(&mut s, key('y')),
        vec![Command::PlanAction(ActionSpec::RemoveLifecycleRules(
            Args {
                bucket,
                rules: vec!["keep-logs".into(), "planted".into()],
            }
        ))]
    );
}

/// An SSE-C rewrite one second after the original: the versions view says
/// the current version needs the writer's key (probed, and from the tail's
/// record naming it), attributes the rewrite to the attacker by the
/// version id its record names, and does not pin that write on the
/// original a second earlier.
#[test]
fn the_versions_view_marks_sse_c_versions_and_attributes_by_version_id() {
    use warroom::model::restore::Version;
    use warroom::tui::msg::VersionsList;
    let mut s = with_incident(scanned((80, 24)));
    let bucket = s
        .selected_bucket()
        .map(|b| b.facts.name.clone())
        .expect("a bucket");
    s.window_start = Some(CUTOFF);
    update(&mut s, key('V'));
    let t = CUTOFF + 600;
    let rewrite = warroom::model::trail::normalise_str(&format!(
        r#"{{"eventID":"c1","eventTime":"{}","eventName":"PutObject","readOnly":false,"sourceIPAddress":"203.0.113.99","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/etl"}},"requestParameters":{{"bucketName":"{bucket}","key":"x.csv","x-amz-server-side-encryption-customer-algorithm":"AES256"}},"responseElements":{{"x-amz-version-id":"v-bad","x-amz-server-side-encryption-customer-algorithm":"AES256"}}}}"#,
        warroom::time::iso_time(t)
    ))
    .expect("event");
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::Events {
            source: warroom::tail::Source::Logs,
            events: vec![rewrite],
        }),
    );
    let v = |id: &str, at: i64, latest: bool| Version {
        key: "x.csv".into(),
        version_id: id.into(),
        is_latest: latest,
        is_delete_marker: false,
        last_modified: at,
        size: 10,
        etag: format!("\"e-{id}\""),
        storage_class: "STANDARD".into(),
    };
    let list = |probed: &[&str]| VersionsList {
        versioning: "Enabled".into(),
        keys: vec![vec![v("v-bad", t, true), v("v-good", t - 1, false)]],
        sse_c: probed.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    };
    update(
        &mut s,
        Msg::Versions {
            bucket: bucket.clone(),
            list: Ok(list(&["v-bad"])),
        },
    );
    let text = screen_text(&draw(&s));
    assert!(text.contains("SSE-C locked"), "{text}");
    assert!(text.contains("SSE-C: only the writer's key"), "{text}");
    assert_eq!(
        text.matches("PutObject by").count(),
        1,
        "only the rewrite is the attacker's: {text}"
    );
    assert!(
        text.contains("1 version(s) written with"),
        "the status says how many: {text}"
    );
    // Unprobed (a 403, or past the cap), the tail's record alone marks it.
    update(
        &mut s,
        Msg::Versions {
            bucket,
            list: Ok(list(&[])),
        },
    );
    let text = screen_text(&draw(&s));
    assert!(text.contains("SSE-C locked"), "{text}");
}

/// Ctrl-g asks S3 for the archived versions the restore to the typed time
/// needs (Standard tier, 7 days): one spec, through the gate.
#[test]
fn ctrl_g_plans_the_archived_restore_for_the_typed_time() {
    use warroom::actions::ActionSpec;
    let mut s = with_incident(scanned((80, 24)));
    let bucket = s
        .selected_bucket()
        .map(|b| b.facts.name.clone())
        .expect("a bucket");
    s.window_start = Some(CUTOFF);
    let cmds = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)),
    );
    assert_eq!(
        cmds,
        vec![Command::PlanAction(ActionSpec::RestoreArchived(
            warroom::actions::restore_archived::Args {
                bucket,
                prefix: None,
                to: CUTOFF,
                tier: "Standard".into(),
                days: 7,
            }
        ))]
    );
}
