//! `warroom gameday teardown`: removes what a Game Day created, found by
//! its tag (`warroom:gameday`, one run or all runs) and nothing else. A
//! resource without the tag is never touched, even if its name matches.

use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use super::error::aws_error;
use super::game::TAG;
use super::iam::{self, Principal};
use super::{AwsError, Clients};

/// Whether a tag value belongs to the run asked for (any run if None).
fn ours(value: Option<&str>, run: Option<&str>) -> bool {
    match (value, run) {
        (Some(v), Some(r)) => v == r,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// The Game Day tag's value among an IAM resource's tags.
fn iam_tag(tags: &[aws_sdk_iam::types::Tag]) -> Option<&str> {
    tags.iter().find(|t| t.key() == TAG).map(|t| t.value())
}

/// Remove every resource tagged for `run` (every Game Day run if None).
/// Returns what was removed, one line each, in the order removed.
pub async fn teardown(
    c: &Clients,
    run: Option<&str>,
    mut progress: impl FnMut(&str),
) -> Result<Vec<String>, AwsError> {
    let mut removed = Vec::new();
    let mut done = |what: String, progress: &mut dyn FnMut(&str)| {
        progress(&what);
        removed.push(what);
    };
    let region = c.region().to_string();
    // Instances first: they hold the instance profiles and key pairs.
    let ec2 = c.ec2_in(&region);
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name(match run {
            Some(_) => format!("tag:{TAG}"),
            None => "tag-key".to_string(),
        })
        .values(run.unwrap_or(TAG))
        .build();
    let instances = ec2
        .describe_instances()
        .filters(filter.clone())
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let ids: Vec<String> = instances
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .filter(|i| {
            i.state().and_then(|s| s.name())
                != Some(&aws_sdk_ec2::types::InstanceStateName::Terminated)
        })
        .filter_map(|i| i.instance_id().map(str::to_string))
        .collect();
    if !ids.is_empty() {
        ec2.terminate_instances()
            .set_instance_ids(Some(ids.clone()))
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        for id in ids {
            done(format!("instance {id}"), &mut progress);
        }
    }
    let pairs = ec2
        .describe_key_pairs()
        .filters(filter)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    for kp in pairs.key_pairs() {
        if let Some(name) = kp.key_name() {
            ec2.delete_key_pair()
                .key_name(name)
                .send()
                .await
                .map_err(|e| aws_error(&e))?;
            done(format!("key pair {name}"), &mut progress);
        }
    }

    // Trails, then buckets (the trail writes into one).
    let ct = c.cloudtrail_in(&region);
    let trails = ct
        .describe_trails()
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    for t in trails.trail_list() {
        let Some(arn) = t.trail_arn() else { continue };
        let tags = ct
            .list_tags()
            .resource_id_list(arn)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        let value = tags
            .resource_tag_list()
            .iter()
            .flat_map(|r| r.tags_list())
            .find(|t| t.key() == TAG)
            .and_then(|t| t.value());
        if ours(value, run) {
            ct.delete_trail()
                .name(t.name().unwrap_or(arn))
                .send()
                .await
                .map_err(|e| aws_error(&e))?;
            done(format!("trail {}", t.name().unwrap_or(arn)), &mut progress);
        }
    }
    let buckets =
        c.s3.list_buckets()
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    for b in buckets.buckets() {
        let Some(name) = b.name() else { continue };
        let region = crate::aws::exposure::bucket_region(c, name).await?;
        let s3 = c.s3_in(&region);
        let tags = match s3.get_bucket_tagging().bucket(name).send().await {
            Ok(t) => t,
            Err(e) if aws_error(&e).code == "NoSuchTagSet" => continue,
            Err(e) => return Err(aws_error(&e)),
        };
        let value = tags
            .tag_set()
            .iter()
            .find(|t| t.key() == TAG)
            .map(|t| t.value());
        if !ours(value, run) {
            continue;
        }
        // Access points on the bucket first (a scenario's side door): S3
        // refuses to delete a bucket that still has them.
        let account = c.identity().await?.account;
        for ap in crate::aws::access_points::list_region(c, &account, &region).await? {
            if ap.bucket != name {
                continue;
            }
            c.s3control_in(&region)
                .delete_access_point()
                .account_id(&account)
                .name(&ap.name)
                .send()
                .await
                .map_err(|e| aws_error(&e))?;
            done(format!("access point {} on {name}", ap.name), &mut progress);
        }
        let n = empty_bucket(&s3, name).await?;
        s3.delete_bucket()
            .bucket(name)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        done(
            format!("bucket {name} ({n} object versions and markers)"),
            &mut progress,
        );
    }

    // IAM: roles (with their instance profiles), users, then profiles left.
    let roles = c.iam.list_roles().send().await.map_err(|e| aws_error(&e))?;
    for r in roles.roles() {
        let name = r.role_name();
        let tags = c
            .iam
            .list_role_tags()
            .role_name(name)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        if !ours(iam_tag(tags.tags()), run) {
            continue;
        }
        delete_role(c, name).await?;
        done(format!("role {name}"), &mut progress);
    }
    let profiles = c
        .iam
        .list_instance_profiles()
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    for p in profiles.instance_profiles() {
        let name = p.instance_profile_name();
        // GetInstanceProfile carries the tags (and is served where
        // ListInstanceProfileTags is not).
        let got = c
            .iam
            .get_instance_profile()
            .instance_profile_name(name)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        let tags = got.instance_profile().map(|p| p.tags()).unwrap_or_default();
        if !ours(iam_tag(tags), run) {
            continue;
        }
        for role in p.roles() {
            c.iam
                .remove_role_from_instance_profile()
                .instance_profile_name(name)
                .role_name(role.role_name())
                .send()
                .await
                .map_err(|e| aws_error(&e))?;
        }
        c.iam
            .delete_instance_profile()
            .instance_profile_name(name)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        done(format!("instance profile {name}"), &mut progress);
    }
    let users = c.iam.list_users().send().await.map_err(|e| aws_error(&e))?;
    for u in users.users() {
        let name = u.user_name();
        let tags = c
            .iam
            .list_user_tags()
            .user_name(name)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        if !ours(iam_tag(tags.tags()), run) {
            continue;
        }
        delete_user(c, name).await?;
        done(format!("user {name} (and its access keys)"), &mut progress);
    }
    // Customer managed policies the run made (the attacker's stand-in for
    // AdministratorAccess where AWS's is not served), once nothing holds them.
    let policies = c
        .iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    for p in policies.policies() {
        let Some(arn) = p.arn() else { continue };
        let tags = c
            .iam
            .list_policy_tags()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        if !ours(iam_tag(tags.tags()), run) {
            continue;
        }
        c.iam
            .delete_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        done(format!("policy {arn}"), &mut progress);
    }
    Ok(removed)
}

/// Delete every version and delete marker; returns how many.
async fn empty_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<usize, AwsError> {
    let mut count = 0;
    loop {
        let page = s3
            .list_object_versions()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        let ids: Vec<ObjectIdentifier> = page
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(
                page.delete_markers()
                    .iter()
                    .map(|m| (m.key(), m.version_id())),
            )
            .filter_map(|(k, v)| {
                ObjectIdentifier::builder()
                    .key(k?)
                    .set_version_id(v.map(str::to_string))
                    .build()
                    .ok()
            })
            .take(1000)
            .collect();
        if ids.is_empty() {
            return Ok(count);
        }
        count += ids.len();
        s3.delete_objects()
            .bucket(bucket)
            .delete(
                Delete::builder()
                    .set_objects(Some(ids))
                    .quiet(true)
                    .build()
                    .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))?,
            )
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
}

/// Remove a principal's inline and managed policies: IAM refuses to delete
/// a user or role that still has any.
async fn strip_policies(c: &Clients, who: &Principal) -> Result<(), AwsError> {
    for name in iam::inline_policy_names(c, who).await? {
        iam::set_inline_policy(c, who, &name, None).await?;
    }
    for arn in iam::attached_policies(c, who).await? {
        iam::detach_policy(c, who, &arn).await?;
    }
    Ok(())
}

async fn delete_role(c: &Clients, name: &str) -> Result<(), AwsError> {
    for arn in iam::instance_profiles_for_role(c, name).await? {
        let profile = arn.rsplit('/').next().unwrap_or(&arn);
        c.iam
            .remove_role_from_instance_profile()
            .instance_profile_name(profile)
            .role_name(name)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    }
    strip_policies(c, &Principal::Role(name.to_string())).await?;
    c.iam
        .delete_role()
        .role_name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}

async fn delete_user(c: &Clients, name: &str) -> Result<(), AwsError> {
    let keys = c
        .iam
        .list_access_keys()
        .user_name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    for id in keys
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id())
    {
        iam::delete_access_key(c, name, id).await?;
    }
    // A user the game's attacker made has a console password (and could
    // be in a group): IAM refuses to delete it until both are gone.
    iam::delete_login_profile(c, name).await?;
    for group in iam::groups_of(c, name).await? {
        iam::set_group_member(c, name, &group, false).await?;
    }
    strip_policies(c, &Principal::User(name.to_string())).await?;
    c.iam
        .delete_user()
        .user_name(name)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(())
}
