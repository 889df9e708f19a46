//! The one table of actions: each row names an action once — the name the
//! journal, `warroom act` and the console's by-name lookups use — with the
//! kind of thing it changes, how much it risks and one line saying what it
//! does. The engine takes an action's name from here
//! ([`ActionSpec::name`](super::ActionSpec::name)), the keymap says which
//! of these a key starts, and `warroom act list` prints the table; tests
//! hold the `act` subcommands and the keymap to it.

use serde::Serialize;

/// What an action changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    Bucket,
    /// Account-wide settings.
    Account,
    AccessKey,
    Role,
    User,
    /// One EC2 instance, or every instance of a role.
    Instances,
    KeyPair,
    /// A CloudTrail trail.
    Trail,
    /// A user or a role (a policy on it).
    Principal,
}

impl TargetKind {
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Bucket => "bucket",
            TargetKind::Account => "account",
            TargetKind::AccessKey => "access key",
            TargetKind::Role => "role",
            TargetKind::User => "user",
            TargetKind::Instances => "instances",
            TargetKind::KeyPair => "key pair",
            TargetKind::Trail => "trail",
            TargetKind::Principal => "user or role",
        }
    }
}

/// How much an action risks, which decides how it is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Reversible and cuts nobody off data: confirmed with y/n.
    Gentle,
    /// Someone may lose access; undo puts the recorded state back. The
    /// responder types the target's name.
    Cuts,
    /// No way back once applied. The responder types the target's name.
    Final,
}

impl Risk {
    pub fn label(self) -> &'static str {
        match self {
            Risk::Gentle => "reversible",
            Risk::Cuts => "cuts access, undoable",
            Risk::Final => "irreversible",
        }
    }
}

/// One row per action: `Kind = "name", target, risk, "what it does";`.
macro_rules! catalog {
    ($($kind:ident = $name:literal, $target:ident, $risk:ident, $what:literal;)*) => {
        /// Every action warroom can take, one variant per row of the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
        pub enum ActionKind {
            $($kind,)*
        }

        impl ActionKind {
            /// The name the journal, `warroom act` and the console use.
            pub const fn name(self) -> &'static str {
                match self {
                    $(ActionKind::$kind => $name,)*
                }
            }

            pub const fn target(self) -> TargetKind {
                match self {
                    $(ActionKind::$kind => TargetKind::$target,)*
                }
            }

            pub const fn risk(self) -> Risk {
                match self {
                    $(ActionKind::$kind => Risk::$risk,)*
                }
            }

            /// One line: what the action does.
            pub const fn what(self) -> &'static str {
                match self {
                    $(ActionKind::$kind => $what,)*
                }
            }

            /// The action called `name`, if there is one.
            pub fn named(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(ActionKind::$kind),)*
                    _ => None,
                }
            }
        }
    };
}

catalog! {
    BlockPublicAccess = "block-public-access", Bucket, Cuts,
        "turn on Block Public Access for one bucket (all four settings, or the chosen ones)";
    BlockPublicAccessAccount = "block-public-access-account", Account, Cuts,
        "turn on all four account-level Block Public Access settings";
    RemovePolicyStatements = "remove-policy-statements", Bucket, Cuts,
        "remove a bucket policy's public and shared statements, control plane first";
    DeleteBucketPolicy = "delete-bucket-policy", Bucket, Cuts,
        "delete the bucket policy (undo puts the recorded document back)";
    DeleteAccessPointPolicy = "delete-access-point-policy", Bucket, Cuts,
        "delete an access point's policy (undo puts the recorded one back)";
    DeleteAccessPoint = "delete-access-point", Bucket, Cuts,
        "delete an access point (undo makes it again, with a new alias)";
    Quarantine = "quarantine", Bucket, Cuts,
        "deny every S3 action on the bucket to all but the break-glass principals";
    ResetBucketAcl = "reset-bucket-acl", Bucket, Cuts,
        "reset the bucket ACL to full control for the owner only";
    DisableDistribution = "disable-distribution", Bucket, Cuts,
        "disable a CloudFront distribution serving the bucket";
    RemoveKeyStatement = "remove-key-statement", Bucket, Cuts,
        "remove the KMS key policy statement letting another account decrypt";
    RevokeGrant = "revoke-grant", Bucket, Cuts,
        "revoke the KMS grant letting another account decrypt (undo: a like grant, new id)";
    DisableReplicationRule = "disable-replication-rule", Bucket, Cuts,
        "set a replication rule to Disabled";
    RemoveNotification = "remove-notification", Bucket, Cuts,
        "remove the event notifications to one destination";
    DisableWebsite = "disable-website", Bucket, Cuts,
        "delete the website configuration";
    ResetCors = "reset-cors", Bucket, Cuts,
        "remove the CORS rules that allow any origin";
    RemoveLogGrants = "remove-log-grants", Bucket, Cuts,
        "remove the server access log grants to others";
    ResetObjectAcls = "reset-object-acls", Bucket, Cuts,
        "reset object ACLs to owner-only: one object, a prefix or all";
    DisableAcls = "disable-acls", Bucket, Cuts,
        "set Object Ownership to BucketOwnerEnforced, so ACLs stop granting access";
    EnableVersioning = "enable-versioning", Bucket, Cuts,
        "turn versioning on (a never-versioned bucket cannot go back)";
    EnableEncryption = "enable-encryption", Bucket, Gentle,
        "default encryption: SSE-S3, or SSE-KMS with a chosen key";
    DenyDestruction = "deny-destruction", Bucket, Cuts,
        "deny deletes and lifecycle, versioning, encryption changes to all but break-glass";
    RemoveLifecycleRules = "remove-lifecycle-rules", Bucket, Cuts,
        "remove lifecycle rules (a planted expiry, or named ones); the others stay exactly";
    BlockSseC = "block-sse-c", Bucket, Cuts,
        "refuse SSE-C writes (keys only the writer holds: the ransomware door); encryption stays";
    EnableObjectLock = "enable-object-lock", Bucket, Cuts,
        "lock new versions for N days (governance); Object Lock cannot be turned off again";
    RestoreArchived = "restore-archived", Bucket, Gentle,
        "ask S3 to bring back the archived (Glacier) versions a restore to T needs";
    DeactivateKey = "deactivate-key", AccessKey, Gentle,
        "deactivate an IAM access key (undo: reactivate)";
    DeleteKey = "delete-key", AccessKey, Final,
        "delete an IAM access key";
    RevokeRoleSessions = "revoke-role-sessions", Role, Cuts,
        "deny a role's sessions issued before now";
    RevokeUserSessions = "revoke-user-sessions", User, Cuts,
        "deny a user's temporary sessions issued before now";
    DenyAllRole = "deny-all-role", Role, Cuts,
        "escalation: an inline deny-all policy on a role";
    LockTrustPolicy = "lock-trust-policy", Role, Cuts,
        "escalation: a trust policy nobody can use";
    DetachManagedPolicies = "detach-managed-policies", Role, Cuts,
        "escalation: detach every managed policy of a role";
    RequireImdsV2 = "require-imdsv2", Instances, Gentle,
        "require IMDSv2 on an instance, or on every instance of a role";
    RotateKeyPair = "rotate-key-pair", KeyPair, Cuts,
        "rotate an EC2 key pair: a new key pair, new launch template defaults";
    DeleteKeyPair = "delete-key-pair", KeyPair, Final,
        "delete an EC2 key pair";
    Undelete = "undelete", Bucket, Cuts,
        "remove the delete markers hiding keys' newest versions";
    RestoreVersion = "restore-version", Bucket, Cuts,
        "make an earlier version of a key current again (a copy of it)";
    PitRestore = "pit-restore", Bucket, Cuts,
        "every key under a prefix as it was at a moment";
    StartLogging = "start-logging", Trail, Gentle,
        "start logging again on a trail the attacker stopped";
    DeleteLoginProfile = "delete-login-profile", User, Final,
        "delete a user's console password (it cannot be put back)";
    DetachPolicy = "detach-policy", Principal, Cuts,
        "detach one managed policy from a user or role";
    DeleteInlinePolicy = "delete-inline-policy", Principal, Cuts,
        "delete one inline policy of a user or role";
    RemoveFromGroup = "remove-from-group", User, Cuts,
        "take a user out of a group";
    RestoreTrustPolicy = "restore-trust-policy", Role, Cuts,
        "put a role's trust policy back as it was before the attacker's change";
    DeleteUser = "delete-user", User, Final,
        "delete an attacker-made user and everything on it";
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_name_is_unique_and_found_again() {
        let mut seen = std::collections::HashSet::new();
        for kind in ActionKind::iter() {
            assert!(seen.insert(kind.name()), "{} twice", kind.name());
            assert_eq!(ActionKind::named(kind.name()), Some(kind));
            // The names are `act` subcommands: lowercase words and dashes.
            assert!(
                kind.name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                kind.name()
            );
        }
        assert_eq!(ActionKind::named("no-such-action"), None);
    }
}
