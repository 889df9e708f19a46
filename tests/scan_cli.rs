//! `warroom scan` as a pipeline sees it: the real binary against moto, its
//! exit codes, its JSON, and that hostile text never reaches the terminal raw.

mod support;

use std::process::{Command, Output};

use support::*;
use warroom::emulator::Emulator;

fn warroom(emu_endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["--endpoint-url", emu_endpoint, "--region", REGION])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .expect("run warroom")
}

async fn seeded() -> Emulator {
    let emu = start_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "cli-private").await;
    create_bucket(&c, "cli-public").await;
    put_policy(&c, "cli-public", r#"{"Statement":[{"Sid":"evil\u001b]0;pwned\u0007\u202e","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cli-public/*"}]}"#).await;
    emu
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_and_exit_codes() {
    let emu = seeded().await;
    let out = warroom(&emu.endpoint(), &["scan", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "something is public: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["caller"]["account"], ACCOUNT);
    assert_eq!(doc["summary"]["public"], 1);
    assert_eq!(doc["summary"]["private"], 1);
    let first = &doc["buckets"][0];
    assert_eq!(first["name"], "cli-public");
    assert_eq!(first["verdict"], "public");
    assert_eq!(first["reasons"][0]["severity"], "public");
    assert_eq!(first["reasons"][0]["source"], "policy");
    assert_eq!(first["region"]["known"], REGION);
    // The hostile Sid survives as data, escaped, never as raw bytes.
    let raw = String::from_utf8(out.stdout.clone()).expect("utf8");
    assert!(!raw.contains('\u{1b}') && !raw.contains('\u{7}') && !raw.contains('\u{202e}'));
    assert!(
        first["reasons"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("evil\u{1b}]0;pwned")
    );

    // Limited to the private bucket: nothing public, exit 0.
    let out = warroom(
        &emu.endpoint(),
        &["scan", "--bucket", "cli-private", "--json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["buckets"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_output_renders_hostile_text_inert() {
    let emu = seeded().await;
    let out = warroom(&emu.endpoint(), &["scan"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && warroom::sanitize::is_dangerous(c)),
        "{text:?}"
    );
    assert!(text.contains("evil\\x1b]0;pwned\\x07\\u{202e}"), "{text}");
    assert!(text.contains("PUBLIC") && text.contains("cli-public"));
}

#[test]
fn unreachable_endpoint_is_an_error_exit_2() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let out = warroom(&format!("http://127.0.0.1:{port}"), &["scan", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("still one JSON document");
    assert_eq!(doc["error"]["code"], "ConnectionFailed");
}

/// Exit code 2 and exactly one line on stderr, which is returned.
fn one_line_exit_2(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

/// User errors are one plain line and exit 2: no SDK Debug dump, no
/// colour-eyre report with a source location, even with RUST_BACKTRACE set.
#[test]
fn user_errors_are_one_plain_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["--region", REGION, "scan"])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run");
    let err = one_line_exit_2(&out);
    assert!(err.contains("no AWS credentials found"), "{err}");
    assert!(err.contains("--profile"), "{err}");
    assert!(!err.contains("DispatchFailure"), "{err}");
    assert!(out.stdout.is_empty(), "no empty report");

    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["scan"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run");
    let err = one_line_exit_2(&out);
    assert!(err.contains("no AWS region"), "{err}");
    assert!(!err.contains("Location"), "{err}");
}

#[test]
fn bad_input_is_refused_politely() {
    let out = warroom("http://127.0.0.1:9", &["scan", "--bucket", "Not_A_Bucket"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a valid bucket name"), "{err}");

    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["--endpoint-url", "localhost:5000", "scan"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must start with http://"));
}

#[test]
fn help_and_completions() {
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .arg("--help")
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--profile",
        "--region",
        "--endpoint-url",
        "--read-only",
        "--incident",
        "scan",
        "completions",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["completions", "bash"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("_warroom"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_with_incident_journals_session_and_snapshot_that_resume_restores() {
    use warroom::incident::{Incident, verify::verify};
    use warroom::tui::app::{Context, State};
    use warroom::tui::keymap::Keymap;

    let emu = seeded().await;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("incident");
    let dir_str = dir.to_str().expect("utf8 path");
    let out = warroom(&emu.endpoint(), &["--incident", dir_str, "scan", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("(new)"));

    let report = verify(&dir).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    let kinds: Vec<&str> = report.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["session_start", "scan_snapshot", "session_end"]);
    let start = &report.entries[0].data;
    assert_eq!(start["caller"]["account"], ACCOUNT);
    assert_eq!(start["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(report.entries[1].data["counts"]["public"], 1);

    // A second session on the same directory resumes and sees the snapshot.
    let incident = Incident::open(Some(&dir)).expect("resume");
    let (snapshot, _time) = warroom::scan::last_snapshot(&incident)
        .expect("a snapshot")
        .expect("readable");
    let mut names: Vec<&str> = snapshot.buckets.iter().map(|b| b.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["cli-private", "cli-public"]);
    let mut state = State::new(Context::default(), Keymap::defaults(), true, (80, 24));
    state.restore(snapshot, "earlier");
    assert_eq!(
        state.buckets[0].facts.name, "cli-public",
        "restored rows are judged again, worst first"
    );
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("restored 2 buckets"))
    );
}

#[test]
fn a_bad_playbook_file_is_refused_with_its_line_and_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("mine.toml");
    std::fs::write(
        &path,
        "[[part]]\nid = \"a\"\ntitle = \"A\"\n\n[[part.step]]\nid = \"s\"\ntitle = \"S\"\nguidance = \"g\"\ncheck = \"bucket_is_fine\"\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args([
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .args(["--incident", tmp.path().join("inc").to_str().expect("utf8")])
        .arg("--playbook")
        .arg(&path)
        .env("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mine.toml:9:9: unknown check \"bucket_is_fine\""),
        "{err}"
    );
    // Refused before anything started: no incident directory was made.
    assert!(!tmp.path().join("inc").exists());
}

/// `warroom trail --file` as the README shows it: many paths from one glob,
/// a log file saved pretty-printed, a gzip'd one, a digest file among them;
/// `--json` gives exactly one parseable line per event.
#[test]
fn trail_files_from_a_glob_give_one_json_line_per_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pretty = dir
        .path()
        .join("111122223333_CloudTrail_us-east-1_20261122T1000Z_a.json");
    std::fs::write(
        &pretty,
        r#"{
  "Records": [
    {
      "eventVersion": "1.09",
      "userIdentity": {
        "type": "AWSAccount",
        "principalId": "",
        "accountId": "anonymous"
      },
      "eventTime": "2026-11-22T10:00:00Z",
      "eventSource": "s3.amazonaws.com",
      "eventName": "GetObject",
      "awsRegion": "us-east-1",
      "sourceIPAddress": "203.0.113.9",
      "requestParameters": {
        "bucketName": "acme-customer-exports",
        "key": "a.csv"
      },
      "eventID": "pretty-1",
      "eventCategory": "Data"
    },
    {
      "eventTime": "2026-11-22T10:01:00Z",
      "eventSource": "dynamodb.amazonaws.com",
      "eventName": "GetItem",
      "requestParameters": {"tableName": "Music", "key": {"Artist": "X"}},
      "eventID": "pretty-2",
      "eventCategory": "Data"
    }
  ]
}
"#,
    )
    .expect("write");
    let gz = dir
        .path()
        .join("111122223333_CloudTrail_us-east-1_20261122T1005Z_b.json.gz");
    std::fs::write(
        &gz,
        warroom::model::trail::log_file_gz(&[r#"{"eventTime":"2026-11-22T10:05:00Z","eventName":"PutObject","eventID":"gz-1","requestParameters":{"bucketName":"acme-customer-exports","key":"b.csv"}}"#.to_string()])
            .expect("gz"),
    )
    .expect("write");
    let digest = dir
        .path()
        .join("111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261122T1100Z.json.gz");
    std::fs::write(&digest, b"not read").expect("write");

    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["trail", "--json", "--file"])
        .args([&pretty, &gz, &digest])
        .output()
        .expect("run warroom");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "one line per event:\n{stdout}");
    let ids: Vec<String> = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert_eq!(v["record"]["eventID"], v["event_id"], "{l}");
            v["event_id"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(ids, ["pretty-1", "pretty-2", "gz-1"]);
    assert!(stderr.contains("digest file"), "{stderr}");
    assert!(
        stderr.contains("requestParameters.key is an object"),
        "{stderr}"
    );
}

/// `warroom ledger` over a delivered log file (gzip'd, pretty-printed, as
/// CloudTrail writes them): anonymous and cross-account reads with their
/// bytes out are the ledger; the account's own analyst is not; a refused
/// read is counted apart; a key that a spreadsheet would run as a formula
/// is made text in the CSV; bad input is refused in one line.
#[test]
fn the_ledger_says_what_left_and_to_whom_from_log_files() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tmp");
    let rec = |id: &str, who: &str, key: &str, extra: &str| {
        format!(
            r#"{{"eventVersion":"1.09","eventID":"{id}","eventTime":"2026-11-22T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventCategory":"Data","readOnly":true,"sourceIPAddress":"185.220.101.7","userAgent":"curl/8.4","userIdentity":{who},"requestParameters":{{"bucketName":"acme-exports","key":"{key}"}},"additionalEventData":{{"bytesTransferredOut":2048}}{extra}}}"#
        )
    };
    let anon = r#"{"type":"AWSAccount","principalId":"","accountId":"anonymous"}"#;
    let partner = r#"{"type":"AssumedRole","arn":"arn:aws:sts::999988887777:assumed-role/x/y","accountId":"999988887777"}"#;
    let staff = r#"{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/analyst","accountId":"123456789012"}"#;
    let records = [
        rec("1", anon, "exports/customers.csv", ""),
        rec("2", anon, "exports/customers.csv", ""),
        rec("3", partner, "=HYPERLINK(1).csv", ""),
        rec("4", staff, "exports/payroll.csv", ""),
        rec(
            "5",
            anon,
            "exports/denied.csv",
            r#","errorCode":"AccessDenied""#,
        ),
    ];
    let body = format!(
        "{{\n  \"Records\": [\n    {}\n  ]\n}}\n",
        records.join(",\n    ")
    );
    let path = dir
        .path()
        .join("123456789012_CloudTrail_us-east-1_20261122T1000Z_x.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).expect("gzip");
    std::fs::write(&path, gz.finish().expect("gzip")).expect("write");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "ledger",
            "--file",
            path.to_str().expect("path"),
            "--account",
            "123456789012",
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args(&args)
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .output()
            .expect("run")
    };
    let out = run(&["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let objects = v["objects"].as_array().expect("objects");
    assert_eq!(objects.len(), 2, "{v}");
    let customers = objects
        .iter()
        .find(|o| o["key"] == "exports/customers.csv")
        .expect("the anonymous reads");
    assert_eq!(
        (customers["reads"].as_u64(), customers["bytes_out"].as_u64()),
        (Some(2), Some(4096))
    );
    assert_eq!(v["denied"], 1);
    assert_eq!(v["data_events"], 5);
    let csv = String::from_utf8(run(&["--csv"]).stdout).expect("utf8");
    assert!(csv.contains("acme-exports,'=HYPERLINK(1).csv,"), "{csv}");
    assert!(!csv.contains("payroll"), "the analyst is authorised: {csv}");
    let text = run(&[]);
    let said = String::from_utf8_lossy(&text.stderr);
    assert!(
        said.contains("2 object(s) touched by unauthorised principals, 6144 B out"),
        "{said}"
    );
    assert!(said.contains("unknown, not zero"), "{said}");
    let bad = run(&["--mark-ip", "not-an-ip"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an IP address"));

    // From an incident: the account from its journal, the events from the
    // trail files it preserved as evidence.
    let inc = dir.path().join("inc");
    let mut incident = warroom::incident::Incident::open(Some(&inc)).expect("incident");
    incident
        .record(
            "session_start",
            serde_json::json!({"summary": "t", "caller": {"arn": "arn:aws:iam::123456789012:user/r", "account": "123456789012"}}),
        )
        .expect("session");
    let ledger_in = |inc: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args([
                "--incident",
                inc.to_str().expect("path"),
                "ledger",
                "--json",
            ])
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .output()
            .expect("run")
    };
    let none = ledger_in(&inc);
    assert_eq!(none.status.code(), Some(2), "nothing preserved yet");
    assert!(String::from_utf8_lossy(&none.stderr).contains("no preserved trail events"));
    let gz = warroom::model::trail::log_file_gz(&records).expect("gz");
    let evidence = incident.store_evidence(&gz, "json.gz").expect("evidence");
    incident
        .record(
            "trail_preserved",
            serde_json::json!({"summary": "preserved", "count": records.len(), "evidence": evidence}),
        )
        .expect("preserved");
    let out = ledger_in(&inc);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["objects"].as_array().map(Vec::len), Some(2), "{v}");
}
