//! Every S3 containment action against moto: set up the exposed state,
//! apply, read back and assert the new state, undo, read back and assert it
//! equals the recorded prior state (byte for byte for policy documents).
//! What moto cannot show is said where it matters.

mod support;

use serde_json::Value;
use support::*;
use tokio::sync::Mutex;
use warroom::actions::{
    self, Account, ActionError, ActionSpec, Bucket, Cx, Outcome, encryption, object_acls,
    policy_statements,
};
use warroom::aws::acl::is_owner_only;
use warroom::aws::containment;
use warroom::incident::{Incident, verify::verify};

fn bucket(b: &str) -> Bucket {
    Bucket { bucket: b.into() }
}

/// Versioning on, and one replication rule (`exfil`) copying every new
/// object to a bucket of account 999988887777.
async fn replicate_to_attacker(c: &warroom::aws::Clients, bucket: &str) {
    use aws_sdk_s3::types::{
        Destination, ReplicationConfiguration, ReplicationRule, ReplicationRuleStatus,
    };
    warroom::aws::seed::versioning(c, bucket)
        .await
        .expect("versioning");
    c.s3.put_bucket_replication()
        .bucket(bucket)
        .replication_configuration(
            ReplicationConfiguration::builder()
                .role("arn:aws:iam::123456789012:role/replication")
                .rules(
                    ReplicationRule::builder()
                        .id("exfil")
                        .status(ReplicationRuleStatus::Enabled)
                        // moto renders a missing Priority as "None", which
                        // no SDK parses: give one, as V2 rules have.
                        .priority(1)
                        .filter(
                            aws_sdk_s3::types::ReplicationRuleFilter::builder()
                                .prefix("")
                                .build(),
                        )
                        .destination(
                            Destination::builder()
                                .bucket("arn:aws:s3:::attacker-drop")
                                .account("999988887777")
                                .build()
                                .expect("destination"),
                        )
                        .build()
                        .expect("rule"),
                )
                .build()
                .expect("config"),
        )
        .send()
        .await
        .expect("replication");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_block_public_access_applies_and_undoes() {
    let t = bench(&["acct-one"]).await;
    assert_eq!(
        containment::account_pab(&t.c, ACCOUNT).await.expect("read"),
        None
    );
    let (plan, id) = t
        .apply(&ActionSpec::BlockPublicAccessAccount(Account {}))
        .await;
    assert_eq!(plan.prior["account"], ACCOUNT);
    assert!(
        plan.blast_radius.contains("its 1 bucket"),
        "{}",
        plan.blast_radius
    );
    assert!(matches!(plan.confirm, actions::Confirm::TypeName { ref text } if text == ACCOUNT));
    let now = containment::account_pab(&t.c, ACCOUNT).await.expect("read");
    assert!(now.is_some_and(|p| p.all_on()), "{now:?}");
    t.undo(&id).await;
    assert_eq!(
        containment::account_pab(&t.c, ACCOUNT).await.expect("read"),
        None
    );
    t.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_bucket_acl_to_owner_only_and_back_exactly() {
    let t = bench(&["acl-pub"]).await;
    t.c.s3
        .put_bucket_acl()
        .bucket("acl-pub")
        .acl(aws_sdk_s3::types::BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .expect("public acl");
    let prior = containment::bucket_acl(&t.c, "acl-pub", REGION)
        .await
        .expect("read");
    assert!(
        prior
            .grants
            .iter()
            .any(|g| g.grantee == warroom::model::facts::Grantee::AllUsers),
        "{prior:?}"
    );
    let (plan, id) = t
        .apply(&ActionSpec::ResetBucketAcl(bucket("acl-pub")))
        .await;
    assert!(
        plan.before.iter().any(|l| l.contains("Everyone")),
        "{:?}",
        plan.before
    );
    let now = containment::bucket_acl(&t.c, "acl-pub", REGION)
        .await
        .expect("read");
    let owner = now.owner_id.clone().expect("owner");
    assert!(is_owner_only(&now, &owner), "{now:?}");
    t.undo(&id).await;
    assert_eq!(
        containment::bucket_acl(&t.c, "acl-pub", REGION)
            .await
            .expect("read"),
        prior
    );
    // Owner-only already: nothing to do.
    create_bucket(&t.c, "acl-private").await;
    let err = actions::plan(&t.c, &ActionSpec::ResetBucketAcl(bucket("acl-private")))
        .await
        .expect_err("nothing to do");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");
    t.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_acls_and_undo_to_no_ownership_controls() {
    let t = bench(&["own-b"]).await;
    let (plan, id) = t.apply(&ActionSpec::DisableAcls(bucket("own-b"))).await;
    assert_eq!(plan.prior, Value::Null);
    assert_eq!(
        containment::ownership(&t.c, "own-b", REGION)
            .await
            .expect("read")
            .as_deref(),
        Some("BucketOwnerEnforced")
    );
    t.undo(&id).await;
    assert_eq!(
        containment::ownership(&t.c, "own-b", REGION)
            .await
            .expect("read"),
        None
    );
    // From ObjectWriter, undo goes back to ObjectWriter.
    containment::set_ownership(&t.c, "own-b", REGION, Some("ObjectWriter"))
        .await
        .expect("prior");
    let (_, id) = t.apply(&ActionSpec::DisableAcls(bucket("own-b"))).await;
    t.undo(&id).await;
    assert_eq!(
        containment::ownership(&t.c, "own-b", REGION)
            .await
            .expect("read")
            .as_deref(),
        Some("ObjectWriter")
    );
    t.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versioning_has_no_undo_to_never_versioned_but_undoes_to_suspended() {
    let t = bench(&["ver-new", "ver-susp"]).await;
    let (plan, id) = t
        .apply(&ActionSpec::EnableVersioning(bucket("ver-new")))
        .await;
    assert!(!plan.undoable);
    assert!(plan.undo.contains("never versioned"), "{}", plan.undo);
    assert_eq!(
        containment::versioning_status(&t.c, "ver-new", REGION)
            .await
            .expect("read")
            .as_deref(),
        Some("Enabled")
    );
    t.undo_refused(&id).await;

    containment::set_versioning(&t.c, "ver-susp", REGION, "Enabled")
        .await
        .expect("on");
    containment::set_versioning(&t.c, "ver-susp", REGION, "Suspended")
        .await
        .expect("suspended");
    let (plan, id) = t
        .apply(&ActionSpec::EnableVersioning(bucket("ver-susp")))
        .await;
    assert!(plan.undoable);
    t.undo(&id).await;
    assert_eq!(
        containment::versioning_status(&t.c, "ver-susp", REGION)
            .await
            .expect("read")
            .as_deref(),
        Some("Suspended")
    );
    t.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_encryption_sse_s3_and_sse_kms_apply_and_undo_exactly() {
    let t = bench(&["enc-b"]).await;
    let prior = containment::encryption(&t.c, "enc-b", REGION)
        .await
        .expect("read");
    let spec = |kms: Option<&str>| {
        ActionSpec::EnableEncryption(encryption::Args {
            bucket: "enc-b".into(),
            kms_key: kms.map(str::to_string),
        })
    };
    // moto does not check that the KMS key exists; real S3 does at upload.
    let (plan, id) = t.apply(&spec(Some("alias/ir-key"))).await;
    assert!(
        plan.blast_radius.contains("kms:Decrypt"),
        "{}",
        plan.blast_radius
    );
    let now = containment::encryption(&t.c, "enc-b", REGION)
        .await
        .expect("read")
        .expect("rules");
    assert_eq!(now[0].sse_algorithm, "aws:kms");
    assert_eq!(now[0].kms_master_key_id.as_deref(), Some("alias/ir-key"));
    t.undo(&id).await;
    assert_eq!(
        containment::encryption(&t.c, "enc-b", REGION)
            .await
            .expect("read"),
        prior
    );
    let (_, id) = t.apply(&spec(None)).await;
    assert_eq!(
        containment::encryption(&t.c, "enc-b", REGION)
            .await
            .expect("read")
            .expect("rules")[0]
            .sse_algorithm,
        "AES256"
    );
    t.undo(&id).await;
    assert_eq!(
        containment::encryption(&t.c, "enc-b", REGION)
            .await
            .expect("read"),
        prior
    );
    t.journal_ok();
}

/// An SSE-C write as the Codefinger campaign made them: the object
/// rewritten with a key only the writer holds.
async fn put_sse_c(c: &warroom::aws::Clients, bucket: &str, key: &str) -> Result<(), String> {
    c.s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(
            b"ciphertext",
        ))
        .sse_customer_algorithm("AES256")
        .sse_customer_key("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
        .sse_customer_key_md5("zZ5FnqcIqUjVwvWmyog4zw==")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| warroom::aws::error::aws_error(&e).code)
}

/// SSE-C blocked on a bucket with SSE-KMS default encryption: the rule
/// stays, the block reads back, an SSE-C write is refused (the emulator
/// launcher enforces it as S3 does), changing the default algorithm keeps
/// the block, and undo puts the configuration back exactly (SSE-C writes
/// work again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_c_is_blocked_keeping_the_rule_and_undo_reopens_it_exactly() {
    let t = bench(&["ransom-b"]).await;
    let kms = ActionSpec::EnableEncryption(encryption::Args {
        bucket: "ransom-b".into(),
        kms_key: Some("alias/exports".into()),
    });
    t.apply(&kms).await;
    assert_eq!(put_sse_c(&t.c, "ransom-b", "before.csv").await, Ok(()));
    let prior = containment::encryption(&t.c, "ransom-b", REGION)
        .await
        .expect("read");
    let block = ActionSpec::BlockSseC(bucket("ransom-b"));
    let (plan, id) = t.apply(&block).await;
    assert!(
        plan.after.iter().any(|l| l == "SSE-C writes: blocked"),
        "{:?}",
        plan.after
    );
    let now = containment::encryption(&t.c, "ransom-b", REGION)
        .await
        .expect("read")
        .expect("rules");
    assert_eq!(now[0].kms_master_key_id.as_deref(), Some("alias/exports"));
    assert_eq!(now[0].blocked_encryption_types, ["SSE-C"]);
    assert_eq!(
        put_sse_c(&t.c, "ransom-b", "after.csv").await,
        Err("AccessDenied".into())
    );
    let again = actions::plan(&t.c, &block).await;
    assert!(
        matches!(again, Err(ActionError::NothingToDo(_))),
        "{again:?}"
    );
    // A change of default algorithm does not reopen the door.
    let (_, sse_s3) = t
        .apply(&ActionSpec::EnableEncryption(encryption::Args {
            bucket: "ransom-b".into(),
            kms_key: None,
        }))
        .await;
    let now = containment::encryption(&t.c, "ransom-b", REGION)
        .await
        .expect("read")
        .expect("rules");
    assert_eq!(now[0].sse_algorithm, "AES256");
    assert!(now[0].blocks_sse_c(), "{now:?}");
    t.undo(&sse_s3).await;
    t.undo(&id).await;
    assert_eq!(
        containment::encryption(&t.c, "ransom-b", REGION)
            .await
            .expect("read"),
        prior
    );
    assert_eq!(put_sse_c(&t.c, "ransom-b", "undone.csv").await, Ok(()));
    t.journal_ok();
}

/// Object Lock on an existing bucket that already holds objects: refused
/// while versioning is off (with what to do), then on with a 30-day
/// governance retention; a version written after it cannot be deleted, a
/// version from before can; undo removes the default retention and says
/// Object Lock stays on, as S3 allows no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_lock_on_an_existing_bucket_locks_new_versions_and_undo_removes_the_retention() {
    use warroom::model::facts::LockConfig;
    let t = bench(&["locked-exports"]).await;
    let b = "locked-exports";
    let put = |key: &'static str| {
        let s3 = t.c.s3.clone();
        async move {
            s3.put_object()
                .bucket(b)
                .key(key)
                .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
                .send()
                .await
                .expect("put")
                .version_id()
                .unwrap_or_default()
                .to_string()
        }
    };
    let lock = ActionSpec::EnableObjectLock(actions::object_lock::Args {
        bucket: b.into(),
        days: 30,
    });
    let refused = actions::plan(&t.c, &lock).await;
    assert!(
        matches!(&refused, Err(ActionError::NotPossible(m)) if m.contains("enable-versioning")),
        "{refused:?}"
    );
    containment::set_versioning(&t.c, b, REGION, "Enabled")
        .await
        .expect("versioning");
    let before = put("before.csv").await;
    let (plan, id) = t.apply(&lock).await;
    assert!(plan.blast_radius.contains("s3:BypassGovernanceRetention"));
    assert!(plan.blast_radius.contains("cannot turn Object Lock off"));
    assert!(plan.undo.contains("stays on"), "{}", plan.undo);
    assert_eq!(
        containment::object_lock(&t.c, b, REGION)
            .await
            .expect("read"),
        LockConfig {
            enabled: true,
            mode: Some("GOVERNANCE".into()),
            days: Some(30),
            years: None,
        }
    );
    let after = put("after.csv").await;
    let delete = |key: &'static str, version: String| {
        let s3 = t.c.s3.clone();
        async move {
            s3.delete_object()
                .bucket(b)
                .key(key)
                .version_id(version)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| warroom::aws::error::aws_error(&e).code)
        }
    };
    assert_eq!(
        delete("after.csv", after).await,
        Err("AccessDenied".into()),
        "a version written under the lock stays"
    );
    let again = actions::plan(&t.c, &lock).await;
    assert!(
        matches!(again, Err(ActionError::NothingToDo(_))),
        "{again:?}"
    );
    t.undo(&id).await;
    assert_eq!(
        containment::object_lock(&t.c, b, REGION)
            .await
            .expect("read"),
        LockConfig {
            enabled: true,
            ..Default::default()
        },
        "on, no default retention: as near the record as S3 allows"
    );
    assert_eq!(delete("before.csv", before).await, Ok(()), "never locked");
    t.journal_ok();
}

/// The bucket's owner keeps logs for a year (transition, expiry, aborted
/// uploads, under `logs/`); the attacker's rule `planted` expires every
/// object in a day and every old version a day after it is replaced, as
/// the January 2025 campaign did.
async fn plant_lifecycle(c: &warroom::aws::Clients, bucket: &str) {
    use aws_sdk_s3::types::{
        AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus,
        LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, NoncurrentVersionExpiration,
        Transition, TransitionStorageClass,
    };
    let keep = LifecycleRule::builder()
        .id("keep-logs")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("logs/").build())
        .transitions(
            Transition::builder()
                .days(30)
                .storage_class(TransitionStorageClass::Glacier)
                .build(),
        )
        .expiration(LifecycleExpiration::builder().days(365).build())
        .abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(7)
                .build(),
        )
        .build()
        .expect("rule");
    let planted = LifecycleRule::builder()
        .id("planted")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .expiration(LifecycleExpiration::builder().days(1).build())
        .noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .noncurrent_days(1)
                .build(),
        )
        .build()
        .expect("rule");
    c.s3.put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(keep)
                .rules(planted)
                .build()
                .expect("config"),
        )
        .send()
        .await
        .expect("put lifecycle");
}

/// The scan reads both rules; removing the planted one writes the owner's
/// rule back element for element; an unknown ID is nothing to do; undo
/// puts the whole document back; removing every rule deletes the
/// configuration and its undo restores it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_lifecycle_rule_is_removed_alone_and_undo_restores_the_document() {
    use warroom::actions::lifecycle_rules::Args;
    use warroom::aws::lifecycle;
    let t = bench(&["expiring-b"]).await;
    plant_lifecycle(&t.c, "expiring-b").await;
    let prior = lifecycle::rules(&t.c, "expiring-b", REGION)
        .await
        .expect("read");
    assert_eq!(prior.len(), 2, "{prior:?}");
    assert!(prior[1].deletes() && prior[1].label() == "planted");
    let facts = warroom::aws::exposure::bucket_facts(
        &t.c,
        warroom::aws::exposure::BucketRef {
            name: "expiring-b".into(),
            region: Some(REGION.into()),
            watch_keys: Vec::new(),
        },
    )
    .await;
    assert_eq!(facts.lifecycle.known(), Some(&prior));

    let remove = ActionSpec::RemoveLifecycleRules(Args {
        bucket: "expiring-b".into(),
        rules: vec!["planted".into()],
    });
    let (plan, id) = t.apply(&remove).await;
    assert!(
        plan.diff.iter().any(|l| l.starts_with("- ")),
        "{:?}",
        plan.diff
    );
    let now = lifecycle::rules(&t.c, "expiring-b", REGION)
        .await
        .expect("read");
    assert_eq!(now, prior[..1].to_vec(), "the owner's rule, exactly");
    let gone = actions::plan(
        &t.c,
        &ActionSpec::RemoveLifecycleRules(Args {
            bucket: "expiring-b".into(),
            rules: vec!["planted".into()],
        }),
    )
    .await;
    assert!(matches!(gone, Err(ActionError::NothingToDo(_))), "{gone:?}");
    t.undo(&id).await;
    assert_eq!(
        lifecycle::rules(&t.c, "expiring-b", REGION)
            .await
            .expect("read"),
        prior
    );

    let all = ActionSpec::RemoveLifecycleRules(Args {
        bucket: "expiring-b".into(),
        rules: Vec::new(),
    });
    let (_, all_id) = t.apply(&all).await;
    assert!(
        lifecycle::rules(&t.c, "expiring-b", REGION)
            .await
            .expect("read")
            .is_empty()
    );
    t.undo(&all_id).await;
    assert_eq!(
        lifecycle::rules(&t.c, "expiring-b", REGION)
            .await
            .expect("read"),
        prior
    );
    t.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_statements_control_plane_first_then_data_plane_and_undo_byte_for_byte() {
    let t = bench(&["pol-steps"]).await;
    let original = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutBucketPolicy"],"Resource":["arn:aws:s3:::pol-steps","arn:aws:s3:::pol-steps/*"]},{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-steps/*"},{"Sid":"Internal","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-steps/*"}]}"#;
    put_policy(&t.c, "pol-steps", original).await;
    let before = containment::bucket_policy(&t.c, "pol-steps", REGION)
        .await
        .expect("read")
        .expect("policy");
    let next = ActionSpec::RemovePolicyStatements(policy_statements::Args {
        bucket: "pol-steps".into(),
        step: policy_statements::Step::Next,
    });

    // Step 1: the public statement can change the policy, so the control
    // plane is locked first, and nothing else changes.
    let (plan, step1) = t.apply(&next).await;
    assert!(plan.summary.contains("step 1 of 2"), "{}", plan.summary);
    assert!(
        plan.diff
            .iter()
            .any(|l| l.starts_with("+ ") && l.contains(policy_statements::DENY_SID)),
        "{:?}",
        plan.diff
    );
    assert!(
        !plan.diff.iter().any(|l| l.starts_with("- ")),
        "{:?}",
        plan.diff
    );
    let after1 = containment::bucket_policy(&t.c, "pol-steps", REGION)
        .await
        .expect("read")
        .expect("policy");
    let doc: Value = serde_json::from_str(&after1).expect("json");
    assert_eq!(doc["Statement"].as_array().map(Vec::len), Some(4));
    assert_eq!(doc["Statement"][3]["Effect"], "Deny");

    // Step 2: the public and the partner statements go; Internal and the
    // Deny stay.
    let (plan, step2) = t.apply(&next).await;
    assert!(plan.summary.contains("step 2 of 2"), "{}", plan.summary);
    let after2 = containment::bucket_policy(&t.c, "pol-steps", REGION)
        .await
        .expect("read")
        .expect("policy");
    let doc: Value = serde_json::from_str(&after2).expect("json");
    let sids: Vec<&str> = doc["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(sids, ["Internal", policy_statements::DENY_SID]);
    let err = actions::plan(&t.c, &next).await.expect_err("nothing left");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");

    // Undo in reverse order, each back to its exact prior document.
    t.undo(&step2).await;
    assert_eq!(
        containment::bucket_policy(&t.c, "pol-steps", REGION)
            .await
            .expect("read")
            .as_deref(),
        Some(after1.as_str())
    );
    t.undo(&step1).await;
    assert_eq!(
        containment::bucket_policy(&t.c, "pol-steps", REGION)
            .await
            .expect("read")
            .as_deref(),
        Some(before.as_str())
    );
    t.journal_ok();
}

/// The lock needs no policy to sit in: on a bucket without one it becomes
/// the policy, and undo takes the policy away again (not an empty one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_plane_lock_works_on_a_bucket_without_a_policy_and_undoes_to_none() {
    let t = bench(&["pol-none"]).await;
    let lock = ActionSpec::RemovePolicyStatements(policy_statements::Args {
        bucket: "pol-none".into(),
        step: policy_statements::Step::ControlPlane,
    });
    let (plan, id) = t.apply(&lock).await;
    assert_eq!(plan.prior, Value::Null, "no policy before");
    let now = containment::bucket_policy(&t.c, "pol-none", REGION)
        .await
        .expect("read")
        .expect("a policy now");
    let doc: Value = serde_json::from_str(&now).expect("json");
    assert_eq!(doc["Statement"][0]["Sid"], policy_statements::DENY_SID);
    assert_eq!(doc["Statement"].as_array().map(Vec::len), Some(1));
    // Planned again: already locked.
    let err = actions::plan(&t.c, &lock).await.expect_err("locked");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");
    t.undo(&id).await;
    assert_eq!(
        containment::bucket_policy(&t.c, "pol-none", REGION)
            .await
            .expect("read"),
        None
    );
    // Without a policy, the data-plane step still has nothing to do.
    let data = ActionSpec::RemovePolicyStatements(policy_statements::Args {
        bucket: "pol-none".into(),
        step: policy_statements::Step::Next,
    });
    let err = actions::plan(&t.c, &data).await.expect_err("no policy");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");
    t.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_acls_reset_under_a_prefix_only_and_undo_restores_each() {
    let t = bench(&["obj-acl"]).await;
    put_public_objects(&t.c, "obj-acl", "p/", 40).await;
    put_public_objects(&t.c, "obj-acl", "q/", 5).await;
    let s3 = t.c.s3.clone();
    let prior = containment::object_acl(&s3, "obj-acl", "p/00007")
        .await
        .expect("read");
    assert!(prior.grants.len() >= 2, "{prior:?}");
    let spec = ActionSpec::ResetObjectAcls(object_acls::Args {
        bucket: "obj-acl".into(),
        key: None,
        prefix: Some("p/".into()),
    });
    let progress = std::sync::Mutex::new(Vec::new());
    let record = |p: actions::Progress| progress.lock().expect("lock").push(p);
    let plan = actions::plan(&t.c, &spec).await.expect("plan");
    assert!(plan.after[0].starts_with("40 object"), "{:?}", plan.after);
    let cx = t.cx().with_progress(&record);
    let out = actions::execute(&cx, &plan, true, "test", false)
        .await
        .expect("execute");
    assert!(matches!(out, Outcome::Done { .. }), "{out:?}");
    let last = *progress.lock().expect("lock").last().expect("progress");
    assert_eq!((last.done, last.total, last.changed), (40, 40, 40));

    let owner = containment::bucket_acl(&t.c, "obj-acl", REGION)
        .await
        .expect("acl")
        .owner_id
        .expect("owner");
    for i in [0, 7, 39] {
        let acl = containment::object_acl(&s3, "obj-acl", &format!("p/{i:05}"))
            .await
            .expect("read");
        assert!(is_owner_only(&acl, &owner), "{acl:?}");
    }
    let untouched = containment::object_acl(&s3, "obj-acl", "q/00001")
        .await
        .expect("read");
    assert!(!is_owner_only(&untouched, &owner), "outside the prefix");

    // Running it again finds nothing left to do in the journal.
    let plan = actions::plan(&t.c, &spec).await.expect("plan");
    let out = actions::execute(&t.cx(), &plan, true, "test", false)
        .await
        .expect("execute");
    assert!(matches!(out, Outcome::Done { .. }), "{out:?}");

    t.undo(out.action_id()).await; // a no-op undo: that run changed nothing
    let entries = t.incident.lock().await.all_entries().expect("entries");
    let first = entries
        .iter()
        .find(|e| e.kind == "action_planned")
        .map(|e| format!("A{}", e.seq))
        .expect("first action");
    t.undo(&first).await;
    let now = containment::object_acl(&s3, "obj-acl", "p/00007")
        .await
        .expect("read");
    assert!(
        warroom::aws::acl::same_acl(&now, &prior),
        "{now:?} != {prior:?}"
    );
    t.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_and_read_only_send_no_mutating_request() {
    let emu = start_counting_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "quiet").await;
    put_public_objects(&c, "quiet", "k", 3).await;
    put_policy(&c, "quiet", r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::quiet/*"}]}"#).await;
    // Reads are GET/HEAD; `POST /` is STS GetCallerIdentity (a read).
    let mutating = |emu: &warroom::emulator::Emulator| -> u64 {
        request_counts(emu)
            .iter()
            .filter(|(k, _)| {
                !k.starts_with("GET ") && !k.starts_with("HEAD ") && k.as_str() != "POST /"
            })
            .map(|(_, n)| n)
            .sum()
    };
    let baseline = mutating(&emu);
    let tmp = tempfile::tempdir().expect("tmp");
    let incident = Mutex::new(Incident::open(Some(&tmp.path().join("i"))).expect("incident"));
    let ro = read_only_clients(&emu.endpoint()).await;
    let specs = [
        ActionSpec::BlockPublicAccess(actions::bucket_pab::Args::all("quiet")),
        ActionSpec::BlockPublicAccessAccount(Account {}),
        ActionSpec::RemovePolicyStatements(policy_statements::Args {
            bucket: "quiet".into(),
            step: policy_statements::Step::Next,
        }),
        ActionSpec::DeleteBucketPolicy(bucket("quiet")),
        ActionSpec::ResetObjectAcls(object_acls::Args {
            bucket: "quiet".into(),
            key: None,
            prefix: None,
        }),
        ActionSpec::DisableAcls(bucket("quiet")),
        ActionSpec::EnableVersioning(bucket("quiet")),
        ActionSpec::EnableEncryption(encryption::Args {
            bucket: "quiet".into(),
            kms_key: None,
        }),
    ];
    for spec in &specs {
        let plan = actions::plan(&c, spec).await.expect("plan");
        let dry = actions::execute(&Cx::new(&c, &incident), &plan, true, "test", true)
            .await
            .expect("dry run");
        assert!(matches!(dry, Outcome::DryRun { .. }), "{dry:?}");
        let refused = actions::execute(&Cx::new(&ro, &incident), &plan, true, "test", false)
            .await
            .expect("read-only");
        assert!(
            matches!(&refused, Outcome::Failed { error, .. } if error.code == "ReadOnly"),
            "{refused:?}"
        );
    }
    assert_eq!(
        mutating(&emu),
        baseline,
        "no mutating request reached the emulator: {:?}",
        request_counts(&emu)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_object_acl_reset_killed_half_way_resumes_and_writes_no_object_twice() {
    const N: usize = 5000;
    let emu = start_counting_moto();
    let c = clients(&emu).await;
    create_bucket(&c, "bulk-kill").await;
    put_public_objects(&c, "bulk-kill", "o/", N).await;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    let act = || {
        let mut cmd = warroom(&emu);
        cmd.args(["--incident", dir.to_str().expect("utf8")]).args([
            "act",
            "reset-object-acls",
            "bulk-kill",
            "--yes",
        ]);
        cmd
    };
    let acl_puts = |emu: &warroom::emulator::Emulator| -> Vec<(String, u64)> {
        request_counts(emu)
            .into_iter()
            .filter(|(k, _)| k.starts_with("PUT /bulk-kill/o/") && k.ends_with("?acl"))
            .collect()
    };

    // Run, and kill the process (SIGKILL: no clean-up) once a few batches
    // are journaled as done.
    kill_after_batches(act(), &dir, 4);
    let first = acl_puts(&emu).len();
    assert!(
        (1000..N).contains(&first),
        "killed half-way: {first} objects written"
    );

    // Re-run: it resumes and finishes.
    let out = act().output().expect("rerun");
    assert_success(&out);
    assert_eq!(batch_lines(&dir, "resumed"), 1);

    // The emulator saw exactly one ACL write per object: every object
    // written, none twice.
    let puts = acl_puts(&emu);
    assert_eq!(puts.len(), N, "every object written");
    let twice: Vec<_> = puts.iter().filter(|(_, n)| *n != 1).collect();
    assert!(twice.is_empty(), "written more than once: {twice:?}");

    // Every object reads back owner-only, and the journal still verifies.
    let owner = containment::bucket_acl(&c, "bulk-kill", REGION)
        .await
        .expect("acl")
        .owner_id
        .expect("owner");
    for i in (0..N).step_by(97) {
        let acl = containment::object_acl(&c.s3, "bulk-kill", &format!("o/{i:05}"))
            .await
            .expect("read");
        assert!(is_owner_only(&acl, &owner), "o/{i:05}: {acl:?}");
    }
    let r = verify(&dir).expect("verify");
    assert!(r.ok(), "{:?}", r.problems);
}

/// The false "private" the issue names, against moto: a bucket whose policy
/// delegates to its access points, and an Internet access point with its
/// own Block Public Access off and a public policy. The scan reads the door
/// and says PUBLIC, naming it; `A`'s action deletes the access point's
/// policy (read back: none; the verdict private again); undo puts the exact
/// document back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_access_point_makes_the_bucket_public_and_its_policy_is_removed_and_undone() {
    use warroom::aws::exposure::{BucketRef, account_facts, bucket_facts};
    use warroom::model::exposure::{Verdict, assess};
    let t = bench(&["ap-bucket"]).await;
    let delegating = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"*","Resource":["arn:aws:s3:::ap-bucket","arn:aws:s3:::ap-bucket/*"],"Condition":{{"StringEquals":{{"s3:DataAccessPointAccount":"{ACCOUNT}"}}}}}}]}}"#
    );
    put_policy(&t.c, "ap-bucket", &delegating).await;
    let verdict = || async {
        let account = account_facts(&t.c, Some(ACCOUNT)).await;
        let facts = bucket_facts(
            &t.c,
            BucketRef {
                name: "ap-bucket".into(),
                region: Some(REGION.into()),
                ..Default::default()
            },
        )
        .await;
        assess(&account, &facts)
    };
    // Delegation alone, no access point: private.
    assert_eq!(verdict().await.verdict, Verdict::Private);
    let control = t.c.s3control_in(REGION);
    control
        .create_access_point()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .bucket("ap-bucket")
        .public_access_block_configuration(control_pab_off())
        .send()
        .await
        .expect("create access point");
    let ap_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ext-ap/object/*"}}]}}"#
    );
    control
        .put_access_point_policy()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .policy(&ap_policy)
        .send()
        .await
        .expect("access point policy");
    let a = verdict().await;
    assert_eq!(a.verdict, Verdict::Public, "{:?}", a.reasons);
    assert!(
        a.reasons[0]
            .text
            .starts_with("access point ext-ap (Internet, BPA off) policy statement 1 (Anyone) lets anyone read objects"),
        "{}",
        a.reasons[0].text
    );

    let close = ActionSpec::DeleteAccessPointPolicy(warroom::actions::access_point_policy::Args {
        bucket: "ap-bucket".into(),
        access_point: "ext-ap".into(),
    });
    let (plan, id) = t.apply(&close).await;
    assert_eq!(plan.prior, Value::String(ap_policy.clone()));
    assert!(plan.before[0].contains("[PUBLIC]"), "{:?}", plan.before);
    let gone = control
        .get_access_point_policy()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .send()
        .await;
    assert!(gone.is_err(), "the policy is gone: {gone:?}");
    assert_eq!(verdict().await.verdict, Verdict::Private);
    // An access point on another bucket is refused by name.
    let other = ActionSpec::DeleteAccessPointPolicy(warroom::actions::access_point_policy::Args {
        bucket: "not-its-bucket".into(),
        access_point: "ext-ap".into(),
    });
    assert!(actions::plan(&t.c, &other).await.is_err());

    t.undo(&id).await;
    let back = control
        .get_access_point_policy()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .send()
        .await
        .expect("policy back");
    assert_eq!(back.policy(), Some(ap_policy.as_str()));
    assert_eq!(verdict().await.verdict, Verdict::Public);

    // The door itself: delete-access-point records the whole configuration,
    // deletes it, and undo makes it again (with a new alias, as AWS does).
    let alias_before = control
        .get_access_point()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .send()
        .await
        .expect("access point")
        .alias()
        .map(str::to_string);
    let delete = ActionSpec::DeleteAccessPoint(warroom::actions::access_point::Args {
        bucket: "ap-bucket".into(),
        access_point: "ext-ap".into(),
    });
    let (plan, deleted) = t.apply(&delete).await;
    assert_eq!(plan.prior["policy"], Value::String(ap_policy.clone()));
    assert_eq!(plan.prior["vpc_id"], Value::Null);
    assert_eq!(
        plan.prior["public_access_block"]["restrict_public_buckets"],
        Value::Bool(false)
    );
    assert!(plan.undo.contains("NEW alias"), "{}", plan.undo);
    let gone = control
        .get_access_point()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .send()
        .await;
    assert!(gone.is_err(), "the access point is gone: {gone:?}");
    assert_eq!(verdict().await.verdict, Verdict::Private);
    // Nothing left to delete: refused, nothing planned.
    assert!(matches!(
        actions::plan(&t.c, &delete).await,
        Err(actions::ActionError::NothingToDo(_))
    ));
    t.undo(&deleted).await;
    let again = control
        .get_access_point()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .send()
        .await
        .expect("access point back");
    assert_eq!(again.bucket(), Some("ap-bucket"));
    assert_eq!(
        again
            .public_access_block_configuration()
            .and_then(|p| p.restrict_public_buckets()),
        Some(false)
    );
    assert_ne!(again.alias().map(str::to_string), alias_before);
    let policy_back = control
        .get_access_point_policy()
        .account_id(ACCOUNT)
        .name("ext-ap")
        .send()
        .await
        .expect("policy back with the access point");
    assert_eq!(policy_back.policy(), Some(ap_policy.as_str()));
    assert_eq!(verdict().await.verdict, Verdict::Public);
    t.journal_ok();
}

/// Replication to another account's bucket is read and makes the bucket
/// shared; quarantine adds one Deny (the rest of the policy stays), read
/// back, and undo returns the exact prior policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replication_to_another_account_is_a_door_and_quarantine_shuts_then_undoes() {
    use warroom::aws::exposure::{BucketRef, account_facts, bucket_facts};
    use warroom::model::exposure::{Verdict, assess};
    let t = bench(&["q-src"]).await;
    replicate_to_attacker(&t.c, "q-src").await;
    let verdict = || async {
        let account = account_facts(&t.c, Some(ACCOUNT)).await;
        let facts = bucket_facts(
            &t.c,
            BucketRef {
                name: "q-src".into(),
                region: Some(REGION.into()),
                ..Default::default()
            },
        )
        .await;
        assess(&account, &facts)
    };
    let a = verdict().await;
    assert_eq!(a.verdict, Verdict::Shared, "{:?}", a.reasons);
    assert!(
        a.reasons[0].text.contains("replication rule exfil"),
        "{}",
        a.reasons[0].text
    );

    let app = r#"{"Version":"2012-10-17","Statement":[{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::q-src/*"}]}"#;
    put_policy(&t.c, "q-src", app).await;
    let before = containment::bucket_policy(&t.c, "q-src", REGION)
        .await
        .expect("read");
    let q = ActionSpec::Quarantine(warroom::actions::quarantine::Args {
        bucket: "q-src".into(),
        keep: Vec::new(),
    });
    let (plan, id) = t.apply(&q).await;
    assert!(
        plan.before
            .iter()
            .any(|l| l.starts_with("keeps access: arn:aws:")),
        "{:?}",
        plan.before
    );
    let now = containment::bucket_policy(&t.c, "q-src", REGION)
        .await
        .expect("read")
        .expect("policy");
    let doc: Value = serde_json::from_str(&now).expect("json");
    assert_eq!(doc["Statement"][0]["Sid"], "App", "the rest stays");
    assert_eq!(
        doc["Statement"][1]["Sid"],
        warroom::actions::quarantine::QUARANTINE_SID
    );
    assert_eq!(doc["Statement"][1]["Action"], "s3:*");
    assert!(
        verdict()
            .await
            .reasons
            .iter()
            .any(|r| r.text.starts_with("quarantined:"))
    );
    let err = actions::plan(&t.c, &q).await.expect_err("already");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");
    t.undo(&id).await;
    assert_eq!(
        containment::bucket_policy(&t.c, "q-src", REGION)
            .await
            .expect("read"),
        before
    );
    t.journal_ok();
}

/// The four side-door actions: each applied, read back, undone, and read
/// back equal to what it recorded. The replication rule of the exfil
/// scenario; notifications to a queue in another account (next to one of
/// our own that must stay); website hosting with a routing rule; CORS with
/// an any-origin rule next to one that stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn side_doors_close_and_undo_to_exactly_what_they_were() {
    use aws_sdk_s3::types::{
        CorsConfiguration, CorsRule, ErrorDocument, Event, IndexDocument,
        NotificationConfiguration, QueueConfiguration, Redirect, RoutingRule, WebsiteConfiguration,
    };
    use warroom::actions::side_doors;
    let t = bench(&["doors"]).await;
    let s3 = &t.c.s3;
    replicate_to_attacker(&t.c, "doors").await;
    let theirs = "arn:aws:sqs:us-east-1:999988887777:loot";
    let ours = "arn:aws:sqs:us-east-1:123456789012:audit";
    let queue = |arn: &str, id: &str| {
        QueueConfiguration::builder()
            .id(id)
            .queue_arn(arn)
            .events(Event::from("s3:ObjectCreated:*"))
            .build()
            .expect("queue")
    };
    s3.put_bucket_notification_configuration()
        .bucket("doors")
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(queue(theirs, "leak"))
                .queue_configurations(queue(ours, "audit"))
                .build(),
        )
        .send()
        .await
        .expect("notifications");
    s3.put_bucket_website()
        .bucket("doors")
        .website_configuration(
            WebsiteConfiguration::builder()
                .index_document(
                    IndexDocument::builder()
                        .suffix("index.html")
                        .build()
                        .expect("i"),
                )
                .error_document(
                    ErrorDocument::builder()
                        .key("error.html")
                        .build()
                        .expect("e"),
                )
                .routing_rules(
                    RoutingRule::builder()
                        .redirect(Redirect::builder().replace_key_prefix_with("docs/").build())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("website");
    let cors = |origin: &str, id: &str| {
        CorsRule::builder()
            .id(id)
            .allowed_methods("GET")
            .allowed_origins(origin)
            .max_age_seconds(300)
            .build()
            .expect("cors")
    };
    s3.put_bucket_cors()
        .bucket("doors")
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(cors("*", "any"))
                .cors_rules(cors("https://app.example.com", "app"))
                .build()
                .expect("cors"),
        )
        .send()
        .await
        .expect("cors");

    // What the console's Z picks first: the replication rule.
    let facts = warroom::aws::exposure::bucket_facts(
        &t.c,
        warroom::aws::exposure::BucketRef {
            name: "doors".into(),
            region: Some(REGION.into()),
            ..Default::default()
        },
    )
    .await;
    let account = warroom::aws::exposure::account_facts(&t.c, Some(ACCOUNT)).await;
    let report = warroom::scan::BucketReport::new(&account, facts);
    let spec = warroom::tui::offers::open_side_door(&report).expect("a door");
    assert_eq!(
        spec,
        ActionSpec::DisableReplicationRule(side_doors::Rule {
            bucket: "doors".into(),
            rule: "exfil".into()
        })
    );

    let replication = || async {
        s3.get_bucket_replication()
            .bucket("doors")
            .send()
            .await
            .expect("replication")
            .replication_configuration()
            .map(|c| c.rules()[0].status().as_str().to_string())
    };
    let notices = || async {
        let o = s3
            .get_bucket_notification_configuration()
            .bucket("doors")
            .send()
            .await
            .expect("notifications");
        let mut arns: Vec<String> = o
            .queue_configurations()
            .iter()
            .map(|q| q.queue_arn().to_string())
            .collect();
        arns.sort();
        arns
    };
    let website = || async {
        s3.get_bucket_website()
            .bucket("doors")
            .send()
            .await
            .ok()
            .map(|w| {
                (
                    w.index_document().map(|d| d.suffix().to_string()),
                    w.routing_rules().len(),
                )
            })
    };
    let cors_ids = || async {
        s3.get_bucket_cors()
            .bucket("doors")
            .send()
            .await
            .map(|c| {
                c.cors_rules()
                    .iter()
                    .map(|r| r.id().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };

    let (_, rep_id) = t.apply(&spec).await;
    assert_eq!(replication().await.as_deref(), Some("Disabled"));
    let (_, note_id) = t
        .apply(&ActionSpec::RemoveNotification(side_doors::Destination {
            bucket: "doors".into(),
            destination: theirs.into(),
        }))
        .await;
    assert_eq!(notices().await, vec![ours.to_string()], "ours stays");
    let (_, web_id) = t.apply(&ActionSpec::DisableWebsite(bucket("doors"))).await;
    assert_eq!(website().await, None);
    let (_, cors_id) = t.apply(&ActionSpec::ResetCors(bucket("doors"))).await;
    assert_eq!(
        cors_ids().await,
        vec!["app".to_string()],
        "the other rule stays"
    );
    // Nothing left to do: said, not done again.
    let err = actions::plan(&t.c, &ActionSpec::ResetCors(bucket("doors")))
        .await
        .expect_err("done");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");

    for id in [&cors_id, &web_id, &note_id, &rep_id] {
        t.undo(id).await;
    }
    assert_eq!(replication().await.as_deref(), Some("Enabled"));
    assert_eq!(notices().await, vec![ours.to_string(), theirs.to_string()]);
    assert_eq!(website().await, Some((Some("index.html".into()), 1)));
    assert_eq!(cors_ids().await, vec!["any".to_string(), "app".to_string()]);
    t.journal_ok();
}

/// Server access logs delivered with a grant to anyone share the bucket's
/// key names and requesters: `Z` picks `remove-log-grants`, which removes
/// only that grant (the owner's stays, logging stays on), and undo puts
/// the recorded configuration back exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_grants_to_anyone_are_removed_and_undo_puts_them_back() {
    use aws_sdk_s3::types::{
        BucketCannedAcl, BucketLoggingStatus, BucketLogsPermission, Grantee, LoggingEnabled,
        TargetGrant, Type,
    };
    let t = bench(&["logged", "access-logs"]).await;
    t.c.s3
        .put_bucket_acl()
        .bucket("access-logs")
        .acl(BucketCannedAcl::from("log-delivery-write"))
        .send()
        .await
        .expect("log delivery ACL");
    let owner = owner_id(&t.c, "logged").await;
    let grant = |grantee: Grantee, permission| {
        TargetGrant::builder()
            .grantee(grantee)
            .permission(permission)
            .build()
    };
    t.c.s3
        .put_bucket_logging()
        .bucket("logged")
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket("access-logs")
                        .target_prefix("logged/")
                        .target_grants(grant(
                            Grantee::builder()
                                .r#type(Type::Group)
                                .uri("http://acs.amazonaws.com/groups/global/AllUsers")
                                .build()
                                .expect("grantee"),
                            BucketLogsPermission::Read,
                        ))
                        .target_grants(grant(
                            Grantee::builder()
                                .r#type(Type::CanonicalUser)
                                .id(&owner)
                                .build()
                                .expect("grantee"),
                            BucketLogsPermission::FullControl,
                        ))
                        .build()
                        .expect("logging"),
                )
                .build(),
        )
        .send()
        .await
        .expect("put logging");
    let logging = || async {
        let out =
            t.c.s3
                .get_bucket_logging()
                .bucket("logged")
                .send()
                .await
                .expect("get logging");
        let l = out.logging_enabled().expect("logging stays on");
        let mut grants: Vec<String> = l
            .target_grants()
            .iter()
            .map(|g| {
                let who = g
                    .grantee()
                    .and_then(|w| w.uri().or(w.id()))
                    .unwrap_or_default()
                    .to_string();
                format!("{who}={}", g.permission().map(|p| p.as_str()).unwrap_or(""))
            })
            .collect();
        grants.sort();
        (
            l.target_bucket().to_string(),
            l.target_prefix().to_string(),
            grants,
        )
    };
    let before = logging().await;
    assert_eq!(before.2.len(), 2, "{before:?}");

    let report = bucket_report(&t.c, "logged").await;
    assert_eq!(
        report.assessment.verdict,
        warroom::model::exposure::Verdict::Shared
    );
    let spec = warroom::tui::offers::open_side_door(&report).expect("Z has a door to close");
    assert_eq!(spec, ActionSpec::RemoveLogGrants(bucket("logged")));
    let (plan, id) = t.apply(&spec).await;
    assert!(
        plan.before[0].contains("READ to anyone (AllUsers)"),
        "{:?}",
        plan.before
    );
    assert!(
        plan.blast_radius.contains("Logging stays on"),
        "{}",
        plan.blast_radius
    );
    let after = logging().await;
    assert_eq!(
        after,
        (
            "access-logs".to_string(),
            "logged/".to_string(),
            vec![format!("{owner}=FULL_CONTROL")]
        ),
        "only the grant to anyone went"
    );
    assert_eq!(
        bucket_report(&t.c, "logged").await.assessment.verdict,
        warroom::model::exposure::Verdict::Private
    );
    let err = actions::plan(&t.c, &spec).await.expect_err("done");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");

    t.undo(&id).await;
    assert_eq!(logging().await, before);
    assert_eq!(
        bucket_report(&t.c, "logged").await.assessment.verdict,
        warroom::model::exposure::Verdict::Shared
    );
    t.journal_ok();
}

/// One bucket read and judged as the scan does.
async fn bucket_report(c: &warroom::aws::Clients, bucket: &str) -> warroom::scan::BucketReport {
    let facts = warroom::aws::exposure::bucket_facts(
        c,
        warroom::aws::exposure::BucketRef {
            name: bucket.into(),
            region: Some(REGION.into()),
            ..Default::default()
        },
    )
    .await;
    let account = warroom::aws::exposure::account_facts(c, Some(ACCOUNT)).await;
    warroom::scan::BucketReport::new(&account, facts)
}

/// A distribution serving a bucket to anyone is disabled through the
/// engine (Z picks it first), read back, and enabled again by undo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distribution_serving_the_bucket_is_disabled_and_undo_enables_it() {
    let t = bench(&["cdn"]).await;
    let (id, arn) = put_distribution(&t.c, "cdn", Some("E2QWRUHAPOMQZL"), "", false).await;
    put_policy(&t.c, "cdn", &format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"cloudfront.amazonaws.com"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::cdn/*","Condition":{{"StringEquals":{{"AWS:SourceArn":"{arn}"}}}}}}]}}"#)).await;
    let report = || bucket_report(&t.c, "cdn");
    let before = report().await;
    assert_eq!(
        before.assessment.verdict,
        warroom::model::exposure::Verdict::Public
    );
    let spec = warroom::tui::offers::open_side_door(&before).expect("a door");
    assert_eq!(
        spec,
        ActionSpec::DisableDistribution(warroom::actions::distribution::Args {
            bucket: "cdn".into(),
            distribution: id.clone(),
        })
    );
    let (plan, action) = t.apply(&spec).await;
    assert!(
        plan.blast_radius.contains("create-invalidation"),
        "{}",
        plan.blast_radius
    );
    let after = report().await;
    assert_eq!(
        after.assessment.verdict,
        warroom::model::exposure::Verdict::Private,
        "{:#?}",
        after.assessment.reasons
    );
    assert!(
        after
            .assessment
            .reasons
            .iter()
            .any(|r| r.text.contains("is disabled"))
    );
    let err = actions::plan(&t.c, &spec).await.expect_err("already");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");
    t.undo(&action).await;
    assert_eq!(
        report().await.assessment.verdict,
        warroom::model::exposure::Verdict::Public
    );
    t.journal_ok();
}

/// Both locks open (the bucket shares with a partner account, and the key
/// lets it decrypt by a grant and a key policy statement): Z closes the
/// key's side, the grant first, then the statement; each read back; undo
/// puts the exact key policy back and an equivalent grant (a new id).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kms_lock_closes_by_grant_and_statement_and_undo_reopens_it() {
    use warroom::model::exposure::{Severity, Source};
    const PARTNER: &str = "444455556666";
    let t = bench(&["kms-x"]).await;
    let kms = t.c.kms_in(REGION);
    let arn = kms
        .create_key()
        .send()
        .await
        .expect("key")
        .key_metadata()
        .and_then(|m| m.arn())
        .expect("arn")
        .to_string();
    warroom::aws::seed::default_kms(&t.c, "kms-x", Some(&arn))
        .await
        .expect("encryption");
    put_policy(&t.c, "kms-x", &format!(r#"{{"Statement":[{{"Sid":"Partner","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{PARTNER}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::kms-x/*"}}]}}"#)).await;
    let key_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Owner","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}},{{"Sid":"PartnerDecrypt","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{PARTNER}:root"}},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}}]}}"#
    );
    kms.put_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .policy(&key_policy)
        .send()
        .await
        .expect("key policy");
    let grant = kms
        .create_grant()
        .key_id(&arn)
        .grantee_principal(format!("arn:aws:iam::{PARTNER}:root"))
        .operations(aws_sdk_kms::types::GrantOperation::Decrypt)
        .name("partner-reads")
        .send()
        .await
        .expect("grant")
        .grant_id()
        .expect("grant id")
        .to_string();
    let kms_items = |r: &warroom::scan::BucketReport| -> Vec<String> {
        r.assessment
            .reasons
            .iter()
            .filter(|x| x.severity == Severity::Shared)
            .filter_map(|x| match &x.source {
                Source::Kms { item: Some(i) } => Some(i.clone()),
                _ => None,
            })
            .collect()
    };
    let before = bucket_report(&t.c, "kms-x").await;
    let items = kms_items(&before);
    assert!(
        items.contains(&format!("grant {grant}"))
            && items.contains(&"key policy statement 2 (PartnerDecrypt)".to_string()),
        "{:#?}",
        before.assessment.reasons
    );
    // The grant first.
    let spec = warroom::tui::offers::open_side_door(&before).expect("a lock");
    assert_eq!(
        spec,
        ActionSpec::RevokeGrant(warroom::actions::kms::grant::Args {
            bucket: "kms-x".into(),
            key: arn.clone(),
            grant: grant.clone(),
        })
    );
    let (plan, revoked) = t.apply(&spec).await;
    assert!(plan.undo.contains("NEW id"), "{}", plan.undo);
    assert!(
        plan.blast_radius.contains("other buckets"),
        "{}",
        plan.blast_radius
    );
    let grants_now = || async {
        kms.list_grants()
            .key_id(&arn)
            .send()
            .await
            .expect("grants")
            .grants()
            .to_vec()
    };
    assert!(
        grants_now()
            .await
            .iter()
            .all(|g| g.grant_id() != Some(grant.as_str()))
    );
    // Then the key policy statement.
    let mid = bucket_report(&t.c, "kms-x").await;
    assert_eq!(
        kms_items(&mid),
        vec!["key policy statement 2 (PartnerDecrypt)".to_string()]
    );
    let spec = warroom::tui::offers::open_side_door(&mid).expect("a lock");
    assert_eq!(
        spec,
        ActionSpec::RemoveKeyStatement(warroom::actions::kms::statement::Args {
            bucket: "kms-x".into(),
            key: arn.clone(),
            statement: 2,
        })
    );
    let (plan, removed) = t.apply(&spec).await;
    assert!(
        plan.diff
            .iter()
            .any(|l| l.starts_with("- ") && l.contains("PartnerDecrypt")),
        "{:?}",
        plan.diff
    );
    let policy_now = || async {
        let doc = kms
            .get_key_policy()
            .key_id(&arn)
            .policy_name("default")
            .send()
            .await
            .expect("policy")
            .policy()
            .expect("doc")
            .to_string();
        serde_json::from_str::<Value>(&doc).expect("JSON")
    };
    assert_eq!(
        policy_now().await["Statement"].as_array().map(Vec::len),
        Some(1)
    );
    let after = bucket_report(&t.c, "kms-x").await;
    assert!(
        kms_items(&after).is_empty(),
        "{:#?}",
        after.assessment.reasons
    );
    assert!(
        after
            .assessment
            .reasons
            .iter()
            .any(|r| r.severity == Severity::Mitigated
                && r.text
                    .contains(&format!("lets no one in account {PARTNER} decrypt"))),
        "{:#?}",
        after.assessment.reasons
    );
    // Nothing left to do on the key's side.
    assert!(warroom::tui::offers::open_side_door(&after).is_none());
    // Undo both: the exact policy, and an equivalent grant.
    t.undo(&removed).await;
    assert_eq!(
        policy_now().await,
        serde_json::from_str::<Value>(&key_policy).expect("JSON")
    );
    t.undo(&revoked).await;
    let again = grants_now().await;
    assert!(
        again.iter().any(|g| g.grant_id() != Some(grant.as_str())
            && g.grantee_principal() == Some(format!("arn:aws:iam::{PARTNER}:root").as_str())
            && g.name() == Some("partner-reads")),
        "{again:#?}"
    );
    t.journal_ok();
}

/// Deny destruction on a bucket with an application's policy: the Deny is
/// added for everyone but the caller, the application's statement stays
/// and the bucket's verdict does not change; asked again, nothing to do;
/// undo puts the policy back byte for byte. On a bucket with no policy,
/// undo leaves none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_destruction_adds_one_deny_and_undoes_to_the_exact_policy() {
    use warroom::actions::deny_destruction::{Args, DENIED, DENY_DESTRUCTION_SID};
    let t = bench(&["dd-b", "dd-none"]).await;
    let app = r#"{"Version":"2012-10-17","Statement":[{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::dd-b/*"}]}"#;
    put_policy(&t.c, "dd-b", app).await;
    let before = containment::bucket_policy(&t.c, "dd-b", REGION)
        .await
        .expect("read");
    let spec = |b: &str| {
        ActionSpec::DenyDestruction(Args {
            bucket: b.into(),
            keep: Vec::new(),
        })
    };
    let (plan, id) = t.apply(&spec("dd-b")).await;
    assert!(
        plan.before
            .iter()
            .any(|l| l.starts_with("keeps every right: arn:aws:")),
        "{:?}",
        plan.before
    );
    let now = containment::bucket_policy(&t.c, "dd-b", REGION)
        .await
        .expect("read")
        .expect("policy");
    let doc: Value = serde_json::from_str(&now).expect("json");
    assert_eq!(doc["Statement"][0]["Sid"], "App", "the rest stays");
    assert_eq!(doc["Statement"][1]["Sid"], DENY_DESTRUCTION_SID);
    assert_eq!(doc["Statement"][1]["Effect"], "Deny");
    assert_eq!(doc["Statement"][1]["Action"], serde_json::json!(DENIED));
    let err = actions::plan(&t.c, &spec("dd-b"))
        .await
        .expect_err("already");
    assert!(matches!(err, ActionError::NothingToDo(_)), "{err:?}");
    t.undo(&id).await;
    assert_eq!(
        containment::bucket_policy(&t.c, "dd-b", REGION)
            .await
            .expect("read"),
        before
    );
    let (_, id) = t.apply(&spec("dd-none")).await;
    t.undo(&id).await;
    assert_eq!(
        containment::bucket_policy(&t.c, "dd-none", REGION)
            .await
            .expect("read"),
        None
    );
    t.journal_ok();
}
