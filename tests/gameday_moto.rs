//! Game Day against the real emulator (moto): staging, the live attacker,
//! a whole scripted game driven through `update()` with key presses (no
//! terminal; the same runner the console uses), and teardown by tag.
//!
//! Nothing is mocked here: the attacker's CloudTrail log files are read
//! back from moto's S3 by the real tail and the real watch (moto has no
//! CloudTrail of its own; its LookupEvents answers HTTP 500, which the
//! console reports and works around).

mod support;

use support::gameday::{
    Played, apply, emulator_attacker, play_leaked_key_game, staged_game, trail_files, walk,
};

use std::time::Duration;

use serde_json::json;
use warroom::gameday::attacker::kind;
use warroom::gameday::scenario::Scenario;
use warroom::gameday::{stage, teardown};
use warroom::tui::app::View;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_game_day_is_contained_restored_watched_and_scored() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let Played {
        game,
        dir,
        incident,
        leaked_key,
        score,
        mut d,
    } = play_leaked_key_game(
        &emu.endpoint(),
        &c,
        // The responder signs with temporary credentials: their secret and
        // session token are searched for below, with the leaked key's.
        &support::session_clients(&emu.endpoint()).await,
        "gdtest0001",
    )
    .await;
    let bucket = "acme-customer-records";
    // The emulator's state, read back.
    let keys = c
        .iam
        .list_access_keys()
        .user_name("ci-deploy")
        .send()
        .await
        .expect("keys");
    assert!(
        keys.access_key_metadata()
            .iter()
            .all(|k| k.status() == Some(&aws_sdk_iam::types::StatusType::Inactive))
    );
    let analyst = c
        .iam
        .list_access_keys()
        .user_name("analyst")
        .send()
        .await
        .expect("keys");
    assert!(
        analyst
            .access_key_metadata()
            .iter()
            .all(|k| k.status() == Some(&aws_sdk_iam::types::StatusType::Active)),
        "the uninvolved colleague keeps working"
    );
    let pab =
        c.s3.get_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .expect("pab");
    let pab = pab.public_access_block_configuration().expect("config");
    assert_eq!(
        (
            pab.block_public_acls(),
            pab.ignore_public_acls(),
            pab.block_public_policy(),
            pab.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    match c.s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(p) => assert!(
            !p.policy().unwrap_or_default().contains("\"*\""),
            "{:?}",
            p.policy()
        ),
        Err(e) => assert_eq!(
            warroom::aws::error::aws_error(&e).code,
            "NoSuchBucketPolicy"
        ),
    }
    for ((b, k), body) in &game.staged.originals {
        let got =
            c.s3.get_object()
                .bucket(b)
                .key(k)
                .send()
                .await
                .expect("object")
                .body
                .collect()
                .await
                .expect("body")
                .into_bytes();
        assert_eq!(got, body.as_bytes(), "s3://{b}/{k} is as before the attack");
    }

    // The attacker's ransom note, if it was written before containment,
    // was hidden by the restore's default (an incident key wrote it).
    let note =
        c.s3.head_object()
            .bucket(bucket)
            .key("exports/README-RESTORE.txt")
            .send()
            .await;
    assert!(note.is_err(), "the ransom note still reads back");
    assert!(score.planted_left.is_empty(), "{:?}", score.planted_left);

    // The score.
    assert_eq!(score.scenario, "leaked-key-public-policy");
    assert_eq!((score.objects_intact, score.objects_total), (4, 4));
    assert!(score.first_containment_secs.is_some());
    assert!(score.full_containment_secs.is_some());
    assert!(score.evidence_preserved);
    assert!(score.mistakes.is_empty(), "{:?}", score.mistakes);
    assert!(score.watches_clean >= 1 && score.watches_activity == 0);
    assert!(score.attacks_denied >= 1, "the attacker kept trying");
    assert!(score.steps_done >= 6);
    assert!(score.points >= 80, "{:?}", score.lines());

    // The journal: the score, the containment, the checks as evidence.
    let entries = incident.lock().await.all_entries().expect("entries");
    assert!(
        entries
            .iter()
            .any(|e| e.kind == kind::SCORE && e.data["score"]["points"] == json!(score.points))
    );
    assert!(
        entries
            .iter()
            .any(|e| e.kind == kind::CONTAINED && e.data["all_contained"] == json!(true))
    );
    assert!(
        entries
            .iter()
            .any(|e| e.kind == "checklist_check" && e.data["step"] == "revoke-keys")
    );
    let denied_after = entries
        .iter()
        .skip_while(|e| {
            !(e.kind == kind::CONTAINED
                && e.data["actor"] == "leaked_key"
                && e.data["contained"] == json!(true))
        })
        .filter(|e| e.kind == kind::ATTACK && e.data["actor"] == "leaked_key")
        .collect::<Vec<_>>();
    assert!(
        !denied_after.is_empty() && denied_after.iter().all(|e| !e.data["error"].is_null()),
        "after containment every attempt with the key is denied"
    );

    // No secret is in any file warroom wrote (journal, evidence, preserved
    // trail, report): not the leaked key's secret (the attacker's), not the
    // responder's own secret key or session token. Every frame the console
    // drew during the game was checked for them as it was drawn.
    assert!(d.frames > 100, "frames checked: {}", d.frames);
    eprintln!("{} frames drawn and checked for secrets", d.frames);
    let secrets = [
        ("the leaked secret", leaked_key.secret.expose().to_string()),
        (
            "the responder's secret key",
            support::SESSION_SECRET.to_string(),
        ),
        (
            "the responder's session token",
            support::SESSION_TOKEN.to_string(),
        ),
    ];
    let files = walk(dir.path());
    assert!(files.len() >= 3, "{files:?}");
    for entry in files {
        let mut bytes = std::fs::read(&entry).expect("read");
        if entry.extension().is_some_and(|e| e == "gz") {
            // Evidence is compressed: search what it holds.
            bytes = warroom::aws::trail::gunzip(&bytes).expect("evidence decompresses");
        }
        for (what, secret) in &secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds {what}",
                entry.display()
            );
        }
    }
    let secret = leaked_key.secret.expose().to_string();
    for view in [
        View::Dashboard,
        View::Credentials,
        View::Trail,
        View::Watches,
        View::Checklist,
    ] {
        d.state.view = view;
        d.state.notice = None;
        let screen = support::frame(&d.state, 120, 40);
        assert!(!screen.contains(&secret), "{view:?} shows the secret");
    }

    // The after-action report, from the journal alone.
    let report = warroom::incident::verify::verify(dir.path()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    let md = warroom::after_action::markdown(&warroom::after_action::build(
        &dir.path().display().to_string(),
        &report,
        &warroom::playbook::Playbook::builtin().expect("playbook"),
    ));
    assert!(
        md.contains("## Game Day: leaked-key-public-policy (run gdtest0001)"),
        "{md}"
    );
    assert!(
        md.contains(&format!("Score {} / 100", score.points)),
        "{md}"
    );
    assert!(md.contains("deactivate-key"), "{md}");
    assert!(md.contains("attacker contained"), "{md}");
    for (what, secret) in &secrets {
        assert!(!md.contains(secret.as_str()), "the report holds {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_attacker_steals_again_until_imdsv2_is_required() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let (game, _dir, incident, _) = staged_game(&c, "ssrf-instance-role", "gdtest0002").await;
    let instance = game.staged.instance.clone().expect("an instance");
    let mut attacker = emulator_attacker(&game, &c, None, incident.clone()).await;
    let first = attacker.round().await.expect("round");
    assert_eq!(first.error, None, "the stolen session works");
    // Revoke the role's sessions through the action engine.
    let revoke = warroom::actions::ActionSpec::RevokeSessions(warroom::actions::sessions::Args {
        principal: warroom::aws::iam::Principal::Role("acme-web-app".into()),
    });
    apply(&c, &incident, &revoke).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // IMDSv1 still answers: the attacker takes fresh credentials.
    let again = attacker.round().await.expect("round");
    assert_eq!(again.error, None, "re-stolen through IMDSv1");
    // IMDSv2 required: no more fresh credentials, but the session taken
    // after the revocation still works until it is revoked too.
    let imds = warroom::actions::ActionSpec::RequireImdsV2(warroom::actions::imds::Args {
        scope: warroom::actions::imds::Scope::Instance(instance.instance_id.clone()),
        region: None,
    });
    apply(&c, &incident, &imds).await;
    let still = attacker.round().await.expect("round");
    assert_eq!(still.error, None, "the re-stolen session outlives IMDSv2");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    apply(&c, &incident, &revoke).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let last = attacker.round().await.expect("round");
    assert_eq!(last.error.as_deref(), Some("AccessDenied"));
    let entries = incident.lock().await.all_entries().expect("entries");
    let contained: Vec<bool> = entries
        .iter()
        .filter(|e| e.kind == kind::CONTAINED)
        .filter_map(|e| e.data["contained"].as_bool())
        .collect();
    assert_eq!(contained, vec![false, true]);
    // The trail bucket holds the log files, with the two sessions' key ids.
    let mut key_ids = std::collections::BTreeSet::new();
    for (key, json) in trail_files(&c, &game.scenario.trail.bucket).await {
        assert!(
            key.starts_with(&format!(
                "AWSLogs/{}/CloudTrail/us-east-1/",
                game.staged.account
            )) && key.ends_with(".json.gz"),
            "{key}"
        );
        let parsed = warroom::model::trail::parse_log_file(&json).expect("parse");
        for e in parsed.events {
            if let Some(k) = e
                .actor
                .access_key_id
                .clone()
                .filter(|k| k.starts_with("ASIA"))
            {
                key_ids.insert(k);
            }
        }
    }
    assert_eq!(
        key_ids.len(),
        2,
        "the first session and the re-stolen one: {key_ids:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_removes_exactly_what_the_run_tagged() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    // Someone else's bucket and user, with similar names, untagged.
    support::create_bucket(&c, "acme-invoices-keep").await;
    c.iam
        .create_user()
        .user_name("acme-web-app-keep")
        .send()
        .await
        .expect("user");
    let scenario = Scenario::find("ssrf-instance-role")
        .expect("scenario")
        .with_suffix("gdtest0003");
    let staged = stage::stage(&c, &scenario, "gdtest0003", true, |_| {})
        .await
        .expect("staged");
    let removed = teardown::teardown(&c, Some("gdtest0003"), |_| {})
        .await
        .expect("teardown");
    let text = removed.join("\n");
    for name in [
        "bucket acme-invoices-gdtest0003",
        "bucket acme-web-static-gdtest0003",
        "bucket acme-trail-logs-gdtest0003",
        "role acme-web-app-gdtest0003",
        "key pair acme-web-ops-gdtest0003",
        "trail acme-main-gdtest0003",
    ] {
        assert!(text.contains(name), "{name} not in:\n{text}");
    }
    let instance = staged.instance.expect("instance").instance_id;
    assert!(text.contains(&instance), "{text}");
    // Read back: what was tagged is gone, the rest is there.
    let buckets: Vec<String> =
        c.s3.list_buckets()
            .send()
            .await
            .expect("buckets")
            .buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_string))
            .collect();
    assert_eq!(buckets, vec!["acme-invoices-keep".to_string()]);
    let users: Vec<String> = c
        .iam
        .list_users()
        .send()
        .await
        .expect("users")
        .users()
        .iter()
        .map(|u| u.user_name().to_string())
        .collect();
    assert_eq!(users, vec!["acme-web-app-keep".to_string()]);
    assert!(
        c.iam
            .list_roles()
            .send()
            .await
            .expect("roles")
            .roles()
            .iter()
            .all(|r| !r.role_name().ends_with("gdtest0003"))
    );
    // A second run removes nothing more (and does not fail).
    let again = teardown::teardown(&c, Some("gdtest0003"), |_| {})
        .await
        .expect("teardown again");
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_private_key_lives_only_in_its_own_file() {
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let (game, dir, incident, _) = staged_game(&c, "ssrf-instance-role", "gdtest0004").await;
    let kp = game
        .staged
        .instance
        .as_ref()
        .and_then(|i| i.key_pair.clone())
        .expect("a key pair");
    // The opening moves, in the trail bucket.
    emulator_attacker(&game, &c, None, incident.clone()).await;
    // The responder rotates the exposed key pair, and preserves the events.
    let rotate = warroom::actions::ActionSpec::RotateKeyPair(warroom::actions::key_pair::Args {
        name: kp,
        region: None,
        new_name: None,
    });
    apply(&c, &incident, &rotate).await;
    let mut records = Vec::new();
    for (_, json) in trail_files(&c, &game.scenario.trail.bucket).await {
        let file: serde_json::Value = serde_json::from_slice(&json).expect("json");
        for r in file["Records"].as_array().expect("records") {
            records.push(r.to_string());
        }
    }
    assert!(!records.is_empty());
    warroom::tail::preserve(&incident, &records, "all")
        .await
        .expect("preserved");
    // The new private key: in keys/, mode 0600, and nowhere else.
    let keys: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pem"))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let pem = std::fs::read_to_string(&keys[0]).expect("pem");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&keys[0])
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let body: Vec<&str> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 32)
        .collect();
    assert!(!body.is_empty());
    let report = warroom::incident::verify::verify(dir.path()).expect("verify");
    let md = warroom::after_action::markdown(&warroom::after_action::build(
        &dir.path().display().to_string(),
        &report,
        &warroom::playbook::Playbook::builtin().expect("playbook"),
    ));
    let mut places: Vec<(String, String)> = walk(dir.path())
        .into_iter()
        .filter(|p| p != &keys[0])
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            let text = match warroom::aws::trail::gunzip(&bytes) {
                Ok(plain) => String::from_utf8_lossy(&plain).into_owned(),
                Err(_) => String::from_utf8_lossy(&bytes).into_owned(),
            };
            (p.display().to_string(), text)
        })
        .collect();
    places.push(("the report".into(), md));
    for (place, text) in &places {
        for line in &body {
            assert!(!text.contains(line), "{place} holds private key material");
        }
    }
}

/// Scenario 3: the bucket policy is fixed, and the attacker comes back
/// through an access point. Anonymous readers stay uncontained while the
/// side door stands (the console's verdict says PUBLIC, naming it);
/// revoking the key and deleting the access point's policy shuts every
/// door; teardown removes the access point with the bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_side_door_scenario_reopens_through_an_access_point_until_it_is_closed() {
    use warroom::actions::ActionSpec;
    use warroom::model::exposure::{Verdict, assess};
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let (game, _dir, incident, _) = staged_game(&c, "side-door-access-point", "gdtest0005").await;
    let bucket = "acme-media-assets";
    let verdict = || async {
        let account = warroom::aws::exposure::account_facts(&c, Some(&game.staged.account)).await;
        let facts = warroom::aws::exposure::bucket_facts(
            &c,
            warroom::aws::exposure::BucketRef {
                name: bucket.into(),
                region: Some(game.staged.region.clone()),
                ..Default::default()
            },
        )
        .await;
        assess(&account, &facts)
    };
    // The history (the public statement) is played as the attacker starts.
    let mut attacker = emulator_attacker(&game, &c, None, incident.clone()).await;
    assert_eq!(verdict().await.verdict, Verdict::Public);
    // The on-call fix: the public statement goes; the delegation stays.
    apply(
        &c,
        &incident,
        &ActionSpec::RemovePolicyStatements(warroom::actions::policy_statements::Args {
            bucket: bucket.into(),
            step: warroom::actions::policy_statements::Step::DataPlane,
        }),
    )
    .await;
    assert_eq!(verdict().await.verdict, Verdict::Private);
    // Round 1 (anonymous get) is refused; round 2 opens the side door;
    // round 3's anonymous read succeeds through it.
    let r1 = attacker.round().await.expect("round");
    assert_eq!(r1.error.as_deref(), Some("AccessDenied"));
    let r2 = attacker.round().await.expect("round");
    assert_eq!(
        (r2.event, r2.error.as_deref()),
        ("PutAccessPointPolicy", None)
    );
    let a = verdict().await;
    assert_eq!(a.verdict, Verdict::Public, "{:?}", a.reasons);
    assert!(
        a.reasons[0]
            .text
            .starts_with("access point partner-portal (Internet, BPA off)"),
        "{}",
        a.reasons[0].text
    );
    let r3 = attacker.round().await.expect("round");
    assert_eq!(
        r3.error, None,
        "the anonymous read goes through the side door"
    );

    // Shut it: the key, then the access point's policy.
    let key = game.staged.leaked.clone().expect("leaked key");
    apply(
        &c,
        &incident,
        &ActionSpec::DeactivateAccessKey(warroom::actions::access_key::Args {
            user: Some(key.user.clone()),
            key_id: key.access_key_id.clone(),
        }),
    )
    .await;
    apply(
        &c,
        &incident,
        &ActionSpec::DeleteAccessPointPolicy(warroom::actions::access_point_policy::Args {
            bucket: bucket.into(),
            access_point: "partner-portal".into(),
        }),
    )
    .await;
    assert_eq!(verdict().await.verdict, Verdict::Private);
    for _ in 0..4 {
        let r = attacker.round().await.expect("round");
        assert_eq!(
            r.error.as_deref(),
            Some("AccessDenied"),
            "{} {}",
            r.event,
            r.target
        );
    }
    attacker.check_containment().await.expect("check");
    let entries = incident.lock().await.all_entries().expect("entries");
    let last = entries
        .iter()
        .rev()
        .find(|e| e.kind == kind::CONTAINED)
        .expect("containment journaled");
    assert_eq!(last.data["all_contained"], json!(true), "{:?}", last.data);

    teardown::teardown(&c, Some("gdtest0005"), |_| {})
        .await
        .expect("teardown");
    let left =
        warroom::aws::access_points::list_region(&c, &game.staged.account, &game.staged.region)
            .await
            .expect("list");
    assert!(left.is_empty(), "{left:?}");
}

/// Scenario 4 played by script: the opening moves leave a second key and a
/// backdoored role; with the first key dead the attacker carries on with
/// the second (a new admin user, the trail stopped: nothing delivered
/// after) and through the role; the changes view, from the trail's own log
/// files and the sweep, lists each; each revert shuts its actor; the score
/// counts the ways back taken back; no secret is written anywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_key_and_the_backdoored_role_carry_on_until_each_is_taken_back() {
    use warroom::actions::ActionSpec;
    use warroom::gameday::attacker::{Made, made_in_game};
    use warroom::model::changes::{Standing, What};
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let (game, dir, incident, _) = staged_game(&c, "second-key-backdoor-role", "gdtest0006").await;
    let leaked = game.staged.leaked.clone().expect("leaked key");
    let mut attacker = emulator_attacker(&game, &c, None, incident.clone()).await;

    // The opening moves are journaled with what they made.
    let made = made_in_game(&incident.lock().await.all_entries().expect("entries"));
    let second = match made.as_slice() {
        [
            Made::AccessKey { user, key_id },
            Made::Trust { role, account, .. },
        ] => {
            assert_eq!(user, &leaked.user);
            assert_ne!(key_id, &leaked.access_key_id);
            assert_eq!(
                (role.as_str(), account.as_str()),
                ("payroll-reporting", "999988887777")
            );
            key_id.clone()
        }
        other => panic!("{other:?}"),
    };
    let trust = warroom::aws::iam::role(&c, "payroll-reporting")
        .await
        .expect("role")
        .trust_document;
    assert!(trust.contains("999988887777"), "{trust}");

    // The on-call fix for the key they were told about.
    apply(
        &c,
        &incident,
        &ActionSpec::DeactivateAccessKey(warroom::actions::access_key::Args {
            user: Some(leaked.user.clone()),
            key_id: leaked.access_key_id.clone(),
        }),
    )
    .await;
    let r = attacker.round().await.expect("round 1");
    assert_eq!(
        r.error.as_deref(),
        Some("AccessDenied"),
        "the first key is dead"
    );
    let r = attacker.round().await.expect("round 2");
    assert_eq!(r.error, None, "the second key reads on: {}", r.target);
    let r = attacker.round().await.expect("round 3");
    assert_eq!((r.event, r.error.as_deref()), ("CreateUser", None));
    let profile = c
        .iam
        .get_login_profile()
        .user_name("svc-backup")
        .send()
        .await;
    assert!(profile.is_ok(), "{profile:?}");
    let attached = warroom::aws::iam::attached_policies(
        &c,
        &warroom::aws::iam::Principal::User("svc-backup".into()),
    )
    .await
    .expect("policies");
    assert!(
        attached.iter().any(|p| p.ends_with("/AdministratorAccess")),
        "{attached:?}"
    );
    let r = attacker.round().await.expect("round 4");
    assert_eq!(r.error, None, "the backdoored role reads: {}", r.target);
    let files_before_stop = trail_files(&c, "acme-trail-logs").await.len();
    let r = attacker.round().await.expect("round 5");
    assert_eq!((r.event, r.error.as_deref()), ("StopLogging", None));
    let (logging, _) = warroom::aws::trail::logging_status(&c, "acme-main")
        .await
        .expect("status");
    assert!(!logging);
    // The StopLogging record itself is delivered; nothing after it.
    let files_after_stop = trail_files(&c, "acme-trail-logs").await.len();
    assert_eq!(files_after_stop, files_before_stop + 1);
    let r = attacker.round().await.expect("round 6");
    assert_eq!(r.error, None);
    assert_eq!(
        trail_files(&c, "acme-trail-logs").await.len(),
        files_after_stop,
        "a stopped trail delivers nothing"
    );

    // The changes view, as the console gathers it: the suspects from the
    // journal (the deactivated key), the records from the trail's files.
    let entries = incident.lock().await.all_entries().expect("entries");
    let suspects =
        warroom::changes::suspects_from_journal(&entries, Some(game.staged.account.clone()));
    let since = warroom::time::now_secs() - 3600;
    let g = warroom::changes::gather(&c, &suspects, since, &[support::REGION.to_string()])
        .await
        .expect("gathered");
    let find = |f: &dyn Fn(&What) -> bool| {
        g.changes
            .iter()
            .find(|r| f(&r.what))
            .unwrap_or_else(|| panic!("not found in {:#?}", g.changes))
            .clone()
    };
    let key_row =
        find(&|w| matches!(w, What::AccessKeyCreated { key_id: Some(k), .. } if *k == second));
    assert_eq!(key_row.standing, Standing::InPlace);
    assert_eq!(key_row.from.as_deref(), Some("203.0.113.45"));
    let trust_row =
        find(&|w| matches!(w, What::TrustChanged { role, .. } if role == "payroll-reporting"));
    let user_row = find(&|w| matches!(w, What::UserCreated { user } if user == "svc-backup"));
    assert!(
        user_row.with_key.as_deref() == Some(second.as_str()),
        "made with the second key: {user_row:?}"
    );
    let stop_row = find(&|w| matches!(w, What::LoggingStopped { .. }));
    // Each taken back through the engine, the revert the pane offers.
    for row in [&stop_row, &key_row, &trust_row, &user_row] {
        let spec = warroom::tui::offers::revert(row, None).expect("a revert");
        apply(&c, &incident, &spec).await;
    }
    // Every actor is shut now: the cycle again, all refused.
    for round in 7..=12 {
        let r = attacker.round().await.expect("round");
        assert_eq!(
            r.error.as_deref(),
            Some("AccessDenied"),
            "round {round}: {} {}",
            r.event,
            r.target
        );
    }
    attacker.check_containment().await.expect("check");
    let playbook = warroom::playbook::Playbook::builtin().expect("playbook");
    let score = warroom::gameday::finish(&c, &game, &incident, &playbook)
        .await
        .expect("score");
    assert_eq!(score.ways_back, 4, "{score:?}");
    assert!(
        score.ways_back_left.is_empty(),
        "{:?}",
        score.ways_back_left
    );
    assert!(
        score
            .breakdown
            .iter()
            .any(|(what, got, max)| what.contains("ways back taken back: 4 of 4") && got == max),
        "{:?}",
        score.breakdown
    );
    assert!(score.full_containment_secs.is_some(), "{score:?}");

    // No secret anywhere: the journal, the trail's files, the directory.
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).expect("journal");
    for (_, body) in trail_files(&c, "acme-trail-logs").await {
        let text = String::from_utf8_lossy(&body).to_lowercase();
        assert!(!text.contains("secretaccesskey"), "a secret in a log file");
    }
    assert!(!journal.to_lowercase().contains("secretaccesskey"));
    assert!(!journal.contains(leaked.secret.expose()));

    teardown::teardown(&c, Some("gdtest0006"), |_| {})
        .await
        .expect("teardown");
    assert!(
        c.iam
            .get_user()
            .user_name("svc-backup")
            .send()
            .await
            .is_err()
    );
}

/// Scenario 5, scripted through the engine: the opening moves leave the
/// exports unreadable (SSE-C under the attacker's key), a lifecycle rule
/// planted and a note; the attacker encrypts each round until SSE-C is
/// blocked; the planted rule is found in the trail's records and taken off
/// alone by the revert the changes pane offers; the restore puts every
/// export back byte for byte; the score counts each part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sse_c_ransomware_game_is_stopped_restored_and_scored() {
    use warroom::actions::{ActionSpec, Bucket, restore};
    use warroom::gameday::attacker::rules_planted;
    use warroom::model::changes::What;
    use warroom::model::restore::Goal;
    let emu = support::start_moto();
    let c = support::clients(&emu).await;
    let (game, _dir, incident, started) = staged_game(&c, "sse-c-ransomware", "gdtest0007").await;
    let bucket = "acme-customer-exports";
    let mut attacker = emulator_attacker(&game, &c, None, incident.clone()).await;
    let read = |key: &'static str| {
        let s3 = c.s3.clone();
        async move { warroom::aws::game::get_object(&s3, bucket, key).await }
    };
    // The opening moves: two exports unreadable, the rule planted.
    let refused = read("exports/customers.csv").await.expect_err("SSE-C");
    assert_eq!(refused.code, "InvalidRequest", "{refused:?}");
    assert!(read("exports/payments.csv").await.is_ok(), "not yet");
    let planted = rules_planted(&incident.lock().await.all_entries().expect("entries"));
    assert_eq!(planted.len(), 1, "{planted:?}");
    assert_eq!(planted[0].rule, "cleanup-7d");
    let rules = warroom::aws::lifecycle::rules(&c, bucket, support::REGION)
        .await
        .expect("rules");
    assert!(
        rules.iter().any(|r| r.id.as_deref() == Some("cleanup-7d")
            && r.noncurrent_expiration
                .as_ref()
                .and_then(|n| n.noncurrent_days)
                == Some(7)),
        "{rules:?}"
    );

    // Round 1 looks; round 2 encrypts the third export.
    attacker.round().await.expect("round 1");
    let r = attacker.round().await.expect("round 2");
    assert_eq!((r.event, r.error.as_deref()), ("PutObject", None));
    assert!(read("exports/payments.csv").await.is_err());

    // The planted rule, as the changes pane finds it in the trail's files,
    // and the revert it offers: that rule alone.
    let leaked = game.staged.leaked.clone().expect("leaked key");
    let suspects = warroom::model::changes::Suspects {
        keys: [leaked.access_key_id.clone()].into_iter().collect(),
        own_account: Some(game.staged.account.clone()),
        ..Default::default()
    };
    let g = warroom::changes::gather(
        &c,
        &suspects,
        started - 3600,
        &[support::REGION.to_string()],
    )
    .await
    .expect("gathered");
    let row = g
        .changes
        .iter()
        .find(|r| matches!(&r.what, What::Lifecycle { bucket: b, .. } if b == bucket))
        .unwrap_or_else(|| panic!("no lifecycle row in {:#?}", g.changes))
        .clone();
    let spec = warroom::tui::offers::revert(&row, None).expect("a revert");
    assert!(
        matches!(&spec, ActionSpec::RemoveLifecycleRules(a) if a.rules == vec!["cleanup-7d".to_string()]),
        "{spec:?}"
    );
    apply(&c, &incident, &spec).await;
    apply(
        &c,
        &incident,
        &ActionSpec::BlockSseC(Bucket {
            bucket: bucket.into(),
        }),
    )
    .await;
    // The next rewrite is refused by S3 itself (the bucket blocks SSE-C).
    let r = attacker.round().await.expect("round 3");
    assert_eq!(r.error.as_deref(), Some("AccessDenied"), "{r:?}");
    assert!(
        read("exports/customers.csv").await.is_err(),
        "still the attacker's"
    );

    // Evidence first, then the restore to before the attack.
    incident
        .lock()
        .await
        .record("trail_preserved", json!({"summary": "test"}))
        .expect("preserved");
    apply(
        &c,
        &incident,
        &ActionSpec::PitRestore(restore::Args {
            bucket: bucket.into(),
            prefix: None,
            goal: Goal::PointInTime {
                to: started - 1,
                hide_newer: true,
                hide_keys: Vec::new(),
                skip_versions: Vec::new(),
            },
            override_order: None,
        }),
    )
    .await;
    for ((b, k), body) in &game.staged.originals {
        let got = warroom::aws::game::get_object(&c.s3, b, k).await.expect(k);
        assert_eq!(got, body.as_bytes(), "s3://{b}/{k} byte for byte");
    }
    let r = attacker.round().await.expect("round 4");
    assert_eq!(r.error.as_deref(), Some("AccessDenied"));

    let playbook = warroom::playbook::Playbook::builtin().expect("playbook");
    let score = warroom::gameday::finish(&c, &game, &incident, &playbook)
        .await
        .expect("score");
    assert_eq!(
        (score.objects_intact, score.objects_total),
        (4, 4),
        "{score:?}"
    );
    assert!(score.planted_left.is_empty(), "{:?}", score.planted_left);
    assert_eq!((score.rules_planted, score.rules_left.len()), (1, 0));
    assert_eq!(
        (score.sse_c_tried, score.sse_c_succeeded),
        (3, 1),
        "{score:?}"
    );
    let row = |p: &str| {
        score
            .breakdown
            .iter()
            .find(|(w, _, _)| w.starts_with(p))
            .cloned()
            .unwrap_or_else(|| panic!("no {p} in {:?}", score.breakdown))
    };
    assert_eq!(row("planted lifecycle rule removed").1, 5);
    // One rewrite got through before the block: half.
    assert_eq!(row("SSE-C rewrites").1, 2);
    assert_eq!(row("data as before").1, 10);
    assert!(
        score.first_containment_secs.is_some(),
        "block-sse-c cuts the attacker off"
    );
}
