//! The AWS calls a Game Day makes: staging its resources (each tagged with
//! the run), the attacker's requests, and reading the data back for the
//! score. `gameday/` decides what to do; this is the only place it is done.
//! (Teardown, found by the same tag, is `aws::teardown`.)

use aws_sdk_s3::primitives::ByteStream;

use super::error::aws_error;
use super::{AwsError, Clients};

/// The tag on everything a Game Day creates; its value is the run id.
pub const TAG: &str = "warroom:gameday";

fn invalid(e: impl std::fmt::Display) -> AwsError {
    AwsError::new("InvalidRequest", e.to_string())
}

fn iam_tags(run_id: &str) -> Result<Vec<aws_sdk_iam::types::Tag>, AwsError> {
    Ok(vec![
        aws_sdk_iam::types::Tag::builder()
            .key(TAG)
            .value(run_id)
            .build()
            .map_err(invalid)?,
    ])
}

fn ec2_tags(
    run_id: &str,
    kind: aws_sdk_ec2::types::ResourceType,
    name: &str,
) -> aws_sdk_ec2::types::TagSpecification {
    use aws_sdk_ec2::types::{Tag, TagSpecification};
    TagSpecification::builder()
        .resource_type(kind)
        .tags(Tag::builder().key(TAG).value(run_id).build())
        .tags(Tag::builder().key("Name").value(name).build())
        .build()
}

/// Write one object.
pub async fn put_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> Result<(), AwsError> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

/// Read one object whole.
pub async fn get_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, AwsError> {
    get_object_with(s3, bucket, key, None).await
}

/// A customer-provided encryption key (SSE-C) as S3 takes it: the key and
/// its MD5, both base64. The attacker's own: it lives in memory only, and
/// its `Debug` says nothing of it.
#[derive(Clone)]
pub struct SseCKey {
    key_b64: String,
    md5_b64: String,
}

impl std::fmt::Debug for SseCKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SseCKey(..)")
    }
}

impl SseCKey {
    pub fn new(secret: [u8; 32]) -> Self {
        use md5::Digest;
        let md5 = md5::Md5::digest(secret);
        Self {
            key_b64: aws_smithy_types::base64::encode(secret),
            md5_b64: aws_smithy_types::base64::encode(md5.as_slice()),
        }
    }
}

/// Read one object whole, presenting an SSE-C key if one is given.
pub async fn get_object_with(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    sse_c: Option<&SseCKey>,
) -> Result<Vec<u8>, AwsError> {
    let mut get = s3.get_object().bucket(bucket).key(key);
    if let Some(k) = sse_c {
        get = get
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k.key_b64)
            .sse_customer_key_md5(&k.md5_b64);
    }
    let out = get.send().await.map_err(|e| aws_error(&e))?;
    let body = out
        .body
        .collect()
        .await
        .map_err(|e| AwsError::new("ReadFailed", e.to_string()))?;
    Ok(body.into_bytes().to_vec())
}

/// Write one object encrypted with an SSE-C key; the version it made.
pub async fn put_object_sse_c(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    sse_c: &SseCKey,
) -> Result<Option<String>, AwsError> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&sse_c.key_b64)
        .sse_customer_key_md5(&sse_c.md5_b64)
        .send()
        .await
        .map(|o| o.version_id().map(str::to_string))
        .map_err(|e| aws_error(&e))
}

/// Whether an object is there (false: gone, or hidden by a delete marker).
pub async fn object_exists(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<bool, AwsError> {
    match s3.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
        Err(e) => Err(aws_error(&e)),
    }
}

/// List a bucket (the first page: the attacker looks, it does not page).
pub async fn list_objects(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<(), AwsError> {
    s3.list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

pub async fn delete_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<(), AwsError> {
    s3.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

/// Set a bucket's policy as given (the attacker's public policy, the
/// scenario's delegation to access points).
pub async fn put_bucket_policy(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    policy: &str,
) -> Result<(), AwsError> {
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(policy)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

/// Tag a trail with the run.
pub async fn tag_trail(c: &Clients, region: &str, arn: &str, run_id: &str) -> Result<(), AwsError> {
    c.cloudtrail_in(region)
        .add_tags()
        .resource_id(arn)
        .tags_list(
            aws_sdk_cloudtrail::types::Tag::builder()
                .key(TAG)
                .value(run_id)
                .build()
                .map_err(invalid)?,
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

/// A new access key, as IAM returned it once.
pub struct NewKey {
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Create a tagged user with one inline policy and one access key.
pub async fn create_user(
    c: &Clients,
    name: &str,
    policy: &str,
    run_id: &str,
) -> Result<Option<NewKey>, AwsError> {
    c.iam
        .create_user()
        .user_name(name)
        .set_tags(Some(iam_tags(run_id)?))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    c.iam
        .put_user_policy()
        .user_name(name)
        .policy_name("gameday-access")
        .policy_document(policy)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let key = c
        .iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(key.access_key().map(|k| NewKey {
        access_key_id: k.access_key_id().to_string(),
        secret_access_key: k.secret_access_key().to_string(),
    }))
}

/// Create a tagged role with a trust policy and one inline policy.
pub async fn create_role(
    c: &Clients,
    name: &str,
    trust: &str,
    policy: &str,
    run_id: &str,
) -> Result<(), AwsError> {
    c.iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .set_tags(Some(iam_tags(run_id)?))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    c.iam
        .put_role_policy()
        .role_name(name)
        .policy_name("gameday-access")
        .policy_document(policy)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

/// An instance to launch for a scenario.
pub struct Launch<'a> {
    pub name: &'a str,
    /// The role its instance profile (of the same name) carries.
    pub role: Option<&'a str>,
    pub key_pair: Option<&'a str>,
    /// Leave IMDSv1 on (the SSRF door).
    pub imdsv1: bool,
}

/// Launch a tagged instance (with its instance profile and key pair);
/// returns its id.
pub async fn launch_instance(
    c: &Clients,
    spec: &Launch<'_>,
    run_id: &str,
) -> Result<String, AwsError> {
    use aws_sdk_ec2::types::{
        HttpTokensState, IamInstanceProfileSpecification, InstanceMetadataOptionsRequest,
        ResourceType,
    };
    let ec2 = c.ec2_in(c.region());
    if let Some(role) = spec.role {
        c.iam
            .create_instance_profile()
            .instance_profile_name(role)
            .set_tags(Some(iam_tags(run_id)?))
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        c.iam
            .add_role_to_instance_profile()
            .instance_profile_name(role)
            .role_name(role)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
    if let Some(kp) = spec.key_pair {
        ec2.create_key_pair()
            .key_name(kp)
            .tag_specifications(ec2_tags(run_id, ResourceType::KeyPair, kp))
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
    let image = super::seed::launchable_image(&ec2).await?;
    let mut run = ec2
        .run_instances()
        .image_id(image)
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .tag_specifications(ec2_tags(run_id, ResourceType::Instance, spec.name))
        .metadata_options(
            InstanceMetadataOptionsRequest::builder()
                .http_tokens(if spec.imdsv1 {
                    HttpTokensState::Optional
                } else {
                    HttpTokensState::Required
                })
                .build(),
        );
    if let Some(kp) = spec.key_pair {
        run = run.key_name(kp);
    }
    if let Some(role) = spec.role {
        run = run.iam_instance_profile(
            IamInstanceProfileSpecification::builder()
                .name(role)
                .build(),
        );
    }
    let out = run.send().await.map_err(|e| aws_error(&e))?;
    out.instances()
        .first()
        .and_then(|i| i.instance_id())
        .map(str::to_string)
        .ok_or_else(|| invalid("the instance was not launched"))
}

/// Whether this access key of this user is still active (false once the
/// user is gone: so is the key).
pub async fn access_key_active(c: &Clients, user: &str, key_id: &str) -> Result<bool, AwsError> {
    match c.iam.list_access_keys().user_name(user).send().await {
        Ok(out) => Ok(out.access_key_metadata().iter().any(|k| {
            k.access_key_id() == Some(key_id)
                && k.status() == Some(&aws_sdk_iam::types::StatusType::Active)
        })),
        Err(e) if aws_error(&e).code == "NoSuchEntity" => Ok(false),
        Err(e) => Err(aws_error(&e)),
    }
}

/// Whether the instance still answers IMDSv1 (tokens not required).
pub async fn imdsv1_allowed(
    c: &Clients,
    region: &str,
    instance_id: &str,
) -> Result<bool, AwsError> {
    let out = c
        .ec2_in(region)
        .describe_instances()
        .instance_ids(instance_id)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .any(|i| {
            i.metadata_options()
                .and_then(|m| m.http_tokens())
                .is_none_or(|t| *t != aws_sdk_ec2::types::HttpTokensState::Required)
        }))
}

/// The attacker's own door: an access point on `bucket` with its Block
/// Public Access all off (made if it is not there), and `policy` on it.
pub async fn open_access_point(
    c: &Clients,
    account: &str,
    region: &str,
    name: &str,
    bucket: &str,
    policy: &str,
) -> Result<(), AwsError> {
    let control = c.s3control_in(region);
    let exists = control
        .get_access_point()
        .account_id(account)
        .name(name)
        .send()
        .await
        .is_ok();
    if !exists {
        control
            .create_access_point()
            .account_id(account)
            .name(name)
            .bucket(bucket)
            .public_access_block_configuration(super::pab::to_control(
                &crate::model::facts::PublicAccessBlock::default(),
            ))
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
    control
        .put_access_point_policy()
        .account_id(account)
        .name(name)
        .policy(policy)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

/// The attacker's second key on `user`: the id for the record, the secret
/// for the attacker alone (the caller wraps it; CloudTrail never logs it).
pub async fn create_access_key(c: &Clients, user: &str) -> Result<NewKey, AwsError> {
    let out = c
        .iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let k = out
        .access_key()
        .ok_or_else(|| AwsError::new("BadResponse", "CreateAccessKey returned no key"))?;
    Ok(NewKey {
        access_key_id: k.access_key_id().to_string(),
        secret_access_key: k.secret_access_key().to_string(),
    })
}

/// AWS's managed policy an attacker's admin user gets.
pub const ADMIN_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// The attacker's backdoor user (tagged, so teardown finds it): a console
/// password nobody is told and an admin policy. Returns the ARN of the
/// policy attached: AWS's own, or — where AWS's managed policies are not
/// served (the emulator) — a tagged customer policy of the same name.
pub async fn create_admin_user(
    c: &Clients,
    name: &str,
    password: &str,
    run_id: &str,
) -> Result<String, AwsError> {
    c.iam
        .create_user()
        .user_name(name)
        .set_tags(Some(iam_tags(run_id)?))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    c.iam
        .create_login_profile()
        .user_name(name)
        .password(password)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let attach = |arn: String| async move {
        c.iam
            .attach_user_policy()
            .user_name(name)
            .policy_arn(&arn)
            .send()
            .await
            .map(|_| arn)
            .map_err(|e| aws_error(&e))
    };
    match attach(ADMIN_POLICY.to_string()).await {
        Err(e) if e.code == "NoSuchEntity" => {}
        other => return other,
    }
    let account = c.account_id().await?;
    let own = format!("arn:aws:iam::{account}:policy/AdministratorAccess");
    let made = c
        .iam
        .create_policy()
        .policy_name("AdministratorAccess")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .set_tags(Some(iam_tags(run_id)?))
        .send()
        .await;
    match made {
        Err(e) if aws_error(&e).code != "EntityAlreadyExists" => return Err(aws_error(&e)),
        _ => {}
    }
    attach(own).await
}
