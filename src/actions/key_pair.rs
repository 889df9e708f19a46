//! EC2 key pair rotation, guided, and deletion of the old key pair.
//!
//! Rotation creates a new key pair (its private key is written once, mode
//! 0600, to `keys/<name>.pem` in the incident directory: never on screen,
//! never in the journal, which holds only the fingerprint), then gives every
//! launch template whose default version uses the old key a new default
//! version with the new key. Undo makes the recorded versions the defaults
//! again. Deleting the old key pair is a separate, irreversible action whose
//! plan records the public key and fingerprint first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::inline_policy::now_utc;
use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::{AwsError, Clients, ec2};
use crate::model::credentials::{InstanceFacts, TemplateVersionRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Chosen by the plan (old name + timestamp) when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_name: Option<String>,
}

impl Args {
    pub fn named(name: &str) -> Self {
        Args {
            name: name.to_string(),
            region: None,
            new_name: None,
        }
    }

    pub fn target(&self) -> String {
        format!("key pair {}", self.name)
    }
}

/// Where the new private key goes, relative to the incident directory.
pub fn private_key_path(new_name: &str) -> std::path::PathBuf {
    std::path::Path::new("keys").join(format!("{new_name}.pem"))
}

/// A key pair and what uses it: the blast radius of rotating or deleting it.
#[derive(Debug, Clone)]
pub struct Usage {
    pub region: String,
    pub record: ec2::KeyPairRecord,
    pub instances: Vec<InstanceFacts>,
    pub templates: Vec<TemplateVersionRef>,
}

async fn usage(c: &Clients, name: &str, region: Option<&str>) -> Result<Usage, ActionError> {
    let region = region.map_or_else(|| c.region().to_string(), str::to_string);
    let record = ec2::key_pair(c, &region, name)
        .await?
        .ok_or_else(|| ActionError::NothingToDo(format!("no key pair {name} in {region}")))?;
    let instances = ec2::instances(c, &region)
        .await?
        .into_iter()
        .filter(|i| i.key_name.as_deref() == Some(name))
        .collect();
    let templates = ec2::templates_using_key(c, &region, name).await?;
    Ok(Usage {
        region,
        record,
        instances,
        templates,
    })
}

fn instance_lines(instances: &[InstanceFacts]) -> String {
    if instances.is_empty() {
        return "No instance was launched with it.".into();
    }
    format!(
        "{} instance(s) were launched with it and keep its public key in \
         ~/.ssh/authorized_keys until someone replaces it there (this does not \
         touch running instances): {}.",
        instances.len(),
        instances
            .iter()
            .map(|i| format!("{} ({})", i.id, i.state.as_deref().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// template id → default version, for the templates to change.
fn defaults(prior: &Value) -> BTreeMap<String, i64> {
    prior
        .get("templates")
        .and_then(|t| serde_json::from_value(t.clone()).ok())
        .unwrap_or_default()
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let u = usage(c, &a.name, a.region.as_deref()).await?;
    let stamp: String = now_utc().chars().filter(char::is_ascii_digit).collect();
    let new_name = a
        .new_name
        .clone()
        .unwrap_or_else(|| format!("{}-{stamp}", a.name));
    Ok(rotation_plan(a, u, &new_name))
}

/// The rotation plan for what was read (pure: the console's snapshot test
/// draws it from fixed facts).
pub fn rotation_plan(a: &Args, u: Usage, new_name: &str) -> Plan {
    let new_name = new_name.to_string();
    let to_change: BTreeMap<String, i64> = u
        .templates
        .iter()
        .filter(|t| t.is_default)
        .map(|t| (t.template_id.clone(), t.version))
        .collect();
    let others = u.templates.iter().filter(|t| !t.is_default).count();
    let mut before = vec![format!(
        "key pair {} ({})",
        a.name,
        u.record.fingerprint.as_deref().unwrap_or("no fingerprint")
    )];
    let mut after = vec![format!(
        "new key pair {new_name}; private key to {} (0600)",
        private_key_path(&new_name).display()
    )];
    for t in u.templates.iter().filter(|t| t.is_default) {
        before.push(format!(
            "{} ({}): default v{} uses {}",
            t.template_id, t.template_name, t.version, a.name
        ));
        after.push(format!(
            "{}: new default version uses {new_name}",
            t.template_id
        ));
    }
    Plan {
        spec: ActionSpec::RotateKeyPair(Args {
            name: a.name.clone(),
            region: Some(u.region.clone()),
            new_name: Some(new_name.clone()),
        }),
        summary: format!("rotate key pair {} to {new_name} in {}", a.name, u.region),
        before,
        after,
        diff: Vec::new(),
        blast_radius: format!(
            "{} {} launch template(s) get a new default version with {new_name}{}. The old \
             key pair stays until you delete it (delete-key-pair {}, irreversible).",
            instance_lines(&u.instances),
            to_change.len(),
            if others > 0 {
                format!(
                    "; {others} older, non-default version(s) still name {} and are left as they are",
                    a.name
                )
            } else {
                String::new()
            },
            a.name
        ),
        confirm: Confirm::TypeName {
            text: a.name.clone(),
        },
        undo: "undo makes the recorded versions the defaults again; the new key pair \
               and its .pem file stay"
            .into(),
        undoable: true,
        prior: json!({"key_pair": u.record, "templates": to_change}),
        region: u.region,
    }
}

fn new_name_of(a: &Args) -> Result<&str, AwsError> {
    a.new_name
        .as_deref()
        .ok_or_else(|| AwsError::new("BadPlan", "the plan has no new key pair name"))
}

pub async fn apply(cx: &Cx<'_>, id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
    let new_name = new_name_of(a)?;
    let dir = cx.incident.lock().await.dir().to_path_buf();
    let relative = private_key_path(new_name);
    let path = dir.join(&relative);
    // The directory must be writable before the key exists: a private key
    // that cannot be saved is a key pair nobody can use.
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| AwsError::new("LocalIO", format!("{}: {e}", parent.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700));
        }
    }
    let key_type = plan
        .prior
        .get("key_pair")
        .and_then(|k| k.get("key_type"))
        .and_then(Value::as_str);
    let created = ec2::create_key_pair(cx.clients, &plan.region, new_name, key_type).await?;
    if let Err(e) = created.write_private_key(&path) {
        // Do not leave behind a key pair whose private key is lost.
        let _ = ec2::delete_key_pair(cx.clients, &plan.region, new_name).await;
        return Err(AwsError::new(
            "LocalIO",
            format!(
                "could not save the private key to {}: {e}; the new key pair was deleted again",
                path.display()
            ),
        ));
    }
    drop(created);
    cx.record(
        "action_note",
        json!({
            "summary": format!("{id}: new key pair {new_name}, private key in {} (mode 0600)", relative.display()),
            "action_id": id,
            "key_pair": new_name,
            "private_key_file": relative,
            "fingerprint": ec2::key_pair(cx.clients, &plan.region, new_name).await?.and_then(|k| k.fingerprint),
        }),
    )
    .await
    .map_err(|e| AwsError::new("Journal", e.to_string()))?;
    for (template, source) in defaults(&plan.prior) {
        let version = ec2::new_template_version_with_key(
            cx.clients,
            &plan.region,
            &template,
            source,
            new_name,
        )
        .await?;
        ec2::set_default_version(cx.clients, &plan.region, &template, version).await?;
        cx.record(
            "action_note",
            json!({
                "summary": format!("{id}: {template} default version {source} → {version} (uses {new_name})"),
                "action_id": id,
                "template": template,
                "from": source,
                "to": version,
            }),
        )
        .await
        .map_err(|e| AwsError::new("Journal", e.to_string()))?;
    }
    Ok(())
}

pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let new_name = new_name_of(a)?;
    let exists = ec2::key_pair(c, &plan.region, new_name).await?.is_some();
    let using_new = ec2::templates_using_key(c, &plan.region, new_name).await?;
    let missing: Vec<String> = defaults(&plan.prior)
        .into_keys()
        .filter(|t| {
            !using_new
                .iter()
                .any(|u| &u.template_id == t && u.is_default)
        })
        .collect();
    Ok(Verification {
        ok: exists && missing.is_empty(),
        detail: match (exists, missing.is_empty()) {
            (true, true) => {
                format!("read back: {new_name} exists and every changed template's default uses it")
            }
            (false, _) => format!("read back: key pair {new_name} not found"),
            (true, false) => format!(
                "read back: default version does not use {new_name}: {}",
                missing.join(", ")
            ),
        },
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let recorded = defaults(prior);
    for (template, version) in &recorded {
        ec2::set_default_version(cx.clients, region, template, *version).await?;
    }
    let mut now = BTreeMap::new();
    for template in recorded.keys() {
        now.insert(
            template.clone(),
            ec2::default_version(cx.clients, region, template).await?,
        );
    }
    let key_pair = ec2::key_pair(cx.clients, region, &a.name).await?;
    Ok(compare_with_prior(
        Ok(json!({"key_pair": key_pair, "templates": now})),
        prior,
    ))
}

/// Delete the old key pair: irreversible; its public key and fingerprint
/// are recorded first.
pub mod delete {
    use super::*;

    pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
        let u = usage(c, &a.name, a.region.as_deref()).await?;
        Ok(Plan {
            spec: ActionSpec::DeleteKeyPair(Args {
                name: a.name.clone(),
                region: Some(u.region.clone()),
                new_name: None,
            }),
            summary: format!("DELETE key pair {} in {} (irreversible)", a.name, u.region),
            before: vec![format!(
                "key pair {} ({})",
                a.name,
                u.record.fingerprint.as_deref().unwrap_or("no fingerprint")
            )],
            after: vec!["(deleted)".into()],
            diff: Vec::new(),
            blast_radius: format!(
                "No new instance can be launched with {}{}. {}",
                a.name,
                if u.templates.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", and launches from {} template version(s) that still name it fail",
                        u.templates.len()
                    )
                },
                instance_lines(&u.instances)
            ),
            confirm: Confirm::TypeName {
                text: a.name.clone(),
            },
            undo: "cannot be undone by EC2. The public key is recorded in the journal, so \
                   `aws ec2 import-key-pair` can register it again (with a new key pair id)"
                .into(),
            undoable: false,
            prior: json!({"key_pair": u.record}),
            region: u.region,
        })
    }

    pub async fn apply(cx: &Cx<'_>, _id: &str, a: &Args, plan: &Plan) -> Result<(), AwsError> {
        ec2::delete_key_pair(cx.clients, &plan.region, &a.name).await
    }

    pub async fn verify(c: &Clients, a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
        let gone = ec2::key_pair(c, &plan.region, &a.name).await?.is_none();
        Ok(Verification::gone(&format!("key pair {}", a.name), gone))
    }

    pub async fn undo(
        _cx: &Cx<'_>,
        _id: &str,
        a: &Args,
        _region: &str,
        _prior: &Value,
    ) -> Result<Verification, AwsError> {
        super::super::not_undoable(&format!("deleting key pair {}", a.name))
    }
}
