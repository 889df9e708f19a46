//! Table-driven tests for the policy analyser. Each row is a policy and the
//! overall exposure S3's definition gives it, for a bucket owned by
//! 111122223333.

use super::policy::*;

const OWNER: &str = "111122223333";

#[derive(Debug, PartialEq)]
enum Want {
    Public,
    Shared,
    Private,
}

fn overall(doc: &str) -> Want {
    let owner = Owner {
        account_id: Some(OWNER),
        canonical_id: Some("ownercanonicalid"),
        org_id: None,
    };
    let a = analyze(doc, &owner).unwrap_or_else(|e| panic!("{e}: {doc}"));
    if a.is_public() {
        Want::Public
    } else if !a.shared_accounts().is_empty() {
        Want::Shared
    } else {
        Want::Private
    }
}

fn stmt(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#)
}

#[test]
fn policy_table() {
    use Want::*;
    let cases: Vec<(&str, String, Want)> = vec![
        ("star string principal", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#), Public),
        ("AWS star principal", stmt(r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#), Public),
        ("AWS star in list", stmt(r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":"s3:GetObject","Resource":"*"}"#), Public),
        ("single statement object not array", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}}"#.to_string(), Public),
        ("own account root ARN", stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}"#), Private),
        ("own account bare id", stmt(r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#), Private),
        ("other account root ARN", stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"*"}"#), Shared),
        ("other account role in list", stmt(r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/app","arn:aws:iam::444455556666:role/x"]},"Action":"s3:GetObject","Resource":"*"}"#), Shared),
        ("principal as plain account string", stmt(r#"{"Effect":"Allow","Principal":"444455556666","Action":"s3:GetObject","Resource":"*"}"#), Shared),
        ("wildcard in ARN principal", stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/*"},"Action":"s3:GetObject","Resource":"*"}"#), Public),
        ("service principal", stmt(r#"{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"}"#), Private),
        ("cloudtrail with own SourceAccount", stmt(r#"{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}"#), Private),
        ("canonical user of another account", stmt(r#"{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"*"}"#), Shared),
        ("star with fixed SourceIp", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","198.51.100.7/32"]}}}"#), Private),
        ("star with SourceIp 0.0.0.0/0", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}"#), Public),
        ("star with NotIpAddress", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}"#), Public),
        ("star with fixed SourceVpce", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}"#), Private),
        ("star with wildcard SourceVpc", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}}"#), Public),
        ("star with policy variable", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}}"#), Public),
        ("star with SourceVpc IfExists", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-111"}}}"#), Public),
        ("star with non-limiting key (SecureTransport)", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#), Public),
        ("star with Referer (not a limiting key)", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:Referer":"https://example.com/*"}}}"#), Public),
        ("star with other SourceAccount", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"444455556666"}}}"#), Shared),
        ("star with PrincipalOrgID", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}"#), Shared),
        ("star with userid AROLEID:*", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:userid":"AROAEXAMPLEID123:*"}}}"#), Private),
        ("star with userid wildcard", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:userid":"AIDA*"}}}"#), Public),
        ("star with access point ARN, name wildcard", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:111122223333:accesspoint/*"}}}"#), Private),
        ("star with access point ARN, account wildcard", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:*:accesspoint/*"}}}"#), Public),
        ("star only non-data action", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:ReplicateObject","Resource":"*"}"#), Private),
        ("star with s3:* action", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#), Public),
        ("star with action prefix wildcard s3:Ge*", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:Ge*","Resource":"*"}"#), Public),
        ("star with ? wildcard action", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:?utObject","Resource":"*"}"#), Public),
        ("NotAction excluding everything", stmt(r#"{"Effect":"Allow","Principal":"*","NotAction":"s3:*","Resource":"*"}"#), Private),
        ("NotAction excluding delete only", stmt(r#"{"Effect":"Allow","Principal":"*","NotAction":"s3:DeleteObject","Resource":"*"}"#), Public),
        ("NotPrincipal with Allow", stmt(r#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}"#), Public),
        ("NotPrincipal with Deny only", stmt(r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}"#), Private),
        ("deny-only policy", stmt(r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#), Private),
        ("mixed allow public and deny", stmt(r#"{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"},{"Sid":"Pub","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#), Public),
        ("mixed shared and private", stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/a"},"Action":"s3:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:ListBucket","Resource":"*"}"#), Shared),
        ("condition on SourceArn with other account", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:444455556666:topic"}}}"#), Shared),
        ("ForAllValues does not limit", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:SourceVpce":"vpce-1"}}}"#), Public),
        ("lower-case element names", stmt(r#"{"effect":"Allow","principal":"*","action":"s3:GetObject","resource":"*"}"#), Public),
        // The S3 User Guide's own public example: a public identity provider.
        ("federated facebook (the guide's example)", r#"{"Statement":[{"Principal":{"Federated":"graph.facebook.com"},"Resource":"*","Action":"s3:PutObject","Effect":"Allow"}]}"#.to_string(), Public),
        ("federated cognito", stmt(r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"s3:GetObject","Resource":"*"}"#), Public),
        ("federated google", stmt(r#"{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"s3:GetObject","Resource":"*"}"#), Public),
        ("federated login with amazon", stmt(r#"{"Effect":"Allow","Principal":{"Federated":"www.amazon.com"},"Action":"s3:GetObject","Resource":"*"}"#), Public),
        ("federated SAML provider of another account", stmt(r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::444455556666:saml-provider/Okta"},"Action":"s3:GetObject","Resource":"*"}"#), Shared),
        // "very broad IP ranges (for example, 0.0.0.0/1) are evaluated as public":
        // broader than /8 for IPv4 and /32 for IPv6.
        ("SourceIp 0.0.0.0/1 (the guide's example)", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}}"#), Public),
        ("SourceIp /7", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"12.0.0.0/7"}}}"#), Public),
        ("SourceIp exactly /8", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"12.0.0.0/8"}}}"#), Private),
        ("SourceIp RFC 1918 10/8", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#), Private),
        ("SourceIp one narrow, one broad", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","64.0.0.0/2"]}}}"#), Public),
        ("SourceIp IPv6 /31", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/31"}}}"#), Public),
        ("SourceIp IPv6 ::/1", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"::/1"}}}"#), Public),
        ("SourceIp IPv6 /32", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}}"#), Private),
        ("SourceIp IPv6 single address", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::1"}}}"#), Private),
        ("SourceIp not an address", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"example.com"}}}"#), Public),
        // PrincipalOrgPaths names part of a fixed organisation.
        ("PrincipalOrgPaths with fixed org", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}}"#), Shared),
        ("PrincipalOrgPaths with wildcard org", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-*/r-ab12/*"]}}}"#), Public),
        ("PrincipalOrgPaths IfExists", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLikeIfExists":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/*"]}}}"#), Public),
        // A CloudFront origin access identity is not another account, but still outside.
        ("CloudFront OAI", stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#), Shared),
        // A Deny never clears a public grant (S3's rule looks at grants only).
        ("public allow with blanket deny", stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#), Public),
    ];
    assert!(
        cases.len() >= 30,
        "the table must keep at least 30 policies"
    );
    let mut failures = Vec::new();
    for (name, doc, want) in &cases {
        let got = overall(doc);
        if &got != want {
            failures.push(format!("{name}: want {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "policy table failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn access_classes_are_reported() {
    let owner = Owner::default();
    let a = analyze(
        &stmt(r#"{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutBucketPolicy"],"Resource":"*"}"#),
        &owner,
    )
    .expect("valid policy");
    let access = a.statements[0].access;
    assert!(access.read_objects && access.change_permissions);
    assert!(!access.delete && !access.list);
    assert_eq!(access.describe(), "read objects, change permissions");
}

#[test]
fn invalid_documents_are_errors_not_panics() {
    let owner = Owner::default();
    assert!(matches!(
        analyze("not json", &owner),
        Err(PolicyError::NotJson(_))
    ));
    assert!(matches!(
        analyze("{}", &owner),
        Err(PolicyError::NoStatement)
    ));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(analyze(&deep, &owner).is_err());
}

#[test]
fn glob_semantics() {
    assert!(glob_match("s3:Get*", "s3:GetObject"));
    assert!(glob_match("S3:GETOBJECT", "s3:GetObject"));
    assert!(glob_match("*", "anything"));
    assert!(!glob_match("s3:Get*", "s3:PutObject"));
    assert!(is_bad_pattern("s3:G*t"));
    assert!(is_bad_pattern("*Object"));
    assert!(!is_bad_pattern("s3:Replicate*"));
    assert!(!is_bad_pattern("iam:*"));
}

fn owned(org: Option<&'static str>) -> Owner<'static> {
    Owner {
        account_id: Some(OWNER),
        canonical_id: None,
        org_id: org,
    }
}

#[test]
fn the_owners_own_organisation_is_not_shared() {
    for cond in [
        r#"{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#,
        r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}"#,
    ] {
        let doc = stmt(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{cond}}}"#
        ));
        let own = analyze(&doc, &owned(Some("o-a1b2c3d4e5"))).expect("valid");
        assert!(
            !own.is_public() && own.shared_accounts().is_empty(),
            "{cond}"
        );
        let other = analyze(&doc, &owned(Some("o-zzzzzzzzzz"))).expect("valid");
        assert_eq!(
            other.shared_accounts().into_iter().collect::<Vec<_>>(),
            vec!["organization o-a1b2c3d4e5".to_string()],
            "{cond}"
        );
    }
}

#[test]
fn why_names_what_s3_counts() {
    let a = analyze(
        &stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"},"Action":"s3:GetObject","Resource":"*"}"#),
        &owned(None),
    )
    .expect("valid");
    let StatementExposure::CrossAccount { accounts, why } = &a.statements[0].exposure else {
        panic!("{:?}", a.statements[0].exposure);
    };
    assert_eq!(
        accounts,
        &["CloudFront origin access identity E2QWRUHAPOMQZL"]
    );
    assert!(why.contains("not another account"), "{why}");
    assert!(!why.contains("(account"), "{why}");

    let a = analyze(
        &stmt(r#"{"Effect":"Allow","Principal":{"Federated":"graph.facebook.com"},"Action":"s3:PutObject","Resource":"*"}"#),
        &owned(None),
    )
    .expect("valid");
    let StatementExposure::Public { why } = &a.statements[0].exposure else {
        panic!("{:?}", a.statements[0].exposure);
    };
    assert!(why.contains("public identity provider"), "{why}");
}

#[test]
fn a_blanket_deny_is_named_but_partial_ones_are_not() {
    let allow = r#"{"Sid":"Pub","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#;
    let cases = [
        // (deny, whether it removes every access the Allow grants)
        (
            r#"{"Sid":"NoOne","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#,
            true,
        ),
        (
            r#"{"Sid":"NoOne","Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#,
            true,
        ),
        (
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#,
            false,
        ),
        (
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/private/*"}"#,
            false,
        ),
        (
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
            false,
        ),
        (
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}"#,
            false,
        ),
        (
            r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:*","Resource":"*"}"#,
            false,
        ),
        (
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:?etObject","Resource":"*"}"#,
            false,
        ),
    ];
    for (deny, blanket) in cases {
        let a = analyze(&stmt(&format!("{allow},{deny}")), &owned(None)).expect("valid");
        assert!(a.is_public(), "a Deny never clears the verdict: {deny}");
        assert_eq!(
            a.statements[0].denied_by.is_some(),
            blanket,
            "{deny}: {:?}",
            a.statements[0].denied_by
        );
    }
}

/// An Object Lambda access point's policy grants S3's object actions under
/// their own prefix: judged as the same access.
#[test]
fn object_lambda_actions_are_judged_as_s3_actions() {
    let owner = Owner::default();
    for (action, read, list) in [
        ("s3-object-lambda:GetObject", true, false),
        ("S3-Object-Lambda:*", true, true),
        ("s3-object-lambda:ListBucket", false, true),
        ("s3-object-lambdax:GetObject", false, false),
    ] {
        let a = analyze(
            &stmt(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"*"}}"#
            )),
            &owner,
        )
        .expect("valid policy");
        let access = a.statements[0].access;
        assert_eq!((access.read_objects, access.list), (read, list), "{action}");
    }
    assert_eq!(
        overall(&stmt(
            r#"{"Effect":"Allow","Principal":"*","NotAction":"s3-object-lambda:GetObject","Resource":"*"}"#
        )),
        Want::Public
    );
}
