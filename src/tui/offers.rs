//! What a key, a checklist step or `warroom act` offers on a bucket: the
//! bucket actions by key and by name, and the door `A` and `Z` close
//! first (the worst one), read from the bucket's facts as the WHY shows
//! them.

use crate::actions::{self, ActionSpec};
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
        Action::EnableEncryption => ActionSpec::EnableEncryption(actions::encryption::Args {
            bucket: bucket.to_string(),
            kms_key: None,
        }),
        _ => return None,
    })
}
