//! ACLs between the SDK and the model, both ways: read (bucket or object) and
//! written back exactly (to restore a recorded prior ACL).

use aws_sdk_s3::types::{self as s3t, Type};

use super::AwsError;
use crate::model::facts::{Acl, Grant, Grantee};

pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
pub const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// The model form of an ACL read from S3 (bucket or object: same shape).
pub fn acl_from(owner: Option<&s3t::Owner>, grants: &[s3t::Grant]) -> Acl {
    Acl {
        owner_id: owner.and_then(|w| w.id()).map(str::to_string),
        owner_display_name: owner.and_then(|w| w.display_name()).map(str::to_string),
        grants: grants
            .iter()
            .filter_map(|g| {
                let grantee = g.grantee()?;
                let permission = g.permission().map(|p| p.as_str().to_string())?;
                let grantee = grantee_from(grantee);
                Some(Grant {
                    grantee,
                    permission,
                })
            })
            .collect(),
    }
}

/// The model form of one grantee (of an ACL grant or a log target grant).
pub fn grantee_from(grantee: &s3t::Grantee) -> Grantee {
    match grantee.r#type() {
        Type::Group => match grantee.uri().unwrap_or_default() {
            ALL_USERS => Grantee::AllUsers,
            AUTHENTICATED_USERS => Grantee::AuthenticatedUsers,
            LOG_DELIVERY => Grantee::LogDelivery,
            other => Grantee::OtherGroup {
                uri: other.to_string(),
            },
        },
        Type::AmazonCustomerByEmail => Grantee::Email {
            address: grantee.email_address().unwrap_or_default().to_string(),
        },
        _ => Grantee::CanonicalUser {
            id: grantee.id().unwrap_or_default().to_string(),
            display_name: grantee.display_name().map(str::to_string),
        },
    }
}

/// The ACL that grants FULL_CONTROL to `owner_id` and nothing to anyone else,
/// with `acl`'s own owner kept (S3 does not let an ACL change the owner).
pub fn owner_only(acl: &Acl, full_control_to: &str) -> Acl {
    Acl {
        owner_id: acl.owner_id.clone(),
        owner_display_name: acl.owner_display_name.clone(),
        grants: vec![Grant {
            grantee: Grantee::CanonicalUser {
                id: full_control_to.to_string(),
                display_name: None,
            },
            permission: "FULL_CONTROL".into(),
        }],
    }
}

/// True when `acl` grants exactly FULL_CONTROL to `id` and nothing else.
pub fn is_owner_only(acl: &Acl, id: &str) -> bool {
    matches!(acl.grants.as_slice(), [Grant { grantee: Grantee::CanonicalUser { id: g, .. }, permission }]
        if g == id && permission == "FULL_CONTROL")
}

/// The same owner and the same grants, in any order, ignoring display names
/// (informational, and not returned by every endpoint).
pub fn same_acl(a: &Acl, b: &Acl) -> bool {
    let key = |acl: &Acl| {
        let mut grants: Vec<String> = acl
            .grants
            .iter()
            .map(|g| {
                let who = match &g.grantee {
                    Grantee::CanonicalUser { id, .. } => format!("id:{id}"),
                    other => format!("{other:?}"),
                };
                format!("{who}={}", g.permission)
            })
            .collect();
        grants.sort();
        (acl.owner_id.clone(), grants)
    };
    key(a) == key(b)
}

/// The SDK form of one grantee: the inverse of [`grantee_from`].
pub fn grantee_to_sdk(grantee: &Grantee) -> Result<s3t::Grantee, AwsError> {
    match grantee {
        Grantee::AllUsers => s3t::Grantee::builder().r#type(Type::Group).uri(ALL_USERS),
        Grantee::AuthenticatedUsers => s3t::Grantee::builder()
            .r#type(Type::Group)
            .uri(AUTHENTICATED_USERS),
        Grantee::LogDelivery => s3t::Grantee::builder()
            .r#type(Type::Group)
            .uri(LOG_DELIVERY),
        Grantee::OtherGroup { uri } => s3t::Grantee::builder().r#type(Type::Group).uri(uri),
        Grantee::Email { address } => s3t::Grantee::builder()
            .r#type(Type::AmazonCustomerByEmail)
            .email_address(address),
        Grantee::CanonicalUser { id, display_name } => s3t::Grantee::builder()
            .r#type(Type::CanonicalUser)
            .id(id)
            .set_display_name(display_name.clone()),
    }
    .build()
    .map_err(|e| AwsError::new("InvalidAcl", e.to_string()))
}

/// The SDK request body that writes `acl` back exactly.
pub fn access_control_policy(acl: &Acl) -> Result<s3t::AccessControlPolicy, AwsError> {
    let mut grants = Vec::with_capacity(acl.grants.len());
    for g in &acl.grants {
        grants.push(
            s3t::Grant::builder()
                .grantee(grantee_to_sdk(&g.grantee)?)
                .permission(s3t::Permission::from(g.permission.as_str()))
                .build(),
        );
    }
    let owner = s3t::Owner::builder()
        .set_id(acl.owner_id.clone())
        .set_display_name(acl.owner_display_name.clone())
        .build();
    Ok(s3t::AccessControlPolicy::builder()
        .owner(owner)
        .set_grants(Some(grants))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl(grants: Vec<Grant>) -> Acl {
        Acl {
            owner_id: Some("owner".into()),
            owner_display_name: None,
            grants,
        }
    }

    #[test]
    fn owner_only_is_recognised_and_nothing_else_is() {
        let only = owner_only(&acl(vec![]), "owner");
        assert!(is_owner_only(&only, "owner"));
        assert!(!is_owner_only(&only, "someone-else"));
        let mut public = only.clone();
        public.grants.push(Grant {
            grantee: Grantee::AllUsers,
            permission: "READ".into(),
        });
        assert!(!is_owner_only(&public, "owner"));
        assert!(!is_owner_only(&acl(vec![]), "owner"));
    }

    #[test]
    fn every_grantee_kind_round_trips_through_the_sdk_types() {
        let original = acl(vec![
            Grant {
                grantee: Grantee::AllUsers,
                permission: "READ".into(),
            },
            Grant {
                grantee: Grantee::AuthenticatedUsers,
                permission: "WRITE".into(),
            },
            Grant {
                grantee: Grantee::LogDelivery,
                permission: "READ_ACP".into(),
            },
            Grant {
                grantee: Grantee::OtherGroup {
                    uri: "http://example/group".into(),
                },
                permission: "WRITE_ACP".into(),
            },
            Grant {
                grantee: Grantee::Email {
                    address: "a@example.com".into(),
                },
                permission: "READ".into(),
            },
            Grant {
                grantee: Grantee::CanonicalUser {
                    id: "abc".into(),
                    display_name: Some("n".into()),
                },
                permission: "FULL_CONTROL".into(),
            },
        ]);
        let policy = access_control_policy(&original).expect("builds");
        let back = acl_from(policy.owner(), policy.grants());
        assert_eq!(back, original);
    }
}
