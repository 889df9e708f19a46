//! Block Public Access between the model and the two SDK shapes that carry
//! it (S3's, for a bucket; S3 Control's, for the account and for access
//! points), both ways. One place, so the four settings never drift.

use crate::model::facts::PublicAccessBlock;
use aws_sdk_s3::types::PublicAccessBlockConfiguration as S3Pab;
use aws_sdk_s3control::types::PublicAccessBlockConfiguration as ControlPab;

/// A bucket's configuration as S3 reports it (a missing setting is off).
pub fn from_s3(p: &S3Pab) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: p.block_public_acls().unwrap_or(false),
        ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
        block_public_policy: p.block_public_policy().unwrap_or(false),
        restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
    }
}

/// A bucket's configuration as S3 writes it.
pub fn to_s3(p: &PublicAccessBlock) -> S3Pab {
    S3Pab::builder()
        .block_public_acls(p.block_public_acls)
        .ignore_public_acls(p.ignore_public_acls)
        .block_public_policy(p.block_public_policy)
        .restrict_public_buckets(p.restrict_public_buckets)
        .build()
}

/// The account's or an access point's configuration as S3 Control reports
/// it (a missing setting is off).
pub fn from_control(p: &ControlPab) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: p.block_public_acls().unwrap_or(false),
        ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
        block_public_policy: p.block_public_policy().unwrap_or(false),
        restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
    }
}

/// The account's, or an access point's at creation, as S3 Control writes it.
pub fn to_control(p: &PublicAccessBlock) -> ControlPab {
    ControlPab::builder()
        .block_public_acls(p.block_public_acls)
        .ignore_public_acls(p.ignore_public_acls)
        .block_public_policy(p.block_public_policy)
        .restrict_public_buckets(p.restrict_public_buckets)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_round_trips_through_both_shapes() {
        for bits in 0..16u8 {
            let p = PublicAccessBlock {
                block_public_acls: bits & 1 != 0,
                ignore_public_acls: bits & 2 != 0,
                block_public_policy: bits & 4 != 0,
                restrict_public_buckets: bits & 8 != 0,
            };
            assert_eq!(from_s3(&to_s3(&p)), p);
            assert_eq!(from_control(&to_control(&p)), p);
        }
    }
}
