//! A dropped SSH session: the console runs in a terminal (tmux), a bulk
//! action and a credential watch are under way, and the process gets the
//! SIGHUP a dead SSH connection sends. It must exit cleanly within seconds,
//! leave a journal that verifies and a terminal that is not raw; re-opening
//! the incident resumes the watch and completes the bulk action without
//! writing any object twice.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::tmux::{Tmux, sh_quote};

const BUCKET: &str = "acme-bulk";
const OBJECTS: usize = 3000;

fn console_cmd(emu_endpoint: &str, incident: &Path, pidfile: &Path) -> String {
    // The pid is written first, so the test can send the signal itself:
    // the pane (our "SSH client's terminal") stays, to check its state.
    format!(
        "sh -c 'echo $$ > {pid}; exec env AWS_ACCESS_KEY_ID=AKIATESTTESTTESTTEST AWS_SECRET_ACCESS_KEY=test-secret AWS_CONFIG_FILE=/nonexistent NO_COLOR=1 {bin} --endpoint-url {emu_endpoint} --region us-east-1 --incident {dir} console'; echo CONSOLE-EXITED",
        pid = sh_quote(pidfile),
        bin = sh_quote(Path::new(env!("CARGO_BIN_EXE_warroom"))),
        dir = sh_quote(incident),
    )
}

/// `o` on the bucket, confirmed by typing its name.
fn reset_acls(t: &Tmux) {
    t.keys(&["o"]);
    t.wait_for(&format!("Type {BUCKET} to confirm"), 60);
    t.keys(&["-l", BUCKET]);
    t.keys(&["Enter"]);
}

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_mid_bulk_action_exits_cleanly_and_the_incident_resumes() {
    // A slow emulator (as a real network is), counting what it is asked.
    let emu = warroom::emulator::Emulator::start(
        &support::python(),
        &[
            ("WARROOM_LATENCY_MS", "25"),
            ("WARROOM_COUNT_REQUESTS", "1"),
        ],
    )
    .expect("moto");
    let c = support::clients(&emu).await;
    support::create_bucket(&c, BUCKET).await;
    support::put_public_objects(&c, BUCKET, "o/", OBJECTS).await;
    let (key_id, _) = support::user_with_key(&c, "ci-deploy", None).await;

    let tmp = tempfile::tempdir().expect("tempdir");
    let incident = tmp.path().join("incident");
    let pidfile = tmp.path().join("pid");
    // The console, then an interactive shell in the same terminal.
    let open = || {
        let t = Tmux::start(
            &format!(
                "{}; exec bash --norc --noprofile -i",
                console_cmd(&emu.endpoint(), &incident, &pidfile)
            ),
            (100, 30),
        );
        t.wait_for("scan complete", 60);
        t
    };
    let t = open();
    // Revoke the key: a watch starts.
    t.keys(&["Tab"]);
    t.wait_for(&key_id, 30);
    t.keys(&["d"]);
    t.wait_for("Apply? y / n", 30);
    t.keys(&["y"]);
    t.wait_for("deactivate-key on", 30);
    // The bulk object-ACL reset on the bucket.
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.wait_for("Bucket exposure", 10);
    reset_acls(&t);
    t.wait_for("[#", 60);

    // The SSH connection drops: SIGHUP.
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .expect("pid")
        .trim()
        .parse()
        .expect("a pid");
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    let since = Instant::now();
    while alive(pid) {
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGHUP"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let screen = t.wait_for("CONSOLE-EXITED", 10);
    // The terminal is not left raw: the shell's line discipline is back.
    t.keys(&[
        "-l",
        "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo -e -icanon -e -echo",
    ]);
    t.keys(&["Enter"]);
    let stty = t.wait_for("icanon", 10);
    let answer: Vec<&str> = stty.lines().map(str::trim).collect();
    assert!(
        answer.contains(&"icanon") && answer.contains(&"echo"),
        "{stty}"
    );
    assert!(
        !answer.contains(&"-icanon") && !answer.contains(&"-echo"),
        "{stty}"
    );
    assert!(!screen.contains("panicked"), "{screen}");

    // The journal verifies, and the session's end is in it.
    let report = warroom::incident::verify::verify(&incident).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert!(report.entries.iter().any(|e| e.kind == "session_end"));
    let done_before = support::batch_lines(&incident, "done");
    assert!(
        done_before * warroom::actions::object_acls::BATCH < OBJECTS,
        "the reset was interrupted ({done_before} batches done)"
    );

    // Re-open the incident: the watch resumes with its clock, and the bulk
    // action, run again, finishes the rest.
    drop(t);
    let t = open();
    t.keys(&["W"]);
    let screen = t.wait_for("W1", 20);
    assert!(
        screen.contains(&key_id) && screen.contains("WATCHING"),
        "{screen}"
    );
    assert!(!screen.contains("30:00"), "the clock resumed: {screen}");
    t.keys(&["Escape"]);
    t.wait_for("Bucket exposure", 10);
    reset_acls(&t);
    t.wait_for("reset-object-acls on s3://acme-bulk/*: done", 120);
    t.quit();
    t.wait_for("CONSOLE-EXITED", 20);

    // Every object is owner-only now, and none was written twice.
    let counts = support::request_counts(&emu);
    let twice: Vec<_> = counts
        .iter()
        .filter(|(k, n)| k.starts_with("PUT /acme-bulk/o/") && k.ends_with("?acl") && **n > 1)
        .collect();
    assert!(twice.is_empty(), "written twice: {twice:?}");
    let written = counts
        .iter()
        .filter(|(k, _)| k.starts_with("PUT /acme-bulk/o/") && k.ends_with("?acl"))
        .count();
    assert_eq!(written, OBJECTS, "every object's ACL written once");
    let report = warroom::incident::verify::verify(&incident).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
}
