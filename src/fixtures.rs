//! Deterministic sample data for TUI tests and the render benchmark: a
//! scanned account without a network. (Integration tests use moto instead.)

use crate::model::facts::*;

pub const ACCOUNT: &str = "123456789012";
const OWNER: &str = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";

pub fn account() -> AccountFacts {
    AccountFacts {
        account_id: Some(ACCOUNT.into()),
        public_access_block: Fact::Known(None),
    }
}

fn owner_grant() -> Grant {
    Grant {
        grantee: Grantee::CanonicalUser {
            id: OWNER.into(),
            display_name: Some("webfile".into()),
        },
        permission: "FULL_CONTROL".into(),
    }
}

pub fn private_bucket(name: &str) -> BucketFacts {
    BucketFacts {
        name: name.into(),
        region: Fact::Known("us-east-1".into()),
        public_access_block: Fact::Known(None),
        policy_status_is_public: Fact::Known(None),
        policy: Fact::Known(None),
        acl: Fact::Known(Acl {
            owner_id: Some(OWNER.into()),
            owner_display_name: Some("webfile".into()),
            grants: vec![owner_grant()],
        }),
        object_ownership: Fact::Known(None),
        versioning: Fact::Known(Versioning {
            status: None,
            mfa_delete: None,
        }),
        encryption: Fact::Known(Some(Encryption {
            rules: vec!["AES256".into()],
            sse_c_blocked: false,
        })),
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

fn tags(pairs: &[(&str, &str)]) -> Fact<Vec<Tag>> {
    Fact::Known(
        pairs
            .iter()
            .map(|(k, v)| Tag {
                key: (*k).into(),
                value: (*v).into(),
            })
            .collect(),
    )
}

/// The demo account: one bucket per kind of verdict and reason.
pub fn buckets() -> Vec<BucketFacts> {
    let mut exports = private_bucket("acme-customer-exports");
    if let Fact::Known(acl) = &mut exports.acl {
        acl.grants.push(Grant {
            grantee: Grantee::AllUsers,
            permission: "READ".into(),
        });
    }
    exports.versioning = Fact::Known(Versioning {
        status: Some("Enabled".into()),
        mfa_delete: Some("Disabled".into()),
    });
    exports.tags = tags(&[
        ("app", "billing-exports"),
        ("data-classification", "confidential"),
    ]);

    let mut website = private_bucket("acme-public-website");
    website.policy = Fact::Known(Some(r#"{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-public-website/*"}]}"#.into()));
    website.policy_status_is_public = Fact::Known(Some(true));
    website.tags = tags(&[("data-classification", "public")]);

    let mut partner = private_bucket("acme-partner-share");
    partner.policy = Fact::Known(Some(r#"{"Version":"2012-10-17","Statement":[{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-partner-share","arn:aws:s3:::acme-partner-share/*"]}]}"#.into()));
    partner.policy_status_is_public = Fact::Known(Some(false));

    let mut hostile = private_bucket("acme-analytics-tmp");
    hostile.policy = Fact::Known(Some(r#"{"Statement":[{"Sid":"tmp\u001b[2J\u001b]0;owned\u0007","Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::acme-analytics-tmp/*"}]}"#.into()));

    let mut blocked = private_bucket("acme-blocked-by-pab");
    blocked.policy = Fact::Known(Some(r#"{"Statement":[{"Sid":"OldPublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-blocked-by-pab/*"}]}"#.into()));
    blocked.public_access_block = Fact::Known(Some(PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    }));

    let mut denied = private_bucket("acme-denied");
    denied.policy = Fact::Unknown(FieldError::new("AccessDenied", "Access Denied"));
    denied.tags = Fact::Unknown(FieldError::new("AccessDenied", "Access Denied"));

    let mut eu = private_bucket("acme-eu-archive");
    eu.region = Fact::Known("eu-west-1".into());
    eu.object_lock = Fact::Known(Some(ObjectLock {
        enabled: true,
        default_retention: Some("GOVERNANCE 30 days".into()),
    }));

    vec![
        private_bucket("acme-access-logs"),
        exports,
        website,
        partner,
        hostile,
        blocked,
        denied,
        eu,
    ]
}

/// `n` buckets with a realistic mix (every 10th public, every 7th shared).
pub fn many_buckets(n: usize) -> Vec<BucketFacts> {
    (0..n)
        .map(|i| {
            let mut b = private_bucket(&format!("bucket-{i:05}"));
            if i % 10 == 0 {
                b.policy = Fact::Known(Some(format!(r#"{{"Statement":[{{"Sid":"S{i}","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-{i:05}/*"}}]}}"#)));
            } else if i % 7 == 0 {
                b.policy = Fact::Known(Some(format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"444455556666"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-{i:05}/*"}}]}}"#)));
            }
            b
        })
        .collect()
}

/// Credentials for the credentials pane's tests and snapshots: two users
/// (one key used from an odd region), an ordinary role trusted by another
/// account, an Identity Center role, a key pair with an instance and a
/// launch template, and an instance that still allows IMDSv1.
pub fn credentials() -> crate::model::credentials::CredentialFacts {
    use crate::model::credentials::*;
    let instance = InstanceFacts {
        id: "i-0abc1234def567890".into(),
        region: "us-east-1".into(),
        state: Some("running".into()),
        key_name: Some("ops-key".into()),
        instance_profile_arn: Some(format!("arn:aws:iam::{ACCOUNT}:instance-profile/web")),
        imds: ImdsOptions {
            http_tokens: Some("optional".into()),
            http_endpoint: Some("enabled".into()),
            http_put_response_hop_limit: Some(1),
            http_protocol_ipv6: Some("disabled".into()),
            instance_metadata_tags: Some("disabled".into()),
        },
    };
    let user = |name: &str, keys: Vec<AccessKeyFacts>| UserFacts {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        created: Some("2024-02-01T09:00:00Z".into()),
        keys: Fact::Known(keys),
        attached_policies: Fact::Known(vec!["arn:aws:iam::aws:policy/AmazonS3FullAccess".into()]),
        inline_policies: Fact::Known(Vec::new()),
        revoked_before: Fact::Known(None),
    };
    CredentialFacts {
        account: "123456789012".into(),
        users: Fact::Known(vec![
            user(
                "ci-deploy",
                vec![AccessKeyFacts {
                    user: "ci-deploy".into(),
                    key_id: "AKIAEXAMPLECIDEPLOY1".into(),
                    status: "Active".into(),
                    created: Some("2024-02-01T09:00:00Z".into()),
                    last_used: Fact::Known(LastUsed {
                        date: Some("2026-11-22T03:12:00Z".into()),
                        service: Some("s3".into()),
                        region: Some("ap-southeast-1".into()),
                    }),
                }],
            ),
            user(
                "analyst\u{1b}[2J",
                vec![AccessKeyFacts {
                    user: "analyst\u{1b}[2J".into(),
                    key_id: "AKIAEXAMPLEANALYST01".into(),
                    status: "Inactive".into(),
                    created: Some("2025-06-01T09:00:00Z".into()),
                    last_used: Fact::Unknown(FieldError::new("AccessDenied", "not allowed")),
                }],
            ),
        ]),
        roles: Fact::Known(vec![
            RoleFacts {
                name: "web".into(),
                arn: format!("arn:aws:iam::{ACCOUNT}:role/web"),
                path: "/".into(),
                kind: RoleKind::Normal,
                trust: Fact::Known(vec![
                    TrustPrincipal {
                        kind: "Service".into(),
                        value: "ec2.amazonaws.com".into(),
                        flag: None,
                    },
                    TrustPrincipal {
                        kind: "AWS".into(),
                        value: "arn:aws:iam::999988887777:root".into(),
                        flag: Some("another account (999988887777)".into()),
                    },
                ]),
                attached_policies: Fact::Known(vec![
                    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".into(),
                ]),
                inline_policies: Fact::Known(vec!["AWSRevokeOlderSessions".into()]),
                revoked_before: Fact::Known(Some("2026-11-22T04:00:00Z".into())),
                instances: Fact::Known(vec![instance.id.clone()]),
            },
            RoleFacts {
                name: "AWSReservedSSO_Admin_0123456789abcdef".into(),
                arn: format!(
                    "arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
                ),
                path: "/aws-reserved/sso.amazonaws.com/".into(),
                kind: RoleKind::IdentityCenter,
                trust: Fact::Known(Vec::new()),
                attached_policies: Fact::Known(Vec::new()),
                inline_policies: Fact::Known(Vec::new()),
                revoked_before: Fact::Known(None),
                instances: Fact::Known(Vec::new()),
            },
        ]),
        key_pairs: Fact::Known(vec![KeyPairFacts {
            name: "ops-key".into(),
            key_pair_id: Some("key-0123456789abcdef0".into()),
            fingerprint: Some("1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca".into()),
            key_type: Some("rsa".into()),
            created: Some("2023-05-05T10:00:00Z".into()),
            region: "us-east-1".into(),
            instances: vec![instance.clone()],
            templates: Fact::Known(vec![TemplateVersionRef {
                template_id: "lt-0123456789abcdef0".into(),
                template_name: "web-lt".into(),
                version: 3,
                is_default: true,
                region: "us-east-1".into(),
            }]),
        }]),
        instances: Fact::Known(vec![instance]),
    }
}

/// `n` realistic CloudTrail events (70% S3 data events, the rest
/// management events with nested parameters), ~1.2 KB of JSON each, for the
/// trail pane's benchmarks. Deterministic.
pub fn trail_events(n: usize) -> Vec<crate::model::trail::TrailEvent> {
    trail_events_from(0, n)
}

/// Events `start..start + n` of the same sequence (to build a large set in
/// batches, as the tail delivers it).
pub fn trail_events_from(start: usize, n: usize) -> Vec<crate::model::trail::TrailEvent> {
    (start..start + n)
        .filter_map(|i| {
            let data = i % 10 < 7;
            let acct = if i % 10 == 9 { "999988887777" } else { ACCOUNT };
            let json = format!(
                r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLE{i:06}:session-{s}","arn":"arn:aws:sts::{acct}:assumed-role/app-{r}/session-{s}","accountId":"{acct}","accessKeyId":"ASIA{i:016}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::{acct}:role/app-{r}","accountId":"{acct}","userName":"app-{r}"}},"attributes":{{"creationDate":"2026-11-22T09:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"2026-11-22T{h:02}:{m:02}:{sec:02}Z","eventSource":"{src}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.{a}.{b}","userAgent":"aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/s3.cp","requestParameters":{{"bucketName":"acme-customer-exports","Host":"acme-customer-exports.s3.us-east-1.amazonaws.com","key":"exports/{i:06}/part-{p:04}.csv.gz"}},"responseElements":null,"additionalEventData":{{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"bytesTransferredOut":{i},"AuthenticationMethod":"AuthHeader","x-amz-id-2":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},"requestID":"{i:016X}","eventID":"{i:032x}","readOnly":true,"resources":[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::acme-customer-exports/exports/{i:06}/part-{p:04}.csv.gz"}},{{"accountId":"{ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::acme-customer-exports"}}],"eventType":"AwsApiCall","managementEvent":{mgmt},"recipientAccountId":"{ACCOUNT}","eventCategory":"{cat}","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"acme-customer-exports.s3.us-east-1.amazonaws.com"}}}}"#,
                s = i % 97,
                r = i % 13,
                h = (i / 3600) % 24,
                m = (i / 60) % 60,
                sec = i % 60,
                src = if data { "s3.amazonaws.com" } else { "iam.amazonaws.com" },
                name = if data { "GetObject" } else { "PutBucketPolicy" },
                a = i % 250,
                b = (i / 250) % 250,
                p = i % 1000,
                mgmt = !data,
                cat = if data { "Data" } else { "Management" },
            );
            crate::model::trail::normalise_str(&json).ok()
        })
        .collect()
}
