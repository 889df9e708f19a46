//! IAM: the credential facts the credentials pane shows, and the reads and
//! writes the revocation actions need. Plain async functions over
//! [`Clients::iam`]; every list is read to its last page.

use aws_sdk_iam::types::StatusType;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{aws_error, done};
use super::{AwsError, Clients};
use crate::model::credentials::{
    self, AccessKeyFacts, LastUsed, REVOKE_POLICY_NAME, RoleFacts, UserFacts,
};
use crate::model::facts::Fact;

/// Every item of every page of a paginated call: `pages!(paginator, |page|
/// items)`. The first failing page fails the whole list (a partial list of
/// keys or policies would read as "there are no others").
macro_rules! pages {
    ($pages:expr, |$page:ident| $items:expr) => {{
        let mut out = Vec::new();
        let mut pages = $pages;
        while let Some($page) = pages.next().await {
            let $page = $page.map_err(|e| aws_error(&e))?;
            out.extend($items);
        }
        out
    }};
}

/// An IAM identity an inline policy can be put on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Principal {
    Role(String),
    User(String),
}

impl Principal {
    pub fn name(&self) -> &str {
        match self {
            Principal::Role(n) | Principal::User(n) => n,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Principal::Role(n) => format!("role {n}"),
            Principal::User(n) => format!("user {n}"),
        }
    }
}

fn is_not_found(e: &AwsError) -> bool {
    e.code == "NoSuchEntity"
}

fn date(d: Option<&aws_sdk_iam::primitives::DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

/// IAM returns policy documents URL-encoded (RFC 3986); some emulators
/// return them as sent. Returns the document text exactly as stored.
pub fn decode_document(raw: &str) -> String {
    if serde_json::from_str::<Value>(raw).is_ok() {
        return raw.to_string();
    }
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .unwrap_or_else(|_| raw.to_string())
}

/// The user an access key belongs to, from GetAccessKeyLastUsed (which any
/// caller with that permission can ask about any key id in the account).
pub async fn access_key_owner(c: &Clients, key_id: &str) -> Result<String, AwsError> {
    let out = get_last_used(c, key_id).await?;
    out.user_name().map(str::to_string).ok_or_else(|| {
        AwsError::new(
            "NoSuchEntity",
            format!("no IAM user owns access key {key_id} in this account"),
        )
    })
}

/// When IAM last saw the key used (`None`: never, or not tracked).
pub async fn access_key_last_used(
    c: &Clients,
    key_id: &str,
) -> Result<Option<crate::model::watch::LastUsed>, AwsError> {
    Ok(get_last_used(c, key_id)
        .await?
        .access_key_last_used
        .and_then(|u| {
            u.last_used_date().map(|d| crate::model::watch::LastUsed {
                time: d.secs(),
                service: u.service_name().to_string(),
                region: u.region().to_string(),
            })
        }))
}

/// The one GetAccessKeyLastUsed call: the key's owner and its last use.
async fn get_last_used(
    c: &Clients,
    key_id: &str,
) -> Result<aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput, AwsError>
{
    c.iam
        .get_access_key_last_used()
        .access_key_id(key_id)
        .send()
        .await
        .map_err(|e| aws_error(&e))
}

/// One access key's status ("Active"/"Inactive") and creation date; `None`
/// when the user has no such key.
pub async fn access_key(
    c: &Clients,
    user: &str,
    key_id: &str,
) -> Result<Option<(String, Option<String>)>, AwsError> {
    Ok(access_keys(c, user)
        .await?
        .into_iter()
        .find(|k| k.0 == key_id)
        .map(|k| (k.1, k.2)))
}

/// (key id, status, created) for every key of a user.
async fn access_keys(
    c: &Clients,
    user: &str,
) -> Result<Vec<(String, String, Option<String>)>, AwsError> {
    Ok(pages!(
        c.iam
            .list_access_keys()
            .user_name(user)
            .into_paginator()
            .send(),
        |page| {
            page.access_key_metadata()
                .iter()
                .map(|k| {
                    (
                        k.access_key_id().unwrap_or_default().to_string(),
                        k.status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        date(k.create_date()),
                    )
                })
                .collect::<Vec<_>>()
        }
    ))
}

pub async fn set_access_key_status(
    c: &Clients,
    user: &str,
    key_id: &str,
    active: bool,
) -> Result<(), AwsError> {
    done(
        c.iam
            .update_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .status(if active {
                StatusType::Active
            } else {
                StatusType::Inactive
            })
            .send()
            .await,
    )
}

pub async fn delete_access_key(c: &Clients, user: &str, key_id: &str) -> Result<(), AwsError> {
    done(
        c.iam
            .delete_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .send()
            .await,
    )
}

async fn last_used(c: &Clients, key_id: &str) -> Result<LastUsed, AwsError> {
    let out = get_last_used(c, key_id).await?;
    let used = out.access_key_last_used();
    let known = |s: &str| (!s.is_empty() && s != "N/A").then(|| s.to_string());
    Ok(LastUsed {
        date: date(used.and_then(|u| u.last_used_date())),
        service: used.and_then(|u| known(u.service_name())),
        region: used.and_then(|u| known(u.region())),
    })
}

/// A role as IAM describes it, with its trust policy decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInfo {
    pub name: String,
    pub arn: String,
    pub path: String,
    /// The trust policy exactly as stored (decoded from IAM's URL encoding).
    pub trust_document: String,
}

pub async fn role(c: &Clients, name: &str) -> Result<RoleInfo, AwsError> {
    let out = c
        .iam
        .get_role()
        .role_name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let r = out
        .role()
        .ok_or_else(|| AwsError::new("BadResponse", "GetRole returned no role"))?;
    Ok(RoleInfo {
        name: r.role_name().to_string(),
        arn: r.arn().to_string(),
        path: r.path().to_string(),
        trust_document: decode_document(r.assume_role_policy_document().unwrap_or_default()),
    })
}

/// A user's ARN (it carries the user's path).
pub async fn user_arn(c: &Clients, name: &str) -> Result<String, AwsError> {
    let out = c
        .iam
        .get_user()
        .user_name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    out.user()
        .map(|u| u.arn().to_string())
        .ok_or_else(|| AwsError::new("BadResponse", "GetUser returned no user"))
}

/// Does the user exist? (Actions check before planning, so a typo is a
/// clear "no such user" rather than an error halfway through.)
pub async fn user_exists(c: &Clients, name: &str) -> Result<(), AwsError> {
    done(c.iam.get_user().user_name(name).send().await)
}

pub async fn set_trust_document(c: &Clients, role: &str, document: &str) -> Result<(), AwsError> {
    done(
        c.iam
            .update_assume_role_policy()
            .role_name(role)
            .policy_document(document)
            .send()
            .await,
    )
}

/// One IAM call for a role or a user. IAM has each call twice
/// (`GetRolePolicy`/`GetUserPolicy`, …) with builders of different types,
/// so the rest of the call is written once and expanded for each.
macro_rules! for_principal {
    ($who:expr, $role:ident => $r:expr, $user:ident => $u:expr, |$b:ident| $tail:expr) => {
        match $who {
            Principal::Role($role) => {
                let $b = $r;
                $tail
            }
            Principal::User($user) => {
                let $b = $u;
                $tail
            }
        }
    };
}

/// An inline policy's document exactly as stored, or `None` if absent.
pub async fn inline_policy(
    c: &Clients,
    who: &Principal,
    name: &str,
) -> Result<Option<String>, AwsError> {
    let doc = for_principal!(who,
        role => c.iam.get_role_policy().role_name(role),
        user => c.iam.get_user_policy().user_name(user),
        |call| call
            .policy_name(name)
            .send()
            .await
            .map(|o| o.policy_document().to_string())
            .map_err(|e| aws_error(&e)));
    match doc {
        Ok(d) => Ok(Some(decode_document(&d))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Put (`Some`) or delete (`None`) an inline policy.
pub async fn set_inline_policy(
    c: &Clients,
    who: &Principal,
    name: &str,
    document: Option<&str>,
) -> Result<(), AwsError> {
    let result = match document {
        Some(doc) => for_principal!(who,
            role => c.iam.put_role_policy().role_name(role),
            user => c.iam.put_user_policy().user_name(user),
            |call| done(call.policy_name(name).policy_document(doc).send().await)),
        None => for_principal!(who,
            role => c.iam.delete_role_policy().role_name(role),
            user => c.iam.delete_user_policy().user_name(user),
            |call| done(call.policy_name(name).send().await)),
    };
    match result {
        // Deleting what is already gone leaves the state the caller wanted.
        Err(e) if document.is_none() && is_not_found(&e) => Ok(()),
        other => other,
    }
}

/// Names of a principal's inline policies.
pub async fn inline_policy_names(c: &Clients, who: &Principal) -> Result<Vec<String>, AwsError> {
    Ok(for_principal!(who,
        role => c.iam.list_role_policies().role_name(role),
        user => c.iam.list_user_policies().user_name(user),
        |call| pages!(call.into_paginator().send(), |page| page.policy_names().to_vec())))
}

/// ARNs of the managed policies attached to a principal, in IAM's order.
pub async fn attached_policies(c: &Clients, who: &Principal) -> Result<Vec<String>, AwsError> {
    let arns = |p: &aws_sdk_iam::types::AttachedPolicy| p.policy_arn().map(str::to_string);
    Ok(for_principal!(who,
        role => c.iam.list_attached_role_policies().role_name(role),
        user => c.iam.list_attached_user_policies().user_name(user),
        |call| pages!(call.into_paginator().send(), |page| page
            .attached_policies()
            .iter()
            .filter_map(arns)
            .collect::<Vec<_>>())))
}

/// Attach a managed policy to a role or user.
pub async fn attach_policy(c: &Clients, who: &Principal, arn: &str) -> Result<(), AwsError> {
    for_principal!(who,
        role => c.iam.attach_role_policy().role_name(role),
        user => c.iam.attach_user_policy().user_name(user),
        |call| done(call.policy_arn(arn).send().await))
}

/// Detach a managed policy from a role or user; already detached is done.
pub async fn detach_policy(c: &Clients, who: &Principal, arn: &str) -> Result<(), AwsError> {
    let detached = for_principal!(who,
        role => c.iam.detach_role_policy().role_name(role),
        user => c.iam.detach_user_policy().user_name(user),
        |call| done(call.policy_arn(arn).send().await));
    match detached {
        // Already detached: the state the caller wanted.
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}

pub async fn attach_role_policy(c: &Clients, role: &str, arn: &str) -> Result<(), AwsError> {
    attach_policy(c, &Principal::Role(role.to_string()), arn).await
}

pub async fn detach_role_policy(c: &Clients, role: &str, arn: &str) -> Result<(), AwsError> {
    detach_policy(c, &Principal::Role(role.to_string()), arn).await
}

/// When the user's console password was made, or `None` if it has none.
pub async fn login_profile(c: &Clients, user: &str) -> Result<Option<String>, AwsError> {
    match c.iam.get_login_profile().user_name(user).send().await {
        Ok(out) => Ok(Some(
            date(out.login_profile().map(|p| p.create_date())).unwrap_or_default(),
        )),
        Err(e) => {
            let e = aws_error(&e);
            if is_not_found(&e) { Ok(None) } else { Err(e) }
        }
    }
}

/// Delete the user's console password; none left is done.
pub async fn delete_login_profile(c: &Clients, user: &str) -> Result<(), AwsError> {
    match done(c.iam.delete_login_profile().user_name(user).send().await) {
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}

/// The groups a user is in.
pub async fn groups_of(c: &Clients, user: &str) -> Result<Vec<String>, AwsError> {
    Ok(pages!(
        c.iam
            .list_groups_for_user()
            .user_name(user)
            .into_paginator()
            .send(),
        |page| page
            .groups()
            .iter()
            .map(|g| g.group_name().to_string())
            .collect::<Vec<_>>()
    ))
}

/// Put a user in a group (`true`) or take it out (`false`; not a member
/// any more is done).
pub async fn set_group_member(
    c: &Clients,
    user: &str,
    group: &str,
    member: bool,
) -> Result<(), AwsError> {
    if member {
        return done(
            c.iam
                .add_user_to_group()
                .user_name(user)
                .group_name(group)
                .send()
                .await,
        );
    }
    match done(
        c.iam
            .remove_user_from_group()
            .user_name(user)
            .group_name(group)
            .send()
            .await,
    ) {
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}

/// The ids of a user's access keys.
pub async fn access_key_ids(c: &Clients, user: &str) -> Result<Vec<String>, AwsError> {
    Ok(pages!(
        c.iam
            .list_access_keys()
            .user_name(user)
            .into_paginator()
            .send(),
        |page| page
            .access_key_metadata()
            .iter()
            .filter_map(|k| k.access_key_id().map(str::to_string))
            .collect::<Vec<_>>()
    ))
}

/// The serial numbers of a user's MFA devices.
pub async fn mfa_devices(c: &Clients, user: &str) -> Result<Vec<String>, AwsError> {
    Ok(pages!(
        c.iam
            .list_mfa_devices()
            .user_name(user)
            .into_paginator()
            .send(),
        |page| page
            .mfa_devices()
            .iter()
            .map(|d| d.serial_number().to_string())
            .collect::<Vec<_>>()
    ))
}

/// Take an MFA device off a user and, when it is a virtual one (its serial
/// is an ARN), delete it.
pub async fn remove_mfa_device(c: &Clients, user: &str, serial: &str) -> Result<(), AwsError> {
    done(
        c.iam
            .deactivate_mfa_device()
            .user_name(user)
            .serial_number(serial)
            .send()
            .await,
    )?;
    if serial.starts_with("arn:") {
        match done(
            c.iam
                .delete_virtual_mfa_device()
                .serial_number(serial)
                .send()
                .await,
        ) {
            Err(e) if is_not_found(&e) => {}
            other => other?,
        }
    }
    Ok(())
}

/// The ids of a user's signing certificates and SSH public keys (IAM
/// refuses to delete a user that still has either).
pub async fn certificates_and_ssh_keys(
    c: &Clients,
    user: &str,
) -> Result<(Vec<String>, Vec<String>), AwsError> {
    let certs = c
        .iam
        .list_signing_certificates()
        .user_name(user)
        .send()
        .await
        .map_err(|e| aws_error(&e))?
        .certificates()
        .iter()
        .map(|c| c.certificate_id().to_string())
        .collect();
    let ssh = c
        .iam
        .list_ssh_public_keys()
        .user_name(user)
        .send()
        .await
        .map_err(|e| aws_error(&e))?
        .ssh_public_keys()
        .iter()
        .map(|k| k.ssh_public_key_id().to_string())
        .collect();
    Ok((certs, ssh))
}

pub async fn delete_signing_certificate(c: &Clients, user: &str, id: &str) -> Result<(), AwsError> {
    done(
        c.iam
            .delete_signing_certificate()
            .user_name(user)
            .certificate_id(id)
            .send()
            .await,
    )
}

pub async fn delete_ssh_public_key(c: &Clients, user: &str, id: &str) -> Result<(), AwsError> {
    done(
        c.iam
            .delete_ssh_public_key()
            .user_name(user)
            .ssh_public_key_id(id)
            .send()
            .await,
    )
}

/// Delete a user that has nothing left on it.
pub async fn delete_user(c: &Clients, user: &str) -> Result<(), AwsError> {
    done(c.iam.delete_user().user_name(user).send().await)
}

/// Does the user exist? `Ok(false)` on NoSuchEntity.
pub async fn user_present(c: &Clients, user: &str) -> Result<bool, AwsError> {
    match user_exists(c, user).await {
        Ok(()) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// ARNs of the instance profiles that carry a role.
pub async fn instance_profiles_for_role(c: &Clients, role: &str) -> Result<Vec<String>, AwsError> {
    Ok(pages!(
        c.iam
            .list_instance_profiles_for_role()
            .role_name(role)
            .into_paginator()
            .send(),
        |page| {
            page.instance_profiles()
                .iter()
                .map(|p| p.arn().to_string())
                .collect::<Vec<_>>()
        }
    ))
}

/// The cutoff of the principal's `AWSRevokeOlderSessions` policy, if any.
pub async fn revoked_before(c: &Clients, who: &Principal) -> Result<Option<String>, AwsError> {
    Ok(inline_policy(c, who, REVOKE_POLICY_NAME)
        .await?
        .and_then(|d| serde_json::from_str::<Value>(&d).ok())
        .and_then(|d| credentials::revocation_cutoff(&d)))
}

/// Every user with its keys (and when each was last used), policies and
/// revocation cutoff. Per-user reads run a few at a time.
pub async fn users(c: &Clients) -> Result<Vec<UserFacts>, AwsError> {
    let listed = pages!(c.iam.list_users().into_paginator().send(), |page| {
        page.users()
            .iter()
            .map(|u| {
                (
                    u.user_name().to_string(),
                    u.arn().to_string(),
                    date(Some(u.create_date())),
                )
            })
            .collect::<Vec<_>>()
    });
    Ok(futures::stream::iter(listed)
        .map(|(name, arn, created)| async move {
            let who = Principal::User(name.clone());
            let keys = user_keys(c, &name).await;
            UserFacts {
                attached_policies: attached_policies(c, &who).await.into(),
                inline_policies: inline_policy_names(c, &who).await.into(),
                revoked_before: revoked_before(c, &who).await.into(),
                keys,
                name,
                arn,
                created,
            }
        })
        .buffered(8)
        .collect()
        .await)
}

async fn user_keys(c: &Clients, user: &str) -> Fact<Vec<AccessKeyFacts>> {
    let keys = match access_keys(c, user).await {
        Ok(k) => k,
        Err(e) => return Fact::Unknown(e),
    };
    let mut out = Vec::new();
    for (key_id, status, created) in keys {
        out.push(AccessKeyFacts {
            last_used: last_used(c, &key_id).await.into(),
            user: user.to_string(),
            key_id,
            status,
            created,
        });
    }
    Fact::Known(out)
}

/// Every role with its trust principals, policies, revocation cutoff and
/// the instance-profile ARNs that carry it (matched to instances by the
/// caller, which knows the instances).
pub async fn roles(
    c: &Clients,
    own_account: &str,
) -> Result<Vec<(RoleFacts, Fact<Vec<String>>)>, AwsError> {
    let listed = pages!(c.iam.list_roles().into_paginator().send(), |page| {
        page.roles()
            .iter()
            .map(|r| {
                (
                    r.role_name().to_string(),
                    r.arn().to_string(),
                    r.path().to_string(),
                    decode_document(r.assume_role_policy_document().unwrap_or_default()),
                )
            })
            .collect::<Vec<_>>()
    });
    Ok(futures::stream::iter(listed)
        .map(|(name, arn, path, trust)| async move {
            let who = Principal::Role(name.clone());
            let trust = serde_json::from_str::<Value>(&trust)
                .map(|d| credentials::trust_principals(&d, own_account))
                .map_err(|e| AwsError::new("BadPolicy", e.to_string()));
            let profiles = instance_profiles_for_role(c, &name).await.into();
            (
                RoleFacts {
                    kind: credentials::role_kind(&name, &path),
                    trust: trust.into(),
                    attached_policies: attached_policies(c, &who).await.into(),
                    inline_policies: inline_policy_names(c, &who).await.into(),
                    revoked_before: revoked_before(c, &who).await.into(),
                    instances: Fact::Known(Vec::new()),
                    name,
                    arn,
                    path,
                },
                profiles,
            )
        })
        .buffered(8)
        .collect()
        .await)
}
