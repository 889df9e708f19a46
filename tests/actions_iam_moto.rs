//! The credential actions against moto: access keys, role and user session
//! revocation, the role escalations, IMDSv2 and EC2 key pair rotation. Each
//! is applied, read back through the SDK, undone, and read back equal to the
//! recorded prior state.
//!
//! moto's limits, said where they matter: it does not evaluate IAM policy
//! conditions (so `aws:TokenIssueTime` cutoffs cannot be shown working,
//! only that the policy is attached and effective), and an Inactive access
//! key still authenticates.

mod support;

use aws_sdk_ec2::types::{HttpTokensState, InstanceMetadataTagsState, RequestLaunchTemplateData};
use serde_json::Value;
use support::*;
use warroom::actions::role_escalation::Role;
use warroom::actions::{
    self, ActionError, ActionSpec, Cx, Outcome, access_key, imds, key_pair, sessions,
};
use warroom::aws::Clients;
use warroom::aws::iam::{Principal, decode_document};
use warroom::incident::Incident;
use warroom::model::credentials::{REVOKE_POLICY_NAME, revocation_cutoff};

async fn create_role(c: &Clients, name: &str, path: &str, trust: &str) {
    c.iam
        .create_role()
        .role_name(name)
        .path(path)
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap_or_else(|e| panic!("role {name}: {e:?}"));
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

async fn key_status(c: &Clients, user: &str, key: &str) -> Option<String> {
    let out = c
        .iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .expect("list keys");
    out.access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(key))
        .and_then(|k| k.status().map(|s| s.as_str().to_string()))
}

async fn role_policy(c: &Clients, role: &str, name: &str) -> Option<String> {
    c.iam
        .get_role_policy()
        .role_name(role)
        .policy_name(name)
        .send()
        .await
        .ok()
        .map(|o| decode_document(o.policy_document()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivate_key_found_by_id_then_reactivated_by_undo() {
    let b = bench(&[]).await;
    let (key_id, secret) = user_with_key(&b.c, "ci-bot", None).await;

    // Only the key id is given: the owner is looked up.
    let (plan, id) = b
        .apply(&ActionSpec::DeactivateAccessKey(access_key::Args::key(
            &key_id,
        )))
        .await;
    assert!(plan.summary.contains("ci-bot"), "{}", plan.summary);
    assert_eq!(
        key_status(&b.c, "ci-bot", &key_id).await.as_deref(),
        Some("Inactive")
    );
    // A second deactivation has nothing to do.
    let again = actions::plan(
        &b.c,
        &ActionSpec::DeactivateAccessKey(access_key::Args::key(&key_id)),
    )
    .await;
    assert!(
        matches!(again, Err(ActionError::NothingToDo(_))),
        "{again:?}"
    );

    // The revocation starts a 30-minute watch on the key, journaled.
    let watches = warroom::watch::replay(&b.incident.lock().await.all_entries().expect("entries"));
    assert_eq!(watches.len(), 1);
    assert_eq!(
        watches[0].0.spec.target,
        warroom::model::watch::Target::AccessKey {
            key_id: key_id.clone()
        }
    );
    assert_eq!(watches[0].0.spec.started_by, id);
    b.undo(&id).await;
    assert_eq!(
        key_status(&b.c, "ci-bot", &key_id).await.as_deref(),
        Some("Active")
    );
    b.journal_ok();
    // The secret was never seen by warroom, and is not in the journal.
    assert!(!b.journal_text().contains(&secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_key_asks_for_the_typed_id_and_cannot_be_undone() {
    let b = bench(&[]).await;
    let (key_id, _) = user_with_key(&b.c, "old", None).await;
    let spec = ActionSpec::DeleteAccessKey(access_key::Args::key(&key_id));
    let plan = actions::plan(&b.c, &spec).await.expect("plan");
    assert_eq!(
        plan.confirm,
        actions::Confirm::TypeName {
            text: key_id.clone()
        }
    );
    assert!(!plan.undoable);
    assert!(plan.undo.contains("cannot be undone"), "{}", plan.undo);
    let (_, id) = b.apply(&spec).await;
    assert_eq!(key_status(&b.c, "old", &key_id).await, None);
    b.undo_refused(&id).await;
    b.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_role_sessions_adds_then_updates_one_policy_and_undo_restores_the_earlier_cutoff() {
    let b = bench(&[]).await;
    create_role(&b.c, "app", "/", TRUST).await;
    let spec = ActionSpec::RevokeSessions(sessions::Args {
        principal: Principal::Role("app".into()),
    });
    let plan = actions::plan(&b.c, &spec).await.expect("plan");
    assert!(
        plan.blast_radius
            .contains("Sessions issued after the cutoff still work"),
        "{}",
        plan.blast_radius
    );
    assert!(
        plan.blast_radius.contains("legitimate"),
        "{}",
        plan.blast_radius
    );
    let (_, first) = b.apply(&spec).await;
    let doc = role_policy(&b.c, "app", REVOKE_POLICY_NAME)
        .await
        .expect("policy is there");
    let doc: Value = serde_json::from_str(&doc).expect("json");
    let cutoff = revocation_cutoff(&doc).expect("a cutoff");
    assert_eq!(cutoff.len(), "2026-11-22T18:30:00Z".len(), "{cutoff}");
    // The journal says which cutoff was written.
    assert!(b.journal_text().contains(&cutoff));
    // And a watch on the role's sessions started, named by its ARN.
    let watches = warroom::watch::replay(&b.incident.lock().await.all_entries().expect("entries"));
    assert_eq!(
        watches.last().map(|w| w.0.spec.target.clone()),
        Some(warroom::model::watch::Target::Role {
            arn: "arn:aws:iam::123456789012:role/app".into()
        })
    );

    // Revoking again updates the same policy: still exactly one of that name.
    let earlier = role_policy(&b.c, "app", REVOKE_POLICY_NAME)
        .await
        .expect("policy");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (plan2, second) = b.apply(&spec).await;
    assert_eq!(plan2.prior, Value::String(earlier.clone()));
    let names =
        b.c.iam
            .list_role_policies()
            .role_name("app")
            .send()
            .await
            .expect("list");
    assert_eq!(names.policy_names(), [REVOKE_POLICY_NAME.to_string()]);
    let newer = role_policy(&b.c, "app", REVOKE_POLICY_NAME)
        .await
        .expect("policy");
    assert!(
        revocation_cutoff(&serde_json::from_str(&newer).expect("json")) > Some(cutoff.clone()),
        "{newer}"
    );

    // Undo the second: the earlier document comes back byte for byte.
    b.undo(&second).await;
    assert_eq!(
        role_policy(&b.c, "app", REVOKE_POLICY_NAME).await,
        Some(earlier)
    );
    // Undo the first: no revocation policy at all.
    b.undo(&first).await;
    assert_eq!(role_policy(&b.c, "app", REVOKE_POLICY_NAME).await, None);
    b.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_user_sessions_puts_the_policy_on_the_user() {
    let b = bench(&[]).await;
    b.c.iam
        .create_user()
        .user_name("minter")
        .send()
        .await
        .expect("user");
    let spec = ActionSpec::RevokeSessions(sessions::Args {
        principal: Principal::User("minter".into()),
    });
    assert_eq!(spec.name(), "revoke-user-sessions");
    let (_, id) = b.apply(&spec).await;
    let doc =
        b.c.iam
            .get_user_policy()
            .user_name("minter")
            .policy_name(REVOKE_POLICY_NAME)
            .send()
            .await
            .expect("user policy");
    let doc: Value = serde_json::from_str(&decode_document(doc.policy_document())).expect("json");
    assert!(revocation_cutoff(&doc).is_some(), "{doc}");
    b.undo(&id).await;
    let gone =
        b.c.iam
            .get_user_policy()
            .user_name("minter")
            .policy_name(REVOKE_POLICY_NAME)
            .send()
            .await;
    assert!(gone.is_err(), "removed by undo");
    b.journal_ok();
}

/// In IAM-auth mode: a session from AssumeRole works before the revocation
/// and is denied after it. moto does not evaluate `aws:TokenIssueTime`, so
/// this shows that the policy is attached and effective for the role's
/// sessions, not that the cutoff time is honoured (the document's exact JSON
/// is unit-tested in `model::credentials`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_role_session_is_denied_in_auth_mode() {
    let b = bench(&[]).await;
    // An administrator for warroom, and a role the attacker's session holds.
    let (admin_key, admin_secret) = user_with_key(
        &b.c,
        "responder",
        Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#),
    )
    .await;
    create_role(&b.c, "data-reader", "/", TRUST).await;
    b.c.iam
        .put_role_policy()
        .role_name("data-reader")
        .policy_name("read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#)
        .send()
        .await
        .expect("role policy");
    let admin = clients_with(&b.emu.endpoint(), &admin_key, &admin_secret).await;
    let creds = admin
        .sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/data-reader")
        .role_session_name("intruder")
        .send()
        .await
        .expect("assume role");
    let creds = creds.credentials().expect("credentials");
    enable_moto_auth(&b.emu);

    let session_sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_string()),
            None,
            "session",
        ))
        .region(aws_config::Region::new(REGION))
        .endpoint_url(b.emu.endpoint())
        .load()
        .await;
    let session = Clients::from_sdk_config(session_sdk, false).expect("clients");
    session
        .s3
        .list_buckets()
        .send()
        .await
        .expect("the session works before");

    let incident = &b.incident;
    let plan = actions::plan(
        &admin,
        &ActionSpec::RevokeSessions(sessions::Args {
            principal: Principal::Role("data-reader".into()),
        }),
    )
    .await
    .expect("plan");
    let out = actions::execute(&Cx::new(&admin, incident), &plan, true, "test", false)
        .await
        .expect("execute");
    assert!(matches!(out, Outcome::Done { .. }), "{out:?}");

    let denied = session.s3.list_buckets().send().await;
    let err = denied.expect_err("the session is denied after");
    let code = warroom::aws::error::aws_error(&err).code;
    assert_eq!(code, "AccessDenied", "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalations_apply_and_undo_to_the_recorded_state() {
    let b = bench(&[]).await;
    let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
    create_role(&b.c, "web", "/", trust).await;
    // Customer managed policies: moto does not load AWS's managed ones by default.
    for name in ["app-read", "app-write"] {
        b.c.iam
            .create_policy()
            .policy_name(name)
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)
            .send()
            .await
            .expect("policy");
        let arn = format!("arn:aws:iam::123456789012:policy/{name}");
        b.c.iam
            .attach_role_policy()
            .role_name("web")
            .policy_arn(arn)
            .send()
            .await
            .expect("attach");
    }
    let role = || Role { role: "web".into() };

    // Deny-all inline policy.
    let (plan, id) = b.apply(&ActionSpec::DenyAllRole(role())).await;
    assert!(
        plan.blast_radius.contains("legitimate"),
        "{}",
        plan.blast_radius
    );
    let doc = role_policy(&b.c, "web", "WarroomDenyAll")
        .await
        .expect("deny-all");
    assert!(doc.contains("\"Deny\""), "{doc}");
    b.undo(&id).await;
    assert_eq!(role_policy(&b.c, "web", "WarroomDenyAll").await, None);

    // Trust policy locked, then restored byte for byte.
    let (plan, id) = b.apply(&ActionSpec::LockTrustPolicy(role())).await;
    assert!(
        plan.diff.iter().any(|l| l.starts_with("+ ")),
        "{:?}",
        plan.diff
    );
    let now = warroom::aws::iam::role(&b.c, "web")
        .await
        .expect("role")
        .trust_document;
    assert!(now.contains("\"Deny\""), "{now}");
    b.undo(&id).await;
    let back = warroom::aws::iam::role(&b.c, "web")
        .await
        .expect("role")
        .trust_document;
    assert_eq!(back, trust);

    // Managed policies detached, then re-attached.
    let (_, id) = b.apply(&ActionSpec::DetachManagedPolicies(role())).await;
    let left =
        b.c.iam
            .list_attached_role_policies()
            .role_name("web")
            .send()
            .await
            .expect("list");
    assert!(left.attached_policies().is_empty());
    b.undo(&id).await;
    let back =
        b.c.iam
            .list_attached_role_policies()
            .role_name("web")
            .send()
            .await
            .expect("list");
    let mut arns: Vec<&str> = back
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    arns.sort();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::123456789012:policy/app-read",
            "arn:aws:iam::123456789012:policy/app-write"
        ]
    );
    b.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_linked_and_identity_center_roles_get_an_explanation() {
    let b = bench(&[]).await;
    create_role(
        &b.c,
        "AWSServiceRoleForSupport",
        "/aws-service-role/support.amazonaws.com/",
        TRUST,
    )
    .await;
    create_role(
        &b.c,
        "AWSReservedSSO_Admin_0123456789abcdef",
        "/aws-reserved/sso.amazonaws.com/",
        TRUST,
    )
    .await;
    for (role, expect) in [
        ("AWSServiceRoleForSupport", "service-linked"),
        ("AWSReservedSSO_Admin_0123456789abcdef", "permission set"),
    ] {
        for spec in [
            ActionSpec::RevokeSessions(sessions::Args {
                principal: Principal::Role(role.into()),
            }),
            ActionSpec::DenyAllRole(Role { role: role.into() }),
            ActionSpec::LockTrustPolicy(Role { role: role.into() }),
        ] {
            match actions::plan(&b.c, &spec).await {
                Err(ActionError::NotPossible(why)) => assert!(why.contains(expect), "{why}"),
                other => panic!("{}: {other:?}", spec.name()),
            }
        }
        assert_eq!(role_policy(&b.c, role, REVOKE_POLICY_NAME).await, None);
    }
}

async fn an_ami(c: &Clients) -> String {
    let out = c
        .ec2_in(REGION)
        .describe_images()
        .send()
        .await
        .expect("images");
    out.images()
        .first()
        .and_then(|i| i.image_id())
        .expect("moto has images")
        .to_string()
}

async fn run_instance(c: &Clients, key: Option<&str>, profile: Option<&str>) -> String {
    let ec2 = c.ec2_in(REGION);
    let mut req = ec2
        .run_instances()
        .image_id(an_ami(c).await)
        .min_count(1)
        .max_count(1)
        .set_key_name(key.map(str::to_string))
        .metadata_options(
            aws_sdk_ec2::types::InstanceMetadataOptionsRequest::builder()
                .http_tokens(HttpTokensState::Optional)
                .http_put_response_hop_limit(3)
                .instance_metadata_tags(InstanceMetadataTagsState::Enabled)
                .build(),
        );
    if let Some(p) = profile {
        req = req.iam_instance_profile(
            aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                .name(p)
                .build(),
        );
    }
    let out = req.send().await.expect("run instance");
    out.instances()[0].instance_id().expect("id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_imdsv2_on_an_instance_and_undo_restores_every_option() {
    let b = bench(&[]).await;
    let id = run_instance(&b.c, None, None).await;
    let before = warroom::aws::ec2::instance(&b.c, REGION, &id)
        .await
        .expect("instance");
    assert!(!before.imds.v2_required());
    let spec = ActionSpec::RequireImdsV2(imds::Args {
        scope: imds::Scope::Instance(id.clone()),
        region: None,
    });
    let (_, action) = b.apply(&spec).await;
    let after = warroom::aws::ec2::instance(&b.c, REGION, &id)
        .await
        .expect("instance");
    assert!(after.imds.v2_required(), "{:?}", after.imds);
    // Every other option is as it was (moto drops fields a request leaves out).
    assert_eq!(
        after.imds.http_put_response_hop_limit,
        before.imds.http_put_response_hop_limit
    );
    assert_eq!(
        after.imds.instance_metadata_tags,
        before.imds.instance_metadata_tags
    );
    assert_eq!(after.imds.http_endpoint, before.imds.http_endpoint);
    b.undo(&action).await;
    let back = warroom::aws::ec2::instance(&b.c, REGION, &id)
        .await
        .expect("instance");
    assert_eq!(back.imds, before.imds);
    b.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_imdsv2_on_every_instance_of_a_role() {
    let b = bench(&[]).await;
    create_role(&b.c, "worker", "/", TRUST).await;
    b.c.iam
        .create_instance_profile()
        .instance_profile_name("worker-profile")
        .send()
        .await
        .expect("profile");
    b.c.iam
        .add_role_to_instance_profile()
        .instance_profile_name("worker-profile")
        .role_name("worker")
        .send()
        .await
        .expect("add role");
    let with_role = run_instance(&b.c, None, Some("worker-profile")).await;
    let without = run_instance(&b.c, None, None).await;
    let (plan, _) = b
        .apply(&ActionSpec::RequireImdsV2(imds::Args {
            scope: imds::Scope::Role("worker".into()),
            region: None,
        }))
        .await;
    assert!(
        plan.blast_radius.contains(&with_role),
        "{}",
        plan.blast_radius
    );
    assert!(!plan.blast_radius.contains(&without));
    let a = warroom::aws::ec2::instance(&b.c, REGION, &with_role)
        .await
        .expect("i");
    let o = warroom::aws::ec2::instance(&b.c, REGION, &without)
        .await
        .expect("i");
    assert!(a.imds.v2_required());
    assert!(
        !o.imds.v2_required(),
        "an instance without the role is untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_key_pair_saves_the_private_key_0600_only_and_undo_restores_template_defaults() {
    let b = bench(&[]).await;
    let ec2 = b.c.ec2_in(REGION);
    ec2.create_key_pair()
        .key_name("ops")
        .send()
        .await
        .expect("key pair");
    let instance = run_instance(&b.c, Some("ops"), None).await;
    let lt = ec2
        .create_launch_template()
        .launch_template_name("web-lt")
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .key_name("ops")
                .image_id(an_ami(&b.c).await)
                .build(),
        )
        .send()
        .await
        .expect("template");
    let lt_id = lt
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .expect("id")
        .to_string();

    let spec = ActionSpec::RotateKeyPair(key_pair::Args::named("ops"));
    let plan = actions::plan(&b.c, &spec).await.expect("plan");
    assert!(
        plan.blast_radius.contains(&instance),
        "{}",
        plan.blast_radius
    );
    assert!(
        plan.blast_radius.contains("authorized_keys"),
        "{}",
        plan.blast_radius
    );
    assert!(
        plan.before.iter().any(|l| l.contains(&lt_id)),
        "{:?}",
        plan.before
    );
    let ActionSpec::RotateKeyPair(key_pair::Args {
        new_name: Some(new_name),
        ..
    }) = plan.spec.clone()
    else {
        panic!("the plan names the new key pair: {:?}", plan.spec)
    };
    let out = actions::execute(&b.cx(), &plan, true, "test", false)
        .await
        .expect("execute");
    let Outcome::Done { action_id, .. } = out else {
        panic!("{out:?}")
    };

    // The private key: written once, owner-only.
    let pem_path = b.dir.join("keys").join(format!("{new_name}.pem"));
    let pem = std::fs::read_to_string(&pem_path).expect("private key file");
    assert!(pem.contains("PRIVATE KEY"), "a PEM private key");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&pem_path)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    // No line of it is in the journal or in any evidence file.
    let body: Vec<&str> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .collect();
    assert!(!body.is_empty());
    let mut haystacks = vec![b.journal_text()];
    for e in std::fs::read_dir(b.dir.join("evidence")).expect("evidence") {
        haystacks.push(
            String::from_utf8_lossy(&std::fs::read(e.expect("entry").path()).expect("read"))
                .into_owned(),
        );
    }
    for h in &haystacks {
        for line in &body {
            assert!(!h.contains(line), "a private key line leaked: {line}");
        }
    }
    // The journal has the new key's fingerprint instead.
    let fp = warroom::aws::ec2::key_pair(&b.c, REGION, &new_name)
        .await
        .expect("read")
        .expect("exists")
        .fingerprint
        .expect("fingerprint");
    assert!(b.journal_text().contains(&fp));

    // The template's default version now uses the new key.
    let uses_new = warroom::aws::ec2::templates_using_key(&b.c, REGION, &new_name)
        .await
        .expect("templates");
    assert!(
        uses_new
            .iter()
            .any(|t| t.template_id == lt_id && t.is_default),
        "{uses_new:?}"
    );
    b.undo(&action_id).await;
    assert_eq!(
        warroom::aws::ec2::default_version(&b.c, REGION, &lt_id)
            .await
            .expect("default"),
        1
    );

    // Deleting the old key pair: irreversible, public key recorded first.
    let del = ActionSpec::DeleteKeyPair(key_pair::Args::named("ops"));
    let plan = actions::plan(&b.c, &del).await.expect("plan");
    assert!(!plan.undoable);
    assert!(
        plan.prior["key_pair"]["fingerprint"].is_string(),
        "{}",
        plan.prior
    );
    let (_, id) = b.apply(&del).await;
    assert!(
        warroom::aws::ec2::key_pair(&b.c, REGION, "ops")
            .await
            .expect("read")
            .is_none()
    );
    b.undo_refused(&id).await;
    b.journal_ok();
}

/// `--read-only`: the credential actions plan (reads) but every write is
/// refused at the choke point, and the state read back is unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_credential_writes() {
    let b = bench(&[]).await;
    let (key_id, _) = user_with_key(&b.c, "u", None).await;
    let ro = read_only_clients(&b.emu.endpoint()).await;
    let plan = actions::plan(
        &ro,
        &ActionSpec::DeactivateAccessKey(access_key::Args::key(&key_id)),
    )
    .await
    .expect("planning only reads");
    let out = actions::execute(&Cx::new(&ro, &b.incident), &plan, true, "test", false)
        .await
        .expect("execute");
    match out {
        Outcome::Failed { error, .. } => assert_eq!(error.code, "ReadOnly"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        key_status(&b.c, "u", &key_id).await.as_deref(),
        Some("Active")
    );
}

/// `warroom act rotate-key-pair` as a runbook would run it: the private key
/// is in its 0600 file and nowhere else — not on stdout or stderr (with
/// `--json` too), not in the journal, not in any frame the console draws of
/// this incident's action log and outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_from_the_cli_never_shows_the_private_key() {
    let emu = start_moto();
    let c = clients(&emu).await;
    c.ec2_in(REGION)
        .create_key_pair()
        .key_name("deploy")
        .send()
        .await
        .expect("key pair");
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["--endpoint-url", &emu.endpoint(), "--region", REGION])
        .args(["--incident", dir.to_str().expect("utf8")])
        .args(["act", "rotate-key-pair", "deploy", "--yes", "--json"])
        .env("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let pem = std::fs::read_dir(dir.join("keys"))
        .expect("keys dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|x| x == "pem"))
        .expect("a .pem file");
    let key = std::fs::read_to_string(&pem).expect("pem");
    let body: Vec<&str> = key
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .collect();
    assert!(!body.is_empty());

    // The console's view of this incident: its action log and outcome.
    let incident = Incident::open(Some(&dir)).expect("resume");
    let records =
        warroom::actions::history::from_entries(&incident.all_entries().expect("entries"));
    assert!(!records.is_empty());
    let mut state = warroom::tui::app::State::new(
        warroom::tui::app::Context {
            region: REGION.into(),
            incident: Some(dir.display().to_string()),
            ..Default::default()
        },
        warroom::tui::keymap::Keymap::defaults(),
        true,
        (160, 48),
    );
    warroom::tui::app::update(&mut state, warroom::tui::app::Msg::ActionLog(records));
    warroom::tui::app::update(
        &mut state,
        warroom::tui::app::Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('a'),
        )),
    );
    let frame = support::frame(&state, 160, 48);
    assert!(frame.contains("rotate-key-pair"), "{frame}");

    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal");
    for (what, text) in [
        ("stdout", &stdout),
        ("stderr", &stderr),
        ("journal", &journal),
        ("frame", &frame),
    ] {
        for line in &body {
            assert!(!text.contains(line), "a private key line is in the {what}");
        }
        assert!(
            !text.contains("PRIVATE KEY"),
            "the {what} mentions the key's body"
        );
    }
    // What stdout does say: where the key is.
    assert!(stdout.contains(".pem") || journal.contains(".pem"));
}

// ---- the attacker's ways back, taken back ----

use warroom::actions::persistence;

async fn user_policies(c: &Clients, user: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let attached = c
        .iam
        .list_attached_user_policies()
        .user_name(user)
        .send()
        .await
        .expect("attached");
    let inline = c
        .iam
        .list_user_policies()
        .user_name(user)
        .send()
        .await
        .expect("inline");
    let groups = c
        .iam
        .list_groups_for_user()
        .user_name(user)
        .send()
        .await
        .expect("groups");
    (
        attached
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect(),
        inline.policy_names().to_vec(),
        groups
            .groups()
            .iter()
            .map(|g| g.group_name().to_string())
            .collect(),
    )
}

/// The attacker's backdoor user, as Stratus Red Team's
/// `iam-create-admin-user` and `iam-create-user-login-profile` leave it:
/// an admin policy, an inline policy, a group, a console password and a key.
async fn backdoor_user(c: &Clients) -> String {
    let (key_id, _) = user_with_key(c, "backdoor", None).await;
    c.iam
        .create_policy()
        .policy_name("admin-ish")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .expect("policy");
    c.iam
        .attach_user_policy()
        .user_name("backdoor")
        .policy_arn("arn:aws:iam::123456789012:policy/admin-ish")
        .send()
        .await
        .expect("attach");
    c.iam
        .put_user_policy()
        .user_name("backdoor")
        .policy_name("stay")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .expect("inline");
    c.iam
        .create_group()
        .group_name("admins")
        .send()
        .await
        .expect("group");
    c.iam
        .add_user_to_group()
        .user_name("backdoor")
        .group_name("admins")
        .send()
        .await
        .expect("member");
    c.iam
        .create_login_profile()
        .user_name("backdoor")
        .password("Hunter2-Hunter2!")
        .send()
        .await
        .expect("login profile");
    key_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backdoor_user_is_taken_apart_and_each_part_undone_where_iam_allows() {
    let b = bench(&[]).await;
    let key_id = backdoor_user(&b.c).await;
    let admin = "arn:aws:iam::123456789012:policy/admin-ish";
    let on = |policy: &str| persistence::PolicyOn {
        principal: Principal::User("backdoor".into()),
        policy: policy.into(),
    };

    // Detach the managed policy; undo attaches it again.
    let (_, id) = b.apply(&ActionSpec::DetachPolicy(on(admin))).await;
    assert!(user_policies(&b.c, "backdoor").await.0.is_empty());
    b.undo(&id).await;
    assert_eq!(user_policies(&b.c, "backdoor").await.0, [admin]);
    // A policy that is not attached is nothing to do.
    let none = actions::plan(
        &b.c,
        &ActionSpec::DetachPolicy(on("arn:aws:iam::123456789012:policy/other")),
    )
    .await;
    assert!(matches!(none, Err(ActionError::NothingToDo(_))), "{none:?}");

    // Delete the inline policy; undo puts the recorded document back.
    let (_, id) = b.apply(&ActionSpec::DeleteInlinePolicy(on("stay"))).await;
    assert!(user_policies(&b.c, "backdoor").await.1.is_empty());
    b.undo(&id).await;
    let doc =
        b.c.iam
            .get_user_policy()
            .user_name("backdoor")
            .policy_name("stay")
            .send()
            .await
            .expect("inline back");
    assert!(decode_document(doc.policy_document()).contains("s3:*"));

    // Out of the group, and back in.
    let member = ActionSpec::RemoveFromGroup(persistence::Membership {
        user: "backdoor".into(),
        group: "admins".into(),
    });
    let (_, id) = b.apply(&member).await;
    assert!(user_policies(&b.c, "backdoor").await.2.is_empty());
    b.undo(&id).await;
    assert_eq!(user_policies(&b.c, "backdoor").await.2, ["admins"]);

    // The console password goes for good: typed name, no undo.
    let login = ActionSpec::DeleteLoginProfile(persistence::User {
        user: "backdoor".into(),
    });
    let plan = actions::plan(&b.c, &login).await.expect("plan");
    assert!(!plan.undoable);
    let (_, id) = b.apply(&login).await;
    let gone =
        b.c.iam
            .get_login_profile()
            .user_name("backdoor")
            .send()
            .await;
    assert!(gone.is_err(), "{gone:?}");
    b.undo_refused(&id).await;

    // The user with everything still on it: the plan names each part,
    // the responder types the name, and IAM has no user afterwards.
    let delete = ActionSpec::DeleteUser(persistence::User {
        user: "backdoor".into(),
    });
    let plan = actions::plan(&b.c, &delete).await.expect("plan");
    let before = plan.before.join("\n");
    for part in [
        format!("access key {key_id}"),
        "member of group admins".into(),
        format!("attached policy {admin}"),
        "inline policy stay".into(),
    ] {
        assert!(before.contains(&part), "{part} not in {before}");
    }
    assert_eq!(
        plan.confirm,
        actions::Confirm::TypeName {
            text: "backdoor".into()
        }
    );
    let (_, id) = b.apply(&delete).await;
    let user = b.c.iam.get_user().user_name("backdoor").send().await;
    assert!(user.is_err(), "{user:?}");
    b.undo_refused(&id).await;
    // The journal keeps what was on the user, as evidence.
    assert!(b.journal_text().contains(&key_id));
    b.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backdoored_trust_policy_loses_its_outsider_and_undo_puts_it_back() {
    let b = bench(&[]).await;
    let backdoored = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}"#;
    create_role(&b.c, "app", "/", backdoored).await;
    let spec = ActionSpec::RestoreTrustPolicy(persistence::Trust {
        role: "app".into(),
        document: None,
    });
    let (plan, id) = b.apply(&spec).await;
    assert!(
        plan.diff.iter().any(|l| l.contains("999999999999")),
        "{:?}",
        plan.diff
    );
    let now = warroom::aws::iam::role(&b.c, "app")
        .await
        .expect("role")
        .trust_document;
    assert!(!now.contains("999999999999"), "{now}");
    assert!(now.contains("ec2.amazonaws.com"), "{now}");
    // Nothing outside the account any more: nothing to do.
    let again = actions::plan(&b.c, &spec).await;
    assert!(
        matches!(again, Err(ActionError::NothingToDo(_))),
        "{again:?}"
    );
    b.undo(&id).await;
    let back = warroom::aws::iam::role(&b.c, "app")
        .await
        .expect("role")
        .trust_document;
    assert_eq!(back, backdoored);
    b.journal_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_trail_logs_again_and_undo_stops_it() {
    let b = bench(&["trail-logs"]).await;
    let ct = b.c.cloudtrail_in(REGION);
    ct.create_trail()
        .name("main")
        .s3_bucket_name("trail-logs")
        .send()
        .await
        .expect("trail");
    ct.start_logging().name("main").send().await.expect("start");
    // The attacker's move (Stratus: aws.defense-evasion.cloudtrail-stop).
    ct.stop_logging().name("main").send().await.expect("stop");
    let logging = |ct: aws_sdk_cloudtrail::Client| async move {
        ct.get_trail_status()
            .name("main")
            .send()
            .await
            .expect("status")
            .is_logging()
    };
    assert_eq!(logging(ct.clone()).await, Some(false));
    let spec = ActionSpec::StartLogging(persistence::Trail {
        trail: "main".into(),
    });
    let (_, id) = b.apply(&spec).await;
    assert_eq!(logging(ct.clone()).await, Some(true));
    let again = actions::plan(&b.c, &spec).await;
    assert!(
        matches!(again, Err(ActionError::NothingToDo(_))),
        "{again:?}"
    );
    b.undo(&id).await;
    assert_eq!(logging(ct).await, Some(false));
    b.journal_ok();
}
