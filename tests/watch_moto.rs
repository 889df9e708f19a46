//! `warroom watch` end to end against moto: a watch recorded in an incident
//! (its cutoff 50 minutes ago, so one poll makes it final), and trail log
//! files in the exact delivery layout holding uses of the revoked key.
//! A successful use makes the verdict ACTIVITY and the exit code 3; denied
//! uses only leave it CLEAN (exit 0). LookupEvents is not served by moto;
//! the watch says so and goes on with the log files.

mod support;

use aws_sdk_s3::primitives::ByteStream;
use support::*;
use warroom::model::watch::Target;

use warroom::time::iso_time as iso;

fn use_of(id: &str, at: i64, key: &str, error: Option<&str>) -> String {
    let err = error
        .map(|e| format!(r#","errorCode":"{e}""#))
        .unwrap_or_default();
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci","accountId":"123456789012","accessKeyId":"{key}"}},"eventTime":"{}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"185.220.101.7","requestParameters":{{"bucketName":"acme-customer-exports","key":"a.csv"}},"eventID":"{id}","readOnly":true,"eventCategory":"Data"{err}}}"#,
        iso(at)
    )
}

/// A trail writing to `trail-logs`, and an incident with a watch on
/// AKIAWATCHEDKEY000001 revoked at `cutoff`.
async fn watched_incident(
    c: &warroom::aws::Clients,
    cutoff: i64,
) -> (tempfile::TempDir, std::path::PathBuf) {
    watched_incident_for(c, cutoff, Default::default()).await
}

async fn watched_incident_for(
    c: &warroom::aws::Clients,
    cutoff: i64,
    timing: warroom::model::watch::Timing,
) -> (tempfile::TempDir, std::path::PathBuf) {
    create_bucket(c, "trail-logs").await;
    warroom::aws::seed::create_logging_trail(c, "main", "trail-logs", "acme-customer-exports")
        .await
        .expect("trail");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    let mut inc = warroom::incident::Incident::open(Some(&dir)).expect("incident");
    warroom::watch::start(
        &mut inc,
        Target::AccessKey {
            key_id: "AKIAWATCHEDKEY000001".into(),
        },
        Some("123456789012".into()),
        cutoff,
        "A2",
        timing,
    )
    .expect("watch");
    (tmp, dir)
}

/// A log file in the delivery layout for the day of `at`, named for the
/// window `stamp` (HHMM).
async fn put_log(c: &warroom::aws::Clients, at: i64, stamp: &str, records: &[String]) {
    let (y, m, d) = warroom::time::days_between(at, at)[0];
    c.s3.put_object()
        .bucket("trail-logs")
        .key(format!("AWSLogs/123456789012/CloudTrail/us-east-1/{y:04}/{m:02}/{d:02}/123456789012_CloudTrail_us-east-1_{y:04}{m:02}{d:02}T{stamp}Z_w.json.gz"))
        .body(ByteStream::from(
            warroom::model::trail::log_file_gz(records).expect("gzip"),
        ))
        .send()
        .await
        .expect("put");
}

async fn scenario(
    records: &[String],
) -> (std::process::Output, tempfile::TempDir, std::path::PathBuf) {
    let emu = start_moto();
    let c = clients(&emu).await;
    let cutoff = warroom::time::now_secs() - 50 * 60;
    let (tmp, dir) = watched_incident(&c, cutoff).await;
    let records: Vec<String> = records
        .iter()
        .map(|r| r.replace("CUTOFF+5", &iso(cutoff + 300)))
        .collect();
    put_log(&c, cutoff + 300, "0000", &records).await;
    let out = run_watch(&emu, &dir);
    (out, tmp, dir)
}

/// `warroom watch` on the incident, to the end (LookupEvents not retried:
/// moto does not serve it).
fn run_watch(emu: &warroom::emulator::Emulator, dir: &std::path::Path) -> std::process::Output {
    warroom(emu)
        .args([
            "--incident",
            dir.to_str().expect("utf8"),
            "watch",
            "--every",
            "5",
        ])
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .expect("run")
}

fn verdicts(dir: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .expect("journal")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["kind"] == "watch_verdict")
        .map(|e| e["data"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_use_after_revocation_is_activity_and_exit_code_3() {
    // Placeholder times are filled in relative to the cutoff.
    let ok = use_of("used", 0, "AKIAWATCHEDKEY000001", None).replace(&iso(0), "CUTOFF+5");
    let other = use_of("other", 0, "AKIAOTHERKEY00000001", None).replace(&iso(0), "CUTOFF+5");
    let (out, _tmp, dir) = scenario(&[ok, other]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stdout.contains("ALERT W1"), "{stdout}");
    assert!(
        stdout.contains("LookupEvents"),
        "moto's 500 is reported: {stdout}"
    );
    let v = verdicts(&dir);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["verdict"], "activity");
    assert_eq!(v[0]["succeeded"], 1, "the other key's use is not counted");
    assert!(
        v[0]["evidence"]["file"].is_string(),
        "the supporting events are evidence"
    );
    let r = warroom::incident::verify::verify(&dir).expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_denied_uses_are_clean_and_exit_code_0() {
    let denied = use_of(
        "denied",
        0,
        "AKIAWATCHEDKEY000001",
        Some("InvalidAccessKeyId"),
    )
    .replace(&iso(0), "CUTOFF+5");
    let (out, _tmp, dir) = scenario(&[denied]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let v = verdicts(&dir);
    assert_eq!(v[0]["verdict"], "clean");
    assert_eq!(v[0]["denied"], 1);
    assert!(
        v[0]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("not every source")),
        "a clean verdict says which source it could not read: {}",
        v[0]["summary"]
    );
}

/// It survives the SSH session dropping: the watch process is killed with
/// SIGHUP (as a dropped session does), more events arrive while nothing
/// runs (one of them a re-delivery of an event already counted), and a new
/// process on the same incident picks up with the right remaining time and
/// counts each use exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_resumes_after_sighup_without_gaps_or_double_counting() {
    let emu = start_moto();
    let c = clients(&emu).await;
    let now = warroom::time::now_secs();
    let cutoff = now - 60;
    let (_tmp, dir) = watched_incident(&c, cutoff).await;
    let first = use_of(
        "e1",
        cutoff + 10,
        "AKIAWATCHEDKEY000001",
        Some("AccessDenied"),
    );
    put_log(&c, now, "0001", std::slice::from_ref(&first)).await;
    let watch = || {
        let mut cmd = warroom(&emu);
        cmd.args(["--incident", dir.to_str().expect("utf8")])
            .args(["watch", "--json", "--every", "5"])
            .env("AWS_MAX_ATTEMPTS", "1")
            .stderr(std::process::Stdio::null());
        default_sighup(&mut cmd).spawn().expect("spawn")
    };
    // Run until the first status line, then hang up on it.
    let status_of = |child: &mut std::process::Child| -> serde_json::Value {
        let line = line_within(child, "a status line from `warroom watch`", 120, |l| {
            l.contains("\"type\":\"status\"")
        });
        serde_json::from_str(&line).expect("json")
    };
    let mut child = watch();
    let s1 = status_of(&mut child);
    assert_eq!(s1["watch"]["denied"], 1);
    std::process::Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("kill");
    wait_within(&mut child, "`warroom watch` to end after SIGHUP", 30);

    // While nothing runs: a new use, and the first one delivered again.
    let second = use_of(
        "e2",
        cutoff + 20,
        "AKIAWATCHEDKEY000001",
        Some("AccessDenied"),
    );
    put_log(&c, now, "0002", &[second, first]).await;

    let mut child = watch();
    let s2 = status_of(&mut child);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(s2["watch"]["denied"], 2, "e2 counted, e1 not twice: {s2}");
    // The remaining time runs from the recorded cutoff, not from the restart.
    let final_left = s2["status"]["final_left"].as_i64().expect("final_left");
    let expected = cutoff + 45 * 60 - warroom::time::now_secs();
    assert!(
        (final_left - expected).abs() <= 10,
        "{final_left} vs {expected}"
    );
    let uses = std::fs::read_to_string(dir.join("journal.jsonl"))
        .expect("journal")
        .lines()
        .filter(|l| l.contains("\"watch_use\""))
        .count();
    assert_eq!(uses, 2, "each use journaled once");
    let r = warroom::incident::verify::verify(&dir).expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
}

/// The one successful use sits behind 2,500 other log files (a flood, or a
/// backlog): more than one poll reads. The watch, final by its clock from
/// the first poll, holds its verdict until the backlog is read, and finds
/// the use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_use_behind_a_flood_of_log_files_is_found_before_the_verdict() {
    let emu =
        warroom::emulator::Emulator::start(&python(), &[("WARROOM_BULK", "1")]).expect("moto");
    let c = clients(&emu).await;
    let cutoff = warroom::time::now_secs() - 50 * 60;
    let (_tmp, dir) = watched_incident(&c, cutoff).await;
    let at = cutoff + 300;
    let (y, m, d) = warroom::time::days_between(at, at)[0];
    let filler = use_of("f{i}", at, "AKIAOTHERKEY00000001", None);
    bulk_put(
        &emu,
        "trail-logs",
        &format!(
            "AWSLogs/123456789012/CloudTrail/us-east-1/{y:04}/{m:02}/{d:02}/123456789012_CloudTrail_us-east-1_{y:04}{m:02}{d:02}T0000Z_{{i}}.json.gz"
        ),
        &format!(r#"{{"Records":[{filler}]}}"#),
        0,
        2_500,
    );
    // Named for a later window: it sorts after every filler.
    put_log(
        &c,
        at,
        "0001",
        &[use_of("used", at, "AKIAWATCHEDKEY000001", None)],
    )
    .await;
    let out = run_watch(&emu, &dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    let v = verdicts(&dir);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0]["verdict"], "activity");
    assert_eq!(v[0]["succeeded"], 1);
}

/// The attacker stops the trail that logs the bucket's data events inside
/// the window (a short one here: 20 s and 2 s of allowance, so the test
/// waits for the verdict in real time): the watch has only denied uses to
/// count, but it must not read CLEAN — it ends UNCONFIRMED (exit code 4),
/// journals why and since when, and the verdict's summary says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_whose_trail_stopped_logging_is_unconfirmed_never_clean() {
    let emu = start_moto();
    let c = clients(&emu).await;
    let cutoff = warroom::time::now_secs() - 5;
    let timing = warroom::model::watch::Timing {
        window_secs: 20,
        allowance_secs: 2,
    };
    let (_tmp, dir) = watched_incident_for(&c, cutoff, timing).await;
    let denied = use_of(
        "denied",
        cutoff + 1,
        "AKIAWATCHEDKEY000001",
        Some("InvalidAccessKeyId"),
    );
    put_log(&c, cutoff + 1, "0000", &[denied]).await;
    c.cloudtrail_in("us-east-1")
        .stop_logging()
        .name("main")
        .send()
        .await
        .expect("stop logging");
    let out = run_watch(&emu, &dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{stdout}");
    assert!(
        stdout.contains("BLIND W1") && stdout.contains("trail main is not logging"),
        "{stdout}"
    );
    let v = verdicts(&dir);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["verdict"], "unconfirmed", "{:?}", v[0]);
    assert_eq!(v[0]["denied"], 1, "the denied use is still counted");
    assert!(
        v[0]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("not confirmed: trail main is not logging")),
        "{}",
        v[0]["summary"]
    );
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal");
    let blind: Vec<serde_json::Value> = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["kind"] == "watch_blind")
        .collect();
    assert_eq!(blind.len(), 1, "journaled once, not every round");
    let since = blind[0]["data"]["since"].as_i64().expect("since");
    assert!(
        since > cutoff && since <= warroom::time::now_secs(),
        "since the trail's StopLoggingTime: {since}"
    );
    // Replayed (the console re-opened), the watch is still unconfirmed.
    let entries = warroom::incident::Incident::open(Some(&dir))
        .expect("incident")
        .all_entries()
        .expect("entries");
    let replayed = warroom::watch::replay(&entries);
    assert!(replayed[0].0.blind.is_some());
    assert_eq!(replayed[0].1.as_deref(), Some("unconfirmed"));
}
