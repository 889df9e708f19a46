//! warroom's entry point: parse the command line, run one command, map the
//! outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use color_eyre::eyre::{Result, WrapErr, eyre};

use warroom::aws::{Clients, Target};
use warroom::cli::{Cli, Command, ConsoleArgs, DemoArgs, GlobalArgs, ScanArgs};
use warroom::emulator::Emulator;
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
    Clients::load(&target(global))
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
    let context = Context {
        region: clients.region().to_string(),
        endpoint: clients.endpoint().map(str::to_string),
        profile: global.profile.clone(),
        read_only: global.read_only,
    };
    tui::run(
        clients.clone(),
        ConsoleOptions {
            context,
            keymap,
            concurrency: usize::from(args.concurrency),
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

async fn scan_command(global: &GlobalArgs, args: ScanArgs) -> Result<ExitCode> {
    let clients = clients(global).await?;
    let opts = ScanOptions {
        buckets: args.buckets,
        concurrency: usize::from(args.concurrency),
    };
    let (report, timings) = scan::collect(&clients, &opts).await;
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
    let clients = emulator_clients(&emulator.endpoint(), global.region.as_deref()).await?;
    eprintln!("warroom: seeding demo buckets at {}…", emulator.endpoint());
    warroom::aws::seed::seed_demo(&clients)
        .await
        .map_err(|e| eyre!("seeding the emulator failed: {} ({})", e.message, e.code))?;
    let code = run_console(global, &clients, keymap, args.console).await;
    drop(emulator);
    code
}

async fn emulator_clients(endpoint: &str, region: Option<&str>) -> Result<Clients> {
    let sdk = warroom::aws::emulator_sdk_config(
        endpoint,
        region.unwrap_or("us-east-1"),
        "AKIAWARROOMDEMO00000",
        "demo-secret",
    )
    .await;
    Clients::from_sdk_config(sdk).map_err(|e| eyre!("{}: {}", e.code, e.message))
}
