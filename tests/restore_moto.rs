//! Recovery against moto: point-in-time restore, undelete in batches,
//! restoring one version (multipart above the copy limit), an interrupted
//! restore resumed, and undo. Every assertion reads state back from the
//! emulator: object bytes, version lists, request counts.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_s3::primitives::ByteStream;
use futures::StreamExt;
use support::*;
use warroom::actions::{ActionSpec, restore};
use warroom::aws::Clients;
use warroom::model::restore::Goal;

async fn versioned(c: &Clients, bucket: &str) {
    create_bucket(c, bucket).await;
    warroom::aws::seed::versioning(c, bucket)
        .await
        .expect("versioning");
}

async fn put(c: &Clients, bucket: &str, key: &str, body: &str) -> String {
    c.s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.as_bytes().to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e:?}"))
        .version_id()
        .unwrap_or_default()
        .to_string()
}

async fn delete(c: &Clients, bucket: &str, key: &str, version: Option<&str>) {
    c.s3.delete_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .unwrap_or_else(|e| panic!("delete {key}: {e:?}"));
}

/// What each key reads as now: its bytes, or None when it is deleted.
async fn contents(c: &Clients, bucket: &str) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    let mut all = BTreeSet::new();
    warroom::aws::versions::list(&c.s3, bucket, None, |page| {
        all.extend(page.into_iter().map(|v| v.key));
    })
    .await
    .expect("list");
    for key in all {
        let body = match c.s3.get_object().bucket(bucket).key(&key).send().await {
            Ok(o) => Some(
                String::from_utf8(o.body.collect().await.expect("body").to_vec()).expect("utf8"),
            ),
            Err(_) => None,
        };
        out.insert(key, body);
    }
    out
}

/// Every (key, version id) of a real version (not a marker).
async fn data_versions(c: &Clients, bucket: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    warroom::aws::versions::list(&c.s3, bucket, None, |page| {
        out.extend(
            page.into_iter()
                .filter(|v| !v.is_delete_marker)
                .map(|v| (v.key, v.version_id)),
        );
    })
    .await
    .expect("list");
    out
}

/// S3's clock is in whole seconds: step past one so "at T" is unambiguous.
async fn next_second() -> i64 {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let t = warroom::time::now_secs();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    t
}

fn pit(bucket: &str, prefix: Option<&str>, to: i64) -> ActionSpec {
    ActionSpec::PitRestore(restore::Args {
        bucket: bucket.into(),
        prefix: prefix.map(str::to_string),
        goal: Goal::PointInTime {
            to,
            hide_newer: false,
            hide_keys: Vec::new(),
            skip_versions: Vec::new(),
        },
        override_order: None,
    })
}

#[tokio::test]
async fn point_in_time_restore_puts_every_key_back_as_it_was_and_undo_reverses_it() {
    let b = bench(&[]).await;
    let c = &b.c;
    versioned(c, "acme-customer-exports").await;
    let bucket = "acme-customer-exports";
    // Before T: 20 keys, some with two versions already.
    for i in 0..20 {
        put(c, bucket, &format!("c/{i:02}"), &format!("old-{i}")).await;
        if i % 5 == 0 {
            put(c, bucket, &format!("c/{i:02}"), &format!("at-t-{i}")).await;
        }
    }
    let purged = put(c, bucket, "c/purged", "secret").await;
    let at_t = contents(c, bucket).await;
    let t = next_second().await;
    // After T, the attacker: overwrites 0-7, deletes 8-15 (markers),
    // overwrites then deletes 16, deletes a specific old version of 17
    // (its current stays), creates new keys, and purges c/purged for good.
    for i in 0..8 {
        put(c, bucket, &format!("c/{i:02}"), &format!("ransom-{i}")).await;
    }
    for i in 8..16 {
        delete(c, bucket, &format!("c/{i:02}"), None).await;
    }
    put(c, bucket, "c/16", "ransom-16").await;
    delete(c, bucket, "c/16", None).await;
    put(c, bucket, "c/new-1", "created after T").await;
    put(c, bucket, "c/new-2", "created after T").await;
    delete(c, bucket, "c/purged", None).await;
    delete(c, bucket, "c/purged", Some(&purged)).await;
    let before_restore = contents(c, bucket).await;
    let versions_before = data_versions(c, bucket).await;

    // The plan says what it will do, in counts.
    let spec = pit(bucket, Some("c/"), t);
    let plan = warroom::actions::plan(c, &spec).await.expect("plan");
    let text = plan.before.join("\n");
    assert!(
        text.contains("undelete (remove delete markers): 8 key(s)"),
        "{text}"
    );
    assert!(
        text.contains("roll back (copy the earlier version): 9 key(s)"),
        "{text}"
    );
    assert!(
        text.contains("created after the time, left as they are: 2 key(s)"),
        "{text}"
    );
    assert!(
        text.contains("already as they should be, skipped: 3 key(s)"),
        "{text}"
    );
    assert!(
        text.contains("not recoverable (only delete markers remain): 1 key(s)"),
        "{text}"
    );
    assert!(
        plan.diff.iter().any(|l| l.contains("c/purged")),
        "{:?}",
        plan.diff
    );

    let (_, id) = b.apply(&spec).await;
    let after = contents(c, bucket).await;
    for (key, was) in &at_t {
        if key == "c/purged" {
            continue;
        }
        assert_eq!(after.get(key), Some(was), "{key} is as it was at T");
    }
    // Keys created after T are left alone; the purged key stays gone.
    assert_eq!(after["c/new-1"].as_deref(), Some("created after T"));
    assert_eq!(after["c/purged"], None);
    // No version was deleted: every data version is still there.
    let versions_after = data_versions(c, bucket).await;
    assert!(
        versions_before.is_subset(&versions_after),
        "lost: {:?}",
        versions_before
            .difference(&versions_after)
            .collect::<Vec<_>>()
    );

    // Undo: every key as it was just before the restore.
    b.undo(&id).await;
    assert_eq!(contents(c, bucket).await, before_restore);
    assert!(versions_before.is_subset(&data_versions(c, bucket).await));
    b.journal_ok();
    // A second run has nothing left to do once restored.
    let (_, again) = b.apply(&spec).await;
    assert_ne!(again, id);
    assert!(matches!(
        warroom::actions::plan(c, &spec).await,
        Err(warroom::actions::ActionError::NothingToDo(_))
    ));
}

/// The Game Day's order of work: the object ACLs of the whole bucket are
/// reset (batches journaled on `s3://bucket/*`), then the bucket is restored
/// (the same target). The restore must still roll back the overwritten key:
/// keys done by another action, or by an earlier completed restore, are not
/// "done" for this one. And actions are numbered A1, A2, … in the incident.
#[tokio::test]
async fn a_restore_after_another_bulk_action_on_the_bucket_does_all_it_planned() {
    let b = bench(&[]).await;
    let c = &b.c;
    let bucket = "acme-customer-exports";
    versioned(c, bucket).await;
    put(c, bucket, "orders.csv", "the real orders").await;
    put(c, bucket, "customers.csv", "the real customers").await;
    let t = next_second().await;
    put(c, bucket, "orders.csv", "ENCRYPTED BY ATTACKER").await;
    delete(c, bucket, "customers.csv", None).await;

    let acls = ActionSpec::ResetObjectAcls(warroom::actions::object_acls::Args {
        bucket: bucket.into(),
        key: None,
        prefix: None,
    });
    let (_, first) = b.apply(&acls).await;
    assert_eq!(first, "A1");
    let spec = pit(bucket, None, t);
    let plan = warroom::actions::plan(c, &spec).await.expect("plan");
    let text = plan.before.join("\n");
    assert!(
        text.contains("roll back (copy the earlier version): 1 key(s)"),
        "{text}"
    );
    let (_, second) = b.apply(&spec).await;
    assert_eq!(second, "A2");
    let now = contents(c, bucket).await;
    assert_eq!(now["orders.csv"].as_deref(), Some("the real orders"));
    assert_eq!(now["customers.csv"].as_deref(), Some("the real customers"));

    // The attacker comes back; the same restore, run again, puts it right
    // again: the first run completed, so its keys are not skipped.
    put(c, bucket, "orders.csv", "ENCRYPTED AGAIN").await;
    let (_, third) = b.apply(&spec).await;
    assert_eq!(third, "A3");
    assert_eq!(
        contents(c, bucket).await["orders.csv"].as_deref(),
        Some("the real orders")
    );
    b.journal_ok();
}

#[tokio::test]
async fn undelete_removes_markers_in_one_call_per_thousand() {
    const N: usize = 1500;
    let emu = start_counting_moto();
    let c = clients(&emu).await;
    versioned(&c, "undel").await;
    futures::stream::iter(0..N)
        .map(|i| {
            let c = c.clone();
            async move {
                let key = format!("k/{i:05}");
                put(&c, "undel", &key, "data").await;
                delete(&c, "undel", &key, None).await;
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    let deletes_before = request_counts(&emu)
        .get("POST /undel/?delete")
        .copied()
        .unwrap_or(0);
    let tmp = tempfile::tempdir().expect("tmp");
    let incident = tokio::sync::Mutex::new(
        warroom::incident::Incident::open(Some(&tmp.path().join("inc"))).expect("incident"),
    );
    let spec = ActionSpec::Undelete(restore::Args {
        bucket: "undel".into(),
        prefix: None,
        goal: Goal::Undelete { since: None },
        override_order: None,
    });
    let plan = warroom::actions::plan(&c, &spec).await.expect("plan");
    let out = warroom::actions::execute(
        &warroom::actions::Cx::new(&c, &incident),
        &plan,
        true,
        "test",
        false,
    )
    .await
    .expect("execute");
    assert!(
        matches!(out, warroom::actions::Outcome::Done { .. }),
        "{out:?}"
    );
    let calls = request_counts(&emu)
        .get("POST /undel/?delete")
        .copied()
        .unwrap_or(0)
        - deletes_before;
    assert_eq!(calls, N.div_ceil(1000) as u64, "ceil(markers / 1000) calls");
    let now = contents(&c, "undel").await;
    assert_eq!(now.len(), N);
    assert!(now.values().all(|v| v.as_deref() == Some("data")));
}

#[tokio::test]
async fn a_large_version_is_restored_by_multipart_copy_keeping_its_metadata_and_tags() {
    let b = bench(&[]).await;
    let c = &b.c;
    versioned(c, "big").await;
    // 11 MiB, so a 5 MiB copy limit makes it a three-part copy.
    let body: Vec<u8> = (0..11 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let old =
        c.s3.put_object()
            .bucket("big")
            .key("dump.bin")
            .content_type("application/x-dump")
            .metadata("case", "IR-42")
            .tagging("class=restricted")
            .body(ByteStream::from(body.clone()))
            .send()
            .await
            .expect("put")
            .version_id()
            .unwrap_or_default()
            .to_string();
    put(c, "big", "dump.bin", "overwritten").await;
    let made = warroom::aws::versions::copy_version(
        &c.s3,
        "big",
        "dump.bin",
        &warroom::aws::versions::Source {
            bucket: None,
            version_id: &old,
            etag: "",
            storage_class: "STANDARD",
            size: body.len() as u64,
        },
        warroom::aws::versions::CopyOptions {
            head_first: false,
            limit: 5 * 1024 * 1024,
            part_size: 5 * 1024 * 1024,
        },
    )
    .await
    .expect("multipart copy");
    assert_ne!(made, old, "a new version");
    let now =
        c.s3.get_object()
            .bucket("big")
            .key("dump.bin")
            .send()
            .await
            .expect("get");
    assert_eq!(now.content_type(), Some("application/x-dump"));
    assert_eq!(
        now.metadata()
            .and_then(|m| m.get("case"))
            .map(String::as_str),
        Some("IR-42")
    );
    assert_eq!(now.body.collect().await.expect("body").to_vec(), body);
    let tags =
        c.s3.get_object_tagging()
            .bucket("big")
            .key("dump.bin")
            .send()
            .await
            .expect("tags");
    assert_eq!(tags.tag_set().len(), 1);
    assert_eq!(tags.tag_set()[0].value(), "restricted");
    // The old version is still there: nothing was deleted.
    assert!(
        data_versions(c, "big")
            .await
            .contains(&("dump.bin".into(), old))
    );
}

#[tokio::test]
async fn a_bucket_never_versioned_is_explained_not_restored() {
    let b = bench(&["plain"]).await;
    let err = warroom::actions::plan(&b.c, &pit("plain", None, 0))
        .await
        .expect_err("no versions");
    let text = err.to_string();
    assert!(text.contains("never had versioning"), "{text}");
    assert!(text.contains("enable-versioning"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_restore_resumes_and_restores_no_key_twice() {
    const N: usize = 2500;
    let emu = start_counting_moto();
    let c = clients(&emu).await;
    versioned(&c, "pit-kill").await;
    let put_all = |body: &'static str| {
        let c = c.clone();
        async move {
            futures::stream::iter(0..N)
                .map(|i| {
                    let c = c.clone();
                    async move {
                        put(&c, "pit-kill", &format!("o/{i:05}"), body).await;
                    }
                })
                .buffer_unordered(32)
                .collect::<Vec<()>>()
                .await;
        }
    };
    put_all("good").await;
    let t = next_second().await;
    put_all("ransom").await;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    let to = warroom::time::iso_time(t);
    let act = || {
        let mut cmd = warroom(&emu);
        cmd.args(["--incident", dir.to_str().expect("utf8")]).args([
            "act",
            "pit-restore",
            "s3://pit-kill/o/",
            "--to",
            &to,
            "--yes",
        ]);
        cmd
    };
    // Puts per key so far: two (good, ransom). A copy is a third PUT.
    let puts = |emu: &warroom::emulator::Emulator| -> BTreeMap<String, u64> {
        request_counts(emu)
            .into_iter()
            .filter(|(k, _)| k.starts_with("PUT /pit-kill/o/"))
            .collect()
    };
    kill_after_batches(act(), &dir, 1);
    let copied = puts(&emu).values().filter(|n| **n == 3).count();
    assert!(
        (1000..N).contains(&copied),
        "killed part-way: {copied} copied"
    );

    let out = act().output().expect("rerun");
    assert_success(&out);
    let counts = puts(&emu);
    assert_eq!(counts.len(), N);
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n != 3).collect();
    assert!(
        twice.is_empty(),
        "restored more or less than once: {twice:?}"
    );
    let now = contents(&c, "pit-kill").await;
    assert!(now.values().all(|v| v.as_deref() == Some("good")));
    let r = warroom::incident::verify::verify(&dir).expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
}

#[tokio::test]
async fn warroom_versions_lists_changed_keys_and_flags_the_unrecoverable() {
    let emu = start_moto();
    let c = clients(&emu).await;
    versioned(&c, "hist").await;
    create_bucket(&c, "never").await;
    put(&c, "hist", "old.csv", "untouched").await;
    let v1 = put(&c, "hist", "gone.csv", "x").await;
    put(&c, "hist", "a.csv", "before").await;
    let t = next_second().await;
    put(&c, "hist", "a.csv", "after").await;
    delete(&c, "hist", "gone.csv", None).await;
    delete(&c, "hist", "gone.csv", Some(&v1)).await;
    let run = |args: &[&str]| warroom(&emu).args(args).output().expect("run");
    let since = warroom::time::iso_time(t);
    let out = run(&["versions", "s3://hist", "--since", &since, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let keys: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let names: Vec<&str> = keys.iter().filter_map(|k| k["key"].as_str()).collect();
    assert_eq!(names, ["a.csv", "gone.csv"], "old.csv did not change");
    assert_eq!(keys[0]["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(keys[0]["versions"][0]["current"], true);
    assert_eq!(keys[1]["not_recoverable"], true);
    let out = run(&["versions", "s3://never"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never had versioning"));
}

#[tokio::test]
async fn the_after_action_report_tells_the_restore_from_the_journal() {
    let b = bench(&[]).await;
    let c = &b.c;
    versioned(c, "rep").await;
    put(c, "rep", "k/a", "good").await;
    put(c, "rep", "k/b", "good").await;
    let t = next_second().await;
    put(c, "rep", "k/a", "bad").await;
    delete(c, "rep", "k/b", None).await;
    let (_, id) = b.apply(&pit("rep", Some("k/"), t)).await;
    let report = |format: &str| {
        warroom(&b.emu)
            .args(["--incident", b.dir.to_str().expect("utf8")])
            .args(["report", "--format", format])
            .output()
            .expect("report")
    };
    let out = report("md");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("Journal: verified"), "{md}");
    assert!(md.contains(&format!("| {id} |")), "{md}");
    assert!(md.contains("applied and verified"), "{md}");
    assert!(md.contains("Data restored: 2 key(s)"), "{md}");
    assert!(
        md.contains("### What would have helped us respond faster?"),
        "{md}"
    );
    let out = report("json");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["actions"][0]["id"], id.as_str());
    assert!(json["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    // Tampered with, the report says so and exits 1.
    let journal = b.dir.join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).expect("journal");
    std::fs::write(&journal, text.replacen("\"rep\"", "\"pwn\"", 1)).expect("tamper");
    let out = report("md");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DOES NOT VERIFY"));
}

#[tokio::test]
async fn a_kms_default_bucket_is_restored_by_reading_each_source_first() {
    let emu = start_counting_moto();
    let c = clients(&emu).await;
    versioned(&c, "kms-rest").await;
    warroom::aws::seed::default_kms(&c, "kms-rest", None)
        .await
        .expect("encryption");
    assert!(warroom::aws::versions::default_is_kms(&c.s3, "kms-rest").await);
    put(&c, "kms-rest", "k/a", "good").await;
    let t = next_second().await;
    put(&c, "kms-rest", "k/a", "bad").await;
    let heads = |emu: &warroom::emulator::Emulator| {
        request_counts(emu)
            .get("HEAD /kms-rest/k/a?versionId")
            .copied()
            .unwrap_or(0)
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let incident = tokio::sync::Mutex::new(
        warroom::incident::Incident::open(Some(&tmp.path().join("inc"))).expect("incident"),
    );
    let spec = pit("kms-rest", Some("k/"), t);
    // (The plan itself HEADs the current version: is it SSE-C?)
    let plan = warroom::actions::plan(&c, &spec).await.expect("plan");
    let before = heads(&emu);
    let out = warroom::actions::execute(
        &warroom::actions::Cx::new(&c, &incident),
        &plan,
        true,
        "test",
        false,
    )
    .await
    .expect("execute");
    assert!(
        matches!(out, warroom::actions::Outcome::Done { .. }),
        "{out:?}"
    );
    assert_eq!(
        heads(&emu) - before,
        1,
        "the source was read before the copy"
    );
    assert_eq!(
        contents(&c, "kms-rest").await["k/a"].as_deref(),
        Some("good")
    );
}

/// `warroom versions` prints every version id whole: the responder pastes
/// it into `restore-version --version-id`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_prints_whole_version_ids() {
    let emu = start_moto();
    let c = clients(&emu).await;
    versioned(&c, "whole-ids").await;
    let first = put(&c, "whole-ids", "report.csv", "good").await;
    let second = put(&c, "whole-ids", "report.csv", "attacker").await;
    assert!(
        first.len() > 20,
        "moto's ids are long enough to be cut: {first}"
    );
    let out = warroom(&emu)
        .args(["versions", "s3://whole-ids/"])
        .output()
        .expect("versions");
    assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for id in [&first, &second] {
        assert!(stdout.contains(id.as_str()), "{id} whole in:\n{stdout}");
    }
}

/// The responder's T falls after the attacker's first SSE-C rewrite: the
/// restore passes over the versions the tail saw the incident key write
/// with SSE-C and brings back the good bytes; a key whose only version at
/// T is the attacker's is reported, not "restored" to ciphertext. (moto
/// keeps SSE-C bodies in plaintext; which versions are the attacker's is
/// what the tail's records say, as on AWS.)
#[tokio::test]
async fn the_restore_skips_versions_the_attacker_wrote_with_sse_c() {
    let b = bench(&[]).await;
    let c = &b.c;
    let bucket = "ransomed-exports";
    versioned(c, bucket).await;
    let good_a = put(c, bucket, "x/a.csv", "good-a").await;
    // The attacker's rewrites under its own key: the emulator launcher keeps
    // SSE-C as S3 does (no read without the key).
    let key = warroom::aws::game::SseCKey::new([7u8; 32]);
    let sse_c = |k: &'static str| {
        let key = key.clone();
        async move {
            warroom::aws::game::put_object_sse_c(&c.s3, bucket, k, b"same bytes".to_vec(), &key)
                .await
                .expect("SSE-C put")
                .expect("a version")
        }
    };
    let since = warroom::time::now_secs();
    let bad_a = sse_c("x/a.csv").await;
    let bad_b = sse_c("x/b.csv").await;
    assert!(
        warroom::aws::game::get_object(&c.s3, bucket, "x/b.csv")
            .await
            .is_err(),
        "an SSE-C version is not served without its key"
    );
    // The versions view's probe finds exactly the two, from a HEAD each.
    let mut histories = Vec::new();
    warroom::aws::versions::changed_since(&c.s3, bucket, None, since - 5, |h| histories.push(h))
        .await
        .expect("listing");
    let asked = warroom::aws::versions::probe_candidates(&histories, since - 5);
    assert!(asked.iter().any(|(_, v)| *v == good_a), "{asked:?}");
    let (found, unprobed) = warroom::aws::versions::sse_c_versions(&c.s3, bucket, asked).await;
    assert_eq!(
        found,
        [bad_a.clone(), bad_b.clone()]
            .into_iter()
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(unprobed, 0);
    let t = next_second().await;
    put(c, bucket, "x/a.csv", "ransom note").await;
    let spec = ActionSpec::PitRestore(restore::Args {
        bucket: bucket.into(),
        prefix: Some("x/".into()),
        goal: Goal::PointInTime {
            to: t,
            hide_newer: false,
            hide_keys: Vec::new(),
            skip_versions: vec![bad_a, bad_b],
        },
        override_order: None,
    });
    let plan = warroom::actions::plan(c, &spec).await.expect("plan");
    // The step that should come first is named while it is not taken.
    assert!(
        plan.before
            .iter()
            .any(|l| l.starts_with("first: SSE-C writes are allowed")),
        "{:?}",
        plan.before
    );
    assert!(
        plan.diff
            .iter()
            .any(|l| l.contains("skips 2 version(s) written with SSE-C")),
        "{:?}",
        plan.diff
    );
    assert!(
        plan.diff
            .iter()
            .any(|l| l.contains("x/b.csv") && l.contains("no good version left")),
        "{:?}",
        plan.diff
    );
    // Blocked, the plan no longer asks for it.
    b.apply(&ActionSpec::BlockSseC(warroom::actions::Bucket {
        bucket: bucket.into(),
    }))
    .await;
    let plan = warroom::actions::plan(c, &spec).await.expect("plan");
    assert!(
        !plan
            .before
            .iter()
            .any(|l| l.contains("SSE-C writes are allowed")),
        "{:?}",
        plan.before
    );
    // The events are not preserved: the engine refuses, naming the step;
    // with a reason it goes ahead, and the reason is journaled.
    let plan = warroom::actions::plan(c, &spec).await.expect("plan");
    let refused = warroom::actions::execute(&b.cx(), &plan, true, "test", false).await;
    assert!(
        matches!(&refused, Err(warroom::actions::ActionError::NotPossible(m))
            if m.contains("CloudTrail events are not preserved") && m.contains("--override-order")),
        "{refused:?}"
    );
    let ActionSpec::PitRestore(args) = &spec else {
        unreachable!()
    };
    let spec = ActionSpec::PitRestore(restore::Args {
        override_order: Some("billing is down; trail copied by the SOC".into()),
        ..args.clone()
    });
    b.apply(&spec).await;
    let entries = b.incident.lock().await.all_entries().expect("entries");
    let over = entries
        .iter()
        .find(|e| e.kind == "order_overridden")
        .expect("the override is journaled");
    assert_eq!(
        over.data["reason"],
        "billing is down; trail copied by the SOC"
    );
    assert!(
        over.data["skipped"][0]
            .as_str()
            .is_some_and(|s| s.contains("not preserved"))
    );
    let now = contents(c, bucket).await;
    assert_eq!(now["x/a.csv"].as_deref(), Some("good-a"));
    // Held, not touched: still the attacker's, unreadable without its key.
    assert_eq!(now["x/b.csv"], None, "{now:?}");
    assert!(
        warroom::aws::game::get_object_with(&c.s3, bucket, "x/b.csv", Some(&key))
            .await
            .is_ok_and(|b| b == b"same bytes")
    );
    b.journal_ok();
}

/// The bucket's own versions are gone (one key's versions deleted for
/// good, another rewritten), but a replication destination kept them:
/// `pit-restore --from-bucket` copies the replica's version at T back,
/// leaves a key the replica did not hold alone, and undo puts the bucket
/// back as it was before the restore.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_restore_copies_the_replicas_version_at_t_back() {
    let b = bench(&[]).await;
    let c = &b.c;
    let (src, dr) = ("orders-src", "orders-dr");
    versioned(c, src).await;
    versioned(c, dr).await;
    // Replication, as S3 does it: each write lands in both.
    for (k, body) in [("o/1.csv", "one"), ("o/2.csv", "two")] {
        put(c, src, k, body).await;
        put(c, dr, k, body).await;
    }
    put(c, src, "o/local-only.csv", "not replicated").await;
    let t = next_second().await;
    put(c, src, "o/1.csv", "ransom").await;
    put(c, dr, "o/1.csv", "ransom").await;
    // o/2.csv: every version in the source deleted for good.
    let gone: Vec<String> = data_versions(c, src)
        .await
        .into_iter()
        .filter(|(k, _)| k == "o/2.csv")
        .map(|(_, v)| v)
        .collect();
    for v in &gone {
        delete(c, src, "o/2.csv", Some(v)).await;
    }
    let before = contents(c, src).await;
    assert_eq!(before.get("o/2.csv"), None, "gone from the source");
    // The bucket's own versions cannot bring o/2.csv back.
    let own = ActionSpec::PitRestore(restore::Args {
        bucket: src.into(),
        prefix: Some("o/".into()),
        goal: Goal::PointInTime {
            to: t,
            hide_newer: false,
            hide_keys: Vec::new(),
            skip_versions: Vec::new(),
        },
        override_order: None,
    });
    let plan = warroom::actions::plan(c, &own).await.expect("plan");
    assert!(
        !plan
            .before
            .iter()
            .any(|l| l.contains("roll back") && l.contains("2 key(s)")),
        "{:?}",
        plan.before
    );
    let spec = ActionSpec::PitRestore(restore::Args {
        bucket: src.into(),
        prefix: Some("o/".into()),
        goal: Goal::FromReplica {
            replica: dr.into(),
            to: t,
            skip_versions: Vec::new(),
        },
        override_order: None,
    });
    let plan = warroom::actions::plan(c, &spec).await.expect("plan");
    assert!(
        plan.before
            .iter()
            .any(|l| l.starts_with("roll back (copy the earlier version): 2 key(s)")),
        "{:?}",
        plan.before
    );
    assert!(
        plan.diff
            .iter()
            .any(|l| l.contains("copies come from s3://orders-dr")),
        "{:?}",
        plan.diff
    );
    assert!(
        plan.summary
            .contains("as the replica s3://orders-dr held it")
    );
    let (_, id) = b.apply(&spec).await;
    let now = contents(c, src).await;
    assert_eq!(now["o/1.csv"].as_deref(), Some("one"));
    assert_eq!(now["o/2.csv"].as_deref(), Some("two"));
    assert_eq!(
        now["o/local-only.csv"].as_deref(),
        Some("not replicated"),
        "a key the replica never held is left alone"
    );
    // Again: nothing left to do.
    let again = warroom::actions::plan(c, &spec).await;
    assert!(
        matches!(again, Err(warroom::actions::ActionError::NothingToDo(_))),
        "{again:?}"
    );
    b.undo(&id).await;
    let undone = contents(c, src).await;
    assert_eq!(undone["o/1.csv"].as_deref(), Some("ransom"));
    assert_eq!(undone.get("o/2.csv").cloned().flatten(), None);
    b.journal_ok();
}

/// The version a restore needs is in Glacier: the restore holds it;
/// `restore-archived` asks S3 for it (the emulator keeps the request in
/// progress for a few seconds, as Glacier's hours); while in progress the
/// restore still holds it and a second run of restore-archived asks for
/// nothing; once S3 has it, the restore copies it back, readable (STANDARD),
/// byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archived_versions_are_requested_once_then_restored_as_they_become_ready() {
    use warroom::actions::restore_archived;
    let b = support::bench_with(&[], &[("WARROOM_RESTORE_SECS", "3")]).await;
    let c = &b.c;
    let bucket = "cold-exports";
    versioned(c, bucket).await;
    c.s3.put_object()
        .bucket(bucket)
        .key("x/ledger.csv")
        .body(ByteStream::from_static(b"the ledger"))
        .storage_class(aws_sdk_s3::types::StorageClass::Glacier)
        .send()
        .await
        .expect("archived put");
    put(c, bucket, "x/fresh.csv", "fine").await;
    let t = next_second().await;
    put(c, bucket, "x/ledger.csv", "encrypted junk").await;
    let restore = ActionSpec::PitRestore(restore::Args {
        bucket: bucket.into(),
        prefix: Some("x/".into()),
        goal: Goal::PointInTime {
            to: t,
            hide_newer: false,
            hide_keys: Vec::new(),
            skip_versions: Vec::new(),
        },
        override_order: None,
    });
    let held = warroom::actions::plan(c, &restore).await;
    assert!(
        matches!(&held, Err(warroom::actions::ActionError::NothingToDo(m)) if m.contains("Glacier")),
        "{held:?}"
    );
    let ask = ActionSpec::RestoreArchived(restore_archived::Args {
        bucket: bucket.into(),
        prefix: Some("x/".into()),
        to: t,
        tier: "Bulk".into(),
        days: 3,
    });
    let plan = warroom::actions::plan(c, &ask).await.expect("plan");
    assert!(!plan.undoable);
    assert!(
        plan.before[0].contains("1 not requested"),
        "{:?}",
        plan.before
    );
    assert!(plan.after[0].contains("5–12 hours"), "{:?}", plan.after);
    let (_, id) = b.apply(&ask).await;
    let entries = b.incident.lock().await.all_entries().expect("entries");
    assert!(
        entries.iter().any(|e| e.kind == "action_batch"
            && e.data["action_id"] == id.as_str()
            && e.data["requested"][0]["key"] == "x/ledger.csv"),
        "each request is journaled"
    );
    // In progress: asked already, and still held by the restore.
    let again = warroom::actions::plan(c, &ask).await;
    assert!(
        matches!(&again, Err(warroom::actions::ActionError::NothingToDo(m)) if m.contains("1 being restored")),
        "{again:?}"
    );
    assert!(warroom::actions::plan(c, &restore).await.is_err());
    // Once S3 has it, the restore copies it.
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let plan = warroom::actions::plan(c, &restore).await.expect("plan");
    assert!(
        plan.before
            .iter()
            .any(|l| l.starts_with("roll back (copy the earlier version): 1 key(s)")),
        "{:?}",
        plan.before
    );
    b.apply(&restore).await;
    let now = contents(c, bucket).await;
    assert_eq!(now["x/ledger.csv"].as_deref(), Some("the ledger"));
    let head =
        c.s3.head_object()
            .bucket(bucket)
            .key("x/ledger.csv")
            .send()
            .await
            .expect("head");
    assert_eq!(
        head.storage_class(),
        None,
        "readable: STANDARD, not GLACIER"
    );
    b.journal_ok();
}
