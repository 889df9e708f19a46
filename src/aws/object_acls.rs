//! Reading objects' own ACLs, within a bound the verdict states.
//!
//! With ACLs enabled (Object Ownership not BucketOwnerEnforced) any one
//! object can carry `public-read` whatever the bucket's ACL says, and S3
//! serves it to anyone unless IgnorePublicAcls is on. Reading every
//! object's ACL is one request per object, which a scan of a large account
//! cannot afford; so the scan reads:
//!
//! - the keys it is told to watch first (the CloudTrail tail saw an ACL
//!   granting everyone on them), then
//! - an even sample of the first listing page (up to [`SAMPLE`] keys).
//!
//! It says how many it read and whether that was every object; the verdict
//! says "objects not all checked" otherwise, never plain private.

use futures::{StreamExt, stream};

use super::containment::{list_page, object_acl};
use crate::model::facts::{Fact, Grantee, ObjectAcls, ObjectGrant};

/// Object ACLs read per bucket beyond the watched keys.
pub const SAMPLE: usize = 25;
/// Watched keys read per bucket at most (the tail can name many).
pub const WATCH_MAX: usize = 200;
/// ACL reads in flight per bucket.
const IN_FLIGHT: usize = 8;

pub async fn read(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    ownership: &Fact<Option<String>>,
    watch: &[String],
) -> Fact<ObjectAcls> {
    if matches!(ownership, Fact::Known(Some(o)) if o == "BucketOwnerEnforced") {
        return Fact::Known(ObjectAcls {
            skipped: Some("ACLs are disabled (BucketOwnerEnforced)".into()),
            all_checked: true,
            ..Default::default()
        });
    }
    let (listed, more) = match list_page(s3, bucket, None, None).await {
        Ok(page) => page,
        Err(e) => return Fact::Unknown(e),
    };
    let mut keys: Vec<String> = Vec::new();
    for k in watch.iter().take(WATCH_MAX) {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let sampled = sample(&listed, SAMPLE);
    let whole_page = sampled.len() == listed.len();
    for k in sampled {
        if !keys.iter().any(|w| w == k) {
            keys.push(k.clone());
        }
    }
    let results: Vec<_> = stream::iter(keys)
        .map(|key| async move {
            let acl = object_acl(s3, bucket, &key).await;
            (key, acl)
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let mut out = ObjectAcls {
        all_checked: !more && whole_page,
        ..Default::default()
    };
    for (key, acl) in results {
        match acl {
            Ok(acl) => {
                out.checked += 1;
                for grant in acl.grants {
                    let own = matches!(&grant.grantee, Grantee::CanonicalUser { id, .. }
                        if acl.owner_id.as_deref() == Some(id.as_str()));
                    if !own && grant.grantee != Grantee::LogDelivery {
                        out.grants.push(ObjectGrant {
                            key: key.clone(),
                            grant,
                        });
                    }
                }
            }
            // A watched key deleted since the tail saw it is not a failure.
            Err(e) if e.code == "NoSuchKey" => {}
            Err(e) => {
                out.failed += 1;
                out.all_checked = false;
                out.first_error.get_or_insert(e);
            }
        }
    }
    Fact::Known(out)
}

/// Up to `n` keys spread evenly over `keys` (all of them when they fit):
/// the first page is sorted by name, so even spacing reaches every prefix.
fn sample(keys: &[String], n: usize) -> Vec<&String> {
    if keys.len() <= n {
        return keys.iter().collect();
    }
    (0..n).map(|i| &keys[i * keys.len() / n]).collect()
}

#[cfg(test)]
mod tests {
    use super::sample;

    #[test]
    fn the_sample_spreads_over_the_page_and_takes_all_that_fit() {
        let keys: Vec<String> = (0..1000).map(|i| format!("k{i:04}")).collect();
        let s = sample(&keys, 25);
        assert_eq!(s.len(), 25);
        assert_eq!(s[0], "k0000");
        assert_eq!(s[24], "k0960");
        assert_eq!(sample(&keys[..10], 25).len(), 10);
    }
}
