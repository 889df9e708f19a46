//! Game Day as a person plays it: `warroom gameday` in a real terminal
//! (tmux, 100x30), keys sent with `send-keys`, the screen read back with
//! `capture-pane`. Then the CLI's refusals and the sandbox teardown.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::tmux::{Tmux, sh_quote};

#[test]
fn a_game_day_in_a_terminal_briefs_hints_scores_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let incident = dir.path().join("incident");
    let cmd = format!(
        "WARROOM_PYTHON={} NO_COLOR=1 {} --incident {} gameday --attacker-every 2; echo EXITED $?; sleep 120",
        sh_quote(&support::python()),
        sh_quote(Path::new(env!("CARGO_BIN_EXE_warroom"))),
        sh_quote(&incident),
    );
    let t = Tmux::start(&cmd, (100, 30));
    // The briefing, over the dashboard, with the timer running.
    let screen = t.wait_for("Press any key to start", 120);
    assert!(
        screen.contains("Game Day: A leaked CI key opens the customer records"),
        "{screen}"
    );
    assert!(screen.contains("GAME DAY 00:"), "{screen}");
    t.keys(&["Space"]);
    let screen = t.wait_for("scan complete", 60);
    assert!(screen.contains("PUBLIC  acme-customer-records"), "{screen}");
    // A hint explains the next step in the trainee's words.
    t.keys(&["H"]);
    let screen = t.wait_for("Hint:", 10);
    assert!(screen.contains("Next:"), "{screen}");
    t.keys(&["Escape", "C"]);
    let screen = t.wait_for("Evidence: capture, preserve, record", 10);
    assert!(screen.contains("[x] Establish what is exposed"), "{screen}");
    // Block the bucket from the dashboard.
    t.keys(&["Tab", "b"]);
    t.wait_for("Type acme-customer-records to confirm", 30);
    t.keys(&["-l", "acme-customer-records"]);
    t.keys(&["Enter"]);
    t.wait_for(
        "block-public-access on s3://acme-customer-records: done",
        30,
    );
    // Finish: the score, on screen and then printed on exit.
    t.keys(&["F"]);
    let screen = t.wait_for("your score", 60);
    assert!(screen.contains("Score "), "{screen}");
    assert!(
        screen.contains("first containment action after"),
        "{screen}"
    );
    t.keys(&["Space"]);
    t.quit();
    let screen = t.wait_for("EXITED", 60);
    assert!(screen.contains("EXITED 0"), "{screen}");
    assert!(screen.contains("Score "), "{screen}");
    assert!(
        screen.contains("After-action report: warroom report --incident"),
        "{screen}"
    );
    // The terminal is back to normal: the shell's output is plain lines.
    assert!(!screen.contains("GAME DAY"), "{screen}");
    let report = warroom::incident::verify::verify(&incident).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert!(report.entries.iter().any(|e| e.kind == "gameday_score"));
}

/// Scenario 4 at 80x24: the leaked key, found in the journal as a trainee
/// finds it in the tail, is marked; the changes pane follows it to the
/// second key and the backdoored role; U takes the second key back through
/// the confirmation; the score counts the ways back; no secret on screen,
/// in the journal or in the after-action report.
#[test]
fn the_ways_back_are_found_taken_back_and_scored_in_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let incident = dir.path().join("incident");
    let cmd = format!(
        "WARROOM_PYTHON={} NO_COLOR=1 {} --incident {} gameday --scenario second-key-backdoor-role --attacker-every 5; echo EXITED $?; sleep 120",
        sh_quote(&support::python()),
        sh_quote(Path::new(env!("CARGO_BIN_EXE_warroom"))),
        sh_quote(&incident),
    );
    let t = Tmux::start(&cmd, (80, 24));
    t.wait_for("Press any key to start", 120);
    let journal = || std::fs::read_to_string(incident.join("journal.jsonl")).unwrap_or_default();
    let leaked = journal()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["kind"] == "gameday_started")
        .and_then(|e| e["data"]["leaked_key"].as_str().map(str::to_string))
        .expect("the leaked key in the journal");
    t.keys(&["Space", "Tab"]);
    t.wait_for("Access keys (2)", 60);
    // Mark it: the prompt holds the selected row's id; type the leaked one.
    t.keys(&["m"]);
    t.wait_for("mark key:", 10);
    for _ in 0..24 {
        t.keys(&["BSpace"]);
    }
    t.keys(&["-l", &leaked]);
    t.keys(&["Enter", "Tab", "!"]);
    let screen = t.wait_for("in place", 120);
    let screen = if screen.contains("trust policy") {
        screen
    } else {
        t.wait_for("trust policy", 60)
    };
    assert!(screen.contains("new access key"), "{screen}");
    assert!(screen.contains("IN PLACE"), "{screen}");
    assert!(screen.contains("U revert"), "{screen}");
    // The first row is the second key (the earliest change): take it back.
    t.keys(&["g", "U"]);
    let screen = t.wait_for("Confirm: deactivate-key", 30);
    assert!(
        !screen.contains(&leaked),
        "the second key, not the first: {screen}"
    );
    t.keys(&["y"]);
    t.wait_for("deactivate-key on access key", 60);
    t.keys(&["F"]);
    let screen = t.wait_for("your score", 60);
    assert!(screen.contains("ways back taken back:"), "{screen}");
    t.keys(&["Space"]);
    t.quit();
    let screen = t.wait_for("EXITED", 60);
    assert!(screen.contains("EXITED 0"), "{screen}");
    let out = warroom(&["report", "--incident", &incident.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut everything = journal();
    for f in support::gameday::walk(&incident) {
        everything.push_str(&String::from_utf8_lossy(
            &std::fs::read(f).unwrap_or_default(),
        ));
    }
    let lower = everything.to_lowercase();
    assert!(lower.contains("ways back"), "the score is in the record");
    assert!(
        !lower.contains("secretaccesskey"),
        "a secret in the incident directory"
    );
}

/// Scenario 5 at 80x24, as a trainee plays it: the header counts down to
/// the planted rule's deadline, the dashboard says what the tail saw done
/// to the private bucket, z blocks SSE-C, y takes the planted rule off
/// (the countdown goes), the versions view marks the SSE-C versions, R
/// restores, and the score counts each part.
#[test]
fn the_sse_c_ransomware_is_stopped_and_restored_in_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let incident = dir.path().join("incident");
    let cmd = format!(
        "WARROOM_PYTHON={} NO_COLOR=1 {} --incident {} gameday --scenario sse-c-ransomware --attacker-every 3; echo EXITED $?; sleep 120",
        sh_quote(&support::python()),
        sh_quote(Path::new(env!("CARGO_BIN_EXE_warroom"))),
        sh_quote(&incident),
    );
    let t = Tmux::start(&cmd, (80, 24));
    let screen = t.wait_for("Press any key to start", 120);
    assert!(screen.contains("SSE-C ransomware"), "{screen}");
    t.keys(&["Space"]);
    t.wait_for("scan complete", 60);
    let screen = t.wait_for("DATA EXPIRES acme-customer-exports", 90);
    assert!(screen.contains("m left"), "{screen}");
    let screen = t.wait_for("tail saw", 30);
    assert!(screen.contains("acme-customer-exports"), "{screen}");
    t.keys(&["z"]);
    t.wait_for("Confirm: block-sse-c on s3://acme-customer-exports", 30);
    t.keys(&["y"]);
    t.wait_for("block-sse-c on s3://acme-customer-exports: done", 30);
    t.keys(&["y"]);
    let screen = t.wait_for("Confirm: remove-lifecycle-rules", 30);
    assert!(screen.contains("cleanup-7d"), "{screen}");
    t.keys(&["-l", "acme-customer-exports"]);
    t.keys(&["Enter"]);
    t.wait_for(
        "remove-lifecycle-rules on s3://acme-customer-exports: done",
        30,
    );
    // The bucket is read again after the action: then the countdown goes.
    let gone = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(200));
        !t.screen().contains("DATA EXPIRES")
    });
    assert!(gone, "the countdown is gone: {}", t.screen());
    // Evidence before the bucket changes: the restore waits for it.
    t.keys(&["Tab"]);
    t.keys(&["Tab"]);
    t.wait_for("CloudTrail:", 10);
    t.keys(&["E"]);
    t.wait_for("in the evidence folder", 30);
    t.keys(&["BTab"]);
    t.keys(&["BTab"]);
    t.wait_for("Bucket exposure", 10);
    t.keys(&["V"]);
    let screen = t.wait_for("SSE-C locked", 30);
    assert!(screen.contains("exports/customers.csv"), "{screen}");
    t.keys(&["R"]);
    t.wait_for("restore acme-customer-exports to:", 10);
    t.keys(&["Enter"]);
    t.wait_for("Confirm: pit-restore", 30);
    t.keys(&["-l", "acme-customer-exports"]);
    t.keys(&["Enter"]);
    t.wait_for("pit-restore on s3://acme-customer-exports/*: done", 60);
    t.keys(&["Escape"]);
    t.keys(&["F"]);
    let screen = t.wait_for("your score", 60);
    assert!(
        screen.contains("planted lifecycle rule removed after"),
        "{screen}"
    );
    assert!(
        screen.contains("SSE-C rewrites after the start"),
        "{screen}"
    );
    assert!(
        screen.contains("data as before the attack: 4 of 4"),
        "{screen}"
    );
    t.keys(&["Space"]);
    t.quit();
    let screen = t.wait_for("EXITED", 60);
    assert!(screen.contains("EXITED 0"), "{screen}");
}

fn warroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .env("WARROOM_PYTHON", support::python())
        .output()
        .expect("warroom runs")
}

#[test]
fn a_sandbox_game_needs_the_acknowledgement_and_bad_scenarios_are_refused() {
    let out = warroom(&["--endpoint-url", "http://127.0.0.1:9", "gameday"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--i-understand-this-creates-resources"),
        "{err}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "id = \"x\"\ntitle = \"t\"\nbriefing = [\n").expect("write");
    let out = warroom(&["gameday", "--scenario", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3:"), "{err}");

    let out = warroom(&["gameday", "--list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("leaked-key-public-policy") && text.contains("ssrf-instance-role"));

    // Teardown refuses to guess a target.
    let out = warroom(&["gameday", "teardown", "--all"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sandbox account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_from_the_command_line_removes_the_run_and_nothing_else() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    support::create_bucket(&c, "acme-customer-records-keep").await;
    let scenario = warroom::gameday::scenario::Scenario::find("leaked-key-public-policy")
        .expect("scenario")
        .with_suffix("gdcli0001");
    warroom::gameday::stage::stage(&c, &scenario, "gdcli0001", true, |_| {})
        .await
        .expect("staged");
    let out = support::warroom(&emu)
        .args(["gameday", "teardown", "--run", "gdcli0001"])
        .output()
        .expect("runs");
    support::assert_success(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("user ci-deploy-gdcli0001"), "{err}");
    let buckets: Vec<String> =
        c.s3.list_buckets()
            .send()
            .await
            .expect("list")
            .buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_string))
            .collect();
    assert_eq!(buckets, vec!["acme-customer-records-keep".to_string()]);
    assert!(
        c.iam
            .list_users()
            .send()
            .await
            .expect("users")
            .users()
            .is_empty()
    );
}
