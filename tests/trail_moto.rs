//! Trail log files in S3, against moto: files written in CloudTrail's exact
//! delivery layout and record format (a plain trail and an organisation
//! trail), with a digest file to skip, a truncated gzip, a record with
//! control characters and a 1 MB request-parameters blob. Every good record
//! is read exactly once across repeated polls; the bad file is reported,
//! not fatal. And trail discovery says which bucket's reads are logged.

mod support;

use std::io::Write;

use aws_sdk_s3::primitives::ByteStream;
use support::*;
use warroom::aws::trail::{Budget, LogReader, discover_trails};
use warroom::emulator::Emulator;
use warroom::model::trail::TrailInfo;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("write");
    e.finish().expect("finish")
}

fn record(id: &str, name: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AWSAccount","principalId":"","accountId":"anonymous"}},"eventTime":"2026-11-22T10:0{}:00Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"curl/8.0","requestParameters":{{"bucketName":"acme-customer-exports","Host":"acme-customer-exports.s3.amazonaws.com","key":"exports/2026.csv"{extra}}},"responseElements":null,"additionalEventData":{{"bytesTransferredOut":1048576}},"requestID":"R{id}","eventID":"{id}","readOnly":true,"resources":[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::acme-customer-exports/exports/2026.csv"}},{{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::acme-customer-exports"}}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}}"#,
        id.len() % 10
    )
}

fn log_file(records: &[String]) -> Vec<u8> {
    gz(format!(r#"{{"Records":[{}]}}"#, records.join(",")).as_bytes())
}

async fn put(c: &warroom::aws::Clients, bucket: &str, key: &str, body: Vec<u8>) {
    c.s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
}

fn trail(prefix: Option<&str>) -> TrailInfo {
    TrailInfo {
        name: "t".into(),
        arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/t".into(),
        home_region: Some(REGION.into()),
        bucket: Some("trail-logs".into()),
        prefix: prefix.map(str::to_string),
        organisation: prefix.is_some(),
        multi_region: true,
        logging: Some(true),
        stopped_at: None,
        data: Vec::new(),
    }
}

const DAY: (i32, u32, u32) = (2026, 11, 22);
const DIR: &str = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_good_record_is_read_once_and_bad_files_are_reported() {
    let emu = start_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "trail-logs").await;
    let hostile =
        record("hostile", "GetObject", "").replace("curl/8.0", "curl\\u001b]0;owned\\u0007");
    let blob = "x".repeat(1024 * 1024);
    let big = record("big-params", "PutObject", &format!(r#","blob":"{blob}""#));
    put(
        &c,
        "trail-logs",
        &format!("{DIR}123456789012_CloudTrail_us-east-1_20261122T1000Z_aaaa.json.gz"),
        log_file(&[record("g1", "GetObject", ""), hostile, big]),
    )
    .await;
    // A digest file in the same folder, and a truncated delivery.
    put(
        &c,
        "trail-logs",
        &format!(
            "{DIR}123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20261122T1000Z.json.gz"
        ),
        gz(br#"{"awsAccountId":"123456789012","digestStartTime":"x"}"#),
    )
    .await;
    let whole = log_file(&[record("lost", "GetObject", "")]);
    put(
        &c,
        "trail-logs",
        &format!("{DIR}123456789012_CloudTrail_us-east-1_20261122T1005Z_bbbb.json.gz"),
        whole[..whole.len() / 2].to_vec(),
    )
    .await;
    // An organisation trail under its own prefix: AWSLogs/o-…/<account>/….
    put(&c, "trail-logs", "org/AWSLogs/o-exampleorg1/111122223333/CloudTrail/us-east-1/2026/11/22/111122223333_CloudTrail_us-east-1_20261122T1000Z_cccc.json.gz",
        log_file(&[record("org1", "GetObject", "")])).await;

    let regions = vec![REGION.to_string()];
    let mut reader = LogReader::new(&trail(None)).expect("reader");
    let first = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
    let mut ids: Vec<&str> = first.events.iter().map(|e| e.event_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["big-params", "g1", "hostile"]);
    assert_eq!(first.files, 2, "the digest is skipped");
    assert_eq!(first.problems.len(), 1, "{:?}", first.problems);
    assert!(first.problems[0].key.ends_with("bbbb.json.gz"));
    let hostile = first
        .events
        .iter()
        .find(|e| e.event_id == "hostile")
        .expect("read");
    assert!(
        hostile
            .user_agent
            .as_deref()
            .is_some_and(|u| u.contains('\u{1b}')),
        "kept verbatim as evidence"
    );
    let drawn = warroom::sanitize::clean(hostile.user_agent.as_deref().unwrap_or_default());
    assert!(!drawn.contains('\u{1b}'), "and inert when drawn: {drawn}");
    assert_eq!(hostile.actor.label(), "anonymous");

    // Polling again reads nothing twice, and the bad file is not re-reported.
    let second = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
    assert!(second.events.is_empty(), "{:?}", second.events.len());
    assert!(second.problems.is_empty());
    // A new delivery is read, and only it.
    put(
        &c,
        "trail-logs",
        &format!("{DIR}123456789012_CloudTrail_us-east-1_20261122T1010Z_dddd.json.gz"),
        log_file(&[record("g2", "GetObject", "")]),
    )
    .await;
    let third = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
    assert_eq!(
        third
            .events
            .iter()
            .map(|e| e.event_id.as_str())
            .collect::<Vec<_>>(),
        ["g2"]
    );

    // A file delivered late, named for an earlier window than the last one
    // read, is still read (and only it).
    put(
        &c,
        "trail-logs",
        &format!("{DIR}123456789012_CloudTrail_us-east-1_20261122T1008Z_eeee.json.gz"),
        log_file(&[record("late", "GetObject", "")]),
    )
    .await;
    let fourth = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
    assert_eq!(
        fourth
            .events
            .iter()
            .map(|e| e.event_id.as_str())
            .collect::<Vec<_>>(),
        ["late"]
    );

    let mut org = LogReader::new(&trail(Some("org"))).expect("reader");
    let got = org.poll(&c, &regions, &[DAY]).await.expect("poll");
    assert_eq!(
        got.events
            .iter()
            .map(|e| e.event_id.as_str())
            .collect::<Vec<_>>(),
        ["org1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_says_which_buckets_have_their_reads_logged() {
    let emu = start_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "trail-logs").await;
    warroom::aws::seed::create_logging_trail(
        &c,
        "data-trail",
        "trail-logs",
        "acme-customer-exports",
    )
    .await
    .expect("trail");
    let trails = discover_trails(&c).await.expect("discover");
    let t = trails
        .iter()
        .find(|t| t.name == "data-trail")
        .expect("found");
    assert_eq!(t.bucket.as_deref(), Some("trail-logs"));
    assert!(t.logs_reads_of("acme-customer-exports"), "{t:?}");
    assert!(!t.logs_reads_of("acme-payroll-private"));
}

/// `warroom trail --json`: NDJSON of the matching events, strings safe for
/// a terminal, LookupEvents' failure (moto answers it with HTTP 500) on
/// stderr, and the log files still read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trail_command_prints_matching_events_as_ndjson() {
    let emu = start_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "trail-logs").await;
    c.cloudtrail_in(REGION)
        .create_trail()
        .name("main")
        .s3_bucket_name("trail-logs")
        .send()
        .await
        .expect("trail");
    let now = warroom::time::now_secs();
    let (y, m, d) = warroom::time::days_between(now, now)[0];
    let dir = format!("AWSLogs/123456789012/CloudTrail/us-east-1/{y:04}/{m:02}/{d:02}/");
    let hostile =
        record("hostile", "GetObject", "").replace("curl/8.0", "curl\\u001b]0;owned\\u0007");
    let mut other = record("other", "GetObject", "");
    other = other.replace("acme-customer-exports", "somewhere-else");
    put(
        &c,
        "trail-logs",
        &format!("{dir}123456789012_CloudTrail_us-east-1_{y:04}{m:02}{d:02}T0000Z_x.json.gz"),
        log_file(&[
            record("g1", "GetObject", r#","sessionToken":"IQoSECRETTOKEN""#),
            hostile,
            other,
        ]),
    )
    .await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["--endpoint-url", &emu.endpoint(), "--region", REGION])
        .args([
            "trail",
            "--since",
            "2d",
            "--bucket",
            "acme-customer-exports",
            "--json",
        ])
        .env("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let ids: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["event_id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{stdout}");
    assert!(ids.contains(&"g1") && ids.contains(&"hostile"));
    assert!(!stdout.contains('\u{1b}'), "escapes are written as \\u001b");
    assert!(
        !stdout.contains("IQoSECRETTOKEN"),
        "no session token is printed"
    );
    assert!(
        lines.iter().all(|l| l["record"]["eventID"].is_string()),
        "the record rides along"
    );
    assert!(stderr.contains("LookupEvents"), "{stderr}");
    assert!(stderr.contains("no trail logs S3 data events"), "{stderr}");
}

/// Preserving the filtered events: one gzip'd file in CloudTrail's own
/// format in `evidence/`, its hash in the journal, the chain still valid,
/// and the file reads back to the same events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preserved_events_are_evidence_that_reads_back() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    let incident =
        tokio::sync::Mutex::new(warroom::incident::Incident::open(Some(&dir)).expect("incident"));
    let records = vec![record("p1", "GetObject", ""), record("p2", "PutObject", "")];
    let summary = warroom::tail::preserve(&incident, &records, "bucket:acme-customer-exports")
        .await
        .expect("preserve");
    assert!(summary.contains("preserved 2"), "{summary}");
    let entries = incident.lock().await.all_entries().expect("entries");
    let entry = entries
        .iter()
        .rev()
        .find(|e| e.kind == "trail_preserved")
        .expect("journaled");
    let reference: warroom::incident::evidence::EvidenceRef =
        serde_json::from_value(entry.data["evidence"].clone()).expect("evidence ref");
    let bytes = incident
        .lock()
        .await
        .read_evidence(&reference)
        .expect("hash matches");
    let parsed =
        warroom::model::trail::parse_log_file(&warroom::aws::trail::gunzip(&bytes).expect("gzip"))
            .expect("CloudTrail format");
    let ids: Vec<&str> = parsed.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2"]);
    let r = warroom::incident::verify::verify(&dir).expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
}

/// moto with the launcher's bulk-put, request-count and fault hooks.
fn hooked_moto() -> Emulator {
    Emulator::start(
        &python(),
        &[
            ("WARROOM_BULK", "1"),
            ("WARROOM_COUNT_REQUESTS", "1"),
            ("WARROOM_FAULTS", "1"),
        ],
    )
    .expect("moto")
}

/// Log files `first..first + count` of the day's 10:00 window in the
/// emulator, each holding one record `b<number>`.
fn flood(emu: &Emulator, first: u64, count: u64) {
    let body = format!(r#"{{"Records":[{}]}}"#, record("b{i}", "GetObject", ""));
    bulk_put(
        emu,
        "trail-logs",
        &format!("{DIR}123456789012_CloudTrail_us-east-1_20261122T1000Z_{{i}}.json.gz"),
        &body,
        first,
        count,
    );
}

/// GETs of the day's objects, by key: how often each was fetched.
fn object_gets(emu: &Emulator) -> std::collections::HashMap<String, u64> {
    request_counts(emu)
        .into_iter()
        .filter(|(k, _)| k.starts_with(&format!("GET /trail-logs/{DIR}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_is_read_in_bounded_polls_every_file_once_and_in_order() {
    let emu = hooked_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "trail-logs").await;
    flood(&emu, 0, 2_500);
    // Objects that are not log files are listed, never fetched.
    bulk_put(
        &emu,
        "trail-logs",
        &format!("{DIR}000-not-a-log-{{i}}.txt"),
        "junk",
        0,
        300,
    );
    let regions = vec![REGION.to_string()];
    let mut reader = LogReader::new(&trail(None))
        .expect("reader")
        .with_budget(Budget {
            files: 1_000,
            pages: 3,
        });
    let mut ids = Vec::new();
    let mut polls = Vec::new();
    loop {
        // Only the first poll asks for the day (a caller past midnight asks
        // for today only): the reader finishes what it started anyway.
        let days: &[(i32, u32, u32)] = if polls.is_empty() { &[DAY] } else { &[] };
        let b = reader.poll(&c, &regions, days).await.expect("poll");
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        ids.extend(b.events.iter().map(|e| e.event_id.clone()));
        polls.push((b.files, b.more));
        assert_eq!(b.more, reader.behind());
        if !b.more {
            break;
        }
        assert!(polls.len() < 10, "no progress: {polls:?}");
    }
    assert_eq!(polls, [(1_000, true), (1_000, true), (500, false)]);
    let want: Vec<String> = (0..2_500).map(|i| format!("b{i:08}")).collect();
    assert!(ids == want, "every record once, in delivery order");
    let gets = object_gets(&emu);
    assert_eq!(gets.len(), 2_500, "only the log files were fetched");
    assert!(gets.values().all(|n| *n == 1), "none fetched twice");
    assert_eq!(reader.files_read, 2_500);

    // Caught up: a new delivery is read, and the 10:00 keys, which no
    // listing can return again, are forgotten (memory stays bounded).
    let new = format!("{DIR}123456789012_CloudTrail_us-east-1_20261122T1100Z_new.json.gz");
    put(
        &c,
        "trail-logs",
        &new,
        log_file(&[record("new", "GetObject", "")]),
    )
    .await;
    let b = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
    let got: Vec<&str> = b.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(got, ["new"]);
    assert_eq!(reader.remembered(), 1, "only the 11:00 key is remembered");
    // A late delivery within the rewind window is still read.
    let late = format!("{DIR}123456789012_CloudTrail_us-east-1_20261122T1045Z_late.json.gz");
    put(
        &c,
        "trail-logs",
        &late,
        log_file(&[record("late", "GetObject", "")]),
    )
    .await;
    let b = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
    let got: Vec<&str> = b.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(got, ["late"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_file_that_could_not_be_fetched_is_fetched_again_not_skipped() {
    let emu = hooked_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "trail-logs").await;
    flood(&emu, 0, 30);
    let regions = vec![REGION.to_string()];
    let mut reader = LogReader::new(&trail(None))
        .expect("reader")
        .with_budget(Budget {
            files: 10,
            pages: 5,
        });
    let first = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
    assert_eq!((first.files, first.more), (10, true));
    let mut ids: Vec<String> = first.events.iter().map(|e| e.event_id.clone()).collect();

    // The listing works, every object read is refused (as with a session
    // token that expired, or a KMS key the reader may not use).
    fault(
        &emu,
        &format!("expired&path=%2Ftrail-logs%2F{}", DIR.replace('/', "%2F")),
    );
    let refused = reader.poll(&c, &regions, &[DAY]).await;
    let e = refused.expect_err("nothing could be read: the poll fails");
    assert_eq!(e.code, "ExpiredToken", "{e:?}");
    assert!(reader.behind(), "the files refused are still to read");

    fault(&emu, "ok");
    loop {
        let b = reader.poll(&c, &regions, &[DAY]).await.expect("poll");
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        ids.extend(b.events.iter().map(|e| e.event_id.clone()));
        if !b.more {
            break;
        }
    }
    let want: Vec<String> = (0..30).map(|i| format!("b{i:08}")).collect();
    assert_eq!(ids, want, "nothing skipped, nothing twice");
}
