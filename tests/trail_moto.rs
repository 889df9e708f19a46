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
use warroom::aws::trail::{LogReader, discover_trails};
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
    let now = warroom::tail::now_secs();
    let (y, m, d) = warroom::aws::trail::days_between(now, now)[0];
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
