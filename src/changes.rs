//! The attacker's changes, gathered: who the incident is about (from the
//! journal: keys marked, credentials revoked, watches), every CloudTrail
//! record the tail's sources hold for the window, and the current IAM and
//! trail state, joined by `model::changes` into rows.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::aws::{AwsError, Clients};
use crate::incident::Entry;
use crate::model::changes::{self, Change, Now, Suspects};
use crate::model::trail::{TrailEvent, TrailInfo};
use crate::tail::{self, TailMsg, TailOptions};

/// The incident's principals as its journal names them: access keys
/// marked (and not unmarked since), credentials an action revoked or
/// escalated against, and every watch's target.
pub fn suspects_from_journal(entries: &[Entry], own_account: Option<String>) -> Suspects {
    let mut s = Suspects {
        own_account,
        ..Default::default()
    };
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let name_of = |arn: &str| arn.rsplit('/').next().unwrap_or(arn).to_string();
    for e in entries {
        match e.kind.as_str() {
            "key_marked" => {
                if let Some(k) = text(&e.data, "access_key_id") {
                    s.keys.insert(k);
                }
            }
            "key_unmarked" => {
                if let Some(k) = text(&e.data, "access_key_id") {
                    s.keys.remove(&k);
                }
            }
            "action_planned" => {
                let spec = e.data.get("spec").cloned().unwrap_or(Value::Null);
                let Ok(spec) = serde_json::from_value::<crate::actions::ActionSpec>(spec) else {
                    continue;
                };
                use crate::actions::ActionSpec as A;
                use crate::aws::iam::Principal;
                match spec {
                    A::DeactivateAccessKey(a) | A::DeleteAccessKey(a) => {
                        s.keys.insert(a.key_id);
                        if let Some(u) = a.user {
                            s.users.insert(u);
                        }
                    }
                    A::RevokeSessions(a) => match a.principal {
                        Principal::Role(r) => {
                            s.roles.insert(r);
                        }
                        Principal::User(u) => {
                            s.users.insert(u);
                        }
                    },
                    A::DenyAllRole(r) | A::LockTrustPolicy(r) | A::DetachManagedPolicies(r) => {
                        s.roles.insert(r.role);
                    }
                    _ => {}
                }
            }
            "watch_started" => {
                let target = e.data.get("spec").and_then(|s| s.get("target"));
                let Some(target) = target else { continue };
                match (text(target, "kind").as_deref(), text(target, "arn")) {
                    (Some("access_key"), _) => {
                        if let Some(k) = text(target, "key_id") {
                            s.keys.insert(k);
                        }
                    }
                    (Some("role"), Some(arn)) => {
                        s.roles.insert(name_of(&arn));
                        s.principals.insert(arn);
                    }
                    (Some("user"), Some(arn)) => {
                        s.users.insert(name_of(&arn));
                        s.principals.insert(arn);
                    }
                    (_, Some(arn)) => {
                        s.principals.insert(arn);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    s
}

/// When the incident's window opened: its journal's first entry.
pub fn window_opened(entries: &[Entry]) -> Option<i64> {
    entries
        .first()
        .and_then(|e| crate::time::parse_time(&e.time))
}

/// What the changes were read from, and what could not be read (each a
/// line for the responder: a change not seen is not a change not made).
#[derive(Debug, Default)]
pub struct Gathered {
    pub changes: Vec<Change>,
    pub problems: Vec<String>,
    pub trails: Option<Vec<TrailInfo>>,
    pub events_read: usize,
}

/// Read the window's records from every source of the tail, the trails,
/// and the credentials; join them.
pub async fn gather(
    clients: &Clients,
    suspects: &Suspects,
    since: i64,
    regions: &[String],
) -> Result<Gathered, AwsError> {
    let account = clients.account_id().await?;
    let now_secs = crate::time::now_secs();
    let opts = TailOptions {
        since: (now_secs - since).max(60),
        regions: regions.to_vec(),
        every: std::time::Duration::from_secs(30),
        follow: false,
    };
    let mut events: Vec<TrailEvent> = Vec::new();
    let mut trails = None;
    let mut problems = Vec::new();
    tail::run(clients, &opts, |msg| {
        match msg {
            TailMsg::Trails(Ok(t)) => trails = Some(t),
            TailMsg::Trails(Err(e)) => {
                problems.push(format!("trails not read: {}", e.said()));
            }
            TailMsg::Events { events: batch, .. } => events.extend(batch),
            TailMsg::SourceStatus {
                source,
                error: Some(e),
            } => problems.push(format!("{}: {e}", source.label())),
            _ => {}
        }
        true
    })
    .await;
    let creds = crate::credentials::load(clients, &account, regions).await;
    if creds.users.known().is_none() {
        problems.push("IAM users not read: the sweep cannot see new keys or users".into());
    }
    let now = Now {
        creds: Some(&creds),
        trails: trails.as_deref(),
    };
    let mut rows = changes::from_events(&events, suspects, since, now);
    changes::sweep(&mut rows, suspects, since, now);
    stand_lifecycle(clients, &mut rows, &mut problems).await;
    Ok(Gathered {
        events_read: events.len(),
        changes: rows,
        trails: trails.clone(),
        problems: dedup(problems),
    })
}

/// Lifecycle writes are joined with each bucket's rules read now (one read
/// per bucket): still there, partly, or gone.
async fn stand_lifecycle(
    clients: &Clients,
    rows: &mut [changes::Change],
    problems: &mut Vec<String>,
) {
    let buckets: BTreeSet<String> = rows
        .iter()
        .filter_map(|c| match &c.what {
            changes::What::Lifecycle { bucket, .. } => Some(bucket.clone()),
            _ => None,
        })
        .collect();
    for bucket in buckets {
        let read = match crate::aws::exposure::bucket_region(clients, &bucket).await {
            Ok(region) => crate::aws::lifecycle::rules(clients, &bucket, &region).await,
            Err(e) => Err(e),
        };
        for c in rows.iter_mut() {
            let changes::What::Lifecycle {
                bucket: b,
                rule_ids,
                ..
            } = &c.what
            else {
                continue;
            };
            if *b != bucket {
                continue;
            }
            c.standing = match &read {
                Ok(rules) => changes::lifecycle_standing(rule_ids, rules),
                Err(e) => changes::Standing::Unknown(format!("lifecycle not read: {}", e.code)),
            };
        }
        if let Err(e) = &read {
            problems.push(format!("lifecycle of {bucket} not read: {}", e.said()));
        }
    }
}

/// The lifecycle rules an incident principal wrote on `bucket` since the
/// window opened (the IDs their requests carried), and what could not be
/// read: what `remove-lifecycle-rules --planted` removes.
pub async fn planted_lifecycle_ids(
    clients: &Clients,
    entries: &[Entry],
    bucket: &str,
    regions: &[String],
) -> Result<(Vec<String>, Vec<String>), AwsError> {
    let account = clients.account_id().await.ok();
    let suspects = suspects_from_journal(entries, account);
    let since = window_opened(entries).unwrap_or_else(|| crate::time::now_secs() - 86_400);
    let g = gather(clients, &suspects, since, regions).await?;
    let mut ids: Vec<String> = g
        .changes
        .into_iter()
        .filter_map(|c| match c.what {
            changes::What::Lifecycle {
                bucket: b,
                rule_ids,
                ..
            } if b == bucket => Some(rule_ids),
            _ => None,
        })
        .flatten()
        .collect();
    ids.sort();
    ids.dedup();
    Ok((ids, g.problems))
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.into_iter().filter(|p| seen.insert(p.clone())).collect()
}
