//! The credentials pane's facts, read from moto seeded with the demo's
//! credentials: users and keys with last use, roles with flagged trust and
//! the instances holding them, key pairs with their instances and launch
//! templates, IMDS settings. And a field that cannot be read is unknown with
//! its AWS error code, not a crash.

mod support;

use support::*;
use warroom::model::credentials::RoleKind;
use warroom::model::facts::Fact;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_credentials_are_read_and_linked() {
    let emu = start_moto();
    let c = clients(&emu).await;
    warroom::aws::seed::seed_demo_credentials(&c)
        .await
        .expect("seed");
    let facts = warroom::credentials::load(&c, ACCOUNT, &[]).await;

    let users = facts.users.known().expect("users");
    let ci = users
        .iter()
        .find(|u| u.name == "ci-deploy")
        .expect("ci-deploy");
    let keys = ci.keys.known().expect("keys");
    assert_eq!(keys.len(), 1);
    assert!(keys[0].key_id.starts_with("AKIA"), "{:?}", keys[0]);
    assert_eq!(keys[0].status, "Active");
    assert!(
        keys[0].last_used.known().is_some(),
        "{:?}",
        keys[0].last_used
    );
    assert_eq!(
        ci.attached_policies.known().map(Vec::len),
        Some(1),
        "{:?}",
        ci.attached_policies
    );

    let roles = facts.roles.known().expect("roles");
    let web = roles
        .iter()
        .find(|r| r.name == "acme-web-app")
        .expect("role");
    assert_eq!(web.kind, RoleKind::Normal);
    assert!(
        web.flags().iter().any(|f| f.contains("444455556666")),
        "{:?}",
        web.flags()
    );
    let sso = roles
        .iter()
        .find(|r| r.name.starts_with("AWSReservedSSO_"))
        .expect("sso role");
    assert_eq!(sso.kind, RoleKind::IdentityCenter);
    assert!(sso.flags().iter().any(|f| f.contains("federated")));

    let instances = facts.instances.known().expect("instances");
    assert_eq!(instances.len(), 1);
    let i = &instances[0];
    assert!(!i.imds.v2_required(), "{:?}", i.imds);
    assert_eq!(i.key_name.as_deref(), Some("acme-ops"));
    assert_eq!(web.instances, Fact::Known(vec![i.id.clone()]));

    let pairs = facts.key_pairs.known().expect("key pairs");
    let ops = pairs
        .iter()
        .find(|k| k.name == "acme-ops")
        .expect("acme-ops");
    assert_eq!(ops.instances.len(), 1);
    let templates = ops.templates.known().expect("templates");
    assert_eq!(templates.len(), 1);
    assert!(templates[0].is_default);
}

/// In IAM-auth mode, a responder who may not read IAM still sees EC2, and
/// the IAM sections say "unknown (AccessDenied)".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_source_is_unknown_and_the_others_are_read() {
    let emu = start_moto();
    let admin = clients(&emu).await;
    warroom::aws::seed::seed_demo_credentials(&admin)
        .await
        .expect("seed");
    let (key, secret) = user_with_key(
        &admin,
        "ec2-only",
        Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","sts:GetCallerIdentity"],"Resource":"*"}]}"#),
    )
    .await;
    enable_moto_auth(&emu);
    let c = clients_with(&emu.endpoint(), &key, &secret).await;
    let facts = warroom::credentials::load(&c, ACCOUNT, &[]).await;
    assert_eq!(
        facts.users.error().map(|e| e.code.as_str()),
        Some("AccessDenied"),
        "{:?}",
        facts.users
    );
    assert_eq!(
        facts.roles.error().map(|e| e.code.as_str()),
        Some("AccessDenied")
    );
    assert_eq!(facts.instances.known().map(Vec::len), Some(1));
    assert_eq!(facts.key_pairs.known().map(Vec::len), Some(1));
}
