//! Require IMDSv2 (session tokens) on one instance, or on every instance
//! that holds a role through its instance profile. Every metadata option is
//! sent, not only HttpTokens; undo sends back every recorded option.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ActionError, ActionSpec, Confirm, Cx, Plan, Verification, compare_with_prior};
use crate::aws::{AwsError, Clients, ec2, iam};
use crate::model::credentials::{ImdsOptions, InstanceFacts};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Instance(String),
    /// Every instance whose instance profile carries this role.
    Role(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Args {
    pub scope: Scope,
    /// Defaults to the console's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Args {
    pub fn target(&self) -> String {
        match &self.scope {
            Scope::Instance(id) => format!("instance {id}"),
            Scope::Role(r) => format!("instances of role {r}"),
        }
    }
}

fn region_of(c: &Clients, a: &Args) -> String {
    a.region.clone().unwrap_or_else(|| c.region().to_string())
}

async fn in_scope(c: &Clients, a: &Args, region: &str) -> Result<Vec<InstanceFacts>, AwsError> {
    match &a.scope {
        Scope::Instance(id) => Ok(vec![ec2::instance(c, region, id).await?]),
        Scope::Role(role) => {
            let profiles = iam::instance_profiles_for_role(c, role).await?;
            Ok(ec2::instances(c, region)
                .await?
                .into_iter()
                .filter(|i| {
                    i.instance_profile_arn
                        .as_ref()
                        .is_some_and(|arn| profiles.contains(arn))
                })
                .collect())
        }
    }
}

/// instance id → every metadata option, as recorded.
fn record(instances: &[InstanceFacts]) -> Value {
    let map: BTreeMap<&str, &ImdsOptions> =
        instances.iter().map(|i| (i.id.as_str(), &i.imds)).collect();
    serde_json::to_value(map).unwrap_or(Value::Null)
}

fn recorded(prior: &Value) -> BTreeMap<String, ImdsOptions> {
    serde_json::from_value(prior.clone()).unwrap_or_default()
}

pub async fn plan(c: &Clients, a: &Args) -> Result<Plan, ActionError> {
    let region = region_of(c, a);
    let all = in_scope(c, a, &region).await?;
    let todo: Vec<InstanceFacts> = all
        .iter()
        .filter(|i| !i.imds.v2_required())
        .cloned()
        .collect();
    if todo.is_empty() {
        return Err(ActionError::NothingToDo(if all.is_empty() {
            format!("no instance in {region} for {}", a.target())
        } else {
            format!("IMDSv2 is already required on {}", a.target())
        }));
    }
    let line = |i: &InstanceFacts, tokens: &str| {
        format!(
            "{}: HttpTokens {tokens}, endpoint {}, hop limit {}",
            i.id,
            i.imds.http_endpoint.as_deref().unwrap_or("?"),
            i.imds
                .http_put_response_hop_limit
                .map_or("?".to_string(), |h| h.to_string())
        )
    };
    Ok(Plan {
        spec: ActionSpec::RequireImdsV2(Args {
            scope: a.scope.clone(),
            region: Some(region.clone()),
        }),
        summary: format!("require IMDSv2 on {} instance(s) in {region}", todo.len()),
        before: todo
            .iter()
            .map(|i| line(i, i.imds.http_tokens.as_deref().unwrap_or("?")))
            .collect(),
        after: todo.iter().map(|i| line(i, "required")).collect(),
        diff: Vec::new(),
        blast_radius: format!(
            "Metadata requests without a session token (IMDSv1) fail on {}: old SDKs, \
             agents and scripts that use IMDSv1 lose their role credentials. A stolen \
             instance-role credential is NOT revoked by this; it stops SSRF-style theft \
             of new ones.",
            todo.iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        confirm: Confirm::YesNo,
        undo: "undo sends back every recorded metadata option".into(),
        undoable: true,
        prior: record(&todo),
        region,
    })
}

pub async fn apply(cx: &Cx<'_>, _id: &str, _a: &Args, plan: &Plan) -> Result<(), AwsError> {
    for (id, options) in recorded(&plan.prior) {
        let wanted = ImdsOptions {
            http_tokens: Some("required".into()),
            ..options
        };
        ec2::set_imds_options(cx.clients, &plan.region, &id, &wanted).await?;
    }
    Ok(())
}

async fn read_back(c: &Clients, region: &str, ids: &[String]) -> Result<Value, AwsError> {
    let all = ec2::instances(c, region).await?;
    let mine: Vec<InstanceFacts> = all.into_iter().filter(|i| ids.contains(&i.id)).collect();
    Ok(record(&mine))
}

pub async fn verify(c: &Clients, _a: &Args, plan: &Plan) -> Result<Verification, AwsError> {
    let prior = recorded(&plan.prior);
    let ids: Vec<String> = prior.keys().cloned().collect();
    let now = recorded(&read_back(c, &plan.region, &ids).await?);
    let mut wrong = Vec::new();
    for (id, before) in &prior {
        let expected = ImdsOptions {
            http_tokens: Some("required".into()),
            ..before.clone()
        };
        if now.get(id) != Some(&expected) {
            wrong.push(id.clone());
        }
    }
    Ok(Verification {
        ok: wrong.is_empty(),
        detail: if wrong.is_empty() {
            format!(
                "read back: IMDSv2 required on {}, other options unchanged",
                ids.join(", ")
            )
        } else {
            format!("read back: not as planned on {}", wrong.join(", "))
        },
    })
}

pub async fn undo(
    cx: &Cx<'_>,
    _id: &str,
    _a: &Args,
    region: &str,
    prior: &Value,
) -> Result<Verification, AwsError> {
    let recorded = recorded(prior);
    for (id, options) in &recorded {
        ec2::set_imds_options(cx.clients, region, id, options).await?;
    }
    let ids: Vec<String> = recorded.keys().cloned().collect();
    Ok(compare_with_prior(
        read_back(cx.clients, region, &ids).await,
        prior,
    ))
}
