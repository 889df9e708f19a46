//! warroom's entry point: parse the command line, run one command, map the
//! outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use color_eyre::eyre::{Result, WrapErr, eyre};

use std::sync::Arc;

use tokio::sync::Mutex;
use warroom::aws::{Clients, Target};

use serde_json::json;
use warroom::actions::{self, Confirm, Outcome};
use warroom::cli::{
    ActArgs, ActCommand, Cli, Command, ConsoleArgs, DemoArgs, GlobalArgs, JournalCommand, ScanArgs,
};
use warroom::emulator::Emulator;
use warroom::incident::{self, Incident, kind};
use warroom::scan::{self, ScanOptions};
use warroom::tui::{self, ConsoleOptions, app::Context, keymap};

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("warroom: {e}");
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("warroom: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("warroom: {e:?}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    let global = cli.global;
    match cli.command {
        None => console(&global, ConsoleArgs { concurrency: 16 }).await,
        Some(Command::Console(args)) => console(&global, args).await,
        Some(Command::Scan(args)) => scan_command(&global, args).await,
        Some(Command::Demo(args)) => demo(&global, args).await,
        Some(Command::Journal(cmd)) => journal_command(cmd),
        Some(Command::Act(cmd)) => act_command(&global, cmd).await,
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "warroom",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn target(global: &GlobalArgs) -> Target {
    Target {
        profile: global.profile.clone(),
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
    }
}

async fn clients(global: &GlobalArgs) -> Result<Clients> {
    Clients::load(&target(global), global.read_only)
        .await
        .map_err(|e| eyre!("{}: {}", e.code, e.message))
}

fn load_keymap() -> Result<keymap::Keymap> {
    let path = keymap::user_config_path();
    keymap::Keymap::load(path.as_deref()).wrap_err("loading key bindings")
}

async fn console(global: &GlobalArgs, args: ConsoleArgs) -> Result<ExitCode> {
    let keymap = load_keymap()?;
    let clients = clients(global).await?;
    run_console(global, &clients, keymap, args).await
}

async fn run_console(
    global: &GlobalArgs,
    clients: &Clients,
    keymap: keymap::Keymap,
    args: ConsoleArgs,
) -> Result<ExitCode> {
    let mut incident = open_incident(global)?;
    start_session(&mut incident, global, clients, "console").await?;
    let context = Context {
        region: clients.region().to_string(),
        endpoint: clients.endpoint().map(str::to_string),
        profile: global.profile.clone(),
        read_only: global.read_only,
        incident: Some(incident.dir().display().to_string()),
    };
    let incident = Arc::new(Mutex::new(incident));
    let outcome = tui::run(
        clients.clone(),
        ConsoleOptions {
            context,
            incident: Some(incident.clone()),
            keymap,
            concurrency: usize::from(args.concurrency),
        },
    )
    .await;
    end_session(
        &mut *incident.lock().await,
        outcome.as_ref().err().map(|e| e.to_string()),
    )?;
    outcome?;
    Ok(ExitCode::SUCCESS)
}

/// Open (or resume) the incident directory and say which, before the
/// terminal is taken over.
fn open_incident(global: &GlobalArgs) -> Result<Incident> {
    let incident = Incident::open(global.incident.as_deref())?;
    eprintln!(
        "warroom: incident {} ({})",
        incident.dir().display(),
        if incident.resumed() {
            format!(
                "resumed: {} earlier entries",
                incident.earlier_entries().len()
            )
        } else {
            "new".to_string()
        }
    );
    Ok(incident)
}

async fn start_session(
    incident: &mut Incident,
    global: &GlobalArgs,
    clients: &Clients,
    command: &str,
) -> Result<()> {
    let identity = clients.identity().await;
    let caller = match &identity {
        Ok(id) => json!(id),
        Err(e) => json!({ "error": e }),
    };
    let summary = match &identity {
        Ok(id) => format!("{command} started by {} ({})", id.arn, id.account),
        Err(e) => format!("{command} started; caller identity {e}"),
    };
    let data = json!({
        "summary": summary,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "caller": caller,
        "region": clients.region(),
        "endpoint": clients.endpoint(),
        "profile": global.profile,
        "read_only": global.read_only,
        "resumed": incident.resumed(),
    });
    incident.record(kind::SESSION_START, data)?;
    Ok(())
}

fn end_session(incident: &mut Incident, error: Option<String>) -> Result<()> {
    incident.record(
        kind::SESSION_END,
        json!({
            "summary": match &error {
                None => "session ended".to_string(),
                Some(e) => format!("session ended with an error: {e}"),
            },
            "error": error,
        }),
    )?;
    Ok(())
}

async fn scan_command(global: &GlobalArgs, args: ScanArgs) -> Result<ExitCode> {
    let clients = clients(global).await?;
    let opts = ScanOptions {
        buckets: args.buckets,
        concurrency: usize::from(args.concurrency),
    };
    // Headless scans journal only when asked to (--incident): a pipeline
    // gate should not leave a directory behind on every run.
    let incident = match &global.incident {
        Some(_) => {
            let mut i = open_incident(global)?;
            start_session(&mut i, global, &clients, "scan").await?;
            Some(i)
        }
        None => None,
    };
    let (report, timings) = scan::collect(&clients, &opts).await;
    if let Some(mut i) = incident {
        if let Some(snapshot) = report.snapshot() {
            scan::journal_snapshot(&mut i, &snapshot)?;
        }
        let error = report
            .error
            .as_ref()
            .map(|e| format!("{} ({})", e.message, e.code));
        end_session(&mut i, error)?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        warroom::report::write_json(&report, &mut out)?;
    } else {
        warroom::report::write_table(&report, &mut out)?;
    }
    out.flush()?;
    if args.timings {
        eprintln!(
            "timings: buckets={} first_bucket_ms={} total_ms={}",
            report.buckets.len(),
            timings
                .first_bucket
                .map_or(-1.0, |d| d.as_secs_f64() * 1000.0),
            timings.total.as_secs_f64() * 1000.0
        );
    }
    if let Some(e) = &report.error {
        eprintln!("warroom: scan stopped: {} ({})", e.message, e.code);
    }
    Ok(ExitCode::from(report.exit_code()))
}

async fn act_command(global: &GlobalArgs, cmd: ActCommand) -> Result<ExitCode> {
    use std::io::IsTerminal;
    let clients = clients(global).await?;
    let mut incident = open_incident(global)?;
    start_session(&mut incident, global, &clients, "act").await?;
    let ask = |prompt: &str| -> Option<String> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        eprint!("{prompt}");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).ok()?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    };
    let mut verb = "done";
    let (outcome, how): (Result<Outcome, actions::ActionError>, ActArgs) = match act_request(cmd) {
        ActRequest::Run(spec, how) => {
            let plan = match actions::plan(&clients, &spec).await {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("warroom: {}", warroom::sanitize::clean(&e.to_string()));
                    incident.record(kind::SESSION_END, json!({"summary": format!("act: {e}")}))?;
                    return Ok(ExitCode::from(2));
                }
            };
            if !how.json {
                print_plan(&plan);
            }
            let (confirmed, method) = if how.yes || how.dry_run {
                (true, "--yes".to_string())
            } else {
                match &plan.confirm {
                    Confirm::TypeName { text } => {
                        match ask(&format!("Type the bucket name ({text}) to confirm: ")) {
                            Some(typed) => (typed == *text, "typed the bucket name".to_string()),
                            None => {
                                eprintln!(
                                    "warroom: no terminal to confirm on; pass --yes to confirm, or --dry-run"
                                );
                                (false, String::new())
                            }
                        }
                    }
                    Confirm::YesNo => match ask("Apply? [y/N] ") {
                        Some(a) => (
                            a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes"),
                            "answered yes".to_string(),
                        ),
                        None => (false, String::new()),
                    },
                }
            };
            let outcome = actions::execute(
                &mut incident,
                &clients,
                &plan,
                confirmed,
                &method,
                how.dry_run,
            )
            .await;
            if how.json {
                println!(
                    "{}",
                    serde_json::to_string(
                        &json!({"plan": plan, "outcome": outcome.as_ref().ok()})
                    )?
                );
            }
            (outcome, how)
        }
        ActRequest::Undo(action_id, how) => {
            verb = "undone";
            let confirmed = how.yes
                || ask(&format!(
                    "Undo {action_id}, restoring its recorded prior state? [y/N] "
                ))
                .is_some_and(|a| a.eq_ignore_ascii_case("y"));
            let outcome = if how.dry_run {
                Err(actions::ActionError::CannotUndo {
                    id: action_id.clone(),
                    why: "--dry-run does not apply to undo".into(),
                })
            } else if confirmed {
                actions::undo(&mut incident, &clients, &action_id).await
            } else {
                eprintln!("warroom: not confirmed; pass --yes to undo without asking");
                Ok(Outcome::Cancelled {
                    action_id: action_id.clone(),
                })
            };
            if how.json {
                println!(
                    "{}",
                    serde_json::to_string(&json!({"outcome": outcome.as_ref().ok()}))?
                );
            }
            (outcome, how)
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
            eprintln!("warroom: {}", warroom::sanitize::clean(&e.to_string()));
            2
        }
    };
    end_session(&mut incident, outcome.as_ref().err().map(|e| e.to_string()))?;
    Ok(ExitCode::from(code))
}

/// An `act` command is either one action to run or an undo.
enum ActRequest {
    Run(actions::ActionSpec, ActArgs),
    Undo(String, ActArgs),
}

fn act_request(cmd: ActCommand) -> ActRequest {
    use actions::ActionSpec;
    match cmd {
        ActCommand::BlockPublicAccess { bucket, how } => {
            ActRequest::Run(ActionSpec::BlockPublicAccess { bucket }, how)
        }
        ActCommand::DeleteBucketPolicy { bucket, how } => {
            ActRequest::Run(ActionSpec::DeleteBucketPolicy { bucket }, how)
        }
        ActCommand::Undo { action_id, how } => ActRequest::Undo(action_id, how),
    }
}

fn print_plan(plan: &actions::Plan) {
    let clean = |s: &str| warroom::sanitize::clean(s).into_owned();
    println!(
        "Plan: {} on {}",
        plan.spec.name(),
        clean(&plan.spec.target())
    );
    println!("  {}", clean(&plan.summary));
    for (before, after) in plan.before.iter().zip(&plan.after) {
        let mark = if before == after { " " } else { "~" };
        println!("  {mark} {:<28} -> {}", clean(before), clean(after));
    }
    println!("  Blast radius: {}", clean(&plan.blast_radius));
    println!("  Undo: {}", clean(&plan.undo));
}

fn print_outcome(o: &Outcome, verb: &str) {
    let clean = |s: &str| warroom::sanitize::clean(s).into_owned();
    match o {
        Outcome::Done {
            action_id,
            verification,
        } => println!("{action_id}: {verb}. {}", clean(&verification.detail)),
        Outcome::NotVerified {
            action_id,
            verification,
        } => println!(
            "{action_id}: applied but NOT verified. {}",
            clean(&verification.detail)
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
            clean(&error.message),
            error.code
        ),
    }
}

fn journal_command(cmd: JournalCommand) -> Result<ExitCode> {
    match cmd {
        JournalCommand::Verify { dir } => {
            let report = match incident::verify::verify(&dir) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("warroom: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            for w in &report.warnings {
                println!("warning: {w}");
            }
            for p in &report.problems {
                println!("FAIL: {}", warroom::sanitize::clean(p));
            }
            if report.ok() {
                println!(
                    "OK: {} entries chain correctly; {} evidence files match their hashes",
                    report.entries.len(),
                    report.evidence_files
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "journal does NOT verify: {} problem(s)",
                    report.problems.len()
                );
                Ok(ExitCode::from(1))
            }
        }
        JournalCommand::Show { dir, json } => {
            let report = incident::verify::verify(&dir)?;
            let mut out = std::io::stdout().lock();
            for e in &report.entries {
                if json {
                    let mut buf = Vec::new();
                    warroom::report::write_json_line(e, &mut buf)?;
                    out.write_all(&buf)?;
                } else {
                    let summary = e.data["summary"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.data.to_string());
                    writeln!(
                        out,
                        "{:>5}  {}  {:<20} {}",
                        e.seq,
                        e.time,
                        e.kind,
                        warroom::sanitize::clean(&summary)
                    )?;
                }
            }
            for w in report.warnings.iter().chain(&report.problems) {
                eprintln!("warroom: {w}");
            }
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// A local emulator with demo buckets, and the console on it. The emulator
/// is ours: it is stopped when the console exits, however it exits.
async fn demo(global: &GlobalArgs, args: DemoArgs) -> Result<ExitCode> {
    if global.endpoint_url.is_some() || global.profile.is_some() {
        return Err(eyre!(
            "`warroom demo` runs against its own local emulator; it takes no --profile or --endpoint-url"
        ));
    }
    let keymap = load_keymap()?;
    let python = args.python.unwrap_or_else(Emulator::default_python);
    eprintln!(
        "warroom: starting the local emulator ({})…",
        python.display()
    );
    let emulator = Emulator::start(&python, &[])?;
    // Staging writes to our own emulator; the console's clients honour
    // --read-only like everywhere else.
    let stager = emulator_clients(&emulator.endpoint(), global.region.as_deref(), false).await?;
    eprintln!("warroom: seeding demo buckets at {}…", emulator.endpoint());
    warroom::aws::seed::seed_demo(&stager)
        .await
        .map_err(|e| eyre!("seeding the emulator failed: {} ({})", e.message, e.code))?;
    let clients = emulator_clients(
        &emulator.endpoint(),
        global.region.as_deref(),
        global.read_only,
    )
    .await?;
    let code = run_console(global, &clients, keymap, args.console).await;
    drop(emulator);
    code
}

async fn emulator_clients(
    endpoint: &str,
    region: Option<&str>,
    read_only: bool,
) -> Result<Clients> {
    let sdk = warroom::aws::emulator_sdk_config(
        endpoint,
        region.unwrap_or("us-east-1"),
        "AKIAWARROOMDEMO00000",
        "demo-secret",
    )
    .await;
    Clients::from_sdk_config(sdk, read_only).map_err(|e| eyre!("{}: {}", e.code, e.message))
}
