//! `warroom act`: one action without the console — the same plan, confirm,
//! apply, verify path, journaled exactly as the console journals it, so
//! runbooks and other tools can drive warroom.

use std::io::IsTerminal;
use std::process::ExitCode;

use color_eyre::eyre::Result;
use serde_json::json;
use tokio::sync::Mutex;
use warroom::actions::{self, ActionSpec, Confirm, Cx, Outcome, Plan, Progress};
use warroom::cli::{ActArgs, ActCommand, GlobalArgs};
use warroom::model::facts::PublicAccessBlock;
use warroom::sanitize::clean;

use super::{clients, end_session, open_incident, start_session};

/// An `act` command is one action to run, an undo, or an explanation.
enum Request {
    Run(ActionSpec, ActArgs),
    /// Print the plan only.
    Plan(ActionSpec, ActArgs),
    Undo(String, ActArgs),
    Explain(Vec<String>),
    /// Remove the lifecycle rules the incident's principals wrote on this
    /// bucket: which ones is read from CloudTrail first.
    PlantedLifecycle(String, ActArgs),
    /// Print the table of actions.
    List {
        json: bool,
    },
}

fn request(cmd: ActCommand) -> Request {
    use actions::role_escalation::Role;
    use actions::{
        Bucket, access_key, bucket_pab, encryption, imds, key_pair, object_acls, persistence,
        policy_statements, restore, sessions,
    };
    use warroom::aws::iam::Principal;
    use warroom::model::restore::Goal;
    let bucket = |b: String| Bucket { bucket: b };
    match cmd {
        ActCommand::BlockPublicAccess { target, only, how } => {
            let only = (!only.is_empty()).then(|| PublicAccessBlock {
                block_public_acls: only.iter().any(|s| s == "block-public-acls"),
                ignore_public_acls: only.iter().any(|s| s == "ignore-public-acls"),
                block_public_policy: only.iter().any(|s| s == "block-public-policy"),
                restrict_public_buckets: only.iter().any(|s| s == "restrict-public-buckets"),
            });
            Request::Run(
                ActionSpec::BlockPublicAccess(bucket_pab::Args {
                    bucket: target.bucket,
                    only,
                }),
                how,
            )
        }
        ActCommand::BlockPublicAccessAccount { how } => Request::Run(
            ActionSpec::BlockPublicAccessAccount(actions::Account {}),
            how,
        ),
        ActCommand::RemovePolicyStatements { target, step, how } => Request::Run(
            ActionSpec::RemovePolicyStatements(policy_statements::Args {
                bucket: target.bucket,
                step: match step.as_deref() {
                    Some("control-plane") => policy_statements::Step::ControlPlane,
                    Some("data-plane") => policy_statements::Step::DataPlane,
                    _ => policy_statements::Step::Next,
                },
            }),
            how,
        ),
        ActCommand::DeleteBucketPolicy { target, how } => {
            Request::Run(ActionSpec::DeleteBucketPolicy(bucket(target.bucket)), how)
        }
        ActCommand::Quarantine { target, keep, how } => Request::Run(
            ActionSpec::Quarantine(warroom::actions::quarantine::Args {
                bucket: target.bucket,
                keep,
            }),
            how,
        ),
        ActCommand::DeleteAccessPointPolicy { target, how } => {
            Request::Run(ActionSpec::DeleteAccessPointPolicy(target.into()), how)
        }
        ActCommand::DeleteAccessPoint { target, how } => {
            Request::Run(ActionSpec::DeleteAccessPoint(target.into()), how)
        }
        ActCommand::DisableDistribution {
            target,
            distribution,
            how,
        } => Request::Run(
            ActionSpec::DisableDistribution(warroom::actions::distribution::Args {
                bucket: target.bucket,
                distribution,
            }),
            how,
        ),
        ActCommand::RemoveKeyStatement {
            target,
            key,
            statement,
            how,
        } => Request::Run(
            ActionSpec::RemoveKeyStatement(warroom::actions::kms::statement::Args {
                bucket: target.bucket,
                key,
                statement: usize::from(statement),
            }),
            how,
        ),
        ActCommand::RevokeGrant {
            target,
            key,
            grant,
            how,
        } => Request::Run(
            ActionSpec::RevokeGrant(warroom::actions::kms::grant::Args {
                bucket: target.bucket,
                key,
                grant,
            }),
            how,
        ),
        ActCommand::DisableReplicationRule { target, rule, how } => Request::Run(
            ActionSpec::DisableReplicationRule(warroom::actions::side_doors::Rule {
                bucket: target.bucket,
                rule,
            }),
            how,
        ),
        ActCommand::RemoveNotification {
            target,
            destination,
            how,
        } => Request::Run(
            ActionSpec::RemoveNotification(warroom::actions::side_doors::Destination {
                bucket: target.bucket,
                destination,
            }),
            how,
        ),
        ActCommand::DisableWebsite { target, how } => {
            Request::Run(ActionSpec::DisableWebsite(bucket(target.bucket)), how)
        }
        ActCommand::ResetCors { target, how } => {
            Request::Run(ActionSpec::ResetCors(bucket(target.bucket)), how)
        }
        ActCommand::RemoveLogGrants { target, how } => {
            Request::Run(ActionSpec::RemoveLogGrants(bucket(target.bucket)), how)
        }
        ActCommand::ResetBucketAcl { target, how } => {
            Request::Run(ActionSpec::ResetBucketAcl(bucket(target.bucket)), how)
        }
        ActCommand::ResetObjectAcls {
            target,
            key,
            prefix,
            how,
        } => Request::Run(
            ActionSpec::ResetObjectAcls(object_acls::Args {
                bucket: target.bucket,
                key,
                prefix,
            }),
            how,
        ),
        ActCommand::DisableAcls { target, how } => {
            Request::Run(ActionSpec::DisableAcls(bucket(target.bucket)), how)
        }
        ActCommand::EnableVersioning { target, how } => {
            Request::Run(ActionSpec::EnableVersioning(bucket(target.bucket)), how)
        }
        ActCommand::EnableEncryption {
            target,
            kms_key,
            how,
        } => Request::Run(
            ActionSpec::EnableEncryption(encryption::Args {
                bucket: target.bucket,
                kms_key,
            }),
            how,
        ),
        ActCommand::DenyDestruction { target, keep, how } => Request::Run(
            ActionSpec::DenyDestruction(warroom::actions::deny_destruction::Args {
                bucket: target.bucket,
                keep,
            }),
            how,
        ),
        ActCommand::RemoveLifecycleRules {
            target,
            planted: true,
            how,
            ..
        } => Request::PlantedLifecycle(target.bucket, how),
        ActCommand::RemoveLifecycleRules {
            target, rules, how, ..
        } => Request::Run(
            ActionSpec::RemoveLifecycleRules(actions::lifecycle_rules::Args {
                bucket: target.bucket,
                rules,
            }),
            how,
        ),
        ActCommand::BlockSseC { target, how } => {
            Request::Run(ActionSpec::BlockSseC(bucket(target.bucket)), how)
        }
        ActCommand::RestoreArchived {
            target,
            to,
            tier,
            days,
            how,
        } => Request::Run(
            ActionSpec::RestoreArchived(actions::restore_archived::Args {
                bucket: target.bucket,
                prefix: target.path,
                to,
                tier,
                days,
            }),
            how,
        ),
        ActCommand::EnableObjectLock { target, days, how } => Request::Run(
            ActionSpec::EnableObjectLock(actions::object_lock::Args {
                bucket: target.bucket,
                days,
            }),
            how,
        ),
        ActCommand::DeactivateKey { key_id, how } => Request::Run(
            ActionSpec::DeactivateAccessKey(access_key::Args::key(&key_id)),
            how,
        ),
        ActCommand::DeleteKey { key_id, how } => Request::Run(
            ActionSpec::DeleteAccessKey(access_key::Args::key(&key_id)),
            how,
        ),
        ActCommand::RevokeRoleSessions { role, how } => Request::Run(
            ActionSpec::RevokeSessions(sessions::Args {
                principal: Principal::Role(role),
            }),
            how,
        ),
        ActCommand::RevokeUserSessions { user, how } => Request::Run(
            ActionSpec::RevokeSessions(sessions::Args {
                principal: Principal::User(user),
            }),
            how,
        ),
        ActCommand::DenyAllRole { role, how } => {
            Request::Run(ActionSpec::DenyAllRole(Role { role }), how)
        }
        ActCommand::LockTrustPolicy { role, how } => {
            Request::Run(ActionSpec::LockTrustPolicy(Role { role }), how)
        }
        ActCommand::DetachManagedPolicies { role, how } => {
            Request::Run(ActionSpec::DetachManagedPolicies(Role { role }), how)
        }
        ActCommand::RequireImdsv2 {
            instance,
            role,
            how,
        } => Request::Run(
            ActionSpec::RequireImdsV2(imds::Args {
                scope: match (instance, role) {
                    (Some(id), _) => imds::Scope::Instance(id),
                    (None, Some(role)) => imds::Scope::Role(role),
                    // clap requires one of the two.
                    (None, None) => imds::Scope::Role(String::new()),
                },
                region: None,
            }),
            how,
        ),
        ActCommand::StartLogging { trail, how } => {
            Request::Run(ActionSpec::StartLogging(persistence::Trail { trail }), how)
        }
        ActCommand::DeleteLoginProfile { user, how } => Request::Run(
            ActionSpec::DeleteLoginProfile(persistence::User { user }),
            how,
        ),
        ActCommand::DetachPolicy { policy, on, how } => Request::Run(
            ActionSpec::DetachPolicy(persistence::PolicyOn {
                principal: on.principal(),
                policy,
            }),
            how,
        ),
        ActCommand::DeleteInlinePolicy { policy, on, how } => Request::Run(
            ActionSpec::DeleteInlinePolicy(persistence::PolicyOn {
                principal: on.principal(),
                policy,
            }),
            how,
        ),
        ActCommand::RemoveFromGroup { user, group, how } => Request::Run(
            ActionSpec::RemoveFromGroup(persistence::Membership { user, group }),
            how,
        ),
        ActCommand::RestoreTrustPolicy {
            role,
            document,
            how,
        } => match document.map(std::fs::read_to_string).transpose() {
            Ok(document) => Request::Run(
                ActionSpec::RestoreTrustPolicy(persistence::Trust { role, document }),
                how,
            ),
            Err(e) => Request::Explain(vec![format!(
                "warroom: the --document file could not be read ({e}): nothing was changed"
            )]),
        },
        ActCommand::DeleteUser { user, how } => {
            Request::Run(ActionSpec::DeleteUser(persistence::User { user }), how)
        }
        ActCommand::RotateKeyPair { name, how } => {
            Request::Run(ActionSpec::RotateKeyPair(key_pair::Args::named(&name)), how)
        }
        ActCommand::DeleteKeyPair { name, how } => {
            Request::Run(ActionSpec::DeleteKeyPair(key_pair::Args::named(&name)), how)
        }
        ActCommand::Undelete { target, since, how } => Request::Run(
            ActionSpec::Undelete(restore::Args {
                bucket: target.bucket,
                prefix: target.path,
                goal: Goal::Undelete { since },
                override_order: None,
            }),
            how,
        ),
        ActCommand::RestoreVersion {
            target,
            version_id,
            how,
        } => Request::Run(
            ActionSpec::RestoreVersion(restore::Args {
                bucket: target.bucket,
                prefix: target.path,
                goal: Goal::Version { version_id },
                override_order: None,
            }),
            how,
        ),
        ActCommand::PitRestore {
            target,
            to,
            hide_newer,
            skip_versions,
            from_bucket,
            override_order,
            plan,
            how,
        } => {
            let goal = match from_bucket {
                Some(replica) => Goal::FromReplica {
                    replica,
                    to,
                    skip_versions,
                },
                None => Goal::PointInTime {
                    to,
                    hide_newer,
                    hide_keys: Vec::new(),
                    skip_versions,
                },
            };
            let spec = ActionSpec::PitRestore(restore::Args {
                bucket: target.bucket,
                prefix: target.path,
                goal,
                override_order,
            });
            if plan {
                Request::Plan(spec, how)
            } else {
                Request::Run(spec, how)
            }
        }
        ActCommand::MfaDelete { target } => Request::Explain(actions::mfa_delete_explanation(
            &target.bucket,
            "ACCOUNT_ID",
        )),
        ActCommand::Undo { action_id, how } => Request::Undo(action_id, how),
        ActCommand::List { json } => Request::List { json },
    }
}

/// `warroom act list`: the one table of actions.
fn print_catalog(json: bool) -> Result<()> {
    use strum::IntoEnumIterator;
    for kind in actions::ActionKind::iter() {
        if json {
            println!(
                "{}",
                serde_json::to_string(&json!({
                    "name": kind.name(),
                    "target": kind.target(),
                    "risk": kind.risk(),
                    "what": kind.what(),
                }))?
            );
        } else {
            println!(
                "{:<28} {:<10} {:<21} {}",
                kind.name(),
                kind.target().label(),
                kind.risk().label(),
                kind.what()
            );
        }
    }
    Ok(())
}

/// A line typed on the terminal, or `None` without one (a pipeline).
fn ask(prompt: &str) -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).ok()?;
    Some(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Ask as the plan requires; returns (confirmed, how it was confirmed).
fn confirm(plan: &Plan, how: &ActArgs, dry_run: bool) -> (bool, String) {
    if how.yes {
        return (true, "--yes".into());
    }
    if dry_run {
        return (true, "--dry-run (nothing applied)".into());
    }
    match &plan.confirm {
        Confirm::TypeName { text } => match ask(&format!("Type {} to confirm: ", clean(text))) {
            Some(typed) => (typed == *text, format!("typed {}", clean(text))),
            None => {
                eprintln!(
                    "warroom: no terminal to confirm on; pass --yes to confirm, or --dry-run"
                );
                (false, String::new())
            }
        },
        Confirm::YesNo => match ask("Apply? [y/N] ") {
            Some(a) => (
                a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes"),
                "answered yes".into(),
            ),
            None => {
                eprintln!(
                    "warroom: no terminal to confirm on; pass --yes to confirm, or --dry-run"
                );
                (false, String::new())
            }
        },
    }
}

/// Progress on stderr: one rewritten line on a terminal, a line per report
/// otherwise (so a log file shows the run).
fn show_progress(p: Progress) {
    if p.total == 0 {
        return;
    }
    let pct = p.done * 100 / p.total;
    let eta = p
        .eta()
        .map(|d| format!(", ETA {}s", d.as_secs()))
        .unwrap_or_default();
    let line = format!(
        "  {}/{} done ({pct}%): {} changed, {} already as asked, {} failed{eta}",
        p.done, p.total, p.changed, p.skipped, p.failed
    );
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K{line}");
        if p.done >= p.total {
            eprintln!();
        }
    } else {
        eprintln!("{line}");
    }
}

/// `--planted`: the rule IDs the incident's principals wrote on the bucket,
/// read from CloudTrail, as a removal of exactly those; none found is an
/// answer (exit 0), not a removal of everything.
async fn planted_request(
    global: &GlobalArgs,
    clients: &warroom::aws::Clients,
    bucket: String,
    how: ActArgs,
) -> Result<std::result::Result<Request, ExitCode>> {
    let Some(dir) = global.incident.as_deref() else {
        eprintln!(
            "warroom: --planted needs --incident DIR: the incident says whose lifecycle writes to look for"
        );
        return Ok(Err(ExitCode::from(2)));
    };
    let entries = warroom::incident::Incident::open(Some(dir))?.all_entries()?;
    let regions = global.ec2_regions.clone();
    let (ids, problems) =
        match warroom::changes::planted_lifecycle_ids(clients, &entries, &bucket, &regions).await {
            Ok(found) => found,
            Err(e) => {
                eprintln!("warroom: {}", clean(&e.said()));
                return Ok(Err(ExitCode::from(2)));
            }
        };
    for p in &problems {
        eprintln!("warroom: {}", clean(p));
    }
    if ids.is_empty() {
        eprintln!(
            "warroom: no lifecycle rule written on {} by an incident principal was found in the window; name rules with --rule ID",
            clean(&bucket)
        );
        return Ok(Err(ExitCode::SUCCESS));
    }
    eprintln!(
        "warroom: planted on {}: {}",
        clean(&bucket),
        clean(&ids.join(", "))
    );
    Ok(Ok(Request::Run(
        ActionSpec::RemoveLifecycleRules(actions::lifecycle_rules::Args { bucket, rules: ids }),
        how,
    )))
}

pub async fn run(global: &GlobalArgs, cmd: ActCommand) -> Result<ExitCode> {
    let request = request(cmd);
    if let Request::Explain(lines) = &request {
        for l in lines {
            println!("{}", clean(l));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Request::List { json } = request {
        print_catalog(json)?;
        return Ok(ExitCode::SUCCESS);
    }
    let timing = super::watch_timing(global)?;
    let clients = clients(global).await?;
    let request = match request {
        Request::PlantedLifecycle(bucket, how) => {
            match planted_request(global, &clients, bucket, how).await? {
                Ok(r) => r,
                Err(code) => return Ok(code),
            }
        }
        other => other,
    };
    // A plan on its own changes nothing and journals nothing.
    if let Request::Plan(spec, how) = &request {
        return Ok(match actions::plan(&clients, spec).await {
            Ok(plan) => {
                if how.json {
                    println!("{}", serde_json::to_string(&json!({ "plan": plan }))?);
                } else {
                    print_plan(&plan, false);
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("warroom: {}", clean(&e.to_string()));
                ExitCode::from(if matches!(e, actions::ActionError::NothingToDo(_)) {
                    0
                } else {
                    2
                })
            }
        });
    }
    let mut incident = open_incident(global)?;
    start_session(&mut incident, global, &clients, "act").await?;
    let incident = Mutex::new(incident);
    let cx = Cx::new(&clients, &incident)
        .with_progress(&show_progress)
        .with_watch_timing(timing);
    let (outcome, how, verb) = match request {
        Request::Explain(_)
        | Request::Plan(..)
        | Request::List { .. }
        | Request::PlantedLifecycle(..) => {
            unreachable!("answered above")
        }
        Request::Run(spec, how) => {
            let plan = match actions::plan(&clients, &spec).await {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("warroom: {}", clean(&e.to_string()));
                    let code = if matches!(e, actions::ActionError::NothingToDo(_)) {
                        0
                    } else {
                        2
                    };
                    end_session(&mut *incident.lock().await, Some(e.to_string()))?;
                    return Ok(ExitCode::from(code));
                }
            };
            if !how.json {
                print_plan(&plan, global.dry_run);
            }
            let (confirmed, method) = confirm(&plan, &how, global.dry_run);
            let outcome = actions::execute(&cx, &plan, confirmed, &method, global.dry_run).await;
            if how.json {
                println!(
                    "{}",
                    serde_json::to_string(
                        &json!({"plan": plan, "outcome": outcome.as_ref().ok()})
                    )?
                );
            }
            (outcome, how, "done")
        }
        Request::Undo(action_id, how) => {
            let outcome = if global.dry_run {
                Err(actions::ActionError::CannotUndo {
                    id: action_id.clone(),
                    why: "--dry-run does not apply to undo".into(),
                })
            } else {
                // The undo's own plan (from the journal), then the same
                // confirmation as any action: type the action id.
                // The journal's lock is let go before the undo takes it.
                let planned = actions::plan_undo(&*incident.lock().await, &action_id);
                match planned {
                    Err(e) => Err(e),
                    Ok(plan) => {
                        if !how.json {
                            print_plan(&plan, false);
                        }
                        let (confirmed, method) = confirm(&plan, &how, false);
                        if confirmed {
                            actions::undo(&cx, &action_id, &method).await
                        } else {
                            eprintln!("warroom: not confirmed; nothing undone");
                            Ok(Outcome::Cancelled {
                                action_id: action_id.clone(),
                            })
                        }
                    }
                }
            };
            if how.json {
                println!(
                    "{}",
                    serde_json::to_string(&json!({"outcome": outcome.as_ref().ok()}))?
                );
            }
            (outcome, how, "undone")
        }
    };
    let code = match &outcome {
        Ok(o) => {
            if !how.json {
                print_outcome(o, verb);
            }
            match o {
                Outcome::Done { .. } | Outcome::DryRun { .. } => 0,
                Outcome::Cancelled { .. } => 1,
                Outcome::Failed { .. } | Outcome::NotVerified { .. } => 2,
            }
        }
        Err(e) => {
            eprintln!("warroom: {}", clean(&e.to_string()));
            2
        }
    };
    end_session(
        &mut *incident.lock().await,
        outcome.as_ref().err().map(|e| e.to_string()),
    )?;
    Ok(ExitCode::from(code))
}

fn print_plan(plan: &Plan, dry_run: bool) {
    let c = |s: &str| clean(s).into_owned();
    println!(
        "Plan{}: {} on {}",
        if dry_run {
            " (DRY RUN: nothing will be applied)"
        } else {
            ""
        },
        plan.spec.name(),
        c(&plan.spec.target())
    );
    println!("  {}", c(&plan.summary));
    if plan.before.len() == plan.after.len() {
        for (before, after) in plan.before.iter().zip(&plan.after) {
            let mark = if before == after { " " } else { "~" };
            println!("  {mark} {:<28} -> {}", c(before), c(after));
        }
    } else {
        // Not setting-by-setting (a restore's counts): what is, then what will be.
        for b in &plan.before {
            println!("  now:   {}", c(b));
        }
        for a in &plan.after {
            println!("  after: {}", c(a));
        }
    }
    if !plan.diff.is_empty() {
        println!(
            "  {}:",
            if plan.spec.name().contains("polic") {
                "Policy diff"
            } else {
                "Details"
            }
        );
        for line in &plan.diff {
            println!("    {}", c(line));
        }
    }
    println!("  Blast radius: {}", c(&plan.blast_radius));
    println!("  Undo: {}", c(&plan.undo));
}

fn print_outcome(o: &Outcome, verb: &str) {
    let c = |s: &str| clean(s).into_owned();
    match o {
        Outcome::Done {
            action_id,
            verification,
        } => println!("{action_id}: {verb}. {}", c(&verification.detail)),
        Outcome::NotVerified {
            action_id,
            verification,
        } => println!(
            "{action_id}: applied but NOT verified. {}",
            c(&verification.detail)
        ),
        Outcome::DryRun { action_id } => {
            println!("{action_id}: dry run: planned and journaled, nothing applied")
        }
        Outcome::Cancelled { action_id } => println!("{action_id}: not confirmed: nothing applied"),
        Outcome::Failed {
            action_id,
            stage,
            error,
        } => println!(
            "{action_id}: FAILED at {stage}: {} ({})",
            c(&error.message),
            error.code
        ),
    }
}
