//! The IAM permissions each action needs: read to capture the prior state,
//! write to apply and undo. The same lists are in
//! `assets/iam/warroom-responder.json` (a unit test keeps them in step), so
//! an AccessDenied can name what is missing instead of leaving the
//! responder to guess on the worst day.

use crate::aws::AwsError;

/// The responder policy warroom ships.
pub const RESPONDER_POLICY: &str = include_str!("../../assets/iam/warroom-responder.json");
/// The investigation-only policy warroom ships.
pub const READONLY_POLICY: &str = include_str!("../../assets/iam/warroom-readonly.json");

const RESTORE: &[&str] = &[
    "s3:ListBucketVersions",
    "s3:GetBucketVersioning",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:GetObjectVersionTagging",
    "s3:PutObjectTagging",
    "s3:AbortMultipartUpload",
];

/// What action `name` (as `warroom act` names it) needs.
pub fn needed(name: &str) -> &'static [&'static str] {
    match name {
        // Keeps what the tail read (LookupEvents and the trail's files):
        // nothing is written to AWS.
        "preserve-events" => &["cloudtrail:LookupEvents", "cloudtrail:DescribeTrails"],
        "block-public-access" => &[
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
        ],
        "block-public-access-account" => &[
            "s3:GetAccountPublicAccessBlock",
            "s3:PutAccountPublicAccessBlock",
        ],
        "remove-policy-statements" | "lock-control-plane" => &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ],
        "quarantine" => &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "sts:GetCallerIdentity",
        ],
        "delete-access-point" => &[
            "s3:GetAccessPoint",
            "s3:GetAccessPointPolicy",
            "s3:DeleteAccessPoint",
            "s3:CreateAccessPoint",
            "s3:PutAccessPointPolicy",
        ],
        "delete-access-point-policy" => &[
            "s3:GetAccessPoint",
            "s3:GetAccessPointPolicy",
            "s3:DeleteAccessPointPolicy",
            "s3:PutAccessPointPolicy",
        ],
        "delete-bucket-policy" => &[
            "s3:GetBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketPolicy",
        ],
        "reset-bucket-acl" => &["s3:GetBucketAcl", "s3:PutBucketAcl"],
        "disable-distribution" => &[
            "cloudfront:GetDistributionConfig",
            "cloudfront:UpdateDistribution",
        ],
        // PutBucketReplication passes the replication role to S3.
        "disable-replication-rule" => &[
            "s3:GetReplicationConfiguration",
            "s3:PutReplicationConfiguration",
            "iam:PassRole",
        ],
        "remove-notification" => &["s3:GetBucketNotification", "s3:PutBucketNotification"],
        // The key policy must keep letting the responder manage the key:
        // KMS refuses a policy that would lock the caller out.
        "remove-key-statement" => &["kms:GetKeyPolicy", "kms:PutKeyPolicy"],
        // Undo makes an equivalent grant: kms:CreateGrant.
        "revoke-grant" => &["kms:ListGrants", "kms:RevokeGrant", "kms:CreateGrant"],
        "disable-website" => &[
            "s3:GetBucketWebsite",
            "s3:DeleteBucketWebsite",
            "s3:PutBucketWebsite",
        ],
        // DeleteBucketCors is allowed by s3:PutBucketCORS.
        "reset-cors" => &["s3:GetBucketCORS", "s3:PutBucketCORS"],
        "remove-log-grants" => &[
            "s3:GetBucketLogging",
            "s3:PutBucketLogging",
            "s3:GetBucketAcl",
        ],
        "reset-object-acls" => &["s3:ListBucket", "s3:GetObjectAcl", "s3:PutObjectAcl"],
        "disable-acls" => &[
            "s3:GetBucketOwnershipControls",
            "s3:PutBucketOwnershipControls",
        ],
        "enable-versioning" => &["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
        "enable-encryption" => &[
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
        ],
        "block-sse-c" => &[
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
        ],
        "restore-archived" => &[
            "s3:ListBucketVersions",
            "s3:GetObjectVersion",
            "s3:RestoreObject",
        ],
        "enable-object-lock" => &[
            "s3:GetBucketVersioning",
            "s3:GetBucketObjectLockConfiguration",
            "s3:PutBucketObjectLockConfiguration",
        ],
        "deny-destruction" => &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "sts:GetCallerIdentity",
        ],
        // DeleteBucketLifecycle is allowed by s3:PutLifecycleConfiguration.
        "remove-lifecycle-rules" => &[
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
        ],
        "deactivate-key" => &["iam:ListAccessKeys", "iam:UpdateAccessKey"],
        "delete-key" => &["iam:ListAccessKeys", "iam:DeleteAccessKey"],
        "revoke-role-sessions" | "deny-all-role" => &[
            "iam:GetRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
        ],
        "revoke-user-sessions" => &[
            "iam:GetUserPolicy",
            "iam:PutUserPolicy",
            "iam:DeleteUserPolicy",
        ],
        "lock-trust-policy" => &["iam:GetRole", "iam:UpdateAssumeRolePolicy"],
        "detach-managed-policies" => &[
            "iam:ListAttachedRolePolicies",
            "iam:DetachRolePolicy",
            "iam:AttachRolePolicy",
        ],
        "require-imdsv2" => &["ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"],
        "rotate-key-pair" => &[
            "ec2:DescribeKeyPairs",
            "ec2:CreateKeyPair",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate",
        ],
        "delete-key-pair" => &["ec2:DescribeKeyPairs", "ec2:DeleteKeyPair"],
        "undelete" | "restore-version" | "pit-restore" => RESTORE,
        _ => &[],
    }
}

/// The error codes AWS answers a missing permission with (S3 and IAM,
/// EC2, JSON protocols).
pub fn is_denied(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "Forbidden"
    )
}

/// A denied action's error, saying which permissions it needs.
pub fn explain(mut error: AwsError, action: &str) -> AwsError {
    let needs = needed(action);
    if is_denied(&error.code) && !needs.is_empty() {
        error.message = format!(
            "{} — {action} needs {} (all in assets/iam/warroom-responder.json)",
            error.message,
            needs.join(", ")
        );
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn allowed(policy: &str) -> BTreeSet<String> {
        let doc: serde_json::Value = serde_json::from_str(policy).expect("policy JSON");
        let mut out = BTreeSet::new();
        for s in doc["Statement"].as_array().expect("statements") {
            assert_eq!(s["Effect"], "Allow");
            match &s["Action"] {
                serde_json::Value::String(a) => {
                    out.insert(a.clone());
                }
                serde_json::Value::Array(a) => {
                    out.extend(a.iter().filter_map(|x| x.as_str().map(str::to_string)));
                }
                other => panic!("Action: {other}"),
            }
        }
        out
    }

    #[test]
    fn the_responder_policy_grants_what_every_action_needs() {
        let granted = allowed(RESPONDER_POLICY);
        for name in crate::playbook::ACTIONS.iter().chain(&[
            "delete-bucket-policy",
            "reset-bucket-acl",
            "disable-replication-rule",
            "disable-distribution",
            "remove-key-statement",
            "revoke-grant",
            "remove-notification",
            "disable-website",
            "reset-cors",
            "remove-log-grants",
            "quarantine",
            "delete-access-point-policy",
            "delete-access-point",
            "disable-acls",
            "enable-encryption",
            "block-sse-c",
            "deny-destruction",
            "remove-lifecycle-rules",
            "enable-object-lock",
            "restore-archived",
            "delete-key",
            "revoke-user-sessions",
            "deny-all-role",
            "lock-trust-policy",
            "detach-managed-policies",
            "delete-key-pair",
            "undelete",
            "restore-version",
        ]) {
            let needs = needed(name);
            assert!(!needs.is_empty(), "{name} lists no permissions");
            for p in needs {
                assert!(
                    granted.contains(*p),
                    "{name} needs {p}, not in the responder policy"
                );
            }
        }
    }

    #[test]
    fn the_readonly_policy_grants_no_write() {
        let granted = allowed(READONLY_POLICY);
        let writes = [
            "Put", "Delete", "Update", "Create", "Modify", "Attach", "Detach",
        ];
        for p in &granted {
            let verb = p.split(':').nth(1).unwrap_or("");
            assert!(
                !writes.iter().any(|w| verb.starts_with(w)),
                "the read-only policy grants {p}"
            );
        }
        // And it is a subset of the responder's.
        let responder = allowed(RESPONDER_POLICY);
        for p in &granted {
            assert!(
                responder.contains(p),
                "{p} is read-only but not in the responder policy"
            );
        }
    }

    #[test]
    fn a_denied_error_names_the_permissions() {
        let e = explain(
            AwsError::new("AccessDenied", "Access Denied"),
            "block-public-access",
        );
        assert!(
            e.message.contains("s3:PutBucketPublicAccessBlock"),
            "{}",
            e.message
        );
        let e = explain(AwsError::new("NoSuchBucket", "gone"), "block-public-access");
        assert_eq!(e.message, "gone");
    }
}
