//! The action engine against moto: apply, read back, undo, read back equal
//! to the recorded prior state; dry-run and --read-only change nothing; a
//! failed capture runs nothing. Every stage is checked in the journal.

mod support;

use std::process::Command;

use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use support::*;
use tokio::sync::Mutex;
use warroom::actions::{self, ActionError, ActionSpec, Bucket, Cx, Outcome, bucket_pab};
use warroom::aws::containment::bucket_pab;
use warroom::incident::{Incident, verify::verify};
use warroom::model::facts::PublicAccessBlock;

fn kinds(dir: &std::path::Path) -> Vec<String> {
    let r = verify(dir).expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
    r.entries.into_iter().map(|e| e.kind).collect()
}

/// A moto server, clients for it, one bucket, and a path for a new
/// incident directory (kept alive by the returned `TempDir`).
async fn setup(
    bucket: &str,
) -> (
    warroom::emulator::Emulator,
    warroom::aws::Clients,
    tempfile::TempDir,
    std::path::PathBuf,
) {
    let emu = start_moto();
    let c = clients(&emu).await;
    create_bucket(&c, bucket).await;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    (emu, c, tmp, dir)
}

fn spec(bucket: &str) -> ActionSpec {
    ActionSpec::BlockPublicAccess(bucket_pab::Args::all(bucket))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_public_access_applies_verifies_and_undoes_to_none() {
    let (_emu, c, _tmp, dir) = setup("pab-none").await;
    let incident = Mutex::new(Incident::open(Some(&dir)).expect("incident"));

    let plan = actions::plan(&c, &spec("pab-none")).await.expect("plan");
    assert_eq!(
        plan.prior,
        serde_json::Value::Null,
        "no prior configuration"
    );
    assert!(plan.blast_radius.contains("pab-none"));
    let outcome = actions::execute(&Cx::new(&c, &incident), &plan, true, "test", false)
        .await
        .expect("execute");
    let Outcome::Done { action_id, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let all_on = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
    assert_eq!(
        bucket_pab(&c, "pab-none", REGION).await.expect("read back"),
        Some(all_on)
    );

    let undone = actions::undo(&Cx::new(&c, &incident), &action_id, "test")
        .await
        .expect("undo");
    assert!(matches!(undone, Outcome::Done { .. }), "{undone:?}");
    assert_eq!(
        bucket_pab(&c, "pab-none", REGION).await.expect("read back"),
        None,
        "back to no configuration"
    );
    assert!(matches!(
        actions::undo(&Cx::new(&c, &incident), &action_id, "test").await,
        Err(ActionError::CannotUndo { .. })
    ));
    drop(incident);
    assert_eq!(
        kinds(&dir),
        [
            "action_planned",
            "action_confirmed",
            "action_applied",
            "action_verified",
            "undo_started",
            "action_undone"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_restores_a_partial_prior_configuration_exactly() {
    let (_emu, c, _tmp, dir) = setup("pab-partial").await;
    c.s3.put_public_access_block()
        .bucket("pab-partial")
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_policy(true)
                .block_public_acls(false)
                .ignore_public_acls(false)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .expect("prior PAB");
    let prior = bucket_pab(&c, "pab-partial", REGION).await.expect("prior");
    let incident = Mutex::new(Incident::open(Some(&dir)).expect("incident"));
    let plan = actions::plan(&c, &spec("pab-partial")).await.expect("plan");
    let out = actions::execute(&Cx::new(&c, &incident), &plan, true, "test", false)
        .await
        .expect("execute");
    actions::undo(&Cx::new(&c, &incident), out.action_id(), "test")
        .await
        .expect("undo");
    assert_eq!(
        bucket_pab(&c, "pab-partial", REGION)
            .await
            .expect("read back"),
        prior
    );
    // The prior state is also in evidence, exactly as planned.
    let entries = incident.lock().await.all_entries().expect("entries");
    let planned = entries
        .iter()
        .find(|e| e.kind == "action_planned")
        .expect("planned");
    // The action carries the account it acted in (moto's default account).
    assert_eq!(planned.data["account"].as_str(), Some("123456789012"));
    let file = planned.data["prior_evidence"]["file"]
        .as_str()
        .expect("evidence");
    let saved: Option<PublicAccessBlock> =
        serde_json::from_slice(&std::fs::read(dir.join(file)).expect("read")).expect("json");
    assert_eq!(saved, prior);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_read_only_and_failed_capture_change_nothing() {
    let (emu, c, _tmp, dir) = setup("pab-safe").await;
    let incident = Mutex::new(Incident::open(Some(&dir)).expect("incident"));

    let plan = actions::plan(&c, &spec("pab-safe")).await.expect("plan");
    let out = actions::execute(&Cx::new(&c, &incident), &plan, true, "test", true)
        .await
        .expect("dry run");
    assert!(matches!(out, Outcome::DryRun { .. }));
    assert_eq!(
        bucket_pab(&c, "pab-safe", REGION).await.expect("read"),
        None
    );

    let ro = read_only_clients(&emu.endpoint()).await;
    let plan = actions::plan(&ro, &spec("pab-safe"))
        .await
        .expect("planning only reads");
    let out = actions::execute(&Cx::new(&ro, &incident), &plan, true, "test", false)
        .await
        .expect("execute");
    let Outcome::Failed { stage, error, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!((stage.as_str(), error.code.as_str()), ("apply", "ReadOnly"));
    assert_eq!(
        bucket_pab(&c, "pab-safe", REGION).await.expect("read"),
        None
    );

    let err = actions::plan(&c, &spec("no-such-bucket-here"))
        .await
        .expect_err("cannot capture");
    assert!(matches!(err, ActionError::Capture(_)), "{err:?}");
    drop(incident);
    assert_eq!(
        kinds(&dir),
        [
            "action_planned",
            "action_dry_run",
            "action_planned",
            "action_confirmed",
            "action_failed"
        ],
        "a failed capture journals no plan"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn act_cli_applies_undoes_and_refuses_without_confirmation() {
    let (emu, c, _tmp, dir) = setup("pab-cli").await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args([
                "--endpoint-url",
                &emu.endpoint(),
                "--region",
                REGION,
                "--incident",
                dir.to_str().expect("utf8"),
            ])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
            .env("AWS_SECRET_ACCESS_KEY", "test-secret")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run")
    };
    let out = run(&["act", "block-public-access", "pab-cli"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "no terminal and no --yes: not confirmed"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --yes"));
    assert_eq!(bucket_pab(&c, "pab-cli", REGION).await.expect("read"), None);

    let out = run(&["act", "block-public-access", "pab-cli", "--yes"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Blast radius") && stdout.contains("~ BlockPublicAcls: off"),
        "{stdout}"
    );
    let id = stdout
        .lines()
        .find_map(|l| l.split(": done").next().filter(|_| l.contains(": done")))
        .expect("action id")
        .to_string();
    assert!(
        bucket_pab(&c, "pab-cli", REGION)
            .await
            .expect("read")
            .is_some_and(|p| p.all_on())
    );

    let out = run(&["act", "undo", &id, "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(bucket_pab(&c, "pab-cli", REGION).await.expect("read"), None);
    assert_eq!(
        run(&["act", "undo", "A999", "--yes"]).status.code(),
        Some(2)
    );

    put_policy(&c, "pab-cli", r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pab-cli/*"}]}"#).await;
    let out = run(&["act", "delete-bucket-policy", "pab-cli", "--yes", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["outcome"]["outcome"], "done");
    assert_eq!(doc["plan"]["spec"]["action"], "delete_bucket_policy");
    assert_eq!(
        warroom::aws::containment::bucket_policy(&c, "pab-cli", REGION)
            .await
            .expect("read"),
        None
    );
    let out = run(&["act", "delete-bucket-policy", "pab-cli", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no policy left: nothing to do is success for a script"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to do"));
    assert!(verify(&dir).expect("verify").ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_policy_then_undo_restores_the_document_byte_for_byte() {
    use warroom::aws::containment::bucket_policy;
    let (_emu, c, _tmp, dir) = setup("pol-del").await;
    // Unusual spacing, key order and a Sid with an escape sequence: the
    // restored document must be exactly this, not a re-serialisation.
    let doc = "{\"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"x\\u001b[2J\", \"Principal\": \"*\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::pol-del/*\"},\n {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::pol-del/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";
    put_policy(&c, "pol-del", doc).await;
    let before = bucket_policy(&c, "pol-del", REGION)
        .await
        .expect("read")
        .expect("policy");

    let incident = Mutex::new(Incident::open(Some(&dir)).expect("incident"));
    let spec = ActionSpec::DeleteBucketPolicy(Bucket {
        bucket: "pol-del".into(),
    });
    let plan = actions::plan(&c, &spec).await.expect("plan");
    assert_eq!(plan.before.len(), 2);
    assert!(plan.before[0].contains("[PUBLIC]"), "{:?}", plan.before);
    assert!(
        plan.blast_radius
            .contains("Deny statement(s) stop protecting"),
        "{}",
        plan.blast_radius
    );
    let out = actions::execute(&Cx::new(&c, &incident), &plan, true, "test", false)
        .await
        .expect("execute");
    assert!(matches!(out, Outcome::Done { .. }), "{out:?}");
    assert_eq!(
        bucket_policy(&c, "pol-del", REGION).await.expect("read"),
        None
    );

    let undone = actions::undo(&Cx::new(&c, &incident), out.action_id(), "test")
        .await
        .expect("undo");
    assert!(matches!(undone, Outcome::Done { .. }), "{undone:?}");
    assert_eq!(
        bucket_policy(&c, "pol-del", REGION)
            .await
            .expect("read")
            .as_deref(),
        Some(before.as_str()),
        "byte for byte"
    );

    // No policy: nothing to do, nothing journaled.
    let err = actions::plan(&c, &spec).await;
    assert!(
        err.is_ok(),
        "the policy is back, so there is something to delete again"
    );
    create_bucket(&c, "pol-none").await;
    let err = actions::plan(
        &c,
        &ActionSpec::DeleteBucketPolicy(Bucket {
            bucket: "pol-none".into(),
        }),
    )
    .await
    .expect_err("no policy");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");
    drop(incident);
    assert_eq!(
        kinds(&dir),
        [
            "action_planned",
            "action_confirmed",
            "action_applied",
            "action_verified",
            "undo_started",
            "action_undone"
        ]
    );
}
