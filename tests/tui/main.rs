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
    // The first scan's end starts the tail, whatever pane is open.
    let cmds = update(&mut s, scan_msg(1, ScanEvent::Finished));
    assert!(cmds.contains(&Command::StartTail), "{cmds:?}");
    assert!(s.trail.started);
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

mod checklist;
mod console;
mod credentials;
mod dashboard;
mod recovery;
mod trail;
mod watches;

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

fn trail_event(id: &str, time: &str, name: &str, extra: &str) -> warroom::model::trail::TrailEvent {
    warroom::model::trail::normalise_str(&format!(
        r#"{{"eventID":"{id}","eventTime":"2026-11-22T{time}Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci-deploy","accountId":"123456789012","accessKeyId":"AKIAEXAMPLECIDEPLOY1"}},"requestParameters":{{"bucketName":"acme-customer-exports","key":"exports/q3.csv"}},"eventCategory":"Data","readOnly":true{extra}}}"#
    ))
    .expect("event")
}
fn with_trail(size: (u16, u16)) -> State {
    use warroom::tail::{Source, TailMsg};
    let mut s = with_credentials(size);
    // Started with the first scan: opening the pane does not start another.
    let cmds = update(&mut s, code(KeyCode::Tab));
    assert!(!cmds.contains(&Command::StartTail), "{cmds:?}");
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

const CUTOFF: i64 = 1_795_860_000; // 2026-11-28T10:00:00Z

fn watch(id: &str, target: warroom::model::watch::Target) -> warroom::model::watch::Watch {
    warroom::model::watch::Watch::new(warroom::model::watch::WatchSpec {
        id: id.into(),
        target,
        account: None,
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
