//! Faults, injected at the emulator (its launcher's `WARROOM_FAULTS`):
//! throttling on every request stream, and the emulator gone in the middle
//! of a bulk action. The console stays up and says what happened; once the
//! emulator is back a re-run finishes the work with nothing done twice, and
//! the journal verifies.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::fault;
use support::gameday::Driver;
use tokio::sync::Mutex;
use warroom::emulator::Emulator;

/// A console on the emulator journaling to `incident` (in `dir`), once its
/// first scan has found the buckets.
async fn scanned_console(
    emu: &Emulator,
    incident: Arc<Mutex<warroom::incident::Incident>>,
    dir: &std::path::Path,
) -> Driver {
    let mut d = Driver::headless(
        support::clients(emu).await,
        &emu.endpoint(),
        Some((incident, dir)),
        |_| {},
    )
    .await;
    d.until("the scan", 60, |s| !s.scan.running && !s.buckets.is_empty())
        .await;
    d
}

/// Once the running action has done `done` items, the emulator goes away:
/// the action fails with an error on screen, and the console stays up.
async fn gone_after_batches(d: &mut Driver, emu: &Emulator, done: u64) {
    d.until("the first batches", 60, |s| {
        s.progress.values().any(|p| p.done >= done)
    })
    .await;
    fault(emu, "down");
    d.until("the action to fail", 120, |s| s.busy.is_empty())
        .await;
    let status = d.state.status.clone().expect("a status");
    assert!(status.is_error, "{}", status.text);
    assert!(!d.state.quit, "the console stays up");
    // The failure is an alarm over the screen until it is acknowledged.
    let alarm = d.state.alarm.clone().expect("an alarm");
    assert!(alarm.title.contains("NOT DONE AS ASKED"), "{}", alarm.title);
    d.key(' ');
    assert!(d.state.alarm.is_none());
}

fn start(env: &[(&str, &str)]) -> Emulator {
    let mut all = vec![("WARROOM_FAULTS", "1")];
    all.extend_from_slice(env);
    Emulator::start(&support::python(), &all).expect("moto")
}

fn run(emu: &Emulator, args: &[&str]) -> (Option<i32>, String, String) {
    let out = support::warroom(emu).args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_on_every_service_is_retried_and_loses_or_repeats_nothing() {
    let emu = start(&[]);
    let c = support::clients(&emu).await;
    // An account to read: scenario 1, with a few rounds of the attacker in
    // the trail bucket.
    let (game, _dir, incident, _) =
        support::gameday::staged_game(&c, "leaked-key-public-policy", "gdft0001").await;
    let mut attacker = support::gameday::emulator_attacker(&game, &c, None, incident).await;
    for _ in 0..4 {
        attacker.round().await.expect("round");
    }
    let calm_scan = run(&emu, &["scan", "--json"]);
    let calm_trail = run(&emu, &["trail", "--since", "1h", "--json"]);
    assert_eq!(calm_scan.0, Some(1), "{}", calm_scan.2);

    // Every third request throttled, on every service.
    fault(&emu, "throttle:3");
    let scan = run(&emu, &["scan", "--json"]);
    assert_eq!(scan.0, Some(1), "{}", scan.2);
    let verdicts = |json: &str| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
        v["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .map(|b| {
                (
                    b["name"].as_str().unwrap_or("").to_string(),
                    b["verdict"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&scan.1), verdicts(&calm_scan.1));
    assert!(
        !scan.1.contains("SlowDown"),
        "no field left unknown: {}",
        scan.1
    );

    let trail = run(&emu, &["trail", "--since", "1h", "--json"]);
    let ids = |out: &str| -> Vec<String> {
        let mut ids: Vec<String> = out
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|l| l["event_id"].as_str().map(str::to_string))
            .collect();
        ids.sort();
        ids
    };
    let (calm, throttled) = (ids(&calm_trail.1), ids(&trail.1));
    assert!(calm.len() >= 9, "{}", calm_trail.1);
    let mut unique = throttled.clone();
    unique.dedup();
    assert_eq!(unique.len(), throttled.len(), "an event repeated");
    assert_eq!(throttled, calm, "an event lost or added under throttling");

    let facts = warroom::credentials::load(&c, support::ACCOUNT, &[]).await;
    let users = facts.users.known().expect("users read under throttling");
    assert!(users.iter().all(|u| u.keys.known().is_some()));
    fault(&emu, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_gone_mid_bulk_action_then_back_finishes_with_nothing_done_twice() {
    const BUCKET: &str = "acme-bulk";
    const OBJECTS: usize = 2000;
    let emu = start(&[
        ("WARROOM_COUNT_REQUESTS", "1"),
        ("WARROOM_LATENCY_MS", "60"),
    ]);
    let c = support::clients(&emu).await;
    support::create_bucket(&c, BUCKET).await;
    support::put_public_objects(&c, BUCKET, "o/", OBJECTS).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let incident = Arc::new(Mutex::new(
        warroom::incident::Incident::open(Some(dir.path())).expect("incident"),
    ));
    let mut d = scanned_console(&emu, incident.clone(), dir.path()).await;
    d.key('o');
    d.answer("reset-object-acls").await;
    gone_after_batches(&mut d, &emu, 250).await;
    let acl_puts = |emu: &Emulator| -> Vec<(String, u64)> {
        support::request_counts(emu)
            .into_iter()
            .filter(|(k, _)| k.starts_with("PUT /acme-bulk/o/") && k.ends_with("?acl"))
            .collect()
    };
    let written_before = acl_puts(&emu).len();
    assert!(
        written_before < OBJECTS,
        "the emulator went away before the end ({written_before} written)"
    );
    // It comes back: the same action, run again, finishes the rest.
    fault(&emu, "ok");
    tokio::time::sleep(Duration::from_millis(200)).await;
    d.key('o');
    d.confirm("reset-object-acls").await;

    let puts = acl_puts(&emu);
    assert!(puts.iter().all(|(_, n)| *n == 1), "written twice: {puts:?}");
    assert_eq!(puts.len(), OBJECTS, "every object's ACL written once");
    let report = warroom::incident::verify::verify(dir.path()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert!(
        report.entries.iter().any(|e| e.kind == "action_failed"),
        "the failure is journaled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_are_said_refused_and_resume_after_a_restart() {
    const BUCKET: &str = "acme-exposed";
    let emu = start(&[]);
    let c = support::clients(&emu).await;
    support::create_bucket(&c, BUCKET).await;
    support::put_policy(&c, BUCKET, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-exposed/*"}]}"#).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let console = |incident| scanned_console(&emu, incident, dir.path());
    let incident = Arc::new(Mutex::new(
        warroom::incident::Incident::open(Some(dir.path())).expect("incident"),
    ));
    let mut d = console(incident.clone()).await;
    // The session token expires mid-incident.
    fault(&emu, "expired");
    d.key('b');
    d.until("the expiry to be noticed", 30, |s| s.credentials_expired)
        .await;
    let text = support::frame(&d.state, 100, 30);
    assert!(text.contains("CREDENTIALS EXPIRED"), "{text}");
    d.until("the plan to be given up", 30, |s| s.busy.is_empty())
        .await;
    // Every further action is refused at once, with what to do.
    let key = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('b'),
        crossterm::event::KeyModifiers::NONE,
    );
    let cmds = warroom::tui::app::update(&mut d.state, warroom::tui::app::Msg::Key(key));
    assert!(cmds.is_empty(), "{cmds:?}");
    let status = d.state.status.clone().expect("a status");
    assert!(
        status.is_error && status.text.contains("--incident"),
        "{}",
        status.text
    );
    // Nothing was half-applied.
    fault(&emu, "ok");
    assert!(
        c.s3.get_public_access_block()
            .bucket(BUCKET)
            .send()
            .await
            .is_err(),
        "no Block Public Access was set"
    );
    drop(d);
    drop(incident);
    // Fresh credentials, the same incident: everything resumes (once the
    // old console's tasks have let go of the journal).
    let mut reopened = None;
    for _ in 0..50 {
        match warroom::incident::Incident::open(Some(dir.path())) {
            Ok(i) => {
                reopened = Some(i);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let incident = Arc::new(Mutex::new(reopened.expect("the incident reopens")));
    let mut d = console(incident).await;
    assert!(!d.state.credentials_expired);
    d.key('b');
    d.confirm("block-public-access").await;
    let report = warroom::incident::verify::verify(dir.path()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_gone_mid_scan_then_r_rescans_with_every_verdict_known() {
    let emu = start(&[("WARROOM_LATENCY_MS", "40")]);
    let c = support::clients(&emu).await;
    for i in 0..24 {
        support::create_bucket(&c, &format!("acme-scan-{i:02}")).await;
    }
    let mut d = Driver::headless(support::clients(&emu).await, &emu.endpoint(), None, |r| {
        r.concurrency = 4
    })
    .await;
    d.until("the scan to be under way", 60, |s| s.scan.done >= 2)
        .await;
    // The emulator goes away mid-scan.
    fault(&emu, "down");
    d.until("the scan to end", 120, |s| !s.scan.running).await;
    assert!(!d.state.quit, "the console stays up");
    let unknown = d
        .state
        .buckets
        .iter()
        .filter(|b| b.assessment.verdict == warroom::model::exposure::Verdict::Unknown)
        .count();
    let said = d.state.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(
        unknown > 0 || d.state.buckets.len() < 24 || said.contains("scan stopped"),
        "the outage shows: {unknown} unknown, {} buckets, status {said:?}",
        d.state.buckets.len()
    );
    // Back: r rescans, and every verdict is known.
    fault(&emu, "ok");
    d.key('r');
    d.until("the rescan", 120, |s| !s.scan.running && s.scan.done == 24)
        .await;
    assert_eq!(d.state.buckets.len(), 24);
    assert!(
        d.state
            .buckets
            .iter()
            .all(|b| b.assessment.verdict == warroom::model::exposure::Verdict::Private),
        "{:?}",
        d.state
            .buckets
            .iter()
            .map(|b| (&b.facts.name, b.assessment.verdict))
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_gone_mid_restore_then_back_restores_every_key_once() {
    const BUCKET: &str = "acme-ransomed";
    const KEYS: u64 = 1500;
    let emu = start(&[
        ("WARROOM_COUNT_REQUESTS", "1"),
        ("WARROOM_BULK", "1"),
        ("WARROOM_LATENCY_MS", "40"),
    ]);
    let c = support::clients(&emu).await;
    support::create_bucket(&c, BUCKET).await;
    c.s3.put_bucket_versioning()
        .bucket(BUCKET)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
    // Every key good, then (a second later) every key encrypted for ransom.
    support::bulk_put(&emu, BUCKET, "o/{i}", "good {i}", 0, KEYS);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let clean_at = warroom::time::now_secs();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    support::bulk_put(&emu, BUCKET, "o/{i}", "ransom {i}", 0, KEYS);

    let dir = tempfile::tempdir().expect("tempdir");
    let incident = Arc::new(Mutex::new(
        warroom::incident::Incident::open(Some(dir.path())).expect("incident"),
    ));
    let mut d = scanned_console(&emu, incident.clone(), dir.path()).await;
    let restore = |d: &mut Driver| {
        d.key('R');
        let prompt = d.state.prompt.as_mut().expect("the restore prompt");
        prompt.text = warroom::time::iso_time(clean_at);
        d.code(crossterm::event::KeyCode::Enter);
    };
    restore(&mut d);
    d.answer("pit-restore").await;
    gone_after_batches(&mut d, &emu, 200).await;
    let copies = |emu: &Emulator| -> Vec<(String, u64)> {
        support::request_counts(emu)
            .into_iter()
            .filter(|(k, _)| k.starts_with(&format!("PUT /{BUCKET}/o/")))
            .collect()
    };
    let before = copies(&emu).len();
    assert!(
        (1..KEYS as usize).contains(&before),
        "the emulator went away part-way ({before} restored)"
    );

    // It comes back: the same restore, asked again, finishes the rest.
    fault(&emu, "ok");
    restore(&mut d);
    d.confirm("pit-restore").await;

    let copies = copies(&emu);
    assert!(
        copies.iter().all(|(_, n)| *n == 1),
        "restored twice: {copies:?}"
    );
    assert_eq!(copies.len(), KEYS as usize, "every key restored once");
    // Read back: each key's current version holds its good bytes (the
    // same ETag as its first version).
    type Version = (i64, bool, String);
    let mut versions: std::collections::BTreeMap<String, Vec<Version>> = Default::default();
    let (mut key_marker, mut version_marker) = (None, None);
    loop {
        let page =
            c.s3.list_object_versions()
                .bucket(BUCKET)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .expect("versions");
        for v in page.versions() {
            versions
                .entry(v.key().unwrap_or_default().to_string())
                .or_default()
                .push((
                    v.last_modified().map_or(0, |t| t.secs()),
                    v.is_latest().unwrap_or(false),
                    v.e_tag().unwrap_or_default().to_string(),
                ));
        }
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
    }
    assert_eq!(versions.len(), KEYS as usize);
    for (key, vs) in &mut versions {
        // Oldest first: good, ransom, restored (the current one).
        vs.sort();
        assert_eq!(vs.len(), 3, "{key}: {vs:?}");
        assert!(vs[2].1, "{key}: {vs:?}");
        assert_eq!(vs[2].2, vs[0].2, "{key} holds its good bytes again");
        assert_ne!(vs[1].2, vs[0].2);
    }
    let report = warroom::incident::verify::verify(dir.path()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert!(
        report.entries.iter().any(|e| e.kind == "action_failed"),
        "the failure is journaled"
    );
}
