//! The action engine: plan → confirm → apply → verify → journal → undo.
//!
//! An action is a value ([`ActionSpec`]). [`plan`] reads the exact prior
//! state (if that read fails, there is no plan and nothing runs) and
//! describes the change and its blast radius. [`execute`] journals every
//! stage *before* it happens (the prior state goes to evidence first), applies
//! through the normal clients (so `--read-only` is enforced at its one choke
//! point), then reads the state back and compares it with the plan. [`undo`]
//! is built only from the prior state recorded in the journal.
//!
//! The console and `warroom act` both drive this module; the journal records
//! their actions identically.

pub mod bucket_pab;
pub mod bucket_policy;

/// The one place that maps an action to the module implementing it. Every
/// action module has the same five functions: `plan`, `apply`, `verify`,
/// `current` and `restore`. A new action is a variant of [`ActionSpec`], an
/// arm here, and its module; the engine itself does not change.
macro_rules! with_module {
    ($spec:expr, |$m:ident, $bucket:ident| $body:expr) => {
        match $spec {
            ActionSpec::BlockPublicAccess { bucket: $bucket } => {
                use bucket_pab as $m;
                $body
            }
            ActionSpec::DeleteBucketPolicy { bucket: $bucket } => {
                use bucket_policy as $m;
                $body
            }
        }
    };
}

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::aws::{AwsError, Clients};
use crate::incident::{Incident, IncidentError};

/// What to do, to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum ActionSpec {
    /// Turn on all four Block Public Access settings for one bucket.
    BlockPublicAccess { bucket: String },
    /// Delete the bucket policy (undo puts the recorded document back).
    DeleteBucketPolicy { bucket: String },
}

impl ActionSpec {
    pub fn name(&self) -> &'static str {
        match self {
            ActionSpec::BlockPublicAccess { .. } => "block-public-access",
            ActionSpec::DeleteBucketPolicy { .. } => "delete-bucket-policy",
        }
    }

    /// The bucket the action is about, if any (to refresh its row after).
    pub fn bucket(&self) -> Option<&str> {
        match self {
            ActionSpec::BlockPublicAccess { bucket }
            | ActionSpec::DeleteBucketPolicy { bucket } => Some(bucket),
        }
    }

    pub fn target(&self) -> String {
        match self {
            ActionSpec::BlockPublicAccess { bucket }
            | ActionSpec::DeleteBucketPolicy { bucket } => format!("s3://{bucket}"),
        }
    }
}

/// How the responder must confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Confirm {
    /// y/n.
    YesNo,
    /// Type this text (the bucket name) exactly.
    TypeName { text: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub spec: ActionSpec,
    /// One line: what will change.
    pub summary: String,
    /// Before/after, one line each per setting that changes.
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub blast_radius: String,
    pub confirm: Confirm,
    /// How it can be undone, or why it cannot.
    pub undo: String,
    /// The exact prior state, as read (also saved as evidence).
    pub prior: Value,
    /// Where the target lives.
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Applied and read back as planned.
    Done {
        action_id: String,
        verification: Verification,
    },
    /// Applied, but the state read back is not what was planned.
    NotVerified {
        action_id: String,
        verification: Verification,
    },
    DryRun {
        action_id: String,
    },
    Cancelled {
        action_id: String,
    },
    Failed {
        action_id: String,
        stage: String,
        error: AwsError,
    },
}

impl Outcome {
    fn verified(action_id: String, verification: Verification) -> Self {
        if verification.ok {
            Outcome::Done {
                action_id,
                verification,
            }
        } else {
            Outcome::NotVerified {
                action_id,
                verification,
            }
        }
    }

    pub fn action_id(&self) -> &str {
        match self {
            Outcome::Done { action_id, .. }
            | Outcome::NotVerified { action_id, .. }
            | Outcome::DryRun { action_id }
            | Outcome::Cancelled { action_id }
            | Outcome::Failed { action_id, .. } => action_id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The prior state could not be read: the action must not run.
    #[error("cannot read the current state, so the action will not run: {0} — {msg}", msg = .0.message)]
    Capture(AwsError),
    #[error(transparent)]
    Journal(#[from] IncidentError),
    /// Nothing to change (e.g. no policy to delete): no plan, nothing runs.
    #[error("nothing to do: {0}")]
    NothingToDo(String),
    #[error("no action {0} in this incident")]
    UnknownAction(String),
    #[error("action {id} cannot be undone: {why}")]
    CannotUndo { id: String, why: String },
}

/// Journal a failure at `stage` and return it as the outcome.
fn failed(
    incident: &mut Incident,
    action_id: &str,
    stage: &str,
    what: &str,
    error: AwsError,
) -> Result<Outcome, ActionError> {
    incident.record(
        "action_failed",
        json!({
            "summary": format!("{action_id}: {what}: {} ({})", error.message, error.code),
            "action_id": action_id,
            "stage": stage,
            "error": error,
        }),
    )?;
    Ok(Outcome::Failed {
        action_id: action_id.to_string(),
        stage: stage.to_string(),
        error,
    })
}

/// Read the prior state and describe the change.
pub async fn plan(clients: &Clients, spec: &ActionSpec) -> Result<Plan, ActionError> {
    with_module!(spec, |m, bucket| m::plan(clients, bucket).await)
}

/// Journal, apply, verify. `confirmed` says the responder confirmed as the
/// plan required (the caller checks the typed name); `how` records how.
pub async fn execute(
    incident: &mut Incident,
    clients: &Clients,
    plan: &Plan,
    confirmed: bool,
    how: &str,
    dry_run: bool,
) -> Result<Outcome, ActionError> {
    // The prior state goes to evidence and the journal before anything else.
    let prior_bytes =
        serde_json::to_vec_pretty(&plan.prior).map_err(|e| IncidentError::Encode(e.to_string()))?;
    let evidence = incident.store_evidence(&prior_bytes, "json")?;
    let planned = incident.record(
        "action_planned",
        json!({
            "summary": format!("{} on {}: {}", plan.spec.name(), plan.spec.target(), plan.summary),
            "spec": plan.spec,
            "region": plan.region,
            "before": plan.before,
            "after": plan.after,
            "blast_radius": plan.blast_radius,
            "undo": plan.undo,
            "prior": plan.prior,
            "prior_evidence": evidence,
            "dry_run": dry_run,
        }),
    )?;
    let action_id = format!("A{}", planned.seq);
    let id = json!(action_id);
    if dry_run {
        incident.record(
            "action_dry_run",
            json!({"summary": format!("{action_id}: dry run, nothing applied"), "action_id": id}),
        )?;
        return Ok(Outcome::DryRun { action_id });
    }
    if !confirmed {
        incident.record(
            "action_cancelled",
            json!({"summary": format!("{action_id}: not confirmed"), "action_id": id}),
        )?;
        return Ok(Outcome::Cancelled { action_id });
    }
    incident.record(
        "action_confirmed",
        json!({"summary": format!("{action_id}: confirmed ({how})"), "action_id": id, "how": how}),
    )?;
    if let Err(error) = apply(clients, plan).await {
        return failed(incident, &action_id, "apply", "apply failed", error);
    }
    incident.record(
        "action_applied",
        json!({"summary": format!("{action_id}: applied"), "action_id": id}),
    )?;
    let verification = match verify(clients, plan).await {
        Ok(v) => v,
        Err(error) => {
            return failed(incident, &action_id, "verify", "could not read back", error);
        }
    };
    incident.record(
        "action_verified",
        json!({"summary": format!("{action_id}: {}", verification.detail), "action_id": id, "ok": verification.ok}),
    )?;
    Ok(Outcome::verified(action_id, verification))
}

async fn apply(clients: &Clients, plan: &Plan) -> Result<(), AwsError> {
    with_module!(&plan.spec, |m, bucket| m::apply(
        clients,
        bucket,
        &plan.region
    )
    .await)
}

async fn verify(clients: &Clients, plan: &Plan) -> Result<Verification, AwsError> {
    with_module!(&plan.spec, |m, bucket| m::verify(
        clients,
        bucket,
        &plan.region
    )
    .await)
}

/// Reverse an applied action from the prior state in its journal entry,
/// then read back and check the state equals that prior state.
pub async fn undo(
    incident: &mut Incident,
    clients: &Clients,
    action_id: &str,
) -> Result<Outcome, ActionError> {
    let (spec, region, prior) = undo_record(incident, action_id)?;
    let id = json!(action_id);
    incident.record("undo_started", json!({"summary": format!("{action_id}: undo started (restoring the recorded prior state)"), "action_id": id}))?;
    let result = with_module!(&spec, |m, bucket| m::restore(
        clients, bucket, &region, &prior
    )
    .await);
    if let Err(error) = result {
        return failed(incident, action_id, "undo", "undo failed", error);
    }
    let now = with_module!(&spec, |m, bucket| m::current(clients, bucket, &region)
        .await);
    let verification = match now {
        Ok(state) if state == prior => Verification {
            ok: true,
            detail: "state read back equals the recorded prior state".into(),
        },
        Ok(state) => Verification {
            ok: false,
            detail: format!(
                "state read back differs from the recorded prior state: now {state}, recorded {prior}"
            ),
        },
        Err(e) => Verification {
            ok: false,
            detail: format!("could not read back: {e}"),
        },
    };
    incident.record(
        "action_undone",
        json!({"summary": format!("{action_id}: undone — {}", verification.detail), "action_id": id, "ok": verification.ok}),
    )?;
    let action_id = action_id.to_string();
    Ok(Outcome::verified(action_id, verification))
}

/// The spec, region and prior state of an action that was applied and not
/// yet undone, from the journal alone.
fn undo_record(
    incident: &Incident,
    action_id: &str,
) -> Result<(ActionSpec, String, Value), ActionError> {
    let entries = incident.all_entries()?;
    let seq: u64 = action_id
        .strip_prefix('A')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ActionError::UnknownAction(action_id.to_string()))?;
    let planned = entries
        .iter()
        .find(|e| e.seq == seq && e.kind == "action_planned")
        .ok_or_else(|| ActionError::UnknownAction(action_id.to_string()))?;
    let about = |kind: &str| {
        entries
            .iter()
            .any(|e| e.kind == kind && e.data["action_id"] == action_id)
    };
    let cannot = |why: &str| ActionError::CannotUndo {
        id: action_id.to_string(),
        why: why.to_string(),
    };
    if !about("action_applied") {
        return Err(cannot("it was never applied"));
    }
    if about("action_undone") {
        return Err(cannot("it has already been undone"));
    }
    let spec: ActionSpec = serde_json::from_value(planned.data["spec"].clone())
        .map_err(|e| cannot(&format!("unreadable plan: {e}")))?;
    let region = planned.data["region"]
        .as_str()
        .unwrap_or("us-east-1")
        .to_string();
    Ok((spec, region, planned.data["prior"].clone()))
}
