//! The only code that touches AWS SDK clients. Plain async functions that
//! return model types; no UI knowledge.

pub mod access_points;
pub mod acl;
pub mod cloudfront;
pub mod containment;
pub mod ec2;
pub mod error;
pub mod exposure;
pub mod game;
pub mod guard;
pub mod iam;
pub mod kms;
pub mod lifecycle;
pub mod object_acls;
pub mod object_lambda;
pub mod pab;
pub mod paging;
pub mod seed;
pub mod side_doors;
pub mod teardown;
pub mod trail;
pub mod versions;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};

pub use error::AwsError;

/// Where to point: the AWS CLI's own flags, resolved through the standard
/// credential chain (env, profile, SSO, assume-role, IMDS).
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Every client gets the same guards: `--read-only`'s refusal of anything
/// that writes (when asked for), and the watch for expired credentials.
/// Attempts per request (first try included) unless the user set
/// `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE`.
pub const MAX_ATTEMPTS: u32 = 6;

macro_rules! guarded {
    ($builder:expr, $read_only:expr, $expiry:expr) => {{
        let mut conf = $builder.interceptor($expiry.clone());
        if $read_only {
            conf = conf.interceptor(guard::ReadOnlyGuard);
        }
        conf
    }};
}

/// SDK clients, built once. Cheap to clone (the SDK clients are `Arc`s).
#[derive(Clone, Debug)]
pub struct Clients {
    pub sdk: SdkConfig,
    pub s3: aws_sdk_s3::Client,
    pub s3control: aws_sdk_s3control::Client,
    pub sts: aws_sdk_sts::Client,
    /// IAM is global: one client.
    pub iam: aws_sdk_iam::Client,
    /// CloudFront is global too (its API lives in us-east-1).
    pub cloudfront: aws_sdk_cloudfront::Client,
    region: String,
    endpoint: Option<String>,
    read_only: bool,
    /// Set once AWS says the credentials have expired (see `guard`).
    expiry: guard::ExpiryWatch,
    /// S3 must be asked about a bucket in the bucket's own region.
    s3_by_region: Arc<Mutex<HashMap<String, aws_sdk_s3::Client>>>,
    ec2_by_region: Arc<Mutex<HashMap<String, aws_sdk_ec2::Client>>>,
    cloudtrail_by_region: Arc<Mutex<HashMap<String, aws_sdk_cloudtrail::Client>>>,
    /// Access points live in their bucket's region's S3 Control endpoint.
    s3control_by_region: Arc<Mutex<HashMap<String, aws_sdk_s3control::Client>>>,
    /// A KMS key is asked about in its own region.
    kms_by_region: Arc<Mutex<HashMap<String, aws_sdk_kms::Client>>>,
    /// The account these credentials act in, read once (see `account_id`).
    account: Arc<tokio::sync::OnceCell<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl Clients {
    /// `read_only`: every client refuses mutating operations (see `guard`).
    pub async fn load(target: &Target, read_only: bool) -> Result<Self, AwsError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = &target.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &target.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &target.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        loader = patient_retries(loader);
        Self::from_sdk_config(loader.load().await, read_only)
    }

    pub fn from_sdk_config(sdk: SdkConfig, read_only: bool) -> Result<Self, AwsError> {
        let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
            AwsError::new(
                "NoRegion",
                "no AWS region: pass --region, set AWS_REGION, or set a region in the profile",
            )
        })?;
        let endpoint = sdk.endpoint_url().map(str::to_string);
        let expiry = guard::ExpiryWatch::default();
        let s3 = s3_client(&sdk, &region, endpoint.is_some(), read_only, &expiry);
        let mut control = guarded!(
            aws_sdk_s3control::config::Builder::from(&sdk),
            read_only,
            expiry
        );
        let sts = guarded!(aws_sdk_sts::config::Builder::from(&sdk), read_only, expiry);
        let iam = guarded!(aws_sdk_iam::config::Builder::from(&sdk), read_only, expiry);
        let cloudfront = guarded!(
            aws_sdk_cloudfront::config::Builder::from(&sdk).region(Region::new("us-east-1")),
            read_only,
            expiry
        );
        if let Some(url) = &endpoint {
            // S3 Control's endpoint rules prefix the host with the account
            // id ("123456789012.localhost"), which an emulator or proxy at
            // a fixed address cannot serve. Send requests to the URL as given.
            control = control.endpoint_resolver(FixedEndpoint(url.clone()));
        }
        Ok(Self {
            s3control: aws_sdk_s3control::Client::from_conf(control.build()),
            sts: aws_sdk_sts::Client::from_conf(sts.build()),
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            cloudfront: aws_sdk_cloudfront::Client::from_conf(cloudfront.build()),
            kms_by_region: Arc::new(Mutex::new(HashMap::new())),
            account: Arc::new(tokio::sync::OnceCell::new()),
            ec2_by_region: Arc::new(Mutex::new(HashMap::new())),
            cloudtrail_by_region: Arc::new(Mutex::new(HashMap::new())),
            s3control_by_region: Arc::new(Mutex::new(HashMap::new())),
            s3_by_region: Arc::new(Mutex::new(HashMap::from([(region.clone(), s3.clone())]))),
            s3,
            sdk,
            region,
            endpoint,
            read_only,
            expiry,
        })
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// AWS has answered that the credentials expired (a session token past
    /// its end): nothing more will work until the responder re-authenticates.
    pub fn credentials_expired(&self) -> bool {
        self.expiry.expired()
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The S3 client for a bucket's region (created on first use).
    pub fn s3_in(&self, region: &str) -> aws_sdk_s3::Client {
        per_region(&self.s3_by_region, region, || {
            s3_client(
                &self.sdk,
                region,
                self.endpoint.is_some(),
                self.read_only,
                &self.expiry,
            )
        })
    }

    /// The EC2 client for a region (created on first use).
    pub fn ec2_in(&self, region: &str) -> aws_sdk_ec2::Client {
        per_region(&self.ec2_by_region, region, || {
            let conf = guarded!(
                aws_sdk_ec2::config::Builder::from(&self.sdk)
                    .region(Region::new(region.to_string())),
                self.read_only,
                self.expiry
            );
            aws_sdk_ec2::Client::from_conf(conf.build())
        })
    }

    /// The S3 Control client for a region (created on first use): access
    /// points are regional, the account's Block Public Access is not.
    pub fn s3control_in(&self, region: &str) -> aws_sdk_s3control::Client {
        per_region(&self.s3control_by_region, region, || {
            let mut conf = guarded!(
                aws_sdk_s3control::config::Builder::from(&self.sdk)
                    .region(Region::new(region.to_string())),
                self.read_only,
                self.expiry
            );
            if let Some(url) = &self.endpoint {
                conf = conf.endpoint_resolver(FixedEndpoint(url.clone()));
            }
            aws_sdk_s3control::Client::from_conf(conf.build())
        })
    }

    /// The KMS client for a region (created on first use).
    pub fn kms_in(&self, region: &str) -> aws_sdk_kms::Client {
        per_region(&self.kms_by_region, region, || {
            let conf = guarded!(
                aws_sdk_kms::config::Builder::from(&self.sdk)
                    .region(Region::new(region.to_string())),
                self.read_only,
                self.expiry
            );
            aws_sdk_kms::Client::from_conf(conf.build())
        })
    }

    /// The CloudTrail client for a region (created on first use).
    pub fn cloudtrail_in(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        per_region(&self.cloudtrail_by_region, region, || {
            let conf = guarded!(
                aws_sdk_cloudtrail::config::Builder::from(&self.sdk)
                    .region(Region::new(region.to_string())),
                self.read_only,
                self.expiry
            );
            aws_sdk_cloudtrail::Client::from_conf(conf.build())
        })
    }

    /// Use this CloudTrail client for `region` (a client built elsewhere:
    /// in tests, one that answers LookupEvents, which no emulator serves).
    pub fn with_cloudtrail(self, region: &str, client: aws_sdk_cloudtrail::Client) -> Self {
        self.cloudtrail_by_region
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(region.to_string(), client);
        self
    }

    /// The account the credentials act in: what every bucket, key, role,
    /// watch and action of this session belongs to. Asked of STS once; a
    /// failure is not kept, so the next call asks again.
    pub async fn account_id(&self) -> Result<String, AwsError> {
        self.account
            .get_or_try_init(|| async { self.identity().await.map(|i| i.account) })
            .await
            .cloned()
    }

    pub async fn identity(&self) -> Result<Identity, AwsError> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| error::aws_error(&e))?;
        Ok(Identity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }
}

/// A client from a per-region cache, made (with its --read-only guard) on
/// first use. SDK clients are `Arc`s: the clone is cheap.
fn per_region<C: Clone>(
    cache: &Mutex<HashMap<String, C>>,
    region: &str,
    make: impl FnOnce() -> C,
) -> C {
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(region.to_string())
        .or_insert_with(make)
        .clone()
}

/// Configuration for a local emulator that warroom (or a test) owns: fixed,
/// fake credentials, so the user's real ones are never sent to it.
pub async fn emulator_sdk_config(
    endpoint: &str,
    region: &str,
    key: &str,
    secret: &str,
) -> SdkConfig {
    static_key_sdk_config(Some(endpoint), region, key, secret).await
}

/// During an incident the account may be busy (an attacker's script, other
/// responders' tools): retry throttling more patiently than the SDK's
/// default 3 attempts. (Adaptive mode's client-side limiter was measured
/// too slow here: it cut a throttled scan to a crawl.) The user's own
/// setting wins. Every client warroom builds goes through this.
fn patient_retries(loader: aws_config::ConfigLoader) -> aws_config::ConfigLoader {
    let configured = ["AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    if configured {
        loader
    } else {
        loader.retry_config(
            aws_config::retry::RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS),
        )
    }
}

/// An SDK configuration signed with one access key (e.g. the Game Day's
/// leaked key), against AWS or an endpoint.
pub async fn static_key_sdk_config(
    endpoint: Option<&str>,
    region: &str,
    key: &str,
    secret: &str,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            key,
            secret,
            None,
            None,
            "warroom-static-key",
        ))
        .region(Region::new(region.to_string()));
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    patient_retries(loader).load().await
}

/// An S3 client that signs nothing: requests as anyone on the internet
/// makes them (the Game Day's anonymous readers in a sandbox account).
pub async fn anonymous_s3(endpoint: Option<&str>, region: &str) -> aws_sdk_s3::Client {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .no_credentials()
        .region(Region::new(region.to_string()));
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let sdk = loader.load().await;
    let conf = aws_sdk_s3::config::Builder::from(&sdk)
        .force_path_style(endpoint.is_some())
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn s3_client(
    sdk: &SdkConfig,
    region: &str,
    path_style: bool,
    read_only: bool,
    expiry: &guard::ExpiryWatch,
) -> aws_sdk_s3::Client {
    let conf = guarded!(
        aws_sdk_s3::config::Builder::from(sdk)
            .region(Region::new(region.to_string()))
            // Virtual-host addressing ("bucket.localhost") breaks against
            // emulators and most proxies: use path style whenever an
            // endpoint is set.
            .force_path_style(path_style),
        read_only,
        expiry
    );
    aws_sdk_s3::Client::from_conf(conf.build())
}

#[derive(Debug)]
struct FixedEndpoint(String);

impl ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(&'a self, _params: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}
