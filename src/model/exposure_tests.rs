//! How PAB, ownership, ACL and policy combine into a verdict.

use super::exposure::*;
use super::facts::*;

const OWNER: &str = "111122223333";

fn account(pab: Option<PublicAccessBlock>) -> AccountFacts {
    AccountFacts {
        account_id: Some(OWNER.into()),
        public_access_block: Fact::Known(pab),
    }
}

fn bucket() -> BucketFacts {
    BucketFacts {
        name: "b".into(),
        region: Fact::Known("us-east-1".into()),
        public_access_block: Fact::Known(None),
        policy_status_is_public: Fact::Known(None),
        policy: Fact::Known(None),
        acl: Fact::Known(Acl {
            owner_id: Some("owner".into()),
            owner_display_name: None,
            grants: vec![Grant {
                grantee: Grantee::CanonicalUser {
                    id: "owner".into(),
                    display_name: None,
                },
                permission: "FULL_CONTROL".into(),
            }],
        }),
        object_ownership: Fact::Known(None),
        versioning: Fact::Known(Versioning {
            status: None,
            mfa_delete: None,
        }),
        encryption: Fact::Known(None),
        object_lock: Fact::Known(None),
        lifecycle: Fact::Known(Vec::new()),
        logging: Fact::Known(None),
        tags: Fact::Known(vec![]),
        access_points: Fact::Known(vec![]),
        multi_region_access_points: Fact::Known(vec![]),
        object_lambda_access_points: Fact::Known(vec![]),
        side_doors: Fact::Known(Default::default()),
        object_acls: Fact::Known(crate::model::facts::ObjectAcls {
            all_checked: true,
            ..Default::default()
        }),
        distributions: Fact::Known(vec![]),
        kms: Fact::Known(None),
    }
}

const PUBLIC_POLICY: &str = r#"{"Statement":[{"Sid":"Pub","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;

fn all_users_read() -> Grant {
    Grant {
        grantee: Grantee::AllUsers,
        permission: "READ".into(),
    }
}

fn pab(f: impl FnOnce(&mut PublicAccessBlock)) -> Option<PublicAccessBlock> {
    let mut p = PublicAccessBlock::default();
    f(&mut p);
    Some(p)
}

fn denied() -> FieldError {
    FieldError::new("AccessDenied", "Access Denied")
}

#[test]
fn private_bucket_is_private() {
    let a = assess(&account(None), &bucket());
    assert_eq!(a.verdict, Verdict::Private);
}

#[test]
fn public_policy_is_public_with_statement_reason() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(PUBLIC_POLICY.into()));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Public);
    assert_eq!(a.reasons[0].severity, Severity::Public);
    assert!(a.reasons[0].text.contains("(Pub)"), "{}", a.reasons[0].text);
    assert!(a.reasons[0].text.contains("read objects"));
}

#[test]
fn block_public_policy_alone_does_not_make_existing_policy_private() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(PUBLIC_POLICY.into()));
    b.public_access_block = Fact::Known(pab(|p| p.block_public_policy = true));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Public);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.contains("only refuses new public policies"))
    );
}

#[test]
fn restrict_public_buckets_at_account_neutralises_policy() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(PUBLIC_POLICY.into()));
    let a = assess(&account(pab(|p| p.restrict_public_buckets = true)), &b);
    assert_eq!(a.verdict, Verdict::Private);
    assert_eq!(a.reasons[0].severity, Severity::Mitigated);
    assert!(
        a.reasons[0]
            .text
            .contains("RestrictPublicBuckets (account)")
    );
}

#[test]
fn restrict_public_buckets_also_cuts_cross_account_in_public_policy() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(r#"{"Statement":[
        {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},
        {"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:PutObject","Resource":"*"}]}"#.into()));
    b.public_access_block = Fact::Known(pab(|p| p.restrict_public_buckets = true));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Private);
    // But a non-public policy's cross-account grant is untouched by it.
    b.policy = Fact::Known(Some(r#"{"Statement":[
        {"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:PutObject","Resource":"*"}]}"#.into()));
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Shared);
}

#[test]
fn public_acl_is_public_unless_ignored() {
    let mut b = bucket();
    if let Fact::Known(acl) = &mut b.acl {
        acl.grants.push(all_users_read());
    }
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Public);
    // BlockPublicAcls only blocks future ACLs.
    b.public_access_block = Fact::Known(pab(|p| p.block_public_acls = true));
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Public);
    // IgnorePublicAcls neutralises them.
    b.public_access_block = Fact::Known(pab(|p| p.ignore_public_acls = true));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Private);
    assert!(a.reasons.iter().any(|r| r.severity == Severity::Mitigated));
}

#[test]
fn bucket_owner_enforced_disables_acls() {
    let mut b = bucket();
    if let Fact::Known(acl) = &mut b.acl {
        acl.grants.push(all_users_read());
    }
    b.object_ownership = Fact::Known(Some("BucketOwnerEnforced".into()));
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Private);
}

#[test]
fn acl_grant_to_other_canonical_user_is_shared() {
    let mut b = bucket();
    if let Fact::Known(acl) = &mut b.acl {
        acl.grants.push(Grant {
            grantee: Grantee::CanonicalUser {
                id: "someoneelse".into(),
                display_name: Some("partner".into()),
            },
            permission: "READ".into(),
        });
    }
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Shared);
    assert!(a.reasons[0].text.contains("partner"));
}

#[test]
fn unreadable_policy_makes_verdict_unknown_not_private() {
    let mut b = bucket();
    b.policy = Fact::Unknown(denied());
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(a.reasons[0].text.contains("unknown (AccessDenied)"));
}

#[test]
fn public_acl_beats_unknown_policy() {
    let mut b = bucket();
    b.policy = Fact::Unknown(denied());
    if let Fact::Known(acl) = &mut b.acl {
        acl.grants.push(all_users_read());
    }
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Public);
}

#[test]
fn unknown_account_pab_with_public_policy_is_unknown() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(PUBLIC_POLICY.into()));
    let acct = AccountFacts {
        account_id: Some(OWNER.into()),
        public_access_block: Fact::Unknown(denied()),
    };
    let a = assess(&acct, &b);
    assert_eq!(a.verdict, Verdict::Unknown);
    // …but a bucket-level RestrictPublicBuckets settles it.
    b.public_access_block = Fact::Known(pab(|p| p.restrict_public_buckets = true));
    assert_eq!(assess(&acct, &b).verdict, Verdict::Private);
}

#[test]
fn s3_policy_status_disagreement_is_reported() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"}]}"#.into()));
    b.policy_status_is_public = Fact::Known(Some(true));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Public);
    assert!(a.reasons.iter().any(|r| r.source == Source::PolicyStatus));
}

#[test]
fn verdicts_sort_worst_first() {
    let mut v = vec![
        Verdict::Private,
        Verdict::Unknown,
        Verdict::Public,
        Verdict::Shared,
    ];
    v.sort();
    assert_eq!(
        v,
        vec![
            Verdict::Public,
            Verdict::Shared,
            Verdict::Unknown,
            Verdict::Private
        ]
    );
}

/// The guide's example: a policy made public by one statement loses its
/// cross-account grants under RestrictPublicBuckets; here the statement is
/// public by a broad `aws:SourceIp` range rather than a bare `*`.
#[test]
fn a_broad_source_ip_makes_restrict_public_buckets_cut_cross_account_grants() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(
        r#"{"Statement":[
            {"Sid":"Broad","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}},
            {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}
        ]}"#
        .into(),
    ));
    let off = assess(&account(None), &b);
    assert_eq!(off.verdict, Verdict::Public);
    assert!(
        off.reasons
            .iter()
            .any(|r| r.severity == Severity::Shared && r.text.contains("444455556666")),
        "{:#?}",
        off.reasons
    );
    let on = assess(&account(pab(|p| p.restrict_public_buckets = true)), &b);
    assert_eq!(on.verdict, Verdict::Private, "{:#?}", on.reasons);
    assert!(
        on.reasons
            .iter()
            .any(|r| r.severity == Severity::Mitigated && r.text.contains("444455556666"))
    );
}

#[test]
fn a_blanket_deny_is_explained_in_the_why() {
    let mut b = bucket();
    b.policy = Fact::Known(Some(
        r#"{"Statement":[
            {"Sid":"Pub","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Sid":"Lockdown","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}
        ]}"#
        .into(),
    ));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Public);
    assert!(
        a.reasons[0]
            .text
            .contains("statement 2 (Lockdown) denies all of it"),
        "{}",
        a.reasons[0].text
    );
}

/// The control-plane step: who outside the account can still change the
/// bucket's configuration, and whether warroom's lock is in place.
#[test]
fn control_plane_is_open_closed_or_locked() {
    let cp = |policy: Option<&str>, grants: Vec<Grant>, pab_acct: Option<PublicAccessBlock>| {
        let mut b = bucket();
        b.policy = Fact::Known(policy.map(str::to_string));
        if let Fact::Known(acl) = &mut b.acl {
            acl.grants.extend(grants);
        }
        let a = assess(&account(pab_acct), &b);
        control_plane(&b, &a)
    };
    // A data-plane-only public statement: nothing to lock.
    assert_eq!(cp(Some(PUBLIC_POLICY), vec![], None), ControlPlane::Closed);
    assert_eq!(cp(None, vec![all_users_read()], None), ControlPlane::Closed);
    // Anyone may rewrite the policy.
    let rewrite = r#"{"Statement":[{"Sid":"Own","Effect":"Allow","Principal":"*","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::b"}]}"#;
    assert!(
        matches!(cp(Some(rewrite), vec![], None), ControlPlane::Open(w) if w[0].contains("statement 1 (Own)"))
    );
    // RestrictPublicBuckets leaves it to the account's own principals.
    assert_eq!(
        cp(
            Some(rewrite),
            vec![],
            pab(|p| p.restrict_public_buckets = true)
        ),
        ControlPlane::Closed
    );
    // Another account may rewrite it: RestrictPublicBuckets does not help.
    let shared = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"s3:PutBucketAcl","Resource":"arn:aws:s3:::b"}]}"#;
    assert!(matches!(
        cp(
            Some(shared),
            vec![],
            pab(|p| p.restrict_public_buckets = true)
        ),
        ControlPlane::Open(_)
    ));
    // WRITE_ACP to everyone, unless IgnorePublicAcls.
    let write_acp = Grant {
        grantee: Grantee::AllUsers,
        permission: "WRITE_ACP".into(),
    };
    assert!(matches!(
        cp(None, vec![write_acp.clone()], None),
        ControlPlane::Open(w) if w == vec!["ACL grants WRITE_ACP to everyone".to_string()]
    ));
    assert_eq!(
        cp(
            None,
            vec![write_acp.clone()],
            pab(|p| p.ignore_public_acls = true)
        ),
        ControlPlane::Closed
    );
    // The lock covers every outsider, whatever else the policy says.
    let locked = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b"}},{{"Sid":"{}","Effect":"Deny","Principal":"*","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::b","Condition":{{"StringNotEquals":{{"aws:PrincipalAccount":"{OWNER}"}}}}}}]}}"#,
        super::policy::CONTROL_LOCK_SID
    );
    assert_eq!(
        cp(Some(&locked), vec![write_acp], None),
        ControlPlane::Locked
    );
    // Unreadable is never a guess.
    let mut b = bucket();
    b.acl = Fact::Unknown(denied());
    let a = assess(&account(None), &b);
    assert!(
        matches!(control_plane(&b, &a), ControlPlane::Unknown(w) if w.contains("AccessDenied"))
    );
}

fn access_point(
    name: &str,
    origin: NetworkOrigin,
    restrict: bool,
    policy: Option<&str>,
) -> AccessPoint {
    AccessPoint {
        name: name.into(),
        account: OWNER.into(),
        region: "us-east-1".into(),
        alias: Some(format!("{name}-abc123-s3alias")),
        network_origin: Fact::Known(origin),
        public_access_block: Fact::Known(pab(|p| p.restrict_public_buckets = restrict)),
        policy: Fact::Known(policy.map(str::to_string)),
        multi_region: false,
        s3_says_public: None,
    }
}

/// The policy AWS documents for delegating access control to access points.
fn delegating() -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{{"StringEquals":{{"s3:DataAccessPointAccount":"{OWNER}"}}}}}}]}}"#
    )
}

fn public_ap_policy(name: &str) -> String {
    format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:{OWNER}:accesspoint/{name}/object/*"}}]}}"#
    )
}

/// A Multi-Region Access Point is judged as an access point is: its own
/// policy and Block Public Access, the bucket's policy, every
/// RestrictPublicBuckets (S3 User Guide, "Permissions" for Multi-Region
/// Access Points). Its policy names it by alias, with no region.
#[test]
fn a_multi_region_access_point_is_a_door_of_its_own() {
    let mrap = |restrict: bool| AccessPoint {
        name: "global-media".into(),
        account: OWNER.into(),
        region: String::new(),
        alias: Some("mfzwi23gnjvgw.mrap".into()),
        network_origin: Fact::Known(NetworkOrigin::Internet),
        public_access_block: Fact::Known(pab(|p| p.restrict_public_buckets = restrict)),
        policy: Fact::Known(Some(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3::{OWNER}:accesspoint/mfzwi23gnjvgw.mrap/object/*"}}]}}"#
        ))),
        multi_region: true,
        s3_says_public: None,
    };
    assert_eq!(
        mrap(false).arn(),
        format!("arn:aws:s3::{OWNER}:accesspoint/mfzwi23gnjvgw.mrap")
    );
    // Delegation by the access point's ARN (not the account) must name
    // the Multi-Region Access Point's own ARN to let it through.
    let by_arn = |arn: &str| {
        format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"*","Resource":"arn:aws:s3:::b/*","Condition":{{"StringEquals":{{"s3:DataAccessPointArn":"{arn}"}}}}}}]}}"#
        )
    };
    let judge = |policy: String, ap: AccessPoint, account_pab: Option<PublicAccessBlock>| {
        let mut b = bucket();
        b.policy = Fact::Known(Some(policy));
        b.multi_region_access_points = Fact::Known(vec![ap]);
        assess(&account(account_pab), &b)
    };
    let a = judge(delegating(), mrap(false), None);
    assert_eq!(a.verdict, Verdict::Public, "{:?}", a.reasons);
    let why = a
        .reasons
        .iter()
        .find(|r| r.severity == Severity::Public)
        .expect("a public reason");
    assert!(
        why.text
            .starts_with("Multi-Region Access Point global-media (Internet, BPA off) policy statement 1 lets anyone read objects"),
        "{}",
        why.text
    );
    assert_eq!(
        why.source,
        Source::MultiRegionAccessPoint {
            name: "global-media".into(),
            statement: Some(0)
        }
    );
    let arn = mrap(false).arn();
    assert_eq!(
        judge(by_arn(&arn), mrap(false), None).verdict,
        Verdict::Public
    );
    // A bucket policy that delegates to another access point's ARN only.
    let other = format!("arn:aws:s3:us-east-1:{OWNER}:accesspoint/other");
    assert_eq!(
        judge(by_arn(&other), mrap(false), None).verdict,
        Verdict::Private
    );
    // Its own RestrictPublicBuckets (on by default), or the account's.
    assert_eq!(
        judge(delegating(), mrap(true), None).verdict,
        Verdict::Private
    );
    assert_eq!(
        judge(
            delegating(),
            mrap(false),
            pab(|p| p.restrict_public_buckets = true)
        )
        .verdict,
        Verdict::Private
    );
    // The list could not be read: said, never "private" by silence.
    let mut b = bucket();
    b.multi_region_access_points = Fact::Unknown(crate::model::facts::FieldError {
        code: "AccessDenied".into(),
        message: "no".into(),
    });
    let a = assess(&account(None), &b);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.severity == Severity::Unknown
                && r.text.contains("Multi-Region Access Points")),
        "{:?}",
        a.reasons
    );
    assert_ne!(a.verdict, Verdict::Private);
}

/// The doors through access points, each row a case the issue names.
#[test]
fn access_points_are_doors_judged_with_both_policies_and_every_block() {
    let judge =
        |bucket_policy: Option<String>, ap: AccessPoint, account_pab: Option<PublicAccessBlock>| {
            let mut b = bucket();
            b.policy = Fact::Known(bucket_policy);
            b.access_points = Fact::Known(vec![ap]);
            assess(&account(account_pab), &b)
        };
    let ext = || {
        access_point(
            "ext-ap",
            NetworkOrigin::Internet,
            false,
            Some(&public_ap_policy("ext-ap")),
        )
    };
    // The false "private" of today: delegation + an Internet access point
    // with its own BPA off and a public policy.
    let a = judge(Some(delegating()), ext(), None);
    assert_eq!(a.verdict, Verdict::Public, "{:?}", a.reasons);
    let why = &a.reasons[0];
    assert!(
        why.text.starts_with(
            "access point ext-ap (Internet, BPA off) policy statement 1 lets anyone read objects"
        ),
        "{}",
        why.text
    );
    assert_eq!(
        why.source,
        Source::AccessPoint {
            name: "ext-ap".into(),
            statement: Some(0)
        }
    );
    // VPC-only: not public, and said so.
    let vpc = access_point(
        "vpc-ap",
        NetworkOrigin::Vpc {
            vpc_id: Some("vpc-0abc".into()),
        },
        false,
        Some(&public_ap_policy("vpc-ap")),
    );
    let a = judge(Some(delegating()), vpc, None);
    assert_eq!(a.verdict, Verdict::Private);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.contains("only from VPC vpc-0abc"))
    );
    // RestrictPublicBuckets on the account (or the access point) closes it.
    let a = judge(
        Some(delegating()),
        ext(),
        pab(|p| p.restrict_public_buckets = true),
    );
    assert_eq!(a.verdict, Verdict::Private, "{:?}", a.reasons);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.severity == Severity::Mitigated && r.text.contains("RestrictPublicBuckets"))
    );
    let mut closed = ext();
    closed.public_access_block = Fact::Known(pab(|p| p.restrict_public_buckets = true));
    assert_eq!(
        judge(Some(delegating()), closed, None).verdict,
        Verdict::Private
    );
    // No delegation: the bucket policy refuses access point requests.
    let a = judge(None, ext(), None);
    assert_eq!(a.verdict, Verdict::Private);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.contains("does not delegate"))
    );
    // Shared with another account through the access point.
    let partner = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::999988887777:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:{OWNER}:accesspoint/p-ap/object/*"}}]}}"#
    );
    let a = judge(
        Some(delegating()),
        access_point("p-ap", NetworkOrigin::Internet, false, Some(&partner)),
        None,
    );
    assert_eq!(a.verdict, Verdict::Shared, "{:?}", a.reasons);
    // An access point that could not be read is unknown, never private.
    let mut unread = ext();
    unread.policy = Fact::Unknown(denied());
    assert_eq!(
        judge(Some(delegating()), unread, None).verdict,
        Verdict::Unknown
    );
    let mut b = bucket();
    b.access_points = Fact::Unknown(denied());
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(
        a.reasons[0]
            .text
            .starts_with("access points: unknown (AccessDenied)"),
        "{}",
        a.reasons[0].text
    );
    // A delegation to another account's access points is a share by the
    // bucket policy itself (warroom cannot list another account's).
    let foreign = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:DataAccessPointAccount":"999988887777"}}}]}"#;
    let mut b = bucket();
    b.policy = Fact::Known(Some(foreign.into()));
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Shared);
}

/// Replication, notifications and inventory reaching another account share
/// the bucket; website hosting and CORS are noted; unreadable is unknown.
#[test]
fn side_doors_to_another_account_share_the_bucket() {
    let judge = |d: SideDoors| {
        let mut b = bucket();
        b.side_doors = Fact::Known(d);
        assess(&account(None), &b)
    };
    let rule = |account: Option<&str>| ReplicationRule {
        id: Some("exfil".into()),
        enabled: true,
        destination: "arn:aws:s3:::attacker-drop".into(),
        account: account.map(str::to_string),
    };
    let a = judge(SideDoors {
        replication: vec![rule(Some("999988887777"))],
        ..Default::default()
    });
    assert_eq!(a.verdict, Verdict::Shared, "{:?}", a.reasons);
    assert!(a.reasons[0].text.contains("replication rule exfil copies new objects to arn:aws:s3:::attacker-drop in account 999988887777"));
    // To our own account: nothing shared.
    assert_eq!(
        judge(SideDoors {
            replication: vec![rule(Some(OWNER))],
            ..Default::default()
        })
        .verdict,
        Verdict::Private
    );
    // Disabled: not a door.
    let mut off = rule(Some("999988887777"));
    off.enabled = false;
    assert_eq!(
        judge(SideDoors {
            replication: vec![off],
            ..Default::default()
        })
        .verdict,
        Verdict::Private
    );
    let a = judge(SideDoors {
        notifications: vec!["arn:aws:sqs:us-east-1:999988887777:q".into()],
        ..Default::default()
    });
    assert_eq!(a.verdict, Verdict::Shared);
    let a = judge(SideDoors {
        inventory: vec![(
            "inv".into(),
            "arn:aws:s3:::elsewhere".into(),
            Some("999988887777".into()),
        )],
        website: true,
        cors_any_origin: vec![0],
        ..Default::default()
    });
    assert_eq!(a.verdict, Verdict::Shared);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.starts_with("static website hosting"))
    );
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.starts_with("CORS rule 1 allows any origin"))
    );
    let mut b = bucket();
    b.side_doors = Fact::Unknown(denied());
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Unknown);
}

fn object_acls(grants: &[(&str, Grant)], all_checked: bool) -> Fact<ObjectAcls> {
    Fact::Known(ObjectAcls {
        checked: grants.len().max(1),
        all_checked,
        grants: grants
            .iter()
            .map(|(k, g)| ObjectGrant {
                key: (*k).into(),
                grant: g.clone(),
            })
            .collect(),
        ..Default::default()
    })
}

/// The issue's case: the bucket's own ACL and policy are clean, one object
/// carries `public-read`. S3 serves that object to anyone while ACLs are
/// enabled and IgnorePublicAcls is off (User Guide, "Access control list
/// (ACL) overview" and "Blocking public access").
#[test]
fn an_object_acl_is_a_way_in_and_unread_objects_are_said() {
    // One public object: public, naming the object.
    let mut b = bucket();
    b.object_acls = object_acls(&[("exports/q3.csv", all_users_read())], true);
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Public);
    assert_eq!(
        a.reasons[0].source,
        Source::ObjectAcl {
            key: "exports/q3.csv".into()
        }
    );
    assert!(
        a.reasons[0].text.starts_with(
            "object 'exports/q3.csv': its ACL grants READ to everyone (AllUsers): read the object"
        ),
        "{}",
        a.reasons[0].text
    );
    assert_eq!(a.label(), "PUBLIC");

    // IgnorePublicAcls (account or bucket) neutralises it.
    let a = assess(&account(pab(|p| p.ignore_public_acls = true)), &b);
    assert_eq!(a.verdict, Verdict::Private);
    assert_eq!(a.reasons[0].severity, Severity::Mitigated);
    assert!(
        a.reasons[0]
            .text
            .contains("ignored: IgnorePublicAcls is on (account)")
    );

    // Another account's canonical user on an object: shared.
    let mut s = bucket();
    s.object_acls = object_acls(
        &[(
            "a",
            Grant {
                grantee: Grantee::CanonicalUser {
                    id: "other-canonical".into(),
                    display_name: None,
                },
                permission: "READ".into(),
            },
        )],
        true,
    );
    assert_eq!(assess(&account(None), &s).verdict, Verdict::Shared);
    // A grant back to the bucket's owner (an object another account
    // wrote) reaches no one new.
    let mut o = bucket();
    o.object_acls = object_acls(
        &[(
            "a",
            Grant {
                grantee: Grantee::CanonicalUser {
                    id: "owner".into(),
                    display_name: None,
                },
                permission: "FULL_CONTROL".into(),
            },
        )],
        true,
    );
    assert_eq!(assess(&account(None), &o).verdict, Verdict::Private);

    // Many public objects: one reason naming three and counting the rest.
    let mut many = bucket();
    let keys: Vec<String> = (0..7).map(|i| format!("k{i}")).collect();
    let grants: Vec<(&str, Grant)> = keys
        .iter()
        .map(|k| (k.as_str(), all_users_read()))
        .collect();
    many.object_acls = object_acls(&grants, true);
    let a = assess(&account(None), &many);
    let public: Vec<_> = a
        .reasons
        .iter()
        .filter(|r| r.severity == Severity::Public)
        .collect();
    assert_eq!(public.len(), 1);
    assert!(
        public[0]
            .text
            .starts_with("objects 'k0', 'k1', 'k2' and 4 more: "),
        "{}",
        public[0].text
    );

    // Nothing found among a sample: private, but never plain private.
    let mut sampled = bucket();
    sampled.object_acls = object_acls(&[], false);
    let a = assess(&account(None), &sampled);
    assert_eq!(a.verdict, Verdict::Private);
    assert_eq!(a.caveat.as_deref(), Some(OBJECTS_NOT_ALL_CHECKED));
    assert_eq!(a.label(), "private?");
    assert!(
        a.reasons[0]
            .text
            .starts_with("objects not all checked: 1 object ACLs read")
    );
    let json = serde_json::to_value(&a).expect("json");
    assert_eq!(json["caveat"], "objects not all checked");
    // Every object read: no caveat, and the JSON keeps its old shape.
    let a = assess(&account(None), &bucket());
    assert_eq!(a.label(), "private");
    assert!(
        serde_json::to_value(&a)
            .expect("json")
            .get("caveat")
            .is_none()
    );

    // ACLs disabled: nothing to read, nothing to say.
    let mut enforced = bucket();
    enforced.object_ownership = Fact::Known(Some("BucketOwnerEnforced".into()));
    enforced.object_acls = Fact::Known(ObjectAcls {
        skipped: Some("ACLs are disabled (BucketOwnerEnforced)".into()),
        all_checked: true,
        ..Default::default()
    });
    let a = assess(&account(None), &enforced);
    assert_eq!((a.verdict, a.caveat.clone()), (Verdict::Private, None));

    // The objects could not be listed: unknown, never a guess.
    let mut denied_list = bucket();
    denied_list.object_acls = Fact::Unknown(denied());
    let a = assess(&account(None), &denied_list);
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(
        a.reasons[0]
            .text
            .starts_with("object ACLs: unknown (AccessDenied)")
    );
}

const DIST_ARN: &str = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE";

/// The bucket policy the CloudFront Developer Guide gives for origin
/// access control ("Restricting access to an Amazon S3 origin").
fn oac_policy(source_arn: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Sid":"AllowCloudFrontServicePrincipalReadOnly","Effect":"Allow","Principal":{{"Service":"cloudfront.amazonaws.com"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{{"StringEquals":{{"AWS:SourceArn":"{source_arn}"}}}}}}}}"#
    )
}

fn distribution(access: OriginAccess, behaviours: &[(&str, bool)]) -> Distribution {
    Distribution {
        id: "EDFDVBD6EXAMPLE".into(),
        arn: DIST_ARN.into(),
        domain: "d111111abcdef8.cloudfront.net".into(),
        aliases: vec![],
        enabled: true,
        web_acl: None,
        origin_access: access,
        behaviours: behaviours
            .iter()
            .map(|(p, s)| Behaviour {
                path: (*p).into(),
                signed: *s,
            })
            .collect(),
    }
}

#[test]
fn a_cloudfront_distribution_serving_the_bucket_to_anyone_is_public() {
    let oac = || OriginAccess::Oac {
        id: "E2QWRUHAPOMQZL".into(),
    };
    let with = |policy: Option<String>, d: Distribution| {
        let mut b = bucket();
        b.policy = Fact::Known(policy);
        b.distributions = Fact::Known(vec![d]);
        b
    };
    let first_of = |a: &Assessment| {
        a.reasons
            .iter()
            .find(|r| matches!(r.source, Source::Distribution { .. }))
            .cloned()
            .expect("a distribution reason")
    };

    // OAC granted by the Guide's policy, default behaviour unsigned:
    // public, though the policy alone names only the CloudFront service.
    let b = with(
        Some(oac_policy(DIST_ARN)),
        distribution(oac(), &[("*", false)]),
    );
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Public, "{:#?}", a.reasons);
    let r = first_of(&a);
    assert_eq!(r.severity, Severity::Public);
    assert!(
        r.text.starts_with("CloudFront distribution EDFDVBD6EXAMPLE (d111111abcdef8.cloudfront.net) serves the bucket to anyone: behaviour the default (*) asks no signed URL or cookie"),
        "{}",
        r.text
    );
    // RestrictPublicBuckets does not stop CloudFront (an AWS service).
    let a = assess(&account(pab(|p| p.restrict_public_buckets = true)), &b);
    assert_eq!(a.verdict, Verdict::Public);

    // The policy names another distribution: CloudFront gets 403.
    let other = "arn:aws:cloudfront::111122223333:distribution/EOTHER";
    let b = with(
        Some(oac_policy(other)),
        distribution(oac(), &[("*", false)]),
    );
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Private);
    assert!(first_of(&a).text.contains("does not let it read"));

    // Signed URLs on every behaviour routed to the bucket: not public.
    let b = with(
        Some(oac_policy(DIST_ARN)),
        distribution(oac(), &[("*", true)]),
    );
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Private);
    assert_eq!(first_of(&a).severity, Severity::Mitigated);
    assert!(
        first_of(&a)
            .text
            .contains("only to viewers with a signed URL or cookie")
    );
    // … but one path that asks for none is a door.
    let b = with(
        Some(oac_policy(DIST_ARN)),
        distribution(oac(), &[("*", true), ("public/*", false)]),
    );
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Public);
    assert!(
        first_of(&a)
            .text
            .contains("behaviour 'public/*' asks no signed URL")
    );

    // A legacy origin access identity granted by its IAM-style principal.
    let oai_policy = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E15MNIMTCFKK4C"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    let b = with(
        Some(oai_policy.into()),
        distribution(
            OriginAccess::Oai {
                id: "E15MNIMTCFKK4C".into(),
            },
            &[("*", false)],
        ),
    );
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Public);
    // The identity granted is another one: 403.
    let b = with(
        Some(oai_policy.into()),
        distribution(
            OriginAccess::Oai {
                id: "EOTHEROAI".into(),
            },
            &[("*", false)],
        ),
    );
    // (The policy's OAI grant is still counted as shared on its own.)
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Shared);
    assert_eq!(first_of(&a).severity, Severity::Note);
    assert!(first_of(&a).text.contains("does not let it read"));

    // No origin access on a private bucket: CloudFront reads nothing.
    let b = with(None, distribution(OriginAccess::Anonymous, &[("*", false)]));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Private);
    assert!(
        first_of(&a)
            .text
            .contains("reads only what is public already")
    );

    // Disabled: said, not counted.
    let mut d = distribution(oac(), &[("*", false)]);
    d.enabled = false;
    let a = assess(&account(None), &with(Some(oac_policy(DIST_ARN)), d));
    assert_eq!(a.verdict, Verdict::Private);
    assert!(first_of(&a).text.contains("is disabled"));

    // The bucket policy unreadable: whether CloudFront can read is unknown.
    let mut b = with(None, distribution(oac(), &[("*", false)]));
    b.policy = Fact::Unknown(denied());
    assert_eq!(assess(&account(None), &b).verdict, Verdict::Unknown);
    // The distributions unreadable: unknown, never private.
    let mut b = bucket();
    b.distributions = Fact::Unknown(denied());
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(
        a.reasons[0]
            .text
            .starts_with("CloudFront distributions: unknown (AccessDenied)")
    );
}

fn kms_key(policy: &str, grants: Vec<KmsGrant>) -> Fact<Option<KmsKey>> {
    Fact::Known(Some(KmsKey {
        named: "arn:aws:kms:us-east-1:111122223333:key/1234abcd".into(),
        arn: Some("arn:aws:kms:us-east-1:111122223333:key/1234abcd".into()),
        aws_managed: false,
        policy: Fact::Known(Some(policy.into())),
        grants: Fact::Known(grants),
    }))
}

/// Both locks of an SSE-KMS bucket: the bucket grant and the key.
#[test]
fn a_kms_key_is_the_second_lock_and_both_are_shown() {
    const SHARED: &str = r#"{"Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    const OWN_ONLY: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
    const PARTNER_DECRYPTS: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
    let kms_reason = |a: &Assessment| {
        a.reasons
            .iter()
            .filter(|r| matches!(r.source, Source::Kms { .. }))
            .cloned()
            .collect::<Vec<_>>()
    };
    // Shared bucket, key only for the owner: shared stays, the key is
    // shown narrowing it.
    let mut b = bucket();
    b.policy = Fact::Known(Some(SHARED.into()));
    b.kms = kms_key(OWN_ONLY, vec![]);
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Shared);
    let k = kms_reason(&a);
    assert_eq!(k.len(), 1, "{k:#?}");
    assert_eq!(k[0].severity, Severity::Mitigated);
    assert!(
        k[0].text
            .contains("lets no one in account 444455556666 decrypt"),
        "{}",
        k[0].text
    );

    // The key lets the same account decrypt: both locks open.
    b.kms = kms_key(PARTNER_DECRYPTS, vec![]);
    let k = kms_reason(&assess(&account(None), &b));
    assert_eq!(k[0].severity, Severity::Shared);
    assert!(k[0].text.contains("lets account 444455556666 decrypt (key policy statement 2 (Partner)), and the bucket lets it read: both locks open"), "{}", k[0].text);

    // A grant to that account does the same.
    b.kms = kms_key(
        OWN_ONLY,
        vec![KmsGrant {
            id: "g1".into(),
            grantee: "arn:aws:iam::444455556666:role/reader".into(),
            operations: vec!["Decrypt".into()],
        }],
    );
    let k = kms_reason(&assess(&account(None), &b));
    assert_eq!(k[0].severity, Severity::Shared);
    assert!(k[0].text.contains("(grant g1)"));

    // A private bucket whose key reaches out: said, not counted.
    let mut p = bucket();
    p.kms = kms_key(PARTNER_DECRYPTS, vec![]);
    let a = assess(&account(None), &p);
    assert_eq!(a.verdict, Verdict::Private);
    assert_eq!(kms_reason(&a)[0].severity, Severity::Note);

    // The AWS managed key narrows every outside grant.
    b.kms = Fact::Known(Some(KmsKey {
        named: "aws/s3".into(),
        arn: None,
        aws_managed: true,
        policy: Fact::Known(None),
        grants: Fact::Known(vec![]),
    }));
    let k = kms_reason(&assess(&account(None), &b));
    assert_eq!(k[0].severity, Severity::Mitigated);
    assert!(k[0].text.contains("AWS managed"));

    // The key policy unreadable: said; the bucket's verdict is its own.
    b.kms = Fact::Known(Some(KmsKey {
        named: "alias/x".into(),
        arn: None,
        aws_managed: false,
        policy: Fact::Unknown(denied()),
        grants: Fact::Known(vec![]),
    }));
    let a = assess(&account(None), &b);
    assert_eq!(a.verdict, Verdict::Shared);
    let k = kms_reason(&a);
    assert_eq!(k.len(), 1);
    assert!(
        k[0].text
            .contains("its key policy is unknown (AccessDenied)")
    );
}

/// Server access log target grants: to the bucket owner or the log
/// delivery group share nothing; to anyone else, the logs (every key and
/// requester) are shared, and the reason names who.
#[test]
fn log_target_grants_share_the_logs_with_whoever_they_name() {
    let judge = |grantee: Grantee| {
        let mut b = bucket();
        b.logging = Fact::Known(Some(Logging {
            target_bucket: "logs".into(),
            target_prefix: "b/".into(),
            target_grants: vec![Grant {
                grantee,
                permission: "READ".into(),
            }],
        }));
        assess(&account(None), &b)
    };
    let owner = Grantee::CanonicalUser {
        id: "owner".into(),
        display_name: None,
    };
    assert_eq!(judge(owner).verdict, Verdict::Private);
    assert_eq!(judge(Grantee::LogDelivery).verdict, Verdict::Private);
    let a = judge(Grantee::CanonicalUser {
        id: "c0ffee".into(),
        display_name: Some("partner".into()),
    });
    assert_eq!(a.verdict, Verdict::Shared);
    assert_eq!(
        a.reasons[0].text,
        "server access logs (every key, requester and IP) go to s3://logs/b/ with READ granted to canonical user c0ffee (partner)"
    );
    let a = judge(Grantee::AuthenticatedUsers);
    assert_eq!(a.verdict, Verdict::Shared);
    assert!(
        a.reasons[0]
            .text
            .ends_with("any AWS account (AuthenticatedUsers)")
    );
}

/// S3's judgement of an access point policy corroborates: agreement adds
/// nothing; a disagreement is said (in either direction), and the verdict
/// stays the analyser's, which explains itself.
#[test]
fn s3s_access_point_policy_status_is_said_when_it_disagrees() {
    let judge = |policy: &str, s3_says: Option<bool>| {
        let mut b = bucket();
        b.policy = Fact::Known(Some(delegating()));
        let mut ap = access_point("ap", NetworkOrigin::Internet, false, Some(policy));
        ap.s3_says_public = s3_says;
        b.access_points = Fact::Known(vec![ap]);
        assess(&account(None), &b)
    };
    let disagree = |a: &Assessment| {
        a.reasons
            .iter()
            .filter(|r| r.text.contains("GetAccessPointPolicyStatus"))
            .count()
    };
    let public = public_ap_policy("ap");
    let own = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{OWNER}:root"}},"Action":"s3:GetObject","Resource":"*"}}]}}"#
    );
    assert_eq!(disagree(&judge(&public, Some(true))), 0);
    assert_eq!(disagree(&judge(&own, None)), 0);
    let a = judge(&own, Some(true));
    assert_eq!(disagree(&a), 1);
    assert_eq!(a.verdict, Verdict::Private);
    assert!(a.reasons.iter().any(|r| r.text
        == "S3 reports access point ap's policy as public (GetAccessPointPolicyStatus) but warroom's analysis says not public: read the policy"));
    let a = judge(&public, Some(false));
    assert_eq!(disagree(&a), 1);
    assert_eq!(a.verdict, Verdict::Public);
}
