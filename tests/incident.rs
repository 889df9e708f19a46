//! The incident record: the journal's chain, head and evidence must expose
//! any edit, truncation or torn write, and a resumed incident continues the
//! same chain.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::json;
use warroom::incident::{Incident, IncidentError, is_private, journal, verify::verify};

fn sample(dir: &Path) {
    let mut i = Incident::open(Some(dir)).expect("new incident");
    i.record(
        "session_start",
        json!({"summary": "started", "caller": {"arn": "arn:aws:iam::123456789012:user/r"}}),
    )
    .expect("record");
    let ev = i
        .store_evidence(br#"{"Statement":[]}"#, "json")
        .expect("evidence");
    i.record(
        "action_planned",
        json!({"summary": "prior policy saved", "evidence": ev}),
    )
    .expect("record");
    i.record("note", json!({"summary": "caf\u{e9} \u{1b}[2J hostile"}))
        .expect("record");
    i.record("session_end", json!({"summary": "ended"}))
        .expect("record");
}

fn journal_path(dir: &Path) -> std::path::PathBuf {
    dir.join(journal::JOURNAL_FILE)
}

#[test]
fn normal_run_verifies_and_files_are_private() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    let r = verify(&dir).expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.entries.len(), 4);
    assert_eq!(
        r.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(r.evidence_files, 1);
    assert!(is_private(&dir) && is_private(&dir.join("evidence")));
    for f in fs::read_dir(dir.join("evidence"))
        .expect("evidence dir")
        .flatten()
    {
        let mode = f.metadata().expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o400, "evidence is written once, read-only");
    }
}

#[test]
fn editing_any_byte_of_any_entry_fails_verification() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    let original = fs::read(journal_path(&dir)).expect("read");
    let mut undetected = Vec::new();
    for pos in 0..original.len() {
        let mut edited = original.clone();
        edited[pos] = if edited[pos] == b'x' { b'y' } else { b'x' };
        fs::write(journal_path(&dir), &edited).expect("write");
        let r = verify(&dir).expect("verify");
        // A byte that turns the final newline into text leaves a torn tail
        // and a short chain: that must still be flagged as a problem.
        if r.ok() {
            undetected.push(pos);
        }
    }
    fs::write(journal_path(&dir), &original).expect("restore");
    assert!(verify(&dir).expect("verify").ok());
    assert!(
        undetected.is_empty(),
        "edits at byte offsets {undetected:?} went unnoticed"
    );
}

#[test]
fn editing_or_removing_evidence_fails_verification() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    let file = fs::read_dir(dir.join("evidence"))
        .expect("dir")
        .flatten()
        .next()
        .expect("one file")
        .path();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut bytes = fs::read(&file).expect("read");
    bytes[0] ^= 1;
    fs::write(&file, &bytes).expect("write");
    let r = verify(&dir).expect("verify");
    assert!(!r.ok());
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("does not match its hash")),
        "{:?}",
        r.problems
    );
    fs::remove_file(&file).expect("remove");
    let r = verify(&dir).expect("verify");
    assert!(
        r.problems.iter().any(|p| p.contains("missing")),
        "{:?}",
        r.problems
    );
}

#[test]
fn cutting_whole_entries_off_the_end_is_detected() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    let text = fs::read_to_string(journal_path(&dir)).expect("read");
    let kept: Vec<&str> = text.lines().take(2).collect();
    fs::write(journal_path(&dir), format!("{}\n", kept.join("\n"))).expect("write");
    let r = verify(&dir).expect("verify");
    assert!(
        r.problems.iter().any(|p| p.contains("cut off the end")),
        "{:?}",
        r.problems
    );
}

#[test]
fn torn_last_line_is_reported_then_recovered_without_loss() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    // A crash mid-write: half an entry, no newline.
    let torn = br#"{"seq":5,"time":"2026-11-22T14:00:00Z","prev":"ab"#;
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(journal_path(&dir))
        .expect("open");
    std::io::Write::write_all(&mut f, torn).expect("write");
    drop(f);

    let r = verify(&dir).expect("verify");
    assert!(r.ok(), "a torn tail alone still verifies: {:?}", r.problems);
    assert!(
        r.warnings.iter().any(|w| w.contains("incomplete")),
        "{:?}",
        r.warnings
    );

    // Resuming keeps the torn bytes as evidence and journals what happened.
    let mut i = Incident::open(Some(&dir)).expect("resume");
    assert!(i.resumed());
    i.record("note", json!({"summary": "after recovery"}))
        .expect("record");
    drop(i);
    let r = verify(&dir).expect("verify");
    assert!(
        r.ok() && r.warnings.is_empty(),
        "{:?} {:?}",
        r.problems,
        r.warnings
    );
    let recovered = r
        .entries
        .iter()
        .find(|e| e.kind == "torn_tail_recovered")
        .expect("recovery entry");
    assert_eq!(recovered.seq, 5);
    let file = recovered.data["evidence"]["file"]
        .as_str()
        .expect("evidence file");
    assert_eq!(fs::read(dir.join(file)).expect("saved bytes"), torn);
    assert_eq!(r.entries.last().map(|e| e.seq), Some(6));
}

#[test]
fn resume_continues_the_chain_and_a_second_writer_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    let mut i = Incident::open(Some(&dir)).expect("resume");
    assert_eq!(i.earlier_entries().len(), 4);
    assert!(matches!(
        Incident::open(Some(&dir)),
        Err(IncidentError::Locked(_))
    ));
    let e = i
        .record("note", json!({"summary": "resumed"}))
        .expect("record");
    assert_eq!(e.seq, 5);
    drop(i);
    assert!(verify(&dir).expect("verify").ok());
}

#[test]
fn a_journal_that_does_not_verify_is_never_appended_to() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    let text = fs::read_to_string(journal_path(&dir))
        .expect("read")
        .replace("started", "STARTED");
    fs::write(journal_path(&dir), &text).expect("write");
    assert!(matches!(
        Incident::open(Some(&dir)),
        Err(IncidentError::DoesNotVerify { .. })
    ));
    assert_eq!(
        fs::read_to_string(journal_path(&dir)).expect("read"),
        text,
        "left untouched"
    );
}

#[test]
fn journal_cli_exit_codes_and_inert_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    sample(&dir);
    let bin = env!("CARGO_BIN_EXE_warroom");
    let run = |args: &[&str]| Command::new(bin).args(args).output().expect("run");

    let out = run(&["journal", "verify", dir.to_str().expect("utf8 path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK: 4 entries"));

    let out = run(&["journal", "show", dir.to_str().expect("utf8 path")]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.contains("session_start") && text.contains("prior policy saved"));
    assert!(
        !text.contains('\u{1b}') && text.contains("\\x1b[2J"),
        "{text}"
    );

    let out = run(&[
        "journal",
        "show",
        "--json",
        dir.to_str().expect("utf8 path"),
    ]);
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["data"]["summary"], "caf\u{e9} \u{1b}[2J hostile");

    let text = fs::read_to_string(journal_path(&dir))
        .expect("read")
        .replace("ended", "ENDED");
    fs::write(journal_path(&dir), text).expect("write");
    let out = run(&["journal", "verify", dir.to_str().expect("utf8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL: line 4"));

    let out = run(&[
        "journal",
        "verify",
        tmp.path().join("nope").to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
}
