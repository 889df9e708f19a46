//! Reading Object Lambda access points (S3 Control): each sits in front of
//! one standard access point and hands every object it serves to Lambda
//! functions of its own.
//!
//! Which bucket one reaches is known only from its configuration (the
//! supporting access point), so the account's points in a region are
//! listed and described once per scan ([`super::access_points::AccountLists`])
//! and each bucket takes those in front of its own access points.

use std::sync::Arc;

use super::error::aws_error;
use super::{AwsError, Clients};
use crate::model::facts::{AccessPoint, Fact, ObjectLambdaAccessPoint};

/// Points described at once (two reads each).
const DESCRIBE_IN_FLIGHT: usize = 8;

/// Every Object Lambda access point of the account in `region`, each with
/// its configuration and policy. A configuration that cannot be read fails
/// the whole list: without it, which bucket the point reaches is unknown.
pub async fn list_region(
    c: &Clients,
    account: &str,
    region: &str,
) -> Result<Vec<ObjectLambdaAccessPoint>, AwsError> {
    use futures::StreamExt;
    let control = c.s3control_in(region);
    let listed = super::paging::every_page(
        |token| {
            let control = &control;
            async move {
                control
                    .list_access_points_for_object_lambda()
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
                page.object_lambda_access_point_list()
                    .iter()
                    .map(|p| {
                        (
                    p.name().to_string(),
                    p.object_lambda_access_point_arn()
                        .map(str::to_string)
                        .unwrap_or_else(|| {
                            format!(
                                "arn:aws:s3-object-lambda:{region}:{account}:accesspoint/{}",
                                p.name()
                            )
                        }),
                    p.alias().and_then(|a| a.value()).map(str::to_string),
                )
                    })
                    .collect::<Vec<_>>(),
                page.next_token().map(str::to_string),
            )
        },
    )
    .await?;
    let described =
        futures::stream::iter(listed)
            .map(|(name, arn, alias)| async move {
                describe(c, account, region, name, arn, alias).await
            })
            .buffered(DESCRIBE_IN_FLIGHT)
            .collect::<Vec<_>>()
            .await;
    described.into_iter().collect()
}

async fn describe(
    c: &Clients,
    account: &str,
    region: &str,
    name: String,
    arn: String,
    alias: Option<String>,
) -> Result<ObjectLambdaAccessPoint, AwsError> {
    let control = c.s3control_in(region);
    let (conf, policy) = tokio::join!(
        control
            .get_access_point_configuration_for_object_lambda()
            .account_id(account)
            .name(&name)
            .send(),
        control
            .get_access_point_policy_for_object_lambda()
            .account_id(account)
            .name(&name)
            .send(),
    );
    let conf = conf.map_err(|e| {
        let mut err = aws_error(&e);
        err.message = format!(
            "the configuration of Object Lambda access point {name} (which access point it reads through): {}",
            err.message
        );
        err
    })?;
    let conf = conf.configuration();
    let policy = match policy {
        Ok(o) => Ok(o.policy().map(str::to_string)),
        Err(e) => {
            let err = aws_error(&e);
            if err.code == "NoSuchAccessPointPolicy" {
                Ok(None)
            } else {
                Err(err)
            }
        }
    };
    use aws_sdk_s3control::types::ObjectLambdaContentTransformation as T;
    Ok(ObjectLambdaAccessPoint {
        name,
        arn,
        alias,
        supporting_access_point: conf
            .map(|c| access_point_name(c.supporting_access_point()).to_string())
            .unwrap_or_default(),
        functions: conf
            .map(|c| {
                c.transformation_configurations()
                    .iter()
                    .filter_map(|t| match t.content_transformation() {
                        Some(T::AwsLambda(l)) => Some(l.function_arn().to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        policy: policy.into(),
    })
}

/// `arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME` → `NAME` (a bare name is
/// kept as it is).
fn access_point_name(arn: &str) -> &str {
    arn.rsplit_once(":accesspoint/").map_or(arn, |(_, n)| n)
}

/// The points of the region's list that read through one of `aps` (this
/// bucket's access points, by name: both are this account's, in this
/// region).
pub fn of_bucket(
    listed: &Result<Arc<Vec<ObjectLambdaAccessPoint>>, AwsError>,
    aps: &Fact<Vec<AccessPoint>>,
) -> Fact<Vec<ObjectLambdaAccessPoint>> {
    let listed = match listed {
        Ok(l) => l,
        Err(e) => return Fact::Unknown(e.clone()),
    };
    let aps = match aps {
        Fact::Known(aps) => aps,
        // Without the bucket's access points, which points reach it is
        // unknown; with none listed in the region, none can.
        Fact::Unknown(e) if !listed.is_empty() => return Fact::Unknown(e.clone()),
        Fact::Unknown(_) => return Fact::Known(Vec::new()),
    };
    Fact::Known(
        listed
            .iter()
            .filter(|o| aps.iter().any(|ap| ap.name == o.supporting_access_point))
            .cloned()
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_supporting_access_point_is_named_by_its_arn_or_its_name() {
        assert_eq!(
            super::access_point_name("arn:aws:s3:eu-west-1:111122223333:accesspoint/reports"),
            "reports"
        );
        assert_eq!(super::access_point_name("reports"), "reports");
    }
}
