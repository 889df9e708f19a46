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
use crate::model::facts::{AccessPoint, Fact, NetworkOrigin};

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
        let cell = self
            .by_region
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(region.to_string())
            .or_default()
            .clone();
        cell.get_or_init(|| async { list_region(c, account, region).await.map(Arc::new) })
            .await
            .clone()
    }
}

/// Every access point of the account in `region`, following `NextToken`.
pub async fn list_region(
    c: &Clients,
    account: &str,
    region: &str,
) -> Result<Vec<Listed>, AwsError> {
    let control = c.s3control_in(region);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = control
            .list_access_points()
            .account_id(account)
            .max_results(1000)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        out.extend(page.access_point_list().iter().map(|ap| Listed {
            name: ap.name().to_string(),
            bucket: ap.bucket().to_string(),
            alias: ap.alias().map(str::to_string),
        }));
        match page.next_token() {
            Some(t) if !t.is_empty() && Some(t) != token.as_deref() => token = Some(t.to_string()),
            _ => break,
        }
    }
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
    let mine: Vec<&Listed> = listed.iter().filter(|l| l.bucket == bucket).collect();
    let mut out = Vec::with_capacity(mine.len());
    for l in mine {
        out.push(describe(c, &account, region, l).await);
    }
    Fact::Known(out)
}

async fn describe(c: &Clients, account: &str, region: &str, l: &Listed) -> AccessPoint {
    let control = c.s3control_in(region);
    let (got, policy) = tokio::join!(
        control
            .get_access_point()
            .account_id(account)
            .name(&l.name)
            .send(),
        async {
            let r = control
                .get_access_point_policy()
                .account_id(account)
                .name(&l.name)
                .send()
                .await;
            match r {
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
    );
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
                    .map(super::exposure::pab_control),
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
    }
}
