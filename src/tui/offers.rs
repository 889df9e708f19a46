//! What a key, a checklist step or `warroom act` offers on a bucket: the
//! bucket actions by key and by name, and the door `A` and `Z` close
//! first (the worst one), read from the bucket's facts as the WHY shows
//! them.

use crate::actions::{self, ActionSpec};
use crate::model::changes::{Change, Holder, Standing, What};
use crate::scan::BucketReport;
use crate::tui::keymap::Action;
use crate::tui::state::State;

/// The bucket action `warroom act` (and the journal) calls `name`, on
/// `bucket`. Names are [`ActionSpec::name`]'s, the one table of them: this
/// asks every key's bucket action for its name rather than spelling them
/// again.
pub fn bucket_action_named(name: &str, bucket: &str) -> Option<ActionSpec> {
    use strum::IntoEnumIterator;
    // A step of an action, not an action: the checklist's first move on a
    // policy.
    if name == "lock-control-plane" {
        return Some(ActionSpec::RemovePolicyStatements(
            actions::policy_statements::Args {
                bucket: bucket.to_string(),
                step: actions::policy_statements::Step::ControlPlane,
            },
        ));
    }
    Action::iter()
        .filter_map(|a| bucket_action(a, bucket))
        .find(|spec| spec.name() == name)
}

/// Whether the tail holds a successful `CreateAccessPoint` of this name.
pub fn made_in_tail(state: &State, access_point: &str) -> bool {
    state.trail.ring.newest_first().any(|e| {
        e.name == "CreateAccessPoint"
            && e.error_code.is_none()
            && e.request_parameter("name").as_deref() == Some(access_point)
    })
}

/// The bucket's access point that lets outsiders in, the worst first
/// (public before shared before unknown): what `A` closes.
pub fn open_access_point(b: &BucketReport) -> Option<String> {
    use crate::model::exposure::{Severity, Source};
    b.assessment
        .reasons
        .iter()
        .filter(|r| {
            matches!(
                r.severity,
                Severity::Public | Severity::Shared | Severity::Unknown
            )
        })
        .find_map(|r| match &r.source {
            Source::AccessPoint {
                name,
                statement: Some(_),
            } => Some(name.clone()),
            _ => None,
        })
}

/// The side door `Z` closes on a bucket, the worst first: a distribution
/// serving it to anyone, the KMS lock, replication to another account,
/// notifications to another account, access log grants to others, website
/// hosting, CORS for any origin (read from the facts, as the Why shows them).
pub fn open_side_door(b: &BucketReport) -> Option<ActionSpec> {
    use crate::model::exposure::{Severity, Source};
    let bucket = b.facts.name.clone();
    // An item the verdict counts as reaching another account.
    let shared = |kind: &str| {
        b.assessment.reasons.iter().find_map(|r| match &r.source {
            Source::SideDoor {
                door,
                item: Some(item),
            } if *door == kind && r.severity == Severity::Shared => Some(item.clone()),
            _ => None,
        })
    };
    // A distribution serving the bucket to anyone is the worst door.
    if let Some(id) = b.assessment.reasons.iter().find_map(|r| match &r.source {
        Source::Distribution { id } if r.severity == Severity::Public => Some(id.clone()),
        _ => None,
    }) {
        return Some(ActionSpec::DisableDistribution(
            actions::distribution::Args {
                bucket,
                distribution: id,
            },
        ));
    }
    // Both locks open: the key's side is closed from here (the bucket's
    // side is `p`). A grant is revoked before a key policy statement goes.
    if let Some(spec) = open_key_lock(b) {
        return Some(spec);
    }
    if let Some(rule) = shared("replication") {
        return Some(ActionSpec::DisableReplicationRule(
            actions::side_doors::Rule { bucket, rule },
        ));
    }
    if let Some(destination) = shared("notification") {
        return Some(ActionSpec::RemoveNotification(
            actions::side_doors::Destination {
                bucket,
                destination,
            },
        ));
    }
    if b.assessment.reasons.iter().any(|r| {
        r.severity == Severity::Shared
            && matches!(&r.source, Source::SideDoor { door, .. } if *door == "logging")
    }) {
        return Some(ActionSpec::RemoveLogGrants(actions::Bucket { bucket }));
    }
    let doors = b.facts.side_doors.known()?;
    if doors.website {
        return Some(ActionSpec::DisableWebsite(actions::Bucket { bucket }));
    }
    if !doors.cors_any_origin.is_empty() {
        return Some(ActionSpec::ResetCors(actions::Bucket { bucket }));
    }
    None
}

/// The KMS lock that lets an account the bucket shares with decrypt (a
/// `both locks open` reason), as the action that closes it.
pub fn open_key_lock(b: &BucketReport) -> Option<ActionSpec> {
    use crate::model::exposure::{Severity, Source};
    let key = b.facts.kms.known()?.as_ref()?.arn.clone()?;
    let items: Vec<&str> = b
        .assessment
        .reasons
        .iter()
        .filter(|r| r.severity == Severity::Shared)
        .filter_map(|r| match &r.source {
            Source::Kms { item: Some(item) } => Some(item.as_str()),
            _ => None,
        })
        .collect();
    let bucket = b.facts.name.clone();
    if let Some(grant) = items.iter().find_map(|i| i.strip_prefix("grant ")) {
        return Some(ActionSpec::RevokeGrant(actions::kms::grant::Args {
            bucket,
            key,
            grant: grant.to_string(),
        }));
    }
    // "key policy statement N" or "key policy statement N (Sid)".
    let statement = items.iter().find_map(|i| {
        i.strip_prefix("key policy statement ")?
            .split(' ')
            .next()?
            .parse::<usize>()
            .ok()
    })?;
    Some(ActionSpec::RemoveKeyStatement(
        actions::kms::statement::Args {
            bucket,
            key,
            statement,
        },
    ))
}

/// The action a key asks for on `bucket`, if the key is a bucket action.
pub fn bucket_action(action: Action, bucket: &str) -> Option<ActionSpec> {
    let b = || actions::Bucket {
        bucket: bucket.to_string(),
    };
    Some(match action {
        Action::BlockPublicAccess => {
            ActionSpec::BlockPublicAccess(actions::bucket_pab::Args::all(bucket))
        }
        Action::RemovePolicyStatements => {
            ActionSpec::RemovePolicyStatements(actions::policy_statements::Args {
                bucket: bucket.to_string(),
                step: actions::policy_statements::Step::Next,
            })
        }
        Action::DeletePolicy => ActionSpec::DeleteBucketPolicy(b()),
        // Which access point is decided from the bucket's reasons (see
        // `open_access_point`), not here.
        Action::CloseAccessPoint | Action::CloseSideDoor => return None,
        // Needs the restore's time: the pane builds it (see exposure).
        Action::RestoreArchived => return None,
        Action::Quarantine => ActionSpec::Quarantine(actions::quarantine::Args {
            bucket: bucket.to_string(),
            keep: Vec::new(),
        }),
        Action::ResetBucketAcl => ActionSpec::ResetBucketAcl(b()),
        Action::ResetObjectAcls => ActionSpec::ResetObjectAcls(actions::object_acls::Args {
            bucket: bucket.to_string(),
            key: None,
            prefix: None,
        }),
        Action::DisableAcls => ActionSpec::DisableAcls(b()),
        Action::EnableVersioning => ActionSpec::EnableVersioning(b()),
        Action::BlockSseC => ActionSpec::BlockSseC(b()),
        Action::EnableObjectLock => ActionSpec::EnableObjectLock(actions::object_lock::Args {
            bucket: bucket.to_string(),
            days: actions::object_lock::CONSOLE_DAYS,
        }),
        Action::DenyDestruction => ActionSpec::DenyDestruction(actions::deny_destruction::Args {
            bucket: bucket.to_string(),
            keep: Vec::new(),
        }),
        Action::EnableEncryption => ActionSpec::EnableEncryption(actions::encryption::Args {
            bucket: bucket.to_string(),
            kms_key: None,
        }),
        _ => return None,
    })
}

/// The name of the user or role `arn` is (`…:user/PATH/NAME`,
/// `…:assumed-role/ROLE/SESSION`), for refusing to act on the responder.
fn own_names(arn: &str) -> (Option<&str>, Option<&str>) {
    let res = arn.splitn(6, ':').nth(5).unwrap_or("");
    if let Some(rest) = res.strip_prefix("assumed-role/") {
        (None, rest.split('/').next())
    } else if let Some(rest) = res.strip_prefix("user/") {
        (rest.rsplit('/').next(), None)
    } else if let Some(rest) = res.strip_prefix("role/") {
        (None, rest.rsplit('/').next())
    } else {
        (None, None)
    }
}

/// The action that takes back one of the attacker's changes, or why none
/// is offered. `me` is the responder's own ARN: warroom does not offer to
/// delete the identity it runs as.
pub fn revert(change: &Change, me: Option<&str>) -> Result<ActionSpec, String> {
    use crate::aws::iam::Principal;
    use actions::persistence as p;
    if change.standing == Standing::Gone {
        return Err("that change is no longer in place: nothing to take back".into());
    }
    let (my_user, my_role) = me.map(own_names).unwrap_or_default();
    let refuse_me = |user: Option<&str>, role: Option<&str>| -> Result<(), String> {
        if (user.is_some() && user == my_user) || (role.is_some() && role == my_role) {
            Err(
                "that is the identity warroom runs as: not offered (do it from another principal)"
                    .into(),
            )
        } else {
            Ok(())
        }
    };
    let principal = |on: &Holder| -> Result<Principal, String> {
        match on {
            Holder::User(u) => refuse_me(Some(u), None).map(|()| Principal::User(u.clone())),
            Holder::Role(r) => refuse_me(None, Some(r)).map(|()| Principal::Role(r.clone())),
            Holder::Group(g) => Err(format!(
                "a group's policy is not reverted here: detach it from group {g} in IAM, or take the attacker's users out of the group"
            )),
        }
    };
    Ok(match &change.what {
        What::AccessKeyCreated {
            user,
            key_id: Some(key_id),
        }
        | What::AccessKeyActivated { user, key_id } => {
            refuse_me(Some(user), None)?;
            // Deactivate, not delete: reversible, and the watch can follow
            // the key; the credentials pane deletes it once it is dead.
            ActionSpec::DeactivateAccessKey(actions::access_key::Args {
                key_id: key_id.clone(),
                user: Some(user.clone()),
            })
        }
        What::AccessKeyCreated { user, key_id: None } => {
            return Err(format!(
                "the record has no key id: deactivate the new key of {user} from the credentials pane"
            ));
        }
        What::UserCreated { user } => {
            refuse_me(Some(user), None)?;
            ActionSpec::DeleteUser(p::User { user: user.clone() })
        }
        What::LoginProfile { user, .. } => {
            refuse_me(Some(user), None)?;
            ActionSpec::DeleteLoginProfile(p::User { user: user.clone() })
        }
        What::PolicyAttached { on, policy } => ActionSpec::DetachPolicy(p::PolicyOn {
            principal: principal(on)?,
            policy: policy.clone(),
        }),
        What::InlinePolicy { on, policy } => ActionSpec::DeleteInlinePolicy(p::PolicyOn {
            principal: principal(on)?,
            policy: policy.clone(),
        }),
        What::AddedToGroup { user, group } => {
            refuse_me(Some(user), None)?;
            ActionSpec::RemoveFromGroup(p::Membership {
                user: user.clone(),
                group: group.clone(),
            })
        }
        What::TrustChanged { role, .. } => {
            refuse_me(None, Some(role))?;
            // The record holds only the new document: the restore keeps
            // the current one less every principal outside the account.
            ActionSpec::RestoreTrustPolicy(p::Trust {
                role: role.clone(),
                document: None,
            })
        }
        What::RoleCreated { role } => {
            refuse_me(None, Some(role))?;
            ActionSpec::LockTrustPolicy(actions::role_escalation::Role { role: role.clone() })
        }
        What::LoggingStopped { trail } => ActionSpec::StartLogging(p::Trail {
            trail: trail.clone(),
        }),
        What::AccountPublicAccessBlockRemoved => {
            ActionSpec::BlockPublicAccessAccount(actions::Account {})
        }
        What::BucketPolicy { bucket } => {
            bucket_action(Action::RemovePolicyStatements, bucket).ok_or("no policy action")?
        }
        What::Lifecycle {
            bucket, rule_ids, ..
        } if !rule_ids.is_empty() => {
            ActionSpec::RemoveLifecycleRules(actions::lifecycle_rules::Args {
                bucket: bucket.clone(),
                rules: rule_ids.clone(),
            })
        }
        What::Lifecycle { bucket, .. } => {
            return Err(format!(
                "the rules written on {bucket} carry no ID: y on the bucket's row removes those that expire data"
            ));
        }
        What::AccessPointCreated { .. } | What::Replication { .. } => {
            return Err(
                "close it from the bucket's row: A (access point) or Z (side doors, replication)"
                    .into(),
            );
        }
        What::MfaDevice { name } => {
            return Err(format!(
                "MFA device {name}: deleting its user removes it; otherwise delete it in IAM"
            ));
        }
        What::FederationToken { .. } => {
            return Err(
                "a federation token dies with its user's sessions: revoke the issuing user's sessions (credentials pane, s)"
                    .into(),
            );
        }
        What::TrailDeleted { trail } | What::TrailUpdated { trail } => {
            return Err(format!(
                "trail {trail}: make or correct the trail in CloudTrail (warroom does not rebuild trails)"
            ));
        }
        What::EventSelectors { trail, .. } => {
            return Err(format!(
                "trail {trail}: put its S3 data event selectors back in CloudTrail"
            ));
        }
        What::TrailBucketLifecycle { bucket } => {
            return Err(format!(
                "trail bucket {bucket}: remove the expiring lifecycle rule in S3"
            ));
        }
    })
}

#[cfg(test)]
mod revert_tests {
    use super::*;
    use crate::model::changes::Found;

    fn change(what: What, standing: Standing) -> Change {
        Change {
            what,
            who: "IAMUser leaked".into(),
            with_key: None,
            when: "2026-01-01T00:00:00Z".into(),
            from: None,
            event_id: None,
            found: Found::Trail,
            standing,
        }
    }

    #[test]
    fn each_change_is_taken_back_by_its_action() {
        let user = |u: &str| What::UserCreated { user: u.into() };
        let spec = revert(&change(user("backdoor"), Standing::InPlace), None).expect("offered");
        assert_eq!(spec.name(), "delete-user");
        assert_eq!(spec.target(), "user backdoor");
        let key = What::AccessKeyCreated {
            user: "leaked".into(),
            key_id: Some("AKIASECOND000000000".into()),
        };
        let spec = revert(&change(key, Standing::InPlace), None).expect("offered");
        assert_eq!(spec.name(), "deactivate-key");
        let stop = What::LoggingStopped {
            trail: "main".into(),
        };
        let spec = revert(&change(stop, Standing::Unknown("?".into())), None).expect("offered");
        assert_eq!(spec.name(), "start-logging");
        let attach = What::PolicyAttached {
            on: Holder::Role("app".into()),
            policy: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        };
        let spec = revert(&change(attach, Standing::InPlace), None).expect("offered");
        assert_eq!(spec.name(), "detach-policy");
    }

    #[test]
    fn gone_changes_groups_and_the_responder_are_refused() {
        let user = What::UserCreated {
            user: "backdoor".into(),
        };
        assert!(revert(&change(user.clone(), Standing::Gone), None).is_err());
        let me = "arn:aws:iam::123456789012:user/backdoor";
        let why = revert(&change(user, Standing::InPlace), Some(me)).expect_err("refused");
        assert!(why.contains("runs as"), "{why}");
        let trust = What::TrustChanged {
            role: "responder".into(),
            document: None,
        };
        let me = "arn:aws:sts::123456789012:assumed-role/responder/session";
        assert!(revert(&change(trust, Standing::InPlace), Some(me)).is_err());
        let group = What::InlinePolicy {
            on: Holder::Group("admins".into()),
            policy: "x".into(),
        };
        assert!(revert(&change(group, Standing::InPlace), None).is_err());
    }
}
