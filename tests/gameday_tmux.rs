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
