//! Stages the demo account in an emulator: a handful of buckets that show
//! every verdict the exposure pane can give. Used by `warroom demo` (and so
//! `make gameday`) until Game Day proper stages full incidents.
//!
//! This writes to the target, so it is only ever pointed at an emulator that
//! warroom itself started.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLocationConstraint, BucketLoggingStatus, BucketVersioningStatus,
    CreateBucketConfiguration, LoggingEnabled, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};

use super::error::aws_error;
use super::{AwsError, Clients};

/// The account that plays "a partner" in the demo's cross-account share.
pub const PARTNER_ACCOUNT: &str = "444455556666";

pub struct DemoBucket {
    pub name: &'static str,
    pub region: &'static str,
    pub what: &'static str,
}

pub const DEMO_BUCKETS: &[DemoBucket] = &[
    DemoBucket {
        name: "acme-customer-exports",
        region: "us-east-1",
        what: "public by ACL (public-read): the incident",
    },
    DemoBucket {
        name: "acme-public-website",
        region: "us-east-1",
        what: "public by policy (Principal *)",
    },
    DemoBucket {
        name: "acme-partner-share",
        region: "us-east-1",
        what: "shared with another account by policy",
    },
    DemoBucket {
        name: "acme-analytics-tmp",
        region: "us-east-1",
        what: "public policy with a hostile Sid (escape sequence)",
    },
    DemoBucket {
        name: "acme-blocked-by-pab",
        region: "us-east-1",
        what: "public policy neutralised by Public Access Block",
    },
    DemoBucket {
        name: "acme-payroll-private",
        region: "us-east-1",
        what: "private, encrypted, versioned, logged",
    },
    DemoBucket {
        name: "acme-access-logs",
        region: "us-east-1",
        what: "log target (LogDelivery ACL)",
    },
    DemoBucket {
        name: "acme-eu-archive",
        region: "eu-west-1",
        what: "private, in another region",
    },
];

/// The attacker's damage, a moment after the exports were written (S3
/// keeps time in seconds, so "before" and "after" must be a second apart):
/// the customer list overwritten, the invoices deleted, a ransom note
/// added. The versions view and the point-in-time restore have something
/// to undo.
async fn tamper_exports(c: &Clients) -> Result<(), AwsError> {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let bucket = "acme-customer-exports";
    for (key, body) in [
        (
            "exports/2026-11/customers.csv",
            "encrypted by us. pay 2 BTC\n",
        ),
        ("exports/README-RESTORE.txt", "your files are encrypted\n"),
    ] {
        c.s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
    c.s3.delete_object()
        .bucket(bucket)
        .key("exports/2026-11/invoices.csv")
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

pub async fn seed_demo(c: &Clients) -> Result<(), AwsError> {
    for b in DEMO_BUCKETS {
        create_bucket(c, b.name, b.region).await?;
    }
    let s3 = &c.s3;
    let acct = c
        .identity()
        .await
        .map(|i| i.account)
        .unwrap_or_else(|_| "123456789012".into());

    // The incident: customer exports readable by anyone through the ACL.
    s3.put_bucket_acl()
        .bucket("acme-customer-exports")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    versioning(c, "acme-customer-exports").await?;
    tags(
        c,
        "acme-customer-exports",
        &[
            ("app", "billing-exports"),
            ("data-classification", "confidential"),
            ("owner", "payments-team"),
        ],
    )
    .await?;
    for (key, body) in [
        (
            "exports/2026-11/customers.csv",
            "id,name,email\n1,Ada,ada@example.com\n",
        ),
        ("exports/2026-11/invoices.csv", "id,amount\n1,42.00\n"),
    ] {
        s3.put_object()
            .bucket("acme-customer-exports")
            .key(key)
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
    tamper_exports(c).await?;

    policy(c, "acme-public-website", r#"{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-public-website/*"}]}"#).await?;
    tags(
        c,
        "acme-public-website",
        &[("app", "marketing-site"), ("data-classification", "public")],
    )
    .await?;

    policy(c, "acme-partner-share", &format!(r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PartnerRead","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{PARTNER_ACCOUNT}:root"}},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-partner-share","arn:aws:s3:::acme-partner-share/*"]}},{{"Sid":"OwnAccount","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{acct}:root"}},"Action":"s3:*","Resource":"arn:aws:s3:::acme-partner-share/*"}}]}}"#)).await?;
    tags(
        c,
        "acme-partner-share",
        &[("app", "partner-feed"), ("data-classification", "internal")],
    )
    .await?;

    // An attacker-chosen Sid carrying a terminal escape sequence: it must be
    // drawn inert (visible as \x1b…), never interpreted.
    policy(c, "acme-analytics-tmp", r#"{"Version":"2012-10-17","Statement":[{"Sid":"tmp\u001b[2J\u001b]0;owned\u0007","Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::acme-analytics-tmp/*"}]}"#).await?;

    policy(c, "acme-blocked-by-pab", r#"{"Version":"2012-10-17","Statement":[{"Sid":"OldPublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-blocked-by-pab/*"}]}"#).await?;
    s3.put_public_access_block()
        .bucket("acme-blocked-by-pab")
        .public_access_block_configuration(super::pab::to_s3(
            &crate::model::facts::PublicAccessBlock::ALL_ON,
        ))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;

    s3.put_bucket_acl()
        .bucket("acme-access-logs")
        .acl(BucketCannedAcl::from("log-delivery-write"))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    versioning(c, "acme-payroll-private").await?;
    default_kms(c, "acme-payroll-private", Some("alias/payroll")).await?;
    s3.put_bucket_logging()
        .bucket("acme-payroll-private")
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket("acme-access-logs")
                        .target_prefix("payroll/")
                        .build()
                        .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))?,
                )
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    tags(
        c,
        "acme-payroll-private",
        &[("app", "payroll"), ("data-classification", "restricted")],
    )
    .await?;
    tags(
        c,
        "acme-eu-archive",
        &[("app", "archive"), ("data-classification", "internal")],
    )
    .await?;
    Ok(())
}

pub async fn create_bucket(c: &Clients, name: &str, region: &str) -> Result<(), AwsError> {
    let mut req = c.s3_in(region).create_bucket().bucket(name);
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    req.send().await.map_err(|e| aws_error(&e))?;
    Ok(())
}

async fn policy(c: &Clients, bucket: &str, doc: &str) -> Result<(), AwsError> {
    c.s3.put_bucket_policy()
        .bucket(bucket)
        .policy(doc)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

pub async fn versioning(c: &Clients, bucket: &str) -> Result<(), AwsError> {
    c.s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// SSE-KMS default encryption with `key` (an id, ARN or alias), or with
/// the AWS managed key when `None`.
pub async fn default_kms(c: &Clients, bucket: &str, key: Option<&str>) -> Result<(), AwsError> {
    let bad = |e: aws_sdk_s3::error::BuildError| AwsError::new("InvalidRequest", e.to_string());
    c.s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::AwsKms)
                                .set_kms_master_key_id(key.map(str::to_string))
                                .build()
                                .map_err(bad)?,
                        )
                        .build(),
                )
                .build()
                .map_err(bad)?,
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// Object Ownership BucketOwnerEnforced: ACLs disabled.
pub async fn bucket_owner_enforced(c: &Clients, bucket: &str) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};
    let bad = |e: aws_sdk_s3::error::BuildError| AwsError::new("InvalidRequest", e.to_string());
    c.s3.put_bucket_ownership_controls()
        .bucket(bucket)
        .ownership_controls(
            OwnershipControls::builder()
                .rules(
                    OwnershipControlsRule::builder()
                        .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                        .build()
                        .map_err(bad)?,
                )
                .build()
                .map_err(bad)?,
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

async fn tags(c: &Clients, bucket: &str, pairs: &[(&str, &str)]) -> Result<(), AwsError> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tag_bucket(c, bucket, &pairs).await
}

/// The demo's credentials: a CI user whose key read the exposed bucket, an
/// analyst, an application role trusted by another account and held by an
/// instance, an Identity Center role, and an EC2 key pair used by that
/// instance and a launch template (IMDSv1 still allowed).
pub async fn seed_demo_credentials(c: &Clients) -> Result<(), AwsError> {
    use aws_sdk_ec2::types::{
        HttpTokensState, IamInstanceProfileSpecification, InstanceMetadataOptionsRequest,
        RequestLaunchTemplateData,
    };
    let iam = &c.iam;
    let acct = c
        .identity()
        .await
        .map(|i| i.account)
        .unwrap_or_else(|_| "123456789012".into());
    iam.create_policy()
        .policy_name("acme-exports-read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-customer-exports","arn:aws:s3:::acme-customer-exports/*"]}]}"#)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let read_policy = format!("arn:aws:iam::{acct}:policy/acme-exports-read");
    for user in ["ci-deploy", "analyst"] {
        iam.create_user()
            .user_name(user)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        iam.attach_user_policy()
            .user_name(user)
            .policy_arn(&read_policy)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        iam.create_access_key()
            .user_name(user)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"ec2.amazonaws.com"}},"Action":"sts:AssumeRole"}},{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{PARTNER_ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name("acme-web-app")
        .assume_role_policy_document(trust)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    iam.attach_role_policy()
        .role_name("acme-web-app")
        .policy_arn(&read_policy)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    iam.create_role()
        .role_name("AWSReservedSSO_AdministratorAccess_0123456789abcdef")
        .path("/aws-reserved/sso.amazonaws.com/")
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{acct}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"}},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"]}}]}}"#
        ))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    iam.create_instance_profile()
        .instance_profile_name("acme-web-app")
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    iam.add_role_to_instance_profile()
        .instance_profile_name("acme-web-app")
        .role_name("acme-web-app")
        .send()
        .await
        .map_err(|e| aws_error(&e))?;

    let ec2 = c.ec2_in(c.region());
    ec2.create_key_pair()
        .key_name("acme-ops")
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let image = launchable_image(&ec2).await?;
    ec2.run_instances()
        .image_id(&image)
        .min_count(1)
        .max_count(1)
        .key_name("acme-ops")
        .iam_instance_profile(
            IamInstanceProfileSpecification::builder()
                .name("acme-web-app")
                .build(),
        )
        .metadata_options(
            InstanceMetadataOptionsRequest::builder()
                .http_tokens(HttpTokensState::Optional)
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    ec2.create_launch_template()
        .launch_template_name("acme-web-app")
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .image_id(image)
                .key_name("acme-ops")
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// A multi-region trail writing to `logs`, logging, with S3 data events
/// (reads and writes) for `data_bucket` only.
pub async fn create_logging_trail(
    c: &Clients,
    name: &str,
    logs: &str,
    data_bucket: &str,
) -> Result<(), AwsError> {
    let ct = c.cloudtrail_in(c.region());
    ct.create_trail()
        .name(name)
        .s3_bucket_name(logs)
        .is_multi_region_trail(true)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    ct.start_logging()
        .name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    ct.put_event_selectors()
        .trail_name(name)
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .data_resources(
                    aws_sdk_cloudtrail::types::DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values(format!("arn:aws:s3:::{data_bucket}/"))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// The demo's CloudTrail: a trail that logs S3 data events for the exposed
/// bucket only (so the pane can say which public buckets' reads are not
/// logged), and today's log file with what the attacker did: the ACL made
/// public, anonymous downloads from an unfamiliar address, a denied probe.
pub async fn seed_demo_trail(c: &Clients) -> Result<(), AwsError> {
    let logs = "acme-cloudtrail-logs";
    create_bucket(c, logs, c.region()).await?;
    create_logging_trail(c, "acme-main", logs, "acme-customer-exports").await?;
    let acct = c
        .identity()
        .await
        .map(|i| i.account)
        .unwrap_or_else(|_| "123456789012".into());
    let now = crate::time::now_secs();
    let (y, m, d) = crate::time::days_between(now, now)[0];
    let at = |mins_ago: i64| {
        aws_sdk_s3::primitives::DateTime::from_secs(now - mins_ago * 60)
            .fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime)
            .unwrap_or_default()
    };
    let user = |name: &str| {
        format!(
            r#"{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::{acct}:user/{name}","accountId":"{acct}","accessKeyId":"AKIAEXAMPLE{name:0>9}","userName":"{name}"}}"#
        )
    };
    let anon = r#"{"type":"AWSAccount","principalId":"","accountId":"anonymous"}"#;
    let event = |id: usize, mins: i64, name: &str, who: &str, ip: &str, key: &str, extra: &str| {
        let data = name.ends_with("Object");
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{who},"eventTime":"{}","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"{}","requestParameters":{{"bucketName":"acme-customer-exports","key":"{key}"}},"eventID":"demo-{id:04}","readOnly":{},"eventCategory":"{}","managementEvent":{},"recipientAccountId":"{acct}"{extra}}}"#,
            at(mins),
            if who == anon {
                "python-requests/2.31.0"
            } else {
                "aws-cli/2.15.30"
            },
            name.starts_with("Get") || name.starts_with("List"),
            if data { "Data" } else { "Management" },
            !data
        )
    };
    let mut records = vec![
        event(
            1,
            240,
            "PutBucketAcl",
            &user("ci-deploy"),
            "203.0.113.45",
            "",
            "",
        ),
        event(
            2,
            230,
            "GetBucketAcl",
            &user("ci-deploy"),
            "203.0.113.45",
            "",
            "",
        ),
    ];
    for i in 0..12 {
        records.push(event(
            10 + i,
            200 - i as i64 * 9,
            "GetObject",
            anon,
            "185.220.101.7",
            &format!("exports/customers-2026-{:02}.csv.gz", i + 1),
            "",
        ));
    }
    records.push(event(
        30,
        95,
        "GetObject",
        anon,
        "185.220.101.7",
        r"exports/../../etc/passwd\u001b[2J",
        r#","errorCode":"AccessDenied","errorMessage":"Access Denied""#,
    ));
    records.push(event(
        31,
        60,
        "GetObject",
        &user("analyst"),
        "10.0.4.12",
        "exports/customers-2026-03.csv.gz",
        "",
    ));
    let bytes = crate::model::trail::log_file_gz(&records)
        .map_err(|e| AwsError::new("SeedFailed", e.to_string()))?;
    c.s3.put_object()
        .bucket(logs)
        .key(format!(
            "AWSLogs/{acct}/CloudTrail/{}/{y:04}/{m:02}/{d:02}/{acct}_CloudTrail_{}_{y:04}{m:02}{d:02}T0000Z_demo.json.gz",
            c.region(),
            c.region()
        ))
        .body(ByteStream::from(bytes))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// An Amazon-owned x86_64 machine image to launch (the emulator lists
/// its own).
pub async fn launchable_image(ec2: &aws_sdk_ec2::Client) -> Result<String, AwsError> {
    use aws_sdk_ec2::types::Filter;
    let images = ec2
        .describe_images()
        .owners("amazon")
        .filters(
            Filter::builder()
                .name("architecture")
                .values("x86_64")
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    images
        .images()
        .iter()
        .find_map(|i| i.image_id())
        .map(str::to_string)
        .ok_or_else(|| {
            AwsError::new(
                "InvalidRequest",
                "no Amazon machine image found to launch the instance",
            )
        })
}

/// Replace a bucket's tags with `pairs`.
pub async fn tag_bucket(
    c: &Clients,
    bucket: &str,
    pairs: &[(String, String)],
) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{Tag, Tagging};
    let tag_set = pairs
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))?;
    c.s3.put_bucket_tagging()
        .bucket(bucket)
        .tagging(
            Tagging::builder()
                .set_tag_set(Some(tag_set))
                .build()
                .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}
