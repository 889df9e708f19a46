//! Reading a bucket's access points (S3 Control): each is a way in with
//! its own policy, network origin and Block Public Access.
//!
//! `ListAccessPoints` is asked once per account and region for a whole
//! scan ([`AccountLists`]), not once per bucket; the details of the
//! bucket's own access points are then read for that bucket, each read
//! failing on its own (`unknown (AccessDenied)`, never a guess).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::error::aws_error;
use super::{AwsError, Clients};
use serde::{Deserialize, Serialize};

use crate::model::facts::{
    AccessPoint, Fact, NetworkOrigin, ObjectLambdaAccessPoint, PublicAccessBlock,
};

/// One row of `ListAccessPoints`.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub bucket: String,
    pub alias: Option<String>,
}

type List = Arc<OnceCell<Result<Arc<Vec<Listed>>, AwsError>>>;

/// What a scan lists once per account, on first need, and shares with
/// every bucket: the access points per region, and the CloudFront
/// distributions (global).
#[derive(Debug, Clone, Default)]
pub struct AccountLists {
    by_region: Arc<Mutex<HashMap<String, List>>>,
    pub(super) distributions: super::cloudfront::Listing,
    /// The account id (S3 Control wants it on every call), asked once.
    account: Arc<OnceCell<Result<String, AwsError>>>,
    /// The account's Multi-Region Access Points (global), listed once.
    multi_region: Arc<OnceCell<Result<Arc<Vec<MultiRegionListed>>, AwsError>>>,
    /// The Object Lambda access points per region, described.
    object_lambda: Arc<Mutex<HashMap<String, ObjectLambdaList>>>,
}

type ObjectLambdaList = Arc<OnceCell<Result<Arc<Vec<ObjectLambdaAccessPoint>>, AwsError>>>;

/// One row of `ListMultiRegionAccessPoints`: the report carries its Block
/// Public Access and its buckets, so only the policy is asked per point.
#[derive(Debug, Clone)]
pub struct MultiRegionListed {
    pub name: String,
    pub alias: Option<String>,
    pub public_access_block: Option<crate::model::facts::PublicAccessBlock>,
    /// (bucket, the bucket's account when the report names one).
    pub buckets: Vec<(String, Option<String>)>,
}

/// Access points of one bucket described at once (three reads each).
const DESCRIBE_IN_FLIGHT: usize = 8;

/// Multi-Region Access Point requests to the control plane are served in
/// US West (Oregon) only (S3 User Guide, "Multi-Region Access Points").
const MRAP_CONTROL_REGION: &str = "us-west-2";

/// A region's once-only cell of a per-region list (made on first ask), so
/// concurrent buckets of one region share one listing.
fn region_cell<T>(
    map: &Mutex<HashMap<String, Arc<OnceCell<T>>>>,
    region: &str,
) -> Arc<OnceCell<T>> {
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(region.to_string())
        .or_default()
        .clone()
}

impl AccountLists {
    async fn account(&self, c: &Clients) -> Result<String, AwsError> {
        self.account
            .get_or_init(|| async { c.identity().await.map(|i| i.account) })
            .await
            .clone()
    }

    async fn list(
        &self,
        c: &Clients,
        account: &str,
        region: &str,
    ) -> Result<Arc<Vec<Listed>>, AwsError> {
        region_cell(&self.by_region, region)
            .get_or_init(|| async { list_region(c, account, region).await.map(Arc::new) })
            .await
            .clone()
    }
}

/// The Object Lambda access points in front of `aps`, this bucket's own
/// access points in `region`.
pub async fn object_lambda_of_bucket(
    c: &Clients,
    lists: &AccountLists,
    region: &str,
    aps: &Fact<Vec<AccessPoint>>,
) -> Fact<Vec<ObjectLambdaAccessPoint>> {
    let account = match lists.account(c).await {
        Ok(a) => a,
        Err(e) => return Fact::Unknown(e),
    };
    let cell = region_cell(&lists.object_lambda, region);
    let listed = cell
        .get_or_init(|| async {
            super::object_lambda::list_region(c, &account, region)
                .await
                .map(Arc::new)
        })
        .await;
    super::object_lambda::of_bucket(listed, aps)
}

/// Every Multi-Region Access Point of the account, following `NextToken`.
pub async fn list_multi_region(
    c: &Clients,
    account: &str,
) -> Result<Vec<MultiRegionListed>, AwsError> {
    let control = c.s3control_in(MRAP_CONTROL_REGION);
    let out = super::paging::every_page(
        |token| {
            let control = &control;
            async move {
                control
                    .list_multi_region_access_points()
                    .account_id(account)
                    .max_results(100)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| aws_error(&e))
            }
        },
        |page| {
            (
                page.access_points()
                    .iter()
                    .map(|m| MultiRegionListed {
                        name: m.name().unwrap_or_default().to_string(),
                        alias: m.alias().map(str::to_string),
                        public_access_block: m.public_access_block().map(super::pab::from_control),
                        buckets: m
                            .regions()
                            .iter()
                            .filter_map(|r| {
                                r.bucket().map(|b| {
                                    (b.to_string(), r.bucket_account_id().map(str::to_string))
                                })
                            })
                            .collect(),
                    })
                    .collect::<Vec<_>>(),
                page.next_token().map(str::to_string),
            )
        },
    )
    .await?;
    Ok(out)
}

/// The Multi-Region Access Points that reach `bucket` (one of its regions
/// is this account's bucket of that name), with their policies.
pub async fn multi_region_of_bucket(
    c: &Clients,
    lists: &AccountLists,
    bucket: &str,
) -> Fact<Vec<AccessPoint>> {
    let account = match lists.account(c).await {
        Ok(a) => a,
        Err(e) => return Fact::Unknown(e),
    };
    let listed = lists
        .multi_region
        .get_or_init(|| async { list_multi_region(c, &account).await.map(Arc::new) })
        .await
        .clone();
    let listed = match listed {
        Ok(l) => l,
        Err(e) => return Fact::Unknown(e),
    };
    let mine = listed.iter().filter(|m| {
        m.buckets
            .iter()
            .any(|(b, owner)| b == bucket && owner.as_deref().is_none_or(|o| o == account))
    });
    let control = c.s3control_in(MRAP_CONTROL_REGION);
    let mut out = Vec::new();
    for m in mine {
        let policy = match control
            .get_multi_region_access_point_policy()
            .account_id(&account)
            .name(&m.name)
            .send()
            .await
        {
            // The policy in effect; a proposed one is not yet enforced.
            Ok(o) => Ok(o
                .policy()
                .and_then(|d| d.established())
                .and_then(|e| e.policy())
                .filter(|p| !p.trim().is_empty())
                .map(str::to_string)),
            Err(e) => {
                let err = aws_error(&e);
                if err.code == "NoSuchMultiRegionAccessPointPolicy" {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        };
        out.push(AccessPoint {
            name: m.name.clone(),
            account: account.clone(),
            region: String::new(),
            alias: m.alias.clone(),
            network_origin: Fact::Known(NetworkOrigin::Internet),
            public_access_block: Fact::Known(m.public_access_block),
            policy: policy.into(),
            multi_region: true,
            s3_says_public: None,
        });
    }
    Fact::Known(out)
}

/// Every access point of the account in `region`, following `NextToken`.
pub async fn list_region(
    c: &Clients,
    account: &str,
    region: &str,
) -> Result<Vec<Listed>, AwsError> {
    let control = c.s3control_in(region);
    let out = super::paging::every_page(
        |token| {
            let control = &control;
            async move {
                control
                    .list_access_points()
                    .account_id(account)
                    .max_results(1000)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| aws_error(&e))
            }
        },
        |page| {
            (
                page.access_point_list()
                    .iter()
                    .map(|ap| Listed {
                        name: ap.name().to_string(),
                        bucket: ap.bucket().to_string(),
                        alias: ap.alias().map(str::to_string),
                    })
                    .collect::<Vec<_>>(),
                page.next_token().map(str::to_string),
            )
        },
    )
    .await?;
    Ok(out)
}

/// The access points on `bucket`, with their details.
pub async fn of_bucket(
    c: &Clients,
    lists: &AccountLists,
    bucket: &str,
    region: &str,
) -> Fact<Vec<AccessPoint>> {
    let account = match lists.account(c).await {
        Ok(a) => a,
        Err(e) => return Fact::Unknown(e),
    };
    let listed = match lists.list(c, &account, region).await {
        Ok(l) => l,
        Err(e) => return Fact::Unknown(e),
    };
    // A bucket may have many access points (an account may hold 10,000
    // per region): describe a few at once, keeping the listing's order.
    use futures::StreamExt;
    let account = account.as_str();
    let mine: Vec<Listed> = listed
        .iter()
        .filter(|l| l.bucket == bucket)
        .cloned()
        .collect();
    let out = futures::stream::iter(mine)
        .map(|l| async move { describe(c, account, region, &l).await })
        .buffered(DESCRIBE_IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    Fact::Known(out)
}

/// An access point's policy; `None` when it has none.
pub async fn policy_of(
    c: &Clients,
    account: &str,
    region: &str,
    name: &str,
) -> Result<Option<String>, AwsError> {
    match c
        .s3control_in(region)
        .get_access_point_policy()
        .account_id(account)
        .name(name)
        .send()
        .await
    {
        Ok(o) => Ok(o.policy().map(str::to_string)),
        Err(e) => {
            let err = aws_error(&e);
            if err.code == "NoSuchAccessPointPolicy" {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

async fn describe(c: &Clients, account: &str, region: &str, l: &Listed) -> AccessPoint {
    let control = c.s3control_in(region);
    let (got, policy, status) = tokio::join!(
        control
            .get_access_point()
            .account_id(account)
            .name(&l.name)
            .send(),
        policy_of(c, account, region, &l.name),
        control
            .get_access_point_policy_status()
            .account_id(account)
            .name(&l.name)
            .send(),
    );
    let s3_says_public = status
        .ok()
        .and_then(|s| s.policy_status().map(|p| p.is_public()));
    let (network_origin, public_access_block) = match got {
        Ok(o) => (
            Fact::Known(match o.network_origin().map(|n| n.as_str()) {
                Some(n) if n.eq_ignore_ascii_case("vpc") => NetworkOrigin::Vpc {
                    vpc_id: o.vpc_configuration().map(|v| v.vpc_id().to_string()),
                },
                _ => NetworkOrigin::Internet,
            }),
            Fact::Known(
                o.public_access_block_configuration()
                    .map(super::pab::from_control),
            ),
        ),
        Err(e) => {
            let err = aws_error(&e);
            (Fact::Unknown(err.clone()), Fact::Unknown(err))
        }
    };
    AccessPoint {
        name: l.name.clone(),
        account: account.to_string(),
        region: region.to_string(),
        alias: l.alias.clone(),
        network_origin,
        public_access_block,
        policy: policy.into(),
        multi_region: false,
        s3_says_public,
    }
}

/// An access point's configuration: what `CreateAccessPoint` needs to
/// make it again, plus its policy (the delete action's prior state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configured {
    pub bucket: String,
    /// `None`: reachable from the Internet; `Some(id)`: from that VPC only.
    pub vpc_id: Option<String>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub policy: Option<String>,
    /// Not part of the comparison: AWS gives a new one on re-creation.
    pub alias: Option<String>,
}

/// The access point as S3 Control reports it now; `None` when there is none.
pub async fn configured(
    c: &Clients,
    account: &str,
    region: &str,
    name: &str,
) -> Result<Option<Configured>, AwsError> {
    let control = c.s3control_in(region);
    let ap = match control
        .get_access_point()
        .account_id(account)
        .name(name)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) => {
            let err = aws_error(&e);
            return if err.code == "NoSuchAccessPoint" {
                Ok(None)
            } else {
                Err(err)
            };
        }
    };
    let policy = policy_of(c, account, region, name).await?;
    let vpc = ap
        .network_origin()
        .is_some_and(|n| n.as_str().eq_ignore_ascii_case("vpc"));
    Ok(Some(Configured {
        bucket: ap.bucket().unwrap_or_default().to_string(),
        vpc_id: if vpc {
            // A VPC access point whose id S3 did not report: keep the
            // origin known (an empty id) so undo refuses rather than
            // re-creating it open to the Internet.
            Some(
                ap.vpc_configuration()
                    .map(|v| v.vpc_id().to_string())
                    .unwrap_or_default(),
            )
        } else {
            None
        },
        public_access_block: ap
            .public_access_block_configuration()
            .map(super::pab::from_control),
        policy,
        alias: ap.alias().map(str::to_string),
    }))
}

/// Make an access point from a recorded configuration, and put its
/// policy back.
pub async fn create(
    c: &Clients,
    account: &str,
    region: &str,
    name: &str,
    rec: &Configured,
) -> Result<(), AwsError> {
    let control = c.s3control_in(region);
    let pab = rec.public_access_block.as_ref().map(super::pab::to_control);
    let vpc = match rec.vpc_id.as_deref() {
        Some(v) => Some(
            aws_sdk_s3control::types::VpcConfiguration::builder()
                .vpc_id(v)
                .build()
                .map_err(|e| AwsError::new("BadRequest", e.to_string()))?,
        ),
        None => None,
    };
    control
        .create_access_point()
        .account_id(account)
        .name(name)
        .bucket(&rec.bucket)
        .set_vpc_configuration(vpc)
        .set_public_access_block_configuration(pab)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    match &rec.policy {
        Some(doc) => set_policy(c, account, region, name, Some(doc)).await,
        None => Ok(()),
    }
}

/// Delete an access point.
pub async fn delete(c: &Clients, account: &str, region: &str, name: &str) -> Result<(), AwsError> {
    c.s3control_in(region)
        .delete_access_point()
        .account_id(account)
        .name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

/// Put (`Some`) or delete (`None`) an access point's policy.
pub async fn set_policy(
    c: &Clients,
    account: &str,
    region: &str,
    name: &str,
    policy: Option<&str>,
) -> Result<(), AwsError> {
    let control = c.s3control_in(region);
    match policy {
        Some(doc) => control
            .put_access_point_policy()
            .account_id(account)
            .name(name)
            .policy(doc)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_error(&e)),
        None => control
            .delete_access_point_policy()
            .account_id(account)
            .name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_error(&e)),
    }
}

/// The bucket an access point is on and its alias (as GetAccessPoint
/// answers).
pub async fn bucket_of_point(
    c: &Clients,
    account: &str,
    region: &str,
    name: &str,
) -> Result<(Option<String>, Option<String>), AwsError> {
    c.s3control_in(region)
        .get_access_point()
        .account_id(account)
        .name(name)
        .send()
        .await
        .map(|o| {
            (
                o.bucket().map(str::to_string),
                o.alias().map(str::to_string),
            )
        })
        .map_err(|e| aws_error(&e))
}
