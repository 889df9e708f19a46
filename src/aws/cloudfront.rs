//! Reading the CloudFront distributions that serve a bucket.
//!
//! `ListDistributions` is asked once per account for a whole scan (its
//! summaries carry every origin and behaviour, so no per-distribution call
//! is needed); each bucket then picks the distributions with an origin on
//! it. A distribution serves the bucket's objects to its viewers: whether
//! it can is the bucket policy's say (OAC, OAI), whether anyone can is the
//! behaviour's (signed URLs or cookies), and the verdict weighs both.

use std::sync::Arc;

use tokio::sync::OnceCell;

use super::error::aws_error;
use super::{AwsError, Clients};
use crate::model::facts::{Behaviour, Distribution, Fact, OriginAccess};

/// One distribution as listed, with the origins it has (domain, access).
#[derive(Debug, Clone)]
pub struct Listed {
    pub distribution: Distribution,
    /// (origin id, domain name, access) for each origin.
    pub origins: Vec<(String, String, OriginAccess)>,
    /// (path, target origin id, signed) for each behaviour, default first.
    pub behaviours: Vec<(String, String, bool)>,
}

pub type Listing = Arc<OnceCell<Result<Arc<Vec<Listed>>, AwsError>>>;

/// Every distribution of the account, following `NextMarker`.
pub async fn list(c: &Clients) -> Result<Vec<Listed>, AwsError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = c
            .cloudfront
            .list_distributions()
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        let Some(list) = page.distribution_list() else {
            break;
        };
        out.extend(list.items().iter().map(listed));
        match list.next_marker() {
            Some(m) if list.is_truncated() && !m.is_empty() && Some(m) != marker.as_deref() => {
                marker = Some(m.to_string())
            }
            _ => break,
        }
    }
    Ok(out)
}

fn listed(d: &aws_sdk_cloudfront::types::DistributionSummary) -> Listed {
    let origins = d
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|o| {
            let s3 = o.s3_origin_config();
            let oai = s3
                .map(|s| s.origin_access_identity())
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.rsplit('/').next().unwrap_or(v).to_string());
            let access = match (o.origin_access_control_id().filter(|v| !v.is_empty()), oai) {
                (Some(id), _) => OriginAccess::Oac { id: id.to_string() },
                (None, Some(id)) => OriginAccess::Oai { id },
                (None, None) => OriginAccess::Anonymous,
            };
            (o.id().to_string(), o.domain_name().to_string(), access)
        })
        .collect();
    let signed = |signers: Option<bool>, groups: Option<bool>| {
        signers.unwrap_or(false) || groups.unwrap_or(false)
    };
    let mut behaviours = Vec::new();
    if let Some(b) = d.default_cache_behavior() {
        behaviours.push((
            "*".to_string(),
            b.target_origin_id().to_string(),
            signed(
                b.trusted_signers().map(|t| t.enabled()),
                b.trusted_key_groups().map(|t| t.enabled()),
            ),
        ));
    }
    for b in d.cache_behaviors().map(|c| c.items()).unwrap_or_default() {
        behaviours.push((
            b.path_pattern().to_string(),
            b.target_origin_id().to_string(),
            signed(
                b.trusted_signers().map(|t| t.enabled()),
                b.trusted_key_groups().map(|t| t.enabled()),
            ),
        ));
    }
    Listed {
        distribution: Distribution {
            id: d.id().to_string(),
            arn: d.arn().to_string(),
            domain: d.domain_name().to_string(),
            aliases: d.aliases().map(|a| a.items().to_vec()).unwrap_or_default(),
            enabled: d.enabled(),
            web_acl: Some(d.web_acl_id().to_string()).filter(|w| !w.trim().is_empty()),
            origin_access: OriginAccess::Anonymous,
            behaviours: Vec::new(),
        },
        origins,
        behaviours,
    }
}

/// Is `domain` one of the S3 endpoints of `bucket`? REST endpoints
/// (`b.s3.amazonaws.com`, `b.s3.REGION.amazonaws.com`, `b.s3-REGION…`,
/// dual-stack) and website endpoints (`b.s3-website-REGION…`,
/// `b.s3-website.REGION…`), in any case, with or without a trailing dot.
pub fn serves_bucket(domain: &str, bucket: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let Some(rest) = d.strip_prefix(&format!("{}.s3", bucket.to_ascii_lowercase())) else {
        return false;
    };
    (rest.starts_with('.') || rest.starts_with('-'))
        && (rest.ends_with(".amazonaws.com") || rest.ends_with(".amazonaws.com.cn"))
}

/// The distributions with an origin on `bucket`, one entry per origin that
/// serves it, with the behaviours routed to that origin.
pub async fn of_bucket(c: &Clients, listing: &Listing, bucket: &str) -> Fact<Vec<Distribution>> {
    let all = listing
        .get_or_init(|| async { list(c).await.map(Arc::new) })
        .await
        .clone();
    match all {
        Ok(all) => Fact::Known(for_bucket(&all, bucket)),
        Err(e) => Fact::Unknown(e),
    }
}

pub fn for_bucket(all: &[Listed], bucket: &str) -> Vec<Distribution> {
    let mut out = Vec::new();
    for l in all {
        for (origin_id, domain, access) in &l.origins {
            if !serves_bucket(domain, bucket) {
                continue;
            }
            let mut d = l.distribution.clone();
            d.origin_access = access.clone();
            d.behaviours = l
                .behaviours
                .iter()
                .filter(|(_, target, _)| target == origin_id)
                .map(|(path, _, signed)| Behaviour {
                    path: path.clone(),
                    signed: *signed,
                })
                .collect();
            out.push(d);
        }
    }
    out
}

/// A distribution's configuration and its ETag (for the update).
pub async fn config(
    c: &Clients,
    id: &str,
) -> Result<(aws_sdk_cloudfront::types::DistributionConfig, String), AwsError> {
    let out = c
        .cloudfront
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let etag = out.e_tag().unwrap_or_default().to_string();
    let conf = out.distribution_config().cloned().ok_or_else(|| {
        AwsError::new(
            "BadResponse",
            "GetDistributionConfig answered no configuration",
        )
    })?;
    Ok((conf, etag))
}

/// Enable or disable a distribution, the rest of its configuration as it is.
pub async fn set_enabled(c: &Clients, id: &str, enabled: bool) -> Result<(), AwsError> {
    let (mut conf, etag) = config(c, id).await?;
    conf.enabled = enabled;
    c.cloudfront
        .update_distribution()
        .id(id)
        .if_match(etag)
        .distribution_config(conf)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::serves_bucket;

    #[test]
    fn every_s3_endpoint_form_of_the_bucket_is_recognised() {
        for d in [
            "acme.s3.amazonaws.com",
            "acme.s3.us-west-2.amazonaws.com",
            "ACME.s3-us-west-2.amazonaws.com.",
            "acme.s3.dualstack.eu-west-1.amazonaws.com",
            "acme.s3-website-us-east-1.amazonaws.com",
            "acme.s3-website.eu-central-1.amazonaws.com",
            "acme.s3.cn-north-1.amazonaws.com.cn",
        ] {
            assert!(serves_bucket(d, "acme"), "{d}");
        }
        for d in [
            "acme-other.s3.amazonaws.com",
            "xacme.s3.amazonaws.com",
            "acme.s3.amazonaws.com.evil.example",
            "acme.example.com",
            "d111111abcdef8.cloudfront.net",
        ] {
            assert!(!serves_bucket(d, "acme"), "{d}");
        }
        assert!(serves_bucket(
            "my.dotted.bucket.s3.amazonaws.com",
            "my.dotted.bucket"
        ));
    }
}
