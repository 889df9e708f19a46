//! The IAM policies warroom ships (`assets/iam/`), proven against moto in
//! IAM auth mode, as users holding only that policy:
//! - `warroom-readonly.json` does everything `--read-only` offers (scan,
//!   credentials, the CloudTrail tail, versions) with no field left unknown,
//!   and nothing else: an action is refused by AWS, with the permission it
//!   needs named;
//! - `warroom-responder.json` plays the whole scripted Game Day.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{
    ACCOUNT, clients, clients_with, enable_moto_auth, start_moto, user_with_key, warroom,
};
use tokio::sync::Mutex;
use warroom::actions::permissions::{READONLY_POLICY, RESPONDER_POLICY};
use warroom::gameday::attacker::{Attacker, TrailWriter};
use warroom::gameday::scenario::Scenario;
use warroom::gameday::stage;

/// For the game itself (staging, the attacker): everything.
const ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Where moto names a permission differently from AWS (it checks
/// `<signing service>:<operation>`), the shipped policy's permission is
/// given moto's name too. Each pair is a moto naming quirk, not a grant
/// warroom needs: AWS's name stays in the policy, and is what AWS checks.
const MOTO_NAMES: &[(&str, &str)] = &[
    // S3 Control's GetPublicAccessBlock / PutPublicAccessBlock operations.
    ("s3:GetAccountPublicAccessBlock", "s3:GetPublicAccessBlock"),
    ("s3:PutAccountPublicAccessBlock", "s3:PutPublicAccessBlock"),
    // Bucket sub-resources moto's S3 map does not know fall back to the
    // bucket's own PUT: CreateBucket.
    ("s3:PutBucketPublicAccessBlock", "s3:CreateBucket"),
    ("s3:PutBucketOwnershipControls", "s3:CreateBucket"),
    ("s3:PutEncryptionConfiguration", "s3:CreateBucket"),
];

/// The shipped policy, with moto's names added next to AWS's.
fn for_moto(policy: &str) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(policy).expect("policy");
    for st in doc["Statement"].as_array_mut().expect("statements") {
        if let Some(actions) = st["Action"].as_array_mut() {
            for (aws, moto) in MOTO_NAMES {
                if actions.iter().any(|a| a == aws) {
                    actions.push(serde_json::json!(moto));
                }
            }
        }
    }
    doc.to_string()
}

fn as_user(cmd: &mut std::process::Command, key: &str, secret: &str) {
    cmd.env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_MAX_ATTEMPTS", "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readonly_policy_reads_everything_and_can_change_nothing() {
    let emu = start_moto();
    let admin = clients(&emu).await;
    // Something to read: scenario 1 staged, its opening moves in the trail.
    let scenario = Scenario::find("leaked-key-public-policy").expect("scenario");
    let staged = stage::stage(&admin, &scenario, "gdlp0001", true, |_| {})
        .await
        .expect("staged");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let scratch = tempfile::tempdir().expect("tempdir");
    let incident = Arc::new(Mutex::new(
        warroom::incident::Incident::open(Some(scratch.path())).expect("incident"),
    ));
    let mut attacker = Attacker::new(
        scenario.clone(),
        staged,
        admin.clone(),
        None,
        Some(TrailWriter::new(&scenario.trail.bucket)),
        incident,
    );
    attacker.replay_history().await.expect("history");
    let (key, secret) =
        user_with_key(&admin, "ir-readonly", Some(&for_moto(READONLY_POLICY))).await;
    enable_moto_auth(&emu);

    // The scan: every field read, nothing unknown.
    let mut cmd = warroom(&emu);
    as_user(&mut cmd, &key, &secret);
    let out = cmd.args(["scan", "--json"]).output().expect("scan");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "public found: {stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["summary"]["unknown"], 0, "{stdout}");
    assert_eq!(report["summary"]["public"], 1, "{stdout}");
    assert!(!stdout.contains("AccessDenied"), "{stdout}");

    // The credentials pane's reads.
    let ro = clients_with(&emu.endpoint(), &key, &secret).await;
    let facts = warroom::credentials::load(&ro, ACCOUNT, &[]).await;
    let text = format!("{facts:?}");
    assert!(!text.contains("AccessDenied"), "{text}");
    let users = facts.users.known().expect("users read");
    assert!(users.iter().any(|u| u.name == "ci-deploy"));
    assert!(users.iter().all(|u| u.keys.known().is_some()));

    // The CloudTrail tail (the trail's log files in S3).
    let mut cmd = warroom(&emu);
    as_user(&mut cmd, &key, &secret);
    let out = cmd
        .args(["trail", "--since", "1h", "--json"])
        .output()
        .expect("trail");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("PutBucketPolicy"), "{stdout}\n{stderr}");
    assert!(!stderr.contains("AccessDenied"), "{stderr}");

    // The versions view's listing.
    let mut cmd = warroom(&emu);
    as_user(&mut cmd, &key, &secret);
    let out = cmd
        .args(["versions", "s3://acme-customer-records/", "--json"])
        .output()
        .expect("versions");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("exports/customers.csv"), "{stdout}");

    // No write: AWS refuses, and the message names the permission.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = warroom(&emu);
    as_user(&mut cmd, &key, &secret);
    let out = cmd
        .args(["--incident", &dir.path().display().to_string()])
        .args([
            "act",
            "block-public-access",
            "acme-customer-records",
            "--yes",
        ])
        .output()
        .expect("act");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("AccessDenied"), "{all}");
    assert!(all.contains("s3:PutBucketPublicAccessBlock"), "{all}");
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).expect("journal");
    assert!(
        journal.contains("s3:PutBucketPublicAccessBlock"),
        "journaled too"
    );
    // Read back: nothing changed.
    let pab = ro
        .s3
        .get_public_access_block()
        .bucket("acme-customer-records")
        .send()
        .await;
    assert!(pab.is_err(), "no Block Public Access was set: {pab:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_responder_policy_finishes_the_game_day() {
    let emu = start_moto();
    let bootstrap = clients(&emu).await;
    // Once auth is on, only known keys work: the game's own staging and
    // attacker run as an all-powerful user, the console as the responder.
    let (god_key, god_secret) = user_with_key(&bootstrap, "gameday-admin", Some(ALL)).await;
    let (key, secret) = user_with_key(
        &bootstrap,
        "ir-responder",
        Some(&for_moto(RESPONDER_POLICY)),
    )
    .await;
    enable_moto_auth(&emu);
    let admin = clients_with(&emu.endpoint(), &god_key, &god_secret).await;
    let responder = clients_with(&emu.endpoint(), &key, &secret).await;
    let played =
        support::gameday::play_leaked_key_game(&emu.endpoint(), &admin, &responder, "gdlp0002")
            .await;
    let s = &played.score;
    assert!(s.mistakes.is_empty(), "{:?}", s.mistakes);
    assert_eq!((s.objects_intact, s.objects_total), (4, 4));
    assert!(s.full_containment_secs.is_some());
    assert!(s.watches_clean >= 1);
    // Every action the responder took is in the journal as verified.
    let entries = played.incident.lock().await.all_entries().expect("entries");
    let verified = entries
        .iter()
        .filter(|e| e.kind == "action_verified" && e.data["ok"] == serde_json::json!(true))
        .count();
    assert!(verified >= 4, "{verified} verified actions");
    assert!(
        !entries.iter().any(|e| e.kind == "action_failed"),
        "no action was denied"
    );
}
