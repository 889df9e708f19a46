//! warroom's entry point: parse the command line, run one command, map the
//! outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use color_eyre::eyre::{Result, WrapErr, eyre};

use std::sync::Arc;

use tokio::sync::Mutex;
use warroom::aws::Clients;

use warroom::cli::{Cli, Command, ConsoleArgs, DemoArgs, GlobalArgs, ScanArgs};
use warroom::emulator::Emulator;
use warroom::scan::{self, ScanOptions};
use warroom::tui::{self, ConsoleOptions, app::Context, keymap};

mod commands;

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
            // A returned error is the user's or the environment's (a region,
            // credentials, an incident directory, a config file): one plain
            // line, each cause once. Bugs panic, and the panic hook reports
            // them with locations. WARROOM_DEBUG=1 shows the full report.
            if std::env::var_os("WARROOM_DEBUG").is_some() {
                eprintln!("warroom: {e:?}");
            } else {
                eprintln!("warroom: {}", one_line(&e));
            }
            ExitCode::from(2)
        }
    }
}

use commands::{clients, end_session, open_incident, start_session};

/// An error and its causes on one line, each said once.
fn one_line(e: &color_eyre::eyre::Report) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    warroom::sanitize::clean(
        &parts
            .join(": ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
    .into_owned()
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    let global = cli.global;
    match cli.command {
        None => {
            let args = ConsoleArgs {
                concurrency: 16,
                bell: false,
            };
            console(&global, args).await
        }
        Some(Command::Console(args)) => console(&global, args).await,
        Some(Command::Scan(args)) => scan_command(&global, args).await,
        Some(Command::Demo(args)) => demo(&global, args).await,
        Some(Command::Gameday(args)) => commands::gameday::run(&global, args).await,
        Some(Command::Journal(cmd)) => commands::journal::run(cmd),
        Some(Command::Trail(args)) => commands::trail::run(&global, args).await,
        Some(Command::Watch(args)) => commands::watch::run(&global, args).await,
        Some(Command::Changes(args)) => commands::changes::run(&global, args).await,
        Some(Command::Versions(args)) => commands::versions::run(&global, args).await,
        Some(Command::Ledger(args)) => commands::ledger::run(&global, args),
        Some(Command::Report(args)) => commands::report::run(&global, args),
        Some(Command::Act(cmd)) => commands::act::run(&global, cmd).await,
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
    // A bad playbook is refused before anything starts, with its line.
    let playbook = load_playbook(global)?;
    let mut incident = open_incident(global)?;
    start_session(&mut incident, global, clients, "console").await?;
    let incident = Arc::new(Mutex::new(incident));
    console_on(global, clients, keymap, args, incident, playbook, None).await
}

/// The console on an open incident (a Game Day opens its own first).
async fn console_on(
    global: &GlobalArgs,
    clients: &Clients,
    keymap: keymap::Keymap,
    args: ConsoleArgs,
    incident: Arc<Mutex<warroom::incident::Incident>>,
    playbook: warroom::playbook::Playbook,
    gameday: Option<tui::GameDayOptions>,
) -> Result<ExitCode> {
    let watch = commands::watch_config()?;
    let dir = incident.lock().await.dir().display().to_string();
    let context = Context {
        region: clients.region().to_string(),
        endpoint: clients.endpoint().map(str::to_string),
        profile: global.profile.clone(),
        read_only: global.read_only,
        dry_run: global.dry_run,
        incident: Some(dir),
        ec2_regions: global.ec2_regions.clone(),
    };
    let outcome = tui::run(
        clients.clone(),
        ConsoleOptions {
            context,
            incident: Some(incident.clone()),
            keymap,
            concurrency: usize::from(args.concurrency),
            // A Game Day's scenario may shorten the watch so it ends in
            // the game; a flag still wins.
            watch_timing: watch.timing(
                global
                    .watch_minutes
                    .or(gameday.as_ref().and_then(|g| g.game.scenario.watch_minutes)),
                global.watch_allowance,
            ),
            bell: args.bell || watch.bell.unwrap_or(false),
            playbook,
            gameday,
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

fn load_playbook(global: &GlobalArgs) -> Result<warroom::playbook::Playbook> {
    Ok(match &global.playbook {
        Some(path) => warroom::playbook::Playbook::load(path)?,
        None => warroom::playbook::Playbook::builtin()?,
    })
}

async fn scan_command(global: &GlobalArgs, args: ScanArgs) -> Result<ExitCode> {
    let clients = clients(global).await?;
    let opts = ScanOptions {
        buckets: args.buckets,
        concurrency: usize::from(args.concurrency),
        ..Default::default()
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
    // Nothing could be asked (no credentials, no connection): one line that
    // says what to do, not an empty report with the same error three times.
    // (With --json the document is still written: a pipeline reads it.)
    if let (None, Some(e), true) = (
        &report.caller,
        &report.caller_error,
        report.buckets.is_empty(),
    ) && !args.json
        && matches!(
            e.code.as_str(),
            "NoCredentials" | "ConnectionFailed" | "ExpiredToken" | "InvalidClientTokenId"
        )
    {
        if let Some(mut i) = incident {
            end_session(&mut i, Some(format!("{} ({})", e.message, e.code)))?;
        }
        eprintln!("warroom: {} ({})", e.message, e.code);
        return Ok(ExitCode::from(2));
    }
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
    warroom::aws::seed::seed_demo_credentials(&stager)
        .await
        .map_err(|e| {
            eyre!(
                "seeding the emulator's credentials failed: {} ({})",
                e.message,
                e.code
            )
        })?;
    warroom::aws::seed::seed_demo_trail(&stager)
        .await
        .map_err(|e| {
            eyre!(
                "seeding the emulator's CloudTrail failed: {} ({})",
                e.message,
                e.code
            )
        })?;
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
    Clients::from_sdk_config(sdk, read_only).map_err(|e| eyre!("{}", e.said()))
}
